"""Exercises for lesson 11: choosing N, R and W.

>>> q1, q2, q3 = questions()
>>> q2.check((2.0, 2 * TWO_DC["cross_ms"])).outcome
'correct'
>>> q2.check((2.0, TWO_DC["cross_ms"])).outcome
'incorrect'
>>> q3.check("b")
Correct!
"""

from __future__ import annotations

import statistics
from functools import lru_cache

from ..cluster import Cluster
from ..latency import Constant
from ..experiments.service_targets import ServiceTargets, judge
from ..experiments.workload import run as run_workload
from .answer_forms import Boolean, Dict, Number, OneOf, Tuple, WholeNumber
from .questions import ChoiceQuestion, ConfigQuestion, ValueQuestion

__all__ = ["questions", "ingest_service", "two_dc_medians_ms", "dashboard", "INGEST_TARGETS",
           "INGEST_FIT", "INGEST_FORM", "TWO_DC", "DASHBOARD_RUN", "ALERT_LINES"]

#: Question 1: the ingestion service's targets, on the LNKD-DISK latency fit. Every
#: acknowledged event must be on two disks (W >= 2), so W = 1 cannot buy write latency.
INGEST_TARGETS = ServiceTargets(read_latency_ms=10.0, write_latency_ms=8.0, percentile="p99",
                                max_stale_pct=0.1, survive_crash=True,
                                writable_in_partition=False, min_acked_copies=2)
INGEST_FIT = "LNKD-DISK"

#: The form of question 1's answer; the options judge() also takes may be added.
INGEST_FORM = Dict({"n": WholeNumber(1, 5), "r": WholeNumber(1, 5), "w": WholeNumber(1, 5),
                    "sloppy_quorum": Boolean()},
                   optional={"hinted_handoff": Boolean(),
                             "read_repair": OneOf(["async", "blocking", False])},
                   description="a dict {'n': N, 'r': R, 'w': W, 'sloppy_quorum': BOOL}, with N, "
                               "R and W whole numbers from 1 to 5 and BOOL True or False",
                   example="{'n': 3, 'r': 1, 'w': 1, 'sloppy_quorum': False}")

#: Question 2: two datacentres, a one-way delay between them, the write quorums compared
#: from one coordinator, and how far from the simulator's median an answer may be (in ms,
#: not a share: the local median moves by a millisecond with the order of the writes, while
#: the crossing's does not move at all).
TWO_DC = {"east": ("A", "B", "C"), "west": ("D", "E", "F"), "cross_ms": 25, "seed": 0,
          "writes": 20, "ws": (2, 3), "tolerance_ms": 5}

#: Question 3: lesson 11's partition under a strict quorum, and the dashboard's alert lines.
DASHBOARD_RUN = {"nodes": 5, "n": 3, "r": 2, "w": 2, "seed": 1, "sloppy_quorum": False,
                 "duration_ms": 12_000, "arrival_rate_per_ms": 0.3, "keys": 50, "clients": 8,
                 "coordinator": "random", "split": (("A", "B"), ("C", "D", "E")),
                 "from_ms": 4000, "to_ms": 8000}
#: Metric -> (alert line, True if the alert fires above the line).
ALERT_LINES = {"quorum_read_latency_ms (p99)": (50.0, True), "write_success_rate": (0.99, False),
               "stale_read_pct": (1.0, True)}


# -- question 1: the ingestion service -------------------------------------------------------

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


# -- question 2: two datacentres ---------------------------------------------------------------

def _two_dc_cluster():
    east, west = list(TWO_DC["east"]), list(TWO_DC["west"])
    cluster = Cluster(nodes=east + west, n=3, r=2, w=2, seed=TWO_DC["seed"])
    for a in east:
        for b in west:
            cluster.set_link(a, b, latency=Constant(TWO_DC["cross_ms"]))
    key = next(f"user{i}" for i in range(100)
               if sum(node in east for node in cluster.ring.home_replicas(f"user{i}")) == 2)
    return cluster, key


@lru_cache(maxsize=1)
def two_dc_medians_ms() -> tuple[str, tuple[str, ...], str, tuple[float, ...]]:
    """(key, its home replicas, the east coordinator, median write latency in ms per W).

    The writes run on one cluster: all those with the first W of ``TWO_DC["ws"]``, then
    all those with the second.
    """
    cluster, key = _two_dc_cluster()
    home = tuple(cluster.ring.home_replicas(key))
    near = next(node for node in home if node in TWO_DC["east"])
    medians = []
    for w in TWO_DC["ws"]:
        latencies = [cluster.put(key, f"w{w}-{i}", w=w, coordinator=near).latency_ms
                     for i in range(TWO_DC["writes"])]
        medians.append(statistics.median(latencies))
    return key, home, near, tuple(medians)


# -- question 3: the dashboard -------------------------------------------------------------------

@lru_cache(maxsize=1)
def dashboard():
    """The three metrics per second of :data:`DASHBOARD_RUN`, as the lesson computes them."""
    import pandas as pd

    spec = DASHBOARD_RUN
    cluster = Cluster(nodes=spec["nodes"], n=spec["n"], r=spec["r"], w=spec["w"],
                      seed=spec["seed"], sloppy_quorum=spec["sloppy_quorum"])
    left, right = spec["split"]
    report = run_workload(cluster, duration_ms=spec["duration_ms"],
                          arrival_rate_per_ms=spec["arrival_rate_per_ms"], keys=spec["keys"],
                          clients=spec["clients"], seed=spec["seed"],
                          coordinator=spec["coordinator"],
                          faults=[(spec["from_ms"], "partition", list(left), list(right)),
                                  (spec["to_ms"], "heal")])
    ops = report.frame
    ops["second"] = (ops["start_ms"] // 1000).astype(int)
    reads, writes = ops[ops["f"] == "get"], ops[ops["f"] == "put"]
    ok_reads = reads[reads["status"] == "ok"]
    return pd.DataFrame({
        "quorum_read_latency_ms (p99)": ok_reads.groupby("second")["latency_ms"].quantile(0.99),
        "write_success_rate": writes.groupby("second")["status"].apply(
            lambda s: (s == "ok").mean()),
        "stale_read_pct": 100 * ok_reads.groupby("second")["stale"].mean().astype(float),
    })


def _worst_during_split() -> dict[str, float]:
    """Per metric, its worst second while the split lasted: the highest value of a metric
    that alerts above its line, the lowest of one that alerts below it."""
    during = dashboard().loc[DASHBOARD_RUN["from_ms"] // 1000:DASHBOARD_RUN["to_ms"] // 1000 - 1]
    return {name: during[name].max() if above else during[name].min()
            for name, (line, above) in ALERT_LINES.items()}


def _crossed() -> list[str]:
    """The metrics whose worst second during the split is past their alert line."""
    worst = _worst_during_split()
    return [name for name, (line, above) in ALERT_LINES.items()
            if (worst[name] > line if above else worst[name] < line)]


#: The options of question 3: one per metric of ALERT_LINES, in order, then "none".
_METRIC_OPTIONS = ["quorum_read_latency_ms: reads slow down",
                   "write_success_rate: writes are refused",
                   "stale_read_pct: reads miss recent writes",
                   "none of them crosses its alert line"]


def _dashboard_answer() -> str:
    crossed = _crossed()
    if len(crossed) > 1:     # the question asks for one metric; the scenario must give one
        raise AssertionError(f"ex11.q3: more than one metric crosses its line: {crossed}")
    return "abc"[list(ALERT_LINES).index(crossed[0])] if crossed else "d"


def _dashboard_readings() -> dict[str, str]:
    """Per metric, its worst second during the split against its alert line, in words."""
    worst = _worst_during_split()
    read, success, stale = (ALERT_LINES[name][0] for name in ALERT_LINES)
    names = list(ALERT_LINES)
    return {
        names[0]: f"read p99 {worst[names[0]]:.1f} ms (alert above {read:g} ms)",
        names[1]: f"write success {worst[names[1]]:.0%} (alert below {success:.0%})",
        names[2]: f"stale reads {worst[names[2]]:.1f}% (alert above {stale:g}%)",
    }


def questions():
    """The questions of exercise notebook 11, in order."""
    q1 = ConfigQuestion(
        "ex11.q1",
        "An ingestion service on spinning disks (the LNKD-DISK latency fit). Its targets: "
        "every acknowledged event is held by at least 2 nodes (W >= 2), write p99 <= 8 ms, "
        "read p99 <= 10 ms, at most 0.1% of reads started right after a write may miss it, "
        "and with any one node down every read and write succeeds. Choose a configuration "
        "for the 5-node cluster, checked by running the simulator as in lesson 11: each "
        "check takes about 10 seconds. Answer with "
        f"{INGEST_FORM.description}.",
        evaluate=ingest_service,
        form=INGEST_FORM,
        reference={"n": 5, "r": 4, "w": 2, "sloppy_quorum": False},
        wrong=[({"n": 3, "r": 3, "w": 1, "sloppy_quorum": True}, "acknowledged write is lost"),
               ({"n": 3, "r": 2, "w": 2, "sloppy_quorum": True}, "W is not the knob"),
               ({"n": 4, "r": 3, "w": 2, "sloppy_quorum": True}, "W is not the knob"),
               ({"n": 4, "r": 2, "w": 2, "sloppy_quorum": True}, "need not overlap"),
               ({"n": 4, "r": 4, "w": 2, "sloppy_quorum": False}, "strict quorum"),
               ({"n": 5, "r": 5, "w": 2, "sloppy_quorum": True}, "down")],
        hints=["Sweep first: sweep_configs(candidates, ex11.INGEST_TARGETS, "
               "latency=ex11.INGEST_FIT) over W = 2 and several N and R (see lesson 11). "
               "Watch how the write p99 changes with N while W stays at 2.",
               "A write goes to all N replicas and is acknowledged by the first W of them, so "
               "with W = 2 a larger N gives the second acknowledgement more chances to come "
               "fast. R + W > N then needs R >= N - 1. Mind the crash: R = N survives it only "
               "if a node outside the N replicas can stand in, under a sloppy quorum."],
        solution_text=(
            "{'n': 5, 'r': 4, 'w': 2, 'sloppy_quorum': False}. The durability target fixes "
            "W >= 2, so a write waits for its second acknowledgement: the second fastest of N "
            "disks, and disks have a heavy tail. With N = 3 or N = 4 that misses the 8 ms "
            "write target on this fit; with N = 5 it is the second fastest of five and meets "
            "it. R + W > N then needs R = 4. R = N = 5 fails a crash: with every node a home "
            "replica there is no fallback. For the same reason sloppy_quorum makes no "
            "difference here, and True passes too: with N = 5 on five nodes no node outside "
            "the home replicas can stand in. The price is storage: every event is kept on all "
            "five nodes. W = 1 is faster still, but one disk failure could then lose an "
            "acknowledged event."))
    key, home, near, medians = two_dc_medians_ms()
    cross, tolerance = TWO_DC["cross_ms"], TWO_DC["tolerance_ms"]
    east, west = TWO_DC["east"], TWO_DC["west"]
    low_w, all_w = TWO_DC["ws"]
    local, crossing = medians
    far = next(node for node in home if node in west)
    others = [node for node in home if node in east and node != near]
    q2 = ValueQuestion(
        "ex11.q2",
        f"Build lesson 11's two datacentres: dl.Cluster(nodes={list(east) + list(west)!r}, "
        f"n=3, r=2, w=2, seed={TWO_DC['seed']}), with {', '.join(east)} in the east, "
        f"{', '.join(west)} in the west, and set_link(a, b, latency=dl.latency.Constant("
        f"{cross})) for every east-west pair ({cross} ms each way). The key {key!r} has home "
        f"replicas {list(home)}. Through coordinator={near!r}, in the east, write it "
        f"{TWO_DC['writes']} times with w={low_w}, then {TWO_DC['writes']} times with "
        f"w={all_w} (ALL). What is the median write latency of each? Answer with a pair "
        f"(W = {low_w}, W = {all_w}) of numbers of milliseconds from 0 to 500. The checker "
        f"accepts each median within {tolerance} ms of the simulator's.",
        answer=medians,
        abs_tol=tolerance,
        form=Tuple([Number(0, 500), Number(0, 500)],
                   description=f"a pair (W = {low_w}, W = {all_w}) of numbers of milliseconds "
                               "from 0 to 500",
                   example="(100, 200)"),
        wrong={(2 * cross, 2 * cross):
                   f"W = {low_w} does not cross: {near}'s own copy and "
                   f"{' and '.join(others)}'s acknowledgement are both in the east. Only "
                   f"W = {all_w} waits for {far}, in the west.",
               (local, local):
                   f"W = {all_w} (ALL) needs an acknowledgement from every home replica, "
                   f"{far} in the west too: two copies in the east are not enough.",
               (local, cross):
                   f"{cross} ms is one crossing. The coordinator must hear back: the write "
                   "goes west and the acknowledgement comes east, a round trip.",
               (local, 4 * cross):
                   f"{4 * cross} ms would be two round trips, one replica after the other. "
                   "The coordinator sends the write to all N replicas at once, so it waits "
                   "for the slowest one, once."},
        default_message=(f"for each W, count which of {list(home)} must acknowledge before "
                         f"{near} answers, and which of them sit in the west."),
        hints=[f"Which of {list(home)} are in the east, and which in the west? The coordinator "
               f"{near} holds a copy itself. Which acknowledgements does W = {low_w} wait for, "
               f"and which W = {all_w}?",
               "The coordinator sends to all three replicas in parallel and answers after the "
               "W-th acknowledgement. The east replicas answer in a millisecond or two; "
               f"{far} needs {cross} ms there and {cross} ms back."],
        solution_text=(
            f"about ({local:.1f}, {crossing:.1f}) ms. At W = {low_w}, {near}'s own copy and "
            f"{' and '.join(others)}'s acknowledgement are enough, both in the east, so the "
            f"median is a few milliseconds. At W = {all_w} the write also waits for {far} in "
            f"the west: {cross} ms there and {cross} ms back on constant links, and the east "
            f"acknowledgements have arrived long before, so the median is the round trip, "
            f"{crossing:.1f} ms. With W = {all_w} every write crosses between the datacentres, "
            f"whichever side coordinates it; with W = {low_w} only a coordinator on the side "
            "with one replica pays the crossing."))
    answer = _dashboard_answer()
    line_of = {name: line for name, (line, _) in ALERT_LINES.items()}
    readings = _dashboard_readings()
    read_name, success_name, stale_name = ALERT_LINES
    crossed = _crossed()
    split = (f"the seconds from {DASHBOARD_RUN['from_ms'] // 1000} to "
             f"{DASHBOARD_RUN['to_ms'] // 1000 - 1}")
    explanations = {
        "a": f"in {split} the worst was {readings[read_name]}, under its line. Only "
             "successful reads enter the latency percentile, and a read that cannot reach R "
             "replicas fails instead of waiting longer.",
        "b": f"in {split} the worst was {readings[success_name]}, which does not cross "
             "its line.",
        "c": f"in {split} the worst was {readings[stale_name]}, under its line. The "
             "lesson's stale reads came from its sloppy quorum, which kept both sides writing. "
             "A strict quorum refuses those writes instead, and a read that succeeds overlaps "
             "the last acknowledged write.",
        "d": "at least one metric crossed its line in " + split + ": "
             + "; ".join(readings[name] for name in crossed) + ".",
    }
    explanations.pop(answer)
    q3 = ChoiceQuestion(
        "ex11.q3",
        "Run lesson 11's dashboard scenario again with one change: a strict quorum "
        "(sloppy_quorum=False). Five nodes, N = 3, R = W = 2, seed 1, 8 clients behind a load "
        "balancer (coordinator='random'), 0.3 requests per ms for 12 s, 50 keys, and {A, B} "
        "cut off from {C, D, E} from 4 s to 8 s. The alert lines are read p99 above "
        f"{line_of['quorum_read_latency_ms (p99)']:g} ms, write success below "
        f"{line_of['write_success_rate']:.0%}, stale reads above "
        f"{line_of['stale_read_pct']:g}%. Which metric crosses its alert line during the "
        f"partition, in {split}? Answer with one letter from 'a' to 'd'.",
        options=_METRIC_OPTIONS,
        answer=answer,
        explanations=explanations,
        hints=["Copy the lesson's cell and add sloppy_quorum=False to dl.Cluster(...). Then "
               f"compare each metric with its line in {split}.",
               "A strict quorum counts only the N home replicas. On the side that holds fewer "
               "than W of a key's home replicas, what happens to a write of that key?"],
        solution_text=(
            f"({answer}) {_METRIC_OPTIONS['abcd'.index(answer)]}. The worst second of each "
            f"metric in {split}: " + "; ".join(readings.values()) + ". "
            + (f"Only {crossed[0]} crosses its line. " if crossed else
               "No metric crosses its line. ")
            + "A strict quorum refuses a write that cannot reach W home replicas, so write "
            "success falls. The reads that do succeed overlap the last acknowledged write, "
            "so they are not stale, and failed reads do not enter the latency percentile."))
    return q1, q2, q3
