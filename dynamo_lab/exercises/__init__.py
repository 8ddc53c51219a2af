"""Graded exercises: question objects and the notebooks' exercise sets.

An exercise notebook starts with one set-up cell, for example::

    from dynamo_lab.exercises import ex03
    q1, q2, q3, q4, q5 = ex03.questions()

and each question then offers ``q1.check(answer)``, ``q1.hint()`` (layered:
``q1.hint(2)``) and ``q1.solution()``. Each prompt states the form of its
answer; ``check`` reports an answer of another form as "wrong form", with
what to write instead (:mod:`dynamo_lab.exercises.answer_forms`).
"""

from importlib import import_module
from pkgutil import iter_modules

from .questions import (
    CORRECT, FOR_REVIEW, INCORRECT, NOT_ATTEMPTED, OUTCOMES, WRONG_FORM, ChoiceQuestion,
    CheckResult,
    ConfigQuestion, FunctionQuestion, Question, ThoughtQuestion, ValueQuestion, registry, report,
)

__all__ = [
    "Question", "ValueQuestion", "FunctionQuestion", "ConfigQuestion", "ChoiceQuestion",
    "ThoughtQuestion", "CheckResult", "CORRECT", "INCORRECT", "WRONG_FORM", "NOT_ATTEMPTED",
    "FOR_REVIEW",
    "OUTCOMES",
    "registry", "report", "EXERCISE_SETS",
]

#: The exercise sets that exist, by module name (``ex01`` ... ``ex11``).
EXERCISE_SETS: tuple[str, ...] = tuple(sorted(
    module.name for module in iter_modules(__path__)
    if len(module.name) == 4 and module.name.startswith("ex") and module.name[2:].isdigit()))


def __getattr__(name):
    # ex01 ... ex11 load on first use, so importing the framework stays cheap.
    if name.startswith("ex") and name[2:].isdigit():
        module = import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'dynamo_lab.exercises' has no attribute {name!r}")
