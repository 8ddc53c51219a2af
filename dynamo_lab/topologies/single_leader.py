"""Single-leader replication: one node takes every write, followers copy its log.

The leader appends each write to its log and ships the log to the followers
over the simulated network. *When* it tells the client "ok" is the
replication mode:

``"sync"``
    after every follower it is in contact with has the write. A follower
    the leader has not heard from for ``failover_timeout_ms`` stops being
    waited for (Kafka's in-sync replica set works this way); without that
    rule one dead follower would block every write for ever.
``"semi_sync"``
    after at least one follower has it (MySQL's semi-synchronous mode).
``"async"``
    as soon as its own log has it. Nobody is waiting, so it ships the log
    in batches, every ``ship_interval_ms``: the entries of the current batch
    exist on the leader alone.

Failover
--------
The leader sends a heartbeat every ``heartbeat_interval_ms`` (any log
entries it ships count as one too). A follower that hears nothing for
``failover_timeout_ms`` *suspects* the leader, waits a random part of a
heartbeat interval (so that two followers who noticed together do not split
the vote), checks that a majority would vote for it, and stands as a
candidate in a new *epoch*. Once a majority of the nodes (itself included) has voted for it, it promotes
a voter: by default the one with the longest log (``promotion=
"most_up_to_date"``); ``"first_detector"`` promotes the candidate itself and
``"random"`` any voter, which is how a careless failover script loses writes.
The new leader is published at once (the "leader record" clients read, like a
virtual IP or a ZooKeeper entry). From the crash until then, every write
fails: that is the write downtime.

Epochs fence the old leader: a node that sees a newer epoch steps down, and
a leader that has not heard from a majority for ``failover_timeout_ms``
steps down by itself. When an old leader comes back it rejoins as a
follower, and the new leader's log overwrites the tail of its own: writes it
had acknowledged but never shipped are *discarded* (kept in
:attr:`SingleLeader.discarded` and logged as ``discard`` events). This is
the lost-write story of GitHub's 2012 failover.

Messages (the ``kind`` column of the trace): ``append`` (log entries;
``heartbeat`` when it carries none), ``append_ack``, ``append_nack`` (the
follower's log does not fit: the leader backs up), ``append_reject`` (the
sender's epoch is stale), ``prevote_req`` and ``prevote`` (would you vote
for me? asked before an epoch changes, so a node cut off from the others
cannot push the epoch up and depose a healthy leader when it returns),
``vote_req``, ``vote``, ``promote`` and ``hello`` (a node that recovered
or was cut off asks to catch up). The trace's
``version`` column shows the sender's epoch and the entries an append
carries, e.g. ``e2:14-16`` (a heartbeat shows only ``e2``).

Examples
--------
>>> sl = SingleLeader(nodes=3, replication="semi_sync", seed=1)
>>> sl.leader
'A'
>>> w = sl.put("x", 1)
>>> w.ok, w.acks[0]
(True, 'A')
>>> sl.crash("A")
>>> sl.put("x", 2).status        # nobody has been promoted yet
'fail'
>>> _ = sl.run_for(1500)         # the followers notice and elect a new leader
>>> sl.leader in ("B", "C"), sl.put("x", 3).ok
(True, True)
>>> [e.kind for e in sl.events]
['crash', 'suspect', 'suspect', 'candidate', 'elect', 'promote']
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..validation import milliseconds, one_of
from ..versions import EMPTY_CLOCK, Record, Sibling, frozen_value
from .base import Topology, node_names
from .election import PROMOTION_RULES, EpochReply, LeaderElection

if TYPE_CHECKING:  # pragma: no cover
    from ..client import PendingOperation
    from ..sim.network import Message

__all__ = ["SingleLeader", "LogEntry", "REPLICATION_MODES", "PROMOTION_RULES"]

#: Accepted values of ``replication``.
REPLICATION_MODES = ("sync", "semi_sync", "async")


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One write in a replication log.

    ``index`` is its position (from 1), ``epoch`` the leader's epoch when it
    was accepted, ``origin`` that leader, ``op_id`` the client operation
    (as in the history), ``time`` when the leader accepted it.
    """

    index: int
    epoch: int
    key: str
    value: Any
    tombstone: bool
    origin: str
    op_id: int
    time: float

    def record(self) -> Record:
        """The entry as the :class:`~dynamo_lab.versions.Record` a read returns."""
        sibling = Sibling(self.value, (self.origin, self.index), self.time, self.tombstone)
        return Record(EMPTY_CLOCK, (sibling,))


class _Append:
    """Payload of ``append`` / ``heartbeat``: Raft's AppendEntries, simplified."""

    __slots__ = ("epoch", "prev_index", "prev_epoch", "entries")

    def __init__(self, epoch: int, prev_index: int, prev_epoch: int, entries: tuple):
        self.epoch = epoch
        self.prev_index = prev_index
        self.prev_epoch = prev_epoch
        self.entries = entries

    @property
    def clock(self) -> str:  # what the trace shows in its version column
        if not self.entries:
            return f"e{self.epoch}"
        first, last = self.entries[0].index, self.entries[-1].index
        return f"e{self.epoch}:{first}" if first == last else f"e{self.epoch}:{first}-{last}"


class _Replica(LeaderElection):
    """One node: its log (durable) and its role in the protocol (volatile)."""

    def __init__(self, name: str, system: "SingleLeader"):
        self.name = name
        self.system = system
        # Durable: survives a crash.
        self.log: list[LogEntry] = []
        self.store: dict[str, LogEntry] = {}   # key -> latest entry (follows the log)
        self.epoch = 1
        self.voted_for: str | None = None      # in self.epoch
        # Volatile: rebuilt on restart.
        self.role = "follower"
        self.leader: str | None = None
        self.incarnation = 0
        self._timer = None                     # election timer (a daemon)
        self._ship_timer = None
        self.votes: dict[str, tuple[int, int]] = {}
        self.prevotes: set[str] = set()
        self.canvass_epoch = 0
        self.leader_contact = -math.inf       # when a leader was last heard from
        self.next: dict[str, int] = {}
        self.match: dict[str, int] = {}
        self.heard: dict[str, float] = {}
        self.waiting: dict[int, "PendingOperation"] = {}

    def __repr__(self) -> str:
        state = self.role if self.system.network.is_up(self.name) else "down"
        return f"<{self.name} {state}, epoch {self.epoch}, log {len(self.log)}>"

    # -- small helpers ----------------------------------------------------------
    @property
    def last_epoch(self) -> int:
        return self.log[-1].epoch if self.log else 0

    def record(self, key: str) -> Record | None:
        entry = self.store.get(key)
        return None if entry is None else entry.record()

    def _send(self, dst: str, kind: str, payload, key=None, op_id=None) -> None:
        self.system.network.send(self.name, dst, kind, key=key, op_id=op_id, payload=payload)

    def _others(self) -> list[str]:
        return [n for n in self.system.nodes if n != self.name]

    def _live(self, incarnation: int) -> bool:
        return incarnation == self.incarnation and self.system.network.is_up(self.name)

    # -- lifecycle ----------------------------------------------------------------
    def crash(self) -> None:
        self.incarnation += 1          # every loop and timer of the old run stops
        self.role = "follower"
        self.waiting.clear()           # the clients find out by timing out
        self._ship_timer = None

    def restart(self) -> None:
        # A restarted node never assumes it is still the leader: it comes back
        # as a follower and asks around, so a newer leader can correct its log.
        self.role = "follower"
        self.leader = None
        self.say_hello()
        self._reset_timer()

    def say_hello(self) -> None:
        """Ask the others to bring this node up to date (a leader just ships)."""
        for other in self._others():
            if self.role == "leader":
                self._ship(other, force=True)
            else:
                self._send(other, "hello", EpochReply(self.epoch, len(self.log)))

    def receive(self, msg: "Message") -> None:
        handler = getattr(self, "_on_" + msg.kind)
        handler(msg)

    # -- epochs and roles ---------------------------------------------------------
    def _adopt(self, epoch: int, why: str) -> None:
        """Become a follower in ``epoch``: a newer one, or the same one when a
        leader's lease has run out."""
        if self.role == "leader":
            self.system._log("step_down", self.name, why)
        if epoch != self.epoch:
            self.voted_for = None  # one vote per epoch, so keep it within the same epoch
        self.epoch = epoch
        self.role = "follower"
        self.leader = None
        self._reset_timer()

    def become_leader(self, voters) -> None:
        system, now = self.system, self.system.sim.now
        self.role = "leader"
        self.leader = self.name
        end = len(self.log)
        self.next = {f: end + 1 for f in self._others()}
        self.match = {f: 0 for f in self._others()}
        # Only the voters are known to be alive; the others must answer first.
        self.heard = {f: (now if f in voters else -math.inf) for f in self._others()}
        self.waiting = {}
        self._ship_timer = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        system._leader = self.name
        system._log("promote", self.name, f"leader of epoch {self.epoch} with {end} log "
                    f"entries (last from epoch {self.last_epoch})")
        self._heartbeat(self.incarnation, self.epoch)

    def keep_lease(self) -> bool:
        """True while this leader may lead: it has heard from a majority lately.

        A leader cut off from a majority for ``failover_timeout_ms`` must
        assume the others have elected someone else, so it steps down (fencing
        by lease). Checked before every commit, not only at heartbeats, so a
        sync leader never acknowledges a write on its own.
        """
        if self.role != "leader":
            return False
        system, now = self.system, self.system.sim.now
        timeout = system.failover_timeout_ms
        in_touch = 1 + sum(now - t < timeout for t in self.heard.values())
        if in_touch >= system.majority:
            return True
        self._adopt(self.epoch, f"heard from only {in_touch} of {len(system.nodes)} nodes "
                    f"for {timeout:g} ms")
        return False

    def _heartbeat(self, incarnation: int, epoch: int) -> None:
        if not self._live(incarnation) or self.role != "leader" or self.epoch != epoch:
            return
        system, now = self.system, self.system.sim.now
        if not self.keep_lease():
            return
        self._check_commits()  # a follower that fell silent may no longer be waited for
        for f in self._others():
            if self.match[f] < len(self.log) and now - self.heard[f] >= system.heartbeat_interval_ms:
                self.next[f] = self.match[f] + 1   # unanswered: send it all again
            self._ship(f, force=True)
        self.system.sim.schedule_daemon(system.heartbeat_interval_ms, self._heartbeat,
                                        incarnation, epoch)

    # -- the leader's side of replication ----------------------------------------
    def write(self, pending: "PendingOperation", key: str, value: Any, tombstone: bool) -> None:
        system = self.system
        entry = LogEntry(len(self.log) + 1, self.epoch, key,
                         None if tombstone else frozen_value(value), tombstone,
                         self.name, pending.op_id, system.sim.now)
        self.log.append(entry)
        self.store[key] = entry
        if system.replication == "async":
            system._acknowledge(pending, self.name, (self.name,), tuple(self._others()))
            if system.ship_interval_ms == 0:
                self._ship_all()
            elif self._ship_timer is None:
                self._ship_timer = system.sim.schedule(system.ship_interval_ms, self._ship_batch,
                                                       self.incarnation, self.epoch)
            return
        self.waiting[entry.index] = pending
        self._ship_all()
        self._check_commits()

    def _ship_batch(self, incarnation: int, epoch: int) -> None:
        if not self._live(incarnation):
            return
        self._ship_timer = None
        if self.role == "leader" and self.epoch == epoch:
            self._ship_all()

    def _ship_all(self) -> None:
        for f in self._others():
            self._ship(f)

    def _ship(self, f: str, force: bool = False) -> None:
        """Send follower ``f`` the entries from ``next[f]`` on (or a heartbeat)."""
        start = min(self.next[f], len(self.log) + 1)
        entries = tuple(self.log[start - 1:])
        if not entries and not force:
            return
        prev = start - 1
        prev_epoch = self.log[prev - 1].epoch if prev >= 1 else 0
        one = entries[0] if len(entries) == 1 else None
        self._send(f, "append" if entries else "heartbeat",
                   _Append(self.epoch, prev, prev_epoch, entries),
                   key=one and one.key, op_id=one and one.op_id)
        self.next[f] = len(self.log) + 1  # pipelined: later entries follow at once

    def _check_commits(self) -> None:
        if not self.waiting or not self.keep_lease():
            return
        system, now = self.system, self.system.sim.now
        followers = list(self.match)
        if system.replication == "sync":
            needed = [f for f in followers if now - self.heard[f] < system.failover_timeout_ms]
        for index in sorted(self.waiting):
            have = tuple(f for f in followers if self.match[f] >= index)
            if system.replication == "sync":
                done = all(self.match[f] >= index for f in needed)
            else:
                done = bool(have)
            if not done:
                break  # matches only grow, so no later entry is done either
            pending = self.waiting.pop(index)
            system._acknowledge(pending, self.name, (self.name, *have), tuple(followers))

    def _on_append_ack(self, msg: "Message") -> None:
        reply = msg.payload
        if self.role != "leader" or reply.epoch != self.epoch:
            return
        self.heard[msg.src] = self.system.sim.now
        self.match[msg.src] = max(self.match[msg.src], reply.position)
        self.next[msg.src] = max(self.next[msg.src], reply.position + 1)
        self._check_commits()

    def _on_append_nack(self, msg: "Message") -> None:
        reply = msg.payload
        if self.role != "leader" or reply.epoch != self.epoch:
            return
        self.heard[msg.src] = self.system.sim.now
        self.next[msg.src] = reply.position + 1
        self._ship(msg.src, force=True)

    def _on_append_reject(self, msg: "Message") -> None:
        if msg.payload.epoch > self.epoch:
            self._adopt(msg.payload.epoch, f"{msg.src} is in epoch {msg.payload.epoch}")

    def _on_hello(self, msg: "Message") -> None:
        if self.role == "leader":
            self.heard[msg.src] = self.system.sim.now
            self._ship(msg.src, force=True)

    # -- the follower's side --------------------------------------------------------
    def _on_append(self, msg: "Message") -> None:
        a = msg.payload
        if a.epoch < self.epoch:
            self._send(msg.src, "append_reject", EpochReply(self.epoch))
            return
        if a.epoch > self.epoch or self.role != "follower":
            self._adopt(a.epoch, f"{msg.src} leads epoch {a.epoch}")
        self.leader = msg.src
        self.leader_contact = self.system.sim.now
        self._reset_timer()
        log = self.log
        if a.prev_index > len(log):
            self._send(msg.src, "append_nack", EpochReply(self.epoch, len(log)))
            return
        if a.prev_index >= 1 and log[a.prev_index - 1].epoch != a.prev_epoch:
            # Our entry there came from another leader: back up past all of
            # its epoch in one step.
            bad = log[a.prev_index - 1].epoch
            hint = a.prev_index - 1
            while hint >= 1 and log[hint - 1].epoch == bad:
                hint -= 1
            self._send(msg.src, "append_nack", EpochReply(self.epoch, hint))
            return
        for entry in a.entries:
            if entry.index <= len(log):
                if log[entry.index - 1].epoch == entry.epoch:
                    continue  # already have it (a retransmission)
                self._discard_from(entry.index, msg.src)
            log.append(entry)
            self.store[entry.key] = entry
        last = a.prev_index + len(a.entries)
        if len(log) > last and log[last].epoch < a.epoch:
            # An older leader's entries that this leader never had: they can
            # never become part of its log.
            self._discard_from(last + 1, msg.src)
        self._send(msg.src, "append_ack", EpochReply(self.epoch, len(log)))

    def _on_heartbeat(self, msg: "Message") -> None:
        self._on_append(msg)

    def _discard_from(self, index: int, leader: str) -> None:
        gone = self.log[index - 1:]
        del self.log[index - 1:]
        self.store = {}
        for entry in self.log:
            self.store[entry.key] = entry
        self.system._discard(self.name, gone, leader)


class SingleLeader(Topology):
    """A single-leader replicated key-value store (see the module docstring).

    Parameters
    ----------
    nodes : int
        How many nodes (2 to 26), named A, B, C, ...; A starts as the leader.
        Failover needs a majority, so with 2 nodes losing either one stops
        writes for good: real deployments use 3 or more.
    replication : {"sync", "semi_sync", "async"}
        When the leader acknowledges a write.
    seed : int
        Seeds every random choice: the same seed and calls repeat exactly.
    latency : LatencyModel or number, optional
        One-way delay of every link (``Exponential(mean_ms=1.0)``).
    loss : float
        Probability that a message is lost (0).
    timeout_ms : float
        How long a client waits before recording its write as ``info`` (100).
    heartbeat_interval_ms : float
        How often the leader sends heartbeats (100).
    failover_timeout_ms : float
        Silence after which a follower suspects the leader, and after which
        a leader stops waiting for (sync) or stops leading without (all
        modes) a silent follower (1000). Longer than the heartbeat interval.
    ship_interval_ms : float
        How long an async leader collects writes before shipping them (50);
        0 ships each write at once.
    promotion : {"most_up_to_date", "first_detector", "random"}
        Which voter a successful candidate promotes.

    Examples
    --------
    Asynchronous followers serve stale reads until the next batch arrives:

    >>> sl = SingleLeader(replication="async", seed=0)
    >>> sl.put("k", "v1").latency_ms       # acknowledged by the leader alone
    0.0
    >>> sl.get("k", coordinator="B").values
    []
    >>> _ = sl.run_until_idle()
    >>> sl.get("k", coordinator="B").values
    ['v1']
    """

    label = "single-leader"

    def __init__(self, nodes: int = 3, replication: str = "sync", seed: int = 0, *,
                 latency=None, loss: float = 0.0, timeout_ms: float = 100.0,
                 heartbeat_interval_ms: float = 100.0, failover_timeout_ms: float = 1000.0,
                 ship_interval_ms: float = 50.0, promotion: str = "most_up_to_date"):
        names = node_names(nodes, "nodes (a leader and its followers)", 2)
        self.replication = one_of("replication", replication, REPLICATION_MODES)
        self.promotion = one_of("promotion", promotion, PROMOTION_RULES)
        self.heartbeat_interval_ms = milliseconds("heartbeat_interval_ms", heartbeat_interval_ms)
        self.failover_timeout_ms = milliseconds("failover_timeout_ms", failover_timeout_ms)
        if self.failover_timeout_ms <= self.heartbeat_interval_ms:
            raise ValueError(
                f"failover_timeout_ms ({failover_timeout_ms!r}) must be longer than "
                f"heartbeat_interval_ms ({heartbeat_interval_ms!r}), or followers would "
                "suspect a healthy leader between two heartbeats")
        self.ship_interval_ms = milliseconds("ship_interval_ms", ship_interval_ms, allow_zero=True)
        super().__init__(names, seed, latency, loss, timeout_ms)
        self.label = f"single-leader {self.replication}"
        self.majority = len(names) // 2 + 1
        #: Every log entry a node threw away because the leader's log replaced it.
        self.discarded: list[tuple[float, str, LogEntry]] = []
        self._leader: str | None = names[0]
        for name in names:
            replica = _Replica(name, self)
            self._nodes[name] = replica
            self.network.attach(name, replica.receive)
        first = self._nodes[names[0]]
        for name in names[1:]:
            self._nodes[name].leader = names[0]
            self._nodes[name]._reset_timer()
        first.become_leader(tuple(names))
        self.events.clear()  # the first leader was appointed, not elected

    # -- what there is ----------------------------------------------------------
    @property
    def leader(self) -> str | None:
        """The node the leader record names: where clients send writes.

        It keeps naming a crashed leader until a follower is promoted.
        """
        return self._leader

    @property
    def roles(self) -> dict[str, str]:
        """node -> ``"leader"``, ``"follower"``, ``"candidate"`` or ``"down"``."""
        return {name: (node.role if self.network.is_up(name) else "down")
                for name, node in self._nodes.items()}

    @property
    def epoch(self) -> int:
        """The newest epoch any node has reached."""
        return max(node.epoch for node in self._nodes.values())

    def log(self, node: str) -> list[LogEntry]:
        """A copy of ``node``'s replication log."""
        self.network.require(node)
        return list(self._nodes[node].log)

    @property
    def lag(self) -> dict[str, int]:
        """node -> how many entries its log is behind the leader's (0 for the leader)."""
        leader = self._nodes.get(self._leader) if self._leader else None
        end = len(leader.log) if leader is not None else max(len(n.log) for n in self._nodes.values())
        return {name: end - len(node.log) for name, node in self._nodes.items()}

    def __repr__(self) -> str:
        roles = ", ".join(f"{n}: {r}" for n, r in self.roles.items())
        return (f"<SingleLeader {self.replication}, {len(self._nodes)} nodes, leader "
                f"{self._leader}, epoch {self.epoch}, t={self.now:g} ms; {roles}>")

    # -- routing --------------------------------------------------------------------
    def _write_target(self, coordinator):
        target = coordinator if coordinator is not None else self._leader
        if target is None:
            return None, "there is no leader"
        if not self.network.is_up(target):
            if coordinator is None:
                return target, (f"the leader {target} is down and no follower has been "
                                "promoted yet")
            return target, f"{target} is down"
        node = self._nodes[target]
        if not node.keep_lease():
            return target, (f"{target} is a {node.role}, not the leader; only the leader "
                            "accepts writes")
        return target, None

    def _read_target(self, coordinator):
        # Reads go to the leader unless the caller names a follower; a named
        # follower answers from its own copy, however far behind it is.
        if coordinator is not None:
            if not self.network.is_up(coordinator):
                return coordinator, f"{coordinator} is down"
            return coordinator, None
        return self._write_target(None)

    # -- what the replicas report ---------------------------------------------------
    def _discard(self, node: str, entries: list[LogEntry], leader: str) -> None:
        for entry in entries:
            self.discarded.append((self.sim.now, node, entry))
        keys = ", ".join(repr(e.key) for e in entries[:5]) + (", ..." if len(entries) > 5 else "")
        self._log("discard", node, f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'} "
              f"that {leader}'s log does not have: {keys}")
