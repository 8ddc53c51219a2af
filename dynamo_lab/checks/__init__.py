"""Checks that judge a recorded history (is it linearizable?) and read history files."""

from dynamo_lab.checks.history_files import read_history
from dynamo_lab.checks.linearizability import LinearizabilityResult, linearizable

__all__ = ["linearizable", "read_history", "LinearizabilityResult"]
