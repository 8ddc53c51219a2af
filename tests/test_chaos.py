"""Seeded chaos, small enough for make test: nothing lost that a crash does not explain.

Each run drives read-modify-write clients on a six-node cluster through
message loss, crashes (some losing data) and partitions, then stops the
faults and settles (``dynamo_lab.experiments.chaos``). For every run:

- no acknowledged write is lost unless a data-losing crash wiped its last
  copy;
- the cluster comes to rest: every key's home replicas agree, no hint waits;
- ``checks.lost_writes``, reading only the history, finds exactly the losses
  the clients' own record shows.

``benchmarks/chaos.py`` runs the same over 100 seeds and longer runs.
"""

import pytest

from dynamo_lab.experiments.chaos import chaos_run

RUNS = [(seed, data_loss, versioning) for seed in range(4) for data_loss in (True, False)
        for versioning in ("vector_clock", "dvv")]


@pytest.mark.parametrize("seed, data_loss, versioning", RUNS)
def test_chaos_loses_nothing_unexplained_and_settles(seed, data_loss, versioning):
    run = chaos_run(seed, operations=600, data_loss=data_loss, versioning=versioning)
    assert run.acknowledged > 100 and run.faults        # the run did happen, under faults
    assert run.unexplained_losses == [], run.faults
    if not data_loss:
        assert run.lost == {}
    assert run.converged and run.settle.converged, run.settle
    assert run.cluster.hint_counts["pending"] == 0
    assert run.checker_agrees, (run.lost, run.checker_lost)


def test_a_data_losing_crash_can_explain_a_loss_and_the_checker_sees_it():
    # Some seed must show the oracle and the checker agreeing on a real loss,
    # or the agreement above would only ever be about empty reports.
    runs = (chaos_run(seed, operations=1000, data_loss=True) for seed in range(20))
    run = next((r for r in runs if r.lost), None)
    assert run is not None, "no data-losing crash wiped a last copy in 20 seeds"
    assert run.explained == run.lost and run.checker_agrees


def test_chaos_runs_repeat_exactly():
    a, b = chaos_run(3, operations=300), chaos_run(3, operations=300)
    assert a.cluster.history.to_jsonl() == b.cluster.history.to_jsonl()
    assert a.faults == b.faults


def test_chaos_refuses_last_write_wins():
    with pytest.raises(ValueError, match="last-write-wins loses concurrent writes"):
        chaos_run(0, versioning="lww")
