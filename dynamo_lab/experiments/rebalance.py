"""Joining and leaving under load: what moves, who routes by which ring, what is lost.

:func:`churn_under_load` runs a gossip-membership cluster
(``failure_detector="phi"``) with concurrent clients that keep reading and
writing while a node joins and, later, another leaves. The clients run
inside the simulation (a timer starts the next request of every idle
client), so they keep going while :meth:`Cluster.add_node
<dynamo_lab.cluster.Cluster.add_node>` copies ranges and while gossip
carries the new ring to one node after another. It records:

- the two :class:`~dynamo_lab.rebalance.RebalanceReport` objects (ranges,
  share of the ring, keys and bytes moved);
- every node's ring epoch, sampled over time (:meth:`ChurnRun.views_frame`),
  which shows how long nodes disagree on the ring;
- how many requests were coordinated by a node still routing by an older
  ring, and how many of those sent a key to a different set of home replicas
  than the newest ring names (misrouted);
- the hints that misrouted writes left behind, and whether they were all
  delivered;
- at the end, after hints and anti-entropy have run, the
  :func:`~dynamo_lab.checks.lost_writes` verdict on every acknowledged write.

Examples
--------
>>> run = churn_under_load(seed=1, phase_ms=4_000, clients=3, keys=12)
>>> run.join.done and run.leave.done
True
>>> run.lost.ok, run.failed
(True, 0)
>>> run.misrouted > 0
True
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from ..cluster import Cluster

__all__ = ["ChurnRun", "churn_under_load"]


@dataclass
class ChurnRun:
    """What :func:`churn_under_load` observed.

    Attributes
    ----------
    cluster : Cluster
        The cluster after the run (settled).
    join, leave : RebalanceReport
    views : list of (float, dict)
        ``(time_ms, {node: ring epoch})`` samples.
    ops, failed : int
        Client operations completed during the run, and how many failed or
        timed out.
    old_view_ops : int
        Operations whose coordinator still routed by an older ring when they
        started.
    misrouted : int
        Of those, the ones for which the coordinator's ring named other home
        replicas for the key than the newest ring.
    hints : dict
        ``cluster.hint_counts`` at the end (hand-offs of misrouted writes
        included).
    lost : LostWriteReport
        Every acknowledged write checked against the final reads.
    joined, left : str
        The node that joined and the node that left.
    """

    cluster: Any
    join: Any
    leave: Any
    views: list = field(default_factory=list)
    ops: int = 0
    failed: int = 0
    old_view_ops: int = 0
    misrouted: int = 0
    hints: dict = field(default_factory=dict)
    lost: Any = None
    joined: str = ""
    left: str = ""

    def views_frame(self):
        """One row per sample: time, and how many nodes route by each ring epoch."""
        import pandas as pd

        epochs = sorted({e for _, view in self.views for e in view.values()})
        rows = []
        for time, view in self.views:
            counts = [sum(1 for e in view.values() if e == epoch) for epoch in epochs]
            rows.append([time, *counts])
        return pd.DataFrame(rows, columns=["time_ms", *[f"epoch {e}" for e in epochs]])

    def disagreement_ms(self, epoch: int) -> float | None:
        """How long, from the first sample with ``epoch`` to the first in which
        every node routes by it, nodes disagreed (sampling resolution)."""
        first = next((t for t, view in self.views if epoch in view.values()), None)
        everyone = next((t for t, view in self.views
                         if view and all(e >= epoch for e in view.values())), None)
        if first is None or everyone is None:
            return None
        return everyone - first

    def __repr__(self) -> str:
        return (f"<ChurnRun {self.joined} joined, {self.left} left: {self.ops} ops, "
                f"{self.failed} failed, {self.misrouted} misrouted, "
                f"lost writes: {'none' if self.lost.ok else self.lost.lost}>")


def _check_positive(name: str, value, whole: bool = False):
    kind = int if whole else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind) or value <= 0:
        raise ValueError(f"{name} must be a {'whole ' if whole else ''}number > 0, "
                         f"got {value!r}")
    return value


def churn_under_load(nodes: int = 5, n: int = 3, r: int = 2, w: int = 2, seed: int = 0, *,
                     join: str = "F", leave: str = "A", clients: int = 4, keys: int = 30,
                     tick_ms: float = 10.0, phase_ms: float = 8_000.0,
                     gossip_period_ms: float = 1000.0, sample_ms: float = 100.0) -> ChurnRun:
    """Run clients through a join and then a leave; check that no write is lost.

    Parameters
    ----------
    nodes, n, r, w, seed
        The cluster (gossip membership with phi-accrual detection).
    join : str
        Name of the node that joins after ``phase_ms``.
    leave : str
        Name of the node that leaves ``phase_ms`` after the join.
    clients : int
        Concurrent clients. Each one, whenever it is idle at a tick, either
        reads a random key or, if its last read was of a key it has not yet
        written since, writes that key with the read's context (a
        read-modify-write).
    keys : int
        How many keys (``item0``, ``item1``, ...).
    tick_ms : float
        How often idle clients start their next request.
    phase_ms : float
        Time before the join, between the join and the leave, and after the
        leave.
    gossip_period_ms : float
        Gossip period (Dynamo: one second).
    sample_ms : float
        How often every node's ring epoch is sampled.

    Raises
    ------
    ValueError
        For a bad parameter, an existing ``join`` name or an unknown ``leave``.
    """
    from ..checks import lost_writes

    _check_positive("clients", clients, whole=True)
    _check_positive("keys", keys, whole=True)
    for name, value in (("tick_ms", tick_ms), ("phase_ms", phase_ms),
                        ("sample_ms", sample_ms)):
        _check_positive(name, value)
    cluster = Cluster(nodes=nodes, n=n, r=r, w=w, seed=seed, failure_detector="phi",
                      gossip_period_ms=gossip_period_ms)
    if join in cluster.nodes:
        raise ValueError(f"join={join!r} is already a node of the cluster ({', '.join(cluster.nodes)})")
    if leave not in cluster.nodes:
        raise ValueError(f"leave={leave!r} is not a node of the cluster "
                         f"({', '.join(cluster.nodes)})")
    rng = random.Random(seed)
    names = [f"item{i}" for i in range(keys)]
    handles = [cluster.client(f"client{i}") for i in range(clients)]
    last_read: dict[str, Any] = {}      # client -> its last read, if not yet written back
    counter = [0]
    run = ChurnRun(cluster, None, None, joined=join, left=leave)
    running = [True]
    started: list = []

    def note_route(pending) -> None:
        coordinator = pending.invocation.node
        if coordinator is None or coordinator not in cluster.nodes:
            return
        node = cluster.node(coordinator)
        if node.ring_epoch < cluster.ring_epoch:
            run.old_view_ops += 1
            key = pending.invocation.key
            if node.ring.home_replicas(key) != cluster.ring.home_replicas(key):
                run.misrouted += 1

    def tick() -> None:
        if not running[0]:
            return
        cluster.sim.schedule_daemon(tick_ms, tick)
        for client in handles:
            pending = client.in_flight
            if pending is not None:
                continue
            previous = last_read.pop(client.name, None)
            if previous is not None and previous.result.ok and rng.random() < 0.8:
                counter[0] += 1
                key = previous.invocation.key
                pending = client.start_put(key, f"v{counter[0]}",
                                           context=previous.result.context)
            else:
                pending = client.start_get(names[rng.randrange(keys)])
                last_read[client.name] = pending
            started.append(pending)
            note_route(pending)

    def sample() -> None:
        if not running[0]:
            return
        cluster.sim.schedule_daemon(sample_ms, sample)
        run.views.append((cluster.now, dict(cluster.ring_views())))

    cluster.sim.schedule_daemon(0.0, tick)
    cluster.sim.schedule_daemon(0.0, sample)
    cluster.run_for(phase_ms)
    run.join = cluster.add_node(join)
    cluster.run_for(phase_ms)
    run.leave = cluster.remove_node(leave)
    cluster.run_for(phase_ms)
    running[0] = False
    cluster.run_until_idle()
    cluster.run_for(5 * gossip_period_ms)      # the last ring reaches everyone
    cluster.settle(max_rounds=5)
    run.ops = sum(1 for p in started if p.done)
    run.failed = sum(1 for p in started if p.done and not p.result.ok)
    run.hints = dict(cluster.hint_counts)
    finals = {key: cluster.get(key, r=n).values for key in cluster.keys()}
    run.lost = lost_writes(cluster.history, finals)
    return run
