"""What every simulated store shares, leaderless or leader-based.

:class:`SimulatedSystem` holds one simulation, its network, the history of
client operations, the log of injected faults and the clients, and answers
the calls that do not depend on how replication works: which nodes exist and
are up, virtual time, partitions, and starting operations on behalf of a
client. :class:`~dynamo_lab.cluster.Cluster` and the leader-based
:mod:`~dynamo_lab.topologies` build on it, so pictures and checkers that read
``history``, ``trace`` and ``faults`` work on any of them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .client import Client, PendingOperation
from .history import History, check_storable
from .latency import LatencyModel
from .results import ReadResult, WriteResult
from .sim.compilation import mypyc_attr
from .sim.kernel import Simulation
from .sim.network import Network
from .sim.trace import Trace
from .validation import milliseconds
from .versions import frozen_value


__all__ = ["SimulatedSystem", "FaultEvent", "FAULT_KINDS", "DEFAULT_CLIENT"]

#: Every ``kind`` a :class:`FaultEvent` may have.
FAULT_KINDS = ("crash", "recover", "partition", "heal", "skew_clock", "set_link", "join",
               "leave")

#: The name of the client that ``put`` and ``get`` act as.
DEFAULT_CLIENT = "client"


@dataclass(frozen=True, slots=True)
class FaultEvent:
    """A fault injected into a system, as recorded in its ``faults``.

    ``nodes`` lists the nodes concerned (for a partition, every group, in
    order; ``groups`` keeps them apart); ``detail`` says more (e.g. "lose_data").
    """

    time: float
    kind: str
    nodes: tuple[str, ...]
    groups: tuple[tuple[str, ...], ...] = ()
    detail: str | None = None


# The leader-based topologies are interpreted subclasses, even when this is compiled.
@mypyc_attr(allow_interpreted_subclasses=True)
class SimulatedSystem:
    """Base class: simulation, network, history, faults and clients.

    Subclasses implement ``start_write(client, key, value, context, w,
    coordinator, tombstone)`` and ``start_read(client, key, r, coordinator)``,
    which :class:`~dynamo_lab.client.Client` calls.
    """

    def __init__(self, names: Sequence[str], seed: int, latency: LatencyModel, loss: float):
        self.sim = Simulation(seed)
        self.network = Network(self.sim, list(names), latency=latency, loss=loss)
        self.history = History()
        self.faults: list[FaultEvent] = []
        self._clients: dict[str, Client] = {}

    # -- what there is --------------------------------------------------------
    @property
    def nodes(self) -> list[str]:
        """The node names."""
        return list(self.network.nodes)

    @property
    def now(self) -> float:
        """Virtual time in ms."""
        return self.sim.now

    @property
    def trace(self) -> Trace:
        """Every message event (see :mod:`dynamo_lab.sim.trace`)."""
        return self.network.trace

    @property
    def down(self) -> list[str]:
        """The nodes that are crashed."""
        return [n for n in self.network.nodes if not self.network.is_up(n)]

    def is_up(self, node: str) -> bool:
        return self.network.is_up(self.network.require(node))

    @property
    def partitions(self) -> list[list[str]]:
        """The groups of the current partition ([all nodes] when healed)."""
        return self.network.groups

    # -- clients ----------------------------------------------------------------
    def client(self, name: str) -> Client:
        """The client (process) called ``name``, created on first use."""
        if not isinstance(name, str) or not name:
            raise ValueError(f"a client name must be a non-empty string, got {name!r}")
        if name not in self._clients:
            self._clients[name] = Client(self, name)
        return self._clients[name]

    @staticmethod
    def _check_key(key) -> str:
        if not isinstance(key, str) or not key:
            raise ValueError(f"keys are non-empty strings, got {key!r}")
        return key

    def _begin(self, client: Client, f: str, key: str, value: Any,
               node: str | None, context: Any = None) -> PendingOperation:
        """Record the invocation and mark the client busy.

        The history keeps a copy of ``value``: a caller who changes their own
        list afterwards must not change what the history says was written.
        """
        check_storable(value)   # before anything is recorded: a bad value changes nothing
        invocation = self.history.invoke(process=client.name, f=f, key=key,
                                         value=frozen_value(value), time=self.sim.now, node=node,
                                         context=context)
        pending = PendingOperation(self, client, invocation)
        client.in_flight = pending
        return pending

    def start_write(self, client: Client, key: str, value: Any, context: Any, w: Any,
                     coordinator: str | None, tombstone: bool) -> PendingOperation:
        """Start a put (or, with ``tombstone``, a delete) for ``client``."""
        raise NotImplementedError

    def start_read(self, client: Client, key: str, r: Any,
                    coordinator: str | None) -> PendingOperation:
        """Start a get for ``client``."""
        raise NotImplementedError

    def _fail_at_once(self, pending: PendingOperation, key: str, node: str | None,
                      error: str) -> PendingOperation:
        """Complete an operation as a definite ``fail``: nothing was sent."""
        result: ReadResult | WriteResult
        if pending.invocation.f == "get":
            result = ReadResult(ok=False, status="fail", key=key, coordinator=node, siblings=(),
                                context=None, latency_ms=0.0, error=error, op_id=pending.op_id)
        else:
            result = WriteResult(ok=False, status="fail", key=key, coordinator=node, acks=(),
                                 latency_ms=0.0, error=error, op_id=pending.op_id)
        pending._finish(result, "fail", pending.invocation.value, error)
        return pending

    # -- time -----------------------------------------------------------------
    def run_for(self, ms: float) -> int:
        """Advance virtual time by ``ms``, running whatever falls due."""
        # Checked here so that run_for("10") or run_for(True) is refused in words.
        return self.sim.run_for(milliseconds("ms", ms, allow_zero=True))

    def run_until_idle(self) -> int:
        """Run until no message is in flight and no operation is waiting.

        Periodic background work (heartbeats, hint delivery, background
        anti-entropy) runs while something else is going on but does not
        keep this waiting; use :meth:`run_for` to let it act on its own.
        """
        return self.sim.run_until_idle()

    # -- faults -----------------------------------------------------------------
    def _take_down(self, node: str) -> None:
        """Check that ``node`` can crash, and cut it off the network."""
        self.network.require(node)
        if not self.network.is_up(node):
            raise ValueError(f"node {node} is already down; recover it first")
        self.network.crash(node)

    def _bring_up(self, node: str) -> None:
        """Check that ``node`` can recover, and put it back on the network."""
        self.network.require(node)
        if self.network.is_up(node):
            raise ValueError(f"node {node} is not down; only a crashed node can recover")
        self.network.recover(node)

    def partition(self, *groups: Sequence[str]) -> None:
        """Split the nodes into groups that cannot exchange messages.

        Nodes in no group form one more group, so ``partition(["A"])``
        isolates A. Clients can still reach every node that is up.
        """
        self.network.partition(*groups)
        current = tuple(tuple(g) for g in self.network.groups)
        self._log_fault("partition", tuple(n for g in current for n in g), groups=current)

    def heal(self) -> None:
        """End any partition."""
        self.network.heal()
        self._log_fault("heal", tuple(self.network.nodes))

    def skew_clock(self, node: str, ms: float) -> None:
        """Set how far ``node``'s wall clock runs ahead (or behind, if negative).

        Only versions stamped with wall-clock time notice: last-write-wins
        and a multi-leader topology's timestamps.
        """
        self.network.require(node)
        if isinstance(ms, bool) or not isinstance(ms, (int, float)) or not math.isfinite(ms):
            raise ValueError(f"clock skew must be a finite number of ms, got {ms!r}")
        self._set_clock_skew(node, float(ms))
        self._log_fault("skew_clock", (node,), detail=f"{float(ms):+g} ms")

    def _set_clock_skew(self, node: str, ms: float) -> None:
        """Move ``node``'s wall clock ``ms`` from virtual time (systems with clocks)."""
        raise ValueError(f"{type(self).__name__} nodes keep no wall clock to skew")

    def _log_fault(self, kind: str, nodes: tuple[str, ...], groups=(), detail=None) -> None:
        self.faults.append(FaultEvent(self.sim.now, kind, nodes, groups, detail))
