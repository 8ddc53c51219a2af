"""Graded questions: ``check(answer)``, ``hint()`` and ``solution()``.

Every question answers ``check`` with one of four outcomes and never raises:

- **correct**;
- **incorrect**, with a message aimed at the misconception the answer
  suggests (e.g. "R + W = N gives no guaranteed overlap");
- **wrong form**: the answer is not of the form the prompt asks for (a tuple
  where a dict was asked for); the message says what to write instead,
  "Answer with ..., for example ...". The idea may be right, so this is
  never reported as incorrect;
- **not attempted**: the answer is still the stub the exercise notebook was
  generated with: ``...`` (Ellipsis) for a value, or a function whose body
  raises ``NotImplementedError``.

``check`` looks at the stub first, then at the form
(:mod:`dynamo_lab.exercises.answer_forms`), and only then judges the answer.
Every question has a ``form``, and its prompt states it.

Kinds of question:

=========================  =====================================================
:class:`ValueQuestion`     a number, a string, a list... compared with the answer
:class:`FunctionQuestion`  a function, run on test cases against a reference
:class:`ConfigQuestion`    a configuration, judged by running the simulator
:class:`ChoiceQuestion`    one option out of several
:class:`ThoughtQuestion`   a free-text answer; reveals a model answer
=========================  =====================================================

Examples
--------
>>> from dynamo_lab.exercises.answer_forms import WholeNumber
>>> q = ValueQuestion("overlap", "N = 3, R = 2: the smallest W so that reads see writes? "
...                   "Answer with a whole number from 1 to 3.",
...                   answer=2, form=WholeNumber(1, 3),
...                   wrong={1: "With W=1, R + W = N: the sets can be disjoint."})
>>> q.check(...)
Not attempted: replace the ... with your answer.
>>> q.check(1)
Incorrect: With W=1, R + W = N: the sets can be disjoint.
>>> q.check("two")
Answer with a whole number from 1 to 3, for example 1.
>>> q.outcome
'wrong form'
>>> q.check(2)
Correct!
>>> q.outcome
'correct'
"""

from __future__ import annotations

import inspect
import math
import numbers
import os
import random
import re
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .answer_forms import AnswerForm, Function, Letter, Text

__all__ = [
    "CheckResult", "Question", "ValueQuestion", "FunctionQuestion", "ConfigQuestion",
    "ChoiceQuestion", "ThoughtQuestion", "CORRECT", "INCORRECT", "WRONG_FORM",
    "NOT_ATTEMPTED", "FOR_REVIEW", "OUTCOMES", "is_stub", "registry", "report", "Mode",
    "current_mode", "building", "GRADED_ENV", "RELEASE_MARKER", "GradedModeError", "drawn",
    "LEARNER_ENV", "LEARNER_ID",
]

CORRECT, INCORRECT, NOT_ATTEMPTED = "correct", "incorrect", "not attempted"
#: The answer is not of the form the prompt asks for; no mark, like not attempted.
WRONG_FORM = "wrong form"
#: A free-text answer: a person reads it; it earns no mark by itself.
FOR_REVIEW = "for review"
OUTCOMES = (CORRECT, INCORRECT, WRONG_FORM, NOT_ATTEMPTED, FOR_REVIEW)

#: Set to 1 in a learner's environment (or by a graded release) to turn off
#: ``solution()`` and ``reference_answer()``; the grader sets it in its kernels.
GRADED_ENV = "DYNAMO_LAB_GRADED"
#: A graded release writes this file into the package it ships; a release for
#: one learner writes the learner's id into it.
RELEASE_MARKER = Path(__file__).with_name("graded_release")
#: The learner whose numbers the questions use (set by a release for one learner).
LEARNER_ENV = "DYNAMO_LAB_LEARNER"
#: What a learner's id may look like: a student number, a login, an e-mail address.
LEARNER_ID = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


class GradedModeError(RuntimeError):
    """``solution()`` or ``reference_answer()`` was called in graded mode."""


@dataclass(frozen=True)
class Mode:
    """How questions are built: for self-study, or for one graded learner.

    ``graded`` turns off ``solution()`` and ``reference_answer()``.
    ``held_out_seed`` adds each function question's held-out cases, drawn
    from that seed, to its visible ones; only a grading run knows it.
    ``learner`` names the learner whose copy is graded.
    """

    graded: bool = False
    held_out_seed: int | None = None
    learner: str | None = None


def _default_mode() -> Mode:
    released = RELEASE_MARKER.exists()
    graded = os.environ.get(GRADED_ENV, "").strip() not in ("", "0") or released
    learner = os.environ.get(LEARNER_ENV, "").strip() or None
    if learner is None and released:
        # The marker's first line is the learner's id, when the copy is one learner's.
        first = RELEASE_MARKER.read_text().splitlines()[:1]
        if first and first[0].startswith("learner: "):
            learner = first[0].removeprefix("learner: ").strip() or None
    return Mode(graded=graded, learner=learner)


_MODE: ContextVar[Mode | None] = ContextVar("dynamo_lab_exercise_mode", default=None)


def current_mode() -> Mode:
    """The mode questions are built in now (see :func:`building`)."""
    mode = _MODE.get()
    return _default_mode() if mode is None else mode


def drawn(qid: str, course: dict, draw: Callable[[random.Random], dict]) -> dict:
    """A question's numbers: the course's own, or the ones drawn for this learner.

    With no learner (self-study, and the course's notebooks) the numbers are
    ``course``. For a learner, ``draw`` picks them with a generator seeded by
    the learner's id and the question, so the learner's copy and the grader
    agree, and two learners differ. In a learner's own kernel, the new
    numbers are announced, since the notebook's text shows the course's.

    >>> drawn("ex00.q1", {"n": 3}, lambda rng: {"n": rng.randint(4, 9)})
    {'n': 3}
    >>> with building(Mode(learner="ada")):
    ...     first = drawn("ex00.q1", {"n": 3}, lambda rng: {"n": rng.randint(4, 9)})
    ...     again = drawn("ex00.q1", {"n": 3}, lambda rng: {"n": rng.randint(4, 9)})
    >>> first == again and 4 <= first["n"] <= 9
    True
    """
    mode = current_mode()
    if mode.learner is None:
        return dict(course)
    # A string seed is hashed with SHA-512 by random.Random: the same on every run.
    numbers = draw(random.Random(f"{mode.learner}:{qid}"))
    if _MODE.get() is None and numbers != course:     # the learner's kernel, not the grader
        shown = ", ".join(f"{name} = {value}" for name, value in numbers.items())
        name = qid.rsplit(".", 1)[-1]          # the set-up cell's variable, e.g. q4
        print(f"{qid} has numbers of your own: {shown}. The notebook's text shows the "
              f"course's numbers; print({name}.prompt) shows your question.")
    return numbers


@contextmanager
def building(mode: Mode) -> Iterator[Mode]:
    """Build questions in ``mode`` inside the ``with`` block (the grader does).

    >>> with building(Mode(held_out_seed=7)):
    ...     current_mode().held_out_seed
    7
    """
    token = _MODE.set(mode)
    try:
        yield mode
    finally:
        _MODE.reset(token)

# Every question created in this Python process, in creation order; the
# grader reads it after running a learner's notebook.
_REGISTRY: list["Question"] = []


def registry() -> list["Question"]:
    """The questions created so far in this process."""
    return list(_REGISTRY)


def report() -> list[dict[str, Any]]:
    """One row per question created so far: its id and its last outcome."""
    return [{"question": q.qid, "outcome": q.outcome, "message": q.last_message}
            for q in _REGISTRY]


class _StubCalled(Exception):
    """The learner's function still raises the stub's NotImplementedError."""


def is_stub(answer: Any) -> bool:
    """True for the untouched stub of a value question (``...``)."""
    return answer is Ellipsis


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one ``check``: prints as a line a learner reads.

    Examples
    --------
    >>> CheckResult(INCORRECT, "not that one.")
    Incorrect: not that one.
    >>> CheckResult(WRONG_FORM, "Answer with a number from 0 to 1, for example 0.5.")
    Answer with a number from 0 to 1, for example 0.5.
    """

    outcome: str
    message: str = ""

    @property
    def correct(self) -> bool:
        return self.outcome == CORRECT

    def __bool__(self) -> bool:
        return self.correct

    def __repr__(self) -> str:
        if self.outcome == CORRECT:
            return f"Correct!{' ' + self.message if self.message else ''}"
        if self.outcome == NOT_ATTEMPTED:
            return f"Not attempted: {self.message}"
        if self.outcome == WRONG_FORM:
            return self.message          # "Answer with ..., for example ..."
        if self.outcome == FOR_REVIEW:
            return f"Recorded for review: {self.message}"
        return f"Incorrect: {self.message}"

    def _repr_html_(self) -> str:
        colour = {CORRECT: "#1a7f37", INCORRECT: "#cf222e", WRONG_FORM: "#9a6700",
                  NOT_ATTEMPTED: "#6e7781", FOR_REVIEW: "#0969da"}[self.outcome]
        import html
        # A lab's report runs over many lines: keep them (a plain span would join them).
        lines = "; white-space:pre-wrap; font-family:monospace" if "\n" in self.message else ""
        return (f'<span style="color:{colour}; font-weight:600{lines}">'
                f'{html.escape(repr(self))}</span>')


class Question:
    """Base class: a prompt, layered hints and a reference solution.

    Parameters
    ----------
    qid : str
        A short id, unique within its exercise set (e.g. ``"ex03.q1"``).
    prompt : str
        The question, as the notebook states it, including the form of the
        answer in the words of ``form.description``.
    form : AnswerForm
        The form an answer must take (:mod:`~dynamo_lab.exercises.answer_forms`);
        ``check`` reports an answer of another form as "wrong form".
    hints : sequence of str
        Shown one layer at a time by :meth:`hint`.
    solution_text : str
        What :meth:`solution` shows.
    parameters : dict, optional
        The numbers the question uses, when a learner's copy draws its own
        (:func:`drawn`); empty otherwise.
    """

    kind = "question"
    #: What "not attempted" tells the learner to do.
    stub_message = "replace the ... with your answer."

    def __init__(self, qid: str, prompt: str, *, form: AnswerForm, hints: Sequence[str] = (),
                 solution_text: str = "", parameters: dict | None = None):
        if not isinstance(form, AnswerForm):
            raise TypeError(f"{qid}: form must be an AnswerForm, got {form!r}")
        self.qid = qid
        self.prompt = prompt
        self.form = form
        self.hints = list(hints)
        self.solution_text = solution_text
        #: The numbers the question was built with (:func:`drawn`), if they can vary.
        self.parameters = dict(parameters or {})
        self.outcome = NOT_ATTEMPTED
        self.last_message = ""
        self.mode = current_mode()
        _REGISTRY.append(self)

    def _refuse_in_graded_mode(self, what: str) -> None:
        if self.mode.graded:
            raise GradedModeError(f"{what} is off in graded mode: this copy of the course is "
                                  "graded, so the reference answers stay with the grader.")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.qid}: {self.outcome}>"

    # -- the three verbs ------------------------------------------------------
    def check(self, answer: Any = Ellipsis) -> CheckResult:
        """Judge ``answer``; never raises.

        In order: the untouched stub is "not attempted", an answer the form
        does not accept is "wrong form", and anything else is judged.
        """
        try:
            if is_stub(answer):
                result = CheckResult(NOT_ATTEMPTED, self.stub_message)
            elif not self.form.accepts(answer):
                result = CheckResult(WRONG_FORM, self.form.message())
            else:
                result = self._judge(answer)
        except _StubCalled:
            result = CheckResult(NOT_ATTEMPTED, "your function still raises NotImplementedError; "
                                 "replace that line with your code.")
        except Exception as exc:  # a learner's code may fail in any way
            where = traceback.format_exception_only(type(exc), exc)[-1].strip()
            result = CheckResult(INCORRECT, f"checking your answer raised {where}")
        self.outcome, self.last_message = result.outcome, result.message
        return result

    def hint(self, level: int = 1) -> str:
        """Hints 1 to ``level``, each more specific than the last."""
        if not self.hints:
            return HintText("No hint for this one: try the lesson's matching section.")
        level = max(1, min(int(level), len(self.hints)))
        lines = [f"Hint {i}: {text}" for i, text in enumerate(self.hints[:level], 1)]
        if level < len(self.hints):
            lines.append(f"(More: hint({level + 1}).)")
        return HintText("\n".join(lines))

    def solution(self) -> str:
        """The reference answer with a word on why (off in graded mode)."""
        self._refuse_in_graded_mode(f"{self.qid}.solution()")
        return HintText(f"Solution: {self.solution_text}")

    def reference_answer(self) -> Any:
        """A correct answer, for tests (off in graded mode)."""
        self._refuse_in_graded_mode(f"{self.qid}.reference_answer()")
        return self._reference_answer()

    # -- for subclasses -------------------------------------------------------------
    def _judge(self, answer: Any) -> CheckResult:  # pragma: no cover - abstract
        """Judge an answer that is not the stub and has the right form."""
        raise NotImplementedError

    #: For tests: a correct answer, and wrong answers with a fragment of the
    #: message each must produce. Subclasses fill these in.
    def _reference_answer(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def stub_answer(self) -> Any:
        return Ellipsis

    def wrong_answers(self) -> list[tuple[Any, str]]:
        return []


class HintText(str):
    """A string that displays as plain text (no quotes) in a notebook."""

    def __repr__(self) -> str:
        return str(self)


def _same(a: Any, b: Any, rel_tol: float, abs_tol: float | None = None) -> bool:
    """Equal, numbers within ``rel_tol`` (or ``abs_tol``, which defaults to it), item by item."""
    if abs_tol is None:
        abs_tol = rel_tol
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or a == b
    if isinstance(a, numbers.Real) and isinstance(b, numbers.Real):
        return math.isclose(float(a), float(b), rel_tol=rel_tol, abs_tol=abs_tol)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y, rel_tol, abs_tol) for x, y in zip(a, b))
    if isinstance(a, (set, frozenset)) and isinstance(b, (set, frozenset)):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k], rel_tol, abs_tol) for k in a)
    return a == b


def _parameters(reference: Callable, count: int) -> tuple[str, ...]:
    """The reference's parameter names, or ``x1, x2...`` when they cannot be read."""
    try:
        names = [p.name for p in inspect.signature(reference).parameters.values()
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        names = []
    if len(names) != count:
        names = [f"x{i}" for i in range(1, count + 1)]
    return tuple(names)


class ValueQuestion(Question):
    """The answer is a value: a number, a string, a list, a set...

    ``form`` (required) is the form of an answer; ``wrong`` maps tempting
    wrong answers to the message each deserves; ``normalise`` (optional)
    turns an answer into a comparable form first, e.g. ``sorted`` when order
    does not matter. Numbers, also inside tuples, lists and dicts, count as
    equal within ``rel_tol`` of each other, or within ``abs_tol`` (which
    defaults to ``rel_tol``), whichever is wider.
    """

    kind = "value"

    def __init__(self, qid, prompt, *, answer, form: AnswerForm, wrong: dict | None = None,
                 rel_tol: float = 1e-9, abs_tol: float | None = None,
                 normalise: Callable[[Any], Any] | None = None,
                 default_message: str = "that is not it; the hints may help.", **kw):
        kw.setdefault("solution_text", repr(answer))
        super().__init__(qid, prompt, form=form, **kw)
        self.answer = answer
        self.wrong = dict(wrong or {})
        self.rel_tol = rel_tol
        self.abs_tol = abs_tol
        self.normalise = normalise or (lambda x: x)
        self.default_message = default_message

    def _judge(self, answer):
        given = self.normalise(answer)
        if _same(given, self.normalise(self.answer), self.rel_tol, self.abs_tol):
            return CheckResult(CORRECT)
        for tempting, message in self.wrong.items():
            if _same(given, self.normalise(tempting), self.rel_tol, self.abs_tol):
                return CheckResult(INCORRECT, message)
        return CheckResult(INCORRECT, self.default_message)

    def _reference_answer(self):
        return self.answer

    def wrong_answers(self):
        return [(value, message) for value, message in self.wrong.items()]


class FunctionQuestion(Question):
    """The answer is a function, run on ``cases`` and compared with ``reference``.

    Parameters
    ----------
    reference : callable
        The correct implementation.
    name : str
        The function's name in the prompt, e.g. ``"must_overlap"``: the
        default ``form`` is a function of that name taking the reference's
        parameters (:class:`~dynamo_lab.exercises.answer_forms.Function`).
    cases : iterable of tuple
        Argument tuples to call both with; include edge cases.
    misconceptions : list of (callable, str)
        Plausible wrong implementations and the message for a learner whose
        function agrees with one of them on every case.
    describe : callable, optional
        Renders a case for messages (default: its repr).
    held_out : callable, optional
        ``held_out(rng)`` draws further cases with a :class:`random.Random`.
        When the grader builds the question (:class:`Mode` with a
        ``held_out_seed``), they are judged after the visible ones, so a
        function written to pass only the cases a learner can see fails.
    """

    kind = "function"
    stub_message = "replace the ... with your function."

    def __init__(self, qid, prompt, *, reference: Callable, name: str, cases: Iterable[tuple],
                 misconceptions: Sequence[tuple[Callable, str]] = (),
                 describe: Callable[[tuple], str] | None = None, rel_tol: float = 1e-9,
                 form: AnswerForm | None = None,
                 held_out: Callable[[random.Random], Iterable[tuple]] | None = None, **kw):
        cases = [tuple(c) for c in cases]
        if form is None:
            form = Function(name, _parameters(reference, len(cases[0]) if cases else 0))
        super().__init__(qid, prompt, form=form, **kw)
        self.reference = reference
        self.visible_cases = cases
        self.held_out = held_out
        self.held_out_cases: list[tuple] = []
        seed = self.mode.held_out_seed
        if held_out is not None and seed is not None:
            # A string seed is hashed with SHA-512 by random.Random: the same on every run.
            self.held_out_cases = [tuple(c) for c in held_out(random.Random(f"{seed}:{qid}"))]
        self.cases = cases + self.held_out_cases
        self.misconceptions = list(misconceptions)
        self.describe = describe or (lambda case: "(" + ", ".join(map(repr, case)) + ")")
        self.rel_tol = rel_tol

    def _call(self, fn, case):
        try:
            return fn(*case)
        except NotImplementedError:
            raise _StubCalled from None

    def _judge(self, answer):
        given = [self._call(answer, case) for case in self.cases]
        expected = [self.reference(*case) for case in self.cases]
        if all(_same(g, e, self.rel_tol) for g, e in zip(given, expected)):
            return CheckResult(CORRECT, f"({len(self.cases)} cases passed)")
        for wrong_fn, message in self.misconceptions:
            if all(_same(g, wrong_fn(*case), self.rel_tol) for g, case in zip(given, self.cases)):
                return CheckResult(INCORRECT, message)
        index = next(i for i, (g, e) in enumerate(zip(given, expected))
                     if not _same(g, e, self.rel_tol))
        return CheckResult(INCORRECT, f"for {self.describe(self.cases[index])} your function "
                           f"returned {given[index]!r}; expected {expected[index]!r}.")

    def _reference_answer(self):
        return self.reference

    def stub_answer(self):
        def stub(*args):
            raise NotImplementedError("replace this line with your code")
        return stub

    def wrong_answers(self):
        return [(fn, message) for fn, message in self.misconceptions]


class ConfigQuestion(Question):
    """The answer is a configuration (e.g. a dict of N, R, W), judged by running it.

    ``form`` (required) is the form of a configuration, and ``evaluate(config)``
    returns ``(ok, message)``: it runs the simulator on a configuration of that
    form and explains what missed the targets.
    """

    kind = "configuration"
    stub_message = "replace the ... with your configuration."

    def __init__(self, qid, prompt, *, evaluate: Callable[[Any], tuple[bool, str]],
                 reference, form: AnswerForm, wrong: Sequence[tuple[Any, str]] = (), **kw):
        kw.setdefault("solution_text", repr(reference))
        super().__init__(qid, prompt, form=form, **kw)
        self.evaluate = evaluate
        self.reference = reference
        self.wrong = list(wrong)

    def _judge(self, answer):
        ok, message = self.evaluate(answer)
        return CheckResult(CORRECT if ok else INCORRECT, message)

    def _reference_answer(self):
        return self.reference

    def wrong_answers(self):
        return list(self.wrong)


class ChoiceQuestion(Question):
    """Pick one option by its letter ("a", "b", ...) or its text.

    ``explanations`` maps a wrong option's letter to what choosing it
    suggests. The form is one letter (:class:`~dynamo_lab.exercises.answer_forms.Letter`),
    with the first wrong letter as its example.
    """

    kind = "choice"
    stub_message = "replace the ... with the letter of your choice."

    def __init__(self, qid, prompt, *, options: Sequence[str], answer: str,
                 explanations: dict[str, str] | None = None, **kw):
        self.options = list(options)
        self.letters = [chr(ord("a") + i) for i in range(len(self.options))]
        if answer not in self.letters:
            raise ValueError(f"answer must be one of {self.letters}, got {answer!r}")
        kw.setdefault("solution_text", f"({answer}) {self.options[self.letters.index(answer)]}")
        example = next(letter for letter in self.letters if letter != answer)
        super().__init__(qid, prompt, form=Letter(self.letters, self.options,
                                                  example=repr(example)), **kw)
        self.answer = answer
        self.explanations = dict(explanations or {})

    def _judge(self, answer):
        letter = self.form.letter_of(answer)
        if letter == self.answer:
            return CheckResult(CORRECT)
        return CheckResult(INCORRECT, self.explanations.get(letter, "not that one."))

    def _reference_answer(self):
        return self.answer

    def wrong_answers(self):
        return [(letter, message) for letter, message in self.explanations.items()]


class ThoughtQuestion(Question):
    """A question to think and write about; ``check`` records that you answered.

    No program judges its content: the outcome is *for review*, which earns
    no mark by itself, and the grader exports the text for a person to read.
    Compare with :meth:`solution` when studying alone. The form is a string
    of at least ``min_words`` words
    (:class:`~dynamo_lab.exercises.answer_forms.Text`), so an answer such as
    ``"yes"`` is of the wrong form, and there is no incorrect answer.
    """

    kind = "thought"
    stub_message = "replace the ... with your answer, as a string."

    def __init__(self, qid, prompt, *, model_answer: str, min_words: int = 5, **kw):
        kw.setdefault("solution_text", model_answer)
        super().__init__(qid, prompt, form=Text(min_words=min_words), **kw)
        self.model_answer = model_answer
        self.min_words = min_words

    def _judge(self, answer):
        return CheckResult(FOR_REVIEW, "a person reads this answer; when studying alone, "
                           "compare it with q.solution().")

    def _reference_answer(self):
        return self.model_answer
