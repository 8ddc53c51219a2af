"""Digests of what the simulator does, for checking that a speed-up changed nothing.

Runs seven seeded scenarios that between them use most of the simulator
(crashes, partitions, message loss, time-outs, deletes, dotted version
vectors, last-write-wins under clock skew, coordinator-kept hints, gossip
with phi accrual, a join and a leave) and prints, for each, an MD5 digest
of its message trace, its history and every node's store and hints. A
change meant only to make the simulator faster must leave every digest as
it was: run this before and after, and compare.

    .venv/bin/python benchmarks/fingerprint.py
"""

import hashlib

import closed_loop
import dynamo_lab as dl


def digest(cluster: dl.Cluster) -> str:
    md5 = hashlib.md5()
    for event in cluster.trace:
        md5.update(repr(event).encode())
    for op in cluster.history:
        md5.update(repr(op).encode())
    for name in sorted(cluster.network.nodes):
        node = cluster.node(name)
        for key in sorted(node.store):
            md5.update(f"{name} {key} {node.store[key]}".encode())
        md5.update(repr(sorted((key, sorted(owners)) for key, owners in node.hints.items()))
                   .encode())
    md5.update(repr(cluster.now).encode())
    return md5.hexdigest()[:12]


def drive(cluster: dl.Cluster, operations: int, seed: int, faults=()) -> dl.Cluster:
    """Six closed-loop clients on 30 keys (every 7th write a delete), with faults."""
    for at_ms, fault in faults:
        cluster.sim.schedule(at_ms, fault, cluster)
    closed_loop.start(cluster, clients=6, keys=[f"key{i}" for i in range(30)],
                      operations=operations, seed=seed, delete_every=7)
    cluster.run_until_idle()
    cluster.run_for(5_000)
    return cluster


SCENARIOS = {
    "no faults": lambda: drive(dl.Cluster(5, 3, 2, 2, seed=1), 4_000, 1),
    "crashes, a partition, loss": lambda: drive(
        dl.Cluster(5, 3, 2, 2, seed=2, read_repair="blocking", loss=0.02, timeout_ms=20),
        3_000, 2,
        [(5.0, lambda c: c.crash("B")), (40.0, lambda c: c.partition(["A", "C"])),
         (90.0, lambda c: c.heal()), (120.0, lambda c: c.recover("B")),
         (150.0, lambda c: c.crash("D", lose_data=True)), (200.0, lambda c: c.recover("D"))]),
    "DVV, R = W = 1, random reads": lambda: drive(
        dl.Cluster(6, 3, 1, 1, seed=3, versioning="dvv", read_fanout="random_r"), 3_000, 3),
    "LWW, skew, strict quorum": lambda: drive(
        dl.Cluster(5, 3, 2, 2, seed=4, versioning="lww", sloppy_quorum=False), 2_000, 4,
        [(0.0, lambda c: c.skew_clock("A", 7.0))]),
    "coordinator hints": lambda: drive(
        dl.Cluster(5, 3, 1, 1, seed=5, hinted_handoff="coordinator", read_fanout="r",
                   failure_detector="oracle"), 2_000, 5,
        [(3.0, lambda c: c.crash("C")), (60.0, lambda c: c.recover("C"))]),
    "gossip and phi accrual": lambda: drive(
        dl.Cluster(5, 3, 2, 2, seed=6, failure_detector="phi", gossip_period_ms=50.0),
        1_500, 6, [(2_000.0, lambda c: c.crash("E"))]),
    "a join and a leave": lambda: drive(
        dl.Cluster(5, 3, 2, 2, seed=7), 2_000, 7,
        [(30.0, lambda c: c.add_node("F")), (300.0, lambda c: c.remove_node("B"))]),
}


def main() -> None:
    for name, scenario in SCENARIOS.items():
        cluster = scenario()
        print(f"  {digest(cluster)}  {name}: {len(cluster.trace):,} message events, "
              f"{len(cluster.history):,} history records")


if __name__ == "__main__":
    main()
