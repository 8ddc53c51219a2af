"""What a put or a get hands back to the client.

Both results carry ``status``, Jepsen's outcome of the operation:
``"ok"``, ``"fail"`` (certainly did not happen: nothing was sent) or
``"info"`` (the client stopped waiting; a write may still land later).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from .crdt import is_crdt, merge_all
from .versions import Context, Record, Sibling, frozen_value

__all__ = ["WriteResult", "ReadResult", "SiblingsError", "OperationFailed"]


class SiblingsError(ValueError):
    """``ReadResult.value`` was asked for, but the read returned siblings."""


class OperationFailed(ValueError):
    """``ReadResult.value`` was asked for, but the read did not succeed."""


#: The default ``hinted`` and ``replies``: empty, and read-only because every
#: result without its own shares it.
_NONE: Mapping = MappingProxyType({})


def _describe_failure(kind: str, key: str, status: str, error: str | None) -> str:
    how = "timed out" if status == "info" else "failed"
    return f"the {kind} of {key!r} {how}: {error}"


class WriteResult(NamedTuple):
    """The outcome of a put or a delete.

    Immutable. A named tuple rather than a frozen dataclass because every
    client operation makes one, and a named tuple is built in a quarter of
    the time.

    Attributes
    ----------
    ok : bool
        True when W replicas acknowledged in time.
    status : str
        ``"ok"``, ``"fail"`` or ``"info"`` (see the module docstring).
    key : str
    coordinator : str or None
        The node that coordinated the write.
    acks : tuple of str
        The replicas that had acknowledged when the result was decided.
    latency_ms : float
        From the client's request to the result (virtual ms).
    hinted : mapping
        Replicas written in place of an unreachable home replica: fallback
        node -> the home replica it holds a hint for.
    targets : tuple of str
        Every node the write was sent to (acknowledged or not).
    context : Context or None
        The clock of the record the coordinator stored: the new write and any
        siblings it was stored beside (like Riak's ``return_body``). A
        follow-up write with it replaces them all, so to keep siblings you
        have not seen, read first and write with the read's context.
    error : str or None
        Why the write failed or timed out.
    op_id : int
        The operation's id in ``cluster.history`` and ``cluster.trace``.
    kept_hints : tuple of str
        Under ``hinted_handoff="coordinator"``: the home replicas the
        coordinator could not reach and keeps a hint for. A write at level
        ``"ANY"`` may succeed on these alone, with no acknowledgement.
    event : tuple or None
        The write's ``(node, counter)``: the identity of its sibling, which
        contexts name (None for a write that sent nothing).
    """

    ok: bool
    status: str
    key: str
    coordinator: str | None
    acks: tuple[str, ...]
    latency_ms: float
    hinted: Mapping[str, str] = _NONE
    targets: tuple[str, ...] = ()
    context: Context | None = None
    error: str | None = None
    op_id: int = -1
    kept_hints: tuple[str, ...] = ()
    event: tuple[str, int] | None = None

    def __repr__(self) -> str:
        if self.ok:
            hint = f", hinted {self.hinted}" if self.hinted else ""
            if self.kept_hints:
                hint += f", hints kept for {', '.join(self.kept_hints)}"
            acked = (f"acked by {', '.join(self.acks)}" if self.acks
                     else "acknowledged by no replica (level ANY)")
            return (f"<WriteResult ok: {self.key!r} {acked} via "
                    f"{self.coordinator} in {self.latency_ms:.2f} ms{hint}>")
        return f"<WriteResult {self.status}: {_describe_failure('write', self.key, self.status, self.error)}>"


class ReadResult(NamedTuple):
    """The outcome of a get (immutable; a named tuple, like :class:`WriteResult`).

    Attributes
    ----------
    ok : bool
        True when R replicas answered in time.
    status : str
        ``"ok"``, ``"fail"`` or ``"info"``.
    key : str
    coordinator : str or None
    siblings : tuple of Sibling
        The reconciled siblings, tombstones included.
    context : Context or None
        Pass it to the next put of this key to say what that put replaces.
    latency_ms : float
    replies : mapping
        node -> the record it answered with (``None``: it held nothing), for
        the replies that arrived before the result was decided.
    error : str or None
    op_id : int
    """

    ok: bool
    status: str
    key: str
    coordinator: str | None
    siblings: tuple[Sibling, ...]
    context: Context | None
    latency_ms: float
    replies: Mapping[str, Record | None] = _NONE
    error: str | None = None
    op_id: int = -1

    @property
    def values(self) -> list[Any]:
        """The sibling values (deletes left out); ``[]`` if the key holds nothing.

        Siblings that are all CRDTs of one type (:mod:`dynamo_lab.crdt`) come
        back already merged, as one value: that is what a CRDT is for. The
        raw siblings stay in :attr:`siblings`. Each call returns fresh copies,
        so changing them cannot change what the replicas store.
        """
        values = [frozen_value(s.value) for s in self.siblings if not s.tombstone]
        if len(values) > 1 and all(is_crdt(v) for v in values) \
                and len({type(v) for v in values}) == 1:
            return [merge_all(values)]
        return values

    @property
    def value(self) -> Any:
        """The single value, or ``None`` if the key holds nothing.

        Raises
        ------
        SiblingsError
            If there are several siblings: read ``values`` and resolve them.
        OperationFailed
            If the read did not succeed.
        """
        if not self.ok:
            raise OperationFailed(_describe_failure("read", self.key, self.status, self.error))
        values = self.values
        if len(values) > 1:
            listed = ", ".join(repr(v) for v in values)
            raise SiblingsError(
                f"{self.key!r} has {len(values)} siblings: {listed}. Read r.values, merge "
                "them, and write the result back with context=r.context")
        return values[0] if values else None

    @property
    def deleted(self) -> bool:
        """True when a delete is among the siblings."""
        return any(s.tombstone for s in self.siblings)

    def __repr__(self) -> str:
        if self.ok:
            return (f"<ReadResult ok: {self.key!r} -> {self.values!r} from "
                    f"{', '.join(self.replies)} via {self.coordinator} in {self.latency_ms:.2f} ms>")
        return f"<ReadResult {self.status}: {_describe_failure('read', self.key, self.status, self.error)}>"
