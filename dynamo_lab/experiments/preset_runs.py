"""Real systems side by side: the experiments behind the presets appendix.

:func:`compare_presets` gives one row of numbers per system: the same
workload and fault schedule (:data:`DEFAULT_FAULTS`) on each preset of
:mod:`dynamo_lab.presets`. The other functions open those numbers up:

* :func:`run_preset`: the same workload and fault schedule on one preset,
  keeping the cluster and the :class:`~dynamo_lab.experiments.workload.WorkloadReport`
  (optionally after letting the cluster run idle for a while first, or with
  some options overridden);
* :func:`outcomes_by_phase`: how many reads and writes succeeded, were
  refused at once (``fail``) or timed out (``info``) in each phase of the
  fault schedule;
* :func:`stale_read_kinds`: splits the stale reads of a history into reads
  that returned a value older than a write they missed, and reads whose
  returned write overlapped the missed one in time;
* :func:`request_with_replicas_down`: one put and one get at chosen levels
  while some of a key's home replicas are down (the appendix's widget).

Examples
--------
>>> outcome = request_with_replicas_down("cassandra", write_level="ANY", read_level="ONE",
...                                      down=3)
>>> outcome.write.ok, outcome.write.acks, sorted(outcome.write.kept_hints) == sorted(outcome.home)
(True, (), True)
>>> outcome.read.status
'fail'
>>> request_with_replicas_down("dynamodb", write_level="ANY", down=1).write_error[:27]
"w='ANY' needs hinted handof"
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..presets import PRESETS, resolve_preset

__all__ = ["DEFAULT_FAULTS", "PresetRun", "run_preset", "compare_presets", "outcomes_by_phase",
           "stale_read_kinds",
           "RequestOutcome", "request_with_replicas_down", "WRITE_LEVELS", "READ_LEVELS"]

#: The fault schedule of :func:`compare_presets` (ms from the start): node A
#: crashes, the cluster splits {B, C} | {A, D, E} while A is still down (so
#: 2 | 2 live nodes) and heals, then A comes back.
DEFAULT_FAULTS = ((1_000.0, "crash", "A"), (2_000.0, "partition", ["B", "C"], ["A", "D", "E"]),
                  (3_000.0, "heal"), (4_000.0, "recover", "A"))


@dataclass
class PresetRun:
    """One preset's cluster after :func:`run_preset`, and its workload report."""

    name: str
    cluster: Any
    report: Any


def run_preset(preset, *, duration_ms: float = 6_000.0, rate_per_ms: float = 1.0,
               keys: int = 30, clients: int = 8, faults=DEFAULT_FAULTS, seed: int = 0,
               warmup_ms: float = 0.0, **overrides) -> PresetRun:
    """Run :func:`compare_presets`' workload on one preset (a name or a :class:`Preset`).

    A 5-node cluster with the preset's options (``overrides`` replace some)
    first runs idle for ``warmup_ms`` (gossip and heartbeats flow, nothing
    is written), then :func:`dynamo_lab.experiments.workload.run` drives it for
    ``duration_ms`` with ``clients`` clients issuing ``rate_per_ms`` requests
    per ms in all on ``keys`` keys, with ``faults`` timed from the start of
    the workload. Returns the cluster, still running, and the report.
    """
    from .workload import run

    if isinstance(warmup_ms, bool) or not isinstance(warmup_ms, (int, float)) \
            or not math.isfinite(warmup_ms) or warmup_ms < 0:
        raise ValueError(f"warmup_ms must be a finite number >= 0, got {warmup_ms!r}")
    chosen = resolve_preset(preset)
    cluster = chosen.cluster(seed=seed, **overrides)
    if warmup_ms:
        cluster.run_for(warmup_ms)
    report = run(cluster, duration_ms=duration_ms, arrival_rate_per_ms=rate_per_ms, keys=keys,
                 clients=clients, faults=faults, seed=seed, progress=False)
    return PresetRun(chosen.name, cluster, report)


def compare_presets(names=None, *, duration_ms: float = 6_000.0, rate_per_ms: float = 1.0,
                    keys: int = 30, clients: int = 8, faults=DEFAULT_FAULTS, seed: int = 0,
                    latency=None, warmup_ms: float = 0.0):
    """Run the same workload and fault schedule on each preset, side by side.

    Every preset's cluster (5 nodes, the same ``seed`` and ``latency``) runs
    :func:`dynamo_lab.experiments.workload.run` for ``duration_ms`` with ``clients``
    clients issuing ``rate_per_ms`` requests per ms in all, on ``keys`` keys,
    with the same ``faults`` and workload seed. Afterwards hints are
    delivered and anti-entropy runs until nothing changes, and a read at ALL
    of every key is checked with :func:`dynamo_lab.checks.lost_writes`.

    Returns a pandas DataFrame, one row per preset: read and write p50/p99
    latency (ms), the share of reads and writes that succeeded, the share of
    successful reads that were stale, and acknowledged writes lost.

    What the numbers owe to the model rather than to the systems:

    - the clusters start cold: a failure detector that learns from traffic
      or heartbeats (phi, for Cassandra) needs time before it suspects
      anyone, so ``warmup_ms`` of idle running first (gossip only) changes
      the refusals a lot;
    - background anti-entropy runs every 10 s, so a 6 s run never sees it;
    - the workload's clients send each key's requests to the first live node
      of its preference list, whichever side of a partition it is on, and
      wait for each answer (closed loop), so slow failures (time-outs) cost
      fewer requests than fast refusals.
    """
    import pandas as pd

    from ..checks.lost_writes import lost_writes

    names = list(PRESETS) if names is None else list(names)
    for name in names:
        if name not in PRESETS:
            raise KeyError(f"unknown preset {name!r}; choose from {', '.join(PRESETS)}")
    rows = []
    extra = {} if latency is None else {"latency": latency}
    for name in names:
        ran = run_preset(name, duration_ms=duration_ms, rate_per_ms=rate_per_ms, keys=keys,
                         clients=clients, faults=faults, seed=seed, warmup_ms=warmup_ms,
                         **extra)
        cluster, report = ran.cluster, ran.report
        # The faults stop (a schedule longer than the run may have left a node
        # down or a partition up): then the cluster settles, and every key is
        # read at ALL.
        cluster.stop_anti_entropy()
        cluster.heal()
        for node in cluster.down:
            cluster.recover(node)
        cluster.run_until_idle()
        cluster.settle()
        finals = {key: _final_read(cluster, key) for key in cluster.keys()}
        lost = lost_writes(cluster.history, finals)
        m = report.metrics
        acknowledged = int((report.frame.f.eq("put") & report.frame.status.eq("ok")).sum())
        rows.append({
            "preset": name,
            "read p50 (ms)": m["quorum_read_latency_ms"]["p50"],
            "read p99 (ms)": m["quorum_read_latency_ms"]["p99"],
            "write p50 (ms)": m["quorum_write_latency_ms"]["p50"],
            "write p99 (ms)": m["quorum_write_latency_ms"]["p99"],
            "reads ok": m["read_success_rate"],
            "writes ok": m["write_success_rate"],
            "stale reads": m["stale_read_pct"] / 100.0,
            "acknowledged writes": acknowledged,
            "lost writes": sum(len(values) for values in lost.lost.values()),
        })
    return pd.DataFrame(rows).set_index("preset")


def _final_read(cluster, key: str) -> list:
    read = cluster.get(key, r="ALL")
    if not read.ok:   # pragma: no cover - every node is up and the cluster settled
        raise RuntimeError(f"the final read of {key!r} failed after the cluster settled: {read}")
    return read.values


#: Write levels the appendix's widget offers (every preset's cluster accepts them).
WRITE_LEVELS = ("ONE", "QUORUM", "ALL", "ANY")
#: Read levels the widget offers (ANY is a write level only).
READ_LEVELS = ("ONE", "QUORUM", "ALL")


def _phase_labels(faults) -> list[tuple[float, str]]:
    """(start, label) of each phase: the run's start, then one per fault time."""
    phases = [(0.0, "0 ms: start")]
    for time_ms, action, *args in sorted(faults, key=lambda f: f[0]):
        what = action if not args else action + " " + " | ".join(
            ", ".join(a) if isinstance(a, (list, tuple)) else str(a) for a in args)
        if phases[-1][0] == float(time_ms) and len(phases) > 1:
            phases[-1] = (phases[-1][0], phases[-1][1] + "; " + what)
        else:
            phases.append((float(time_ms), f"{time_ms:g} ms: {what}"))
    return phases


def outcomes_by_phase(report, faults=DEFAULT_FAULTS):
    """Count reads and writes by outcome in each phase of ``faults``.

    An operation belongs to the phase in which it started (times counted
    from the start of the run, as in the fault schedule). Returns a pandas
    DataFrame with one row per phase and the columns ``reads ok``,
    ``reads refused`` (``fail``: too few replicas looked reachable, nothing
    was sent), ``reads timed out`` (``info``), and the same for writes.
    """
    import pandas as pd

    phases = _phase_labels(faults)
    starts = [start for start, _ in phases]
    frame = report.frame
    elapsed = frame["start_ms"] - report.start_ms
    index = [sum(t >= s for s in starts[1:]) for t in elapsed]
    names = {"ok": "ok", "fail": "refused", "info": "timed out"}
    rows = {label: {f"{kind} {names[status]}": 0 for kind in ("reads", "writes")
                    for status in names} for _, label in phases}
    for i, f, status in zip(index, frame["f"], frame["status"]):
        kind = "reads" if f == "get" else "writes"
        rows[phases[i][1]][f"{kind} {names[status]}"] += 1
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "phase"
    return table


def stale_read_kinds(history) -> dict[str, int]:
    """Split the stale reads of ``history`` by what they returned instead.

    A stale read (:func:`dynamo_lab.checks.stale_reads`) missed a write
    acknowledged before it began. It is counted as ``"older value"`` when
    it missed some write that was invoked after every write whose value it
    returned had been acknowledged (or it returned nothing): the read
    returned data that was out of date in real time, as a lagging replica
    does. Otherwise every write it missed overlapped in time with a write
    it returned (one not yet acknowledged when the missed write began), and
    it is counted as ``"concurrent write"``: a store that ranks concurrent
    writes, as last-write-wins does, may legitimately have ranked the
    returned one above the missed one, and then the missed write is lost.

    Returns ``{"older value": count, "concurrent write": count}``.
    """
    from ..checks import stale_reads

    pairs = history.pairs()
    puts = {(inv.key, repr(inv.value)): (inv, done) for inv, done in pairs
            if inv.f == "put"}
    counts = {"older value": 0, "concurrent write": 0}
    for stale in stale_reads(history):
        ended = []
        for value in stale.returned:
            found = puts.get((stale.key, repr(value)))
            if found is None:
                continue                   # nothing written: older than any write
            done = found[1]
            ended.append(done.time if done is not None and done.type == "ok" else math.inf)
        older = any(all(end < puts[(stale.key, repr(value))][0].time for end in ended)
                    for value in stale.missed if (stale.key, repr(value)) in puts)
        counts["older value" if older else "concurrent write"] += 1
    return counts


@dataclass
class RequestOutcome:
    """What :func:`request_with_replicas_down` saw.

    Attributes
    ----------
    preset : str
    home : list of str
        The key's home replicas, in preference-list order.
    down : list of str
        The home replicas crashed before the two requests (the first ones
        of the preference list).
    coordinator : str
        The node both requests went through: the first node of the key's
        preference list that is not a home replica.
    write, read : WriteResult or ReadResult, or None
        None when the cluster refused the level (see the ``*_error``).
    write_error, read_error : str or None
        The cluster's message when it refused the level itself.
    replicas : Replicas
        What each node held for the key once everything had landed.
    """

    preset: str
    write_level: Any
    read_level: Any
    home: list
    down: list
    coordinator: str
    write: Any
    write_error: str | None
    read: Any
    read_error: str | None
    replicas: Any

    def report(self) -> str:
        """The outcome as a few lines of text."""
        lines = [f"{self.preset}: home replicas {', '.join(self.home)}; down: "
                 f"{', '.join(self.down) or 'none'}; coordinator {self.coordinator} "
                 "(not a home replica)",
                 f"put 'new' at w={self.write_level}: {self.write_error or self.write}"]
        if self.write is not None and self.write.kept_hints:
            lines.append(f"    the coordinator keeps hints for {', '.join(self.write.kept_hints)}")
        if self.write is not None and self.write.hinted:
            lines.append("    fallbacks took the write: " + ", ".join(
                f"{node} for {owner}" for node, owner in self.write.hinted.items()))
        lines.append(f"get at r={self.read_level}: {self.read_error or self.read}")
        lines.append(str(self.replicas))
        return "\n".join(lines)


def request_with_replicas_down(preset, *, write_level="QUORUM", read_level="QUORUM",
                               down: int = 1, seed: int = 0, oracle: bool = True,
                               key: str = "k") -> RequestOutcome:
    """One put and one get of ``key`` while ``down`` of its home replicas are down.

    The preset's cluster (5 nodes, ``seed``) first stores ``"old"`` on every
    home replica and reads it back. Then the first ``down`` home replicas
    crash, and a client writes ``"new"`` with the context of that read (so it
    replaces ``"old"``) at ``write_level`` and at once reads at ``read_level``,
    both through the first node of the preference list that is not a home
    replica. With ``oracle=True`` the cluster uses the ``"oracle"`` failure
    detector, so the coordinator already knows who is down (as it would once
    its real detector had noticed); with ``oracle=False`` it keeps the
    preset's own detector, which has not noticed anything yet. A level the
    cluster refuses outright (ANY without hinted handoff, ANY for a read) is
    reported in ``write_error`` / ``read_error`` rather than raised.
    """
    preset = resolve_preset(preset)
    if isinstance(down, bool) or not isinstance(down, int) or not 0 <= down <= 3:
        raise ValueError(f"down must be a whole number from 0 to 3, got {down!r}")
    if not isinstance(oracle, bool):
        raise ValueError(f"oracle must be True or False, got {oracle!r}")
    cluster = preset.cluster(seed=seed, **({"failure_detector": "oracle"} if oracle else {}))
    n = cluster.n
    if down > n:
        raise ValueError(f"down={down} is more than the N={n} home replicas")
    preference = cluster.ring.preference_list(key)
    home, coordinator = preference[:n], preference[n]
    cluster.put(key, "old", w="ALL", coordinator=home[0])
    cluster.run_until_idle()
    context = cluster.get(key, r="ALL", coordinator=home[0]).context
    crashed = home[:down]
    for node in crashed:
        cluster.crash(node)
    write = read = None
    write_error = read_error = None
    try:
        write = cluster.put(key, "new", context, w=write_level, coordinator=coordinator)
    except ValueError as error:            # the cluster refused the level itself
        write_error = str(error)
    try:
        read = cluster.get(key, r=read_level, coordinator=coordinator)
    except ValueError as error:
        read_error = str(error)
    cluster.run_until_idle()
    return RequestOutcome(preset.name, write_level, read_level, home, crashed, coordinator,
                          write, write_error, read, read_error, cluster.replicas(key))
