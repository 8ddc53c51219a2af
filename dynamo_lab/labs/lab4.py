"""Lab 4, anti-entropy: Merkle trees, and an exchange that repairs only what differs.

Two replicas of the same keys drift apart: one missed writes, or lost its
disk. Comparing them key by key costs as much as the data. A Merkle tree
costs as much as the *differences*: the learner's replica
(:class:`~dynamo_lab.labs.protocol.LabReplica`) hashes its keys into
:data:`LEAVES` buckets (:func:`bucket_of`), hashes the buckets' contents
into leaves and pairs of hashes into their parents, up to one root
(:func:`digest` is the hash). In :meth:`~LabReplica.start_sync` it asks a
peer for hashes, descends only into the subtrees whose hashes differ, and
at a differing leaf the two swap that bucket's keys and each keeps the
newer version of every key.

The answer of this lab is the replica class itself:
``dl.labs.check("lab4", MyReplica)``. Every scenario runs three nodes, each
a replica of all :data:`KEY_COUNT` keys, loads two of them with data that
differs as the scenario says, and starts one exchange. It then checks that
both hold the newer version of every key, and what the exchange cost: the
messages, and the key-value pairs they carried.
"""

from __future__ import annotations

import hashlib
import random

from ..latency import Exponential
from .harness import Layout, Scenario, Violation, common_hint, drive, register_property
from .protocol import LabCoordinator

__all__ = ["NAME", "TITLE", "NOTEBOOK", "HINTS", "SCENARIOS", "ANSWER", "hint", "CLUSTER",
           "LEAVES", "DEPTH", "KEY_COUNT", "bucket_of", "digest", "run_sync_steps"]

NAME = "lab4"
TITLE = "Lab 4, anti-entropy"
NOTEBOOK = "lab4_anti_entropy.ipynb"
#: The question's hints, after the common first one (see dynamo_lab.exercises.labs).
HINTS = ["Hash each bucket's (key, version, value) entries in key order, and pairs of hashes "
         "into their parent; ask the peer for a node's children and descend into every child "
         "whose hash differs.",
         "At a differing leaf, send your bucket's entries; the peer keeps what is newer and "
         "sends back what it holds newer or you lack."]
#: The learner's answer in this lab is a replica class, not a coordinator.
ANSWER = "replica"
#: The coordinators run no client request in this lab.
COORDINATOR = LabCoordinator
#: Three nodes, each a replica of every key.
CLUSTER = {"nodes": 3, "n": 3, "r": 2, "w": 2, "latency": Exponential(1.0),
           "timeout_ms": 100.0, "failure_detector": "oracle"}
#: Leaves of the tree (a power of two), and its depth: the root is level 0.
LEAVES = 16
DEPTH = 4
#: Keys each scenario loads: "k000" ... "k127".
KEY_COUNT = 128
KEYS = [f"k{i:03d}" for i in range(KEY_COUNT)]


def bucket_of(key: str) -> int:
    """The leaf (0 to LEAVES - 1) a key's hash falls in.

    >>> bucket_of("k000"), bucket_of("k001")
    (9, 5)
    """
    digest_bytes = hashlib.md5(key.encode()).digest()
    return int.from_bytes(digest_bytes[:4], "big") % LEAVES


def digest(text: str) -> str:
    """The hash a tree uses: MD5 of ``text``, in hex.

    >>> digest("")
    'd41d8cd98f00b204e9800998ecf8427e'
    """
    return hashlib.md5(text.encode()).hexdigest()


# -- running an exchange ------------------------------------------------------------------

def run_sync_steps(steps, seed: int, coordinator: type, replica: type, options: dict,
                   settle_ms: float = 0.0):
    """Run an anti-entropy schedule; return the cluster.

    Steps: ``("hold", node, key, version, value)`` loads a replica before
    anything runs; ``("sync", a, b)`` starts ``a``'s exchange with ``b`` and
    records what differed then (``cluster.lab_syncs``); ``("wait", ms)`` and
    the faults of :func:`~dynamo_lab.labs.harness.apply_fault`.
    """
    def load_or_sync(cluster, step) -> bool:
        if step[0] == "hold":
            cluster.node(step[1]).keep(step[2], step[3], step[4])
        elif step[0] == "sync":
            a, b = cluster.node(step[1]), cluster.node(step[2])
            for node in (a, b):
                node.sent_messages = node.sent_values = 0
            cluster.lab_syncs.append((step[1], step[2], (dict(a.held), dict(b.held))))
            a.start_sync(step[2])
        else:
            return False
        return True

    def setup(cluster):
        cluster.lab_syncs = []

    return drive(steps, seed, coordinator, replica, options, load_or_sync, settle_ms=settle_ms,
                 setup=setup)


def _newer_of(x, y):
    if x is None:
        return y
    if y is None:
        return x
    return x if x[0] >= y[0] else y


def _synced(cluster, pairs) -> Violation | None:
    for a, b, (held_a, held_b) in cluster.lab_syncs:
        now_a, now_b = cluster.node(a).held, cluster.node(b).held
        for key in sorted(held_a.keys() | held_b.keys()):
            want = _newer_of(held_a.get(key), held_b.get(key))
            for name, now in ((a, now_a), (b, now_b)):
                if now.get(key) != want:
                    return Violation("synced", f"after {a}'s exchange with {b}, {name} holds "
                                     f"{key!r} as {now.get(key)!r}; the newer of the two "
                                     f"copies was {want!r}")
    return None


def _differing_buckets(held_a: dict, held_b: dict) -> list[int]:
    return sorted({bucket_of(key) for key in held_a.keys() | held_b.keys()
                   if held_a.get(key) != held_b.get(key)})


def _cost_fits(cluster, pairs) -> Violation | None:
    for a, b, (held_a, held_b) in cluster.lab_syncs:
        differing = _differing_buckets(held_a, held_b)
        in_differing = sum(1 for held in (held_a, held_b) for key in held
                           if bucket_of(key) in differing)
        messages = cluster.node(a).sent_messages + cluster.node(b).sent_messages
        values = cluster.node(a).sent_values + cluster.node(b).sent_values
        max_messages = 4 * (DEPTH + 1) * len(differing) + 4
        max_values = 2 * in_differing
        if values > max_values:
            return Violation("cost_fits", f"the exchange shipped {values} key-value pairs; "
                             f"{len(differing)} of the {LEAVES} buckets differed, holding "
                             f"{in_differing} pairs on the two replicas, so at most "
                             f"{max_values} were needed")
        if messages > max_messages:
            return Violation("cost_fits", f"the exchange sent {messages} messages for "
                             f"{len(differing)} differing buckets; a tree of depth {DEPTH} "
                             f"needs at most {max_messages}")
    return None


register_property("synced", "after the exchange, both replicas hold the newer version of "
                  "every key either held", _synced)
register_property("cost_fits", "an exchange ships only the keys of the buckets that differ, "
                  "in a number of messages that grows with the differences, not with the data",
                  _cost_fits)


# -- scenarios ------------------------------------------------------------------------------

def _load(rng: random.Random, layout: Layout, changes: int, wiped: bool = False) -> list:
    """Both replicas hold every key; ``changes`` keys then differ; ``wiped``: B holds nothing."""
    a, b = layout.nodes[0], layout.nodes[1]
    base = {key: ((1.0, "A"), f"{key}-v1") for key in KEYS}
    held = {a: dict(base), b: {} if wiped else dict(base)}
    for key in rng.sample(KEYS, changes):
        change = rng.choice(["newer on a", "newer on b", "missing on a", "missing on b"])
        stamp = 2.0 + rng.random()
        if change == "newer on a":
            held[a][key] = ((stamp, a), f"{key}-v2")
        elif change == "newer on b" and not wiped:
            held[b][key] = ((stamp, b), f"{key}-v2")
        elif change == "missing on a":
            held[a].pop(key, None)
        else:
            held[b].pop(key, None)
    return [("hold", node, key, version, value)
            for node in (a, b) for key, (version, value) in sorted(held[node].items())]


def _sync(layout: Layout) -> tuple:
    return ("sync", layout.nodes[0], layout.nodes[1])


def identical_steps(rng, layout):
    return [*_load(rng, layout, 0), _sync(layout), ("wait", 50.0)]


def one_key_steps(rng, layout):
    return [*_load(rng, layout, 1), _sync(layout), ("wait", 50.0)]


def few_keys_steps(rng, layout):
    return [*_load(rng, layout, rng.randint(2, 6)), _sync(layout), ("wait", 50.0)]


def wiped_steps(rng, layout):
    return [*_load(rng, layout, rng.randint(0, 3), wiped=True), _sync(layout), ("wait", 100.0)]


def slow_link_steps(rng, layout):
    a, b = layout.nodes[0], layout.nodes[1]
    return [*_load(rng, layout, rng.randint(1, 6)), ("slow", a, b, rng.choice([5.0, 40.0])),
            _sync(layout), ("wait", 400.0)]


def describe_steps(steps) -> list[str]:
    """The loading in a few lines (what differs), then the other steps one per line."""
    from .harness import step_text

    held: dict = {}
    for step in steps:
        if step[0] == "hold":
            held.setdefault(step[1], {})[step[2]] = (step[3], step[4])
    lines = []
    if held:
        (a, on_a), (b, on_b) = list(held.items())[0], (list(held.items()) + [(None, {})])[1]
        lines.append(f"{a} holds {len(on_a)} keys and {b} holds {len(on_b)}")
        for key in sorted(on_a.keys() | on_b.keys()):
            if on_a.get(key) != on_b.get(key):
                lines.append(f"  {key}: {a} {_show(on_a.get(key))}, {b} {_show(on_b.get(key))}")
    lines += [step_text(step) for step in steps if step[0] != "hold"]
    return lines


def _show(entry) -> str:
    return "has nothing" if entry is None else f"has version {entry[0]!r}"


def _scenario(name, words, steps, properties=("synced", "cost_fits")):
    return Scenario(name, words, dict(CLUSTER), steps, properties, runner=run_sync_steps,
                    fixed=("hold",), describe=describe_steps)


SCENARIOS = [
    _scenario("identical", "the two replicas already agree", identical_steps),
    _scenario("one key", "one key differs", one_key_steps),
    _scenario("a few keys", "two to six keys differ: newer or missing on either side",
              few_keys_steps),
    _scenario("lost disk", "one replica lost everything", wiped_steps, ("synced",)),
    _scenario("slow link", "a few keys differ and the link between them is slow",
              slow_link_steps),
]


def hint(violation: Violation, cluster) -> str:
    """The likely mistake behind ``violation``, in words."""
    prop = violation.prop
    if common_hint(prop):
        return common_hint(prop)
    if prop == "synced":
        return ("a key was left different. Check that a leaf's hash covers every key in its "
                "bucket with its version (two copies of a key that differ only in version must "
                "hash differently), that you descend into every child whose hash differs, not "
                "just the first, and that each side keeps a key only if the other's version is "
                "newer, and sends back what it holds newer.")
    if prop == "cost_fits":
        return ("the exchange cost more than the differences need. Compare hashes level by "
                "level and descend only into children whose hashes differ; ship keys only for "
                "differing leaves. Comparing roots and then shipping everything costs as much "
                "as the data.")
    return "the exchange did not do what the scenario needs."
