"""The packaged versioning scenarios: invariants 12 and 16, with the numbers."""

import pytest

from dynamo_lab.checks import linearizable
from dynamo_lab.experiments.concurrent_writes import lww_clock_skew, sibling_explosion


def test_invariant_16_version_vectors_pile_up_siblings():
    result = sibling_explosion("vector_clock", rounds=100)
    assert result.siblings > 50
    assert result.sibling_counts == sorted(result.sibling_counts)   # it only grows
    assert result.every_add_kept                                    # nothing is lost, though


def test_invariant_16_dotted_version_vectors_keep_exactly_two():
    result = sibling_explosion("dvv", rounds=100)
    assert result.siblings == 2 and result.every_add_kept
    assert max(result.sibling_counts) == 2


def test_invariant_12_lww_loses_a_later_write_acknowledged_by_every_replica():
    result = lww_clock_skew(skew_ms=50)
    assert result.later_write_acknowledged
    assert result.final_values == ["early (skewed clock)"]
    assert linearizable(result.cluster.history).valid is False


def test_invariant_12_without_skew_or_with_vector_clocks_the_later_write_wins():
    assert lww_clock_skew(skew_ms=0).final_values == ["later (correct clock)"]
    assert lww_clock_skew(skew_ms=50, versioning="vector_clock").final_values == [
        "later (correct clock)"]


def test_bad_rounds_are_refused():
    with pytest.raises(ValueError, match="rounds must be a whole number >= 1"):
        sibling_explosion(rounds=0)
