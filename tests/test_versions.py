"""Vector clocks (invariant 14) and the three versioning schemes."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dynamo_lab.versions import (
    VectorClock, Sibling, make_versioning, reconcile, VERSIONING_SCHEMES,
)

NODES = ["A", "B", "C", "D"]
clocks = st.dictionaries(st.sampled_from(NODES), st.integers(1, 4), max_size=4).map(VectorClock)


@given(clocks)
def test_descends_is_reflexive(a):
    assert a.descends(a) and not a.dominates(a) and not a.is_concurrent(a)


@given(clocks, clocks)
def test_descends_is_antisymmetric(a, b):
    if a.descends(b) and b.descends(a):
        assert a == b and hash(a) == hash(b)


@given(clocks, clocks, clocks)
def test_descends_is_transitive(a, b, c):
    if a.descends(b) and b.descends(c):
        assert a.descends(c)


@given(clocks, clocks)
def test_concurrent_iff_neither_descends(a, b):
    assert a.is_concurrent(b) == (not a.descends(b) and not b.descends(a))
    assert a.is_concurrent(b) == b.is_concurrent(a)


@given(clocks, clocks, clocks)
def test_merge_is_commutative_associative_idempotent(a, b, c):
    assert a.merge(b) == b.merge(a)
    assert a.merge(b).merge(c) == a.merge(b.merge(c))
    assert a.merge(a) == a


@given(clocks, clocks, clocks)
def test_merge_is_the_least_upper_bound(a, b, c):
    m = a.merge(b)
    assert m.descends(a) and m.descends(b)
    if c.descends(a) and c.descends(b):
        assert c.descends(m)


@given(clocks, st.sampled_from(NODES))
def test_increment_strictly_dominates(a, node):
    assert a.increment(node).dominates(a)


def test_truncation_drops_the_oldest_entries():
    c = VectorClock()
    for i in range(12):
        c = c.increment(f"n{i:02}", timestamp=float(i))
    assert len(c) == 12
    t = c.truncate(10)
    assert len(t) == 10 and "n00" not in t.counters() and "n01" not in t.counters()


def test_bad_counters_are_refused():
    with pytest.raises(ValueError, match="integers >= 1"):
        VectorClock({"A": 0})


def sib(value, node, counter, ts=0.0, tombstone=False):
    return Sibling(value, (node, counter), ts, tombstone)


@pytest.mark.parametrize("name", sorted(VERSIONING_SCHEMES))
def test_a_write_that_saw_everything_replaces_it(name):
    scheme = make_versioning(name)
    first = scheme.write(None, VectorClock(), sib("x", "A", 1, 1.0))
    second = scheme.write(first, first.clock, sib("y", "A", 2, 2.0))
    assert second.values == ["y"]
    assert scheme.merge(first, second) == second == scheme.merge(second, first)
    assert scheme.covers(second, first) and (name == "lww" or not scheme.covers(first, second))


def test_vector_clocks_keep_a_stale_write_beside_what_it_did_not_see():
    vc = make_versioning("vector_clock")
    x = vc.write(None, VectorClock(), sib("x", "A", 1))
    y = vc.write(x, VectorClock(), sib("y", "A", 2))
    assert y.values == ["x", "y"]


def test_dvv_removes_exactly_what_the_context_saw():
    dvv = make_versioning("dvv")
    x = dvv.write(None, VectorClock(), sib("x", "A", 1))
    y = dvv.write(x, VectorClock(), sib("y", "A", 2))     # did not see x
    z = dvv.write(y, x.clock, sib("z", "A", 3))           # saw x only
    assert z.values == ["y", "z"]


def test_lww_keeps_the_later_timestamp_and_breaks_ties_by_node():
    lww = make_versioning("lww")
    a = lww.write(None, VectorClock(), sib("a", "A", 1, ts=5.0))
    b = lww.write(None, VectorClock(), sib("b", "B", 1, ts=5.0))
    assert lww.merge(a, b).values == ["b"] == lww.merge(b, a).values


def test_reconcile_keeps_only_causally_maximal_siblings_in_any_order():
    vc = make_versioning("vector_clock")
    a = vc.write(None, VectorClock(), sib("a", "A", 1))
    b = vc.write(None, VectorClock(), sib("b", "B", 1))
    a2 = vc.write(a, a.clock, sib("a2", "A", 2, 1.0))
    import itertools
    for order in itertools.permutations([a, b, a2]):
        assert sorted(reconcile(order).values) == ["a2", "b"]


def test_unknown_scheme_lists_the_choices():
    with pytest.raises(ValueError, match="'vector_clock', 'dvv', 'lww'"):
        make_versioning("vclock")


# Records built by random histories of writes, for merge laws on records.
@st.composite
def records(draw, name):
    scheme = make_versioning(name)
    made = [None]
    counter = {n: 0 for n in NODES}
    for _ in range(draw(st.integers(1, 6))):
        base = draw(st.sampled_from(made))
        ctx = draw(st.sampled_from([r for r in made if r is not None] or [None]))
        node = draw(st.sampled_from(NODES))
        counter[node] += 1
        clock = VectorClock() if ctx is None else ctx.clock
        made.append(scheme.write(base, clock, sib(len(made), node, counter[node], float(len(made)))))
    pick = st.sampled_from(made[1:])
    return scheme, draw(pick), draw(pick), draw(pick)


@pytest.mark.parametrize("name", sorted(VERSIONING_SCHEMES))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_record_merge_is_a_join(name, data):
    """Commutative, associative, idempotent: replicas agree whatever the order."""
    scheme, a, b, c = data.draw(records(name))
    assert scheme.merge(a, b) == scheme.merge(b, a)
    assert scheme.merge(scheme.merge(a, b), c) == scheme.merge(a, scheme.merge(b, c))
    assert scheme.merge(a, a) == a
    m = scheme.merge(a, b)
    assert scheme.covers(m, a) and scheme.covers(m, b)
