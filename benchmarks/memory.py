"""Peak memory of a cluster storing 1,000,000 keys, written through the simulator.

5 nodes, N = 3, W = 2, 8 concurrent clients each writing distinct keys until
``--keys`` have been written (so 3,000,000 replicas), with the full history
and trace recorded. Reports the process's peak resident memory before and
after, per key, and how much of it the history and trace account for.

    .venv/bin/python benchmarks/memory.py [--keys 1000000]
"""

import argparse
import gc
import platform
import resource
import time

import dynamo_lab as dl

CLIENTS = 8


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=1_000_000)
    args = parser.parse_args()
    gc.collect()
    before = peak_rss_mb()
    cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=0)
    written = [0]
    schedule = cluster.sim.schedule

    def next_write(client):
        if written[0] >= args.keys:
            return
        written[0] += 1
        key = f"key{written[0]:07d}"
        client.start_put(key, written[0]).add_done_callback(
            lambda _: schedule(0.0, next_write, client))

    start = time.perf_counter()
    for i in range(CLIENTS):
        next_write(cluster.client(f"c{i}"))
    cluster.run_until_idle()
    elapsed = time.perf_counter() - start
    stored = sum(len(cluster.node(n).store) for n in cluster.nodes)
    after = peak_rss_mb()
    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    print(f"{args.keys:,} keys written in {elapsed:.1f} s ({args.keys / elapsed:,.0f} puts/s); "
          f"{stored:,} replicas stored; {len(cluster.history):,} history events, "
          f"{len(cluster.trace):,} trace events")
    print(f"  peak RSS {after:,.0f} MB ({before:,.0f} MB before the cluster): "
          f"{(after - before) * 1024 * 1024 / args.keys:,.0f} bytes per key, history and "
          f"trace included")


if __name__ == "__main__":
    main()
