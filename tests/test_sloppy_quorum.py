"""Sloppy quorums and hinted handoff across a partition (lesson 05's experiments)."""

import pytest

import dynamo_lab as dl
from dynamo_lab.checks import linearizable, stale_reads
from dynamo_lab.exercises.ex05 import _hint_targets
from dynamo_lab.experiments.sloppy_quorums import (NEW_CART, OLD_CART, handoff_after_heal,
                                                   key_with_home, partitioned_cart,
                                                   write_availability, writes_across_partition)

SPLIT = (["A", "B"], ["C", "D", "E"])


@pytest.mark.parametrize("groups, coordinator", [(SPLIT, "A"), (SPLIT, "C"),
                                                 ((["A"], ["B", "C", "D", "E"]), "A"),
                                                 ((["A", "B", "C"], ["D", "E"]), "D")])
@pytest.mark.parametrize("w", [1, 2])
def test_a_write_succeeds_exactly_when_invariant_2_says(groups, coordinator, w):
    side = set(next(g for g in groups if coordinator in g))
    strict = writes_across_partition(groups, coordinator, sloppy_quorum=False, w=w, writes=15)
    sloppy = writes_across_partition(groups, coordinator, sloppy_quorum=True, w=w, writes=15)
    assert strict.keys == sloppy.keys and strict.homes == sloppy.homes
    for home, s, l in zip(strict.homes, strict.results, sloppy.results):
        assert s.ok == (sum(node in side for node in home) >= w), home
        assert l.ok == (len(side) >= w)
        assert not s.hinted or not s.ok          # a strict write never leaves a hint
        if l.ok:
            assert set(l.acks) <= side
            assert all(owner in home and owner not in side for owner in l.hinted.values())
    frame = strict.to_frame()
    assert list(frame["ok"]) == [r.ok for r in strict.results]
    assert (frame["hints"] == "").all()


def test_each_key_is_strictly_writable_on_exactly_one_side_of_a_two_three_split():
    table = write_availability(SPLIT, writes=20)
    assert table["strict"].sum() == 20
    assert table["sloppy"].tolist() == [20, 20]


def test_the_exercise_reference_makes_the_simulators_own_choice_of_targets():
    cluster = dl.Cluster(nodes=6, n=3, seed=0, failure_detector="oracle")
    for groups in [(["A", "B"], ["C", "D", "E", "F"]), (["A", "B", "C"], ["D", "E", "F"]),
                   (["A"], ["B", "C", "D", "E", "F"])]:
        cluster.partition(*groups)
        for i in range(40):
            key = f"key{i}"
            walk = cluster.ring.preference_list(key)
            for coordinator in cluster.nodes:
                side = next(g for g in groups if coordinator in g)
                down = [node for node in cluster.nodes if node not in side]
                assert dict(cluster.select_targets(key, coordinator)) == \
                    _hint_targets(walk, down, 3), (key, coordinator, groups)
        cluster.heal()


def test_partitioned_cart_misses_a_sloppy_write_and_sees_it_after_handoff():
    setup = partitioned_cart()
    cluster, key, home = setup.cluster, setup.key, setup.home
    assert home[0] in setup.small and set(home[1:]) <= set(setup.large)
    write = cluster.put(key, NEW_CART, context=setup.context, coordinator=home[0])
    assert write.ok and len(write.hinted) == 1
    (fallback, owner), = write.hinted.items()
    assert fallback in setup.small and owner == home[1]
    cluster.run_until_idle()
    read = cluster.get(key, coordinator=home[1])
    assert read.ok and read.values == [OLD_CART]              # stale, although R + W > N
    assert [s.op_id for s in stale_reads(cluster.history)] == [read.op_id]
    assert linearizable(cluster.history).valid is False
    cluster.heal()
    cluster.run_for(cluster.hint_interval_ms + 10)
    assert cluster.hint_counts == {"stored": 1, "delivered": 1, "pending": 0}
    assert cluster.get(key, coordinator=home[1]).values == [NEW_CART]


def test_a_strict_partitioned_cart_refuses_the_write_and_stays_fresh():
    setup = partitioned_cart(sloppy_quorum=False)
    cluster, key, home = setup.cluster, setup.key, setup.home
    assert cluster.put(key, NEW_CART, context=setup.context, coordinator=home[0]).status == "fail"
    assert cluster.get(key, coordinator=home[1]).values == [OLD_CART]
    assert linearizable(cluster.history).valid is True


def test_handoff_on_off_and_slow():
    on = handoff_after_heal()
    assert on.durable and on.home_holders == on.home[:2] and on.hint_counts["pending"] == 0
    off = handoff_after_heal(hinted_handoff=False)
    assert off.write.ok and not off.durable and off.home_holders == off.home[:1]
    assert off.hint_counts["stored"] == 0
    slow = handoff_after_heal(hint_interval_ms=5000)
    assert not slow.durable and slow.hint_counts["pending"] == 1
    assert handoff_after_heal(hint_interval_ms=5000, wait_ms=6000).durable
    strict = handoff_after_heal(sloppy_quorum=False)
    assert strict.write.status == "fail" and strict.home_holders == []


def test_the_same_seed_gives_the_same_outcome():
    a, b = handoff_after_heal(seed=3), handoff_after_heal(seed=3)
    assert a.write.acks == b.write.acks and a.cluster.now == b.cluster.now


def test_bad_input_is_refused_with_a_clear_message():
    cluster = dl.Cluster(nodes=5, n=3, seed=0)
    with pytest.raises(ValueError, match="none of the keys"):
        key_with_home(cluster, lambda home: False, limit=5)
    with pytest.raises(ValueError, match="limit"):
        key_with_home(cluster, lambda home: True, limit=0)
    with pytest.raises(ValueError, match="two or more"):
        writes_across_partition((["A", "B"],), "A", sloppy_quorum=True)
    with pytest.raises(ValueError, match="unknown node"):
        writes_across_partition((["A", "Z"], ["C"]), "A", sloppy_quorum=True)
    with pytest.raises(ValueError, match="one group only"):
        writes_across_partition((["A", "B"], ["B", "C"]), "A", sloppy_quorum=True)
    with pytest.raises(ValueError, match="unknown coordinator"):
        writes_across_partition(SPLIT, "Q", sloppy_quorum=True)
    with pytest.raises(ValueError, match="writes"):
        writes_across_partition(SPLIT, "A", sloppy_quorum=True, writes=0)
    with pytest.raises(ValueError, match="at least one node"):
        write_availability((["A", "B"], []))
    with pytest.raises(ValueError, match="fixes n"):
        partitioned_cart(n=2)
    with pytest.raises(ValueError, match="wait_ms"):
        handoff_after_heal(wait_ms=-1)
