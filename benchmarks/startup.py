"""How long `import dynamo_lab` takes in a fresh interpreter (target: under 0.3 s).

Median of several fresh processes; also names the slowest imports that
``python -X importtime`` reports.

    .venv/bin/python benchmarks/startup.py [--repeats 7]
"""

import argparse
import statistics
import subprocess
import sys

CODE = "import time; t = time.perf_counter(); import dynamo_lab; print(time.perf_counter() - t)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    times = [float(subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True,
                                  check=True).stdout) for _ in range(args.repeats)]
    print(f"import dynamo_lab: median {statistics.median(times) * 1000:.0f} ms over "
          f"{args.repeats} fresh interpreters (target < 300 ms)")
    report = subprocess.run([sys.executable, "-X", "importtime", "-c", "import dynamo_lab"],
                            capture_output=True, text=True, check=True).stderr
    rows = []
    for line in report.splitlines()[1:]:
        parts = line.split("|")
        if len(parts) == 3:
            rows.append((int(parts[1]), parts[2].rstrip()))
    for cumulative, name in sorted(rows, reverse=True)[1:6]:
        print(f"  {cumulative / 1000:7.1f} ms  {name}")


if __name__ == "__main__":
    main()
