"""Seeded chaos: a busy cluster under loss, crashes and partitions, then healed and settled.

:func:`chaos_run` drives a cluster with clients that each read a random key
and write a new value with the read's context (read-modify-write), while a
seeded schedule injects faults: message loss throughout, crashes with and
without data loss, partitions, and their recoveries. Then every fault stops
(heal, recover, no loss), the cluster settles, and every key is read at ALL.

It keeps its own record of every write it issued: the context it passed,
whether the write was acknowledged, and its ``(node, counter)`` event. From
that record, not from the history, it works out which acknowledged writes
are lost: gone from the final read although no write that may have taken
effect had seen them. That is the oracle that ``checks.lost_writes``, which
reads only the history, must agree with.

A lost write is *explained* when a crash that lost data wiped the last copy:
just before some data-losing crash, the crashed node was the only node whose
store or hints held it. Any other loss is a defect.

Examples
--------
>>> run = chaos_run(seed=1, operations=300)
>>> run.converged, run.unexplained_losses, run.checker_agrees
(True, [], True)
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from ..checks.convergence import divergent_keys
from ..checks.lost_writes import lost_writes, replaces
from ..cluster import Cluster
from ..validation import whole_number

__all__ = ["ChaosRun", "chaos_run", "Write"]


@dataclass(frozen=True)
class Write:
    """One write the chaos clients issued, as the client saw it."""

    key: str
    value: Any
    status: str            # ok, fail or info
    event: tuple | None    # the write's (node, counter), when it sent anything
    context: Any           # the context it was written with (None: blind)


@dataclass
class ChaosRun:
    """What :func:`chaos_run` did and found.

    Attributes
    ----------
    cluster : Cluster
        The cluster, settled.
    writes : list of Write
    faults : list of str
        The injected faults, in order, as text.
    settle : SettleReport
        What the final ``settle()`` did.
    converged : bool
        Every key's home replicas agree and no hint waits.
    lost : dict
        key -> acknowledged values lost, by the client-side oracle.
    explained : dict
        key -> the lost values a data-losing crash of their last holder wiped.
    checker_lost : dict
        What ``checks.lost_writes`` reported, from the history alone.
    """

    cluster: Any
    writes: list = field(default_factory=list)
    faults: list = field(default_factory=list)
    settle: Any = None
    converged: bool = False
    lost: dict = field(default_factory=dict)
    explained: dict = field(default_factory=dict)
    checker_lost: dict = field(default_factory=dict)

    @property
    def acknowledged(self) -> int:
        return sum(w.status == "ok" for w in self.writes)

    @property
    def unexplained_losses(self) -> list:
        """(key, value) of every lost write no data-losing crash explains."""
        return [(key, value) for key, values in sorted(self.lost.items()) for value in values
                if value not in self.explained.get(key, [])]

    @property
    def checker_agrees(self) -> bool:
        """Whether ``checks.lost_writes`` found exactly the oracle's losses."""
        def same(report: dict) -> dict:
            return {key: sorted(values, key=repr) for key, values in report.items() if values}
        return same(self.checker_lost) == same(self.lost)


def _holders(cluster: Cluster, event: tuple, key: str) -> set[str]:
    """The nodes whose store or hints hold the sibling written as ``event``."""
    found = set()
    for name in cluster.nodes:
        node = cluster.node(name)
        records = [node.store.get(key), *node.hints.get(key, {}).values()]
        if any(r is not None and any(s.event == event for s in r.siblings) for r in records):
            found.add(name)
    return found


def chaos_run(seed: int = 0, *, operations: int = 2000, nodes: int = 6, keys: int = 20,
              clients: int = 6, loss: float = 0.02, data_loss: bool = True,
              versioning: str = "vector_clock", faults_every_ms: float = 40.0,
              failure_detector: str = "timeouts") -> ChaosRun:
    """Run read-modify-write clients through seeded faults, then settle (see the module docstring).

    Parameters
    ----------
    seed : int
        Seeds the cluster, the clients' choices and the fault schedule.
    operations : int
        Client operations in all (reads and writes).
    nodes, keys, clients : int
    loss : float
        Message loss while the faults last.
    data_loss : bool
        Whether some crashes wipe the crashed node's storage.
    versioning : str
        ``"vector_clock"`` or ``"dvv"`` (last-write-wins loses concurrent
        writes by design, so it has no place here).
    faults_every_ms : float
        Mean time between two fault actions.
    failure_detector : str
        As for :class:`~dynamo_lab.cluster.Cluster`.
    """
    whole_number("operations", operations, low=1)
    whole_number("clients", clients, low=1)
    whole_number("keys", keys, low=1)
    if versioning not in ("vector_clock", "dvv"):
        raise ValueError(f"versioning={versioning!r} is not allowed here; choose 'vector_clock' "
                         "or 'dvv' (last-write-wins loses concurrent writes by design)")
    cluster = Cluster(nodes=nodes, n=3, r=2, w=2, seed=seed, loss=loss, timeout_ms=50.0,
                      versioning=versioning, failure_detector=failure_detector)
    rng = random.Random(f"chaos:{seed}")
    names = [f"k{i}" for i in range(keys)]
    run = ChaosRun(cluster)
    wiped: dict[str, set] = {}           # key -> events a data-losing crash wiped
    handles = [cluster.client(f"c{i}") for i in range(clients)]
    contexts: dict[tuple[int, str], Any] = {}
    state: list[Any] = [None] * clients   # (kind, key, value, context, pending)
    started = 0
    counter = 0

    def fault() -> None:
        down = cluster.down
        action = rng.random()
        if action < 0.35 and len(down) < 2:
            victim = rng.choice([n for n in cluster.nodes if n not in down])
            lose = data_loss and rng.random() < 0.4
            if lose:
                for w in run.writes:
                    if w.status == "ok" and w.event is not None:
                        holders = _holders(cluster, w.event, w.key)
                        if holders == {victim}:
                            wiped.setdefault(w.key, set()).add(w.event)
            cluster.crash(victim, lose_data=lose)
            run.faults.append(f"{cluster.now:.1f} crash {victim}{' (data lost)' if lose else ''}")
        elif action < 0.6 and down:
            victim = rng.choice(down)
            cluster.recover(victim)
            run.faults.append(f"{cluster.now:.1f} recover {victim}")
        elif action < 0.8 and len(cluster.partitions) == 1:
            side = rng.sample(cluster.nodes, rng.randint(1, len(cluster.nodes) // 2))
            cluster.partition(side)
            run.faults.append(f"{cluster.now:.1f} partition {sorted(side)}")
        elif len(cluster.partitions) > 1:
            cluster.heal()
            run.faults.append(f"{cluster.now:.1f} heal")

    next_fault = rng.expovariate(1 / faults_every_ms)
    while started < operations or any(state):
        if cluster.now >= next_fault and started < operations:
            fault()
            next_fault = cluster.now + rng.expovariate(1 / faults_every_ms)
        for i, client in enumerate(handles):
            current = state[i]
            if current is None:
                if started >= operations:
                    continue
                key = rng.choice(names)
                if (i, key) in contexts and rng.random() < 0.5:
                    counter += 1
                    value = f"c{i}-{counter}"
                    context = contexts[(i, key)]
                    state[i] = ("put", key, value, context,
                                client.start_put(key, value, context=context))
                else:
                    state[i] = ("get", key, None, None, client.start_get(key))
                started += 1
            elif current[4].done:
                kind, key, value, context, pending = current
                result = pending.result
                if kind == "get" and result.ok:
                    contexts[(i, key)] = result.context
                elif kind == "put":
                    run.writes.append(Write(key, value, result.status, result.event, context))
                state[i] = None
        cluster.run_for(rng.expovariate(1.0))

    # Faults stop: everything heals, recovers, and the cluster settles.
    cluster.heal()
    for name in cluster.down:
        cluster.recover(name)
    cluster.network.loss = 0.0
    run.settle = cluster.settle()
    run.converged = not divergent_keys(cluster)
    finals = {key: cluster.get(key, r="ALL").values for key in names}

    # The oracle, from the clients' own record of what they wrote and read.
    possible = [w for w in run.writes if w.status != "fail"]
    for w in run.writes:
        if w.status != "ok" or w.value in finals[w.key]:
            continue
        if any(replaces(x.context, w.event) for x in possible if x is not w and x.key == w.key):
            continue
        run.lost.setdefault(w.key, []).append(w.value)
        if w.event in wiped.get(w.key, set()):
            run.explained.setdefault(w.key, []).append(w.value)
    run.checker_lost = lost_writes(cluster.history, finals).lost
    return run
