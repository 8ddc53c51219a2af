"""A lean SimPy model of the throughput workload, as a speed baseline.

SimPy is the standard discrete-event library for Python. This model does
the least the workload needs, so that it is a fair bar for dynamo-lab to
clear: a SimPy process per client operation, a timeout per message leg
(request, then reply) to each remote replica, vector clocks with siblings
at the replicas, and nothing else: no history, no trace, no time-outs, no
read repair, no failure detection.

Used by ``throughput.py``; not part of the package.
"""

from __future__ import annotations

import random

import simpy


def descends(a: dict, b: dict) -> bool:
    return all(a.get(node, 0) >= counter for node, counter in b.items())


def merge_clocks(a: dict, b: dict) -> dict:
    merged = dict(a)
    for node, counter in b.items():
        if counter > merged.get(node, 0):
            merged[node] = counter
    return merged


def add_version(versions: list, clock: dict, value) -> list:
    """Keep the versions no other version descends from (siblings)."""
    if any(descends(old, clock) for old, _ in versions):
        return versions
    return [(old, v) for old, v in versions if not descends(clock, old)] + [(clock, value)]


class SimPyCluster:
    """N-way replicated key-value store on SimPy; coordinators are the first home replica."""

    def __init__(self, homes: dict, n: int, r: int, w: int, mean_ms: float, seed: int):
        self.env = simpy.Environment()
        self.rng = random.Random(seed)
        self.homes, self.n, self.r, self.w = homes, n, r, w
        self.rate = 1.0 / mean_ms
        self.stores: dict[str, dict] = {node: {} for home in homes.values() for node in home}
        self.delivered = 0
        self.operations = 0

    def _leg(self):
        self.delivered += 1
        return self.env.timeout(self.rng.expovariate(self.rate))

    def _remote_put(self, node, key, clock, value, quorum):
        yield self._leg()                                   # put request
        store = self.stores[node]
        store[key] = add_version(store.get(key, []), clock, value)
        yield self._leg()                                   # acknowledgement
        quorum.answer()

    def _remote_get(self, node, key, quorum):
        yield self._leg()                                   # get request
        versions = list(self.stores[node].get(key, []))
        yield self._leg()                                   # reply
        quorum.answer(versions)

    def put(self, key, value, context: dict):
        """A process: stamp at the coordinator, send to the other replicas, wait for W."""
        home = self.homes[key]
        coordinator = home[0]
        store = self.stores[coordinator]
        clock = merge_clocks(context, {})
        clock[coordinator] = max([clock.get(coordinator, 0)] +
                                 [c.get(coordinator, 0) for c, _ in store.get(key, [])]) + 1
        store[key] = add_version(store.get(key, []), clock, value)
        quorum = _Quorum(self.env, self.w, first=[])
        for node in home[1:self.n]:
            self.env.process(self._remote_put(node, key, clock, value, quorum))
        yield quorum.event
        self.operations += 1
        return clock

    def get(self, key):
        """A process: ask every replica, wait for R replies, merge their versions."""
        home = self.homes[key]
        quorum = _Quorum(self.env, self.r, first=list(self.stores[home[0]].get(key, [])))
        for node in home[1:self.n]:
            self.env.process(self._remote_get(node, key, quorum))
        versions = yield quorum.event
        merged: list = []
        context: dict = {}
        for clock, value in versions:
            merged = add_version(merged, clock, value)
            context = merge_clocks(context, clock)
        self.operations += 1
        return context


class _Quorum:
    """Succeeds once ``needed`` answers (the coordinator's own counts as one) are in."""

    def __init__(self, env, needed: int, first: list):
        self.event = env.event()
        self.needed = needed
        self.count = 1
        self.versions = list(first)
        self._check()

    def answer(self, versions=()):
        self.count += 1
        self.versions.extend(versions)
        self._check()

    def _check(self):
        if self.count >= self.needed and not self.event.triggered:
            self.event.succeed(self.versions)


def run(homes: dict, keys: list, operations: int, clients: int, seed: int,
        n: int = 3, r: int = 2, w: int = 2, mean_ms: float = 1.0) -> SimPyCluster:
    """Closed-loop clients alternate a get and a put (with the get's context)."""
    cluster = SimPyCluster(homes, n, r, w, mean_ms, seed)
    workload = random.Random(seed)
    issued = [0]

    def client():
        while issued[0] < operations:
            key = keys[workload.randrange(len(keys))]
            issued[0] += 2
            context = yield cluster.env.process(cluster.get(key))
            yield cluster.env.process(cluster.put(key, issued[0], context))

    for _ in range(clients):
        cluster.env.process(client())
    cluster.env.run()
    return cluster
