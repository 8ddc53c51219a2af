"""Ready-made scenarios that make a versioning anomaly happen, or not.

Each function builds its own cluster with a fixed seed, runs a short,
documented schedule, and returns what a lesson or a test needs to show the
outcome, the cluster included so its history and trace can be inspected.

Examples
--------
>>> sibling_explosion("vector_clock", rounds=20).siblings
40
>>> result = sibling_explosion("dvv", rounds=20)
>>> result.siblings, result.every_add_kept
(2, True)
>>> skew = lww_clock_skew()
>>> skew.later_write_acknowledged, skew.final_values
(True, ['early (skewed clock)'])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..cluster import Cluster
from ..validation import whole_number

__all__ = ["ExplosionResult", "sibling_explosion", "SkewResult", "lww_clock_skew"]


@dataclass
class ExplosionResult:
    """What :func:`sibling_explosion` found.

    Attributes
    ----------
    versioning : str
    rounds : int
    siblings : int
        Siblings a final read returns.
    sibling_counts : list of int
        Siblings seen by each read during the run, in order.
    every_add_kept : bool
        True when the union of the final siblings holds every item added.
    cluster : Cluster
    """

    versioning: str
    rounds: int
    siblings: int
    sibling_counts: list[int]
    every_add_kept: bool
    cluster: Any


def sibling_explosion(versioning: str = "vector_clock", rounds: int = 100,
                      seed: int = 0) -> ExplosionResult:
    """Two clients alternate read, merge, add, write with stale contexts (invariant 16).

    Each round, client x writes its set of items with the context of its own
    previous read, then reads; then client y does the same. Every write is
    therefore made from a context that misses the other client's latest
    write. Under plain version vectors (``"vector_clock"``) each write is kept
    beside every sibling already stored, so siblings grow with the writes;
    under dotted version vectors (``"dvv"``) each write replaces exactly what
    its context saw, leaving 2 siblings whose union still holds every item.
    """
    whole_number("rounds", rounds)
    cluster = Cluster(nodes=3, n=3, r=2, w=2, seed=seed, versioning=versioning)
    key = "cart"
    context = {"x": None, "y": None}
    seen: dict[str, frozenset] = {"x": frozenset(), "y": frozenset()}
    added: set[str] = set()
    counts = []
    for i in range(rounds):
        for who in ("x", "y"):
            item = f"{who}{i}"
            added.add(item)
            cluster.put(key, seen[who] | {item}, context=context[who], coordinator="A")
            read = cluster.get(key, coordinator="A")
            counts.append(len(read.values))
            context[who] = read.context
            seen[who] = frozenset().union(*read.values)
    cluster.run_until_idle()
    final = cluster.get(key, r=3)
    union = frozenset().union(*final.values)
    return ExplosionResult(versioning, rounds, len(final.values), counts, added <= union,
                           cluster)


@dataclass
class SkewResult:
    """What :func:`lww_clock_skew` found.

    Attributes
    ----------
    skew_ms : float
        How far the first coordinator's clock ran ahead.
    later_write_acknowledged : bool
        The second write, made later in real time, was acknowledged by all N.
    final_values : list
        What a read returns once everything has settled.
    cluster : Cluster
    """

    skew_ms: float
    later_write_acknowledged: bool
    final_values: list
    cluster: Any


def lww_clock_skew(skew_ms: float = 50.0, versioning: str = "lww", seed: int = 0) -> SkewResult:
    """A later, fully acknowledged write lost to a clock running ahead (invariant 12).

    Node A's clock runs ``skew_ms`` ahead. A client writes through A; 10 ms
    later (real, virtual time) another client reads that value and writes a
    new one through B, whose clock is right, with W = N. Under last-write-wins
    the first write carries the later timestamp, so the second, acknowledged
    by every replica, silently disappears. With ``versioning="vector_clock"``
    the same schedule keeps the second write, because it was made from a
    context that saw the first.
    """
    cluster = Cluster(["A", "B", "C"], n=3, r=2, w=3, seed=seed, versioning=versioning)
    cluster.skew_clock("A", skew_ms)
    cluster.put("account", "early (skewed clock)", coordinator="A")
    cluster.run_for(10.0)
    context = cluster.get("account", coordinator="B").context
    later = cluster.put("account", "later (correct clock)", context=context, coordinator="B")
    cluster.run_until_idle()
    return SkewResult(skew_ms, later.ok and len(later.acks) == 3,
                      cluster.get("account", r=3).values, cluster)
