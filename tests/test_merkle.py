"""Merkle trees: the diff is exact and its cost follows the differences (invariant 9)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dynamo_lab.merkle import MerkleTree
from dynamo_lab.ranges import RING_SIZE, key_position

keys = st.text(alphabet="abcdefgh", min_size=1, max_size=4)
stores = st.dictionaries(keys, st.sampled_from(["v1", "v2", "v3"]), max_size=40)


@settings(max_examples=150, deadline=None)
@given(a=stores, b=stores, fanout=st.integers(2, 5), depth=st.integers(1, 4))
def test_diff_is_exactly_the_keys_missing_or_different(a, b, fanout, depth):
    expected = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
    diff = MerkleTree.build(a, fanout, depth).diff(MerkleTree.build(b, fanout, depth))
    assert sorted(diff.keys) == expected
    assert diff == MerkleTree.build(a, fanout, depth).diff(MerkleTree.build(b, fanout, depth))


@given(a=stores, fanout=st.integers(2, 5), depth=st.integers(1, 4))
def test_identical_replicas_cost_one_comparison(a, fanout, depth):
    diff = MerkleTree.build(a, fanout, depth).diff(MerkleTree.build(dict(a), fanout, depth))
    assert diff.keys == [] and diff.hashes_compared == 1 and diff.path == [(0, 0)]


def test_cost_grows_with_differing_leaves_not_keys():
    big = {f"key{i}": "v1" for i in range(20_000)}
    small = {f"key{i}": "v1" for i in range(200)}
    for store in (big, small):
        changed = dict(store)
        changed["key7"] = "v2"
        diff = MerkleTree.build(store, 4, 4).diff(MerkleTree.build(changed, 4, 4))
        assert diff.keys == ["key7"]
        # One differing leaf: the root plus `fanout` children on each of 4 levels.
        assert diff.hashes_compared == 1 + 4 * 4
        assert len(diff.differing_leaves) == 1


def test_trees_over_a_ring_range_reject_keys_outside_it():
    position = key_position("inside")
    tree = MerkleTree(fanout=2, depth=2, start=position - 1, end=position)
    assert tree.leaf_of("inside") == 0
    with pytest.raises(ValueError, match="outside this tree's range"):
        tree.leaf_of("elsewhere")
    whole = MerkleTree(start=RING_SIZE - 1, end=RING_SIZE - 1)
    assert 0 <= whole.leaf_of("anything") < len(whole.leaves)


@pytest.mark.parametrize("kwargs, message", [
    (dict(fanout=1), "fanout must be a whole number >= 2"),
    (dict(depth=0), "depth must be a whole number from 1 to 12"),
])
def test_bad_shapes_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MerkleTree(**kwargs)


def test_only_matching_trees_compare():
    with pytest.raises(ValueError, match="same range, fanout and depth"):
        MerkleTree.build({}, 2, 2).diff(MerkleTree.build({}, 2, 3))
