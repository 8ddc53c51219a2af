"""Re-execute lesson and solution notebooks in place, ready to commit.

    python tools/refresh_notebooks.py notebooks/03_quorums.ipynb solutions/03_quorums.ipynb

Each notebook runs top to bottom in a fresh kernel from its own folder. Then
saved widget state and widget views are removed: without their state a
widget view would show an error when the notebook is opened, so a cell that
displays a widget keeps its plain-text outputs only (none, when nbval is told
to ignore the cell), and the learner sees the live widget when running the
cell. Cell ids are made stable
(``cell-00``, ``cell-01``...) so diffs stay small. ``make notebooks`` runs
this on every lesson and solution and then regenerates the exercises.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

__all__ = ["refresh", "WIDGET_VIEW"]

#: The MIME type of a widget view in a notebook output.
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def refresh(path: str | Path, timeout_s: float = 300.0) -> float:
    """Execute one notebook in place; return how many seconds it took."""
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    NotebookClient(nb, timeout=timeout_s, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    elapsed = time.perf_counter() - started
    nb.metadata.pop("widgets", None)
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index:02d}"
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = _without_widget_views(cell)
    nbformat.write(nb, path)
    return elapsed


def _without_widget_views(cell) -> list:
    """The cell's outputs with widget views taken out.

    A widget whose output nbval ignores (``# NBVAL_IGNORE_OUTPUT``) leaves
    nothing. Any other widget keeps its plain text, which nbval then
    checks: a :class:`~dynamo_lab.widgets.Predict` prints its question and
    the seal of its hidden answer there.
    """
    kept = []
    for out in cell.outputs:
        data = out.get("data", {})
        if WIDGET_VIEW in data:
            if "NBVAL_IGNORE_OUTPUT" in cell.source:
                continue
            data.pop(WIDGET_VIEW)
            if not data:
                continue
        kept.append(out)
    return kept


def main(argv: list[str] | None = None) -> int:
    paths = sys.argv[1:] if argv is None else argv
    if not paths:
        print("usage: python tools/refresh_notebooks.py NOTEBOOK...", file=sys.stderr)
        return 2
    for path in paths:
        print(f"{path}: {refresh(path):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
