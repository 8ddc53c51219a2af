"""Exercises for lesson 01: replication topologies.

>>> q1, q2, q3, q4, q5, q6, q7 = questions()
>>> q1.check("c")
Correct!
>>> q2.check(_write_downtime)
Correct! (10 cases passed)

The reference for q2 measures a run exactly as the simulator's report does:

>>> from dynamo_lab.topologies import SingleLeader, failover_experiment
>>> report = failover_experiment(lambda seed: SingleLeader(replication="sync", seed=seed),
...                              seed=0)
>>> _write_downtime([(w.invoked_ms, w.status == "ok") for w in report.writes])
1000.0
>>> report.write_downtime_ms
1000.0

Question 7's answer comes from the simulator. Reads and writes that reach
every replica (R = W = N = 3) change nothing in the race:

>>> username_race("lww", r=3, w=3)
(2, ['bob'])
>>> username_race("lww", r=2, w=2)
(2, ['bob'])
"""

from __future__ import annotations

from .answer_forms import AnyOf, Collection, Number, Text, Tuple, WholeNumber
from .questions import (ChoiceQuestion, ConfigQuestion, FunctionQuestion, ThoughtQuestion,
                        ValueQuestion)

__all__ = ["questions", "judge_failover_timeout", "lww_survivor_with_skew", "username_race",
           "TIMEOUT_TARGETS", "TIMEOUT_FORM"]

#: The targets of question 3 and the conditions they are measured under.
TIMEOUT_TARGETS = {
    "heartbeat_interval_ms": 50.0,
    "loss": 0.25,                  # share of messages lost on the quiet run
    "quiet_run_ms": 20_000.0,      # no crash: any promotion is a false alarm
    "max_write_downtime_ms": 300.0,
    "seed": 0,
}

#: The form of question 3's answer: a time-out in milliseconds.
TIMEOUT_FORM = Number(noun="a number of milliseconds", example="1000")


def _write_downtime(writes) -> float:
    """The longest run of consecutive failed writes, first start to last start (ms)."""
    best, first = 0.0, None
    for time, ok in writes:
        if ok:
            first = None
            continue
        if first is None:
            first = time
        best = max(best, time - first)
    return float(best)


def _total_failed_time(writes) -> float:
    # Misconception: every failed stretch added up, not the longest one.
    total, first, last = 0.0, None, None
    for time, ok in writes:
        if ok:
            if first is not None:
                total += last - first
            first = None
            continue
        if first is None:
            first = time
        last = time
    if first is not None:
        total += last - first
    return float(total)


def _until_next_success(writes) -> float:
    # Misconception: the stretch runs to the start of the next write that
    # succeeded (the last failed write if none did).
    best, first = 0.0, None
    for time, ok in writes:
        if ok:
            if first is not None:
                best = max(best, time - first)
            first = None
            continue
        if first is None:
            first = time
        best = max(best, time - first)
    return float(best)


def _longest_run_count(writes) -> float:
    # Misconception: how many writes failed in a row, not how long that took.
    best, run = 0, 0
    for _, ok in writes:
        run = 0 if ok else run + 1
        best = max(best, run)
    return float(best)


def _held_out_write_logs(rng):
    """Write logs of 16 shapes: failure runs at the start, middle and end, uneven gaps."""
    def log(runs):
        # runs: (ok, how many writes) in order; gaps between starts are drawn.
        time, writes = rng.randint(0, 400), []
        for ok, count in runs:
            for _ in range(count):
                writes.append((time, ok))
                time += rng.choice([rng.randint(1, 9), rng.randint(10, 120),
                                    rng.randint(150, 900)])
        return writes

    def n(low, high):
        return rng.randint(low, high)

    shapes = [
        [(True, n(1, 8))],                                          # no failure
        [(False, n(5, 12))],                                        # nothing but failures
        [(False, 1)],                                               # one lone failure
        [(True, n(1, 4)), (False, 1), (True, n(1, 4))],             # a lone failure inside
        [(False, n(2, 6)), (True, n(1, 3))],                        # a run at the start
        [(True, n(1, 3)), (False, n(2, 7))],                        # a run at the end
        [(True, 1), (False, n(2, 5)), (True, 1), (False, n(2, 5)), (True, 1)],
        [(False, 1), (True, 1), (False, 1), (True, 1), (False, 1)],  # only lone failures
    ]
    cases = [(log(runs),) for runs in shapes]
    # Many quick failures against a few slow ones: the count and the time disagree.
    first = n(0, 60)
    quick = [(t, False) for t in range(first, first + n(4, 9) * 3, 3)]
    start = quick[-1][0] + n(50, 200)
    slow = [(start + i * n(100, 300), False) for i in range(n(2, 3))]
    cases.append((quick + [(quick[-1][0] + 1, True)] + slow + [(slow[-1][0] + 7, True)],))
    while len(cases) < 16:                                          # free-form logs
        p_fail = rng.choice([0.2, 0.5, 0.8])
        cases.append((log([(rng.random() >= p_fail, 1) for _ in range(n(3, 25))]),))
    return cases


def judge_failover_timeout(timeout_ms) -> tuple[bool, str]:
    """Judge a failover time-out for a single leader by running the simulator.

    Two runs of a three-node semi-synchronous :class:`SingleLeader` with the
    heartbeat interval of :data:`TIMEOUT_TARGETS`: a quiet run on a lossy
    network, in which no follower may be promoted (a healthy leader was
    deposed: a false alarm), and :func:`failover_experiment` with a real
    crash, whose write downtime must stay under the target.

    Examples
    --------
    >>> judge_failover_timeout(1000)[0]
    False
    >>> judge_failover_timeout(250)
    (True, '...')
    >>> judge_failover_timeout("250 ms")
    (False, 'Answer with a number of milliseconds, for example 1000.')
    """
    from ..topologies import SingleLeader, failover_experiment

    t = TIMEOUT_TARGETS
    if not TIMEOUT_FORM.accepts(timeout_ms):
        return False, TIMEOUT_FORM.message()
    timeout_ms = float(timeout_ms)
    heartbeat = t["heartbeat_interval_ms"]
    if not timeout_ms > heartbeat:
        return False, (f"{timeout_ms:g} ms is not longer than the heartbeat interval "
                       f"({heartbeat:g} ms): followers would suspect a healthy leader between "
                       "two heartbeats, so SingleLeader refuses it.")

    def build(seed, loss=0.0):
        return SingleLeader(3, "semi_sync", seed, heartbeat_interval_ms=heartbeat,
                            failover_timeout_ms=timeout_ms, loss=loss)

    quiet = build(t["seed"], t["loss"])
    quiet.run_for(t["quiet_run_ms"])
    false_alarms = sum(e.kind == "promote" for e in quiet.events)
    if false_alarms:
        times = "once" if false_alarms == 1 else f"{false_alarms} times"
        return False, (f"with {timeout_ms:g} ms, a follower was promoted {times} in "
                       f"{t['quiet_run_ms'] / 1000:g} s although the leader never crashed: "
                       f"losing {t['loss']:.0%} of messages, a few heartbeats in a row go "
                       "missing now and then, and a time-out that short takes that for a "
                       "dead leader (flapping).")
    report = failover_experiment(build, seed=t["seed"])
    downtime = report.write_downtime_ms
    if downtime >= t["max_write_downtime_ms"]:
        return False, (f"no false alarms, but when the leader really crashed, writes failed for "
                       f"{downtime:g} ms, not under {t['max_write_downtime_ms']:g} ms: "
                       "detection alone waits the whole time-out.")
    return True, (f"no false alarm in {t['quiet_run_ms'] / 1000:g} s at {t['loss']:.0%} loss, "
                  f"and a real crash cost {downtime:g} ms of write downtime (measured).")


def lww_survivor_with_skew(skew_ms: float = -50.0, gap_ms: float = 10.0, seed: int = 0):
    """What ``cart`` holds after the skewed last-write-wins race of question 4.

    Two leaders with ``conflict="lww"``; B's clock is off by ``skew_ms``.
    Alice writes ``"book"`` through A at t = 0 and Bob writes ``"pen"``
    through B ``gap_ms`` later, before A's write has been shipped. Returns
    the values both leaders hold once they have exchanged their writes.

    Examples
    --------
    >>> lww_survivor_with_skew(skew_ms=0.0)
    ['pen']
    """
    from ..topologies import MultiLeader

    ml = MultiLeader(leaders=2, conflict="lww", seed=seed)
    ml.skew_clock("B", skew_ms)
    ml.client("alice").start_put("cart", "book", coordinator="A")
    ml.run_for(gap_ms)
    ml.client("bob").start_put("cart", "pen", coordinator="B")
    ml.run_until_idle()
    held = {node: ml.get("cart", coordinator=node).values for node in ml.nodes}
    first = held[ml.nodes[0]]
    if any(values != first for values in held.values()):  # pragma: no cover - a model bug
        raise AssertionError(f"the leaders did not converge: {held}")
    return first


def username_race(versioning: str = "lww", r: int = 3, w: int = 3, seed: int = 1):
    """Question 7's race: two clients check that a username is free, then both claim it.

    A leaderless cluster of 3 nodes with N = 3, the given ``r``, ``w`` and
    ``versioning``. Alice and Bob each read ``username:sam`` (nothing is
    there), then each writes their own name with the context of that read,
    at the same moment. Returns how many of the two claims were acknowledged
    and the values a read returns afterwards.

    Examples
    --------
    >>> username_race("vector_clock")
    (2, ['alice', 'bob'])
    """
    from ..cluster import Cluster

    cluster = Cluster(nodes=3, n=3, r=r, w=w, seed=seed, versioning=versioning)
    checked = {c: c.get("username:sam") for c in (cluster.client("alice"), cluster.client("bob"))}
    claims = [c.start_put("username:sam", c.name, context=seen.context)
              for c, seen in checked.items()]
    cluster.run_until_idle()
    return sum(claim.result.ok for claim in claims), cluster.get("username:sam").values


def questions():
    """The questions of exercise notebook 01, in order."""
    q1 = ChoiceQuestion(
        "ex01.q1",
        "A three-node single-leader system acknowledges a write, and the leader crashes a "
        "moment later. The followers promote the most up-to-date of them. In which "
        "replication mode can that acknowledged write be lost? Answer with one letter from "
        "'a' to 'd'.",
        options=["sync: the leader answers once every follower has the write",
                 "semi-sync: the leader answers once one follower has the write",
                 "async: the leader answers as soon as it has logged the write",
                 "none of them: once a client hears ok, the write is durable"],
        answer="c",
        explanations={
            "a": "in sync mode every follower already had the write when the client heard ok, "
                 "so whichever follower is promoted has it.",
            "b": "semi-sync waits until at least one follower has the write, and the promotion "
                 "picks the follower with the longest log, so the write survives. It can only be "
                 "lost if the leader and that follower fail together.",
            "d": "an async leader says ok before any follower has the write: for up to a ship "
                 "interval the write exists on the leader alone, and the new leader's log "
                 "overwrites it when the old leader rejoins.",
        },
        hints=["Ask, for each mode: at the moment the client hears ok, which nodes hold the "
               "write?",
               "Only one mode answers while the write is still on the leader alone."])
    q2 = FunctionQuestion(
        "ex01.q2",
        "Write a function write_downtime(writes). writes is a list of (invoked_ms, ok) pairs, "
        "in the order the writes started. Return the length in ms of the longest run of "
        "consecutive failed writes, from the start of its first write to the start of its last "
        "(a lone failure counts 0.0; no failure: 0.0).",
        reference=_write_downtime,
        name="write_downtime",
        cases=[
            ([],),
            ([(0, True), (10, True)],),
            ([(0, True), (10, False), (20, True)],),
            ([(0, True), (10, False), (20, False), (30, False), (40, True)],),
            ([(0, False), (10, False), (20, True), (30, False), (40, False), (50, False),
              (60, True)],),
            ([(0, True), (10, False), (20, False)],),
            ([(0, False), (5, False), (10, False), (15, False)],),
            ([(0, True), (3, False), (4, False), (20, False), (21, True)],),
            ([(0, False), (100, False), (110, True), (120, False), (130, False), (140, False),
              (150, True)],),
            ([(0, False), (10, True), (20, False), (30, True)],),
        ],
        misconceptions=[
            (_total_failed_time,
             "you added up every failed stretch. The downtime is the longest single stretch: "
             "two short outages are not one long one."),
            (_until_next_success,
             "you measured up to the next write that succeeded. By the definition here the "
             "stretch ends at the start of the last failed write, so a lone failure counts 0."),
            (_longest_run_count,
             "you returned how many writes failed in a row. The question asks how long that "
             "run lasted, in ms: writes need not be evenly spaced."),
        ],
        describe=lambda case: f"writes={case[0]!r}",
        held_out=_held_out_write_logs,
        hints=["Walk through the list once, remembering when the current run of failures "
               "started; a success ends the run.",
               "At each failure, the run so far lasts time - start_of_run. Keep the largest "
               "such value."],
        solution_text=("def write_downtime(writes):\n"
                       "    best, first = 0.0, None\n"
                       "    for time, ok in writes:\n"
                       "        if ok:\n"
                       "            first = None          # a success ends the run\n"
                       "            continue\n"
                       "        if first is None:\n"
                       "            first = time          # a new run of failures starts\n"
                       "        best = max(best, time - first)\n"
                       "    return float(best)"))
    t = TIMEOUT_TARGETS
    q3 = ConfigQuestion(
        "ex01.q3",
        f"A three-node semi-sync single leader sends a heartbeat every "
        f"{t['heartbeat_interval_ms']:g} ms. Choose failover_timeout_ms so that (1) in "
        f"{t['quiet_run_ms'] / 1000:g} s on a network that loses {t['loss']:.0%} of messages, "
        f"with no crash, no follower is ever promoted, and (2) when the leader really "
        f"crashes, writes fail for less than {t['max_write_downtime_ms']:g} ms. Answer with "
        f"{TIMEOUT_FORM.description}.",
        evaluate=judge_failover_timeout,
        form=TIMEOUT_FORM,
        reference=250,
        wrong=[(100, "was promoted"), (1000, "writes failed for"),
               (50, "not longer than the heartbeat interval")],
        hints=["Too short, and a few lost heartbeats look like a dead leader. Too long, and a "
               "real crash goes unnoticed for the whole time-out.",
               "The downtime is a little more than the time-out itself, so stay well under "
               f"{t['max_write_downtime_ms']:g} ms; try a few values between 100 and 300 and "
               "read the messages."],
        solution_text="250, or anything from 200 to about 285 with this seed. At 100 ms "
                      "the lossy network makes followers depose a healthy leader again and "
                      "again; at 1000 ms a real crash keeps writes failing for a second.")
    survivor = lww_survivor_with_skew()
    q4 = ValueQuestion(
        "ex01.q4",
        "Two leaders, A and B, resolve conflicts by last write wins, and B's wall clock runs "
        "50 ms slow. Alice writes cart = 'book' through A at t = 0 ms; Bob writes "
        "cart = 'pen' through B at t = 10 ms, before A's write has reached B. Both are told "
        "ok. Once the leaders have exchanged their writes, what does cart hold? Answer with "
        "the value as a string, or a tuple of strings if both are kept.",
        answer=survivor[0] if len(survivor) == 1 else tuple(survivor),
        form=AnyOf([Text(), Collection(Text(), kinds=(tuple,))],
                   description="the value as a string, or a tuple of strings if both are kept",
                   example="('book', 'pen')"),
        wrong={
            "pen": "Bob wrote later in real time, but last write wins compares the timestamps "
                   "the leaders stamped. B's clock is 50 ms slow, so Bob's write carries -40 ms "
                   "and loses to Alice's 0 ms.",
            ("book", "pen"): "keeping both values as siblings is the keep_both mode. Under last "
                             "write wins one acknowledged write silently disappears.",
            ("pen", "book"): "keeping both values as siblings is the keep_both mode. Under last "
                             "write wins one acknowledged write silently disappears.",
        },
        hints=["Last write wins keeps the write with the larger timestamp, and each leader "
               "stamps a write with its own clock.",
               "Alice's write is stamped 0 ms. What does B's clock read 10 ms later, if it runs "
               "50 ms slow?"],
        solution_text=(f"{survivor[0]!r}: Bob's write is stamped 10 - 50 = -40 ms, so Alice's "
                       "earlier write wins on both leaders and Bob's acknowledged write is gone. "
                       "Check with ex01.lww_survivor_with_skew()."))
    q5 = ThoughtQuestion(
        "ex01.q5",
        "When is multi-leader replication worth the cost of its conflicts, and when is a "
        "single leader per region, with each user's writes routed to their home region, the "
        "better choice? Answer with a sentence or two in a string (at least 5 words).",
        model_answer=(
            "Multi-leader pays off when writes must be accepted in several places at once and "
            "waiting for a distant leader is not acceptable: clients that work offline (a "
            "phone's calendar is its own leader), collaborative editing, or data centres that "
            "must each keep taking writes while cut off from the others. Then conflicts are the "
            "price of availability, and you need a merge you can live with (siblings, CRDTs, an "
            "application merge), not last write wins. When each user mostly writes from one "
            "region, route their writes to a leader in that region: the writes are as local, "
            "there are no conflicts to resolve, and a regional outage is handled by failover. "
            "That is simpler and loses nothing silently."),
        hints=["Who needs to write while cut off from everyone else?",
               "If a user's writes almost always come from one region, can all of them go to "
               "one leader without a long trip?"])
    q6 = ChoiceQuestion(
        "ex01.q6",
        "A network partition cuts an asynchronous leader off from its followers. The "
        "followers elect a new leader in epoch 5, while the old leader, still in epoch 4, "
        "keeps running and keeps acknowledging writes. Every message a leader sends carries "
        "its epoch. What does that epoch number (a fencing token) prevent? Answer with one "
        "letter from 'a' to 'd'.",
        options=["the followers waiting a whole failover time-out before they suspect the "
                 "old leader",
                 "the old leader's epoch-4 writes being stored by a node that has seen "
                 "epoch 5",
                 "the loss of the writes the old leader acknowledged on its own while it was "
                 "cut off",
                 "the two leaders' writes to the same key being kept side by side as siblings"],
        answer="b",
        explanations={
            "a": "detection still takes the whole time-out: a follower suspects the leader "
                 "after that much silence, whatever the epochs say. The epoch matters after "
                 "the election, when messages from both leaders are about.",
            "c": "the old leader said ok before any follower had those writes. When it "
                 "rejoins, the new leader's log replaces its own and they are discarded. "
                 "Only waiting for a majority before acknowledging keeps a cut-off leader "
                 "from promising writes it cannot keep.",
            "d": "keeping both writes as siblings is how multi-leader or leaderless systems "
                 "handle conflicts. Fencing does the opposite: nodes refuse the stale "
                 "leader's writes, so only one leader's writes count.",
        },
        hints=["A node that has seen epoch 5 receives a message stamped epoch 4. What can it "
               "conclude about the sender?",
               "Fencing acts on what nodes accept from now on. It cannot take back an ok "
               "that a client has already heard."],
        solution_text="b: a node that has seen epoch 5 rejects anything stamped with epoch 4, "
                      "and a leader that hears of a newer epoch steps down. It does not speed "
                      "up detection, and it cannot save writes the old leader acknowledged "
                      "alone: those are discarded when it rejoins.")
    race = username_race("lww", r=3, w=3)
    answer = (race[0], len(race[1]))
    wrong = {
        (1, 1): "R = W = 3 makes every read and every write wait for all three replicas, but "
                "that orders nothing. Both clients read before either claim existed, and each "
                "replica stores whatever claim reaches it without comparing it with the other "
                "one in flight. Stronger quorums decide which writes a read sees; they do not "
                "turn check-then-claim into one step, so neither claim is refused.",
        (1, 2): "no replica refuses a claim, so both reach all three replicas and both are "
                "acknowledged. (A write that fails is not rolled back either: its value stays "
                "where it was stored.) And last write wins returns one value, never two.",
        (2, 0): "the two claims do not cancel out: last write wins keeps the claim with the "
                "later timestamp on every replica, so a read returns that one value.",
        (2, 2): "two values are what vector clocks keep (siblings). Last write wins keeps "
                "the claim with the later timestamp and silently drops the other, although "
                "its client was told ok.",
        (0, 0): "a leaderless write is never refused for clashing with another write: each "
                "claim succeeds once all three replicas store it.",
    }
    q7 = ValueQuestion(
        "ex01.q7",
        "Lesson 01 raced two sign-ups with N = 3 and R = W = 2. Now take the strongest "
        "quorums there are: a leaderless cluster of 3 nodes with N = 3, R = W = 3 and last "
        "write wins (versioning='lww'), so every read and every write waits for all three "
        "replicas. Alice and Bob each read username:sam and find nothing there. Then, at the "
        "same moment, each writes their own name to username:sam with the context of their "
        "read, to claim the name. How many of the two claims are acknowledged, and how many "
        "values does a read of username:sam return afterwards? Answer with a pair (claims "
        "acknowledged, values read) of whole numbers from 0 to 2.",
        answer=answer,
        form=Tuple([WholeNumber(0, 2), WholeNumber(0, 2)],
                   description="a pair (claims acknowledged, values read) of whole numbers "
                               "from 0 to 2",
                   example="(0, 2)"),
        wrong={k: v for k, v in wrong.items() if k != answer},
        hints=["Waiting for all three replicas makes a read see every write acknowledged "
               "before it. Were the claims acknowledged before Alice and Bob read?",
               "Does any replica check whether another client is claiming the same key? If "
               "not, both claims are stored and acknowledged; then ask what last write wins "
               "does with two concurrent values."],
        solution_text=(f"{answer}, the same as with R = W = 2: both claims reach all three "
                       "replicas and are acknowledged, and last write wins then keeps only the "
                       "later one, so one client was told ok and lost the name. Quorum sizes "
                       "decide which acknowledged writes a read sees, not whether a write may "
                       "go ahead. A unique username, like a balance that must not go "
                       "negative, needs one place that orders conflicting writes and can "
                       "refuse one: a leader with consensus, or serializable transactions. "
                       "Check with ex01.username_race('lww', r=3, w=3)."))
    return q1, q2, q3, q4, q5, q6, q7
