"""Exercises for lesson 10: membership, failure detection, and choosing N/R/W.

>>> q1, q2, q3, q4, q5 = questions()
>>> q2.check(3 / 11)
Correct!
>>> q2.check(1 / 11).outcome
'incorrect'
>>> q3.check(lambda user_id, created_at: (created_at[:10], created_at)).outcome
'incorrect'
>>> q4.check("a")
Correct!
"""

from __future__ import annotations

import math
import statistics
from functools import lru_cache

from ..experiments.key_design import judge_key_design
from ..phi_accrual import PhiAccrual
from ..ring import Ring
from ..experiments.service_targets import ServiceTargets, judge
from .answer_forms import Boolean, Dict, Function, Number, OneOf, WholeNumber
from .questions import (NOT_ATTEMPTED, ChoiceQuestion, CheckResult, ConfigQuestion,
                        FunctionQuestion, ValueQuestion)

__all__ = ["questions", "event_key_design", "ingest_service", "INGEST_TARGETS", "INGEST_FIT",
           "JOIN_RING", "EVENT_KEY_FORM", "INGEST_FORM"]

#: Question 2: the ring a node joins (10 nodes, 64 tokens each, N = 3).
JOIN_RING = {"nodes": [chr(ord("A") + i) for i in range(10)], "n": 3, "vnodes": 64,
             "joins": "K"}
#: Question 5: the ingestion service's targets, on the LNKD-DISK latency fit. Every
#: acknowledged event must be on two disks (W >= 2), so W = 1 cannot buy write latency.
INGEST_TARGETS = ServiceTargets(read_latency_ms=10.0, write_latency_ms=8.0, percentile="p99",
                                max_stale_pct=0.1, survive_crash=True,
                                writable_in_partition=False, min_acked_copies=2)
INGEST_FIT = "LNKD-DISK"

#: The form of question 3's answer: a key function.
EVENT_KEY_FORM = Function("event_key", ("user_id", "created_at"))
#: The form of question 5's answer; the options judge() also takes may be added.
INGEST_FORM = Dict({"n": WholeNumber(1, 5), "r": WholeNumber(1, 5), "w": WholeNumber(1, 5),
                    "sloppy_quorum": Boolean()},
                   optional={"hinted_handoff": Boolean(),
                             "read_repair": OneOf(["async", "blocking", False])},
                   description="a dict {'n': N, 'r': R, 'w': W, 'sloppy_quorum': BOOL}, with N, "
                               "R and W whole numbers from 1 to 5 and BOOL True or False",
                   example="{'n': 3, 'r': 1, 'w': 1, 'sloppy_quorum': False}")


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


# -- question 3: the event key -------------------------------------------------------------

class _KeyDesignQuestion(ConfigQuestion):
    """A configuration question whose answer is a key function."""

    def _judge(self, answer):
        if callable(answer):
            try:
                answer("user0001", "2024-05-02T08:00:00")
            except NotImplementedError:
                return CheckResult(NOT_ATTEMPTED, "your function still raises "
                                   "NotImplementedError; replace that line with your code.")
            except Exception:   # judged (and reported) below
                pass
        return super()._judge(answer)

    def stub_answer(self):
        def event_key(user_id, created_at):
            raise NotImplementedError("replace this line with your code")
        return event_key


def event_key_design(key_fn) -> tuple[bool, str]:
    """Judge a key function by placing a day of events with it (see :mod:`dynamo_lab.experiments.key_design`)."""
    if not EVENT_KEY_FORM.accepts(key_fn):
        return False, EVENT_KEY_FORM.message()
    try:
        report = judge_key_design(key_fn)
    except ValueError as exc:
        return False, str(exc)
    if report.ok:
        return True, (f"the busiest node coordinated at most {report.hash_share:.0%} of an "
                      f"hour's writes on the hash ring, the busiest range took at most "
                      f"{report.range_share:.0%} on range partitions, and each user's day is "
                      f"one scan.")
    return False, "; ".join(report.problems) + "."


# -- question 5: the capstone ----------------------------------------------------------

def ingest_service(config) -> tuple[bool, str]:
    """Judge a configuration against :data:`INGEST_TARGETS` by running the simulator."""
    if not INGEST_FORM.accepts(config):
        return False, INGEST_FORM.message()
    config = {key: int(value) if key in ("n", "r", "w") else value
              for key, value in config.items()}
    try:
        report = judge(config, INGEST_TARGETS, latency=INGEST_FIT)
    except ValueError as exc:
        return False, f"that configuration is not allowed: {exc}"
    message = report.message()
    slow_writes = any(row.target.startswith("write latency") for row in report.failures)
    if slow_writes and report.config["w"] == INGEST_TARGETS.min_acked_copies:
        message += (f" W cannot drop below {INGEST_TARGETS.min_acked_copies} here without "
                    f"breaking the durability target, so W is not the knob to turn: ask what "
                    f"else decides how soon acknowledgement number {report.config['w']} "
                    f"arrives.")
    return report.passed, message


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
    q3 = _KeyDesignQuestion(
        "ex10.q3",
        "Events are stored under the key (partition_key, sort_key). With created_at as the "
        "partition key, one node takes almost every write while the others idle (a hot "
        "spot, as with lesson 02's hot keys). Work out why, then write a function "
        "event_key(user_id, created_at) -> (partition_key, sort_key), both strings, so that "
        "writes spread over the nodes at every hour of the day and one user's events of a day "
        "can still be read as one range scan in time order.",
        evaluate=event_key_design,
        form=EVENT_KEY_FORM,
        reference=lambda user_id, created_at: (user_id, created_at),
        wrong=[(lambda user_id, created_at: (created_at[:10], created_at), "hot spot"),
               (lambda user_id, created_at: (created_at, user_id), "last range"),
               (lambda user_id, created_at: (user_id, "event"), "sort keys must be distinct")],
        hints=["Diagnose first: every write of the moment has (almost) the same created_at, "
               "so they all get the same partition, or neighbouring ones.",
               "Put something with many distinct values at every moment first (the user id, or "
               "a hash of it) in the partition key, and keep created_at as the sort key."],
        solution_text=(
            "def event_key(user_id, created_at):\n"
            "    return user_id, created_at\n"
            "# A sequential hot spot: at any moment every write has nearly the same created_at. "
            "On a hash ring an hour or a day as partition key sends that hour's (day's) writes "
            "to one node; on range partitions even a full timestamp does, since new keys sort "
            "after all old ones. The user id spreads writes at every moment, and created_at "
            "as sort key keeps each user's events in one partition, in time order."))
    q4 = ChoiceQuestion(
        "ex10.q4",
        "A secondary index finds records by a field other than the partition key. A *local* "
        "index keeps, on each partition, entries for that partition's own records only; a "
        "*global* index is partitioned on its own, by the indexed value, so all entries for "
        "one value sit together. Products are partitioned by product id, and an index on "
        "colour answers 'all red products'. Which statement explains why adding a product "
        "touches two partitions with the global index but one with the local index, and "
        "what a query by colour then costs with the local index? Answer with one letter from "
        "'a' to 'd'.",
        options=[
            "The global 'red' entry usually sits on another partition than the product; a "
            "local query by colour asks all partitions.",
            "The global index is copied to every node, so each write goes to all of them; a "
            "local index is read from a single node.",
            "Both write one partition; the global index is slower only because it is updated "
            "synchronously, and reads cost the same.",
            "The local index is the distributed write: each partition keeps a copy of the "
            "whole index, so a colour query reads just one.",
        ],
        answer="a",
        explanations={
            "b": "a global index is partitioned by the indexed value, not replicated "
                 "everywhere: the entry for 'red' lives on one partition (and its N replicas).",
            "c": "the index entry and the product usually sit on different partitions, so the "
                 "write touches two of them (often asynchronously, which is why global-index "
                 "reads can be stale).",
            "d": "it is the other way round: a local index covers only its own partition's "
                 "products, so a query by colour must scatter to every partition and gather.",
        },
        hints=["Ask where the index entry for 'red' lives in each design, and where the product "
               "lives.",
               "Local: entry beside the product, so a query by colour does not know which "
               "partitions hold red products. Global: the entry is placed by the colour."],
        solution_text=(
            "(a). A global index is partitioned by the indexed term, so the entry for 'red' "
            "usually lives on another partition than the product: every product write is also "
            "a write elsewhere (a distributed write, often asynchronous). A local index keeps "
            "entries beside their products, so writes stay on one partition, but a query by "
            "colour must ask all partitions and wait for the slowest one (scatter-gather)."))
    q5 = ConfigQuestion(
        "ex10.q5",
        "An ingestion service on spinning disks (the LNKD-DISK latency fit). Its targets: "
        "every acknowledged event is held by at least 2 nodes (W >= 2), write p99 <= 8 ms, "
        "read p99 <= 10 ms, at most 0.1% of reads started right after a write may miss it, "
        "and with any one node down every read and write succeeds. Choose a configuration "
        "for the 5-node cluster, checked by running the simulator as in the lesson. Answer "
        f"with {INGEST_FORM.description}.",
        evaluate=ingest_service,
        form=INGEST_FORM,
        reference={"n": 5, "r": 4, "w": 2, "sloppy_quorum": True},
        wrong=[({"n": 3, "r": 3, "w": 1, "sloppy_quorum": True}, "acknowledged write is lost"),
               ({"n": 3, "r": 2, "w": 2, "sloppy_quorum": True}, "W is not the knob"),
               ({"n": 4, "r": 3, "w": 2, "sloppy_quorum": True}, "W is not the knob"),
               ({"n": 4, "r": 2, "w": 2, "sloppy_quorum": True}, "need not overlap"),
               ({"n": 4, "r": 4, "w": 2, "sloppy_quorum": False}, "strict quorum"),
               ({"n": 5, "r": 5, "w": 2, "sloppy_quorum": True}, "down")],
        hints=["Sweep first: sweep_configs(candidates, ex10.INGEST_TARGETS, "
               "latency=ex10.INGEST_FIT) over W = 2 and several N and R (see the lesson). "
               "Watch how the write p99 changes with N while W stays at 2.",
               "A write goes to all N replicas and is acknowledged by the first W of them, so "
               "with W = 2 a larger N gives the second acknowledgement more chances to come "
               "fast. R + W > N then needs R >= N - 1. Mind the crash: R = N survives it only "
               "if a node outside the N replicas can stand in, under a sloppy quorum."],
        solution_text=(
            "{'n': 5, 'r': 4, 'w': 2, 'sloppy_quorum': True}, or the same with a strict quorum. "
            "The durability target fixes W >= 2, so a write waits for its second "
            "acknowledgement: the second fastest of N disks, and disks have a heavy tail. With "
            "N = 3 or N = 4 that misses the 8 ms write target on this fit; with N = 5 it is the "
            "second fastest of five and meets it. R + W > N then needs R = 4. R = N = 5 fails "
            "a crash: with every node a home replica there is no fallback. W = 1 is faster "
            "still, but one disk failure could then lose an acknowledged event."))
    return q1, q2, q3, q4, q5
