"""Checks that judge what a run did, the way Jepsen judges real databases.

- :func:`linearizable`: could the history have happened one operation at a time?
- :func:`stale_reads`: reads that missed a write acknowledged before they began.
- :func:`lost_writes`: acknowledged writes missing at the end (invariant 11).
- :func:`converged`: do all replicas of every key agree?
- :func:`read_your_writes_violations`, :func:`monotonic_read_violations`: the
  session guarantees, client by client.
- :func:`find_anomaly`: search runs of a configuration for a concrete counterexample.
- :func:`read_history`: read a Jepsen log or EDN history file.
"""

from dynamo_lab.checks.anomalies import Anomaly, find_anomaly
from dynamo_lab.checks.convergence import converged, divergent_keys
from dynamo_lab.checks.history_files import read_history
from dynamo_lab.checks.linearizability import LinearizabilityResult, linearizable
from dynamo_lab.checks.lost_writes import LostWriteReport, lost_writes
from dynamo_lab.checks.session_guarantees import (SessionViolation, monotonic_read_violations,
                                                  read_your_writes_violations, session_violations)
from dynamo_lab.checks.staleness import StaleRead, stale_reads

__all__ = ["linearizable", "read_history", "LinearizabilityResult", "stale_reads", "StaleRead",
           "lost_writes", "LostWriteReport", "converged", "divergent_keys", "find_anomaly",
           "Anomaly", "read_your_writes_violations", "monotonic_read_violations",
           "session_violations", "SessionViolation"]
