"""Leader-based replication, modelled on the same kernel as the leaderless cluster.

Lesson 01 compares three ways to keep copies of data:

:class:`SingleLeader`
    one leader takes every write; followers copy its log synchronously,
    semi-synchronously or asynchronously; a crashed leader is replaced by
    failover (detection time-out, election, promotion), during which writes
    fail, and writes only the old leader had are lost.
:class:`MultiLeader`
    every leader takes writes and ships them to the others; nothing waits,
    so concurrent writes to one key conflict.
:class:`dynamo_lab.Cluster`
    leaderless: any node coordinates, and quorums replace the leader.

:func:`failover_experiment` crashes the node the writes depend on in any of
them and reports the write downtime and the acknowledged writes lost;
:func:`compare_topologies` puts the five standard variants side by side.

All three expose the same small API: ``put``, ``get``, ``delete``,
``client(name).start_put``, ``crash``, ``recover``, ``partition``, ``heal``,
``run_for``, ``run_until_idle``, ``now``, ``history`` and ``trace``.

Examples
--------
>>> from dynamo_lab.topologies import SingleLeader, MultiLeader
>>> sl = SingleLeader(nodes=3, replication="sync", seed=0)
>>> sl.put("k", 1).acks
('A', 'B', 'C')
>>> MultiLeader(leaders=2, seed=0).put("k", 1).acks
('A',)
"""

from .base import EVENT_KINDS, Topology, TopologyEvent
from .failover import (REPORT_COLUMNS, FailoverReport, WriteOutcome, compare_topologies,
                       failover_experiment)
from .multi_leader import CONFLICT_MODES, Conflict, MultiLeader
from .single_leader import PROMOTION_RULES, REPLICATION_MODES, LogEntry, SingleLeader

__all__ = [
    "SingleLeader", "MultiLeader", "Topology", "TopologyEvent", "LogEntry", "Conflict",
    "FailoverReport", "WriteOutcome", "failover_experiment", "compare_topologies",
    "REPLICATION_MODES", "PROMOTION_RULES", "CONFLICT_MODES", "EVENT_KINDS", "REPORT_COLUMNS",
]
