"""The shopping cart: union merge resurrects a removed item; the OR-Set does not."""

import pytest

import dynamo_lab as dl
from dynamo_lab.apps.cart import Cart
from dynamo_lab.experiments.cart import divergence_study, resurrection


def test_read_modify_write_keeps_a_single_version_without_conflict():
    cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=1)
    cart = Cart(cluster, "cart:bob")
    for item in ["a", "b", "c"]:
        assert cart.add(item).ok
    assert cart.remove("b").ok
    assert cart.items() == ["a", "c"]
    assert set(cart.versions_seen) == {1}


def test_union_merge_brings_a_removed_item_back_after_the_heal():
    outcome = resurrection("union")
    assert outcome["before"] == ["book", "pen"]
    assert "book" not in outcome["removed on one side"]
    assert "book" in outcome["after heal"] and "lamp" in outcome["after heal"]


def test_divergence_study_counts_reads_by_versions_seen():
    counts = divergence_study(carts=50, shoppers=6, operations=600, seed=2)
    assert sum(counts.values()) <= 600 and counts[1] > 0.9 * sum(counts.values())
    assert any(k > 1 for k in counts)          # contention does create siblings
    assert divergence_study(carts=50, shoppers=6, operations=600, seed=2) == counts


def test_bad_merge_is_refused():
    with pytest.raises(ValueError, match="choose one of"):
        Cart(dl.Cluster(seed=0), "k", merge="max")


def test_an_orset_cart_keeps_the_removed_item_removed():
    outcome = resurrection("orset")
    assert outcome["before"] == ["book", "pen"]
    assert outcome["after heal"] == ["lamp", "pen"]


def test_crdt_siblings_merge_automatically_on_read():
    from dynamo_lab.crdt import GCounter

    cluster = dl.Cluster(nodes=3, n=3, r=2, w=2, seed=4)
    alice, bob = cluster.client("alice"), cluster.client("bob")
    alice.start_put("likes", GCounter().increment("alice", 2))
    bob.start_put("likes", GCounter().increment("bob", 3))
    cluster.run_until_idle()
    read = cluster.get("likes")
    assert len(read.siblings) == 2                   # two concurrent versions stored...
    assert len(read.values) == 1 and read.value.value == 5   # ...one merged value read
