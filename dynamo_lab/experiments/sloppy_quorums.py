"""Sloppy quorums and hinted handoff, measured across a network partition.

A strict quorum counts only a key's N home replicas. A sloppy quorum
(Dynamo §4.6) lets a coordinator that cannot reach a home replica write to
the next reachable node further along the key's preference list instead;
that *fallback* keeps the write as a hint naming the home replica it stands
in for, and hands it over once that replica is reachable again. The
experiments here put the two side by side on the same partition:

* :func:`key_with_home`: a key whose home replicas sit where a scenario
  needs them (found by walking the ring's MD5 positions, not by chance);
* :func:`writes_across_partition`: write M keys through one coordinator
  while the network is split, and count how many writes succeed;
  :func:`write_availability` tabulates that for each side, strict and sloppy;
* :func:`partitioned_cart`: the lesson's scenario up to the partition: a
  cart written everywhere, then the network split so that one home replica
  of the cart is on the small side and two are on the large side;
* :func:`handoff_after_heal`: continues it with a write on the small side,
  the heal, and how many home replicas hold the write some time later
  (with hinted handoff on or off).

Every cluster here uses the ``"oracle"`` failure detector, so coordinators
know at once which nodes they cannot reach and an operation either succeeds
or fails without waiting for a time-out.

Examples
--------
>>> groups = (["A", "B"], ["C", "D", "E"])
>>> strict = writes_across_partition(groups, "A", sloppy_quorum=False, writes=20)
>>> sloppy = writes_across_partition(groups, "A", sloppy_quorum=True, writes=20)
>>> strict.succeeded < sloppy.succeeded == 20
True
>>> outcome = handoff_after_heal(hinted_handoff=True)
>>> outcome.write.ok, outcome.durable, outcome.hint_counts["pending"]
(True, True, 0)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..cluster import Cluster
from ..results import WriteResult
from ..validation import whole_number

__all__ = ["key_with_home", "PartitionWrites", "writes_across_partition",
           "write_availability", "PartitionedCart", "partitioned_cart", "HandoffOutcome",
           "handoff_after_heal"]

#: The two sides of the partition in :func:`partitioned_cart`.
SMALL_SIDE, LARGE_SIDE = ("A", "B"), ("C", "D", "E")
#: The cart before the partition, and the one written during it.
OLD_CART, NEW_CART = ["book"], ["book", "pen"]


def key_with_home(cluster: Cluster, wanted: Callable[[list[str]], bool], *,
                  prefix: str = "key", limit: int = 10_000) -> tuple[str, list[str]]:
    """The first key ``prefix + "0"``, ``prefix + "1"``... whose home replicas satisfy ``wanted``.

    Returns the key and its home replicas (the first N nodes of its
    preference list).

    Raises
    ------
    ValueError
        If none of the first ``limit`` keys qualifies.

    Examples
    --------
    >>> cluster = Cluster(nodes=5, n=3, seed=0)
    >>> key, home = key_with_home(cluster, lambda home: home[0] == "C", prefix="cart:")
    >>> home[0], key.startswith("cart:")
    ('C', True)
    """
    whole_number("limit", limit, 1)
    for i in range(limit):
        key = f"{prefix}{i}"
        home = cluster.ring.home_replicas(key)
        if wanted(list(home)):
            return key, list(home)
    raise ValueError(f"none of the keys {prefix}0 .. {prefix}{limit - 1} has home replicas "
                     "that satisfy the condition")


def _groups(groups: Sequence[Sequence[str]], names: list[str]) -> list[list[str]]:
    if isinstance(groups, str) or len(groups) < 2:
        raise ValueError("groups must be two or more lists of node names, e.g. "
                         "(['A', 'B'], ['C', 'D', 'E'])")
    result = [list(g) for g in groups]
    if any(not g for g in result):
        raise ValueError("every group needs at least one node")
    seen = [name for g in result for name in g]
    unknown = sorted(set(seen) - set(names))
    if unknown:
        raise ValueError(f"unknown node(s) {', '.join(unknown)}; the cluster has "
                         f"{', '.join(names)}")
    if len(seen) != len(set(seen)):
        raise ValueError("a node may belong to one group only")
    return result


@dataclass
class PartitionWrites:
    """What :func:`writes_across_partition` did.

    Attributes
    ----------
    groups : list of list of str
        The two sides (or more) of the partition.
    coordinator : str
        The node every write went through.
    sloppy_quorum : bool
    keys : list of str
        One key per write.
    homes : list of list of str
        The home replicas of each key.
    results : list of WriteResult
    cluster : Cluster
    """

    groups: list[list[str]]
    coordinator: str
    sloppy_quorum: bool
    keys: list[str]
    homes: list[list[str]]
    results: list[WriteResult]
    cluster: Any

    @property
    def succeeded(self) -> int:
        """How many writes were acknowledged."""
        return sum(result.ok for result in self.results)

    @property
    def out_of(self) -> int:
        return len(self.results)

    @property
    def side(self) -> list[str]:
        """The coordinator's side of the partition."""
        return next(g for g in self.groups if self.coordinator in g)

    def to_frame(self):
        """One row per write: key, home replicas, how many are on the coordinator's side,
        whether it succeeded, who acknowledged it and the hints it left (fallback for
        home replica)."""
        import pandas as pd

        side = set(self.side)
        rows = [{"key": key, "home": ", ".join(home),
                 "home on this side": sum(name in side for name in home),
                 "ok": result.ok, "acks": ", ".join(result.acks),
                 # A write refused before anything was sent left no hint anywhere.
                 "hints": "" if result.status == "fail" else
                 ", ".join(f"{holder} for {owner}" for holder, owner in result.hinted.items())}
                for key, home, result in zip(self.keys, self.homes, self.results)]
        return pd.DataFrame(rows, columns=["key", "home", "home on this side", "ok", "acks",
                                           "hints"])

    def __repr__(self) -> str:
        mode = "sloppy" if self.sloppy_quorum else "strict"
        return (f"<PartitionWrites {mode} via {self.coordinator}: {self.succeeded} of "
                f"{self.out_of} succeeded>")


def writes_across_partition(groups: Sequence[Sequence[str]], coordinator: str, *,
                            sloppy_quorum: bool, writes: int = 20, nodes: int = 5, n: int = 3,
                            w: int = 2, seed: int = 0, prefix: str = "item:") -> PartitionWrites:
    """Split the network into ``groups``, then write ``writes`` keys through ``coordinator``.

    Each write goes to its own key (``prefix + "0"``, ``prefix + "1"``...) on a
    fresh cluster of ``nodes`` nodes named A, B, C...; a key's placement
    depends only on its name and the node names, so strict and sloppy runs
    write the same keys to the same home replicas.

    Under a strict quorum a write succeeds exactly when at least W of the
    key's home replicas are on the coordinator's side; under a sloppy quorum,
    when at least W nodes are (invariant 2).

    Examples
    --------
    >>> run = writes_across_partition((["A"], ["B", "C", "D", "E"]), "A", sloppy_quorum=True,
    ...                               writes=5)
    >>> run.succeeded   # alone, A cannot find W = 2 nodes even with fallbacks
    0
    """
    whole_number("writes", writes, 1)
    cluster = Cluster(nodes=nodes, n=n, r=1, w=w, seed=seed, sloppy_quorum=sloppy_quorum,
                      failure_detector="oracle")
    parts = _groups(groups, cluster.nodes)
    if coordinator not in cluster.nodes:
        raise ValueError(f"unknown coordinator {coordinator!r}; the cluster has "
                         f"{', '.join(cluster.nodes)}")
    cluster.partition(*parts)
    keys = [f"{prefix}{i}" for i in range(writes)]
    homes = [list(cluster.ring.home_replicas(key)) for key in keys]
    results = [cluster.put(key, f"value {i}", coordinator=coordinator)
               for i, key in enumerate(keys)]
    cluster.run_until_idle()
    return PartitionWrites(cluster.partitions, coordinator, sloppy_quorum, keys, homes,
                           results, cluster)


def write_availability(groups: Sequence[Sequence[str]], *, writes: int = 20, nodes: int = 5,
                       n: int = 3, w: int = 2, seed: int = 0, prefix: str = "item:"):
    """Writes that succeed on each side of a partition, strict against sloppy.

    For each group, its first node coordinates ``writes`` writes (see
    :func:`writes_across_partition`) once with a strict and once with a
    sloppy quorum. Returns a DataFrame with one row per side: the
    coordinator, the side's nodes, and the successes of each mode.

    Examples
    --------
    >>> table = write_availability((["A", "B"], ["C", "D", "E"]), writes=10)
    >>> table["sloppy"].tolist(), int(table["strict"].sum())
    ([10, 10], 10)
    """
    import pandas as pd

    if any(len(side) == 0 for side in groups):
        raise ValueError("every group needs at least one node")
    rows = []
    for side in groups:
        side = list(side)
        row = {"coordinator": side[0], "side": ", ".join(side)}
        for label, sloppy in (("strict", False), ("sloppy", True)):
            run = writes_across_partition(groups, side[0], sloppy_quorum=sloppy, writes=writes,
                                          nodes=nodes, n=n, w=w, seed=seed, prefix=prefix)
            row[label] = run.succeeded
        row["out of"] = writes
        rows.append(row)
    return pd.DataFrame(rows, columns=["coordinator", "side", "strict", "sloppy", "out of"])


@dataclass
class PartitionedCart:
    """The scenario :func:`partitioned_cart` set up.

    Attributes
    ----------
    cluster : Cluster
        Partitioned into ``small`` | ``large``.
    key : str
        The cart's key.
    home : list of str
        Its home replicas: ``home[0]`` is on the small side, the other two
        on the large side.
    small, large : list of str
        The two sides of the partition.
    context : Context
        The context of a read of :data:`OLD_CART`, for the next write.
    """

    cluster: Any
    key: str
    home: list[str]
    small: list[str]
    large: list[str]
    context: Any


def partitioned_cart(*, seed: int = 5, **options) -> PartitionedCart:
    """Five nodes A..E, N = 3, R = W = 2: a cart written everywhere, then a partition.

    The key is the first ``"cart:<i>"`` whose first home replica is on the
    side {A, B} and whose two others are on {C, D, E}. The cart
    :data:`OLD_CART` is written through the first home replica and reaches
    all three; then the network splits into {A, B} | {C, D, E}.
    ``options`` go to :class:`~dynamo_lab.cluster.Cluster` (e.g.
    ``sloppy_quorum=False``); the failure detector is the oracle.

    Examples
    --------
    >>> setup = partitioned_cart(sloppy_quorum=False)
    >>> setup.home[0] in setup.small, set(setup.home[1:]) <= set(setup.large)
    (True, True)
    >>> setup.cluster.put(setup.key, ["book", "pen"], context=setup.context,
    ...                   coordinator=setup.home[0]).status
    'fail'
    """
    for fixed in ("nodes", "n", "r", "w", "failure_detector"):
        if fixed in options:
            raise ValueError(f"partitioned_cart fixes {fixed}; pass only other Cluster options")
    cluster = Cluster(nodes=5, n=3, r=2, w=2, seed=seed, failure_detector="oracle", **options)
    small, large = list(SMALL_SIDE), list(LARGE_SIDE)
    key, home = key_with_home(cluster, lambda h: h[0] in small and set(h[1:]) <= set(large),
                              prefix="cart:")
    cluster.put(key, OLD_CART, coordinator=home[0])
    cluster.run_until_idle()
    context = cluster.get(key, coordinator=home[0]).context
    cluster.partition(small, large)
    return PartitionedCart(cluster, key, home, small, large, context)


@dataclass
class HandoffOutcome:
    """What :func:`handoff_after_heal` found.

    Attributes
    ----------
    options : dict
        The cluster options tried.
    key : str
    home : list of str
        The key's home replicas; ``home[0]`` is on the small side of the
        partition and coordinates the write.
    groups : list of list of str
    write : WriteResult
        The write made during the partition.
    hint_counts : dict
        ``cluster.hint_counts`` at the end.
    home_holders : list of str
        The home replicas that hold the write at the end, in home order.
    expected_holders : int
        How many home replicas W promised would hold it.
    cluster : Cluster
    """

    options: dict
    key: str
    home: list[str]
    groups: list[list[str]]
    write: WriteResult
    hint_counts: dict
    home_holders: list[str]
    expected_holders: int
    cluster: Any

    @property
    def durable(self) -> bool:
        """True when at least W home replicas hold the acknowledged write."""
        return self.write.ok and len(self.home_holders) >= self.expected_holders


def handoff_after_heal(*, sloppy_quorum: bool = True, hinted_handoff: bool = True,
                       hint_interval_ms: float = 1000.0, wait_ms: float = 2000.0,
                       seed: int = 5) -> HandoffOutcome:
    """A write on the small side of a partition, the heal, and where the write ends up.

    Starts from :func:`partitioned_cart`; then :data:`NEW_CART` is written
    through the cart's first home replica, on the small side. The network
    heals, ``wait_ms`` of virtual time pass (fallbacks offer their hints
    every ``hint_interval_ms``), and the outcome lists the home replicas
    that hold the new cart.

    Examples
    --------
    >>> off = handoff_after_heal(hinted_handoff=False)
    >>> off.write.ok, off.home_holders == off.home[:1], off.hint_counts["stored"]
    (True, True, 0)
    """
    if isinstance(wait_ms, bool) or not isinstance(wait_ms, (int, float)) or wait_ms < 0:
        raise ValueError(f"wait_ms must be a number >= 0, got {wait_ms!r}")
    options = {"sloppy_quorum": sloppy_quorum, "hinted_handoff": hinted_handoff,
               "hint_interval_ms": hint_interval_ms}
    setup = partitioned_cart(seed=seed, **options)
    cluster, key, home = setup.cluster, setup.key, setup.home
    write = cluster.put(key, NEW_CART, context=setup.context, coordinator=home[0])
    cluster.run_until_idle()
    cluster.heal()
    cluster.run_for(wait_ms)
    cluster.run_until_idle()
    replicas = cluster.replicas(key)
    holders = [name for name in home if NEW_CART in replicas.values_at(name)]
    return HandoffOutcome(options, key, home, [setup.small, setup.large], write,
                          cluster.hint_counts, holders, cluster.w, cluster)
