"""Service targets: judge a choice of N, R, W and options by running it.

A service does not ask for "N = 3, R = 2, W = 2". It asks for outcomes: most
requests answered within a latency bound (Dynamo's SLA example is 99.9% of
requests within 300 ms, DeCandia et al., SOSP 2007, §2.2), reads that rarely
miss a write that was just acknowledged, and no failed request when one node
crashes or the network splits.
:class:`ServiceTargets` writes such targets down, and :func:`judge` checks a
configuration against them by running the simulator:

- **latency**: :func:`dynamo_lab.experiments.workload.run` drives a cluster whose
  messages take the delays of a PBS production fit (``YMMR`` by default, the
  Yammer Riak fit of Bailis et al., PVLDB 2012, Table 3, whose write leg has a
  heavy tail); the read and write percentiles are those of its successful
  operations. The default percentile is the 99th: a run of 3000
  operations has about 1500 of each kind, so its p99 rests on the 15 slowest,
  while its p99.9 rests on one or two and jumps from seed to seed;
- **staleness**: :func:`dynamo_lab.pbs.simulate_t_visibility` writes fresh
  keys and reads each one the moment its write is acknowledged; the share of
  those reads that miss the write is compared with the target.

Both use one coordinator model, which every report states
(:data:`COORDINATORS`): each request goes to the key's first home replica,
as a partition-aware client sends it, and that replica serves its own share
in the time of its WARS legs, as the other replicas do over the network
(``service_time="legs"``, :mod:`dynamo_lab.latency.service`). So R = 1 and
W = 1 are not free: on LNKD-SSD a read at R = 1 takes about 0.66 ms at
p99.9, as PBS reports.
- **a crash**: each node in turn is crashed and a workload runs; every read
  and every write must succeed;
- **a partition**: the network splits the first two nodes from the rest and
  a workload runs; every write must succeed (an "always writable" service);
- **durability** (off unless asked for): every acknowledged write must be
  held by at least ``min_acked_copies`` nodes. Nothing is run for it: a write
  is acknowledged once W nodes hold it, so it is met exactly when
  W >= ``min_acked_copies``.

The fault runs use the ``"oracle"`` failure detector: they ask what the
quorum arithmetic allows once the failure has been noticed, not how long the
detector takes to notice it (that is :mod:`dynamo_lab.phi_accrual`'s subject).

:func:`measure` runs the experiments once and returns the numbers;
:func:`judge` compares them with the targets and returns a
:class:`TargetReport` with one row per target; :func:`sweep_configs`
tabulates many candidates with :func:`dynamo_lab.experiments.sweep`.

Examples
--------
>>> targets = ServiceTargets(read_latency_ms=300, write_latency_ms=300, max_stale_pct=0.1,
...                          survive_crash=True, writable_in_partition=True)
>>> report = judge({"n": 3, "r": 2, "w": 2}, targets, ops=600, visibility_trials=200,
...                fault_ops=60)
>>> report.passed
True
>>> [row.target for row in report.rows]  # doctest: +NORMALIZE_WHITESPACE
['read latency p99 <= 300 ms', 'write latency p99 <= 300 ms',
 'stale reads <= 0.1%', 'any one node down: every read and write succeeds',
 'partition [A, B] | [C, D, E]: every write succeeds']
>>> weak = judge({"n": 3, "r": 1, "w": 1}, targets, ops=600, visibility_trials=200,
...              fault_ops=60)
>>> weak.passed, [row.passed for row in weak.rows]
(False, [True, True, False, True, True])
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

from ..latency import LNKD_DISK, LNKD_SSD, WAN, WARS, YMMR
from ..validation import whole_number
from .uncertainty import (MIN_TAIL_SAMPLES, MIN_TRIALS, tail_samples, trials_for, verdict,
                          wilson_interval)

__all__ = ["ServiceTargets", "TargetCheck", "TargetReport", "Measurements", "measure", "judge",
           "sweep_configs", "CONFIG_OPTIONS", "LATENCY_FITS", "PERCENTILES", "METHODS",
           "PBS_TRIALS", "COORDINATORS", "SWEEP_COORDINATORS"]

#: The configuration keys a judged configuration may set (everything else is fixed).
CONFIG_OPTIONS = ("n", "r", "w", "sloppy_quorum", "hinted_handoff", "read_repair")
#: Latency fits :func:`measure` accepts by name (PBS Table 3).
LATENCY_FITS = {"YMMR": YMMR, "LNKD-DISK": LNKD_DISK, "LNKD-SSD": LNKD_SSD}
#: Latency percentiles a target may name (those
#: :func:`dynamo_lab.experiments.workload.run` reports).
PERCENTILES = ("p50", "p99", "p99.9")

#: The coordinator model of every measurement, as every report states it.
COORDINATORS = ("coordinator: the key's first home replica, for latency and staleness alike; "
                "it serves its own share in its WARS legs' time")
#: The ``coordinator`` column of :func:`sweep_configs`, by who answered. PBS's
#: model reaches all N replicas over their legs, which with identical legs
#: gives the same distributions as the simulator's.
SWEEP_COORDINATORS = {"simulator": "first home replica, paying its own legs",
                      "PBS Monte Carlo (WARS)": "outside the replica set (PBS)"}

#: Requests never time out in these runs, so a slow one is measured, not cut short.
_NO_TIMEOUT_MS = 600_000.0


def _check_ms(name: str, value, allow_none: bool = True):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0{' or None' if allow_none else ''}, "
                         f"got {value!r}")
    return float(value)


@dataclass(frozen=True)
class ServiceTargets:
    """What a service needs from its store.

    Parameters
    ----------
    read_latency_ms, write_latency_ms : float or None
        Upper bound on the ``percentile`` of successful reads (writes), in
        ms; None: no latency target for that operation.
    percentile : str
        ``"p50"``, ``"p99"`` (the default) or ``"p99.9"`` (as in Dynamo's SLA,
        but it takes many more operations to measure steadily).
    max_stale_pct : float or None
        Upper bound, in percent, on reads started the moment a write was
        acknowledged that miss it (0 allowed); None: no staleness target.
    survive_crash : bool
        With any one node down, every read and every write must succeed.
    writable_in_partition : bool
        During a partition that cuts the first two nodes off from the rest,
        every write must succeed.
    min_acked_copies : int or None
        Every acknowledged write must be held by at least this many nodes,
        that is W >= ``min_acked_copies`` (judged from the configuration);
        None (the default): no durability target.

    Examples
    --------
    >>> ServiceTargets(write_latency_ms=50).describe()  # doctest: +NORMALIZE_WHITESPACE
    ['read latency p99 <= 300 ms', 'write latency p99 <= 50 ms', 'stale reads <= 0.1%',
     'any one node down: every read and write succeeds']
    >>> ServiceTargets(survive_crash=False, min_acked_copies=2).describe()
    ... # doctest: +NORMALIZE_WHITESPACE
    ['read latency p99 <= 300 ms', 'write latency p99 <= 300 ms', 'stale reads <= 0.1%',
     'acknowledged writes held by >= 2 nodes']
    >>> ServiceTargets(percentile="p95")
    Traceback (most recent call last):
    ...
    ValueError: percentile must be one of 'p50', 'p99', 'p99.9', got 'p95'
    """

    read_latency_ms: float | None = 300.0
    write_latency_ms: float | None = 300.0
    percentile: str = "p99"
    max_stale_pct: float | None = 0.1
    survive_crash: bool = True
    writable_in_partition: bool = False
    min_acked_copies: int | None = None

    def __post_init__(self):
        _check_ms("read_latency_ms", self.read_latency_ms)
        _check_ms("write_latency_ms", self.write_latency_ms)
        if self.percentile not in PERCENTILES:
            raise ValueError(f"percentile must be one of {', '.join(map(repr, PERCENTILES))}, "
                             f"got {self.percentile!r}")
        stale = self.max_stale_pct
        if stale is not None and (isinstance(stale, bool) or not isinstance(stale, (int, float))
                                  or not 0 <= stale <= 100):
            raise ValueError(f"max_stale_pct must be a percentage from 0 to 100 or None, "
                             f"got {stale!r}")
        for name in ("survive_crash", "writable_in_partition"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be True or False, got {getattr(self, name)!r}")
        copies = self.min_acked_copies
        if copies is not None and (isinstance(copies, bool) or not isinstance(copies, int)
                                   or copies < 1):
            raise ValueError(f"min_acked_copies must be a whole number >= 1 or None, "
                             f"got {copies!r}")

    def describe(self, nodes: Sequence[str] = ("A", "B", "C", "D", "E")) -> list[str]:
        """The targets in words, one per line of a report."""
        lines = []
        for kind in ("read", "write"):
            bound = getattr(self, f"{kind}_latency_ms")
            if bound is not None:
                lines.append(f"{kind} latency {self.percentile} <= {bound:g} ms")
        if self.max_stale_pct is not None:
            lines.append(f"stale reads <= {self.max_stale_pct:g}%")
        if self.survive_crash:
            lines.append("any one node down: every read and write succeeds")
        if self.writable_in_partition:
            lines.append(f"partition {_split_text(nodes)}: every write succeeds")
        if self.min_acked_copies is not None:
            lines.append(f"acknowledged writes held by >= {self.min_acked_copies} nodes")
        return lines


def _split(nodes: Sequence[str]) -> tuple[list[str], list[str]]:
    return list(nodes[:2]), list(nodes[2:])


def _split_text(nodes: Sequence[str]) -> str:
    small, large = _split(nodes)
    return f"[{', '.join(small)}] | [{', '.join(large)}]"


@dataclass(frozen=True)
class TargetCheck:
    """One row of a :class:`TargetReport`."""

    target: str
    measured: str
    passed: bool
    message: str
    #: True when the measurement cannot settle the target: the stale-read
    #: interval straddles the bound, or a percentile rests on too few samples.
    #: ``passed`` is then the verdict of the point estimate.
    uncertain: bool = False


@dataclass
class Measurements:
    """What :func:`measure` found for one configuration.

    Attributes
    ----------
    config : dict
        The configuration, with N, R, W and the options filled in.
    read_latency_ms, write_latency_ms : dict
        ``{"p50", "p99", "p99.9"}`` of the successful operations of the
        steady run (no faults).
    stale_pct : float
        Percent of reads, started the moment a write was acknowledged, that
        missed it.
    stale_reads, visibility_trials : int
        The stale reads counted, and the trials they were counted in.
    reads, writes : int
        The successful reads and writes of the steady run the percentiles
        come from.
    crash : dict or None
        node -> ``(failed reads, reads, failed writes, writes)`` with that node
        down; None when not measured.
    partition : tuple or None
        ``(failed writes, writes)`` during the partition; None when not measured.
    nodes : list of str
    """

    config: dict
    read_latency_ms: dict
    write_latency_ms: dict
    stale_pct: float
    crash: dict | None = None
    partition: tuple | None = None
    nodes: list = field(default_factory=list)
    stale_reads: int = 0
    visibility_trials: int = 0
    reads: int = 0
    writes: int = 0

    @property
    def stale_interval_pct(self) -> tuple[float, float]:
        """The 95% (Wilson) interval of :attr:`stale_pct`, in percent."""
        low, high = wilson_interval(self.stale_reads, self.visibility_trials)
        return 100.0 * low, 100.0 * high

    def worst_crash(self) -> tuple[str, int, int, int, int] | None:
        """The crashed node with the most failed operations, and its counts."""
        if not self.crash:
            return None
        node = max(self.crash, key=lambda x: (self.crash[x][0] + self.crash[x][2],
                                              -self.nodes.index(x)))
        return (node, *self.crash[node])


@dataclass
class TargetReport:
    """A configuration judged against targets: one :class:`TargetCheck` per target."""

    config: dict
    targets: ServiceTargets
    rows: list
    measurements: Measurements

    @property
    def passed(self) -> bool:
        """True when every target is met."""
        return all(row.passed for row in self.rows)

    @property
    def failures(self) -> list[TargetCheck]:
        return [row for row in self.rows if not row.passed]

    @property
    def uncertain(self) -> list[TargetCheck]:
        """The rows the measurement could not settle (see :class:`TargetCheck`)."""
        return [row for row in self.rows if row.uncertain]

    def to_frame(self):
        """One row per target: target, measured, passed, uncertain, message."""
        import pandas as pd

        return pd.DataFrame([vars(row) for row in self.rows],
                            columns=["target", "measured", "passed", "uncertain", "message"])

    def message(self) -> str:
        """One paragraph: what failed and why, or that every target was met."""
        if self.passed:
            return "meets every target: " + "; ".join(f"{row.target} ({row.measured})"
                                                      for row in self.rows) + "."
        return " ".join(f"{row.target}: {row.message}" for row in self.failures)

    def __repr__(self) -> str:
        c = self.config
        head = (f"<TargetReport N={c['n']} R={c['r']} W={c['w']} "
                f"{'sloppy' if c['sloppy_quorum'] else 'strict'}: "
                f"{'meets every target' if self.passed else f'{len(self.failures)} of {len(self.rows)} targets missed'}>")
        width = max(len(row.target) for row in self.rows) if self.rows else 0
        lines = [head]
        for row in self.rows:
            mark = ("pass" if row.passed else "FAIL") + ("?" if row.uncertain else " ")
            lines.append(f"  {mark} {row.target:<{width}}  {row.measured}")
        if self.uncertain:
            lines.append("  (?: uncertain; the interval or the sample cannot settle it, "
                         "see the message)")
        lines.append(f"  measured by the simulator; {COORDINATORS}")
        return "\n".join(lines)


# -- checking a configuration ---------------------------------------------------------
def _normalise(config, nodes: int) -> dict:
    if not isinstance(config, Mapping):
        raise ValueError(f"a configuration is a dict such as {{'n': 3, 'r': 2, 'w': 2}}, "
                         f"got {config!r}")
    unknown = [k for k in config if k not in CONFIG_OPTIONS]
    if unknown:
        raise ValueError(f"unknown configuration key(s) {', '.join(map(repr, unknown))}; "
                         f"choose from {', '.join(CONFIG_OPTIONS)}")
    missing = [k for k in ("n", "r", "w") if k not in config]
    if missing:
        raise ValueError(f"the configuration needs {', '.join(missing)} (and may set "
                         f"sloppy_quorum, hinted_handoff, read_repair)")
    n, r, w = config["n"], config["r"], config["w"]
    for name, value in (("n", n), ("r", r), ("w", w)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{name} must be a whole number, got {value!r}")
    if not 1 <= n <= nodes:
        raise ValueError(f"n={n} is not allowed: the cluster has {nodes} nodes, so N must be "
                         f"from 1 to {nodes}")
    for name, value in (("r", r), ("w", w)):
        if not 1 <= value <= n:
            raise ValueError(f"{name}={value} is not allowed: it must be from 1 to N={n}")
    full = {"n": n, "r": r, "w": w, "sloppy_quorum": config.get("sloppy_quorum", True),
            "hinted_handoff": config.get("hinted_handoff", True),
            "read_repair": config.get("read_repair", "async")}
    return full


def _fit(latency) -> WARS:
    if isinstance(latency, str):
        try:
            return LATENCY_FITS[latency]
        except KeyError:
            raise ValueError(f"unknown latency fit {latency!r}; choose one of "
                             f"{', '.join(LATENCY_FITS)}, or pass a dynamo_lab.latency.WARS"
                             ) from None
    if latency is WAN or (isinstance(latency, WARS) and latency.remote_extra_ms):
        raise ValueError("a WARS with remote_extra_ms (the WAN fit) has no single delay per "
                         "link; choose a fit without it")
    if not isinstance(latency, WARS):
        raise ValueError(f"latency must be a dynamo_lab.latency.WARS or one of "
                         f"{', '.join(LATENCY_FITS)}, got {latency!r}")
    return latency


def _run(config: dict, model: WARS, nodes: int, seed: int, ops: int, faults=()):
    from . import workload
    from ..cluster import Cluster

    cluster = Cluster(nodes=nodes, seed=seed, latency=model.link_model(),
                      timeout_ms=_NO_TIMEOUT_MS, failure_detector="oracle", **config)
    return cluster, workload.run(cluster, ops=ops, keys=100, clients=8, read_fraction=0.5,
                                 faults=list(faults), seed=seed, progress=False)


def _failures(report, f: str) -> tuple[int, int]:
    frame = report.frame
    ops = frame[frame["f"] == f]
    return int((ops["status"] != "ok").sum()), len(ops)


def measure(config, *, latency="YMMR", nodes: int = 5, ops: int = 3000,
            visibility_trials: int = MIN_TRIALS, fault_ops: int = 300, crash: bool = True,
            partition: bool = True, seed: int = 0) -> Measurements:
    """Run the experiments behind :func:`judge` for one configuration.

    Parameters
    ----------
    config : dict
        ``n``, ``r``, ``w`` and optionally ``sloppy_quorum`` (True),
        ``hinted_handoff`` (True), ``read_repair`` ("async").
    latency : str or WARS
        A PBS fit by name (:data:`LATENCY_FITS`) or a WARS model; every
        message takes the delay of its leg (``WARS.link_model``).
    nodes : int
        Cluster size (5 nodes, named A, B, C, ...).
    ops : int
        Operations of the steady run that measures latency (half reads).
    visibility_trials : int
        Write-then-read trials that measure staleness (:func:`judge` picks
        enough for its target unless told).
    fault_ops : int
        Operations of each fault run.
    crash, partition : bool
        Whether to run the crash runs (one per node) and the partition run.
    seed : int

    Raises
    ------
    ValueError
        For a configuration or parameter that is not allowed.
    """
    from ..pbs import simulate_t_visibility

    nodes = whole_number("nodes", nodes, 2)
    config = _normalise(config, nodes)
    model = _fit(latency)
    whole_number("ops", ops, 1)
    whole_number("visibility_trials", visibility_trials, 1)
    whole_number("fault_ops", fault_ops, 1)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    cluster, steady = _run(config, model, nodes, seed, ops)
    names = list(cluster.nodes)
    metrics = steady.metrics
    visible = simulate_t_visibility(model, n=config["n"], r=config["r"], w=config["w"],
                                    t_ms=0.0, trials=visibility_trials, seed=seed,
                                    coordinator="replica")
    stale = round((1.0 - visible) * visibility_trials)
    found = Measurements(config=config, read_latency_ms=metrics["quorum_read_latency_ms"],
                         write_latency_ms=metrics["quorum_write_latency_ms"],
                         stale_pct=100.0 * stale / visibility_trials, nodes=names,
                         stale_reads=stale, visibility_trials=visibility_trials,
                         reads=_successes(steady, "get"), writes=_successes(steady, "put"))
    if crash:
        found.crash = {}
        for node in names:
            _, run = _run(config, model, nodes, seed, fault_ops, [(0, "crash", node)])
            found.crash[node] = (*_failures(run, "get"), *_failures(run, "put"))
    if partition:
        small, large = _split(names)
        _, run = _run(config, model, nodes, seed, fault_ops, [(0, "partition", small, large)])
        found.partition = _failures(run, "put")
    return found


def _successes(report, f: str) -> int:
    frame = report.frame
    return int(((frame["f"] == f) & (frame["status"] == "ok")).sum())


def _ordinal(k: int) -> str:
    return {1: "fastest", 2: "2nd-fastest", 3: "3rd-fastest"}.get(k, f"{k}th-fastest")


def _latency_row(kind: str, bound: float, percentile: str, m: Measurements) -> TargetCheck:
    c = m.config
    k = c["r"] if kind == "read" else c["w"]
    letter = "R" if kind == "read" else "W"
    value = (m.read_latency_ms if kind == "read" else m.write_latency_ms)[percentile]
    passed = value <= bound
    samples = m.reads if kind == "read" else m.writes
    beyond = tail_samples(samples, float(percentile[1:]))
    thin = beyond < MIN_TAIL_SAMPLES
    if passed:
        message = f"{value:.1f} ms is within {bound:g} ms."
    else:
        which = "slowest" if k == c["n"] else _ordinal(k)
        shown = f"{value:.0f}" if value >= 100 else f"{value:.1f}"
        message = (f"{shown} ms is over {bound:g} ms: with {letter}={k} every {kind} waits "
                   f"for the {which} of N={c['n']} replicas, and in this latency model "
                   f"a few replicas are very slow, so the tail grows with {letter}.")
    if thin:
        message += (f" But only {beyond} of the {samples} {kind}s lie beyond this "
                    f"{percentile}, too few to rely on: it wants at least "
                    f"{_samples_for(percentile):,} {kind}s (raise ops=...).")
    return TargetCheck(f"{kind} latency {percentile} <= {bound:g} ms", f"{value:.1f} ms",
                       passed, message, uncertain=thin)


def _samples_for(percentile: str) -> int:
    """Samples that put :data:`MIN_TAIL_SAMPLES` beyond ``percentile``."""
    return math.ceil(round(MIN_TAIL_SAMPLES * 100.0 / (100.0 - float(percentile[1:])), 6))


def _stale_row(bound: float, m: Measurements) -> TargetCheck:
    n, r, w = (m.config[x] for x in ("n", "r", "w"))
    low, high = m.stale_interval_pct
    found = verdict(m.stale_reads, m.visibility_trials, bound / 100.0)
    passed = m.stale_pct <= bound + 1e-12
    counted = (f"{m.stale_reads} of {m.visibility_trials:,} reads right after a write missed "
               f"it ({m.stale_pct:.2f}%; 95% interval {low:.2f}% to {high:.2f}%)")
    if found == "uncertain":
        message = (f"{counted}: the interval contains the bound of {bound:g}%, so these trials "
                   f"cannot tell whether it is met. Four times as many trials "
                   f"(visibility_trials={4 * m.visibility_trials:,}) halve the interval.")
    elif passed:
        message = f"{counted}."
    elif r + w <= n:
        message = (f"{counted}: R + W = {r + w} is not more than N = {n}, so the read and "
                   f"write quorums need not overlap.")
    else:
        message = f"{counted}."
    return TargetCheck(f"stale reads <= {bound:g}%",
                       f"{m.stale_pct:.2f}%, 95% CI {low:.2f} to {high:.2f}%", passed, message,
                       uncertain=found == "uncertain")


def _crash_row(m: Measurements) -> TargetCheck:
    c = m.config
    node, fr, reads, fw, writes = m.worst_crash()
    total = sum(v[1] + v[3] for v in m.crash.values())
    all_failed = sum(v[0] + v[2] for v in m.crash.values())
    passed = all_failed == 0
    measured = f"{all_failed} of {total} operations failed"
    if passed:
        return TargetCheck("any one node down: every read and write succeeds", measured, True,
                           "every read and write succeeded with each node down in turn.")
    parts = []
    for what, k, letter, bad, count in (("reads", c["r"], "R", fr, reads),
                                        ("writes", c["w"], "W", fw, writes)):
        if not bad:
            continue
        if c["sloppy_quorum"]:
            why = (f"{letter}={k} needs {k} healthy nodes among the first N of the preference "
                   f"list and the fallbacks after them, but only {len(m.nodes) - 1} nodes are up")
        else:
            why = (f"a strict quorum counts only the N={c['n']} home replicas, and {letter}={k} "
                   f"needs {k} of them while only {c['n'] - 1} are up for keys that {node} holds")
        parts.append(f"{bad} of {count} {what} failed ({why})")
    message = f"with {node} down, " + "; ".join(parts) + "."
    return TargetCheck("any one node down: every read and write succeeds", measured, False,
                       message)


def _partition_row(m: Measurements) -> TargetCheck:
    c = m.config
    failed, writes = m.partition
    target = f"partition {_split_text(m.nodes)}: every write succeeds"
    measured = f"{failed} of {writes} writes failed"
    if failed == 0:
        return TargetCheck(target, measured, True, "every write succeeded on both sides.")
    small, _ = _split(m.nodes)
    if not c["sloppy_quorum"]:
        why = (f"a strict quorum takes a write only on the side that holds W={c['w']} of the "
               f"key's home replicas")
    else:
        why = (f"a sloppy quorum still needs W={c['w']} reachable nodes, and the side "
               f"{', '.join(small)} has only {len(small)}")
    return TargetCheck(target, measured, False, f"{failed} of {writes} writes failed during "
                       f"the partition: {why}.")


def _durability_row(copies: int, m: Measurements) -> TargetCheck:
    w = m.config["w"]
    target = f"acknowledged writes held by >= {copies} nodes"
    if w >= copies:
        return TargetCheck(target, f"W={w}", True,
                           f"a write is acknowledged only once W={w} nodes hold it.")
    held = "a single node holds it" if w == 1 else f"{w} nodes hold it"
    return TargetCheck(target, f"W={w}", False,
                       f"W={w} acknowledges a write as soon as {held}; if "
                       f"{'that disk fails' if w == 1 else 'those disks fail'} before the other "
                       f"replicas have a copy, the acknowledged write is lost. Durability needs "
                       f"W >= {copies}, whatever the latency runs show.")


def _compare(m: Measurements, targets: ServiceTargets) -> list[TargetCheck]:
    rows = []
    for kind in ("read", "write"):
        bound = getattr(targets, f"{kind}_latency_ms")
        if bound is not None:
            rows.append(_latency_row(kind, bound, targets.percentile, m))
    if targets.max_stale_pct is not None:
        rows.append(_stale_row(targets.max_stale_pct, m))
    if targets.survive_crash:
        rows.append(_crash_row(m))
    if targets.writable_in_partition:
        rows.append(_partition_row(m))
    if targets.min_acked_copies is not None:
        rows.append(_durability_row(targets.min_acked_copies, m))
    return rows


def judge(config, targets: ServiceTargets | None = None, **options) -> TargetReport:
    """Judge ``config`` against ``targets`` by running the simulator.

    ``options`` are those of :func:`measure` (latency fit, nodes, ops,
    visibility_trials, fault_ops, seed); the crash and partition runs happen
    only when the targets ask for them. Unless ``visibility_trials`` is
    given, it is :func:`~dynamo_lab.experiments.uncertainty.trials_for` the
    stale-read bound (34,539 for 0.1%), so the verdict rests on enough
    trials. A row the measurement cannot settle is marked ``uncertain``.

    Raises
    ------
    ValueError
        For a configuration, target or option that is not allowed.
    """
    if targets is None:
        targets = ServiceTargets()
    if not isinstance(targets, ServiceTargets):
        raise ValueError(f"targets must be a ServiceTargets, got {targets!r}")
    for fixed in ("crash", "partition"):
        if fixed in options:
            raise ValueError(f"{fixed!r} is decided by the targets; leave it out")
    if "visibility_trials" not in options and targets.max_stale_pct is not None:
        # Enough trials to tell the bound from a rate a third away from it.
        options["visibility_trials"] = trials_for(targets.max_stale_pct / 100.0)
    found = measure(config, crash=targets.survive_crash,
                    partition=targets.writable_in_partition, **options)
    return TargetReport(found.config, targets, _compare(found, targets), found)


# -- many candidates ------------------------------------------------------------------
def _sweep_row(config: dict, seed: int, *, targets: ServiceTargets, options: dict) -> dict:
    return _row(judge(config, targets, seed=seed, **options), "simulator")


def _row(report: TargetReport, answered_by: str) -> dict:
    """One row of :func:`sweep_configs`: what was measured, and the verdict."""
    m, percentile = report.measurements, report.targets.percentile
    low, high = m.stale_interval_pct
    row = {f"read_{percentile}_ms": m.read_latency_ms[percentile],
           f"write_{percentile}_ms": m.write_latency_ms[percentile],
           "stale_pct": m.stale_pct, "stale_pct_low": low, "stale_pct_high": high}
    if m.crash is not None:
        row["crash_failures"] = sum(v[0] + v[2] for v in m.crash.values())
    if m.partition is not None:
        row["partition_write_failures"] = m.partition[0]
    row["targets_missed"] = len(report.failures)
    row["passes"] = report.passed
    row["uncertain"] = ", ".join(r.target for r in report.uncertain)
    row["answered_by"] = answered_by
    row["coordinator"] = SWEEP_COORDINATORS[answered_by]
    return row


#: How :func:`sweep_configs` may answer: by PBS's WARS Monte Carlo, by running the
#: simulator, or whichever fits the question ("auto").
METHODS = ("auto", "pbs", "simulator")
#: Trials of the WARS Monte Carlo behind a PBS answer (a fraction of a second each).
PBS_TRIALS = 200_000


def _pbs_can_answer(targets: ServiceTargets) -> bool:
    """True when the targets ask only about latency and staleness (and durability,
    which follows from W): no crash and no partition to run."""
    return not targets.survive_crash and not targets.writable_in_partition


def _pbs_row(config: dict, seed: int, *, targets: ServiceTargets, latency, trials: int) -> dict:
    """A sweep row answered by PBS's WARS Monte Carlo instead of the simulator, judged
    against the targets exactly as :func:`judge` judges the simulator's numbers."""
    from ..pbs import latency_percentiles, t_visibility

    model = _fit(latency)
    n, r, w = config["n"], config["r"], config["w"]
    q = float(targets.percentile[1:])
    tails = latency_percentiles(model, n=n, r=r, w=w, q=(q,), trials=trials, seed=seed)
    visible = float(t_visibility(model, n=n, r=r, w=w, t_ms=0.0, trials=trials, seed=seed))
    stale = round((1.0 - visible) * trials)
    found = Measurements(config=config, read_latency_ms={targets.percentile: tails["read"][q]},
                         write_latency_ms={targets.percentile: tails["write"][q]},
                         stale_pct=100.0 * stale / trials, stale_reads=stale,
                         visibility_trials=trials, reads=trials, writes=trials)
    report = TargetReport(config, targets, _compare(found, targets), found)
    return _row(report, "PBS Monte Carlo (WARS)")


def sweep_configs(configs, targets: ServiceTargets | None = None, *, seed: int = 0,
                  processes: int = 1, method: str = "auto", progress: bool = False,
                  **options):
    """Judge many configurations; one row each, with what was measured and the verdict.

    Parameters
    ----------
    configs : dict or list of dict
        A grid (parameter -> list of values, see
        :func:`dynamo_lab.experiments.configurations`) or the configurations.
    targets : ServiceTargets
    seed : int
    processes : int
        Passed to :func:`dynamo_lab.experiments.sweep` (1: one after another;
        more runs the simulator in that many processes).
    method : {"auto", "pbs", "simulator"}
        ``"pbs"`` answers from PBS's WARS Monte Carlo (:mod:`dynamo_lab.pbs`,
        200,000 trials): read and write latency at the percentile and the
        stale rate right after a write, in a fraction of a second per
        configuration. It models no faults, so it can answer only targets
        without a crash or a partition. ``"simulator"`` runs the cluster.
        ``"auto"`` (the default) takes PBS when it can answer. The column
        ``answered_by`` says which did.
    progress : bool
        Print one line per configuration as it is answered (to stderr).
    options
        As for :func:`measure` (with ``method="pbs"`` only ``latency`` counts).

    Returns
    -------
    pandas.DataFrame
        The configuration's columns (``sloppy_quorum`` always among them),
        the measured percentiles, ``stale_pct`` with its 95% interval
        (``stale_pct_low``, ``stale_pct_high``), the failures of the fault
        runs the targets ask for, ``targets_missed``, ``passes`` and
        ``uncertain`` (the targets the measurement could not settle),
        ``answered_by`` (``"simulator"`` or ``"PBS Monte Carlo (WARS)"``)
        and ``coordinator`` (that method's coordinator model).

    Examples
    --------
    >>> table = sweep_configs([{"n": 3, "r": 1, "w": 1}, {"n": 3, "r": 2, "w": 2}],
    ...                       ServiceTargets(survive_crash=False), ops=400,
    ...                       visibility_trials=200)
    >>> table[["n", "r", "w", "sloppy_quorum", "passes"]].values.tolist()
    [[3, 1, 1, True, False], [3, 2, 2, True, True]]
    """
    from .sweeps import configurations, sweep

    if targets is None:
        targets = ServiceTargets()
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(f"method={method!r} is not allowed; choose one of "
                         f"{', '.join(map(repr, METHODS))}")
    if method == "pbs" and not _pbs_can_answer(targets):
        raise ValueError("method='pbs' cannot answer crash or partition targets (the WARS "
                         "model has no faults); use method='simulator' or drop those targets")
    configs = [{**config, "sloppy_quorum": config.get("sloppy_quorum", True)}
               for config in configurations(configs)]
    for config in configs:
        _normalise(config, options.get("nodes", 5))
    by_pbs = method == "pbs" or (method == "auto" and _pbs_can_answer(targets))
    if by_pbs:
        run_one = partial(_pbs_row, targets=targets, latency=options.get("latency", "YMMR"),
                          trials=PBS_TRIALS)
    else:
        run_one = partial(_sweep_row, targets=targets, options=dict(options))
    if progress:
        run_one = partial(_announce, run_one, len(configs))
    table = sweep(configs, seeds=[seed], run_one=run_one, processes=processes)
    return table.drop(columns=["seed"])


def _announce(run_one, total: int, config: dict, seed: int) -> dict:
    """Run one configuration and print a line when it is answered."""
    import sys

    row = run_one(config, seed)
    print(f"N={config['n']} R={config['r']} W={config['w']}: "
          f"{'passes' if row['passes'] else 'misses ' + str(row['targets_missed'])} "
          f"({row['answered_by']}; {total} configurations in all)", file=sys.stderr, flush=True)
    return row
