"""dynamo-lab: a simulated Dynamo-style cluster for learning leaderless replication.

>>> import dynamo_lab as dl
>>> cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=7)
>>> cluster.put("greeting", "hello").ok
True
>>> cluster.get("greeting").value
'hello'

The core model imports no plotting or widget library; ``dl.plots`` and
``dl.widgets`` load them when first used.
"""

from importlib import import_module

from . import _moved, latency, versions
from .client import Client, PendingOperation
from .cluster import Cluster, Replicas
from .history import History, Operation
from .results import OperationFailed, ReadResult, SiblingsError, WriteResult
from .ring import Ring
from .sim import Simulation, Trace, TraceEvent
from .versions import Context, Record, Sibling, VectorClock

__version__ = "0.1.0"

_moved.install()   # old module paths name their new homes

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
         "apps": ".apps",
         # dl.workload is part of the course's API; the module lives with the experiments.
         "workload": ".experiments.workload"}


def __getattr__(name):
    if name in _LAZY:
        module = import_module(_LAZY[name], __name__)
        globals()[name] = module
        return module
    moved = _moved.MOVED.get(f"{__name__}.{name}")
    if moved is not None:
        raise AttributeError(f"dynamo_lab.{name} has moved to {moved}")
    raise AttributeError(f"module 'dynamo_lab' has no attribute {name!r}")
