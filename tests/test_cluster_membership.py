"""The cluster with gossip membership and phi-accrual failure detection."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dynamo_lab as dl
from dynamo_lab.checks import converged, lost_writes


def test_phi_detection_routes_around_a_crashed_node_without_time_outs():
    cluster = dl.Cluster(seed=3, failure_detector="phi")
    cluster.run_for(15_000)                       # heartbeats fill the windows
    home = cluster.ring.home_replicas("k")
    assert cluster.detector.is_healthy(home[0], home[2])
    cluster.crash(home[2])
    cluster.run_for(15_000)
    assert not cluster.detector.is_healthy(home[0], home[2])
    write = cluster.put("k", 1)
    assert write.ok and list(write.hinted.values()) == [home[2]]
    assert not any(op.type == "info" for op in cluster.history)
    cluster.recover(home[2])
    cluster.run_for(15_000)
    assert cluster.detector.is_healthy(home[0], home[2])
    assert cluster.hint_counts["pending"] == 0


def test_joins_and_leaves_are_announced_through_gossip():
    cluster = dl.Cluster(seed=4, failure_detector="phi")
    cluster.add_node("F")
    cluster.remove_node("A")
    cluster.run_for(20_000)
    assert cluster.gossip.converged()
    for node in cluster.nodes:
        view = cluster.gossip.view(node)
        assert view["F"].status == "up" and view["A"].status == "left"


def test_bad_membership_options():
    with pytest.raises(ValueError, match="phi_threshold must be a finite number > 0"):
        dl.Cluster(failure_detector="phi", phi_threshold=0)
    with pytest.raises(ValueError, match="'timeouts', 'oracle', 'phi'"):
        dl.Cluster(failure_detector="gossip")


def test_membership_pictures_draw_what_the_model_measured():
    import matplotlib

    matplotlib.use("Agg")
    from dynamo_lab.membership import spread_curve
    from dynamo_lab.phi_accrual import phi_series
    from dynamo_lab.plots import draw_phi, draw_ring, draw_spread

    cluster = dl.Cluster(seed=5, failure_detector="phi")
    cluster.run_for(10_000)
    crash_at = cluster.now
    cluster.crash("D")
    times, phis = phi_series(cluster, "A", "D", duration_ms=15_000, step_ms=250)
    drawing = draw_phi(times, phis, threshold=8.0, crash_ms=crash_at)
    assert drawing.suspected_at is not None and drawing.suspected_at > crash_at
    assert cluster.detector.is_healthy("A", "D") is False

    curves = {size: spread_curve(size, seed=2) for size in (8, 32)}
    spread = draw_spread(curves)
    assert spread.rounds[32] >= spread.rounds[8] and set(spread.lines) == {8, 32}

    # Data moved by a join: the ring after it, with the ranges that changed hands.
    grown = dl.Cluster(seed=6)
    report = grown.add_node("F")
    ring_drawing = draw_ring(grown.ring, change=report.change)
    assert len(ring_drawing.moved.get_segments()) == report.ranges_moved > 0
    import matplotlib.pyplot as plt

    for figure in (drawing.ax.figure, spread.ax.figure, ring_drawing.ax.figure):
        plt.close(figure)


# -- each node routes by its own view of the ring -------------------------------------

KEYS = [f"key{i}" for i in range(40)]


def test_a_new_ring_reaches_nodes_by_gossip_and_they_route_by_their_own_view():
    cluster = dl.Cluster(seed=6, failure_detector="phi")
    cluster.add_node("F")
    views = cluster.ring_views()
    assert views["F"] == cluster.ring_epoch == 1
    assert 0 in views.values(), "gossip should not have reached everyone at once"
    stale = next(name for name, epoch in views.items() if epoch == 0)
    moved = next(k for k in KEYS if "F" in cluster.ring.home_replicas(k))
    assert cluster.node(stale).ring.preference_list(moved) != cluster.ring.preference_list(moved)
    assert "F" not in [name for name, _ in cluster.select_targets(moved, stale)]
    cluster.run_for(20_000)
    assert set(cluster.ring_views().values()) == {1}
    assert "F" in [name for name, _ in cluster.select_targets(moved, stale)]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), change=st.sampled_from(["join", "A", "B", "C", "D", "E"]),
       strategy=st.sampled_from([1, 2, 3]))
def test_after_a_join_or_leave_every_node_agrees_on_every_preference_list(
        seed, change, strategy):
    cluster = dl.Cluster(nodes=5, n=3, seed=seed, failure_detector="phi", strategy=strategy)
    for i, key in enumerate(KEYS[:10]):
        cluster.put(key, i)
    if change == "join":
        cluster.add_node("F")
    else:
        cluster.remove_node(change)
    cluster.run_for(30_000)
    assert cluster.gossip.converged()
    assert set(cluster.ring_views().values()) == {cluster.ring_epoch}
    for key in KEYS:
        lists = {tuple(cluster.node(name).ring.preference_list(key)) for name in cluster.nodes}
        assert lists == {tuple(cluster.ring.preference_list(key))}


def test_a_write_routed_by_an_old_ring_is_handed_to_the_new_owners():
    """W=1 at a node that lost the key's range but has not heard so yet.

    Cut off, it acknowledges the write alone. Once it hears of the new ring it
    hands the write to the key's new home replicas, so it is not stranded on a
    node that no anti-entropy exchange for that range will ever ask.
    """
    cluster = dl.Cluster(nodes=5, n=3, r=1, w=1, seed=2, failure_detector="phi")
    old = cluster.ring.copy()
    cluster.add_node("F")
    key, loser = next((k, n) for k in KEYS for n in old.home_replicas(k)
                      if n not in cluster.ring.home_replicas(k)
                      and cluster.node(n).ring_epoch == 0)
    cluster.partition([loser], [n for n in cluster.nodes if n != loser])
    write = cluster.put(key, "late", coordinator=loser)
    assert write.ok and cluster.node(loser).ring_epoch == 0
    assert all(key not in cluster.node(n).store for n in cluster.ring.home_replicas(key))
    cluster.heal()
    cluster.run_for(30_000)
    assert cluster.node(loser).ring_epoch == 1
    for owner in cluster.ring.home_replicas(key):
        assert cluster.node(owner).store[key].values == ["late"]
    assert cluster.node(loser).hints_pending == 0


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 1000), leaver=st.sampled_from(["A", "B", "C", "D", "E"]))
def test_invariant_11_holds_while_nodes_disagree_on_the_ring(seed, leaver):
    """Concurrent writes through a join and a leave that gossip spreads slowly."""
    cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=seed, failure_detector="phi",
                         gossip_period_ms=20)
    clients = [cluster.client(f"c{i}") for i in range(4)]
    rng = cluster.sim.rng
    counter = 0
    contexts: dict = {}
    disagreed = False
    for step in range(80):
        for client in clients:
            if client.in_flight is not None:
                continue
            key = f"key{rng.randrange(8)}"
            if rng.random() < 0.4 or (client.name, key) not in contexts:
                contexts[(client.name, key)] = client.start_get(key)
            else:
                last = contexts.pop((client.name, key))
                counter += 1
                ctx = last.result.context if last.done and last.result.ok else None
                client.start_put(key, counter, context=ctx)
        cluster.run_for(4)
        disagreed = disagreed or len(set(cluster.ring_views().values())) > 1
        if step == 20:
            cluster.add_node("F")
        if step == 50:
            cluster.remove_node(leaver)
    assert disagreed
    cluster.run_for(2_000)
    cluster.settle(max_rounds=5)
    assert converged(cluster)
    finals = {key: cluster.get(key, r=3).values for key in cluster.keys()}
    report = lost_writes(cluster.history, finals)
    assert report.ok, (report.lost, report.unexpected)
