"""Module paths that moved when the package was arranged into layers.

Importing an old path raises a ``ModuleNotFoundError`` that names the new
home, instead of Python's bare "No module named ...", so a notebook or
script written against the old layout says what to change. Nothing is
re-exported under the old names: one name per module keeps the layers
readable. The names on ``dynamo_lab`` itself that the course's API promises
(``dl.workload``, ``dl.presets``, ``dl.pbs``, ...) keep working; see
``dynamo_lab/__init__.py``.

>>> import dynamo_lab
>>> import dynamo_lab.exercises.generate
Traceback (most recent call last):
...
ModuleNotFoundError: dynamo_lab.exercises.generate has moved to tools/generate_exercises.py, outside the package
"""

from __future__ import annotations

import importlib.abc
import sys

__all__ = ["MOVED", "install"]

#: Old module path -> where it went.
MOVED: dict[str, str] = {
    "dynamo_lab.exercises.generate": "tools/generate_exercises.py, outside the package",
    "dynamo_lab.exercises.refresh": "tools/refresh_notebooks.py, outside the package",
    # the experiments, out of the mechanisms' way
    "dynamo_lab.workload": "dynamo_lab.experiments.workload (dl.workload still works)",
    "dynamo_lab.service_targets": "dynamo_lab.experiments.service_targets",
    "dynamo_lab.quorum_experiments": "dynamo_lab.experiments.quorums",
    "dynamo_lab.read_repair_experiments": "dynamo_lab.experiments.read_repair",
    "dynamo_lab.sloppy_quorum": "dynamo_lab.experiments.sloppy_quorums",
    "dynamo_lab.anti_entropy_experiments": "dynamo_lab.experiments.anti_entropy",
    "dynamo_lab.scenarios": "dynamo_lab.experiments.concurrent_writes",
    "dynamo_lab.cart_experiments": "dynamo_lab.experiments.cart",
    "dynamo_lab.rebalance_experiments": "dynamo_lab.experiments.rebalance",
    "dynamo_lab.partitioning": "dynamo_lab.experiments.partitioning",
    "dynamo_lab.key_design": "dynamo_lab.experiments.key_design",
    "dynamo_lab.preset_experiments": "dynamo_lab.experiments.preset_runs",
    "dynamo_lab.session_guarantees": "dynamo_lab.checks.session_guarantees (the checkers) and "
                                     "dynamo_lab.experiments.session_guarantees (the trials)",
    "dynamo_lab.health": "dynamo_lab.failure_detectors",
    "dynamo_lab.grade": "dynamo_lab.exercises.grade (python -m dynamo_lab.exercises.grade)",
    # the view-models that plots and widgets share
    "dynamo_lab.replay": "dynamo_lab.views.message_timeline (its Timeline is MessageTimeline)",
    "dynamo_lab.timeline": "dynamo_lab.views.history_timeline",
    "dynamo_lab.merkle_view": "dynamo_lab.views.merkle_comparison",
    "dynamo_lab.version_graph": "dynamo_lab.views.version_graph",
}


class _MovedModuleFinder(importlib.abc.MetaPathFinder):
    """Consulted last, after the real finders found nothing under an old path."""

    def find_spec(self, fullname, path, target=None):
        new_home = MOVED.get(fullname)
        if new_home is None:
            return None
        raise ModuleNotFoundError(f"{fullname} has moved to {new_home}", name=fullname)


def install() -> None:
    """Put the finder at the end of ``sys.meta_path`` (once)."""
    if not any(isinstance(finder, _MovedModuleFinder) for finder in sys.meta_path):
        sys.meta_path.append(_MovedModuleFinder())
