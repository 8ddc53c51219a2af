"""The labs as graded questions: a learner's class, judged by the lab's scenarios.

A lab notebook ends with ``lab.check(MyCoordinator)``. The question runs the
lab's full check (:func:`dynamo_lab.labs.check`, thirty seeds per scenario)
and reports the outcome like any question: *correct* when every scenario
passes, *incorrect* with the harness's report otherwise, *not attempted*
while a method still raises NotImplementedError. :attr:`LabQuestion.points`
counts the scenarios passed, so partial work earns partial marks. A grading
run (:mod:`dynamo_lab.exercises.grade`) builds the question with a held-out
seed and judges the class on seeds the learner never ran.

Examples
--------
>>> from dynamo_lab.labs import LabCoordinator
>>> lab = lab_question("lab1")
>>> lab.check(LabCoordinator)
Answer with your class, a subclass of dl.labs.LabCoordinator, for example MyCoordinator (the class itself, not an instance).
>>> class Empty(LabCoordinator):
...     pass
>>> lab.check(Empty)  # doctest: +NORMALIZE_WHITESPACE
Not attempted: Empty.start_put still raises NotImplementedError: write start_put: send the
write to the key's replicas
>>> lab.points
(0, 5)
"""

from __future__ import annotations

from typing import Any

from ..labs import FULL_SEEDS, LABS, answer_base
from ..labs.harness import run_lab
from .answer_forms import SubclassOf
from .questions import CORRECT, INCORRECT, NOT_ATTEMPTED, CheckResult, Question

__all__ = ["LabQuestion", "lab_question", "HELD_OUT_BASE"]

#: Held-out seeds start here, far from the seeds a learner runs (0 to 29).
HELD_OUT_BASE = 1_000_000


class LabQuestion(Question):
    """One lab, asked as a question whose answer is the learner's class."""

    kind = "lab"
    stub_message = "pass your class, for example lab.check(MyCoordinator)."

    def __init__(self, lab: str):
        module = LABS[lab]
        super().__init__(
            lab, f"{module.TITLE}: write a {answer_base(module).__name__[3:].lower()} "
                 f"that passes every scenario.",
            form=SubclassOf(answer_base(module), f"dl.labs.{answer_base(module).__name__}",
                            example=f"My{answer_base(module).__name__[3:]} (the class itself, "
                                    f"not an instance)"),
            hints=[f"Run dl.labs.check({lab!r}, your class, quick=True) while you work: its "
                   "report names the broken property, shrinks the run that breaks it, and "
                   "gives a hint for the likely mistake.", *module.HINTS],
            solution_text=f"see solutions/{module.NOTEBOOK}")
        self.lab = lab
        self.module = module
        #: (scenarios passed, scenarios in the lab) of the last check.
        self.points = (0, len(module.SCENARIOS))
        #: The last check's :class:`~dynamo_lab.labs.harness.LabReport`.
        self.last_report = None

    def seeds(self) -> list[int]:
        """The seeds each scenario runs on: the course's, or a grading run's held-out ones."""
        held_out = self.mode.held_out_seed
        if held_out is None:
            return list(FULL_SEEDS)
        start = HELD_OUT_BASE + held_out * len(FULL_SEEDS)
        return list(range(start, start + len(FULL_SEEDS)))

    def _judge(self, answer: Any) -> CheckResult:
        report = run_lab(self.module, answer, self.seeds())
        self.last_report = report
        if report.not_attempted is not None:
            return CheckResult(NOT_ATTEMPTED, report.not_attempted)
        self.points = report.score
        passed, total = report.score
        if report.passed:
            runs = sum(len(r.seeds) for r in report.results)
            return CheckResult(CORRECT, f"all {total} scenarios pass ({runs} seeded runs).")
        return CheckResult(INCORRECT, f"{passed} of {total} scenarios pass.\n\n{report.text()}")

    def check(self, answer: Any = Ellipsis) -> CheckResult:
        self.points = (0, len(self.module.SCENARIOS))
        return super().check(answer)


def lab_question(lab: str) -> LabQuestion:
    """The graded question of ``lab`` (``"lab1"``, ...)."""
    if lab not in LABS:
        raise ValueError(f"unknown lab {lab!r}; the labs are {', '.join(LABS)}")
    return LabQuestion(lab)
