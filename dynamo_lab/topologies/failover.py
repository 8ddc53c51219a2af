"""The same failure, three designs: what a crashed node costs in downtime and data.

:func:`failover_experiment` drives one fixed workload against a system and
crashes the node that the writes depend on:

* single-leader: the leader;
* multi-leader: the leader the writes are routed to;
* leaderless (:class:`~dynamo_lab.cluster.Cluster`): the first home replica
  of every key written (the workload only uses keys whose preference list
  starts with that node), i.e. the node that would coordinate them.

The workload is *open*: one write every ``write_interval_ms`` to a fresh key,
each from an idle client, whether or not earlier writes have finished, so
writes keep arriving during the outage as they would from real users. The
crashed node comes back at ``recover_at_ms``; after the workload the system
gets ``settle_ms`` to catch up and runs until idle, and then every
acknowledged key is read back.

The report's two headline numbers:

``write_downtime_ms``
    the longest stretch over which *every* write failed: from the start of
    the first write of the longest run of consecutive failed writes to the
    start of the last one. A lone write caught in flight by the crash counts
    0 ms. The writes sample time every ``write_interval_ms``, so the figure
    is exact to within that step.
``acknowledged_lost``
    acknowledged writes whose value is not returned by the final read.

Examples
--------
>>> from dynamo_lab.topologies import SingleLeader
>>> report = failover_experiment(lambda seed: SingleLeader(replication="async", seed=seed),
...                              crash_at_ms=500, recover_at_ms=2500, duration_ms=3000,
...                              write_interval_ms=10, seed=1)
>>> report.victim, report.writes_attempted
('A', 300)
>>> 900 <= report.write_downtime_ms <= 1200 and report.acknowledged_lost > 0
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..cluster import Cluster
from ..validation import milliseconds
from .multi_leader import MultiLeader
from .single_leader import SingleLeader

__all__ = ["FailoverReport", "WriteOutcome", "failover_experiment", "compare_topologies",
           "REPORT_COLUMNS"]

#: The columns of :meth:`FailoverReport.to_dict` and of :func:`compare_topologies`.
REPORT_COLUMNS = ("topology", "write_downtime_ms", "writes_attempted", "writes_acknowledged",
                  "writes_failed", "acknowledged_lost", "mean_write_latency_ms")

# Never more writes than this in one experiment: a typo in write_interval_ms
# should fail fast rather than run for minutes.
MAX_WRITES = 200_000


@dataclass(frozen=True, slots=True)
class WriteOutcome:
    """One write of the workload: when it ran, how it ended, and whether it survived.

    Times are ms since the experiment started. ``status`` is the history's
    ``ok``, ``fail`` or ``info``; ``survived`` is whether the final read
    returned the value (``None`` for writes that were not acknowledged).
    """

    index: int
    key: str
    value: int
    invoked_ms: float
    completed_ms: float
    status: str
    node: str | None
    survived: bool | None


@dataclass(frozen=True)
class FailoverReport:
    """What :func:`failover_experiment` measured (see the module docstring)."""

    topology: str
    victim: str
    seed: int
    crash_at_ms: float
    recover_at_ms: float | None
    duration_ms: float
    write_interval_ms: float
    writes_attempted: int
    writes_acknowledged: int
    writes_failed: int
    write_downtime_ms: float
    downtime_from_ms: float | None
    downtime_to_ms: float | None
    acknowledged_lost: int
    lost_keys: tuple[str, ...]
    mean_write_latency_ms: float
    writes: tuple[WriteOutcome, ...] = field(repr=False, default=())

    def to_dict(self) -> dict[str, Any]:
        """The summary row: the :data:`REPORT_COLUMNS`."""
        return {name: getattr(self, name) for name in REPORT_COLUMNS}

    def to_frame(self):
        """The summary row as a one-row pandas DataFrame indexed by topology."""
        import pandas as pd

        return pd.DataFrame([self.to_dict()], columns=list(REPORT_COLUMNS)).set_index("topology")

    def writes_frame(self):
        """One row per write (a timeline to plot: time against status)."""
        import pandas as pd

        columns = list(WriteOutcome.__dataclass_fields__)
        return pd.DataFrame([[getattr(w, c) for c in columns] for w in self.writes],
                            columns=columns)


def _label(system) -> str:
    if isinstance(system, Cluster):
        return f"leaderless N={system.n} R={system.r} W={system.w}"
    return system.label


def _build(system_or_factory, seed):
    if isinstance(system_or_factory, (SingleLeader, MultiLeader, Cluster)):
        if seed is not None and seed != system_or_factory.sim.seed:
            raise ValueError(f"seed={seed!r} was given, but the system passed in was built with "
                             f"seed {system_or_factory.sim.seed}; pass a factory to choose the "
                             "seed, or leave seed out")
        return system_or_factory
    if callable(system_or_factory):
        system = system_or_factory(0 if seed is None else seed)
        if not isinstance(system, (SingleLeader, MultiLeader, Cluster)):
            raise ValueError(f"the factory must return a SingleLeader, MultiLeader or Cluster, "
                             f"got {system!r}")
        return system
    raise ValueError("failover_experiment needs a SingleLeader, MultiLeader or Cluster, or a "
                     f"function seed -> one of them; got {system_or_factory!r}")


def _default_victim(system) -> str:
    if isinstance(system, SingleLeader):
        return system.leader
    if isinstance(system, MultiLeader):
        return system._write_target(None)[0]
    return system.nodes[0]


def _keys(system, victim: str, count: int) -> list[str]:
    if not isinstance(system, Cluster):
        return [f"w{i:05d}" for i in range(count)]
    # Leaderless: only keys that the victim would coordinate, so that one
    # crashed node hits every write, as the leader's crash does.
    keys, i = [], 0
    preference = system.ring.preference_list
    while len(keys) < count:
        key = f"w{i:05d}"
        if preference(key)[0] == victim:
            keys.append(key)
        i += 1
        if i > 100 * count + 1000:
            raise ValueError(f"node {victim} is first in too few preference lists to "
                             "coordinate the workload")
    return keys


def failover_experiment(system, *, crash_at_ms: float = 1000.0,
                        recover_at_ms: float | None = 3000.0, duration_ms: float = 5000.0,
                        write_interval_ms: float = 10.0, settle_ms: float = 2000.0,
                        seed: int | None = None, victim: str | None = None) -> FailoverReport:
    """Crash the node the writes depend on, mid-workload, and measure the damage.

    Parameters
    ----------
    system : SingleLeader, MultiLeader or Cluster, or a function ``seed -> system``
        A fresh system to run against (it is changed), or a factory.
    crash_at_ms, recover_at_ms : float
        When the victim crashes and comes back (ms after the start);
        ``recover_at_ms=None`` leaves it down.
    duration_ms : float
        How long writes keep coming.
    write_interval_ms : float
        One write starts every this many ms (to a new key).
    settle_ms : float
        Extra time, after the workload, for recovery and catch-up.
    seed : int, optional
        Passed to a factory (default 0); with a built system, leave it out.
    victim : str, optional
        The node to crash, if not the default described in the module docstring.

    Returns
    -------
    FailoverReport

    Raises
    ------
    ValueError
        On a time that is not positive, out of order, or beyond the duration,
        an unknown kind of system, or a victim that is already down.
    """
    duration = milliseconds("duration_ms", duration_ms)
    interval = milliseconds("write_interval_ms", write_interval_ms)
    crash_at = milliseconds("crash_at_ms", crash_at_ms, allow_zero=True)
    settle = milliseconds("settle_ms", settle_ms, allow_zero=True)
    if crash_at >= duration:
        raise ValueError(f"crash_at_ms ({crash_at_ms!r}) must come before the end of the "
                         f"workload, duration_ms ({duration_ms!r})")
    recover_at = None
    if recover_at_ms is not None:
        recover_at = milliseconds("recover_at_ms", recover_at_ms)
        if not crash_at < recover_at <= duration:
            raise ValueError(f"recover_at_ms ({recover_at_ms!r}) must come after crash_at_ms "
                             f"({crash_at_ms!r}) and no later than duration_ms ({duration_ms!r})")
    count = math.ceil(duration / interval)
    if count > MAX_WRITES:
        raise ValueError(f"{count} writes is too many (at most {MAX_WRITES}); lengthen "
                         "write_interval_ms or shorten duration_ms")
    system = _build(system, seed)
    if victim is None:
        victim = _default_victim(system)
    system.network.require(victim)
    if not system.network.is_up(victim):
        raise ValueError(f"the victim {victim} is already down")
    keys = _keys(system, victim, count)

    sim = system.sim
    start = sim.now
    pending: list = [None] * count
    pool: list = []

    def idle_client():
        for client in pool:
            if client.in_flight is None:
                return client
        pool.append(system.client(f"writer{len(pool) + 1}"))
        return pool[-1]

    def write(i: int) -> None:
        pending[i] = idle_client().start_put(keys[i], i)

    # The faults are scheduled first, so a write due at the same moment as
    # the crash already finds the victim down.
    sim.schedule_at(start + crash_at, system.crash, victim)
    if recover_at is not None:
        sim.schedule_at(start + recover_at, system.recover, victim)
    for i in range(count):
        sim.schedule_at(start + i * interval, write, i)
    sim.run_until(start + duration)
    system.run_until_idle()          # let the last writes finish or time out
    sim.run_for(settle)              # heartbeats, elections and catch-up run here
    system.run_until_idle()

    completed = {rec.op_id: rec.time for rec in system.history if rec.type != "invoke"}
    reader = system.client("final-reader")
    outcomes, latencies = [], []
    for i, op in enumerate(pending):
        result = op.result
        survived = None
        if result.ok:
            latencies.append(result.latency_ms)
            survived = i in reader.get(keys[i]).values
        outcomes.append(WriteOutcome(i, keys[i], i, op.invocation.time - start,
                                     completed[op.op_id] - start, result.status,
                                     result.coordinator, survived))

    downtime, span = _longest_failure(outcomes)
    lost = tuple(w.key for w in outcomes if w.survived is False)
    acked = sum(w.status == "ok" for w in outcomes)
    return FailoverReport(
        topology=_label(system), victim=victim, seed=sim.seed, crash_at_ms=crash_at,
        recover_at_ms=recover_at, duration_ms=duration, write_interval_ms=interval,
        writes_attempted=count, writes_acknowledged=acked, writes_failed=count - acked,
        write_downtime_ms=downtime, downtime_from_ms=span[0], downtime_to_ms=span[1],
        acknowledged_lost=len(lost), lost_keys=lost,
        mean_write_latency_ms=round(sum(latencies) / len(latencies), 3) if latencies else math.nan,
        writes=tuple(outcomes))


def _longest_failure(outcomes: list[WriteOutcome]) -> tuple[float, tuple]:
    """The longest run of consecutive failed writes: (its length in ms, (from, to))."""
    best, span = 0.0, (None, None)
    first = None
    for w in outcomes:
        if w.status == "ok":
            first = None
            continue
        if first is None:
            first = w.invoked_ms
        if span[0] is None or w.invoked_ms - first > best:
            best, span = w.invoked_ms - first, (first, w.invoked_ms)
    return best, span


def compare_topologies(*, seed: int = 0, nodes: int = 3, crash_at_ms: float = 1000.0,
                       recover_at_ms: float | None = 3000.0, duration_ms: float = 5000.0,
                       write_interval_ms: float = 10.0, latency=None, timeout_ms: float = 100.0,
                       heartbeat_interval_ms: float = 100.0, failover_timeout_ms: float = 1000.0,
                       ship_interval_ms: float = 50.0):
    """Run :func:`failover_experiment` on five designs and tabulate the results.

    The rows: single-leader with sync, semi-sync and async followers,
    multi-leader (last write wins) and leaderless (N = 3, R = W = 2), all with
    ``nodes`` nodes, the same latency model and the same seed. Every number
    comes from the simulator.

    Returns
    -------
    pandas.DataFrame
        Indexed by topology, with the :data:`REPORT_COLUMNS`.

    Examples
    --------
    >>> table = compare_topologies(duration_ms=2000, crash_at_ms=500, recover_at_ms=1800)
    >>> list(table.index)
    ['single-leader sync', 'single-leader semi_sync', 'single-leader async', 'multi-leader lww', 'leaderless N=3 R=2 W=2']
    >>> float(table.loc["leaderless N=3 R=2 W=2", "write_downtime_ms"])
    0.0
    >>> int(table.loc["single-leader async", "acknowledged_lost"]) > 0
    True
    """
    import pandas as pd

    node_names_ok = isinstance(nodes, int) and not isinstance(nodes, bool) and 3 <= nodes <= 26
    if not node_names_ok:
        raise ValueError(f"nodes must be a whole number from 3 to 26 (leaderless N=3 needs 3), "
                         f"got {nodes!r}")
    leader_options = dict(latency=latency, timeout_ms=timeout_ms,
                          heartbeat_interval_ms=heartbeat_interval_ms,
                          ship_interval_ms=ship_interval_ms)
    factories = [
        *(lambda s, mode=mode: SingleLeader(nodes, mode, s, failover_timeout_ms=failover_timeout_ms,
                                            **leader_options)
          for mode in ("sync", "semi_sync", "async")),
        lambda s: MultiLeader(nodes, s, conflict="lww", **leader_options),
        lambda s: Cluster(nodes=nodes, n=3, r=2, w=2, seed=s, latency=latency,
                          timeout_ms=timeout_ms),
    ]
    rows = [failover_experiment(factory, crash_at_ms=crash_at_ms, recover_at_ms=recover_at_ms,
                                duration_ms=duration_ms, write_interval_ms=write_interval_ms,
                                seed=seed).to_dict()
            for factory in factories]
    return pd.DataFrame(rows, columns=list(REPORT_COLUMNS)).set_index("topology")
