"""Reads going back in time: the test both monotonic-read checkers apply.

A later read *goes back* from an earlier one when the earlier read returned
a value v and the later read returns neither v nor any value whose put was
invoked no earlier than v's. Judged from the history alone, with values
unique per write, as the course's workloads make them.

The anomaly finder (:func:`~dynamo_lab.checks.find_anomaly`) asks it of any
two reads of a key; :mod:`dynamo_lab.checks.session_guarantees` asks it only of
reads by the same client.

Examples
--------
>>> from dynamo_lab.history import History
>>> h = History()
>>> for value, t in (("old", 0.0), ("new", 1.0)):
...     p = h.invoke(process="w", f="put", key="k", value=value, time=t)
...     _ = h.complete(p, type="ok", value=value, time=t + 0.5)
>>> reads = []
>>> for returned, t in ((["new"], 2.0), (["old"], 4.0)):
...     g = h.invoke(process="r", f="get", key="k", value=None, time=t)
...     reads.append(h.complete(g, type="ok", value=returned, time=t + 1.0))
>>> invoked = put_invocations(h.pairs())
>>> goes_back(reads[0], reads[1], invoked), goes_back(reads[1], reads[0], invoked)
(True, False)
"""

from __future__ import annotations

__all__ = ["put_invocations", "at_least_as_new", "goes_back", "began_after"]


def put_invocations(pairs) -> dict:
    """(key, repr(value)) -> when the first put of that value was invoked."""
    invoked: dict = {}
    for inv, _ in pairs:
        if inv.f == "put":
            invoked.setdefault((inv.key, repr(inv.value)), inv.time)
    return invoked


def at_least_as_new(values, key, since: float, invoked: dict) -> bool:
    """True when one of ``values`` was put no earlier than ``since``."""
    return any(invoked.get((key, repr(v)), -1.0) >= since for v in values)


def goes_back(earlier, later, invoked: dict) -> bool:
    """True when the get completion ``later`` went back from ``earlier``'s newest value.

    ``earlier`` must have returned something; an empty read sets no
    expectation.
    """
    key = earlier.key
    newest = max(earlier.value, key=lambda v: invoked.get((key, repr(v)), -1.0))
    since = invoked.get((key, repr(newest)), -1.0)
    returned = list(later.value or [])
    return newest not in returned and not at_least_as_new(returned, later.key, since, invoked)


def began_after(later_inv, earlier_done) -> bool:
    """True when the invocation ``later_inv`` came after the completion
    ``earlier_done`` (at equal times, the history's order decides)."""
    return (later_inv.time, later_inv.index) > (earlier_done.time, earlier_done.index)
