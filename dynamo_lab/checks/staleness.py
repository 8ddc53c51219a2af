"""Stale reads: reads that missed a write acknowledged before they began.

A read *misses* an acknowledged write W when W completed before the read was
invoked, and the read returned neither W's value nor the value of a write
that may legitimately have replaced W: one invoked after W completed, or one
whose process had already seen W (it had read W's value, or written W
itself) when it invoked it, as a read-modify-write does.
Judged from the history alone, per key; values are assumed unique per write,
as the course's workloads make them.

Examples
--------
>>> from dynamo_lab.history import History
>>> h = History()
>>> w1 = h.invoke(process="a", f="put", key="k", value=1, time=0)
>>> _ = h.complete(w1, type="ok", value=1, time=1)
>>> w2 = h.invoke(process="a", f="put", key="k", value=2, time=2)
>>> _ = h.complete(w2, type="ok", value=2, time=3)
>>> r = h.invoke(process="b", f="get", key="k", value=None, time=10)
>>> _ = h.complete(r, type="ok", value=[1], time=11)
>>> [(s.versions_behind, s.ms_behind, s.returned) for s in stale_reads(h)]
[(1, 7.0, [1])]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dynamo_lab.history import check_history

__all__ = ["StaleRead", "stale_reads"]

_WRITES = ("put", "write", "delete")
_READS = ("get", "read")


@dataclass(frozen=True)
class StaleRead:
    """One read that missed acknowledged writes.

    Attributes
    ----------
    op_id : int
        The read's id in the history.
    process, key : str
    returned : list
        The values it returned.
    missed : list
        The values of the acknowledged writes it missed, oldest first.
    versions_behind : int
        How many acknowledged writes it missed.
    ms_behind : float
        From the completion of the earliest missed write to the read's start.
    """

    op_id: int
    process: str
    key: Any
    returned: list
    missed: list
    versions_behind: int
    ms_behind: float


def _returned(value) -> list:
    if value is None:
        return [None]
    return list(value) if isinstance(value, list) else [value]


def stale_reads(history) -> list[StaleRead]:
    """Every read that missed an acknowledged write (see the module docstring)."""
    pairs = check_history(history).pairs()
    writes = [(inv, done) for inv, done in pairs
              if inv.f in _WRITES and done is not None and done.type == "ok"]
    invoked_at = {inv.op_id: inv.time for inv, _ in pairs if inv.f in _WRITES}
    writer_of: dict[tuple, int] = {}
    process_of: dict[int, str] = {}
    for inv, _ in pairs:
        if inv.f in _WRITES:
            writer_of[(inv.key, _ident(None if inv.f == "delete" else inv.value))] = inv.op_id
            process_of[inv.op_id] = inv.process
    # What each process had seen of each key, and when: its reads and its own writes.
    seen_by: dict[tuple, list] = {}
    for inv, done in pairs:
        if done is None or done.type != "ok":
            continue
        if inv.f in _READS:
            for v in _returned(done.value):
                seen_by.setdefault((inv.process, inv.key, _ident(v)), []).append(done.time)
        elif inv.f in _WRITES:
            v = None if inv.f == "delete" else inv.value
            seen_by.setdefault((inv.process, inv.key, _ident(v)), []).append(inv.time)

    def knew(process, key, value, before) -> bool:
        return any(t <= before for t in seen_by.get((process, key, _ident(value)), ()))

    found = []
    for inv, done in pairs:
        if inv.f not in _READS or done is None or done.type != "ok":
            continue
        returned = _returned(done.value) if done.value != [] else [None]
        # Each returned value's write: (process, invoked at), if anyone wrote it.
        returned_writes = []
        for v in returned:
            op_id = writer_of.get((inv.key, _ident(v)))
            if op_id is not None:
                returned_writes.append((process_of[op_id], invoked_at[op_id]))
        missed = []
        for w_inv, w_done in writes:
            # Only writes acknowledged before the read began count: by time,
            # and at equal times by their order in the history.
            if w_inv.key != inv.key or (w_done.time, w_done.index) > (inv.time, inv.index):
                continue
            value = None if w_inv.f == "delete" else w_inv.value
            if any(_same(value, v) for v in returned):
                continue
            superseded = any(t >= w_done.time or knew(p, inv.key, value, t)
                             for p, t in returned_writes)
            if not superseded:
                missed.append((w_done.time, value))
        if missed:
            missed.sort(key=lambda m: m[0])
            found.append(StaleRead(inv.op_id, inv.process, inv.key, list(done.value or []),
                                   [v for _, v in missed], len(missed),
                                   float(inv.time - missed[0][0])))
    return found


def _ident(value) -> str:
    # Values may be lists or sets; their repr identifies them well enough,
    # since every write in a checked workload writes a distinct value.
    return repr(value)


def _same(a, b) -> bool:
    return _ident(a) == _ident(b)
