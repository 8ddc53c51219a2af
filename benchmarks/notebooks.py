"""How long every lesson and solution notebook takes to run (target: all under 3 minutes).

Executes each notebook in a fresh kernel, one after the other, as nbval
does, and prints its time and the total.

    .venv/bin/python benchmarks/notebooks.py
"""

import subprocess
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    paths = (sorted((ROOT / "notebooks").glob("*.ipynb"))
             + sorted((ROOT / "notebooks" / "deep_dives").glob("*.ipynb"))
             + sorted((ROOT / "solutions").glob("*.ipynb")))
    total = 0.0
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        # The kernel's own stderr is only its start-up chatter (a warning
        # about local TCP); a failing cell still raises CellExecutionError.
        NotebookClient(notebook, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}
                       ).execute(stderr=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
        total += seconds
        print(f"  {seconds:6.1f} s  {path.relative_to(ROOT)}", flush=True)
    print(f"{len(paths)} notebooks in {total:.0f} s (target: under 180 s)")


if __name__ == "__main__":
    main()
