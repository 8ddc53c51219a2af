"""Pictures of the model, drawn with matplotlib.

Each function takes ``ax=None`` (it draws on a new figure when no axes are
given) and returns a small object holding what it drew, so that tests and
curious learners can check colours and counts without comparing pixels.
matplotlib and networkx are imported only when a function runs.

========================  ==================================================
function                  draws
========================  ==================================================
:func:`draw_ring`         tokens, ranges, a key's preference list, moves
:func:`draw_cluster`      nodes up, down or cut off; cut links; last operation
:func:`draw_quorum`       N replicas, a write set, a read set, their overlap
:func:`draw_messages`     a space-time diagram of a slice of the trace
:func:`draw_merkle`       two replicas' Merkle trees and where they differ
:func:`draw_version_graph`  the causal graph of a key's versions
:func:`draw_timeline`     a history: a bar per operation, faults, the witness
:func:`draw_phi`          phi of one peer over time, threshold, suspicion
:func:`draw_spread`       gossip spreading a change, round by round
:func:`draw_t_visibility`   P(consistent read) against time since commit
:func:`draw_latency_vs_staleness`  each (R, W): tail latency against staleness
========================  ==================================================

Every picture colours nodes with :func:`node_colors` (see
:mod:`dynamo_lab.plots.colors`), so a node looks the same in all of them.
"""

from .cluster import ClusterDrawing, draw_cluster
from .colors import PALETTE, node_colors
from .membership import PhiDrawing, SpreadDrawing, draw_phi, draw_spread
from .merkle import MerkleDrawing, draw_merkle
from .messages import MessageDrawing, draw_messages
from .quorum import QuorumDrawing, draw_quorum
from .pbs import TradeoffDrawing, VisibilityDrawing, draw_latency_vs_staleness, draw_t_visibility
from .ring import RingDrawing, draw_ring
from .timeline import TimelineDrawing, draw_timeline
from .version_graph import VersionGraphDrawing, draw_version_graph

__all__ = ["draw_phi", "draw_spread", "PhiDrawing", "SpreadDrawing", "draw_t_visibility", "draw_latency_vs_staleness", "VisibilityDrawing",
           "TradeoffDrawing", "draw_ring", "draw_cluster", "draw_quorum", "draw_messages", "draw_merkle",
           "node_colors", "PALETTE", "RingDrawing", "ClusterDrawing", "QuorumDrawing",
           "MessageDrawing", "MerkleDrawing", "draw_version_graph", "VersionGraphDrawing",
           "draw_timeline", "TimelineDrawing"]
