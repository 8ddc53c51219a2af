"""Grade submitted exercise notebooks.

    python -m dynamo_lab.exercises.grade submissions/*.ipynb --csv grades.csv

Each notebook runs top to bottom in a fresh kernel, with a time limit per
cell; a cell that fails or hangs is recorded and the run goes on, so the
questions after it still count. Afterwards the grader asks the kernel for
every question's last outcome: correct, incorrect, wrong form or not
attempted. Only a correct answer scores a mark; an answer of the wrong form
scores nothing, like one not attempted, and the CSV records each outcome by
name. A notebook that cannot be read, whose kernel dies, or whose name is not
one of the course's exercise notebooks is reported as such, and the other
notebooks are graded all the same.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .questions import CORRECT, NOT_ATTEMPTED

__all__ = ["NotebookReport", "run_notebook", "grade", "main"]

_MARK = "DYNAMO_LAB_GRADE_REPORT:"
_REPORT_CELL = ("import json as _json\n"
                "from dynamo_lab.exercises import report as _report\n"
                f"print({_MARK!r} + _json.dumps(_report()))")
_SET_IMPORT = re.compile(r"from\s+dynamo_lab\.exercises\s+import\s+(ex\d\d)")


@dataclass
class NotebookReport:
    """What grading one notebook found."""

    path: Path
    status: str = "ok"            # ok | renamed | unreadable | kernel died | no questions
    exercise_set: str | None = None
    outcomes: dict[str, str] = field(default_factory=dict)   # question id -> outcome
    cell_errors: int = 0
    timed_out_cells: int = 0
    detail: str = ""

    @property
    def score(self) -> int:
        """The number of correct answers (wrong form and incorrect score nothing)."""
        return sum(outcome == CORRECT for outcome in self.outcomes.values())

    @property
    def total(self) -> int:
        return len(self.outcomes)

    def row(self) -> dict:
        return {"notebook": str(self.path), "status": self.status,
                "exercise_set": self.exercise_set or "", "score": self.score,
                "total": self.total, "cell_errors": self.cell_errors,
                "timed_out_cells": self.timed_out_cells,
                **{qid: outcome for qid, outcome in self.outcomes.items()}, "detail": self.detail}


def _expected_questions(exercise_set: str) -> list[str]:
    """The ids of the questions a set defines, built in a throw-away registry."""
    from importlib import import_module

    from . import questions as registry_module

    saved = list(registry_module._REGISTRY)
    try:
        return [q.qid for q in import_module(f"dynamo_lab.exercises.{exercise_set}").questions()]
    finally:
        registry_module._REGISTRY[:] = saved


def run_notebook(path: str | Path, *, cell_timeout_s: float = 120.0,
                 known_names: set[str] | None = None) -> NotebookReport:
    """Run one notebook in a fresh kernel and collect its questions' outcomes."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    path = Path(path)
    report = NotebookReport(path)
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # not JSON, not a notebook, missing...
        report.status, report.detail = "unreadable", f"{type(exc).__name__}: {exc}"
        return report
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    found = _SET_IMPORT.search(source)
    report.exercise_set = found.group(1) if found else None
    if known_names is not None and path.name not in known_names:
        report.status = "renamed"
        report.detail = f"expected one of: {', '.join(sorted(known_names))}"
    nb.cells.append(nbformat.v4.new_code_cell(_REPORT_CELL))
    client = NotebookClient(nb, timeout=cell_timeout_s, allow_errors=True,
                            interrupt_on_timeout=True, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    except DeadKernelError as exc:
        report.status, report.detail = "kernel died", str(exc).splitlines()[0]
    except Exception as exc:  # nbclient can fail in many ways; never stop the batch
        report.status, report.detail = "could not run", f"{type(exc).__name__}: {exc}"
    rows = []
    for cell in nb.cells[:-1]:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                report.cell_errors += 1
                if output.get("ename") in ("CellTimeoutError", "KeyboardInterrupt"):
                    report.timed_out_cells += 1
    for output in nb.cells[-1].get("outputs", []):
        for line in output.get("text", "").splitlines():
            if line.startswith(_MARK):
                rows = json.loads(line[len(_MARK):])
    outcomes = {}
    if report.exercise_set:
        outcomes = {qid: NOT_ATTEMPTED for qid in _expected_questions(report.exercise_set)}
    for row in rows:
        outcomes[row["question"]] = row["outcome"]
    report.outcomes = outcomes
    if not outcomes and report.status == "ok":
        report.status = "no questions"
        report.detail = "the notebook never set up an exercise set (from dynamo_lab.exercises import exNN)"
    return report


def _known_names() -> set[str]:
    here = Path(__file__).resolve().parents[2]   # the repository: dynamo_lab/exercises/ is two down
    names = {p.name for folder in ("solutions", "exercises") for p in (here / folder).glob("*.ipynb")}
    return names or None


def grade(paths, *, cell_timeout_s: float = 120.0, csv_path: str | Path | None = None,
          out=None) -> list[NotebookReport]:
    """Grade every notebook in ``paths``; print a table; optionally write CSV."""
    out = sys.stdout if out is None else out  # resolved now, so redirection works
    known = _known_names()
    reports = []
    for path in paths:
        print(f"grading {path} ...", file=out, flush=True)
        reports.append(run_notebook(path, cell_timeout_s=cell_timeout_s, known_names=known))
    width = max([len(str(r.path)) for r in reports] + [8])
    print(f"\n{'notebook':<{width}}  {'status':<13} {'set':<5} {'score':>7}  errors", file=out)
    for r in reports:
        print(f"{str(r.path):<{width}}  {r.status:<13} {r.exercise_set or '-':<5} "
              f"{r.score:>3}/{r.total:<3}  {r.cell_errors}"
              f"{'  ' + r.detail if r.detail else ''}", file=out)
    if csv_path is not None:
        rows = [r.row() for r in reports]
        columns = list(dict.fromkeys(key for row in rows for key in row))
        with open(csv_path, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
        print(f"\nwrote {csv_path}", file=out)
    return reports


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dynamo_lab.exercises.grade",
                                     description="Grade dynamo-lab exercise notebooks.")
    parser.add_argument("paths", nargs="+", help="submitted .ipynb files")
    parser.add_argument("--csv", dest="csv_path", help="also write the grades to this CSV file")
    parser.add_argument("--cell-timeout", type=float, default=120.0,
                        help="seconds a cell may run before it counts as hung (default 120)")
    args = parser.parse_args(argv)
    grade(args.paths, cell_timeout_s=args.cell_timeout, csv_path=args.csv_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
