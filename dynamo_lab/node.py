"""A storage node: its replicas, its hints, and how it answers messages.

A node plays two parts. As a *replica* it stores records and answers
``put_req``, ``get_req``, ``repair`` and ``hint`` messages. As a
*coordinator* it runs the put and get state machines of
:mod:`dynamo_lab.coordinator`, which receive the replies routed here.

Hints (Dynamo §4.6): a node written in place of an unreachable home replica
keeps the record apart, under the name of the node it was meant for, and
keeps offering it to that node until the node acknowledges it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .versions import Record, VectorClock

if TYPE_CHECKING:  # pragma: no cover
    from .host import Host
    from .ring import Ring
    from .sim.kernel import Timer
    from .sim.network import Message

__all__ = ["Node", "WritePayload"]


class WritePayload:
    """A record on its way to a replica, and whom it is meant for if hinted.

    ``ring_epoch`` is the version of the ring the coordinator routed by, so a
    replica that already knows a newer ring can tell a write that reached it
    only because the coordinator's view was out of date.
    """

    __slots__ = ("record", "hint_for", "ring_epoch")

    def __init__(self, record: Record, hint_for: str | None = None, ring_epoch: int = 0):
        self.record = record
        self.hint_for = hint_for
        self.ring_epoch = ring_epoch

    @property
    def clock(self) -> VectorClock:  # what the trace shows for the message
        return self.record.clock


#: Replies to a coordinator, handed to the operation they answer.
_REPLIES = frozenset({"put_ack", "get_resp", "repair_ack"})


class Node:
    """One storage node of a :class:`~dynamo_lab.cluster.Cluster`: a replica, and
    the home of a coordinator.

    A cluster builds its nodes from the class it was given as ``replica=``
    (this one by default), as ``replica(name, host)``, and gives each the
    coordinator it was given as ``coordinator=``, which sees the node and the
    same :class:`~dynamo_lab.host.Host`. A subclass may change how a replica
    stores, answers or hands off; everything it may use of the cluster is
    its ``host``.
    """

    #: Runs the puts and gets this node coordinates: a
    #: :class:`~dynamo_lab.coordinator.Coordinator`, set by the cluster, which
    #: builds it from its ``coordinator=`` class. (Typed loosely: coordinators
    #: sit above nodes, which never import them.)
    coordinator: Any

    def __init__(self, name: str, host: "Host"):
        self.name = name
        self.host = host
        self.store: dict[str, Record] = {}
        self.hints: dict[str, dict[str, Record]] = {}  # key -> intended owner -> record
        self.issued: dict[str, int] = {}  # key -> last counter this identity used
        self._one_off = 0  # identities used for writes this node does not store
        self.incarnation = 1
        self.actor = name  # the identity written into clocks
        self.clock_skew_ms = 0.0
        self.coordinating: dict[int, Any] = {}  # op_id -> running put/get
        self._hint_timer: Timer | None = None
        self.hints_stored = 0
        self.hints_delivered = 0
        self.tombstones_purged = 0
        #: The version of the ring this node routes by, and that ring: the
        #: newest it has heard of. Under gossip membership a join or leave
        #: reaches nodes one exchange at a time, so for a while nodes can
        #: disagree on a key's replicas.
        self.ring_epoch = host.rings.epoch
        self.ring: Ring = host.rings[self.ring_epoch]

    def __repr__(self) -> str:
        state = "up" if self.host.network.is_up(self.name) else "down"
        return f"<Node {self.name} {state}: {len(self.store)} keys, {self.hints_pending} hints>"

    # -- the ring as this node knows it -------------------------------------
    def route_by(self, epoch: int) -> None:
        """Route by ring ``epoch`` from now on (a switch every node makes at once)."""
        self.ring_epoch = epoch
        self.ring = self.host.rings[epoch]

    def adopt_ring(self, epoch: int) -> None:
        """Route by ring ``epoch`` from now on, handing off what this node lost.

        Keys this node was a home replica of and no longer is may hold writes
        that coordinators with the old view sent here after the cluster
        switched rings; each is offered, as a hint, to its new home replicas.
        """
        if epoch <= self.ring_epoch:
            return
        old = self.ring
        self.route_by(epoch)
        new = self.ring
        if self.name not in new.nodes:
            return  # a node leaving handed its ranges off before the switch
        for key, record in list(self.store.items()):
            if self.name in old.home_replicas(key) and self.name not in new.home_replicas(key):
                self.hand_off(key, record, new.home_replicas(key))

    def hand_off(self, key: str, record: Record, owners) -> None:
        """Keep ``record`` as a hint for each of ``owners`` until they acknowledge it."""
        for owner in owners:
            if owner != self.name:
                self.apply(key, record, hint_for=owner)

    # -- clocks -------------------------------------------------------------
    def wall_clock(self) -> float:
        """This node's wall clock (ms): virtual time plus its skew."""
        return self.host.sim.now + self.clock_skew_ms

    def one_off_actor(self) -> str:
        """A clock identity for a single write this node stamps but will not store."""
        self._one_off += 1
        return f"{self.actor}.{self._one_off}"

    def next_counter(self, key: str, seen: int) -> int:
        """A counter for a new write of ``key`` by this identity, above ``seen``.

        Remembering what it issued keeps every write's (identity, counter)
        unique even when this node coordinates keys it does not store.
        """
        counter = max(seen, self.issued.get(key, 0)) + 1
        self.issued[key] = counter
        return counter

    # -- storage ------------------------------------------------------------
    def read(self, key: str) -> Record | None:
        """What this node can answer for ``key``: its replica and any hints."""
        record = self.store.get(key)
        hinted = self.hints.get(key)
        if hinted:
            merge = self.host.versioning.merge
            for held in hinted.values():
                record = merge(record, held)
        return record

    def apply(self, key: str, record: Record, hint_for: str | None = None) -> Record:
        """Merge ``record`` into this node's replica (or into its hints)."""
        merge = self.host.versioning.merge
        if hint_for is None or hint_for == self.name:
            merged = merge(self.store.get(key), record)
            assert merged is not None   # a merge with a record is a record
            self.store[key] = merged
            return merged
        held = self.hints.setdefault(key, {})
        merged = merge(held.get(hint_for), record)
        assert merged is not None
        held[hint_for] = merged
        self.hints_stored += 1
        self._schedule_hint_delivery()
        return merged

    def purge(self, key: str, tombstone: Record) -> bool:
        """Forget ``key`` if what is stored is exactly ``tombstone``; return True if so.

        Anything newer (a write that arrived after the delete) is kept.
        """
        if self.store.get(key) == tombstone and tombstone.is_tombstone:
            del self.store[key]
            self.tombstones_purged += 1
            return True
        return False

    @property
    def hints_pending(self) -> int:
        return sum(len(owners) for owners in self.hints.values())

    def pending_hints(self) -> list[tuple[str, str, Record]]:
        """(key, intended owner, record) for every hint held."""
        return [(key, owner, rec) for key, owners in self.hints.items()
                for owner, rec in owners.items()]

    # -- hinted handoff -------------------------------------------------------
    def _schedule_hint_delivery(self) -> None:
        timer = self._hint_timer
        if timer is None or not timer.pending:
            self._hint_timer = self.host.sim.schedule_daemon(
                self.host.hint_interval_ms, self._hint_round, self.incarnation)

    def _hint_round(self, incarnation: int) -> None:
        if incarnation != self.incarnation or not self.host.network.is_up(self.name):
            return
        self.offer_hints()
        if self.hints:
            self._schedule_hint_delivery()

    def offer_hints(self) -> int:
        """Send every hint whose owner looks healthy; return how many were sent."""
        sent = 0
        healthy = self.host.detector.is_healthy
        members = self.host.network.nodes
        for key, owner, record in self.pending_hints():
            if owner not in members:
                self._redirect_hint(key, owner, record)
            elif healthy(self.name, owner):
                self.host.network.send(self.name, owner, "hint", key, None,
                                          WritePayload(record, None))
                sent += 1
        return sent

    def _redirect_hint(self, key: str, owner: str, record: Record) -> None:
        """The owner of a hint has left the cluster: pass it to the key's owners now.

        Waits while this node's ring view still names the departed owner.
        """
        ring = self.ring
        if owner in ring.nodes:
            return
        owners = self.hints[key]
        del owners[owner]
        if not owners:
            del self.hints[key]
        home = ring.home_replicas(key)
        if self.name in home:
            self.apply(key, record)
        self.hand_off(key, record, home)

    # -- messages -------------------------------------------------------------
    def receive(self, msg: "Message") -> None:
        """Handle one delivered message."""
        host = self.host
        if host.detector.listening:
            host.detector.heard_from(self.name, msg.src)
        kind = msg.kind
        if kind in _REPLIES:
            operation = self.coordinating.get(msg.op_id)
            if operation is not None:
                operation.on_reply(msg)
            return
        send = host.network.send
        if kind == "put_req":
            payload = msg.payload
            self.apply(msg.key, payload.record, payload.hint_for)
            if payload.hint_for is None and payload.ring_epoch < self.ring_epoch:
                home = self.ring.home_replicas(msg.key)
                if self.name not in home:
                    # Routed by a ring this node knows to be out of date: keep
                    # the write, and pass it on to the replicas that own it now.
                    self.hand_off(msg.key, payload.record, home)
            send(self.name, msg.src, "put_ack", msg.key, msg.op_id, None)
        elif kind == "get_req":
            send(self.name, msg.src, "get_resp", msg.key, msg.op_id, self.read(msg.key))
        elif kind == "repair":
            self.apply(msg.key, msg.payload.record)
            send(self.name, msg.src, "repair_ack", msg.key, msg.op_id, None)
        elif kind == "purge":
            self.purge(msg.key, msg.payload.record)
        elif kind == "hint":
            self.apply(msg.key, msg.payload.record)
            send(self.name, msg.src, "hint_ack", msg.key, None, msg.payload)
        elif kind == "hint_ack":
            self._hint_acknowledged(msg.key, msg.src, msg.payload.record)
        elif kind in ("gossip", "gossip_reply") and self.host.gossip is not None:
            self.host.gossip.receive(self.name, msg)
        elif kind in ("transfer", "transfer_ack"):
            msg.payload.job.receive(self, msg)
        elif kind.startswith("ae_"):
            msg.payload.exchange.receive(self, msg)
        else:   # any other kind can only be meant for an operation this node runs
            operation = self.coordinating.get(msg.op_id)
            if operation is not None:
                operation.on_reply(msg)

    def _hint_acknowledged(self, key: str, owner: str, delivered: Record) -> None:
        owners = self.hints.get(key)
        if not owners or owners.get(owner) is None:
            return
        # Delete only what the owner acknowledged: a newer hint that arrived
        # meanwhile must wait for its own delivery.
        if self.host.versioning.covers(delivered, owners[owner]):
            del owners[owner]
            if not owners:
                del self.hints[key]
            self.hints_delivered += 1

    # -- faults -------------------------------------------------------------
    def crash(self, lose_data: bool, reuse_identity: bool) -> None:
        """Stop: forget running operations; optionally lose everything stored."""
        self.incarnation += 1
        self.coordinating.clear()
        if self._hint_timer is not None:
            self._hint_timer.cancel()
            self._hint_timer = None
        if lose_data:
            self.store.clear()
            self.hints.clear()
            self.issued.clear()
            # A wiped node that kept its old identity would issue counters it
            # already used, and its new writes would look old (Riak's kv679).
            if not reuse_identity:
                self.actor = f"{self.name}~{self.incarnation}"

    def restart(self) -> None:
        """Come back up: resume offering any hints still held."""
        if self.hints:
            self._schedule_hint_delivery()
