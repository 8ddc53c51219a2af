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

Only the range's replicas can be compared: any other node stores none of
the range by design, so every key would look different.

>>> merkle_comparison(cluster, "cart:alice", "B", "D")
Traceback (most recent call last):
...
ValueError: node_b='D' is not a replica of the range of 'cart:alice':
    choose two of its replicas B, C, A
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..anti_entropy import version_summary
from ..merkle import MerkleDiff, MerkleTree
from ..ranges import KeyRange, key_position
from ..validation import whole_number

if TYPE_CHECKING:  # pragma: no cover
    from ..cluster import Cluster

__all__ = ["MerkleComparison", "merkle_comparison", "keys_in_range", "summarize_keys",
           "summary_lines"]


def keys_in_range(store, key_range: KeyRange) -> list[str]:
    """The keys of ``store`` (a node's key -> record mapping) that lie in ``key_range``, sorted.

    Examples
    --------
    >>> whole = KeyRange(start=0, end=0, replicas=("A",))
    >>> keys_in_range({"b": None, "a": None}, whole)
    ['a', 'b']
    """
    return sorted(key for key in store if key_range.contains(key_position(key)))


def summarize_keys(keys, limit: int = 10, *, noun: str = "key",
                   width: int | None = None) -> str:
    """A list of keys kept short: how many there are, and the first few by name.

    Parameters
    ----------
    keys : sequence of str
    limit : int
        Name at most this many keys.
    noun : str
        What the keys are, in the singular (an ``s`` makes the plural).
    width : int, optional
        Name fewer keys (but at least one) when naming ``limit`` of them
        would make the text longer than this many characters.

    Examples
    --------
    >>> summarize_keys(["a", "b"])
    '2 keys: a, b'
    >>> summarize_keys([f"k{i}" for i in range(97)], limit=3, noun="differing key")
    '97 differing keys, first 3: k0, k1, k2'
    >>> summarize_keys([])
    'no keys'
    """
    whole_number("limit", limit, low=1)
    keys = list(keys)
    count = len(keys)
    if count == 0:
        return f"no {noun}s"
    head = f"{count} {noun}{'' if count == 1 else 's'}"
    if count <= limit and (width is None or len(f"{head}: {', '.join(keys)}") <= width):
        return f"{head}: {', '.join(keys)}"
    shown = min(limit, count)
    while width is not None and shown > 1 and len(
            f"{head}, first {shown}: {', '.join(keys[:shown])}") > width:
        shown -= 1
    return f"{head}, first {shown}: {', '.join(keys[:shown])}"


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
    repaired_a, repaired_b : list of str
        The keys of the range whose record a repair changed on each node
        (from the ``repaired`` argument of :func:`merkle_comparison`), sorted.
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
    repaired_a: list[str] = field(default_factory=list)
    repaired_b: list[str] = field(default_factory=list)

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

    def repaired_keys(self, node: str) -> list[str]:
        """The keys of the range a repair changed on ``node`` (one of the two compared)."""
        if node not in (self.node_a, self.node_b):
            raise ValueError(f"node must be {self.node_a!r} or {self.node_b!r}, "
                             f"the nodes compared, got {node!r}")
        return self.repaired_a if node == self.node_a else self.repaired_b

    def repaired_leaves(self, node: str) -> list[int]:
        """The leaves of ``node``'s tree that hold a key a repair changed there, in order."""
        tree = self.tree_a if node == self.node_a else self.tree_b
        return sorted({tree.leaf_of(key) for key in self.repaired_keys(node)})


def merkle_comparison(cluster: "Cluster", key_or_range: str | KeyRange,
                      node_a: str | None = None, node_b: str | None = None, *,
                      fanout: int = 4, depth: int = 3,
                      repaired=()) -> MerkleComparison:
    """Build two nodes' Merkle trees for a key range and compare them.

    Parameters
    ----------
    cluster : Cluster
        Read, never changed.
    key_or_range : str or KeyRange
        A key (its range, ``cluster.ring.key_range(key)``, is used) or a range.
    node_a, node_b : str, optional
        Two of the range's home replicas; by default its first two (anti-entropy
        compares only home replicas, so no other node can be chosen).
    fanout, depth : int
        Shape of both trees (as ``cluster.anti_entropy`` takes them).
    repaired : iterable of (str, str), optional
        (node, key) pairs whose record a repair changed, such as
        ``AntiEntropyReport.repaired``; those of the two nodes in this
        range become ``repaired_a`` and ``repaired_b``.

    Returns
    -------
    MerkleComparison

    Raises
    ------
    KeyError
        An unknown node.
    ValueError
        A node that is not a replica of the range (the message lists the
        replicas), the same node twice, a range with fewer than two replicas
        and no nodes given, a bad key, or a bad fanout or depth.

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
        key_range, which = key_or_range, "this range"
    elif isinstance(key_or_range, str) and key_or_range:
        key_range, which = cluster.ring.key_range(key_or_range), f"the range of {key_or_range!r}"
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
    for argument, name in (("node_a", node_a), ("node_b", node_b)):
        if name not in replicas:
            raise ValueError(f"{argument}={name!r} is not a replica of {which}: "
                             f"choose two of its replicas {', '.join(replicas)}")
    keys = {name: keys_in_range(store, key_range) for name, store in stores.items()}
    trees = {name: MerkleTree.build({k: version_summary(stores[name][k]) for k in keys[name]},
                                    fanout, depth, key_range.start, key_range.end)
             for name in (node_a, node_b)}
    fixed: dict[str, set[str]] = {node_a: set(), node_b: set()}
    for name, key in repaired:
        if name in fixed and key_range.contains(key_position(key)):
            fixed[name].add(key)
    return MerkleComparison(key_range=key_range, node_a=node_a, node_b=node_b,
                            tree_a=trees[node_a], tree_b=trees[node_b],
                            diff=trees[node_a].diff(trees[node_b]),
                            keys_a=keys[node_a], keys_b=keys[node_b], nodes=list(cluster.nodes),
                            repaired_a=sorted(fixed[node_a]), repaired_b=sorted(fixed[node_b]))


def summary_lines(c: MerkleComparison, limit: int = 10, *,
                  after_round: bool = False) -> list[str]:
    """What a comparison found, in words, one line per fact; each list of keys kept short.

    Parameters
    ----------
    c : MerkleComparison
    limit : int
        Name at most this many keys of each list (see :func:`summarize_keys`).
    after_round : bool
        Whether a repair round has run, so that a range it repaired nothing
        in gets a line saying so.

    Examples
    --------
    >>> import dynamo_lab as dl
    >>> cluster = dl.Cluster(nodes=4, n=3, seed=2)
    >>> summary_lines(merkle_comparison(cluster, "k"), after_round=True)
    ['hashes compared: 1 \u00b7 full scan: 0 keys', 'no differing keys',
     'the last round repaired no key of this range on C or B']
    """
    lines = [f"hashes compared: {c.hashes_compared} \u00b7 full scan: {c.full_scan} keys",
             summarize_keys(c.diff.keys, limit, noun="differing key")]
    fixed = [(name, c.repaired_keys(name)) for name in (c.node_a, c.node_b)
             if c.repaired_keys(name)]
    if fixed:
        lines += [f"repaired on {name} by the last round: {summarize_keys(keys, limit)}"
                  for name, keys in fixed]
    elif after_round:
        lines.append(f"the last round repaired no key of this range on {c.node_a} "
                     f"or {c.node_b}")
    return lines
