"""Session guarantees measured: one short session, many seeds, several routings.

Lesson 08's experiments on read-your-writes and monotonic reads, which
:mod:`dynamo_lab.checks.session_guarantees` defines and checks.

:func:`session_trial` runs one short session on a fresh cluster: the key
holds ``"old"`` on every replica; ``alice`` writes ``"new"`` and reads the
key as soon as the write is acknowledged, while ``bob`` refreshes the key a
few times as the write spreads. ``routing`` says which node each request is
sent to:

``"random"``
    any node, chosen at random per request (a load balancer in front of the
    cluster);
``"sticky"``
    always the same node per client: one of the key's home replicas, picked
    from the client's name with MD5 (as a partition-aware client, or
    "hash the user id to a replica", would);
``"sticky_outside"``
    always the same node per client, but one that is not a replica of the
    key (pinning to a node that holds no copy).

:func:`count_session_violations` repeats the trial over many seeds and
:func:`compare_session_guarantees` tabulates several configurations.

Examples
--------
>>> trial = session_trial(seed=1, r=1, w=1, routing="random")
>>> trial.coordinators
{'alice': ['B', 'A'], 'bob': ['E', 'C', 'A']}
>>> print(trial.violations[0].explanation)
alice's get returned ['old'], although her own write 'new' was acknowledged before the get began
>>> session_trial(seed=1, r=1, w=1, routing="sticky").violations
[]
>>> counts = count_session_violations(range(50), r=2, w=2, routing="random")
>>> counts.read_your_writes       # R + W > N: an acknowledged write is always seen
0
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from typing import Any

from ..checks.session_guarantees import KINDS, session_violations

__all__ = ["SessionTrial", "session_trial", "SessionCounts", "count_session_violations",
           "compare_session_guarantees", "find_session_violation", "ROUTINGS", "OLD", "NEW",
           "WRITER", "READER"]

#: Where requests go: see the module docstring.
ROUTINGS = ("random", "sticky", "sticky_outside")
#: The value every trial starts from, and the one alice writes.
OLD, NEW = "old", "new"
#: The reader of the trial, and the writer who reads her own write.
WRITER, READER = "alice", "bob"


@dataclass
class SessionTrial:
    """One run of :func:`session_trial`.

    Attributes
    ----------
    seed : int
    cluster : Cluster
        The cluster after the run (its ``history``, ``trace`` and replicas).
    key : str
    routing : str
    coordinators : dict
        client -> the nodes its requests went to, in order.
    violations : list of SessionViolation
    """

    seed: int
    cluster: Any
    key: str
    routing: str
    coordinators: dict = field(default_factory=dict)
    violations: list = field(default_factory=list)

    def kinds(self) -> set[str]:
        """The guarantees this trial broke."""
        return {v.kind for v in self.violations}

    def to_frame(self):
        """One row per operation of alice and bob, in order of invocation.

        Columns: client, op, coordinator, replica (is the coordinator a home
        replica of the key?), start_ms and end_ms (counted from the moment
        alice's write began), value (what a put wrote or a get returned),
        broke (the guarantee the operation broke, if any).
        """
        import pandas as pd

        home = self.cluster.ring.home_replicas(self.key)
        broke = {v.later.op_id: v.kind for v in self.violations}
        pairs = [(inv, done) for inv, done in self.cluster.history.pairs()
                 if inv.process in (WRITER, READER)]
        t0 = min((inv.time for inv, _ in pairs), default=0.0)
        rows = []
        for inv, done in pairs:
            value = inv.value if inv.f == "put" else (None if done is None else done.value)
            rows.append({"client": inv.process, "op": inv.f, "coordinator": inv.node,
                         "replica": inv.node in home, "start_ms": round(inv.time - t0, 3),
                         "end_ms": None if done is None else round(done.time - t0, 3),
                         "value": value, "broke": broke.get(inv.op_id, "")})
        return pd.DataFrame(rows, columns=["client", "op", "coordinator", "replica", "start_ms",
                                           "end_ms", "value", "broke"])


def _check_options(n, r, w, nodes, routing, read_repair, reads, gap_ms):
    from ..pbs import check_nrw

    check_nrw(n, r, w)
    if isinstance(nodes, bool) or not isinstance(nodes, int) or nodes < n:
        raise ValueError(f"nodes must be a whole number >= N={n}, got {nodes!r}")
    if routing not in ROUTINGS:
        raise ValueError(f"routing={routing!r} is not allowed; choose one of "
                         f"{', '.join(map(repr, ROUTINGS))}")
    if routing == "sticky_outside" and nodes == n:
        raise ValueError(f"routing='sticky_outside' needs a node that is not a replica: use "
                         f"more nodes than N={n}")
    if read_repair not in ("async", "blocking", False):
        raise ValueError(f"read_repair={read_repair!r} is not allowed; choose 'async', "
                         "'blocking' or False")
    if isinstance(reads, bool) or not isinstance(reads, int) or reads < 2:
        raise ValueError(f"reads must be a whole number >= 2 (monotonic reads needs two), "
                         f"got {reads!r}")
    if isinstance(gap_ms, bool) or not isinstance(gap_ms, (int, float)) or not gap_ms >= 0:
        raise ValueError(f"gap_ms must be a number >= 0, got {gap_ms!r}")


def _link_model(latency):
    """A single-link model: the default exponential, a model, or a WARS's legs by message kind."""
    from ..latency import WARS, Exponential, as_latency_model

    if latency is None:
        return Exponential(1.0)
    if isinstance(latency, WARS):
        return latency.link_model()
    return as_latency_model(latency)


def _pick(name: str, key: str, choices: list[str]) -> str:
    digest = hashlib.md5(f"{name}/{key}".encode()).digest()
    return choices[int.from_bytes(digest[:8], "big") % len(choices)]


def session_trial(seed: int = 0, *, n: int = 3, r: int = 1, w: int = 1, nodes: int = 5,
                  routing: str = "random", read_repair: str | bool = "async", reads: int = 3,
                  gap_ms: float = 0.5, latency=None, service_time=0.0) -> SessionTrial:
    """Run one session on a fresh strict-quorum cluster and check its guarantees.

    The key (``"post:<seed>"``) first holds ``"old"`` on all N replicas. Then,
    at the same moment, ``alice`` starts writing ``"new"`` (with the context
    of ``"old"``, so it replaces it) and ``bob`` starts reading. Alice reads
    as soon as her write is acknowledged; bob reads ``reads`` times, each
    ``gap_ms`` after his previous read returned. Each one-way message takes
    an exponential time of mean 1 ms, unless ``latency`` says otherwise.

    Parameters
    ----------
    seed : int
        Seeds the cluster and the random routing.
    n, r, w, nodes : int
        N, R, W and the cluster's size.
    routing : "random", "sticky" or "sticky_outside"
        Where each request goes (see the module docstring).
    read_repair : "async", "blocking" or False
    reads : int
        Bob's reads (at least 2).
    gap_ms : float
    latency : LatencyModel or WARS, optional
        How long each message takes; a WARS (e.g. ``dl.latency.LNKD_DISK``)
        times each message by its leg (write requests W, acks A, read
        requests R, read responses S). Default: exponential, mean 1 ms.
    service_time : "legs", number or LatencyModel
        What a node pays to serve its own share of a request it coordinates
        (see :mod:`dynamo_lab.latency.service`). 0 (the default): its own
        copy answers at once, ahead of any replica across the network, which
        is what a sticky client counts on. ``"legs"`` makes it as slow as a
        remote replica under a WARS, and then sticky routing keeps
        read-your-writes only by luck.

    Returns
    -------
    SessionTrial
    """
    from ..cluster import Cluster

    _check_options(n, r, w, nodes, routing, read_repair, reads, gap_ms)
    cluster = Cluster(nodes=nodes, n=n, r=r, w=w, seed=seed, sloppy_quorum=False,
                      read_repair=read_repair, latency=_link_model(latency),
                      service_time=service_time)
    key = f"post:{seed}"
    home = cluster.ring.home_replicas(key)
    outside = [x for x in cluster.nodes if x not in home]
    rng = random.Random(seed)
    coordinators: dict[str, list[str]] = {WRITER: [], READER: []}

    def route(client: str) -> str:
        if routing == "random":
            node = rng.choice(cluster.nodes)
        elif routing == "sticky":
            node = _pick(client, key, home)
        else:
            node = _pick(client, key, outside)
        coordinators[client].append(node)
        return node

    setup = cluster.put(key, OLD, w=n)
    cluster.run_until_idle()
    alice, bob = cluster.client(WRITER), cluster.client(READER)
    write = alice.start_put(key, NEW, context=setup.context, coordinator=route(WRITER))
    bob_reads = [bob.start_get(key, coordinator=route(READER))]
    state = {"alice_read": None, "bob_waiting": False}

    def bob_again():
        state["bob_waiting"] = False
        bob_reads.append(bob.start_get(key, coordinator=route(READER)))

    def someone_can_act() -> bool:
        alice_ready = write.done and state["alice_read"] is None
        bob_ready = (bob_reads[-1].done and len(bob_reads) < reads
                     and not state["bob_waiting"])
        return alice_ready or bob_ready

    while True:
        cluster.sim.run_while(lambda: not someone_can_act())
        if not someone_can_act():
            break
        if write.done and state["alice_read"] is None:
            state["alice_read"] = alice.start_get(key, coordinator=route(WRITER))
        if bob_reads[-1].done and len(bob_reads) < reads and not state["bob_waiting"]:
            state["bob_waiting"] = True
            cluster.sim.schedule(float(gap_ms), bob_again)
    cluster.run_until_idle()
    return SessionTrial(seed, cluster, key, routing, coordinators,
                        session_violations(cluster.history))


@dataclass(frozen=True)
class SessionCounts:
    """How many trials broke each guarantee (a trial counts once per guarantee)."""

    trials: int
    read_your_writes: int
    monotonic_reads: int


def count_session_violations(seeds=range(500), **options) -> SessionCounts:
    """Run :func:`session_trial` once per seed and count the trials that broke each guarantee.

    Parameters
    ----------
    seeds : iterable of int
    **options
        Passed to :func:`session_trial` (``r``, ``w``, ``routing``, ``read_repair``...).

    Returns
    -------
    SessionCounts
    """
    trials = ryw = mr = 0
    for seed in seeds:
        kinds = session_trial(seed, **options).kinds()
        trials += 1
        ryw += "read-your-writes" in kinds
        mr += "monotonic reads" in kinds
    if not trials:
        raise ValueError("seeds is empty: give at least one seed")
    return SessionCounts(trials, ryw, mr)


def compare_session_guarantees(configs, seeds=range(500)):
    """One row per configuration: how many trials broke each guarantee.

    Parameters
    ----------
    configs : iterable of dict
        Options of :func:`session_trial`, e.g. ``{"r": 1, "w": 1, "routing": "sticky"}``.
    seeds : iterable of int
        The same seeds for every configuration.

    Returns
    -------
    pandas.DataFrame
        Columns R, W, routing, read repair, trials, read-your-writes broken,
        monotonic reads broken.

    Examples
    --------
    >>> table = compare_session_guarantees([{"r": 1, "w": 1, "routing": "sticky"}], range(20))
    >>> [str(x) for x in table.iloc[0]]
    ['1', '1', 'sticky', 'async', '20', '0', '0']
    """
    import pandas as pd

    seeds = list(seeds)
    rows = []
    for config in configs:
        if not isinstance(config, dict):
            raise ValueError(f"each configuration must be a dict of session_trial options, "
                             f"got {config!r}")
        counts = count_session_violations(seeds, **config)
        rows.append({"R": config.get("r", 1), "W": config.get("w", 1),
                     "routing": config.get("routing", "random"),
                     "read repair": config.get("read_repair", "async"),
                     "trials": counts.trials,
                     "read-your-writes broken": counts.read_your_writes,
                     "monotonic reads broken": counts.monotonic_reads})
    return pd.DataFrame(rows)


def find_session_violation(kind: str, seeds=range(500), **options) -> SessionTrial | None:
    """The first trial (by seed) that broke ``kind``, or None.

    Examples
    --------
    >>> trial = find_session_violation("monotonic reads", r=1, w=1, routing="random")
    >>> trial.seed, sorted(trial.kinds())
    (0, ['monotonic reads', 'read-your-writes'])
    """
    if kind not in KINDS:
        raise ValueError(f"kind={kind!r} is not allowed; choose one of "
                         f"{', '.join(map(repr, KINDS))}")
    for seed in seeds:
        trial = session_trial(seed, **options)
        if kind in trial.kinds():
            return trial
    return None
