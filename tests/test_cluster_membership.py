"""The cluster with gossip membership and phi-accrual failure detection."""

import pytest

import dynamo_lab as dl


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
