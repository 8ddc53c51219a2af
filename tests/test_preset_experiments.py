"""The experiments behind the presets appendix (notebooks/12_real_systems_as_presets) and its deep
dive (notebooks/deep_dives/12_five_systems_one_fault_schedule)."""

import pytest

from dynamo_lab.experiments.preset_runs import (compare_presets, outcomes_by_phase,
                                                request_with_replicas_down, run_preset,
                                                stale_read_kinds)
from dynamo_lab.history import History

SHORT = dict(duration_ms=2_500, keys=10,
             faults=((500.0, "crash", "A"), (1_000.0, "partition", ["B", "C"], ["A", "D", "E"]),
                     (1_500.0, "heal"), (2_000.0, "recover", "A")))


def test_a_compare_presets_row_reports_its_run_of_the_workload():
    table = compare_presets(["voldemort"], **SHORT)
    run = run_preset("voldemort", **SHORT)
    m = run.report.metrics
    assert m["write_success_rate"] == table.loc["voldemort", "writes ok"]
    assert m["read_success_rate"] == table.loc["voldemort", "reads ok"]
    assert m["quorum_read_latency_ms"]["p50"] == table.loc["voldemort", "read p50 (ms)"]


def test_outcomes_by_phase_counts_every_operation_once():
    run = run_preset("dynamodb", **SHORT)
    table = outcomes_by_phase(run.report, SHORT["faults"])
    assert list(table.index) == ["0 ms: start", "500 ms: crash A",
                                 "1000 ms: partition B, C | A, D, E", "1500 ms: heal",
                                 "2000 ms: recover A"]
    frame = run.report.frame
    assert table.to_numpy().sum() == len(frame)
    assert table["writes ok"].sum() == ((frame.f == "put") & (frame.status == "ok")).sum()
    # A strict quorum refuses writes only once the partition has started.
    assert table.loc["0 ms: start", "writes refused"] == 0
    assert table.loc["1000 ms: partition B, C | A, D, E", "writes refused"] > 0


def test_a_warm_up_keeps_the_fault_times_relative_to_the_workload():
    run = run_preset("cassandra", warmup_ms=5_000, **SHORT)
    assert run.report.start_ms == 5_000
    assert [f.time for f in run.report.faults] == [5_500, 6_000, 6_500, 7_000]


def _put(h, process, value, start, end, status="ok"):
    op = h.invoke(process=process, f="put", key="k", value=value, time=start)
    h.complete(op, type=status, value=value, time=end)


def _get(h, process, values, start, end):
    op = h.invoke(process=process, f="get", key="k", value=None, time=start)
    h.complete(op, type="ok", value=values, time=end)


def test_stale_read_kinds_tells_a_lagging_replica_from_a_concurrent_write():
    h = History()
    _put(h, "a", 1, 0, 1)
    _put(h, "a", 2, 2, 3)
    _get(h, "b", [1], 4, 5)            # 1 ended before 2 began: simply out of date
    _put(h, "c", 3, 10, 20)
    _put(h, "d", 4, 11, 12)
    _get(h, "e", [3], 21, 22)          # 3 was in flight when 4 began: ranked above it
    _get(h, "e", [], 23, 24)           # nothing at all: older than every write
    assert stale_read_kinds(h) == {"older value": 2, "concurrent write": 1}
    assert stale_read_kinds(History()) == {"older value": 0, "concurrent write": 0}


def test_cassandra_any_succeeds_on_hints_alone_where_dynamodb_refuses_the_level():
    outcome = request_with_replicas_down("cassandra", write_level="ANY", read_level="ONE",
                                         down=3)
    assert outcome.write.ok and outcome.write.acks == ()
    assert sorted(outcome.write.kept_hints) == sorted(outcome.home) == sorted(outcome.down)
    assert outcome.coordinator not in outcome.home
    assert not outcome.read.ok
    refused = request_with_replicas_down("dynamodb", write_level="ANY")
    assert refused.write is None and "needs hinted handoff" in refused.write_error
    assert "needs hinted handoff" in refused.report()
    read_any = request_with_replicas_down("riak", read_level="ANY")
    assert read_any.read is None and "ANY is a write level" in read_any.read_error


def test_a_sloppy_preset_writes_to_a_fallback_and_reads_the_new_value():
    outcome = request_with_replicas_down("riak", write_level="QUORUM", read_level="QUORUM",
                                         down=1)
    assert outcome.write.ok and outcome.write.hinted and not outcome.write.kept_hints
    assert outcome.read.values == ["new"]          # the write had the read's context
    assert "fallbacks took the write" in outcome.report()


def test_voldemort_times_out_when_one_of_its_r_replicas_is_down_and_unnoticed():
    slow = request_with_replicas_down("voldemort", down=1, oracle=False)
    assert slow.write.ok and slow.read.status == "info"
    known = request_with_replicas_down("voldemort", down=1, oracle=True)
    assert known.read.ok


@pytest.mark.parametrize("kwargs, message", [
    (dict(preset="mongodb"), "unknown preset 'mongodb'"),
    (dict(preset="riak", down=4), "down must be a whole number from 0 to 3"),
    (dict(preset="riak", down=True), "down must be a whole number"),
    (dict(preset="riak", oracle="yes"), "oracle must be True or False"),
])
def test_bad_requests_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        request_with_replicas_down(**kwargs)


def test_bad_warm_up_is_refused():
    with pytest.raises(ValueError, match="warmup_ms must be a finite number >= 0"):
        run_preset("riak", warmup_ms=-1)
