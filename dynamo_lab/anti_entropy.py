"""Anti-entropy: replicas compare Merkle trees over messages and repair (Dynamo §4.7).

For one key range and two of its replicas, the *initiator* asks the
*responder* for the root hash of its tree for the range, compares it with its
own, and asks only for the children of nodes that differ, level by level.
At the leaves, the two exchange the (key, version summary) lists of the
differing leaves, then send each other the records the other lacks or holds
in an older or different form; each side merges what it receives. Every step
is a simulated message, so the exchange shows in the trace and takes time.

``cluster.anti_entropy()`` runs one such exchange for every pair of home
replicas of every range of the ring and returns an :class:`AntiEntropyReport`.

Examples
--------
>>> import dynamo_lab as dl
>>> cluster = dl.Cluster(nodes=4, n=3, r=1, w=1, seed=2)
>>> home = cluster.ring.home_replicas("cold")
>>> cluster.crash(home[2])
>>> _ = cluster.put("cold", "v1", coordinator=home[0])
>>> _ = cluster.run_for(10)          # the copy sent to the crashed node is dropped
>>> cluster.recover(home[2])
>>> cluster.run_until_idle() >= 0
True
>>> cluster.replicas("cold").values_at(home[2])   # missed the write, never read since
[]
>>> report = cluster.anti_entropy()
>>> report.keys_repaired, cluster.replicas("cold").values_at(home[2])
(1, ['v1'])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .merkle import MerkleTree, check_tree_shape
from .ranges import KeyRange
from .versions import Record

if TYPE_CHECKING:  # pragma: no cover
    from .host import Host
    from .node import Node
    from .sim.network import Message

__all__ = ["AntiEntropyReport", "SettleReport", "Exchange", "version_summary", "run_round"]


def version_summary(record: Record) -> str:
    """A string that changes whenever the stored record does."""
    siblings = ";".join(f"{s.event[0]}.{s.event[1]}{'#' if s.tombstone else ''}"
                        for s in record.siblings)
    return f"{record.clock}|{siblings}"


def record_bytes(record: Record) -> int:
    """A rough wire size of a record: its values' repr and its clock."""
    return len(str(record.clock)) + sum(len(repr(s.value)) + 16 for s in record.siblings)


@dataclass
class AntiEntropyReport:
    """What one round of anti-entropy did.

    Attributes
    ----------
    pairs_compared : int
        (range, replica pair) exchanges that ran to the end.
    pairs_skipped : int
        Exchanges not started or not finished because a node was down or cut off.
    hashes_exchanged : int
        Tree hashes sent from responder to initiator.
    keys_compared_by_full_scan : int
        What comparing every key of every pair would have cost instead.
    keys_transferred, bytes_transferred : int
        Records sent in either direction, and their rough size.
    keys_repaired : int
        (node, key) pairs whose stored record changed.
    messages : int
        Messages sent by the exchanges.
    """

    pairs_compared: int = 0
    pairs_skipped: int = 0
    hashes_exchanged: int = 0
    keys_compared_by_full_scan: int = 0
    keys_transferred: int = 0
    bytes_transferred: int = 0
    keys_repaired: int = 0
    messages: int = 0
    repaired: list[tuple[str, str]] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"{self.pairs_compared} replica pairs compared ({self.pairs_skipped} skipped), "
                f"{self.hashes_exchanged} hashes exchanged instead of "
                f"{self.keys_compared_by_full_scan} keys in a full scan, "
                f"{self.keys_transferred} records sent ({self.bytes_transferred} bytes), "
                f"{self.keys_repaired} repaired")


@dataclass
class SettleReport:
    """What ``cluster.settle()`` did, and whether the cluster came to rest.

    Attributes
    ----------
    rounds : int
        Rounds run: each offers every hint, then runs one anti-entropy round.
    hints_delivered : int
        Hints their owners acknowledged during the settle.
    keys_repaired : int
        (node, key) pairs anti-entropy repaired.
    converged : bool
        At rest: the last anti-entropy round compared every replica pair and
        repaired nothing, so every key's home replicas agree, and no hint waits.
    blocked : list of str
        When not at rest, what stands in the way (a node down, a partition,
        hints not acknowledged), in words.
    """

    rounds: int = 0
    hints_delivered: int = 0
    keys_repaired: int = 0
    converged: bool = False
    blocked: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        state = (f"at rest after {self.rounds} round{'s' if self.rounds != 1 else ''}"
                 if self.converged else
                 f"not at rest after {self.rounds} rounds: {'; '.join(self.blocked)}")
        def count(n: int, noun: str) -> str:
            return f"{n} {noun}{'' if n == 1 else 's'}"
        return (f"{state}; {count(self.hints_delivered, 'hint')} delivered, "
                f"{count(self.keys_repaired, 'key')} repaired")

    def __repr__(self) -> str:
        return f"<SettleReport: {self}>"


class _Payload:
    __slots__ = ("exchange", "step", "data")

    def __init__(self, exchange: "Exchange", step: str, data):
        self.exchange = exchange
        self.step = step
        self.data = data


class Exchange:
    """One Merkle exchange between two replicas of one range."""

    def __init__(self, host: "Host", key_range: KeyRange, initiator: "Node",
                 responder: "Node", keys: dict[str, set[str]], report: AntiEntropyReport,
                 fanout: int, depth: int):
        self.host = host
        self.range = key_range
        self.initiator, self.responder = initiator, responder
        self._keys = keys  # node name -> its keys in this range
        self.report = report
        self.fanout, self.depth = fanout, depth
        self.finished = False
        self._responder_tree: MerkleTree | None = None
        self._initiator_tree: MerkleTree | None = None
        self._pending_pushes = 0

    # -- trees ------------------------------------------------------------------
    def _tree(self, node: "Node") -> MerkleTree:
        """The node's tree for the range, from what it stores at this moment."""
        store = node.store
        entries = {key: version_summary(store[key]) for key in self._keys[node.name]
                   if key in store}
        return MerkleTree.build(entries, self.fanout, self.depth, self.range.start,
                                self.range.end)

    # -- messages -------------------------------------------------------------------
    def _send(self, src: "Node", dst: "Node", step: str, data) -> None:
        self.report.messages += 1
        self.host.network.send(src.name, dst.name, "ae_" + step, None, None,
                                  _Payload(self, step, data))

    def start(self) -> None:
        self._initiator_tree = self._tree(self.initiator)
        self._send(self.initiator, self.responder, "hashes_req", (0, [0]))

    def receive(self, node: "Node", msg: "Message") -> None:
        payload: _Payload = msg.payload
        step, data = payload.step, payload.data
        if step == "hashes_req":           # responder: send the asked-for hashes
            if self._responder_tree is None:
                self._responder_tree = self._tree(self.responder)
            level, indices = data
            hashes = [self._responder_tree.node_hash(level, i) for i in indices]
            self.report.hashes_exchanged += len(hashes)
            self._send(self.responder, self.initiator, "hashes", (level, indices, hashes))
        elif step == "hashes":             # initiator: compare, descend or ask for leaves
            level, indices, hashes = data
            mine = self._initiator_tree
            differing = [i for i, h in zip(indices, hashes) if mine.node_hash(level, i) != h]
            if not differing:
                self._finish()
            elif level == self.depth:
                self._send(self.initiator, self.responder, "leaves_req", differing)
            else:
                f = self.fanout
                children = [c for i in differing for c in range(i * f, i * f + f)]
                self._send(self.initiator, self.responder, "hashes_req", (level + 1, children))
        elif step == "leaves_req":         # responder: the summaries in those leaves
            tree = self._responder_tree
            self._send(self.responder, self.initiator, "leaves",
                       (data, {i: dict(tree.leaves[i]) for i in data}))
        elif step == "leaves":             # initiator: find the keys, push mine, pull theirs
            indices, theirs = data
            mine = self._initiator_tree
            keys = sorted(k for i in indices for k in mine.leaves[i].keys() | theirs[i].keys()
                          if mine.leaves[i].get(k) != theirs[i].get(k))
            push = {k: self.initiator.store[k] for k in keys if k in self.initiator.store}
            theirs_keys = set().union(*(theirs[i] for i in indices))
            pull = [k for k in keys if k in theirs_keys]
            if push:
                self._push(self.initiator, self.responder, push)
            if pull:
                self._send(self.initiator, self.responder, "pull", pull)
                self._pending_pushes += 1
            if not push and not pull:
                self._finish()
        elif step == "pull":               # responder: send what was asked for
            self._push(self.responder, self.initiator,
                       {k: self.responder.store[k] for k in data if k in self.responder.store},
                       answering_pull=True)
        elif step == "push":               # either side: merge what arrived
            records, answering_pull = data
            for key, record in records.items():
                before = node.store.get(key)
                after = node.apply(key, record)
                if after != before:
                    self.report.keys_repaired += 1
                    self.report.repaired.append((node.name, key))
            if node is self.responder:
                self._send(self.responder, self.initiator, "push_ack", None)
            else:
                self._pending_pushes -= 1
                if self._pending_pushes == 0:
                    self._finish()
        elif step == "push_ack":
            self._pending_pushes -= 1
            if self._pending_pushes == 0:
                self._finish()

    def _push(self, src: "Node", dst: "Node", records: dict[str, Record],
              answering_pull: bool = False) -> None:
        self.report.keys_transferred += len(records)
        self.report.bytes_transferred += sum(record_bytes(r) for r in records.values())
        if not answering_pull:
            self._pending_pushes += 1
        self._send(src, dst, "push", (records, answering_pull))

    def _finish(self) -> None:
        if not self.finished:
            self.finished = True
            self.report.pairs_compared += 1


def run_round(host: "Host", fanout: int = 4, depth: int = 3) -> tuple[AntiEntropyReport,
                                                                       list[Exchange]]:
    """Start one exchange per (range, pair of home replicas) that can talk now."""
    check_tree_shape(fanout, depth)   # before any exchange starts: a refusal changes nothing
    report = AntiEntropyReport()
    exchanges = []
    ring = host.rings.current
    ranges = ring.ranges()
    index_of = {(r.start, r.end): i for i, r in enumerate(ranges)}
    nodes = {name: host.node(name) for name in host.nodes}
    # Hash each stored key to its range once per round, not once per range.
    by_range: dict[int, dict[str, set[str]]] = {}
    for name, node in nodes.items():
        for key in node.store:
            found = ring.key_range(key)
            by_range.setdefault(index_of[(found.start, found.end)], {}) \
                .setdefault(name, set()).add(key)
    for index, key_range in enumerate(ranges):
        keys = by_range.get(index, {})
        replicas = list(key_range.replicas)
        for i, a in enumerate(replicas):
            for b in replicas[i + 1:]:
                if not host.network.reachable(a, b):
                    report.pairs_skipped += 1
                    continue
                pair_keys = {a: keys.get(a, set()), b: keys.get(b, set())}
                report.keys_compared_by_full_scan += len(pair_keys[a] | pair_keys[b])
                exchange = Exchange(host, key_range, nodes[a], nodes[b], pair_keys, report,
                                    fanout, depth)
                exchanges.append(exchange)
                exchange.start()
    return report, exchanges
