"""The learner-facing cluster: puts, gets, faults, results, and bad input."""

import math

import pytest
from builds import WRONG_TYPE

import dynamo_lab as dl
from dynamo_lab.latency import Constant, Exponential


def snapshot(cluster):
    """Everything a refused call must leave as it was."""
    return (cluster.now, len(cluster.history), len(cluster.trace), list(cluster.faults),
            cluster.down, cluster.partitions,
            {k: {n: cluster.replicas(k).get(n) for n in cluster.nodes} for k in cluster.keys()})


@pytest.fixture
def cluster():
    c = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=11)
    c.put("k", "v1")
    c.run_until_idle()
    return c


def test_put_then_get_returns_the_value_with_its_context(cluster):
    r = cluster.get("k")
    assert r.ok and r.status == "ok" and r.values == ["v1"] and r.value == "v1"
    assert r.context.key == "k" and len(r.replies) >= 2
    assert r.coordinator == cluster.ring.preference_list("k")[0]


def test_a_put_with_context_replaces_and_without_context_is_concurrent(cluster):
    r = cluster.get("k")
    assert cluster.put("k", "v2", context=r.context).ok
    assert cluster.get("k").values == ["v2"]
    assert cluster.put("k", "blind").ok          # no context: concurrent with v2
    r = cluster.get("k")
    assert sorted(r.values) == ["blind", "v2"]
    with pytest.raises(dl.SiblingsError, match="2 siblings: 'v2', 'blind'|2 siblings: 'blind', 'v2'"):
        r.value
    assert cluster.put("k", "merged", context=r.context).ok
    assert cluster.get("k").value == "merged"


def test_reading_a_key_never_written_is_empty_not_an_error(cluster):
    r = cluster.get("nobody-wrote-this")
    assert r.ok and r.values == [] and r.value is None


def test_delete_writes_a_tombstone(cluster):
    r = cluster.get("k")
    w = cluster.delete("k", context=r.context)
    assert w.ok
    after = cluster.get("k")
    assert after.values == [] and after.deleted
    assert cluster.history[-3].f == "delete"


def test_stored_values_cannot_be_changed_behind_the_simulators_back():
    c = dl.Cluster(seed=1)
    cart = ["book"]
    c.put("cart", cart)
    cart.append("smuggled")
    r = c.get("cart")
    r.value.append("also smuggled")
    assert c.get("cart").value == ["book"]


def test_the_history_keeps_its_own_copy_of_what_was_written():
    # The checkers read the history: a caller's list changed after the put
    # must not change what the history says was written.
    c = dl.Cluster(seed=1)
    cart = ["book"]
    c.put("cart", cart)
    cart.append("pen")
    v = c.get("cart").values
    assert [op.value for op in c.history if op.f == "put"] == [["book"], ["book"]]
    assert dl.checks.linearizable(c.history).valid is True
    assert dl.checks.lost_writes(c.history, {"cart": v}).ok
    assert dl.checks.stale_reads(c.history) == []


def test_write_result_reports_acks_targets_and_latency(cluster):
    w = cluster.put("k2", 1)
    home = cluster.ring.home_replicas("k2")
    assert w.ok and len(w.acks) >= 2 and set(w.acks) <= set(home)
    assert set(w.targets) == set(home) and w.latency_ms > 0 and w.hinted == {}
    assert w.coordinator == home[0] and w.acks[0] == home[0]


def test_per_request_quorums_and_coordinator(cluster):
    home = cluster.ring.home_replicas("k")
    outsider = next(n for n in cluster.nodes if n not in home)
    w = cluster.put("k", "x", context=cluster.get("k").context, w=3, coordinator=outsider)
    assert w.ok and sorted(w.acks) == sorted(home) and w.coordinator == outsider
    r = cluster.get("k", r=1, coordinator=outsider)
    assert r.ok and len(r.replies) >= 1 and r.coordinator == outsider


def test_strict_quorum_fails_definitely_when_too_few_home_replicas_are_up():
    c = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=2, sloppy_quorum=False,
                   failure_detector="oracle")
    home = c.ring.home_replicas("k")
    c.crash(home[1])
    c.crash(home[2])
    w = c.put("k", 1)
    assert not w.ok and w.status == "fail" and "nothing was sent" in w.error
    assert c.history[-1].type == "fail"
    assert len(c.trace) == 0  # really nothing was sent
    assert not c.get("k").ok


def test_sloppy_quorum_writes_a_fallback_with_a_hint_and_delivers_it():
    c = dl.Cluster(nodes=5, n=3, r=2, w=3, seed=2, failure_detector="oracle")
    home = c.ring.home_replicas("k")
    c.crash(home[2])
    w = c.put("k", 1)
    fallback = c.ring.preference_list("k")[3]
    assert w.ok and w.hinted == {fallback: home[2]}
    assert c.replicas("k").hints[fallback][home[2]].values == [1]
    assert c.hint_counts == {"stored": 1, "delivered": 0, "pending": 1}
    c.recover(home[2])
    c.run_for(1500.0)  # the fallback retries every second
    assert c.hint_counts == {"stored": 1, "delivered": 1, "pending": 0}
    assert c.replicas("k")[home[2]].values == [1]
    assert any(e.kind == "hint" and e.event == "deliver" for e in c.trace)


def test_a_put_that_times_out_is_info_and_can_still_become_visible():
    c = dl.Cluster(nodes=3, n=3, r=1, w=3, seed=4, latency=Constant(1.0), timeout_ms=50)
    home = c.ring.home_replicas("k")
    for other in home[1:]:
        c.set_link(home[0], other, loss=1.0)
    w = c.put("k", "maybe")
    assert not w.ok and w.status == "info" and "timed out" in w.error
    assert c.history[-1].type == "info"
    # The coordinator stored it before anyone gave up: a later read can see it.
    assert c.get("k", r=1, coordinator=home[0]).values == ["maybe"]


def test_a_coordinator_crashing_mid_write_leaves_the_client_with_info():
    c = dl.Cluster(nodes=3, n=3, r=2, w=3, seed=4, latency=Constant(5.0), timeout_ms=40)
    op = c.client("alice").start_put("k", 1)
    c.run_for(1.0)
    c.crash(op.invocation.node)
    result = op.wait()
    assert result.status == "info"


def test_naming_a_crashed_coordinator_fails_at_once(cluster):
    cluster.crash("A")
    w = cluster.put("k", 1, coordinator="A")
    assert w.status == "fail" and "coordinator A is down" in w.error


def test_concurrent_clients_and_the_one_operation_rule():
    c = dl.Cluster(seed=5)
    alice = c.client("alice")
    op = alice.start_put("k", 1)
    with pytest.raises(ValueError, match="already has an operation in flight"):
        alice.start_get("k")
    assert op.wait().ok and alice.start_get("k").wait().values == [1]
    assert c.client("alice") is alice


def test_history_and_trace_export():
    c = dl.Cluster(seed=6)
    c.put("k", [1, 2])
    c.get("k")
    frame = c.history.to_frame()
    assert list(frame["type"]) == ["invoke", "ok", "invoke", "ok"]
    assert list(frame["f"]) == ["put", "put", "get", "get"]
    again = dl.History.from_jsonl(c.history.to_jsonl())
    assert [op.to_dict() for op in again] == [op.to_dict() for op in c.history]
    trace = c.trace.to_frame()
    assert set(trace["event"]) <= {"send", "deliver"} and (trace["op_id"] >= 0).all()
    assert c.trace.to_jsonl().count("\n") == len(c.trace)


EXPORT_WITH_SETS = """
import dynamo_lab as dl
from dynamo_lab.crdt import ORSet
c = dl.Cluster(seed=6)
c.put("cart", frozenset({"book", "pen", "lamp", "ink", "mug"}))
c.put("tags", {"x": {"b", "a", "c"}, 2: (1, 2)})
c.put("or", ORSet().add("pen", ("a", 1)).add("book", ("b", 1)))
c.get("cart")
print(c.history.to_jsonl(), end="")
"""


def test_an_export_is_the_same_whatever_the_hash_seed():
    import subprocess
    import sys

    texts = {subprocess.run([sys.executable, "-c", EXPORT_WITH_SETS], capture_output=True,
                            text=True, check=True, env={**__import__("os").environ,
                                                        "PYTHONHASHSEED": seed}).stdout
             for seed in ("1", "2", "3")}
    assert len(texts) == 1
    (text,) = texts
    assert '{"@set": ["book", "ink", "lamp", "mug", "pen"]}' in text
    again = dl.History.from_jsonl(text)
    assert again.to_jsonl() == text
    assert again[0].value == frozenset({"book", "pen", "lamp", "ink", "mug"})


@pytest.mark.parametrize("value, message", [
    (object(), "got an object"),
    ({1, 2, lambda: 0}, "got a function"),
    (float("nan"), "finite number"),
    ([[[]]] * 1, None),
])
def test_values_that_no_export_could_hold_are_refused_at_the_put(value, message):
    c = dl.Cluster(seed=1)
    before = snapshot(c)
    if message is None:
        assert c.put("k", value).ok          # plain nested lists are fine
        return
    with pytest.raises(ValueError, match=message):
        c.put("k", value)
    assert snapshot(c) == before


def test_get_right_after_put_can_be_stale_and_settles_after_idle():
    """N=3, R=W=1, exponential latency: the scenario test of the foundation issue."""
    outcomes = []
    for seed in range(40):
        c = dl.Cluster(nodes=5, n=3, r=1, w=1, seed=seed, latency=Exponential(mean_ms=1.0))
        home = c.ring.home_replicas("x")
        reader = next(n for n in c.nodes if n not in home)
        c.put("x", "old")
        c.run_until_idle()
        assert c.put("x", "new", context=c.get("x").context, coordinator=home[0]).ok
        r = c.get("x", coordinator=reader)
        outcomes.append(r.values)
        c.run_until_idle()
        replicas = c.replicas("x")
        assert all(replicas.values_at(n) == ["new"] for n in home), seed
    assert ["old"] in outcomes and ["new"] in outcomes


# --- bad input: a clear error, and nothing changed ----------------------------

@pytest.mark.parametrize("kwargs, message", [
    (dict(nodes=3, n=4), "n=4 is not allowed: the cluster has 3 node"),
    (dict(n=3, r=0), "r=0 is not allowed: r must be a whole number from 1 to N=3"),
    (dict(n=3, w=4), "w=4 is not allowed"),
    (dict(nodes=0), "at least 1 node"),
    (dict(nodes=["A", "A"]), "repeated: A"),
    (dict(nodes="ABC"), "count or a list of names"),
    (dict(read_repair=True), "read_repair=True is not allowed"),
    (dict(versioning="vclock"), "unknown versioning 'vclock'"),
    (dict(timeout_ms=-5), "timeout_ms must be a finite number of ms > 0"),
    (dict(timeout_ms=math.inf), "timeout_ms"),
    (dict(latency=-1.0), "finite number >= 0"),
    (dict(latency="fast"), "latency must be a latency model"),
    (dict(loss=2), "probability between 0 and 1"),
    (dict(failure_detector="psychic"), "unknown failure_detector"),
    pytest.param(dict(seed=1.5), "seed must be an integer", marks=WRONG_TYPE),
    pytest.param(dict(sloppy_quorum="yes"), "sloppy_quorum must be True or False",
                 marks=WRONG_TYPE),
])
def test_bad_cluster_options_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        dl.Cluster(**kwargs)


@pytest.mark.parametrize("call, error, message", [
    (lambda c: c.put("k", 1, w=0), ValueError, "w=0 is not allowed"),
    (lambda c: c.get("k", r=4), ValueError, "r=4 is not allowed"),
    (lambda c: c.put("k", 1, coordinator="Z"), KeyError, "unknown node 'Z'"),
    pytest.param(lambda c: c.get(42), ValueError, "keys are non-empty strings", marks=WRONG_TYPE),
    (lambda c: c.put("", 1), ValueError, "keys are non-empty strings"),
    pytest.param(lambda c: c.put("k", 1, context={"A": 1}), ValueError, "must be the .context",
                 marks=WRONG_TYPE),
    (lambda c: c.crash("Z"), KeyError, "unknown node 'Z'"),
    (lambda c: c.recover("A"), ValueError, "only a crashed node can recover"),
    (lambda c: c.partition(["A"], ["Z"]), KeyError, "unknown node 'Z'"),
    (lambda c: c.skew_clock("A", math.nan), ValueError, "finite number of ms"),
    (lambda c: c.run_for(-1), ValueError, "finite number of ms >= 0"),
    (lambda c: c.set_link("A", "B", latency=-3), ValueError, "finite number"),
])
def test_bad_calls_are_refused_and_leave_the_cluster_unchanged(cluster, call, error, message):
    before = snapshot(cluster)
    with pytest.raises(error, match=message):
        call(cluster)
    assert snapshot(cluster) == before


def test_a_context_from_another_key_is_refused(cluster):
    context = cluster.get("k").context
    before = snapshot(cluster)
    with pytest.raises(ValueError, match="belongs to key 'k', not 'other'"):
        cluster.put("other", 1, context=context)
    assert snapshot(cluster) == before


def test_a_context_from_another_cluster_is_refused_and_nothing_is_lost():
    a, b = dl.Cluster(seed=1), dl.Cluster(seed=1)
    for i in range(5):
        b.put("cart", i, context=b.get("cart").context)
    a.client("x").put("cart", "alice")
    a.client("y").put("cart", "bob")
    foreign = b.get("cart").context
    before = snapshot(a)
    with pytest.raises(ValueError, match="comes from another cluster"):
        a.client("m").put("cart", "m", context=foreign)
    with pytest.raises(ValueError, match="comes from another cluster"):
        a.client("m").delete("cart", context=foreign)
    assert snapshot(a) == before
    assert sorted(a.client("r").get("cart").values) == ["alice", "bob"]
    # A context from this cluster, even an old one, is still taken.
    assert a.put("cart", "both", context=a.get("cart").context).ok


def test_crash_twice_is_refused(cluster):
    cluster.crash("A")
    before = snapshot(cluster)
    with pytest.raises(ValueError, match="already down"):
        cluster.crash("A")
    assert snapshot(cluster) == before


def test_repr_tells_the_state():
    c = dl.Cluster(seed=0)
    c.crash("C")
    c.partition(["A", "B"], ["C", "D", "E"])
    text = repr(c)
    assert "down: C" in text and "[A, B] | [C, D, E]" in text
    assert c.faults[-1].kind == "partition" and c.faults[0].kind == "crash"


def test_the_default_detector_learns_of_a_crash_from_missed_replies():
    c = dl.Cluster(nodes=5, n=3, r=2, w=3, seed=2)
    home = c.ring.home_replicas("k")
    c.crash(home[2])
    first = c.put("k", 1)                     # still sent to the crashed node
    assert first.status == "info" and home[2] in first.targets and not first.hinted
    assert c.detector.suspects(home[0]) == [home[2]]
    second = c.put("k", 2, context=c.get("k").context)   # now a fallback stands in
    fallback = c.ring.preference_list("k")[3]
    assert second.ok and second.hinted == {fallback: home[2]}
    c.recover(home[2])
    c.run_for(1500.0)                         # suspicion fades; the hint is delivered
    assert c.hint_counts["pending"] == 0 and c.detector.suspects(home[0]) == []


def test_done_callbacks_fire_once_with_the_result():
    cluster = dl.Cluster(seed=1)
    seen = []
    pending = cluster.client("c").start_put("k", 1)
    pending.add_done_callback(seen.append)
    assert seen == []
    cluster.run_until_idle()
    assert seen == [pending.result] and seen[0].ok
    pending.add_done_callback(seen.append)          # already done: called at once
    assert seen == [pending.result, pending.result]
    with pytest.raises(ValueError, match="callback must be callable"):
        pending.add_done_callback("print")


def test_garbage_collection_is_restored_after_a_run():
    import gc

    cluster = dl.Cluster(seed=1)
    assert gc.isenabled()
    cluster.put("k", 1)
    cluster.run_for(10)
    assert gc.isenabled()
    gc.disable()
    try:
        cluster.put("k", 2)
        assert not gc.isenabled()          # a caller's choice is left alone
    finally:
        gc.enable()
