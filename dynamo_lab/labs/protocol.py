"""The labs' protocol seam: what a learner's coordinator sees, sends and answers.

A lab asks the learner to write the coordinator of a Dynamo-style store, not
to read one. The cluster's own coordinator (:mod:`dynamo_lab.coordinator`)
is built for speed and every feature at once; here a coordinator is a plain
class with four methods to write, each called by the simulator:

- :meth:`LabCoordinator.start_put` ``(request)``: a client asked to write
  ``request.value`` under ``request.key``;
- :meth:`LabCoordinator.start_get` ``(request)``: a client asked to read
  ``request.key``;
- :meth:`LabCoordinator.on_reply` ``(request, reply)``: a replica answered a
  message sent for ``request``;
- :meth:`LabCoordinator.on_timeout` ``(request)``: the request's deadline
  (the cluster's ``timeout_ms``) passed.

A coordinator answers its client exactly once, with ``request.succeed(...)``,
``request.fail(reason)`` (nothing was done) or ``request.give_up(reason)``
(the outcome is unknown, Jepsen's ``info``). It talks to replicas only by
messages, :meth:`LabCoordinator.send`, and the replicas (:class:`LabReplica`)
answer ``"write"`` with ``"write_ack"`` and ``"read"`` with ``"read_reply"``.
Everything runs inside the seeded simulator, so the lab's checks
(:mod:`dynamo_lab.labs.harness`) can crash nodes, cut and slow links, and
replay a failing run exactly.

Examples
--------
A coordinator that writes to one replica and reads from one, whatever N, R
and W say (wrong, and the checks will say so):

>>> import dynamo_lab as dl
>>> class OneCopy(LabCoordinator):
...     def start_put(self, request):
...         self.send(self.home_replicas(request.key)[0], "write", request,
...                   version=self.new_version(), value=request.value)
...     def start_get(self, request):
...         self.send(self.home_replicas(request.key)[0], "read", request)
...     def on_reply(self, request, reply):
...         if request.done:
...             return
...         if reply.kind == "write_ack":
...             request.succeed()
...         else:
...             request.succeed(reply.value)
...     def on_timeout(self, request):
...         request.give_up("no reply in time")
>>> cluster = dl.Cluster(nodes=3, n=3, r=2, w=2, seed=1, coordinator=OneCopy,
...                      replica=LabReplica, failure_detector="oracle")
>>> cluster.put("k", "v").ok, cluster.get("k").values
(True, ['v'])
"""

from __future__ import annotations

from typing import Any

from ..coordinator import Coordinator
from ..node import Node
from ..results import ReadResult, WriteResult
from ..versions import Context, Sibling

__all__ = ["LabCoordinator", "LabReplica", "Request", "Reply", "LabProtocolError",
           "REPLICA_MESSAGES"]

#: The messages a :class:`LabReplica` answers, and the kind of its answer.
REPLICA_MESSAGES = {"write": "write_ack", "read": "read_reply"}
#: Room for this many siblings in one read's answer: each gets an id of its own.
_SIBLINGS_PER_READ = 1024
#: Field names a message may not use: a reply already has them.
_RESERVED = ("src", "kind", "key")


class LabProtocolError(Exception):
    """A coordinator broke the lab's protocol (answered twice, sent to no one, ...)."""


class Request:
    """One client request, as the coordinator sees it.

    Attributes
    ----------
    kind : "put" or "get"
    key : str
    value : object
        What a put writes (None for a get).
    quorum : int
        W for a put, R for a get: how many replicas must answer.
    done : bool
        True once the coordinator has answered the client.
    status : None, "ok", "fail" or "info"

    A coordinator may keep its own bookkeeping on the request
    (``request.acks = set()``): it is an ordinary object.
    """

    def __init__(self, kind: str, key: str, value: Any, quorum: int, pending,
                 coordinator: "LabCoordinator"):
        self.kind = kind
        self.key = key
        self.value = value
        self.quorum = quorum
        self.done = False
        self.status: str | None = None
        self._pending = pending
        self._coordinator = coordinator
        self._started = coordinator.now
        self.op_id = pending.invocation.op_id
        #: (time, reply) for every reply heard, and when the client got its
        #: answer: what the labs' hints read to name a likely mistake.
        self._heard: list[tuple[float, Reply]] = []
        self._answered_at: float | None = None
        self._held_at_answer: dict[str, Any] = {}
        self._siblings: list | None = None
        self._context: Any = None
        #: The context the client's put carries (lab 3: the clock its read returned).
        self.context: Any = None

    def succeed(self, value: Any = None, *, siblings: list | None = None,
                context: Any = None) -> None:
        """Answer ok. A get passes the value it read (None: the key holds nothing).

        Lab 3's get answers with ``siblings`` (every concurrent value, a list)
        and the ``context`` (a vector clock) the client's next put will carry
        back as ``request.context``.
        """
        if siblings is not None and (self.kind != "get" or value is not None):
            raise LabProtocolError("siblings= is for a get's answer, instead of a value")
        self._siblings = None if siblings is None else list(siblings)
        self._context = context
        self._answer("ok", value, None)

    def fail(self, reason: str) -> None:
        """Answer fail: the request did nothing, and no replica will ever apply it."""
        self._answer("fail", None, reason)

    def give_up(self, reason: str) -> None:
        """Answer info: the outcome is unknown (a write may yet be applied somewhere)."""
        self._answer("info", None, reason)

    def _answer(self, status: str, value: Any, reason: str | None) -> None:
        if self.done:
            raise LabProtocolError(
                f"the {self.kind} of {self.key!r} was already answered ({self.status}); a "
                f"coordinator answers each request once: check request.done first")
        if status != "ok" and not (isinstance(reason, str) and reason):
            raise LabProtocolError(f"{'fail' if status == 'fail' else 'give_up'} needs a reason "
                                   f"in words, got {reason!r}")
        self.done, self.status = True, status
        coordinator = self._coordinator
        self._answered_at = coordinator.now
        if self.kind == "get":
            # What each replica heard from holds now: blocking read repair's test.
            host = coordinator.host
            self._held_at_answer = {
                reply.src: (getattr(host.node(reply.src), "held", {}).get(self.key)
                            or (None,))[0]
                for _, reply in self._heard if reply.kind == "read_reply"}
        common = {"ok": status == "ok", "status": status, "key": self.key,
                  "coordinator": coordinator.name,
                  "latency_ms": coordinator.now - self._started, "error": reason,
                  "op_id": self.op_id}
        context = None
        if status == "ok" and self._context is not None:
            # The learner's clock, carried by the cluster's own Context type so
            # that the client can pass it to its next put.
            context = Context(self.key, self._context, frozenset(),
                              coordinator.host.context_origin)
        if self.kind == "put":
            result: Any = WriteResult(acks=(), context=context, **common)
            self._pending._finish(result, status, self.value, reason)
        else:
            values = ([] if status != "ok" else self._siblings if self._siblings is not None
                      else [] if value is None else [value])
            siblings = tuple(Sibling(v, (coordinator.name, self.op_id * _SIBLINGS_PER_READ + i),
                                     coordinator.now, False) for i, v in enumerate(values))
            result = ReadResult(siblings=siblings, context=context, **common)
            self._pending._finish(result, status, result.values if status == "ok" else None,
                                  reason)

    def __repr__(self) -> str:
        state = self.status or "waiting"
        what = f"{self.key!r} = {self.value!r}" if self.kind == "put" else repr(self.key)
        return f"<Request {self.kind} {what}, quorum {self.quorum}: {state}>"


class Reply:
    """A message a replica sent back: ``src``, ``kind``, ``key`` and its fields.

    >>> Reply("B", "read_reply", "k", {"version": (1.5, "A"), "value": "v"}).version
    (1.5, 'A')
    """

    def __init__(self, src: str, kind: str, key: str, fields: dict):
        self.src = src
        self.kind = kind
        self.key = key
        self.__dict__.update(fields)

    def __repr__(self) -> str:
        fields = {k: v for k, v in vars(self).items() if k not in _RESERVED}
        shown = ", ".join(f"{k}={v!r}" for k, v in fields.items())
        return f"<Reply {self.kind} from {self.src}: {shown}>"


class _Listening:
    """What the node's table of running operations holds for a lab request."""

    __slots__ = ("coordinator", "request")

    def __init__(self, coordinator: "LabCoordinator", request: Request):
        self.coordinator = coordinator
        self.request = request

    def on_reply(self, msg) -> None:
        fields = dict(msg.payload) if isinstance(msg.payload, dict) else {}
        reply = Reply(msg.src, msg.kind, msg.key, fields)
        request = self.request
        request._heard.append((self.coordinator.now, reply))
        self.coordinator.on_reply(request, reply)


class LabCoordinator(Coordinator):
    """The base of a learner's coordinator: helpers to use, four methods to write."""

    #: The replica class the lab's checks run this coordinator with (a
    #: subclass of :class:`LabReplica`); None: the lab's own.
    replica: type | None = None

    # -- what a coordinator may use ------------------------------------------------
    @property
    def name(self) -> str:
        """This node's name."""
        return self.node.name

    @property
    def now(self) -> float:
        """The simulated time, in ms."""
        return self.host.sim.now

    @property
    def n(self) -> int:
        """N: how many replicas hold each key."""
        return self.host.n

    def home_replicas(self, key: str) -> list[str]:
        """The key's N home replicas, in preference-list order (may include this node)."""
        return self.node.ring.home_replicas(key)

    def preference_list(self, key: str) -> list[str]:
        """Every node, in the order a key's writes would go to them (home replicas first)."""
        return self.node.ring.preference_list(key)

    def seems_up(self, node: str) -> bool:
        """Whether this node believes ``node`` is up and reachable (as its detector sees it)."""
        return node == self.name or self.host.detector.is_healthy(self.name, node)

    def new_version(self) -> tuple[float, str]:
        """A version for a new write: (now, this node's name), larger than any earlier one.

        The simulated clocks agree, so a later write gets a larger version;
        the name breaks ties between coordinators writing at the same instant.
        """
        return (self.now, self.name)

    def new_dot(self, request: Request) -> str:
        """A name no other write will ever have: this node and the request's id (lab 3).

        A write's vector clock is its context plus one entry for this name, so
        two writes from the same context are concurrent, whoever coordinates
        them.
        """
        return f"{self.name}:{request.op_id}"

    def send(self, to: str, kind: str, request: Request, **fields) -> None:
        """Send ``kind`` about ``request.key`` to node ``to``, with ``fields`` as its payload.

        A replica answers ``"write"`` (fields ``version`` and ``value``) with
        ``"write_ack"`` (field ``version``) and ``"read"`` with
        ``"read_reply"`` (fields ``version`` and ``value``, both None when it
        holds nothing). A message to this node itself goes through the
        network like any other.
        """
        if not isinstance(request, Request):
            raise LabProtocolError(f"send needs the request it is for as its third argument, "
                                   f"got {request!r}")
        self.host.network.require(to)
        clash = [name for name in fields if name in _RESERVED]
        if clash:
            raise LabProtocolError(f"a message field may not be called {', '.join(clash)}: "
                                   f"every reply already has src, kind and key")
        self.host.network.send(self.name, to, kind, request.key, request.op_id, dict(fields))

    def after(self, delay_ms: float, callback, *args) -> None:
        """Call ``callback(*args)`` ``delay_ms`` from now (a timer of your own)."""
        self.host.sim.schedule(delay_ms, callback, *args)

    # -- what a learner writes ------------------------------------------------------
    def start_put(self, request: Request) -> None:
        """Begin writing ``request.value`` under ``request.key``."""
        raise NotImplementedError("write start_put: send the write to the key's replicas")

    def start_get(self, request: Request) -> None:
        """Begin reading ``request.key``."""
        raise NotImplementedError("write start_get: ask the key's replicas for it")

    def on_reply(self, request: Request, reply: Reply) -> None:
        """A replica answered a message sent for ``request`` (it may already be done)."""
        raise NotImplementedError("write on_reply: count the answers and decide")

    def on_timeout(self, request: Request) -> None:
        """``request``'s deadline passed and it is not done: answer it now."""
        raise NotImplementedError("write on_timeout: answer a request that ran out of time")

    # -- the Coordinator interface the cluster calls --------------------------------
    def select_targets(self, key: str) -> list[tuple[str, str | None]]:
        return [(name, None) for name in self.home_replicas(key)]

    def put(self, pending, key, value, context, quorum, tombstone=False, any_level=False):
        if tombstone:
            raise LabProtocolError("the labs' coordinators write and read; they do not delete")
        request = Request("put", key, value, quorum, pending, self)
        request.context = None if context is None else _copy(context.clock)
        self._begin(request, self.start_put)

    def get(self, pending, key, quorum):
        self._begin(Request("get", key, None, quorum, pending, self), self.start_get)

    def _begin(self, request: Request, start) -> None:
        # Every request this coordinator ran, by op_id, for the labs' hints.
        self.__dict__.setdefault("_lab_requests", {})[request.op_id] = request
        self.node.coordinating[request.op_id] = _Listening(self, request)
        self.host.sim.schedule(self.host.timeout_ms, self._deadline, request)
        start(request)

    def _deadline(self, request: Request) -> None:
        # Replies that come later are not heard: the request is over.
        self.node.coordinating.pop(request.op_id, None)
        if request.done:
            return
        if not self.host.network.is_up(self.name):
            # A crashed coordinator never answers; its client records the
            # outcome as unknown when it stops waiting.
            request.give_up(f"the coordinator {self.name} crashed")
            return
        self.on_timeout(request)


class LabReplica(Node):
    """A replica for the labs: per key, the value with the highest version it has seen.

    It answers ``"write"`` by calling :meth:`handle_write` and acknowledging
    (``"write_ack"``, with the write's version), and ``"read"`` with what it
    holds (``"read_reply"``). A crash that loses data empties it.

    Lab 2 asks for more of a replica, through four hooks a subclass may
    override or use: :meth:`handle_write` (a write may name a home replica
    it is a hint for, ``hint_for``), :meth:`on_tick` (called every
    :attr:`tick_ms` while the node is up), :meth:`on_message` (a message for
    the replica that is not a request it answers, such as the
    acknowledgement of a hint it handed off) and :meth:`send`.
    """

    #: How often :meth:`on_tick` runs while the node is up (ms).
    tick_ms = 20.0

    def __init__(self, name: str, host):
        super().__init__(name, host)
        #: key -> (version, value): what this replica stores.
        self.held: dict[str, tuple[Any, Any]] = {}
        #: owner -> {key: (version, value)}: writes held for other home replicas.
        self.hints_held: dict[str, dict[str, tuple[Any, Any]]] = {}
        #: What this replica's own messages cost (:meth:`send`): lab 4's measure.
        self.sent_messages = 0
        self.sent_values = 0
        host.sim.schedule_daemon(self.tick_ms, self._tick)

    # -- what a replica may use -----------------------------------------------------
    def keep(self, key: str, version, value) -> bool:
        """Keep ``value`` if ``version`` is newer than what is held; True if it was kept."""
        held = self.held.get(key)
        if held is not None and not _newer(version, held[0]):
            return False
        self.held[key] = (version, value)
        return True

    def seems_up(self, node: str) -> bool:
        """Whether this node believes ``node`` is up and reachable."""
        return node == self.name or self.host.detector.is_healthy(self.name, node)

    def send(self, to: str, kind: str, key: str, **fields) -> None:
        """Send ``kind`` about ``key`` to node ``to`` (a replica's own message, no request).

        Lab 4 counts what an exchange costs: every message sent this way, and
        every key-value pair it carries (a ``"write"``, or each entry of an
        ``items`` field).
        """
        self.host.network.require(to)
        clash = [name for name in fields if name in _RESERVED]
        if clash:
            raise LabProtocolError(f"a message field may not be called {', '.join(clash)}: "
                                   f"every message already has src, kind and key")
        self.sent_messages += 1
        items = fields.get("items")
        self.sent_values += (1 if kind == "write" else 0) + (
            len(items) if isinstance(items, (list, tuple, dict, set, frozenset)) else 0)
        self.host.network.send(self.name, to, kind, key, None, dict(fields))

    def start_sync(self, peer: str) -> None:
        """Lab 4: begin an anti-entropy exchange with ``peer``, so that both end up
        holding the newer version of every key either holds."""
        raise NotImplementedError("write start_sync: compare your tree with the peer's")

    # -- what a replica may override ----------------------------------------------------
    def handle_write(self, src: str, key: str, version, value, hint_for: str | None) -> None:
        """A ``"write"`` arrived from ``src``; it is acknowledged after this returns.

        ``hint_for`` names the home replica this node stands in for, when the
        write is a hint. This replica stores every write as its own.
        """
        self.keep(key, version, value)

    def handle_read(self, key: str) -> dict:
        """The fields of the ``"read_reply"`` to a ``"read"`` of ``key``.

        By default ``version`` and ``value`` (both None when nothing is held);
        lab 3's replica answers with its ``siblings``.
        """
        version, value = self.held.get(key, (None, None))
        return {"version": version, "value": value}

    def on_tick(self) -> None:
        """Called every :attr:`tick_ms` while the node is up (nothing by default)."""

    def on_message(self, message: Reply) -> None:
        """A message that is neither a request this replica answers nor a reply to a
        request its coordinator runs, such as ``"write_ack"`` for a hint handed off."""

    # -- plumbing -------------------------------------------------------------------------
    def receive(self, msg) -> None:
        kind = msg.kind
        fields = msg.payload if isinstance(msg.payload, dict) else {}
        if kind in REPLICA_MESSAGES:
            if kind == "write":
                self.handle_write(msg.src, msg.key, fields.get("version"), fields.get("value"),
                                  fields.get("hint_for"))
                answer = {"version": fields.get("version")}
            else:
                answer = dict(self.handle_read(msg.key))
            self.host.network.send(self.name, msg.src, REPLICA_MESSAGES[kind], msg.key,
                                   msg.op_id, answer)
        elif msg.op_id is not None and msg.op_id in self.coordinating:
            super().receive(msg)
        elif kind in _NODE_MESSAGES:
            super().receive(msg)
        else:
            self.on_message(Reply(msg.src, kind, msg.key, dict(fields)))

    def _tick(self) -> None:
        if self.host.network.is_up(self.name):
            self.on_tick()
        self.host.sim.schedule_daemon(self.tick_ms, self._tick)

    def crash(self, lose_data: bool, reuse_identity: bool) -> None:
        super().crash(lose_data, reuse_identity)
        if lose_data:
            self.held.clear()
            self.hints_held.clear()


#: Messages of the cluster's own machinery (gossip, ...) that a lab replica
#: passes on to :class:`~dynamo_lab.node.Node`.
_NODE_MESSAGES = ("gossip", "gossip_reply")


def _copy(value):
    import copy

    return copy.deepcopy(value)


def _newer(version, than) -> bool:
    try:
        return than is None or version > than
    except TypeError:
        raise LabProtocolError(f"versions {version!r} and {than!r} cannot be compared; use "
                               f"self.new_version()") from None
