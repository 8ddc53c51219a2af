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
