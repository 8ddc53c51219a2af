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

What a history records, and how it writes it
--------------------------------------------
A value written to a cluster is copied into the history, the trace and the
replicas, compared by the checkers and exported. So it must be plain data:
``None``, a bool, an int, a finite float, a string; a list, tuple, set or
frozenset of values; a dict of values; or a CRDT from :mod:`dynamo_lab.crdt`.
:func:`check_storable` refuses anything else when the value is written, with
a message that says what is allowed, rather than let an export fail later.

:func:`to_json` turns a value into JSON that is the same on every run: sets
are written sorted (Python's ``hash()`` of a string changes from one process
to the next, and so would the order of a set written as it iterates), and
dict keys too. Tuples, sets, CRDTs, dicts whose keys are not strings, and
causal contexts are written as small tagged objects, so that
:func:`from_json` gives back a value equal to the original.

>>> import json
>>> json.dumps(to_json({"b", "a", "c"}))
'{"@set": ["a", "b", "c"]}'
>>> value = {"cart": frozenset({"pen", "book"}), "n": (1, 2)}
>>> from_json(to_json(value)) == value
True
>>> check_storable(object())
Traceback (most recent call last):
...
ValueError: value must be plain data (None, bool, int, finite float, str, and lists, tuples, sets or dicts of them, or a dynamo_lab.crdt value); got an object
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

__all__ = ["Operation", "History", "OPERATION_TYPES", "COMPLETION_TYPES", "check_storable",
           "check_history", "read_text_file", "to_json", "from_json", "MAX_DEPTH"]

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
    context : Context or None
        On the invocation of a put or delete: the causal context it was
        written with (see :class:`~dynamo_lab.versions.Context`): which
        writes it replaces.
    event : tuple or None
        On the completion of a put or delete that sent its write (``ok`` or
        ``info``): the write's ``(node, counter)`` event, which contexts
        name. :func:`dynamo_lab.checks.lost_writes` reads these two fields.
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
    context: Any = None
    event: tuple | None = None

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
               time: float, node: str | None = None, context: Any = None) -> Operation:
        """Record the start of an operation and return its invocation."""
        op = _new_operation((len(self._ops), self._next_op_id, process, "invoke", f, key,
                             value, float(time), node, None, context, None))
        self._next_op_id += 1
        self._ops.append(op)
        self._open[op.op_id] = op
        return op

    def complete(self, invocation: Operation, *, type: str, value: Any,
                 time: float, node: str | None = None,
                 error: str | None = None, event: tuple | None = None) -> Operation:
        """Record the completion of ``invocation``; each completes once."""
        if type not in COMPLETION_TYPES:
            raise ValueError(f"completion type {type!r} is not one of {COMPLETION_TYPES}")
        if self._open.pop(invocation.op_id, None) is None:
            raise ValueError(f"operation {invocation.op_id} is not open: it was "
                             "never invoked here or has already completed")
        op = _new_operation((len(self._ops), invocation.op_id, invocation.process, type,
                             invocation.f, invocation.key, value, float(time),
                             node if node is not None else invocation.node, error, None,
                             event))
        self._ops.append(op)
        return op

    def _append_existing(self, op: Operation) -> None:
        if not isinstance(op, Operation):
            raise ValueError(f"a History holds Operation records (such as those of "
                             f"cluster.history), got {op!r}")
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
    def to_frame(self, *, causal: bool = False):
        """A pandas DataFrame with one row per record.

        The causal columns, ``context`` and ``event``, are left out unless
        ``causal`` is true: they are for the checkers more than for reading.
        """
        import pandas as pd

        columns = list(Operation._fields)
        if not causal:
            columns = [c for c in columns if c not in ("context", "event")]
        rows = [{name: copy.deepcopy(getattr(op, name)) for name in columns} for op in self._ops]
        return pd.DataFrame(rows, columns=columns)

    def to_jsonl(self, path: str | Path | None = None) -> str:
        """Serialise as JSON lines; write to ``path`` if given; return the text.

        Every field is written in the one form :func:`to_json` gives it, so
        the text is the same on every run of the same seed, and
        :meth:`from_jsonl` reads back an equal history.
        """
        text = "".join(json.dumps({name: to_json(field) for name, field
                                   in zip(Operation._fields, op)}, sort_keys=True) + "\n"
                       for op in self._ops)
        if path is not None:
            Path(path).write_text(text)
        return text

    @classmethod
    def from_jsonl(cls, source: str | Path) -> "History":
        """Read what :meth:`to_jsonl` wrote (a path, or the text itself).

        >>> History.from_jsonl("no_such_history.jsonl")
        Traceback (most recent call last):
        ...
        ValueError: source='no_such_history.jsonl' is neither a file nor JSON lines: no file has that name, and a history record starts with '{'
        """
        if isinstance(source, Path):
            text = read_text_file(source, "a history of JSON lines")
        elif isinstance(source, str):
            text = source
            line = source.strip()
            # A one-line string that is not a record names a file; anything else
            # (including "" for an empty history) is the text itself.
            if line and "\n" not in source and not line.startswith("{"):
                if not Path(line).is_file():
                    raise ValueError(f"source={source!r} is neither a file nor JSON lines: no "
                                     "file has that name, and a history record starts with '{'")
                text = read_text_file(Path(line), "a history of JSON lines")
        else:
            raise ValueError(f"source must be a path or the text of a JSON lines history (a str), "
                             f"got {source!r}")
        ops = []
        for line_no, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                fields = {name: from_json(field) for name, field in json.loads(line).items()}
                if isinstance(fields.get("event"), list):
                    fields["event"] = tuple(fields["event"])
                ops.append(Operation(**fields))
            except (json.JSONDecodeError, TypeError, AttributeError, KeyError) as exc:
                raise ValueError(f"line {line_no} is not a history record: {exc}") from None
            except RecursionError:
                raise ValueError(f"line {line_no} is not a history record: its value nests "
                                 "too deeply") from None
        return cls(ops)


def read_text_file(path: Path, what: str) -> str:
    """The text of the file at ``path``; a ValueError naming it if it is not text.

    ``what`` says what the file should hold, for the message.
    """
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not a text file (byte {exc.start} is not UTF-8 text); "
                         f"expected {what}") from None


def check_history(history: Any, name: str = "history", *, records: bool = False) -> Any:
    """``history`` as a :class:`History`, or a ValueError that says what to pass.

    Anything with a ``pairs()`` method, as a History has, is taken as it is.
    With ``records``, a list (any iterable) of :class:`Operation` records is
    taken too, and made into a History. (The result is typed ``Any`` because
    such a stand-in is no History: the compiled build checks return types.)

    >>> check_history([1, 2], records=True)
    Traceback (most recent call last):
    ...
    ValueError: history must be a History (cluster.history) or a list of Operation records, got [1, 2]
    """
    if isinstance(history, History) or callable(getattr(history, "pairs", None)):
        return history   # a History, or a stand-in that pairs operations the same way
    allowed = "a History (cluster.history)" + (" or a list of Operation records" if records
                                               else "")
    if isinstance(getattr(history, "history", None), History):
        raise ValueError(f"{name} must be {allowed}, got {type(history).__name__} "
                         f"{history!r}: pass its .history")
    if records and not isinstance(history, (str, bytes, dict)) and isinstance(history, Iterable):
        operations = list(history)
        if all(isinstance(op, Operation) for op in operations):
            return History(operations)
    shown = repr(history)
    raise ValueError(f"{name} must be {allowed}, got "
                     f"{shown if len(shown) <= 80 else shown[:77] + '...'}")


# -- the values a history records ------------------------------------------------------

#: How deeply values may nest (a list in a list in a list ...).
MAX_DEPTH = 100

_ALLOWED = ("plain data (None, bool, int, finite float, str, and lists, tuples, sets or dicts "
            "of them, or a dynamo_lab.crdt value)")


def _is_crdt(value: Any) -> bool:
    from .crdt import CRDT

    return isinstance(value, CRDT)


def check_storable(value: Any, what: str = "value") -> Any:
    """``value`` unchanged if a cluster can store and export it; else a ValueError.

    >>> check_storable([1, "two", {"three": (3.0,)}])
    [1, 'two', {'three': (3.0,)}]
    >>> check_storable(float("nan"))
    Traceback (most recent call last):
    ...
    ValueError: value must be a finite number, not nan
    """
    _check(value, what, 0)
    return value


def _check(value: Any, what: str, depth: int) -> None:
    if value is None or isinstance(value, (bool, int, str)):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{what} must be a finite number, not {value!r}")
        return
    if depth >= MAX_DEPTH:
        raise ValueError(f"{what} nests more than {MAX_DEPTH} levels deep")
    if isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            _check(item, what, depth + 1)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _check(key, what, depth + 1)
            _check(item, what, depth + 1)
        return
    if _is_crdt(value):
        return
    article = "an" if type(value).__name__[:1].lower() in "aeiou" else "a"
    raise ValueError(f"{what} must be {_ALLOWED}; got {article} {type(value).__name__}")


def _sort_key(encoded: Any) -> str:
    return json.dumps(encoded, sort_keys=True)


def to_json(value: Any) -> Any:
    """``value`` as JSON-ready data, the same whatever the process (see the module docstring)."""
    from .versions import Context

    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [to_json(item) for item in value]
    if isinstance(value, tuple):
        return {"@tuple": [to_json(item) for item in value]}
    if isinstance(value, (set, frozenset)):
        return {"@set": sorted((to_json(item) for item in value), key=_sort_key)}
    if isinstance(value, dict):
        if all(isinstance(key, str) and not key.startswith("@") for key in value):
            return {key: to_json(item) for key, item in sorted(value.items())}
        pairs = [[to_json(key), to_json(item)] for key, item in value.items()]
        return {"@dict": sorted(pairs, key=_sort_key)}
    if isinstance(value, Context):
        return {"@context": {"key": value.key,
                             "clock": [list(entry) for entry in value.clock.entries()],
                             "seen": sorted([list(event) for event in value.seen],
                                            key=_sort_key)}}
    if _is_crdt(value):
        return {"@crdt": type(value).__name__, "state": to_json(value._state())}
    return {"@repr": repr(value)}


def from_json(data: Any) -> Any:
    """The value :func:`to_json` encoded."""
    if isinstance(data, list):
        return [from_json(item) for item in data]
    if not isinstance(data, dict):
        return data
    if "@tuple" in data:
        return tuple(from_json(item) for item in data["@tuple"])
    if "@set" in data:
        return frozenset(from_json(item) for item in data["@set"])
    if "@dict" in data:
        return {from_json(key): from_json(item) for key, item in data["@dict"]}
    if "@context" in data:
        from .versions import Context, VectorClock

        body = data["@context"]
        clock = VectorClock({node: (counter, stamp) for node, counter, stamp in body["clock"]})
        return Context(body["key"], clock, frozenset(tuple(event) for event in body["seen"]))
    if "@crdt" in data:
        from . import crdt

        cls = getattr(crdt, data["@crdt"])
        return cls._from_state(from_json(data["state"]))
    if "@repr" in data:
        return data["@repr"]
    return {key: from_json(item) for key, item in data.items()}
