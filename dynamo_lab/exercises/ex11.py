"""Exercises for lesson 11: choosing N, R and W.

>>> q1, q2, q3 = questions()
>>> q2.check(2 * TWO_DC["cross_ms"]).outcome
'correct'
>>> q2.check(TWO_DC["cross_ms"]).outcome
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
from .answer_forms import Boolean, Dict, Number, OneOf, WholeNumber
from .questions import ChoiceQuestion, ConfigQuestion, ValueQuestion

__all__ = ["questions", "ingest_service", "two_dc_median_ms", "dashboard", "INGEST_TARGETS",
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

#: Question 2: two datacentres, a one-way delay between them, and the write that crosses.
TWO_DC = {"east": ("A", "B", "C"), "west": ("D", "E", "F"), "cross_ms": 25, "seed": 0,
          "writes": 20, "w": 3}

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
def two_dc_median_ms() -> tuple[str, tuple[str, ...], str, float]:
    """(key, its home replicas, the east coordinator, median write latency in ms at W = 3)."""
    cluster, key = _two_dc_cluster()
    home = tuple(cluster.ring.home_replicas(key))
    near = next(node for node in home if node in TWO_DC["east"])
    latencies = [cluster.put(key, f"v{i}", w=TWO_DC["w"], coordinator=near).latency_ms
                 for i in range(TWO_DC["writes"])]
    return key, home, near, statistics.median(latencies)


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


def _times_past_line() -> dict[str, float]:
    """Per metric, how far past its alert line it went during the split (1 = on the line)."""
    during = dashboard().loc[DASHBOARD_RUN["from_ms"] // 1000:DASHBOARD_RUN["to_ms"] // 1000 - 1]
    found = {}
    for name, (line, above) in ALERT_LINES.items():
        if above:
            found[name] = during[name].max() / line
        else:
            found[name] = (1 - during[name].min()) / (1 - line)
    return found


#: The options of question 3: one per metric of ALERT_LINES, in order, then "none".
_METRIC_OPTIONS = ["quorum_read_latency_ms: reads slow down",
                   "write_success_rate: writes are refused",
                   "stale_read_pct: reads miss recent writes",
                   "none of them crosses its alert line"]


def _dashboard_answer() -> str:
    past = _times_past_line()
    worst = max(past, key=past.get)
    return "abc"[list(ALERT_LINES).index(worst)] if past[worst] > 1 else "d"


def questions():
    """The questions of exercise notebook 11, in order."""
    q1 = ConfigQuestion(
        "ex11.q1",
        "An ingestion service on spinning disks (the LNKD-DISK latency fit). Its targets: "
        "every acknowledged event is held by at least 2 nodes (W >= 2), write p99 <= 8 ms, "
        "read p99 <= 10 ms, at most 0.1% of reads started right after a write may miss it, "
        "and with any one node down every read and write succeeds. Choose a configuration "
        "for the 5-node cluster, checked by running the simulator as in lesson 11. Answer "
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
        hints=["Sweep first: sweep_configs(candidates, ex11.INGEST_TARGETS, "
               "latency=ex11.INGEST_FIT) over W = 2 and several N and R (see lesson 11). "
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
    key, home, near, median = two_dc_median_ms()
    cross = TWO_DC["cross_ms"]
    east, west = TWO_DC["east"], TWO_DC["west"]
    q2 = ValueQuestion(
        "ex11.q2",
        f"Build lesson 11's two datacentres: dl.Cluster(nodes={list(east) + list(west)!r}, "
        f"n=3, r=2, w=2, seed={TWO_DC['seed']}), with {', '.join(east)} in the east, "
        f"{', '.join(west)} in the west, and set_link(a, b, latency=dl.latency.Constant("
        f"{cross})) for every east-west pair ({cross} ms each way). The key {key!r} has home "
        f"replicas {list(home)}. Write it {TWO_DC['writes']} times with w={TWO_DC['w']} (ALL) "
        f"and coordinator={near!r}, in the east. What is the median write latency, in ms? "
        "Answer with a number of milliseconds from 0 to 500. The checker compares it with "
        "the simulator's median, within 10%.",
        answer=median,
        form=Number(0, 500, description="a number of milliseconds from 0 to 500"),
        wrong={cross: f"{cross} ms is one crossing. The coordinator must hear back: the write "
                      "goes west and the acknowledgement comes east, a round trip.",
               4 * cross: f"{4 * cross} ms would be two round trips, one replica after the "
                          "other. The coordinator sends the write to all N replicas at once, "
                          "so it waits for the slowest one, once.",
               2.0: "about 2 ms is what W = 2 costs from the east, where two home replicas "
                    "sit. W = 3 needs the replica in the west too."},
        rel_tol=0.10,
        hints=[f"Which of {list(home)} are in the east, and which in the west? W = 3 needs an "
               "acknowledgement from every one of them.",
               "The coordinator sends to all three replicas in parallel. The east replicas "
               f"answer in a millisecond or two; the west one needs {cross} ms there and "
               f"{cross} ms back."],
        solution_text=(f"about {median:.1f} ms: {2 * cross} ms of round trip to the replica "
                       "in the west, plus a little local time. With W = 3 every write crosses "
                       "between datacentres, whichever side coordinates it; with W = 2 only a "
                       "coordinator on the side with one replica pays the crossing."))
    past = _times_past_line()
    answer = _dashboard_answer()
    line_of = {name: line for name, (line, _) in ALERT_LINES.items()}
    worst = dashboard().loc[DASHBOARD_RUN["from_ms"] // 1000:DASHBOARD_RUN["to_ms"] // 1000 - 1]
    explanations = {
        "a": "only successful reads enter the latency percentile, and those were as fast as "
             "ever: a read that cannot reach R replicas fails instead of waiting longer.",
        "b": "write success is the metric that moved: a strict quorum refuses a write it "
             "cannot place on W home replicas.",
        "c": "that was the sloppy quorum of the lesson, which kept both sides writing and so "
             "served stale reads. A strict quorum refuses the writes instead, and a read that "
             "succeeds overlaps the last acknowledged write.",
        "d": "at least one metric crossed its line: look at the seconds from 4 to 7.",
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
        f"{line_of['stale_read_pct']:g}%. Which metric goes furthest past its alert line "
        "during the partition? Answer with one letter from 'a' to 'd'.",
        options=_METRIC_OPTIONS,
        answer=answer,
        explanations=explanations,
        hints=["Copy the lesson's cell and add sloppy_quorum=False to dl.Cluster(...). Then "
               "compare each metric with its line in the seconds 4 to 7.",
               "A strict quorum counts only the N home replicas. On the side that holds fewer "
               "than W of a key's home replicas, what happens to a write of that key?"],
        solution_text=(
            f"({answer}) {_METRIC_OPTIONS['abcd'.index(answer)]}. Times past the alert line at "
            "the worst second: " + ", ".join(f"{name} {times:.2f}" for name, times in past.items())
            + f". Write success fell to {worst['write_success_rate'].min():.0%}: a strict "
              "quorum refuses writes that cannot reach W home replicas. The reads that did "
              "succeed overlapped the last acknowledged write, so stale reads stayed at "
              f"{worst['stale_read_pct'].max():.1f}%, and failed reads do not enter the "
              "latency percentile."))
    return q1, q2, q3
