"""Seeded scenarios that show the anomalies of INVARIANTS.md (4, 5, 6, 17, 18),
each beside the configuration that prevents it."""

import pytest

import dynamo_lab as dl
from dynamo_lab.checks import linearizable
from dynamo_lab.latency import Constant


def key_with_home(cluster, wanted, exact_first=None):
    """A key whose home replicas satisfy ``wanted(home)`` (found by MD5, not chance)."""
    for i in range(10_000):
        key = f"key{i}"
        home = cluster.ring.home_replicas(key)
        if wanted(home):
            return key, home
    raise AssertionError("no such key")  # pragma: no cover


# -- invariant 4: a timed-out put is info, and may still become visible ----------

def test_invariant_4_an_info_write_becomes_visible_later():
    c = dl.Cluster(nodes=3, n=3, r=2, w=3, seed=1, latency=Constant(1.0), timeout_ms=20)
    home = c.ring.home_replicas("k")
    c.set_link(home[0], home[2], latency=Constant(50.0))   # slow, not broken
    w = c.put("k", "late", coordinator=home[0])
    assert w.status == "info"
    c.run_until_idle()
    later = c.get("k", r=3, coordinator=home[1])   # home[1] has fast links to both others
    assert later.ok and later.values == ["late"]
    written = {op.value for op in c.history if op.f == "put"}
    assert all(set(op.value) <= written for op in c.history if op.f == "get" and op.type == "ok")


# -- invariant 5: monotonic reads need blocking read repair ------------------------

def monotonic_read_scenario(read_repair):
    c = dl.Cluster(nodes=5, n=3, r=2, w=3, seed=5, latency=Constant(1.0),
                   read_repair=read_repair, failure_detector="oracle")
    key = "profile"
    a, b, cc = c.ring.home_replicas(key)
    d, e = [n for n in c.nodes if n not in (a, b, cc)]
    c.put(key, "v1")
    c.run_until_idle()
    # v2 reaches only A: its copies to B and C are lost.
    context = c.get(key).context
    c.set_link(a, b, loss=1.0)
    c.set_link(a, cc, loss=1.0)
    assert c.put(key, "v2", context=context, w=1, coordinator=a).ok
    c.set_link(a, b, loss=0.0)
    c.set_link(a, cc, loss=0.0)
    c.run_until_idle()
    # First read through D hears A and B first (C is slow to D) ...
    c.set_link(d, cc, latency=Constant(30.0))
    first = c.get(key, coordinator=d)
    # ... the second through E hears B and C first (A is slow to E, B is near).
    c.set_link(e, a, latency=Constant(30.0))
    c.set_link(e, b, latency=Constant(0.1))
    second = c.get(key, coordinator=e)
    return c, first, second, (a, b, cc)


def test_invariant_5_async_read_repair_allows_a_monotonic_read_violation():
    c, first, second, (a, b, cc) = monotonic_read_scenario("async")
    assert set(first.replies) == {a, b} and first.values == ["v2"]
    assert set(second.replies) == {b, cc} and second.values == ["v1"]   # went back in time
    verdict = linearizable(c.history)
    assert verdict.valid is False
    reads = [op for op in verdict.witness if op.f == "get"]
    assert {op.op_id for op in reads} >= {second.op_id}


def test_invariant_5_blocking_read_repair_keeps_reads_monotonic():
    c, first, second, (a, b, cc) = monotonic_read_scenario("blocking")
    assert first.values == ["v2"] and second.values == ["v2"]
    assert linearizable(c.history).valid is True


# -- invariant 6: sloppy quorum, a stale read despite R + W > N ------------------

def sloppy_partition_scenario(sloppy):
    c = dl.Cluster(["n1", "n2", "n3", "n4", "n5"], n=3, r=2, w=2, seed=6,
                   sloppy_quorum=sloppy, failure_detector="oracle")
    minority, majority = ["n1", "n2"], ["n3", "n4", "n5"]
    key, home = key_with_home(c, lambda h: h[0] == "n1" and set(h[1:]) <= set(majority))
    c.partition(minority, majority)
    write = c.put(key, "new", coordinator="n1")
    read = c.get(key, coordinator=home[1])
    return c, key, home, write, read


def test_invariant_6_sloppy_quorum_acknowledges_a_write_the_other_side_cannot_see():
    c, key, home, write, read = sloppy_partition_scenario(True)
    assert write.ok and write.hinted == {"n2": write.hinted["n2"]}   # a fallback acknowledged
    assert read.ok and read.values == []                            # and the read missed it
    assert linearizable(c.history).valid is False
    # After the heal, the hint reaches its owner and the write becomes visible.
    c.heal()
    assert c.deliver_hints() == 1
    assert c.get(key, coordinator=home[1]).values == ["new"]


def test_invariant_6_strict_quorum_makes_one_side_unavailable_instead():
    c, key, home, write, read = sloppy_partition_scenario(False)
    assert write.status == "fail" and read.ok and read.values == []
    assert linearizable(c.history).valid is True


# -- invariant 17: a wiped node must not reuse its clock identity (kv679) -----------

def kv679_scenario(reuse_identity):
    c = dl.Cluster(nodes=3, n=3, r=2, w=2, seed=7, failure_detector="oracle")
    key = "account"
    a = c.ring.home_replicas(key)[0]
    for value in ["v1", "v2", "v3"]:
        c.put(key, value, context=c.get(key).context, coordinator=a)
    c.run_until_idle()
    c.crash(a, lose_data=True, reuse_identity=reuse_identity)
    c.recover(a)
    lost = c.put(key, "after-wipe", coordinator=a)   # a blind write through the wiped node
    c.run_until_idle()
    c.anti_entropy()
    return c, key, lost


def test_invariant_17_reusing_an_identity_loses_an_acknowledged_write():
    c, key, write = kv679_scenario(reuse_identity=True)
    assert write.ok
    assert "after-wipe" not in c.get(key, r=3).values


def test_invariant_17_a_new_identity_per_incarnation_keeps_it():
    c, key, write = kv679_scenario(reuse_identity=False)
    assert write.ok
    assert sorted(c.get(key, r=3).values) == ["after-wipe", "v3"]


# -- invariant 18: tombstones ----------------------------------------------------

def test_invariant_18_a_delete_concurrent_with_a_put_leaves_both_as_siblings():
    c = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=8)
    c.put("cart", ["book"])
    context = c.get("cart").context
    alice, bob = c.client("alice"), c.client("bob")
    alice.start_delete("cart", context=context)
    bob.start_put("cart", ["book", "pen"], context=context)
    c.run_until_idle()
    r = c.get("cart")
    assert r.values == [["book", "pen"]] and r.deleted
    assert sum(s.tombstone for s in r.siblings) == 1


def test_invariant_18_tombstones_go_only_once_every_home_replica_holds_them():
    c = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=8, failure_detector="oracle")
    c.put("k", "v")
    c.run_until_idle()
    home = c.ring.home_replicas("k")
    c.crash(home[2])
    c.delete("k", context=c.get("k").context)
    c.run_until_idle()
    # One home replica missed the delete, so the tombstone must stay.
    replicas = c.replicas("k")
    assert replicas[home[0]].is_tombstone and replicas[home[1]].is_tombstone
    c.recover(home[2])
    c.deliver_hints()
    c.anti_entropy()
    assert c.get("k", r=3).values == []     # the deleted value never returns
    # With every home replica up, a delete removes the key everywhere.
    c.put("j", "x")
    c.run_until_idle()
    c.delete("j", context=c.get("j").context)
    c.run_until_idle()
    assert all(rec is None for rec in c.replicas("j").values())


def test_invariant_18_naive_tombstone_removal_resurrects_a_deleted_value():
    c = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=3, tombstones="naive",
                   failure_detector="oracle", sloppy_quorum=False)
    c.put("k", "v")
    c.run_until_idle()
    home = c.ring.home_replicas("k")
    c.crash(home[2])
    assert c.delete("k", context=c.get("k").context).ok
    c.run_until_idle()
    assert c.get("k").values == []
    c.recover(home[2])
    c.anti_entropy()
    assert c.get("k").values == ["v"]       # back from the dead


@pytest.mark.parametrize("there, back", [(50.0, 50.0), (70.0, 30.0)])
def test_a_reply_arriving_exactly_at_the_deadline_still_feeds_read_repair(there, back):
    # A get is answered by R = 2 replicas at 60 ms; the stale third replica's
    # reply lands at exactly 100 ms, the operation's deadline. It must still
    # be heard (and the replica repaired) before the operation retires,
    # whether the replica sent it before the answer (at 50 ms) or after (70).
    cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=1, latency=Constant(1.0),
                         hinted_handoff=False, timeout_ms=100)
    key = next(f"k{i}" for i in range(1000) if cluster.ring.preference_list(f"k{i}")[0] == "A")
    a, b, slow = cluster.ring.preference_list(key)[:3]
    cluster.put(key, "v1")
    cluster.crash(slow)
    cluster.put(key, "v2", context=cluster.get(key).context, coordinator=a)
    cluster.recover(slow)
    cluster.run_for(2_000)                     # the suspicion of the slow replica runs out
    cluster.set_link(a, b, latency=30.0)
    cluster.set_link(a, slow, latency=there, both_ways=False)
    cluster.set_link(slow, a, latency=back, both_ways=False)
    read = cluster.get(key, coordinator=a)
    cluster.run_for(500)
    assert read.values == ["v2"]
    assert [e.kind for e in cluster.trace.for_op(read.op_id) if e.event == "send"].count("repair") == 1
    assert cluster.node(slow).store[key].values == ["v2"]
