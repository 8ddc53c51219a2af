"""Exercises for lesson 03: quorums.

>>> q1, q2, q3, q4, q5 = questions()
>>> q1.check(lambda n, r, w: r + w > n)
Correct! (12 cases passed)
>>> q2.check((3, 3))
Answer with a dict {'r': R, 'w': W} of whole numbers from 1 to 5, for example {'r': 1, 'w': 4}.

The levels of question 5 are found by trying all nine pairs on the simulator:

>>> best_levels()
[{'read': 'ONE', 'write': 'ALL'}]
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

from ..consistency import level_size
from ..pbs import p_stale
from .answer_forms import Dict, OneOf, Probability, WholeNumber
from .questions import ChoiceQuestion, ConfigQuestion, FunctionQuestion, ValueQuestion, drawn

__all__ = ["questions", "tolerates_one_down_with_overlap", "judge_levels", "best_levels",
           "read_p99_by_level", "RW_FORM", "LEVELS_FORM", "LEVEL_NAMES", "CATALOGUE"]

#: The form of question 2's answer.
RW_FORM = Dict({"r": WholeNumber(1, 5), "w": WholeNumber(1, 5)},
               description="a dict {'r': R, 'w': W} of whole numbers from 1 to 5",
               example="{'r': 1, 'w': 4}")

#: The consistency levels question 5 offers, and the form of its answer.
LEVEL_NAMES = ("ONE", "QUORUM", "ALL")
LEVELS_FORM = Dict({"read": OneOf(LEVEL_NAMES, ignore_case=True),
                    "write": OneOf(LEVEL_NAMES, ignore_case=True)},
                   description="a dict {'read': LEVEL, 'write': LEVEL}, each LEVEL 'ONE', "
                               "'QUORUM' or 'ALL'",
                   example="{'read': 'QUORUM', 'write': 'ONE'}")

#: Question 5's cluster and measurements: lesson 03's delays, trials and seed.
CATALOGUE = {"n": 3, "mean_ms": 1.0, "latency_trials": 2000, "stale_trials": 1000, "seed": 0}


def _must_overlap(n: int, r: int, w: int) -> bool:
    return r + w > n


def _held_out_quorum_sizes(rng) -> list[tuple[int, int, int]]:
    """18 (n, r, w), 1 <= r, w <= n: R + W = N, R + W = N + 1, R or W = N, majorities, any."""
    cases = []
    for number in range(18):
        n = rng.randint(4, 15)
        kind = number % 6
        if kind == 0:                       # R + W = N: no guaranteed overlap
            r = rng.randint(1, n - 1)
            w = n - r
        elif kind == 1:                     # R + W = N + 1: the smallest overlap
            r = rng.randint(1, n)
            w = n + 1 - r
        elif kind == 2:                     # read everything, write one
            r, w = n, 1
        elif kind == 3:                     # write everything, read one
            r, w = 1, n
        elif kind == 4:                     # both majorities, or both well under
            half = n // 2
            r, w = rng.choice([(half + 1, half + 1), (rng.randint(1, half), 1)])
        else:                               # anything
            r, w = rng.randint(1, n), rng.randint(1, n)
        cases.append((n, r, w))
    return cases


def _draw_missable_quorums(rng) -> dict:
    """A learner's N, R and W for q4: R + W <= N, so a read can miss; never a coin toss."""
    while True:
        n = rng.randint(3, 7)
        r = rng.randint(1, n - 1)
        w = rng.randint(1, n - r)
        if p_stale(n, r, w) != Fraction(1, 2):    # then the complement would be right too
            return {"n": n, "r": r, "w": w}


def _replicas(count: int) -> str:
    return "replica" if count == 1 else "replicas"


def tolerates_one_down_with_overlap(config, n: int = 5, seed: int = 3) -> tuple[bool, str]:
    """Judge an (R, W) choice for N = 5 by running the simulator.

    With every single node crashed in turn, under a strict quorum, a write
    and then a read of a key must both succeed; and R + W must exceed N so
    that no read can miss an acknowledged write.
    """
    import dynamo_lab as dl

    if not RW_FORM.accepts(config):
        return False, RW_FORM.message()
    r, w = int(config["r"]), int(config["w"])
    for down in range(n):
        cluster = dl.Cluster(nodes=n, n=n, r=r, w=w, seed=seed, sloppy_quorum=False)
        victim = cluster.nodes[down]
        cluster.crash(victim)
        coordinator = next(x for x in cluster.nodes if x != victim)
        wrote = cluster.put("post:1", "hello", coordinator=coordinator)
        read = cluster.get("post:1", coordinator=coordinator)
        if not wrote.ok:
            return False, (f"with {victim} down, the write failed: W={w} of N={n} needs all "
                           f"{w} replicas, but only {n - 1} are up.")
        if not read.ok:
            return False, (f"with {victim} down, the read failed: R={r} of N={n} needs {r} "
                           f"replies, but only {n - 1} replicas are up.")
    if p_stale(n, r, w) > 0:
        return False, (f"both survive one crash, but R + W = {r + w} is not more than N = {n}: a "
                       f"read can miss the latest write (probability {p_stale(n, r, w)} right "
                       "after it commits).")
    return True, f"both survive any one crash (checked on the simulator) and R + W = {r + w} > {n}."


def read_p99_by_level() -> dict[str, float]:
    """The 99th-percentile get latency at each level of :data:`LEVEL_NAMES`, in ms.

    Measured as lesson 03 does, with
    :func:`~dynamo_lab.experiments.quorums.quorum_latencies` on the cluster
    of :data:`CATALOGUE`: each get waits for the k-th fastest of N replies.

    >>> p99 = read_p99_by_level()
    >>> p99["ONE"] < p99["QUORUM"] < p99["ALL"]
    True
    """
    return dict(_read_p99())


@lru_cache(maxsize=1)
def _read_p99() -> tuple[tuple[str, float], ...]:
    from ..experiments.quorums import quorum_latencies

    c = CATALOGUE
    table = quorum_latencies(sizes=tuple(range(1, c["n"] + 1)), n=c["n"],
                             trials=c["latency_trials"], mean_ms=c["mean_ms"], seed=c["seed"])
    p99 = table[table.operation == "get"].set_index("k")["p99"]
    return tuple((level, float(p99.loc[level_size(level, c["n"])])) for level in LEVEL_NAMES)


@lru_cache(maxsize=None)
def _stale_reads(r: int, w: int) -> int:
    """How many of the write-then-read trials of :data:`CATALOGUE` read a stale value."""
    from ..experiments.quorums import stale_read_frequency

    c = CATALOGUE
    return stale_read_frequency(c["n"], r, w, trials=c["stale_trials"], seed=c["seed"],
                                mean_ms=c["mean_ms"]).stale


def _waits_for(k: int, n: int) -> str:
    """Which reply a request that waits for ``k`` of ``n`` stops at, in words."""
    if k == 1:
        return "the fastest reply"
    if k == n:
        return f"the slowest of {n} replies"
    ordinal = {2: "second", 3: "third", 4: "fourth"}.get(k, f"{k}th")
    return f"the {ordinal} fastest of {n} replies"


def judge_levels(config) -> tuple[bool, str]:
    """Judge question 5's read and write levels by running the simulator.

    Two targets, for N = 3 under a strict quorum with lesson 03's delays
    (:data:`CATALOGUE`). Fresh reads: in 1000 trials of a write followed at
    once by a read (:func:`~dynamo_lab.experiments.quorums.stale_read_frequency`),
    no read may miss the write. Fast reads: the read level's p99 latency
    (:func:`read_p99_by_level`) must be the lowest of the three levels.
    Writes have no target: the batch job that makes them retries.

    Examples
    --------
    >>> judge_levels({"read": "QUORUM", "write": "QUORUM"})
    (False, 'every read sees the write, but a read at QUORUM waits for the second fastest ...')
    """
    if not LEVELS_FORM.accepts(config):
        return False, LEVELS_FORM.message()
    n, trials = CATALOGUE["n"], CATALOGUE["stale_trials"]
    read, write = config["read"].strip().upper(), config["write"].strip().upper()
    r, w = level_size(read, n), level_size(write, n)
    stale = _stale_reads(r, w)
    if stale:
        return False, (f"{stale} of {trials} reads started right after a write missed it "
                       f"(measured). A read at {read} waits for {r} of {n} replies and a write "
                       f"at {write} for {w} acknowledgement(s): R + W = {r + w} is not more "
                       f"than N = {n}, so a read can ask only replicas the write has not "
                       "reached yet.")
    p99 = read_p99_by_level()
    fastest = min(p99, key=p99.get)
    if p99[read] > p99[fastest]:
        return False, (f"every read sees the write, but a read at {read} waits for "
                       f"{_waits_for(r, n)}: p99 {p99[read]:.2f} ms, against "
                       f"{p99[fastest]:.2f} ms at {fastest} (measured). The batch job can "
                       "retry, so let the writes do the waiting.")
    return True, (f"no read in {trials} missed a write, and a read at {read} waits only for "
                  f"{_waits_for(r, n)}: p99 {p99[read]:.2f} ms, the lowest of the three levels "
                  "(measured on the simulator).")


def best_levels() -> list[dict[str, str]]:
    """Every pair of levels that passes :func:`judge_levels`, found by trying all nine."""
    return [{"read": read, "write": write} for read in LEVEL_NAMES for write in LEVEL_NAMES
            if judge_levels({"read": read, "write": write})[0]]


def questions():
    """The questions of exercise notebook 03, in order."""
    q1 = FunctionQuestion(
        "ex03.q1",
        "Write a function must_overlap(n, r, w): True when every read quorum of R replicas is "
        "sure to share at least one replica with every write quorum of W replicas, out of N.",
        reference=_must_overlap,
        name="must_overlap",
        cases=[(1, 1, 1), (2, 1, 1), (2, 1, 2), (3, 1, 1), (3, 2, 1), (3, 2, 2), (3, 3, 1),
               (3, 1, 3), (5, 3, 3), (5, 2, 3), (5, 4, 2), (7, 3, 4)],
        misconceptions=[
            (lambda n, r, w: r + w >= n,
             "R + W = N gives no guaranteed overlap: the two sets can be disjoint "
             "(N=2, R=1, W=1: the read may ask the one replica the write skipped)."),
            (lambda n, r, w: r > n // 2 and w > n // 2,
             "both need not be majorities: R = N with W = 1 overlaps too, since the read asks "
             "every replica. What matters is R + W compared with N."),
        ],
        describe=lambda case: "N={}, R={}, W={}".format(*case),
        held_out=_held_out_quorum_sizes,
        hints=["Picture N slots, R of them read and W of them written. When can the two "
               "groups avoid each other?",
               "They can avoid each other exactly when R + W fits into N slots."],
        solution_text="def must_overlap(n, r, w):\n    return r + w > n   # pigeonhole: R + W "
                      "slots out of N must share one")
    q2 = ConfigQuestion(
        "ex03.q2",
        "N = 5. Choose R and W that guarantee reads see the latest acknowledged write while "
        "both reads and writes still succeed with any one node down. Answer with "
        f"{RW_FORM.description}.",
        evaluate=tolerates_one_down_with_overlap,
        form=RW_FORM,
        reference={"r": 3, "w": 3},
        wrong=[({"r": 2, "w": 2}, "R + W = 4 is not more than N = 5"),
               ({"r": 5, "w": 1}, "the read failed"),
               ({"r": 1, "w": 5}, "the write failed")],
        hints=["Tolerating one node down means a quorum cannot need all five: R <= 4, W <= 4.",
               "You also need R + W > 5. Which pairs satisfy all three?"],
        solution_text="{'r': 3, 'w': 3} (also (2, 4), (4, 2), (3, 4), (4, 3), (4, 4)): each is "
                      "at most 4 and R + W > 5.")
    q3 = ChoiceQuestion(
        "ex03.q3",
        "N = 3, W = 2, R = 2. What guarantees that a read returns the latest written value? "
        "Answer with one letter from 'a' to 'd'.",
        options=["The coordinator waits for replies from all three replicas.",
                 "Any 2 replicas a read asks overlap the 2 that took the write.",
                 "Vector clocks put all writes in one order, so the newest one wins.",
                 "Read repair updates the stale replicas before the read returns."],
        answer="b",
        explanations={
            "a": "with R = 2 the coordinator answers after two replies, not three.",
            "c": "vector clocks detect concurrency; they do not order concurrent writes, and "
                 "they cannot help if no reply holds the write.",
            "d": "read repair fixes replicas after the fact; it does not create the overlap.",
        },
        hints=["Count: 2 + 2 compared with 3."])
    sizes = drawn("ex03.q4", {"n": 3, "r": 1, "w": 1}, _draw_missable_quorums)
    n, r, w = sizes["n"], sizes["r"], sizes["w"]
    stale = p_stale(n, r, w)
    q4 = ValueQuestion(
        "ex03.q4",
        f"N = {n}, R = {r}, W = {w}. Right after a write commits, with the read's "
        f"{_replicas(r)} picked at random, what is the probability that the read misses it? "
        "Answer with a probability from 0 to 1 (a Fraction or a float).",
        answer=stale,
        form=Probability(description="a probability from 0 to 1 (a Fraction or a float)",
                         example="Fraction(1, 2)"),
        wrong={1 - stale: "that is the chance the read finds the write: you computed the "
                          "complement.",
               Fraction(0): f"R + W = {r + w} is not more than N = {n}, so the sets can miss "
                            "each other."},
        rel_tol=1e-3,
        hints=[f"The write reached {w} {_replicas(w)} of {n}. The read asks {r} of {n}.",
               "Use C(N-W, R) / C(N, R)."],
        parameters=sizes,
        solution_text=f"{stale} = C({n - w}, {r}) / C({n}, {r})")
    best = best_levels()
    reference = best[0]
    p99 = read_p99_by_level()
    q5 = ConfigQuestion(
        "ex03.q5",
        "N = 3 under a strict quorum, with the lesson's message delays (exponential, mean "
        "1 ms). A catalogue key is read on every page view and rewritten by a nightly batch "
        "job, which retries when a write fails. Choose a consistency level for the reads and "
        "one for the writes, so that every read sees the latest acknowledged write and reads "
        "are as fast as they can be (the lowest 99th-percentile get latency). Answer with "
        f"{LEVELS_FORM.description}.",
        evaluate=judge_levels,
        form=LEVELS_FORM,
        reference=reference,
        wrong=[({"read": "QUORUM", "write": "QUORUM"}, "second fastest"),
               ({"read": "ONE", "write": "ONE"}, "missed it"),
               ({"read": "ONE", "write": "QUORUM"}, "is not more than N = 3"),
               ({"read": "ALL", "write": "ONE"}, "the slowest of 3 replies")],
        hints=["A get at ONE waits for the fastest of the three replies, at QUORUM for the "
               "second fastest, at ALL for the slowest. Which has the lowest p99 in the "
               "lesson's latency table?",
               "If a read stops at its first reply, that replica must already hold the write. "
               "Which write level puts the write on every replica before it is acknowledged? "
               "Writes may fail while a replica is down: the job retries."],
        solution_text=(f"{reference}: a write at ALL is acknowledged only once all three "
                       "replicas hold it, so a read can stop at the first reply, the fastest "
                       f"there is (p99 {p99['ONE']:.2f} ms, against {p99['QUORUM']:.2f} ms at "
                       f"QUORUM and {p99['ALL']:.2f} ms at ALL, measured). The writes pay: "
                       "they wait for the slowest replica, and with one replica down every "
                       "write fails. A nightly job that retries can afford that."
                       + ("" if len(best) == 1 else f" These pass too: {best[1:]}.")))
    return q1, q2, q3, q4, q5
