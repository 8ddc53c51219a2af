"""Read repair experiments: a replica that missed a write, and how reads fix it.

A leaderless cluster has no failover: a write goes to the replicas that are
up, and it succeeds once W of them acknowledge. A replica that was down
comes back holding the old version. Reads then ask several replicas, keep
the newest reply (by its vector clock) and, with read repair, send it to the
replicas that answered with something older. The functions here run those
stories on a :class:`~dynamo_lab.cluster.Cluster` with fixed message delays,
for the exercises and tests. Lesson 04 writes the same scenarios out in
visible code (its ``bob_reads_twice`` and ``read_after_b_recovers`` give the
same runs as :func:`two_reads` and :func:`read_after_recovery`):

* :func:`read_after_recovery`: a read right after a down replica recovers,
  and which replicas hold the new value when the read returns and once the
  repair has landed (:func:`compare_read_repair` tabulates the three
  ``read_repair`` modes);
* :func:`two_reads`: invariant 5. The newest version is on one replica only;
  one client reads twice through two coordinators. Without blocking read
  repair the second read can return the older version;
* :func:`stale_keys_after_reads`: read repair fixes only the keys that get
  read.

Every experiment uses a strict quorum (``sloppy_quorum=False``), so no
fallback node stands in for a down replica (lesson 05 covers that), and a
failure detector that knows who is down (``failure_detector="oracle"``).

Examples
--------
>>> trial = read_after_recovery("async")
>>> trial.read.values, trial.holders_at_return, trial.holders_after
(['v2'], ['D', 'A'], ['D', 'A', 'B'])
>>> two_reads("async").went_back, two_reads("blocking").went_back
(True, False)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..cluster import READ_REPAIR_MODES, Cluster
from ..latency import Constant
from ..results import ReadResult, WriteResult
from ..validation import whole_number

__all__ = ["KEY", "OLD", "NEW", "holders", "RepairTrial", "read_after_recovery",
           "compare_read_repair", "TwoReads", "two_reads", "StaleKeys",
           "stale_keys_after_reads"]

#: The key the experiments write, and the two versions they write to it.
KEY, OLD, NEW = "posts:alice", "v1", "v2"
#: One-way delay of every link unless an experiment slows one down (ms).
LINK_MS = 1.0
#: A link slow enough that its replies arrive after everything else (ms).
SLOW_MS = 30.0


def _check_mode(read_repair) -> Any:
    if read_repair not in READ_REPAIR_MODES or read_repair is True:
        raise ValueError(f"read_repair={read_repair!r} is not allowed; choose 'async', "
                         "'blocking' or False")
    return read_repair


def _cluster(read_repair, seed: int, r: int = 2) -> Cluster:
    """Five nodes, N = 3, W = 2, fixed 1 ms links, strict quorum, perfect detector."""
    return Cluster(nodes=5, n=3, r=r, w=2, seed=seed, latency=Constant(LINK_MS),
                   sloppy_quorum=False, failure_detector="oracle",
                   read_repair=_check_mode(read_repair))


def holders(cluster: Cluster, key: str, value: Any) -> list[str]:
    """The home replicas of ``key`` that store ``value``, in preference-list order.

    Examples
    --------
    >>> import dynamo_lab as dl
    >>> cluster = dl.Cluster(nodes=3, n=3, w=3, seed=0)
    >>> _ = cluster.put("k", "x")
    >>> holders(cluster, "k", "x") == cluster.ring.home_replicas("k")
    True
    """
    replicas = cluster.replicas(key)
    return [node for node in replicas.home if value in replicas.values_at(node)]


@dataclass
class RepairTrial:
    """What :func:`read_after_recovery` saw.

    Attributes
    ----------
    read_repair : "async", "blocking" or False
    cluster : Cluster
        The cluster, after every message has landed.
    key : str
    home : list of str
        The key's home replicas.
    down : str
        The home replica that was down during the write.
    write : WriteResult
        The write of ``NEW`` made while ``down`` was down.
    read : ReadResult
        The read made right after ``down`` recovered.
    holders_at_return : list of str
        Home replicas holding ``NEW`` at the moment the read returned.
    holders_after : list of str
        The same, once every message in flight has landed.
    """

    read_repair: Any
    cluster: Cluster
    key: str
    home: list[str]
    down: str
    write: WriteResult
    read: ReadResult
    holders_at_return: list[str] = field(default_factory=list)
    holders_after: list[str] = field(default_factory=list)


def read_after_recovery(read_repair="async", *, seed: int = 0) -> RepairTrial:
    """A replica misses a write while down; a read right after it recovers.

    The key's home replicas are, in order, the first, second and third of
    its preference list. All three store ``OLD``. The third crashes, ``NEW``
    is written with W = 2 (only the first two get it) and the third
    recovers. Then a read with R = 2, through the first home replica, which
    answers itself at once; its link to the second is slow, so the other
    reply it uses is the recovered replica's stale one.

    Parameters
    ----------
    read_repair : "async", "blocking" or False
    seed : int

    Returns
    -------
    RepairTrial

    Examples
    --------
    >>> trial = read_after_recovery("blocking")
    >>> trial.down, sorted(trial.read.replies), trial.holders_at_return
    ('B', ['B', 'D'], ['D', 'A', 'B'])
    >>> read_after_recovery(False).holders_after
    ['D', 'A']
    """
    cluster = _cluster(read_repair, seed)
    key = KEY
    home = cluster.ring.home_replicas(key)
    first, second, down = home
    cluster.put(key, OLD, w=3, coordinator=first)
    cluster.run_until_idle()
    cluster.crash(down)
    context = cluster.get(key, coordinator=first).context
    write = cluster.put(key, NEW, context=context, coordinator=first)
    cluster.run_until_idle()
    cluster.recover(down)
    cluster.set_link(first, second, latency=Constant(SLOW_MS))
    read = cluster.get(key, coordinator=first)
    at_return = holders(cluster, key, NEW)
    cluster.run_until_idle()
    return RepairTrial(read_repair, cluster, key, home, down, write, read, at_return,
                       holders(cluster, key, NEW))


def compare_read_repair(modes=READ_REPAIR_MODES, *, seed: int = 0):
    """:func:`read_after_recovery` under each ``read_repair`` mode, one row each.

    Returns
    -------
    pandas.DataFrame
        Indexed by mode; columns ``"read returned"``, ``"latency (ms)"``,
        ``"v2 copies at return"`` (home replicas holding ``NEW`` when the read
        returned) and ``"v2 copies later"`` (the same once every message has
        landed).

    Examples
    --------
    >>> table = compare_read_repair()
    >>> table["v2 copies at return"].tolist(), table["v2 copies later"].tolist()
    ([2, 3, 2], [3, 3, 2])
    """
    import pandas as pd

    rows = {}
    for mode in modes:
        trial = read_after_recovery(mode, seed=seed)
        rows[repr(mode) if mode is False else mode] = {
            "read returned": trial.read.values,
            "latency (ms)": round(trial.read.latency_ms, 3),
            f"{NEW} copies at return": len(trial.holders_at_return),
            f"{NEW} copies later": len(trial.holders_after),
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "read_repair"
    return table


@dataclass
class TwoReads:
    """What :func:`two_reads` saw.

    Attributes
    ----------
    read_repair : "async", "blocking" or False
    r : int
    cluster : Cluster
        After every message has landed.
    key : str
    home : list of str
        The key's home replicas; the first one holds ``NEW`` first.
    write : WriteResult
        Alice's write of ``NEW``, which was still in flight during both reads.
    first, second : ReadResult
        Bob's two reads, the second started the moment the first returned.
    holders_at_first_return : list of str
        Home replicas holding ``NEW`` when the first read returned.
    """

    read_repair: Any
    r: int
    cluster: Cluster
    key: str
    home: list[str]
    write: WriteResult
    first: ReadResult
    second: ReadResult
    holders_at_first_return: list[str] = field(default_factory=list)

    @property
    def went_back(self) -> bool:
        """True when the second read lost what the first one returned."""
        return NEW in self.first.values and NEW not in self.second.values


def two_reads(read_repair="async", r: int = 2, *, seed: int = 0, slow_copy_ms: float = 20.0
              ) -> TwoReads:
    """Invariant 5: can a later read return an older version than an earlier one?

    N = 3, W = 2. Every home replica stores ``OLD``. Client ``alice`` writes
    ``NEW`` through the first home replica, which stores it at once; its
    links to the other two are slow (``slow_copy_ms``), so for a while the
    newest version is on that one replica and the write is not yet
    acknowledged. Meanwhile client ``bob`` reads twice with R = ``r``:

    - the first read, through a node outside the replica set, hears first
      from the first ``r`` home replicas (the others are 30 ms away);
    - the second, started the moment the first returns, goes through
      another outside node that hears first from the *last* ``r`` home
      replicas.

    With R = 2 the first read asks the first two replicas and the second the
    last two: they share the middle one. Whether the second read sees
    ``NEW`` depends on whether the first read's repair reached a replica the
    second read asks before it answered.

    Parameters
    ----------
    read_repair : "async", "blocking" or False
    r : int
        R for both reads, 1 to 3.
    seed : int
    slow_copy_ms : float
        One-way delay from the first home replica to the other two.

    Returns
    -------
    TwoReads

    Examples
    --------
    >>> trial = two_reads("async")
    >>> trial.first.values, trial.second.values, trial.went_back
    (['v2'], ['v1'], True)
    >>> two_reads("blocking", r=1).went_back
    True
    """
    if isinstance(r, bool) or not isinstance(r, int) or not 1 <= r <= 3:
        raise ValueError(f"r={r!r} is not allowed: R must be a whole number from 1 to N=3")
    cluster = _cluster(read_repair, seed, r=r)
    key = KEY
    home = cluster.ring.home_replicas(key)
    outside = [name for name in cluster.nodes if name not in home]
    first_via, second_via = outside[:2]
    fresh = home[0]
    alice = cluster.client("alice")
    context = alice.put(key, OLD, w=3, coordinator=fresh).context
    cluster.run_until_idle()
    asked_first, asked_second = home[:r], home[-r:]
    for node in home:
        if node != fresh:
            cluster.set_link(fresh, node, latency=Constant(slow_copy_ms))
        if node not in asked_first:
            cluster.set_link(first_via, node, latency=Constant(SLOW_MS))
        cluster.set_link(second_via, node,
                         latency=Constant(0.1 if node in asked_second else SLOW_MS))
    write = alice.start_put(key, NEW, context=context, coordinator=fresh)
    bob = cluster.client("bob")
    first = bob.get(key, coordinator=first_via)
    at_first = holders(cluster, key, NEW)
    second = bob.get(key, coordinator=second_via)
    cluster.run_until_idle()
    return TwoReads(read_repair, r, cluster, key, home, write.result, first, second, at_first)


@dataclass
class StaleKeys:
    """What :func:`stale_keys_after_reads` counted.

    Attributes
    ----------
    down : str
        The node that was down while the keys were written.
    keys : list of str
        The keys written while it was down (it is a home replica of each).
    read : list of str
        The keys read after it recovered.
    stale_before : list of str
        Keys the recovered node held an old version of, before any read.
    stale_after_reads : list of str
        The same, after the reads and their repairs had landed.
    in_quorum : list of str
        Read keys whose read used the recovered node's reply (it was among
        the first R to answer); the others got their repair from a late reply.
    stale_after_anti_entropy : list of str
        The same, after one round of anti-entropy (lesson 06).
    """

    down: str
    keys: list[str]
    read: list[str]
    stale_before: list[str]
    stale_after_reads: list[str]
    in_quorum: list[str]
    stale_after_anti_entropy: list[str]


def stale_keys_after_reads(keys: int = 20, read: int = 5, *, read_repair="async",
                           down: str = "C", seed: int = 0) -> StaleKeys:
    """A node misses writes to many keys; afterwards only some keys are read.

    Five nodes, N = 3, R = W = 2, exponential delays (mean 1 ms). The
    first ``keys`` keys ``post:0``, ``post:1``, ... that have ``down`` as a
    home replica get ``OLD``; ``down`` crashes; each key gets ``NEW``;
    ``down`` recovers; the first ``read`` of the keys are read once each.

    Raises
    ------
    ValueError
        If ``read`` is not between 0 and ``keys``, or ``down`` is not a node.

    Examples
    --------
    >>> result = stale_keys_after_reads(keys=6, read=2)
    >>> len(result.stale_before), len(result.stale_after_reads)
    (6, 4)
    >>> result.stale_after_anti_entropy
    []
    """
    for name, value, low in (("keys", keys, 1), ("read", read, 0)):
        whole_number(name, value, low=low)
    if read > keys:
        raise ValueError(f"read={read} is more than the {keys} keys written")
    cluster = Cluster(nodes=5, n=3, r=2, w=2, seed=seed, sloppy_quorum=False,
                      failure_detector="oracle", read_repair=_check_mode(read_repair))
    if down not in cluster.nodes:
        raise ValueError(f"down={down!r} is not a node of the cluster ({', '.join(cluster.nodes)})")
    names = []
    i = 0
    while len(names) < keys:
        key = f"post:{i}"
        if down in cluster.ring.home_replicas(key):
            names.append(key)
        i += 1
    for key in names:
        cluster.put(key, OLD)
    cluster.run_until_idle()
    cluster.crash(down)
    for key in names:
        cluster.put(key, NEW, context=cluster.get(key).context)
    cluster.run_until_idle()
    cluster.recover(down)

    def stale():
        return [key for key in names if NEW not in holds(key)]

    def holds(key):
        record = cluster.node(down).store.get(key)
        return [] if record is None else record.values

    before = stale()
    in_quorum = []
    for key in names[:read]:
        result = cluster.get(key)
        if down in result.replies:
            in_quorum.append(key)
    cluster.run_until_idle()
    after_reads = stale()
    cluster.anti_entropy()
    return StaleKeys(down, names, names[:read], before, after_reads, in_quorum, stale())
