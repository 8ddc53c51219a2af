"""Hypothesis property tests of the foundation: invariants 2, 3 and 20.

Schedules of operations, crashes and partitions are drawn by Hypothesis, so a
failure shrinks to a short schedule and replays exactly.
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dynamo_lab as dl
from dynamo_lab.checks import linearizable
from dynamo_lab.latency import Uniform
from fault_schedules import apply_fault, fault_steps

NODES = ["A", "B", "C", "D", "E"]
KEYS = ["k1", "k2", "k3"]
SETTINGS = settings(max_examples=80, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

step = st.one_of(
    st.tuples(st.just("put"), st.sampled_from(KEYS), st.sampled_from(NODES)),
    st.tuples(st.just("get"), st.sampled_from(KEYS), st.sampled_from(NODES)),
    *fault_steps(NODES),
)


def reachable_targets(cluster, key, coordinator):
    """Independent of the coordinator code: how many targets it can reach."""
    net = cluster.network
    preference = cluster.ring.preference_list(key)

    def ok(node):
        return node == coordinator or net.reachable(coordinator, node)

    if cluster.sloppy_quorum:
        return min(cluster.n, sum(ok(node) for node in preference))
    return sum(ok(node) for node in preference[:cluster.n])


@SETTINGS
@given(schedule=st.lists(step, max_size=25), sloppy=st.booleans(),
       n=st.integers(1, 5), data=st.data())
def test_invariant_2_availability_is_exactly_the_reachable_quorum(schedule, sloppy, n, data):
    r = data.draw(st.integers(1, n), label="r")
    w = data.draw(st.integers(1, n), label="w")
    # Bounded latency far below the time-out: an operation that can reach its
    # quorum never times out, so availability is decided by reachability alone.
    # Invariant 2 speaks of what is reachable, so the coordinator must know it:
    # the oracle detector (the default one learns only from missed replies).
    cluster = dl.Cluster(NODES, n=n, r=r, w=w, seed=0, sloppy_quorum=sloppy,
                         latency=Uniform(0.1, 3.0), timeout_ms=100, failure_detector="oracle")
    for action in schedule:
        if action[0] in ("put", "get"):
            _, key, coordinator = action
            quorum = w if action[0] == "put" else r
            up = cluster.is_up(coordinator)
            expected = up and reachable_targets(cluster, key, coordinator) >= quorum
            if action[0] == "put":
                result = cluster.put(key, 1, coordinator=coordinator)
            else:
                result = cluster.get(key, coordinator=coordinator)
            assert result.ok == expected, (action, cluster)
            if not expected:
                assert result.status == "fail"  # definite: nothing was sent
        else:
            apply_fault(cluster, action)


ops = st.lists(st.tuples(st.sampled_from(["put", "get"]), st.sampled_from(KEYS),
                         st.sampled_from(NODES)), min_size=1, max_size=25)


@SETTINGS
@given(schedule=ops, versioning=st.sampled_from(["vector_clock", "dvv"]),
       nrw=st.sampled_from([(1, 1, 1), (2, 1, 2), (2, 2, 1), (3, 2, 2), (3, 1, 3),
                            (3, 3, 1), (5, 3, 3), (4, 2, 3)]),
       seed=st.integers(0, 10_000))
def test_invariant_3_strict_quorum_without_faults_reads_the_last_write(
        schedule, versioning, nrw, seed):
    n, r, w = nrw
    cluster = dl.Cluster(NODES, n=n, r=r, w=w, seed=seed, sloppy_quorum=False,
                         versioning=versioning)
    last = {}
    for counter, (kind, key, coordinator) in enumerate(schedule):
        # Writes read first and pass the context, so each replaces the last.
        read = cluster.get(key, coordinator=coordinator)
        assert read.ok
        assert read.values == ([last[key]] if key in last else [])
        if kind == "put":
            assert cluster.put(key, counter, context=read.context, coordinator=coordinator).ok
            last[key] = counter
    verdict = linearizable(cluster.history, model="register", timeout_s=10)
    assert verdict.valid is True, verdict


def run_schedule(schedule, seed):
    cluster = dl.Cluster(NODES, n=3, r=2, w=2, seed=seed)
    clients = [cluster.client(f"c{i}") for i in range(3)]
    for index, action in enumerate(schedule):
        if action[0] in ("put", "get"):
            _, key, coordinator = action
            client = clients[index % 3]
            if client.in_flight is None:
                if action[0] == "put":
                    client.start_put(key, index, coordinator=coordinator)
                else:
                    client.start_get(key, coordinator=coordinator)
            cluster.run_for(0.5)
        else:
            apply_fault(cluster, action)
    cluster.run_until_idle()
    return cluster


@SETTINGS
@given(schedule=st.lists(step, max_size=30), seed=st.integers(0, 10_000))
def test_invariant_20_same_seed_same_bytes_and_exports_keep_verdicts(schedule, seed):
    first, second = run_schedule(schedule, seed), run_schedule(schedule, seed)
    assert first.history.to_jsonl() == second.history.to_jsonl()
    assert first.trace.to_jsonl() == second.trace.to_jsonl()
    reread = dl.History.from_jsonl(first.history.to_jsonl())
    assert linearizable(reread).valid == linearizable(first.history).valid
