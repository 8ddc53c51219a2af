"""Joining and leaving: ranges move over messages, and nothing acknowledged is lost."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dynamo_lab as dl
from dynamo_lab.checks import converged, lost_writes


def loaded(seed=1, nodes=5, keys=60):
    cluster = dl.Cluster(nodes=nodes, n=3, r=2, w=2, seed=seed)
    for i in range(keys):
        cluster.put(f"key{i}", i)
    cluster.run_until_idle()
    return cluster


def test_a_joining_node_receives_its_ranges_before_it_serves_them():
    cluster = loaded()
    before = {k: cluster.ring.home_replicas(k) for k in cluster.keys()}
    report = cluster.add_node("F")
    assert report.done and report.kind == "join" and report.ranges_moved > 0
    assert 0 < report.fraction_moved < 1 and report.keys_moved > 0 and report.bytes_moved > 0
    gained = [k for k in before if "F" in cluster.ring.home_replicas(k)]
    assert gained, "F should own some keys"
    for key in gained:
        assert cluster.replicas(key).values_at("F") == [int(key[3:])]
    assert all(cluster.get(k).value == int(k[3:]) for k in before)
    assert any(e.kind == "transfer" for e in cluster.trace)
    assert cluster.faults[-1].kind == "join"


def test_a_leaving_node_hands_off_first_and_then_is_gone():
    cluster = loaded()
    report = cluster.remove_node("A")
    assert report.done and "A" not in cluster.nodes and "A" not in cluster.ring.nodes
    cluster.run_until_idle()
    assert all(cluster.get(k).value == int(k[3:]) for k in cluster.keys())


def test_bad_joins_and_leaves_are_refused():
    cluster = dl.Cluster(nodes=3, n=3, seed=0)
    with pytest.raises(ValueError, match="already in the cluster"):
        cluster.add_node("A")
    with pytest.raises(ValueError, match="fewer than N=3"):
        cluster.remove_node("A")
    with pytest.raises(KeyError, match="unknown node 'Z'"):
        cluster.remove_node("Z")
    with pytest.raises(ValueError, match="non-empty strings"):
        cluster.add_node("")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 1000), leaver=st.sampled_from(["A", "B", "C", "D", "E"]),
       versioning=st.sampled_from(["vector_clock", "dvv"]))
def test_invariant_11_holds_across_a_join_and_a_leave_under_concurrent_writes(
        seed, leaver, versioning):
    cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=seed, versioning=versioning)
    clients = [cluster.client(f"c{i}") for i in range(4)]
    rng = cluster.sim.rng
    counter = [0]
    reads: dict = {}

    def keep_busy():
        """Each idle client reads a key, or writes it with the context of its last read."""
        for client in clients:
            if client.in_flight is not None:
                continue
            key = f"key{rng.randrange(8)}"
            last = reads.get((client.name, key))
            if last is None or rng.random() < 0.4:
                op = client.start_get(key)
                reads[(client.name, key)] = op
            else:
                counter[0] += 1
                ctx = last.result.context if last.done and last.result.ok else None
                client.start_put(key, counter[0], context=ctx)
                reads.pop((client.name, key))

    for step in range(60):
        keep_busy()
        cluster.run_for(0.7)
        if step == 20:
            cluster.add_node("F")
        if step == 40:
            cluster.remove_node(leaver)
    cluster.run_until_idle()
    cluster.settle(max_rounds=5)
    assert converged(cluster)
    finals = {key: cluster.get(key, r=3).values for key in cluster.keys()}
    report = lost_writes(cluster.history, finals)
    assert report.ok, (report.lost, report.unexpected)


def test_hint_counts_keep_what_a_departed_node_counted():
    cluster = dl.Cluster(seed=1, failure_detector="oracle")
    home = cluster.ring.home_replicas("k")
    cluster.crash(home[2])
    cluster.put("k", 1)
    cluster.run_until_idle()
    holder = next(n for n in cluster.nodes if cluster.node(n).hints_pending)
    cluster.recover(home[2])
    cluster.run_for(3_000)
    before = cluster.hint_counts
    assert before == {"stored": 1, "delivered": 1, "pending": 0}
    cluster.remove_node(holder)
    assert cluster.hint_counts["stored"] >= 1 and cluster.hint_counts["delivered"] >= 1


def nothing_acknowledged_lost(cluster, keys):
    finals = {f"k{i}": cluster.get(f"k{i}", r="ALL").values for i in range(keys)}
    report = lost_writes(cluster.history, finals)
    return report.ok and report.must


def test_a_lost_transfer_is_sent_again_and_the_join_finishes():
    cluster = dl.Cluster(seed=3, loss=0.3)
    for i in range(30):
        cluster.put(f"k{i}", i)
    report = cluster.add_node("F")
    assert report.done, report
    cluster.run_for(60_000)
    assert cluster.remove_node("B").done
    cluster.network.loss = 0.0                     # reads at ALL need every reply
    cluster.settle()
    assert nothing_acknowledged_lost(cluster, 30)


@pytest.mark.parametrize("who", ["target", "source"])
def test_a_crash_during_the_copy_delays_the_join_but_does_not_wedge_it(who):
    cluster = dl.Cluster(nodes=5, n=3, seed=4)
    for i in range(40):
        cluster.put(f"k{i}", i)
    cluster.run_until_idle()
    # Crash a node half a millisecond into the copy, and bring it back later.
    victim = "F" if who == "target" else "A"
    cluster.sim.schedule(0.5, cluster.crash, victim)
    cluster.sim.schedule(3_000.0, cluster.recover, victim)
    report = cluster.add_node("F")
    assert report.done and report.completed_ms > 0.5, report
    if who == "target":
        assert report.completed_ms >= 3_000.0     # it waited for F to come back
    cluster.run_for(5_000)
    assert cluster.remove_node("C").done          # membership changes go on
    cluster.settle()
    assert nothing_acknowledged_lost(cluster, 40)


def test_a_copy_waiting_for_a_crashed_node_returns_and_goes_on_in_the_background():
    cluster = dl.Cluster(nodes=4, n=3, seed=5)
    for i in range(20):
        cluster.put(f"k{i}", i)
    cluster.run_until_idle()
    cluster.sim.schedule(0.5, cluster.crash, "E")
    report = cluster.add_node("E")                 # E is down for good, for now
    assert not report.done and "copy in progress" in str(report)
    with pytest.raises(ValueError, match="still moving data"):
        cluster.add_node("F")
    cluster.recover("E")
    cluster.run_for(2_000)
    assert report.done and "E" in cluster.ring.nodes
