"""Hand-written histories for the checker tests, one tuple per operation."""

from dynamo_lab.history import History


def history_of(*ops) -> History:
    """A history of key ``"k"`` from (process, f, value, type, result, invoked, completed)
    tuples; a ``type`` of None leaves the operation pending."""
    h = History()
    for process, f, value, kind, result, invoked, completed in ops:
        op = h.invoke(process=process, f=f, key="k", value=value, time=invoked)
        if kind is not None:
            h.complete(op, type=kind, value=result, time=completed)
    return h
