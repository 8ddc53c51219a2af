"""The causal graph of a key's versions: who descends from whom, and what is current.

Every write makes one *version*: the sibling it stored, named by its event
``(actor, counter)``. :func:`version_graph` gathers every version of a key
that the run has seen, from the records its messages carried (``put_req``,
``get_resp``, ``repair``, ``hint``, ...) and from what the replicas store
now, and links each to the versions it directly descends from.

Which versions a write descends from is read off the record it was written
in, the way the versioning scheme itself reads it: the write descends from
every version whose event that record's clock covers, *except* the siblings
kept beside it in that record. Those the write did not replace, so to the
scheme they are concurrent with it. (The record's clock alone would say
more: a coordinator merges its own stored clock into every write, so under
``"vector_clock"`` and ``"dvv"`` a write from a stale context still has a
clock covering the siblings it was kept beside.) Edges are the transitive
reduction: ``u -> v`` when ``u`` descends from ``v`` and from no ``w`` that
itself descends from ``v``. Under ``"lww"`` records carry no clock, so
versions have no edges; only the winner is current, and a write that lost
to a later timestamp at its own coordinator made no version at all: it is
listed in ``lost``.

The *current siblings* are what a read with R = N would return now: the
reconciliation of every home replica's record.

Examples
--------
>>> import dynamo_lab as dl
>>> cluster = dl.Cluster(nodes=3, n=3, r=3, w=3, seed=1)
>>> first = cluster.put("k", "v1", coordinator="A")
>>> second = cluster.put("k", "v2", context=first.context, coordinator="A")
>>> stale = cluster.put("k", "v3", context=first.context, coordinator="B")
>>> g = version_graph(cluster, "k")
>>> [(n.label, n.value, n.is_current) for n in g.nodes]
[('A:1', 'v1', False), ('A:2', 'v2', True), ('B:1', 'v3', True)]
>>> g.edges
[(('A', 2), ('A', 1)), (('B', 1), ('A', 1))]
>>> [n.label for n in g.heads()], g.node(("B", 1)).clock
(['A:2', 'B:1'], '{A:2, B:1}')

B had stored v2 when it wrote v3, so the clock of v3's record covers A:2;
but v3 was kept beside v2, so v3 descends only from v1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..node import WritePayload
from ..versions import Record, VectorClock, reconcile

__all__ = ["version_graph", "VersionGraphModel", "VersionNode", "LostWrite"]

Event = tuple[str, int]


@dataclass(frozen=True)
class VersionNode:
    """One version of a key: the sibling one write made.

    Attributes
    ----------
    event : tuple of (str, int)
        The write's (actor, counter): its dot under ``"dvv"``.
    value : object
        The value written (``None`` for a delete).
    clock : str
        The clock of the record the write made, e.g. ``'{A:2, B:1}'``.
    timestamp : float
        The coordinator's wall clock when it wrote (what ``"lww"`` compares).
    tombstone : bool
        True when the write was a delete.
    is_current : bool
        True when a read with R = N would return this sibling now.
    holders : tuple of str
        The nodes whose stored record still holds this sibling (hints not
        included), in ``cluster.nodes`` order.
    depth : int
        Its causal depth: 0 for a version that descends from no other, else
        one more than the deepest version it directly descends from.
    """

    event: Event
    value: Any
    clock: str
    timestamp: float
    tombstone: bool
    is_current: bool
    holders: tuple[str, ...]
    depth: int

    @property
    def label(self) -> str:
        """The event as ``'A:3'``."""
        return f"{self.event[0]}:{self.event[1]}"


@dataclass(frozen=True)
class LostWrite:
    """A write that left no version: no record of the key ever held its value.

    Attributes
    ----------
    op_id : int
        The operation in ``cluster.history``.
    f : str
        ``"put"`` or ``"delete"``.
    value : object
        The value it wrote.
    coordinator : str or None
    time : float
        When it was invoked (virtual ms).
    """

    op_id: int
    f: str
    value: Any
    coordinator: str | None
    time: float


@dataclass
class VersionGraphModel:
    """The versions of one key and the causal edges between them.

    Attributes
    ----------
    key : str
    versioning : str
        The cluster's versioning scheme.
    nodes : list of VersionNode
        Ordered by when they were written (timestamp, then event).
    edges : list of (event, event)
        ``(newer, older)``: ``newer`` directly descends from ``older``.
    current : list of event
        The current siblings, in the order a read returns them.
    cluster_nodes : list of str
        Every node of the cluster, in order (so pictures colour them as the
        others do).
    lost : list of LostWrite
        Writes that sent their record yet made no version (under ``"lww"``,
        writes that lost to a later timestamp at their own coordinator).
    """

    key: str
    versioning: str
    nodes: list[VersionNode] = field(default_factory=list)
    edges: list[tuple[Event, Event]] = field(default_factory=list)
    current: list[Event] = field(default_factory=list)
    cluster_nodes: list[str] = field(default_factory=list)
    lost: list[LostWrite] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.nodes)

    def node(self, event: Event) -> VersionNode:
        """The version made by ``event``."""
        for candidate in self.nodes:
            if candidate.event == tuple(event):
                return candidate
        raise KeyError(f"no version {event!r} of {self.key!r}")

    def parents(self, event: Event) -> list[Event]:
        """The versions ``event`` directly descends from."""
        return [older for newer, older in self.edges if newer == tuple(event)]

    def children(self, event: Event) -> list[Event]:
        """The versions that directly descend from ``event``."""
        return [newer for newer, older in self.edges if older == tuple(event)]

    def descends(self, newer: Event, older: Event) -> bool:
        """True when a path of edges leads from ``newer`` down to ``older`` (or they are one).

        >>> g = VersionGraphModel("k", "dvv", edges=[(("A", 2), ("A", 1))])
        >>> g.descends(("A", 2), ("A", 1)), g.descends(("A", 1), ("A", 2))
        (True, False)
        """
        target, stack, seen = tuple(older), [tuple(newer)], set()
        while stack:
            event = stack.pop()
            if event == target:
                return True
            if event not in seen:
                seen.add(event)
                stack.extend(self.parents(event))
        return False

    def heads(self) -> list[VersionNode]:
        """The versions nothing descends from (the current siblings, once replicas agree)."""
        older = {o for _, o in self.edges}
        return [n for n in self.nodes if n.event not in older]

    def roots(self) -> list[VersionNode]:
        """The versions that descend from no other."""
        newer = {n for n, _ in self.edges}
        return [n for n in self.nodes if n.event not in newer]

    @property
    def current_nodes(self) -> list[VersionNode]:
        """The current siblings, as nodes, in read order."""
        return [self.node(e) for e in self.current]

    @property
    def depth(self) -> int:
        """How many columns a left-to-right drawing needs (0 when there are no versions)."""
        return 1 + max(n.depth for n in self.nodes) if self.nodes else 0

    def summary(self) -> str:
        """``'5 versions, 2 current siblings'``.

        >>> VersionGraphModel("k", "dvv").summary()
        '0 versions, 0 current siblings'
        """
        n, k = len(self.nodes), len(self.current)
        return (f"{n} version{'' if n == 1 else 's'}, "
                f"{k} current sibling{'' if k == 1 else 's'}")


def _record_of(payload) -> Record | None:
    if isinstance(payload, WritePayload):
        return payload.record
    return payload if isinstance(payload, Record) else None


def _records(cluster, key: str):
    """Every record of ``key`` the trace carried, with the kind and op_id of its message,
    then the ones stored or hinted now (kind and op_id None)."""
    trace = cluster.trace
    seen: set[int] = set()
    for seq in range(len(trace)):
        payload = trace.payload(seq)
        record = _record_of(payload)
        # A message's send and delivery share one payload, as do the put
        # requests of one write: read each payload once.
        if record is None or id(payload) in seen:
            continue
        seen.add(id(payload))
        event = trace[seq]
        if event.key == key:
            yield record, event.kind, event.op_id
    for name in cluster.nodes:
        node = cluster.node(name)
        if key in node.store:
            yield node.store[key], None, None
        for held in node.hints.get(key, {}).values():
            yield held, None, None


def _depths(events: list[Event], edges: list[tuple[Event, Event]]) -> dict[Event, int]:
    """Longest path from a root to each event, parents first (Kahn's order)."""
    children: dict[Event, list[Event]] = {e: [] for e in events}
    waiting = dict.fromkeys(events, 0)
    for newer, older in edges:
        children[older].append(newer)
        waiting[newer] += 1
    depth = dict.fromkeys(events, 0)
    ready = [e for e in events if waiting[e] == 0]
    while ready:
        event = ready.pop()
        for child in children[event]:
            depth[child] = max(depth[child], depth[event] + 1)
            waiting[child] -= 1
            if waiting[child] == 0:
                ready.append(child)
    return depth


def version_graph(cluster, key: str) -> VersionGraphModel:
    """The causal graph of ``key``'s versions in ``cluster`` (see the module docstring).

    Parameters
    ----------
    cluster : Cluster
    key : str

    Returns
    -------
    VersionGraphModel

    Examples
    --------
    >>> import dynamo_lab as dl
    >>> version_graph(dl.Cluster(nodes=3, n=3, seed=1), "nothing").summary()
    '0 versions, 0 current siblings'
    """
    replicas = cluster.replicas(key)
    # For each event: its sibling, the record it was written in (the oldest
    # record holding it), and that record's other events.
    sibling_of: dict[Event, Any] = {}
    written_in: dict[Event, Record] = {}
    made_by: dict[Event, int] = {}      # event -> op_id of the put_req that first carried it
    sent: dict[int, None] = {}          # op_ids of writes that sent a put_req, in order
    for record, kind, op_id in _records(cluster, key):
        if kind == "put_req":
            sent.setdefault(op_id)
        for sibling in record.siblings:
            event = sibling.event
            if event not in sibling_of:
                sibling_of[event] = sibling
                if kind == "put_req":
                    made_by[event] = op_id
            known = written_in.get(event)
            if known is None or known.clock.dominates(record.clock):
                written_in[event] = record
    # A write whose own put_req carried no new sibling left no version at all:
    # under "lww" it lost to a later timestamp before it was even sent.
    kept_ops = set(made_by.values())
    invocations = {op.op_id: op for op in cluster.history if op.type == "invoke"}
    lost = [LostWrite(op_id, invocations[op_id].f, invocations[op_id].value,
                      invocations[op_id].node, invocations[op_id].time)
            for op_id in sent if op_id not in kept_ops and op_id in invocations]

    events = sorted(sibling_of, key=lambda e: sibling_of[e].sort_key)
    past: dict[Event, set[Event]] = {}
    for event in events:
        record = written_in[event]
        clock: VectorClock = record.clock
        beside = record.events
        past[event] = {other for other in events
                       if other != event and other not in beside and clock.covers_dot(*other)}
    edges = [(u, v) for u in events for v in sorted(past[u], key=lambda e: sibling_of[e].sort_key)
             if not any(v in past[w] for w in past[u] if w != v)]

    depth = _depths(events, edges)
    merged = reconcile([replicas.get(name) for name in replicas.home], cluster.versioning)
    current = [] if merged is None else [s.event for s in merged.siblings]
    holders: dict[Event, list[str]] = {e: [] for e in events}
    for name in cluster.nodes:
        record = replicas.get(name)
        if record is not None:
            for event in record.events:
                holders[event].append(name)

    nodes = []
    for event in events:
        sibling = sibling_of[event]
        nodes.append(VersionNode(
            event=event, value=sibling.value, clock=str(written_in[event].clock),
            timestamp=sibling.timestamp, tombstone=sibling.tombstone,
            is_current=event in current, holders=tuple(holders[event]),
            depth=depth[event]))
    return VersionGraphModel(key=key, versioning=cluster.versioning.name, nodes=nodes,
                             edges=edges, current=current,
                             cluster_nodes=list(cluster.nodes), lost=lost)
