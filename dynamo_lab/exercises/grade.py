"""Grade submitted exercise notebooks: the learner's kernel answers, the grader judges.

    python -m dynamo_lab.exercises.grade submissions/*.ipynb --csv grades.csv

For each notebook, in turn:

1. **Run it in isolation.** A worker process in a session of its own
   (:mod:`~dynamo_lab.exercises.notebook_runner`) runs a private copy of the
   notebook in a fresh kernel, in a temporary copy of its folder (other
   notebooks and any ``dynamo_lab`` folder left out), with the package
   imported from this install. A cell that hangs or a kernel that dies is
   killed with its process group and the run goes on without that cell; the
   whole notebook has a wall-clock limit too.
2. **Collect answers, never outcomes.** The kernel's recorder
   (:mod:`~dynamo_lab.exercises.recorder`) wrote each answer to a file as it
   was checked. The last answer to each question counts, so answers given
   before a kernel died still count.
3. **Judge them here.** Each answer is checked again in this process against
   freshly built questions. A function answer is run in a sandbox
   (:mod:`~dynamo_lab.exercises.sandbox`) on the visible cases and on
   held-out cases drawn from this run's seed, and judged from what it
   returned. Free-text answers are *for review*: they earn no mark, and
   their texts are written to one Markdown file per question.

One notebook's failure, of any kind, is recorded on its row; the CSV is
always written, with one column per question of the course.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .answer_forms import Function, SubclassOf
from .answers import FunctionSource, Unsupported, decode
from .questions import (CORRECT, FOR_REVIEW, INCORRECT, LEARNER_ID, NOT_ATTEMPTED, CheckResult,
                        Mode, building, _REGISTRY)
from .sandbox import ReplayedFunction, kill_group, run_class, run_function, signature_of

__all__ = ["NotebookReport", "grade_notebook", "grade", "main", "course_question_ids",
           "CELL_TIMEOUT_S", "NOTEBOOK_TIMEOUT_S", "FUNCTION_TIMEOUT_S"]

#: Seconds a cell may run before its kernel is killed.
CELL_TIMEOUT_S = 120.0
#: Seconds a whole notebook may take, restarts and all.
NOTEBOOK_TIMEOUT_S = 900.0
#: Seconds a function answer's sandboxed check may take.
FUNCTION_TIMEOUT_S = 90.0

_SET_IMPORT = re.compile(r"from\s+dynamo_lab\.exercises\s+import\s+(ex\d\d)\b")
#: A lab notebook's set-up cell: ``lab = lab_question("lab1")``.
_LAB_SETUP = re.compile(r"lab_question\(\s*[\"'](lab\d+)[\"']\s*\)")
_SET_FROM_NAME = re.compile(r"^(\d\d)_")
_CSV_HEAD = ["notebook", "status", "exercise_set", "learner", "score", "total", "for_review",
             "cells_with_errors", "timed_out_cells", "kernel_deaths"]


@dataclass
class NotebookReport:
    """What grading one notebook found."""

    path: Path
    status: str = "ok"   # ok | renamed | unreadable | no questions | timed out | grader error
    exercise_set: str | None = None
    learner: str | None = None    # whose numbers, from the notebook's metadata (a release's)
    outcomes: dict[str, str] = field(default_factory=dict)    # question id -> outcome
    points: dict[str, tuple[int, int]] = field(default_factory=dict)  # a lab: (earned, possible)
    messages: dict[str, str] = field(default_factory=dict)    # question id -> why
    review: dict[str, str] = field(default_factory=dict)      # question id -> free text
    cell_errors: int = 0
    timed_out_cells: int = 0
    kernel_deaths: int = 0
    detail: str = ""

    @property
    def score(self) -> int:
        """A mark per correct answer, and a lab's passed scenarios; nothing else scores."""
        return (sum(outcome == CORRECT for qid, outcome in self.outcomes.items()
                    if qid not in self.points)
                + sum(earned for earned, _ in self.points.values()))

    @property
    def total(self) -> int:
        """Every question but the free-text ones, and each lab's scenarios."""
        return (sum(outcome != FOR_REVIEW for qid, outcome in self.outcomes.items()
                    if qid not in self.points)
                + sum(possible for _, possible in self.points.values()))

    def row(self, question_ids: list[str]) -> dict:
        """The CSV row: fixed columns, then one per course question id."""
        row = {"notebook": str(self.path), "status": self.status,
               "exercise_set": self.exercise_set or "", "learner": self.learner or "",
               "score": self.score,
               "total": self.total, "for_review": len(self.review),
               "cells_with_errors": self.cell_errors, "timed_out_cells": self.timed_out_cells,
               "kernel_deaths": self.kernel_deaths}
        row.update({qid: self.outcomes.get(qid, "") for qid in question_ids})
        row["detail"] = self.detail
        return row


def _build_questions(exercise_set: str, mode: Mode) -> list:
    """The set's questions built in ``mode``, leaving the process's registry as it was."""
    from importlib import import_module

    from ..labs import LABS

    saved = list(_REGISTRY)
    try:
        with building(mode):
            if exercise_set in LABS:
                from .labs import lab_question

                return [lab_question(exercise_set)]
            return import_module(f"dynamo_lab.exercises.{exercise_set}").questions()
    finally:
        _REGISTRY[:] = saved


def course_question_ids() -> list[str]:
    """Every question id of the course, set by set: the CSV's columns."""
    from ..labs import LABS
    from . import EXERCISE_SETS

    return [q.qid for name in (*EXERCISE_SETS, *LABS)
            for q in _build_questions(name, Mode(graded=True))]


def _exercise_set(path: Path, nb) -> str | None:
    """The set a notebook answers: from its set-up cell, else from its file name."""
    from . import EXERCISE_SETS

    from ..labs import LABS

    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    found = _SET_IMPORT.search(source)
    if found and found.group(1) in EXERCISE_SETS:
        return found.group(1)
    lab = _LAB_SETUP.search(source)
    if lab and lab.group(1) in LABS:
        return lab.group(1)
    by_name = _SET_FROM_NAME.match(path.name)
    if by_name and f"ex{by_name.group(1)}" in EXERCISE_SETS:
        return f"ex{by_name.group(1)}"
    return None


def _learner(nb) -> str | None:
    """The learner a release wrote into the notebook's metadata, if it is a plain id."""
    learner = (nb.metadata.get("dynamo_lab") or {}).get("learner")
    return learner if isinstance(learner, str) and LEARNER_ID.match(learner) else None


def _private_copy(path: Path, into: Path) -> Path:
    """Copy the notebook's folder into ``into``, without other notebooks or a ``dynamo_lab``."""
    def leave_out(folder, names):
        return [name for name in names
                if name in ("dynamo_lab", ".ipynb_checkpoints", "__pycache__")
                or (name.endswith(".ipynb") and Path(folder, name) != path)
                or Path(folder, name).is_symlink()]

    work = into / "submission"
    shutil.copytree(path.parent, work, ignore=leave_out)
    return work / path.name


def _run_in_kernel(copy: Path, scratch: Path, cell_timeout_s: float,
                   notebook_timeout_s: float, learner: str | None) -> tuple[dict, Path, bool]:
    """Run the copy through a worker; return its status, the answers file, and
    whether the wall-clock limit stopped it."""
    answers = scratch / "answers.jsonl"
    answers.touch()
    status_path, kernel_pid = scratch / "status.json", scratch / "kernel.pid"
    request = scratch / "request.json"
    request.write_text(json.dumps({"notebook": str(copy), "answers": str(answers),
                                   "cell_timeout_s": cell_timeout_s,
                                   "kernel_pid": str(kernel_pid), "status": str(status_path),
                                   "learner": learner}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DYNAMO_LAB_")}
    with open(scratch / "worker.log", "wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "-P", "-m", "dynamo_lab.exercises.notebook_runner", str(request)],
            cwd=scratch, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
            start_new_session=True)
        stopped = False
        try:
            worker.wait(timeout=notebook_timeout_s)
        except subprocess.TimeoutExpired:
            stopped = True
        # The kernel has a session of its own: kill it by its group, then the worker's.
        if kernel_pid.exists():
            try:
                kill_group(int(kernel_pid.read_text()))
            except ValueError:
                pass
        kill_group(worker.pid)
        worker.wait()
    status = {}
    if status_path.exists():
        try:
            status = json.loads(status_path.read_text())
        except ValueError:
            status = {}
    if not status:
        tail = (scratch / "worker.log").read_text(errors="replace").strip().splitlines()[-1:]
        status = {"detail": "the notebook could not be run" + (f": {tail[0]}" if tail else "")}
    return status, answers, stopped


def _last_answers(answers: Path) -> dict:
    """Question id -> the last answer recorded for it; unreadable lines are skipped."""
    last = {}
    for line in answers.read_text(errors="replace").splitlines():
        try:
            record = json.loads(line)
            qid, answer = record["question"], record["answer"]
        except (ValueError, KeyError, TypeError, RecursionError):
            continue
        if isinstance(qid, str):
            last[qid] = decode(answer)   # malformed data decodes to Unsupported
    return last


def _judge(exercise_set: str, question, answer, seed: int, function_timeout_s: float,
           learner: str | None = None) -> CheckResult:
    """Check one collected answer in this process."""
    if isinstance(answer, FunctionSource) and answer.kind == "class":
        if not isinstance(question.form, SubclassOf):
            return question.check(Unsupported("class"))
        verdict = run_class(exercise_set, question.qid, answer, held_out_seed=seed,
                            learner=learner, wall_limit_s=function_timeout_s)
        if verdict.problem:
            return CheckResult(INCORRECT, verdict.problem)
        question.points = verdict.points
        return CheckResult(verdict.outcome, verdict.message)
    if isinstance(answer, FunctionSource):
        if not isinstance(question.form, Function):
            return question.check(Unsupported("function"))
        result = run_function(exercise_set, question.qid, answer, held_out_seed=seed,
                              learner=learner, wall_limit_s=function_timeout_s)
        if result.problem:
            return CheckResult(INCORRECT, result.problem)
        return question.check(ReplayedFunction(result.calls, signature_of(answer), answer.name))
    return question.check(answer)


def grade_notebook(path: str | Path, *, seed: int, cell_timeout_s: float = CELL_TIMEOUT_S,
                   notebook_timeout_s: float = NOTEBOOK_TIMEOUT_S,
                   function_timeout_s: float = FUNCTION_TIMEOUT_S,
                   known_names: set[str] | None = None) -> NotebookReport:
    """Run one notebook in isolation, collect its answers and judge them here."""
    import nbformat

    path = Path(path).resolve()
    report = NotebookReport(path)
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # not JSON, not a notebook, missing...
        report.status, report.detail = "unreadable", f"{type(exc).__name__}: {exc}"
        return report
    report.exercise_set = _exercise_set(path, nb)
    if report.exercise_set is None:
        report.status = "no questions"
        report.detail = ("the notebook never sets up an exercise set "
                         "(from dynamo_lab.exercises import exNN)")
        return report
    if known_names and path.name not in known_names:
        report.status = "renamed"
        report.detail = f"expected one of the course's names, such as {sorted(known_names)[0]}"
    report.learner = _learner(nb)
    questions = _build_questions(report.exercise_set,
                                 Mode(graded=True, held_out_seed=seed, learner=report.learner))
    with tempfile.TemporaryDirectory(prefix="dynamo-lab-grade-") as scratch:
        copy = _private_copy(path, Path(scratch))
        status, answers_file, stopped = _run_in_kernel(copy, Path(scratch), cell_timeout_s,
                                                       notebook_timeout_s, report.learner)
        answers = _last_answers(answers_file)
    report.cell_errors = len(status.get("errors", []))
    report.timed_out_cells = len(status.get("timeouts", []))
    report.kernel_deaths = len(status.get("deaths", []))
    notes = [status.get("detail", "")]
    if stopped:
        report.status = "timed out"
        notes.append(f"the notebook ran over {notebook_timeout_s:g} s and was stopped; "
                     "answers checked before then count")
    if report.kernel_deaths:
        notes.append(f"the kernel died {report.kernel_deaths} time(s); answers checked before "
                     "each death count")
    for question in questions:
        if question.qid not in answers:
            report.outcomes[question.qid] = NOT_ATTEMPTED
            if question.kind == "lab":
                report.points[question.qid] = (0, len(question.module.SCENARIOS))
            continue
        try:
            result = _judge(report.exercise_set, question, answers[question.qid], seed,
                            function_timeout_s, report.learner)
        except Exception as exc:   # a checker's own failure must not lose the batch
            result = CheckResult(INCORRECT, f"the grader could not check this answer: "
                                            f"{type(exc).__name__}: {exc}")
        report.outcomes[question.qid] = result.outcome
        report.messages[question.qid] = result.message
        if question.kind == "lab":
            report.points[question.qid] = question.points
        if result.outcome == FOR_REVIEW:
            report.review[question.qid] = answers[question.qid]
    report.detail = "; ".join(note for note in notes + [report.detail] if note)
    return report


def _known_names() -> set[str] | None:
    here = Path(__file__).resolve().parents[2]   # the repository: dynamo_lab/exercises/ is two down
    names = {p.name for folder in ("solutions", "exercises") for p in (here / folder).glob("*.ipynb")}
    return names or None


def _write_review(reports: list[NotebookReport], folder: Path, question_ids: list[str]) -> list:
    """One Markdown file per free-text question, with every notebook's answer to it."""
    written = []
    for qid in question_ids:
        answered = [(r.path, r.review[qid]) for r in reports if qid in r.review]
        if not answered:
            continue
        folder.mkdir(parents=True, exist_ok=True)
        lines = [f"# {qid}: for review", ""]
        for notebook, text in answered:
            quoted = "\n".join("> " + line for line in str(text).splitlines()) or "> (empty)"
            lines += [f"## {notebook}", "", quoted, ""]
        target = folder / f"{qid}.md"
        target.write_text("\n".join(lines))
        written.append(target)
    return written


def grade(paths, *, cell_timeout_s: float = CELL_TIMEOUT_S,
          notebook_timeout_s: float = NOTEBOOK_TIMEOUT_S,
          function_timeout_s: float = FUNCTION_TIMEOUT_S, csv_path: str | Path | None = None,
          review_dir: str | Path | None = None, seed: int | None = None,
          out=None) -> list[NotebookReport]:
    """Grade every notebook in ``paths``; print a table; write the CSV and review files.

    ``seed`` draws the held-out cases; by default a fresh secret one, printed
    so that a run can be repeated.
    """
    out = sys.stdout if out is None else out  # resolved now, so redirection works
    seed = secrets.randbits(48) if seed is None else int(seed)
    known = _known_names()
    question_ids = course_question_ids()
    reports = []
    for path in paths:
        print(f"grading {path} ...", file=out, flush=True)
        started = time.monotonic()
        try:
            report = grade_notebook(path, seed=seed, cell_timeout_s=cell_timeout_s,
                                    notebook_timeout_s=notebook_timeout_s,
                                    function_timeout_s=function_timeout_s, known_names=known)
        except Exception as exc:   # never stop the batch
            report = NotebookReport(Path(path), status="grader error",
                                    detail=f"{type(exc).__name__}: {exc}")
        reports.append(report)
        print(f"   {report.status}, {report.score}/{report.total} "
              f"in {time.monotonic() - started:.0f} s", file=out, flush=True)
    width = max([len(str(r.path)) for r in reports] + [8])
    print(f"\n{'notebook':<{width}}  {'status':<13} {'set':<5} {'score':>7}  errors", file=out)
    for r in reports:
        print(f"{str(r.path):<{width}}  {r.status:<13} {r.exercise_set or '-':<5} "
              f"{r.score:>3}/{r.total:<3}  {r.cell_errors}"
              f"{'  ' + r.detail if r.detail else ''}", file=out)
    print(f"\nheld-out cases drawn with --seed {seed}", file=out)
    if csv_path is not None:
        with open(csv_path, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=_CSV_HEAD + question_ids + ["detail"])
            writer.writeheader()
            writer.writerows(r.row(question_ids) for r in reports)
        print(f"wrote {csv_path}", file=out)
        if review_dir is None:
            review_dir = Path(csv_path).with_name(Path(csv_path).stem + "_review")
    if review_dir is not None:
        for target in _write_review(reports, Path(review_dir), question_ids):
            print(f"wrote {target} (free-text answers, for a person to read)", file=out)
    return reports


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dynamo_lab.exercises.grade",
                                     description="Grade dynamo-lab exercise notebooks.")
    parser.add_argument("paths", nargs="+", help="submitted .ipynb files")
    parser.add_argument("--csv", dest="csv_path", help="write the grades to this CSV file")
    parser.add_argument("--review", dest="review_dir",
                        help="folder for the free-text answers, one Markdown file per question "
                             "(default: beside the CSV)")
    parser.add_argument("--cell-timeout", type=float, default=CELL_TIMEOUT_S,
                        help=f"seconds a cell may run before its kernel is killed "
                             f"(default {CELL_TIMEOUT_S:g})")
    parser.add_argument("--notebook-timeout", type=float, default=NOTEBOOK_TIMEOUT_S,
                        help=f"seconds a whole notebook may take (default {NOTEBOOK_TIMEOUT_S:g})")
    parser.add_argument("--function-timeout", type=float, default=FUNCTION_TIMEOUT_S,
                        help=f"seconds a function answer's sandboxed check may take "
                             f"(default {FUNCTION_TIMEOUT_S:g})")
    parser.add_argument("--seed", type=int, help="seed for the held-out cases "
                        "(default: a fresh secret one, printed at the end)")
    args = parser.parse_args(argv)
    grade(args.paths, cell_timeout_s=args.cell_timeout, notebook_timeout_s=args.notebook_timeout,
          function_timeout_s=args.function_timeout, csv_path=args.csv_path,
          review_dir=args.review_dir, seed=args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
