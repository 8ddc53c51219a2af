"""dynamo-lab: a simulated Dynamo-style cluster for learning leaderless replication.

>>> import dynamo_lab as dl
>>> cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=7)
>>> cluster.put("greeting", "hello").ok
True
>>> cluster.get("greeting").value
'hello'

The core model imports no plotting or widget library; ``dl.plots`` and
``dl.widgets`` load them when first used.

The package is arranged in layers: the kernel (``sim/``, ``latency/``), the
mechanisms (the modules at the top, ``topologies/``, ``apps/``), then
``checks/``, ``experiments/``, ``views/``, ``plots/``, ``widgets/`` and
``exercises/``. Modules that moved when it was arranged so are listed in
``_MOVED``: importing an old path raises an error that names the new home.

>>> import dynamo_lab.quorum_experiments
Traceback (most recent call last):
...
ModuleNotFoundError: dynamo_lab.quorum_experiments has moved to dynamo_lab.experiments.quorums
"""

import sys
from importlib import import_module

from . import latency, versions
from .client import Client, PendingOperation
from .cluster import Cluster, Replicas
from .history import History, Operation
from .results import OperationFailed, ReadResult, SiblingsError, WriteResult
from .ring import Ring
from .sim import Simulation, Trace, TraceEvent
from .versions import Context, Record, Sibling, VectorClock

__version__ = "0.1.0"

__all__ = [
    "Cluster", "Replicas", "Client", "PendingOperation", "Ring",
    "ReadResult", "WriteResult", "SiblingsError", "OperationFailed",
    "History", "Operation", "Trace", "TraceEvent", "Simulation",
    "VectorClock", "Context", "Record", "Sibling",
    "latency", "versions", "checks", "plots", "widgets",
]

# Loaded on first use: the presentation layer pulls in matplotlib, networkx
# and ipywidgets, which a plain `import dynamo_lab` must not, and the rest
# is not needed by every notebook. Name on `dl` -> module.
_LAZY = {"checks": ".checks", "plots": ".plots", "widgets": ".widgets", "views": ".views",
         "pbs": ".pbs", "quorum": ".quorum", "consistency": ".consistency",
         "topologies": ".topologies",
         "presets": ".presets", "experiments": ".experiments", "exercises": ".exercises",
         "apps": ".apps", "labs": ".labs",
         # dl.workload is part of the course's API; the module lives with the experiments.
         "workload": ".experiments.workload"}


def __getattr__(name):
    if name in _LAZY:
        module = import_module(_LAZY[name], __name__)
        globals()[name] = module
        return module
    moved = _MOVED.get(f"{__name__}.{name}")
    if moved is not None:
        raise AttributeError(f"dynamo_lab.{name} has moved to {moved}")
    raise AttributeError(f"module 'dynamo_lab' has no attribute {name!r}")


# -- module paths that moved --------------------------------------------------------
# Nothing is re-exported under an old name: one name per module keeps the
# layers readable. The names on `dl` that the course's API promises
# (dl.workload, dl.presets, dl.pbs, ...) keep working through _LAZY.

#: Old module path -> where it went.
_MOVED: dict[str, str] = {
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


class _MovedModuleFinder:
    """A finder on ``sys.meta_path``, consulted after the real ones found nothing.

    (Any object with ``find_spec`` will do; importlib.abc's base class would
    add a fifth to the package's import time.)
    """

    def find_spec(self, fullname, path, target=None):
        new_home = _MOVED.get(fullname)
        if new_home is None:
            return None
        raise ModuleNotFoundError(f"{fullname} has moved to {new_home}", name=fullname)


# Consulted last, so only a path that exists nowhere else reaches it.
if not any(isinstance(finder, _MovedModuleFinder) for finder in sys.meta_path):
    sys.meta_path.append(_MovedModuleFinder())
