"""Consistency levels: the names Cassandra gives to how many replicas to wait for.

A client can set R or W for one request by number or by name. The levels
(:data:`LEVELS`) are ONE, TWO, THREE, QUORUM (a majority, ``N // 2 + 1``),
ALL (N) and ANY (one acknowledgement, which for a write may be a hint
alone, so it is a write level only). :func:`request_quorum` reads a
per-request ``r`` or ``w`` given either way, as ``cluster.get(key, r=...)``
and ``cluster.put(key, value, w=...)`` take it.

Examples
--------
>>> level_size("QUORUM", 5)
3
>>> request_quorum("w", "ANY", 3)
(1, True)
>>> request_quorum("r", 2, 3)
(2, False)
"""

from __future__ import annotations

from .validation import quorum_size

__all__ = ["LEVELS", "level_size", "matching_levels", "request_quorum"]

#: Cassandra's consistency levels that name a number of replicas.
LEVELS = ("ONE", "TWO", "THREE", "QUORUM", "ALL", "ANY")


def _normalise_level(level) -> str:
    if not isinstance(level, str) or level.upper() not in LEVELS:
        raise ValueError(f"unknown consistency level {level!r}; choose one of "
                         f"{', '.join(LEVELS)}")
    return level.upper()


def level_size(level: str, n: int) -> int:
    """How many replicas a consistency level waits for when there are ``n``.

    Parameters
    ----------
    level : str
        One of :data:`LEVELS` (any letter case).
    n : int
        The replication factor N, ``n >= 1``.

    Returns
    -------
    int
        ONE, TWO, THREE: 1, 2, 3; QUORUM: ``n // 2 + 1``; ALL: ``n``; ANY: 1.
        ANY is for writes: the one acknowledgement may come from a node
        holding a hint for a replica that is down.

    Raises
    ------
    ValueError
        For an unknown level, a bad ``n``, or a level that needs more
        replicas than there are (TWO or THREE with a smaller N).

    Examples
    --------
    >>> [level_size(level, 3) for level in LEVELS]
    [1, 2, 3, 2, 3, 1]
    >>> level_size("quorum", 4), level_size("ALL", 4)
    (3, 4)
    >>> level_size("THREE", 2)
    Traceback (most recent call last):
    ...
    ValueError: level THREE waits for 3 replicas, but N=2; with N=2 choose ONE, TWO, QUORUM, ALL or ANY
    """
    level = _normalise_level(level)
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a whole number >= 1 (the replicas per key), got {n!r}")
    size = {"ONE": 1, "TWO": 2, "THREE": 3, "QUORUM": n // 2 + 1, "ALL": n, "ANY": 1}[level]
    if size > n:
        possible = [name for name in LEVELS if name not in ("TWO", "THREE")
                    or {"TWO": 2, "THREE": 3}[name] <= n]
        raise ValueError(f"level {level} waits for {size} replicas, but N={n}; with N={n} choose "
                         f"{', '.join(possible[:-1])} or {possible[-1]}")
    return size


def matching_levels(size: int, n: int) -> list[str]:
    """The consistency levels that wait for exactly ``size`` of ``n`` replicas.

    ANY is left out: it means something only for writes.

    Examples
    --------
    >>> matching_levels(2, 3)
    ['TWO', 'QUORUM']
    >>> matching_levels(3, 3)
    ['THREE', 'ALL']
    >>> matching_levels(4, 6)
    ['QUORUM']
    """
    found = []
    for level in LEVELS:
        if level == "ANY":
            continue
        try:
            if level_size(level, n) == size:
                found.append(level)
        except ValueError:
            continue
    return found


def request_quorum(name: str, value, n: int) -> tuple[int, bool]:
    """A per-request ``r`` or ``w`` (``name``): a number from 1 to ``n``, or a level.

    Returns (how many replicas to wait for, whether the level is ANY).

    Examples
    --------
    >>> request_quorum("r", "ANY", 3)
    Traceback (most recent call last):
    ...
    ValueError: r='ANY' is not allowed: ANY is a write level (a hint alone may satisfy it); read with ONE, TWO, THREE, QUORUM or ALL
    >>> request_quorum("w", 4, 3)
    Traceback (most recent call last):
    ...
    ValueError: w=4 is not allowed: w must be a whole number from 1 to N=3
    """
    if isinstance(value, str):
        size = level_size(value, n)
        is_any = value.upper() == "ANY"
        if is_any and name == "r":
            raise ValueError("r='ANY' is not allowed: ANY is a write level (a hint alone may "
                             "satisfy it); read with ONE, TWO, THREE, QUORUM or ALL")
        return size, is_any
    return quorum_size(name, value, n), False
