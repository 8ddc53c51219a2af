"""The throughput workload on a bare event loop: a floor, not a simulator.

The SimPy model's work (vector clocks with siblings at the replicas, a
request and a reply per remote replica, answers after R or W) written as
plain callbacks on a ``heapq`` of ``(time, sequence, callback, args)``,
with a history and a message trace kept as flat lists. It has no time-outs,
failure detection, read repair, results or checks, so no simulator with
those can match it; it shows how much of the gap between dynamo-lab and
SimPy is Python's event handling and how much is the model's own work.

Used by ``throughput.py``; not part of the package.
"""

from __future__ import annotations

import heapq
import random

from simpy_baseline import add_version, merge_clocks


class BareCluster:
    """Coordinators are the first home replica, as in the SimPy model."""

    def __init__(self, homes: dict, n: int, r: int, w: int, mean_ms: float, seed: int):
        self.rng = random.Random(seed)
        self.homes, self.n, self.r, self.w = homes, n, r, w
        self.rate = 1.0 / mean_ms
        self.stores: dict[str, dict] = {node: {} for home in homes.values() for node in home}
        self.heap: list = []
        self.sequence = 0
        self.now = 0.0
        self.history: list = []   # 7 fields per record
        self.trace: list = []     # 6 fields per message event
        self.delivered = 0
        self.operations = 0

    def at(self, delay: float, callback, args: tuple) -> None:
        self.sequence += 1
        heapq.heappush(self.heap, (self.now + delay, self.sequence, callback, args))

    def run(self) -> None:
        heap, pop = self.heap, heapq.heappop
        while heap:
            self.now, _, callback, args = pop(heap)
            callback(*args)

    # -- messages --------------------------------------------------------------
    def send(self, src: str, dst: str, kind: str, key: str, call: "_Call", payload) -> None:
        self.trace.extend((self.now, "send", src, dst, kind, key))
        self.at(self.rng.expovariate(self.rate), self.arrive, (src, dst, kind, key, call, payload))

    def arrive(self, src: str, dst: str, kind: str, key: str, call: "_Call", payload) -> None:
        self.trace.extend((self.now, "deliver", src, dst, kind, key))
        self.delivered += 1
        store = self.stores[dst]
        if kind == "put_req":
            store[key] = add_version(store.get(key, []), *payload)
            self.send(dst, src, "put_ack", key, call, ())
        elif kind == "get_req":
            self.send(dst, src, "get_resp", key, call, list(store.get(key, [])))
        else:
            call.answer(payload)

    # -- operations ---------------------------------------------------------------
    def get(self, client: str, key: str, then) -> None:
        home = self.homes[key]
        call = _Call(self, client, "get", key, None, self.r, then)
        call.versions.extend(self.stores[home[0]].get(key, []))
        for node in home[1:self.n]:
            self.send(home[0], node, "get_req", key, call, None)

    def put(self, client: str, key: str, value, context: dict, then) -> None:
        home = self.homes[key]
        coordinator = home[0]
        store = self.stores[coordinator]
        clock = dict(context)
        clock[coordinator] = max([clock.get(coordinator, 0)] +
                                 [c.get(coordinator, 0) for c, _ in store.get(key, [])]) + 1
        store[key] = add_version(store.get(key, []), clock, value)
        call = _Call(self, client, "put", key, value, self.w, then)
        for node in home[1:self.n]:
            self.send(coordinator, node, "put_req", key, call, (clock, value))


class _Call:
    """One client operation: counts answers (its coordinator's own is the first)."""

    __slots__ = ("cluster", "client", "f", "key", "value", "needed", "count", "versions", "then")

    def __init__(self, cluster: BareCluster, client: str, f: str, key: str, value,
                 needed: int, then):
        self.cluster, self.client, self.f, self.key, self.value = cluster, client, f, key, value
        self.needed, self.count, self.versions, self.then = needed, 1, [], then
        cluster.history.extend((cluster.now, client, "invoke", f, key, value, None))
        self._check()

    def answer(self, versions) -> None:
        self.count += 1
        self.versions.extend(versions)
        self._check()

    def _check(self) -> None:
        if self.count == self.needed:
            cluster = self.cluster
            cluster.history.extend((cluster.now, self.client, "ok", self.f, self.key,
                                    self.value, None))
            cluster.operations += 1
            self.then(self)


def run(homes: dict, keys: list, operations: int, clients: int, seed: int,
        n: int = 3, r: int = 2, w: int = 2, mean_ms: float = 1.0) -> BareCluster:
    """Closed-loop clients alternate a get and a put (with the get's context)."""
    cluster = BareCluster(homes, n, r, w, mean_ms, seed)
    workload = random.Random(seed)
    issued = [0]

    def next_pair(client: str) -> None:
        if issued[0] >= operations:
            return
        key = keys[workload.randrange(len(keys))]
        issued[0] += 2
        value = issued[0]
        cluster.get(client, key, lambda read: cluster.at(0.0, write, (client, key, value, read)))

    def write(client: str, key: str, value, read: _Call) -> None:
        merged: list = []
        context: dict = {}
        for clock, version in read.versions:
            merged = add_version(merged, clock, version)
            context = merge_clocks(context, clock)
        cluster.put(client, key, value, context, lambda _: cluster.at(0.0, next_pair, (client,)))

    for i in range(clients):
        cluster.at(0.0, next_pair, (f"c{i}",))
    cluster.run()
    return cluster
