"""Read repair experiments: the stale replica, the three repair modes, monotonic reads."""

import pytest

from dynamo_lab.checks import linearizable
from dynamo_lab.experiments.read_repair import (NEW, OLD, compare_read_repair, holders,
                                                read_after_recovery, stale_keys_after_reads,
                                                two_reads)


# -- a replica that missed a write, read right after it recovers -------------------------

@pytest.mark.parametrize("mode, at_return, after", [("async", 2, 3), ("blocking", 3, 3),
                                                     (False, 2, 2)])
def test_each_mode_repairs_the_recovered_replica_when_it_promises_to(mode, at_return, after):
    trial = read_after_recovery(mode)
    assert trial.write.ok and trial.down not in trial.write.acks
    assert trial.down in trial.read.replies                         # its stale reply was used
    assert trial.read.replies[trial.down].values == [OLD]
    assert trial.read.values == [NEW]                               # the newer clock won
    assert len(trial.holders_at_return) == at_return
    assert len(trial.holders_after) == after
    assert (trial.down in trial.holders_at_return) == (mode == "blocking")


def test_blocking_repair_costs_a_round_trip():
    table = compare_read_repair()
    latency = table["latency (ms)"]
    assert latency["blocking"] == pytest.approx(latency["async"] + 2.0)   # 1 ms each way
    assert latency["False"] == latency["async"]
    assert table.index.tolist() == ["async", "blocking", "False"]


# -- invariant 5: monotonic reads ---------------------------------------------------------

@pytest.mark.parametrize("mode, r, goes_back", [
    ("async", 2, True), (False, 2, True), ("blocking", 2, False),
    ("blocking", 1, True), ("async", 1, True),
    ("async", 3, False), ("blocking", 3, False), (False, 3, False),
])
def test_a_second_read_goes_back_unless_repair_blocks_and_quorums_overlap(mode, r, goes_back):
    trial = two_reads(mode, r)
    assert trial.first.values == [NEW]
    assert trial.went_back is goes_back
    assert trial.second.values == ([OLD] if goes_back else [NEW])
    assert set(trial.first.replies) == set(trial.home[:r])
    assert set(trial.second.replies) == set(trial.home[-r:])
    assert trial.write.ok                                 # the write completed afterwards
    verdict = linearizable(trial.cluster.history)
    assert verdict.valid is (not goes_back)
    if goes_back:
        assert trial.second.op_id in {op.op_id for op in verdict.witness}


def test_the_newest_version_was_on_one_replica_only_during_the_reads():
    trial = two_reads("async")
    assert trial.holders_at_first_return == trial.home[:1]
    assert two_reads("blocking").holders_at_first_return == trial.home[:2]
    assert holders(trial.cluster, trial.key, NEW) == trial.home      # all caught up later


def test_the_same_seed_gives_the_same_run():
    a, b = two_reads("async", seed=3), two_reads("async", seed=3)
    assert a.cluster.history.to_jsonl() == b.cluster.history.to_jsonl()


# -- read repair only fixes keys that are read ----------------------------------------------

@pytest.mark.parametrize("mode", ["async", "blocking"])
def test_only_the_keys_read_are_repaired(mode):
    result = stale_keys_after_reads(keys=12, read=4, read_repair=mode)
    assert result.stale_before == result.keys
    assert result.stale_after_reads == result.keys[4:]
    assert set(result.in_quorum) <= set(result.read)
    assert result.stale_after_anti_entropy == []


def test_without_read_repair_reads_fix_nothing():
    result = stale_keys_after_reads(keys=6, read=6, read_repair=False)
    assert result.stale_after_reads == result.keys
    assert result.stale_after_anti_entropy == []


# -- bad input ----------------------------------------------------------------------------

@pytest.mark.parametrize("call, match", [
    (lambda: read_after_recovery("sometimes"), "read_repair='sometimes'"),
    (lambda: read_after_recovery(True), "read_repair=True"),
    (lambda: two_reads("async", r=4), "r=4"),
    (lambda: two_reads("async", r=True), "r=True"),
    (lambda: stale_keys_after_reads(keys=3, read=4), "read=4"),
    (lambda: stale_keys_after_reads(keys=0), "keys must be"),
    (lambda: stale_keys_after_reads(down="Z"), "down='Z'"),
])
def test_bad_input_is_refused_with_a_clear_message(call, match):
    with pytest.raises(ValueError, match=match):
        call()
