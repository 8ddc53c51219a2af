"""Merkle trees: build and diff two 1,000,000-key replicas that differ in 100 keys.

Reports the tree build time, the diff time and the hashes compared, against
comparing every key directly. Medians over repeated runs.

    .venv/bin/python benchmarks/merkle.py [--keys 1000000] [--differ 100] [--repeats 3]
"""

import argparse
import random
import statistics
import time

from dynamo_lab.merkle import MerkleTree


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=1_000_000)
    parser.add_argument("--differ", type=int, default=100)
    parser.add_argument("--fanout", type=int, default=16)
    parser.add_argument("--depth", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    a = {f"key{i}": "v1" for i in range(args.keys)}
    b = dict(a)
    for key in random.Random(0).sample(sorted(a), args.differ):
        b[key] = "v2"

    builds, diffs, scans = [], [], []
    for _ in range(args.repeats):
        start = time.perf_counter()
        tree_a = MerkleTree.build(a, args.fanout, args.depth)
        tree_b = MerkleTree.build(b, args.fanout, args.depth)
        builds.append((time.perf_counter() - start) / 2)
        start = time.perf_counter()
        diff = tree_a.diff(tree_b)
        diffs.append(time.perf_counter() - start)
        start = time.perf_counter()
        scanned = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
        scans.append(time.perf_counter() - start)
    assert sorted(diff.keys) == scanned, "the Merkle diff must be exact"

    leaves = args.fanout ** args.depth
    print(f"two replicas of {args.keys:,} keys differing in {args.differ}; "
          f"fanout {args.fanout}, depth {args.depth} ({leaves:,} leaves); median of {args.repeats}")
    print(f"  build one tree:      {statistics.median(builds):.2f} s")
    print(f"  diff two trees:      {statistics.median(diffs) * 1000:.2f} ms, "
          f"{diff.hashes_compared:,} hashes compared, {len(diff.differing_leaves)} leaves "
          f"descended, {len(diff.keys)} keys found")
    print(f"  compare every key:   {statistics.median(scans) * 1000:.0f} ms, "
          f"{args.keys:,} version comparisons")
    print(f"  hashes compared / keys compared: {diff.hashes_compared / args.keys:.4%}")


if __name__ == "__main__":
    main()
