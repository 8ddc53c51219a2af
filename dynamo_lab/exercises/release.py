"""Write a learner's copy of the course: lessons and exercises, no solutions.

    python -m dynamo_lab.exercises.release DIR [--graded] [--force]
    make release DIR=... [GRADED=1]

The copy holds ``notebooks/``, ``exercises/``, the ``dynamo_lab`` package,
the files that install it (``pyproject.toml``, ``environment.yml``,
``postBuild``, ``LICENSE``) and the launcher ``tools/lab.py``, with a
Makefile whose ``make lab`` opens lesson 00 and a short README for
learners. It leaves out ``solutions/``, the tests, the benchmarks and the
authoring tools.

With ``--graded``, the package in the copy carries a marker file that puts
it in graded mode: ``q.solution()`` and ``q.reference_answer()`` say they are
off, while ``q.check`` and ``q.hint`` work as before. (A learner can set
``DYNAMO_LAB_GRADED=1`` for the same effect on a full checkout.)

With ``--learner ID`` (graded only), the copy is that learner's: the
questions that draw their numbers (:func:`~dynamo_lab.exercises.questions.drawn`)
use the learner's, and every exercise notebook names the learner in its
metadata, which is where the grader reads whose numbers to expect. Give
``--learner`` several times to write one copy per learner, in a folder each.

The reference answers are still in the package's source, as they must be
for ``check`` to work offline; the grader, not the copy, is what an
instructor relies on (see the README's section for instructors).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from .questions import LEARNER_ID, RELEASE_MARKER


__all__ = ["release", "main", "SHIPPED"]

#: What a learner's copy holds, relative to the repository.
SHIPPED = ("notebooks", "exercises", "dynamo_lab", "tools/lab.py", "pyproject.toml",
           "environment.yml", "postBuild", "LICENSE")

_MAKEFILE = """\
# dynamo-lab, learner's copy: `make lab` opens the course in JupyterLab.
# It creates a virtual environment in .venv on first use and reuses it.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
LAB_ARGS ?=

.PHONY: lab
lab: $(VENV)/.installed  ## open the course in JupyterLab at lesson 00
\t$(BIN)/python tools/lab.py $(LAB_ARGS)

$(VENV)/.installed: pyproject.toml
\t$(PYTHON) -m venv $(VENV)
\t$(BIN)/python -m pip install --quiet --upgrade pip
\t$(BIN)/python -m pip install --quiet -e .
\t@touch $@
"""

_README = """\
# dynamo-lab: learner's copy

A course in Dynamo-style leaderless replication, with an in-memory cluster
simulator. Open it with

    make lab

(Python 3.11 or later). It prints the address of lesson 00; the lessons are
in `notebooks/`, and each lesson's exercises in `exercises/`.

In an exercise notebook, `q1.check(answer)` tells you whether an answer is
right, and `q1.hint()` gives a hint (`q1.hint(2)` a more specific one).
{mode}
"""

_GRADED = """
This copy is **graded**: `q.solution()` is off. Hand in your exercise
notebooks as your instructor asks; the grader runs them again and judges
each answer itself.
"""

_SELF_STUDY = """
`q1.solution()` shows the reference answer, for when you are stuck.
"""


def _repository() -> Path:
    return Path(__file__).resolve().parents[2]


def release(target: str | Path, *, graded: bool = False, force: bool = False,
            source: str | Path | None = None, learner: str | None = None) -> Path:
    """Write a learner's copy of the repository ``source`` into ``target``."""
    source = Path(source) if source is not None else _repository()
    if learner is not None:
        if not graded:
            raise ValueError("a copy for one learner (learner=...) must be graded: pass graded=True")
        if not LEARNER_ID.match(learner):
            raise ValueError(f"learner={learner!r} is not allowed: use 1 to 64 letters, digits "
                             "and . _ @ -, such as a student number")
    target = Path(target)
    missing = [item for item in SHIPPED if not (source / item).exists()]
    if missing:
        raise ValueError(f"{source} is not a dynamo-lab checkout: it has no "
                         f"{', '.join(missing)}")
    if target.exists() and any(target.iterdir()):
        if not force:
            raise ValueError(f"{target} exists and is not empty; choose a new folder or pass "
                             "--force to replace it")
        shutil.rmtree(target)
    if target.resolve().is_relative_to(source.resolve()):
        raise ValueError(f"{target} is inside the repository; write the copy elsewhere")
    target.mkdir(parents=True, exist_ok=True)
    skip = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "*.so", "*.pyc",
                                  RELEASE_MARKER.name)
    for item in SHIPPED:
        origin, copy = source / item, target / item
        copy.parent.mkdir(parents=True, exist_ok=True)
        if origin.is_dir():
            shutil.copytree(origin, copy, ignore=skip)
        else:
            shutil.copy2(origin, copy)
    (target / "Makefile").write_text(_MAKEFILE)
    (target / "README.md").write_text(_README.format(mode=_GRADED if graded else _SELF_STUDY))
    if graded:
        marker = target / "dynamo_lab" / "exercises" / RELEASE_MARKER.name
        marker.write_text((f"learner: {learner}\n" if learner else "")
                          + "This copy of dynamo-lab is graded: solution() and "
                          "reference_answer() are off.\n")
    if learner:
        _name_the_learner(target / "exercises", learner)
    return target


def _name_the_learner(folder: Path, learner: str) -> None:
    """Write the learner's id into every exercise notebook's metadata."""
    import nbformat

    for path in sorted(folder.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        nb.metadata["dynamo_lab"] = {"learner": learner}
        nbformat.write(nb, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dynamo_lab.exercises.release",
                                     description="Write a learner's copy of the course "
                                                 "(lessons and exercises, no solutions).")
    parser.add_argument("target", help="folder to write the copy into (new or empty)")
    parser.add_argument("--graded", action="store_true",
                        help="turn off solution() and reference_answer() in the copy")
    parser.add_argument("--force", action="store_true", help="replace a non-empty folder")
    parser.add_argument("--learner", action="append", default=[],
                        help="write the copy for this learner (with --graded; repeat for "
                             "one copy per learner, each in TARGET/LEARNER)")
    args = parser.parse_args(argv)
    learners = args.learner or [None]
    try:
        for learner in learners:
            target = Path(args.target) / learner if len(learners) > 1 else Path(args.target)
            where = release(target, graded=args.graded, force=args.force, learner=learner)
            mode = "graded" if args.graded else "self-study"
            whose = f" for {learner}" if learner else ""
            print(f"wrote a {mode} learner's copy{whose} to {where} (no solutions/)")
    except ValueError as exc:
        print(f"release: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
