"""WARS Monte Carlo: t-visibility from a million trials per production fit.

Times :func:`dynamo_lab.pbs.t_visibility` with 1,000,000 trials for each of
the PBS paper's fits (N = 3, R = W = 1, t = 0 and 10 ms), median of repeats.

    .venv/bin/python benchmarks/wars.py [--trials 1000000] [--repeats 3]
"""

import argparse
import statistics
import time

from dynamo_lab import latency
from dynamo_lab.pbs import t_visibility

FITS = {"LNKD-SSD": latency.LNKD_SSD, "LNKD-DISK": latency.LNKD_DISK, "YMMR": latency.YMMR,
        "WAN": latency.WAN}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"t-visibility, N=3 R=W=1, {args.trials:,} trials, median of {args.repeats}:")
    for name, model in FITS.items():
        times, result = [], None
        for seed in range(args.repeats):
            start = time.perf_counter()
            result = t_visibility(model, 3, 1, 1, t_ms=[0.0, 10.0], trials=args.trials, seed=seed)
            times.append(time.perf_counter() - start)
        seconds = statistics.median(times)
        print(f"  {name:9} {seconds:6.2f} s  ({args.trials / seconds:,.0f} trials/s); "
              f"P(consistent) at 0 ms {result[0]:.3f}, at 10 ms {result[1]:.3f}")


if __name__ == "__main__":
    main()
