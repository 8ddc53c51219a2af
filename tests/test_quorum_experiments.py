"""Quorum experiments on the simulator agree with quorum arithmetic and PBS."""

from fractions import Fraction

import pytest

import dynamo_lab as dl
from dynamo_lab.pbs import p_stale
from dynamo_lab.consistency import level_size
from dynamo_lab.experiments.quorums import (NEW, OLD, compare_with_pbs, find_stale_read,
                                            operations_with_replicas_down, outside_coordinator,
                                            quorum_latencies, stale_read_frequency)


# -- failures tolerated ---------------------------------------------------------------

@pytest.mark.parametrize("n", [3, 5])
def test_operations_succeed_exactly_when_enough_replicas_are_up(n):
    levels = ("ONE", "QUORUM", "ALL")
    table = operations_with_replicas_down(n, levels)
    assert table.index.tolist() == list(range(n + 1))
    for down, row in table.iterrows():
        for level in levels:
            needed = level_size(level, n)
            assert row[f"get {level}"] == (n - down >= needed), (down, level)
            assert row[f"put {level}"] == (n - down >= needed), (down, level)


# -- latency ---------------------------------------------------------------------------

def test_waiting_for_more_replies_costs_latency_at_every_percentile():
    table = quorum_latencies((1, 2, 3), trials=300, seed=4)
    for operation in ("get", "put"):
        rows = table[table.operation == operation].set_index("k")
        for column in ("mean", "p50", "p90", "p99"):
            values = rows[column].tolist()
            assert values == sorted(values) and values[0] < values[-1], (operation, column)
        assert (rows["p50"] <= rows["p90"]).all() and (rows["p90"] <= rows["p99"]).all()
    assert (table["p50"] > 0).all()  # the coordinator is never a replica


def test_latency_of_one_reply_matches_the_fastest_of_three_round_trips():
    # One round trip is the sum of two exponential legs of mean 1 ms; the
    # fastest of three has mean 1/3 + 3/9 + 6/27 + 6/81 = 0.963 ms.
    table = quorum_latencies((1,), trials=2000, seed=1)
    assert table.loc[table.operation == "get", "mean"].item() == pytest.approx(0.963, rel=0.08)


def test_latencies_repeat_with_the_same_seed():
    a = quorum_latencies((2,), trials=50, seed=9)
    b = quorum_latencies((2,), trials=50, seed=9)
    assert a.equals(b)


def test_latency_rejects_a_size_larger_than_n():
    with pytest.raises(ValueError, match="r=4"):
        quorum_latencies((4,), n=3, trials=1)


# -- stale reads -----------------------------------------------------------------------

@pytest.mark.parametrize("nrw", [(3, 1, 1), (3, 1, 2), (3, 2, 1), (5, 2, 2)])
def test_without_propagation_the_frequency_matches_pbs_eq_1(nrw):
    result = stale_read_frequency(*nrw, trials=600, propagate=False, seed=2)
    assert result.p_stale == p_stale(*nrw)
    assert abs(result.frequency - float(result.p_stale)) < 4 * result.standard_error


@pytest.mark.parametrize("nrw", [(3, 1, 1), (3, 1, 2), (5, 2, 2)])
def test_writes_still_in_flight_make_stale_reads_rarer_than_pbs_eq_1(nrw):
    result = stale_read_frequency(*nrw, trials=600, seed=2)
    assert 0 < result.frequency < float(result.p_stale) - 4 * result.standard_error


@pytest.mark.parametrize("nrw", [(3, 2, 2), (3, 1, 3), (3, 3, 1), (5, 3, 3)])
@pytest.mark.parametrize("propagate", [True, False])
def test_overlapping_quorums_never_read_stale(nrw, propagate):
    result = stale_read_frequency(*nrw, trials=150, propagate=propagate, seed=5)
    assert result.stale == 0 and result.p_stale == Fraction(0)


def test_a_stale_read_asked_only_replicas_without_the_write():
    trial = find_stale_read(3, 1, 1, seed=3)
    assert trial is not None and trial.stale
    assert trial.write.ok and len(trial.write.acks) == 1
    assert set(trial.holders) >= set(trial.write.acks)
    assert trial.read.values == [OLD]
    assert set(trial.read.replies).isdisjoint(trial.holders)
    assert NEW not in trial.read.values


def test_no_stale_read_is_found_when_quorums_overlap():
    assert find_stale_read(3, 2, 2, max_trials=100) is None


def test_stale_reads_reject_bad_arguments():
    with pytest.raises(ValueError, match="trials"):
        stale_read_frequency(3, 1, 1, trials=0)
    with pytest.raises(ValueError, match="w=4"):
        stale_read_frequency(3, 1, 4)


def test_outside_coordinator_needs_a_node_that_is_not_a_replica():
    cluster = dl.Cluster(nodes=3, n=3, seed=0)
    with pytest.raises(ValueError, match="more nodes than N"):
        outside_coordinator(cluster, "k")


def test_comparison_table_holds_both_measurements():
    table = compare_with_pbs([(3, 1, 1), (3, 3, 1)], trials=300, seed=6)
    first, second = table.iloc[0], table.iloc[1]
    assert first["p_stale"] == Fraction(2, 3)
    assert abs(first["write stops at W"] - 2 / 3) < 0.1
    assert first["write keeps going"] < first["write stops at W"]
    assert second["write stops at W"] == second["write keeps going"] == 0.0
