"""Quorum arithmetic, PBS closed forms and hash-mod-N placement (pure model)."""

import hashlib
import itertools
import subprocess
import sys
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dynamo_lab import hash_mod_n, pbs
from dynamo_lab.consistency import LEVELS, level_size, matching_levels
from dynamo_lab.quorum import quorum_facts, quorum_problem

valid_nrw = st.integers(1, 12).flatmap(
    lambda n: st.tuples(st.just(n), st.integers(1, n), st.integers(1, n)))


def brute_force_p_stale(n, r, w):
    """Share of read sets of size R that miss a fixed write set of size W."""
    write = set(range(w))
    reads = list(itertools.combinations(range(n), r))
    return Fraction(sum(not write & set(read) for read in reads), len(reads))


# -- PBS ----------------------------------------------------------------------------

def test_p_stale_reference_values():
    # REFERENCE.md: N = 3, R = W = 1 gives 2/3; any R + W > N gives 0.
    assert pbs.p_stale(3, 1, 1) == Fraction(2, 3)
    assert pbs.p_stale(n=3, r=2, w=2) == 0
    assert isinstance(pbs.p_stale(3, 1, 1), Fraction)


@pytest.mark.parametrize("n", range(1, 7))
def test_p_stale_matches_counting_read_sets(n):
    for r in range(1, n + 1):
        for w in range(1, n + 1):
            assert pbs.p_stale(n, r, w) == brute_force_p_stale(n, r, w), (n, r, w)


@given(valid_nrw)
def test_p_stale_is_zero_exactly_when_quorums_overlap(nrw):
    n, r, w = nrw
    assert (pbs.p_stale(n, r, w) == 0) == (r + w > n)
    assert 0 <= pbs.p_stale(n, r, w) < 1


def test_k_staleness_reference_values():
    # REFERENCE.md: consistent within 2 versions 5/9, within 3 versions 19/27.
    assert pbs.k_staleness(3, 1, 1, 2) == Fraction(5, 9)
    assert pbs.k_staleness(3, 1, 1, 3) == Fraction(19, 27)
    assert pbs.k_staleness(3, 1, 1, 1) == 1 - pbs.p_stale(3, 1, 1)


@given(valid_nrw, st.integers(1, 8))
def test_k_staleness_grows_with_k(nrw, k):
    n, r, w = nrw
    assert pbs.k_staleness(n, r, w, k) <= pbs.k_staleness(n, r, w, k + 1) <= 1


@pytest.mark.parametrize("args, words", [
    ((3, 4, 1), "r=4 is not allowed: r must be from 1 to 3"),
    ((3, 1, 0), "w=0 is not allowed: w must be from 1 to 3"),
    ((0, 1, 1), "n=0 is not allowed"),
    ((3, True, 1), "r must be a whole number"),
    ((3, 1.0, 1), "r must be a whole number"),
])
def test_pbs_rejects_bad_sizes_with_a_message(args, words):
    with pytest.raises(ValueError, match=words):
        pbs.p_stale(*args)


def test_k_staleness_rejects_k_below_one():
    with pytest.raises(ValueError, match="k=0 is not allowed: k must be >= 1"):
        pbs.k_staleness(3, 1, 1, 0)


# -- quorum facts -------------------------------------------------------------------

def test_quorum_facts_for_dynamo_defaults():
    facts = quorum_facts(3, 2, 2)
    assert facts.overlap and facts.writes_overlap
    assert facts.min_overlap == 1
    assert (facts.read_failures_tolerated, facts.write_failures_tolerated) == (1, 1)
    assert facts.p_stale == 0


@pytest.mark.parametrize("n", range(1, 6))
def test_min_overlap_is_the_smallest_possible_intersection(n):
    for r in range(1, n + 1):
        for w in range(1, n + 1):
            smallest = min(len(set(a) & set(b))
                           for a in itertools.combinations(range(n), w)
                           for b in itertools.combinations(range(n), r))
            facts = quorum_facts(n, r, w)
            assert facts.min_overlap == smallest
            assert facts.overlap == (smallest > 0)


@given(valid_nrw)
def test_quorum_facts_agree_with_pbs_and_tolerate_n_minus_quorum(nrw):
    n, r, w = nrw
    facts = quorum_facts(n, r, w)
    assert facts.p_stale == pbs.p_stale(n, r, w)
    assert facts.read_failures_tolerated == n - r
    assert facts.write_failures_tolerated == n - w
    assert facts.writes_overlap == (2 * w > n)


def test_quorum_facts_raise_what_quorum_problem_says():
    with pytest.raises(ValueError, match="r=5 is not allowed"):
        quorum_facts(3, 5, 1)
    assert quorum_problem(3, 5, 1).startswith("R=5 is more than N=3")


@given(st.one_of(st.integers(-3, 12), st.booleans(), st.floats(allow_nan=True), st.none()),
       st.one_of(st.integers(-3, 12), st.booleans(), st.text(max_size=2)),
       st.integers(-3, 12))
def test_quorum_problem_never_raises_and_is_none_only_for_valid_input(n, r, w):
    problem = quorum_problem(n, r, w)
    valid = all(isinstance(v, int) and not isinstance(v, bool) for v in (n, r, w)) \
        and n >= 1 and 1 <= r <= n and 1 <= w <= n
    assert (problem is None) == valid
    if problem is not None:
        assert isinstance(problem, str) and problem.endswith(".")


@pytest.mark.parametrize("n, r, w, words", [
    (3, 2, 4, "W=4 is more than N=3"),
    (3, 0, 1, "R=0 waits for nothing"),
    (0, 1, 1, "N=0 means no replicas"),
    (3, True, 1, "R must be a whole number"),
])
def test_quorum_problem_explains(n, r, w, words):
    assert words in quorum_problem(n, r, w)


# -- consistency levels -------------------------------------------------------------

@pytest.mark.parametrize("n, expected", [
    (1, {"ONE": 1, "QUORUM": 1, "ALL": 1, "ANY": 1}),
    (3, {"ONE": 1, "TWO": 2, "THREE": 3, "QUORUM": 2, "ALL": 3, "ANY": 1}),
    (4, {"ONE": 1, "TWO": 2, "THREE": 3, "QUORUM": 3, "ALL": 4, "ANY": 1}),
    (5, {"ONE": 1, "TWO": 2, "THREE": 3, "QUORUM": 3, "ALL": 5, "ANY": 1}),
])
def test_level_sizes_follow_cassandra(n, expected):
    for level, size in expected.items():
        assert level_size(level, n) == size
        assert level_size(level.lower(), n) == size


def test_quorum_level_is_a_majority():
    for n in range(1, 20):
        q = level_size("QUORUM", n)
        assert 2 * q > n and 2 * (q - 1) <= n


def test_levels_that_need_more_replicas_than_n_are_refused():
    with pytest.raises(ValueError, match="level TWO waits for 2 replicas, but N=1"):
        level_size("TWO", 1)
    with pytest.raises(ValueError, match="unknown consistency level 'MOST'; choose one of ONE"):
        level_size("MOST", 3)
    with pytest.raises(ValueError, match="n must be a whole number >= 1"):
        level_size("ONE", 0)
    assert set(LEVELS) == {"ONE", "TWO", "THREE", "QUORUM", "ALL", "ANY"}


def test_matching_levels():
    assert matching_levels(1, 3) == ["ONE"]
    assert matching_levels(2, 3) == ["TWO", "QUORUM"]
    assert matching_levels(5, 5) == ["ALL"]
    assert matching_levels(4, 9) == []


# -- hash mod N ---------------------------------------------------------------------

def test_owner_is_md5_mod_s():
    keys = hash_mod_n.sample_keys(50)
    nodes = ["A", "B", "C", "D"]
    owners = hash_mod_n.owners_mod_n(keys, nodes)
    for key, (owner,) in zip(keys, owners):
        assert owner == nodes[int(hashlib.md5(key.encode()).hexdigest(), 16) % 4]


def test_replicas_mod_n_are_the_owner_and_the_next_nodes():
    for holders in hash_mod_n.owners_mod_n(hash_mod_n.sample_keys(30), list("ABCDE"), n=3):
        first = "ABCDE".index(holders[0])
        assert holders == tuple("ABCDE"[(first + i) % 5] for i in range(3))


@pytest.mark.parametrize("s", [3, 5, 10])
def test_adding_a_node_moves_about_s_over_s_plus_one(s):
    keys = hash_mod_n.sample_keys(4000)
    before = [f"n{i}" for i in range(s)]
    share = hash_mod_n.fraction_moved(keys, before, before + ["new"])
    assert share == pytest.approx(float(hash_mod_n.expected_fraction_moved(s)), abs=0.03)


def test_hash_mod_n_moves_far_more_than_the_ring():
    from dynamo_lab.ring import Ring

    ring = Ring(list("ABCDE"), n=3, vnodes=16)
    ring_share = ring.add_node("F").fraction_moved
    mod_share = hash_mod_n.fraction_moved(hash_mod_n.sample_keys(2000), list("ABCDE"),
                                          list("ABCDEF"), n=3)
    assert mod_share > 0.85 > ring_share


def test_hash_mod_n_without_change_moves_nothing_and_checks_input():
    keys = hash_mod_n.sample_keys(100)
    assert hash_mod_n.fraction_moved(keys, list("ABC"), list("ABC"), n=2) == 0.0
    with pytest.raises(ValueError, match="keys is empty"):
        hash_mod_n.fraction_moved([], list("ABC"), list("ABCD"))
    with pytest.raises(ValueError, match="n=4 is not allowed"):
        hash_mod_n.owners_mod_n(keys, list("ABC"), n=4)
    with pytest.raises(ValueError, match="must be unique"):
        hash_mod_n.owners_mod_n(keys, ["A", "A"])
    with pytest.raises(ValueError, match="count must be a whole number"):
        hash_mod_n.sample_keys(0)


def test_model_modules_import_no_presentation_library():
    code = ("import sys, dynamo_lab, dynamo_lab.quorum, dynamo_lab.pbs, dynamo_lab.hash_mod_n, "
            "dynamo_lab.views.message_timeline; "
            "print([m for m in ('matplotlib', 'ipywidgets', 'networkx') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"
