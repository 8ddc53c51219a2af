"""lost_writes on generated histories with known losses (Hypothesis).

Each example is a run of writes to one key. Every write has its own event;
its context names some earlier writes (or none: a blind write); it ends
acknowledged, failed, indeterminate or unanswered. A ground-truth model then
decides what the replicas end up holding: acknowledged writes took effect,
failed ones did not, and each indeterminate or unanswered write either did
or did not, as Hypothesis draws it; a write that took effect removes every
write its context names. From that final state the example drops some
values (losses the cluster would have caused) and adds some nobody wrote.

The checker sees only the history and the damaged final read, and must
report exactly the dropped values that it had to require, and exactly the
added ones; never a value whose loss the contexts explain.
"""

from hypothesis import given, settings
from hypothesis import strategies as st

from dynamo_lab.checks import lost_writes
from dynamo_lab.history import History
from dynamo_lab.versions import EMPTY_CLOCK, Context

STATUSES = ("ok", "ok", "ok", "info", "fail", None)


@st.composite
def runs(draw):
    count = draw(st.integers(1, 12))
    writes = []
    for i in range(count):
        earlier = [w["event"] for w in writes]
        seen = draw(st.one_of(st.none(), st.sets(st.sampled_from(earlier))
                              if earlier else st.none()))
        writes.append({
            "event": ("N", i + 1),
            "f": draw(st.sampled_from(["put", "put", "put", "delete"])),
            "value": f"v{i}",
            "status": draw(st.sampled_from(STATUSES)),
            "seen": None if seen is None else frozenset(seen),
            "landed": draw(st.booleans()),     # for an indeterminate write
        })
    return writes


def took_effect(write) -> bool:
    return write["status"] == "ok" or (write["status"] in ("info", None) and write["landed"])


def history_of(writes) -> History:
    h = History()
    for t, w in enumerate(writes):
        context = None if w["seen"] is None else Context("k", EMPTY_CLOCK, w["seen"])
        value = w["value"] if w["f"] == "put" else None
        op = h.invoke(process=f"p{t % 3}", f=w["f"], key="k", value=value, time=2.0 * t,
                      context=context)
        if w["status"] is not None:
            event = None if w["status"] == "fail" else w["event"]
            h.complete(op, type=w["status"], value=value, time=2.0 * t + 1, event=event)
    return h


@settings(max_examples=300, deadline=None)
@given(writes=runs(), data=st.data())
def test_lost_writes_reports_exactly_the_losses_it_must(writes, data):
    applied = [w for w in writes if took_effect(w)]
    removed = {e for w in applied for e in (w["seen"] or ())}
    live = [w for w in applied if w["event"] not in removed and w["f"] == "put"]
    final = [w["value"] for w in live]
    # What the checker must require: acknowledged puts that no write which
    # may have taken effect (anything but a failure) had seen.
    possibly = [w for w in writes if w["status"] != "fail"]
    required = [w["value"] for w in writes if w["f"] == "put" and w["status"] == "ok"
                and not any(w["event"] in (x["seen"] or ()) for x in possibly if x is not w)]
    dropped = data.draw(st.sets(st.sampled_from(final)) if final else st.just(set()))
    foreign = data.draw(st.sets(st.sampled_from(["x1", "x2"])))
    damaged = [v for v in final if v not in dropped] + sorted(foreign)

    report = lost_writes(history_of(writes), {"k": damaged})

    assert sorted(report.must.get("k", [])) == sorted(required)
    assert sorted(report.lost.get("k", [])) == sorted(v for v in dropped if v in required)
    assert sorted(report.unexpected.get("k", [])) == sorted(foreign)
    # The undamaged final state never shows a loss: the contexts explain it all.
    assert lost_writes(history_of(writes), {"k": final}).ok
