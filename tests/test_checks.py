"""Stale reads, lost writes, convergence, and the anomaly finder."""

import pytest

import dynamo_lab as dl
from dynamo_lab.checks import (converged, divergent_keys, find_anomaly, lost_writes,
                               stale_reads)
from histories import history_of


def test_a_read_after_an_acknowledged_write_that_misses_it_is_stale():
    h = history_of(("a", "put", 1, "ok", 1, 0, 1), ("b", "get", None, "ok", [], 5, 6))
    (stale,) = stale_reads(h)
    assert stale.missed == [1] and stale.versions_behind == 1 and stale.ms_behind == 4.0


def test_overlapping_or_superseded_writes_do_not_make_a_read_stale():
    h = history_of(("a", "put", 1, "ok", 1, 0, 1),
                   ("a", "put", 2, "ok", 2, 2, 3),
                   ("b", "get", None, "ok", [2], 4, 5),           # newest: fine
                   ("c", "put", 3, "ok", 3, 6, 9),
                   ("d", "get", None, "ok", [2], 7, 8))           # 3 still in flight: fine
    assert stale_reads(h) == []


def test_a_read_two_writes_behind_counts_both():
    h = history_of(("a", "put", 1, "ok", 1, 0, 1), ("a", "put", 2, "ok", 2, 2, 3),
                   ("a", "put", 3, "ok", 3, 4, 5), ("b", "get", None, "ok", [1], 6, 7))
    assert stale_reads(h)[0].missed == [2, 3]


def test_lost_writes_must_and_may():
    h = history_of(("a", "put", 1, "ok", 1, 0, 1, ("A", 1)),
                   ("b", "get", None, "ok", [1], 2, 3),
                   ("b", "put", 2, "ok", 2, 4, 5, ("A", 2), [("A", 1)]),   # had read 1
                   ("c", "put", 9, "fail", 9, 6, 7))
    assert lost_writes(h, {"k": [2]}).ok                 # 2 replaced 1 after reading it
    report = lost_writes(h, {"k": [1]})
    assert report.lost == {"k": [2]}
    assert lost_writes(h, {"k": [2, 9]}).unexpected == {"k": [9]}   # a failed write appears


def test_a_processs_next_put_does_not_replace_its_last_without_a_context():
    # The same process writes a, then b, without reading in between: b is a
    # blind write, concurrent with a, so a must survive too.
    h = history_of(("p", "put", "a", "ok", "a", 0, 1, ("A", 1)),
                   ("p", "put", "b", "ok", "b", 2, 3, ("A", 2)))
    assert lost_writes(h, {"k": ["b"]}).lost == {"k": ["a"]}
    assert lost_writes(h, {"k": ["a", "b"]}).ok
    # Only what the context names is replaced, whoever wrote it.
    h = history_of(("p", "put", "a", "ok", "a", 0, 1, ("A", 1)),
                   ("q", "put", "b", "ok", "b", 2, 3, ("B", 1), [("A", 1)]))
    assert lost_writes(h, {"k": ["b"]}).ok


def test_an_indeterminate_or_unanswered_write_may_have_replaced_what_it_had_seen():
    for kind in ("info", None):
        h = history_of(("a", "put", 1, "ok", 1, 0, 1, ("A", 1)),
                       ("b", "put", 2, kind, 2, 2, 3, ("A", 2), [("A", 1)]))
        report = lost_writes(h, {"k": []})
        assert report.ok and report.may == {"k": [1]} and report.must == {}
        assert lost_writes(h, {"k": [2]}).ok     # it may well have landed


def test_lost_writes_reads_a_cluster_history_and_its_export_alike():
    c = dl.Cluster(seed=4)
    c.client("a").put("k", 1)
    read = c.get("k")
    c.client("b").put("k", 2, context=read.context)
    c.client("c").put("k", 3)                      # blind: concurrent with 2
    final = {"k": c.get("k").values}
    again = dl.History.from_jsonl(c.history.to_jsonl())
    for history in (c.history, again):
        report = lost_writes(history, final)
        assert report.ok and report.must == {"k": [2, 3]} and report.may == {"k": [1]}
        assert lost_writes(history, {"k": [2]}).lost == {"k": [3]}


@pytest.mark.parametrize("final, message", [
    (None, "final_reads must map each key"),
    (["a"], "final_reads must map each key"),
    ({"k": 7}, "a final read must be a list of values"),
])
def test_lost_writes_says_what_its_arguments_must_be(final, message):
    with pytest.raises(ValueError, match=message):
        lost_writes(history_of(("a", "put", 1, "ok", 1, 0, 1, ("A", 1))), final)
    with pytest.raises(ValueError, match="history must be a History"):
        lost_writes([("a", "put")], {})


def test_convergence_follows_the_replicas():
    c = dl.Cluster(nodes=5, n=3, r=1, w=1, seed=3)
    c.put("k", 1)
    assert not converged(c) and divergent_keys(c) == ["k"]
    c.run_until_idle()
    assert converged(c)


# The two anomalies the finder must find (invariants 5 and 6), and their absence
# in the configurations that prevent them, from fixed seeds. An absence counts
# only if every seed was tried (no time budget can cut the search short).

def test_finder_shows_a_monotonic_read_violation_without_blocking_read_repair():
    found = find_anomaly("monotonic_read", nodes=3, n=3, r=2, w=2, read_repair="async",
                         seeds=range(2000))
    assert found.found and found.operations <= 4 and found.fault_count == 0
    first, later = found.witness
    assert first.value and not set(first.value) <= set(later.value)
    assert "went back in time" in found.explanation and "schedule:" in found.describe()
    none = find_anomaly("monotonic_read", nodes=3, n=3, r=2, w=2, read_repair="blocking",
                        seeds=range(2000))
    assert not none.found and none.runs == 2000


def test_finder_shows_a_stale_read_under_a_sloppy_quorum_with_r_plus_w_above_n():
    found = find_anomaly("stale_read", n=3, r=2, w=2, seeds=range(1000))
    assert found.found and found.fault_count >= 1 and found.operations <= 4
    assert stale_reads(found.history)
    none = find_anomaly("stale_read", n=3, r=2, w=2, sloppy_quorum=False, seeds=range(1000))
    assert not none.found and none.runs == 1000


def test_finder_finds_lost_writes_only_where_they_can_happen():
    assert find_anomaly("lost_write", n=3, r=2, w=2, versioning="lww", writers=2,
                        seeds=range(200)).found
    none = find_anomaly("lost_write", n=3, r=2, w=2, writers=2, seeds=range(200))
    assert not none.found and none.runs == 200


def test_the_finder_is_deterministic_and_says_when_it_found_nothing():
    a = find_anomaly("non_linearizable", nodes=3, n=3, r=2, w=2, seeds=range(2000))
    b = find_anomaly("non_linearizable", nodes=3, n=3, r=2, w=2, seeds=range(2000))
    assert a.found and (a.seed, a.steps) == (b.seed, b.steps)
    assert a.history.to_jsonl() == b.history.to_jsonl()
    none = find_anomaly("stale_read", n=3, r=2, w=2, sloppy_quorum=False, seeds=range(5))
    assert not none.found and none.runs == 5 and "none found in 5 runs" in repr(none)


@pytest.mark.parametrize("kwargs, message", [
    (dict(kind="phantom"), "unknown anomaly kind 'phantom'"),
    (dict(kind="stale_read", steps=0), "steps must be a whole number >= 1"),
    (dict(kind="stale_read", writers=3), "writers must be 1 or 2"),
    (dict(kind="stale_read", r=5), "r=5 is not allowed"),
])
def test_finder_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        find_anomaly(**kwargs)


def test_a_write_that_read_the_missed_value_supersedes_it():
    # c read 1 while its write was still in flight, then wrote 3 from that read:
    # a read returning 3 did not miss 1, even though 3 began before 1 completed.
    h = history_of(("a", "put", 1, "ok", 1, 0, 10),
                   ("c", "get", None, "ok", [1], 1, 2),
                   ("c", "put", 3, "ok", 3, 3, 4),
                   ("b", "get", None, "ok", [3], 20, 21))
    assert stale_reads(h) == []


def test_a_time_budget_can_cut_a_search_short_and_bad_budgets_are_refused():
    cut = find_anomaly("stale_read", n=3, r=2, w=2, sloppy_quorum=False, seeds=range(1000),
                       time_budget_s=1e-9)
    assert not cut.found and cut.runs < 1000
    with pytest.raises(ValueError, match="time_budget_s must be None or a number"):
        find_anomaly("stale_read", time_budget_s=0)


def test_a_context_older_than_a_write_cannot_have_replaced_it():
    # Riak's kv679: A restarts empty under its old identity, so its next write
    # reuses the event ("A", 1) of "v1". "v2"'s context saw that event, but
    # "v2" was written before "v3" began, so it cannot have replaced "v3".
    cluster = dl.Cluster(nodes=3, n=3, r=2, w=2, seed=1)
    cluster.put("k", "v1", coordinator="A")
    cluster.put("k", "v2", coordinator="A", context=cluster.get("k").context)
    cluster.run_until_idle()
    cluster.crash("A", lose_data=True, reuse_identity=True)
    cluster.recover("A")
    third = cluster.put("k", "v3", coordinator="A")
    cluster.run_until_idle()
    final = cluster.get("k", r="ALL").values
    assert third.ok and "v3" not in final            # acknowledged, then silently lost
    report = lost_writes(cluster.history, {"k": final})
    assert report.lost == {"k": ["v3"]}
    # With a new identity the write is concurrent with "v2" and survives.
    cluster = dl.Cluster(nodes=3, n=3, r=2, w=2, seed=1)
    cluster.put("k", "v1", coordinator="A")
    cluster.put("k", "v2", coordinator="A", context=cluster.get("k").context)
    cluster.run_until_idle()
    cluster.crash("A", lose_data=True)
    cluster.recover("A")
    cluster.put("k", "v3", coordinator="A")
    cluster.run_until_idle()
    final = cluster.get("k", r="ALL").values
    assert "v3" in final and lost_writes(cluster.history, {"k": final}).ok
