"""The kernel's side of grading: write down every answer as it is checked.

The grader's hidden first cell calls :func:`install`. From then on each
``q.check(answer)`` appends one JSON line, ``{"question": ..., "answer": ...}``,
to the answers file *before* judging, with a single ``write`` to a file
opened for appending, so a line is whole even if the kernel dies on the next
instruction. The grader reads the last answer given to each question and
judges it itself (:mod:`dynamo_lab.exercises.grade`); what the kernel
prints, or thinks the outcome was, plays no part.

A notebook can of course replace ``Question.check`` again, or write to the
file itself; that changes which answers the grader sees, never how it judges
them.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

from .answers import encode
from .questions import Question

__all__ = ["install"]


def install(answers_path: str, package_dir: str | None = None) -> None:
    """Record every ``check`` to ``answers_path``.

    With ``package_dir``, first make sure this kernel imported ``dynamo_lab``
    from there (the instructor's install), not from the submission's folder.
    """
    if package_dir is not None:
        here = Path(__file__).resolve().parents[1]
        if here != Path(package_dir).resolve():
            raise RuntimeError(f"dynamo_lab was imported from {here}, not from the grader's "
                               f"install {package_dir}")
    descriptor = os.open(answers_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    judge = Question.check

    @functools.wraps(judge)
    def check(self, answer=Ellipsis):
        try:
            line = json.dumps({"question": str(self.qid), "answer": encode(answer)},
                              allow_nan=False)
        except (TypeError, ValueError, RecursionError):
            line = json.dumps({"question": str(self.qid),
                               "answer": {"@unsupported": "an answer that could not be written"}})
        os.write(descriptor, (line + "\n").encode())
        return judge(self, answer)

    Question.check = check
