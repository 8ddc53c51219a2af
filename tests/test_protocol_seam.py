"""The protocol seam: replicas and coordinators plug into a cluster, and see only a Host.

A deliberately wrong coordinator or replica, written outside the package,
runs in an unchanged cluster, and the project's own checkers catch what it
breaks. The same seeded run with the default classes passes them.
"""

import ast
from pathlib import Path

import pytest
from builds import COMPILED, PLUGS_IN_CLASSES

import dynamo_lab as dl
from dynamo_lab.coordinator import Coordinator, PutOperation, QuorumCoordinator
from dynamo_lab.host import Host
from dynamo_lab.node import Node

PACKAGE = Path(dl.__file__).parent


def first_ack_coordinator():
    """A coordinator that answers a put after the first acknowledgement, whatever W is.

    (Defined on demand: the compiled build lets no Python class subclass its own.)
    """
    class FirstAckPut(PutOperation):
        def _check_quorum(self):
            if not self.replied and self.acks:
                self._complete("ok", None)
                self._answered()

    class FirstAckCoordinator(QuorumCoordinator):
        put_operation = FirstAckPut

    return FirstAckCoordinator


def forgetful_replica():
    """A replica that acknowledges every write, as it must, but stores none of them."""
    class ForgetfulReplica(Node):
        def apply(self, key, record, hint_for=None):
            return record

    return ForgetfulReplica


def busy_run(**classes):
    """Eight clients, 400 operations on ten keys through any node (a load balancer),
    R = W = 2 of N = 3, no faults."""
    cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=11, **classes)
    report = dl.workload.run(cluster, ops=400, keys=10, clients=8, read_fraction=0.5, seed=3,
                             coordinator="random", progress=False)
    return cluster, report


def test_the_default_classes_keep_every_read_fresh():
    cluster, _ = busy_run()
    assert all(isinstance(cluster.node(n).coordinator, QuorumCoordinator) for n in cluster.nodes)
    assert dl.checks.stale_reads(cluster.history) == []


@PLUGS_IN_CLASSES
def test_a_coordinator_that_ignores_w_is_caught_by_the_stale_read_checker():
    hasty = first_ack_coordinator()
    cluster, _ = busy_run(coordinator=hasty)
    assert all(type(cluster.node(n).coordinator) is hasty for n in cluster.nodes)
    stale = dl.checks.stale_reads(cluster.history)
    assert stale, "acknowledging after one replica must let some read miss an acknowledged write"
    # Each one missed at least one acknowledged write.
    assert all(s.versions_behind >= 1 for s in stale)


@PLUGS_IN_CLASSES
def test_a_replica_that_keeps_nothing_is_caught_by_the_lost_write_checker():
    cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=2, replica=forgetful_replica())
    for i in range(20):
        cluster.put(f"k{i}", i)
    cluster.run_until_idle()
    finals = {f"k{i}": cluster.get(f"k{i}", r="ALL").values for i in range(20)}
    report = dl.checks.lost_writes(cluster.history, finals)
    assert not report.ok and report.lost, report


def test_select_targets_is_the_coordinators_choice():
    cluster = dl.Cluster(nodes=5, n=3, seed=1)
    key = "cart:alice"
    first = cluster.ring.preference_list(key)[0]
    assert cluster.select_targets(key, first) == cluster.node(first).coordinator.select_targets(key)
    assert [name for name, _ in cluster.select_targets(key, first)] == \
        cluster.ring.home_replicas(key)


@pytest.mark.parametrize("option, value, message", [
    ("replica", dict, "replica must be dynamo_lab.node.Node or a subclass of it"),
    ("replica", object(), "replica must be"),
    ("coordinator", PutOperation, "coordinator must be a subclass of"),
    ("coordinator", "quorum", "coordinator must be a subclass of"),
])
def test_a_class_that_does_not_fit_is_refused_clearly(option, value, message):
    with pytest.raises(ValueError, match=message):
        dl.Cluster(**{option: value})


@PLUGS_IN_CLASSES
def test_the_coordinator_interface_says_what_to_implement():
    cluster = dl.Cluster(nodes=3, n=3, seed=1, coordinator=Coordinator)
    with pytest.raises(NotImplementedError):
        cluster.put("k", "v")


# -- nodes, coordinators and exchanges use their host only through Host ------------

HOST_MEMBERS = {name for name in dir(Host) if not name.startswith("_")} | set(
    Host.__annotations__)
SEAM_MODULES = ["node.py", "coordinator.py", "anti_entropy.py", "rebalance.py"]


def _host_attributes(tree: ast.AST) -> set[str]:
    """Attributes read on ``self.host``, ``host`` and ``self.host``-derived locals."""
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            base = node.value
            if (isinstance(base, ast.Name) and base.id == "host") or (
                    isinstance(base, ast.Attribute) and base.attr == "host"
                    and isinstance(base.value, ast.Name) and base.value.id == "self"):
                used.add(node.attr)
    return used


@pytest.mark.parametrize("module", SEAM_MODULES)
def test_protocol_code_uses_only_the_host_interface(module):
    tree = ast.parse((PACKAGE / module).read_text())
    used = _host_attributes(tree)
    assert used, f"{module} never uses its host: the test reads the wrong names"
    assert used <= HOST_MEMBERS, f"{module} uses {sorted(used - HOST_MEMBERS)}, not in Host"


@pytest.mark.parametrize("module", SEAM_MODULES)
def test_protocol_code_never_imports_the_cluster(module):
    tree = ast.parse((PACKAGE / module).read_text())
    imported = {node.module for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.module}
    assert not any(name.split(".")[-1] in ("cluster", "system") for name in imported), imported


@pytest.mark.skipif(not COMPILED, reason="only the compiled build refuses its own classes")
def test_the_compiled_build_refuses_classes_it_would_bypass():
    with pytest.raises(ValueError, match="need the interpreted package"):
        dl.Cluster(coordinator=Coordinator)


def test_a_cluster_is_a_host():
    assert isinstance(dl.Cluster(seed=1), Host)
