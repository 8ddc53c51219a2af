"""Session guarantees: what one client sees of its own writes and reads.

A quorum system promises nothing about a single client's *session* unless
something ties the client's requests together. Two guarantees (Terry et
al., "Session Guarantees for Weakly Consistent Replicated Data", 1994)
matter most to users:

read-your-writes
    once a client's write has been acknowledged, every later read by that
    client returns it (or something newer);
monotonic reads
    once a client has read a value, no later read by that client returns
    something older ("time never goes backwards on refresh").

:func:`read_your_writes_violations` and :func:`monotonic_read_violations`
check a history for them, client by client. A value counts as *older* than
another when its put was invoked earlier; every put in a checked history
must write a distinct value. :mod:`dynamo_lab.experiments.session_guarantees`
runs the sessions that lesson 08 checks with them.

Examples
--------
Bob reads the newer of two values, then the older one:

>>> from dynamo_lab.history import History
>>> h = History()
>>> for value, at in (("old", 0.0), ("new", 2.0)):
...     put = h.invoke(process="alice", f="put", key="k", value=value, time=at)
...     _ = h.complete(put, type="ok", value=value, time=at + 1)
>>> for seen, at in ((["new"], 4.0), (["old"], 6.0)):
...     get = h.invoke(process="bob", f="get", key="k", value=None, time=at)
...     _ = h.complete(get, type="ok", value=seen, time=at + 1)
>>> [(v.kind, v.process) for v in session_violations(h)]
[('monotonic reads', 'bob')]
"""


from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .monotonic_reads import at_least_as_new, began_after, goes_back, put_invocations

__all__ = ["SessionViolation", "read_your_writes_violations", "monotonic_read_violations",
           "session_violations", "KINDS"]

#: The guarantees checked.
KINDS = ("read-your-writes", "monotonic reads")
#: Pronouns for the course's usual two clients, so that messages read well.
_PRONOUNS = {"alice": "her", "bob": "his"}


@dataclass(frozen=True)
class SessionViolation:
    """One broken session guarantee.

    Attributes
    ----------
    kind : str
        ``"read-your-writes"`` or ``"monotonic reads"``.
    process : str
        The client whose session it broke.
    earlier : Operation
        The completion that set the expectation: the client's acknowledged
        put, or its earlier read.
    later : Operation
        The completion of the read that broke it.
    explanation : str
    """

    kind: str
    process: str
    earlier: Any
    later: Any
    explanation: str

    @property
    def witness(self) -> tuple:
        """The two operations (their completions), for highlighting on a timeline."""
        return (self.earlier, self.later)


def _check_history(history):
    if not hasattr(history, "pairs"):
        raise ValueError(f"expected a History (cluster.history), got {history!r}")
    return history


def _reads_by_process(pairs) -> dict:
    """process -> its successful gets (invocation, completion), in order of invocation."""
    reads: dict = {}
    for inv, done in pairs:
        if inv.f == "get" and done is not None and done.type == "ok":
            reads.setdefault(inv.process, []).append((inv, done))
    return reads


def read_your_writes_violations(history) -> list[SessionViolation]:
    """Reads that missed their own client's acknowledged write.

    A read by client p breaks read-your-writes if p had a put acknowledged
    (``ok``) before the read began, and the read returned neither that value
    nor any value whose put was invoked no earlier than it.

    Parameters
    ----------
    history : History

    Returns
    -------
    list of SessionViolation
        In order of the reads' invocation.

    Examples
    --------
    >>> from dynamo_lab.history import History
    >>> h = History()
    >>> p = h.invoke(process="alice", f="put", key="k", value="new", time=0.0)
    >>> _ = h.complete(p, type="ok", value="new", time=1.0)
    >>> g = h.invoke(process="alice", f="get", key="k", value=None, time=2.0)
    >>> _ = h.complete(g, type="ok", value=["old"], time=3.0)
    >>> [v.kind for v in read_your_writes_violations(h)]
    ['read-your-writes']
    """
    pairs = _check_history(history).pairs()
    invoked = put_invocations(pairs)
    own_writes: dict = {}
    for inv, done in pairs:
        if inv.f == "put" and done is not None and done.type == "ok":
            own_writes.setdefault((inv.process, inv.key), []).append((inv, done))
    found = []
    for process, reads in _reads_by_process(pairs).items():
        for inv, done in reads:
            acked = [(w_inv, w_done) for w_inv, w_done in own_writes.get((process, inv.key), ())
                     if began_after(inv, w_done)]
            if not acked:
                continue
            w_inv, w_done = max(acked, key=lambda pair: (pair[0].time, pair[0].index))
            returned = list(done.value or [])
            if at_least_as_new(returned, inv.key, w_inv.time, invoked):
                continue
            found.append(SessionViolation(
                "read-your-writes", process, w_done, done,
                f"{process}'s get returned {returned!r}, although {_possessive(process)} own "
                f"write {w_inv.value!r} was acknowledged before the get began"))
    return sorted(found, key=lambda v: v.later.index)


def monotonic_read_violations(history) -> list[SessionViolation]:
    """Reads that went back in time within one client's session.

    A read by client p breaks monotonic reads if an earlier read by p
    (completed before this one began) returned a value v, and this read
    returns neither v nor any value whose put was invoked no earlier than
    v's. An earlier read that returned nothing sets no expectation.

    Parameters
    ----------
    history : History

    Returns
    -------
    list of SessionViolation
        At most one per later read, in order of the reads' invocation.

    Examples
    --------
    >>> from dynamo_lab.history import History
    >>> h = History()
    >>> for value, t in (("old", 0.0), ("new", 1.0)):
    ...     p = h.invoke(process="alice", f="put", key="k", value=value, time=t)
    ...     _ = h.complete(p, type="ok", value=value, time=t + 0.5)
    >>> for returned, t in ((["new"], 2.0), (["old"], 4.0)):
    ...     g = h.invoke(process="bob", f="get", key="k", value=None, time=t)
    ...     _ = h.complete(g, type="ok", value=returned, time=t + 1.0)
    >>> print(monotonic_read_violations(h)[0].explanation)
    bob's get returned ['old'] after his earlier get had returned ['new']: it went back in time
    """
    pairs = _check_history(history).pairs()
    invoked = put_invocations(pairs)
    found = []
    for process, reads in _reads_by_process(pairs).items():
        for later_inv, later in reads:
            for first_inv, first in reads:
                if first_inv.key != later_inv.key or not first.value \
                        or not began_after(later_inv, first) \
                        or not goes_back(first, later, invoked):
                    continue
                found.append(SessionViolation(
                    "monotonic reads", process, first, later,
                    f"{process}'s get returned {list(later.value or [])!r} after "
                    f"{_possessive(process)} earlier get had returned {list(first.value)!r}: "
                    "it went back in time"))
                break
    return sorted(found, key=lambda v: v.later.index)


def _possessive(process: str) -> str:
    return _PRONOUNS.get(process, "its")


def session_violations(history) -> list[SessionViolation]:
    """Both checks, in order of the offending reads."""
    found = read_your_writes_violations(history) + monotonic_read_violations(history)
    return sorted(found, key=lambda v: v.later.index)
