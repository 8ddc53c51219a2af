"""The workload runner: many clients, many keys, and the metrics they see.

:func:`run` drives a :class:`~dynamo_lab.cluster.Cluster` with closed-loop
clients: each client issues its next get or put when the previous one has
completed (after an exponential think time when ``arrival_rate_per_ms`` is
given). A put writes a unique value with the context of that client's last
read of the key, if it has one. Faults can be injected at chosen virtual
times. The report holds one row per operation and the metrics the Dynamo
paper reports: quorum latency percentiles, success rates and the share of
stale reads.

Every random choice of the workload (operation, key, think time) comes from
a ``random.Random(seed)`` of its own, not from the cluster's generator, so
the same ``seed`` gives the same sequence of requests per client whatever
the cluster's N, R, W or latency model.

Examples
--------
>>> import dynamo_lab as dl
>>> cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=1)
>>> report = dl.workload.run(cluster, ops=200, keys=20, clients=4, seed=0)
>>> len(report.frame)
200
>>> sorted(report.metrics)  # doctest: +NORMALIZE_WHITESPACE
['duration_ms', 'ops', 'quorum_read_latency_ms', 'quorum_write_latency_ms',
 'read_success_rate', 'reads', 'stale_read_interval_pct', 'stale_read_pct',
 'stale_reads', 'thin_percentiles', 'write_success_rate', 'writes']
>>> report.metrics["read_success_rate"], report.metrics["write_success_rate"]
(1.0, 1.0)
>>> sorted(report.metrics["quorum_read_latency_ms"])
['p50', 'p99', 'p99.9']
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..checks.staleness import stale_reads
from ..validation import milliseconds, whole_number
from .uncertainty import MIN_TAIL_SAMPLES, tail_samples, wilson_interval

__all__ = ["run", "WorkloadReport", "KEY_DISTRIBUTIONS", "FAULT_ACTIONS", "FRAME_COLUMNS",
           "PERCENTILES", "COORDINATOR_CHOICES", "MAX_KEYS", "MAX_CLIENTS", "MAX_ZIPF_S"]

#: Accepted values of ``key_distribution``.
KEY_DISTRIBUTIONS = ("uniform", "zipf")
#: Actions a fault schedule may name, with the cluster method each calls.
FAULT_ACTIONS = ("crash", "recover", "partition", "heal")
#: Accepted values of ``coordinator``: how requests pick their coordinator.
COORDINATOR_CHOICES = ("preferred", "random")
#: Columns of :attr:`WorkloadReport.frame`, in order.
FRAME_COLUMNS = ("op_id", "client", "f", "key", "start_ms", "end_ms", "latency_ms", "status",
                 "stale", "coordinator")
#: The latency percentiles reported, as (label, q).
PERCENTILES = (("p50", 50.0), ("p99", 99.0), ("p99.9", 99.9))

#: The most distinct keys a run may use: their names are made up front, so
#: 10 ** 10 would fill the memory. A million is what the memory benchmark stores.
MAX_KEYS = 1_000_000
#: The most concurrent clients: each has its own generator and slot in the
#: event loop, so 10 ** 9 would seem to hang. The lessons use at most 8.
MAX_CLIENTS = 10_000
#: The largest Zipf exponent. At 50 the first key already takes all but
#: 2 ** -50 of the requests, and k ** 50 stays finite for every k <= MAX_KEYS
#: (a larger exponent overflows while the weights are computed).
MAX_ZIPF_S = 50.0

#: ``ops`` when neither ``ops`` nor ``duration_ms`` is given.
DEFAULT_OPS = 10_000
#: Above this many operations, progress is printed unless ``progress=False``.
PROGRESS_THRESHOLD = 20_000
#: The least time between two operations of a client when the first ended at
#: the instant it began: it failed at once (no coordinator could be reached)
#: or the coordinator answered alone (R = 1 or W = 1 on a replica). Without
#: it, closed-loop clients would never let virtual time move on.
INSTANT_OP_GAP_MS = 0.1


@dataclass
class WorkloadReport:
    """What :func:`run` hands back.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per operation, in the order they were invoked; columns
        :data:`FRAME_COLUMNS`. ``start_ms`` and ``end_ms`` are cluster
        times (the same clock as ``cluster.history`` and ``cluster.faults``);
        ``stale`` is True or False for successful reads and missing (``<NA>``)
        otherwise.
    metrics : dict
        ``quorum_read_latency_ms`` and ``quorum_write_latency_ms`` (each
        ``{"p50", "p99", "p99.9"}`` over successful operations, NaN when there
        were none), ``read_success_rate`` and ``write_success_rate`` (NaN when
        there were no reads or writes), ``stale_read_pct`` (percent of
        successful reads that missed an acknowledged write), its 95% Wilson
        interval ``stale_read_interval_pct`` (low, high), ``stale_reads``,
        ``thin_percentiles`` (the percentiles that rest on fewer than 10
        samples beyond them, such as ``"read p99.9"``: too few to rely on),
        ``reads``, ``writes``, ``ops`` and ``duration_ms`` (virtual time from
        the start of the run to the last completion).
    faults : list of FaultEvent
        The faults the schedule injected, as recorded in ``cluster.faults``.
    skipped_faults : list of tuple
        Schedule entries that fell after the run had ended (not applied).
    start_ms : float
        The cluster time at which the run began.
    """

    frame: Any
    metrics: dict
    faults: list = field(default_factory=list)
    skipped_faults: list = field(default_factory=list)
    start_ms: float = 0.0

    def __repr__(self) -> str:
        m = self.metrics
        return (f"<WorkloadReport {m['ops']} ops over {m['duration_ms']:g} ms: "
                f"read p99 {m['quorum_read_latency_ms']['p99']:.3g} ms, "
                f"write p99 {m['quorum_write_latency_ms']['p99']:.3g} ms, "
                f"stale reads {m['stale_read_pct']:.3g}%>")


# -- validation ------------------------------------------------------------------
def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) \
        and math.isfinite(value)


def _check_faults(cluster, faults) -> list[tuple[float, int, str, tuple]]:
    """Check the schedule without touching the cluster; return it sorted.

    Crashes and recoveries are replayed on a copy of the set of down nodes,
    so "crash a node that is already down" is caught before anything runs.
    """
    if isinstance(faults, (str, bytes)) or not isinstance(faults, Sequence):
        raise ValueError(f"faults must be a list of (time_ms, action, *args) tuples, "
                         f"got {faults!r}")
    nodes = set(cluster.nodes)
    checked = []
    for index, entry in enumerate(faults):
        if not isinstance(entry, (tuple, list)) or len(entry) < 2:
            raise ValueError(f"fault {entry!r} must be a tuple (time_ms, action, *args), "
                             "e.g. (50, 'crash', 'A')")
        time_ms, action, *args = entry
        if not _is_number(time_ms) or time_ms < 0:
            raise ValueError(f"fault {entry!r}: time_ms must be a finite number >= 0 (ms after "
                             "the start of the run)")
        if action not in FAULT_ACTIONS:
            raise ValueError(f"fault {entry!r}: action {action!r} is not allowed; choose one of "
                             f"{', '.join(FAULT_ACTIONS)}")
        if action in ("crash", "recover"):
            if len(args) != 1 or args[0] not in nodes:
                raise ValueError(f"fault {entry!r}: {action} takes one node, one of "
                                 f"{', '.join(sorted(nodes))}")
        elif action == "partition":
            if not args:
                raise ValueError(f"fault {entry!r}: partition takes one or more groups of nodes, "
                                 "e.g. (80, 'partition', ['A', 'B'], ['C', 'D', 'E'])")
            for group in args:
                if isinstance(group, str) or not isinstance(group, (list, tuple, set, frozenset)):
                    raise ValueError(f"fault {entry!r}: each partition group must be a list of "
                                     f"node names, got {group!r}")
                unknown = sorted(set(group) - nodes)
                if unknown:
                    raise ValueError(f"fault {entry!r}: unknown node(s) "
                                     f"{', '.join(map(str, unknown))}; the nodes are "
                                     f"{', '.join(sorted(nodes))}")
            args = [list(group) for group in args]
            try:     # the network's own rules: no empty group, no node in two
                cluster.network.partition_plan(args)
            except (ValueError, KeyError) as exc:
                raise ValueError(f"fault {entry!r}: {exc.args[0]}") from None
        elif args:
            raise ValueError(f"fault {entry!r}: heal takes no arguments")
        checked.append((float(time_ms), index, action, tuple(args)))
    checked.sort(key=lambda item: (item[0], item[1]))
    down = set(cluster.down)
    for time_ms, _, action, args in checked:
        if action == "crash":
            if args[0] in down:
                raise ValueError(f"fault at {time_ms:g} ms crashes {args[0]}, which is already "
                                 "down then; recover it first")
            down.add(args[0])
        elif action == "recover":
            if args[0] not in down:
                raise ValueError(f"fault at {time_ms:g} ms recovers {args[0]}, which is not down "
                                 "then; only a crashed node can recover")
            down.discard(args[0])
    return checked


def _validate(cluster, ops, duration_ms, read_fraction, keys, key_distribution, zipf_s, clients,
              arrival_rate_per_ms, faults, seed, progress, coordinator="preferred"):
    if not (hasattr(cluster, "client") and hasattr(cluster, "sim") and hasattr(cluster, "history")):
        raise ValueError(f"cluster must be a dynamo_lab Cluster, got {cluster!r}")
    if ops is not None and duration_ms is not None:
        raise ValueError("give ops (a number of operations) or duration_ms (a span of virtual "
                         "time), not both")
    if ops is None and duration_ms is None:
        ops = DEFAULT_OPS
    if ops is not None:
        whole_number("ops", ops)
    if duration_ms is not None:
        milliseconds("duration_ms", duration_ms)
    if not _is_number(read_fraction) or not 0.0 <= read_fraction <= 1.0:
        raise ValueError(f"read_fraction must be a number from 0 to 1, got {read_fraction!r}")
    whole_number("keys", keys)
    if keys > MAX_KEYS:
        raise ValueError(f"keys={keys} is too many: a run uses at most {MAX_KEYS:,} keys")
    if not isinstance(key_distribution, str) or key_distribution not in KEY_DISTRIBUTIONS:
        raise ValueError(f"key_distribution={key_distribution!r} is not allowed; choose "
                         f"{' or '.join(repr(k) for k in KEY_DISTRIBUTIONS)}")
    if not _is_number(zipf_s) or not 0 < zipf_s <= MAX_ZIPF_S:
        raise ValueError(f"zipf_s must be a finite number > 0 and at most {MAX_ZIPF_S:g}, "
                         f"got {zipf_s!r}")
    whole_number("clients", clients)
    if clients > MAX_CLIENTS:
        raise ValueError(f"clients={clients} is too many: a run has at most {MAX_CLIENTS:,} "
                         "clients")
    if arrival_rate_per_ms is not None and (not _is_number(arrival_rate_per_ms)
                                            or arrival_rate_per_ms <= 0):
        raise ValueError(f"arrival_rate_per_ms must be None (no think time) or a finite number "
                         f"> 0 of operations per ms, got {arrival_rate_per_ms!r}")
    if not _is_int(seed):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    if progress is not None and not isinstance(progress, bool):
        raise ValueError(f"progress must be None (automatic), True or False, got {progress!r}")
    if not isinstance(coordinator, str) or coordinator not in COORDINATOR_CHOICES:
        raise ValueError(f"coordinator={coordinator!r} is not allowed; choose "
                         f"{' or '.join(repr(c) for c in COORDINATOR_CHOICES)}")
    schedule = _check_faults(cluster, faults)
    for i in range(clients):
        existing = cluster._clients.get(_client_name(i)) if hasattr(cluster, "_clients") else None
        if existing is not None and existing.in_flight is not None:
            raise ValueError(f"client {_client_name(i)!r} already has an operation in flight; "
                             "run the cluster until idle before starting a workload")
    return ops, schedule


def _client_name(i: int) -> str:
    return f"workload-{i}"


# -- the clients -------------------------------------------------------------------
class _ClientPlan:
    """One client's own random stream: what it does next and when."""

    def __init__(self, seed: int, read_fraction: float, key_names: list[str],
                 cum_weights: list[float] | None, think_rate: float | None):
        self.rng = random.Random(seed)
        self.read_fraction = read_fraction
        self.key_names = key_names
        self.cum_weights = cum_weights
        self.think_rate = think_rate

    def next_op(self) -> tuple[str, str]:
        f = "get" if self.rng.random() < self.read_fraction else "put"
        if self.cum_weights is None:
            key = self.key_names[self.rng.randrange(len(self.key_names))]
        else:
            total = self.cum_weights[-1]
            i = bisect.bisect_right(self.cum_weights, self.rng.random() * total)
            key = self.key_names[min(i, len(self.key_names) - 1)]
        return f, key

    def think_ms(self) -> float:
        return 0.0 if self.think_rate is None else self.rng.expovariate(self.think_rate)


def _key_setup(keys: int, distribution: str, zipf_s: float):
    width = len(str(keys - 1))
    names = [f"key{i:0{width}d}" for i in range(keys)]
    if distribution == "uniform":
        return names, None
    # Zipf: the key of rank k (1-based) is chosen with weight 1 / k**s.
    weights = [1.0 / (k ** zipf_s) for k in range(1, keys + 1)]
    return names, list(itertools.accumulate(weights))


class _Progress:
    def __init__(self, enabled: bool, total: float, unit: str):
        self.enabled = enabled
        self.total = total
        self.unit = unit
        self.next_tenth = 1

    def update(self, done: float) -> None:
        if not self.enabled:
            return
        while self.next_tenth <= 10 and done >= self.total * self.next_tenth / 10:
            shown = f"{done:,.0f}" if self.unit == "ops" else f"{done:,.1f}"
            print(f"dynamo_lab.experiments.workload: {self.next_tenth * 10:3d}% ({shown} of "
                  f"{self.total:,.0f} {self.unit})", file=sys.stderr, flush=True)
            self.next_tenth += 1


# -- the run -------------------------------------------------------------------
def run(cluster, ops: int | None = None, duration_ms: float | None = None,
        read_fraction: float = 0.5, keys: int = 100, key_distribution: str = "uniform",
        zipf_s: float = 1.1, clients: int = 8, arrival_rate_per_ms: float | None = None,
        faults: Sequence[tuple] = (), seed: int = 0,
        progress: bool | None = None, coordinator: str = "preferred") -> WorkloadReport:
    """Drive ``cluster`` with closed-loop clients and measure what they see.

    Parameters
    ----------
    cluster : Cluster
        The cluster to run against (it keeps running afterwards).
    ops : int, optional
        Stop after this many operations (all of them complete). The default,
        when ``duration_ms`` is not given either, is 10,000.
    duration_ms : float, optional
        Instead of ``ops``: clients start operations for this long (virtual
        ms); operations in flight at the end still complete and are reported.
    read_fraction : float
        Probability that an operation is a get (otherwise a put).
    keys : int
        How many distinct keys (``key000``, ``key001``, ...).
    key_distribution : "uniform" or "zipf"
        How keys are chosen; under ``"zipf"`` the key of rank k has weight
        ``1 / k**zipf_s``, so a few keys are hot.
    zipf_s : float
        The Zipf exponent (> 0).
    clients : int
        Concurrent clients, each with at most one operation in flight.
    arrival_rate_per_ms : float, optional
        Total rate of requests: each client thinks for an exponential time of
        mean ``clients / arrival_rate_per_ms`` ms before each operation.
        None: no think time (each client is always busy).
    faults : list of tuple
        ``(time_ms, action, *args)`` with ``time_ms`` counted from the start of
        the run and ``action`` one of :data:`FAULT_ACTIONS`, e.g.
        ``(50, "crash", "A")``, ``(80, "partition", ["A", "B"], ["C", "D", "E"])``,
        ``(200, "heal")``. Entries at equal times run in the order given;
        entries after the run has ended are not applied (see
        :attr:`WorkloadReport.skipped_faults`).
    seed : int
        Seeds the workload's own random generator.
    progress : bool, optional
        Print a progress line to stderr every 10%. None (default): only for
        runs of more than 20,000 operations.
    coordinator : "preferred" or "random"
        Who coordinates each request: the first node up in the key's
        preference list ("preferred", what a partition-aware client library
        does; with R = 1 or W = 1 that node answers alone, at once), or a node
        up chosen at random ("random", what a load balancer in front of the
        cluster does), drawn from a generator of its own so the requests
        themselves stay the same.

    Returns
    -------
    WorkloadReport
        ``.frame`` (one row per operation) and ``.metrics``.

    Raises
    ------
    ValueError
        For an argument that is not allowed; the cluster is left untouched.

    Notes
    -----
    Puts write the unique value ``"v<number>"`` so that
    :func:`dynamo_lab.checks.stale_reads` can tell writes apart; only this
    run's operations are judged. A client whose operation ended at the
    instant it began (it failed at once, or the coordinator answered alone
    with R = 1 or W = 1) waits at least 0.1 ms before its next one, so that
    virtual time moves on.

    Examples
    --------
    >>> import dynamo_lab as dl
    >>> cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=2)
    >>> report = run(cluster, ops=200, keys=5, clients=4, seed=1,
    ...              faults=[(5, "crash", "A"), (20, "recover", "A"), (10_000, "heal")])
    >>> [(f.time, f.kind) for f in report.faults]
    [(5.0, 'crash'), (20.0, 'recover')]
    >>> report.skipped_faults
    [(10000.0, 'heal')]
    >>> list(report.frame.columns)  # doctest: +NORMALIZE_WHITESPACE
    ['op_id', 'client', 'f', 'key', 'start_ms', 'end_ms', 'latency_ms', 'status',
     'stale', 'coordinator']
    """
    ops, schedule = _validate(cluster, ops, duration_ms, read_fraction, keys, key_distribution,
                              zipf_s, clients, arrival_rate_per_ms, faults, seed, progress,
                              coordinator)
    import pandas as pd

    key_names, cum_weights = _key_setup(keys, key_distribution, zipf_s)
    master = random.Random(seed)
    think_rate = None if arrival_rate_per_ms is None else arrival_rate_per_ms / clients
    plans = [_ClientPlan(master.getrandbits(64), read_fraction, key_names, cum_weights,
                         think_rate) for _ in range(clients)]
    names = [_client_name(i) for i in range(clients)]
    handles = [cluster.client(name) for name in names]
    balancer = random.Random(f"{seed}:coordinator") if coordinator == "random" else None

    def via():
        if balancer is None:
            return None
        up = [node for node in cluster.nodes if node not in cluster.down]
        return up[balancer.randrange(len(up))] if up else None

    sim = cluster.sim
    start = sim.now
    end = math.inf if duration_ms is None else start + duration_ms
    value_base = len(cluster.history)       # keeps written values unique across runs
    faults_before = len(cluster.faults)
    show = progress if progress is not None else (ops is not None and ops > PROGRESS_THRESHOLD)
    meter = _Progress(show, ops if ops is not None else duration_ms,
                      "ops" if ops is not None else "virtual ms")

    in_flight: list[Any] = [None] * clients
    next_start: list[float] = [start + plan.think_ms() for plan in plans]
    contexts: list[dict[str, Any]] = [{} for _ in range(clients)]
    finished: list[Any] = []                # pending operations, in completion order
    issued = 0
    fault_i = 0

    def may_issue(now: float) -> bool:
        return issued < ops if ops is not None else now < end

    def any_done() -> bool:
        return any(p is not None and p.result is not None for p in in_flight)

    def apply(action: str, args: tuple) -> None:
        getattr(cluster, action)(*args)

    try:
        while True:
            now = sim.now
            # 1. Harvest completed operations, in client order.
            for i, pending in enumerate(in_flight):
                if pending is None or pending.result is None:
                    continue
                in_flight[i] = None
                finished.append(pending)
                result = pending.result
                if pending.invocation.f == "get" and result.ok:
                    contexts[i][pending.invocation.key] = result.context
                wait = plans[i].think_ms()
                if now <= pending.invocation.time:
                    wait = max(wait, INSTANT_OP_GAP_MS)
                next_start[i] = now + wait
                meter.update(len(finished) if ops is not None else now - start)
            # 2. Faults that are due.
            while fault_i < len(schedule) and start + schedule[fault_i][0] <= now:
                apply(schedule[fault_i][2], schedule[fault_i][3])
                fault_i += 1
            # 3. Idle clients whose think time is over start their next operation.
            for i in range(clients):
                if in_flight[i] is None and next_start[i] <= now and may_issue(now):
                    f, key = plans[i].next_op()
                    if f == "get":
                        in_flight[i] = handles[i].start_get(key, coordinator=via())
                    else:
                        value = f"v{value_base + issued}"
                        in_flight[i] = handles[i].start_put(key, value,
                                                            context=contexts[i].get(key),
                                                            coordinator=via())
                    issued += 1
            busy = any(p is not None for p in in_flight)
            if busy and any_done():
                continue                        # failed at once: harvest straight away
            waiting = [t for i, t in enumerate(next_start) if in_flight[i] is None]
            future = [t for t in waiting
                      if t > now and (t < end if ops is None else issued < ops)]
            if not busy and not future:
                break
            horizon = min(future, default=math.inf)
            if fault_i < len(schedule):
                horizon = min(horizon, start + schedule[fault_i][0])
            if busy:
                sim.run_while(lambda: not any_done(), limit_ms=horizon - now)
                if not any_done() and math.isfinite(horizon) and sim.now < horizon:
                    sim.run_until(horizon)      # nothing due before the horizon
                elif not any_done() and not math.isfinite(horizon):  # pragma: no cover
                    raise RuntimeError("operations in flight can no longer complete")
            else:
                sim.run_until(horizon)
    except BaseException:
        # Whatever stopped the run (an error, or Ctrl-C in a notebook), its
        # clients must not stay busy: let their operations end (they time
        # out at worst) so the cluster can take the next run.
        for pending in in_flight:
            if pending is not None and not pending.done:
                pending.wait()
        raise
    meter.update(meter.total)

    skipped = [(t, action, *args) for t, _, action, args in schedule[fault_i:]]
    frame, stale_count, n_ok_reads = _frame(finished, cluster.history, pd)
    metrics = _metrics(frame, stale_count, n_ok_reads, sim.now - start)
    return WorkloadReport(frame=frame, metrics=metrics, faults=list(cluster.faults[faults_before:]),
                          skipped_faults=skipped, start_ms=start)


def _frame(finished: list, history, pd):
    """One row per operation (in invocation order), the stale-read count and
    the number of successful reads."""
    finished = sorted(finished, key=lambda p: p.op_id)
    wanted = {p.op_id for p in finished}
    completions = {op.op_id: op for op in history if op.type != "invoke" and op.op_id in wanted}
    # Judge staleness key by key: the check compares each read with every
    # write it is given, so splitting by key keeps a 10,000-operation run quick.
    by_key: dict[str, list] = {}
    for pending in finished:
        inv = pending.invocation
        by_key.setdefault(inv.key, []).append((inv, completions.get(inv.op_id)))
    stale_ids: set[int] = set()
    for pairs in by_key.values():
        stale_ids.update(s.op_id for s in stale_reads(_Pairs(pairs)))
    rows = []
    n_ok_reads = 0
    for pending in finished:
        inv, result = pending.invocation, pending.result
        done = completions.get(inv.op_id)
        if inv.f == "get" and result.ok:
            n_ok_reads += 1
            stale = inv.op_id in stale_ids
        else:
            stale = pd.NA
        end_ms = done.time if done is not None else math.nan
        rows.append((inv.op_id, inv.process, inv.f, inv.key, inv.time, end_ms,
                     float(result.latency_ms), result.status, stale, result.coordinator))
    frame = pd.DataFrame(rows, columns=list(FRAME_COLUMNS))
    frame["stale"] = frame["stale"].astype("boolean")
    return frame, len(stale_ids), n_ok_reads


class _Pairs:
    """The (invocation, completion) pairs of part of a history, in the form
    :func:`~dynamo_lab.checks.stale_reads` reads (``history.pairs()``)."""

    def __init__(self, pairs: list):
        self._pairs = pairs

    def pairs(self) -> list:
        return self._pairs


def _percentiles(values) -> dict[str, float]:
    import numpy as np

    if len(values) == 0:
        return {label: math.nan for label, _ in PERCENTILES}
    found = np.percentile(np.asarray(values, dtype=float), [q for _, q in PERCENTILES])
    return {label: float(v) for (label, _), v in zip(PERCENTILES, found)}


def _thin(ok_reads: int, ok_writes: int) -> list[str]:
    """The reported percentiles that rest on too few samples beyond them."""
    return [f"{kind} {label}" for kind, count in (("read", ok_reads), ("write", ok_writes))
            for label, q in PERCENTILES if count and tail_samples(count, q) < MIN_TAIL_SAMPLES]


def _metrics(frame, stale_count: int, n_ok_reads: int, duration: float) -> dict:
    reads = frame[frame["f"] == "get"]
    writes = frame[frame["f"] != "get"]
    ok_reads = reads[reads["status"] == "ok"]
    ok_writes = writes[writes["status"] == "ok"]
    return {
        "quorum_read_latency_ms": _percentiles(ok_reads["latency_ms"].to_numpy()),
        "quorum_write_latency_ms": _percentiles(ok_writes["latency_ms"].to_numpy()),
        "read_success_rate": len(ok_reads) / len(reads) if len(reads) else math.nan,
        "write_success_rate": len(ok_writes) / len(writes) if len(writes) else math.nan,
        "stale_read_pct": 100.0 * stale_count / n_ok_reads if n_ok_reads else math.nan,
        "stale_read_interval_pct": (tuple(100.0 * x for x in wilson_interval(stale_count,
                                                                             n_ok_reads))
                                    if n_ok_reads else (math.nan, math.nan)),
        "stale_reads": stale_count,
        "thin_percentiles": _thin(len(ok_reads), len(ok_writes)),
        "reads": len(reads),
        "writes": len(writes),
        "ops": len(frame),
        "duration_ms": float(duration),
    }
