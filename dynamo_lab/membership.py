"""Gossip-based membership: how nodes learn who is in the cluster.

Dynamo spreads membership changes and token ownership by gossip: every
second each node contacts a peer chosen at random and the two reconcile
their views (DeCandia et al., SOSP 2007, §4.8.1). :class:`Gossip` does that
over a simulated :class:`~dynamo_lab.sim.network.Network`.

Each node keeps a *view*: for every node it knows, an :class:`Entry` with

- ``status``: ``"joining"``, ``"up"``, ``"leaving"`` or ``"left"``;
- ``version``: raised by the node itself whenever it changes its status or
  metadata (:meth:`Gossip.announce`); only a node writes its own entry;
- ``heartbeat``: a counter the node raises once per gossip period while it
  runs; a crashed node's counter stops;
- ``meta``: an opaque dict, e.g. the node's ring tokens.

Every ``period_ms`` (a daemon timer per node, with a seeded random phase so
nodes are not in lockstep) a running node raises its heartbeat and does a
push-pull exchange with one random peer: it sends its view (``"gossip"``),
the peer merges and answers with its own view (``"gossip_reply"``), which
the first node merges. Merging keeps, per node, the entry with the higher
version and the larger heartbeat. A push-pull epidemic reaches all ``S``
nodes in about ``log3 S + O(ln ln S)`` rounds (Karp, Schindelhauer, Shenker,
Vöcking, FOCS 2000); :func:`rounds_to_spread` measures it.

The network gives each node one handler. Standalone, :class:`Gossip`
attaches its own. Next to a cluster that already owns the handlers, build it
with ``attach=False`` and call :meth:`Gossip.receive` from the node's
handler: it returns True for the gossip messages it consumed.

Examples
--------
>>> from dynamo_lab.sim.kernel import Simulation
>>> from dynamo_lab.sim.network import Network
>>> sim = Simulation(seed=3)
>>> net = Network(sim, ["A", "B", "C", "D"])
>>> gossip = Gossip(sim, net)
>>> _ = gossip.announce("C", "leaving")
>>> gossip.view("A")["C"].status
'up'
>>> _ = sim.run_for(5_000)
>>> gossip.view("A")["C"].status, gossip.converged()
('leaving', True)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

__all__ = ["spread_curve", "Entry", "Gossip", "STATUSES", "rounds_to_spread", "spread_table"]

#: The lifecycle of a node, in order.
STATUSES = ("joining", "up", "leaving", "left")

GOSSIP = "gossip"
GOSSIP_REPLY = "gossip_reply"


class Entry(NamedTuple):
    """What one node believes about one node."""

    status: str
    version: int
    heartbeat: int
    meta: dict | None = None

    def state(self) -> tuple:
        """The versioned part, without the ever-changing heartbeat."""
        return (self.status, self.version, self.meta)


def _merge_entry(mine: Entry | None, theirs: Entry) -> Entry:
    """Higher version wins status and meta; heartbeats take the maximum."""
    if mine is None:
        return theirs
    if theirs.version > mine.version:
        return theirs._replace(heartbeat=max(mine.heartbeat, theirs.heartbeat))
    if theirs.heartbeat > mine.heartbeat:
        return mine._replace(heartbeat=theirs.heartbeat)
    return mine


def _check_status(status: str) -> str:
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(map(repr, STATUSES))}, "
                         f"got {status!r}")
    return status


class Gossip:
    """Push-pull gossip of versioned membership views.

    Parameters
    ----------
    sim : Simulation
    network : Network
    nodes : sequence of str, optional
        The initial members (default: every node of the network). Each
        starts knowing all of them as ``"up"`` at version 1, heartbeat 0.
    period_ms : float
        Time between a node's gossip rounds (1000 ms, as in Dynamo).
    phi : PhiAccrual, optional
        If given, every heartbeat increase a node learns of (directly or via
        a third node) is recorded as a heartbeat arrival there.
    attach : bool
        Attach :meth:`receive` as each node's network handler (standalone
        use). With False, the owner of the handlers must call it.
    on_change : callable, optional
        Called with a node's name whenever a merge changes the status or
        metadata that node knows of some node (not for mere heartbeats): how
        a cluster hears that its ring has a new version.
    """

    def __init__(self, sim, network, nodes: Sequence[str] | None = None,
                 period_ms: float = 1000.0, *, phi=None, attach: bool = True,
                 on_change=None):
        if isinstance(period_ms, bool) or not isinstance(period_ms, (int, float)) \
                or not math.isfinite(period_ms) or period_ms <= 0:
            raise ValueError(f"period_ms must be a finite number > 0, got {period_ms!r}")
        self.sim = sim
        self.network = network
        self.period_ms = float(period_ms)
        self.phi = phi
        self._attach = attach
        self._on_change = on_change
        members = list(network.nodes if nodes is None else nodes)
        if len(set(members)) != len(members):
            raise ValueError(f"nodes must be distinct, got {members!r}")
        for node in members:
            network.require(node)
        self._views: dict[str, dict[str, Entry]] = {}
        self._seeds: dict[str, list[str]] = {}
        self._timers = {}
        self.rounds = 0  # exchanges started, all nodes together
        initial = {node: Entry("up", 1, 0) for node in members}
        for node in members:
            self._start(node, dict(initial), seeds=[])

    # -- nodes ------------------------------------------------------------
    @property
    def nodes(self) -> list[str]:
        """Nodes taking part in gossip, in the order they were added."""
        return list(self._views)

    def _start(self, node: str, view: dict[str, Entry], seeds: list[str]) -> None:
        self._views[node] = view
        self._seeds[node] = seeds
        if self._attach:
            self.network.attach(node, lambda msg, node=node: self.receive(node, msg))
        phase = self.sim.rng.uniform(0.0, self.period_ms)
        self._timers[node] = self.sim.schedule_daemon(phase, self._tick, node)

    def join(self, node: str, seeds: Sequence[str], meta: dict | None = None) -> None:
        """Start gossip at a new ``node`` that knows only itself and ``seeds``.

        The node is added to the network if needed and announces itself as
        ``"joining"``; its first exchanges go to the seeds.
        """
        if node in self._views:
            raise ValueError(f"node {node!r} already takes part in gossip")
        seeds = [s for s in seeds if s != node]
        if not seeds:
            raise ValueError("a joining node needs at least one seed node to contact")
        for seed in seeds:
            if seed not in self._views:
                raise KeyError(f"unknown seed {seed!r}; the gossip nodes are "
                               f"{', '.join(self._views)}")
        if node not in self.network.nodes:
            self.network.add_node(node)
        meta = None if meta is None else dict(meta)
        self._start(node, {node: Entry("joining", 1, 0, meta)}, seeds=list(seeds))

    def announce(self, node: str, status: str, meta: dict | None = None, *,
                 by: str | None = None) -> Entry:
        """``node`` changes its status (and metadata, if given).

        Raises its entry's version; gossip spreads the change from ``by``'s
        view (``node`` itself by default). A node that leaves the cluster at
        once cannot gossip its own departure, so another node records it.
        Metadata not given is kept.
        """
        self._require(node)
        view = self._require(by if by is not None else node)
        _check_status(status)
        mine = view[node]
        new_meta = mine.meta if meta is None else dict(meta)
        view[node] = Entry(status, mine.version + 1, mine.heartbeat, new_meta)
        return view[node]

    def stop(self) -> None:
        """Cancel every node's gossip timer."""
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()

    # -- views ------------------------------------------------------------
    def _require(self, node: str) -> dict[str, Entry]:
        try:
            return self._views[node]
        except KeyError:
            raise KeyError(f"unknown node {node!r}; the gossip nodes are "
                           f"{', '.join(self._views)}") from None

    def view(self, node: str) -> dict[str, Entry]:
        """A copy of ``node``'s view: node name -> :class:`Entry`."""
        return dict(self._require(node))

    def live_nodes(self) -> list[str]:
        """Gossip nodes that are up on the network."""
        return [n for n in self._views if self._running(n)]

    def _running(self, node: str) -> bool:
        # On the network (a node that has left the cluster is not) and up.
        return node in self.network.nodes and self.network.is_up(node)

    def converged(self) -> bool:
        """True when every live node's view holds the same entries.

        Heartbeats are left out of the comparison: they change every period,
        so views that agree on every status, version and metadata are as
        equal as running nodes ever get.
        """
        states = [{n: e.state() for n, e in self._views[node].items()}
                  for node in self.live_nodes()]
        return all(s == states[0] for s in states[1:])

    def knows(self, node: str, about: str, version: int) -> bool:
        """True when ``node`` has seen version ``version`` (or later) of ``about``."""
        entry = self._require(node).get(about)
        return entry is not None and entry.version >= version

    # -- protocol ---------------------------------------------------------
    def _tick(self, node: str) -> None:
        self._timers[node] = self.sim.schedule_daemon(self.period_ms, self._tick, node)
        if not self._running(node):
            return  # a crashed process neither beats nor gossips
        view = self._views[node]
        view[node] = view[node]._replace(heartbeat=view[node].heartbeat + 1)
        peers = [n for n, e in view.items() if n != node and e.status != "left"]
        if not peers:
            peers = self._seeds[node]
        if not peers:
            return
        peer = peers[self.sim.rng.randrange(len(peers))]
        self.rounds += 1
        self.network.send(node, peer, GOSSIP, None, None, dict(view))

    def receive(self, node: str, msg) -> bool:
        """Handle ``msg`` delivered to ``node``; True if it was a gossip message."""
        if msg.kind not in (GOSSIP, GOSSIP_REPLY) or node not in self._views:
            return False
        self._merge(node, msg.payload)
        if msg.kind == GOSSIP:
            self.network.send(node, msg.src, GOSSIP_REPLY, None, None, dict(self._views[node]))
        return True

    def _merge(self, node: str, incoming: dict[str, Entry]) -> None:
        view = self._views[node]
        phi, now = self.phi, self.sim.now
        changed = False
        for other, theirs in incoming.items():
            if other == node:
                continue  # only a node writes its own entry
            mine = view.get(other)
            merged = _merge_entry(mine, theirs)
            if merged is not mine:
                view[other] = merged
                changed = changed or mine is None or merged.version != mine.version
                if phi is not None and (mine is None or merged.heartbeat > mine.heartbeat):
                    phi.heartbeat(node, other, now)
        if changed and self._on_change is not None:
            self._on_change(node)

    def __repr__(self) -> str:
        return (f"<Gossip {len(self._views)} nodes, period {self.period_ms:g} ms, "
                f"{self.rounds} exchanges>")


def rounds_to_spread(S: int, seed: int = 0, period_ms: float = 1000.0, *,
                     latency=None, warmup_periods: int = 2, limit_periods: int = 1000) -> int:
    """Gossip periods until a change announced at one node reaches all ``S`` nodes.

    Builds a fresh simulation and network of ``S`` nodes, lets gossip run
    for ``warmup_periods``, then has the first node announce ``"leaving"``
    at a random moment and counts whole periods until every node has seen
    it (a change that is everywhere 2.3 periods later counts as 3).

    Examples
    --------
    >>> 1 <= rounds_to_spread(16, seed=1) <= 8
    True
    """
    from .sim.kernel import Simulation
    from .sim.network import Network

    if isinstance(S, bool) or not isinstance(S, int) or S < 2:
        raise ValueError(f"S must be an integer >= 2, got {S!r}")
    sim = Simulation(seed=seed)
    names = [f"n{i}" for i in range(S)]
    net = Network(sim, names, latency=latency)
    gossip = Gossip(sim, net, period_ms=period_ms)
    sim.run_for(warmup_periods * period_ms + sim.rng.uniform(0.0, period_ms))
    origin = names[0]
    version = gossip.announce(origin, "leaving").version
    start = sim.now

    def everywhere() -> bool:
        return all(gossip.knows(n, origin, version) for n in names)

    sim.run_while(lambda: not everywhere(), limit_ms=limit_periods * period_ms)
    if not everywhere():
        raise RuntimeError(f"the change did not reach every node in {limit_periods} periods")
    elapsed = sim.now - start
    return max(1, math.ceil(elapsed / period_ms - 1e-9))


def spread_curve(S: int, seed: int = 0, period_ms: float = 1000.0, *, latency=None,
                 warmup_periods: int = 2, limit_periods: int = 1000) -> list[int]:
    """How many of ``S`` nodes know a change at the end of each gossip period.

    The same experiment as :func:`rounds_to_spread`, recording the count
    period by period: entry ``i`` is the number of nodes that know after
    ``i`` periods (entry 0 is the announcing node alone).

    Examples
    --------
    >>> curve = spread_curve(16, seed=1)
    >>> curve[0], curve[-1], curve == sorted(curve)
    (1, 16, True)
    """
    from .sim.kernel import Simulation
    from .sim.network import Network

    if isinstance(S, bool) or not isinstance(S, int) or S < 2:
        raise ValueError(f"S must be an integer >= 2, got {S!r}")
    sim = Simulation(seed=seed)
    names = [f"n{i}" for i in range(S)]
    gossip = Gossip(sim, Network(sim, names, latency=latency), period_ms=period_ms)
    sim.run_for(warmup_periods * period_ms + sim.rng.uniform(0.0, period_ms))
    origin = names[0]
    version = gossip.announce(origin, "leaving").version

    def knowing() -> int:
        return sum(gossip.knows(n, origin, version) for n in names)

    curve = [knowing()]
    while curve[-1] < S:
        if len(curve) > limit_periods:
            raise RuntimeError(f"the change did not reach every node in {limit_periods} periods")
        sim.run_for(period_ms)
        curve.append(knowing())
    return curve


def spread_table(sizes=(8, 32, 128), seeds=range(5), period_ms: float = 1000.0) -> list[dict]:
    """Measured :func:`rounds_to_spread` per cluster size, over several seeds.

    Returns one row per size: ``{"S", "rounds" (list, one per seed), "mean",
    "max", "log2_S"}``.
    """
    rows = []
    for size in sizes:
        rounds = [rounds_to_spread(size, seed=s, period_ms=period_ms) for s in seeds]
        rows.append({"S": size, "rounds": rounds, "mean": sum(rounds) / len(rounds),
                     "max": max(rounds), "log2_S": math.log2(size)})
    return rows
