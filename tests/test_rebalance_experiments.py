"""Clients running through a join and a leave under gossip membership."""

import pytest

from dynamo_lab.experiments.rebalance import churn_under_load


@pytest.mark.parametrize("seed, leave", [(0, "A"), (3, "C")])
def test_no_acknowledged_write_is_lost_while_nodes_disagree_on_the_ring(seed, leave):
    run = churn_under_load(seed=seed, leave=leave, phase_ms=4_000, clients=3, keys=12)
    assert run.join.done and run.leave.done and run.join.kind == "join"
    assert run.lost.ok, (run.lost.lost, run.lost.unexpected)
    assert run.failed == 0 and run.ops > 1000
    assert 0 < run.misrouted <= run.old_view_ops
    assert run.hints["pending"] == 0
    assert set(run.cluster.ring_views().values()) == {2}
    assert leave not in run.cluster.nodes and "F" in run.cluster.nodes


def test_views_show_the_new_ring_spreading_node_by_node():
    run = churn_under_load(seed=1, phase_ms=4_000, clients=2, keys=10)
    frame = run.views_frame()
    assert list(frame.columns) == ["time_ms", "epoch 0", "epoch 1", "epoch 2"]
    counts = frame[["epoch 0", "epoch 1", "epoch 2"]].sum(axis=1)
    assert set(counts) <= {5, 6}
    between = frame[(frame["time_ms"] > run.join.completed_ms)
                    & (frame["time_ms"] < run.leave.started_ms)]
    assert between["epoch 1"].is_monotonic_increasing and between["epoch 1"].iloc[-1] == 6
    assert (frame["epoch 2"] > 0).sum() > 0 and frame["epoch 2"].iloc[-1] == 5
    for epoch in (1, 2):
        assert run.disagreement_ms(epoch) > 0
    assert run.disagreement_ms(3) is None


@pytest.mark.parametrize("kwargs, message", [
    ({"join": "B"}, "already a node"),
    ({"leave": "Z"}, "is not a node"),
    ({"clients": 0}, "clients must be"),
    ({"tick_ms": -1}, "tick_ms must be"),
])
def test_bad_parameters_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        churn_under_load(**kwargs)
