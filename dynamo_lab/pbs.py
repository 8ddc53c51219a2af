"""Probabilistically bounded staleness (PBS): how stale can a partial quorum be?

Bailis et al. (PVLDB 5(8), 2012) ask what a read returns when R + W <= N, so
that read and write quorums need not overlap. If the R replicas a read
contacts are a uniformly random R of the N, and the write has so far reached
exactly W of them, the read misses the write with probability

    p_s = C(N - W, R) / C(N, R)                                  (Eq. 1)

(choose all R read replicas among the N - W the write has not reached). A
reader that tolerates some staleness asks a weaker question: does the read
return one of the last ``k`` versions? Each of the k writes is missed
independently with probability ``p_s``, so the read is stale beyond k
versions with probability ``p_s ** k`` (Eq. 2) and within k versions with
probability ``1 - p_s ** k``.

Both are exact fractions, so a lesson can print 2/3 rather than 0.6666....

Examples
--------
>>> p_stale(n=3, r=1, w=1)
Fraction(2, 3)
>>> p_stale(n=3, r=2, w=2)     # R + W > N: the quorums always overlap
Fraction(0, 1)
>>> k_staleness(n=3, r=1, w=1, k=2)
Fraction(5, 9)
"""

from __future__ import annotations

from fractions import Fraction
from math import comb

__all__ = ["p_stale", "k_staleness", "check_nrw"]


def _check_whole(name: str, value, low: int, high: int | None, why: str) -> int:
    # bool is an int subclass, but r=True is a mistake, not r=1.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if value < low or (high is not None and value > high):
        allowed = f"from {low} to {high}" if high is not None else f">= {low}"
        raise ValueError(f"{name}={value} is not allowed: {name} must be {allowed}{why}")
    return value


def check_nrw(n, r, w) -> tuple[int, int, int]:
    """Validate a replication factor and two quorum sizes.

    Parameters
    ----------
    n, r, w : int
        N replicas per key, R replies a read waits for, W acknowledgements
        a write waits for.

    Returns
    -------
    tuple of int
        ``(n, r, w)`` unchanged.

    Raises
    ------
    ValueError
        Unless ``n >= 1`` and ``1 <= r, w <= n``; the message says which
        value is wrong and what is allowed.

    Examples
    --------
    >>> check_nrw(3, 2, 2)
    (3, 2, 2)
    >>> check_nrw(3, 4, 1)
    Traceback (most recent call last):
    ...
    ValueError: r=4 is not allowed: r must be from 1 to 3 (a read cannot wait for more replies than the N=3 replicas)
    """
    n = _check_whole("n", n, 1, None, " (a key needs at least one replica)")
    r = _check_whole("r", r, 1, n, f" (a read cannot wait for more replies than the N={n} "
                     "replicas)")
    w = _check_whole("w", w, 1, n, f" (a write cannot wait for more acknowledgements than "
                     f"the N={n} replicas)")
    return n, r, w


def p_stale(n: int, r: int, w: int) -> Fraction:
    """Probability that a read right after a write commits misses it (PBS Eq. 1).

    The read contacts R of the N replicas chosen uniformly at random; the
    write has reached exactly W of them (it has just committed).

    Parameters
    ----------
    n, r, w : int
        Replicas, read quorum, write quorum; ``1 <= r, w <= n``.

    Returns
    -------
    fractions.Fraction
        ``C(N - W, R) / C(N, R)``; 0 whenever ``R + W > N``.

    Raises
    ------
    ValueError
        If the sizes are not allowed (see :func:`check_nrw`).

    Examples
    --------
    >>> p_stale(3, 1, 1)
    Fraction(2, 3)
    >>> p_stale(5, 1, 2), p_stale(5, 2, 2)
    (Fraction(3, 5), Fraction(3, 10))
    >>> p_stale(5, 3, 3)
    Fraction(0, 1)
    """
    n, r, w = check_nrw(n, r, w)
    # math.comb(a, b) is 0 when b > a: exactly the R + W > N case.
    return Fraction(comb(n - w, r), comb(n, r))


def k_staleness(n: int, r: int, w: int, k: int) -> Fraction:
    """Probability that a read returns one of the last ``k`` versions (PBS Eq. 2).

    A read is staler than ``k`` versions only if it misses each of the last
    ``k`` writes, each independently with probability :func:`p_stale`; this
    returns the complement, ``1 - p_stale(n, r, w) ** k``: the read is
    consistent within ``k`` versions.

    Parameters
    ----------
    n, r, w : int
        Replicas, read quorum, write quorum; ``1 <= r, w <= n``.
    k : int
        How many of the latest versions count as fresh enough, ``k >= 1``.
        ``k = 1`` asks for the latest write.

    Returns
    -------
    fractions.Fraction

    Raises
    ------
    ValueError
        If a size is not allowed or ``k < 1``.

    Examples
    --------
    >>> k_staleness(3, 1, 1, 1)
    Fraction(1, 3)
    >>> k_staleness(3, 1, 1, 2), k_staleness(3, 1, 1, 3)
    (Fraction(5, 9), Fraction(19, 27))
    >>> k_staleness(3, 2, 2, 1)
    Fraction(1, 1)
    """
    ps = p_stale(n, r, w)
    k = _check_whole("k", k, 1, None, " (k = 1 means the latest version)")
    return 1 - ps ** k
