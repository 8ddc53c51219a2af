"""The cluster: the object learners hold.

It wires the ring, the nodes and the network together over one simulation
and exposes the learner-facing API (``docs: ARCHITECTURE.md``).

Examples
--------
>>> import dynamo_lab as dl
>>> cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=7)
>>> cluster.put("cart:alice", ["book"]).ok
True
>>> r = cluster.get("cart:alice")
>>> r.value
['book']
>>> cluster.put("cart:alice", ["book", "pen"], context=r.context).ok
True
>>> cluster.get("cart:alice").value
['book', 'pen']

A node down, and a write that still succeeds because W = 2 of the
remaining home replicas answer:

>>> home = cluster.ring.home_replicas("cart:alice")
>>> cluster.crash(home[1])
>>> cluster.put("cart:alice", ["pen"], context=cluster.get("cart:alice").context).ok
True
"""

from __future__ import annotations

import math
import string
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .anti_entropy import AntiEntropyReport, SettleReport
from .anti_entropy import run_round as run_anti_entropy_round
from .client import Client, PendingOperation
from .consistency import request_quorum
from .coordinator import Coordinator, QuorumCoordinator
from .failure_detectors import make_detector
from .host import RingEpochs
from .latency import Exponential, LatencyModel, as_latency_model
from .latency.service import ServiceTime
from .node import Node
from .rebalance import Rebalance, RebalanceReport
from .results import ReadResult, WriteResult
from .ring import Ring
from .system import DEFAULT_CLIENT, FAULT_KINDS, FaultEvent, SimulatedSystem
from .merkle import check_tree_shape
from .validation import boolean, milliseconds, quorum_size, whole_number
from .versions import Context, Record, make_versioning

if TYPE_CHECKING:  # pragma: no cover
    from .membership import Gossip   # imported when gossip starts: see _start_gossip
    from .sim.kernel import Timer

__all__ = ["Cluster", "Replicas", "FaultEvent", "READ_REPAIR_MODES", "READ_FANOUTS",
           "FAULT_KINDS", "MAX_NODES"]


#: True in the compiled build (``make compiled``): its node and coordinator
#: classes are compiled, call their own methods natively and take no Python
#: subclasses, so only the default classes can run there.
_COMPILED = not __file__.endswith(".py")

#: How long ``add_node`` and ``remove_node`` run the cluster waiting for the
#: copy to finish before they return a report that says it is still going (ms).
REBALANCE_WAIT_MS = 60_000.0

#: How long ``settle`` lets the cluster run between two rounds (ms): a timeout
#: detector's suspicion lapses in this time, and a gossip round goes by.
SETTLE_PAUSE_MS = 1_000.0

#: The most nodes a cluster may have. Dynamo ran tens to hundreds of nodes
#: per cluster; the lessons use at most 30. A thousand still builds at once
#: and gossips a simulated second in under a second; 200,000 would seem to hang.
MAX_NODES = 1000

#: Accepted values of ``read_repair``.
READ_REPAIR_MODES = ("async", "blocking", False)
#: Accepted values of ``read_fanout``: which replicas a get asks.
READ_FANOUTS = ("all", "r", "random_r")


def _node_names(nodes) -> list[str]:
    if isinstance(nodes, bool):
        raise ValueError(f"nodes must be a count or a list of names, got {nodes!r}")
    if isinstance(nodes, int):
        if nodes < 1:
            raise ValueError(f"a cluster needs at least 1 node, got nodes={nodes}")
        _check_size(nodes)
        if nodes <= 26:
            return list(string.ascii_uppercase[:nodes])
        return [f"n{i}" for i in range(1, nodes + 1)]
    if isinstance(nodes, str) or not isinstance(nodes, Sequence):
        raise ValueError(f"nodes must be a count or a list of names such as ['A', 'B', 'C'], "
                         f"got {nodes!r}")
    names = list(nodes)
    if not names:
        raise ValueError("nodes is an empty list; a cluster needs at least 1 node")
    _check_size(len(names))
    for name in names:
        if not isinstance(name, str) or not name:
            raise ValueError(f"node names must be non-empty strings, got {name!r}")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"node names must be unique; repeated: {', '.join(duplicates)}")
    return names


def _check_size(count: int) -> None:
    """Refuse a cluster of more than :data:`MAX_NODES` nodes."""
    if count > MAX_NODES:
        raise ValueError(f"nodes={count} is too many: a cluster has at most {MAX_NODES} nodes")


class Replicas(dict):
    """node -> the :class:`~dynamo_lab.versions.Record` it stores for one key.

    Home replicas come first (``None`` when one holds nothing), then any
    other node holding the key or a hint for it. ``hints`` maps a node to
    the hints it holds for the key: intended owner -> record.
    """

    def __init__(self, key: str, home: list[str], entries, hints):
        super().__init__(entries)
        self.key = key
        self.home = home
        self.hints: dict[str, dict[str, Record]] = hints

    def values_at(self, node: str) -> list[Any]:
        """The live values ``node`` stores (its hints not included)."""
        record = self.get(node)
        return [] if record is None else record.values

    def to_frame(self):
        """One row per node: role, values, clock, and the hints it holds."""
        import pandas as pd

        rows = []
        for node, record in self.items():
            held = self.hints.get(node, {})
            rows.append({
                "node": node,
                "role": "home" if node in self.home else "other",
                "values": [] if record is None else record.values,
                "clock": "" if record is None else str(record.clock),
                "hints_for": ", ".join(f"{owner}: {rec.values}" for owner, rec in held.items()),
            })
        return pd.DataFrame(rows, columns=["node", "role", "values", "clock", "hints_for"])

    def __repr__(self) -> str:
        lines = [f"replicas of {self.key!r}:"]
        for node, record in self.items():
            role = "home" if node in self.home else "other"
            shown = "nothing" if record is None else str(record)
            held = self.hints.get(node)
            extra = "".join(f"; hint for {owner}: {rec}" for owner, rec in (held or {}).items())
            lines.append(f"  {node} ({role}) {shown}{extra}")
        return "\n".join(lines)


class Cluster(SimulatedSystem):
    """A simulated Dynamo-style key-value cluster.

    Parameters
    ----------
    nodes : int or list of str
        How many nodes (named A, B, C, ...), or their names.
    n, r, w : int
        Replicas per key (N), replies a get waits for (R), acknowledgements a
        put waits for (W). 1 <= R, W <= N <= number of nodes.
    seed : int
        Seeds every random choice: the same seed and calls repeat exactly.
    vnodes : int
        Tokens per node on the ring (8).
    strategy : int
        Dynamo's partitioning strategy, 1, 2 or 3 (§6.2); 1 by default.
    partitions : int, optional
        Q, the number of equal partitions for strategies 2 and 3.
    latency : LatencyModel or number
        One-way delay of every link; ``dl.latency.Exponential(mean_ms=1.0)``.
    loss : float
        Probability that any message is lost (0).
    service_time : "legs", number or LatencyModel
        What a replica pays to serve a request its own node coordinates (it
        sends itself no message). ``"legs"`` (default): the request's legs of
        a per-kind model such as ``WARS.link_model()``, whose legs include
        the replica's service time; nothing under a single-link model, which
        times only the wire. A number or model: one draw of it. See
        :mod:`dynamo_lab.latency.service`.
    versioning : str
        ``"vector_clock"`` (default), ``"dvv"`` or ``"lww"``; see
        :mod:`dynamo_lab.versions`.
    sloppy_quorum : bool
        True (default): operations use the first N healthy nodes of the
        extended preference list. False: only the N home replicas.
    hinted_handoff : bool or "coordinator"
        True (default): a fallback node keeps a hint for the home replica it
        stands in for and delivers it later. ``"coordinator"`` (Cassandra):
        the coordinator itself keeps a hint for each home replica it cannot
        reach; such hints do not count towards W, except that a write at
        level ``"ANY"`` succeeds on a hint alone.
    read_fanout : "all", "r" or "random_r"
        Which replicas a get asks: all N targets (default, Dynamo), only the
        first R of them in preference-list order (Voldemort), or R of them
        chosen at random (DynamoDB's eventually consistent reads).
    read_repair : "async", "blocking" or False
        How a get updates replicas that answered with stale data.
    timeout_ms : float
        How long a client waits before recording its operation as
        indeterminate (100 ms).
    failure_detector : str
        How coordinators decide who is healthy: ``"timeouts"`` (default:
        suspect a node that missed replies), ``"oracle"`` (perfect
        knowledge; see :mod:`dynamo_lab.failure_detectors`) or ``"phi"`` (nodes gossip
        every ``gossip_period_ms`` and suspect a peer whose heartbeats, as
        gossip carries them, make phi exceed ``phi_threshold``; see
        :mod:`dynamo_lab.membership` and :mod:`dynamo_lab.phi_accrual`).
    clock_threshold : int
        Vector clock entries kept before the oldest is dropped (10).
    hint_interval_ms : float
        How often a node offers its hints to their owners (1000 ms).
    tombstones : "safe" or "naive"
        When a delete's tombstone is removed: once every home replica holds
        it ("safe"), or once W do ("naive", which can bring a deleted value
        back).
    replica : type, optional
        The class of the storage nodes: :class:`~dynamo_lab.node.Node` (the
        default, or None) or a subclass of it. Each is built as
        ``replica(name, host)``.
    coordinator : type, optional
        The class that runs the puts and gets a node coordinates: a subclass
        of :class:`~dynamo_lab.coordinator.Coordinator`;
        :class:`~dynamo_lab.coordinator.QuorumCoordinator` by default. Each
        node gets one, built as ``coordinator(node, host)``. Replicas and
        coordinators see the cluster only as a :class:`~dynamo_lab.host.Host`.
    """

    def __init__(self, nodes: int | Sequence[str] = 5, n: int = 3, r: int = 2, w: int = 2,
                 seed: int = 0, *, vnodes: int = 8, strategy: int = 1,
                 partitions: int | None = None,
                 latency: LatencyModel | float | None = None, loss: float = 0.0,
                 service_time: str | float | LatencyModel = "legs",
                 versioning: str = "vector_clock", sloppy_quorum: bool = True,
                 hinted_handoff: bool | str = True, read_repair: str | bool = "async",
                 read_fanout: str = "all",
                 timeout_ms: float = 100.0, failure_detector: str = "timeouts",
                 clock_threshold: int = 10, hint_interval_ms: float = 1000.0,
                 tombstones: str = "safe", gossip_period_ms: float = 1000.0,
                 phi_threshold: float = 8.0, replica: type[Node] | None = None,
                 coordinator: type[Coordinator] | None = None):
        names = _node_names(nodes)
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= len(names):
            raise ValueError(f"n={n!r} is not allowed: the cluster has {len(names)} node(s), so N "
                             f"must be a whole number from 1 to {len(names)}")
        quorum_size("r", r, n)
        quorum_size("w", w, n)
        if tombstones not in ("safe", "naive"):
            raise ValueError(f"tombstones={tombstones!r} is not allowed; choose 'safe' or 'naive'")
        # 0 == False, so a membership test alone would take read_repair=0.
        if not (read_repair is False or (isinstance(read_repair, str)
                                         and read_repair in READ_REPAIR_MODES)):
            raise ValueError(f"read_repair={read_repair!r} is not allowed; choose 'async', "
                             "'blocking' or False")
        if not isinstance(sloppy_quorum, bool):
            raise ValueError(f"sloppy_quorum must be True or False, got {sloppy_quorum!r}")
        if not (isinstance(hinted_handoff, bool) or hinted_handoff == "coordinator"):
            raise ValueError(f"hinted_handoff must be True, False or 'coordinator', got "
                             f"{hinted_handoff!r}")
        if read_fanout not in READ_FANOUTS:
            raise ValueError(f"read_fanout={read_fanout!r} is not allowed; choose "
                             f"{', '.join(map(repr, READ_FANOUTS))}")
        whole_number("clock_threshold", clock_threshold)
        self.timeout_ms = milliseconds("timeout_ms", timeout_ms)
        milliseconds("gossip_period_ms", gossip_period_ms)
        if isinstance(phi_threshold, bool) or not isinstance(phi_threshold, (int, float)) \
                or not math.isfinite(phi_threshold) or phi_threshold <= 0:
            raise ValueError(f"phi_threshold must be a finite number > 0, got {phi_threshold!r}")
        self.hint_interval_ms = milliseconds("hint_interval_ms", hint_interval_ms)
        # None means the default classes (a compiled build can show the
        # signature only when every default is a plain constant).
        replica = Node if replica is None else replica
        coordinator = QuorumCoordinator if coordinator is None else coordinator
        if not (isinstance(replica, type) and issubclass(replica, Node)):
            raise ValueError(f"replica must be dynamo_lab.node.Node or a subclass of it, got "
                             f"{replica!r}")
        if not (isinstance(coordinator, type) and issubclass(coordinator, Coordinator)):
            raise ValueError(f"coordinator must be a subclass of dynamo_lab.coordinator."
                             f"Coordinator (such as QuorumCoordinator), got {coordinator!r}")
        if (replica is not Node or coordinator is not QuorumCoordinator) and _COMPILED:
            raise ValueError("replica= and coordinator= classes of your own need the "
                             "interpreted package: the compiled build (make compiled) runs "
                             "only its own Node and QuorumCoordinator")
        self._replica_class = replica
        self._coordinator_class = coordinator
        self.versioning = make_versioning(versioning)
        latency_model = as_latency_model(latency if latency is not None else Exponential(1.0))
        #: What a replica pays to serve a request its own node coordinates.
        self.service_time = ServiceTime(service_time, latency_model)
        ring = Ring(names, n=n, vnodes=vnodes, strategy=strategy, partitions=partitions)
        super().__init__(names, seed, latency_model, loss)
        #: Every ring the cluster has agreed on, by epoch; nodes route by
        #: their own view, :attr:`Node.ring <dynamo_lab.node.Node.ring>`.
        self.rings = RingEpochs(ring)
        #: Stamped on every context this cluster hands out, so that a context
        #: from another cluster is refused (compared with ``is``).
        self.context_origin = object()
        self.n, self.r, self.w = n, r, w
        self.read_repair = read_repair
        self.sloppy_quorum = sloppy_quorum
        self.hinted_handoff = hinted_handoff
        self.read_fanout = read_fanout
        self.clock_threshold = clock_threshold
        self.tombstones = tombstones
        self.gossip: Gossip | None = None
        if failure_detector == "phi":
            self.detector = self._start_gossip(gossip_period_ms, phi_threshold)
        else:
            self.detector = make_detector(failure_detector, self.network)
        self._nodes: dict[str, Node] = {}
        for name in names:
            self._add_node_object(name)
        self._anti_entropy_timer: Timer | None = None
        self._rebalance: Rebalance | None = None
        self._retired_hints = {"stored": 0, "delivered": 0}
        #: Reports of the background anti-entropy rounds started so far.
        self.anti_entropy_rounds: list[AntiEntropyReport] = []

    def _start_gossip(self, period_ms: float, threshold: float):
        """Membership by gossip, with phi-accrual detection fed by its heartbeats."""
        from .membership import Gossip
        from .phi_accrual import PhiAccrual, PhiDetector

        self.gossip = Gossip(self.sim, self.network, self.network.nodes, period_ms=period_ms,
                             phi=PhiAccrual(threshold=threshold), attach=False,
                             on_change=self._heard_of_change)
        return PhiDetector(self.gossip, self.sim)

    # -- ring versions -------------------------------------------------------------
    @property
    def ring(self) -> Ring:
        """The ring the cluster has agreed on: the newest of :attr:`rings`."""
        return self.rings.current

    @property
    def ring_epoch(self) -> int:
        """The version of :attr:`ring`: 0 at the start, one more per join or leave."""
        return self.rings.epoch

    def ring_views(self) -> dict[str, int]:
        """Each node's ring epoch: which version of the ring it routes by."""
        return {name: node.ring_epoch for name, node in self._nodes.items()}

    def _agree_on(self, ring: Ring, announce: tuple[str, str, str | None]) -> None:
        """Switch to ``ring`` after a join or leave.

        Without gossip every node learns of it at once. With gossip the node
        that changed announces the new ring's epoch in its membership entry
        (``announce`` is (node, status, witness)), and each node adopts it when
        gossip brings it there.
        """
        epoch = self.rings.agree(ring)
        node, status, by = announce
        if self.gossip is None:
            for each in self._nodes.values():
                each.route_by(epoch)
            return
        self.gossip.announce(node, status, meta={"ring": epoch}, by=by)
        self._heard_of_change(by or node)

    def _heard_of_change(self, name: str) -> None:
        """Gossip changed ``name``'s view: adopt the newest ring epoch it mentions."""
        node, gossip = self._nodes.get(name), self.gossip
        if node is None or gossip is None:
            return
        view = gossip.view(name)
        epoch = max((e.meta or {}).get("ring", 0) for e in view.values())
        node.adopt_ring(epoch)

    def _add_node_object(self, name: str) -> Node:
        node = self._replica_class(name, self)
        node.coordinator = self._coordinator_class(node, self)
        self._nodes[name] = node
        self.network.attach(name, node.receive)
        return node

    # -- what there is --------------------------------------------------------
    def node(self, name: str) -> Node:
        """The :class:`~dynamo_lab.node.Node` called ``name`` (for inspection)."""
        self.network.require(name)
        return self._nodes[name]

    def __repr__(self) -> str:
        parts = [f"<Cluster {len(self._nodes)} nodes, N={self.n} R={self.r} W={self.w}, "
                 f"t={self.now:g} ms"]
        if self.down:
            parts.append(f"down: {', '.join(self.down)}")
        groups = self.partitions
        if len(groups) > 1:
            parts.append("partition: " + " | ".join("[" + ", ".join(g) + "]" for g in groups))
        return "; ".join(parts) + ">"

    # -- clients --------------------------------------------------------------
    def put(self, key: str, value: Any, context: Context | None = None, *,
            w: int | str | None = None, coordinator: str | None = None) -> WriteResult:
        """Write ``value`` under ``key`` and wait for the result.

        ``w`` overrides the cluster's W for this request: a number, or a
        consistency level (``"ONE"``, ``"QUORUM"``, ``"ALL"``, ``"ANY"``...).

        Pass the ``context`` of a previous get to say which versions this
        write replaces; without it the write is concurrent with what is stored.
        """
        return self.client(DEFAULT_CLIENT).put(key, value, context, w=w, coordinator=coordinator)

    def get(self, key: str, *, r: int | str | None = None,
            coordinator: str | None = None) -> ReadResult:
        """Read ``key`` and wait for the result (``r``: a number or a level)."""
        return self.client(DEFAULT_CLIENT).get(key, r=r, coordinator=coordinator)

    def delete(self, key: str, context: Context | None = None, *, w: int | str | None = None,
               coordinator: str | None = None) -> WriteResult:
        """Delete ``key`` by writing a tombstone, and wait for the result."""
        return self.client(DEFAULT_CLIENT).delete(key, context, w=w, coordinator=coordinator)

    # -- operations -----------------------------------------------------------
    def _check_context(self, key: str, context) -> Context | None:
        if context is None:
            return None
        if not isinstance(context, Context):
            raise ValueError(f"context must be the .context of a ReadResult or WriteResult, "
                             f"got {context!r}")
        if context.key != key:
            raise ValueError(f"this context belongs to key {context.key!r}, not {key!r}; pass "
                             f"the context from a read of {key!r}")
        if context.origin is not None and context.origin is not self.context_origin:
            raise ValueError(f"this context comes from another cluster: its clock names writes "
                             f"this cluster never saw, and would replace writes it never read; "
                             f"pass the context of a read of {key!r} from this cluster")
        return context

    def _choose_coordinator(self, key: str, coordinator: str | None) -> str | None:
        if coordinator is not None:
            self.network.require(coordinator)
            return coordinator
        for name in self.ring.preference_list(key):
            if self.network.is_up(name):
                return name
        return None

    def start_write(self, client: Client, key: str, value: Any, context, w, coordinator,
                    tombstone: bool) -> PendingOperation:
        """Start a put (or, with ``tombstone``, a delete) for ``client``: check the
        request, record its invocation and hand it to the coordinator's node."""
        key = self._check_key(key)
        context = self._check_context(key, context)
        quorum, any_level = (self.w, False) if w is None else request_quorum("w", w, self.n)
        if any_level and not self.hinted_handoff:
            raise ValueError("w='ANY' needs hinted handoff (a hint is what may satisfy it); "
                             "this cluster has hinted_handoff=False")
        chosen = self._choose_coordinator(key, coordinator)
        f = "delete" if tombstone else "put"
        pending = self._begin(client, f, key, None if tombstone else value, chosen, context)
        if chosen is None or not self.network.is_up(chosen):
            return self._fail_at_once(pending, key, chosen, self._coordinator_problem(chosen))
        self._nodes[chosen].coordinator.put(pending, key, value, context, quorum, tombstone,
                                            any_level)
        return pending

    def start_read(self, client: Client, key: str, r, coordinator) -> PendingOperation:
        """Start a get for ``client`` (see :meth:`start_write`)."""
        key = self._check_key(key)
        quorum = self.r if r is None else request_quorum("r", r, self.n)[0]
        chosen = self._choose_coordinator(key, coordinator)
        pending = self._begin(client, "get", key, None, chosen)
        if chosen is None or not self.network.is_up(chosen):
            return self._fail_at_once(pending, key, chosen, self._coordinator_problem(chosen))
        self._nodes[chosen].coordinator.get(pending, key, quorum)
        return pending

    @staticmethod
    def _coordinator_problem(chosen: str | None) -> str:
        """Why ``chosen`` (None, or a node that is down) cannot coordinate."""
        if chosen is None:
            return "every node is down, so no node could coordinate"
        return f"the coordinator {chosen} is down"

    def select_targets(self, key: str, coordinator: str) -> list[tuple[str, str | None]]:
        """The nodes an operation on ``key`` coordinated by ``coordinator`` goes to.

        Returns (node, hint_for) pairs in preference-list order, as that
        node's coordinator chooses them (see
        :func:`dynamo_lab.coordinator.select_targets`): the home replicas it
        sees as healthy and, under a sloppy quorum, fallback nodes standing in
        for the others (``hint_for`` names the home replica a fallback holds a
        hint for, when hinted handoff is on).
        """
        key = self._check_key(key)
        return self._nodes[self.network.require(coordinator)].coordinator.select_targets(key)

    # -- faults -----------------------------------------------------------------
    def crash(self, node: str, lose_data: bool = False, *, reuse_identity: bool = False) -> None:
        """Stop ``node``: it neither sends nor receives until :meth:`recover`.

        With ``lose_data=True`` its storage is wiped and it comes back under a
        new clock identity; ``reuse_identity=True`` keeps the old one, which
        can lose acknowledged writes (Riak's kv679 bug).
        """
        self.network.require(node)
        boolean("lose_data", lose_data)
        boolean("reuse_identity", reuse_identity)
        self._take_down(node)
        self._nodes[node].crash(lose_data, reuse_identity)
        detail = ("lose_data, reuse_identity" if reuse_identity else "lose_data") if lose_data else None
        self._log_fault("crash", (node,), detail=detail)

    def recover(self, node: str) -> None:
        """Bring a crashed ``node`` back."""
        self._bring_up(node)
        self._nodes[node].restart()
        self._log_fault("recover", (node,))

    def set_link(self, a: str, b: str, *, latency=None, loss: float | None = None,
                 both_ways: bool = True) -> None:
        """Override latency and/or loss on the link between ``a`` and ``b``."""
        self.network.set_link(a, b, latency=latency, loss=loss, both_ways=both_ways)
        self._log_fault("set_link", (a, b), detail=f"latency={latency!r}, loss={loss!r}, "
                        f"both_ways={both_ways}")

    def _set_clock_skew(self, node: str, ms: float) -> None:   # for skew_clock
        self._nodes[node].clock_skew_ms = ms

    # -- hints ------------------------------------------------------------------
    def deliver_hints(self) -> int:
        """Have every node offer its hints now, then run until idle.

        Returns the number of hints delivered and acknowledged.
        """
        before = sum(node.hints_delivered for node in self._nodes.values())
        for name, node in self._nodes.items():
            if self.network.is_up(name):
                node.offer_hints()
        self.run_until_idle()
        return sum(node.hints_delivered for node in self._nodes.values()) - before

    @property
    def hint_counts(self) -> dict[str, int]:
        """Hints stored, delivered and still pending, over all nodes."""
        nodes = self._nodes.values()
        gone = self._retired_hints   # what nodes that have left had counted
        return {"stored": gone["stored"] + sum(n.hints_stored for n in nodes),
                "delivered": gone["delivered"] + sum(n.hints_delivered for n in nodes),
                "pending": sum(n.hints_pending for n in nodes)}

    # -- joining and leaving ------------------------------------------------------
    def add_node(self, name: str) -> RebalanceReport:
        """Add a node: it takes tokens, receives the ranges it gains, then serves them.

        The copy travels as simulated messages, and a copy that is lost or
        meets a crashed node is sent again. This call runs the cluster until
        the switch to the new ring (or, if a copy waits for a node that is
        down, for :data:`REBALANCE_WAIT_MS` of simulated time) and returns
        what moved; ``report.done`` says whether the switch happened.
        """
        if not isinstance(name, str) or not name:
            raise ValueError(f"node names must be non-empty strings, got {name!r}")
        if name in self._nodes:
            raise ValueError(f"node {name!r} is already in the cluster")
        _check_size(len(self._nodes) + 1)
        self._check_no_rebalance()
        new_ring = self.ring.copy()
        change = new_ring.add_node(name)
        self.network.add_node(name)
        self._add_node_object(name)
        if self.gossip is not None:
            self.gossip.join(name, seeds=[n for n in self._nodes if n != name][:2])
        return self._rebalance_to("join", name, change, new_ring)

    def remove_node(self, name: str) -> RebalanceReport:
        """Remove a node: its ranges go to their new owners first, then it leaves."""
        self.network.require(name)
        self._check_no_rebalance()
        if len(self._nodes) - 1 < self.n:
            raise ValueError(f"removing {name} would leave {len(self._nodes) - 1} nodes, fewer "
                             f"than N={self.n}")
        new_ring = self.ring.copy()
        change = new_ring.remove_node(name)
        if self.gossip is not None:
            self.gossip.announce(name, "leaving", by=self._witness_for(name))
        return self._rebalance_to("leave", name, change, new_ring)

    def _check_no_rebalance(self) -> None:
        if self._rebalance is not None:
            raise ValueError(f"a {self._rebalance.kind} of {self._rebalance.node} is still "
                             "moving data; run the cluster until it completes")

    def _rebalance_to(self, kind, name, change, new_ring) -> RebalanceReport:
        def adopt_ring() -> None:   # every copy has arrived: switch rings
            if kind == "join":
                self._agree_on(new_ring, (name, "up", None))   # now it serves them
            else:
                self._agree_on(new_ring, (name, "left", self._witness_for(name)))
            self._rebalance = None

        job = Rebalance(self, kind, name, change, new_ring, adopt_ring=adopt_ring,
                        retire=self._retire)
        self._rebalance = job
        self._log_fault(kind, (name,), detail=f"{len(change.moved)} ranges move")
        job.start()
        # A copy that waits for a crashed node goes on in the background; the
        # call returns after a minute of simulated time rather than wait for ever.
        self.sim.run_while(lambda: not job.report.done, limit_ms=REBALANCE_WAIT_MS)
        return job.report

    def _witness_for(self, name: str) -> str:
        """A node that stays up, to record another node's departure in gossip."""
        return next((n for n in self._nodes if n != name and self.network.is_up(n)), name)

    def _retire(self, name: str) -> None:
        """Take a node that has handed off its ranges out of the cluster."""
        node = self._nodes.pop(name)
        self._retired_hints["stored"] += node.hints_stored
        self._retired_hints["delivered"] += node.hints_delivered
        self.network.remove_node(name)
        # A node and its coordinator point at each other; part them so the
        # departed pair is freed at once rather than left to the collector.
        node.coordinator = None

    # -- anti-entropy -------------------------------------------------------------
    def anti_entropy(self, *, fanout: int = 4, depth: int = 3) -> AntiEntropyReport:
        """Run one round of Merkle anti-entropy over every replica pair of every range.

        Each pair compares trees over simulated messages and exchanges what
        differs; the call returns when every exchange has ended. Pairs that
        cannot talk (a node down or cut off) are counted as skipped.
        """
        report, exchanges = run_anti_entropy_round(self, fanout=fanout, depth=depth)
        self.run_until_idle()
        report.pairs_skipped += sum(not e.finished for e in exchanges)
        return report

    def settle(self, max_rounds: int = 10) -> SettleReport:
        """Bring the cluster to rest once faults have stopped; say what blocks it if it can't.

        Each round, every node that is up offers its hints at once, and then
        one round of anti-entropy runs. The cluster is at rest when that
        round compared every replica pair and repaired nothing (so every
        key's home replicas agree: the Merkle comparison is exact), no hint
        waits, and no node suspects a peer that is up and reachable. Between rounds the cluster runs on for
        :data:`SETTLE_PAUSE_MS` of simulated time, so that a failure
        detector's suspicion from before the heal lapses, gossip spreads and
        hints whose owners looked down are offered again.

        Returns a :class:`~dynamo_lab.anti_entropy.SettleReport`; when the
        cluster is not at rest after ``max_rounds`` (a node still down, a
        partition), its ``blocked`` says why.
        """
        whole_number("max_rounds", max_rounds)
        report = SettleReport()
        for rounds in range(1, max_rounds + 1):
            report.rounds = rounds
            report.hints_delivered += self.deliver_hints()
            last = self.anti_entropy()
            report.keys_repaired += last.keys_repaired
            if last.keys_repaired == 0 and last.pairs_skipped == 0 \
                    and self.hint_counts["pending"] == 0 and not self._stale_suspicions():
                report.converged = True
                return report
            if rounds < max_rounds:
                self.run_for(SETTLE_PAUSE_MS)
        report.blocked = self._what_keeps_it_from_rest(last)
        return report

    def _stale_suspicions(self) -> list[tuple[str, str]]:
        """(observer, peer) for every node that is up and suspects a peer it can reach."""
        up = [n for n in self.network.nodes if self.network.is_up(n)]
        return [(observer, peer) for observer in up for peer in self.detector.suspects(observer)
                if peer in up and self.network.reachable(observer, peer)]

    def _what_keeps_it_from_rest(self, last: AntiEntropyReport) -> list[str]:
        """Why ``settle`` found the cluster not at rest, in words."""
        reasons = []
        for name in self.down:
            homes = sum(name in self.ring.home_replicas(key) for key in self.keys())
            waiting = sum(len([o for o in owners if o == name])
                          for node in self._nodes.values() for owners in node.hints.values())
            reasons.append(f"node {name} is down (recover it): it is a home replica of "
                           f"{homes} keys" + (f", and {waiting} hints wait for it"
                                              if waiting else ""))
        if len(self.partitions) > 1:
            shown = " | ".join("[" + ", ".join(g) + "]" for g in self.partitions)
            reasons.append(f"a partition separates {shown} (heal it)")
        for name, node in self._nodes.items():
            owners = sorted({owner for owners in node.hints.values() for owner in owners
                             if self.network.is_up(owner)})
            if owners and self.network.is_up(name):
                reasons.append(f"{name} still holds {node.hints_pending} hints for "
                               f"{', '.join(owners)}, not yet acknowledged")
        for observer, peer in self._stale_suspicions():
            reasons.append(f"{observer} still suspects {peer}, which is up and reachable")
        if last.keys_repaired:
            reasons.append(f"the last anti-entropy round still repaired {last.keys_repaired} "
                           "keys (settle longer: max_rounds)")
        return reasons or ["anti-entropy skipped replica pairs that could not talk"]

    def start_anti_entropy(self, interval_ms: float = 10_000.0, *, fanout: int = 4,
                           depth: int = 3) -> None:
        """Run anti-entropy in the background every ``interval_ms`` (stop it with
        :meth:`stop_anti_entropy`). Background rounds never keep
        ``run_until_idle`` waiting."""
        interval_ms = milliseconds("interval_ms", interval_ms)
        check_tree_shape(fanout, depth)   # now, not when the first round is due
        self.stop_anti_entropy()

        def round_then_again():
            self.anti_entropy_rounds.append(run_anti_entropy_round(self, fanout=fanout,
                                                                   depth=depth)[0])
            self._anti_entropy_timer = self.sim.schedule_daemon(interval_ms, round_then_again)

        self._anti_entropy_timer = self.sim.schedule_daemon(interval_ms, round_then_again)

    def stop_anti_entropy(self) -> None:
        """Stop background anti-entropy (harmless if it is not running)."""
        if self._anti_entropy_timer is not None:
            self._anti_entropy_timer.cancel()
            self._anti_entropy_timer = None

    # -- inspection ---------------------------------------------------------------
    def replicas(self, key: str) -> Replicas:
        """What each node stores for ``key`` (see :class:`Replicas`)."""
        key = self._check_key(key)
        home = self.ring.home_replicas(key)
        entries = {name: self._nodes[name].store.get(key) for name in home}
        hints = {}
        for name, node in self._nodes.items():
            if name not in entries and key in node.store:
                entries[name] = node.store[key]
            held = node.hints.get(key)
            if held:
                hints[name] = dict(held)
                entries.setdefault(name, node.store.get(key))
        return Replicas(key, home, entries, hints)

    def keys(self) -> list[str]:
        """Every key any node stores or holds a hint for, sorted."""
        found: set[str] = set()
        for node in self._nodes.values():
            found.update(node.store)
            found.update(node.hints)
        return sorted(found)

