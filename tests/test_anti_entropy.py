"""Anti-entropy over messages: repairs cold keys, costs follow differences,
and with handoff it makes every replica agree (invariant 10)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dynamo_lab as dl
from fault_schedules import apply_fault, end_faults, fault_steps, settle

NODES = ["A", "B", "C", "D", "E"]


def test_a_cold_key_stays_stale_until_anti_entropy_repairs_it():
    cluster = dl.Cluster(nodes=5, n=3, r=1, w=2, seed=9, read_repair=False,
                         sloppy_quorum=False)
    home = cluster.ring.home_replicas("cold")
    cluster.crash(home[2])
    assert cluster.put("cold", "v1", coordinator=home[0]).ok
    cluster.recover(home[2])
    cluster.run_for(60_000)
    assert cluster.replicas("cold").values_at(home[2]) == []   # time alone fixes nothing
    report = cluster.anti_entropy()
    assert report.keys_repaired == 1 and report.repaired == [(home[2], "cold")]
    assert cluster.replicas("cold").values_at(home[2]) == ["v1"]
    assert any(e.kind.startswith("ae_") for e in cluster.trace)
    assert cluster.anti_entropy().keys_repaired == 0


def test_hashes_exchanged_follow_the_differences_not_the_keys():
    cluster = dl.Cluster(nodes=3, n=3, r=1, w=3, seed=1, read_repair=False)
    for i in range(600):
        cluster.put(f"key{i}", i)
    cluster.run_until_idle()
    quiet = cluster.anti_entropy()
    # Identical replicas: one root hash per (range, pair).
    assert quiet.keys_repaired == 0
    assert quiet.hashes_exchanged == quiet.pairs_compared
    # A full scan would compare every key once per replica pair of its range.
    assert quiet.keys_compared_by_full_scan == 600 * 3
    # Make one replica miss one write.
    home = cluster.ring.home_replicas("key7")
    cluster.crash(home[2])
    cluster.put("key7", "new", context=cluster.get("key7").context, w=2)
    cluster.recover(home[2])
    cluster.run_until_idle()
    busy = cluster.anti_entropy()
    # Summaries cannot tell which side is newer, so a differing key travels
    # both ways, in each of the (at most two) pairs that include the stale replica.
    assert busy.keys_repaired == 1 and 2 <= busy.keys_transferred <= 4
    extra = busy.hashes_exchanged - quiet.hashes_exchanged
    assert 0 < extra <= 2 * (4 * 3)   # two pairs descend one path of fanout 4, depth 3
    assert busy.hashes_exchanged < busy.keys_compared_by_full_scan / 5


def test_pairs_that_cannot_talk_are_skipped():
    cluster = dl.Cluster(nodes=3, n=3, r=1, w=1, seed=1)
    cluster.put("k", 1)
    cluster.partition(["A"], ["B", "C"])
    report = cluster.anti_entropy()
    assert report.pairs_skipped > 0 and report.pairs_compared > 0


def test_background_anti_entropy_repairs_without_blocking_idle():
    cluster = dl.Cluster(nodes=5, n=3, r=1, w=2, seed=9, read_repair=False,
                         sloppy_quorum=False)
    home = cluster.ring.home_replicas("cold")
    cluster.crash(home[2])
    cluster.put("cold", "v1", coordinator=home[0])
    cluster.recover(home[2])
    cluster.start_anti_entropy(interval_ms=500)
    cluster.run_until_idle()
    assert cluster.replicas("cold").values_at(home[2]) == []
    cluster.run_for(1_000)
    assert cluster.replicas("cold").values_at(home[2]) == ["v1"]
    assert cluster.anti_entropy_rounds
    cluster.stop_anti_entropy()


step = st.one_of(
    st.tuples(st.just("put"), st.sampled_from(["k1", "k2", "k3"]), st.integers(0, 2)),
    st.tuples(st.just("get"), st.sampled_from(["k1", "k2", "k3"]), st.integers(0, 2)),
    *fault_steps(NODES, lose_data=True, waits=True),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schedule=st.lists(step, max_size=30), seed=st.integers(0, 1000),
       versioning=st.sampled_from(["vector_clock", "dvv", "lww"]),
       read_repair=st.sampled_from(["async", "blocking", False]))
def test_invariant_10_after_faults_stop_every_replica_agrees(schedule, seed, versioning,
                                                             read_repair):
    cluster = dl.Cluster(NODES, n=3, r=2, w=2, seed=seed, versioning=versioning,
                         read_repair=read_repair)
    clients = [cluster.client(f"c{i}") for i in range(3)]
    for index, action in enumerate(schedule):
        kind = action[0]
        if kind in ("put", "get"):
            client = clients[action[2]]
            if client.in_flight is None:
                if kind == "put":
                    client.start_put(action[1], index)
                else:
                    client.start_get(action[1])
        else:
            apply_fault(cluster, action)
    # The faults stop: heal, recover, deliver hints, then anti-entropy until quiet.
    end_faults(cluster)
    settle(cluster)
    assert cluster.hint_counts["pending"] == 0
    assert cluster.anti_entropy().keys_repaired == 0
    for key in cluster.keys():
        replicas = cluster.replicas(key)
        records = {replicas.get(node) for node in replicas.home}
        assert len(records) == 1, (key, replicas)
        # R = 1 reads agree from every coordinator.
        seen = {tuple(map(repr, cluster.get(key, r=1, coordinator=c).values)) for c in NODES}
        assert len(seen) == 1, (key, seen)


def test_settle_delivers_hints_whose_owners_were_suspected_and_comes_to_rest():
    # During a partition, writes go to fallbacks as hints, and the
    # coordinators' time-outs make them suspect the far side. Right after the
    # heal those suspicions still stand; settle must outlast them.
    cluster = dl.Cluster(nodes=6, n=3, r=2, w=2, seed=7, timeout_ms=30)
    cluster.partition(["A", "B", "C"])
    clients = [cluster.client(f"c{i}") for i in range(4)]
    for i in range(80):
        client = clients[i % 4]
        if client.in_flight is None:
            client.start_put(f"k{i % 12}", i)
        cluster.run_for(3)
    cluster.run_until_idle()
    assert cluster.hint_counts["pending"] > 0
    cluster.heal()
    report = cluster.settle()
    assert report.converged and report.hints_delivered > 0, report
    assert cluster.hint_counts["pending"] == 0 and dl.checks.converged(cluster)
    assert "at rest after" in str(report)


def test_settle_says_what_keeps_the_cluster_from_rest():
    cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=2, failure_detector="oracle")
    cluster.crash("C")
    for i in range(20):
        cluster.put(f"k{i}", i)
    cluster.partition(["A"])
    report = cluster.settle(max_rounds=3)
    assert not report.converged and report.rounds == 3
    text = " ".join(report.blocked)
    assert "node C is down (recover it)" in text and "hints wait for it" in text
    assert "a partition separates [A]" in text
    cluster.heal()
    cluster.recover("C")
    assert cluster.settle().converged
