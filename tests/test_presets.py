"""Each preset's documented behaviour, shown by a scenario on the simulator."""

import pytest

import dynamo_lab as dl
from dynamo_lab import presets
from dynamo_lab.checks import lost_writes
from dynamo_lab.crdt import GCounter
from dynamo_lab.experiments.preset_runs import compare_presets


def sent(cluster, kind, op_id):
    return [e.dst for e in cluster.trace if e.event == "send" and e.kind == kind
            and e.op_id == op_id]


def concurrent_writes(preset):
    """Two clients write one key, each without having read the other's write."""
    cluster = preset.cluster(seed=4)
    home = cluster.ring.home_replicas("cart")
    cluster.client("alice").put("cart", "book", coordinator=home[0])
    cluster.client("bob").put("cart", "lamp", coordinator=home[1])
    cluster.run_until_idle()
    final = cluster.get("cart", r="ALL" if preset.name == "cassandra" else 3)
    return cluster, final


def test_cassandra_loses_a_concurrent_write_that_riak_keeps_as_a_sibling():
    cluster, final = concurrent_writes(presets.cassandra())
    assert len(final.values) == 1
    assert not lost_writes(cluster.history, {"cart": final.values}).ok
    cluster, final = concurrent_writes(presets.riak())
    assert sorted(final.values) == ["book", "lamp"]
    assert lost_writes(cluster.history, {"cart": final.values}).ok


def test_cassandra_any_succeeds_on_a_hint_with_every_replica_down():
    cluster = presets.cassandra().cluster(seed=2)
    cluster.run_for(15_000)                      # phi needs heartbeats to judge by
    home = cluster.ring.home_replicas("k")
    other = next(n for n in cluster.nodes if n not in home)
    for node in home:
        cluster.crash(node)
    cluster.run_for(15_000)                      # ... and time to suspect them
    assert not cluster.put("k", "v", w="ONE", coordinator=other).ok
    write = cluster.put("k", "v", w="ANY", coordinator=other)
    assert write.ok and write.acks == () and sorted(write.kept_hints) == sorted(home)
    assert "no replica (level ANY)" in repr(write)
    for node in home:
        cluster.recover(node)
    cluster.run_for(20_000)
    assert all(cluster.node(n).store["k"].values == ["v"] for n in home)
    assert cluster.hint_counts["pending"] == 0


def test_cassandra_keeps_hints_at_the_coordinator_where_dynamo_uses_a_fallback():
    for name, expect_fallback in (("cassandra", False), ("dynamo", True)):
        preset = presets.PRESETS[name]()
        cluster = preset.cluster(seed=3, failure_detector="oracle")
        home = cluster.ring.home_replicas("k")
        cluster.crash(home[2])
        write = cluster.put("k", "v", coordinator=home[0])
        assert write.ok
        if expect_fallback:
            assert list(write.hinted.values()) == [home[2]] and not write.kept_hints
        else:
            assert write.hinted == {} and write.kept_hints == (home[2],)
            assert set(write.targets) == set(home[:2])      # never a node outside home


def test_cassandra_levels_and_tokens():
    preset = presets.cassandra()
    cluster = preset.cluster(seed=1)
    assert len(cluster.ring.tokens) == 16 * 5
    assert {name: dl.consistency.level_size(level, 3) for name, level in preset.levels.items()} == {
        "ONE": 1, "TWO": 2, "THREE": 3, "QUORUM": 2, "ALL": 3, "ANY": 1}
    assert cluster.put("k", 1, w="ALL").acks and len(cluster.put("k", 2, w="ALL").acks) == 3
    with pytest.raises(ValueError, match="ANY is a write level"):
        cluster.get("k", r="ANY")
    with pytest.raises(ValueError, match="unknown consistency level 'MOST'"):
        cluster.put("k", 1, w="MOST")


def test_any_needs_hinted_handoff():
    cluster = presets.dynamodb().cluster()
    with pytest.raises(ValueError, match="needs hinted handoff"):
        cluster.put("k", 1, w="ANY")
    assert cluster.history.to_frame().empty        # nothing half-applied


def test_voldemort_reads_ask_only_r_replicas_in_preference_order():
    cluster = presets.voldemort().cluster(seed=5)
    home = cluster.ring.home_replicas("k")
    cluster.put("k", 1)
    read = cluster.get("k", coordinator=home[0])
    assert read.ok and sent(cluster, "get_req", read.op_id) == [home[1]]
    dynamo = presets.dynamo().cluster(seed=5)
    dynamo.put("k", 1)
    read = dynamo.get("k", coordinator=home[0])
    assert sorted(sent(dynamo, "get_req", read.op_id)) == sorted(home[1:])


def test_dynamodb_eventual_reads_can_be_stale_strong_reads_cannot():
    stale = {"eventual": 0, "strong": 0}
    for seed in range(150):
        for level in stale:
            cluster = presets.dynamodb().cluster(seed=seed)
            cluster.put("k", "old")
            cluster.run_until_idle()
            cluster.put("k", "new")                  # returns at W = 2 of 3
            read = cluster.get("k", r=presets.dynamodb().levels[level])
            stale[level] += read.values != ["new"]
    assert stale["eventual"] > 0 and stale["strong"] == 0, stale


def test_riak_merges_crdt_siblings_on_read():
    cluster = presets.riak().cluster(seed=6)
    home = cluster.ring.home_replicas("likes")
    cluster.client("a").put("likes", GCounter().increment("a", 2), coordinator=home[0])
    cluster.client("b").put("likes", GCounter().increment("b", 3), coordinator=home[1])
    cluster.run_until_idle()
    assert cluster.get("likes", r=3).value.value == 5


def test_background_anti_entropy_only_where_the_system_runs_it():
    running = {name: presets.PRESETS[name]().cluster()._anti_entropy_timer is not None
               for name in presets.PRESETS}
    assert running == {"dynamo": True, "cassandra": False, "riak": True, "dynamodb": True,
                       "voldemort": False}


def test_every_preset_documents_what_it_does_and_does_not_reproduce():
    for name, make in presets.PRESETS.items():
        preset = make()
        assert preset.name == name and preset.reproduces and preset.differs
        assert "Does not reproduce" in make.__doc__
        text = preset.describe()
        assert text.startswith(name) and "does not:" in text
        dl.Cluster(**preset.options)              # the options are valid as they stand


def test_bad_preset_requests_are_refused():
    with pytest.raises(ValueError, match="unknown cluster option"):
        presets.riak().cluster(quorum=2)
    with pytest.raises(KeyError, match="unknown preset 'mongodb'"):
        compare_presets(["mongodb"])
    with pytest.raises(ValueError, match="read_fanout='some'"):
        dl.Cluster(read_fanout="some")
    with pytest.raises(ValueError, match="hinted_handoff must be True, False or 'coordinator'"):
        dl.Cluster(hinted_handoff="yes")


def test_comparison_runs_the_same_workload_on_every_preset():
    table = compare_presets(["cassandra", "riak"], duration_ms=3_000, keys=10)
    assert list(table.index) == ["cassandra", "riak"]
    # Last-write-wins drops concurrent writes; siblings keep them.
    assert table.loc["cassandra", "lost writes"] > 0 and table.loc["riak", "lost writes"] == 0
    # A strict quorum refuses some writes in the partition; a sloppy one does not.
    assert table.loc["cassandra", "writes ok"] < table.loc["riak", "writes ok"]
    assert (table[["reads ok", "writes ok", "stale reads"]] <= 1).all().all()


def test_a_warm_failure_detector_refuses_fewer_requests():
    cold = compare_presets(["cassandra"], duration_ms=5_000, keys=10)
    warm = compare_presets(["cassandra"], duration_ms=5_000, keys=10, warmup_ms=30_000)
    assert warm.loc["cassandra", "writes ok"] > cold.loc["cassandra", "writes ok"]
