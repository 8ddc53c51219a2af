"""Cart experiments: the Dynamo shopping cart under a partition, and under contention.

:mod:`dynamo_lab.apps.cart` defines the cart (a read-modify-write over one
key, whose siblings merge by union or as an OR-Set). The runs lesson 09 and
its exercises need are here:

* :func:`resurrection`: the classic case, a removed item that comes back
  once a partition heals (under union merge);
* :func:`divergence_study`: how many versions the reads of a busy cart
  service see (Dynamo §6.3);
* :func:`adds_through_partition`: shoppers on both sides of a partition add
  items to many carts; count the adds acknowledged and refused on each side,
  and the acknowledged adds missing once the partition heals. Sloppy or
  strict quorum, any W, vector clocks or last-write-wins.
* :func:`cart_through_partition`: one cart, changed on both sides of a
  partition by any adds and removes, then read after the heal (the
  ``resurrection`` run with the changes as parameters).
* :func:`divergence_sweep` and :func:`one_version_share`: how the share of
  reads that see exactly one version falls as more shoppers change the same
  carts at once (Dynamo §6.3 measured 99.94% for Amazon's cart).

Every run uses five nodes A to E, N = 3, and the oracle failure detector, so
an operation that cannot reach its quorum fails at once instead of timing out.

Examples
--------
>>> sloppy = adds_through_partition(sloppy_quorum=True, carts=4, adds_per_side=2)
>>> sloppy.acknowledged, sloppy.refused, len(sloppy.lost)
((8, 8), (0, 0), 0)
>>> strict = adds_through_partition(sloppy_quorum=False, carts=4, adds_per_side=2)
>>> sum(strict.refused) > 0
True
>>> cart_through_partition("union", left_ops=[("remove", "book")], right_ops=[]).after
['pen']
>>> cart_through_partition("union", left_ops=[("remove", "book")],
...                        right_ops=[("add", "lamp")]).after      # the book is back
['book', 'lamp', 'pen']
>>> one_version_share({1: 998, 2: 2})
0.998
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..apps.cart import MERGES, Cart
from ..cluster import Cluster
from ..validation import whole_number

__all__ = ["resurrection", "divergence_study", "PartitionAdds", "adds_through_partition",
           "CartThroughPartition", "cart_through_partition", "one_version_share",
           "divergence_sweep", "LEFT", "RIGHT", "NODES"]

#: The five nodes every experiment here runs on.
NODES = ("A", "B", "C", "D", "E")
#: The default partition: a minority side and a majority side.
LEFT, RIGHT = ("A", "B"), ("C", "D", "E")


def _check_sides(left, right) -> tuple[tuple[str, ...], tuple[str, ...]]:
    sides = []
    for name, side in (("left", left), ("right", right)):
        if isinstance(side, str) or not isinstance(side, Iterable):
            raise ValueError(f"{name} must be a list of node names such as ['A', 'B'], "
                             f"got {side!r}")
        side = tuple(side)
        if not side:
            raise ValueError(f"{name} is empty: each side of the partition needs a node")
        unknown = [n for n in side if n not in NODES]
        if unknown:
            raise ValueError(f"{name} names unknown nodes {unknown}; the nodes are "
                             f"{', '.join(NODES)}")
        sides.append(side)
    shared = sorted(set(sides[0]) & set(sides[1]))
    if shared:
        raise ValueError(f"nodes {shared} are on both sides; the sides must not overlap")
    return sides[0], sides[1]


# -- adds through a partition -------------------------------------------------------

@dataclass(frozen=True)
class PartitionAdds:
    """What happened to the adds made on both sides of a partition.

    Attributes
    ----------
    sloppy_quorum : bool
    w : int
    versioning : str
    sides : tuple of two tuples of str
        The nodes on the left and on the right of the partition.
    acknowledged : tuple of two ints
        Adds acknowledged on the left and on the right.
    refused : tuple of two ints
        Adds that failed or timed out on the left and on the right (the
        read before the write counts: if it fails, the add is refused).
    by_cart : dict
        cart -> (adds acknowledged on the left, on the right).
    lost : tuple of (cart, item)
        Acknowledged adds missing from the cart read after the heal.
    final : dict
        cart -> its items, read and merged by union after the heal.
    cluster : Cluster
        The cluster, for a closer look (left out of comparisons).
    """

    sloppy_quorum: bool
    w: int
    versioning: str
    sides: tuple[tuple[str, ...], tuple[str, ...]]
    acknowledged: tuple[int, int]
    refused: tuple[int, int]
    by_cart: dict[str, tuple[int, int]]
    lost: tuple[tuple[str, str], ...]
    final: dict[str, list]
    cluster: Any = field(repr=False, compare=False, default=None)

    def row(self) -> dict[str, Any]:
        """One table row: the configuration and what it did."""
        left, right = (", ".join(side) for side in self.sides)
        return {"quorum": "sloppy" if self.sloppy_quorum else "strict", "W": self.w,
                "versioning": self.versioning,
                f"acked on {left}": self.acknowledged[0],
                f"acked on {right}": self.acknowledged[1],
                "refused": sum(self.refused),
                "acked adds lost after heal": len(self.lost)}


def adds_through_partition(*, sloppy_quorum: bool = True, w: int = 2,
                           versioning: str = "vector_clock", carts: int = 10,
                           adds_per_side: int = 3, left: Sequence[str] = LEFT,
                           right: Sequence[str] = RIGHT, seed: int = 0) -> PartitionAdds:
    """Shoppers on both sides of a partition add items to the same carts.

    Five nodes, N = 3, R = 2 and the given W. The network splits into
    ``left`` and ``right``. For each of ``carts`` carts, a shopper on each
    side (coordinating through the first node of its side) adds
    ``adds_per_side`` items of its own, each a read-modify-write with a
    union merge. Then the partition heals, hints are delivered and
    anti-entropy runs until nothing changes, and every cart is read once more.

    Returns
    -------
    PartitionAdds

    Raises
    ------
    ValueError
        For a count below 1, a W the cluster refuses, or sides that overlap
        or name unknown nodes.

    Examples
    --------
    >>> run = adds_through_partition(carts=2, adds_per_side=1, versioning="lww")
    >>> run.acknowledged, len(run.lost)
    ((2, 2), 2)
    """
    whole_number("carts", carts)
    whole_number("adds_per_side", adds_per_side)
    if not isinstance(sloppy_quorum, bool):
        raise ValueError(f"sloppy_quorum must be True or False, got {sloppy_quorum!r}")
    sides = _check_sides(left, right)
    cluster = Cluster(list(NODES), n=3, r=2, w=w, seed=seed, sloppy_quorum=sloppy_quorum,
                      versioning=versioning, failure_detector="oracle")
    cluster.partition(*sides)
    acknowledged, refused = [0, 0], [0, 0]
    by_cart: dict[str, tuple[int, int]] = {}
    acked: list[tuple[str, str]] = []
    keys = [f"cart:{i}" for i in range(carts)]
    for key in keys:
        counts = [0, 0]
        for index, (label, side) in enumerate(zip(("left", "right"), sides)):
            cart = Cart(cluster, key, "union", coordinator=side[0], client=f"shopper-{label}")
            for j in range(1, adds_per_side + 1):
                item = f"{label}-{j}"
                if cart.add(item).ok:
                    counts[index] += 1
                    acked.append((key, item))
                else:
                    refused[index] += 1
            acknowledged[index] += counts[index]
        by_cart[key] = (counts[0], counts[1])
    cluster.heal()
    cluster.settle()
    final = {key: Cart(cluster, key, "union", client="checker").items() for key in keys}
    lost = tuple((key, item) for key, item in acked if item not in final[key])
    return PartitionAdds(sloppy_quorum, w, versioning, sides, tuple(acknowledged),
                         tuple(refused), by_cart, lost, final, cluster)


# -- one cart through a partition ---------------------------------------------------

@dataclass(frozen=True)
class CartThroughPartition:
    """One cart before, during (on each side) and after a partition.

    Attributes
    ----------
    merge : str
    before, left, right, after : list
        The cart's items before the partition, as each side reads it after
        its changes, and after the heal.
    key : str
    cluster : Cluster
        Left out of comparisons.
    """

    merge: str
    before: list
    left: list
    right: list
    after: list
    key: str = "cart:alice"
    cluster: Any = field(repr=False, compare=False, default=None)


def _check_ops(name: str, ops) -> list[tuple[str, Any]]:
    if isinstance(ops, (str, bytes)) or not isinstance(ops, Iterable):
        raise ValueError(f"{name} must be a list of ('add' or 'remove', item) pairs, got {ops!r}")
    checked = []
    for op in ops:
        if not (isinstance(op, (tuple, list)) and len(op) == 2 and op[0] in ("add", "remove")):
            raise ValueError(f"{name}: each change is ('add', item) or ('remove', item), "
                             f"got {op!r}")
        checked.append((op[0], op[1]))
    return checked


def cart_through_partition(merge: str = "union", *, start: Sequence = ("book", "pen"),
                           left_ops=(("remove", "book"),), right_ops=(("add", "lamp"),),
                           seed: int = 3) -> CartThroughPartition:
    """Change one cart on both sides of a partition, heal, and read it.

    The set-up of :func:`dynamo_lab.apps.cart.resurrection` (five nodes,
    N = 3, R = W = 1, the cart's first home replica and one other node on
    the left, everything else on the right), with the cart's first items and
    each side's changes as parameters. With the defaults it is exactly that
    run: the left side removes the book and the right side adds a lamp.

    Parameters
    ----------
    merge : "union" or "orset"
    start : sequence
        Items added, one by one, before the partition.
    left_ops, right_ops : sequence of ("add" or "remove", item)
        Each side's changes, in order, made through a node on that side.
    seed : int

    Examples
    --------
    >>> run = cart_through_partition("orset", left_ops=[("remove", "book")],
    ...                              right_ops=[("add", "book")])
    >>> run.left, run.after        # the right side's new add of the book survives
    (['pen'], ['book', 'pen'])
    """
    if merge not in MERGES:
        raise ValueError(f"merge={merge!r} is not allowed; choose one of {MERGES}")
    left_ops = _check_ops("left_ops", left_ops)
    right_ops = _check_ops("right_ops", right_ops)
    if isinstance(start, (str, bytes)) or not isinstance(start, Iterable):
        raise ValueError(f"start must be a list of items, got {start!r}")
    cluster = Cluster(list(NODES), n=3, r=1, w=1, seed=seed, failure_detector="oracle")
    key = "cart:alice"
    home = cluster.ring.home_replicas(key)
    others = [n for n in cluster.nodes if n not in home]
    left = [home[0], others[0]]
    right = [n for n in cluster.nodes if n not in left]
    setup = Cart(cluster, key, merge, client="alice")
    for item in start:
        setup.add(item)
    cluster.run_until_idle()
    before = setup.items()
    cluster.partition(left, right)
    phone = Cart(cluster, key, merge, coordinator=left[0], client="alice-phone")
    laptop = Cart(cluster, key, merge, coordinator=right[0], client="alice-laptop")
    for cart, ops in ((phone, left_ops), (laptop, right_ops)):
        for verb, item in ops:
            (cart.add if verb == "add" else cart.remove)(item)
    left_view, right_view = phone.items(), laptop.items()
    cluster.heal()
    cluster.run_until_idle()
    cluster.anti_entropy()
    after = Cart(cluster, key, merge, client="alice").items()
    return CartThroughPartition(merge, before, left_view, right_view, after, key, cluster)


# -- divergent versions -----------------------------------------------------------------

def one_version_share(counts: Mapping[int, int]) -> float:
    """The share of reads that saw exactly one version.

    ``counts`` maps a number of versions to how many reads saw that many,
    as :func:`divergence_study` returns it.

    Raises
    ------
    ValueError
        If there are no reads, or a count or a number of versions is not a
        whole number (versions >= 1, counts >= 0).

    Examples
    --------
    >>> one_version_share({1: 3, 2: 1})
    0.75
    """
    if not isinstance(counts, Mapping):
        raise ValueError(f"counts must be a dict {{versions: reads}}, got {counts!r}")
    for versions, reads in counts.items():
        whole_number("a number of versions", versions, 1)
        whole_number("a number of reads", reads, 0)
    total = sum(counts.values())
    if total == 0:
        raise ValueError("counts holds no reads, so there is no share to compute")
    return counts.get(1, 0) / total


def divergence_sweep(shoppers: Iterable[int] = (1, 2, 4, 8, 16, 32), *, carts: int = 200,
                     operations: int = 2000, seed: int = 0):
    """Run the divergence study once per number of shoppers.

    Each run is :func:`divergence_study` with the given
    ``carts``, ``operations`` and ``seed``: shoppers loop read, add, write on
    carts picked at random, with no failures at all, so every extra version
    a read sees comes from two shoppers changing the same cart at once.

    Returns
    -------
    pandas.DataFrame
        One row per number of shoppers: the reads, how many saw 1, 2 and 3
        or more versions, and the share that saw exactly one.

    Examples
    --------
    >>> table = divergence_sweep((1, 8), carts=50, operations=300)
    >>> table["share one version"].tolist()[0]
    1.0
    """
    import pandas as pd

    shoppers = list(shoppers)
    if not shoppers:
        raise ValueError("shoppers is empty: give at least one number of shoppers")
    for count in shoppers:
        whole_number("shoppers", count)
    whole_number("carts", carts)
    whole_number("operations", operations)
    rows = []
    for count in shoppers:
        counts = divergence_study(carts=carts, shoppers=count, operations=operations, seed=seed)
        rows.append({"shoppers": count, "reads": sum(counts.values()),
                     "1 version": counts.get(1, 0), "2 versions": counts.get(2, 0),
                     "3+ versions": sum(n for k, n in counts.items() if k >= 3),
                     "share one version": one_version_share(counts)})
    return pd.DataFrame(rows)


def resurrection(merge: str = "union", seed: int = 3) -> dict:
    """A removed item comes back after a partition heals (under union merge).

    A cart holding a book and a pen is split by a partition. On one side
    the shopper removes the book; on the other, a second session of the same
    shopper adds a lamp. After the heal, a read sees both versions and merges
    them. Returns the cart before, on each side, and after.
    """
    # The general scene (any starting items, any changes on each side) is
    # cart_through_partition; this is its default run.
    run = cart_through_partition(merge, seed=seed)
    return {"before": run.before, "removed on one side": run.left,
            "added on the other": run.right, "after heal": run.after, "cluster": run.cluster}


def divergence_study(carts: int = 200, shoppers: int = 8, operations: int = 4000,
                     think_ms: float = 20.0, seed: int = 0,
                     latency=None) -> dict[int, int]:
    """How many versions do cart reads see? (Dynamo §6.3)

    ``shoppers`` clients each loop: pick a cart at random, read it, add an
    item to the union of what the read returned, write it back with the
    read's context. The simulation advances in steps of exponential length
    with mean ``think_ms / shoppers``, and at every step each shopper that is
    not busy starts its next operation; so more shoppers mean both more
    requests per millisecond and more writes in flight at once, and now and
    then two shoppers change the same cart concurrently. ``operations``
    counts the reads started. Returns {number of versions a read saw: how
    many reads}.
    """
    cluster = Cluster(nodes=5, n=3, r=2, w=2, seed=seed, latency=latency)
    rng = cluster.sim.rng
    keys = [f"cart:{i}" for i in range(carts)]
    counts: Counter = Counter()
    clients = [cluster.client(f"shopper{i}") for i in range(shoppers)]
    state = [None] * shoppers  # (stage, key, pending)
    started = 0
    while started < operations or any(state):
        for i, client in enumerate(clients):
            s = state[i]
            if s is None:
                if started >= operations:
                    continue
                key = keys[rng.randrange(carts)]
                state[i] = ("read", key, client.start_get(key))
                started += 1
            elif s[2].done:
                stage, key, pending = s
                result = pending.result
                if stage == "read" and result.ok:
                    counts[max(1, len(result.values))] += 1
                    merged = frozenset().union(*result.values) if result.values else frozenset()
                    item = f"item{rng.randrange(1000)}"
                    state[i] = ("write", key, client.start_put(key, merged | {item},
                                                               context=result.context))
                else:
                    state[i] = None
        cluster.run_for(rng.expovariate(shoppers / think_ms))
    return dict(sorted(counts.items()))
