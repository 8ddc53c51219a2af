"""The anomaly finder: search a configuration's runs for a concrete counterexample.

``find_anomaly(kind, **cluster_options)`` draws short random schedules from
a seed: clients reading and writing one key, partitions, slow links,
crashes, waits.
It runs each one on a fresh cluster with those options and checks the
resulting history for the anomaly. The first schedule that shows it is
*shrunk*: steps are removed one at a time for as long as the anomaly
survives, so what comes back is a minimal history (fewest operations and
faults) that a learner can read line by line.

Kinds:

``"stale_read"``
    a read missed a write acknowledged before it began (:func:`stale_reads`);
``"monotonic_read"``
    a read that began after another read had finished returned an older
    state: it holds neither the earlier read's value nor anything written
    after that value (invariant 5; blocking read repair prevents it);
``"non_linearizable"``
    no single-copy order explains the history (:func:`linearizable`);
``"lost_write"``
    after the faults stop and the cluster settles, an acknowledged write is
    gone (:func:`lost_writes`).

By default one client writes and two read, so that concurrent writers'
siblings (which a register model rejects outright) do not drown out the
interesting cases; ``writers=2`` lets two clients race (what last-write-wins
needs to lose a write).
Each write is a read-modify-write: its client reads the key, then writes
with that read's context, so the write replaces exactly what was read.

Examples
--------
>>> found = find_anomaly("monotonic_read", nodes=3, n=3, r=2, w=2,
...                      read_repair="async", seeds=range(2000))
>>> found.found, found.operations <= 4
(True, True)
>>> find_anomaly("monotonic_read", nodes=3, n=3, r=2, w=2, read_repair="blocking",
...              seeds=range(2000)).found
False
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..latency import Constant
from ..validation import boolean, whole_number
from .linearizability import linearizable
from .lost_writes import lost_writes
from .monotonic_reads import began_after, goes_back, put_invocations
from .staleness import stale_reads

__all__ = ["Anomaly", "find_anomaly", "KINDS", "run_schedule", "random_schedule"]

KINDS = ("stale_read", "monotonic_read", "non_linearizable", "lost_write")

#: The longest schedule :func:`find_anomaly` tries. Shrinking runs the
#: schedule again once per step it removes, so a long one costs its square;
#: the point of the search is a short counterexample, found in 14 steps or so.
MAX_STEPS = 1000
KEY = "x"
WRITERS, READERS = ("writer1", "writer2"), ("reader1", "reader2")
_OPS = ("put", "get")


@dataclass
class Anomaly:
    """What :func:`find_anomaly` found (``found`` False: nothing within the budget).

    Attributes
    ----------
    kind : str
    found : bool
    seed : int or None
        The seed whose schedule showed it.
    steps : list of tuple
        The shrunk schedule: ("put", client, coordinator), ("get", client,
        coordinator), ("wait", ms), ("partition", groups), ("heal",),
        ("slow", a, b, ms), ("crash", node), ("recover", node).
    history, faults : the run's history and injected faults
    witness : tuple
        The operations to blame (for a stale read: the read; for a
        non-linearizable history: the checker's witness).
    explanation : str
    runs : int
        How many schedules were run, shrinking included.
    cluster : the cluster of the shrunk run
    """

    kind: str
    found: bool
    seed: int | None = None
    steps: list = field(default_factory=list)
    history: Any = None
    faults: list = field(default_factory=list)
    witness: tuple = ()
    explanation: str = ""
    runs: int = 0
    cluster: Any = None

    @property
    def operations(self) -> int:
        return sum(step[0] in _OPS for step in self.steps)

    @property
    def fault_count(self) -> int:
        return sum(step[0] in ("partition", "crash", "slow") for step in self.steps)

    def describe(self) -> str:
        """The schedule and the history, one line each."""
        if not self.found:
            return f"no {self.kind} found in {self.runs} runs"
        lines = [f"{self.kind} (seed {self.seed}, {_count(self.operations, 'operation')} in "
                 f"the schedule, {_count(self.fault_count, 'fault')}): {self.explanation}",
                 "schedule:"]
        lines += [f"  {_step_text(step)}" for step in self.steps]
        lines.append("history (<- marks what the checker's witness names):")
        blamed = {op.op_id for op in self.witness}
        for op in self.history:
            mark = " <-" if op.op_id in blamed and op.type != "invoke" else ""
            value = "" if op.type == "invoke" and op.f == "get" else f" {op.value!r}"
            lines.append(f"  {op.time:8.3f} ms  {op.process:<8} {op.type:<6} {op.f}{value}"
                         f"{' via ' + op.node if op.node else ''}{mark}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        if not self.found:
            return f"<Anomaly {self.kind}: none found in {self.runs} runs>"
        return (f"<Anomaly {self.kind}: seed {self.seed}, {_count(self.operations, 'operation')}, "
                f"{_count(self.fault_count, 'fault')}; {self.explanation}>")


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _step_text(step) -> str:
    kind = step[0]
    if kind in _OPS:
        via = f" via {step[2]}" if step[2] else ""
        return f"{step[1]} starts a {kind}{via}"
    if kind == "wait":
        return f"wait {step[1]:g} ms"
    if kind == "slow":
        return f"slow link {step[1]}-{step[2]}: {step[3]:g} ms"
    if kind == "partition":
        return "partition " + " | ".join("[" + ", ".join(g) + "]" for g in step[1])
    return " ".join(str(part) for part in step)


def random_schedule(rng: random.Random, nodes: list[str], length: int,
                    writers: int = 1) -> list[tuple]:
    """A random schedule of ``length`` steps over ``nodes``."""
    steps = []
    for _ in range(length):
        roll = rng.random()
        if roll < 0.25:
            steps.append(("put", rng.choice(WRITERS[:writers]), rng.choice([None, *nodes])))
        elif roll < 0.65:
            steps.append(("get", rng.choice(READERS), rng.choice([None, *nodes])))
        elif roll < 0.85:
            steps.append(("wait", rng.choice([0.5, 1.0, 2.0, 5.0, 150.0])))
        elif roll < 0.9:
            shuffled = nodes[:]
            rng.shuffle(shuffled)
            cut = rng.randint(1, len(nodes) - 1)
            steps.append(("partition", (tuple(sorted(shuffled[:cut])),
                                        tuple(sorted(shuffled[cut:])))))
        elif roll < 0.93:
            steps.append(("heal",))
        elif roll < 0.97:
            # A degraded link: messages between two nodes take much longer.
            a, b = rng.sample(nodes, 2)
            steps.append(("slow", a, b, rng.choice([5.0, 20.0, 60.0])))
        else:
            steps.append((rng.choice(["crash", "recover"]), rng.choice(nodes)))
    return steps


def run_schedule(steps: list[tuple], seed: int, settle: bool = False, **cluster_options):
    """Run one schedule on a fresh cluster; return it afterwards.

    With ``settle``, the faults then stop and hints and anti-entropy run, as
    a lost-write check needs.
    """
    from ..cluster import Cluster

    cluster = Cluster(seed=seed, **cluster_options)
    counter = 0
    pending: dict[str, Any] = {}      # client -> its operation in flight
    to_write: dict[str, tuple] = {}   # client -> (value, coordinator) once its read returns

    def harvest():
        for name, op in list(pending.items()):
            if not op.done:
                continue
            del pending[name]
            if name in to_write:
                value, coordinator = to_write.pop(name)
                if op.result.ok:
                    pending[name] = cluster.client(name).start_put(
                        KEY, value, context=op.result.context, coordinator=coordinator)

    for step in steps:
        kind = step[0]
        harvest()
        if kind in _OPS:
            _, name, coordinator = step
            client = cluster.client(name)
            if coordinator is not None and coordinator not in cluster.nodes:
                continue
            if client.in_flight is None and name not in to_write:
                if kind == "put":
                    counter += 1
                    to_write[name] = (counter, coordinator)
                pending[name] = client.start_get(KEY, coordinator=coordinator)
        elif kind == "wait":
            # Advance in slices, so a read-modify-write writes as soon as its
            # read returns rather than at the next step.
            end = cluster.now + step[1]
            while cluster.now < end:
                cluster.run_for(min(0.25, end - cluster.now))
                harvest()
        elif kind == "partition":
            cluster.partition(*[list(g) for g in step[1]])
        elif kind == "heal":
            cluster.heal()
        elif kind == "slow":
            cluster.set_link(step[1], step[2], latency=Constant(step[3]))
        elif kind == "crash" and cluster.is_up(step[1]):
            cluster.crash(step[1])
        elif kind == "recover" and not cluster.is_up(step[1]):
            cluster.recover(step[1])
    for _ in range(3):                # let read-modify-writes finish their writes
        cluster.run_until_idle()
        harvest()
    cluster.run_until_idle()
    if settle:
        cluster.network.clear_links()
        cluster.heal()
        for node in cluster.down:
            cluster.recover(node)
        cluster.run_for(2_000)
        cluster.settle(max_rounds=5)
    return cluster


def _judge(kind: str, cluster) -> tuple[tuple, str] | None:
    """(witness, explanation) if the cluster's run shows the anomaly, else None."""
    history = cluster.history
    if kind == "stale_read":
        stale = stale_reads(history)
        if stale:
            s = stale[0]
            read = next(op for op in history if op.op_id == s.op_id and op.type == "ok")
            return (read,), (f"{s.process}'s read returned {s.returned!r}, missing "
                             f"{s.versions_behind} acknowledged write(s) ({s.missed!r}) that "
                             f"completed {s.ms_behind:.2f} ms before it began")
    elif kind == "monotonic_read":
        found = _monotonic_violation(history)
        if found:
            first, later = found
            return (first, later), (f"{later.process}'s read returned {later.value!r} after "
                                    f"{first.process}'s read had already returned "
                                    f"{first.value!r}: it went back in time")
    elif kind == "non_linearizable":
        verdict = linearizable(history, model="register", timeout_s=2.0)
        if verdict.valid is False:
            return verdict.witness, verdict.explanation
    elif kind == "lost_write":
        final = cluster.get(KEY, r=cluster.n)
        if not final.ok:
            return None   # a final read that failed proves nothing either way
        report = lost_writes(history, {KEY: final.values})
        if report.lost:
            return (), f"acknowledged writes {report.lost[KEY]!r} are gone after the cluster settled"
    return None


def _monotonic_violation(history):
    """(earlier read, later read) where the later one went back in time, or None."""
    pairs = history.pairs()
    invoked = put_invocations(pairs)
    reads = sorted(((inv, done) for inv, done in pairs
                    if inv.f == "get" and done is not None and done.type == "ok"),
                   key=lambda pair: pair[1].time)
    for first_inv, first in reads:
        if not first.value:
            continue   # an empty read cannot be gone back from
        for later_inv, later in reads:
            if began_after(later_inv, first) and goes_back(first, later, invoked):
                return first, later
    return None


def find_anomaly(kind: str, *, seeds=range(500), steps: int = 14, writers: int = 1,
                 time_budget_s: float | None = None, shrink: bool = True,
                 **cluster_options) -> Anomaly:
    """Search seeded schedules for ``kind`` under ``cluster_options`` (see the module docstring).

    Parameters
    ----------
    kind : "stale_read", "monotonic_read", "non_linearizable" or "lost_write"
    seeds : iterable of int
        The seeds to try, each giving one schedule and the cluster's seed.
    steps : int
        Steps per schedule before shrinking.
    writers : int
        How many clients write (1 or 2).
    time_budget_s : float, optional
        Give up (``found`` False) once the search has run this many seconds
        of wall-clock time. None (the default): try every seed, so the result
        is the same on any machine; with a budget it can depend on speed.
    shrink : bool
        Remove steps while the anomaly survives.
    **cluster_options
        Passed to :class:`~dynamo_lab.cluster.Cluster` (e.g. ``n=3, r=2, w=2,
        read_repair="async"``); ``nodes`` defaults to 5.
    """
    if not isinstance(kind, str) or kind not in KINDS:
        raise ValueError(f"unknown anomaly kind {kind!r}; choose one of {', '.join(KINDS)}")
    whole_number("steps", steps, low=1)
    if steps > MAX_STEPS:
        raise ValueError(f"steps={steps} is too many: a schedule has at most {MAX_STEPS} steps")
    if isinstance(writers, bool) or writers not in (1, 2):
        raise ValueError(f"writers must be 1 or 2, got {writers!r}")
    boolean("shrink", shrink)
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Iterable):
        raise ValueError(f"seeds must be an iterable of integers such as range(500), got {seeds!r}")
    options = {"nodes": 5, **cluster_options}
    from ..cluster import Cluster

    unknown = sorted(set(options) - _cluster_options(Cluster))
    if unknown:
        raise ValueError(f"unknown cluster option(s) {', '.join(map(repr, unknown))}; the "
                         f"options are {', '.join(sorted(_cluster_options(Cluster)))}")
    names = Cluster(**{**options, "seed": 0}).nodes   # validates the options once
    settle = kind == "lost_write"
    if time_budget_s is not None and (isinstance(time_budget_s, bool)
                                      or not isinstance(time_budget_s, (int, float))
                                      or not time_budget_s > 0):
        raise ValueError(f"time_budget_s must be None or a number of seconds > 0, "
                         f"got {time_budget_s!r}")
    deadline = math.inf if time_budget_s is None else time.perf_counter() + time_budget_s
    runs = 0
    for seed in seeds:
        if time.perf_counter() > deadline:
            break
        schedule = random_schedule(random.Random(seed), names, steps, writers)
        cluster = run_schedule(schedule, seed, settle, **options)
        runs += 1
        if _judge(kind, cluster) is None:
            continue
        if shrink:
            schedule, extra = _shrink(kind, schedule, seed, settle, options, deadline)
            runs += extra
            cluster = run_schedule(schedule, seed, settle, **options)
        witness, explanation = _judge(kind, cluster)
        return Anomaly(kind, True, seed, schedule, cluster.history, list(cluster.faults),
                       tuple(witness), explanation, runs, cluster)
    return Anomaly(kind, False, runs=runs)


def _cluster_options(cluster_class) -> set[str]:
    """The keyword options of ``cluster_class`` that a search may set (all but ``seed``)."""
    import inspect

    parameters = inspect.signature(cluster_class).parameters
    return {name for name in parameters if name != "seed"}


def _shrink(kind, schedule, seed, settle, options, deadline) -> tuple[list, int]:
    """Drop steps one at a time while the anomaly survives (1-minimal)."""
    runs = 0
    changed = True
    while changed and time.perf_counter() < deadline:
        changed = False
        for i in range(len(schedule)):
            candidate = schedule[:i] + schedule[i + 1:]
            runs += 1
            if _judge(kind, run_schedule(candidate, seed, settle, **options)) is not None:
                schedule = candidate
                changed = True
                break
    return schedule, runs
