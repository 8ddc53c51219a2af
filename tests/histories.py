"""Hand-written histories for the checker tests, one tuple per operation."""

from dynamo_lab.history import History
from dynamo_lab.versions import EMPTY_CLOCK, Context


def history_of(*ops) -> History:
    """A history of key ``"k"`` from (process, f, value, type, result, invoked, completed)
    tuples; a ``type`` of None leaves the operation pending.

    A write's tuple may end with two more items: the ``(node, counter)``
    event it wrote, and the events its context had seen (see
    :func:`seen_context`)."""
    h = History()
    for process, f, value, kind, result, invoked, completed, *causal in ops:
        event, seen = (causal + [None, None])[:2]
        op = h.invoke(process=process, f=f, key="k", value=value, time=invoked,
                      context=None if seen is None else seen_context(*seen))
        if kind is not None:
            h.complete(op, type=kind, value=result, time=completed, event=event)
    return h


def seen_context(*events) -> Context:
    """A context for key ``"k"`` that has seen exactly ``events`` (an empty clock)."""
    return Context("k", EMPTY_CLOCK, frozenset(events))
