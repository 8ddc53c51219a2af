"""Leader-based topologies and the side-by-side failover experiment (lesson 01).

Bounds on write downtime are derived from the protocol, not fitted:

* followers suspect the leader ``T = failover_timeout_ms`` after the last
  message they received from it. Under a steady write stream that message is
  the last write shipped before the crash (sync, semi-sync: every write is
  shipped at once, so at most one write interval ``dt`` before the crash);
* the suspect then pauses for a random part of a heartbeat interval ``h``,
  canvasses (one round trip), stands (one round trip) and may send one
  ``promote`` message: a few ms with 1 ms mean latency;
* the workload samples time every ``dt``, and the downtime is measured from
  the first failed write to the last one, so it can read up to ``dt`` short
  at each end.

Hence ``T - 2*dt <= downtime <= T + h + dt + (one retried election: 2*h)``,
where an async leader ships every ``ship_interval_ms`` instead of at once, so
its lower bound is ``T - ship_interval_ms - dt``.
"""

import subprocess
import sys

import pytest
from builds import WRONG_TYPE

import dynamo_lab as dl
from dynamo_lab.topologies import (CONFLICT_MODES, EVENT_KINDS, PROMOTION_RULES, REPLICATION_MODES,
                                   REPORT_COLUMNS, MultiLeader, SingleLeader, compare_topologies,
                                   failover_experiment)

T, H, DT, SHIP = 1000.0, 100.0, 10.0, 50.0
#: The longest a follower goes without a message from a busy leader: every
#: write is shipped at once in the sync modes, in batches under async.
QUIET = {"sync": DT, "semi_sync": DT, "async": SHIP}
CRASH, RECOVER, DURATION = 1000.0, 3000.0, 4000.0

SINGLE_LEADER_MESSAGES = {"append", "heartbeat", "append_ack", "append_nack", "append_reject",
                          "prevote_req", "prevote", "vote_req", "vote", "promote", "hello"}


def single(mode, **options):
    return lambda seed: SingleLeader(3, mode, seed, failover_timeout_ms=T,
                                     heartbeat_interval_ms=H, **options)


def experiment(system, seed=0, **options):
    """Run the standard experiment; ``system`` is a factory or an already-built system."""
    built = hasattr(system, "sim")
    settings = dict(crash_at_ms=CRASH, recover_at_ms=RECOVER, duration_ms=DURATION,
                    write_interval_ms=DT, seed=None if built else seed)
    settings.update(options)
    return failover_experiment(system, **settings)


def snapshot(system):
    """Everything a refused call must leave as it was."""
    return (system.now, system.history.to_jsonl(), len(system.trace), list(system.events),
            system.down, system.partitions,
            {k: system.replicas(k) for k in ("k", "x")})


def read_back(system, keys):
    """What the current write path (leader or first leader) returns for each key."""
    return {k: system.get(k).values for k in keys}


# -- single leader: the three replication modes -----------------------------------------

def test_sync_acknowledges_after_every_follower_and_async_after_the_leader_alone():
    sync = SingleLeader(3, "sync", seed=0)
    w = sync.put("k", "v")
    assert w.ok and w.acks == ("A", "B", "C") and w.latency_ms > 0
    semi = SingleLeader(3, "semi_sync", seed=0).put("k", "v")
    assert semi.ok and len(semi.acks) == 2 and semi.acks[0] == "A"
    fast = SingleLeader(3, "async", seed=0).put("k", "v")
    assert fast.ok and fast.acks == ("A",) and fast.latency_ms == 0.0
    assert sync.history[-1].type == "ok" and sync.history[-1].node == "A"


def test_async_followers_serve_stale_reads_until_the_batch_arrives():
    sl = SingleLeader(3, "async", seed=2, ship_interval_ms=50)
    sl.put("k", "v1")
    assert sl.get("k").values == ["v1"]                   # the leader has it
    assert sl.get("k", coordinator="B").values == []      # the follower does not, yet
    assert sl.lag == {"A": 0, "B": 1, "C": 1}
    sl.run_until_idle()
    assert sl.get("k", coordinator="B").values == ["v1"] and sl.lag["B"] == 0


def test_followers_refuse_writes_and_messages_are_in_the_trace():
    sl = SingleLeader(3, "sync", seed=0)
    w = sl.put("k", "v", coordinator="B")
    assert w.status == "fail" and "not the leader" in w.error
    assert sl.put("k", "v").ok
    kinds = {e.kind for e in sl.trace}
    assert {"append", "append_ack", "heartbeat"} <= kinds <= SINGLE_LEADER_MESSAGES
    ok = sl.history[-1]
    assert [e.kind for e in sl.trace.for_op(ok.op_id) if e.event == "send"] == ["append", "append"]
    assert any(e.version == "e1:1" for e in sl.trace)     # epoch 1, entry 1
    assert {e.version for e in sl.trace if e.kind == "heartbeat"} == {"e1"}


def test_a_dead_follower_blocks_sync_writes_until_it_is_dropped_then_they_resume():
    sl = SingleLeader(3, "sync", seed=3, failover_timeout_ms=T, heartbeat_interval_ms=H)
    sl.crash("C")
    results = []
    for i in range(150):
        results.append(sl.client(f"c{i}").start_put(f"k{i}", i))
        sl.run_for(DT)
    sl.run_until_idle()
    statuses = [p.result.status for p in results]
    first_ok = statuses.index("ok")
    # Waiting for C until the leader has not heard from it for T.
    assert set(statuses[:first_ok]) == {"info"}
    assert T - DT - H <= first_ok * DT <= T
    assert set(statuses[first_ok:]) == {"ok"}
    assert all(p.result.acks == ("A", "B") for p in results[first_ok:])


# -- single leader: failover ------------------------------------------------------------

@pytest.mark.parametrize("seed", range(4))
def test_sync_failover_loses_nothing_and_is_down_for_about_the_failover_timeout(seed):
    report = experiment(single("sync"), seed=seed)
    assert report.acknowledged_lost == 0 and report.victim == "A"
    assert T - QUIET["sync"] - DT <= report.write_downtime_ms <= T + 3 * H + DT
    # The outage starts at the crash: nothing failed before it.
    assert CRASH - DT <= report.downtime_from_ms <= CRASH + DT
    failed = [w for w in report.writes if w.status != "ok"]
    assert all(CRASH - DT <= w.invoked_ms <= report.downtime_to_ms for w in failed)
    assert report.writes_failed == len(failed)
    assert report.writes_attempted == DURATION / DT


def test_failover_events_tell_the_story_and_the_new_leader_takes_writes():
    sl = SingleLeader(3, "sync", seed=1, failover_timeout_ms=T, heartbeat_interval_ms=H)
    sl.put("x", 1)
    sl.crash("A")
    w = sl.put("x", 2)
    assert w.status == "fail" and "no follower has been promoted" in w.error
    assert sl.history[-1].type == "fail"
    sl.run_for(T + 3 * H)
    kinds = [e.kind for e in sl.events]
    assert kinds[0] == "crash" and "suspect" in kinds and kinds[-1] == "promote"
    assert set(kinds) <= set(EVENT_KINDS)
    assert sl.leader in ("B", "C") and sl.epoch == 2 and sl.roles["A"] == "down"
    assert sl.put("x", 3).acks == (sl.leader, "B" if sl.leader == "C" else "C")
    assert sl.get("x").value == 3


@pytest.mark.parametrize("seed", range(3))
def test_async_failover_loses_acknowledged_writes_and_the_report_counts_them_exactly(seed):
    system = single("async")(seed)
    report = experiment(system)
    assert report.acknowledged_lost > 0
    acknowledged = [w for w in report.writes if w.status == "ok"]
    # Cross-check by reading every acknowledged key through the leader.
    readable = read_back(system, [w.key for w in acknowledged])
    missing = sorted(w.key for w in acknowledged if readable[w.key] != [w.value])
    assert missing == sorted(report.lost_keys) and len(missing) == report.acknowledged_lost
    # They are exactly the acknowledged entries the old leader discarded.
    discarded = {entry.key for _, node, entry in system.discarded if node == "A"}
    assert discarded == set(missing)
    assert all(w.invoked_ms < CRASH for w in acknowledged if w.key in discarded)
    # Every node ends with the same log.
    logs = {n: system.log(n) for n in system.nodes}
    assert logs["A"] == logs["B"] == logs["C"]


def test_a_burst_then_a_crash_loses_the_whole_unshipped_burst():
    sl = SingleLeader(3, "async", seed=5, failover_timeout_ms=T, heartbeat_interval_ms=H)
    burst = [sl.client(f"c{i}").start_put(f"b{i}", i) for i in range(10)]
    assert all(p.result.ok for p in burst)                 # acknowledged at once
    sl.crash("A")                                          # before the batch ships
    sl.run_for(2 * T)
    sl.recover("A")
    sl.run_for(T)
    sl.run_until_idle()
    assert [sl.get(f"b{i}").values for i in range(10)] == [[]] * 10
    assert sorted(e.key for _, _, e in sl.discarded) == sorted(f"b{i}" for i in range(10))
    assert sl.roles["A"] == "follower" and sl.log("A") == sl.log(sl.leader)


@pytest.mark.parametrize("seed", range(3))
def test_semi_sync_loses_no_more_than_async_with_similar_downtime(seed):
    semi = experiment(single("semi_sync"), seed=seed)
    fast = experiment(single("async"), seed=seed)
    assert semi.acknowledged_lost <= fast.acknowledged_lost
    assert semi.acknowledged_lost == 0     # the promoted follower is the one that acked
    assert T - QUIET["semi_sync"] - DT <= semi.write_downtime_ms <= T + 3 * H + DT
    assert T - QUIET["async"] - DT <= fast.write_downtime_ms <= T + 3 * H + DT


def test_promoting_a_lagging_follower_loses_what_semi_sync_acknowledged():
    def run(rule):
        sl = SingleLeader(3, "semi_sync", seed=0, promotion=rule)
        sl.partition(["C"])                                   # C falls behind
        acked = [k for k in (f"k{i}" for i in range(20)) if sl.put(k, 1).ok]
        sl.crash("A")
        sl.heal()
        sl.run_for(3 * T)
        sl.recover("A")
        sl.run_for(2 * T)
        sl.run_until_idle()
        return len(acked), sum(sl.get(k).values != [1] for k in acked), sl.leader

    assert run("most_up_to_date") == (20, 0, "B")
    assert run("first_detector") == (20, 20, "C")            # C noticed first, promoted itself


def test_an_isolated_async_leader_keeps_acknowledging_until_its_lease_runs_out():
    sl = SingleLeader(3, "async", seed=3, failover_timeout_ms=T, heartbeat_interval_ms=H)
    sl.partition(["A"])
    writes = []
    for i in range(300):
        writes.append(sl.put(f"p{i}", i))
        sl.run_for(DT)
    sl.heal()
    sl.run_for(2 * T)
    sl.run_until_idle()
    by_a = [w for w in writes if w.ok and w.coordinator == "A"]
    step_down = next(e for e in sl.events if e.kind == "step_down")
    assert step_down.node == "A" and step_down.time <= T + H
    assert len(by_a) == len(sl.discarded) > 0                 # split brain: all lost
    assert sl.epoch == 2 and sl.leader == "B"                 # the rejoining node deposed nobody
    assert all(sl.get(w.key).values == [] for w in by_a)
    assert all(sl.get(w.key).values == [int(w.key[1:])]
               for w in writes if w.ok and w.coordinator != "A")


# -- multi-leader -----------------------------------------------------------------------

def concurrent_writes(conflict, **options):
    ml = MultiLeader(2, seed=0, conflict=conflict, **options)
    a = ml.client("alice").start_put("cart", "book", coordinator="A")
    b = ml.client("bob").start_put("cart", "pen", coordinator="B")
    ml.run_until_idle()
    return ml, a.result, b.result


def test_lww_keeps_one_of_two_concurrent_acknowledged_writes():
    ml, a, b = concurrent_writes("lww")
    assert a.ok and b.ok and a.acks == ("A",) and b.acks == ("B",)
    values = {node: ml.get("cart", coordinator=node).values for node in ml.nodes}
    assert values["A"] == values["B"] and len(values["A"]) == 1
    lost = {"book", "pen"} - set(values["A"])
    assert len(lost) == 1                                     # one acknowledged write vanished
    assert [c.node for c in ml.conflicts] == ["A", "B"] or [c.node for c in ml.conflicts] == ["B", "A"]
    assert {e.kind for e in ml.events} == {"conflict"}


def test_keep_both_keeps_both_concurrent_writes_as_siblings_until_a_write_resolves_them():
    ml, a, b = concurrent_writes("keep_both")
    assert a.ok and b.ok
    for node in ml.nodes:
        r = ml.get("cart", coordinator=node)
        assert sorted(r.values) == ["book", "pen"]
        with pytest.raises(dl.SiblingsError):
            r.value
    assert ml.put("cart", "book+pen", coordinator="A").ok
    ml.run_until_idle()
    assert [ml.get("cart", coordinator=n).values for n in ml.nodes] == [["book+pen"]] * 2


def test_lww_with_a_fast_clock_drops_a_later_write():
    ml = MultiLeader(2, seed=0, conflict="lww", ship_interval_ms=0)
    ml.skew_clock("A", ms=100)
    assert ml.put("k", "early, via A", coordinator="A").ok
    ml.run_for(20)
    assert ml.put("k", "later, via B", coordinator="B").ok
    ml.run_until_idle()
    assert ml.get("k", coordinator="B").values == ["early, via A"]


def test_a_clock_skew_is_a_fault_and_an_event_where_there_are_clocks():
    ml = MultiLeader(2, seed=0, conflict="lww")
    ml.skew_clock("B", ms=-30)
    assert [(f.kind, f.nodes, f.detail) for f in ml.faults] == [("skew_clock", ("B",), "-30 ms")]
    assert [(e.kind, e.node, e.detail) for e in ml.events] == [("skew_clock", "B", "-30 ms")]
    sl = SingleLeader(3, seed=0)
    with pytest.raises(ValueError, match="keep no wall clock"):
        sl.skew_clock("A", ms=5)
    assert sl.faults == [] and sl.events == []


def test_a_crashed_leader_costs_no_downtime_and_its_stranded_writes_return():
    ml = MultiLeader(3, seed=1, conflict="lww")
    report = experiment(ml)
    assert report.write_downtime_ms == 0 and report.writes_failed == 0
    assert report.acknowledged_lost == 0
    after = [w for w in report.writes if CRASH <= w.invoked_ms < RECOVER]
    assert {w.node for w in after} == {"B"}


# -- leaderless, under the same failure ---------------------------------------------------

@pytest.mark.parametrize("seed", range(3))
def test_leaderless_cluster_keeps_writing_through_the_crash_and_loses_nothing(seed):
    cluster = dl.Cluster(nodes=3, n=3, r=2, w=2, seed=seed)
    report = experiment(cluster)
    victim = report.victim
    assert all(cluster.ring.preference_list(w.key)[0] == victim for w in report.writes)
    after = [w for w in report.writes if w.invoked_ms >= CRASH]
    assert all(w.status == "ok" for w in after)
    assert report.write_downtime_ms == 0 and report.acknowledged_lost == 0
    assert report.topology == "leaderless N=3 R=2 W=2"
    during = [w for w in after if w.invoked_ms < RECOVER]
    assert victim not in {w.node for w in during}


def test_compare_topologies_puts_the_five_designs_side_by_side():
    table = compare_topologies(seed=0, crash_at_ms=CRASH, recover_at_ms=RECOVER,
                               duration_ms=DURATION)
    assert list(table.columns) == list(REPORT_COLUMNS[1:])
    assert list(table.index) == ["single-leader sync", "single-leader semi_sync",
                                 "single-leader async", "multi-leader lww",
                                 "leaderless N=3 R=2 W=2"]
    assert (table["writes_attempted"] == DURATION / DT).all()
    for mode in REPLICATION_MODES:
        downtime = table.loc[f"single-leader {mode}", "write_downtime_ms"]
        assert T - QUIET[mode] - DT <= downtime <= T + 3 * H + DT
    assert table.loc["single-leader async", "acknowledged_lost"] > 0
    assert (table.loc[["single-leader sync", "single-leader semi_sync"],
                      "acknowledged_lost"] == 0).all()
    assert (table.iloc[3:][["write_downtime_ms", "acknowledged_lost", "writes_failed"]] == 0).all().all()
    latency = table["mean_write_latency_ms"]
    assert latency["single-leader sync"] > latency["single-leader semi_sync"] > \
        latency["single-leader async"] == 0
    # Built from the same reports, row by row.
    row = experiment(single("async"), duration_ms=DURATION).to_frame()
    assert row.loc["single-leader async"].to_dict() == table.loc["single-leader async"].to_dict()


# -- determinism -------------------------------------------------------------------------

def test_the_same_seed_gives_the_same_history_trace_and_report():
    def run(seed):
        system = single("async")(seed)
        report = experiment(system, seed=None)
        return system.history.to_jsonl(), system.trace.to_jsonl(), report

    first, second = run(4), run(4)
    assert first[0] == second[0] and first[1] == second[1] and first[2] == second[2]
    assert run(5)[1] != first[1]
    ml1, ml2 = concurrent_writes("keep_both")[0], concurrent_writes("keep_both")[0]
    assert ml1.history.to_jsonl() == ml2.history.to_jsonl()
    assert ml1.trace.to_jsonl() == ml2.trace.to_jsonl()


# -- bad input ---------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, message", [
    (dict(replication="fast"), "'sync', 'semi_sync', 'async'"),
    (dict(nodes=1), "from 2 to 26"),
    (dict(nodes=True), "from 2 to 26"),
    (dict(promotion="oldest"), "'most_up_to_date', 'first_detector', 'random'"),
    (dict(failover_timeout_ms=50), "longer than heartbeat_interval_ms"),
    (dict(heartbeat_interval_ms=-1), "heartbeat_interval_ms must be a finite number of ms > 0"),
    (dict(ship_interval_ms=-5), "ship_interval_ms must be a finite number of ms >= 0"),
    (dict(timeout_ms=0), "timeout_ms must be a finite number of ms > 0"),
    pytest.param(dict(seed="one"), "seed must be an integer", marks=WRONG_TYPE),
])
def test_single_leader_rejects_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        SingleLeader(**kwargs)


@pytest.mark.parametrize("kwargs, message", [
    (dict(leaders=1), "leaders must be a whole number from 2 to 26"),
    (dict(conflict="merge"), "'lww', 'keep_both'"),
    (dict(ship_interval_ms=float("nan")), "ship_interval_ms"),
])
def test_multi_leader_rejects_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MultiLeader(**kwargs)
    assert tuple(CONFLICT_MODES) == ("lww", "keep_both")


@pytest.mark.parametrize("make", [lambda: SingleLeader(3, "sync", seed=0),
                                  lambda: MultiLeader(2, seed=0)])
def test_refused_calls_change_nothing(make):
    system = make()
    system.put("k", "v")
    system.run_until_idle()
    before = snapshot(system)
    with pytest.raises(ValueError, match="no per-request W"):
        system.client("x").start_put("k", "v2", w=2)
    with pytest.raises(ValueError, match="takes no context"):
        system.client("x").start_put("k", "v2", context=object())
    with pytest.raises(KeyError, match="unknown node 'Z'"):
        system.put("k", "v2", coordinator="Z")
    with pytest.raises(ValueError, match="non-empty strings"):
        system.put("", "v2")
    with pytest.raises(ValueError, match="not down"):
        system.recover("A")
    with pytest.raises(ValueError, match="group 1 of the partition is empty"):
        system.partition([])
    assert snapshot(system) == before
    system.crash("B")
    after_crash = snapshot(system)
    with pytest.raises(ValueError, match="already down"):
        system.crash("B")
    assert snapshot(system) == after_crash


@pytest.mark.parametrize("options, message", [
    (dict(crash_at_ms=5000), "crash_at_ms .* must come before the end"),
    (dict(recover_at_ms=500), "recover_at_ms .* must come after crash_at_ms"),
    (dict(recover_at_ms=9000), "no later than duration_ms"),
    (dict(write_interval_ms=0), "write_interval_ms must be a finite number of ms > 0"),
    (dict(duration_ms=-1), "duration_ms must be a finite number of ms > 0"),
    (dict(write_interval_ms=0.001), "too many"),
    (dict(victim="Q"), "unknown node 'Q'"),
    (dict(seed=9), "built with seed 0"),
])
def test_failover_experiment_rejects_bad_input_without_touching_the_system(options, message):
    system = SingleLeader(3, "async", seed=0)
    before = snapshot(system)
    settings = dict(crash_at_ms=1000, recover_at_ms=3000, duration_ms=4000)
    settings.update(options)
    with pytest.raises((ValueError, KeyError), match=message):
        failover_experiment(system, **settings)
    assert snapshot(system) == before


def test_failover_experiment_and_compare_reject_what_they_cannot_run():
    with pytest.raises(ValueError, match="needs a SingleLeader, MultiLeader or Cluster"):
        failover_experiment("a cluster")
    with pytest.raises(ValueError, match="factory must return"):
        failover_experiment(lambda seed: 42)
    system = SingleLeader(3, "sync", seed=0)
    system.crash("B")
    with pytest.raises(ValueError, match="victim B is already down"):
        failover_experiment(system, victim="B")
    with pytest.raises(ValueError, match="nodes must be a whole number from 3 to 26"):
        compare_topologies(nodes=2)
    assert REPLICATION_MODES == ("sync", "semi_sync", "async")
    assert PROMOTION_RULES == ("most_up_to_date", "first_detector", "random")


def test_the_model_imports_no_presentation_library():
    code = ("import sys, dynamo_lab.topologies; "
            "print(sorted(m for m in ('matplotlib', 'ipywidgets', 'networkx') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
