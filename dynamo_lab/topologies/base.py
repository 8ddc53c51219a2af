"""What the leader-based topologies share: the facade a learner holds.

A topology owns one :class:`~dynamo_lab.sim.kernel.Simulation`, one
:class:`~dynamo_lab.sim.network.Network`, a :class:`~dynamo_lab.history.History`
and the same client objects as the leaderless
:class:`~dynamo_lab.cluster.Cluster`, so ``put``, ``get``, ``client(name)``,
``crash``, ``partition``, ``run_for``, ``history`` and ``trace`` mean the same
thing in all three designs. Subclasses decide where a request goes and what a
node does with it.

As in the leaderless cluster, the client's hop to the node it talks to is not
simulated: a request reaches its node at once, and only node-to-node
messages cross the network (and appear in the trace). A client whose node is
down is told so at once (``fail``: nothing was sent); a client that gives up
waiting records ``info``.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any

from ..client import Client, PendingOperation
from ..latency import Exponential, LatencyModel, as_latency_model
from ..results import ReadResult, WriteResult
from ..system import DEFAULT_CLIENT, SimulatedSystem
from ..validation import milliseconds, whole_number
from ..versions import Record

__all__ = ["Topology", "TopologyEvent", "EVENT_KINDS"]

#: Every ``kind`` a :class:`TopologyEvent` may have.
EVENT_KINDS = ("crash", "recover", "partition", "heal", "skew_clock",   # injected faults
               "suspect", "candidate", "elect", "promote", "step_down",  # failover
               "discard", "conflict")                                    # data lost or merged


@dataclass(frozen=True, slots=True)
class TopologyEvent:
    """Something that happened to the topology, as kept in ``topology.events``.

    Injected faults (``crash``, ``partition``, ...) and what the protocol did
    about them (``suspect``, ``promote``, ``discard``, ``conflict``, ...);
    ``detail`` says more in words.
    """

    time: float
    kind: str
    node: str | None
    detail: str | None = None


def node_names(count, what: str, minimum: int) -> list[str]:
    """``count`` node names A, B, C, ...; a ValueError says what is allowed."""
    whole_number(what, count, low=minimum, high=26)
    return list(string.ascii_uppercase[:count])


class Topology(SimulatedSystem):
    """Base class of :class:`SingleLeader` and :class:`MultiLeader`.

    Not used directly: it holds the simulation, the network, the history and
    the clients, and implements the calls every topology answers the same way.
    """

    #: Short name used in tables (set by subclasses).
    label = "?"

    def __init__(self, names: list[str], seed: int, latency: LatencyModel | float | None,
                 loss: float, timeout_ms: float):
        self.timeout_ms = milliseconds("timeout_ms", timeout_ms)
        latency_model = as_latency_model(latency if latency is not None else Exponential(1.0))
        super().__init__(names, seed, latency_model, loss)
        self.events: list[TopologyEvent] = []
        self._timeouts: dict[int, Any] = {}  # op_id -> the client's time-out timer
        self._nodes: dict[str, Any] = {}

    # -- what there is ----------------------------------------------------------
    def replicas(self, key: str) -> dict[str, Record | None]:
        """node -> what it stores for ``key`` (``None``: nothing), down nodes included."""
        key = self._check_key(key)
        return {name: node.record(key) for name, node in self._nodes.items()}

    # -- clients and operations ---------------------------------------------------
    def put(self, key: str, value: Any, *, coordinator: str | None = None) -> WriteResult:
        """Write ``value`` under ``key`` and wait for the result.

        ``coordinator`` names the node to send the write to (by default the
        node this topology routes writes to).
        """
        return self.client(DEFAULT_CLIENT).put(key, value, coordinator=coordinator)

    def get(self, key: str, *, coordinator: str | None = None) -> ReadResult:
        """Read ``key`` from one node and wait for the result."""
        return self.client(DEFAULT_CLIENT).get(key, coordinator=coordinator)

    def delete(self, key: str, *, coordinator: str | None = None) -> WriteResult:
        """Delete ``key`` (write a tombstone) and wait for the result."""
        return self.client(DEFAULT_CLIENT).delete(key, coordinator=coordinator)

    def _check_request(self, context, quorum_name: str, quorum, coordinator) -> None:
        # The Client passes the Cluster's keyword arguments; say plainly which
        # ones a leader-based topology has no use for instead of ignoring them.
        if context is not None:
            raise ValueError(f"{type(self).__name__} takes no context: a write replaces "
                             "whatever the node that accepts it has seen")
        if quorum is not None:
            why = ("its replication mode decides whom a write waits for" if quorum_name == "w"
                   else "a read is answered by the one node it is sent to")
            raise ValueError(f"{type(self).__name__} has no per-request {quorum_name.upper()} "
                             f"({quorum_name}={quorum!r}): {why}")
        if coordinator is not None:
            self.network.require(coordinator)

    def start_write(self, client: Client, key: str, value: Any, context, w, coordinator,
                     tombstone: bool) -> PendingOperation:
        # Called by Client.start_put / start_delete, exactly as on a Cluster.
        key = self._check_key(key)
        self._check_request(context, "w", w, coordinator)
        target, problem = self._write_target(coordinator)
        f = "delete" if tombstone else "put"
        pending = self._begin(client, f, key, None if tombstone else value, target)
        if problem:
            return self._fail_at_once(pending, key, target, problem)
        self._arm_timeout(pending, target)
        self._nodes[target].write(pending, key, value, tombstone)
        return pending

    def start_read(self, client: Client, key: str, r, coordinator) -> PendingOperation:
        key = self._check_key(key)
        self._check_request(None, "r", r, coordinator)
        target, problem = self._read_target(coordinator)
        pending = self._begin(client, "get", key, None, target)
        if problem:
            return self._fail_at_once(pending, key, target, problem)
        # A read is answered from the node's own copy, at once: no replica
        # is asked, which is exactly why a follower can answer with old data.
        record = self._nodes[target].record(key)
        siblings = () if record is None else record.siblings
        result = ReadResult(ok=True, status="ok", key=key, coordinator=target,
                            siblings=siblings, context=None, latency_ms=0.0,
                            replies={target: record}, op_id=pending.op_id)
        pending._finish(result, "ok", result.values, None)
        return pending

    def _write_target(self, coordinator: str | None) -> tuple[str | None, str | None]:
        raise NotImplementedError  # pragma: no cover - subclasses decide

    def _read_target(self, coordinator: str | None) -> tuple[str | None, str | None]:
        raise NotImplementedError  # pragma: no cover - subclasses decide

    def _arm_timeout(self, pending: PendingOperation, node: str) -> None:
        # The client's own timer: it fires even if the node it waits on crashes.
        self._timeouts[pending.op_id] = self.sim.schedule(self.timeout_ms, self._time_out,
                                                          pending, node)

    def _time_out(self, pending: PendingOperation, node: str) -> None:
        self._timeouts.pop(pending.op_id, None)
        if pending.done:
            return
        error = f"timed out after {self.timeout_ms:g} ms waiting for {node}"
        inv = pending.invocation
        result = WriteResult(ok=False, status="info", key=inv.key, coordinator=node, acks=(),
                             latency_ms=self.sim.now - inv.time, error=error, op_id=inv.op_id)
        pending._finish(result, "info", inv.value, error)

    def _acknowledge(self, pending: PendingOperation, node: str, acks: tuple[str, ...],
                     targets: tuple[str, ...]) -> None:
        """Tell the client its write succeeded (unless it already gave up)."""
        timer = self._timeouts.pop(pending.op_id, None)
        if timer is not None:
            timer.cancel()
        if pending.done:
            return
        inv = pending.invocation
        result = WriteResult(ok=True, status="ok", key=inv.key, coordinator=node, acks=acks,
                             latency_ms=self.sim.now - inv.time, targets=targets,
                             op_id=inv.op_id)
        pending._finish(result, "ok", inv.value, None)

    # -- faults -------------------------------------------------------------------
    def crash(self, node: str) -> None:
        """Stop ``node``: it neither sends nor receives until :meth:`recover`.

        Its log and data survive (they are on disk); what it held only in
        memory, such as which clients were waiting, is lost.
        """
        self._take_down(node)
        self._nodes[node].crash()
        self._log_fault("crash", (node,))

    def recover(self, node: str) -> None:
        """Bring a crashed ``node`` back; it rejoins as a follower or peer."""
        self._bring_up(node)
        self._log_fault("recover", (node,))
        self._nodes[node].restart()

    def heal(self) -> None:
        """End any partition; every node then says hello so that the logs catch up."""
        super().heal()
        for name, node in self._nodes.items():
            if self.network.is_up(name):
                node.say_hello()

    def _log(self, kind: str, node: str | None, detail: str | None = None) -> None:
        self.events.append(TopologyEvent(self.sim.now, kind, node, detail))

    def _log_fault(self, kind: str, nodes: tuple[str, ...], groups=(), detail=None) -> None:
        # Every injected fault is also an event of the topology's own story.
        super()._log_fault(kind, nodes, groups, detail)
        if kind == "partition":
            self._log(kind, None, " | ".join(", ".join(g) for g in groups))
        elif kind == "heal":
            self._log(kind, None)
        else:
            self._log(kind, nodes[0], detail)

    def events_frame(self):
        """``events`` as a pandas DataFrame (time, kind, node, detail)."""
        import pandas as pd

        return pd.DataFrame([(e.time, e.kind, e.node, e.detail) for e in self.events],
                            columns=["time", "kind", "node", "detail"])
