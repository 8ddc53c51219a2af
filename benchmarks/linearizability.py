"""The linearizability checker on every file of the labelled corpus.

Reads ``../shared/data/linearizability/MANIFEST.tsv`` (next to the
checkout), checks each history (etcd logs as a CAS register, the EDN files
as a key-value map), compares with the label, and reports the slowest files,
the median and the total.

    .venv/bin/python benchmarks/linearizability.py [--data PATH]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

from dynamo_lab.checks import linearizable, read_history

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "linearizability"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT)
    args = parser.parse_args()
    manifest = args.data / "MANIFEST.tsv"
    if not manifest.exists():
        print(f"no corpus at {args.data}; pass --data PATH")
        return 0
    rows = [line.split("\t") for line in manifest.read_text().splitlines()[1:] if line.strip()]
    timings, mismatches = [], 0
    for name, label in rows:
        history = read_history(args.data / name)
        model = "cas_register" if name.startswith("etcd") else "kv"
        start = time.perf_counter()
        result = linearizable(history, model=model)
        timings.append((time.perf_counter() - start, name, len(history.pairs())))
        mismatches += result.valid != (label.strip() == "true")
    timings.sort(reverse=True)
    print(f"{len(rows)} histories, {mismatches} disagreements with the labels")
    for seconds, name, operations in timings[:3]:
        print(f"  {name}: {operations} operations, {seconds:.3f} s")
    print(f"  median {statistics.median(t for t, _, _ in timings) * 1000:.2f} ms, "
          f"total {sum(t for t, _, _ in timings):.2f} s")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
