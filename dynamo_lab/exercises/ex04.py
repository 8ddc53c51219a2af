"""Exercises for lesson 04: writing while a node is down.

>>> q1, q2, q3, q4, q5, q6 = questions()
>>> q1.check(_newest)
Correct! (10 cases passed)
>>> q4.check({"read_repair": "blocking", "r": 2}).correct
True

The expected answers of q2, q5 and q6 come from the simulator:

>>> q2.answer, q5.answer, q6.answer
((1, 2), 18, (2, 5))
"""

from __future__ import annotations

from collections import Counter

from ..experiments.read_repair import NEW, stale_keys_after_reads, two_reads
from .answer_forms import Dict, OneOf, Tuple, WholeNumber
from .questions import ChoiceQuestion, ConfigQuestion, FunctionQuestion, ValueQuestion

__all__ = ["questions", "judge_monotonic_config", "failed_write_copies", "SEARCH_SEEDS",
           "MONOTONIC_FORM"]

#: Random schedules :func:`judge_monotonic_config` searches for a violation.
SEARCH_SEEDS = range(400)

#: The form of question 4's answer.
MONOTONIC_FORM = Dict({"read_repair": OneOf(["async", "blocking", False]),
                       "r": WholeNumber(1, 3)},
                      description="a dict {'read_repair': MODE, 'r': R}, with MODE 'async', "
                                  "'blocking' or False and R a whole number from 1 to 3",
                      example="{'read_repair': False, 'r': 3}")


# -- q1: the newest of the replies ------------------------------------------------------

def _descends(a: dict, b: dict) -> bool:
    return all(a.get(node, 0) >= counter for node, counter in b.items())


def _newest(replies):
    kept = []
    for value, clock in replies:
        superseded = any(_descends(other, clock) and other != clock for _, other in replies)
        if not superseded and value not in kept:
            kept.append(value)
    return sorted(kept)


def _majority(replies):
    # Misconception: the value most replicas agree on is the right one.
    return [Counter(value for value, _ in replies).most_common(1)[0][0]]


def _largest_total(replies):
    # Misconception: the clock with the largest sum of counters is the newest.
    return [max(replies, key=lambda reply: sum(reply[1].values()))[0]]


def _keep_everything(replies):
    # Misconception: return every distinct value, as siblings.
    return sorted({value for value, _ in replies})


def _drops_equal_clocks(replies):
    # Misconception: drop a reply when any *other* reply's clock descends from it,
    # so two replicas holding the same version knock each other out.
    kept = []
    for i, (value, clock) in enumerate(replies):
        if any(_descends(other, clock) for j, (_, other) in enumerate(replies) if j != i):
            continue
        if value not in kept:
            kept.append(value)
    return sorted(kept)


_CASES = [
    ([("v1", {"A": 1}), ("v2", {"A": 2})],),
    ([("v2", {"A": 2}), ("v1", {"A": 1}), ("v1", {"A": 1})],),
    ([("v1", {"A": 1})],),
    ([("v2", {"A": 2}), ("v2", {"A": 2})],),
    ([("x", {"A": 2}), ("y", {"A": 1, "B": 1})],),
    ([("v3", {"A": 2, "B": 1}), ("v2", {"A": 2}), ("v1", {"A": 1})],),
    ([("x", {"A": 1, "B": 2}), ("y", {"A": 2, "B": 1}), ("old", {"A": 1, "B": 1})],),
    ([("v1", {"A": 1}), ("v2", {"A": 1, "B": 1})],),
    ([("big", {"A": 5}), ("small", {"B": 1})],),
    ([("v1", {"A": 1}), ("v1", {"A": 1}), ("v2", {"A": 2}), ("v2", {"A": 2})],),
]


def _held_out_replies(rng) -> list[tuple]:
    """16 sets of 1 to 6 replies drawn from a version history with chains, forks and merges."""
    cases = []
    for number in range(16):
        nodes = rng.sample("ABCDE", rng.randint(1, 4))
        clocks = [{rng.choice(nodes): rng.randint(1, 3)}]      # the first version
        for _ in range(rng.randint(1, 5)):
            clock = dict(rng.choice(clocks))
            if len(clocks) > 1 and rng.random() < 0.3:          # a merge of two versions
                other = rng.choice(clocks)
                clock = {n: max(clock.get(n, 0), other.get(n, 0))
                         for n in sorted(set(clock) | set(other))}
            node = rng.choice(nodes)
            clock[node] = clock.get(node, 0) + rng.randint(1, 4)
            if clock not in clocks:                             # one value per clock
                clocks.append(clock)
        names = rng.sample(["cart", "blue", "old", "new", "x", "y", "z", "w2", "w3", "draft"],
                           len(clocks))
        versions = list(zip(names, clocks))
        if number % 4 == 0:                 # stale replicas outnumber the newest one
            newest = versions[-1]
            older = [v for v in versions[:-1] if _descends(newest[1], v[1])] or versions[:1]
            picked = [newest] + [rng.choice(older) for _ in range(rng.randint(2, 4))]
        elif number % 4 == 1:               # every reply the same version
            picked = [rng.choice(versions)] * rng.randint(1, 4)
        else:
            picked = [rng.choice(versions) for _ in range(rng.randint(1, 6))]
        rng.shuffle(picked)
        cases.append(([(value, dict(clock)) for value, clock in picked],))
    return cases


# -- q4: a configuration that keeps reads monotonic ---------------------------------------

def judge_monotonic_config(config) -> tuple[bool, str]:
    """Judge a ``{"read_repair": ..., "r": ...}`` choice for N = 3, W = 2 on the simulator.

    Three tests, in order: a read at that R must succeed with one home
    replica down (strict quorum); in :func:`~dynamo_lab.experiments.read_repair.two_reads`
    (the newest version on one replica, one client reading twice through
    two coordinators) the second read must not return an older version
    than the first; and :func:`~dynamo_lab.checks.find_anomaly` must find
    no read going back in time (what ``find_anomaly`` calls ``monotonic_read``, across
    clients) in :data:`SEARCH_SEEDS` random schedules.
    """
    import dynamo_lab as dl
    from dynamo_lab.checks import find_anomaly

    if not MONOTONIC_FORM.accepts(config):
        return False, MONOTONIC_FORM.message()
    mode, r = config["read_repair"], int(config["r"])
    mode = mode if isinstance(mode, str) else False   # a numpy False counts as False

    cluster = dl.Cluster(nodes=5, n=3, r=r, w=2, seed=0, sloppy_quorum=False,
                         failure_detector="oracle", read_repair=mode)
    cluster.put("k", "v", w=3)
    cluster.run_until_idle()
    down = cluster.ring.home_replicas("k")[0]
    cluster.crash(down)
    if not cluster.get("k").ok:
        return False, (f"with {down} down the read failed: R = {r} needs {r} replies, but only "
                       f"{3 - 1} of the N = 3 replicas are up. Reads would stay monotonic, "
                       "but they would not survive one node down.")

    trial = two_reads(mode, r)
    if trial.went_back:
        first, second = trial.first, trial.second
        story = (f"Bob's first read used {', '.join(first.replies)} and returned "
                 f"{first.values}; his second used {', '.join(second.replies)} and returned "
                 f"{second.values}: it went back in time. ")
        if mode is False:
            why = ("Without read repair nothing fixed the replica the first read found stale, "
                   "so the next read could ask it.")
        elif mode == "async":
            why = ("The first read answered before its repair reached the stale replica, and "
                   "the second read asked that replica before the repair arrived.")
        else:
            why = (f"Blocking repair fixes only the replicas the read used. With R = {r} the "
                   "second read can ask only replicas the first one never touched: two read "
                   "quorums must overlap for the repair to protect the next read.")
        return False, story + why

    found = find_anomaly("monotonic_read", nodes=3, n=3, r=r, w=2, read_repair=mode,
                         seeds=SEARCH_SEEDS, time_budget_s=120.0)
    if found.found:
        return False, f"the search found a violation: {found.explanation}."
    return True, (f"reads at R = {r} survive one replica down, Bob's second read kept "
                  f"{NEW!r}, and {found.runs} random schedules showed no read going back "
                  "in time.")


# -- q6: a failed write is not rolled back -----------------------------------------------

def failed_write_copies(*, seed: int = 0) -> tuple[int, int]:
    """Where a failed write ends up: home replicas holding it after the put, and after a read.

    N = 5, R = W = 3, strict quorum, the default failure detector (a node is
    suspected only once it has missed replies) and async read repair. Every
    home replica of ``profile:bob`` holds ``"v1"``. The last three home
    replicas crash; a put of ``"v2"`` through the first one reaches only the
    first two and times out short of W. The three recover, and one read
    goes through the last home replica.

    Returns
    -------
    (int, int)
        Home replicas holding ``"v2"`` once the put's messages have landed,
        and once the read's messages (its repairs included) have landed.

    Examples
    --------
    >>> failed_write_copies()
    (2, 5)
    """
    import dynamo_lab as dl

    cluster = dl.Cluster(nodes=6, n=5, r=3, w=3, seed=seed, sloppy_quorum=False)
    key = "profile:bob"
    home = cluster.ring.home_replicas(key)
    first = cluster.put(key, "v1", w=5)
    cluster.run_until_idle()
    for node in home[2:]:
        cluster.crash(node)
    failed = cluster.put(key, "v2", context=first.context, coordinator=home[0])
    cluster.run_until_idle()
    if failed.ok:    # the scenario is about a put that did not reach W
        raise RuntimeError(f"the put was meant to fail but returned {failed}")

    def copies():
        replicas = cluster.replicas(key)
        return sum("v2" in replicas.values_at(node) for node in home)

    after_put = copies()
    for node in home[2:]:
        cluster.recover(node)
    cluster.get(key, coordinator=home[-1])
    cluster.run_until_idle()
    return after_put, copies()


def questions():
    """The questions of exercise notebook 04, in order."""
    q1 = FunctionQuestion(
        "ex04.q1",
        "Write a function newest(replies). Each reply is a (value, clock) pair, the clock a dict "
        "node -> counter. Return, sorted and without repeats, the values of the replies "
        "that no other reply supersedes (a reply is superseded when another reply's clock "
        "descends from its clock and differs from it).",
        reference=_newest,
        name="newest",
        cases=_CASES,
        misconceptions=[
            (_majority,
             "you returned the value most replies agree on. Stale replicas can outnumber "
             "fresh ones (two replicas missed the write, one has it): compare the clocks, "
             "not the head count."),
            (_largest_total,
             "a larger sum of counters does not make a version newer. When each clock has "
             "a counter the other lacks, neither write saw the other: both values must be "
             "kept, as siblings."),
            (_keep_everything,
             "you kept every value. A reply whose clock another reply's clock descends "
             "from is an older version that the newer one replaced: drop it."),
            (_drops_equal_clocks,
             "two replicas holding the same version knocked each other out. A clock "
             "descends from an equal clock, so drop a reply only when another clock "
             "descends from it *and differs* from it."),
        ],
        describe=lambda case: repr(case[0]),
        held_out=_held_out_replies,
        hints=["Clock a descends from clock b when a[node] >= b[node] for every node in b "
               "(a missing node counts as 0).",
               "For each reply, look for another reply whose clock descends from this one "
               "and is not equal to it. Keep the reply only if there is none."],
        solution_text=(
            "def newest(replies):\n"
            "    def descends(a, b):\n"
            "        return all(a.get(n, 0) >= c for n, c in b.items())\n"
            "    kept = {value for value, clock in replies\n"
            "            if not any(descends(other, clock) and other != clock\n"
            "                       for _, other in replies)}\n"
            "    return sorted(kept)"))

    at_return = {mode: len(two_reads(mode).holders_at_first_return)
                 for mode in ("async", "blocking")}
    answer = (at_return["async"], at_return["blocking"])
    q2 = ValueQuestion(
        "ex04.q2",
        "N = 3, R = 2. The newest version v2 sits on one home replica; the other two still "
        "hold v1. Bob's read goes through a coordinator that hears first from the replica "
        "with v2 and one stale replica; the third replica's reply arrives long after. How "
        "many of the three home replicas hold v2 at the moment the read returns, with "
        "read_repair='async' and with read_repair='blocking'? Answer with a pair "
        "(async, blocking) of whole numbers from 0 to 3.",
        answer=answer,
        form=Tuple([WholeNumber(0, 3), WholeNumber(0, 3)],
                   description="a pair (async, blocking) of whole numbers from 0 to 3",
                   example="(0, 3)"),
        wrong={(1, 3): "blocking repair waits only for the replicas whose replies the read "
                       "used. The third reply arrives later; that replica is repaired in "
                       "the background, after the read has returned.",
               (2, 2): "with async repair the coordinator answers first and sends the repair "
                       "afterwards, so at that moment the stale replica still holds v1.",
               (1, 1): "blocking repair sends v2 to the stale replica it heard from and waits "
                       "for the acknowledgement before answering.",
               (3, 3): "no read repair reaches every replica before the read returns: async "
                       "repairs after answering, and blocking waits only for the replicas "
                       "the read used."},
        hints=["Which replicas did the read use? Which of them was stale?",
               "Async: answer, then repair. Blocking: repair the replicas the read used, "
               "wait for their acknowledgements, then answer. Late replies are repaired in "
               "the background either way."],
        solution_text=f"{answer}: async answers before its repair lands (only the replica "
                      "that had v2 holds it); blocking first repairs the stale replica it "
                      "heard from, but not the third, whose reply had not arrived.")

    q3 = ChoiceQuestion(
        "ex04.q3",
        "A user reports: 'I posted and saw my post. I refreshed and it had vanished. I "
        "refreshed again and it was back.' Which two guarantees were violated, and what "
        "fixes it? Answer with one letter from 'a' to 'd'.",
        options=[
            "Linearizability and durability; raise W to N so that every write reaches every "
            "replica.",
            "Read-your-writes and monotonic reads; read from replicas that have the user's "
            "writes.",
            "Read-your-writes and consistent prefix; keep all of a user's posts in one "
            "partition.",
            "Monotonic reads only; run anti-entropy more often so the replicas catch up sooner.",
        ],
        answer="b",
        explanations={
            "a": "nothing was lost: the post came back, so durability held. W = N would also "
                 "make every write fail while a single replica is down.",
            "c": "consistent prefix is about seeing an answer before its question, across "
                 "partitions. Here one key's reads went backwards in time.",
            "d": "two guarantees broke. The first refresh missed the user's own write "
                 "(read-your-writes), and it showed an older state than the page before it "
                 "(monotonic reads). Anti-entropy runs in the background; it does not bound "
                 "what the next read sees.",
        },
        hints=["The first refresh came after the user's own write, and after a page that "
               "already showed the post.",
               "One guarantee is about seeing your own writes; the other is about never "
               "seeing time go backwards between successive reads."],
        solution_text="(b) Read-your-writes and monotonic reads. Route each user's reads to "
                      "replicas (or a coordinator) that have caught up with that user's "
                      "writes: sticky sessions, or quorum reads with blocking read repair.")

    scenario = {"read_repair": "async", "r": 2}
    q4 = ConfigQuestion(
        "ex04.q4",
        "N = 3, W = 2. Choose read_repair ('async', 'blocking' or False) and R so that a "
        "client's reads never go back in time, and reads still succeed with one replica "
        "down. The checker crashes a replica, replays Bob's two reads from the lesson with "
        "your settings, and searches random schedules for a read that goes back in time. "
        f"Answer with {MONOTONIC_FORM.description}.",
        evaluate=judge_monotonic_config,
        form=MONOTONIC_FORM,
        reference={"read_repair": "blocking", "r": 2},
        wrong=[(scenario, "before its repair reached"),
               ({"read_repair": False, "r": 2}, "Without read repair"),
               ({"read_repair": "blocking", "r": 1}, "two read quorums must overlap"),
               ({"read_repair": "async", "r": 3}, "the read failed")],
        hints=["One replica down leaves two: R can be at most 2.",
               "Blocking repair protects the next read only if that read asks at least one "
               "replica the first read repaired. When do two sets of R replicas out of 3 "
               "have to share one?"],
        solution_text="{'read_repair': 'blocking', 'r': 2}: a read returns only once the "
                      "replicas it used hold what it returned, and any two sets of 2 "
                      "replicas out of 3 share one, so the next read meets a repaired "
                      "replica. R = 2 still works with one replica down.")

    stale = stale_keys_after_reads(keys=30, read=12)
    left = len(stale.stale_after_reads)
    missed_late = len(stale.keys) - len(stale.in_quorum)
    q5 = ValueQuestion(
        "ex04.q5",
        "Node C is down while 30 keys it replicates are updated (N = 3, R = W = 2, strict "
        "quorum, read_repair='async'). C recovers, and the application then reads 12 of "
        "those keys once each. Once every message has landed, on how many of the 30 keys "
        "does C still hold the old version? Answer with a whole number from 0 to 30.",
        answer=left,
        form=WholeNumber(0, 30, example="15"),
        wrong={missed_late: "a read repairs a replica even when that replica's reply came too "
                            "late to count toward R: the coordinator still compares it and "
                            "sends the newer version.",
               30: "reads do repair: every key that was read got its new version onto C.",
               0: "read repair fixes only the keys that get read. Nothing touches the other "
                  "keys until anti-entropy (lesson 06) or a later read.",
               12: "that is the number of keys that were read, and so repaired. The question "
                   "asks how many are still stale."},
        hints=["Which keys does a read repair? Only the key it reads.",
               "Every read asks all three replicas, and every reply that arrives is "
               "compared, even after the read has answered."],
        solution_text=f"{left}: the {len(stale.read)} keys that were read were all repaired "
                      f"(late replies included); the other {left} stay stale until "
                      "anti-entropy runs.")

    copies = failed_write_copies()
    wrong = {(0, 0): "a failed write leaves a trace. A coordinator refuses a put up front "
                     "only when it already knows that fewer than W replicas are up, as the "
                     "perfect detector failure_detector='oracle' would. The default detector "
                     "suspects a node only once it has missed replies, so here the coordinator "
                     "sends v2 to all five, and the replicas that are up store it. Nothing "
                     "rolls a write back when the put gives up.",
             (2, 2): "the read returns v2, because its clock descends from v1's, and read "
                     "repair then sends it to every replica that answered with v1. A write that "
                     "failed spreads like any other.",
             (2, 3): "read repair does not stop at the R replies the read waited for: the "
                     "replies that arrive later are compared and repaired too.",
             (3, 5): "the put failed because it got fewer than W = 3 acknowledgements: only "
                     "the home replicas that were up stored v2.",
             (2, 4): "read repair leaves no home replica out: the read asks all five, and "
                     "each one that answers with v1, late or not, is sent v2. That includes "
                     "the read's own coordinator when it is one of the home replicas."}
    q6 = ValueQuestion(
        "ex04.q6",
        "N = 5, R = W = 3, strict quorum, the default failure detector and "
        "read_repair='async'. Every home replica of a key holds v1. Three of the five home "
        "replicas are down when a client writes v2 through one of the other two, and the put "
        "times out without W acknowledgements. The three recover, and one read of the key "
        "runs. How many of the five home replicas hold v2 once the put's messages have "
        "landed, and how many once the read's messages have landed? Answer with a pair "
        "(after the put, after the read) of whole numbers from 0 to 5.",
        answer=copies,
        form=Tuple([WholeNumber(0, 5), WholeNumber(0, 5)],
                   description="a pair (after the put, after the read) of whole numbers "
                               "from 0 to 5",
                   example="(1, 1)"),
        wrong={pair: message for pair, message in wrong.items() if pair != copies},
        hints=["Which home replicas received the put before it timed out? Does anything "
               "remove v2 from them when the client is told the put failed?",
               "The read compares the clocks of all the replies it gets, late ones included, "
               "and sends the newest version to each replica that answered with an older one."],
        solution_text=f"{copies}: the {copies[0]} home replicas that were up stored v2 and "
                      "kept it although the put failed; the read found v2 the newest version "
                      f"among the replies, and read repair copied it to the others, {copies[1]} "
                      "in all.")
    return q1, q2, q3, q4, q5, q6
