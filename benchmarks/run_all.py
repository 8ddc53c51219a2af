"""Run every benchmark in this folder and print its figures (`make bench`)."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    failures = 0
    for script in sorted(HERE.glob("*.py")):
        if script.name in (Path(__file__).name, "simpy_baseline.py", "bare_baseline.py",
                           "closed_loop.py"):
            continue   # not benchmarks: the runner, the baselines and the shared driver
        print(f"== {script.name}", flush=True)
        failures += subprocess.run([sys.executable, str(script)]).returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
