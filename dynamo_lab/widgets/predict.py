"""Predict first: a question whose answer stays hidden until the learner commits to one.

A lesson computes a result with the simulator, then hands it to
:class:`Predict` instead of printing it. The learner sees the question, picks
a choice (or types a number) and presses *Commit prediction*; only then does
the widget show the simulator's result, whether the prediction was right,
and why. :func:`prediction_summary` at the end of a lesson counts the
predictions made and how many were right.

A saved notebook holds no widget state, so the result is not in the file,
but the widget's plain-text form is: the question and a *seal*, a digest of
the answer and of the text of what would be shown. The lessons are checked
by nbval, which compares that text, so a change in what the simulator
computes changes the seal and fails the check, as a changed printed result
would, without printing the result under its question.

Examples
--------
>>> p = Predict("How many of the 3 replicas must hold a write before W = 2 acknowledges it?",
...             choices=["1", "2", "3"], answer="2", show="two acknowledgements: W = 2")
>>> print(p.text())                                      # doctest: +NORMALIZE_WHITESPACE
Predict first: How many of the 3 replicas must hold a write before W = 2 acknowledges it?
  choices: 1 | 2 | 3
  (the simulator's answer is sealed: f1910807; run the cell and commit a prediction to see it)
>>> p.commit("3").right
False
>>> p.prediction.shown_answer
'2'
>>> Predict("Latency at p99?", unit="ms", answer=12.5, tolerance=0.2).commit(14.0).right
True
>>> Predict("Which?", choices=["a", "b"], answer="c")
Traceback (most recent call last):
...
ValueError: answer 'c' is not one of the choices 'a', 'b'
"""

from __future__ import annotations

import hashlib
import html
import math
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Predict", "Prediction", "prediction_summary", "predictions"]

#: Every prediction made in this kernel, by question (asking again replaces it).
_ASKED: dict[str, "Prediction"] = {}


@dataclass
class Prediction:
    """What a :class:`Predict` asks and, once committed, what the learner said.

    ``answer`` is the simulator's result (a choice, or a number);
    ``tolerance`` is the relative error a number may have and still count
    as right (``absolute``: an absolute one, for answers near 0).
    """

    question: str
    answer: Any
    choices: tuple = ()
    unit: str | None = None
    tolerance: float = 0.25
    absolute: float = 0.0
    why: str = ""
    committed: Any = None
    right: bool | None = None

    @property
    def is_number(self) -> bool:
        return not self.choices

    @property
    def shown_answer(self) -> str:
        if self.is_number:
            return f"{_number(self.answer)}{' ' + self.unit if self.unit else ''}"
        return str(self.answer)

    def judge(self, guess) -> bool:
        """Whether ``guess`` counts as right (does not record it)."""
        if not self.is_number:
            return guess == self.answer
        error = abs(float(guess) - float(self.answer))
        return error <= max(self.absolute, self.tolerance * abs(float(self.answer)))


def _number(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _text_of(shown) -> str:
    """The text a shown object contributes to the seal (a figure contributes nothing)."""
    if isinstance(shown, str):
        return shown
    to_string = getattr(shown, "to_string", None)
    if callable(to_string):       # a pandas DataFrame or Series, printed whole
        return to_string()
    if type(shown).__module__.startswith("matplotlib"):
        return ""
    return repr(shown)


class Predict:
    """Ask for a prediction, then reveal the simulator's result.

    Parameters
    ----------
    question : str
    choices : list of str, optional
        The options; the learner picks one. Without choices, the learner
        types a number (in ``unit``).
    answer : str or number
        The simulator's result: one of ``choices``, or a number. Compute it;
        never type it in.
    show : object or list of objects, optional
        What to reveal after the commit: text (printed as it is), a
        DataFrame, a figure... Each is rendered when the widget is first
        displayed, at the end of its cell, so a later cell that changes the
        cluster cannot change what this one reveals.
    why : str
        One or two sentences shown with the result.
    unit : str, optional
        The unit of a numeric answer.
    tolerance, absolute : float
        How close a number must be to count as right: within ``tolerance``
        of the answer, relatively (0.25 by default), or within ``absolute``.
    """

    def __init__(self, question: str, *, choices=None, answer, show=None, why: str = "",
                 unit: str | None = None, tolerance: float = 0.25, absolute: float = 0.0):
        if not isinstance(question, str) or not question.strip():
            raise ValueError(f"question must be a non-empty string, got {question!r}")
        choices = tuple(str(c) for c in choices) if choices is not None else ()
        if choices:
            if len(set(choices)) != len(choices) or len(choices) < 2:
                raise ValueError(f"choices must be at least two different options, got "
                                 f"{list(choices)!r}")
            if answer not in choices:
                raise ValueError(f"answer {answer!r} is not one of the choices "
                                 f"{', '.join(map(repr, choices))}")
        elif isinstance(answer, bool) or not isinstance(answer, (int, float)) \
                or not math.isfinite(answer):
            raise ValueError(f"without choices the answer must be a finite number, got "
                             f"{answer!r}; pass choices=[...] for a choice")
        for name, value in (("tolerance", tolerance), ("absolute", absolute)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"{name} must be a number >= 0, got {value!r}")
        self.prediction = Prediction(question.strip(), answer, choices, unit, float(tolerance),
                                     float(absolute), why)
        # A list shows several things; anything else (a tuple such as a ReadResult
        # included) is one thing.
        self.shown = list(show) if isinstance(show, list) else ([] if show is None else [show])
        _ASKED[self.prediction.question] = self.prediction
        self._view = None

    # -- the seal --------------------------------------------------------------------------
    @property
    def seal(self) -> str:
        """A short digest of the answer and of the text of what is shown."""
        text = "\n".join([repr(self.prediction.answer), *map(_text_of, self.shown)])
        return hashlib.md5(text.encode()).hexdigest()[:8]

    def text(self) -> str:
        """The plain-text form a saved notebook keeps: the question and the seal."""
        p = self.prediction
        lines = [f"Predict first: {p.question}"]
        if p.choices:
            lines.append("  choices: " + " | ".join(p.choices))
        else:
            lines.append(f"  answer with a number{' in ' + p.unit if p.unit else ''}")
        lines.append(f"  (the simulator's answer is sealed: {self.seal}; run the cell and commit "
                     f"a prediction to see it)")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()

    # -- committing --------------------------------------------------------------------------
    def commit(self, guess) -> Prediction:
        """Record ``guess`` as the prediction and reveal the result (what the button does)."""
        p = self.prediction
        if p.choices and guess not in p.choices:
            raise ValueError(f"pick one of {', '.join(map(repr, p.choices))}, got {guess!r}")
        if not p.choices and (isinstance(guess, bool) or not isinstance(guess, (int, float))
                              or not math.isfinite(guess)):
            raise ValueError(f"a prediction here is a number, got {guess!r}")
        if p.committed is None:          # the first commitment is the one that counts
            p.committed, p.right = guess, p.judge(guess)
        if self._view is not None:
            self._reveal()
        return p

    # -- the widget ---------------------------------------------------------------------------
    def widget(self):
        """The ipywidgets view (built on first use)."""
        if self._view is None:
            self._view = self._build()
        return self._view

    def _build(self):
        import ipywidgets as widgets

        p = self.prediction
        question = widgets.HTML(f"<b>Predict first:</b> {html.escape(p.question)}")
        if p.choices:
            self._input = widgets.RadioButtons(options=list(p.choices), value=None)
        else:
            self._input = widgets.FloatText(description=p.unit or "", value=0.0)
        self._button = widgets.Button(description="Commit prediction", button_style="primary")
        self._verdict = widgets.HTML()
        # Rendered now, hidden until the commit: what is revealed is what the
        # cell computed, whatever later cells do.
        self._output = widgets.Output(layout=widgets.Layout(display="none"))
        for shown in self.shown:
            if isinstance(shown, str):
                self._output.append_stdout(shown if shown.endswith("\n") else shown + "\n")
            else:
                self._output.append_display_data(shown)
        self._button.on_click(lambda _: self._commit_from_view())
        box = widgets.VBox([question, self._input, self._button, self._verdict, self._output])
        box.add_class("dl-predict")          # for the browser test, and for styling
        if p.committed is not None:
            self._view = box
            self._reveal()
        return box

    def _commit_from_view(self) -> None:
        value = self._input.value
        if value is None:
            self._verdict.value = "<i>Pick an option first.</i>"
            return
        self.commit(value)

    def _reveal(self) -> None:
        p = self.prediction
        self._input.disabled = self._button.disabled = True
        mark = "right" if p.right else "not this time"
        self._verdict.value = (f"You predicted <b>{html.escape(str(_number(p.committed)))}</b>; "
                               f"the simulator: <b>{html.escape(p.shown_answer)}</b> "
                               f"({mark}). {html.escape(p.why)}")
        self._output.layout.display = None

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.widget()._repr_mimebundle_(include=include, exclude=exclude)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data = dict(data)
        data["text/plain"] = self.text()        # what a saved notebook, and nbval, see
        return data


def predictions() -> list[Prediction]:
    """Every prediction asked in this kernel, in the order first asked."""
    return list(_ASKED.values())


@dataclass
class _Summary:
    asked: list = field(default_factory=list)

    def text(self) -> str:
        made = [p for p in self.asked if p.committed is not None]
        right = sum(bool(p.right) for p in made)
        lines = [f"Predictions in this session: {len(made)} of {len(self.asked)} committed, "
                 f"{right} right."]
        for p in made:
            lines.append(f"  {'right' if p.right else 'wrong'}: {p.question} (you: "
                         f"{_number(p.committed)}; the simulator: {p.shown_answer})")
        if len(made) < len(self.asked):
            lines.append("  Predictions not committed yet: run those cells and commit one.")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()


def prediction_summary() -> _Summary:
    """How this session's predictions went: committed, right, and which.

    >>> _ASKED.clear()
    >>> _ = Predict("Two or three?", choices=["two", "three"], answer="two").commit("two")
    >>> _ = Predict("Milliseconds?", unit="ms", answer=4.0)
    >>> print(prediction_summary())                     # doctest: +NORMALIZE_WHITESPACE
    Predictions in this session: 1 of 2 committed, 1 right.
      right: Two or three? (you: two; the simulator: two)
      Predictions not committed yet: run those cells and commit one.
    """
    return _Summary(predictions())
