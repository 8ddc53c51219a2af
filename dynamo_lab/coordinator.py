"""The coordinator: how a node runs the puts and gets it coordinates (Dynamo §4.5).

A put: the coordinator picks its targets (the key's first N healthy nodes, as
its own failure detector sees them), makes the new version, stores it if it
is a target, sends it to the others and answers the client once W targets,
itself included, have acknowledged. A get asks its targets and answers once
R have replied, with the siblings of their reconciled records; read repair
then brings stale replicas up to date.

Outcomes follow Jepsen: ``fail`` only when too few targets were reachable
*before anything was sent*; a client that stops waiting records ``info``.

The seam
--------
Every node has a coordinator, built by the cluster from the class given as
``dl.Cluster(coordinator=...)``: :class:`QuorumCoordinator` by default. A
coordinator sees its node and the node's :class:`~dynamo_lab.host.Host`,
never the cluster, and answers three calls:

- :meth:`Coordinator.select_targets` ``(key)``: the (node, hint_for) pairs
  an operation on ``key`` goes to, strict or sloppy;
- :meth:`Coordinator.put` ``(pending, key, value, context, quorum, tombstone,
  any_level)``: start a put (or a delete) for a client;
- :meth:`Coordinator.get` ``(pending, key, quorum)``: start a get.

Each completes the client's :class:`~dynamo_lab.client.PendingOperation`
when it has an answer. :class:`QuorumCoordinator` runs one
:class:`PutOperation` or :class:`GetOperation` per request; a subclass can
swap either (``put_operation = ...``) to change one rule and keep the rest.

Examples
--------
A coordinator that answers a put after the first acknowledgement, whatever
W is, plugs in without touching the cluster:

>>> import dynamo_lab as dl
>>> class FirstAckPut(PutOperation):
...     def _check_quorum(self):
...         if not self.replied and self.acks:
...             self._complete("ok", None)
...             self._answered()
>>> class Hasty(QuorumCoordinator):
...     put_operation = FirstAckPut
>>> cluster = dl.Cluster(nodes=5, n=3, r=2, w=3, seed=1, coordinator=Hasty)
>>> write = cluster.put("k", "v")
>>> write.acks == (write.coordinator,)  # W = 3, yet its own copy answered the client
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .node import WritePayload
from .results import ReadResult, WriteResult
from .versions import EMPTY_CLOCK, Context, Record, Sibling, frozen_value, reconcile

if TYPE_CHECKING:  # pragma: no cover
    from .client import PendingOperation
    from .host import Host
    from .node import Node
    from .sim.kernel import Timer

__all__ = ["Coordinator", "QuorumCoordinator", "PutOperation", "GetOperation", "select_targets"]


def select_targets(host: "Host", ring, key: str, coordinator: str) -> list[tuple[str, str | None]]:
    """The nodes an operation on ``key`` coordinated by ``coordinator`` goes to.

    Returns (node, hint_for) pairs in preference-list order (of ``ring``, the
    coordinator's view): the home replicas the coordinator sees as healthy
    and, under a sloppy quorum, fallback nodes standing in for the others
    (``hint_for`` names the home replica a fallback holds a hint for, when
    hinted handoff is on).
    """
    preference = ring.preference_list(key)
    n = host.n
    healthy = host.detector.is_healthy
    home = preference[:n]
    targets: list[tuple[str, str | None]] = [
        (name, None) for name in home if name == coordinator or healthy(coordinator, name)]
    if not host.sloppy_quorum or len(targets) == n:
        return targets
    reached = {name for name, _ in targets}
    missing = [name for name in home if name not in reached]
    fallbacks = [name for name in preference[n:]
                 if name == coordinator or healthy(coordinator, name)][:len(missing)]
    for fallback, owner in zip(fallbacks, missing):
        targets.append((fallback, owner if host.hinted_handoff else None))
    return targets


class _Operation:
    """What puts and gets share: targets, the time-out and the history."""

    kind = "?"
    # Slots: two of these are made per client operation.
    __slots__ = ("host", "coordinator", "pending", "node", "key", "quorum", "started", "op_id",
                 "targets", "replied", "_timer")

    def __init__(self, coordinator: "QuorumCoordinator", pending: "PendingOperation", key: str,
                 quorum: int):
        host = coordinator.host
        self.host = host
        self.coordinator = coordinator
        self.pending = pending
        self.node: Node = coordinator.node
        self.key = key
        self.quorum = quorum
        self.started = host.sim.now
        self.op_id = pending.invocation.op_id
        self.targets: list[tuple[str, str | None]] = []
        self.replied = False  # the client has its answer
        self._timer: Timer | None = None

    # -- life cycle -------------------------------------------------------------
    def start(self) -> None:
        host = self.host
        self.targets = self._choose_targets(self.coordinator.select_targets(self.key))
        if len(self.targets) < self.quorum and not self._hint_may_do():
            reachable = [name for name, _ in self.targets]
            self._finish_failed(
                f"{self.quorum} replicas were needed but only {len(reachable)} "
                f"({', '.join(reachable) or 'none'}) could be reached from {self.node.name}; "
                "nothing was sent")
            return
        self.node.coordinating[self.op_id] = self
        self._timer = host.sim.schedule(host.timeout_ms, self._on_timeout)
        self.send_requests()

    def _choose_targets(self, targets):
        return targets

    def _hint_may_do(self) -> bool:
        """True when a hint kept by the coordinator can stand in for every reply."""
        return False

    def send_requests(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def on_reply(self, msg) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _on_timeout(self) -> None:
        if self.replied:
            # Answered earlier and still hearing stragglers (see _answered):
            # those due at this very instant are heard before it retires.
            self.host.sim.post(0.0, self._retire, (True,))
            return
        self.replied = True
        self._complete_unanswered("info", f"timed out after {self.host.timeout_ms:g} ms "
                                  f"with {self._progress()}")
        self._retire(deadline_passed=True)

    def _progress(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def _answered(self) -> None:
        """The client has its answer; keep listening only for stragglers."""
        self.replied = True
        if self._all_in():
            self._retire()
        elif self._timer is not None:
            # Late replies still feed read repair until the deadline, but
            # "idle" need not wait for them: the time-out becomes a daemon.
            self._timer.demote()

    def _retire(self, deadline_passed: bool = False) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self.node.coordinating.pop(self.op_id, None) is not None and deadline_passed:
            # Whoever never answered is what a real coordinator learns to suspect.
            for name in self._silent():
                self.host.detector.missed(self.node.name, name)

    def _silent(self) -> list[str]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _all_in(self) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def _finish_failed(self, error: str) -> None:
        self.replied = True
        self.targets = []   # nothing was sent, so nothing was targeted or hinted
        self._complete_unanswered("fail", error)

    def _complete_unanswered(self, status: str, error: str) -> None:  # pragma: no cover
        raise NotImplementedError

    @property
    def latency_ms(self) -> float:
        return self.host.sim.now - self.started


class PutOperation(_Operation):
    """One put or delete, coordinated by ``coordinator``."""

    kind = "put"
    __slots__ = ("any_level", "kept_hints", "value", "context_clock", "tombstone", "acks",
                 "record", "event", "_purged")

    def __init__(self, coordinator, pending, key, quorum, value: Any, context: Context | None,
                 tombstone: bool = False, *, any_level: bool = False):
        super().__init__(coordinator, pending, key, quorum)
        self.any_level = any_level
        self.kept_hints: list[str] = []  # home replicas the coordinator keeps a hint for
        self.value = frozen_value(value)
        self.context_clock = EMPTY_CLOCK if context is None else context.clock
        self.tombstone = tombstone
        self.acks: list[str] = []
        self.record: Record | None = None
        self.event: tuple[str, int] | None = None   # the write's (node, counter), once stamped
        self._purged = False

    def send_requests(self) -> None:
        host, node, key = self.host, self.node, self.key
        if (node.name, None) in self.targets:
            # A replica that keeps the key in its own store holds every write it
            # ever stamped (or what replaced it), so its counter never claims a
            # write it has not seen.
            local = node.store.get(key)
            actor = node.actor
            seen = max(self.context_clock[actor], 0 if local is None else local.clock[actor])
            counter = node.next_counter(key, seen)
        else:
            # A coordinator that does not store the key (not a replica, or a
            # fallback holding hints it will hand off) could not keep that
            # promise: raising its own counter would make this write look as
            # if it had seen the coordinator's earlier, concurrent writes, and
            # replicas would drop them. It stamps the write with an identity
            # used once, as client-side clocks do.
            local = None
            actor, counter = node.one_off_actor(), 1
        self.event = (actor, counter)
        sibling = Sibling(None if self.tombstone else self.value, self.event,
                          node.wall_clock(), self.tombstone)
        self.record = host.versioning.write(local, self.context_clock, sibling,
                                               host.clock_threshold)
        send = host.network.send
        # Replicas written as themselves can share one payload; each hinted
        # fallback needs its own, naming the home replica it stands in for.
        shared = WritePayload(self.record, None, node.ring_epoch)
        for name, hint_for in self.targets:
            if name == node.name:
                self._write_locally(hint_for)
            else:
                send(node.name, name, "put_req", key, self.op_id,
                     shared if hint_for is None else
                     WritePayload(self.record, hint_for, node.ring_epoch))
        if host.hinted_handoff == "coordinator":
            self._keep_hints()
        self._check_quorum()

    def _write_locally(self, hint_for: str | None) -> None:
        """Store the write on the coordinator's own node, after its service time."""
        host = self.host
        legs = host.service_time.legs(host.sim.rng, "put_req")
        if legs is None:
            self.node.apply(self.key, self._written, hint_for)
            self.acks.append(self.node.name)
        else:
            host.sim.post(legs[0], self._stored_locally, (hint_for, legs[1]))

    def _stored_locally(self, hint_for: str | None, ack_ms: float) -> None:
        node = self.node
        if not self.host.network.is_up(node.name):
            return  # crashed meanwhile: like a request to a down replica, it never lands
        node.apply(self.key, self._written, hint_for)
        self.host.sim.post(ack_ms, self._acknowledged_locally, ())

    def _acknowledged_locally(self) -> None:
        if self.op_id in self.node.coordinating:
            self._acknowledge(self.node.name)

    def _hint_may_do(self) -> bool:
        return self.any_level and self.host.hinted_handoff == "coordinator"

    @property
    def _written(self) -> Record:
        """The record this put stamped; only asked for once its requests went out."""
        assert self.record is not None
        return self.record

    def _retire(self, deadline_passed: bool = False) -> None:
        running = self.op_id in self.node.coordinating
        super()._retire(deadline_passed)
        if running and deadline_passed and self.host.hinted_handoff == "coordinator":
            # Cassandra also keeps a hint for a replica that never answered.
            home = self.node.ring.home_replicas(self.key)
            record = self._written
            for name in self._silent():
                if name in home and name not in self.kept_hints:
                    self.node.apply(self.key, record, hint_for=name)
                    self.kept_hints.append(name)

    def _keep_hints(self) -> None:
        """Cassandra's hints: the coordinator keeps the write for each home
        replica it could not send it to, and delivers it when that one is back."""
        reached = {name for name, _ in self.targets}
        reached.update(owner for _, owner in self.targets if owner is not None)
        record = self._written
        for owner in self.node.ring.home_replicas(self.key):
            if owner not in reached:
                self.node.apply(self.key, record, hint_for=owner)
                self.kept_hints.append(owner)

    def on_reply(self, msg) -> None:
        if msg.kind == "put_ack":
            self._acknowledge(msg.src)

    def _acknowledge(self, name: str) -> None:
        if name in self.acks:
            return
        self.acks.append(name)
        if self.replied:
            self._maybe_purge()
            if self._all_in():
                self._retire()
            return
        self._check_quorum()

    def _check_quorum(self) -> None:
        if not self.replied and (len(self.acks) >= self.quorum
                                 or (self.any_level and self.kept_hints)):
            self._complete("ok", None)
            self._maybe_purge()
            self._answered()

    def _maybe_purge(self) -> None:
        """Remove a delete's tombstone once it is safe (or, naively, too early).

        Safe: every one of the N home replicas holds the tombstone, so no
        replica can later offer the deleted value back. Naive: as soon as W
        replicas hold it, which lets a replica that missed the delete bring
        the value back (a resurrection).
        """
        if not self.tombstone or self._purged:
            return
        host = self.host
        home = host.rings.current.home_replicas(self.key)
        holders = [name for name in self.acks
                   if name in home and (name, None) in self.targets]
        if host.tombstones == "naive":
            if len(self.acks) < self.quorum:
                return
        elif len(holders) < len(home):
            return
        self._purged = True
        record = self._written
        for name in holders:
            if name == self.node.name:
                self.node.purge(self.key, record)
            else:
                host.network.send(self.node.name, name, "purge", self.key, self.op_id,
                                     WritePayload(record))

    def _all_in(self) -> bool:
        return len(self.acks) == len(self.targets)

    def _silent(self) -> list[str]:
        return [name for name, _ in self.targets if name not in self.acks]

    def _progress(self) -> str:
        return f"{len(self.acks)} of {self.quorum} acknowledgements ({', '.join(self.acks) or 'none'})"

    def _hinted(self) -> dict[str, str]:
        return {name: owner for name, owner in self.targets if owner is not None}

    def _complete(self, status: str, error: str | None) -> None:
        ok = status == "ok"
        result = WriteResult(
            ok=ok, status=status, key=self.key, coordinator=self.node.name,
            acks=tuple(self.acks), latency_ms=self.latency_ms, hinted=self._hinted(),
            targets=tuple([name for name, _ in self.targets]),
            context=self._context(), error=error, op_id=self.op_id,
            kept_hints=tuple(self.kept_hints), event=self.event)
        value = None if self.tombstone else self.value
        self.pending._finish(result, status, value, error, self.event)

    def _context(self) -> Context | None:
        """The written record's context: what a write made from it replaces."""
        record = self.record
        if record is None:
            return None
        return Context(self.key, record.clock, frozenset([s.event for s in record.siblings]),
                       self.host.context_origin)

    def _complete_unanswered(self, status: str, error: str) -> None:
        self._complete(status, error)


class GetOperation(_Operation):
    """One get, coordinated by ``coordinator``."""

    kind = "get"
    __slots__ = ("replies", "_rng", "merged", "_known", "_repairs_awaited", "_checked")

    def __init__(self, coordinator, pending, key, quorum):
        super().__init__(coordinator, pending, key, quorum)
        self.replies: dict[str, Record | None] = {}
        self._rng = self.host.sim.rng
        self.merged: Record | None = None
        # What each replica is known to hold: its reply, then what we repaired it with.
        self._known: dict[str, Record | None] = {}
        self._repairs_awaited: set[str] = set()
        # The merged record every replier so far was last checked against.
        self._checked: Record | None = None

    def _choose_targets(self, targets):
        """Ask every target, or only R of them (Voldemort, DynamoDB)."""
        fanout = self.host.read_fanout
        if fanout == "all" or len(targets) <= self.quorum:
            return targets
        if fanout == "r":
            return targets[:self.quorum]
        chosen = sorted(self._rng.sample(range(len(targets)), self.quorum))
        return [targets[i] for i in chosen]

    def send_requests(self) -> None:
        node, key = self.node, self.key
        send = self.host.network.send
        local_reply = None
        for name, _ in self.targets:
            if name == node.name:
                local_reply = name
            else:
                send(node.name, name, "get_req", key, self.op_id, None)
        if local_reply is not None:
            host = self.host
            legs = host.service_time.legs(host.sim.rng, "get_req")
            if legs is None:
                self._take_reply(local_reply, node.read(key))
            else:
                host.sim.post(legs[0], self._read_locally, (legs[1],))

    def _read_locally(self, reply_ms: float) -> None:
        """Read the coordinator's own copy once its service time has passed."""
        node = self.node
        if self.host.network.is_up(node.name):
            self.host.sim.post(reply_ms, self._replied_locally, (node.read(self.key),))

    def _replied_locally(self, record: Record | None) -> None:
        name = self.node.name
        if self.op_id in self.node.coordinating and name not in self.replies:
            self._take_reply(name, record)

    def on_reply(self, msg) -> None:
        if msg.kind == "get_resp":
            if msg.src not in self.replies:
                self._take_reply(msg.src, msg.payload)
        elif msg.kind == "repair_ack":
            self._repairs_awaited.discard(msg.src)
            if not self.replied and not self._repairs_awaited and len(self.replies) >= self.quorum:
                self._respond()
            elif self.replied and self._all_in():
                self._retire()

    def _take_reply(self, name: str, record: Record | None) -> None:
        before = self.merged
        if record is None or before is record:
            pass    # a replica that holds nothing, or the very record we have, adds nothing
        elif before is None:
            self.merged = record    # what reconciling it with nothing gives
        elif not any(record is r for r in self.replies.values()):
            self.merged = reconcile((*self.replies.values(), record), self.host.versioning)
        self.replies[name] = record
        self._known[name] = record
        mode = self.host.read_repair
        if not self.replied:
            if len(self.replies) < self.quorum:
                return
            if mode == "blocking":
                self._repair(wait=True)
                if not self._repairs_awaited:
                    self._respond()
            else:
                self._respond()
                if mode == "async":
                    self._repair(wait=False)
        elif mode:
            # A straggler: it may be stale, or it may make the others stale.
            # If it did not change the merged record, only it needs checking.
            self._repair(wait=False, only=name if self.merged is self._checked else None)
        if self.replied and self._all_in():
            self._retire()

    def _repair(self, wait: bool, only: str | None = None) -> None:
        """Send the reconciled record to each replier that lacks part of it
        (to replier ``only``, when the others were checked against it already)."""
        merged = self.merged
        if merged is None:
            return
        if only is None:
            self._checked = merged
            repliers = list(self._known.items())
        else:
            repliers = [(only, self._known[only])]
        covers = self.host.versioning.covers
        send = self.host.network.send
        # A fallback only stands in for a home replica: written to as a
        # replica, it would keep a stray copy that no range's anti-entropy asks.
        fallbacks = [name for name, owner in self.targets if owner is not None]
        for name, known in repliers:
            if name in fallbacks or covers(known, merged):
                continue
            self._known[name] = merged
            if name == self.node.name:
                self.node.apply(self.key, merged)
                continue
            send(self.node.name, name, "repair", self.key, self.op_id, WritePayload(merged))
            if wait:
                self._repairs_awaited.add(name)

    def _respond(self) -> None:
        self._complete("ok", None)
        self._answered()

    def _all_in(self) -> bool:
        return len(self.replies) == len(self.targets) and not self._repairs_awaited

    def _silent(self) -> list[str]:
        return [name for name, _ in self.targets
                if name not in self.replies or name in self._repairs_awaited]

    def _progress(self) -> str:
        got = ", ".join(self.replies) or "none"
        if len(self.replies) >= self.quorum:
            return f"{len(self.replies)} replies but repairs unacknowledged by " \
                   f"{', '.join(sorted(self._repairs_awaited))}"
        return f"{len(self.replies)} of {self.quorum} replies ({got})"

    def _complete(self, status: str, error: str | None) -> None:
        ok = status == "ok"
        merged = self.merged if ok else None
        siblings = () if merged is None else merged.siblings
        context = None
        if ok:
            context = Context(self.key, EMPTY_CLOCK if merged is None else merged.clock,
                              frozenset([s.event for s in siblings]), self.host.context_origin)
        result = ReadResult(ok=ok, status=status, key=self.key, coordinator=self.node.name,
                            siblings=siblings, context=context, latency_ms=self.latency_ms,
                            replies=dict(self.replies), error=error, op_id=self.op_id)
        value = result.values if ok else None
        self.pending._finish(result, status, value, error)

    def _complete_unanswered(self, status: str, error: str) -> None:
        self._complete(status, error)


class Coordinator:
    """What a node's coordinator answers: the interface a cluster calls.

    A cluster builds one per node, as ``coordinator_class(node, host)``.
    Subclass :class:`QuorumCoordinator` to change one rule of Dynamo's
    coordinator, or this class to write one from scratch.
    """

    def __init__(self, node: "Node", host: "Host"):
        self.node = node
        self.host = host

    def select_targets(self, key: str) -> list[tuple[str, str | None]]:
        """The (node, hint_for) pairs an operation on ``key`` goes to, in preference order."""
        raise NotImplementedError

    def put(self, pending: "PendingOperation", key: str, value: Any, context: Context | None,
            quorum: int, tombstone: bool = False, any_level: bool = False) -> None:
        """Start writing ``value`` (or, with ``tombstone``, deleting ``key``) for a client.

        Succeed once ``quorum`` targets have acknowledged (``any_level``: a
        hint kept by the coordinator may do), and complete ``pending``.
        """
        raise NotImplementedError

    def get(self, pending: "PendingOperation", key: str, quorum: int) -> None:
        """Start reading ``key`` for a client; answer once ``quorum`` targets replied."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self.node.name}>"


class QuorumCoordinator(Coordinator):
    """Dynamo's coordinator (§4.5): N targets, W acknowledgements, R replies, repair.

    Targets are the key's home replicas the node sees as healthy and, under
    a sloppy quorum, fallbacks for the others (:func:`select_targets`). Each
    put runs a :attr:`put_operation` and each get a :attr:`get_operation`;
    swap either in a subclass to change one rule.
    """

    #: The state machine of one put or delete.
    put_operation: type[PutOperation] = PutOperation
    #: The state machine of one get.
    get_operation: type[GetOperation] = GetOperation

    def select_targets(self, key: str) -> list[tuple[str, str | None]]:
        return select_targets(self.host, self.node.ring, key, self.node.name)

    def put(self, pending, key, value, context, quorum, tombstone=False, any_level=False):
        self.put_operation(self, pending, key, quorum, value, context, tombstone,
                           any_level=any_level).start()

    def get(self, pending, key, quorum):
        self.get_operation(self, pending, key, quorum).start()
