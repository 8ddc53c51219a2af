"""Merkle trees over one key range, and the exact diff of two of them.

Dynamo keeps one hash tree per key range a node hosts (§4.7). Leaves cover
equal slices of the range's positions on the ring; a leaf's hash summarises
the keys in its slice and their versions; an inner node hashes its children.
Two replicas of a range compare roots and descend only into children whose
hashes differ, so identical replicas cost one comparison and the work grows
with the number of differing slices, not with the number of keys.

Examples
--------
>>> a = MerkleTree.build({"x": "v1", "y": "v1", "z": "v1"}, fanout=4, depth=3)
>>> b = MerkleTree.build({"x": "v1", "y": "v2"}, fanout=4, depth=3)
>>> diff = a.diff(b)
>>> sorted(diff.keys), diff.hashes_compared > 1
(['y', 'z'], True)
>>> a.diff(a).keys, a.diff(a).hashes_compared
([], 1)
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from .ranges import RING_SIZE, key_position
from .validation import whole_number

__all__ = ["MerkleTree", "MerkleDiff", "digest", "check_tree_shape", "MAX_LEAVES"]

#: The most leaves a tree may have (``fanout ** depth``). Each leaf is a dict,
#: so a tree of 4 ** 12 leaves would take minutes and gigabytes to build;
#: the lessons' largest, fanout 16 and depth 4, has exactly this many.
MAX_LEAVES = 16 ** 4


def check_tree_shape(fanout, depth) -> tuple[int, int]:
    """``(fanout, depth)`` if they make a tree of at most :data:`MAX_LEAVES` leaves.

    >>> check_tree_shape(1_000_000, 3)
    Traceback (most recent call last):
    ...
    ValueError: fanout=1000000 and depth=3 make 1,000,000,000,000,000,000 leaves (fanout ** depth); a tree has at most 65,536
    """
    whole_number("fanout", fanout, low=2)
    whole_number("depth", depth, low=1, high=12)
    if fanout ** depth > MAX_LEAVES:
        raise ValueError(f"fanout={fanout} and depth={depth} make {fanout ** depth:,} leaves "
                         f"(fanout ** depth); a tree has at most {MAX_LEAVES:,}")
    return fanout, depth


def digest(*parts: str | bytes) -> bytes:
    """MD5 of the parts, each length-prefixed so ('ab', 'c') != ('a', 'bc')."""
    h = hashlib.md5()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(4, "big"))
        h.update(data)
    return h.digest()


_EMPTY = digest("empty")


@dataclass
class MerkleDiff:
    """What comparing two trees found.

    Attributes
    ----------
    keys : list of str
        Keys missing on either side or stored with different versions.
    hashes_compared : int
        Hash pairs compared (what the two replicas would exchange).
    path : list of tuple
        The (level, index) of every node compared, root first: the way the
        comparison descended.
    differing_leaves : list of int
        Indices of the leaves whose hashes differed.
    """

    keys: list[str] = field(default_factory=list)
    hashes_compared: int = 0
    path: list[tuple[int, int]] = field(default_factory=list)
    differing_leaves: list[int] = field(default_factory=list)


class MerkleTree:
    """A hash tree over the keys of one ring range ``(start, end]``.

    Parameters
    ----------
    entries : mapping of key -> version summary (str)
        What the replica stores; the summary changes whenever the stored
        version does (e.g. a digest of the record).
    fanout : int
        Children per inner node (>= 2).
    depth : int
        Levels below the root (>= 1); there are ``fanout ** depth`` leaves.
    start, end : int
        The range's bounds on the ring (default: the whole ring).
    """

    def __init__(self, fanout: int = 4, depth: int = 3, start: int = RING_SIZE - 1,
                 end: int = RING_SIZE - 1):
        check_tree_shape(fanout, depth)
        self.fanout, self.depth = fanout, depth
        self.start, self.end = start, end
        # Width of the range (start, end]; a full circle when start == end.
        self.width = (end - start) % RING_SIZE or RING_SIZE
        self.leaves: list[dict[str, str]] = [dict() for _ in range(fanout ** depth)]
        self.levels: list[list[bytes]] = []

    @classmethod
    def build(cls, entries: Mapping[str, str], fanout: int = 4, depth: int = 3,
              start: int = RING_SIZE - 1, end: int = RING_SIZE - 1) -> "MerkleTree":
        """A tree over ``entries`` (key -> version summary)."""
        tree = cls(fanout, depth, start, end)
        for key, summary in entries.items():
            tree.leaves[tree.leaf_of(key)][key] = summary
        tree.rehash()
        return tree

    def leaf_of(self, key: str) -> int:
        """The leaf whose slice of the range holds ``key``."""
        offset = (key_position(key) - self.start - 1) % RING_SIZE
        if offset >= self.width:
            raise ValueError(f"key {key!r} lies outside this tree's range")
        return offset * len(self.leaves) // self.width

    def rehash(self) -> None:
        """Recompute every hash from the leaves up."""
        level = [_EMPTY if not leaf else digest(*(f"{k}\x00{leaf[k]}" for k in sorted(leaf)))
                 for leaf in self.leaves]
        levels = [level]
        while len(level) > 1:
            f = self.fanout
            level = [digest(*level[i:i + f]) for i in range(0, len(level), f)]
            levels.append(level)
        self.levels = levels[::-1]  # levels[0] is [root], levels[depth] the leaves

    @property
    def root(self) -> bytes:
        return self.levels[0][0]

    @property
    def key_count(self) -> int:
        return sum(len(leaf) for leaf in self.leaves)

    def node_hash(self, level: int, index: int) -> bytes:
        return self.levels[level][index]

    def diff(self, other: "MerkleTree") -> MerkleDiff:
        """Exactly the keys on which the two trees differ, descending only where hashes differ."""
        if (self.fanout, self.depth, self.start, self.end) != \
                (other.fanout, other.depth, other.start, other.end):
            raise ValueError("only trees with the same range, fanout and depth can be compared")
        result = MerkleDiff()
        frontier = [0]
        for level in range(self.depth + 1):
            next_frontier = []
            for index in frontier:
                result.hashes_compared += 1
                result.path.append((level, index))
                if self.levels[level][index] == other.levels[level][index]:
                    continue
                if level == self.depth:
                    result.differing_leaves.append(index)
                else:
                    first = index * self.fanout
                    next_frontier.extend(range(first, first + self.fanout))
            frontier = next_frontier
        for index in result.differing_leaves:
            mine, theirs = self.leaves[index], other.leaves[index]
            result.keys.extend(sorted(k for k in mine.keys() | theirs.keys()
                                      if mine.get(k) != theirs.get(k)))
        return result

    def __repr__(self) -> str:
        return (f"<MerkleTree fanout={self.fanout} depth={self.depth}: {self.key_count} keys, "
                f"root {self.root.hex()[:8]}>")
