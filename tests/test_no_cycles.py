"""The simulator makes no reference cycles as it runs.

The kernel pauses the garbage collector while events run and moves what a
run created straight to the collector's oldest generation, because nothing
a run makes needs the collector (see ``dynamo_lab.sim.kernel``): every
object is either freed by reference counting as soon as it is done with or
kept on purpose in the history, the trace or a store. These tests hold the
simulator to that across its features; a cycle (such as a time-out timer
holding a method of the operation that holds it) makes them fail.
"""

import gc

import pytest

import dynamo_lab as dl


def _drive(cluster, operations, faults=()):
    """Sequential get-then-put pairs on a few keys, with faults at given steps."""
    faults = dict(faults)
    for step in range(operations):
        if step in faults:
            faults[step](cluster)
        key = f"k{step % 7}"
        read = cluster.get(key)
        if step % 5 == 4:
            cluster.delete(key, context=read.context if read.ok else None)
        else:
            cluster.put(key, step, context=read.context if read.ok else None)
    cluster.run_for(3_000)


SCENARIOS = {
    "no faults": (dict(), ()),
    "crash, partition, loss and time-outs": (
        dict(loss=0.05, timeout_ms=20, read_repair="blocking"),
        [(5, lambda c: c.crash("B")), (15, lambda c: c.partition(["A", "C"])),
         (25, lambda c: c.heal()), (30, lambda c: c.recover("B")),
         (35, lambda c: c.crash("D", lose_data=True)), (45, lambda c: c.recover("D"))]),
    "dotted version vectors, R = W = 1": (dict(versioning="dvv", r=1, w=1), ()),
    "last write wins, strict quorum": (dict(versioning="lww", sloppy_quorum=False), ()),
    "coordinator hints and R-only reads": (
        dict(hinted_handoff="coordinator", read_fanout="r", r=1, w=1),
        [(3, lambda c: c.crash("C")), (20, lambda c: c.recover("C"))]),
    "gossip and phi accrual": (dict(failure_detector="phi", gossip_period_ms=20.0),
                               [(10, lambda c: c.crash("E"))]),
    "a join and a leave": (dict(), [(5, lambda c: c.add_node("F")),
                                    (25, lambda c: c.remove_node("B"))]),
    "background anti-entropy": (dict(), [(0, lambda c: c.start_anti_entropy(50.0)),
                                         (5, lambda c: c.crash("C")),
                                         (20, lambda c: c.recover("C"))]),
}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_run_leaves_no_cyclic_garbage(scenario):
    options, faults = SCENARIOS[scenario]
    cluster = dl.Cluster(nodes=5, n=3, seed=11, **{"r": 2, "w": 2, **options})
    gc.collect()
    _drive(cluster, 60, faults)
    assert len(cluster.history) == 240          # the run really happened
    # The cluster is still alive here: anything the collector finds now is a
    # cycle the run made and dropped.
    assert gc.collect() == 0
