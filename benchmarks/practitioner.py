"""The practitioner's question, answered both ways, with how long each took.

"Which R and W for N = 3 on LinkedIn-SSD latency, for a read p99.9 under
5 ms and at most 0.1% stale reads?" ``sweep_configs`` answers it from PBS's
WARS Monte Carlo (``method="pbs"``, what ``"auto"`` picks for a question with
no faults) and by running the simulator (``method="simulator"``, 20,000
operations per configuration). Run on demand::

    .venv/bin/python benchmarks/practitioner.py [--ops 20000]
"""

from __future__ import annotations

import argparse
import time

from dynamo_lab.experiments.service_targets import ServiceTargets, sweep_configs

QUESTION = ServiceTargets(read_latency_ms=5.0, write_latency_ms=None, percentile="p99.9",
                          max_stale_pct=0.1, survive_crash=False, writable_in_partition=False)
GRID = {"n": [3], "r": [1, 2, 3], "w": [1, 2, 3]}
SHOWN = ["r", "w", "read_p99.9_ms", "stale_pct", "stale_pct_low", "stale_pct_high", "passes",
         "uncertain"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=20_000)
    args = parser.parse_args()
    for method, options in (("pbs", {}), ("simulator", {"ops": args.ops})):
        started = time.perf_counter()
        table = sweep_configs(GRID, QUESTION, latency="LNKD-SSD", method=method, **options)
        elapsed = time.perf_counter() - started
        passing = [f"R={r} W={w}" for r, w in table.loc[table.passes, ["r", "w"]].values]
        print(f"\n{method}: {elapsed:.1f} s for {len(table)} configurations; "
              f"passing: {', '.join(passing)}")
        print(table[SHOWN].round(3).to_string(index=False))


if __name__ == "__main__":
    main()
