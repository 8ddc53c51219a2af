"""Lab 2, when nodes are down: sloppy quorums, hinted handoff and read repair.

The learner writes two classes. The coordinator
(:class:`~dynamo_lab.labs.protocol.LabCoordinator`) sends each request to the
first N nodes of the key's preference list that seem up: the home replicas
that are up, and for each one that is down the next healthy node after
them, whose write names the home replica it stands in for (``hint_for``).
After answering a get, it writes the newest version it saw back to every
replica that answered with an older one (read repair); with
``blocking_read_repair = True`` it answers only once those repairs are
acknowledged. The replica (:class:`~dynamo_lab.labs.protocol.LabReplica`)
keeps a write that names ``hint_for`` aside, in ``hints_held``, and on each
tick offers it to its home replica once that one seems up, forgetting it
only when the home replica acknowledges it.

Every scenario runs five nodes with N = 3, R = 2 and W = 2. Scenarios, in
order: a quiet cluster; two of the key's home replicas down; a fallback that
crashes while it holds hints; hand-offs over a lossy network; a replica that
lost its disk, read with read repair; and the same read with blocking read
repair.
"""

from __future__ import annotations

import random

from ..latency import Exponential
from .harness import READERS, WRITERS, Layout, Scenario, Violation, common_hint
from .lab1 import Values, quiet_steps
from .protocol import LabReplica

__all__ = ["NAME", "TITLE", "NOTEBOOK", "HINTS", "SCENARIOS", "REPLICA", "hint", "CLUSTER"]

NAME = "lab2"
TITLE = "Lab 2, when nodes are down"
NOTEBOOK = "lab2_when_nodes_are_down.ipynb"
#: The question's hints, after the common first one (see dynamo_lab.exercises.labs).
HINTS = ["Targets are the home replicas that seem up, then for each one that is down the next "
         "healthy node of preference_list(key), with hint_for naming whom it stands in for.",
         "A replica forgets a hint only when the owner's write_ack arrives; a get repairs every "
         "replier that answered with an older version, and a blocking one waits for the "
         "repairs' acknowledgements."]
#: The replica class a coordinator is checked with when it names none in its
#: ``replica`` attribute (the learner's lab 2 coordinator names its own).
REPLICA = LabReplica
#: Every scenario's cluster: as lab 1's.
CLUSTER = {"nodes": 5, "n": 3, "r": 2, "w": 2, "latency": Exponential(1.0),
           "timeout_ms": 100.0, "failure_detector": "oracle"}
#: Long enough for a hint to be handed off many times over (ticks are 20 ms).
SETTLE_MS = 400.0


def _via(rng: random.Random, layout: Layout, avoid=()) -> str:
    """A coordinator for the next request: any node that is not down."""
    return rng.choice([node for node in layout.nodes if node not in avoid])


def _put(rng: random.Random, layout: Layout, values: Values, avoid=()) -> tuple:
    return ("put", WRITERS[0], values.next(), _via(rng, layout, avoid))


def _get(rng: random.Random, layout: Layout, avoid=()) -> tuple:
    return ("get", rng.choice(READERS), _via(rng, layout, avoid))


def _ops(rng: random.Random, layout: Layout, values: Values, count: int,
         avoid=()) -> list[tuple]:
    steps = []
    for _ in range(count):
        steps.append(_put(rng, layout, values, avoid) if rng.random() < 0.5
                     else _get(rng, layout, avoid))
        steps.append(("wait", rng.choice([1.0, 3.0, 10.0, 30.0])))
    return steps


def homes_down_steps(rng: random.Random, layout: Layout) -> list[tuple]:
    """Two home replicas crash; writes go on; they recover and must catch up."""
    values = Values()
    down = rng.sample(layout.home, 2)
    steps = [("crash", node) for node in down]
    steps += _ops(rng, layout, values, 6, avoid=down)
    steps += [_put(rng, layout, values, avoid=down), ("wait", 20.0)]
    # The harness then lifts every fault and waits (the scenario's settle_ms).
    # No read after the recovery: read repair would mend what hand-off missed.
    return steps


def fallback_crash_steps(rng: random.Random, layout: Layout) -> list[tuple]:
    """A fallback holding hints crashes before their home replica is back."""
    values = Values()
    absent = rng.choice(layout.home)
    fallback = layout.preference[len(layout.home)]
    avoid = (absent, fallback)
    steps = [("crash", absent), _put(rng, layout, values, avoid), ("wait", 10.0),
             _put(rng, layout, values, avoid), ("wait", 10.0), ("crash", fallback),
             ("wait", rng.choice([5.0, 30.0])), ("recover", absent),
             ("wait", rng.choice([30.0, 100.0])), ("recover", fallback)]
    return steps


def lossy_handoff_steps(rng: random.Random, layout: Layout) -> list[tuple]:
    """Home replicas miss writes, then come back over links that lose half the messages."""
    values = Values()
    steps = []
    for _ in range(3):
        node = rng.choice(layout.home)
        steps += [("crash", node), *_ops(rng, layout, values, 2, avoid=(node,)),
                  _put(rng, layout, values, avoid=(node,)),
                  ("wait", 20.0), ("lossy", node, 0.5), ("recover", node),
                  ("wait", rng.choice([20.0, 100.0])), ("clear_links",)]
    return steps


def read_repair_steps(rng: random.Random, layout: Layout) -> list[tuple]:
    """A home replica loses its disk after the writes; reads must restore it."""
    values = Values()
    wiped = rng.choice(layout.home)
    steps = [_put(rng, layout, values), ("wait", 20.0), _put(rng, layout, values),
             ("wait", 20.0), ("crash", wiped, "losing data"), ("recover", wiped)]
    # Read through the wiped replica's peers so that it is among those asked.
    for _ in range(3):
        steps += [("get", rng.choice(READERS), rng.choice(layout.home)), ("wait", 20.0)]
    steps.append(("wait", 50.0))
    return steps


#: Shrinking keeps the waits of these scenarios: without the wait after a
#: write, a crash could catch the write in flight, and then even a correct
#: store would leave a replica without it (no hint was ever made for it).
_KEEP_WAITS = ("wait",)

SCENARIOS = [
    Scenario("quiet", "no faults, one operation at a time", dict(CLUSTER), quiet_steps,
             ("answered", "fresh", "linearizable")),
    Scenario("home replicas down", "two of the key's home replicas crash, then recover",
             dict(CLUSTER), homes_down_steps, ("answered", "always_writable", "handed_off"),
             settle_ms=SETTLE_MS, fixed=_KEEP_WAITS),
    Scenario("fallback crashes", "a node holding hints crashes before their owner is back",
             dict(CLUSTER), fallback_crash_steps,
             ("answered", "always_writable", "handed_off"), settle_ms=SETTLE_MS,
             fixed=_KEEP_WAITS),
    Scenario("lossy handoff", "home replicas come back over links that lose half the messages",
             dict(CLUSTER), lossy_handoff_steps, ("answered", "handed_off"),
             settle_ms=SETTLE_MS, fixed=_KEEP_WAITS),
    Scenario("read repair", "a replica loses its disk; reads must restore it",
             dict(CLUSTER), read_repair_steps, ("answered", "fresh", "repaired"),
             fixed=_KEEP_WAITS),
    Scenario("blocking read repair", "the same, with blocking_read_repair = True",
             dict(CLUSTER), read_repair_steps, ("answered", "fresh", "repaired_before_answer"),
             settings={"blocking_read_repair": True}, fixed=_KEEP_WAITS),
]


def hint(violation: Violation, cluster) -> str:
    """The likely mistake behind ``violation``, in words."""
    prop = violation.prop
    if common_hint(prop):
        return common_hint(prop)
    if prop == "always_writable":
        return ("a write failed although enough nodes were up. A sloppy quorum does not stop "
                "at the home replicas: for each home replica that seems down, send the write to "
                "the next healthy node of preference_list(key), with hint_for naming the home "
                "replica, and count its acknowledgement towards W.")
    if prop == "handed_off":
        holding = {name: sorted(cluster.node(name).hints_held) for name in cluster.nodes
                   if getattr(cluster.node(name), "hints_held", None)}
        still = (f" At the end, hints were still held: {holding}." if holding else
                 " At the end no node held any hint, so one was dropped before its home "
                 "replica acknowledged it.")
        return ("a home replica never received a write it missed." + still + " A fallback "
                "keeps a write with hint_for aside (hints_held), offers it on every tick once "
                "the owner seems up, and forgets it only when the owner's write_ack arrives "
                "(on_message). Hints are stored like data: a crash that keeps the disk keeps "
                "them.")
    if prop == "repaired":
        return ("a replica that answered a read with an older version kept it. After you "
                "answer a get, send the newest version you saw (a \"write\" with its version "
                "and value) to every replica whose reply was older, or empty.")
    if prop == "repaired_before_answer":
        return ("with blocking_read_repair the get must wait: send the repairs first, count "
                "their write_acks, and answer only when every stale replica has acknowledged.")
    if prop == "fresh":
        return ("a read missed an acknowledged write: count distinct acknowledgements up to W "
                "and return the highest version among R distinct replies.")
    return "no single order of the operations explains the history."
