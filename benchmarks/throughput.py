"""Simulator throughput: client operations and delivered messages per second.

10,000 put/get pairs on 5 nodes, N = 3, R = W = 2, exponential latency
(mean 1 ms), with the full history and trace recorded. Each pair is a read
followed by a write carrying the read's context, over 100 keys. Reports the
median of several repeats.

    .venv/bin/python benchmarks/throughput.py [--pairs 10000] [--repeats 5]
"""

import argparse
import platform
import statistics
import time

import dynamo_lab as dl


def run_once(pairs: int, seed: int) -> tuple[float, int, int]:
    cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=seed,
                         latency=dl.latency.Exponential(mean_ms=1.0))
    keys = [f"key{i}" for i in range(100)]
    start = time.perf_counter()
    for i in range(pairs):
        key = keys[i % len(keys)]
        read = cluster.get(key)
        cluster.put(key, i, context=read.context)
    cluster.run_until_idle()
    elapsed = time.perf_counter() - start
    return elapsed, 2 * pairs, cluster.network.delivered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    runs = [run_once(args.pairs, seed) for seed in range(args.repeats)]
    ops_per_s = statistics.median(ops / t for t, ops, _ in runs)
    msgs_per_s = statistics.median(msgs / t for t, _, msgs in runs)
    seconds = statistics.median(t for t, _, _ in runs)
    print(f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(f"{args.pairs:,} put/get pairs, 5 nodes, N=3 R=W=2, exponential latency, "
          f"median of {args.repeats}:")
    print(f"  {seconds:.2f} s per run")
    print(f"  {ops_per_s:,.0f} client operations per second")
    print(f"  {msgs_per_s:,.0f} delivered messages per second")


if __name__ == "__main__":
    main()
