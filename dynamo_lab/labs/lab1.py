"""Lab 1, quorum replication: the coordinator's put and get.

The learner writes a :class:`~dynamo_lab.labs.protocol.LabCoordinator`
subclass. A put stamps the value with a new version, sends it to the key's N
home replicas and answers ok once W of them acknowledged; a get asks the
home replicas and answers, once R replied, with the value of the highest
version among the replies. A request that cannot reach enough replicas
before sending anything may fail; one whose deadline passes gives up (info),
because a write that was sent may still land.

Every scenario runs a cluster of five nodes with N = 3, R = 2 and W = 2 (so
R + W > N) and a failure detector that knows who is down. Scenarios, in
order: a quiet cluster, slow links, a node down, partitions, and chaos (all
of those with 5% message loss).
"""

from __future__ import annotations

import random

from ..latency import Exponential
from .harness import (READERS, WRITERS, Layout, Scenario, Violation, _lab_requests,
                      common_hint)
from .protocol import LabReplica

__all__ = ["NAME", "TITLE", "NOTEBOOK", "HINTS", "SCENARIOS", "REPLICA", "hint", "CLUSTER"]

NAME = "lab1"
TITLE = "Lab 1, quorum replication"
#: The lab's notebook, in solutions/ (answered) and exercises/ (to do).
NOTEBOOK = "lab1_quorum_replication.ipynb"
#: The question's hints, after the common first one (see dynamo_lab.exercises.labs).
HINTS = ["Count distinct replicas (a set of reply.src), check request.done before answering, "
         "and answer a timed-out request with give_up, not fail."]
#: The replicas the learner's coordinator talks to.
REPLICA = LabReplica
#: Every scenario's cluster: five nodes, N = 3, R = W = 2, one-way delays of
#: 1 ms on average, a 100 ms deadline, a detector that knows who is down.
CLUSTER = {"nodes": 5, "n": 3, "r": 2, "w": 2, "latency": Exponential(1.0),
           "timeout_ms": 100.0, "failure_detector": "oracle"}


class Values:
    """Unique values for the writes of one schedule: "v1", "v2", ... (or another prefix)."""

    def __init__(self, prefix: str = "v"):
        self.prefix = prefix
        self.count = 0

    def next(self) -> str:
        self.count += 1
        return f"{self.prefix}{self.count}"


def _operation(rng: random.Random, nodes: list[str], values: Values, put_share: float):
    via = rng.choice(nodes)
    if rng.random() < put_share:
        return ("put", rng.choice(WRITERS), values.next(), via)
    return ("get", rng.choice(READERS), via)


def quiet_steps(rng: random.Random, layout: Layout) -> list[tuple]:
    """One operation at a time, each given 20 ms to finish before the next."""
    nodes = layout.nodes
    values, steps = Values(), []
    for _ in range(4):
        steps += [("put", WRITERS[0], values.next(), rng.choice(nodes)), ("wait", 20.0),
                  ("get", rng.choice(READERS), rng.choice(nodes)), ("wait", 20.0)]
    return steps


def busy_steps(rng: random.Random, layout: Layout, faults: tuple[str, ...],
               length: int = 18) -> list[tuple]:
    """Overlapping puts and gets, short waits, and the faults named."""
    nodes = layout.nodes
    values, steps = Values(), []
    for _ in range(length):
        roll = rng.random()
        if roll < 0.6:
            steps.append(_operation(rng, nodes, values, put_share=0.45))
        elif roll < 0.8 or not faults:
            steps.append(("wait", rng.choice([0.5, 1.0, 2.0, 5.0, 30.0, 150.0])))
        else:
            fault = rng.choice(faults)
            if fault == "slow":
                a, b = rng.sample(nodes, 2)
                steps.append(("slow", a, b, rng.choice([5.0, 20.0, 60.0])))
            elif fault == "crash":
                steps.append((rng.choice(["crash", "crash", "recover"]), rng.choice(nodes)))
            elif fault == "partition":
                if rng.random() < 0.3:
                    steps.append(("heal",))
                else:
                    shuffled = nodes[:]
                    rng.shuffle(shuffled)
                    cut = rng.randint(1, len(nodes) - 1)
                    steps.append(("partition", (tuple(sorted(shuffled[:cut])),
                                                tuple(sorted(shuffled[cut:])))))
    # End with every fault lifted and a read of the final state.
    steps += [("heal",), *[("recover", node) for node in nodes], ("wait", 150.0),
              ("get", READERS[0], rng.choice(nodes)), ("wait", 150.0)]
    return steps


_SAFETY = ("answered", "fresh", "failed_is_nothing")

SCENARIOS = [
    Scenario("quiet", "no faults, one operation at a time", dict(CLUSTER),
             quiet_steps, ("answered", "fresh", "linearizable")),
    Scenario("slow links", "overlapping operations while some links are slow", dict(CLUSTER),
             lambda rng, layout: busy_steps(rng, layout, ("slow",)), _SAFETY),
    Scenario("nodes down", "overlapping operations while nodes crash and recover",
             dict(CLUSTER), lambda rng, layout: busy_steps(rng, layout, ("crash",)), _SAFETY),
    Scenario("partitions", "overlapping operations while the network splits and heals",
             dict(CLUSTER), lambda rng, layout: busy_steps(rng, layout, ("partition",)), _SAFETY),
    Scenario("chaos", "all of the above, and 5% of messages lost",
             {**CLUSTER, "loss": 0.05},
             lambda rng, layout: busy_steps(rng, layout, ("slow", "crash", "partition"),
                                            length=24),
             _SAFETY),
]


# -- hints: name the likely mistake from what the coordinator heard ----------------------

def _request(cluster, op_id: int):
    return next((r for r in _lab_requests(cluster) if r.op_id == op_id), None)


def _heard_before_answer(request, kind: str) -> list:
    return [reply for time, reply in request._heard
            if reply.kind == kind and request._answered_at is not None
            and time <= request._answered_at]


def _stale_hint(violation: Violation, cluster) -> str:
    read = _request(cluster, violation.op_ids[0]) if violation.op_ids else None
    history = cluster.history
    if read is not None:
        # The write the read missed: the newest put acknowledged before the read began.
        began = next(op.time for op in history if op.op_id == read.op_id)
        acked = [(inv, done) for inv, done in history.pairs()
                 if inv.f == "put" and done is not None and done.type == "ok"
                 and done.time <= began]
        if acked:
            put = _request(cluster, acked[-1][0].op_id)
            if put is not None:
                acks = {reply.src for reply in _heard_before_answer(put, "write_ack")}
                if len(acks) < put.quorum:
                    return (f"the put of {put.value!r} answered ok after {len(acks)} distinct "
                            f"acknowledgement(s), but W = {put.quorum}. Count the replicas "
                            f"that acknowledged (a set of reply.src) and succeed only when "
                            f"there are W of them.")
        replies = _heard_before_answer(read, "read_reply")
        repliers = {reply.src for reply in replies}
        if len(repliers) < read.quorum:
            return (f"the get answered after {len(repliers)} distinct replica(s) replied, but "
                    f"R = {read.quorum}. Wait for R different replicas before you answer.")
        versions = [reply.version for reply in replies if reply.version is not None]
        if versions:
            newest = max(versions)
            returned = next((op.value for op in history
                             if op.op_id == read.op_id and op.type == "ok"), None)
            newest_value = next(reply.value for reply in replies if reply.version == newest)
            if returned != [newest_value]:
                return (f"the get had heard version {newest!r} (value {newest_value!r}) but "
                        f"returned {returned!r}. Return the value of the highest version among "
                        f"the replies, not the first or the last to arrive.")
    return ("a read missed an acknowledged write. Check that a put answers only after W "
            "distinct replicas acknowledged, and that a get waits for R distinct replies and "
            "returns the value with the highest version.")


def hint(violation: Violation, cluster) -> str:
    """The likely mistake behind ``violation``, in words, read from the failing run."""
    prop = violation.prop
    if common_hint(prop):
        return common_hint(prop)
    if prop == "failed_is_nothing":
        return ("a write you answered with fail had already been sent, and a replica applied "
                "it. Once a write is sent its outcome is unknown until W replicas "
                "acknowledge: answer a time-out with request.give_up(...) (info), and use "
                "request.fail(...) only when nothing was sent.")
    if prop == "fresh":
        return _stale_hint(violation, cluster)
    return ("no single order of the operations explains the history. Compare each read with "
            "the writes acknowledged before it began.")
