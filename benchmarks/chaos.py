"""The chaos soak: many seeded chaos runs, and what they lost, explained and settled.

Runs ``dynamo_lab.experiments.chaos.chaos_run`` over 100 seeds (by default),
each with and without data-losing crashes: six nodes, six read-modify-write
clients on 20 keys, 2,000 operations, message loss, crashes and partitions,
then heal, recover and ``settle()``. Prints, for each kind of run:

- acknowledged writes;
- acknowledged writes lost (by the clients' own record), and how many of
  those a data-losing crash of their last holder explains;
- runs that came to rest after ``settle()``;
- runs in which ``checks.lost_writes``, reading only the history, found
  exactly the lost writes.

    .venv/bin/python benchmarks/chaos.py [--seeds 100] [--operations 2000]

Exits with status 1 if any loss is unexplained, any run stays unsettled, or
the checker disagrees with the clients' record in any run.
"""

import argparse
import sys
import time

from dynamo_lab.experiments.chaos import chaos_run


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--operations", type=int, default=2000)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    problems = 0
    print(f"{args.seeds} seeds x {args.operations} operations, six nodes, loss 2%, crashes "
          "and partitions; then heal, recover and settle()")
    for data_loss in (True, False):
        acknowledged = lost = explained = settled = agreed = 0
        for seed in range(args.seeds):
            run = chaos_run(seed, operations=args.operations, data_loss=data_loss)
            acknowledged += run.acknowledged
            lost += sum(map(len, run.lost.values()))
            explained += sum(map(len, run.explained.values()))
            settled += run.converged
            agreed += run.checker_agrees
            if run.unexplained_losses or not run.converged or not run.checker_agrees:
                problems += 1
                print(f"  seed {seed}: unexplained {run.unexplained_losses}, "
                      f"settled {run.converged}, checker agrees {run.checker_agrees}")
        kind = "with data-losing crashes" if data_loss else "crashes keep their data"
        print(f"{kind}:")
        print(f"  acknowledged writes              {acknowledged:,}")
        print(f"  lost                             {lost:,} ({explained:,} explained by a "
              f"data-losing crash of the last holder, {lost - explained:,} unexplained)")
        print(f"  at rest after settle()           {settled} of {args.seeds} runs")
        print(f"  lost_writes matches the record   {agreed} of {args.seeds} runs")
    print(f"{time.perf_counter() - started:.0f} s")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
