"""The workload driver the benchmarks share: closed-loop clients on a cluster.

Each client reads a random key, then writes it with the read's context (or
deletes it, for every ``delete_every``-th pair), then starts its next pair,
until ``operations`` operations have been issued in all. The next operation
is scheduled from the done-callback, as ``PendingOperation`` asks, with
``sim.post``: it needs no handle to cancel it.

Used by ``throughput.py`` and ``fingerprint.py``; not a benchmark itself.
"""

from __future__ import annotations

import random

import dynamo_lab as dl


def start(cluster: dl.Cluster, *, clients: int, keys: list[str], operations: int, seed: int,
          delete_every: int = 0) -> None:
    """Start ``clients`` clients; run the cluster afterwards to carry them out."""
    workload = random.Random(seed)
    issued = [0]
    post = cluster.sim.post

    def next_pair(client):
        if issued[0] >= operations:
            return
        key = keys[workload.randrange(len(keys))]
        issued[0] += 2
        value = issued[0]
        client.start_get(key).add_done_callback(
            lambda read: post(0.0, write, (client, key, value,
                                           read.context if read.ok else None)))

    def write(client, key, value, context):
        if delete_every and value % (2 * delete_every) == 0:
            pending = client.start_delete(key, context=context)
        else:
            pending = client.start_put(key, value, context=context)
        pending.add_done_callback(lambda _: post(0.0, next_pair, (client,)))

    for i in range(clients):
        next_pair(cluster.client(f"c{i}"))
