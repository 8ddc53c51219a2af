"""Multi-leader replication: every leader accepts writes and ships them to the others.

Each leader (think: one per data centre) writes locally, answers its client
at once, and ships its writes to the other leaders asynchronously, in
batches every ``ship_interval_ms``. No leader ever waits for another, so a
crashed leader costs no write downtime: clients simply use another one.

The price is *conflicts*: two leaders can accept writes to the same key
before either has heard of the other's. How a leader merges what it
receives is the ``conflict`` option:

``"lww"`` (last write wins)
    keep the write with the latest wall-clock timestamp (ties: the larger
    node name). Both clients were told "ok"; one write silently vanishes.
``"keep_both"``
    keep both values as *siblings*, and let a reader or the next write
    resolve them. The records carry dotted version vectors (the cluster's
    ``"dvv"`` versioning), which tell concurrent writes from ordered ones
    whatever order the shipments arrive in; per-record vector clocks would
    not, and two leaders could end up keeping different siblings.

Every detected conflict is logged as a ``conflict`` event and kept in
:attr:`MultiLeader.conflicts`. Messages: ``replicate``, ``replicate_ack``
and ``hello`` (a leader that recovered or was cut off asks for what it
missed).

Examples
--------
Two clients write the same key at the same moment through different leaders:

>>> ml = MultiLeader(leaders=2, conflict="lww", seed=0)
>>> a = ml.client("alice").start_put("cart", "book", coordinator="A")
>>> b = ml.client("bob").start_put("cart", "pen", coordinator="B")
>>> _ = ml.run_until_idle()
>>> a.result.ok, b.result.ok
(True, True)
>>> ml.get("cart", coordinator="A").values, ml.get("cart", coordinator="B").values
(['pen'], ['pen'])
>>> ml = MultiLeader(leaders=2, conflict="keep_both", seed=0)
>>> _ = ml.client("alice").start_put("cart", "book", coordinator="A")
>>> _ = ml.client("bob").start_put("cart", "pen", coordinator="B")
>>> _ = ml.run_until_idle()
>>> ml.get("cart", coordinator="A").values
['book', 'pen']
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..validation import milliseconds, one_of
from ..versions import EMPTY_CLOCK, Record, Sibling, VectorClock, frozen_value, make_versioning
from .base import Topology, node_names

if TYPE_CHECKING:  # pragma: no cover
    from ..client import PendingOperation
    from ..sim.network import Message

__all__ = ["MultiLeader", "Conflict", "CONFLICT_MODES"]

#: Accepted values of ``conflict``, and the versioning scheme each one uses.
CONFLICT_MODES = {"lww": "lww", "keep_both": "dvv"}


@dataclass(frozen=True, slots=True)
class Conflict:
    """Concurrent writes to ``key`` met at ``node``: what it held, what came, what it kept."""

    time: float
    node: str
    key: str
    held: tuple
    arrived: tuple
    kept: tuple


class _Shipment:
    """One write on its way to another leader: the record, plus its causal past.

    The clock travels even under last-write-wins, where the record has none,
    so that a leader can tell a conflict from an ordinary overwrite.
    """

    __slots__ = ("seq", "key", "record", "causal")

    def __init__(self, seq: int, key: str, record: Record, causal: VectorClock):
        self.seq = seq
        self.key = key
        self.record = record
        self.causal = causal


class _Batch:
    __slots__ = ("items",)

    def __init__(self, items: tuple):
        self.items = items

    @property
    def clock(self):  # the trace shows the version when the batch holds one write
        return self.items[0].record.clock if len(self.items) == 1 else None


class _Leader:
    """One leader: its data, and the writes it still has to ship to each peer."""

    def __init__(self, name: str, system: "MultiLeader"):
        self.name = name
        self.system = system
        self.store: dict[str, Record] = {}
        self.causal: dict[str, VectorClock] = {}      # key -> every write merged in
        self.counter = 0
        self.outbox: dict[str, dict[int, _Shipment]] = {}  # peer -> seq -> unacknowledged
        self.last_sent: dict[str, float] = {}
        self.clock_skew_ms = 0.0
        self.incarnation = 0
        self._ship_timer = None

    def __repr__(self) -> str:
        unshipped = sum(len(box) for box in self.outbox.values())
        return f"<leader {self.name}: {len(self.store)} keys, {unshipped} unacknowledged shipments>"

    def _peers(self) -> list[str]:
        return [n for n in self.system.nodes if n != self.name]

    def record(self, key: str) -> Record | None:
        return self.store.get(key)

    # -- writes -----------------------------------------------------------------
    def write(self, pending: "PendingOperation", key: str, value: Any, tombstone: bool) -> None:
        system = self.system
        self.counter += 1
        stamp = system.sim.now + self.clock_skew_ms
        sibling = Sibling(None if tombstone else frozen_value(value), (self.name, self.counter),
                          stamp, tombstone)
        local = self.store.get(key)
        # The write replaces whatever this leader holds: its context is its own clock.
        record = system.versioning.write(local, EMPTY_CLOCK if local is None else local.clock,
                                         sibling)
        self.store[key] = record
        causal = self.causal.get(key, EMPTY_CLOCK).with_entry(self.name, self.counter, stamp)
        self.causal[key] = causal
        for peer in self._peers():
            self.outbox.setdefault(peer, {})[self.counter] = _Shipment(self.counter, key,
                                                                       record, causal)
        system._acknowledge(pending, self.name, (self.name,), tuple(self._peers()))
        if system.ship_interval_ms == 0:
            self._ship_all()
        elif self._ship_timer is None:
            self._ship_timer = system.sim.schedule(system.ship_interval_ms, self._ship_batch,
                                                   self.incarnation)

    def _ship_batch(self, incarnation: int) -> None:
        if incarnation == self.incarnation:
            self._ship_timer = None
            self._ship_all()

    def _ship_all(self) -> None:
        for peer in self._peers():
            self._ship(peer)

    def _ship(self, peer: str) -> None:
        box = self.outbox.get(peer)
        if not box:
            return
        items = tuple(box[seq] for seq in sorted(box))
        one = items[0] if len(items) == 1 else None
        self.system.network.send(self.name, peer, "replicate", key=one and one.key,
                                 op_id=None, payload=_Batch(items))
        self.last_sent[peer] = self.system.sim.now

    def _retry(self, incarnation: int) -> None:
        # Background resend of shipments nobody acknowledged (the peer was
        # down, cut off, or the message was lost).
        if incarnation != self.incarnation or not self.system.network.is_up(self.name):
            return
        system = self.system
        for peer in self._peers():
            if system.sim.now - self.last_sent.get(peer, -math.inf) >= system.heartbeat_interval_ms:
                self._ship(peer)
        system.sim.schedule_daemon(system.heartbeat_interval_ms, self._retry, incarnation)

    # -- receiving ----------------------------------------------------------------
    def receive(self, msg: "Message") -> None:
        if msg.kind == "replicate":
            for item in msg.payload.items:
                self._merge(item)
            self.system.network.send(self.name, msg.src, "replicate_ack",
                                     payload=tuple(item.seq for item in msg.payload.items))
        elif msg.kind == "replicate_ack":
            box = self.outbox.get(msg.src, {})
            for seq in msg.payload:
                box.pop(seq, None)
        elif msg.kind == "hello":
            self._ship(msg.src)

    def _merge(self, item: _Shipment) -> None:
        system = self.system
        local, mine = self.store.get(item.key), self.causal.get(item.key, EMPTY_CLOCK)
        merged = system.versioning.merge(local, item.record)
        if local is not None and mine.is_concurrent(item.causal):
            conflict = Conflict(system.sim.now, self.name, item.key, tuple(local.values),
                                tuple(item.record.values), tuple(merged.values))
            system.conflicts.append(conflict)
            system._log("conflict", self.name, f"{item.key!r}: held {list(conflict.held)}, "
                        f"{list(conflict.arrived)} arrived concurrently; kept "
                        f"{list(conflict.kept)}")
        self.store[item.key] = merged
        self.causal[item.key] = mine.merge(item.causal)

    # -- lifecycle --------------------------------------------------------------------
    def start(self) -> None:
        self.system.sim.schedule_daemon(self.system.heartbeat_interval_ms, self._retry,
                                        self.incarnation)

    def crash(self) -> None:
        self.incarnation += 1
        self._ship_timer = None

    def restart(self) -> None:
        self.start()
        self.say_hello()

    def say_hello(self) -> None:
        # Ship what we owe everyone, and ask everyone for what they owe us.
        for peer in self._peers():
            self._ship(peer)
            self.system.network.send(self.name, peer, "hello")


class MultiLeader(Topology):
    """A multi-leader replicated key-value store (see the module docstring).

    Parameters
    ----------
    leaders : int
        How many leaders (2 to 26), named A, B, C, ...
    seed : int
        Seeds every random choice.
    conflict : {"lww", "keep_both"}
        How concurrent writes to one key are resolved.
    latency : LatencyModel or number, optional
        One-way delay between leaders (``Exponential(mean_ms=1.0)``).
    loss : float
        Probability that a message is lost (0).
    timeout_ms : float
        How long a client waits (100); writes are answered at once anyway.
    ship_interval_ms : float
        How long a leader collects writes before shipping them (50); 0 ships
        each write at once.
    heartbeat_interval_ms : float
        How often unacknowledged shipments are sent again (100).

    Writes and reads go to the first leader that is up (A, then B, ...) unless
    ``coordinator`` names one.
    """

    label = "multi-leader"

    def __init__(self, leaders: int = 2, seed: int = 0, *, conflict: str = "lww",
                 latency=None, loss: float = 0.0, timeout_ms: float = 100.0,
                 ship_interval_ms: float = 50.0, heartbeat_interval_ms: float = 100.0):
        names = node_names(leaders, "leaders", 2)
        self.conflict = one_of("conflict", conflict, tuple(CONFLICT_MODES))
        self.ship_interval_ms = milliseconds("ship_interval_ms", ship_interval_ms, allow_zero=True)
        self.heartbeat_interval_ms = milliseconds("heartbeat_interval_ms", heartbeat_interval_ms)
        super().__init__(names, seed, latency, loss, timeout_ms)
        self.label = f"multi-leader {self.conflict}"
        self.versioning = make_versioning(CONFLICT_MODES[self.conflict])
        #: Every conflict a leader detected while merging, in order.
        self.conflicts: list[Conflict] = []
        for name in names:
            leader = _Leader(name, self)
            self._nodes[name] = leader
            self.network.attach(name, leader.receive)
            leader.start()

    def __repr__(self) -> str:
        down = f"; down: {', '.join(self.down)}" if self.down else ""
        return (f"<MultiLeader {len(self._nodes)} leaders, conflict={self.conflict!r}, "
                f"t={self.now:g} ms{down}>")

    def _set_clock_skew(self, node: str, ms: float) -> None:   # for skew_clock
        self._nodes[node].clock_skew_ms = ms

    def _write_target(self, coordinator):
        if coordinator is not None:
            if not self.network.is_up(coordinator):
                return coordinator, f"{coordinator} is down"
            return coordinator, None
        for name in self.nodes:
            if self.network.is_up(name):
                return name, None
        return None, "every leader is down"

    _read_target = _write_target
