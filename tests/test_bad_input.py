"""Bad input across the public API: a clear error that names the argument, and nothing changed.

Each row of :data:`ROWS` is one call that must be refused: the exception it
must raise (exactly that type, not a subclass such as UnicodeDecodeError),
and the text its message must contain, which names the argument (or, for an
unknown node, the node). The test runs each call on a fresh system that has
already served a few writes, and checks that the refused call left its
history, trace, replicas, faults, down nodes, partitions, links, pending
events and time as they were.

Rows marked ``WRONG_TYPE`` pass an argument of the wrong type to a method of
a module the compiled build compiles; there mypyc refuses it with its own
TypeError first (see ``tests/builds.py``).
"""

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
from builds import WRONG_TYPE  # noqa: E402

import dynamo_lab as dl  # noqa: E402
from dynamo_lab.cluster import MAX_NODES  # noqa: E402
from dynamo_lab.history import History  # noqa: E402
from dynamo_lab.latency import (LNKD_SSD, WAN, WARS, ByKind, Constant, Empirical,  # noqa: E402
                                Exponential, Mixture, Pareto, Shifted, Uniform, as_latency_model)
from dynamo_lab.topologies import MultiLeader, SingleLeader  # noqa: E402

NAN, INF = math.nan, math.inf

#: Where the rows that read history files find them (set by the ``files`` fixture).
FILES: dict[str, Path] = {}
#: What a row's ``prepare`` keeps for its call (a context, another cluster).
KEPT: dict = {}


@pytest.fixture(scope="module", autouse=True)
def files(tmp_path_factory):
    """History files that are not histories: binary, too deeply nested."""
    folder = tmp_path_factory.mktemp("histories")
    contents = {
        "binary.log": bytes(range(256)) * 4,
        "binary.jsonl": b"\x80\x81\xfe\xff" * 64,
        "deep.edn": ("{:process 0, :type :invoke, :f :write, :value "
                     + "[" * 600 + "]" * 600 + "}\n").encode(),
        "deep.log": ("INFO  jepsen.util - 0 :invoke :write " + "[" * 2000 + "]" * 2000
                     + "\n").encode(),
        "deep.jsonl": ('{"index": 0, "op_id": 0, "process": "a", "type": "invoke", "f": "put", '
                       '"key": "k", "value": ' + "[" * 5000 + "]" * 5000 + ', "time": 0}\n'
                       ).encode(),
        "empty.log": b"\n\n",
        "notes.txt": b"shopping list: milk, eggs\n",
    }
    for name, data in contents.items():
        (folder / name).write_bytes(data)
        FILES[name] = folder / name
    yield
    FILES.clear()


# -- the systems a row runs on, each after a few writes ---------------------------------

def a_cluster():
    cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=11)
    cluster.put("k", "v1")
    cluster.put("cart", ["book"])
    cluster.put("k", "v2", context=cluster.get("k").context)
    cluster.run_until_idle()
    return cluster


def a_single_leader():
    system = SingleLeader(nodes=3, replication="async", seed=2)
    system.put("k", "v1")
    system.put("cart", ["book"])
    system.run_until_idle()
    return system


def a_multi_leader():
    system = MultiLeader(leaders=3, seed=3)
    system.put("k", "v1", coordinator="A")
    system.put("k", "v2", coordinator="B")
    system.run_until_idle()
    return system


SYSTEMS = {"cluster": a_cluster, "single_leader": a_single_leader, "multi_leader": a_multi_leader}


def snapshot(system):
    """Everything a refused call must leave as it was."""
    keys = sorted({op.key for op in system.history if op.key is not None})
    network = system.network
    return (system.now, system.history.to_jsonl(), len(system.trace), list(system.faults),
            system.down, system.partitions, system.nodes,
            {key: dict(system.replicas(key)) for key in keys},
            dict(network._link_latency), dict(network._link_loss), system.sim.peek())


def bad(name, call, error, fragment, *, prepare=None, on="cluster", marks=()):
    """One row: ``call(system)`` must raise ``error`` whose message contains ``fragment``.

    ``fragment`` may be a tuple: every piece must appear. ``prepare(system)``
    runs before the snapshot (to crash a node first, say).
    """
    return pytest.param(call, error, fragment, prepare, on, id=name, marks=marks)


def targets():
    from dynamo_lab.experiments.service_targets import ServiceTargets

    return ServiceTargets()


def widgets():
    return dl.widgets


ROWS = [
    # -- the Cluster constructor ---------------------------------------------------------
    bad("Cluster(read_repair=0)", lambda c: dl.Cluster(read_repair=0), ValueError,
        "read_repair=0", marks=WRONG_TYPE),
    bad("Cluster(read_repair=0.0)", lambda c: dl.Cluster(read_repair=0.0), ValueError,
        "read_repair=0.0", marks=WRONG_TYPE),
    bad("Cluster(read_repair=None)", lambda c: dl.Cluster(read_repair=None), ValueError,
        "read_repair=None", marks=WRONG_TYPE),
    bad("Cluster(vnodes=5_000_000)", lambda c: dl.Cluster(vnodes=5_000_000), ValueError,
        ("vnodes=5000000", "at most 1024")),
    bad("Cluster(nodes=1000, vnodes=512)", lambda c: dl.Cluster(nodes=1000, vnodes=512),
        ValueError, ("vnodes=512", "tokens")),
    bad("Cluster(nodes=200_000)", lambda c: dl.Cluster(nodes=200_000), ValueError,
        ("nodes=200000", f"at most {MAX_NODES}")),
    bad("Cluster(nodes=[1001 names])",
        lambda c: dl.Cluster(nodes=[f"n{i}" for i in range(MAX_NODES + 1)]), ValueError,
        "nodes=1001"),
    bad("Cluster(nodes=0)", lambda c: dl.Cluster(nodes=0), ValueError, "nodes=0"),
    bad("Cluster(nodes=None)", lambda c: dl.Cluster(nodes=None), ValueError, "nodes must be",
        marks=WRONG_TYPE),
    bad("Cluster(nodes=['A', ' '])", lambda c: dl.Cluster(nodes=["A", " ", "B"]), ValueError,
        "node name ' '"),
    bad("Cluster(vnodes=0)", lambda c: dl.Cluster(vnodes=0), ValueError, "vnodes=0"),
    bad("Cluster(vnodes=True)", lambda c: dl.Cluster(vnodes=True), ValueError, "vnodes", marks=WRONG_TYPE),
    bad("Cluster(n=0)", lambda c: dl.Cluster(n=0), ValueError, "n=0"),
    bad("Cluster(r=None)", lambda c: dl.Cluster(r=None), ValueError, "r=None",
        marks=WRONG_TYPE),
    bad("Cluster(w=True)", lambda c: dl.Cluster(w=True), ValueError, "w=True", marks=WRONG_TYPE),
    bad("Cluster(seed=None)", lambda c: dl.Cluster(seed=None), ValueError, "seed",
        marks=WRONG_TYPE),
    bad("Cluster(strategy=4)", lambda c: dl.Cluster(strategy=4), ValueError, "strategy=4"),
    bad("Cluster(partitions=10**9)", lambda c: dl.Cluster(strategy=2, partitions=10**9),
        ValueError, "partitions="),
    bad("Cluster(latency='fast')", lambda c: dl.Cluster(latency="fast"), ValueError, "latency"),
    bad("Cluster(latency=LNKD_SSD)", lambda c: dl.Cluster(latency=LNKD_SSD), ValueError,
        ("latency", "link_model")),
    bad("Cluster(loss=nan)", lambda c: dl.Cluster(loss=NAN), ValueError, "loss"),
    bad("Cluster(versioning=None)", lambda c: dl.Cluster(versioning=None), ValueError,
        "versioning", marks=WRONG_TYPE),
    bad("Cluster(sloppy_quorum=1)", lambda c: dl.Cluster(sloppy_quorum=1), ValueError,
        "sloppy_quorum", marks=WRONG_TYPE),
    bad("Cluster(hinted_handoff=0)", lambda c: dl.Cluster(hinted_handoff=0), ValueError,
        "hinted_handoff", marks=WRONG_TYPE),
    bad("Cluster(read_fanout=None)", lambda c: dl.Cluster(read_fanout=None), ValueError,
        "read_fanout=None", marks=WRONG_TYPE),
    bad("Cluster(timeout_ms=0)", lambda c: dl.Cluster(timeout_ms=0), ValueError, "timeout_ms"),
    bad("Cluster(failure_detector=None)", lambda c: dl.Cluster(failure_detector=None),
        ValueError, "failure_detector", marks=WRONG_TYPE),
    bad("Cluster(clock_threshold=0)", lambda c: dl.Cluster(clock_threshold=0), ValueError,
        "clock_threshold"),
    bad("Cluster(hint_interval_ms=-1)", lambda c: dl.Cluster(hint_interval_ms=-1), ValueError,
        "hint_interval_ms"),
    bad("Cluster(tombstones=None)", lambda c: dl.Cluster(tombstones=None), ValueError,
        "tombstones=None", marks=WRONG_TYPE),
    bad("Cluster(gossip_period_ms=inf)", lambda c: dl.Cluster(gossip_period_ms=INF), ValueError,
        "gossip_period_ms"),
    bad("Cluster(phi_threshold=nan)", lambda c: dl.Cluster(phi_threshold=NAN), ValueError,
        "phi_threshold"),
    bad("Cluster(replica=int)", lambda c: dl.Cluster(replica=int), ValueError, "replica"),
    bad("Cluster(coordinator='A')", lambda c: dl.Cluster(coordinator="A"), ValueError,
        "coordinator", marks=WRONG_TYPE),

    # -- put, get, delete ----------------------------------------------------------------
    bad("put(key=None)", lambda c: c.put(None, 1), ValueError, "keys are non-empty strings",
        marks=WRONG_TYPE),
    bad("put(key='')", lambda c: c.put("", 1), ValueError, "keys are non-empty strings"),
    bad("put(value=nan)", lambda c: c.put("k", NAN), ValueError, "value must be"),
    bad("put(value=object())", lambda c: c.put("k", object()), ValueError, "value must be"),
    bad("put(w=0)", lambda c: c.put("k", 1, w=0), ValueError, "w=0"),
    bad("put(w=4)", lambda c: c.put("k", 1, w=4), ValueError, "w=4"),
    bad("put(w=True)", lambda c: c.put("k", 1, w=True), ValueError, "w=True"),
    bad("put(w='MOST')", lambda c: c.put("k", 1, w="MOST"), ValueError, "'MOST'"),
    bad("put(w=2.0)", lambda c: c.put("k", 1, w=2.0), ValueError, "w=2.0", marks=WRONG_TYPE),
    bad("put(coordinator='Z')", lambda c: c.put("k", 1, coordinator="Z"), KeyError,
        "unknown node 'Z'"),
    bad("put(context='x')", lambda c: c.put("k", 1, context="x"), ValueError, "context must be", marks=WRONG_TYPE),
    bad("put(context of another key)", lambda c: c.put("k", 1, context=KEPT["context"]),
        ValueError, "belongs to key 'cart'",
        prepare=lambda c: KEPT.update(context=c.get("cart").context)),
    bad("get(r=0)", lambda c: c.get("k", r=0), ValueError, "r=0"),
    bad("get(r='ANY')", lambda c: c.get("k", r="ANY"), ValueError, "r='ANY'"),
    bad("get(r=nan)", lambda c: c.get("k", r=NAN), ValueError, "r=nan", marks=WRONG_TYPE),
    bad("get(coordinator='Z')", lambda c: c.get("k", coordinator="Z"), KeyError,
        "unknown node 'Z'"),
    bad("delete(w=9)", lambda c: c.delete("k", w=9), ValueError, "w=9"),
    bad("delete(context=5)", lambda c: c.delete("k", context=5), ValueError, "context must be",
        marks=WRONG_TYPE),
    bad("client('alice').start_put(key=None)", lambda c: c.client("alice").start_put(None, 1),
        ValueError, "keys are non-empty strings", marks=WRONG_TYPE),
    bad("client('alice').start_put(w=0)", lambda c: c.client("alice").start_put("k", 1, w=0),
        ValueError, "w=0"),
    bad("client('alice').start_put(coordinator='Z')",
        lambda c: c.client("alice").start_put("k", 1, coordinator="Z"), KeyError,
        "unknown node 'Z'"),
    bad("client('alice').start_get(r=9)", lambda c: c.client("alice").start_get("k", r=9),
        ValueError, "r=9"),
    bad("client('alice').start_delete(w=-1)",
        lambda c: c.client("alice").start_delete("k", w=-1), ValueError, "w=-1"),
    bad("client busy: a second start_get", lambda c: c.client("bob").start_get("k"),
        ValueError, "client 'bob' already has an operation in flight",
        prepare=lambda c: c.client("bob").start_put("k", "v3")),
    bad("client(None)", lambda c: c.client(None), ValueError, "client name", marks=WRONG_TYPE),
    bad("client('')", lambda c: c.client(""), ValueError, "client name"),

    # -- faults --------------------------------------------------------------------------
    bad("crash('Z')", lambda c: c.crash("Z"), KeyError, "unknown node 'Z'"),
    bad("crash(None)", lambda c: c.crash(None), KeyError, "unknown node None",
        marks=WRONG_TYPE),
    bad("crash(lose_data=1)", lambda c: c.crash("A", lose_data=1), ValueError,
        "lose_data must be True or False, got 1", marks=WRONG_TYPE),
    bad("crash(reuse_identity=None)", lambda c: c.crash("A", reuse_identity=None), ValueError,
        "reuse_identity must be True or False, got None", marks=WRONG_TYPE),
    bad("crash twice", lambda c: c.crash("A"), ValueError, "node A is already down",
        prepare=lambda c: c.crash("A")),
    bad("recover a node that is up", lambda c: c.recover("A"), ValueError, "node A is not down"),
    bad("partition(None)", lambda c: c.partition(None), ValueError, ("group", "heal()"),
        marks=WRONG_TYPE),
    bad("partition()", lambda c: c.partition(), ValueError, "at least one group"),
    bad("partition('AB')", lambda c: c.partition("AB"), ValueError, "group",
        marks=WRONG_TYPE),
    bad("partition(['Z'])", lambda c: c.partition(["Z"]), KeyError, "unknown node 'Z'"),
    bad("partition([])", lambda c: c.partition([]), ValueError, "group 1"),
    bad("partition(['A'], ['A'])", lambda c: c.partition(["A"], ["A"]), ValueError,
        "node 'A' is in more than one group"),
    bad("set_link('A', 'A')", lambda c: c.set_link("A", "A", latency=5), ValueError,
        ("a='A'", "b='A'")),
    bad("set_link(both_ways=0)", lambda c: c.set_link("A", "B", latency=1, both_ways=0),
        ValueError, "both_ways must be True or False", marks=WRONG_TYPE),
    bad("set_link(both_ways='no')", lambda c: c.set_link("A", "B", latency=1, both_ways="no"),
        ValueError, "both_ways must be True or False", marks=WRONG_TYPE),
    bad("set_link with nothing to set", lambda c: c.set_link("A", "B"), ValueError,
        ("latency=", "loss=")),
    bad("set_link('A', 'Z')", lambda c: c.set_link("A", "Z", latency=5), KeyError,
        "unknown node 'Z'"),
    bad("set_link(latency=-1)", lambda c: c.set_link("A", "B", latency=-1), ValueError,
        "must be a finite number >= 0"),
    bad("set_link(loss=2)", lambda c: c.set_link("A", "B", loss=2), ValueError, "link loss"),
    bad("skew_clock('Z', 1)", lambda c: c.skew_clock("Z", 1), KeyError, "unknown node 'Z'"),
    bad("skew_clock('A', nan)", lambda c: c.skew_clock("A", NAN), ValueError, "clock skew"),
    bad("skew_clock('A', '5')", lambda c: c.skew_clock("A", "5"), ValueError, "clock skew",
        marks=WRONG_TYPE),

    # -- membership ----------------------------------------------------------------------
    bad("add_node('A')", lambda c: c.add_node("A"), ValueError, "node 'A' is already"),
    bad("add_node(None)", lambda c: c.add_node(None), ValueError, "node names",
        marks=WRONG_TYPE),
    bad("add_node(' ')", lambda c: c.add_node(" "), ValueError, "node name ' '"),
    bad("add_node beyond MAX_NODES", lambda c: KEPT["full"].add_node("extra"), ValueError,
        f"at most {MAX_NODES}", prepare=lambda c: KEPT.update(full=dl.Cluster(nodes=MAX_NODES))),
    bad("remove_node('Z')", lambda c: c.remove_node("Z"), KeyError, "unknown node 'Z'"),
    bad("remove_node below N", lambda c: c.remove_node("C"), ValueError, "fewer than N=3",
        prepare=lambda c: (c.remove_node("A"), c.remove_node("B"))),

    # -- the ring ------------------------------------------------------------------------
    bad("Ring(vnodes=10**7)", lambda c: dl.Ring(["A"], n=1, vnodes=10**7), ValueError,
        ("vnodes=10000000", "at most 1024")),
    bad("Ring(a full ring).add_node", lambda c: KEPT["ring"].add_node("extra"), ValueError,
        ("vnodes=1024", "66,560 tokens"),
        prepare=lambda c: KEPT.update(ring=dl.Ring([f"n{i}" for i in range(64)], n=3,
                                                   vnodes=1024))),
    bad("Ring(key=None)", lambda c: c.ring.preference_list(None), ValueError, "key must be"),

    # -- time ----------------------------------------------------------------------------
    bad("run_for('10')", lambda c: c.run_for("10"), ValueError, "ms must be",
        marks=WRONG_TYPE),
    bad("run_for(True)", lambda c: c.run_for(True), ValueError, "ms must be", marks=WRONG_TYPE),
    bad("run_for(None)", lambda c: c.run_for(None), ValueError, "ms must be",
        marks=WRONG_TYPE),
    bad("run_for(-1)", lambda c: c.run_for(-1), ValueError, "finite number of ms >= 0"),
    bad("run_for(nan)", lambda c: c.run_for(NAN), ValueError, "finite number of ms >= 0"),
    bad("run_for(inf)", lambda c: c.run_for(INF), ValueError, "finite number of ms >= 0"),

    # -- repair --------------------------------------------------------------------------
    bad("anti_entropy(fanout=1)", lambda c: c.anti_entropy(fanout=1), ValueError, "fanout"),
    bad("anti_entropy(depth=0)", lambda c: c.anti_entropy(depth=0), ValueError, "depth"),
    bad("anti_entropy(fanout=True)", lambda c: c.anti_entropy(fanout=True), ValueError,
        "fanout"),
    bad("anti_entropy(fanout=10**6)", lambda c: c.anti_entropy(fanout=10**6), ValueError,
        ("fanout=1000000", "leaves")),
    bad("anti_entropy(fanout=4, depth=12)", lambda c: c.anti_entropy(fanout=4, depth=12),
        ValueError, ("depth=12", "leaves")),
    bad("start_anti_entropy(0)", lambda c: c.start_anti_entropy(0), ValueError, "interval_ms"),
    bad("start_anti_entropy('1')", lambda c: c.start_anti_entropy("1"), ValueError,
        "interval_ms", marks=WRONG_TYPE),
    bad("start_anti_entropy(fanout=1)", lambda c: c.start_anti_entropy(100, fanout=1),
        ValueError, "fanout"),
    bad("start_anti_entropy(depth=0)", lambda c: c.start_anti_entropy(100, depth=0),
        ValueError, "depth"),
    bad("start_anti_entropy(fanout=16, depth=5)",
        lambda c: c.start_anti_entropy(100, fanout=16, depth=5), ValueError, "leaves"),
    bad("settle(0)", lambda c: c.settle(0), ValueError, "max_rounds"),
    bad("settle(None)", lambda c: c.settle(None), ValueError, "max_rounds", marks=WRONG_TYPE),

    # -- inspection ----------------------------------------------------------------------
    bad("replicas(None)", lambda c: c.replicas(None), ValueError, "keys are non-empty strings",
        marks=WRONG_TYPE),
    bad("replicas(5)", lambda c: c.replicas(5), ValueError, "keys are non-empty strings",
        marks=WRONG_TYPE),
    bad("select_targets('k', 'Z')", lambda c: c.select_targets("k", "Z"), KeyError,
        "unknown node 'Z'"),
    bad("select_targets('k', None)", lambda c: c.select_targets("k", None), KeyError,
        "unknown node None", marks=WRONG_TYPE),
    bad("select_targets(None, 'A')", lambda c: c.select_targets(None, "A"), ValueError,
        "keys are non-empty strings", marks=WRONG_TYPE),
    bad("node('Z')", lambda c: c.node("Z"), KeyError, "unknown node 'Z'"),
    bad("is_up('Z')", lambda c: c.is_up("Z"), KeyError, "unknown node 'Z'"),

    # -- leader-based topologies -----------------------------------------------------------
    bad("SingleLeader(nodes=1)", lambda s: SingleLeader(nodes=1), ValueError, "nodes"),
    bad("SingleLeader(nodes=27)", lambda s: SingleLeader(nodes=27), ValueError, "nodes"),
    bad("SingleLeader(replication='x')", lambda s: SingleLeader(replication="x"), ValueError,
        "replication='x'"),
    bad("SingleLeader(failover_timeout_ms=50)", lambda s: SingleLeader(failover_timeout_ms=50),
        ValueError, "failover_timeout_ms"),
    bad("SingleLeader(ship_interval_ms=-1)", lambda s: SingleLeader(ship_interval_ms=-1),
        ValueError, "ship_interval_ms"),
    bad("SingleLeader(promotion='x')", lambda s: SingleLeader(promotion="x"), ValueError,
        "promotion='x'"),
    bad("MultiLeader(leaders=1)", lambda s: MultiLeader(leaders=1), ValueError, "leaders"),
    bad("MultiLeader(conflict=None)", lambda s: MultiLeader(conflict=None), ValueError,
        "conflict=None"),
    bad("single leader: put(coordinator='Z')", lambda s: s.put("k", 1, coordinator="Z"),
        KeyError, "unknown node 'Z'", on="single_leader"),
    bad("single leader: start_put(w=2)", lambda s: s.client("x").start_put("k", 1, w=2),
        ValueError, "w=2", on="single_leader"),
    bad("single leader: start_get(r=2)", lambda s: s.client("x").start_get("k", r=2),
        ValueError, ("r=2", "a read is answered"), on="single_leader"),
    bad("single leader: partition(None)", lambda s: s.partition(None), ValueError,
        ("group", "heal()"), on="single_leader", marks=WRONG_TYPE),
    bad("single leader: run_for('1')", lambda s: s.run_for("1"), ValueError, "ms must be",
        on="single_leader", marks=WRONG_TYPE),
    bad("single leader: run_for(True)", lambda s: s.run_for(True), ValueError, "ms must be",
        on="single_leader", marks=WRONG_TYPE),
    bad("single leader: crash twice", lambda s: s.crash("B"), ValueError, "already down",
        prepare=lambda s: s.crash("B"), on="single_leader"),
    bad("single leader: skew_clock", lambda s: s.skew_clock("A", 5), ValueError, "clock",
        on="single_leader"),
    bad("single leader: log('Z')", lambda s: s.log("Z"), KeyError, "unknown node 'Z'",
        on="single_leader"),
    bad("multi leader: put(coordinator='Z')", lambda s: s.put("k", 1, coordinator="Z"),
        KeyError, "unknown node 'Z'", on="multi_leader"),
    bad("multi leader: skew_clock('A', nan)", lambda s: s.skew_clock("A", NAN), ValueError,
        "clock skew", on="multi_leader"),
    bad("multi leader: run_for(None)", lambda s: s.run_for(None), ValueError, "ms must be",
        on="multi_leader", marks=WRONG_TYPE),

    # -- dl.pbs --------------------------------------------------------------------------
    bad("t_visibility(None)", lambda c: dl.pbs.t_visibility(None), ValueError,
        "model must be a WARS"),
    bad("t_visibility(Exponential)", lambda c: dl.pbs.t_visibility(Exponential(1.0)),
        ValueError, ("model must be a WARS", "WARS(m, m, m, m)")),
    bad("t_visibility('LNKD_SSD')", lambda c: dl.pbs.t_visibility("LNKD_SSD"), ValueError,
        "model must be a WARS"),
    bad("t_visibility(seed='a')", lambda c: dl.pbs.t_visibility(LNKD_SSD, seed="a"),
        ValueError, "seed must be"),
    bad("t_visibility(seed=-1)", lambda c: dl.pbs.t_visibility(LNKD_SSD, seed=-1), ValueError,
        "seed must be"),
    bad("t_visibility(trials=0)", lambda c: dl.pbs.t_visibility(LNKD_SSD, trials=0),
        ValueError, "trials must be"),
    bad("t_visibility(trials=10**12)", lambda c: dl.pbs.t_visibility(LNKD_SSD, trials=10**12),
        ValueError, "trials=1,000,000,000,000"),
    bad("t_visibility(t_ms='5')", lambda c: dl.pbs.t_visibility(LNKD_SSD, t_ms="5"),
        ValueError, "t_ms must be"),
    bad("t_visibility(t_ms=True)", lambda c: dl.pbs.t_visibility(LNKD_SSD, t_ms=True),
        ValueError, "t_ms must be"),
    bad("t_visibility(t_ms=[])", lambda c: dl.pbs.t_visibility(LNKD_SSD, t_ms=[]),
        ValueError, "t_ms must be"),
    bad("t_visibility(t_ms=-1)", lambda c: dl.pbs.t_visibility(LNKD_SSD, t_ms=-1),
        ValueError, "t_ms must be"),
    bad("t_visibility(r=4)", lambda c: dl.pbs.t_visibility(LNKD_SSD, n=3, r=4), ValueError,
        "r=4"),
    bad("latency_percentiles(None)", lambda c: dl.pbs.latency_percentiles(None), ValueError,
        "model must be a WARS"),
    bad("latency_percentiles(q=(200,))",
        lambda c: dl.pbs.latency_percentiles(LNKD_SSD, q=(200,), trials=10), ValueError,
        "q must be"),
    bad("latency_percentiles(q='x')",
        lambda c: dl.pbs.latency_percentiles(LNKD_SSD, q="x", trials=10), ValueError,
        "q must be"),
    bad("latency_percentiles(q=50)",
        lambda c: dl.pbs.latency_percentiles(LNKD_SSD, q=50, trials=10), ValueError,
        "q must be"),
    bad("simulate_t_visibility(None)", lambda c: dl.pbs.simulate_t_visibility(None, trials=2),
        ValueError, "model must be a WARS"),
    bad("simulate_t_visibility(n=10**6)",
        lambda c: dl.pbs.simulate_t_visibility(LNKD_SSD, n=10**6, trials=1), ValueError,
        "n=1000000"),
    bad("p_stale(3.0, 1, 1)", lambda c: dl.pbs.p_stale(3.0, 1, 1), ValueError, "n must be"),
    bad("p_stale(3, 4, 1)", lambda c: dl.pbs.p_stale(3, 4, 1), ValueError, "r=4"),
    bad("k_staleness(k=0)", lambda c: dl.pbs.k_staleness(3, 1, 1, 0), ValueError, "k=0"),
    bad("k_staleness(k=None)", lambda c: dl.pbs.k_staleness(3, 1, 1, None), ValueError,
        "k must be"),
    bad("k_staleness(k=10**12)", lambda c: dl.pbs.k_staleness(3, 1, 1, 10**12), ValueError,
        "k=1000000000000"),

    # -- dl.latency ----------------------------------------------------------------------
    bad("Constant(None)", lambda c: Constant(None), ValueError, "Constant ms"),
    bad("Uniform(3, 1)", lambda c: Uniform(3, 1), ValueError, "low_ms"),
    bad("Exponential(0)", lambda c: Exponential(0), ValueError, "mean_ms"),
    bad("Pareto(1, nan)", lambda c: Pareto(1, NAN), ValueError, "alpha"),
    bad("Mixture([])", lambda c: Mixture([]), ValueError, "Mixture"),
    bad("Mixture weights sum to 0.9", lambda c: Mixture([(0.5, 1), (0.4, 2)]), ValueError,
        "weights must sum to 1"),
    bad("Empirical(['a'])", lambda c: Empirical(["a"]), ValueError, "Empirical sample"),
    bad("Shifted(1, -5)", lambda c: Shifted(1, -5), ValueError, "extra_ms"),
    bad("ByKind(1, {1: 2})", lambda c: ByKind(1, {1: 2}), ValueError, "by_kind"),
    bad("WARS(None, 1, 1, 1)", lambda c: WARS(None, 1, 1, 1), ValueError, "WARS w"),
    bad("WARS(remote_extra_ms=-1)", lambda c: WARS(1, 1, 1, 1, remote_extra_ms=-1), ValueError,
        "remote_extra_ms"),
    bad("WARS.leg('X')", lambda c: LNKD_SSD.leg("X"), ValueError, "WARS leg"),
    bad("WAN.link_model()", lambda c: WAN.link_model(), ValueError, "remote_extra_ms"),
    bad("WARS.sample_legs(trials=10**12)",
        lambda c: LNKD_SSD.sample_legs(__import__("numpy").random.default_rng(0), 10**12, 3),
        ValueError, ("trials * n", "trials=1000000000000")),
    bad("as_latency_model(None)", lambda c: as_latency_model(None), ValueError, "latency"),

    # -- dl.checks -----------------------------------------------------------------------
    bad("linearizable(None)", lambda c: dl.checks.linearizable(None), ValueError,
        "history must be"),
    bad("linearizable(cluster)", lambda c: dl.checks.linearizable(c), ValueError,
        ("history must be", ".history")),
    bad("linearizable(5)", lambda c: dl.checks.linearizable(5), ValueError, "history must be"),
    bad("linearizable('abc')", lambda c: dl.checks.linearizable("abc"), ValueError,
        "history must be"),
    bad("linearizable([1, 2])", lambda c: dl.checks.linearizable([1, 2]), ValueError,
        "history must be"),
    bad("linearizable(model='queue')", lambda c: dl.checks.linearizable(c.history, model="queue"),
        ValueError, "model 'queue'"),
    bad("linearizable(model=[])", lambda c: dl.checks.linearizable(c.history, model=[]),
        ValueError, "model []"),
    bad("linearizable(timeout_s=-1)", lambda c: dl.checks.linearizable(c.history, timeout_s=-1),
        ValueError, "timeout_s"),
    bad("linearizable(max_states=0)", lambda c: dl.checks.linearizable(c.history, max_states=0),
        ValueError, "max_states"),
    bad("linearizable(max_states='x')",
        lambda c: dl.checks.linearizable(c.history, max_states="x"), ValueError, "max_states"),
    bad("stale_reads(None)", lambda c: dl.checks.stale_reads(None), ValueError,
        "history must be"),
    bad("stale_reads(cluster)", lambda c: dl.checks.stale_reads(c), ValueError,
        ("history must be", ".history")),
    bad("stale_reads([1])", lambda c: dl.checks.stale_reads([1]), ValueError,
        "history must be"),
    bad("converged(None)", lambda c: dl.checks.converged(None), ValueError, "cluster must be"),
    bad("converged(history)", lambda c: dl.checks.converged(c.history), ValueError,
        "cluster must be"),
    bad("converged('x')", lambda c: dl.checks.converged("x"), ValueError, "cluster must be"),
    bad("divergent_keys(None)", lambda c: dl.checks.divergent_keys(None), ValueError,
        "cluster must be"),
    bad("lost_writes(history, None)", lambda c: dl.checks.lost_writes(c.history, None),
        ValueError, "final_reads"),
    bad("lost_writes(cluster, {})", lambda c: dl.checks.lost_writes(c, {}), ValueError,
        "history must be"),
    bad("lost_writes(history, {'k': 5})", lambda c: dl.checks.lost_writes(c.history, {"k": 5}),
        ValueError, "final read"),
    bad("read_your_writes_violations(None)",
        lambda c: dl.checks.read_your_writes_violations(None), ValueError, "History"),
    bad("monotonic_read_violations(cluster)",
        lambda c: dl.checks.monotonic_read_violations(c), ValueError, "History"),
    bad("read_history(None)", lambda c: dl.checks.read_history(None), ValueError,
        "path must be"),
    bad("read_history(5)", lambda c: dl.checks.read_history(5), ValueError, "path must be"),
    bad("read_history(a binary file)", lambda c: dl.checks.read_history(FILES["binary.log"]),
        ValueError, ("binary.log", "not a text file")),
    bad("read_history(EDN 600 deep)", lambda c: dl.checks.read_history(FILES["deep.edn"]),
        ValueError, ("deep.edn", "line 1", "nests more than 100 levels")),
    bad("read_history(Jepsen log 2000 deep)",
        lambda c: dl.checks.read_history(FILES["deep.log"]), ValueError,
        ("deep.log", "line 1", "nests more than 100 levels")),
    bad("read_history(JSON lines 5000 deep)",
        lambda c: dl.checks.read_history(FILES["deep.jsonl"]), ValueError,
        ("deep.jsonl", "line 1", "nests too deeply")),
    bad("read_history(an empty file)", lambda c: dl.checks.read_history(FILES["empty.log"]),
        ValueError, ("empty.log", "empty")),
    bad("read_history(not a history)", lambda c: dl.checks.read_history(FILES["notes.txt"]),
        ValueError, ("notes.txt", "cannot tell the format")),
    bad("find_anomaly('x')", lambda c: dl.checks.find_anomaly("x"), ValueError,
        "anomaly kind 'x'"),
    bad("find_anomaly(['x'])", lambda c: dl.checks.find_anomaly(["x"]), ValueError,
        "anomaly kind ['x']"),
    bad("find_anomaly(seeds=5)", lambda c: dl.checks.find_anomaly("stale_read", seeds=5),
        ValueError, "seeds must be"),
    bad("find_anomaly(steps=True)", lambda c: dl.checks.find_anomaly("stale_read", steps=True),
        ValueError, "steps must be"),
    bad("find_anomaly(steps=10**9)",
        lambda c: dl.checks.find_anomaly("stale_read", steps=10**9), ValueError,
        "steps=1000000000"),
    bad("find_anomaly(writers=True)",
        lambda c: dl.checks.find_anomaly("stale_read", writers=True), ValueError,
        "writers must be"),
    bad("find_anomaly(shrink='no')",
        lambda c: dl.checks.find_anomaly("stale_read", shrink="no"), ValueError,
        "shrink must be True or False"),
    bad("find_anomaly(bogus=1)", lambda c: dl.checks.find_anomaly("stale_read", bogus=1),
        ValueError, ("'bogus'", "read_repair")),
    bad("find_anomaly(r=5)", lambda c: dl.checks.find_anomaly("stale_read", r=5), ValueError,
        "r=5"),
    bad("find_anomaly(time_budget_s=nan)",
        lambda c: dl.checks.find_anomaly("stale_read", time_budget_s=NAN), ValueError,
        "time_budget_s"),

    # -- History ---------------------------------------------------------------------------
    bad("History.from_jsonl(None)", lambda c: History.from_jsonl(None), ValueError,
        "source must be", marks=WRONG_TYPE),
    bad("History.from_jsonl(5)", lambda c: History.from_jsonl(5), ValueError,
        "source must be", marks=WRONG_TYPE),
    bad("History.from_jsonl(bytes)", lambda c: History.from_jsonl(b'{"x": 1}\n'), ValueError,
        "source must be", marks=WRONG_TYPE),
    bad("History.from_jsonl('missing.jsonl')", lambda c: History.from_jsonl("missing.jsonl"),
        ValueError, "source='missing.jsonl' is neither a file nor JSON lines"),
    bad("History.from_jsonl(a binary file)",
        lambda c: History.from_jsonl(FILES["binary.jsonl"]), ValueError,
        ("binary.jsonl", "not a text file")),
    bad("History.from_jsonl(5000 deep)",
        lambda c: History.from_jsonl(FILES["deep.jsonl"].read_text()), ValueError,
        ("line 1", "nests too deeply")),
    bad("History.from_jsonl('garbage')", lambda c: History.from_jsonl("garbage\n"), ValueError,
        "line 1 is not a history record"),
    bad("History([1, 2])", lambda c: History([1, 2]), ValueError, "Operation records",
        marks=WRONG_TYPE),

    # -- dl.workload.run -----------------------------------------------------------------
    bad("workload.run(None)", lambda c: dl.workload.run(None, ops=5), ValueError,
        "cluster must be"),
    bad("workload.run(ops=0)", lambda c: dl.workload.run(c, ops=0), ValueError, "ops must be"),
    bad("workload.run(ops=True)", lambda c: dl.workload.run(c, ops=True), ValueError,
        "ops must be"),
    bad("workload.run(ops and duration_ms)",
        lambda c: dl.workload.run(c, ops=5, duration_ms=5), ValueError,
        ("ops", "duration_ms")),
    bad("workload.run(read_fraction=nan)",
        lambda c: dl.workload.run(c, ops=5, read_fraction=NAN), ValueError, "read_fraction"),
    bad("workload.run(keys=0)", lambda c: dl.workload.run(c, ops=5, keys=0), ValueError,
        "keys must be"),
    bad("workload.run(keys=10**10)", lambda c: dl.workload.run(c, ops=5, keys=10**10),
        ValueError, ("keys=10000000000", "at most 1,000,000")),
    bad("workload.run(clients=10**9)", lambda c: dl.workload.run(c, ops=5, clients=10**9),
        ValueError, "clients=1000000000"),
    bad("workload.run(key_distribution=[])",
        lambda c: dl.workload.run(c, ops=5, key_distribution=[]), ValueError,
        "key_distribution=[]"),
    bad("workload.run(zipf_s=1e6)",
        lambda c: dl.workload.run(c, ops=5, key_distribution="zipf", zipf_s=1e6), ValueError,
        "zipf_s"),
    bad("workload.run(zipf_s=inf)",
        lambda c: dl.workload.run(c, ops=5, key_distribution="zipf", zipf_s=INF), ValueError,
        "zipf_s"),
    bad("workload.run(arrival_rate_per_ms=nan)",
        lambda c: dl.workload.run(c, ops=5, arrival_rate_per_ms=NAN), ValueError,
        "arrival_rate_per_ms"),
    bad("workload.run(seed=None)", lambda c: dl.workload.run(c, ops=5, seed=None), ValueError,
        "seed"),
    bad("workload.run(progress=1)", lambda c: dl.workload.run(c, ops=5, progress=1),
        ValueError, "progress"),
    bad("workload.run(coordinator=[])", lambda c: dl.workload.run(c, ops=5, coordinator=[]),
        ValueError, "coordinator=[]"),
    bad("workload.run(faults=5)", lambda c: dl.workload.run(c, ops=5, faults=5), ValueError,
        "faults must be"),
    bad("workload.run(faults=[(1, 'explode')])",
        lambda c: dl.workload.run(c, ops=5, faults=[(1, "explode")]), ValueError,
        "action 'explode'"),
    bad("workload.run(faults=[(1, 'crash', 'Z')])",
        lambda c: dl.workload.run(c, ops=5, faults=[(1, "crash", "Z")]), ValueError,
        "crash takes one node"),
    bad("workload.run(faults=[(-1, 'heal')])",
        lambda c: dl.workload.run(c, ops=5, faults=[(-1, "heal")]), ValueError, "time_ms"),

    # -- dl.experiments.sweep ------------------------------------------------------------
    bad("sweep(None, [0])", lambda c: dl.experiments.sweep(None, [0]), ValueError,
        "grid must be"),
    bad("sweep({'n': 3}, [0])", lambda c: dl.experiments.sweep({"n": 3}, [0]), ValueError,
        "grid['n']"),
    bad("sweep({'bogus': [1]}, [0])", lambda c: dl.experiments.sweep({"bogus": [1]}, [0]),
        ValueError, "'bogus'"),
    bad("sweep([], [0])", lambda c: dl.experiments.sweep([], [0]), ValueError, "grid"),
    bad("sweep(seeds=None)", lambda c: dl.experiments.sweep({"n": [3]}, None), ValueError,
        "seeds must be"),
    bad("sweep(seeds=[])", lambda c: dl.experiments.sweep({"n": [3]}, []), ValueError,
        "seeds is empty"),
    bad("sweep(seeds=[True])", lambda c: dl.experiments.sweep({"n": [3]}, [True]), ValueError,
        "seeds must be"),
    bad("sweep(processes=0)", lambda c: dl.experiments.sweep({"n": [3]}, [0], processes=0),
        ValueError, "processes"),
    bad("sweep(run_one=5)", lambda c: dl.experiments.sweep({"n": [3]}, [0], run_one=5),
        ValueError, "run_one"),

    # -- dl.presets ----------------------------------------------------------------------
    bad("resolve_preset('x')", lambda c: dl.presets.resolve_preset("x"), ValueError,
        "preset 'x'"),
    bad("resolve_preset([])", lambda c: dl.presets.resolve_preset([]), ValueError,
        "preset []"),
    bad("dynamo().cluster(bogus=1)", lambda c: dl.presets.dynamo().cluster(bogus=1),
        ValueError, "'bogus'"),
    bad("dynamo().cluster(nodes=10**6)", lambda c: dl.presets.dynamo().cluster(nodes=10**6),
        ValueError, "nodes=1000000"),
    bad("cassandra().cluster(w=9)", lambda c: dl.presets.cassandra().cluster(w=9), ValueError,
        "w=9"),

    # -- dl.widgets ----------------------------------------------------------------------
    bad("QuorumCalculator(n=0)", lambda c: widgets().QuorumCalculator(n=0), ValueError,
        "n must be"),
    bad("QuorumCalculator(n=100)", lambda c: widgets().QuorumCalculator(n=100), ValueError,
        "n must be"),
    bad("QuorumCalculator(r=10)", lambda c: widgets().QuorumCalculator(r=10), ValueError,
        "r must be"),
    bad("QuorumCalculator(w=0)", lambda c: widgets().QuorumCalculator(w=0), ValueError,
        "w must be"),
    bad("QuorumCalculator(n='3')", lambda c: widgets().QuorumCalculator(n="3"), ValueError,
        "n must be"),
    bad("QuorumCalculator(n=True)", lambda c: widgets().QuorumCalculator(n=True), ValueError,
        "n must be"),
    bad("RingExplorer(nodes=0)", lambda c: widgets().RingExplorer(nodes=0), ValueError,
        "nodes must be"),
    bad("RingExplorer(nodes=1000)", lambda c: widgets().RingExplorer(nodes=1000), ValueError,
        "nodes must be"),
    bad("RingExplorer(vnodes=10**4)", lambda c: widgets().RingExplorer(vnodes=10**4),
        ValueError, "vnodes must be"),
    bad("RingExplorer(n=9)", lambda c: widgets().RingExplorer(n=9), ValueError, "n=9"),
    bad("RingExplorer(key=None)", lambda c: widgets().RingExplorer(key=None), ValueError,
        "key must be"),
    bad("RingExplorer(key=5)", lambda c: widgets().RingExplorer(key=5), ValueError,
        "key must be"),
    bad("RingExplorer(strategy=7)", lambda c: widgets().RingExplorer(strategy=7), ValueError,
        "strategy=7"),
    bad("ClusterExplorer(None)", lambda c: widgets().ClusterExplorer(None), ValueError,
        "cluster must be"),
    bad("ClusterExplorer(history)", lambda c: widgets().ClusterExplorer(c.history), ValueError,
        "cluster must be"),
    bad("ClusterExplorer(key=5)", lambda c: widgets().ClusterExplorer(c, key=5), ValueError,
        "key must be"),
    bad("ClusterExplorer(key='')", lambda c: widgets().ClusterExplorer(c, key=""), ValueError,
        "key"),
    bad("MerkleExplorer(None)", lambda c: widgets().MerkleExplorer(None), ValueError,
        "cluster must be"),
    bad("MerkleExplorer(key=5)", lambda c: widgets().MerkleExplorer(c, key=5), ValueError,
        "key must be"),
    bad("VersionGraph(None)", lambda c: widgets().VersionGraph(None), ValueError,
        "cluster must be"),
    bad("VersionGraph(key=5)", lambda c: widgets().VersionGraph(c, key=5), ValueError,
        "key must be"),
    bad("MessageDiagram(None)", lambda c: widgets().MessageDiagram(None), ValueError,
        "cluster must be"),
    bad("Replay(None)", lambda c: widgets().Replay(None), ValueError, "cluster must be"),
    bad("Replay(key=5)", lambda c: widgets().Replay(c, key=5), ValueError, "key=5"),
    bad("Replay(key='nokey')", lambda c: widgets().Replay(c, key="nokey"), ValueError,
        ("key='nokey'", "'cart'")),
    bad("TVisibilityExplorer(fit='x')", lambda c: widgets().TVisibilityExplorer(fit="x"),
        ValueError, "fit 'x'"),
    bad("TVisibilityExplorer(fit=[])", lambda c: widgets().TVisibilityExplorer(fit=[]),
        ValueError, "fit []"),
    bad("TVisibilityExplorer(t_ms=3)", lambda c: widgets().TVisibilityExplorer(t_ms=3),
        ValueError, "t_ms must be"),
    bad("TVisibilityExplorer(t_ms=True)", lambda c: widgets().TVisibilityExplorer(t_ms=True),
        ValueError, "t_ms must be"),
    bad("TVisibilityExplorer(n=1)", lambda c: widgets().TVisibilityExplorer(n=1), ValueError,
        "n must be"),
    bad("TVisibilityExplorer(seed='a')", lambda c: widgets().TVisibilityExplorer(seed="a"),
        ValueError, "seed must be"),
    bad("ConfigJudge(None)", lambda c: widgets().ConfigJudge(None), ValueError,
        "targets must be"),
    bad("ConfigJudge(n=9)", lambda c: widgets().ConfigJudge(targets(), n=9), ValueError,
        "n must be"),
    bad("ConfigJudge(sloppy_quorum=1)",
        lambda c: widgets().ConfigJudge(targets(), sloppy_quorum=1), ValueError,
        "sloppy_quorum must be True or False"),
    bad("ConfigJudge(bogus=1)", lambda c: widgets().ConfigJudge(targets(), bogus=1),
        ValueError, ("'bogus'", "visibility_trials")),
]


def test_the_table_is_long_enough():
    assert len(ROWS) >= 100
    names = [row.id for row in ROWS]
    assert len(set(names)) == len(names), "every row needs its own id"


@pytest.mark.parametrize("call, error, fragment, prepare, on", ROWS)
def test_bad_input_is_refused_in_words_and_changes_nothing(call, error, fragment, prepare, on):
    system = SYSTEMS[on]()
    KEPT.clear()
    if prepare is not None:
        prepare(system)
    before = snapshot(system)
    with pytest.raises(Exception) as caught:
        call(system)
    assert type(caught.value) is error, f"{type(caught.value).__name__}: {caught.value}"
    message = caught.value.args[0] if caught.value.args else ""
    for piece in (fragment,) if isinstance(fragment, str) else fragment:
        assert piece in message, f"{piece!r} not in {message!r}"
    assert snapshot(system) == before
