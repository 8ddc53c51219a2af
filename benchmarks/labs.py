"""How long the labs' checks take: the quick check a learner runs while working,
and the full check that counts, each with the lab's reference solution.

The targets (issue 25): a quick check under 3 s, a lab's full check under
30 s. The reference classes are read from the answered notebooks in
solutions/, as the tests read them. Run on demand::

    .venv/bin/python benchmarks/labs.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import dynamo_lab as dl

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from lab_solutions import reference_class  # noqa: E402

REFERENCES = {"lab1": ("lab1_quorum_replication.ipynb", "MyCoordinator"),
              "lab2": ("lab2_when_nodes_are_down.ipynb", "MyCoordinator"),
              "lab3": ("lab3_concurrent_writes.ipynb", "MyCoordinator"),
              "lab4": ("lab4_anti_entropy.ipynb", "MyReplica")}


def timed(lab: str, answer: type, quick: bool) -> tuple[float, int]:
    started = time.perf_counter()
    report = dl.labs.check(lab, answer, quick=quick)
    elapsed = time.perf_counter() - started
    assert report.passed, report.text()
    return elapsed, sum(len(result.seeds) for result in report.results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"{'lab':<6}{'quick (runs)':>22}{'full (runs)':>22}")
    for lab, (notebook, name) in REFERENCES.items():
        answer = reference_class(notebook, name)
        cells = []
        for quick in (True, False):
            times, runs = [], 0
            for _ in range(args.repeats):
                elapsed, runs = timed(lab, answer, quick)
                times.append(elapsed)
            cells.append(f"{statistics.median(times):8.2f} s ({runs:>3})")
        print(f"{lab:<6}{cells[0]:>22}{cells[1]:>22}")


if __name__ == "__main__":
    main()
