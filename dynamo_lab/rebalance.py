"""Joining and leaving: moving key ranges to their new owners over messages.

When a node joins (or leaves), some ranges of the ring change hands. The
cluster keeps routing with the old ring while the new owners receive the
ranges they gain, copied over simulated messages from a current replica
(the leaving node itself, if it is up). A copy that is not acknowledged
within :data:`RETRY_AFTER_TIMEOUTS` time-outs is sent again, read afresh from
a current replica that is up: a lost message, or a source or target that
crashed, delays the copy but cannot wedge it. Once every copy is
acknowledged, the cluster switches to the new ring, and every node that lost
a range pushes what it then holds for it, so writes made during the copy
reach the new owners too. A leaving node is removed only after that switch.

Examples
--------
>>> import dynamo_lab as dl
>>> cluster = dl.Cluster(nodes=4, n=3, r=2, w=2, seed=1)
>>> for i in range(50):
...     _ = cluster.put(f"key{i}", i)
>>> report = cluster.add_node("E")
>>> report.done, report.keys_moved > 0, "E" in cluster.ring.nodes
(True, True, True)
>>> cluster.get("key7").value
7
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .anti_entropy import record_bytes
from .ranges import key_position

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable

    from .host import Host

__all__ = ["RebalanceReport", "Rebalance", "RETRY_AFTER_TIMEOUTS"]


@dataclass
class RebalanceReport:
    """What a join or a leave moved.

    Attributes
    ----------
    kind : "join" or "leave"
    node : str
    ranges_moved : int
        Ranges whose set of home replicas changed.
    fraction_moved : float
        Share of the ring those ranges cover.
    keys_moved, bytes_moved : int
        Records copied to new owners (both passes), and their rough size.
    started_ms, completed_ms : float
        When the copy started and when the cluster switched to the new ring
        (``None`` until it has).
    """

    kind: str
    node: str
    ranges_moved: int
    fraction_moved: float
    keys_moved: int = 0
    bytes_moved: int = 0
    started_ms: float = 0.0
    completed_ms: float | None = None
    change: object = None   # the ring's RingChange, for pictures of what moved

    @property
    def done(self) -> bool:
        return self.completed_ms is not None

    def __str__(self) -> str:
        state = (f"switched at {self.completed_ms:.2f} ms" if self.done else "copy in progress")
        return (f"{self.kind} of {self.node}: {self.ranges_moved} ranges "
                f"({self.fraction_moved:.1%} of the ring), {self.keys_moved} records "
                f"({self.bytes_moved} bytes) moved; {state}")


#: A copy still unacknowledged after this many of the cluster's time-outs is
#: sent again.
RETRY_AFTER_TIMEOUTS = 4


class _Transfer:
    """Payload of ``transfer`` and ``transfer_ack``: records, and which copy
    they are (None for the pushes after the switch, which nobody waits for)."""

    __slots__ = ("job", "records", "copy")

    def __init__(self, job, records, copy):
        self.job, self.records, self.copy = job, records, copy


class Rebalance:
    """One join or leave in progress (see the module docstring).

    It moves the data; the membership decisions stay with whoever started it,
    which passes them in: ``adopt_ring()`` once every copy has arrived (the
    cluster switches to ``new_ring``), and ``retire(node)`` once a leaving
    node has handed everything off.
    """

    def __init__(self, host: "Host", kind: str, node: str, change, new_ring, *,
                 adopt_ring: "Callable[[], None]", retire: "Callable[[str], None]"):
        self.host = host
        self.kind, self.node = kind, node
        self.change, self.new_ring = change, new_ring
        self._adopt_ring, self._retire = adopt_ring, retire
        self.report = RebalanceReport(kind, node, len(change.moved), change.fraction_moved,
                                      started_ms=host.sim.now, change=change)
        # Copies not yet acknowledged: copy number -> (moved range, target).
        self._awaiting: dict[int, tuple] = {}

    # -- copying ----------------------------------------------------------------
    def _records_in(self, holder: str, moved) -> dict:
        store = self.host.node(holder).store
        return {key: record for key, record in store.items()
                if moved.contains(key_position(key))}

    def _send(self, source: str, target: str, records: dict, copy: int | None) -> None:
        self.report.keys_moved += len(records)
        self.report.bytes_moved += sum(record_bytes(r) for r in records.values())
        self.host.network.send(source, target, "transfer", None, None,
                               _Transfer(self, records, copy))

    def _source(self, moved) -> str | None:
        up = self.host.network.is_up
        if self.kind == "leave" and up(self.node):
            return self.node
        return next((n for n in moved.old_replicas if up(n) and n in self.host.nodes), None)

    def start(self) -> None:
        for moved in self.change.moved:
            for target in moved.gained:
                self._awaiting[len(self._awaiting)] = (moved, target)
        if not self._awaiting:
            self._switch()
            return
        self._send_awaited()

    def _send_awaited(self) -> None:
        """Send every copy still awaited, from a current replica that is up, and
        look again after the retry interval."""
        for copy, (moved, target) in self._awaiting.items():
            source = self._source(moved)
            if source is None:
                continue   # every replica of the range is down: wait for one
            self._send(source, target, self._records_in(source, moved), copy)
        self.host.sim.schedule_daemon(RETRY_AFTER_TIMEOUTS * self.host.timeout_ms,
                                      self._retry)

    def _retry(self) -> None:
        if self._awaiting and not self.report.done:
            self._send_awaited()

    @property
    def copies_awaited(self) -> int:
        """Copies sent (or waiting for a source) and not yet acknowledged."""
        return len(self._awaiting)

    def receive(self, node, msg) -> None:
        if msg.kind == "transfer":
            for key, record in msg.payload.records.items():
                node.apply(key, record)
            self.host.network.send(node.name, msg.src, "transfer_ack", None, None,
                                   msg.payload)
        elif msg.kind == "transfer_ack" and msg.payload.copy is not None:
            # A copy sent twice is acknowledged twice: only the first counts.
            if self._awaiting.pop(msg.payload.copy, None) is not None \
                    and not self._awaiting and not self.report.done:
                self._switch()

    # -- switching ----------------------------------------------------------------
    def _switch(self) -> None:
        host = self.host
        self._adopt_ring()
        self.report.completed_ms = host.sim.now
        # Writes routed by the old ring during the copy: whoever lost a range
        # passes on what it now holds for it.
        for moved in self.change.moved:
            for holder in moved.lost:
                if holder in host.nodes and host.network.is_up(holder):
                    records = self._records_in(holder, moved)
                    for target in moved.gained:
                        if records:
                            self._send(holder, target, records, None)
        if self.kind == "leave":
            self._retire(self.node)
