"""Anti-entropy experiments: cold keys, the cost of a Merkle diff, repair over time.

What lesson 06 measures on the simulator, and what its exercises judge:

* :func:`cold_key_outage`: a node is down while some keys are updated,
  under a strict quorum (so no other node keeps a hint for it). When it comes
  back it holds old versions of those keys, and nothing but a read or
  anti-entropy will ever fix them;
* :func:`stale_copies`: the home replicas that lack the newest version of a
  key, as ``(node, key)`` pairs;
* :func:`stale_over_time`: how many stale copies are left as virtual time
  passes (to watch background anti-entropy work);
* :func:`diff_cost` and :func:`diff_costs`: two replicas of one key range
  that differ in a few keys, their Merkle trees, and what comparing them
  costs against comparing every key;
* :func:`hashes_for_differing_keys`: the hash comparisons of a diff computed
  from the differing keys alone, which is exact and lets the 1,000,000-key
  case run in a moment (see its docstring for why).

Examples
--------
>>> scenario = cold_key_outage(seed=6, keys=300, updated=10)
>>> stale = stale_copies(scenario.cluster, scenario.updated)
>>> len(stale) > 0 and all(node == "C" for node, _ in stale)
True
>>> scenario.cluster.anti_entropy().keys_repaired == len(stale)
True
>>> stale_copies(scenario.cluster)
[]
>>> cost = diff_cost(keys=2000, differing=1, fanout=4, depth=3)
>>> cost.hashes_compared, cost.full_scan
(13, 2000)
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..cluster import Cluster
from ..merkle import MerkleTree
from ..validation import milliseconds, whole_number
from ..versions import reconcile

__all__ = ["OutageScenario", "cold_key_outage", "stale_copies", "stale_over_time", "DiffCost",
           "diff_cost", "diff_costs", "hashes_for_differing_keys", "OLD", "NEW"]

#: The value every key is loaded with, and the one written while a node is down.
OLD, NEW = "v1", "v2"


# -- stale copies ------------------------------------------------------------------------

def stale_copies(cluster: Cluster, keys: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """The home replicas that lack part of the newest version of a key.

    For each key, the records of its N home replicas are reconciled (merged
    as a read of all of them would); a home replica whose record does not
    cover the result is stale. Hints held by other nodes are not counted.

    Parameters
    ----------
    cluster : Cluster
        Read, never changed.
    keys : iterable of str, optional
        The keys to look at (default: every key the cluster stores).

    Returns
    -------
    list of (node, key)
        Sorted by key, then node.

    Examples
    --------
    >>> import dynamo_lab as dl
    >>> cluster = dl.Cluster(nodes=4, n=3, r=1, w=1, seed=2, failure_detector="oracle")
    >>> home = cluster.ring.home_replicas("k")
    >>> cluster.crash(home[2])
    >>> _ = cluster.put("k", "v")
    >>> cluster.recover(home[2])
    >>> _ = cluster.run_until_idle()
    >>> stale_copies(cluster) == [(home[2], "k")]
    True
    """
    versioning = cluster.versioning
    found = []
    for key in sorted(cluster.keys() if keys is None else set(keys)):
        replicas = cluster.replicas(key)
        records = [replicas.get(node) for node in replicas.home]
        newest = reconcile(records, versioning)
        found.extend((node, key) for node, record in zip(replicas.home, records)
                     if not versioning.covers(record, newest))
    return found


def stale_over_time(cluster: Cluster, duration_ms: float, step_ms: float = 500.0,
                    keys: Iterable[str] | None = None) -> list[tuple[float, int]]:
    """Run the cluster for ``duration_ms``, counting stale copies every ``step_ms``.

    Returns ``(ms since the call, stale copies)`` pairs, the first at 0.
    Whatever runs in the background (anti-entropy, hint delivery) runs as
    time passes; nothing else is done to the cluster.

    Examples
    --------
    >>> import dynamo_lab as dl
    >>> cluster = dl.Cluster(nodes=4, n=3, seed=2)
    >>> stale_over_time(cluster, 1000, 500)
    [(0.0, 0), (500.0, 0), (1000.0, 0)]
    """
    duration_ms = milliseconds("duration_ms", duration_ms, allow_zero=True)
    step_ms = milliseconds("step_ms", step_ms)
    keys = None if keys is None else list(keys)
    samples = [(0.0, len(stale_copies(cluster, keys)))]
    elapsed = 0.0
    while elapsed < duration_ms:
        step = min(step_ms, duration_ms - elapsed)
        cluster.run_for(step)
        elapsed += step
        samples.append((elapsed, len(stale_copies(cluster, keys))))
    return samples


# -- the outage --------------------------------------------------------------------------

@dataclass
class OutageScenario:
    """A cluster after one node missed some updates while it was down.

    Attributes
    ----------
    cluster : Cluster
        Strict quorum, perfect failure detection, hinted handoff unused.
    down : str
        The node that was down.
    loaded : list of str
        Every key, written with :data:`OLD` on all replicas before the outage.
    updated : list of str
        The keys rewritten with :data:`NEW` while ``down`` was down.
    crashed_at, recovered_at : float
        Virtual times (ms) of the crash and the recovery.
    """

    cluster: Cluster
    down: str
    loaded: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    crashed_at: float = 0.0
    recovered_at: float = 0.0

    def missed_by_down(self) -> list[str]:
        """The updated keys for which ``down`` is a home replica."""
        ring = self.cluster.ring
        return [key for key in self.updated if self.down in ring.home_replicas(key)]


def cold_key_outage(seed: int = 6, *, keys: int = 2000, updated: int = 40, down: str = "C",
                    nodes: int = 5, n: int = 3, r: int = 2, w: int = 2,
                    outage_ms: float = 0.0, anti_entropy_interval_ms: float | None = None
                    ) -> OutageScenario:
    """Load ``keys`` keys, take ``down`` down, update some of them, bring it back.

    The cluster uses a strict quorum (``sloppy_quorum=False``), so a write
    made while a home replica is down reaches only the other home replicas
    and no node keeps a hint for the missing one: the same end state as a
    hint that was lost. Failure detection is perfect (``"oracle"``), so no
    coordinator waits for the crashed node.

    Keys are named ``invoice:0000``, ``invoice:0001``...; the updated keys
    are spread evenly over them, each read first and rewritten with its
    context. The call returns right after the recovered node is back and
    every message in flight has landed.

    Parameters
    ----------
    seed : int
    keys, updated : int
        Keys loaded with :data:`OLD`, and how many of them are rewritten
        with :data:`NEW` during the outage (``updated <= keys``).
    down : str
        The node that goes down.
    nodes, n, r, w : int
        The cluster's shape.
    outage_ms : float
        How long the node stays down at least (the updates take some
        milliseconds of their own).
    anti_entropy_interval_ms : float, optional
        If given, background anti-entropy runs every this many ms from the
        moment the keys are loaded, through the outage and after it.

    Returns
    -------
    OutageScenario

    Raises
    ------
    ValueError
        Bad counts, an unknown node, or a bad interval.
    """
    whole_number("keys", keys, 1)
    whole_number("updated", updated, 0)
    if updated > keys:
        raise ValueError(f"cannot update {updated} keys out of {keys}")
    outage_ms = milliseconds("outage_ms", outage_ms, allow_zero=True)
    cluster = Cluster(nodes=nodes, n=n, r=r, w=w, seed=seed, sloppy_quorum=False,
                      failure_detector="oracle")
    if down not in cluster.nodes:
        raise ValueError(f"unknown node {down!r}; the cluster has {cluster.nodes}")
    names = [f"invoice:{i:04d}" for i in range(keys)]
    for key in names:
        cluster.put(key, OLD)
    cluster.run_until_idle()
    if anti_entropy_interval_ms is not None:
        cluster.start_anti_entropy(milliseconds("anti_entropy_interval_ms",
                                             anti_entropy_interval_ms))
    step = keys // updated if updated else 1
    rewritten = names[::step][:updated] if updated else []
    crashed_at = cluster.now
    cluster.crash(down)
    for key in rewritten:
        read = cluster.get(key)
        cluster.put(key, NEW, context=read.context)
    left = crashed_at + outage_ms - cluster.now
    if left > 0:
        cluster.run_for(left)
    cluster.recover(down)
    recovered_at = cluster.now
    cluster.run_until_idle()
    return OutageScenario(cluster=cluster, down=down, loaded=names, updated=rewritten,
                          crashed_at=crashed_at, recovered_at=recovered_at)


# -- the cost of a diff ------------------------------------------------------------------

@dataclass(frozen=True)
class DiffCost:
    """Two replicas of one range that differ in ``differing`` keys, compared.

    Attributes
    ----------
    keys, differing : int
        Keys each replica holds, and how many of them hold another version
        on the second replica.
    fanout, depth, leaves : int
        The trees' shape (``leaves = fanout ** depth``).
    hashes_compared : int
        Hash pairs the Merkle comparison looked at.
    leaves_descended : int
        Leaves whose hashes differed.
    summaries_sent : int
        (key, version) entries in those leaves, on both sides: what the
        replicas exchange after the hashes to name the differing keys.
    keys_found : int
        Keys the diff reported (always ``differing``: the diff is exact).
    full_scan : int
        What comparing every key instead costs: one comparison per key.
    """

    keys: int
    differing: int
    fanout: int
    depth: int
    leaves: int
    hashes_compared: int
    leaves_descended: int
    summaries_sent: int
    keys_found: int
    full_scan: int


def _replicas(keys: int, differing: int, seed: int) -> tuple[dict, dict]:
    a = {f"key{i}": OLD for i in range(keys)}
    b = dict(a)
    for key in random.Random(seed).sample(sorted(a), differing):
        b[key] = NEW
    return a, b


def diff_cost(keys: int = 20_000, differing: int = 1, fanout: int = 16, depth: int = 3,
              seed: int = 0) -> DiffCost:
    """Build both replicas' trees and compare them.

    Replica A holds ``key0`` ... ``key{keys-1}`` at :data:`OLD`; replica B
    the same keys, ``differing`` of them (drawn with ``seed``) at
    :data:`NEW`. The trees cover the whole ring.

    Examples
    --------
    >>> c = diff_cost(keys=1000, differing=0, fanout=4, depth=2)
    >>> c.hashes_compared, c.keys_found, c.leaves
    (1, 0, 16)
    """
    whole_number("keys", keys, 1)
    whole_number("differing", differing, 0)
    if differing > keys:
        raise ValueError(f"{differing} differing keys out of {keys} is impossible")
    a, b = _replicas(keys, differing, seed)
    tree_a = MerkleTree.build(a, fanout, depth)
    tree_b = MerkleTree.build(b, fanout, depth)
    diff = tree_a.diff(tree_b)
    sent = sum(len(tree_a.leaves[i]) + len(tree_b.leaves[i]) for i in diff.differing_leaves)
    return DiffCost(keys=keys, differing=differing, fanout=fanout, depth=depth,
                    leaves=fanout ** depth, hashes_compared=diff.hashes_compared,
                    leaves_descended=len(diff.differing_leaves), summaries_sent=sent,
                    keys_found=len(diff.keys), full_scan=len(a.keys() | b.keys()))


def diff_costs(keys: int = 20_000, differing: Sequence[int] = (0, 1, 10, 100, 1000),
               fanout: int = 16, depth: int = 3, seed: int = 0):
    """:func:`diff_cost` for several numbers of differing keys, as a DataFrame.

    One row per entry of ``differing``; the columns are the fields of
    :class:`DiffCost`.
    """
    import pandas as pd
    from dataclasses import asdict

    return pd.DataFrame([asdict(diff_cost(keys, d, fanout, depth, seed)) for d in differing])


def hashes_for_differing_keys(differing: Iterable[str], fanout: int = 16, depth: int = 4) -> int:
    """Hash pairs a Merkle diff compares when two replicas differ in exactly these keys.

    The diff's path depends only on which tree nodes differ, and a node
    differs exactly when its slice of the range holds a differing key:
    every key both replicas store alike adds the same thing to both trees.
    So two trees built over the differing keys alone (one version on each
    side) are compared along the same path, at any number of matching
    keys. This lets a 1,000,000-key comparison run without building
    1,000,000-key trees.

    Examples
    --------
    >>> diffs = ["key3", "key77", "key512"]
    >>> a, b = _replicas(5000, 0, 0)
    >>> b.update({k: NEW for k in diffs})
    >>> full = MerkleTree.build(a, 8, 3).diff(MerkleTree.build(b, 8, 3)).hashes_compared
    >>> hashes_for_differing_keys(diffs, 8, 3) == full
    True
    """
    keys = list(differing)
    tree_a = MerkleTree.build({k: OLD for k in keys}, fanout, depth)
    tree_b = MerkleTree.build({k: NEW for k in keys}, fanout, depth)
    return tree_a.diff(tree_b).hashes_compared
