"""Measurements on partitioning: strategies, data moved on a join, hot keys.

These functions drive :class:`dynamo_lab.ring.Ring` (and, for comparison,
:mod:`dynamo_lab.hash_mod_n`) to answer the questions of lesson 02:

- :func:`next_tokens`: the raw tokens met walking clockwise from a key, to
  see the preference list skip a node's second token;
- :func:`copies_moved` and :func:`copies_moved_mod_n`: the share of replica
  copies that must be sent somewhere new when the membership changes;
- :func:`strategy_efficiency` and :func:`compare_strategies`: Dynamo's three
  partitioning strategies (§6.2) measured by load-balancing efficiency at
  equal metadata per node, in the setting of Figure 8 (S = 30, N = 3);
- :func:`hot_key_weights` and :func:`request_load`: the load per node when
  requests are not spread evenly over keys.

Load here is the share of *requests* (or, with :meth:`Ring.load`, of the
ring) a node serves as a home replica; each request counts at all N home
replicas, so the shares add up to N.

Examples
--------
>>> from dynamo_lab.ring import Ring
>>> ring = Ring(["A", "B", "C", "D"], n=1, vnodes=64)
>>> change = ring.copy().add_node("E")
>>> round(copies_moved(change, n=1), 2)            # about 1/5
0.19
>>> round(strategy_efficiency(3, 8, nodes=30, n=3), 3)
1.0
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence

from ..hash_mod_n import owners_mod_n
from ..ranges import RING_SIZE, RingChange
from ..ring import Ring, load_balancing_efficiency
from ..validation import whole_number

__all__ = [
    "next_tokens",
    "copies_moved",
    "copies_moved_mod_n",
    "node_names",
    "strategy_efficiency",
    "compare_strategies",
    "hot_key_weights",
    "request_load",
]


def next_tokens(ring: Ring, key: str, count: int) -> list[tuple[int, str]]:
    """The first ``count`` tokens met walking clockwise from ``key``'s range end.

    These are the raw ``(position, node)`` pairs, repeats included; the
    preference list is what remains after dropping every node already met.

    Parameters
    ----------
    ring : Ring
    key : str
    count : int
        How many tokens, at most ``len(ring.tokens)``.

    Returns
    -------
    list of (int, str)

    Raises
    ------
    ValueError
        If ``count`` is not between 1 and the number of tokens.

    Examples
    --------
    >>> ring = Ring(["A", "B", "C"], n=2, vnodes=4)
    >>> [node for _, node in next_tokens(ring, "cart:bob", 4)]
    ['A', 'B', 'B', 'B']
    >>> ring.preference_list("cart:bob")
    ['A', 'B', 'C']
    """
    tokens = ring.tokens
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= len(tokens):
        raise ValueError(f"count={count!r} is not allowed; count must be a whole number "
                         f"from 1 to {len(tokens)} (the number of tokens)")
    positions = [p for p, _ in tokens]
    start = bisect_left(positions, ring.key_range(key).end) % len(tokens)
    return [tokens[(start + step) % len(tokens)] for step in range(count)]


def copies_moved(change: RingChange, n: int) -> float:
    """Share of all replica copies that must be sent to a new node.

    ``change.fraction_moved`` counts a range once if *any* of its N home
    replicas changed. Usually only one of the N changed, so the data that
    travels is smaller: each moved range sends one copy per gained node.

    Parameters
    ----------
    change : RingChange
        What ``Ring.add_node`` or ``Ring.remove_node`` returned.
    n : int
        The ring's replication factor N.

    Returns
    -------
    float
        Between 0 and 1: copies sent / (N copies of every key).

    Examples
    --------
    >>> ring = Ring(["A", "B", "C", "D"], n=3, vnodes=64)
    >>> change = ring.add_node("E")
    >>> copies_moved(change, n=3) < change.fraction_moved
    True
    """
    whole_number("n", n)
    return sum(m.size * len(m.gained) for m in change.moved) / (n * RING_SIZE)


def copies_moved_mod_n(keys: Iterable[str], before: Sequence[str], after: Sequence[str],
                       n: int = 1) -> float:
    """The same measure as :func:`copies_moved`, for ``md5(key) mod S``.

    Examples
    --------
    >>> from dynamo_lab.hash_mod_n import sample_keys
    >>> share = copies_moved_mod_n(sample_keys(2000), list("ABCD"), list("ABCDE"), n=1)
    >>> round(share, 1)
    0.8
    """
    keys = list(keys)
    if not keys:
        raise ValueError("keys is empty; give at least one sample key")
    old = owners_mod_n(keys, before, n)
    new = owners_mod_n(keys, after, n)
    sent = sum(len(set(b) - set(a)) for a, b in zip(old, new))
    return sent / (n * len(keys))


def node_names(count: int, trial: int = 0) -> list[str]:
    """``count`` node names for repetition ``trial`` of an experiment.

    Token positions are derived from node names, so a different set of
    names is a different, equally likely, placement of the tokens.

    Examples
    --------
    >>> node_names(3), node_names(2, trial=1)
    (['n1', 'n2', 'n3'], ['t1n1', 't1n2'])
    """
    whole_number("count", count)
    prefix = f"t{trial}" if trial else ""
    return [f"{prefix}n{i}" for i in range(1, count + 1)]


def strategy_efficiency(strategy: int, tokens_per_node: int, *, nodes: int = 30, n: int = 3,
                        partitions: int = 256, trial: int = 0) -> float:
    """Load-balancing efficiency of one ring built with a Dynamo strategy.

    The rings are compared at equal metadata per node, as in Dynamo's
    Figure 8: every node keeps a table of ``nodes * tokens_per_node``
    entries. Strategies 1 and 2 give each node ``tokens_per_node`` tokens;
    strategy 2 cuts the ring into a fixed ``partitions`` (Q) equal pieces;
    strategy 3 uses ``Q = nodes * tokens_per_node`` equal partitions, so
    each node owns ``tokens_per_node`` of them.

    The load is each node's share of the ring (:meth:`Ring.load`), i.e. the
    load under perfectly uniform requests.

    Parameters
    ----------
    strategy : {1, 2, 3}
    tokens_per_node : int
        T (strategies 1, 2) or Q/S (strategy 3).
    nodes : int, default 30
        S.
    n : int, default 3
        N.
    partitions : int, default 256
        Q for strategy 2 (ignored otherwise).
    trial : int, default 0
        Which set of node names (see :func:`node_names`).

    Returns
    -------
    float

    Examples
    --------
    >>> round(strategy_efficiency(1, 1), 2), round(strategy_efficiency(1, 128), 2)
    (0.46, 0.9)
    """
    names = node_names(nodes, trial)
    q = partitions if strategy == 2 else None
    ring = Ring(names, n=n, vnodes=tokens_per_node, strategy=strategy, partitions=q)
    return load_balancing_efficiency(ring.load())


def compare_strategies(sizes: Iterable[int] = (1, 2, 4, 8, 16, 32, 64, 128), *,
                       nodes: int = 30, n: int = 3, partitions: int = 256,
                       trials: int = 3) -> list[dict]:
    """Efficiency of strategies 1, 2 and 3 at each metadata size.

    Each figure is the mean over ``trials`` rings with different node names
    (:func:`node_names`), which smooths out the luck of one placement.

    Returns
    -------
    list of dict
        One row per (strategy, size): ``strategy``, ``tokens_per_node``,
        ``table_size`` (entries per node), ``efficiency`` (the mean),
        ``lowest`` and ``highest`` (over the trials).

    Examples
    --------
    >>> rows = compare_strategies([1, 64], trials=2)
    >>> [(r["strategy"], r["tokens_per_node"], r["table_size"]) for r in rows][:3]
    [(1, 1, 30), (1, 64, 1920), (2, 1, 30)]
    >>> [r["efficiency"] for r in rows if r["strategy"] == 3]
    [1.0, 1.0]
    """
    whole_number("trials", trials)
    sizes = list(sizes)
    rows = []
    for strategy in (1, 2, 3):
        for t in sizes:
            values = [strategy_efficiency(strategy, t, nodes=nodes, n=n,
                                          partitions=partitions, trial=k)
                      for k in range(trials)]
            rows.append({"strategy": strategy, "tokens_per_node": t,
                         "table_size": nodes * t, "efficiency": math.fsum(values) / trials,
                         "lowest": min(values), "highest": max(values)})
    return rows


def hot_key_weights(keys: Sequence[str], hot_share: float, *, split: int = 1) -> dict[str, float]:
    """Request weights where the first key gets ``hot_share`` of all requests.

    The other keys share the rest equally. With ``split > 1`` the hot key is
    stored as ``split`` sub-keys (``"<key>#0"``, ``"<key>#1"``, ...), each
    taking an equal part of its requests: the usual fix of adding a suffix
    so that one busy key lands on several ranges.

    Parameters
    ----------
    keys : sequence of str
        At least two keys; ``keys[0]`` is the hot one.
    hot_share : float
        Between 0 and 1.
    split : int, default 1

    Returns
    -------
    dict of str to float
        Weights adding up to 1.

    Examples
    --------
    >>> hot_key_weights(["hot", "a", "b"], 0.5)
    {'hot': 0.5, 'a': 0.25, 'b': 0.25}
    >>> hot_key_weights(["hot", "a"], 0.5, split=2)
    {'hot#0': 0.25, 'hot#1': 0.25, 'a': 0.5}
    """
    keys = list(keys)
    if len(keys) < 2:
        raise ValueError(f"give at least two keys, got {keys!r}")
    if not 0 <= hot_share <= 1:
        raise ValueError(f"hot_share={hot_share!r} must be between 0 and 1")
    whole_number("split", split)
    hot, cold = keys[0], keys[1:]
    if split == 1:
        weights = {hot: hot_share}
    else:
        weights = {f"{hot}#{i}": hot_share / split for i in range(split)}
    rest = (1 - hot_share) / len(cold)
    for key in cold:
        weights[key] = rest
    return weights


def request_load(ring: Ring, weights: Mapping[str, float]) -> dict[str, float]:
    """Each node's share of requests, when key ``k`` gets ``weights[k]`` of them.

    A request counts at every one of the key's N home replicas (a write goes
    to all of them), so the shares add up to N, as in :meth:`Ring.load`.

    Examples
    --------
    >>> ring = Ring(["A", "B", "C"], n=1)
    >>> load = request_load(ring, {"cart:alice": 3, "cart:bob": 1})
    >>> load
    {'A': 0.0, 'B': 0.75, 'C': 0.25}
    """
    total = math.fsum(weights.values())
    if not weights or total <= 0:
        raise ValueError("weights must hold at least one key with a positive weight")
    loads = dict.fromkeys(ring.nodes, 0.0)
    for key, weight in weights.items():
        if weight < 0:
            raise ValueError(f"weight {weight!r} of {key!r} is negative")
        for node in ring.home_replicas(key):
            loads[node] += weight
    return {node: value / total for node, value in loads.items()}
