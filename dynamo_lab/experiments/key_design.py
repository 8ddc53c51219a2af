"""Choosing a partition key: the sequential hot spot, measured two ways.

An application stores events (a user id and a ``created_at`` timestamp) and
must choose each event's key: a *partition key*, which decides where the
event is stored, and a *sort key*, which orders events within a partition so
that a range of them can be read in one scan. Partition by the time, and
the writes of the moment crowd into one place while the others idle (a
sequential hot spot): on a range-partitioned store any time key does it, on
a hash ring a coarse one (an hour, a day). The usual fix puts
something with many distinct values first (a user or sensor id, or a hash of
it) and the timestamp in the sort key.

How much a key hurts depends on how the store places partitions:

- a **hash-partitioned** store (Dynamo, Cassandra, DynamoDB, and this
  package's :class:`~dynamo_lab.ring.Ring`) hashes the partition key with
  MD5, so only *equal* partition keys share a node: a date or an hour as the
  partition key sends a whole day (or hour) of writes to one node, while a
  timestamp to the second spreads;
- a **range-partitioned** store (HBase, Bigtable, Spanner) keeps keys in
  sorted order and splits the key space into ranges, so keys that are merely
  *close* share a range: today's timestamps all sort after yesterday's, and
  all of today's writes land in the last range, whatever their precision.

:func:`judge_key_design` places one day of events with a key function both
ways. On the hash side it uses a real :class:`~dynamo_lab.ring.Ring` and
counts, hour by hour, the writes each node coordinates (the key's first
home replica); on the range side it splits the key space into as many
ranges as there are nodes, with split points taken from the previous day's
keys (as a store that split its ranges yesterday would have them), and
counts the writes each range receives. It also checks that one user's
events of the day can be read in one scan: one partition key for all of
them, and sort keys that follow ``created_at``.

Examples
--------
>>> good = judge_key_design(lambda user_id, created_at: (user_id, created_at))
>>> good.ok, good.hash_share < 0.4, good.range_share < 0.4
(True, True, True)
>>> by_day = judge_key_design(lambda user_id, created_at: (created_at[:10], created_at))
>>> by_day.hash_share, by_day.range_share
(1.0, 1.0)
>>> by_day.ok
False
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..ring import Ring
from ..validation import whole_number

__all__ = ["Event", "events_of_a_day", "KeyDesignReport", "judge_key_design",
           "MAX_BUSIEST_SHARE"]

#: A key design passes when no node (range) takes more than this share of an hour's writes.
MAX_BUSIEST_SHARE = 0.4


@dataclass(frozen=True)
class Event:
    """One event: who caused it and when (ISO 8601, to the second)."""

    user_id: str
    created_at: str


def events_of_a_day(day: str = "2024-05-02", users: int = 200, events: int = 4000,
                    seed: int = 0) -> list[Event]:
    """``events`` events of ``users`` users at random times of ``day``, in time order.

    Examples
    --------
    >>> day = events_of_a_day(events=3, users=2)
    >>> [e.created_at[:10] for e in day]
    ['2024-05-02', '2024-05-02', '2024-05-02']
    >>> day == sorted(day, key=lambda e: e.created_at)
    True
    """
    try:
        start = datetime.fromisoformat(day)
    except (TypeError, ValueError):
        raise ValueError(f"day must be a date such as '2024-05-02', got {day!r}") from None
    for name, value in (("users", users), ("events", events)):
        whole_number(name, value)
    rng = random.Random(f"{day}/{seed}")
    seconds = sorted(rng.randrange(86_400) for _ in range(events))
    return [Event(f"user{rng.randrange(users):04d}",
                  (start + timedelta(seconds=s)).isoformat(timespec="seconds"))
            for s in seconds]


@dataclass
class KeyDesignReport:
    """What :func:`judge_key_design` measured.

    Attributes
    ----------
    hash_share : float
        On the hash ring: the largest share of one hour's writes that one
        node coordinated (the worst hour). An even spread gives about 1/S.
    range_share : float
        The same for the range-partitioned store, per range.
    scan_ok : bool
        Every user's events of the day share one partition key, and their
        sort keys are distinct and follow ``created_at`` (the order is only
        checked for users whose events share a partition key).
    problems : list of str
        What went wrong, in words a learner reads.
    hours : dict
        hour -> (busiest node's share, busiest range's share).
    """

    hash_share: float
    range_share: float
    scan_ok: bool
    problems: list = field(default_factory=list)
    hours: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def __repr__(self) -> str:
        verdict = "ok" if self.ok else f"{len(self.problems)} problem(s)"
        return (f"<KeyDesignReport {verdict}: busiest node {self.hash_share:.0%} of an hour's "
                f"writes (hash ring), busiest range {self.range_share:.0%} (range partitions), "
                f"one scan per user: {self.scan_ok}>")


def _keys(key_fn: Callable, events: list[Event]) -> list[tuple[str, str]]:
    keys = []
    for event in events:
        key = key_fn(event.user_id, event.created_at)
        if not (isinstance(key, tuple) and len(key) == 2
                and all(isinstance(part, str) for part in key)):
            raise ValueError(f"the key function must return (partition_key, sort_key), two "
                             f"strings; for {event} it returned {key!r}")
        keys.append(key)
    return keys


def judge_key_design(key_fn: Callable[[str, str], tuple[str, str]], *, nodes: int = 5,
                     day: str = "2024-05-02", users: int = 200, events: int = 4000,
                     seed: int = 0, max_share: float = MAX_BUSIEST_SHARE) -> KeyDesignReport:
    """Place one day of events with ``key_fn`` on a hash ring and on range partitions.

    Parameters
    ----------
    key_fn : callable
        ``key_fn(user_id, created_at) -> (partition_key, sort_key)``, strings.
    nodes : int
        Nodes of the ring, and ranges of the range-partitioned store.
    day, users, events, seed
        The day of events (see :func:`events_of_a_day`); the split points of
        the ranges come from the day before, with the same users.
    max_share : float
        The largest share of an hour's writes one node or range may take.

    Raises
    ------
    ValueError
        For bad parameters, or a key function that does not return two strings.
    """
    whole_number("nodes", nodes, low=2)
    if not callable(key_fn):
        raise ValueError(f"key_fn must be a function (user_id, created_at) -> "
                         f"(partition_key, sort_key), got {key_fn!r}")
    today = events_of_a_day(day, users, events, seed)
    before = (datetime.fromisoformat(day) - timedelta(days=1)).date().isoformat()
    yesterday = events_of_a_day(before, users, events, seed)
    keys = _keys(key_fn, today)
    old = sorted(_keys(key_fn, yesterday))
    splits = [old[len(old) * i // nodes] for i in range(1, nodes)]
    names = [chr(ord("A") + i) for i in range(nodes)] if nodes <= 26 else \
        [f"n{i}" for i in range(nodes)]
    ring = Ring(names, n=1, vnodes=64)
    owner_of: dict[str, str] = {}
    by_hour: dict[str, tuple[Counter, Counter]] = {}
    for event, key in zip(today, keys):
        partition = key[0]
        if partition not in owner_of:
            owner_of[partition] = ring.owner(partition)
        hashed, ranged = by_hour.setdefault(event.created_at[:13], (Counter(), Counter()))
        hashed[owner_of[partition]] += 1
        ranged[bisect_right(splits, key)] += 1
    hours = {}
    for hour, (hashed, ranged) in sorted(by_hour.items()):
        total = sum(hashed.values())
        hours[hour] = (max(hashed.values()) / total, max(ranged.values()) / total)
    hash_share = max(h for h, _ in hours.values())
    range_share = max(r for _, r in hours.values())

    per_user: dict[str, list[tuple[str, tuple[str, str]]]] = {}
    for event, key in zip(today, keys):
        per_user.setdefault(event.user_id, []).append((event.created_at, key))
    split_users = ordered = True
    for rows in per_user.values():
        if len({key[0] for _, key in rows}) > 1:
            split_users = False
            continue            # no single partition to scan: the order inside is moot
        sort_keys = [key[1] for _, key in rows]
        times = [t for t, _ in rows]
        distinct_times = len(set(times)) == len(times)
        if len(set(sort_keys)) != len(sort_keys) and distinct_times:
            ordered = False
        elif sorted(range(len(rows)), key=lambda i: sort_keys[i]) != \
                sorted(range(len(rows)), key=lambda i: times[i]):
            ordered = False
    report = KeyDesignReport(hash_share, range_share, split_users and ordered, hours=hours)
    if hash_share > max_share:
        worst = max(hours, key=lambda h: hours[h][0])
        in_worst = [key[0] for event, key in zip(today, keys) if event.created_at[:13] == worst]
        distinct = len(set(in_worst))
        spread = (f"all {len(in_worst)} events of that hour had the same partition key"
                  if distinct == 1 else
                  f"the {len(in_worst)} events of that hour had only {distinct} distinct "
                  f"partition keys")
        report.problems.append(
            f"on the hash ring one node coordinated {hash_share:.0%} of the writes of hour "
            f"{worst}: {spread}, and every event with a given partition key goes to the same "
            f"node, so too few keys at a time cannot spread evenly over {nodes} nodes (a "
            f"sequential hot spot)")
    if range_share > max_share:
        report.problems.append(
            f"on a range-partitioned store one range took {range_share:.0%} of an hour's "
            f"writes: keys that start with the time sort after every key of the day before, "
            f"so all new writes fall into the last range")
    if not split_users:
        report.problems.append(
            "one user's events of the day have different partition keys, so reading them "
            "means asking every partition (scatter-gather) instead of one range scan")
    if not ordered:
        report.problems.append(
            "within a user's partition the sort keys must be distinct and follow created_at, "
            "so that a time range is one contiguous scan (and no event overwrites another)")
    return report
