"""Tests for dynamo_lab.experiments.partitioning: the measurements behind lesson 02."""

from __future__ import annotations

import math

import pytest

from dynamo_lab.exercises.ex02 import walk_clockwise
from dynamo_lab.hash_mod_n import fraction_moved, sample_keys
from dynamo_lab.experiments.partitioning import (
    compare_strategies,
    copies_moved,
    copies_moved_mod_n,
    hot_key_weights,
    next_tokens,
    node_names,
    request_load,
    strategy_efficiency,
)
from dynamo_lab.ranges import key_position
from dynamo_lab.ring import Ring, load_balancing_efficiency

KEYS = sample_keys(3000)


def test_preference_list_is_next_tokens_without_repeats():
    for strategy in (1, 2, 3):
        ring = Ring(list("ABCDE"), n=3, vnodes=8, strategy=strategy)
        for key in KEYS[:200]:
            walk = [node for _, node in next_tokens(ring, key, len(ring.tokens))]
            distinct = list(dict.fromkeys(walk))
            assert distinct == ring.preference_list(key)


def test_some_key_meets_a_node_twice_before_n_distinct_nodes():
    # The lesson's example: the raw walk repeats E, the preference list does not.
    ring = Ring(list("ABCDE"), n=3, vnodes=8)
    walk = [node for _, node in next_tokens(ring, "cart:bob", 6)]
    assert walk[:3] == ["E", "C", "E"]
    assert ring.home_replicas("cart:bob") == ["E", "C", "B"]


@pytest.mark.parametrize("count", [0, -1, 25, 2.0, True])
def test_next_tokens_rejects_bad_counts(count):
    with pytest.raises(ValueError, match="count"):
        next_tokens(Ring(list("ABC"), n=1, vnodes=8), "k", count)


def test_ex02_reference_agrees_with_the_ring():
    ring = Ring(list("ABCDEFG"), n=3, vnodes=16)
    for key in KEYS[:300]:
        assert walk_clockwise(key_position(key), ring.tokens, 3) == ring.home_replicas(key)


def test_copies_moved_equals_fraction_moved_with_one_copy():
    ring = Ring(list("ABCD"), n=1, vnodes=32)
    change = ring.add_node("E")
    assert copies_moved(change, n=1) == pytest.approx(change.fraction_moved)


def test_a_join_sends_about_the_newcomers_fair_share_of_copies():
    ring = Ring(list("ABCD"), n=3, vnodes=256)
    change = ring.add_node("E")
    sent = copies_moved(change, n=3)
    assert sent < change.fraction_moved
    assert sent == pytest.approx(1 / 5, abs=0.03)
    # Every copy sent goes to E: it is the only node that gains ranges.
    assert {x for m in change.moved for x in m.gained} == {"E"}


def test_copies_moved_mod_n_matches_the_formula_and_fraction_moved():
    before, after = node_names(10), node_names(11)
    share = copies_moved_mod_n(KEYS, before, after, n=1)
    assert share == pytest.approx(fraction_moved(KEYS, before, after))
    assert share == pytest.approx(10 / 11, abs=0.02)
    assert copies_moved_mod_n(KEYS, before, before, n=3) == 0.0


def test_copies_moved_rejects_bad_input():
    change = Ring(list("AB"), n=1).add_node("C")
    with pytest.raises(ValueError):
        copies_moved(change, n=0)
    with pytest.raises(ValueError):
        copies_moved_mod_n([], ["A"], ["A", "B"])


def test_node_names_differ_between_trials():
    assert node_names(3) == ["n1", "n2", "n3"]
    assert set(node_names(3, trial=1)).isdisjoint(node_names(3))
    with pytest.raises(ValueError):
        node_names(0)


def test_strategy_three_is_exactly_even_on_ring_share():
    for t in (1, 8, 64):
        assert strategy_efficiency(3, t) == 1.0


def test_strategy_one_improves_with_tokens_and_strategy_two_peaks_then_falls():
    rows = compare_strategies((1, 8, 32, 256), trials=3)
    eff = {(r["strategy"], r["tokens_per_node"]): r["efficiency"] for r in rows}
    assert eff[1, 1] < 0.6 < eff[1, 8] < eff[1, 32] < eff[1, 256]
    assert eff[2, 32] > eff[2, 1] and eff[2, 32] > eff[2, 256] + 0.05
    assert all(eff[3, t] == 1.0 for t in (1, 8, 32, 256))
    for r in rows:
        assert r["lowest"] <= r["efficiency"] <= r["highest"]
        assert r["table_size"] == 30 * r["tokens_per_node"]


def test_compare_strategies_rejects_bad_trials():
    with pytest.raises(ValueError, match="trials"):
        compare_strategies((1,), trials=0)


def test_hot_key_weights_add_up_and_split_the_hot_key():
    w = hot_key_weights(KEYS, 0.2, split=4)
    assert math.fsum(w.values()) == pytest.approx(1.0)
    assert [w[f"{KEYS[0]}#{i}"] for i in range(4)] == [pytest.approx(0.05)] * 4
    assert KEYS[0] not in w
    for bad in (dict(hot_share=1.5), dict(hot_share=0.1, split=0)):
        with pytest.raises(ValueError):
            hot_key_weights(KEYS, **bad)
    with pytest.raises(ValueError):
        hot_key_weights(["only"], 0.5)


def test_request_load_adds_up_to_n_and_a_hot_key_caps_efficiency():
    s, n, hot = 10, 3, 0.2
    ring = Ring(node_names(s), n=n, vnodes=32, strategy=3)
    load = request_load(ring, hot_key_weights(KEYS, hot))
    assert math.fsum(load.values()) == pytest.approx(n)
    # Each of the hot key's N replicas serves all of its requests.
    for node in ring.home_replicas(KEYS[0]):
        assert load[node] >= hot
    assert load_balancing_efficiency(load) <= (n / s) / hot
    # Splitting the key spreads it and helps.
    split = request_load(ring, hot_key_weights(KEYS, hot, split=10))
    assert load_balancing_efficiency(split) > load_balancing_efficiency(load)


def test_request_load_rejects_empty_or_negative_weights():
    ring = Ring(list("ABC"), n=1)
    with pytest.raises(ValueError):
        request_load(ring, {})
    with pytest.raises(ValueError):
        request_load(ring, {"a": 1.0, "b": -0.5})
