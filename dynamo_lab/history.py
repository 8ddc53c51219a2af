"""The client's view of a run: operations in Jepsen's invoke/complete form.

Every client operation is recorded twice: once when it is invoked and once
when it completes. A completion has one of three types, with the meanings
Jepsen gives them:

``ok``
    the operation took effect and this is its result;
``fail``
    the operation certainly did not take effect (for example, too few
    replicas were reachable, so nothing was sent);
``info``
    indeterminate: the client stopped waiting (a time-out) and the operation
    may or may not have taken effect, now or later.

An invocation and its completion share an ``op_id``. The ``value`` of a
``get`` completion is the list of sibling values it returned (``[]`` when the
key holds nothing); the value of a ``put`` is the value written; a
``delete`` has value ``None``.

Examples
--------
>>> h = History()
>>> op = h.invoke(process="alice", f="put", key="k", value=1, time=0.0)
>>> _ = h.complete(op, type="ok", value=1, time=2.5, node="A")
>>> [(o.type, o.f, o.value, o.time) for o in h]
[('invoke', 'put', 1, 0.0), ('ok', 'put', 1, 2.5)]
>>> h.pairs()[0][1].type
'ok'
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

__all__ = ["Operation", "History", "OPERATION_TYPES", "COMPLETION_TYPES"]

#: Every ``type`` an operation record may have.
OPERATION_TYPES = ("invoke", "ok", "fail", "info")
#: The types that end an operation.
COMPLETION_TYPES = ("ok", "fail", "info")


class Operation(NamedTuple):
    """One line of a history: an invocation or a completion.

    An immutable named tuple, because a long run records two per client
    operation and a tuple is the cheapest record to build.

    Attributes
    ----------
    index : int
        Position in the history (0, 1, 2, ...).
    op_id : int
        Shared by an invocation and its completion.
    process : str
        The client that issued the operation.
    type : str
        ``"invoke"``, ``"ok"``, ``"fail"`` or ``"info"``.
    f : str
        The operation: ``"put"``, ``"get"`` or ``"delete"`` for the cluster;
        parsed third-party histories also use ``"read"``, ``"write"``,
        ``"cas"`` and ``"append"``.
    key : str or None
        The key operated on (``None`` for single-register histories).
    value : object
        See the module docstring.
    time : float
        Virtual time in milliseconds.
    node : str or None
        The coordinator that handled the operation, where known.
    error : str or None
        Why a ``fail`` or ``info`` completion ended that way.
    """

    # The field hides tuple.index, which a history record has no use for.
    index: int  # type: ignore[assignment]
    op_id: int
    process: str
    type: str
    f: str
    key: str | None
    value: Any
    time: float
    node: str | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The record as a plain dictionary (the JSON-lines form).

        The value is a copy, so changing the dictionary cannot change the
        history.
        """
        return {name: copy.deepcopy(field) for name, field in zip(self._fields, self)}


#: ``_new_operation((index, op_id, ...))``: an Operation built in C, without
#: the Python-level ``__new__`` of a named tuple's constructor.
_new_operation = partial(tuple.__new__, Operation)


class History:
    """An append-only list of :class:`Operation` records.

    Build one with :meth:`invoke` and :meth:`complete` (the cluster does this
    for every client operation), or read one with :meth:`from_jsonl` or
    ``dynamo_lab.checks.read_history``.
    """

    def __init__(self, operations: Iterable[Operation] = ()):
        self._ops: list[Operation] = []
        self._open: dict[int, Operation] = {}
        self._next_op_id = 0
        for op in operations:
            self._append_existing(op)

    # -- building ---------------------------------------------------------
    def invoke(self, *, process: str, f: str, key: str | None, value: Any,
               time: float, node: str | None = None) -> Operation:
        """Record the start of an operation and return its invocation."""
        op = _new_operation((len(self._ops), self._next_op_id, process, "invoke", f, key,
                             value, float(time), node, None))
        self._next_op_id += 1
        self._ops.append(op)
        self._open[op.op_id] = op
        return op

    def complete(self, invocation: Operation, *, type: str, value: Any,
                 time: float, node: str | None = None,
                 error: str | None = None) -> Operation:
        """Record the completion of ``invocation``; each completes once."""
        if type not in COMPLETION_TYPES:
            raise ValueError(f"completion type {type!r} is not one of {COMPLETION_TYPES}")
        if self._open.pop(invocation.op_id, None) is None:
            raise ValueError(f"operation {invocation.op_id} is not open: it was "
                             "never invoked here or has already completed")
        op = _new_operation((len(self._ops), invocation.op_id, invocation.process, type,
                             invocation.f, invocation.key, value, float(time),
                             node if node is not None else invocation.node, error))
        self._ops.append(op)
        return op

    def _append_existing(self, op: Operation) -> None:
        if op.type not in OPERATION_TYPES:
            raise ValueError(f"operation type {op.type!r} is not one of {OPERATION_TYPES}")
        op = op._replace(index=len(self._ops))
        self._ops.append(op)
        if op.type == "invoke":
            self._open[op.op_id] = op
        else:
            self._open.pop(op.op_id, None)
        self._next_op_id = max(self._next_op_id, op.op_id + 1)

    # -- reading ----------------------------------------------------------
    def __len__(self) -> int:
        return len(self._ops)

    def __iter__(self) -> Iterator[Operation]:
        return iter(self._ops)

    def __getitem__(self, i):
        return self._ops[i]

    def __repr__(self) -> str:
        done = sum(op.type != "invoke" for op in self._ops)
        return f"<History: {len(self._ops) - done} operations invoked, {done} completed>"

    @property
    def pending(self) -> list[Operation]:
        """Invocations that have not completed (yet)."""
        return list(self._open.values())

    def pairs(self) -> list[tuple[Operation, Operation | None]]:
        """Each invocation with its completion (``None`` if it has none)."""
        completion = {op.op_id: op for op in self._ops if op.type != "invoke"}
        return [(op, completion.get(op.op_id)) for op in self._ops if op.type == "invoke"]

    def keys(self) -> list:
        """The keys operated on, in first-seen order."""
        return list(dict.fromkeys(op.key for op in self._ops))

    # -- export -------------------------------------------------------------
    def to_frame(self):
        """A pandas DataFrame with one row per record."""
        import pandas as pd

        columns = list(Operation._fields)
        return pd.DataFrame([op.to_dict() for op in self._ops], columns=columns)

    def to_jsonl(self, path: str | Path | None = None) -> str:
        """Serialise as JSON lines; write to ``path`` if given; return the text.

        Values that JSON cannot hold are written with ``repr``.
        """
        text = "".join(json.dumps(op.to_dict(), default=repr, sort_keys=True) + "\n"
                       for op in self._ops)
        if path is not None:
            Path(path).write_text(text)
        return text

    @classmethod
    def from_jsonl(cls, source: str | Path) -> "History":
        """Read what :meth:`to_jsonl` wrote (a path, or the text itself)."""
        text = source
        # A one-line string naming an existing file is a path; anything else
        # (including "" for an empty history) is the text itself.
        if isinstance(source, Path) or (isinstance(source, str) and "\n" not in source
                                        and source and Path(source).is_file()):
            text = Path(source).read_text()
        ops = []
        for line_no, line in enumerate(str(text).splitlines(), 1):
            if not line.strip():
                continue
            try:
                ops.append(Operation(**json.loads(line)))
            except (json.JSONDecodeError, TypeError) as exc:
                raise ValueError(f"line {line_no} is not a history record: {exc}") from None
        return cls(ops)
