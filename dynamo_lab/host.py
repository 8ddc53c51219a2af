"""What a node sees of the cluster it runs in: the protocol seam.

A storage node, the coordinator that runs its puts and gets, and the
background exchanges (hinted handoff, anti-entropy, moving ranges on a join)
never hold the whole :class:`~dynamo_lab.cluster.Cluster`. They hold a
:class:`Host`: the simulation (clock, timers, seeded random numbers), the
network, the versions of the ring, the failure detector, the versioning
scheme, the cluster's settings, and the other nodes by name. That is all a
replica or a coordinator needs, and all a learner's own replica or
coordinator class may rely on when it is plugged into a cluster
(``dl.Cluster(replica=..., coordinator=...)``; see
:mod:`dynamo_lab.node` and :mod:`dynamo_lab.coordinator`).

:class:`RingEpochs` keeps every ring the cluster agreed on. A join or a
leave adds one; each node routes by the epoch it has heard of, so for a
while under gossip two nodes can disagree on a key's replicas.

Examples
--------
>>> import dynamo_lab as dl
>>> cluster = dl.Cluster(nodes=4, n=3, seed=1)
>>> isinstance(cluster, Host)          # a cluster is what its nodes see as their host
True
>>> cluster.rings.epoch, cluster.rings.current is cluster.ring
(0, True)
>>> _ = cluster.add_node("E")
>>> cluster.rings.epoch, "E" in cluster.rings.current.nodes, "E" in cluster.rings[0].nodes
(1, True, False)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:  # pragma: no cover
    from .failure_detectors import FailureDetector
    from .latency.service import ServiceTime
    from .membership import Gossip
    from .ring import Ring
    from .sim.kernel import Simulation
    from .sim.network import Network
    from .versions import Versioning

__all__ = ["Host", "RingEpochs"]


class RingEpochs:
    """Every ring a cluster has agreed on, by epoch: 0 at the start, one more per change.

    ``current`` and ``epoch`` are the newest ring and its epoch (plain
    attributes: routing reads them on every operation). ``rings[epoch]`` is a
    ring without any check; :meth:`ring` checks the epoch first.

    Examples
    --------
    >>> from dynamo_lab.ring import Ring
    >>> rings = RingEpochs(Ring(["A", "B", "C"], n=2))
    >>> bigger = rings.current.copy()
    >>> _ = bigger.add_node("D")
    >>> rings.agree(bigger)
    1
    >>> rings.ring(0).nodes, rings.current.nodes
    (['A', 'B', 'C'], ['A', 'B', 'C', 'D'])
    >>> rings.ring(2)
    Traceback (most recent call last):
    ...
    ValueError: epoch must be a whole number from 0 to 1, got 2
    """

    __slots__ = ("_rings", "current", "epoch")

    def __init__(self, ring: "Ring"):
        self._rings: list[Ring] = [ring]
        #: The newest ring: the one the cluster has agreed on.
        self.current = ring
        #: The newest epoch.
        self.epoch = 0

    def __getitem__(self, epoch: int) -> "Ring":
        return self._rings[epoch]

    def __len__(self) -> int:
        return len(self._rings)

    def ring(self, epoch: int) -> "Ring":
        """The ring agreed on at ``epoch``, which must be one that exists."""
        if isinstance(epoch, bool) or not isinstance(epoch, int) or not 0 <= epoch <= self.epoch:
            raise ValueError(f"epoch must be a whole number from 0 to {self.epoch}, "
                             f"got {epoch!r}")
        return self._rings[epoch]

    def agree(self, ring: "Ring") -> int:
        """Add ``ring`` as the newest; return its epoch."""
        self._rings.append(ring)
        self.current, self.epoch = ring, len(self._rings) - 1
        return self.epoch

    def __repr__(self) -> str:
        return f"<RingEpochs: epoch {self.epoch}, nodes {', '.join(self.current.nodes)}>"


@runtime_checkable
class Host(Protocol):
    """What nodes, coordinators and background exchanges may use of their cluster.

    Attributes
    ----------
    sim : Simulation
        Virtual time (``sim.now``), timers (``sim.schedule``) and the seeded
        random generator (``sim.rng``).
    network : Network
        ``network.send(src, dst, kind, key, op_id, payload)``, who is up, who
        can reach whom.
    rings : RingEpochs
        Every agreed ring; a node routes by ``rings[node.ring_epoch]``.
    detector : FailureDetector
        ``detector.is_healthy(observer, node)``, fed by ``missed`` and
        ``heard_from``.
    versioning : Versioning
        How versions are made, merged and compared (vector clocks, dotted
        version vectors or last-write-wins).
    gossip : Gossip or None
        Gossip membership, when the cluster runs it.
    n : int
        Replicas per key.
    timeout_ms : float
        How long a coordinator waits before an operation is indeterminate.
    sloppy_quorum : bool
    hinted_handoff : bool or "coordinator"
    read_repair : "async", "blocking" or False
    read_fanout : "all", "r" or "random_r"
    tombstones : "safe" or "naive"
    clock_threshold : int
    hint_interval_ms : float
        The settings of the cluster (see :class:`~dynamo_lab.cluster.Cluster`).
    service_time : ServiceTime
        What a replica pays to serve a request its own node coordinates
        (``service_time.legs(sim.rng, "put_req")``; see
        :mod:`dynamo_lab.latency.service`).
    context_origin : object
        The token a coordinator puts in every context it hands out
        (:class:`~dynamo_lab.versions.Context`), so that a context from
        another cluster can be refused.
    nodes : list of str
        The names of the nodes.
    """

    sim: "Simulation"
    network: "Network"
    rings: RingEpochs
    detector: "FailureDetector"
    versioning: "Versioning"
    gossip: "Gossip | None"
    n: int
    timeout_ms: float
    sloppy_quorum: bool
    hinted_handoff: Any
    read_repair: Any
    read_fanout: str
    tombstones: str
    clock_threshold: int
    hint_interval_ms: float
    service_time: "ServiceTime"
    context_origin: object

    @property
    def nodes(self) -> list[str]:
        """The names of the nodes."""
        ...

    def node(self, name: str) -> Any:
        """The node called ``name``: a :class:`~dynamo_lab.node.Node` (or the
        cluster's ``replica=`` class). Typed loosely, as nodes sit above this
        module and it imports none of them."""
        ...
