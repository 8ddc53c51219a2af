"""Deliberately wrong coordinators and replicas, each with the property the labs'
harness must find broken. Each is the reference solution with one mistake."""


def lab1_bugs(Reference) -> dict:
    """Lab 1's mistakes: name -> (class, the property it breaks)."""

    class AcknowledgesBeforeW(Reference):
        """Answers a put after its first acknowledgement, whatever W is."""

        def on_reply(self, request, reply):
            if request.kind == "put" and not request.done:
                request.succeed()
            else:
                super().on_reply(request, reply)

    class ReturnsFirstReply(Reference):
        """Waits for R replies, then returns the first one's value, not the newest."""

        def on_reply(self, request, reply):
            if request.kind == "get" and not request.done:
                request.replies[reply.src] = (reply.version, reply.value)
                if len(request.replies) >= request.quorum:
                    request.succeed(next(iter(request.replies.values()))[1])
            else:
                super().on_reply(request, reply)

    class AnswersAfterOneReply(Reference):
        """Answers a get with the first reply, whatever R is."""

        def on_reply(self, request, reply):
            if request.kind == "get" and not request.done:
                request.succeed(reply.value)
            else:
                super().on_reply(request, reply)

    class FailsOnTimeout(Reference):
        """Reports a timed-out write as failed, though it was sent and may land."""

        def on_timeout(self, request):
            request.fail("timed out")

    class NeverGivesUp(Reference):
        """Leaves a timed-out request unanswered."""

        def on_timeout(self, request):
            pass

    class AnswersTwice(Reference):
        """Forgets that replies keep coming after the answer."""

        def on_reply(self, request, reply):
            if reply.kind == "write_ack":
                request.acks.add(reply.src)
                if len(request.acks) >= request.quorum:
                    request.succeed()
            else:
                request.replies[reply.src] = (reply.version, reply.value)
                if len(request.replies) >= request.quorum:
                    held = [pair for pair in request.replies.values() if pair[0] is not None]
                    request.succeed(max(held)[1] if held else None)

    return {"acknowledges before W": (AcknowledgesBeforeW, "fresh"),
            "returns the first reply": (ReturnsFirstReply, "fresh"),
            "answers after one reply": (AnswersAfterOneReply, "fresh"),
            "fails a timed-out write": (FailsOnTimeout, "failed_is_nothing"),
            "never gives up": (NeverGivesUp, "answered"),
            "answers twice": (AnswersTwice, "runs")}


def lab2_bugs(Reference) -> dict:
    """Lab 2's mistakes: name -> (class, the property it breaks)."""
    Replica = Reference.replica

    class StrictQuorumOnly(Reference):
        """Never stands in for a home replica that is down."""

        def targets(self, key):
            return [(node, None) for node in self.home_replicas(key) if self.seems_up(node)]

    class NoHintTag(Reference):
        """Writes to fallbacks without saying whom they stand in for."""

        def targets(self, key):
            return [(node, None) for node, _ in super().targets(key)]

    class DropsHintsReplica(Replica):
        def crash(self, lose_data, reuse_identity):
            super().crash(lose_data, reuse_identity)
            self.hints_held.clear()

    class DropsHintsOnCrash(Reference):
        """Keeps hints in memory only: a crash forgets them."""
        replica = DropsHintsReplica

    class ForgetsOnSendReplica(Replica):
        def on_tick(self):
            for owner in list(self.hints_held):
                if self.seems_up(owner):
                    for key, (version, value) in self.hints_held.pop(owner).items():
                        self.send(owner, "write", key, version=version, value=value)

    class ForgetsHintWhenSent(Reference):
        """Forgets a hint as soon as it is sent, before the owner acknowledges it."""
        replica = ForgetsOnSendReplica

    class NoReadRepair(Reference):
        """Answers reads but repairs nothing."""

        def repair(self, request):
            pass

    class AnswersBeforeRepairs(Reference):
        """Ignores blocking_read_repair: answers before the repairs are acknowledged."""

        def on_reply(self, request, reply):
            self.blocking_read_repair = False
            super().on_reply(request, reply)

    return {"strict quorum only": (StrictQuorumOnly, "always_writable"),
            "no hint tag": (NoHintTag, "handed_off"),
            "drops hints on a crash": (DropsHintsOnCrash, "handed_off"),
            "forgets a hint when sent": (ForgetsHintWhenSent, "handed_off"),
            "no read repair": (NoReadRepair, "repaired"),
            "answers before repairs": (AnswersBeforeRepairs, "repaired_before_answer")}


def lab3_bugs(names: dict) -> dict:
    """Lab 3's mistakes, built from the notebook's names: name -> (class, property)."""
    Reference, Replica = names["MyCoordinator"], names["MyReplica"]
    ORSetCart, UnionCart = names["ORSetCart"], names["UnionCart"]
    merge_clocks, reconcile = names["merge_clocks"], names["reconcile"]

    class OverwritingReplica(Replica):
        def handle_write(self, src, key, version, value, hint_for):
            self.siblings[key] = [(version, value)]

    class MergesByOverwriting(Reference):
        """The replica keeps only the last write it receives (last write wins)."""
        replica = OverwritingReplica

    class SumReplica(Replica):
        def handle_write(self, src, key, version, value, hint_for):
            kept = [(clock, v) for clock, v in self.siblings.get(key, [])
                    if sum(version.values()) < sum(clock.values())]
            self.siblings[key] = [*kept, (version, value)]

    class ComparesClocksBySum(Reference):
        """Decides "newer" by the sum of a clock's counters."""
        replica = SumReplica

    class IgnoresContext(Reference):
        """Starts every write's clock from nothing."""

        def start_put(self, request):
            request.context = None
            super().start_put(request)

    class ClaimsUnreturnedSiblings(Reference):
        """Returns the first reply's siblings with a context merged from all replies."""

        def on_reply(self, request, reply):
            if reply.kind == "read_reply" and not request.done:
                request.replies[reply.src] = reply.siblings
                if len(request.replies) >= request.quorum:
                    context = {}
                    for siblings in request.replies.values():
                        for clock, _ in siblings:
                            context = merge_clocks(context, clock)
                    first = next(iter(request.replies.values()))
                    request.succeed(siblings=[v for _, v in reconcile(first)], context=context)
            else:
                super().on_reply(request, reply)

    class OneSiblingCart(ORSetCart):
        @staticmethod
        def merge(carts):
            return max(carts, key=lambda cart: len(cart[0]))

    class CartMergeKeepsOne(Reference):
        """The cart's merge keeps one sibling instead of combining them."""
        cart = OneSiblingCart

    class UnionCartWithRemoves(Reference):
        """Merges by union, so a removed item comes back."""
        cart = UnionCart

    return {"merges by overwriting": (MergesByOverwriting, "adds_kept"),
            "compares clocks by sum": (ComparesClocksBySum, "adds_kept"),
            "ignores the context": (IgnoresContext, "no_false_siblings"),
            "claims siblings it did not return": (ClaimsUnreturnedSiblings, "adds_kept"),
            "cart merge keeps one sibling": (CartMergeKeepsOne, "adds_kept"),
            "union cart with removes": (UnionCartWithRemoves, "removes_stick")}


def lab4_bugs(Reference, lab4) -> dict:
    """Lab 4's mistakes: name -> (replica class, the property it breaks)."""

    class ComparesOnlyRoots(Reference):
        """When the roots differ, ships every bucket."""

        def on_message(self, message):
            if message.kind == "hashes" and message.level == 0:
                if message.hashes[0] != self.tree()[0][0]:
                    for leaf in range(lab4.LEAVES):
                        self.send(message.src, "bucket", "", leaf=leaf, items=self.bucket(leaf))
                return
            super().on_message(message)

    class HashesKeysOnly(Reference):
        """A leaf's hash covers its keys but not their versions."""

        def tree(self):
            leaves = [lab4.digest(repr(sorted(key for key in self.held
                                              if lab4.bucket_of(key) == leaf)))
                      for leaf in range(lab4.LEAVES)]
            levels = [leaves]
            while len(levels[0]) > 1:
                below = levels[0]
                levels.insert(0, [lab4.digest(below[i] + below[i + 1])
                                  for i in range(0, len(below), 2)])
            return levels

    class PullsOnly(Reference):
        """Takes the peer's newer keys but never sends its own."""

        def on_message(self, message):
            if message.kind == "bucket":
                for key, version, value in message.items:
                    self.keep(key, version, value)
                return
            super().on_message(message)

    class TakesTheirs(Reference):
        """Keeps the peer's copy whatever its version."""

        def keep(self, key, version, value):
            self.held[key] = (version, value)
            return True

    class FirstDifferenceOnly(Reference):
        """Descends into the first differing child only."""

        def on_message(self, message):
            if message.kind == "hashes":
                levels = self.tree()
                level, index = message.level, message.index
                mine = [levels[0][0]] if level == 0 else levels[level][2 * index: 2 * index + 2]
                for offset, (ours, theirs) in enumerate(zip(mine, message.hashes)):
                    if ours != theirs:
                        node = 0 if level == 0 else 2 * index + offset
                        if level == lab4.DEPTH:
                            self.send(message.src, "bucket", "", leaf=node,
                                      items=self.bucket(node))
                        else:
                            self.send(message.src, "hashes?", "", level=level + 1, index=node)
                        break
                return
            super().on_message(message)

    return {"compares only roots": (ComparesOnlyRoots, "cost_fits"),
            "hashes keys only": (HashesKeysOnly, "synced"),
            "pulls only": (PullsOnly, "synced"),
            "takes the peer's copy": (TakesTheirs, "synced"),
            "first difference only": (FirstDifferenceOnly, "synced")}
