"""Anti-entropy experiments: cold keys stay stale until anti-entropy runs, and a
Merkle diff costs what the tree's shape says."""

import random

import pytest

import dynamo_lab as dl
from dynamo_lab.experiments.anti_entropy import (NEW, OLD, cold_key_outage, diff_cost,
                                                 diff_costs, hashes_for_differing_keys,
                                                 stale_copies, stale_over_time)
from dynamo_lab.exercises.ex06 import as_levels, merkle_diff
from dynamo_lab.merkle import MerkleTree


# -- cold keys -------------------------------------------------------------------------------

def test_the_down_node_misses_exactly_the_updates_it_is_home_for():
    scenario = cold_key_outage(seed=3, keys=400, updated=20)
    cluster = scenario.cluster
    stale = stale_copies(cluster)
    assert sorted(key for _, key in stale) == sorted(scenario.missed_by_down())
    assert {node for node, _ in stale} == {scenario.down}
    assert cluster.hint_counts["stored"] == 0          # strict quorum: nobody kept a hint
    for _, key in stale:
        assert cluster.replicas(key).values_at(scenario.down) == [OLD]


def test_reads_repair_hot_keys_but_cold_keys_stay_stale_until_anti_entropy():
    scenario = cold_key_outage(seed=3, keys=400, updated=20)
    cluster = scenario.cluster
    hot = scenario.updated[:10]
    for key in hot:
        cluster.get(key)
    cluster.run_until_idle()
    cluster.run_for(3_600_000)
    left = stale_copies(cluster)
    assert left and not any(key in hot for _, key in left)
    report = cluster.anti_entropy()
    assert report.keys_repaired == len(left) and report.pairs_skipped == 0
    assert stale_copies(cluster) == [] and dl.checks.converged(cluster)
    assert cluster.anti_entropy().keys_repaired == 0   # one more round repairs nothing
    for key in scenario.updated:
        assert cluster.get(key).value == NEW


def test_background_anti_entropy_repairs_within_one_interval_of_recovery():
    scenario = cold_key_outage(seed=3, keys=300, updated=10, outage_ms=15_000,
                               anti_entropy_interval_ms=10_000)
    samples = stale_over_time(scenario.cluster, 12_000, 500, keys=scenario.updated)
    assert samples[0][1] == len(scenario.missed_by_down()) > 0
    assert samples[-1][1] == 0
    counts = [c for _, c in samples]
    assert counts == sorted(counts, reverse=True)


def test_the_same_seed_gives_the_same_outage():
    a, b = cold_key_outage(seed=9, keys=200, updated=8), cold_key_outage(seed=9, keys=200,
                                                                           updated=8)
    assert stale_copies(a.cluster) == stale_copies(b.cluster)
    assert a.recovered_at == b.recovered_at


@pytest.mark.parametrize("kwargs", [dict(keys=0), dict(keys=10, updated=11),
                                    dict(updated=-1), dict(down="Z"), dict(outage_ms=-5),
                                    dict(anti_entropy_interval_ms=0)])
def test_bad_outages_are_refused(kwargs):
    with pytest.raises(ValueError):
        cold_key_outage(**kwargs)


def test_stale_over_time_refuses_bad_steps():
    cluster = dl.Cluster(nodes=3, n=3, seed=1)
    with pytest.raises(ValueError):
        stale_over_time(cluster, 100, 0)
    with pytest.raises(ValueError):
        stale_over_time(cluster, -1)


# -- the cost of a diff -----------------------------------------------------------------------

@pytest.mark.parametrize("fanout, depth", [(2, 3), (4, 3), (16, 3), (8, 2)])
def test_one_differing_key_costs_one_plus_fanout_times_depth(fanout, depth):
    assert diff_cost(5000, 0, fanout, depth).hashes_compared == 1
    cost = diff_cost(5000, 1, fanout, depth)
    assert cost.hashes_compared == 1 + fanout * depth
    assert cost.keys_found == 1 and cost.leaves_descended == 1 and cost.full_scan == 5000


def test_cost_grows_with_differing_leaves_and_the_diff_stays_exact():
    table = diff_costs(keys=5000, differing=(0, 1, 10, 100, 1000), fanout=8, depth=3)
    assert (table["keys_found"] == table["differing"]).all()
    assert table["hashes_compared"].is_monotonic_increasing
    assert (table["leaves_descended"] <= table["differing"]).all()
    # The number of matching keys does not matter: 10 differing keys among many
    # more keys cost about the same as among fewer.
    small = diff_cost(2000, 10, 8, 3, seed=1).hashes_compared
    assert small <= 1 + 8 + 8 * 8 + 10 * 8


def test_counting_from_the_differing_keys_alone_matches_full_trees():
    rng = random.Random(5)
    for _ in range(10):
        fanout, depth = rng.choice([(2, 4), (4, 3), (16, 2)])
        keys = {f"key{i}": OLD for i in range(rng.randint(50, 800))}
        differing = rng.sample(sorted(keys), rng.randint(0, 12))
        other = dict(keys, **{k: NEW for k in differing})
        full = MerkleTree.build(keys, fanout, depth).diff(MerkleTree.build(other, fanout, depth))
        assert hashes_for_differing_keys(differing, fanout, depth) == full.hashes_compared


def test_bad_diff_costs_are_refused():
    with pytest.raises(ValueError):
        diff_cost(10, 11)
    with pytest.raises(ValueError):
        diff_cost(0, 0)


# -- the exercise's diff agrees with the model's ---------------------------------------------

def test_exercise_reference_diff_agrees_with_merkle_tree_diff_on_random_trees():
    rng = random.Random(11)
    for _ in range(200):
        fanout, depth = rng.randint(2, 4), rng.randint(1, 4)
        keys = [f"k{i}" for i in range(rng.randint(0, 30))]
        a = {k: "v1" for k in keys}
        b = {k: rng.choice(["v1", "v1", "v1", "v2"]) for k in keys if rng.random() > 0.1}
        ta, tb = MerkleTree.build(a, fanout, depth), MerkleTree.build(b, fanout, depth)
        model = ta.diff(tb)
        assert merkle_diff(as_levels(ta, digits=32), as_levels(tb, digits=32), fanout) == \
            (sorted(model.differing_leaves), model.hashes_compared)
