"""Positions and ranges on the ring: where keys and tokens sit, and what moves.

Every key is hashed with MD5 to one of ``RING_SIZE = 2**128`` positions
(Dynamo §4.1): :func:`key_position`. Token ``i`` of node ``X`` sits at
``key_position(f"{X}#token{i}")`` (:func:`token_position`), so a node has
the same tokens in every ring.

A range is written ``(start, end]``: it holds the positions after ``start``
up to and including ``end``, and the range whose ``start`` is larger than
its ``end`` is the one that wraps around zero. :class:`KeyRange` is a range
with its N home replicas; when a node joins or leaves, a
:class:`RingChange` lists the :class:`MovedRange` s whose replicas changed.
:class:`dynamo_lab.ring.Ring` builds all of these.

Examples
--------
>>> whole = KeyRange(start=10, end=10, replicas=("A",))
>>> whole.size == RING_SIZE, whole.contains(3)
(True, True)
>>> KeyRange(start=10, end=20, replicas=("A", "B")).contains(10)   # (start, end]
False
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["KeyRange", "MovedRange", "RingChange", "key_position", "token_position",
           "RING_SIZE"]

#: Number of positions on the ring: MD5 gives 128-bit hashes.
RING_SIZE = 2**128


def key_position(key: str) -> int:
    """Return the ring position of ``key``: its MD5 hash as an integer.

    The hash is stable across processes and machines, unlike Python's
    built-in ``hash()``, which is salted per process.

    Parameters
    ----------
    key : str
        The key (or any string, such as a token name).

    Returns
    -------
    int
        A position in ``range(RING_SIZE)``.

    Raises
    ------
    ValueError
        If ``key`` is not a string.

    Examples
    --------
    >>> key_position("cart:alice")
    170601842746565172958057933567545066458
    >>> key_position("cart:alice") < RING_SIZE
    True
    """
    if not isinstance(key, str):
        raise ValueError(
            f"key must be a str, got {key!r} ({type(key).__name__})"
        )
    return _md5_position(key)


@lru_cache(maxsize=1 << 16)
def _md5_position(key: str) -> int:
    # Same value as int(md5(...).hexdigest(), 16), without the detour through
    # a hex string; cached, because every operation on a key hashes it again.
    return int.from_bytes(hashlib.md5(key.encode("utf-8")).digest(), "big")


def token_position(node: str, index: int) -> int:
    """Return the position of token ``index`` of ``node`` (strategies 1, 2).

    Parameters
    ----------
    node : str
        Node name.
    index : int
        Token number, ``0 <= index < vnodes``.

    Returns
    -------
    int
        ``key_position(f"{node}#token{index}")``.

    Examples
    --------
    >>> token_position("A", 0) == key_position("A#token0")
    True
    """
    # The suffix ends in digits only, so no two (node, index) pairs can
    # produce the same string, whatever characters the node names contain.
    return key_position(f"{node}#token{index}")


def _arc(start: int, end: int) -> int:
    """Number of positions in the range ``(start, end]``."""
    # start == end is a ring with one boundary: the range is the whole ring.
    return (end - start) % RING_SIZE or RING_SIZE


def _arc_contains(start: int, end: int, position: int) -> bool:
    if start < end:
        return start < position <= end
    if start > end:
        return position > start or position <= end
    return True


@dataclass(frozen=True, slots=True)
class KeyRange:
    """A range of ring positions and the N home replicas of its keys.

    Attributes
    ----------
    start : int
        Exclusive lower end; larger than ``end`` for the range that wraps
        around zero; equal to ``end`` when the range is the whole ring.
    end : int
        Inclusive upper end.
    replicas : tuple of str
        The N home replicas of every key in the range, in preference order.

    Examples
    --------
    >>> r = KeyRange(start=10, end=20, replicas=("A", "B"))
    >>> r.size, r.contains(20), r.contains(10)
    (10, True, False)
    """

    start: int
    end: int
    replicas: tuple[str, ...]

    @property
    def size(self) -> int:
        """Number of ring positions in the range."""
        return _arc(self.start, self.end)

    def contains(self, position: int) -> bool:
        """Whether ring ``position`` lies in ``(start, end]``."""
        return _arc_contains(self.start, self.end, position)


@dataclass(frozen=True, slots=True)
class MovedRange:
    """A range whose set of home replicas changed with a membership change.

    Attributes
    ----------
    start : int
        Exclusive lower end (larger than ``end`` if the range wraps).
    end : int
        Inclusive upper end.
    old_replicas : tuple of str
        Home replicas before the change, in preference order.
    new_replicas : tuple of str
        Home replicas after the change, in preference order.

    Examples
    --------
    >>> m = MovedRange(0, 100, ("A", "B"), ("A", "C"))
    >>> m.gained, m.lost, m.size
    (('C',), ('B',), 100)
    """

    start: int
    end: int
    old_replicas: tuple[str, ...]
    new_replicas: tuple[str, ...]

    @property
    def size(self) -> int:
        """Number of ring positions in the range."""
        return _arc(self.start, self.end)

    @property
    def gained(self) -> tuple[str, ...]:
        """Nodes that became home replicas: they must receive the data."""
        return tuple(x for x in self.new_replicas if x not in self.old_replicas)

    @property
    def lost(self) -> tuple[str, ...]:
        """Nodes that stopped being home replicas: they may drop the data."""
        return tuple(x for x in self.old_replicas if x not in self.new_replicas)

    def contains(self, position: int) -> bool:
        """Whether ring ``position`` lies in ``(start, end]``."""
        return _arc_contains(self.start, self.end, position)


@dataclass(frozen=True)
class RingChange:
    """What a node joining or leaving did to the placement of keys.

    Attributes
    ----------
    added : str or None
        The node that joined, if any.
    removed : str or None
        The node that left, if any.
    moved : list of MovedRange
        The ranges whose set of home replicas changed, in ring order.
        A change of order alone (same nodes, different ranking) is not a
        move: no data has to travel.

    Examples
    --------
    >>> from dynamo_lab.ring import Ring
    >>> ring = Ring(["A", "B", "C"], n=2)
    >>> change = ring.add_node("D")
    >>> change.added, change.removed
    ('D', None)
    >>> all("D" in m.new_replicas for m in change.moved)
    True
    >>> 0 < change.fraction_moved < 1
    True
    """

    added: str | None
    removed: str | None
    moved: list[MovedRange]

    @property
    def fraction_moved(self) -> float:
        """Share of the ring (0 to 1) whose set of home replicas changed."""
        return sum(m.size for m in self.moved) / RING_SIZE
