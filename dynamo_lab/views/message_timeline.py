"""Replaying a recorded run: the state of the cluster at any past moment.

A cluster records three things as it runs: the message trace
(``cluster.trace``, see :mod:`dynamo_lab.sim.trace`), the faults injected
(``cluster.faults``) and the client operations (``cluster.history``). From
them alone this module rebuilds what was true at a virtual time ``t``:

* which nodes were down and how the network was partitioned
  (:func:`fault_state_at`, :func:`node_status`);
* which messages had been sent, and whether each had been delivered,
  dropped, cut or lost, or was still in flight (:class:`MessageLife`);
* which operations were running or finished (:class:`OperationSpan`);
* which nodes took part in an operation (:func:`participants`).

:class:`MessageTimeline` bundles them for the pictures and the replay widgets, which
only draw what it returns.

Examples
--------
>>> import dynamo_lab as dl
>>> cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=7)
>>> _ = cluster.put("k", "v1")
>>> cluster.crash("C")
>>> timeline = MessageTimeline.from_cluster(cluster)
>>> timeline.at(0.0).down, timeline.at(timeline.end).down
(frozenset(), frozenset({'C'}))
>>> [m.outcome for m in timeline.at(0.0).messages]
['in_flight', 'in_flight']
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..sim.trace import MESSAGE_EVENTS, TraceEvent

__all__ = [
    "MessageLife", "MessageState", "OperationSpan", "FaultState", "Participation",
    "Snapshot", "MessageTimeline", "message_lives", "operation_spans", "fault_state_at",
    "node_status", "down_intervals", "partition_intervals", "participants",
    "NODE_STATUSES", "OUTCOMES",
]

#: What :func:`node_status` calls a node.
NODE_STATUSES = ("up", "down", "cut off")
#: What can have become of a message by some time: its end event, or still in flight.
OUTCOMES = ("in_flight", *(e for e in MESSAGE_EVENTS if e != "send"))


@dataclass(frozen=True, slots=True)
class MessageLife:
    """One message from its send to its end: its two trace events, paired.

    The message's own fields (``msg_id``, ``src``, ``dst``, ``kind``, ``key``,
    ``op_id``, ``version``) are read from its first event, so they mean what
    :class:`~dynamo_lab.sim.trace.TraceEvent` says they mean.

    Attributes
    ----------
    first : TraceEvent
        Its ``send``; or, for a message dropped because its sender was down
        (it never had a send), that drop.
    end : TraceEvent or None
        Its ``deliver``, ``drop``, ``cut`` or ``lost``; None if the trace ends
        with it still in flight.
    """

    first: TraceEvent
    end: TraceEvent | None = None

    @classmethod
    def of(cls, msg_id: int, src: str, dst: str, kind: str, sent_at: float,
           ended_at: float | None, outcome: str, key: str | None = None,
           op_id: int | None = None, detail: str | None = None) -> "MessageLife":
        """A life made up for a picture or a test, without a trace.

        >>> m = MessageLife.of(0, "A", "B", "put_req", 1.0, 3.0, "deliver", key="k")
        >>> m.src, m.key, m.sent_at, m.outcome
        ('A', 'k', 1.0, 'deliver')
        """
        first = TraceEvent(-1, sent_at, "send", msg_id, src, dst, kind, key, op_id, None, None)
        end = None if ended_at is None else TraceEvent(-1, ended_at, outcome, msg_id, src, dst,
                                                       kind, key, op_id, None, detail)
        return cls(first, end)

    msg_id = property(lambda self: self.first.msg_id, doc="Shared by its events.")
    src = property(lambda self: self.first.src, doc="The sender.")
    dst = property(lambda self: self.first.dst, doc="The receiver.")
    kind = property(lambda self: self.first.kind,
                    doc="``put_req``, ``put_ack``, ``get_req``, ``get_resp``, ``repair``, ...")
    key = property(lambda self: self.first.key, doc="The key it concerns.")
    op_id = property(lambda self: self.first.op_id, doc="The client operation it served.")
    version = property(lambda self: self.first.version,
                       doc="The vector clock it carried, where it had one.")

    @property
    def sent_at(self) -> float:
        """When it was sent (for a message dropped because its sender was down,
        when the sender tried)."""
        return self.first.time

    @property
    def ended_at(self) -> float | None:
        """When it was delivered, dropped, cut or lost; None while in flight."""
        return None if self.end is None else self.end.time

    @property
    def outcome(self) -> str:
        """Its final fate: one of :data:`OUTCOMES`."""
        return "in_flight" if self.end is None else self.end.event

    @property
    def detail(self) -> str | None:
        """Why it was dropped, cut or lost."""
        return None if self.end is None else self.end.detail

    @property
    def is_reply(self) -> bool:
        """True for answers (``*_ack``, ``*_resp``) rather than requests."""
        return self.kind.endswith(("_ack", "_resp"))

    def outcome_at(self, t: float) -> str | None:
        """Its fate as known at time ``t``; None if not yet sent.

        Examples
        --------
        >>> m = MessageLife.of(0, "A", "B", "put_req", 1.0, 3.0, "deliver")
        >>> m.outcome_at(0.5), m.outcome_at(2.0), m.outcome_at(3.0)
        (None, 'in_flight', 'deliver')
        """
        if t < self.sent_at:
            return None
        if self.ended_at is not None and t >= self.ended_at:
            return self.outcome
        return "in_flight"

    def progress_at(self, t: float) -> float:
        """How far along its way it is at ``t``: 0 at the send, 1 at the end.

        A message the trace never saw end counts as halfway once sent.

        Examples
        --------
        >>> MessageLife.of(0, "A", "B", "put_req", 1.0, 3.0, "deliver").progress_at(2.5)
        0.75
        """
        if t <= self.sent_at:
            return 0.0
        if self.ended_at is None:
            return 0.5
        if self.ended_at <= self.sent_at or t >= self.ended_at:
            return 1.0
        return (t - self.sent_at) / (self.ended_at - self.sent_at)


@dataclass(frozen=True, slots=True)
class MessageState:
    """A message as it stood at one moment (see :meth:`MessageTimeline.at`).

    Attributes
    ----------
    life : MessageLife
    outcome : str
        Its fate as known then: one of :data:`OUTCOMES`.
    progress : float
        How far along its way it was, 0 to 1.
    """

    life: MessageLife
    outcome: str
    progress: float


@dataclass(frozen=True, slots=True)
class OperationSpan:
    """A client operation from invocation to completion.

    Attributes
    ----------
    op_id : int
    process : str
        The client.
    f : str
        ``"put"``, ``"get"`` or ``"delete"``.
    key : str or None
    value : object
        The value written (puts) or the values read (gets, once complete).
    start : float
    end : float or None
        None while it has not completed.
    type : str or None
        ``"ok"``, ``"fail"`` or ``"info"`` once complete, else None.
    node : str or None
        The coordinator.
    error : str or None
    """

    op_id: int
    process: str
    f: str
    key: str | None
    value: Any
    start: float
    end: float | None
    type: str | None
    node: str | None
    error: str | None = None

    def type_at(self, t: float) -> str | None:
        """``"pending"`` while running at ``t``, its completion type once done,
        None before it started.

        Examples
        --------
        >>> op = OperationSpan(0, "client", "put", "k", 1, 1.0, 2.0, "ok", "A")
        >>> op.type_at(0.0), op.type_at(1.5), op.type_at(2.0)
        (None, 'pending', 'ok')
        """
        if t < self.start:
            return None
        if self.end is not None and t >= self.end:
            return self.type
        return "pending"


@dataclass(frozen=True, slots=True)
class FaultState:
    """Which nodes were down and how the network was split at ``time``.

    ``groups`` holds one group of every node when there is no partition.
    """

    time: float
    down: frozenset
    groups: tuple[tuple[str, ...], ...]

    @property
    def partitioned(self) -> bool:
        """True when the network is split into more than one group."""
        return len(self.groups) > 1

    def connected(self, a: str, b: str) -> bool:
        """True when no partition separates ``a`` and ``b``."""
        return any(a in g and b in g for g in self.groups)


@dataclass(frozen=True, slots=True)
class Participation:
    """The nodes and links that served one client operation.

    ``links`` are (src, dst) pairs in the order first used.
    """

    op_id: int
    coordinator: str | None
    nodes: tuple[str, ...]
    links: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Snapshot:
    """Everything the pictures need about one moment of a run.

    Attributes
    ----------
    time : float
    nodes : list of str
    faults : FaultState
    status : dict
        node -> one of :data:`NODE_STATUSES`.
    messages : list of MessageState
        Every message sent by ``time``.
    operations : list of OperationSpan
        Every operation invoked by ``time``.
    last_operation : OperationSpan or None
        The most recently invoked one.
    participation : Participation or None
        Who took part in ``last_operation`` so far.
    events : list of str
        What happened exactly at ``time``, in words.
    """

    time: float
    nodes: list[str]
    faults: FaultState
    status: dict[str, str]
    messages: list[MessageState]
    operations: list[OperationSpan]
    last_operation: OperationSpan | None
    participation: Participation | None
    events: list[str] = field(default_factory=list)

    @property
    def down(self) -> frozenset:
        """The nodes down at ``time``."""
        return self.faults.down

    @property
    def groups(self) -> tuple[tuple[str, ...], ...]:
        """The partition's groups at ``time`` (one group when there is none)."""
        return self.faults.groups

    @property
    def in_flight(self) -> list[MessageState]:
        """The messages on their way at ``time``."""
        return [m for m in self.messages if m.outcome == "in_flight"]


def message_lives(trace: Iterable) -> list[MessageLife]:
    """Pair each message's send with its end event, in order of sending.

    Parameters
    ----------
    trace : iterable of TraceEvent
        ``cluster.trace`` or a slice of it.

    Returns
    -------
    list of MessageLife

    Examples
    --------
    >>> import dynamo_lab as dl
    >>> cluster = dl.Cluster(nodes=3, n=3, r=2, w=2, seed=1)
    >>> _ = cluster.put("k", "v")
    >>> _ = cluster.run_until_idle()
    >>> lives = message_lives(cluster.trace)
    >>> sorted({m.kind for m in lives}), {m.outcome for m in lives}
    (['put_ack', 'put_req'], {'deliver'})
    """
    sends: dict[int, Any] = {}
    ends: dict[int, Any] = {}
    order: list[int] = []
    for event in trace:
        if event.event == "send":
            sends[event.msg_id] = event
            order.append(event.msg_id)
        else:
            ends[event.msg_id] = event
            if event.msg_id not in sends:
                # Dropped because the sender was down: it never had a send event.
                order.append(event.msg_id)
    lives = []
    for msg_id in order:
        end = ends.get(msg_id)
        first = sends.get(msg_id, end)
        lives.append(MessageLife(first, end))
    return lives


def operation_spans(history: Iterable) -> list[OperationSpan]:
    """Pair each invocation in a history with its completion.

    Examples
    --------
    >>> import dynamo_lab as dl
    >>> cluster = dl.Cluster(nodes=3, n=3, r=2, w=2, seed=1)
    >>> _ = cluster.put("k", "v"); _ = cluster.get("k")
    >>> [(s.f, s.type, s.value) for s in operation_spans(cluster.history)]
    [('put', 'ok', 'v'), ('get', 'ok', ['v'])]
    """
    invocations: dict[int, Any] = {}
    completions: dict[int, Any] = {}
    for op in history:
        if op.type == "invoke":
            invocations[op.op_id] = op
        else:
            completions[op.op_id] = op
    spans = []
    for op_id, inv in invocations.items():
        done = completions.get(op_id)
        spans.append(OperationSpan(
            op_id=op_id, process=inv.process, f=inv.f, key=inv.key,
            value=inv.value if done is None else done.value, start=inv.time,
            end=None if done is None else done.time, type=None if done is None else done.type,
            node=inv.node if done is None else done.node,
            error=None if done is None else done.error))
    return spans


def fault_state_at(faults: Iterable, t: float, nodes: Sequence[str]) -> FaultState:
    """Replay ``cluster.faults`` up to and including time ``t``.

    Parameters
    ----------
    faults : iterable of FaultEvent
        In the order recorded.
    t : float
    nodes : sequence of str
        Every node, in the cluster's order.

    Examples
    --------
    >>> import dynamo_lab as dl
    >>> cluster = dl.Cluster(nodes=3, n=3, r=2, w=2, seed=1)
    >>> cluster.partition(["A"]); cluster.crash("B")
    >>> state = fault_state_at(cluster.faults, cluster.now, cluster.nodes)
    >>> sorted(state.down), state.groups
    (['B'], (('A',), ('B', 'C')))
    """
    down: set[str] = set()
    groups: tuple[tuple[str, ...], ...] = ()
    for fault in faults:
        if fault.time > t:
            break
        if fault.kind == "crash":
            down.update(fault.nodes)
        elif fault.kind == "recover":
            down.difference_update(fault.nodes)
        elif fault.kind == "partition":
            groups = tuple(tuple(g) for g in fault.groups)
        elif fault.kind == "heal":
            groups = ()
    if not groups:
        groups = (tuple(nodes),)
    else:
        # Nodes that joined after the partition, or that no group names, sit
        # with the first group, as the network places newcomers.
        named = {n for g in groups for n in g}
        extra = tuple(n for n in nodes if n not in named)
        if extra:
            groups = (groups[0] + extra,) + groups[1:]
    return FaultState(time=t, down=frozenset(down), groups=groups)


def node_status(nodes: Sequence[str], down: Iterable[str],
                groups: Sequence[Sequence[str]]) -> dict[str, str]:
    """Call each node ``"up"``, ``"down"`` or ``"cut off"``.

    A node is cut off when it is up but outside the main side of a partition:
    the largest group (the first listed, among groups of equal size).

    Examples
    --------
    >>> node_status(["A", "B", "C", "D", "E"], {"E"}, [["A", "B"], ["C", "D", "E"]])
    {'A': 'cut off', 'B': 'cut off', 'C': 'up', 'D': 'up', 'E': 'down'}
    """
    down = set(down)
    main: set[str] = set(nodes)
    if len(groups) > 1:
        main = set(max(groups, key=len))  # max keeps the first of equal sizes
    return {n: "down" if n in down else ("up" if n in main else "cut off") for n in nodes}


def down_intervals(faults: Iterable, until: float) -> dict[str, list[tuple[float, float]]]:
    """When each node was down: node -> [(crashed at, recovered at or ``until``)].

    Examples
    --------
    >>> from dynamo_lab.cluster import FaultEvent
    >>> down_intervals([FaultEvent(1.0, "crash", ("C",)), FaultEvent(4.0, "recover", ("C",)),
    ...                 FaultEvent(6.0, "crash", ("C",))], until=9.0)
    {'C': [(1.0, 4.0), (6.0, 9.0)]}
    """
    since: dict[str, float] = {}
    out: dict[str, list[tuple[float, float]]] = {}
    for fault in faults:
        if fault.time > until:
            break
        for node in fault.nodes:
            if fault.kind == "crash":
                since.setdefault(node, fault.time)
            elif fault.kind == "recover" and node in since:
                out.setdefault(node, []).append((since.pop(node), fault.time))
    for node, start in since.items():
        out.setdefault(node, []).append((start, until))
    return out


def partition_intervals(faults: Iterable, until: float
                        ) -> list[tuple[float, float, tuple[tuple[str, ...], ...]]]:
    """Each partition as (start, end, groups); a partition still in place ends at ``until``.

    A new partition replaces the one before it.

    Examples
    --------
    >>> from dynamo_lab.cluster import FaultEvent
    >>> partition_intervals([FaultEvent(2.0, "partition", ("A", "B"), (("A",), ("B",))),
    ...                      FaultEvent(5.0, "heal", ("A", "B"))], until=8.0)
    [(2.0, 5.0, (('A',), ('B',)))]
    """
    out = []
    current = None
    for fault in faults:
        if fault.time > until:
            break
        if fault.kind in ("partition", "heal") and current is not None:
            out.append((current[0], fault.time, current[1]))
            current = None
        if fault.kind == "partition":
            current = (fault.time, tuple(tuple(g) for g in fault.groups))
    if current is not None:
        out.append((current[0], until, current[1]))
    return out


def participants(lives: Iterable[MessageLife], op_id: int, coordinator: str | None = None,
                 until: float | None = None) -> Participation:
    """The nodes and links that exchanged messages for operation ``op_id``.

    Parameters
    ----------
    lives : iterable of MessageLife
    op_id : int
    coordinator : str, optional
        Listed first; the coordinator takes part even if it sent nothing.
    until : float, optional
        Count only messages sent by then.

    Examples
    --------
    >>> import dynamo_lab as dl
    >>> cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=7)
    >>> w = cluster.put("k", "v")
    >>> p = participants(message_lives(cluster.trace), w.op_id, w.coordinator)
    >>> p.coordinator, set(p.nodes) == set(cluster.ring.home_replicas("k"))
    ('E', True)
    """
    nodes: dict[str, None] = {}
    if coordinator is not None:
        nodes[coordinator] = None
    links: dict[tuple[str, str], None] = {}
    for m in lives:
        if m.op_id != op_id or (until is not None and m.sent_at > until):
            continue
        nodes.setdefault(m.src)
        nodes.setdefault(m.dst)
        links.setdefault((m.src, m.dst))
    return Participation(op_id=op_id, coordinator=coordinator, nodes=tuple(nodes),
                         links=tuple(links))


def _describe_message(m: MessageLife, what: str) -> str:
    version = f" carrying {m.version}" if m.version else ""
    reason = f" ({m.detail})" if what in ("drop", "cut", "lost") and m.detail else ""
    verb = {"send": "sent", "deliver": "delivered", "drop": "dropped", "cut": "cut",
            "lost": "lost"}[what]
    return f"{m.src} \u2192 {m.dst} {m.kind}{version} {verb}{reason}"


def _describe_fault(fault) -> str:
    if fault.kind == "partition":
        return "partition " + " | ".join(", ".join(g) for g in fault.groups)
    if fault.kind == "heal":
        return "partition healed"
    detail = f" ({fault.detail})" if fault.detail else ""
    return f"{fault.kind} {', '.join(fault.nodes)}{detail}"


def _describe_operation(op: OperationSpan, starting: bool) -> str:
    if starting:
        what = f"{op.f} {op.key!r}" + (f" = {op.value!r}" if op.f == "put" else "")
        via = f" via {op.node}" if op.node else ""
        return f"{op.process} starts {what}{via}"
    shown = f" -> {op.value!r}" if op.f == "get" and op.type == "ok" else ""
    return f"{op.process}'s {op.f} {op.key!r} ends {op.type}{shown}"


class MessageTimeline:
    """A recorded run, ready to be stepped through (see the module docstring).

    Parameters
    ----------
    nodes : sequence of str
    lives : list of MessageLife
    spans : list of OperationSpan
    faults : list of FaultEvent

    Attributes
    ----------
    times : list of float
        Every distinct moment something happened, from 0: the steps a
        replay moves through.
    end : float
        The last of them.
    """

    def __init__(self, nodes: Sequence[str], lives: list[MessageLife],
                 spans: list[OperationSpan], faults: Sequence):
        self.nodes = list(nodes)
        self.lives = list(lives)
        self.spans = list(spans)
        self.faults = list(faults)
        times = {0.0}
        for m in self.lives:
            times.add(m.sent_at)
            if m.ended_at is not None:
                times.add(m.ended_at)
        for s in self.spans:
            times.add(s.start)
            if s.end is not None:
                times.add(s.end)
        times.update(f.time for f in self.faults)
        self.times = sorted(times)
        self.end = self.times[-1]

    @classmethod
    def from_cluster(cls, cluster) -> "MessageTimeline":
        """Read a cluster's trace, history and faults.

        Nodes that left the cluster but appear in the record are kept, after
        the current ones.
        """
        lives = message_lives(cluster.trace)
        nodes = dict.fromkeys(cluster.nodes)
        for m in lives:
            nodes.setdefault(m.src)
            nodes.setdefault(m.dst)
        for f in cluster.faults:
            for n in f.nodes:
                nodes.setdefault(n)
        return cls(list(nodes), lives, operation_spans(cluster.history), cluster.faults)

    def __len__(self) -> int:
        return len(self.times)

    def __repr__(self) -> str:
        return (f"<MessageTimeline: {len(self.times)} steps to t={self.end:g} ms, "
                f"{len(self.lives)} messages, {len(self.spans)} operations>")

    def step_of(self, t: float) -> int:
        """The index in :attr:`times` of the last step at or before ``t``."""
        return max(0, bisect_right(self.times, t) - 1)

    def messages(self, start: float | None = None, end: float | None = None,
                 key: str | None = None, op_ids: Iterable[int] | None = None
                 ) -> list[MessageLife]:
        """The messages sent from ``start`` to ``end`` (inclusive), optionally
        only those about ``key`` or serving the operations ``op_ids``."""
        wanted = None if op_ids is None else set(op_ids)
        return [m for m in self.lives
                if (start is None or m.sent_at >= start or
                    (m.ended_at is not None and m.ended_at >= start))
                and (end is None or m.sent_at <= end)
                and (key is None or m.key == key)
                and (wanted is None or m.op_id in wanted)]

    def at(self, t: float) -> Snapshot:
        """The state of the run at time ``t`` (everything recorded at ``t`` included)."""
        faults = fault_state_at(self.faults, t, self.nodes)
        status = node_status(self.nodes, faults.down, faults.groups)
        messages = [MessageState(m, m.outcome_at(t), m.progress_at(t))
                    for m in self.lives if m.sent_at <= t]
        operations = [s for s in self.spans if s.start <= t]
        last = operations[-1] if operations else None
        participation = None
        if last is not None:
            participation = participants(self.lives, last.op_id, last.node, until=t)
        events = []
        for f in self.faults:
            if f.time == t:
                events.append(_describe_fault(f))
        for s in operations:
            if s.start == t:
                events.append(_describe_operation(s, starting=True))
            if s.end == t:
                events.append(_describe_operation(s, starting=False))
        for state in messages:
            m = state.life
            never_left = m.outcome == "drop" and m.detail == "sender down"
            if m.sent_at == t and not never_left:
                events.append(_describe_message(m, "send"))
            if m.ended_at == t:
                events.append(_describe_message(m, m.outcome))
        return Snapshot(time=t, nodes=list(self.nodes), faults=faults, status=status,
                        messages=messages, operations=operations, last_operation=last,
                        participation=participation, events=events)
