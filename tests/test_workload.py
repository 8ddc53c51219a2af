"""The workload runner: determinism, metrics, fault schedules, validation."""

import math

import pandas as pd
import pytest

from builds import PATCHES_A_SYSTEM
import dynamo_lab as dl
from dynamo_lab import workload
from dynamo_lab.experiments.workload import FRAME_COLUMNS, run


def small_run(seed=0, **options):
    cluster_options = {k: options.pop(k) for k in ("nodes", "n", "r", "w", "sloppy_quorum")
                       if k in options}
    cluster = dl.Cluster(**{"nodes": 5, **cluster_options}, seed=seed)
    return cluster, run(cluster, **{"ops": 300, "keys": 20, "clients": 4, "seed": seed,
                                    **options})


def test_same_seed_same_frame():
    _, a = small_run(seed=3)
    _, b = small_run(seed=3)
    pd.testing.assert_frame_equal(a.frame, b.frame)
    assert a.metrics == b.metrics or all(
        a.metrics[k] == b.metrics[k] or (isinstance(a.metrics[k], float) and math.isnan(a.metrics[k]))
        for k in a.metrics)
    _, c = small_run(seed=4)
    assert not a.frame[["f", "key"]].equals(c.frame[["f", "key"]])


def test_the_workload_is_the_same_across_configurations():
    # The workload's own generator: each client asks for the same keys in the
    # same order whatever N, R and W are.
    _, a = small_run(n=3, r=1, w=1)
    _, b = small_run(n=3, r=3, w=3)
    for client in a.frame["client"].unique():
        first = a.frame[a.frame.client == client][["f", "key"]].head(20).reset_index(drop=True)
        second = b.frame[b.frame.client == client][["f", "key"]].head(20).reset_index(drop=True)
        pd.testing.assert_frame_equal(first, second)


def test_frame_and_metrics_without_faults():
    cluster, report = small_run()
    frame, metrics = report.frame, report.metrics
    assert list(frame.columns) == list(FRAME_COLUMNS)
    assert len(frame) == metrics["ops"] == 300
    assert frame["op_id"].is_unique and frame["op_id"].is_monotonic_increasing
    assert set(frame["f"]) == {"get", "put"}
    assert (frame["status"] == "ok").all()
    assert metrics["read_success_rate"] == metrics["write_success_rate"] == 1.0
    assert metrics["reads"] + metrics["writes"] == 300
    assert (frame["end_ms"] >= frame["start_ms"]).all()
    assert frame["latency_ms"].to_numpy() == pytest.approx(
        (frame["end_ms"] - frame["start_ms"]).to_numpy())
    for kind in ("read", "write"):
        p = metrics[f"quorum_{kind}_latency_ms"]
        assert list(p) == ["p50", "p99", "p99.9"]
        assert 0 <= p["p50"] <= p["p99"] <= p["p99.9"]
    # stale is a boolean for successful reads, missing for writes
    reads = frame[frame.f == "get"]
    assert reads["stale"].notna().all() and frame[frame.f == "put"]["stale"].isna().all()
    assert metrics["duration_ms"] == pytest.approx(frame["end_ms"].max())
    # Every operation is in the cluster's history, and every client is idle.
    assert len(cluster.history) == 2 * 300 and not cluster.history.pending


def test_puts_write_unique_values_with_the_clients_read_context():
    cluster, report = small_run(read_fraction=0.5)
    invocations = [op for op in cluster.history if op.type == "invoke" and op.f == "put"]
    assert len({op.value for op in invocations}) == len(invocations)


def test_crash_of_two_of_three_replicas_fails_some_writes_under_a_strict_quorum():
    cluster = dl.Cluster(nodes=3, n=3, r=2, w=2, seed=1, sloppy_quorum=False)
    report = run(cluster, ops=300, keys=10, clients=4,
                 faults=[(20, "crash", "A"), (20, "crash", "B")])
    m = report.metrics
    assert 0 < m["write_success_rate"] < 1 and 0 < m["read_success_rate"] < 1
    late = report.frame[report.frame.start_ms > 20]
    assert (late["status"] != "ok").all()
    assert set(report.frame["status"]) <= {"ok", "fail", "info"}


def test_stale_reads_with_r_w_one_and_none_with_strict_majority_quorums():
    def stale_pct(r, w, coordinator):
        cluster = dl.Cluster(nodes=5, n=3, r=r, w=w, seed=0, sloppy_quorum=False)
        return run(cluster, ops=1000, keys=100, seed=0,
                   coordinator=coordinator).metrics["stale_read_pct"]

    # Behind a load balancer a read at R = 1 may ask a replica the write has
    # not reached yet...
    assert stale_pct(1, 1, "random") > 0
    # ...but through the key's preferred node, which answers alone at once,
    # every read at R = W = 1 sees that node's own latest write.
    assert stale_pct(1, 1, "preferred") == 0
    assert stale_pct(2, 2, "random") == stale_pct(2, 2, "preferred") == 0


def test_random_coordinators_keep_the_requests_and_spread_the_coordinators():
    def frame(coordinator):
        cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=0)
        return run(cluster, ops=300, keys=20, seed=0, coordinator=coordinator).frame

    preferred, balanced = frame("preferred"), frame("random")
    # Each client draws the same requests in the same order; with other
    # latencies it gets through a different number of them before the end.
    for client, mine in preferred.groupby("client"):
        theirs = balanced[balanced.client == client]
        n = min(len(mine), len(theirs))
        assert n > 10
        assert list(zip(mine.f, mine.key))[:n] == list(zip(theirs.f, theirs.key))[:n]
    assert balanced.coordinator.nunique() == 5
    cluster = dl.Cluster(seed=0)
    with pytest.raises(ValueError, match="coordinator='nearest' is not allowed"):
        run(cluster, ops=10, coordinator="nearest")
    assert len(cluster.history) == 0


def test_stale_flags_agree_with_the_staleness_check():
    cluster, report = small_run(n=3, r=1, w=1)
    flagged = set(report.frame.loc[report.frame["stale"].fillna(False).astype(bool), "op_id"])
    assert flagged == {s.op_id for s in dl.checks.stale_reads(cluster.history)}
    ok_reads = ((report.frame.f == "get") & (report.frame.status == "ok")).sum()
    assert report.metrics["stale_read_pct"] == pytest.approx(100 * len(flagged) / ok_reads)


def test_fault_schedule_applied_at_its_times_relative_to_the_start():
    cluster = dl.Cluster(nodes=5, seed=2)
    cluster.put("warm-up", 1)
    start = cluster.now
    assert start > 0
    report = run(cluster, duration_ms=250, keys=10, clients=4, faults=[
        (120, "recover", "A"), (50, "crash", "A"),
        (80, "partition", ["A", "B"], ["C", "D", "E"]), (200, "heal"),
        (10_000, "crash", "B")])
    kinds = [(f.time - start, f.kind) for f in cluster.faults]
    assert kinds == [(50, "crash"), (80, "partition"), (120, "recover"), (200, "heal")]
    assert report.faults == cluster.faults
    assert cluster.faults[1].groups == (("A", "B"), ("C", "D", "E"))
    assert report.skipped_faults == [(10_000.0, "crash", "B")]
    assert report.start_ms == start
    assert report.frame["start_ms"].min() >= start
    assert report.frame["start_ms"].max() < start + 250
    assert cluster.is_up("A") and cluster.is_up("B") and len(cluster.partitions) == 1


def test_duration_runs_and_think_time():
    cluster = dl.Cluster(nodes=5, seed=0)
    busy = run(cluster, duration_ms=100, clients=4, seed=0)
    cluster = dl.Cluster(nodes=5, seed=0)
    paced = run(cluster, duration_ms=100, clients=4, seed=0, arrival_rate_per_ms=0.5)
    # 0.5 operations per ms for 100 ms: about 50, far fewer than busy clients issue
    assert 20 <= paced.metrics["ops"] <= 90 < busy.metrics["ops"]


def test_zipf_keys_are_skewed():
    cluster = dl.Cluster(nodes=5, seed=0)
    report = run(cluster, ops=1000, keys=100, key_distribution="zipf", zipf_s=1.1)
    counts = report.frame["key"].value_counts()
    assert counts.index[0] == "key00"
    assert counts.iloc[0] > 10 * (1000 / 100)
    uniform = run(dl.Cluster(nodes=5, seed=0), ops=1000, keys=100)
    assert uniform.frame["key"].value_counts().iloc[0] < 30


def test_instant_operations_still_let_time_move_on():
    # Every node down: each operation fails at once; a duration run still ends.
    cluster = dl.Cluster(nodes=3, seed=0)
    for node in "ABC":
        cluster.crash(node)
    report = run(cluster, duration_ms=5, clients=2)
    assert (report.frame["status"] == "fail").all()
    assert 0 < report.metrics["ops"] <= 2 * 5 / workload.INSTANT_OP_GAP_MS + 2
    assert math.isnan(report.metrics["quorum_read_latency_ms"]["p50"])
    assert math.isnan(report.metrics["stale_read_pct"])


def test_progress_lines_go_to_stderr(capsys):
    run(dl.Cluster(nodes=5, seed=0), ops=100, progress=True)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 10 and "100%" in err[-1]
    run(dl.Cluster(nodes=5, seed=0), ops=100)
    run(dl.Cluster(nodes=5, seed=0), ops=100, progress=False)
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("options, message", [
    ({"ops": 10, "duration_ms": 10}, "not both"),
    ({"ops": 0}, "ops must be"),
    ({"ops": 2.5}, "ops must be"),
    ({"duration_ms": -1}, "duration_ms"),
    ({"read_fraction": 1.5}, "read_fraction"),
    ({"keys": 0}, "keys"),
    ({"key_distribution": "pareto"}, "'uniform' or 'zipf'"),
    ({"zipf_s": 0}, "zipf_s"),
    ({"clients": 0}, "clients"),
    ({"arrival_rate_per_ms": 0}, "arrival_rate_per_ms"),
    ({"seed": "x"}, "seed"),
    ({"progress": "yes"}, "progress"),
    ({"faults": [(10, "explode", "A")]}, "crash, recover, partition, heal"),
    ({"faults": [(10, "crash", "Z")]}, "one of A, B, C, D, E"),
    ({"faults": [(-1, "crash", "A")]}, "time_ms"),
    ({"faults": [(10, "partition", ["A", "Q"])]}, "unknown node"),
    ({"faults": [(10, "heal", "A")]}, "no arguments"),
    ({"faults": [(10, "crash", "A"), (20, "crash", "A")]}, "already down"),
    ({"faults": [(10, "recover", "A")]}, "not down"),
    ({"faults": "crash A"}, "list of"),
    ({"faults": [(5, "partition", ["A", "B"], ["B", "C"])]}, "more than one group"),
    ({"faults": [(5, "partition", ["A"], [])]}, "group 2 of the partition is empty"),
    ({"faults": [(5, "partition", ["A"]), (900, "partition", "B")]}, "list of node names"),
])
def test_invalid_arguments_leave_the_cluster_unchanged(options, message):
    cluster = dl.Cluster(nodes=5, seed=0)
    with pytest.raises(ValueError, match=message):
        run(cluster, **options)
    assert cluster.now == 0 and len(cluster.history) == 0 and not cluster.faults
    assert not cluster._clients


@PATCHES_A_SYSTEM
def test_an_error_during_a_run_leaves_no_client_busy(monkeypatch):
    # Validation catches every bad schedule up front; an error raised while
    # the run goes on (here, by a fault action that is itself broken) must
    # still let the clients' operations end, so the next run can start.
    from dynamo_lab.experiments import workload

    cluster = dl.Cluster(nodes=5, seed=0)

    def broken(*args):
        raise RuntimeError("a fault that fails half-way")

    monkeypatch.setattr(cluster, "explode", broken, raising=False)
    monkeypatch.setattr(workload, "FAULT_ACTIONS", (*workload.FAULT_ACTIONS, "explode"))
    with pytest.raises(RuntimeError, match="half-way"):
        run(cluster, ops=200, clients=8, faults=[(5.0, "explode")], progress=False)
    assert all(client.in_flight is None for client in cluster._clients.values())
    assert not cluster.history.pending
    assert run(cluster, ops=50, clients=8, progress=False).metrics["ops"] == 50
