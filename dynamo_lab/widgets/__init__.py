"""Interactive views of the model, built from ipywidgets.

Each widget has a plain model object that knows nothing of widgets (it
calls the package's public API) and a view of boxes, sliders and buttons
that observes it. Display one by making it the last line of a cell, or with
``display(...)``; its controls are attributes, so a test (or a curious
learner) can set ``.value`` or press a button with ``.click()``.

============================  ===================================================
widget                        shows
============================  ===================================================
:class:`QuorumCalculator`     what N, R and W promise, and the quorum diagram
:class:`RingExplorer`         the ring, a key's preference list, what moves
:class:`ClusterExplorer`      a live cluster: faults, put and get, replicas
:class:`MessageDiagram`       the messages of a run, up to a chosen moment
:class:`Replay`               the cluster and its messages, step by step
:class:`MerkleExplorer`       two replicas' Merkle trees, compared level by level
:class:`VersionGraph`         the causal graph of a key's versions and siblings
:class:`TVisibilityExplorer`  PBS t-visibility curves for a latency fit
:class:`ConfigJudge`          a configuration judged against service targets
:class:`Predict`              a question whose computed answer shows only after
                              the learner commits a prediction
============================  ===================================================

Pictures are matplotlib figures sent as PNG images, so no interactive
matplotlib backend is needed.
"""

from .cluster_explorer import ClusterExplorer
from .config_judge import ConfigJudge
from .merkle_explorer import MerkleExplorer
from .predict import Predict, prediction_summary
from .quorum_calculator import QuorumCalculator
from .replay import MessageDiagram, Replay
from .ring_explorer import RingExplorer
from .t_visibility import TVisibilityExplorer
from .version_graph import VersionGraph

__all__ = ["QuorumCalculator", "RingExplorer", "ClusterExplorer", "MessageDiagram", "Replay",
           "MerkleExplorer", "VersionGraph", "TVisibilityExplorer", "ConfigJudge", "Predict",
           "prediction_summary"]
