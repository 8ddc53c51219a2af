"""The consistent-hashing ring: tokens, partitions and preference lists.

Every key is hashed with MD5 to a position on a ring of ``2**128`` positions
(Dynamo §4.1). The ring is cut into *ranges*, each ``(start, end]``
(positions and ranges are :mod:`dynamo_lab.ranges`). A key belongs to the
range that ends at the first range end at or clockwise after the key's
position.

Dynamo's three partitioning strategies (§6.2) are available:

1. ``strategy=1`` (the default): each node has ``vnodes`` (T) tokens at
   pseudo-random positions and the ranges lie between consecutive tokens.
   The N home replicas of a key are the first N distinct nodes met walking
   clockwise over the tokens from the key's position.
2. ``strategy=2``: tokens as in strategy 1, but the ranges are Q equal-sized
   partitions; a partition is placed on the first N distinct nodes met
   walking clockwise over the tokens from the partition's end.
3. ``strategy=3``: Q equal-sized partitions, each owned by one node, every
   node owning Q/S of them (S nodes). The home replicas of a partition are
   the first N distinct owners met walking clockwise from it.

Token positions are derived, never drawn: token ``i`` of node ``X`` sits at
``key_position(f"{X}#token{i}")``. A node therefore has the same tokens in
every ring, whatever the other nodes are, which is why a node joining under
strategy 1 only takes over ranges next to its own tokens.

Partition ``i`` of ``Q`` holds the positions from ``i * 2**128 // Q`` up to,
but not including, ``(i + 1) * 2**128 // Q``; as a ``(start, end]`` range it
ends at ``(i + 1) * 2**128 // Q - 1``.

Examples
--------
>>> ring = Ring(["A", "B", "C", "D", "E"], n=3)
>>> ring.preference_list("cart:alice")
['B', 'C', 'A', 'E', 'D']
>>> ring.home_replicas("cart:alice")
['B', 'C', 'A']
>>> change = ring.copy().add_node("F")
>>> change.added, round(change.fraction_moved, 2)
('F', 0.49)
"""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from collections.abc import Iterable, Mapping, Sequence

from .ranges import RING_SIZE, KeyRange, MovedRange, RingChange, _arc, key_position, token_position
from .validation import integer, node_name

__all__ = ["Ring", "load_balancing_efficiency", "STRATEGIES", "MAX_PARTITIONS", "MAX_VNODES",
           "MAX_TOKENS"]
#: The partitioning strategies of Dynamo §6.2.
STRATEGIES = (1, 2, 3)
#: Upper bound on Q: more partitions than this only costs memory and time.
MAX_PARTITIONS = 2**16
#: Upper bound on vnodes (tokens per node). The lessons go up to 256 (Cassandra's
#: default); beyond a thousand a ring only gets slower to build and to repair
#: (anti-entropy compares every range), and 5,000,000 would seem to hang.
MAX_VNODES = 1024
#: Upper bound on the tokens of a ring of strategy 1 or 2 (nodes * vnodes),
#: for the same reason as ``MAX_PARTITIONS``: a ring this size is built in
#: about a second. The largest in the lessons, 30 nodes * 256, has 7,680.
MAX_TOKENS = 2**16

#: How many keys' preference lists a ring remembers.
_KEYS_REMEMBERED = 2**16


def load_balancing_efficiency(loads: Mapping[str, float] | Iterable[float]) -> float:
    """Mean load per node divided by the load of the most loaded node.

    This is the measure of Dynamo §6.2 (Figure 8): 1 means perfectly even,
    small values mean one hot node does far more than its share.

    Parameters
    ----------
    loads : mapping of node to load, or iterable of loads
        Non-negative numbers, one per node (nodes with no load count too).

    Returns
    -------
    float
        A number in ``(0, 1]``.

    Raises
    ------
    ValueError
        If there are no loads, a load is negative, or all loads are zero.

    Examples
    --------
    >>> load_balancing_efficiency({"A": 1.0, "B": 1.0, "C": 2.0})
    0.6666666666666666
    >>> load_balancing_efficiency(Ring(["A", "B", "C"], n=3).load())
    1.0
    """
    values = list(loads.values() if isinstance(loads, Mapping) else loads)
    if not values:
        raise ValueError("loads is empty; give one load per node")
    negative = [v for v in values if v < 0]
    if negative:
        raise ValueError(f"load {negative[0]!r} is negative; loads must be >= 0")
    top = max(values)
    if top <= 0:
        raise ValueError(f"all loads are zero ({values!r}); at least one must be > 0")
    # fsum keeps equal loads at exactly 1.0; the clamp guards the last bit.
    return min(1.0, math.fsum(values) / (len(values) * top))


def _check_token_count(nodes: int, vnodes: int) -> None:
    """Refuse a ring of strategy 1 or 2 with more than ``MAX_TOKENS`` tokens."""
    if nodes * vnodes > MAX_TOKENS:
        raise ValueError(
            f"{nodes} nodes with vnodes={vnodes} make {nodes * vnodes:,} tokens; a ring "
            f"holds at most {MAX_TOKENS:,} (nodes * vnodes): use fewer vnodes"
        )


def _next_power_of_two(x: int) -> int:
    return 1 << max(0, x - 1).bit_length()


class Ring:
    """A consistent-hashing ring that places keys on nodes.

    Parameters
    ----------
    nodes : sequence of str
        Node names, unique and non-empty. Their order is the join order.
    n : int, default 3
        Replication factor N: how many home replicas each key has,
        ``1 <= n <= len(nodes)``.
    vnodes : int, default 8
        Tokens per node (T) for strategies 1 and 2. For strategy 3 it only
        sets the default number of partitions.
    strategy : {1, 2, 3}, default 1
        Dynamo's partitioning strategy (§6.2); see the module docstring.
    partitions : int, optional
        Q, the number of equal-sized partitions, for strategies 2 and 3
        (it stays fixed when nodes join or leave). Default: for strategy 2
        the smallest power of two that is at least 64 and at least
        ``len(nodes) * vnodes``; for strategy 3 ``len(nodes) * vnodes``, so
        that each node starts with exactly ``vnodes`` partitions, the same
        metadata per node as strategy 1. Strategy 2 needs ``Q >= n``,
        strategy 3 needs ``Q >= len(nodes)``; Q is at most ``MAX_PARTITIONS``.

    Raises
    ------
    ValueError
        For any invalid argument; the message names the value and the
        allowed ones.

    Notes
    -----
    Strategy 3 starts by dealing the partitions out round robin, in ring
    order, to the nodes in join order. A joining node takes partitions, one
    at a time, from the node that holds the most (ties: the alphabetically
    first name) until no node holds more than one partition more than the
    newcomer. From each donor it takes, if it can, a partition at least N
    steps from every partition it already holds, choosing among those by a
    hash of its name and the partition number. A leaving node hands its
    partitions, in ring order, each to the node that then holds the fewest
    (ties: the node with fewest partitions within N-1 steps of it, then the
    alphabetically first name). Keeping a node's partitions N apart means
    N consecutive partitions have N distinct owners, which keeps the load
    of home replicas even.

    Examples
    --------
    >>> ring = Ring(["A", "B", "C"], n=2)
    >>> ring.preference_list("cart:alice")
    ['B', 'C', 'A']
    >>> ring.home_replicas("cart:alice"), ring.owner("cart:alice")
    (['B', 'C'], 'B')
    >>> len(ring.tokens), len(ring.ranges())
    (24, 24)
    >>> [x for _, x in Ring(["A", "B", "C"], n=2, strategy=3, partitions=6).tokens]
    ['A', 'B', 'C', 'A', 'B', 'C']
    """

    def __init__(
        self,
        nodes: Sequence[str],
        n: int = 3,
        vnodes: int = 8,
        strategy: int = 1,
        partitions: int | None = None,
    ) -> None:
        if isinstance(nodes, str):
            raise ValueError(
                f"nodes must be a sequence of node names, not the single "
                f"string {nodes!r}; write [{nodes!r}] for one node"
            )
        names = [node_name(x) for x in nodes]
        if not names:
            raise ValueError("nodes is empty; a ring needs at least one node")
        seen: set[str] = set()
        for name in names:
            if name in seen:
                raise ValueError(
                    f"duplicate node name {name!r}; node names must be unique"
                )
            seen.add(name)
        integer("strategy", strategy)
        if strategy not in STRATEGIES:
            raise ValueError(
                f"strategy={strategy!r} is invalid; strategy must be 1, 2 or 3 "
                f"(Dynamo §6.2)"
            )
        integer("n", n)
        if not 1 <= n <= len(names):
            raise ValueError(
                f"n={n} but the cluster has {len(names)} nodes; "
                f"n must be between 1 and {len(names)}"
            )
        integer("vnodes", vnodes)
        if vnodes < 1:
            raise ValueError(
                f"vnodes={vnodes} is invalid; vnodes (tokens per node) must be "
                f"at least 1"
            )
        if vnodes > MAX_VNODES:
            raise ValueError(
                f"vnodes={vnodes} is too large; vnodes (tokens per node) must be "
                f"at most {MAX_VNODES}"
            )
        if strategy in (1, 2):
            _check_token_count(len(names), vnodes)
        if strategy == 1:
            if partitions is not None:
                raise ValueError(
                    f"partitions={partitions!r} applies only to strategies 2 "
                    f"and 3; strategy 1 cuts the ring at the tokens"
                )
            q = None
        else:
            if partitions is None:
                if strategy == 2:
                    q = _next_power_of_two(max(64, len(names) * vnodes))
                else:
                    q = len(names) * vnodes
                q = min(q, MAX_PARTITIONS)
            else:
                q = integer("partitions", partitions)
            low = n if strategy == 2 else len(names)
            if q < low:
                need = (
                    f"at least n={n}" if strategy == 2
                    else f"at least one partition per node (>= {len(names)})"
                )
                raise ValueError(
                    f"partitions={q} is too small; strategy {strategy} needs {need}"
                )
            if q > MAX_PARTITIONS:
                raise ValueError(
                    f"partitions={q} is too large; at most {MAX_PARTITIONS}"
                )

        self._nodes = names
        self._n = n
        self._vnodes = vnodes
        self._strategy = strategy
        self._q = q
        # Sorted (position, node) tokens of strategies 1 and 2.
        self._tokens: list[tuple[int, str]] = []
        # Owner of each partition, in ring order (strategy 3 only).
        self._owners: list[str] = []
        # Sorted ends of the partitions (strategies 2 and 3).
        self._partition_ends: list[int] = []
        if strategy in (1, 2):
            self._tokens = sorted(
                (token_position(x, i), x) for x in names for i in range(vnodes)
            )
        if q is not None:
            self._partition_ends = [
                (i + 1) * RING_SIZE // q - 1 for i in range(q)
            ]
        if strategy == 3:
            self._owners = [names[i % len(names)] for i in range(q)]
        self._rebuild()

    # ------------------------------------------------------------------
    # internal state derived from the tokens / owners

    def _rebuild(self) -> None:
        """Recompute the range ends and forget cached walks."""
        self._token_positions = [p for p, _ in self._tokens]
        self._token_nodes = [x for _, x in self._tokens]
        if self._strategy == 1:
            self._ends = self._token_positions
        else:
            self._ends = self._partition_ends
        # Lazily filled, per range: the home replicas and the full walk.
        self._homes: list[tuple[str, ...] | None] = [None] * len(self._ends)
        self._walks: list[tuple[str, ...] | None] = [None] * len(self._ends)
        self._walk_of_key: dict[str, tuple[str, ...]] = {}

    def _range_index(self, position: int) -> int:
        i = bisect_left(self._ends, position)
        return 0 if i == len(self._ends) else i

    def _walk(self, index: int, limit: int) -> tuple[str, ...]:
        """Distinct nodes met walking clockwise for range ``index``."""
        if self._strategy == 3:
            nodes = self._owners
            start = index
        else:
            nodes = self._token_nodes
            if self._strategy == 1:
                start = index
            else:
                start = bisect_left(self._token_positions, self._ends[index])
        found: list[str] = []
        seen: set[str] = set()
        count = len(nodes)
        for step in range(count):
            node = nodes[(start + step) % count]
            if node not in seen:
                seen.add(node)
                found.append(node)
                if len(found) == limit:
                    break
        return tuple(found)

    def _home(self, index: int) -> tuple[str, ...]:
        home = self._homes[index]
        if home is None:
            home = self._homes[index] = self._walk(index, self._n)
        return home

    def _full(self, index: int) -> tuple[str, ...]:
        walk = self._walks[index]
        if walk is None:
            walk = self._walks[index] = self._walk(index, len(self._nodes))
        return walk

    # ------------------------------------------------------------------
    # read-only views

    @property
    def nodes(self) -> list[str]:
        """Node names in join order (a copy)."""
        return list(self._nodes)

    @property
    def n(self) -> int:
        """Replication factor N."""
        return self._n

    @property
    def vnodes(self) -> int:
        """Tokens per node (T)."""
        return self._vnodes

    @property
    def strategy(self) -> int:
        """Partitioning strategy, 1, 2 or 3."""
        return self._strategy

    @property
    def partitions(self) -> int | None:
        """Q, the number of partitions (None for strategy 1)."""
        return self._q

    @property
    def tokens(self) -> list[tuple[int, str]]:
        """Sorted ``(position, node)`` pairs walked to build preference lists.

        For strategies 1 and 2 these are the nodes' tokens; for strategy 3,
        the end of each partition with the node that owns it.
        """
        if self._strategy == 3:
            return list(zip(self._partition_ends, self._owners))
        return list(self._tokens)

    def position(self, key: str) -> int:
        """The ring position of ``key`` (see `key_position`).

        Examples
        --------
        >>> Ring(["A"], n=1).position("k") == key_position("k")
        True
        """
        return key_position(key)

    def preference_list(self, key: str) -> list[str]:
        """Every node once, in the order a request for ``key`` tries them.

        The first N are the key's home replicas: the first N distinct nodes
        clockwise from the key's position (under strategy 2, from the end of
        its partition), skipping further tokens of nodes already listed. The
        rest are the fallbacks a sloppy quorum uses, in the order met
        walking on.

        Parameters
        ----------
        key : str

        Returns
        -------
        list of str
            A new list with ``len(ring.nodes)`` names.

        Raises
        ------
        ValueError
            If ``key`` is not a string.

        Examples
        --------
        >>> Ring(["A", "B", "C", "D", "E"], n=3).preference_list("cart:bob")
        ['E', 'C', 'B', 'A', 'D']
        """
        walk = self._walk_of_key.get(key) if type(key) is str else None
        if walk is None:
            walk = self._full(self._range_index(key_position(key)))
            # Every request looks its key up, often the same keys again; the
            # memo is bounded, and emptied whenever the ring changes.
            if len(self._walk_of_key) >= _KEYS_REMEMBERED:
                self._walk_of_key.clear()
            self._walk_of_key[key] = walk
        return list(walk)

    def home_replicas(self, key: str) -> list[str]:
        """The first N nodes of the preference list of ``key``.

        Examples
        --------
        >>> Ring(["A", "B", "C", "D", "E"], n=3).home_replicas("cart:bob")
        ['E', 'C', 'B']
        """
        return list(self._home(self._range_index(key_position(key))))

    def owner(self, key: str) -> str:
        """The first node of the preference list of ``key``.

        Examples
        --------
        >>> Ring(["A", "B", "C", "D", "E"], n=3).owner("cart:bob")
        'E'
        """
        return self._home(self._range_index(key_position(key)))[0]

    def ranges(self, node: str | None = None) -> list[KeyRange]:
        """The ring's ranges in order, each with the home replicas of its keys.

        Under strategy 1 there is one range per token, under strategies 2
        and 3 one per partition. The first range is the one that wraps
        around zero (under strategies 2 and 3 it starts at ``RING_SIZE - 1``,
        so it holds position 0 and up).

        Parameters
        ----------
        node : str, optional
            Only the ranges this node is a home replica for.

        Returns
        -------
        list of KeyRange

        Raises
        ------
        KeyError
            If ``node`` is given and not in the ring.

        Examples
        --------
        >>> ring = Ring(["A", "B", "C", "D"], n=2, strategy=3, partitions=4)
        >>> [(r.size == RING_SIZE // 4, r.replicas) for r in ring.ranges()]
        [(True, ('A', 'B')), (True, ('B', 'C')), (True, ('C', 'D')), (True, ('D', 'A'))]
        >>> [r.replicas for r in ring.ranges("A")]
        [('A', 'B'), ('D', 'A')]
        >>> sum(r.size for r in ring.ranges()) == RING_SIZE
        True
        """
        if node is not None and node not in self._nodes:
            raise KeyError(self._unknown(node))
        ends = self._ends
        out = []
        for i, end in enumerate(ends):
            home = self._home(i)
            if node is None or node in home:
                out.append(KeyRange(start=ends[i - 1], end=end, replicas=home))
        return out

    def key_range(self, key: str) -> KeyRange:
        """The range that holds ``key``.

        Examples
        --------
        >>> ring = Ring(["A", "B", "C"], n=2)
        >>> r = ring.key_range("cart:alice")
        >>> r.contains(ring.position("cart:alice")), r.replicas
        (True, ('B', 'C'))
        """
        i = self._range_index(key_position(key))
        return KeyRange(start=self._ends[i - 1], end=self._ends[i],
                        replicas=self._home(i))

    def load(self, keys: Iterable[str] | None = None) -> dict[str, float]:
        """Each node's share of the keys it is a home replica for.

        Parameters
        ----------
        keys : iterable of str, optional
            Count these keys. Without keys, measure the share of the ring
            (every position counts once).

        Returns
        -------
        dict of str to float
            For every node, in join order, a share between 0 and 1. Each key
            has N home replicas, so the shares add up to N.

        Raises
        ------
        ValueError
            If ``keys`` is given but empty, or holds a non-string.

        Examples
        --------
        >>> ring = Ring(["A", "B", "C"], n=2, strategy=3, partitions=6)
        >>> ring.load()
        {'A': 0.6666666666666666, 'B': 0.6666666666666666, 'C': 0.6666666666666666}
        >>> ring.load(["cart:alice", "cart:bob"])
        {'A': 1.0, 'B': 1.0, 'C': 0.0}
        """
        totals = dict.fromkeys(self._nodes, 0)
        if keys is None:
            ends = self._ends
            for i, end in enumerate(ends):
                size = _arc(ends[i - 1], end)
                for x in self._home(i):
                    totals[x] += size
            return {x: t / RING_SIZE for x, t in totals.items()}
        count = 0
        for key in keys:
            count += 1
            for x in self._home(self._range_index(key_position(key))):
                totals[x] += 1
        if count == 0:
            raise ValueError("keys is empty; give at least one key, or None "
                             "to measure shares of the ring")
        return {x: t / count for x, t in totals.items()}

    # ------------------------------------------------------------------
    # membership changes

    def _unknown(self, name: object) -> str:
        return f"node {name!r} is not in the ring; nodes are {self._nodes!r}"

    def add_node(self, name: str) -> RingChange:
        """Add a node and report which ranges changed home replicas.

        Parameters
        ----------
        name : str
            A new, non-empty node name.

        Returns
        -------
        RingChange

        Raises
        ------
        ValueError
            If the name is invalid or already in the ring, or, under
            strategy 3, every partition already has its own node. The ring
            is then unchanged.

        Examples
        --------
        >>> ring = Ring(["A", "B", "C"], n=2)
        >>> change = ring.add_node("D")
        >>> ring.nodes
        ['A', 'B', 'C', 'D']
        >>> sorted({x for m in change.moved for x in m.gained})
        ['D']
        """
        node_name(name)
        if name in self._nodes:
            raise ValueError(
                f"node {name!r} is already in the ring; nodes are {self._nodes!r}"
            )
        if self._strategy == 3 and len(self._nodes) + 1 > self._q:
            raise ValueError(
                f"cannot add {name!r}: with partitions={self._q} strategy 3 "
                f"gives each node at least one partition, so the cluster can "
                f"have at most {self._q} nodes"
            )
        if self._strategy in (1, 2):
            _check_token_count(len(self._nodes) + 1, self._vnodes)
        before = self.copy()
        self._nodes.append(name)
        if self._strategy == 3:
            self._claim(name)
        else:
            for i in range(self._vnodes):
                insort(self._tokens, (token_position(name, i), name))
        self._rebuild()
        return RingChange(added=name, removed=None, moved=_moved(before, self))

    def remove_node(self, name: str) -> RingChange:
        """Remove a node and report which ranges changed home replicas.

        Parameters
        ----------
        name : str
            A node in the ring.

        Returns
        -------
        RingChange

        Raises
        ------
        KeyError
            If the node is not in the ring.
        ValueError
            If fewer than N nodes would remain. The ring is then unchanged.

        Examples
        --------
        >>> ring = Ring(["A", "B", "C", "D"], n=2)
        >>> change = ring.remove_node("B")
        >>> ring.nodes, all("B" in m.old_replicas for m in change.moved)
        (['A', 'C', 'D'], True)
        """
        if name not in self._nodes:
            raise KeyError(self._unknown(name))
        if len(self._nodes) - 1 < self._n:
            raise ValueError(
                f"removing {name!r} would leave {len(self._nodes) - 1} nodes, "
                f"fewer than n={self._n}; a ring needs at least n nodes"
            )
        before = self.copy()
        self._nodes.remove(name)
        if self._strategy == 3:
            self._release(name)
        else:
            self._tokens = [t for t in self._tokens if t[1] != name]
        self._rebuild()
        return RingChange(added=None, removed=name, moved=_moved(before, self))

    def _crowding(self, node: str, index: int) -> int:
        """How many partitions within N-1 steps of ``index`` ``node`` owns."""
        owners, q = self._owners, len(self._owners)
        return sum(
            (owners[(index + k) % q] == node) + (owners[(index - k) % q] == node)
            for k in range(1, self._n)
        )

    def _claim(self, name: str) -> None:
        """Strategy 3: ``name`` takes partitions from the fullest nodes."""
        owners = self._owners
        held = dict.fromkeys(self._nodes, 0)
        for x in owners:
            held[x] += 1
        # Each donor's partitions in the order of a hash of (newcomer,
        # partition): the hash spreads the newcomer's partitions around the
        # ring instead of bunching them where the donor's list starts.
        order: dict[str, list[int]] = {}
        cursor: dict[str, int] = {}
        while True:
            donor = min(held, key=lambda x: (-held[x], x))
            if held[donor] <= held[name] + 1:
                break
            if donor not in order:
                order[donor] = sorted(
                    (i for i, x in enumerate(owners) if x == donor),
                    key=lambda i: key_position(f"{name}#partition{i}"),
                )
                cursor[donor] = 0
            # Take the first partition (in hash order) that is at least N
            # steps from every partition the newcomer holds, so that N
            # consecutive partitions keep N distinct owners. A partition
            # found too close stays too close while the newcomer only gains
            # partitions, so the cursor never has to go back.
            candidates, pick = order[donor], None
            while cursor[donor] < len(candidates):
                i = candidates[cursor[donor]]
                cursor[donor] += 1
                if owners[i] == donor and not self._crowding(name, i):
                    pick = i
                    break
            if pick is None:
                pick = min(
                    (i for i in candidates if owners[i] == donor),
                    key=lambda i: (self._crowding(name, i),
                                   key_position(f"{name}#partition{i}")),
                )
            owners[pick] = name
            held[donor] -= 1
            held[name] += 1

    def _release(self, name: str) -> None:
        """Strategy 3: hand ``name``'s partitions to the emptiest nodes."""
        counts = dict.fromkeys(self._nodes, 0)
        for x in self._owners:
            if x != name:
                counts[x] += 1
        for i, x in enumerate(self._owners):
            if x != name:
                continue
            heir = min(counts, key=lambda y: (counts[y], self._crowding(y, i), y))
            self._owners[i] = heir
            counts[heir] += 1

    # ------------------------------------------------------------------

    def copy(self) -> Ring:
        """An independent copy: change it to see what a change would do.

        Examples
        --------
        >>> ring = Ring(["A", "B", "C"], n=2)
        >>> share = ring.copy().add_node("D").fraction_moved
        >>> ring.nodes
        ['A', 'B', 'C']
        """
        other = object.__new__(Ring)
        other._nodes = list(self._nodes)
        other._n = self._n
        other._vnodes = self._vnodes
        other._strategy = self._strategy
        other._q = self._q
        other._tokens = list(self._tokens)
        other._owners = list(self._owners)
        other._partition_ends = self._partition_ends  # never mutated
        other._token_positions = list(self._token_positions)
        other._token_nodes = list(self._token_nodes)
        other._ends = (other._token_positions if self._strategy == 1
                       else other._partition_ends)
        other._homes = list(self._homes)
        other._walks = list(self._walks)
        other._walk_of_key = dict(self._walk_of_key)
        return other

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Ring):
            return NotImplemented
        return (
            self._strategy == other._strategy
            and self._n == other._n
            and self._vnodes == other._vnodes
            and self._q == other._q
            and self._nodes == other._nodes
            and self.tokens == other.tokens
        )

    __hash__ = None  # mutable

    def __repr__(self) -> str:
        q = f", partitions={self._q}" if self._q is not None else ""
        return (f"Ring({self._nodes!r}, n={self._n}, vnodes={self._vnodes}, "
                f"strategy={self._strategy}{q})")


def _moved(old: Ring, new: Ring) -> list[MovedRange]:
    """Ranges whose set of home replicas differs between two rings."""
    # Cut the ring at every range end of either ring: within each piece both
    # rings place keys on one fixed replica list, read at the piece's end.
    ends = sorted(set(old._ends) | set(new._ends))
    pieces: list[list] = []
    for i, end in enumerate(ends):
        before = old._home(old._range_index(end))
        after = new._home(new._range_index(end))
        if pieces and pieces[-1][2] == before and pieces[-1][3] == after:
            pieces[-1][1] = end
        else:
            pieces.append([ends[i - 1], end, before, after])
    if (len(pieces) > 1 and pieces[0][2] == pieces[-1][2]
            and pieces[0][3] == pieces[-1][3]):
        pieces[0][0] = pieces.pop()[0]
    return [
        MovedRange(start, end, before, after)
        for start, end, before, after in pieces
        if set(before) != set(after)
    ]
