"""Exercises for lesson 08: the limits of quorum consistency.

>>> q1, q2, q3, q4, q5, q6 = questions()
>>> q1.check(1 - 0.995 ** 50)
Correct!
>>> q1.check(0.25)
Incorrect: 50 × 0.5% = 25% adds the probabilities, ...
>>> q1.check("22%")
Answer with a fraction from 0 to 1, or a percent from 0 to 100, for example 0.3.
>>> from math import comb
>>> q2.check(lambda n, r, w, k: 1 - (comb(n - w, r) / comb(n, r)) ** k)
Correct! (12 cases passed)

The sticky configuration of question 6, judged on the simulator:

>>> judge_session_config({"r": 1, "w": 1, "routing": "sticky"})[0]
True
"""

from __future__ import annotations

import numbers
from fractions import Fraction

from ..latency import LNKD_DISK
from ..pbs import k_staleness, p_stale, t_visibility
from ..experiments.session_guarantees import ROUTINGS
from .answer_forms import Dict, Number, OneOf, WholeNumber
from .questions import ChoiceQuestion, ConfigQuestion, FunctionQuestion, ValueQuestion, drawn

__all__ = ["questions", "judge_session_config", "SCATTER", "VISIBILITY", "SESSION_TARGETS",
           "SESSION_FORM"]

#: Question 1: a query sent to every partition, each slow this share of the time.
SCATTER = {"partitions": 50, "slow_share": 0.005}


def _draw_scatter(rng) -> dict:
    """A learner's q1: 30 to 100 partitions, each slow 0.4% to 1% of the time.

    With k * p at least 0.12, adding the probabilities misses the answer by
    more than the 1% the check allows, so that mistake is always caught.
    """
    return {"partitions": rng.randint(30, 100), "slow_share": rng.choice([0.004, 0.005, 0.008,
                                                                          0.01])}
#: Question 3: the t-visibility the learner predicts, and how it is computed.
VISIBILITY = {"preset": "LNKD_DISK", "n": 3, "r": 1, "w": 1, "t_ms": 5.0, "trials": 100_000,
              "seed": 0}
#: Question 6: what a configuration must achieve, measured by session trials.
SESSION_TARGETS = {"seeds": range(200), "latency": LNKD_DISK, "max_r": 1}
#: The form of question 6's answer (the routings of :mod:`dynamo_lab.experiments.session_guarantees`).
SESSION_FORM = Dict({"r": WholeNumber(1, 3), "w": WholeNumber(1, 3),
                     "routing": OneOf(ROUTINGS)},
                    description="a dict {'r': R, 'w': W, 'routing': ROUTING}, with R and W "
                                "whole numbers from 1 to 3 and ROUTING 'random', 'sticky' or "
                                "'sticky_outside'",
                    example="{'r': 2, 'w': 2, 'routing': 'random'}")


def _as_fraction_of_one(answer):
    """A share given in percent (e.g. 22) becomes 0.22; anything else is left alone."""
    if isinstance(answer, numbers.Real) and not isinstance(answer, bool) and 1 < answer <= 100:
        return answer / 100
    return answer


def _p(n, r, w) -> float:
    """p_s of PBS Eq. 1, as the misconceptions of question 2 use it."""
    return float(p_stale(n, r, w))


def _k_staleness(n, r, w, k):
    return k_staleness(n, r, w, k)


def _held_out_staleness(rng) -> list[tuple[int, int, int, int]]:
    """16 (n, r, w, k) with 1 <= r, w <= n and k >= 1: overlapping quorums, k = 1, large k."""
    cases = []
    for number in range(16):
        n = rng.randint(2, 12)
        r, w = rng.randint(1, n), rng.randint(1, n)
        kind = number % 4
        if kind == 0:                       # R + W > N: every read is fresh
            w = rng.randint(max(1, n + 1 - r), n)
        elif kind == 1 and r + w > n:       # R + W <= N: a read can miss the write
            r = rng.randint(1, n - 1)
            w = rng.randint(1, n - r)
        k = 1 if kind == 2 else rng.randint(2, 9)
        cases.append((n, r, w, k))
    return cases


def judge_session_config(config) -> tuple[bool, str]:
    """Judge a session configuration by running lesson 08's session trials.

    ``config`` is ``{"r": ..., "w": ..., "routing": ...}`` for N = 3 on five
    nodes, with LNKD-DISK message delays. It passes when reads wait for one
    reply (R = 1) and none of the 200 seeded trials of
    :func:`dynamo_lab.experiments.session_guarantees.session_trial` breaks read-your-writes
    or monotonic reads.

    Examples
    --------
    >>> judge_session_config({"r": 1, "w": 1, "routing": "random"})[1]
    '... of 200 trials broke read-your-writes...'
    """
    from ..experiments.session_guarantees import count_session_violations

    if not SESSION_FORM.accepts(config):
        return False, SESSION_FORM.message()
    r, w, routing = int(config["r"]), int(config["w"]), config["routing"]
    if r > SESSION_TARGETS["max_r"]:
        return False, (f"R = {r}: the target is reads that answer after a single reply (R = 1), "
                       "the fastest reads there are. Find a way to keep the guarantees without "
                       "waiting for more replicas.")
    counts = count_session_violations(SESSION_TARGETS["seeds"], r=r, w=w, routing=routing,
                                      latency=SESSION_TARGETS["latency"])
    why = {
        "random": "a node picked at random may be a replica the write has not reached yet, or "
                  "forward the read to one",
        "sticky_outside": "the node you stick to holds no copy of the key: it forwards the read, "
                          "and the fastest reply may come from a replica the write has not "
                          "reached",
        "sticky": "",
    }[routing]
    problems = []
    if counts.read_your_writes:
        problems.append(f"{counts.read_your_writes} of {counts.trials} trials broke "
                        "read-your-writes")
    if counts.monotonic_reads:
        problems.append(f"{counts.monotonic_reads} of {counts.trials} trials broke monotonic "
                        "reads")
    if problems:
        extra = ""
        if not counts.read_your_writes and w == 3:
            extra = (" W = N makes alice's own write visible on every replica once it is "
                     "acknowledged, but bob refreshes while it is still spreading.")
        return False, f"{' and '.join(problems)} (measured): {why}.{extra}"
    return True, (f"none of {counts.trials} trials broke read-your-writes or monotonic reads "
                  "(measured), and every read waits for one reply only.")


def questions():
    """The questions of exercise notebook 08, in order."""
    scatter = drawn("ex08.q1", SCATTER, _draw_scatter)
    k, p = scatter["partitions"], scatter["slow_share"]
    some_slow = 1 - (1 - p) ** k
    q1 = ValueQuestion(
        "ex08.q1",
        f"A query is sent to all {k} partitions of a table and must wait for every one of "
        f"them. Each partition is slow, independently, {p:.1%} of the time. What fraction of "
        "queries hit at least one slow partition? Answer with a fraction from 0 to 1, or a "
        "percent from 0 to 100; within 0.01 (one point) counts.",
        answer=some_slow,
        form=Number(0, 100, description="a fraction from 0 to 1, or a percent from 0 to 100",
                    example="0.3"),
        wrong={k * p: f"{k} × {p:.1%} = {k * p:.0%} adds the probabilities, which overcounts the "
                      "queries where two or more partitions are slow (with 300 partitions it "
                      "would give 150%). Count the queries where no partition is slow instead.",
               p: f"{p:.1%} is the chance for one partition. The query waits for all {k}, so "
                  "any one of them being slow makes it slow.",
               1 - some_slow: f"{1 - some_slow:.3f} is the share of queries where every "
                              "partition is fast: you computed the complement."},
        rel_tol=0.01,
        normalise=_as_fraction_of_one,
        parameters=scatter,
        default_message="that is not within 0.01 of the answer; the hints may help.",
        hints=["It is easier to count the queries that are NOT slow: every one of the "
               f"{k} partitions must be fast.",
               f"Each partition is fast with probability {1 - p}, independently, so all {k} "
               f"are fast with probability {1 - p} ** {k}."],
        solution_text=(f"1 - {1 - p} ** {k} = {some_slow:.3f}, about {some_slow:.0%}. The "
                       "slowest of many replies sets the query's latency, which is why a "
                       "request that waits for more replicas (or partitions) pays in the tail."))
    q2 = FunctionQuestion(
        "ex08.q2",
        "Write a function k_staleness(n, r, w, k): the probability (PBS Eq. 2) that a read "
        "started right after a write commits returns one of the last k versions, when the write "
        "has reached exactly W of the N replicas and the read asks R replicas chosen at random. "
        "(math.comb(a, b) is the binomial coefficient, 0 when b > a.)",
        reference=_k_staleness,
        name="k_staleness",
        cases=[(3, 1, 1, 1), (3, 1, 1, 2), (3, 1, 1, 3), (3, 2, 2, 1), (3, 1, 2, 2),
               (3, 2, 1, 3), (5, 1, 1, 2), (5, 2, 2, 2), (5, 1, 3, 4), (5, 3, 3, 1),
               (1, 1, 1, 1), (7, 2, 2, 5)],
        misconceptions=[
            (lambda n, r, w, k: _p(n, r, w) ** k,
             "that is the probability that the read is staler than k versions (it misses all "
             "k). The question asks for the complement: it returns at least one of them."),
            (lambda n, r, w, k: 1 - _p(n, r, w) * k,
             "the read misses k independent writes with probability p_s ** k: multiply the "
             "probabilities, do not multiply p_s by k (with N=3, R=W=1, k=2 that gives "
             "1 - 4/3 < 0)."),
            (lambda n, r, w, k: (1 - _p(n, r, w)) ** k,
             "(1 - p_s) ** k is the chance of finding every one of the last k writes. One of "
             "them is enough: the read is too stale only if it misses all k."),
            (lambda n, r, w, k: 1 - _p(n, r, w),
             "you ignored k: 1 - p_s is the chance of the latest version only (k = 1). An older "
             "version among the last k counts too."),
        ],
        describe=lambda case: "N={}, R={}, W={}, k={}".format(*case),
        held_out=_held_out_staleness,
        hints=["First compute p_s = C(N - W, R) / C(N, R), the chance that the read misses one "
               "write.",
               "The read is staler than k versions only if it misses each of the last k "
               "writes, independently: p_s ** k. You want the complement."],
        solution_text=("from math import comb\n\ndef k_staleness(n, r, w, k):\n"
                       "    p_s = comb(n - w, r) / comb(n, r)   # misses one write (Eq. 1)\n"
                       "    return 1 - p_s ** k                  # finds one of the last k "
                       "(Eq. 2)\n\nFor N=3, R=W=1: 1/3, 5/9, 19/27 for k = 1, 2, 3."))
    v = VISIBILITY
    model = LNKD_DISK
    predicted = t_visibility(model, n=v["n"], r=v["r"], w=v["w"], t_ms=v["t_ms"],
                             trials=v["trials"], seed=v["seed"])
    at_commit = t_visibility(model, n=v["n"], r=v["r"], w=v["w"], t_ms=0.0,
                             trials=v["trials"], seed=v["seed"])
    eq1 = 1 - float(p_stale(v["n"], v["r"], v["w"]))
    q3 = ValueQuestion(
        "ex08.q3",
        f"LinkedIn's spinning-disk latencies (PBS's LNKD-DISK fit), N = {v['n']}, "
        f"R = W = {v['r']}. A read starts {v['t_ms']:g} ms after a write commits. What is the "
        "probability that it returns the write, by the WARS model? Read it off the lesson's "
        "curves or widget. Answer with a probability from 0 to 1, or a percent from 0 to 100; "
        "within 0.03 counts.",
        answer=predicted,
        form=Number(0, 100, description="a probability from 0 to 1, or a percent from 0 to 100",
                    example="0.5"),
        wrong={at_commit: f"{at_commit:.2f} is the probability right after commit (t = 0). "
                          f"{v['t_ms']:g} ms later the write has reached more replicas.",
               eq1: f"{Fraction(eq1).limit_denominator(10)} is 1 - p_s from Eq. 1, which "
                    "assumes the write has stopped at W replicas. In the WARS model the write "
                    "keeps travelling to the other replicas after it commits.",
               1.0: "R + W = 2 is not more than N = 3, so nothing guarantees the read sees the "
                    "write: with LNKD-DISK some writes take tens of ms to reach a disk."},
        rel_tol=0.03,
        normalise=_as_fraction_of_one,
        default_message="that is not within 0.03 of what the model gives; look at the "
                        "LNKD-DISK curve for R=1, W=1 again.",
        hints=["Use the t-visibility curve of LNKD-DISK for R=1, W=1 in the lesson, at "
               f"t = {v['t_ms']:g} ms (or move the widget's slider there).",
               "dynamo_lab.pbs.t_visibility(dl.latency.LNKD_DISK, n=3, r=1, w=1, "
               f"t_ms={v['t_ms']:g}) computes it."],
        solution_text=(f"{predicted:.3f}: t_visibility(LNKD_DISK, n=3, r=1, w=1, "
                       f"t_ms={v['t_ms']:g}, trials={v['trials']}, seed={v['seed']}). Right "
                       f"after commit it is only {at_commit:.3f}, because LNKD-DISK's write leg "
                       "is slow and heavy-tailed, while reads are fast."))
    q4 = ChoiceQuestion(
        "ex08.q4",
        "N = 3, R = W = 2, a strict quorum, no failures and one writer. While a write of "
        "'new' is in progress, reader 1's get returns 'new'. Reader 2's get starts after "
        "reader 1's has returned, and it returns 'old'. Why can this happen although "
        "R + W > N? Answer with one letter from 'a' to 'd'.",
        options=["R + W > N covers acknowledged writes only; mid-write, reader 2's two replicas "
                 "may both still lack 'new'.",
                 "A replica crashed and lost the write: with no failures, R + W > N makes every "
                 "read return the latest value.",
                 "R + W > N is only a probability: the coordinator picks replicas at random, "
                 "and sometimes the quorums miss.",
                 "The clocks were skewed, so last-write-wins put the two values in the wrong "
                 "order on reader 2's replicas."],
        answer="a",
        explanations={
            "b": "nothing crashed in the lesson's example, and the write completed on every "
                 "replica. The trouble is timing: both reads overlapped the write.",
            "c": "any two quorums with R + W > N share a replica, always. But overlapping an "
                 "acknowledged write says nothing about a write still in progress.",
            "d": "there is one writer and the versions are vector clocks: no clock decided "
                 "anything. The second read simply heard from two replicas the write had not "
                 "reached yet.",
        },
        hints=["Which write does R + W > N promise a read will see: any write, or an "
               "acknowledged one?",
               "Linearizability needs more: once any read has returned 'new', every later read "
               "must too. What would make reader 1 leave 'new' behind on enough replicas?"],
        solution_text="(a). The overlap argument covers acknowledged writes only. Blocking read "
                      "repair closes this gap for a single writer: reader 1 does not return "
                      "until the replicas it read from hold 'new', so any later quorum meets "
                      "one of them.")
    q5 = ChoiceQuestion(
        "ex08.q5",
        "N = 3, R = W = 1. Ada changes her display name, the page says 'Saved', she reloads and "
        "sees her old name. Each request goes through a load balancer to a random node. Which "
        "guarantee broke, and which change keeps it without raising R or W? Answer with one "
        "letter from 'a' to 'd'.",
        options=["monotonic reads; use blocking read repair on all of Ada's reads",
                 "read-your-writes; pin Ada's requests to one replica of the key",
                 "read-your-writes; use blocking read repair on all of Ada's reads",
                 "monotonic reads; pin Ada's requests to one replica of the key"],
        answer="b",
        explanations={
            "a": "monotonic reads is about two reads, the later one going back in time. Here "
                 "Ada missed her own acknowledged write: read-your-writes.",
            "c": "right guarantee, but with R = 1 a read has a single reply and nothing to "
                 "compare, so blocking read repair has nothing to repair. The lesson's table "
                 "shows it changed nothing at R = 1.",
            "d": "sticking to one replica is the right fix, but the guarantee Ada saw broken is "
                 "read-your-writes: she missed her own write, not a value she had read.",
        },
        hints=["Did Ada lose sight of her own write, or of something she had already read?",
               "With R = 1, a read hears one replica. Which replica is sure to have Ada's "
               "write the moment it is acknowledged?"],
        solution_text="(b). The coordinator of Ada's write stored it first, so later reads "
                      "that go to that same replica, and answer from its copy, see it. A random "
                      "node may be a replica the write has not reached yet.")
    q6 = ConfigQuestion(
        "ex08.q6",
        "N = 3 on five nodes, LNKD-DISK delays. alice writes and reads right away; bob reads "
        "three times while her write spreads (the lesson's session trial). Choose R, W and the "
        "routing ('random', 'sticky' or 'sticky_outside') so that reads wait for one reply "
        "only (R = 1) and none of 200 seeded trials breaks read-your-writes or monotonic "
        f"reads. Answer with {SESSION_FORM.description}.",
        evaluate=judge_session_config,
        form=SESSION_FORM,
        reference={"r": 1, "w": 1, "routing": "sticky"},
        wrong=[({"r": 1, "w": 1, "routing": "random"}, "broke read-your-writes"),
               ({"r": 1, "w": 3, "routing": "random"}, "broke monotonic reads"),
               ({"r": 2, "w": 2, "routing": "random"}, "R = 2"),
               ({"r": 1, "w": 1, "routing": "sticky_outside"}, "holds no copy")],
        hints=["With R = 1 the read's single reply decides what a client sees. Which node's "
               "copy only ever moves forward, from the client's point of view?",
               "A home replica that coordinated your write stored it first, and when it "
               "coordinates your read it answers from its own copy."],
        solution_text="{'r': 1, 'w': 1, 'routing': 'sticky'} (any W works): each client "
                      "always talks to the same home replica, which answers from its own copy, "
                      "and that copy never goes back in time.")
    return q1, q2, q3, q4, q5, q6
