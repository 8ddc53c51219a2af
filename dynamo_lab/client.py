"""Clients: processes that issue operations, one at a time each.

``cluster.put`` and ``cluster.get`` run one operation to completion. To make
operations overlap in time, give each concurrent actor its own client and
start operations without waiting:

>>> import dynamo_lab as dl
>>> cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=3)
>>> alice, bob = cluster.client("alice"), cluster.client("bob")
>>> a = alice.start_put("k", "from alice")
>>> b = bob.start_put("k", "from bob")
>>> a.done, b.done
(False, False)
>>> _ = cluster.run_until_idle()
>>> a.result.ok, b.result.ok
(True, True)
>>> sorted(cluster.get("k").values)
['from alice', 'from bob']

A client, like a Jepsen process, has at most one operation in flight.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, cast

from .history import History, Operation
from .results import ReadResult, WriteResult

if TYPE_CHECKING:  # pragma: no cover
    from .sim.kernel import Simulation

__all__ = ["Client", "PendingOperation", "OperationHost"]


class OperationHost(Protocol):
    """What clients need of the system they talk to (a cluster or a topology).

    ``start_write`` and ``start_read`` check a request, record its invocation
    in ``history`` and start it, returning a :class:`PendingOperation` that
    completes as ``sim`` runs.
    """

    sim: "Simulation"
    history: History

    def start_write(self, client: "Client", key: str, value: Any, context: Any, w: Any,
                    coordinator: str | None, tombstone: bool) -> "PendingOperation":
        ...

    def start_read(self, client: "Client", key: str, r: Any,
                   coordinator: str | None) -> "PendingOperation":
        ...


class PendingOperation:
    """An operation that completes as simulated time advances.

    ``result`` is ``None`` until ``done``; :meth:`wait` runs the simulation
    until then.
    """

    __slots__ = ("_cluster", "client", "invocation", "result", "_callbacks")

    def __init__(self, cluster: OperationHost, client: "Client", invocation: Operation):
        self._cluster = cluster
        self.client = client
        self.invocation = invocation
        self.result: WriteResult | ReadResult | None = None
        self._callbacks: list = []

    def add_done_callback(self, callback) -> None:
        """Call ``callback(result)`` when the operation completes (at once if it has).

        Lets a driver issue a client's next request the moment the previous
        one ends, without polling. The callback runs inside the simulation
        step that completed the operation; to start another operation from
        it, schedule that with ``cluster.sim.schedule(0, ...)``.
        """
        if not callable(callback):
            raise ValueError(f"callback must be callable, got {callback!r}")
        if self.result is not None:
            callback(self.result)
        else:
            self._callbacks.append(callback)

    @property
    def done(self) -> bool:
        return self.result is not None

    @property
    def op_id(self) -> int:
        return self.invocation.op_id

    def wait(self) -> WriteResult | ReadResult:
        """Advance simulated time until this operation completes; return its result."""
        self._cluster.sim.run_until_answered(self)
        if self.result is None:  # pragma: no cover - the time-out always fires
            raise RuntimeError("the operation can no longer complete: nothing is scheduled")
        return self.result

    def _finish(self, result, status: str, value: Any, error: str | None,
                event: tuple | None = None) -> None:
        """Complete the operation with ``result``; ``event`` is a sent write's
        ``(node, counter)``, recorded in the history for the checkers."""
        if self.result is not None:
            return
        self.result = result
        self._cluster.history.complete(self.invocation, type=status, value=value,
                                       time=self._cluster.sim.now, node=result.coordinator,
                                       error=error, event=event)
        self.client.in_flight = None
        for callback in self._callbacks:
            callback(result)
        self._callbacks.clear()

    def __repr__(self) -> str:
        inv = self.invocation
        state = "done" if self.done else "in flight"
        return f"<PendingOperation {inv.op_id}: {inv.process} {inv.f} {inv.key!r}, {state}>"


class Client:
    """A named process that issues operations (see the module docstring)."""

    def __init__(self, cluster: OperationHost, name: str):
        self.cluster = cluster
        self.name = name
        self.in_flight: PendingOperation | None = None

    def __repr__(self) -> str:
        busy = f", busy with {self.in_flight.invocation.f}" if self.in_flight else ""
        return f"<Client {self.name!r}{busy}>"

    def _check_idle(self) -> None:
        if self.in_flight is not None:
            inv = self.in_flight.invocation
            raise ValueError(
                f"client {self.name!r} already has an operation in flight ({inv.f} of "
                f"{inv.key!r}); advance time (cluster.run_until_idle()) or use another client")

    def start_put(self, key: str, value: Any, context=None, *, w: int | str | None = None,
                  coordinator: str | None = None) -> PendingOperation:
        """Start writing ``value``; return at once with a :class:`PendingOperation`."""
        self._check_idle()
        return self.cluster.start_write(self, key, value, context, w, coordinator, tombstone=False)

    def start_delete(self, key: str, context=None, *, w: int | str | None = None,
                     coordinator: str | None = None) -> PendingOperation:
        """Start deleting ``key`` (writing a tombstone)."""
        self._check_idle()
        return self.cluster.start_write(self, key, None, context, w, coordinator, tombstone=True)

    def start_get(self, key: str, *, r: int | str | None = None,
                  coordinator: str | None = None) -> PendingOperation:
        """Start reading ``key``; return at once with a :class:`PendingOperation`."""
        self._check_idle()
        return self.cluster.start_read(self, key, r, coordinator)

    def put(self, key: str, value: Any, context=None, **options) -> WriteResult:
        """Write and wait for the result."""
        return cast(WriteResult, self.start_put(key, value, context, **options).wait())

    def delete(self, key: str, context=None, **options) -> WriteResult:
        """Delete and wait for the result."""
        return cast(WriteResult, self.start_delete(key, context, **options).wait())

    def get(self, key: str, **options) -> ReadResult:
        """Read and wait for the result."""
        return cast(ReadResult, self.start_get(key, **options).wait())
