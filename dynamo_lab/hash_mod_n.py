"""Hash mod N: the placement consistent hashing replaces, for comparison.

The naive way to spread keys over S nodes is ``md5(key) mod S``: node number
``md5(key) % S`` owns the key (and, with N replicas, the next N - 1 nodes in
the list hold the copies). It balances load well, but the owner of almost
every key depends on S: going from S to S + 1 nodes moves a key unless
``h mod S == h mod (S + 1)``, which holds for only 1 in S + 1 hash values.
About ``S / (S + 1)`` of the data moves, against about ``N / (S + 1)`` on a
consistent-hashing ring (:meth:`dynamo_lab.ring.Ring.add_node`).

Hashes are MD5, as on the ring (:func:`dynamo_lab.ranges.key_position`), never
Python's salted ``hash()``.

Examples
--------
>>> keys = sample_keys(2000)
>>> share = fraction_moved(keys, ["A", "B", "C", "D"], ["A", "B", "C", "D", "E"])
>>> round(share, 1)                      # close to S / (S + 1) = 4/5
0.8
>>> expected_fraction_moved(4)
Fraction(4, 5)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction

from .ranges import key_position
from .validation import whole_number

__all__ = ["owners_mod_n", "fraction_moved", "expected_fraction_moved", "sample_keys"]


def _check_nodes(nodes: Sequence[str], n: int) -> list[str]:
    names = list(nodes)
    if not names:
        raise ValueError("nodes is empty; hash mod N needs at least one node")
    if len(set(names)) != len(names):
        raise ValueError(f"node names must be unique, got {names!r}")
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= len(names):
        raise ValueError(f"n={n!r} is not allowed: n must be a whole number from 1 to "
                         f"{len(names)} (the number of nodes)")
    return names


def sample_keys(count: int = 2000, prefix: str = "key") -> list[str]:
    """``count`` distinct sample keys, the same on every machine.

    Examples
    --------
    >>> sample_keys(3)
    ['key:0', 'key:1', 'key:2']
    """
    whole_number("count", count)
    return [f"{prefix}:{i}" for i in range(count)]


def owners_mod_n(keys: Iterable[str], nodes: Sequence[str], n: int = 1) -> list[tuple[str, ...]]:
    """The ``n`` nodes that hold each key under ``md5(key) mod S``.

    Parameters
    ----------
    keys : iterable of str
    nodes : sequence of str
        The S nodes, in order: node ``i`` owns the keys whose hash is ``i``
        modulo S.
    n : int, default 1
        Replicas per key: the owner and the next ``n - 1`` nodes, wrapping.

    Returns
    -------
    list of tuple of str
        One tuple per key, owner first.

    Examples
    --------
    >>> owners_mod_n(["cart:alice"], ["A", "B", "C"], n=2)
    [('C', 'A')]
    """
    names = _check_nodes(nodes, n)
    s = len(names)
    out = []
    for key in keys:
        first = key_position(key) % s
        out.append(tuple(names[(first + i) % s] for i in range(n)))
    return out


def fraction_moved(keys: Iterable[str], before: Sequence[str], after: Sequence[str],
                   n: int = 1) -> float:
    """Share of ``keys`` whose set of ``n`` holders changes from ``before`` to ``after``.

    This is the measure :attr:`dynamo_lab.ranges.RingChange.fraction_moved`
    gives for the ring, taken over sample keys instead of ring positions.

    Parameters
    ----------
    keys : iterable of str
        Sample keys (see :func:`sample_keys`).
    before, after : sequence of str
        The node lists before and after the change.
    n : int, default 1
        Replicas per key.

    Returns
    -------
    float
        Between 0 and 1.

    Raises
    ------
    ValueError
        If ``keys`` is empty or a node list or ``n`` is not allowed.

    Examples
    --------
    >>> keys = sample_keys(1000)
    >>> fraction_moved(keys, ["A", "B", "C"], ["A", "B", "C"])
    0.0
    >>> fraction_moved(keys, ["A", "B", "C"], ["A", "B", "C", "D"]) > 0.7
    True
    """
    keys = list(keys)
    if not keys:
        raise ValueError("keys is empty; give at least one sample key")
    old = owners_mod_n(keys, before, n)
    new = owners_mod_n(keys, after, n)
    moved = sum(set(a) != set(b) for a, b in zip(old, new))
    return moved / len(keys)


def expected_fraction_moved(s: int) -> Fraction:
    """The share of keys whose owner changes going from ``s`` to ``s + 1`` nodes.

    A hash value keeps its owner only if ``h mod s == h mod (s + 1)``, true
    for ``s`` of every ``s * (s + 1)`` consecutive values, so ``s / (s + 1)``
    of the keys move.

    Examples
    --------
    >>> expected_fraction_moved(9)
    Fraction(9, 10)
    """
    if isinstance(s, bool) or not isinstance(s, int) or s < 1:
        raise ValueError(f"s must be a whole number of nodes >= 1, got {s!r}")
    return Fraction(s, s + 1)
