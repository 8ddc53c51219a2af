"""Tests for dynamo_lab.ring: placement, invariant 1, membership changes."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dynamo_lab.ranges import RING_SIZE, key_position
from dynamo_lab.ring import MAX_PARTITIONS, Ring, load_balancing_efficiency

REPO = Path(__file__).resolve().parents[1]
KEYS = [f"key{i}" for i in range(2000)]


# ----------------------------------------------------------------------
# independent reference implementations (deliberately naive)


def md5_position(text: str) -> int:
    return int(hashlib.md5(text.encode("utf-8")).hexdigest(), 16)


def reference_tokens(nodes, vnodes):
    return sorted((md5_position(f"{x}#token{i}"), x) for x in nodes for i in range(vnodes))


def walk(tokens, position, count):
    """Distinct nodes met walking clockwise from ``position`` over ``tokens``."""
    start = next((i for i, (p, _) in enumerate(tokens) if p >= position), 0)
    found = []
    for step in range(len(tokens)):
        node = tokens[(start + step) % len(tokens)][1]
        if node not in found:
            found.append(node)
    return found[:count]


def partition_end(position, q):
    """End of the partition holding ``position``: partition i is
    [i * RING_SIZE // q, (i + 1) * RING_SIZE // q)."""
    i = next(i for i in range(q) if position < (i + 1) * RING_SIZE // q)
    return (i + 1) * RING_SIZE // q - 1


def reference_preference_list(ring, key):
    position = md5_position(key)
    everyone = len(ring.nodes)
    if ring.strategy == 1:
        return walk(reference_tokens(ring.nodes, ring.vnodes), position, everyone)
    if ring.strategy == 2:
        tokens = reference_tokens(ring.nodes, ring.vnodes)
        return walk(tokens, partition_end(position, ring.partitions), everyone)
    # Strategy 3: the "tokens" are partition ends with their owners.
    return walk(ring.tokens, position, everyone)


def hash_mod_owner(key, nodes):
    """Naive placement the ring improves on: hash mod the node count."""
    return nodes[md5_position(key) % len(nodes)]


def partition_counts(ring):
    return Counter(x for _, x in ring.tokens)


# ----------------------------------------------------------------------
# Hypothesis inputs

names = st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=0x2FF), min_size=1, max_size=6
).filter(str.strip)
node_lists = st.lists(names, min_size=1, max_size=8, unique=True)
keys = st.lists(st.text(max_size=12), min_size=1, max_size=25)
PROPERTY = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@st.composite
def rings(draw, strategies=(1, 2, 3)):
    nodes = draw(node_lists)
    strategy = draw(st.sampled_from(strategies))
    n = draw(st.integers(1, len(nodes)))
    vnodes = draw(st.integers(1, 12))
    partitions = None
    if strategy != 1:
        low = n if strategy == 2 else len(nodes)
        partitions = draw(st.one_of(st.none(), st.integers(max(low, 1), 200)))
    return Ring(nodes, n=n, vnodes=vnodes, strategy=strategy, partitions=partitions)


# ----------------------------------------------------------------------
# hashing and determinism


def test_key_position_is_md5_of_utf8():
    for key in ["", "cart:alice", "ключ", "🛒"]:
        assert key_position(key) == md5_position(key)
        assert 0 <= key_position(key) < RING_SIZE


@pytest.mark.parametrize("strategy", [1, 2])
def test_tokens_are_md5_of_node_and_index(strategy):
    ring = Ring(["A", "B", "C"], n=2, vnodes=5, strategy=strategy)
    assert ring.tokens == reference_tokens(["A", "B", "C"], 5)


def test_placement_does_not_depend_on_python_hash_seed():
    script = (
        "import json; from dynamo_lab.ring import Ring\n"
        "out = [Ring(['A','B','C','D','E'], n=3, strategy=s).preference_list(f'k{i}')"
        " for s in (1, 2, 3) for i in range(50)]\n"
        "print(json.dumps(out))"
    )
    here = [Ring(["A", "B", "C", "D", "E"], n=3, strategy=s).preference_list(f"k{i}")
            for s in (1, 2, 3) for i in range(50)]
    for seed in ("0", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        result = subprocess.run([sys.executable, "-c", script], env=env, cwd=REPO,
                                capture_output=True, text=True, check=True)
        assert json.loads(result.stdout) == here


@pytest.mark.parametrize("strategy", [1, 2, 3])
def test_preference_lists_hold_every_node_once(strategy):
    nodes = ["A", "B", "C", "D", "E"]
    ring = Ring(nodes, n=3, strategy=strategy)
    twin = Ring(nodes, n=3, strategy=strategy)
    for key in KEYS[:300]:
        prefs = ring.preference_list(key)
        assert sorted(prefs) == nodes
        assert ring.home_replicas(key) == prefs[:3]
        assert len(set(prefs[:3])) == 3
        assert ring.owner(key) == prefs[0]
        assert twin.preference_list(key) == prefs
        assert ring.position(key) == md5_position(key)


def test_preference_list_returns_a_fresh_list():
    ring = Ring(["A", "B", "C"], n=2)
    ring.preference_list("k").clear()
    ring.home_replicas("k").clear()
    assert len(ring.preference_list("k")) == 3
    assert len(ring.home_replicas("k")) == 2


@pytest.mark.parametrize("strategy", [1, 2])
def test_token_placement_ignores_node_order(strategy):
    # A node's tokens depend on its name only, never on its neighbours.
    a = Ring(["A", "B", "C", "D"], n=3, strategy=strategy)
    b = Ring(["D", "C", "B", "A"], n=3, strategy=strategy)
    assert a.tokens == b.tokens
    assert all(a.preference_list(k) == b.preference_list(k) for k in KEYS[:200])


# ----------------------------------------------------------------------
# invariant 1: preference list == brute-force walk of the sorted tokens


@PROPERTY
@given(rings(), keys)
def test_preference_list_equals_brute_force_walk(ring, sample):
    for key in sample:
        assert ring.preference_list(key) == reference_preference_list(ring, key)


@PROPERTY
@given(rings(), keys)
def test_ranges_tile_the_ring_and_agree_with_lookups(ring, sample):
    ranges = ring.ranges()
    assert sum(r.size for r in ranges) == RING_SIZE
    for previous, current in zip([ranges[-1]] + ranges, ranges):
        assert current.start == previous.end
    # Ranges are cut exactly at the tokens (strategy 1) or partitions.
    if ring.strategy == 1:
        assert [r.end for r in ranges] == sorted(p for p, _ in ring.tokens)
    else:
        q = ring.partitions
        assert [r.end for r in ranges] == [(i + 1) * RING_SIZE // q - 1 for i in range(q)]
    for key in sample:
        found = [r for r in ranges if r.contains(md5_position(key))]
        assert len(found) == 1
        assert found[0] == ring.key_range(key)
        assert list(found[0].replicas) == ring.home_replicas(key)
    for node in ring.nodes:
        assert all(node in r.replicas for r in ring.ranges(node))


def test_first_range_wraps_around_zero():
    ring = Ring(["A", "B", "C"], n=2)
    first = ring.ranges()[0]
    assert first.start > first.end
    assert first.contains(0) and first.contains(RING_SIZE - 1)
    whole = Ring(["A"], n=1, vnodes=1).ranges()
    assert len(whole) == 1 and whole[0].size == RING_SIZE


# ----------------------------------------------------------------------
# membership changes


def check_change_against_keys(before, after, change, sample):
    """RingChange.moved agrees with home replicas of sampled keys."""
    for key in sample:
        old, new = before.home_replicas(key), after.home_replicas(key)
        hits = [m for m in change.moved if m.contains(md5_position(key))]
        assert len(hits) <= 1
        if set(old) != set(new):
            assert len(hits) == 1
            assert list(hits[0].old_replicas) == old
            assert list(hits[0].new_replicas) == new
        else:
            assert not hits
    assert 0 <= change.fraction_moved <= 1
    assert all(set(m.old_replicas) != set(m.new_replicas) for m in change.moved)


@PROPERTY
@given(rings(strategies=(1,)), names, keys)
def test_join_moves_only_ranges_next_to_the_new_tokens(ring, newcomer, sample):
    assume(newcomer not in ring.nodes)
    before = ring.copy()
    change = ring.add_node(newcomer)
    assert change.added == newcomer and change.removed is None
    assert ring.preference_list(sample[0]) == reference_preference_list(ring, sample[0])
    for key in sample:
        old, new = before.home_replicas(key), ring.home_replicas(key)
        if set(old) != set(new):
            # The newcomer pushed exactly one old replica out.
            assert newcomer in new
            assert set(old) - set(new) == {old[-1]}
        else:
            assert old == new
    for moved in change.moved:
        assert moved.gained == (newcomer,)
        # Next to a new token: fewer than N other nodes lie between the
        # range and the newcomer's first token clockwise from it.
        assert walk(ring.tokens, moved.end, ring.n).count(newcomer) == 1
    check_change_against_keys(before, ring, change, sample)


@PROPERTY
@given(rings(strategies=(1,)), st.data())
def test_leave_moves_only_ranges_the_leaver_held(ring, data):
    assume(len(ring.nodes) > ring.n)
    leaver = data.draw(st.sampled_from(ring.nodes))
    sample = data.draw(keys)
    before = ring.copy()
    change = ring.remove_node(leaver)
    assert change.removed == leaver and change.added is None
    for key in sample:
        old, new = before.home_replicas(key), ring.home_replicas(key)
        if set(old) != set(new):
            assert leaver in old
        else:
            assert old == new
    for moved in change.moved:
        assert moved.lost == (leaver,)
    check_change_against_keys(before, ring, change, sample)


@PROPERTY
@given(rings(strategies=(2, 3)), st.data())
def test_changes_under_partition_strategies_match_keys(ring, data):
    sample = data.draw(keys)
    before = ring.copy()
    if data.draw(st.booleans()) and len(ring.nodes) > ring.n:
        change = ring.remove_node(data.draw(st.sampled_from(ring.nodes)))
    else:
        newcomer = data.draw(names)
        assume(newcomer not in ring.nodes)
        assume(ring.strategy == 2 or ring.partitions > len(ring.nodes))
        change = ring.add_node(newcomer)
    check_change_against_keys(before, ring, change, sample)
    for key in sample:
        assert ring.preference_list(key) == reference_preference_list(ring, key)


@PROPERTY
@given(node_lists, st.integers(1, 3), st.integers(0, 60),
       st.lists(st.tuples(st.booleans(), names), max_size=6))
def test_strategy_3_stays_balanced_through_joins_and_leaves(nodes, n, extra, steps):
    n = min(n, len(nodes))
    ring = Ring(nodes, n=n, strategy=3, partitions=len(nodes) + extra)
    for join, name in steps:
        before = dict(ring.tokens)
        if join and name not in ring.nodes and ring.partitions > len(ring.nodes):
            ring.add_node(name)
            # Only partitions handed to the newcomer changed owner.
            assert all(x == name for p, x in ring.tokens if before[p] != x)
        elif not join and len(ring.nodes) > n:
            leaver = ring.nodes[len(name) % len(ring.nodes)]
            ring.remove_node(leaver)
            assert all(before[p] == leaver for p, x in ring.tokens if before[p] != x)
        counts = partition_counts(ring)
        assert set(counts) == set(ring.nodes)
        assert max(counts.values()) - min(counts.values()) <= 1


def test_strategy_3_starts_round_robin():
    ring = Ring(["A", "B", "C"], n=2, strategy=3, partitions=7)
    assert [x for _, x in ring.tokens] == ["A", "B", "C", "A", "B", "C", "A"]


@pytest.mark.parametrize("strategy", [1, 2, 3])
def test_new_node_becomes_a_home_replica(strategy):
    ring = Ring(["A", "B", "C", "D", "E"], n=3, strategy=strategy)
    change = ring.add_node("F")
    homes = [ring.home_replicas(k) for k in KEYS]
    share = sum("F" in h for h in homes) / len(KEYS)
    # Roughly its fair share N / S = 3 / 6 of the keys.
    assert 0.2 < share < 0.8
    moved = sum(any(m.contains(md5_position(k)) for m in change.moved) for k in KEYS)
    assert abs(moved / len(KEYS) - change.fraction_moved) < 0.05


@pytest.mark.parametrize("strategy", [1, 2, 3])
def test_consistent_hashing_moves_far_less_than_hash_mod_n(strategy):
    nodes = [f"n{i}" for i in range(10)]
    ring = Ring(nodes, n=3, vnodes=64, strategy=strategy)
    before = ring.copy()
    change = ring.add_node("n10")
    # With N replicas, a newcomer becomes a home replica of ~N/(S+1).
    assert 0.15 < change.fraction_moved < 0.45
    owners_moved = sum(before.owner(k) != ring.owner(k) for k in KEYS) / len(KEYS)
    mod_moved = sum(hash_mod_owner(k, nodes) != hash_mod_owner(k, nodes + ["n10"])
                    for k in KEYS) / len(KEYS)
    assert owners_moved < 0.2  # about 1/(S+1) = 0.09
    assert mod_moved > 0.8  # about S/(S+1) = 0.91


def test_copy_is_independent():
    ring = Ring(["A", "B", "C"], n=2)
    twin = ring.copy()
    assert twin == ring
    twin.add_node("D")
    assert twin != ring
    assert ring.nodes == ["A", "B", "C"]
    assert all("D" not in ring.preference_list(k) for k in KEYS[:50])
    assert repr(ring) == "Ring(['A', 'B', 'C'], n=2, vnodes=8, strategy=1)"


# ----------------------------------------------------------------------
# load balance


@pytest.mark.parametrize("strategy", [1, 2, 3])
def test_load_shares_add_up_to_n(strategy):
    ring = Ring(["A", "B", "C", "D"], n=3, strategy=strategy)
    assert sum(ring.load().values()) == pytest.approx(3)
    assert sum(ring.load(KEYS).values()) == pytest.approx(3)
    assert list(ring.load()) == ring.nodes


def test_strategy_3_balances_best_for_thirty_nodes():
    nodes = [f"node{i:02d}" for i in range(30)]
    t = 8
    efficiency = {
        s: load_balancing_efficiency(Ring(nodes, n=3, vnodes=t, strategy=s).load())
        for s in (1, 2, 3)
    }
    assert all(0 < e <= 1 for e in efficiency.values())
    assert efficiency[3] >= efficiency[1]
    assert efficiency[3] > 0.95


def test_load_balancing_efficiency():
    assert load_balancing_efficiency([1, 1, 1]) == 1
    assert load_balancing_efficiency({"A": 2, "B": 0}) == 0.5
    for bad, text in [([], "empty"), ([1, -2], "-2"), ([0, 0], "zero")]:
        with pytest.raises(ValueError, match=text):
            load_balancing_efficiency(bad)


# ----------------------------------------------------------------------
# bad input


@pytest.mark.parametrize(
    "args, kwargs, text",
    [
        (["A", "B", "C"], {"n": 4}, "n=4 but the cluster has 3 nodes; n must be between 1 and 3"),
        (["A", "B", "C"], {"n": 0}, "n=0"),
        (["A", "B", "C"], {"n": 2.5}, "2.5"),
        (["A", "B", "C"], {"n": True}, "True"),
        (["A", "B", "C"], {"vnodes": 0}, "vnodes=0"),
        (["A", "B", "C"], {"strategy": 4}, "strategy=4"),
        (["A", "B", "A"], {"n": 2}, "'A'"),
        (["A", ""], {"n": 1}, "''"),
        (["A", "  "], {"n": 1}, "'  '"),
        (["A", 3], {"n": 1}, "3"),
        ("ABC", {"n": 1}, "'ABC'"),
        ([], {"n": 1}, "empty"),
        (["A", "B", "C"], {"partitions": 8}, "partitions=8"),
        (["A", "B", "C"], {"strategy": 3, "partitions": 2}, "partitions=2"),
        (["A", "B", "C"], {"strategy": 2, "partitions": 2}, "partitions=2"),
        (["A", "B", "C"], {"strategy": 2, "partitions": MAX_PARTITIONS + 1},
         str(MAX_PARTITIONS + 1)),
        (["A", "B", "C"], {"strategy": 3, "partitions": "64"}, "'64'"),
    ],
)
def test_bad_constructor_arguments(args, kwargs, text):
    with pytest.raises(ValueError) as info:
        Ring(args, **kwargs)
    assert text in str(info.value)


@pytest.mark.parametrize("strategy", [1, 2, 3])
@pytest.mark.parametrize(
    "call, error, text",
    [
        (lambda r: r.add_node("A"), ValueError, "'A'"),
        (lambda r: r.add_node(""), ValueError, "''"),
        (lambda r: r.add_node(7), ValueError, "7"),
        (lambda r: r.remove_node("Z"), KeyError, "'Z'"),
        (lambda r: r.ranges("Z"), KeyError, "'Z'"),
        (lambda r: r.preference_list(42), ValueError, "42"),
        (lambda r: r.home_replicas(b"k"), ValueError, "b'k'"),
        (lambda r: r.owner(None), ValueError, "None"),
        (lambda r: r.load([]), ValueError, "empty"),
        (lambda r: r.load(["k", 1]), ValueError, "1"),
    ],
)
def test_bad_calls_leave_the_ring_unchanged(strategy, call, error, text):
    ring = Ring(["A", "B", "C"], n=2, strategy=strategy)
    snapshot = ring.copy()
    with pytest.raises(error) as info:
        call(ring)
    assert text in str(info.value)
    assert ring == snapshot and ring.tokens == snapshot.tokens


def test_cannot_remove_below_n():
    ring = Ring(["A", "B", "C"], n=3)
    snapshot = ring.copy()
    with pytest.raises(ValueError, match="'A'.*n=3"):
        ring.remove_node("A")
    assert ring == snapshot


def test_strategy_3_cannot_outgrow_its_partitions():
    ring = Ring(["A", "B"], n=1, strategy=3, partitions=2)
    snapshot = ring.copy()
    with pytest.raises(ValueError, match="partitions=2"):
        ring.add_node("C")
    assert ring == snapshot


def test_a_remembered_preference_list_is_forgotten_when_the_ring_changes():
    ring = Ring(["A", "B", "C", "D"], n=2, vnodes=4)
    keys = [f"k{i}" for i in range(200)]
    before = {key: ring.preference_list(key) for key in keys}   # remembered now
    ring.add_node("E")
    fresh = Ring(["A", "B", "C", "D"], n=2, vnodes=4)
    fresh.add_node("E")
    assert all(ring.preference_list(key) == fresh.preference_list(key) for key in keys)
    assert any(ring.preference_list(key) != before[key] for key in keys)
    copy = ring.copy()
    copy.remove_node("A")
    assert all("A" in ring.preference_list(key) for key in keys)
    assert all("A" not in copy.preference_list(key) for key in keys)
