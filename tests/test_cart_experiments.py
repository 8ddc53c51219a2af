"""Cart experiments: an always-writable cart under a sloppy quorum, a strict quorum
that refuses one side, union merge bringing removed items back, the OR-Set
keeping them removed, and divergent versions growing with contention."""

import pytest

from dynamo_lab.experiments.cart import divergence_study
from dynamo_lab.experiments.cart import (adds_through_partition, cart_through_partition,
                                         divergence_sweep, one_version_share)


def test_sloppy_quorum_acknowledges_every_add_and_union_keeps_them_all():
    run = adds_through_partition(sloppy_quorum=True, carts=6, adds_per_side=2, seed=1)
    assert run.acknowledged == (12, 12) and run.refused == (0, 0)
    assert run.lost == ()
    for key, items in run.final.items():       # both sides' adds are in every cart
        assert items == ["left-1", "left-2", "right-1", "right-2"], key


def test_strict_quorum_lets_exactly_the_side_holding_two_home_replicas_write():
    run = adds_through_partition(sloppy_quorum=False, carts=8, adds_per_side=2, seed=0)
    assert sum(run.refused) > 0 and run.lost == ()
    for key, (left, right) in run.by_cart.items():
        home = run.cluster.ring.home_replicas(key)
        left_home = sum(node in run.sides[0] for node in home)
        assert (left == 2) == (left_home >= 2) and (right == 2) == (3 - left_home >= 2), key
        assert (left == 0) != (right == 0)        # with N = 3, W = 2 exactly one side wins


def test_last_write_wins_loses_one_sides_adds_on_the_same_schedule():
    run = adds_through_partition(sloppy_quorum=True, carts=4, adds_per_side=2,
                                 versioning="lww", seed=1)
    assert run.acknowledged == (8, 8) and len(run.lost) == 8
    assert run != adds_through_partition(sloppy_quorum=True, carts=4, adds_per_side=2, seed=1)


def test_w_above_the_minority_size_refuses_the_minority_side():
    run = adds_through_partition(w=3, carts=3, adds_per_side=1)
    assert run.acknowledged == (0, 3) and run.refused == (3, 0)


def test_runs_repeat_exactly_and_rows_describe_them():
    a = adds_through_partition(carts=3, adds_per_side=1, seed=5)
    assert a == adds_through_partition(carts=3, adds_per_side=1, seed=5)
    row = a.row()
    assert row["quorum"] == "sloppy" and row["acked on A, B"] == 3
    assert row["acked adds lost after heal"] == 0


def test_union_resurrects_only_when_the_other_side_also_wrote():
    alone = cart_through_partition("union", left_ops=[("remove", "book")], right_ops=[])
    assert alone.after == ["pen"]
    both = cart_through_partition("union", left_ops=[("remove", "book")],
                                  right_ops=[("remove", "pen")])
    assert both.left == ["pen"] and both.right == ["book"] and both.after == ["book", "pen"]


def test_orset_keeps_both_removals_and_lets_a_concurrent_add_win():
    both = cart_through_partition("orset", left_ops=[("remove", "book")],
                                  right_ops=[("remove", "pen")])
    assert both.after == []
    readd = cart_through_partition("orset", left_ops=[("remove", "book")],
                                   right_ops=[("add", "book")])
    assert readd.after == ["book", "pen"]


def test_one_version_share_and_its_errors():
    assert one_version_share({1: 9, 2: 1}) == 0.9
    assert one_version_share({2: 4}) == 0.0
    with pytest.raises(ValueError, match="no reads"):
        one_version_share({})
    with pytest.raises(ValueError, match="versions"):
        one_version_share({0: 3})
    with pytest.raises(ValueError, match="dict"):
        one_version_share([1, 2])


def test_sweep_matches_the_study_and_falls_with_contention():
    table = divergence_sweep((1, 4, 32), carts=100, operations=600, seed=2)
    shares = table["share one version"].tolist()
    assert shares[0] == 1.0 and shares[-1] < shares[0]
    counts = divergence_study(carts=100, shoppers=4, operations=600, seed=2)
    assert shares[1] == one_version_share(counts)
    row = table.iloc[2]
    assert row["1 version"] + row["2 versions"] + row["3+ versions"] == row["reads"]


@pytest.mark.parametrize("call, fragment", [
    (lambda: adds_through_partition(carts=0), "carts"),
    (lambda: adds_through_partition(left=["A"], right=["A", "B"]), "both sides"),
    (lambda: adds_through_partition(left=["Z"]), "unknown"),
    (lambda: adds_through_partition(left="AB"), "list of node names"),
    (lambda: adds_through_partition(sloppy_quorum="yes"), "True or False"),
    (lambda: adds_through_partition(w=4), "w=4"),
    (lambda: cart_through_partition("max"), "choose one of"),
    (lambda: cart_through_partition(left_ops=[("drop", "book")]), "each change"),
    (lambda: divergence_sweep(()), "empty"),
    (lambda: divergence_sweep((0,)), "shoppers"),
])
def test_bad_input_is_refused_with_a_clear_message(call, fragment):
    with pytest.raises(ValueError, match=fragment):
        call()
