"""Versions: vector clocks, siblings, and how replicas reconcile them.

What a replica stores for a key is a :class:`Record`: a causal clock and the
*siblings*, the values it cannot order. How a write builds a new record and
how two records merge is decided by a versioning scheme:

``"vector_clock"`` (:class:`VectorClockVersioning`, the default)
    Dynamo's vector clocks of (node, counter, timestamp) entries, one clock
    per record, as Riak kept them before dotted version vectors. A write
    whose context covers the stored clock replaces the siblings; a write
    from a stale context is kept *beside all of them*, even those its
    context had seen. Nothing acknowledged is lost, but clients writing
    from stale contexts pile up siblings.
``"dvv"`` (:class:`DottedVersionVectors`)
    Each sibling carries the *dot* (node, counter) of the write that made
    it, apart from the causal past. A write removes exactly the siblings its
    context had seen, so stale contexts neither lose writes nor pile up
    siblings.
``"lww"`` (:class:`LastWriteWins`)
    One value per key; the write with the latest wall-clock timestamp wins,
    ties broken by the writing node's name and then its counter. Concurrent
    writes silently lose all but one.

Examples
--------
>>> a = VectorClock().increment("A", 1.0)
>>> b = a.increment("B", 2.0)
>>> b.descends(a), a.descends(b), a.is_concurrent(VectorClock().increment("C", 3.0))
(True, False, True)
>>> str(b.merge(VectorClock().increment("C", 3.0)))
'{A:1, B:1, C:1}'
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

__all__ = [
    "VectorClock", "Sibling", "Record", "Context",
    "Versioning", "VectorClockVersioning", "DottedVersionVectors", "LastWriteWins",
    "VERSIONING_SCHEMES", "make_versioning", "reconcile", "frozen_value",
]

#: Dynamo drops the oldest (node, counter) pair past this many (§4.4, "say 10").
DEFAULT_CLOCK_THRESHOLD = 10


class VectorClock:
    """An immutable vector clock: node -> (counter, timestamp).

    Comparison uses counters only; the timestamp of each entry records when
    that node last advanced it, which is what Dynamo uses to truncate the
    oldest entry once a clock grows past a threshold.

    Examples
    --------
    >>> c = VectorClock({"A": 2, "B": 1})
    >>> c["A"], c["Z"], len(c)
    (2, 0, 2)
    >>> c.descends(VectorClock({"A": 1})), VectorClock({"A": 1}).descends(c)
    (True, False)
    >>> c == VectorClock({"B": 1, "A": 2})
    True
    """

    __slots__ = ("_entries", "_hash")

    def __init__(self, entries: Mapping[str, int | tuple[int, float]] | None = None):
        normalised: dict[str, tuple[int, float]] = {}
        self._hash: int | None = None
        if not entries:         # the empty clock, which _make starts from
            self._entries = normalised
            return
        for node, entry in entries.items():
            counter, stamp = entry if isinstance(entry, tuple) else (entry, 0.0)
            if isinstance(counter, bool) or not isinstance(counter, int) or counter < 1:
                raise ValueError(f"vector clock counters are integers >= 1, got {counter!r} "
                                 f"for node {node!r}")
            normalised[node] = (counter, float(stamp))
        self._entries = normalised

    @staticmethod
    def _make(entries: dict[str, tuple[int, float]]) -> "VectorClock":
        """A clock holding ``entries`` as they are: the caller built them valid."""
        clock = VectorClock()
        clock._entries = entries
        return clock

    # -- reading ------------------------------------------------------------
    def __getitem__(self, node: str) -> int:
        entry = self._entries.get(node)
        return 0 if entry is None else entry[0]

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self):
        return iter(sorted(self._entries))

    def counters(self) -> dict[str, int]:
        """node -> counter, sorted by node."""
        return {n: self._entries[n][0] for n in sorted(self._entries)}

    def entries(self) -> list[tuple[str, int, float]]:
        """(node, counter, timestamp) triples, sorted by node."""
        return [(n, *self._entries[n]) for n in sorted(self._entries)]

    def timestamp(self, node: str) -> float | None:
        entry = self._entries.get(node)
        return None if entry is None else entry[1]

    # -- comparing ----------------------------------------------------------
    def descends(self, other: "VectorClock") -> bool:
        """True when this clock has seen everything ``other`` has (>=)."""
        mine = self._entries
        for node, (counter, _) in other._entries.items():
            entry = mine.get(node)
            if entry is None or entry[0] < counter:
                return False
        return True

    def dominates(self, other: "VectorClock") -> bool:
        """Strictly newer: descends ``other`` and differs from it."""
        return self.descends(other) and not other.descends(self)

    def is_concurrent(self, other: "VectorClock") -> bool:
        """Neither clock descends the other: the versions conflict."""
        return not self.descends(other) and not other.descends(self)

    def covers_dot(self, node: str, counter: int) -> bool:
        """True when the event ``(node, counter)`` is in this clock's past."""
        entry = self._entries.get(node)
        return entry is not None and entry[0] >= counter

    def __eq__(self, other) -> bool:
        if self is other:
            return True
        if not isinstance(other, VectorClock):
            return NotImplemented
        a, b = self._entries, other._entries
        if a == b:  # same counters and timestamps: the common case, compared in C
            return True
        return len(a) == len(b) and all(b.get(n, (0,))[0] == c for n, (c, _) in a.items())

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(tuple(sorted((n, c) for n, (c, _) in self._entries.items())))
        return self._hash

    # -- building -----------------------------------------------------------
    def merge(self, other: "VectorClock") -> "VectorClock":
        """The least upper bound: the larger counter of each node."""
        if not other._entries:
            return self
        if not self._entries:
            return other
        merged = dict(self._entries)
        for node, entry in other._entries.items():
            mine = merged.get(node)
            if mine is None or entry > mine:
                merged[node] = entry
        return VectorClock._make(merged)

    def increment(self, node: str, timestamp: float = 0.0) -> "VectorClock":
        """This clock with ``node``'s counter raised by one."""
        return self.with_entry(node, self[node] + 1, timestamp)

    def with_entry(self, node: str, counter: int, timestamp: float = 0.0) -> "VectorClock":
        """This clock with ``node``'s entry set to ``counter`` (never lowered)."""
        entries = dict(self._entries)
        old = entries.get(node)
        if old is None or counter > old[0]:
            entries[node] = (counter, float(timestamp))
        return VectorClock._make(entries)

    def truncate(self, threshold: int = DEFAULT_CLOCK_THRESHOLD) -> "VectorClock":
        """Drop the oldest entries until at most ``threshold`` remain.

        Oldest means the smallest timestamp (ties: the node name). Dynamo
        accepts that truncation may make a descendant look concurrent.

        >>> c = VectorClock({"A": (1, 5.0), "B": (3, 1.0), "C": (2, 9.0)})
        >>> str(c.truncate(2))
        '{A:1, C:2}'
        """
        if len(self._entries) <= threshold:
            return self
        keep = sorted(self._entries.items(), key=lambda kv: (kv[1][1], kv[0]))[-threshold:]
        return VectorClock._make(dict(keep))

    def __str__(self) -> str:
        return "{" + ", ".join(f"{n}:{c}" for n, c in self.counters().items()) + "}"

    def __repr__(self) -> str:
        return f"VectorClock({self.counters()!r})"


EMPTY_CLOCK = VectorClock()


def frozen_value(value: Any) -> Any:
    """A private copy of ``value`` unless it is immutable.

    The cluster stores copies, so a learner who appends to a list they read
    or wrote cannot change what the replicas hold behind the simulator's back.
    """
    if value is None or isinstance(value, (str, int, float, bool, bytes, frozenset)):
        return value
    if isinstance(value, tuple) and all(isinstance(v, (str, int, float, bool, bytes))
                                        for v in value):
        return value
    return copy.deepcopy(value)


@dataclass(frozen=True, slots=True)
class Sibling:
    """One value a replica holds for a key.

    Attributes
    ----------
    value : object
        The value written (``None`` for a tombstone).
    event : tuple of (str, int)
        The write that made it: its coordinator's identity and counter. Unique
        per write; under dotted version vectors it is the *dot*.
    timestamp : float
        The coordinator's wall clock when it wrote (ms; used by last-write-wins).
    tombstone : bool
        True when this sibling records a delete.
    """

    value: Any
    event: tuple[str, int]
    timestamp: float
    tombstone: bool = False

    @property
    def sort_key(self) -> tuple[float, tuple[str, int]]:
        return (self.timestamp, self.event)


@dataclass(frozen=True, slots=True)
class Record:
    """What a replica stores for a key: a clock and the siblings.

    ``clock`` summarises every write the record has seen; ``siblings`` are the
    values that survive, ordered by when they were written.
    """

    clock: VectorClock
    siblings: tuple[Sibling, ...]

    @property
    def values(self) -> list[Any]:
        """The live values (tombstones left out)."""
        return [s.value for s in self.siblings if not s.tombstone]

    @property
    def events(self) -> frozenset[tuple[str, int]]:
        return frozenset(s.event for s in self.siblings)

    @property
    def is_tombstone(self) -> bool:
        """True when every sibling is a delete."""
        return all(s.tombstone for s in self.siblings)

    def __str__(self) -> str:
        shown = ", ".join("<deleted>" if s.tombstone else repr(s.value) for s in self.siblings)
        return f"{self.clock} [{shown}]"


@dataclass(frozen=True, slots=True)
class Context:
    """The opaque causal context a read hands back for the next write.

    It names its key so that a context cannot be used on another key by
    mistake, and the cluster that made it (``origin``, an identity token
    compared with ``is``) so that it cannot be used on another cluster:
    there its clock would claim to have seen writes it never saw, and the
    write would replace them. ``seen`` holds the writes (their ``(node,
    counter)`` events) whose values the read returned, or the write made;
    with the clock, it says which writes a put made from this context
    replaces, which is what :func:`dynamo_lab.checks.lost_writes` reads.
    """

    key: str
    clock: VectorClock = field(default=EMPTY_CLOCK)
    seen: frozenset = field(default=frozenset(), compare=False)
    # Any, not object: mypyc looks the annotation up by name and finds no "object".
    origin: Any = field(default=None, compare=False)

    def __repr__(self) -> str:
        return f"<Context for {self.key!r}: {self.clock}>"


_write_order = attrgetter("sort_key")


def _ordered(siblings: Iterable[Sibling]) -> tuple[Sibling, ...]:
    unique = {s.event: s for s in siblings}
    return tuple(sorted(unique.values(), key=_write_order))


def _merge_by_events(a: Record | None, b: Record | None) -> Record | None:
    """Join two records: the merge of :func:`_join`, by way of its shortcuts."""
    if a is None or b is None:
        return a if b is None else b
    return _merge_with_shortcuts(a, b)


def _join(a: Record, b: Record) -> tuple[list[Sibling], list[Sibling], VectorClock]:
    """The merge lesson 07 teaches: what survives of each record, and the clock.

    A sibling survives unless the other record's clock covers the write that
    made it and that record no longer holds it; the clock is the entry-wise
    maximum of the two.
    """
    a_events, b_events = a.events, b.events
    kept_a = [s for s in a.siblings if s.event in b_events or not b.clock.covers_dot(*s.event)]
    kept_b = [s for s in b.siblings
              if s.event not in a_events and not a.clock.covers_dot(*s.event)]
    return kept_a, kept_b, a.clock.merge(b.clock)


def _merge_with_shortcuts(a: Record, b: Record) -> Record:
    """:func:`_join` as a record, handing back ``a`` or ``b`` itself whenever the
    join is that record.

    Everything here but the last line is for speed, and changes no result:
    the usual case, a replica receiving a newer write, is answered without
    building the join, and returning the same object lets replicas share one
    record instead of each holding a fresh copy (this runs for every write
    and repair a replica applies).
    """
    if a is b:
        return a
    if _supersedes(b, a):
        return b
    if _supersedes(a, b):
        return a
    if a == b:
        return a
    kept_a, kept_b, clock = _join(a, b)
    if not kept_a and len(kept_b) == len(b.siblings) and _same_entries(clock, b.clock) \
            and _is_ordered(b.siblings):
        return b
    if not kept_b and len(kept_a) == len(a.siblings) and _same_entries(clock, a.clock) \
            and _is_ordered(a.siblings):
        return a
    return Record(clock, _ordered(kept_a + kept_b))


def _supersedes(new: Record, old: Record) -> bool:
    """True when joining ``old`` into ``new`` gives ``new`` itself.

    That is: ``new`` holds at least one sibling, its clock entries are at
    least ``old``'s (timestamps too), it has seen and dropped every sibling of
    ``old``, ``old`` has seen none of its siblings, and its siblings are in
    order. (A record with a sibling ``old`` lacks cannot equal ``old``.)
    """
    siblings = new.siblings
    if not siblings:
        return False
    mine, theirs = new.clock._entries, old.clock._entries
    for node, entry in theirs.items():
        held = mine.get(node)
        if held is None or entry > held:
            return False
    # Usually one sibling a side: a one-item tuple is the cheapest "set".
    new_events = _events_of(siblings)
    old_events = _events_of(old.siblings)
    for event in old_events:
        held = mine.get(event[0])
        if held is None or held[0] < event[1] or event in new_events:
            return False
    for event in new_events:
        held = theirs.get(event[0])
        if (held is not None and held[0] >= event[1]) or event in old_events:
            return False
    return len(siblings) < 2 or _is_ordered(siblings)


def _events_of(siblings: tuple[Sibling, ...]) -> tuple[tuple[str, int], ...]:
    if len(siblings) == 1:
        return (siblings[0].event,)
    return tuple([s.event for s in siblings])


def _same_entries(x: VectorClock, y: VectorClock) -> bool:
    # Counters and timestamps alike (VectorClock equality ignores timestamps).
    return x is y or x._entries == y._entries


def _is_ordered(siblings: tuple[Sibling, ...]) -> bool:
    return len(siblings) < 2 or all(
        x.sort_key < y.sort_key for x, y in zip(siblings, siblings[1:]))


class Versioning:
    """How writes create records and how records reconcile (a strategy)."""

    name = "?"

    def write(self, local: Record | None, context: VectorClock, sibling: Sibling,
              clock_threshold: int = DEFAULT_CLOCK_THRESHOLD) -> Record:
        """The record a coordinator creates for a new write.

        ``local`` is what the coordinator itself stores (``None`` when it is not
        a replica or holds nothing); ``sibling.event`` is the write's unique
        (node, counter).
        """
        raise NotImplementedError

    def merge(self, a: Record | None, b: Record | None) -> Record | None:
        """Reconcile two records into one that keeps what either must keep."""
        # Vector clocks and dotted version vectors reconcile records alike: a
        # sibling goes only when the other record's clock covers the write
        # that made it and the other record no longer holds it. Merging this
        # way is a join (commutative, associative, idempotent), so replicas
        # agree whatever order records reach them in; what sets the two
        # schemes apart is how a *write* treats the siblings its context did
        # not see. Last-write-wins merges its own way.
        return _merge_by_events(a, b)

    def covers(self, a: Record | None, b: Record | None) -> bool:
        """True when ``a`` already holds everything ``b`` would add."""
        if b is None or a is b:
            return True
        if a is None:
            return False
        merged = self.merge(a, b)
        return merged is a or merged == a

    def __repr__(self) -> str:
        return f"<versioning {self.name!r}>"


class VectorClockVersioning(Versioning):
    """Dynamo's vector clocks, one clock per record (see the module docstring).

    Examples
    --------
    >>> vc = VectorClockVersioning()
    >>> first = vc.write(None, VectorClock(), Sibling("x", ("A", 1), 0.0))
    >>> stale = vc.write(first, VectorClock(), Sibling("y", ("A", 2), 1.0))
    >>> stale.values, str(stale.clock)
    (['x', 'y'], '{A:2}')
    >>> vc.write(stale, stale.clock, Sibling("z", ("A", 3), 2.0)).values
    ['z']
    """

    name = "vector_clock"

    def write(self, local, context, sibling, clock_threshold=DEFAULT_CLOCK_THRESHOLD):
        node, counter = sibling.event
        base = EMPTY_CLOCK if local is None else local.clock
        clock = base.merge(context).with_entry(node, counter, sibling.timestamp)
        clock = clock.truncate(clock_threshold)
        if local is None or context.descends(local.clock):
            return Record(clock, (sibling,))
        # The writer had not seen everything stored here: keep it all.
        return Record(clock, _ordered((*local.siblings, sibling)))


class DottedVersionVectors(Versioning):
    """Dotted version vectors (DVV sets): each sibling knows its own dot.

    Examples
    --------
    >>> dvv = DottedVersionVectors()
    >>> first = dvv.write(None, VectorClock(), Sibling("x", ("A", 1), 0.0))
    >>> stale = dvv.write(first, VectorClock(), Sibling("y", ("A", 2), 1.0))
    >>> stale.values
    ['x', 'y']
    >>> dvv.write(stale, first.clock, Sibling("z", ("A", 3), 2.0)).values  # saw only x
    ['y', 'z']
    """

    name = "dvv"

    def write(self, local, context, sibling, clock_threshold=DEFAULT_CLOCK_THRESHOLD):
        node, counter = sibling.event
        base = EMPTY_CLOCK if local is None else local.clock
        clock = base.merge(context).with_entry(node, counter, sibling.timestamp)
        kept = [] if local is None else [s for s in local.siblings
                                         if not context.covers_dot(*s.event)]
        # No truncation: dropping an entry would resurrect the dots it covered.
        return Record(clock, _ordered((*kept, sibling)))


class LastWriteWins(Versioning):
    """One value per key; the latest timestamp wins (see the module docstring).

    Examples
    --------
    >>> lww = LastWriteWins()
    >>> early = lww.write(None, VectorClock(), Sibling("x", ("B", 1), 5.0))
    >>> late = lww.write(None, VectorClock(), Sibling("y", ("A", 1), 9.0))
    >>> lww.merge(early, late).values, lww.merge(late, early).values
    (['y'], ['y'])
    """

    name = "lww"

    @staticmethod
    def _winner(s: Sibling):
        # Later timestamp first; equal timestamps: larger node name, then counter.
        return (s.timestamp, s.event)

    def write(self, local, context, sibling, clock_threshold=DEFAULT_CLOCK_THRESHOLD):
        new = Record(EMPTY_CLOCK, (sibling,))
        return new if local is None else self.merge(local, new)

    def merge(self, a, b):
        if a is None or b is None:
            return a if b is None else b
        return a if self._winner(a.siblings[0]) >= self._winner(b.siblings[0]) else b


VERSIONING_SCHEMES: dict[str, type[Versioning]] = {
    "vector_clock": VectorClockVersioning,
    "dvv": DottedVersionVectors,
    "lww": LastWriteWins,
}


def make_versioning(name: str) -> Versioning:
    """The scheme called ``name`` (see :data:`VERSIONING_SCHEMES`)."""
    try:
        return VERSIONING_SCHEMES[name]()
    except (KeyError, TypeError):
        raise ValueError(f"unknown versioning {name!r}; choose one of "
                         f"{', '.join(map(repr, VERSIONING_SCHEMES))}") from None


def reconcile(records: Iterable[Record | None], versioning: Versioning | str = "vector_clock"
              ) -> Record | None:
    """Reconcile any number of records into one holding the causally maximal siblings.

    Examples
    --------
    >>> vc = VectorClockVersioning()
    >>> a = vc.write(None, VectorClock(), Sibling("a", ("A", 1), 0.0))
    >>> b = vc.write(None, VectorClock(), Sibling("b", ("B", 1), 0.0))
    >>> newer = vc.write(a, a.clock, Sibling("a2", ("A", 2), 1.0))
    >>> reconcile([a, b, newer]).values
    ['b', 'a2']
    >>> reconcile([]) is None
    True
    """
    scheme = make_versioning(versioning) if isinstance(versioning, str) else versioning
    # The same record object often arrives from several replicas; once is enough.
    present = list({id(r): r for r in records if r is not None}.values())
    if len(present) == 1:
        return scheme.merge(None, present[0])
    # Keep only the causally maximal records before merging: under
    # per-record vector clocks a syntactic union with a record that another
    # one supersedes would otherwise smuggle its obsolete siblings back in.
    maximal = [r for r in present
               if not any(o.clock.dominates(r.clock) for o in present if o is not r)]
    result = None
    for record in maximal:
        result = scheme.merge(result, record)
    return result
