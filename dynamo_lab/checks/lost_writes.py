"""Lost writes: invariant 11's must/may accounting over a history.

An acknowledged put *must* survive, unless a later put (acknowledged, or
indeterminate and so perhaps applied) was made from a context that had read
its value: then it *may* have been replaced.
A put's context is taken to be what the same process last read or wrote
of the same key, as in a read-modify-write, which is how the course's
workloads write.
After the run settles, the final read must hold every "must" value, and
nothing but values that some acknowledged or indeterminate put wrote.

Examples
--------
>>> from dynamo_lab.history import History
>>> h = History()
>>> def put(process, value, status="ok"):
...     op = h.invoke(process=process, f="put", key="k", value=value, time=len(h))
...     _ = h.complete(op, type=status, value=value, time=len(h))
>>> put("a", 1); put("b", 2)          # b wrote 2 without having seen 1
>>> report = lost_writes(h, {"k": [2]})
>>> report.lost, report.ok
({'k': [1]}, False)
>>> lost_writes(h, {"k": [1, 2]}).ok   # siblings: both survived
True
>>> put("a", 3)                       # a replaces its own 1
>>> lost_writes(h, {"k": [2, 3]}).ok
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["LostWriteReport", "lost_writes"]


@dataclass
class LostWriteReport:
    """What :func:`lost_writes` found, per key.

    Attributes
    ----------
    must, may : dict
        key -> values that must survive / may have been replaced.
    lost : dict
        key -> "must" values missing from the final read.
    unexpected : dict
        key -> final values that no acknowledged or indeterminate put wrote.
    """

    must: dict = field(default_factory=dict)
    may: dict = field(default_factory=dict)
    lost: dict = field(default_factory=dict)
    unexpected: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.lost and not self.unexpected


def _values(read) -> list:
    values = getattr(read, "values", read)
    return list(values or [])


def lost_writes(history, final_reads) -> LostWriteReport:
    """Check the final reads against the history (see the module docstring).

    ``final_reads`` maps each key to its final read: a list of values or a
    ReadResult.
    """
    must: dict = {}
    covered: dict = {}
    possible: dict = {}
    last_read: dict = {}
    events = []
    for inv, done in history.pairs():
        if done is None:
            if inv.f == "put":
                possible.setdefault(inv.key, []).append(inv.value)
            continue
        events.append((done.time, done.index, inv, done))
    for _, _, inv, done in sorted(events, key=lambda e: (e[0], e[1])):
        key = inv.key
        if inv.f == "get" and done.type == "ok":
            last_read[(inv.process, key)] = (done.time, _values(done.value))
        elif inv.f == "put" and done.type in ("ok", "info"):
            possible.setdefault(key, []).append(inv.value)
            # An indeterminate write may have taken effect, so what its context
            # had seen may have been replaced too; only an acknowledged one must stay.
            read_time, read = last_read.get((inv.process, key), (None, []))
            seen = read if read_time is not None and read_time <= inv.time else []
            covered.setdefault(key, []).extend(v for v in seen if v not in covered[key])
            must[key] = [v for v in must.get(key, []) if v not in seen]
            if done.type == "ok" and inv.value not in covered[key]:
                must[key].append(inv.value)
            # The writer knows what it wrote: its next write replaces it.
            last_read[(inv.process, key)] = (done.time, [inv.value])
    report = LostWriteReport(must={k: v for k, v in must.items() if v},
                             may={k: v for k, v in covered.items() if v})
    for key in set(must) | set(possible) | set(final_reads):
        final = _values(final_reads.get(key, []))
        missing = [v for v in must.get(key, []) if v not in final]
        extra = [v for v in final if v not in possible.get(key, [])]
        if missing:
            report.lost[key] = missing
        if extra:
            report.unexpected[key] = extra
    return report
