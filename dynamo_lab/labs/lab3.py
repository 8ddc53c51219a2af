"""Lab 3, concurrent writes: vector clocks, siblings, contexts and a shopping cart.

Two clients add to one shopping cart at the same time, each by reading it,
adding an item and writing it back with the read's context. Timestamps (lab 1)
keep only one of two concurrent writes; this lab keeps both. The learner
writes:

- the replica (:class:`~dynamo_lab.labs.protocol.LabReplica`): it keeps, per
  key, a list of *siblings*, ``(clock, value)`` pairs none of which descends
  from another; a write drops the siblings its clock descends from, and is
  dropped itself if a sibling descends from it. ``handle_read`` answers with
  ``{"siblings": [...]}``;
- the coordinator: a put's clock is its context (the clock the client's read
  returned, ``request.context``) plus one entry for a name no other write
  has (``self.new_dot(request)``); a get merges the siblings of R replies,
  keeps those no other descends from, and answers with their values and, as
  the context, the merge of their clocks;
- the cart (the coordinator's ``cart`` attribute): how the client merges
  siblings and adds and removes items. First as a set merged by union,
  which never loses an add and cannot remove for good; then as an OR-Set,
  which can.

Every scenario runs five nodes with N = 3, R = 2 and W = 2 and a strict
quorum. Scenarios, in order: one client at a time, two clients adding at
once, adds over slow links and partitions, and adds and removes together.
"""

from __future__ import annotations

import random

from ..latency import Exponential
from .harness import (KEY, READERS, WRITERS, Layout, Scenario, Violation, common_hint,
                      drive, register_property)
from .lab1 import Values
from .protocol import LabReplica

__all__ = ["NAME", "TITLE", "NOTEBOOK", "HINTS", "SCENARIOS", "REPLICA", "hint", "CLUSTER",
           "run_cart_steps", "final_items"]

NAME = "lab3"
TITLE = "Lab 3, concurrent writes"
NOTEBOOK = "lab3_concurrent_writes.ipynb"
#: The question's hints, after the common first one (see dynamo_lab.exercises.labs).
HINTS = ["A write may replace only the siblings its clock descends from; a put's clock is "
         "request.context plus one new dot; a get's context merges the clocks of the siblings "
         "it returns.",
         "A union cart cannot remove for good: an OR-Set keeps (item, tag) adds and the tags "
         "each remove has seen, and merges both by union."]
REPLICA = LabReplica
CLUSTER = {"nodes": 5, "n": 3, "r": 2, "w": 2, "latency": Exponential(1.0),
           "timeout_ms": 100.0, "failure_detector": "oracle"}
#: The shoppers.
SHOPPERS = (WRITERS[0], READERS[0])
SETTLE_MS = 50.0


# -- running carts: each add or remove is a read, then a write with its context ------------

def run_cart_steps(steps, seed: int, coordinator: type, replica: type, options: dict,
                   settle_ms: float = 0.0):
    """Run a cart schedule; return the cluster, with ``cluster.lab_cart`` saying what was done.

    Steps: ``("add", client, item, via)``, ``("remove", client, via)`` (the
    client removes the first item, in sorted order, of the cart it reads),
    ``("wait", ms)`` and the faults of :func:`~dynamo_lab.labs.harness.apply_fault`.
    ``cluster.lab_cart`` maps each write's op_id to ("add" or "remove", item).
    """
    cart = coordinator.cart
    reading: dict = {}        # client -> (read, action, item)
    writing: dict = {}        # client -> its put in flight
    tags = iter(range(1, 1_000_000))

    def write_what_was_read(cluster):
        for name, (read, action, item) in list(reading.items()):
            if not read.done:
                continue
            del reading[name]
            result = read.result
            if not result.ok:
                continue
            current = cart.merge(result.values) if result.values else cart.empty()
            if action == "remove":
                present = sorted(cart.items(current), key=repr)
                if not present:
                    continue
                item = present[0]
                new = cart.remove(current, item)
            else:
                new = cart.add(current, item, f"t{next(tags)}")
            put = cluster.client(name).start_put(KEY, new, context=result.context,
                                                 coordinator=read.invocation.node)
            cluster.lab_cart[put.invocation.op_id] = (action, item)
            writing[name] = put

    def read_first(cluster, step) -> bool:
        kind = step[0]
        if kind not in ("add", "remove"):
            return False
        name = step[1]
        if name not in reading and (name not in writing or writing[name].done):
            via = step[3] if kind == "add" else step[2]
            item = step[2] if kind == "add" else None
            reading[name] = (cluster.client(name).start_get(KEY, coordinator=via), kind, item)
        return True

    def drain(cluster):
        # Let every read that is out finish its write, as soon as it returns.
        while reading or any(not put.done for put in writing.values()):
            cluster.run_for(0.5)
            write_what_was_read(cluster)

    def setup(cluster):
        cluster.lab_cart = {}

    return drive(steps, seed, coordinator, replica, options, read_first, settle_ms=settle_ms,
                 between=write_what_was_read, drain=drain, setup=setup)


def final_items(cluster) -> set:
    """The cart's items at the end: the learner's merge of every home replica's siblings."""
    values = []
    for name in cluster.ring.home_replicas(KEY):
        answer = cluster.node(name).handle_read(KEY)
        values += [value for _, value in answer.get("siblings", ())]
    cart = cluster.node(cluster.nodes[0]).coordinator.cart
    return set(cart.items(cart.merge(values) if values else cart.empty()))


def _acknowledged(cluster, pairs) -> dict:
    ok = {inv.op_id for inv, done in pairs if done is not None and done.type == "ok"}
    return {op_id: change for op_id, change in cluster.lab_cart.items() if op_id in ok}


def _adds_kept(cluster, pairs) -> Violation | None:
    acked = _acknowledged(cluster, pairs)
    removed = {item for action, item in acked.values() if action == "remove"}
    items = final_items(cluster)
    for op_id, (action, item) in sorted(acked.items()):
        if action == "add" and item not in removed and item not in items:
            return Violation("adds_kept", f"{item!r} was added (op {op_id}, acknowledged) and "
                             f"never removed, but the cart ends as {sorted(items, key=repr)}",
                             (op_id,))
    return None


def _removes_stick(cluster, pairs) -> Violation | None:
    acked = _acknowledged(cluster, pairs)
    items = final_items(cluster)
    for op_id, (action, item) in sorted(acked.items()):
        if action == "remove" and item in items:
            return Violation("removes_stick", f"{item!r} was removed (op {op_id}, "
                             f"acknowledged), but the cart ends with it: "
                             f"{sorted(items, key=repr)}", (op_id,))
    return None


def _no_false_siblings(cluster, pairs) -> Violation | None:
    for inv, done in pairs:
        if inv.f == "get" and done is not None and done.type == "ok" and len(done.value) > 1:
            return Violation("no_false_siblings", f"{inv.process}'s read (op {inv.op_id}) "
                             f"returned {len(done.value)} siblings, {done.value!r}, though "
                             f"every write was made from the one before it", (inv.op_id,))
    return None


register_property("adds_kept", "every item added by an acknowledged write is in the cart at "
                  "the end, unless an acknowledged write removed it", _adds_kept)
register_property("removes_stick", "an item removed by an acknowledged write stays removed",
                  _removes_stick)
register_property("no_false_siblings", "writes made one after another, each from the last "
                  "read, leave one value, not siblings", _no_false_siblings)


# -- the scenarios ------------------------------------------------------------------------

def _add(rng, layout: Layout, items: Values, shopper: str) -> tuple:
    return ("add", shopper, items.next(), rng.choice(layout.nodes))


def one_at_a_time_steps(rng: random.Random, layout: Layout) -> list[tuple]:
    """One shopper adds four items, each after the last write has finished."""
    items, steps = Values("item"), []
    for _ in range(4):
        steps += [_add(rng, layout, items, SHOPPERS[0]), ("wait", 30.0)]
    return steps


def together_steps(rng: random.Random, layout: Layout) -> list[tuple]:
    """Two shoppers add at the same moments, through different nodes."""
    items, steps = Values("item"), []
    for _ in range(4):
        steps += [_add(rng, layout, items, SHOPPERS[0]), _add(rng, layout, items, SHOPPERS[1]),
                  ("wait", rng.choice([0.5, 2.0, 30.0]))]
    return steps


def faulty_steps(rng: random.Random, layout: Layout) -> list[tuple]:
    """Two shoppers add while links slow down and the network splits."""
    items, steps = Values("item"), []
    for _ in range(8):
        roll = rng.random()
        if roll < 0.55:
            steps.append(_add(rng, layout, items, rng.choice(SHOPPERS)))
        elif roll < 0.75:
            steps.append(("wait", rng.choice([0.5, 2.0, 10.0, 120.0])))
        elif roll < 0.9:
            a, b = rng.sample(layout.nodes, 2)
            steps.append(("slow", a, b, rng.choice([5.0, 20.0])))
        else:
            shuffled = layout.nodes[:]
            rng.shuffle(shuffled)
            steps.append(("partition", (tuple(sorted(shuffled[:2])), tuple(sorted(shuffled[2:])))))
    steps += [("heal",), ("wait", 150.0)]
    return steps


def add_remove_steps(rng: random.Random, layout: Layout) -> list[tuple]:
    """Two shoppers add and remove at once."""
    items, steps = Values("item"), []
    steps += [_add(rng, layout, items, SHOPPERS[0]), ("wait", 30.0),
              _add(rng, layout, items, SHOPPERS[1]), ("wait", 30.0)]
    for _ in range(5):
        for shopper in SHOPPERS:
            if rng.random() < 0.5:
                steps.append(("remove", shopper, rng.choice(layout.nodes)))
            else:
                steps.append(_add(rng, layout, items, shopper))
        steps.append(("wait", rng.choice([0.5, 2.0, 30.0])))
    steps.append(("wait", 150.0))
    return steps


def _scenario(name, words, steps, properties):
    return Scenario(name, words, dict(CLUSTER), steps, properties, settle_ms=SETTLE_MS,
                    runner=run_cart_steps)


SCENARIOS = [
    _scenario("one at a time", "one shopper adds, each write made from the last read",
              one_at_a_time_steps, ("answered", "no_false_siblings", "adds_kept")),
    _scenario("together", "two shoppers add to the cart at the same moments", together_steps,
              ("answered", "adds_kept")),
    _scenario("slow links and partitions", "two shoppers add while the network misbehaves",
              faulty_steps, ("answered", "adds_kept")),
    _scenario("adds and removes", "two shoppers add and remove at once (an OR-Set's job)",
              add_remove_steps, ("answered", "adds_kept", "removes_stick")),
]


def hint(violation: Violation, cluster) -> str:
    """The likely mistake behind ``violation``, in words."""
    prop = violation.prop
    if common_hint(prop):
        return common_hint(prop)
    if prop == "no_false_siblings":
        return ("writes made one after another came back as siblings, so a write's clock did "
                "not descend from the clock of the read it was made from. Start the put's "
                "clock from request.context, then add the new dot; and answer a get with the "
                "merge of its siblings' clocks as the context.")
    if prop == "adds_kept":
        return ("an acknowledged add disappeared. Either a replica dropped a sibling that was "
                "concurrent, not older (a write may replace only the siblings its clock "
                "descends from: every entry at least as large), or a get's context claimed "
                "siblings it did not return, or the cart's merge kept one sibling instead of "
                "combining them all.")
    if prop == "removes_stick":
        return ("a removed item came back. Merging by union brings back anything one "
                "sibling still holds. An OR-Set remembers which adds a remove has seen (their "
                "tags) and merges adds and removes by union, so an item is in the cart only "
                "while some add of it has not been removed.")
    return "no single order of the operations explains the history."
