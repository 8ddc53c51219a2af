"""Two replicas' Merkle trees for one key range, side by side, and their diff.

What the Merkle picture and explorer show, computed without drawing
anything: for one key range and two nodes, each node's tree over the records
it stores in that range (the trees anti-entropy would build, from
:func:`~dynamo_lab.anti_entropy.version_summary`), the exact diff of the two,
and what comparing every key instead would cost.

Examples
--------
>>> import dynamo_lab as dl
>>> cluster = dl.Cluster(nodes=4, n=3, r=1, w=1, seed=2)
>>> _ = cluster.put("cart:alice", "book")
>>> _ = cluster.run_until_idle()
>>> c = merkle_comparison(cluster, "cart:alice")
>>> c.node_a, c.node_b, c.diff.keys, c.hashes_compared
('B', 'C', [], 1)
>>> c.full_scan
1
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .anti_entropy import version_summary
from .merkle import MerkleDiff, MerkleTree
from .ring import KeyRange, key_position

if TYPE_CHECKING:  # pragma: no cover
    from .cluster import Cluster

__all__ = ["MerkleComparison", "merkle_comparison", "keys_in_range"]


def keys_in_range(store, key_range: KeyRange) -> list[str]:
    """The keys of ``store`` (a node's key -> record mapping) that lie in ``key_range``, sorted.

    Examples
    --------
    >>> whole = KeyRange(start=0, end=0, replicas=("A",))
    >>> keys_in_range({"b": None, "a": None}, whole)
    ['a', 'b']
    """
    return sorted(key for key in store if key_range.contains(key_position(key)))


@dataclass(frozen=True)
class MerkleComparison:
    """Two nodes' trees over one key range and what comparing them found.

    Attributes
    ----------
    key_range : KeyRange
    node_a, node_b : str
        The nodes compared; ``node_a`` plays the initiator.
    tree_a, tree_b : MerkleTree
        Each node's tree over what it stores in the range.
    diff : MerkleDiff
        ``tree_a.diff(tree_b)``: the keys that differ, the hashes compared
        and the path the comparison descended.
    keys_a, keys_b : list of str
        The keys each node stores in the range.
    nodes : list of str
        Every node of the cluster in its fixed order (for colours).
    """

    key_range: KeyRange
    node_a: str
    node_b: str
    tree_a: MerkleTree
    tree_b: MerkleTree
    diff: MerkleDiff
    keys_a: list[str] = field(default_factory=list)
    keys_b: list[str] = field(default_factory=list)
    nodes: list[str] = field(default_factory=list)

    @property
    def fanout(self) -> int:
        return self.tree_a.fanout

    @property
    def depth(self) -> int:
        return self.tree_a.depth

    @property
    def hashes_compared(self) -> int:
        """Hash pairs the Merkle comparison looked at."""
        return self.diff.hashes_compared

    @property
    def full_scan(self) -> int:
        """Keys a full scan compares instead: those in the range on either side."""
        return len(set(self.keys_a) | set(self.keys_b))

    def differs(self, level: int, index: int) -> bool:
        """Whether the two trees' hashes differ at node ``(level, index)``."""
        return self.tree_a.node_hash(level, index) != self.tree_b.node_hash(level, index)

    @property
    def differing_nodes(self) -> list[tuple[int, int]]:
        """The (level, index) of every node whose hashes differ, root first.

        A node differs only if its parent does, so all of them lie on the
        path the comparison descended.
        """
        return [node for node in self.diff.path if self.differs(*node)]

    def compared_at(self, level: int) -> int:
        """How many hash pairs the comparison looked at on ``level``."""
        return sum(1 for lv, _ in self.diff.path if lv == level)


def merkle_comparison(cluster: "Cluster", key_or_range: str | KeyRange,
                      node_a: str | None = None, node_b: str | None = None, *,
                      fanout: int = 4, depth: int = 3) -> MerkleComparison:
    """Build two nodes' Merkle trees for a key range and compare them.

    Parameters
    ----------
    cluster : Cluster
        Read, never changed.
    key_or_range : str or KeyRange
        A key (its range, ``cluster.ring.key_range(key)``, is used) or a range.
    node_a, node_b : str, optional
        The two nodes; by default the range's first two home replicas.
    fanout, depth : int
        Shape of both trees (as ``cluster.anti_entropy`` takes them).

    Returns
    -------
    MerkleComparison

    Raises
    ------
    KeyError
        An unknown node.
    ValueError
        The same node twice, a range with fewer than two replicas and no
        nodes given, a bad key, or a bad fanout or depth.

    Examples
    --------
    >>> import dynamo_lab as dl
    >>> cluster = dl.Cluster(nodes=4, n=3, r=1, w=1, seed=2, failure_detector="oracle")
    >>> home = cluster.ring.home_replicas("k")
    >>> cluster.crash(home[1])
    >>> _ = cluster.put("k", "v", coordinator=home[0])
    >>> cluster.recover(home[1])
    >>> c = merkle_comparison(cluster, "k", fanout=2, depth=2)
    >>> c.diff.keys, c.hashes_compared, c.differing_nodes
    (['k'], 5, [(0, 0), (1, 0), (2, 0)])
    """
    if isinstance(key_or_range, KeyRange):
        key_range = key_or_range
    elif isinstance(key_or_range, str) and key_or_range:
        key_range = cluster.ring.key_range(key_or_range)
    else:
        raise ValueError(f"give a key (a non-empty string) or a KeyRange, got {key_or_range!r}")
    replicas = list(key_range.replicas)
    if node_a is None or node_b is None:
        others = [n for n in replicas if n not in (node_a, node_b)]
        if node_a is None:
            node_a = others.pop(0) if others else None
        if node_b is None:
            node_b = others.pop(0) if others else None
        if node_a is None or node_b is None:
            raise ValueError(f"the range has replicas {replicas}: name two nodes to compare")
    if node_a == node_b:
        raise ValueError(f"compare two different nodes, not {node_a} with itself")
    stores = {}
    for name in (node_a, node_b):
        stores[name] = cluster.node(name).store   # KeyError for an unknown node
    keys = {name: keys_in_range(store, key_range) for name, store in stores.items()}
    trees = {name: MerkleTree.build({k: version_summary(stores[name][k]) for k in keys[name]},
                                    fanout, depth, key_range.start, key_range.end)
             for name in (node_a, node_b)}
    return MerkleComparison(key_range=key_range, node_a=node_a, node_b=node_b,
                            tree_a=trees[node_a], tree_b=trees[node_b],
                            diff=trees[node_a].diff(trees[node_b]),
                            keys_a=keys[node_a], keys_b=keys[node_b], nodes=list(cluster.nodes))
