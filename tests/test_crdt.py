"""CRDTs (dynamo_lab.crdt): merge is a join, and each type keeps its promise.

Replicas are built by a generated history: random operations at random
replicas (each replica is a node and updates under its own node id), with
merges from one replica into another at random points. Beside the CRDTs the
history keeps a plain log of what happened (and, per replica, which
operations it has seen), from which each test computes the expected value
independently of the implementation.
"""

import copy
import pickle
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dynamo_lab.crdt import (
    CRDT, GCounter, GSet, LWWRegister, MVRegister, ORSet, PNCounter, is_crdt, merge_all,
)
from dynamo_lab.versions import VectorClock, frozen_value

NODES = ["A", "B", "C", "D"]
ELEMENTS = st.sampled_from("abcd")
FAST = settings(max_examples=60, deadline=None)


@dataclass
class History:
    replicas: list
    seen: list                        # per replica: the operations it has seen
    log: list = field(default_factory=list)
    counters: dict = field(default_factory=dict)

    def fresh(self, i):
        """A new (node, counter) event at replica i."""
        node = NODES[i]
        self.counters[node] = self.counters.get(node, 0) + 1
        return (node, self.counters[node])

    def record(self, i, operation):
        self.log.append(operation)
        self.seen[i].add(operation)


# -- one operation per type: apply it to replica i and log it -------------------

def step_gcounter(draw, h, i):
    n = draw(st.integers(0, 5))
    h.replicas[i] = h.replicas[i].increment(NODES[i], n)
    h.record(i, ("inc", h.fresh(i), n))


def step_pncounter(draw, h, i):
    n = draw(st.integers(0, 5))
    if draw(st.booleans()):
        h.replicas[i] = h.replicas[i].increment(NODES[i], n)
        h.record(i, ("inc", h.fresh(i), n))
    else:
        h.replicas[i] = h.replicas[i].decrement(NODES[i], n)
        h.record(i, ("dec", h.fresh(i), n))


def step_gset(draw, h, i):
    x = draw(ELEMENTS)
    h.replicas[i] = h.replicas[i].add(x)
    h.record(i, ("add", h.fresh(i), x))


def step_orset(draw, h, i):
    x = draw(ELEMENTS)
    if draw(st.booleans()):
        tag = h.fresh(i)
        h.replicas[i] = h.replicas[i].add(x, tag)
        h.record(i, ("add", tag, x))
    else:
        # The adds of x this replica has seen are the ones its remove covers.
        observed = frozenset(op[1] for op in h.seen[i] if op[0] == "add" and op[2] == x)
        h.replicas[i] = h.replicas[i].remove(x)
        h.record(i, ("remove", h.fresh(i), x, observed))


def step_lww(draw, h, i):
    timestamp = draw(st.integers(0, 5))           # small: ties between nodes are common
    if any(op[1] == timestamp and op[2] == NODES[i] for op in h.log):
        return                                    # a node never reuses a timestamp here
    value = draw(ELEMENTS)
    h.replicas[i] = h.replicas[i].assign(value, timestamp, NODES[i])
    h.record(i, ("assign", timestamp, NODES[i], value))


def step_mvregister(draw, h, i):
    value = draw(ELEMENTS)
    past = frozenset(h.seen[i])
    h.replicas[i] = h.replicas[i].assign(value, NODES[i])
    h.record(i, ("assign", h.fresh(i), value, past))


# -- what a fully merged replica must hold, from the log alone -------------------

def expect_gcounter(h):
    return sum(op[2] for op in h.log)


def expect_pncounter(h):
    return sum(op[2] if op[0] == "inc" else -op[2] for op in h.log)


def expect_gset(h):
    return frozenset(op[2] for op in h.log)


def expect_orset(h):
    removed = set().union(*(op[3] for op in h.log if op[0] == "remove"))
    return frozenset(op[2] for op in h.log if op[0] == "add" and op[1] not in removed)


def expect_lww(h):
    if not h.log:
        return None
    return max(h.log, key=lambda op: (op[1], op[2]))[3]


def expect_mvregister(h):
    # The values of the assignments no later assignment had seen.
    overwritten = set().union(*(op[3] for op in h.log))
    return frozenset(op[2] for op in h.log if op not in overwritten)


KINDS = {
    "GCounter": (GCounter, step_gcounter, expect_gcounter),
    "PNCounter": (PNCounter, step_pncounter, expect_pncounter),
    "GSet": (GSet, step_gset, expect_gset),
    "ORSet": (ORSet, step_orset, expect_orset),
    "LWWRegister": (LWWRegister, step_lww, expect_lww),
    "MVRegister": (MVRegister, step_mvregister, expect_mvregister),
}


@st.composite
def histories(draw, kind, min_replicas=1):
    cls, step, _ = KINDS[kind]
    n = draw(st.integers(min_replicas, len(NODES)))
    h = History([cls() for _ in range(n)], [set() for _ in range(n)])
    for _ in range(draw(st.integers(0, 16))):
        i = draw(st.integers(0, n - 1))
        if n > 1 and draw(st.integers(0, 2)) == 0:
            j = draw(st.integers(0, n - 1))       # replica i merges replica j's state
            h.replicas[i] = h.replicas[i].merge(h.replicas[j])
            h.seen[i] |= h.seen[j]
        else:
            step(draw, h, i)
    return h


def never_loses(merged, part, other):
    """Type-specific: ``merged`` (= part ⊔ other) keeps everything ``part`` had."""
    if isinstance(part, GCounter):
        assert all(merged.counts.get(n, 0) >= c for n, c in part.counts.items())
        assert merged.value >= part.value
    elif isinstance(part, PNCounter):
        never_loses(merged.increments, part.increments, other.increments)
        never_loses(merged.decrements, part.decrements, other.decrements)
    elif isinstance(part, GSet):
        assert part.value <= merged.value
    elif isinstance(part, ORSet):
        assert part.entries <= merged.entries and part.tombstones <= merged.tombstones
        # An element goes only if the other side removed every tag it had here.
        for x in part.value:
            assert (x in merged) or part.tags(x) <= {t for e, t in other.tombstones if e == x}
    elif isinstance(part, LWWRegister):
        if part.timestamp is not None:
            assert (merged.timestamp, merged.node) >= (part.timestamp, part.node)
    elif isinstance(part, MVRegister):
        for _, clock in part.entries:
            assert any(c.descends(clock) for _, c in merged.entries)


# -- the join laws, for every type -----------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
@FAST
@given(data=st.data())
def test_merge_is_commutative_associative_idempotent(kind, data):
    a, b, c = data.draw(histories(kind, min_replicas=3)).replicas[:3]
    assert a.merge(b) == b.merge(a) and hash(a.merge(b)) == hash(b.merge(a))
    assert a.merge(b).merge(c) == a.merge(b.merge(c))
    assert a.merge(a) == a
    assert a.merge(b).merge(b) == a.merge(b)
    assert merge_all([c, a, b, a]) == merge_all([a, b, c])


@pytest.mark.parametrize("kind", KINDS)
@FAST
@given(data=st.data())
def test_merge_is_the_least_upper_bound(kind, data):
    a, b, c = data.draw(histories(kind, min_replicas=3)).replicas[:3]
    joined = a.merge(b)
    # An upper bound: merging either side into it changes nothing...
    assert a.merge(joined) == joined and b.merge(joined) == joined
    never_loses(joined, a, b)
    never_loses(joined, b, a)
    # ...and the least: it lies below any other upper bound of a and b.
    upper = joined.merge(c)
    assert joined.merge(upper) == upper


@pytest.mark.parametrize("kind", KINDS)
@FAST
@given(data=st.data())
def test_merged_replicas_hold_the_expected_value(kind, data):
    h = data.draw(histories(kind))
    _, _, expect = KINDS[kind]
    merged = merge_all(h.replicas)
    assert merged.value == expect(h)
    # Every replica converges to the same value once it merges the others.
    assert all(merge_all([r, *h.replicas]) == merged for r in h.replicas)


# -- OR-Set: add wins over a concurrent remove; an informed remove removes -------

@FAST
@given(data=st.data())
def test_orset_add_concurrent_with_remove_survives(data):
    h = data.draw(histories("ORSet", min_replicas=2))
    x = data.draw(ELEMENTS)
    base = merge_all(h.replicas)
    adder = base.add(x, ("fresh", 1))             # a tag nobody has seen
    remover = base.remove(x)                      # had not seen that add
    assert x not in remover
    assert x in adder.merge(remover) and x in remover.merge(adder)
    assert adder.merge(remover).tags(x) == {("fresh", 1)}


@FAST
@given(data=st.data())
def test_orset_remove_after_observing_every_add_removes(data):
    h = data.draw(histories("ORSet"))
    x = data.draw(ELEMENTS)
    informed = merge_all(h.replicas).remove(x)
    assert x not in informed
    assert x not in merge_all([*h.replicas, informed])
    assert x not in merge_all([informed, *h.replicas])


# -- counters and LWW against their arithmetic -----------------------------------

@FAST
@given(st.lists(st.tuples(st.sampled_from(NODES), st.integers(0, 9)), max_size=12))
def test_gcounter_value_is_the_sum_of_increments(increments):
    replicas = {node: GCounter() for node in NODES}
    for node, n in increments:
        replicas[node] = replicas[node].increment(node, n)
    assert merge_all(replicas.values()).value == sum(n for _, n in increments)


@FAST
@given(st.lists(st.tuples(st.sampled_from(NODES), st.booleans(), st.integers(0, 9)),
                max_size=12))
def test_pncounter_value_is_increments_minus_decrements(operations):
    replicas = {node: PNCounter() for node in NODES}
    for node, up, n in operations:
        r = replicas[node]
        replicas[node] = r.increment(node, n) if up else r.decrement(node, n)
    expected = sum(n if up else -n for _, up, n in operations)
    assert merge_all(replicas.values()).value == expected


def test_lww_latest_timestamp_wins_and_ties_go_to_the_larger_node():
    old = LWWRegister().assign("old", 1.0, "Z")
    new = LWWRegister().assign("new", 2.0, "A")
    assert old.merge(new).value == new.merge(old).value == "new"
    assert new.assign("stale", 1.5, "Z") == new     # an older assignment loses
    b, c = LWWRegister().assign("b", 3.0, "B"), LWWRegister().assign("c", 3.0, "C")
    assert b.merge(c) == c.merge(b) == c
    assert (c.value, c.timestamp, c.node) == ("c", 3.0, "C")


def test_lww_same_node_same_timestamp_is_still_deterministic():
    x, y = LWWRegister().assign("x", 1.0, "A"), LWWRegister().assign("y", 1.0, "A")
    assert x.merge(y) == y.merge(x)


def test_mvregister_keeps_concurrent_values_until_overwritten():
    a, b = MVRegister().assign("x", "A"), MVRegister().assign("y", "B")
    both = a.merge(b)
    assert both.value == {"x", "y"} and both.clock == VectorClock({"A": 1, "B": 1})
    assert both.assign("z", "C").value == {"z"}
    assert both.merge(a) == both                    # a is in both's past
    assert a.assign("x2", "A").merge(b).value == {"x2", "y"}


# -- validation and value-object behaviour ---------------------------------------

EXAMPLES = [
    GCounter().increment("A", 2),
    PNCounter().increment("A", 3).decrement("B"),
    GSet({"x", "y"}),
    ORSet().add("x", ("A", 1)).add("y", ("A", 2)).remove("x"),
    LWWRegister().assign("x", 1.0, "A"),
    MVRegister().assign("x", "A").merge(MVRegister().assign("y", "B")),
]


@pytest.mark.parametrize("value", EXAMPLES, ids=lambda v: type(v).__name__)
def test_value_objects(value):
    assert is_crdt(value) and isinstance(value, CRDT)
    assert value == copy.deepcopy(value) == pickle.loads(pickle.dumps(value))
    assert hash(pickle.loads(pickle.dumps(value))) == hash(value)
    assert frozen_value(value) == value               # how the cluster stores it
    assert repr(value).startswith(type(value).__name__ + "(")
    assert merge_all([value]) is value
    with pytest.raises(AttributeError, match="immutable"):
        value._state_hack = 1
    others = [e for e in EXAMPLES if type(e) is not type(value)]
    for other in others:
        assert value != other
        with pytest.raises(ValueError, match=f"{type(value).__name__}.*{type(other).__name__}"):
            value.merge(other)


def test_updates_return_new_objects():
    empty = GCounter()
    assert empty.increment("A").value == 1 and empty.value == 0
    s = ORSet()
    assert s.add("x", ("A", 1)) != s and s.value == frozenset()


def test_invalid_arguments():
    with pytest.raises(ValueError, match="negative"):
        GCounter().increment("A", -1)
    with pytest.raises(ValueError, match="negative"):
        PNCounter().increment("A", -1)
    with pytest.raises(ValueError, match="negative"):
        PNCounter().decrement("A", -2)
    with pytest.raises(TypeError):
        GCounter().increment("A", 1.5)
    with pytest.raises(TypeError):
        GCounter().increment(3, 1)
    with pytest.raises(ValueError, match="fresh tag"):
        ORSet().add("x", ("A", 1)).add("y", ("A", 1))
    with pytest.raises(ValueError, match="fresh tag"):
        ORSet().add("x", ("A", 1)).merge(ORSet().add("y", ("A", 1)))
    with pytest.raises(TypeError, match="hashable"):
        GSet().add(["unhashable"])
    with pytest.raises(ValueError, match="timestamp"):
        LWWRegister().assign("x", float("nan"), "A")
    with pytest.raises(ValueError, match="at least one"):
        merge_all([])
    with pytest.raises(ValueError, match="not a CRDT"):
        merge_all([frozenset()])
    with pytest.raises(ValueError, match="GSet.*int"):
        GSet().merge(3)
    assert not is_crdt(frozenset()) and not is_crdt(None)
