"""Exercises for lesson 10: membership and failure detection.

>>> q1, q2, q3 = questions()
>>> q2.check(3 / 11)
Correct!
>>> q2.check(1 / 11).outcome
'incorrect'
>>> q3.check(12)
Correct!
>>> q3.check(8).outcome
'incorrect'
"""

from __future__ import annotations

import math
import statistics
from functools import lru_cache

from ..phi_accrual import PhiAccrual, phi_tradeoff
from ..ring import Ring
from .answer_forms import Number, WholeNumber
from .questions import FunctionQuestion, ValueQuestion

__all__ = ["questions", "threshold_table", "JOIN_RING", "PHI_RUN"]

#: Question 2: the ring a node joins (10 nodes, 64 tokens each, N = 3).
JOIN_RING = {"nodes": [chr(ord("A") + i) for i in range(10)], "n": 3, "vnodes": 64,
             "joins": "K"}
#: Question 3: the heartbeat stream of lesson 10's trade-off, and the alarm budget.
PHI_RUN = {"thresholds": (1, 2, 4, 8, 12, 16), "seed": 0, "min_std_ms": 10,
           "max_false_suspicions": 5}


# -- question 1: phi ---------------------------------------------------------------------

def _phi(intervals, elapsed_ms):
    """The package's own detector, fed the same heartbeats."""
    acc = PhiAccrual(window=len(intervals), min_std_ms=100.0)
    now = 0.0
    acc.heartbeat("A", "B", now)
    for gap in intervals:
        now += gap
        acc.heartbeat("A", "B", now)
    return acc.phi("A", "B", now + elapsed_ms)


def _p_later(intervals, elapsed_ms, std=None):
    mean = statistics.fmean(intervals)
    if std is None:
        std = max(statistics.pstdev(intervals), 100.0)
    return 0.5 * math.erfc((elapsed_ms - mean) / (std * math.sqrt(2.0)))


def _phi_natural_log(intervals, elapsed_ms):
    return -math.log(_p_later(intervals, elapsed_ms))


def _phi_of_cdf(intervals, elapsed_ms):
    return -math.log10(1.0 - _p_later(intervals, elapsed_ms))


def _phi_no_floor(intervals, elapsed_ms):
    return -math.log10(_p_later(intervals, elapsed_ms, std=statistics.pstdev(intervals)))


def _phi_sample_std(intervals, elapsed_ms):
    std = max(statistics.stdev(intervals), 100.0)
    return -math.log10(_p_later(intervals, elapsed_ms, std=std))


_PHI_CASES = [
    ([1000.0, 1020.0, 980.0, 1000.0], 1000.0),
    ([1000.0, 1020.0, 980.0, 1000.0], 1200.0),
    ([1000.0, 1020.0, 980.0, 1000.0], 1450.0),
    ([900.0, 1100.0] * 5, 1300.0),
    ([500.0, 1500.0, 800.0, 1200.0], 900.0),
    ([500.0, 1500.0, 800.0, 1200.0], 2000.0),
    ([2000.0, 1800.0, 2200.0], 2500.0),
    ([1000.0, 1000.0, 1000.0, 3000.0], 3000.0),
    ([100.0, 120.0, 80.0, 100.0], 400.0),
    ([1000.0, 1010.0, 990.0], 1050.0),
]


def _held_out_heartbeats(rng) -> list[tuple]:
    """16 windows of 3 to 12 intervals, spread under and over the 100 ms floor; phi 0 to ~8."""
    cases = []
    for number in range(16):
        mean = rng.choice([rng.uniform(80.0, 400.0), rng.uniform(500.0, 3000.0)])
        spread = [rng.uniform(5.0, 60.0), rng.uniform(90.0, 110.0),
                  rng.uniform(150.0, 600.0)][number % 3]
        count = rng.randint(3, 12)
        intervals = [round(max(10.0, rng.gauss(mean, spread)), 1) for _ in range(count)]
        if len(set(intervals)) == 1:        # keep a spread: the misconceptions divide by it
            intervals[0] += 1.0
        if number % 5 == 0:                 # one late heartbeat in the window
            intervals[rng.randrange(count)] = round(mean * rng.uniform(2.0, 3.0), 1)
        centre, raw = statistics.fmean(intervals), statistics.pstdev(intervals)
        std = max(raw, 100.0)
        offset = std * rng.choice([rng.uniform(-1.0, 0.5), rng.uniform(0.5, 2.5),
                                   rng.uniform(2.5, 5.5)])
        # Not so far out that an unfloored spread gives a probability of 0.0 (log10 fails).
        elapsed = centre + min(offset, 20.0 * raw)
        cases.append((intervals, round(max(1.0, elapsed), 1)))
    return cases


# -- question 2: a join --------------------------------------------------------------------

@lru_cache(maxsize=1)
def _fraction_moved() -> float:
    ring = Ring(JOIN_RING["nodes"], n=JOIN_RING["n"], vnodes=JOIN_RING["vnodes"])
    return ring.copy().add_node(JOIN_RING["joins"]).fraction_moved


# -- question 3: a threshold ----------------------------------------------------------------

@lru_cache(maxsize=1)
def threshold_table() -> tuple[tuple[float, int, float], ...]:
    """``phi_tradeoff`` on question 3's stream: (threshold, false suspicions, delay ms)."""
    return tuple(phi_tradeoff(list(PHI_RUN["thresholds"]), seed=PHI_RUN["seed"],
                              min_std_ms=PHI_RUN["min_std_ms"]))


def _lowest_quiet_threshold() -> int:
    budget = PHI_RUN["max_false_suspicions"]
    return int(min(t for t, false, _ in threshold_table() if false <= budget))


def questions():
    """The questions of exercise notebook 10, in order."""
    q1 = FunctionQuestion(
        "ex10.q1",
        "Write a function phi(intervals, elapsed_ms): the phi-accrual suspicion level of a peer "
        "whose recent heartbeat inter-arrival times (ms) are `intervals`, when `elapsed_ms` have "
        "passed since its last heartbeat. Model the intervals as a normal distribution with their "
        "mean and their population standard deviation, floored at 100 ms; phi is -log10 of the "
        "probability that a heartbeat would come later than `elapsed_ms`.",
        reference=_phi,
        name="phi",
        cases=_PHI_CASES,
        misconceptions=[
            (_phi_natural_log, "phi uses base-10 logarithms: phi = 1 means a 10% chance that "
                               "the heartbeat is still on its way, phi = 2 a 1% chance. You "
                               "used the natural logarithm."),
            (_phi_of_cdf, "you took the probability that a heartbeat comes *before* "
                          "elapsed_ms (the CDF). Suspicion grows with silence, so phi uses the "
                          "tail: P(a heartbeat comes later) = 1 - F(elapsed_ms)."),
            (_phi_no_floor, "floor the standard deviation at 100 ms: with nearly regular "
                            "heartbeats the spread is tiny, and a heartbeat a few ms late would "
                            "look like a crash."),
            (_phi_sample_std, "use the population standard deviation (divide by the number of "
                              "intervals, statistics.pstdev), as the detector's window does; "
                              "you used the sample one (statistics.stdev)."),
        ],
        describe=lambda case: f"intervals={case[0]}, elapsed_ms={case[1]}",
        held_out=_held_out_heartbeats,
        rel_tol=1e-6,
        hints=["mean = statistics.fmean(intervals); std = max(statistics.pstdev(intervals), "
               "100). For a normal distribution, P(X > t) = 0.5 * erfc((t - mean) / (std * "
               "sqrt(2))).",
               "Return -math.log10(0.5 * math.erfc((elapsed_ms - mean) / (std * "
               "math.sqrt(2)))). With elapsed_ms equal to the mean, that is log10(2) = 0.301."],
        solution_text=(
            "def phi(intervals, elapsed_ms):\n"
            "    mean = statistics.fmean(intervals)\n"
            "    std = max(statistics.pstdev(intervals), 100.0)\n"
            "    later = 0.5 * math.erfc((elapsed_ms - mean) / (std * math.sqrt(2)))\n"
            "    return -math.log10(later)\n"
            "# the same formula as dynamo_lab.phi_accrual.PhiAccrual.phi"))
    moved = _fraction_moved()
    nodes = JOIN_RING["nodes"]
    q2 = ValueQuestion(
        "ex10.q2",
        f"A ring of {len(nodes)} nodes ({nodes[0]} to {nodes[-1]}), {JOIN_RING['vnodes']} "
        f"tokens each, N = {JOIN_RING['n']}. Node {JOIN_RING['joins']} joins. What share of "
        "the ring changes its set of home replicas? Answer with a number from 0 to 1. The "
        "checker compares it with what the model's Ring measures, within 15%.",
        answer=moved,
        form=Number(0, 1),
        wrong={1 / 11: "that is the share the new node becomes the *first* replica of (as "
                       "with N = 1). With N = 3 a range also changes when the new node "
                       "becomes its second or third replica.",
               10 / 11: "that is what hash mod N would move. On a ring only the ranges near "
                        "the new node's tokens change.",
               0.5: "that was 5 nodes growing to 6. Here there are 10 nodes: each holds "
                    "replicas of a smaller share of the ring."},
        rel_tol=0.15,
        hints=["After the join every node, the new one included, is a home replica of about "
               "N / S of the ring, with S = 11 nodes.",
               "A range's set of home replicas changes exactly when the new node becomes one "
               "of its replicas: about N / (S + 1) = 3 / 11 of the ring."],
        solution_text=(f"about 3/11 = {3 / 11:.3f}; the model measures {moved:.3f}. A range "
                       "changes its replica set exactly when K becomes one of its N = 3 home "
                       "replicas, and K ends up holding replicas of about N/S of the ring."))
    table = threshold_table()
    best = _lowest_quiet_threshold()
    budget = PHI_RUN["max_false_suspicions"]
    delay_of = {int(t): delay for t, _, delay in table}
    listed = ", ".join(str(int(t)) for t, _, _ in table)
    wrong = {}
    for t, false, delay in table:
        t = int(t)
        if t < best:
            wrong[t] = (f"at threshold {t} the detector suspected the live peer {false} times in "
                        f"600 s, over the budget of {budget}. A lower threshold notices a crash "
                        f"sooner, but it also mistakes more late heartbeats for a crash.")
        elif t > best:
            wrong[t] = (f"threshold {t} stays within the budget too, but it notices the crash "
                        f"{delay - delay_of[best]:.0f} ms later than the lowest threshold that "
                        f"does. The question asks for the fastest detector within the budget.")
    q3 = ValueQuestion(
        "ex10.q3",
        f"An operator may page on-call staff for at most {budget} false suspicions in ten "
        "minutes, and wants crashes noticed as soon as possible within that budget. On the "
        "lesson's heavy-tailed heartbeat stream, phi_tradeoff(thresholds, seed="
        f"{PHI_RUN['seed']}, min_std_ms={PHI_RUN['min_std_ms']}) measures, for each threshold, "
        "the false suspicions in 600 s and the detection delay. Which threshold should the "
        f"operator choose, among {listed}? Answer with a whole number from 1 to 16.",
        answer=best,
        form=WholeNumber(1, 16),
        wrong=wrong,
        hints=["Run phi_tradeoff with those thresholds (import it from dynamo_lab.phi_accrual) "
               "and put the rows in a table: threshold, false suspicions, detection delay.",
               f"Keep the thresholds with at most {budget} false suspicions; among them, the "
               "lowest threshold has the shortest detection delay, since phi only grows with "
               "silence."],
        solution_text=(f"{best}. " + "; ".join(
            f"threshold {int(t)}: {false} false suspicions, {delay:.0f} ms to detect"
            for t, false, delay in table)
            + f". The lowest threshold with at most {budget} false suspicions is {best}: any "
              "higher one is as quiet or quieter but notices a crash later."))
    return q1, q2, q3
