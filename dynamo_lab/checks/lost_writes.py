"""Lost writes: invariant 11's must/may accounting, read from the history's contexts.

Every put and delete the cluster runs records, on its invocation, the causal
context it was written with, and on its completion the ``(node, counter)``
event of the write it sent (see :class:`~dynamo_lab.history.Operation`). A
write W is *replaced* by a later write X when X's context had seen W: W's
event is among the writes X's read returned (``context.seen``) or X's
context clock covers it. Then:

- an acknowledged put *must* survive, unless some other put or delete that
  may have taken effect (acknowledged, indeterminate, or never answered)
  replaced it: then it *may* be gone;
- after the run settles, the final read must hold every "must" value, and
  nothing but values that some put which may have taken effect wrote.

Only the contexts decide: not the order of a process's puts, nor which
process wrote what. A put whose invocation has no context (a blind put, or a
history read from a file without contexts) replaced nothing. One fact of time
bounds them: X can have seen W only if X was invoked no earlier than W, since
X's context comes from a read that ended before X began, and W's event is
made after W begins. That matters when an event is made twice: a node that
restarts empty under its old identity (Riak's kv679 bug,
``crash(node, lose_data=True, reuse_identity=True)``) gives a new write the
event of an old one, and a context that saw the old write would otherwise
seem to have replaced the new one.

Examples
--------
>>> import dynamo_lab as dl
>>> cluster = dl.Cluster(seed=1)
>>> _ = cluster.client("a").put("k", "a1")
>>> _ = cluster.client("b").put("k", "b1")        # blind: concurrent with a1
>>> read = cluster.get("k")
>>> sorted(read.values)
['a1', 'b1']
>>> _ = cluster.put("k", "both", context=read.context)   # replaces a1 and b1
>>> report = lost_writes(cluster.history, {"k": cluster.get("k").values})
>>> report.ok, report.must, sorted(report.may["k"])
(True, {'k': ['both']}, ['a1', 'b1'])
>>> lost_writes(cluster.history, {"k": []}).lost      # had the final read been empty
{'k': ['both']}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["LostWriteReport", "lost_writes", "replaces"]

#: Client operations that write.
_WRITES = ("put", "delete")


@dataclass
class LostWriteReport:
    """What :func:`lost_writes` found, per key.

    Attributes
    ----------
    must, may : dict
        key -> acknowledged put values that must survive / were replaced by a
        later write that may have taken effect.
    lost : dict
        key -> "must" values missing from the final read.
    unexpected : dict
        key -> final values that no put which may have taken effect wrote.
    """

    must: dict = field(default_factory=dict)
    may: dict = field(default_factory=dict)
    lost: dict = field(default_factory=dict)
    unexpected: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.lost and not self.unexpected


def replaces(context: Any, event: tuple | None) -> bool:
    """True when a write made from ``context`` replaces the write ``event``.

    ``context`` is a :class:`~dynamo_lab.versions.Context` (or ``None``: it
    replaces nothing); ``event`` a ``(node, counter)``.

    >>> from dynamo_lab.versions import Context, VectorClock
    >>> read = Context("k", VectorClock({"A": 2}), frozenset({("B", 1)}))
    >>> replaces(read, ("A", 2)), replaces(read, ("B", 1)), replaces(read, ("A", 3))
    (True, True, False)
    """
    if context is None or event is None:
        return False
    return event in context.seen or context.clock.covers_dot(*event)


def _values(read) -> list:
    values = getattr(read, "values", read)
    if values is None:
        return []
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise ValueError(f"a final read must be a list of values or a ReadResult, got {read!r}")
    return list(values)


def _check_arguments(history, final_reads) -> None:
    if not hasattr(history, "pairs"):
        raise ValueError(f"history must be a History (cluster.history), got {history!r}")
    if not isinstance(final_reads, Mapping):
        raise ValueError(f"final_reads must map each key to its final read (a list of values "
                         f"or a ReadResult), such as {{'k': ['v']}}; got {final_reads!r}")


def lost_writes(history, final_reads) -> LostWriteReport:
    """Check the final reads against the history (see the module docstring).

    Parameters
    ----------
    history : History
        ``cluster.history``, or one read back with ``History.from_jsonl``.
    final_reads : mapping
        Each key's final read, after the cluster settled: a list of values
        or a ReadResult (a read at ALL, say).
    """
    _check_arguments(history, final_reads)
    writes: dict[Any, list] = {}   # key -> [(invocation, completion)] that may have taken effect
    for inv, done in history.pairs():
        if inv.f in _WRITES and (done is None or done.type != "fail"):
            writes.setdefault(inv.key, []).append((inv, done))
    report = LostWriteReport()
    for key, candidates in writes.items():
        must, may = [], []
        for inv, done in candidates:
            if inv.f != "put" or done is None or done.type != "ok":
                continue
            replaced = any(replaces(other.context, done.event)
                           for other, _ in candidates
                           if other is not inv and other.time >= inv.time)
            (may if replaced else must).append(inv.value)
        if must:
            report.must[key] = must
        if may:
            report.may[key] = may
    for key in set(writes) | set(final_reads):
        final = _values(final_reads.get(key, []))
        possible = [inv.value for inv, _ in writes.get(key, []) if inv.f == "put"]
        missing = [v for v in report.must.get(key, []) if v not in final]
        extra = [v for v in final if v not in possible]
        if missing:
            report.lost[key] = missing
        if extra:
            report.unexpected[key] = extra
    return report
