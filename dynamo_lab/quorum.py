"""Quorum arithmetic: what N, R and W promise before anything runs.

Every key has N replicas. A write waits for W of them to acknowledge, a read
for R of them to reply. Three facts follow from the numbers alone:

* **Overlap.** If ``R + W > N`` any read set and any write set share at least
  ``R + W - N`` replicas, so a read that finishes after a write was
  acknowledged reaches at least one replica holding it. If ``R + W <= N``
  the two sets can be disjoint.
* **Failures tolerated.** A read still gathers R replies with ``N - R``
  replicas down; a write still gathers W acknowledgements with ``N - W``
  down.
* **Staleness.** With no guaranteed overlap, a read started right after a
  write commits misses it with probability ``C(N-W, R) / C(N, R)`` (PBS
  Eq. 1, :func:`dynamo_lab.pbs.p_stale`).

Cassandra names common sizes as *consistency levels*
(:mod:`dynamo_lab.consistency`).

Examples
--------
>>> facts = quorum_facts(n=3, r=2, w=2)
>>> facts.overlap, facts.min_overlap, facts.read_failures_tolerated
(True, 1, 1)
>>> quorum_facts(3, 1, 1).p_stale
Fraction(2, 3)
>>> quorum_problem(3, 4, 1)
'R=4 is more than N=3: a read cannot wait for more replies than there are replicas. Choose R from 1 to 3.'
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from .pbs import check_nrw, p_stale

__all__ = ["QuorumFacts", "quorum_facts", "quorum_problem"]

@dataclass(frozen=True)
class QuorumFacts:
    """What a choice of N, R and W guarantees (build it with :func:`quorum_facts`).

    Attributes
    ----------
    n, r, w : int
        Replicas per key, read quorum, write quorum.
    overlap : bool
        ``R + W > N``: every read set shares a replica with every write set.
    min_overlap : int
        The fewest replicas a read set and a write set can share,
        ``max(0, R + W - N)``.
    writes_overlap : bool
        ``2W > N``: two write sets always share a replica, so two concurrent
        writes meet on some replica.
    read_failures_tolerated : int
        Replicas that can be down while reads still succeed, ``N - R``.
    write_failures_tolerated : int
        Replicas that can be down while writes still succeed, ``N - W``.
    p_stale : fractions.Fraction
        Probability that a read started right after a write commits misses
        it, when the read contacts R random replicas (PBS Eq. 1).
    """

    n: int
    r: int
    w: int
    overlap: bool
    min_overlap: int
    writes_overlap: bool
    read_failures_tolerated: int
    write_failures_tolerated: int
    p_stale: Fraction

    def __str__(self) -> str:
        if self.overlap:
            overlap = (f"R + W = {self.r + self.w} > N = {self.n}: every read overlaps the "
                       f"latest write in at least {self.min_overlap} replica(s)")
        else:
            overlap = (f"R + W = {self.r + self.w} <= N = {self.n}: a read can miss the latest "
                       f"write (probability {self.p_stale} right after it commits)")
        return (f"{overlap}; reads tolerate {self.read_failures_tolerated} replica(s) down, "
                f"writes {self.write_failures_tolerated}")


def quorum_facts(n: int, r: int, w: int) -> QuorumFacts:
    """Work out what N, R and W guarantee.

    Parameters
    ----------
    n, r, w : int
        Replicas per key, replies a read waits for, acknowledgements a write
        waits for; ``1 <= r, w <= n``.

    Returns
    -------
    QuorumFacts

    Raises
    ------
    ValueError
        If the combination is not allowed; :func:`quorum_problem` returns the
        same explanation without raising.

    Examples
    --------
    >>> f = quorum_facts(5, 1, 5)
    >>> f.overlap, f.read_failures_tolerated, f.write_failures_tolerated
    (True, 4, 0)
    >>> print(quorum_facts(3, 1, 1))
    R + W = 2 <= N = 3: a read can miss the latest write (probability 2/3 right after it commits); reads tolerate 2 replica(s) down, writes 2
    """
    n, r, w = check_nrw(n, r, w)
    return QuorumFacts(
        n=n, r=r, w=w,
        overlap=r + w > n,
        min_overlap=max(0, r + w - n),
        writes_overlap=2 * w > n,
        read_failures_tolerated=n - r,
        write_failures_tolerated=n - w,
        p_stale=p_stale(n, r, w),
    )


def quorum_problem(n, r, w) -> str | None:
    """Say what is wrong with N, R and W, or return None when they make sense.

    Unlike :func:`quorum_facts` this never raises, so an interactive view can
    show the explanation instead of a traceback.

    Examples
    --------
    >>> quorum_problem(3, 2, 2) is None
    True
    >>> quorum_problem(3, 2, 5)
    'W=5 is more than N=3: a write cannot wait for more acknowledgements than there are replicas. Choose W from 1 to 3.'
    >>> quorum_problem(0, 1, 1)
    'N=0 means no replicas: a key needs N >= 1.'
    """
    for name, value in (("N", n), ("R", r), ("W", w)):
        if isinstance(value, bool) or not isinstance(value, int):
            return f"{name} must be a whole number, got {value!r}."
    if n < 1:
        return f"N={n} means no replicas: a key needs N >= 1."
    for name, value, what in (("R", r, "a read cannot wait for more replies"),
                              ("W", w, "a write cannot wait for more acknowledgements")):
        if value < 1:
            return (f"{name}={value} waits for nothing: {name} must be at least 1. "
                    f"Choose {name} from 1 to {n}.")
        if value > n:
            return (f"{name}={value} is more than N={n}: {what} than there are replicas. "
                    f"Choose {name} from 1 to {n}.")
    return None
