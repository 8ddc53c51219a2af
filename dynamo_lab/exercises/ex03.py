"""Exercises for lesson 03: quorums.

>>> q1, q2, q3, q4, q5 = questions()
>>> q1.check(lambda n, r, w: r + w > n)
Correct! (12 cases passed)
"""

from __future__ import annotations

from fractions import Fraction

from ..hash_mod_n import expected_fraction_moved
from ..pbs import p_stale
from .questions import ChoiceQuestion, ConfigQuestion, FunctionQuestion, ValueQuestion

__all__ = ["questions", "tolerates_one_down_with_overlap"]


def _must_overlap(n: int, r: int, w: int) -> bool:
    return r + w > n


def tolerates_one_down_with_overlap(config, n: int = 5, seed: int = 3) -> tuple[bool, str]:
    """Judge an (R, W) choice for N = 5 by running the simulator.

    With every single node crashed in turn, under a strict quorum, a write
    and then a read of a key must both succeed; and R + W must exceed N so
    that no read can miss an acknowledged write.
    """
    import dynamo_lab as dl

    if not isinstance(config, dict) or set(config) != {"r", "w"}:
        return False, "answer with a dict such as {'r': 1, 'w': 1}."
    r, w = config["r"], config["w"]
    if not all(isinstance(v, int) and 1 <= v <= n for v in (r, w)):
        return False, f"R and W must be whole numbers from 1 to N={n}."
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


def questions():
    """The questions of exercise notebook 03, in order."""
    q1 = FunctionQuestion(
        "ex03.q1",
        "Write must_overlap(n, r, w): True when every read quorum of R replicas is sure to "
        "share at least one replica with every write quorum of W replicas, out of N.",
        reference=_must_overlap,
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
        hints=["Picture N slots, R of them read and W of them written. When can the two "
               "groups avoid each other?",
               "They can avoid each other exactly when R + W fits into N slots."],
        solution_text="def must_overlap(n, r, w):\n    return r + w > n   # pigeonhole: R + W "
                      "slots out of N must share one")
    q2 = ConfigQuestion(
        "ex03.q2",
        "N = 5. Choose R and W that guarantee reads see the latest acknowledged write while "
        "both reads and writes still succeed with any one node down. Answer as a dict "
        "{'r': ..., 'w': ...}.",
        evaluate=tolerates_one_down_with_overlap,
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
        "N = 3, W = 2, R = 2. What guarantees that a read returns the latest written value?",
        options=["The coordinator waits for all three replicas before answering.",
                 "Any 2 replicas out of 3 share at least one with any other 2, so some reply "
                 "carries the latest write.",
                 "Vector clocks put all writes in one order.",
                 "Read repair runs before the read returns."],
        answer="b",
        explanations={
            "a": "with R = 2 the coordinator answers after two replies, not three.",
            "c": "vector clocks detect concurrency; they do not order concurrent writes, and "
                 "they cannot help if no reply holds the write.",
            "d": "read repair fixes replicas after the fact; it does not create the overlap.",
        },
        hints=["Count: 2 + 2 compared with 3."])
    stale = p_stale(3, 1, 1)
    q4 = ValueQuestion(
        "ex03.q4",
        "N = 3, R = W = 1. Right after a write commits, with the read's replica picked at "
        "random, what is the probability that the read misses it? (A fraction or a float.)",
        answer=stale,
        wrong={1 - stale: "that is the chance the read finds the write: you computed the "
                          "complement.",
               Fraction(0): "R + W = 2 is not more than N = 3, so the sets can miss each other."},
        rel_tol=1e-3,
        hints=["The write reached 1 replica of 3. The read asks 1 replica of 3.",
               "Use C(N-W, R) / C(N, R)."],
        solution_text=f"{stale} = C(2, 1) / C(3, 1)")
    kept = 1 - expected_fraction_moved(10)
    q5 = ValueQuestion(
        "ex03.q5",
        "Why does hash(key) mod N reshuffle almost every key when N goes from 10 to 11, while "
        "a consistent-hashing ring moves about 1/11 of them? Give the share of keys that keep "
        "their node under mod N, as a fraction.",
        answer=kept,
        wrong={1 - kept: "that is about the share the ring keeps, not mod N. Under "
                                 "mod N a key stays only if h mod 10 == h mod 11.",
               Fraction(1, 10): "close: a key stays when h mod 10 equals h mod 11, which "
                                "happens for 10 of every 110 consecutive hashes."},
        rel_tol=1e-9,
        hints=["A key stays put only if h mod 10 == h mod 11.",
               "Over 110 consecutive values of h (the lcm), count the h with h mod 10 == "
               "h mod 11: those are h = 0..9."],
        solution_text="1/11: only h with h mod 110 < 10 keep their node, so 10/110; the ring "
                      "moves only keys between a new token and its predecessor.")
    return q1, q2, q3, q4, q5
