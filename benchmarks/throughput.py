"""Simulator throughput against a lean SimPy model of the same workload.

5 nodes, N = 3, R = W = 2, exponential latency (mean 1 ms), 100 keys, 8
closed-loop clients that each alternate a get and a put carrying the get's
context, 100,000 client operations in all. dynamo-lab records its full
history and message trace; the SimPy model (``simpy_baseline.py``) records
nothing. A third model (``bare_baseline.py``) does the SimPy model's work as
plain callbacks on a heap, with a flat history and trace: a floor for what
Python's event handling costs. All run in the same process, one after the
other, repeated; the medians are reported, with dynamo-lab's ratio to SimPy.
The ratio is taken within each repeat, from two runs a few seconds apart,
and its median reported: this machine's speed drifts by a quarter or more
over minutes, which a ratio of two separate medians would take for a
difference between the simulators.

    .venv/bin/python benchmarks/throughput.py [--ops 100000] [--repeats 5]
"""

import argparse
import gc
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bare_baseline  # noqa: E402
import closed_loop  # noqa: E402
import dynamo_lab as dl  # noqa: E402
import simpy_baseline  # noqa: E402

NODES, N, R, W, KEYS, CLIENTS = 5, 3, 2, 2, 100, 8


def run_dynamo_lab(operations: int, seed: int) -> tuple[float, int, int]:
    cluster = dl.Cluster(nodes=NODES, n=N, r=R, w=W, seed=seed,
                         latency=dl.latency.Exponential(mean_ms=1.0))
    gc.collect()            # start clean: no garbage left over from the previous run
    start = time.perf_counter()
    closed_loop.start(cluster, clients=CLIENTS, keys=[f"key{i}" for i in range(KEYS)],
                      operations=operations, seed=seed)
    cluster.run_until_idle()
    elapsed = time.perf_counter() - start
    assert len(cluster.history) == 2 * operations          # invocations and completions
    return elapsed, operations, cluster.network.delivered


def run_baseline(module, operations: int, seed: int) -> tuple[float, int, int]:
    """Time ``module.run`` (SimPy's or the bare loop's) on the same keys and homes."""
    ring = dl.Cluster(nodes=NODES, n=N, seed=seed).ring
    keys = [f"key{i}" for i in range(KEYS)]
    homes = {key: ring.home_replicas(key) for key in keys}
    gc.collect()
    start = time.perf_counter()
    model = module.run(homes, keys, operations, CLIENTS, seed, n=N, r=R, w=W)
    elapsed = time.perf_counter() - start
    return elapsed, model.operations, model.delivered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    results = {"dynamo-lab": [], "SimPy": [], "bare loop": []}
    for seed in range(args.repeats):
        results["dynamo-lab"].append(run_dynamo_lab(args.ops, seed))
        results["SimPy"].append(run_baseline(simpy_baseline, args.ops, seed))
        results["bare loop"].append(run_baseline(bare_baseline, args.ops, seed))
    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    print(f"{args.ops:,} operations, {CLIENTS} clients, {NODES} nodes, N={N} R={R} W={W}, "
          f"exponential latency; median of {args.repeats}:")
    for name, runs in results.items():
        seconds = statistics.median(t for t, _, _ in runs)
        ops = statistics.median(o / t for t, o, _ in runs)
        msgs = statistics.median(m / t for t, _, m in runs)
        print(f"  {name:10} {seconds:6.2f} s  {ops:9,.0f} operations/s  "
              f"{msgs:9,.0f} delivered messages/s")
    ratios = [(o / t) / (so / st)
              for (t, o, _), (st, so, _) in zip(results["dynamo-lab"], results["SimPy"])]
    print(f"  ratio dynamo-lab / SimPy (operations/s): median {statistics.median(ratios):.2f}, "
          f"{min(ratios):.2f} to {max(ratios):.2f} over the repeats (target >= 1.0)")


if __name__ == "__main__":
    main()
