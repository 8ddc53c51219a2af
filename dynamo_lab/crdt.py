"""Conflict-free replicated data types (CRDTs): values that merge themselves.

Dynamo hands a reader every sibling it cannot order and leaves the merge to
the application. A CRDT is a value whose ``merge`` is a *join*: commutative,
associative and idempotent, so replicas that have seen the same updates hold
the same value whatever order the updates and merges reached them in.
Stored as a sibling value, a CRDT lets the cluster merge siblings itself.

Every type here is an immutable value object: update methods and ``merge``
return new objects, and two objects are equal (and hash alike) when their
states are equal.

:class:`GCounter`
    A grow-only counter: one count per node, merged by taking the larger.
:class:`PNCounter`
    A counter that also decrements: a G-Counter of increments and one of
    decrements.
:class:`GSet`
    A grow-only set, merged by union.
:class:`ORSet`
    An observed-remove set: each add carries a unique tag, a remove deletes
    the tags it has seen, so an add concurrent with a remove survives.
:class:`LWWRegister`
    One value; the latest timestamp wins, ties broken by node name.
:class:`MVRegister`
    A multi-value register: concurrent assignments are all kept, each with
    its vector clock, until a later assignment overwrites them.

Examples
--------
>>> left = GCounter().increment("A", 2)
>>> right = GCounter().increment("B", 3)
>>> left.merge(right).value
5
>>> merge_all([left, right, left]) == right.merge(left)
True
>>> is_crdt(left), is_crdt(5)
(True, False)
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from numbers import Real
from typing import Any

from .versions import VectorClock

__all__ = [
    "CRDT", "GCounter", "PNCounter", "GSet", "ORSet", "LWWRegister", "MVRegister",
    "merge_all", "is_crdt",
]


# -- helpers --------------------------------------------------------------------

def _check_node(node: Any) -> str:
    if not isinstance(node, str) or not node:
        raise TypeError(f"node ids are non-empty strings, got {node!r}")
    return node


def _check_amount(n: Any, verb: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"can only {verb} by an integer, got {n!r}")
    if n < 0:
        hint = " (use decrement on a PNCounter)" if verb == "increment" else ""
        raise ValueError(f"cannot {verb} by a negative amount {n}{hint}")
    return n


def _check_hashable(value: Any, what: str) -> Any:
    try:
        hash(value)
    except TypeError:
        raise TypeError(f"{what} must be hashable (immutable), got {type(value).__name__} "
                        f"{value!r}; use a tuple or a frozenset instead") from None
    return value


def _display_order(items: Iterable[Any]) -> list[Any]:
    """``items`` sorted, falling back to (type name, repr) for mixed types."""
    items = list(items)
    try:
        return sorted(items)
    except TypeError:
        return sorted(items, key=lambda x: (type(x).__name__, repr(x)))


def _restore(cls, state):
    return cls._from_state(state)


# -- the base class -------------------------------------------------------------

class CRDT:
    """Base class: an immutable, mergeable value.

    Subclasses define ``_state()`` (a hashable, canonical description of the
    value), ``_from_state(state)`` and ``_merge(other)``; this class supplies
    type checking for :meth:`merge`, equality, hashing, copying, pickling and
    immutability.
    """

    __slots__ = ()

    # -- what subclasses provide ----------------------------------------------
    def _state(self) -> Hashable:
        raise NotImplementedError

    @classmethod
    def _from_state(cls, state):
        raise NotImplementedError

    def _merge(self, other):
        raise NotImplementedError

    @property
    def value(self) -> Any:
        """What the application sees."""
        raise NotImplementedError

    # -- merging --------------------------------------------------------------
    def merge(self, other: "CRDT") -> "CRDT":
        """The join of this value and ``other``: a new object of the same type.

        Raises
        ------
        ValueError
            If ``other`` is not of exactly the same type.
        """
        if type(other) is not type(self):
            raise ValueError(f"cannot merge a {type(self).__name__} with a "
                             f"{type(other).__name__}: a CRDT merges only with its own type")
        return self._merge(other)

    # -- value-object behaviour -----------------------------------------------
    def __eq__(self, other) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._state() == other._state()

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._state()))

    def __setattr__(self, name, value):
        raise AttributeError(f"{type(self).__name__} is immutable; its update methods "
                             "return new objects")

    def __delattr__(self, name):
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        # Immutable, holding only hashable contents: a copy would be equal and
        # interchangeable (this is what lets the cluster store it cheaply).
        return self

    def __reduce__(self):
        return (_restore, (type(self), self._state()))


def _init(obj, **fields):
    for name, value in fields.items():
        object.__setattr__(obj, name, value)
    return obj


# -- counters -------------------------------------------------------------------

class GCounter(CRDT):
    """A grow-only counter: each node counts its own increments.

    Parameters
    ----------
    counts : mapping of str to int, optional
        node -> how much that node has added (zeros are dropped).

    Examples
    --------
    >>> a = GCounter().increment("A", 2)
    >>> b = GCounter().increment("B").increment("B")
    >>> a.merge(b)
    GCounter({'A': 2, 'B': 2})
    >>> a.merge(b).value, a.merge(a) == a
    (4, True)
    >>> GCounter().increment("A", -1)
    Traceback (most recent call last):
    ...
    ValueError: cannot increment by a negative amount -1 (use decrement on a PNCounter)
    """

    __slots__ = ("_counts",)

    def __init__(self, counts: Mapping[str, int] | None = None):
        clean = {}
        for node, n in (counts or {}).items():
            _check_node(node)
            if _check_amount(n, "increment"):
                clean[node] = n
        _init(self, _counts=clean)

    @classmethod
    def _from_state(cls, state):
        return _init(cls.__new__(cls), _counts=dict(state))

    def _state(self):
        return tuple(sorted(self._counts.items()))

    @property
    def counts(self) -> dict[str, int]:
        """node -> its count, sorted by node (a copy)."""
        return dict(sorted(self._counts.items()))

    @property
    def value(self) -> int:
        """The total: the sum of every node's count."""
        return sum(self._counts.values())

    def increment(self, node: str, n: int = 1) -> "GCounter":
        """This counter with ``node``'s count raised by ``n`` (``n >= 0``)."""
        _check_node(node)
        if not _check_amount(n, "increment"):
            return self
        counts = dict(self._counts)
        counts[node] = counts.get(node, 0) + n
        return GCounter._from_state(counts.items())

    def _merge(self, other):
        counts = dict(self._counts)
        for node, n in other._counts.items():
            counts[node] = max(n, counts.get(node, 0))
        return GCounter._from_state(counts.items())

    def __repr__(self) -> str:
        return f"GCounter({self.counts!r})"


class PNCounter(CRDT):
    """A counter that increments and decrements: two G-Counters, P minus N.

    Parameters
    ----------
    increments, decrements : mapping of str to int, optional
        node -> what that node has added (subtracted).

    Examples
    --------
    >>> a = PNCounter().increment("A", 5)
    >>> b = PNCounter().decrement("B", 2)
    >>> a.merge(b)
    PNCounter(increments={'A': 5}, decrements={'B': 2})
    >>> a.merge(b).value
    3
    """

    __slots__ = ("_p", "_n")

    def __init__(self, increments: Mapping[str, int] | None = None,
                 decrements: Mapping[str, int] | None = None):
        _init(self, _p=GCounter(increments), _n=GCounter(decrements))

    @classmethod
    def _from_state(cls, state):
        p, n = state
        return _init(cls.__new__(cls), _p=GCounter._from_state(p), _n=GCounter._from_state(n))

    def _state(self):
        return (self._p._state(), self._n._state())

    @property
    def increments(self) -> GCounter:
        """The G-Counter of increments."""
        return self._p

    @property
    def decrements(self) -> GCounter:
        """The G-Counter of decrements."""
        return self._n

    @property
    def value(self) -> int:
        """Increments minus decrements."""
        return self._p.value - self._n.value

    def increment(self, node: str, n: int = 1) -> "PNCounter":
        """This counter with ``n`` (``>= 0``) added at ``node``."""
        return self._with(self._p.increment(node, n), self._n)

    def decrement(self, node: str, n: int = 1) -> "PNCounter":
        """This counter with ``n`` (``>= 0``) subtracted at ``node``."""
        _check_node(node)
        _check_amount(n, "decrement")
        return self._with(self._p, self._n.increment(node, n))

    def _with(self, p, n):
        return _init(PNCounter.__new__(PNCounter), _p=p, _n=n)

    def _merge(self, other):
        return self._with(self._p.merge(other._p), self._n.merge(other._n))

    def __repr__(self) -> str:
        return (f"PNCounter(increments={self._p.counts!r}, "
                f"decrements={self._n.counts!r})")


# -- sets -----------------------------------------------------------------------

class GSet(CRDT):
    """A grow-only set: elements can be added, never removed; merge is union.

    Parameters
    ----------
    elements : iterable of hashable, optional

    Examples
    --------
    >>> a = GSet().add("milk").add("eggs")
    >>> a.merge(GSet(["tea"]))
    GSet({'eggs', 'milk', 'tea'})
    >>> "milk" in a, len(a), a.value == frozenset({"milk", "eggs"})
    (True, 2, True)
    """

    __slots__ = ("_elements",)

    def __init__(self, elements: Iterable[Hashable] = ()):
        _init(self, _elements=frozenset(elements))

    @classmethod
    def _from_state(cls, state):
        return _init(cls.__new__(cls), _elements=frozenset(state))

    def _state(self):
        return self._elements

    @property
    def value(self) -> frozenset:
        """The elements."""
        return self._elements

    def add(self, element: Hashable) -> "GSet":
        """This set with ``element`` added."""
        _check_hashable(element, "a set element")
        if element in self._elements:
            return self
        return GSet._from_state(self._elements | {element})

    def _merge(self, other):
        return GSet._from_state(self._elements | other._elements)

    def __contains__(self, element) -> bool:
        return element in self._elements

    def __iter__(self):
        return iter(_display_order(self._elements))

    def __len__(self) -> int:
        return len(self._elements)

    def __repr__(self) -> str:
        shown = ", ".join(map(repr, _display_order(self._elements)))
        return f"GSet({{{shown}}})" if shown else "GSet()"


class ORSet(CRDT):
    """An observed-remove set: a remove deletes only the adds it has seen.

    Each add carries a *tag* that no other add anywhere uses, for instance
    the (node, counter) of the write that made it. The set keeps every
    (element, tag) pair ever added and, as tombstones, the pairs removed; an
    element is present while one of its pairs is not a tombstone. So an add
    concurrent with a remove (its tag unseen by the remover) survives the
    merge: "add wins".

    Parameters
    ----------
    entries : iterable of (element, tag), optional
        Every (element, tag) pair added.
    tombstones : iterable of (element, tag), optional
        The pairs removed; each must be among ``entries``.

    Examples
    --------
    >>> cart = ORSet().add("book", ("A", 1)).add("pen", ("A", 2))
    >>> phone = cart.remove("book")                # saw the add of the book
    >>> laptop = cart.add("book", ("B", 1))        # a second add, unseen by the phone
    >>> sorted(phone.value), sorted(phone.merge(laptop).value)
    (['pen'], ['book', 'pen'])
    >>> phone.merge(laptop).tags("book")
    frozenset({('B', 1)})
    >>> phone.merge(cart)
    ORSet({'pen'}, tags=2, tombstones=1)
    """

    __slots__ = ("_entries", "_tombstones")

    def __init__(self, entries: Iterable[tuple[Hashable, Hashable]] = (),
                 tombstones: Iterable[tuple[Hashable, Hashable]] = ()):
        entries = frozenset(entries)
        tombstones = frozenset(tombstones)
        if not tombstones <= entries:
            extra = _display_order(map(repr, tombstones - entries))
            raise ValueError(f"tombstones {', '.join(extra)} remove pairs never added")
        _check_unique_tags(entries)
        _init(self, _entries=entries, _tombstones=tombstones)

    @classmethod
    def _from_state(cls, state):
        entries, tombstones = state
        return _init(cls.__new__(cls), _entries=entries, _tombstones=tombstones)

    def _state(self):
        return (self._entries, self._tombstones)

    @property
    def entries(self) -> frozenset:
        """Every (element, tag) pair ever added (it only grows)."""
        return self._entries

    @property
    def tombstones(self) -> frozenset:
        """The (element, tag) pairs removed (it only grows)."""
        return self._tombstones

    def _live(self) -> frozenset:
        return self._entries - self._tombstones

    @property
    def value(self) -> frozenset:
        """The elements present: those with a tag not yet removed."""
        return frozenset(element for element, _ in self._live())

    def tags(self, element: Hashable) -> frozenset:
        """The live tags of ``element`` (what a remove here would delete)."""
        return frozenset(tag for e, tag in self._live() if e == element)

    def add(self, element: Hashable, tag: Hashable) -> "ORSet":
        """This set with ``element`` added under ``tag``.

        ``tag`` must be unique to this add, e.g. the (node, counter) of the
        write. Adding the same pair again changes nothing.

        Raises
        ------
        ValueError
            If ``tag`` was already used for another element.
        """
        _check_hashable(element, "a set element")
        _check_hashable(tag, "a tag")
        pair = (element, tag)
        if pair in self._entries:
            return self
        for e, t in self._entries:
            if t == tag:
                raise ValueError(f"tag {tag!r} already tags {e!r}; every add needs a fresh tag")
        return ORSet._from_state((self._entries | {pair}, self._tombstones))

    def remove(self, element: Hashable) -> "ORSet":
        """This set without ``element``: its observed tags become tombstones.

        Removing an element that is not present changes nothing. Adds this
        replica has not seen are not removed (they win after a merge).
        """
        dead = frozenset((element, tag) for tag in self.tags(element))
        if not dead:
            return self
        return ORSet._from_state((self._entries, self._tombstones | dead))

    def _merge(self, other):
        entries = self._entries | other._entries
        if len(entries) != len(self._entries):
            _check_unique_tags(entries)
        return ORSet._from_state((entries, self._tombstones | other._tombstones))

    def __contains__(self, element) -> bool:
        return any(e == element for e, _ in self._live())

    def __iter__(self):
        return iter(_display_order(self.value))

    def __len__(self) -> int:
        return len(self.value)

    def __repr__(self) -> str:
        shown = ", ".join(map(repr, _display_order(self.value)))
        return (f"ORSet({{{shown}}}, tags={len(self._entries)}, "
                f"tombstones={len(self._tombstones)})")


def _check_unique_tags(entries: Iterable[tuple[Hashable, Hashable]]) -> None:
    owner: dict = {}
    for element, tag in entries:
        if owner.setdefault(tag, element) != element:
            raise ValueError(f"tag {tag!r} tags both {owner[tag]!r} and {element!r}; "
                             "every add needs a fresh tag")


# -- registers ------------------------------------------------------------------

def _check_timestamp(timestamp: Any) -> float:
    if isinstance(timestamp, bool) or not isinstance(timestamp, Real) \
            or not math.isfinite(timestamp):
        raise ValueError(f"a timestamp is a finite number, got {timestamp!r}")
    return timestamp


def _lww_rank(state):
    # Later timestamp wins; a tie goes to the larger node name. A node
    # that assigns twice at one timestamp is still ordered deterministically
    # (by the values' type and repr), so that merge stays commutative.
    value, timestamp, node = state
    return (timestamp, node, type(value).__name__, repr(value))


class LWWRegister(CRDT):
    """A last-write-wins register: the assignment with the latest timestamp.

    Equal timestamps are broken by the node name (the larger wins), as
    ``versions.LastWriteWins`` does. Concurrent assignments lose all but one.

    Parameters
    ----------
    value : hashable, optional
    timestamp : float, optional
        Omit both ``timestamp`` and ``node`` for an empty register.
    node : str, optional

    Examples
    --------
    >>> early = LWWRegister().assign("x", 5.0, "B")
    >>> late = LWWRegister().assign("y", 9.0, "A")
    >>> early.merge(late).value, late.merge(early).value
    ('y', 'y')
    >>> tie = LWWRegister().assign("z", 9.0, "C")
    >>> late.merge(tie)
    LWWRegister('z', timestamp=9.0, node='C')
    >>> LWWRegister().value is None
    True
    """

    __slots__ = ("_entry",)

    def __init__(self, value: Hashable = None, timestamp: float | None = None,
                 node: str | None = None):
        if timestamp is None and node is None:
            if value is not None:
                raise ValueError("an assigned register needs a timestamp and a node")
            entry = None
        else:
            entry = (_check_hashable(value, "a register value"), _check_timestamp(timestamp),
                     _check_node(node))
        _init(self, _entry=entry)

    @classmethod
    def _from_state(cls, state):
        return _init(cls.__new__(cls), _entry=state)

    def _state(self):
        return self._entry

    @property
    def value(self) -> Any:
        """The winning value (``None`` when nothing was assigned)."""
        return None if self._entry is None else self._entry[0]

    @property
    def timestamp(self) -> float | None:
        """When the winning value was assigned."""
        return None if self._entry is None else self._entry[1]

    @property
    def node(self) -> str | None:
        """The node that assigned the winning value."""
        return None if self._entry is None else self._entry[2]

    def assign(self, value: Hashable, timestamp: float, node: str) -> "LWWRegister":
        """This register after ``node`` assigns ``value`` at ``timestamp``.

        The result keeps the current value if it is later than the assignment.
        """
        return self._merge(LWWRegister(value, timestamp, node))

    def _merge(self, other):
        if other._entry is None or self._entry == other._entry:
            return self
        if self._entry is None:
            return other
        return self if _lww_rank(self._entry) >= _lww_rank(other._entry) else other

    def __repr__(self) -> str:
        if self._entry is None:
            return "LWWRegister()"
        value, timestamp, node = self._entry
        return f"LWWRegister({value!r}, timestamp={timestamp!r}, node={node!r})"


def _clock_key(clock: VectorClock):
    return tuple(clock.counters().items())


def _maximal(entries: Iterable[tuple[Hashable, VectorClock]]) -> frozenset:
    """The entries whose clock no other entry's clock strictly dominates."""
    entries = frozenset(entries)
    return frozenset(e for e in entries
                     if not any(o[1].dominates(e[1]) for o in entries))


class MVRegister(CRDT):
    """A multi-value register: concurrent assignments are all kept.

    Each value carries the vector clock of its assignment. An assignment's
    clock raises the assigning node's entry above everything the register
    holds, so it overwrites what this replica has seen; a merge keeps every
    value whose clock no other clock dominates. This is how Dynamo keeps
    siblings, packaged as a value.

    Parameters
    ----------
    entries : iterable of (value, VectorClock), optional

    Examples
    --------
    >>> a = MVRegister().assign("x", "A")
    >>> b = MVRegister().assign("y", "B")
    >>> both = a.merge(b)
    >>> both
    MVRegister('x' @ {A:1}, 'y' @ {B:1})
    >>> sorted(both.value)
    ['x', 'y']
    >>> both.assign("z", "A")                      # saw both: overwrites both
    MVRegister('z' @ {A:2, B:1})
    """

    __slots__ = ("_entries",)

    def __init__(self, entries: Iterable[tuple[Hashable, VectorClock]] = ()):
        checked = []
        for value, clock in entries:
            if not isinstance(clock, VectorClock):
                raise TypeError(f"each entry is (value, VectorClock), got clock {clock!r}")
            checked.append((_check_hashable(value, "a register value"), clock))
        _init(self, _entries=_maximal(checked))

    @classmethod
    def _from_state(cls, state):
        return _init(cls.__new__(cls), _entries=frozenset(state))

    def _state(self):
        return self._entries

    @property
    def entries(self) -> list[tuple[Any, VectorClock]]:
        """(value, clock) pairs, ordered by clock."""
        return sorted(self._entries, key=lambda e: (_clock_key(e[1]), repr(e[0])))

    @property
    def value(self) -> frozenset:
        """The concurrent values (empty when nothing was assigned)."""
        return frozenset(value for value, _ in self._entries)

    @property
    def clock(self) -> VectorClock:
        """Everything this register has seen: the merge of its entries' clocks."""
        merged = VectorClock()
        for _, clock in self._entries:
            merged = merged.merge(clock)
        return merged

    def assign(self, value: Hashable, node: str) -> "MVRegister":
        """This register after ``node`` assigns ``value``, overwriting every value held."""
        _check_hashable(value, "a register value")
        clock = self.clock.increment(_check_node(node))
        return MVRegister._from_state({(value, clock)})

    def _merge(self, other):
        if self._entries == other._entries:
            return self
        return MVRegister._from_state(_maximal(self._entries | other._entries))

    def __repr__(self) -> str:
        return "MVRegister(" + ", ".join(f"{v!r} @ {c}" for v, c in self.entries) + ")"


# -- working with any CRDT ------------------------------------------------------

def is_crdt(value: Any) -> bool:
    """True when ``value`` is one of this module's CRDTs.

    Examples
    --------
    >>> is_crdt(GSet()), is_crdt(frozenset())
    (True, False)
    """
    return isinstance(value, CRDT)


def merge_all(values: Iterable[CRDT]) -> CRDT:
    """Merge any number of CRDTs of one type into one (folding ``merge``).

    Since merge is commutative, associative and idempotent, the order of
    ``values`` and any repeats do not matter.

    Raises
    ------
    ValueError
        If ``values`` is empty or mixes types.

    Examples
    --------
    >>> merge_all([GSet({1}), GSet({2}), GSet({1, 3})])
    GSet({1, 2, 3})
    >>> merge_all([GSet(), GCounter()])
    Traceback (most recent call last):
    ...
    ValueError: cannot merge a GSet with a GCounter: a CRDT merges only with its own type
    """
    iterator = iter(values)
    try:
        result = next(iterator)
    except StopIteration:
        raise ValueError("merge_all needs at least one CRDT") from None
    if not is_crdt(result):
        raise ValueError(f"cannot merge a {type(result).__name__}: it is not a CRDT")
    for value in iterator:
        result = result.merge(value)
    return result
