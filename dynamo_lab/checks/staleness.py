"""Stale reads: reads that missed a write acknowledged before they began.

A read *misses* an acknowledged write W when W completed before the read was
invoked, and the read returned neither W's value nor the value of any write
invoked after W completed (such a write may legitimately have replaced W).
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
    pairs = history.pairs()
    writes = [(inv, done) for inv, done in pairs
              if inv.f in _WRITES and done is not None and done.type == "ok"]
    invoked_at = {inv.op_id: inv.time for inv, _ in pairs if inv.f in _WRITES}
    writer_of: dict[tuple, int] = {}
    for inv, _ in pairs:
        if inv.f in _WRITES:
            writer_of[(inv.key, None if inv.f == "delete" else _ident(inv.value))] = inv.op_id
    found = []
    for inv, done in pairs:
        if inv.f not in _READS or done is None or done.type != "ok":
            continue
        returned = _returned(done.value) if done.value != [] else [None]
        # When each returned value's write was invoked (None: never written).
        returned_invoked = [invoked_at.get(writer_of.get((inv.key, _ident(v)))) for v in returned]
        missed = []
        for w_inv, w_done in writes:
            if w_inv.key != inv.key or w_done.time > inv.time:
                continue
            value = None if w_inv.f == "delete" else w_inv.value
            if any(_same(value, v) for v in returned):
                continue
            superseded = any(t is not None and t >= w_done.time for t in returned_invoked)
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
