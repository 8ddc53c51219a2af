"""The form an answer must take: a number, a letter, a dict of settings...

Every question states the form of its answer in its prompt, and checks it
before it judges the answer. An answer of the wrong form (a tuple where a
dict was asked for, a percent where a share was asked for) is not a wrong
idea, so it is never reported as "incorrect": the learner reads what to
write instead, as "Answer with ..., for example ...".

An :class:`AnswerForm` has a ``description`` (what the prompt says), an
``example`` (Python source a learner could type; never the right answer),
``accepts(answer)``, which never raises, and ``message()``.

===========================  =================================================
:class:`Number`              a real number (int, float, Fraction, numpy), finite
:class:`Probability`         a number from 0 to 1
:class:`WholeNumber`         an integer, optionally within bounds
:class:`Boolean`             True or False
:class:`OneOf`               one of a few given values, such as level names
:class:`Text`                a string, optionally of at least some words
:class:`Letter`              the letter of one option (or the option's text)
:class:`Letters`             several option letters, such as ``"a, c"``
:class:`Function`            a function that takes the given parameters
:class:`SubclassOf`          a class derived from a given base (a lab's answer)
:class:`Collection`          a list (tuple, set) whose items have one form
:class:`Tuple`               a tuple (or list) with one form per position
:class:`Dict`                a dict with given keys, one form per key
:class:`AnyOf`               any one of several forms
===========================  =================================================

Examples
--------
>>> form = Dict({"r": WholeNumber(1, 5), "w": WholeNumber(1, 5)},
...             description="a dict {'r': R, 'w': W} of whole numbers from 1 to 5",
...             example="{'r': 1, 'w': 4}")
>>> form.accepts({"r": 3, "w": 3}), form.accepts((3, 3))
(True, False)
>>> form.message()
"Answer with a dict {'r': R, 'w': W} of whole numbers from 1 to 5, for example {'r': 1, 'w': 4}."
"""

from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "AnswerForm", "Number", "Probability", "WholeNumber", "Boolean", "OneOf", "Text",
    "Letter", "Letters", "Function", "SubclassOf", "Collection", "Tuple", "Dict", "AnyOf",
]


class AnswerForm:
    """The form an answer must take, with words and an example for the learner.

    Parameters
    ----------
    description : str
        What the answer is, written to follow "Answer with", e.g.
        ``"a number from 0 to 1"``. Prompts quote it word for word.
    example : str
        Python source for one answer of this form, e.g. ``"0.5"``. Pick one
        that is not the right answer.

    Examples
    --------
    >>> form = Number(0, 1)
    >>> form.description, form.example
    ('a number from 0 to 1', '0.5')
    >>> form.accepts(0.25), form.accepts("0.25")
    (True, False)
    >>> form.message()
    'Answer with a number from 0 to 1, for example 0.5.'
    """

    def __init__(self, description: str, example: str):
        self.description = description
        self.example = example

    def accepts(self, answer: Any) -> bool:
        """True when ``answer`` has this form (right or wrong). Never raises."""
        try:
            return bool(self._accepts(answer))
        except Exception:  # a hostile answer must not break the check
            return False

    def message(self) -> str:
        """What a learner reads when an answer has another form."""
        return f"Answer with {self.description}, for example {self.example}."

    def _accepts(self, answer: Any) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.description}>"


def _is_bool(value: Any) -> bool:
    """True for Python's and numpy's booleans."""
    kind = type(value)
    return isinstance(value, bool) or (kind.__module__ == "numpy" and kind.__name__ in
                                       ("bool_", "bool"))


def _show(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _bounds(low, high, above=None) -> str:
    if above is not None:
        return f" greater than {_show(above)}"
    if low is not None and high is not None:
        return f" from {_show(low)} to {_show(high)}"
    if low is not None:
        return f" of at least {_show(low)}"
    if high is not None:
        return f" of at most {_show(high)}"
    return ""


class Number(AnswerForm):
    """A finite real number: int, float, Fraction or a numpy number, not a bool.

    Parameters
    ----------
    low, high : number, optional
        Inclusive bounds.
    above : number, optional
        An exclusive lower bound (instead of ``low``).
    noun : str
        How the description names it (default ``"a number"``).
    description, example : str, optional
        Override the defaults made from the bounds.

    Examples
    --------
    >>> from fractions import Fraction
    >>> import numpy as np
    >>> share = Number(0, 1)
    >>> [share.accepts(x) for x in (Fraction(1, 3), np.float64(0.5), 1, True, 1.5, "0.5")]
    [True, True, True, False, False, False]
    >>> Number(above=0, noun="a number of milliseconds").description
    'a number of milliseconds greater than 0'
    >>> Number().accepts(float("nan"))
    False
    """

    def __init__(self, low=None, high=None, *, above=None, noun: str = "a number",
                 description: str | None = None, example: str | None = None):
        self.low, self.high, self.above = low, high, above
        if example is None:
            if low is not None and high is not None:
                example = _show((low + high) / 2)
            elif above is not None:
                example = _show(above + 1)
            else:
                example = _show(low if low is not None else high if high is not None else 1)
        super().__init__(description or noun + _bounds(low, high, above), example)

    def _accepts(self, answer):
        if _is_bool(answer) or not isinstance(answer, numbers.Real):
            return False
        if not math.isfinite(float(answer)):
            return False
        if self.above is not None and not answer > self.above:
            return False
        if self.low is not None and answer < self.low:
            return False
        return self.high is None or answer <= self.high


class Probability(Number):
    """A probability: a number from 0 to 1 (a float, a Fraction...).

    Examples
    --------
    >>> form = Probability(example="Fraction(1, 2)")
    >>> form.description
    'a probability from 0 to 1'
    >>> form.accepts(2 / 3), form.accepts(66)
    (True, False)
    """

    def __init__(self, *, description: str | None = None, example: str = "0.5"):
        super().__init__(0, 1, noun="a probability", description=description, example=example)


class WholeNumber(AnswerForm):
    """An integer (numpy's too), not a bool, optionally within inclusive bounds.

    Examples
    --------
    >>> form = WholeNumber(1, 5)
    >>> form.description
    'a whole number from 1 to 5'
    >>> [form.accepts(x) for x in (3, 3.0, True, 7)]
    [True, False, False, False]
    """

    def __init__(self, low: int | None = None, high: int | None = None, *,
                 noun: str = "a whole number", description: str | None = None,
                 example: str | None = None):
        self.low, self.high = low, high
        if example is None:
            example = str(low if low is not None else 10)
        super().__init__(description or noun + _bounds(low, high), example)

    def _accepts(self, answer):
        if _is_bool(answer) or not isinstance(answer, numbers.Integral):
            return False
        if self.low is not None and answer < self.low:
            return False
        return self.high is None or answer <= self.high


class Boolean(AnswerForm):
    """True or False (a numpy boolean too).

    Examples
    --------
    >>> Boolean().accepts(False), Boolean().accepts(0), Boolean().accepts("True")
    (True, False, False)
    """

    def __init__(self, *, description: str = "True or False", example: str = "False"):
        super().__init__(description, example)

    def _accepts(self, answer):
        return _is_bool(answer)


def _listed(values: Sequence[str]) -> str:
    """``["a", "b", "c"]`` as ``"a, b or c"``."""
    values = list(values)
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " or " + values[-1]


class OneOf(AnswerForm):
    """One of a few given values, such as names of consistency levels.

    ``True`` and ``False`` match only booleans (not 1 and 0); with
    ``ignore_case``, strings match whatever their letter case and spaces
    around them.

    Examples
    --------
    >>> mode = OneOf(["async", "blocking", False])
    >>> mode.description
    "'async', 'blocking' or False"
    >>> mode.accepts("blocking"), mode.accepts(False), mode.accepts(0), mode.accepts("Async")
    (True, True, False, False)
    >>> level = OneOf(["ONE", "ALL"], ignore_case=True, noun="one of the levels")
    >>> level.description, level.accepts(" one ")
    ("one of the levels 'ONE' or 'ALL'", True)
    """

    def __init__(self, values: Sequence[Any], *, ignore_case: bool = False,
                 noun: str | None = None, description: str | None = None,
                 example: str | None = None):
        self.values = list(values)
        self.ignore_case = ignore_case
        if description is None:
            listed = _listed([repr(v) for v in self.values])
            description = f"{noun} {listed}" if noun else listed
        super().__init__(description, example or repr(self.values[0]))

    def _matches(self, answer, value) -> bool:
        if _is_bool(value) or _is_bool(answer):
            return _is_bool(value) and _is_bool(answer) and bool(answer) == bool(value)
        if isinstance(value, str):
            if not isinstance(answer, str):
                return False
            if self.ignore_case:
                return answer.strip().lower() == value.lower()
            return answer == value
        return type(answer) is type(value) and answer == value

    def _accepts(self, answer):
        return any(self._matches(answer, value) for value in self.values)


class Text(AnswerForm):
    """A string; with ``min_words``, one of at least that many words.

    Examples
    --------
    >>> reasoning = Text(min_words=5)
    >>> reasoning.description
    'a sentence or two in a string (at least 5 words)'
    >>> reasoning.accepts("yes"), reasoning.accepts("Each key sits on one range.")
    (False, True)
    >>> Text().accepts("pen"), Text().accepts(3)
    (True, False)
    """

    def __init__(self, *, min_words: int = 0, description: str | None = None,
                 example: str | None = None):
        self.min_words = min_words
        if description is None:
            description = (f"a sentence or two in a string (at least {min_words} words)"
                           if min_words > 1 else "a string")
        super().__init__(description, example or ("'I think ..., because ...'" if min_words > 1
                                                  else "'pen'"))

    def _accepts(self, answer):
        return isinstance(answer, str) and len(answer.split()) >= max(self.min_words, 1)


def _letter_range(letters: Sequence[str]) -> str:
    letters = list(letters)
    if len(letters) == 2:
        return f"'{letters[0]}' or '{letters[1]}'"
    return f"'{letters[0]}' to '{letters[-1]}'"


class Letter(AnswerForm):
    """The letter of one option, such as ``"b"`` or ``"(b)"``, or that option's text.

    Parameters
    ----------
    letters : sequence of str
        The options' letters, ``"a"``, ``"b"``...
    options : sequence of str, optional
        The options' texts, in the same order; typing one counts as its letter.
    example : str, optional
        Default: the first letter, quoted.

    Examples
    --------
    >>> form = Letter("abcd", example="'a'")
    >>> form.description
    "one letter from 'a' to 'd'"
    >>> form.letter_of(" (B) "), form.letter_of("z"), form.accepts(2)
    ('b', None, False)
    """

    def __init__(self, letters: Sequence[str], options: Sequence[str] = (), *,
                 example: str | None = None):
        self.letters = list(letters)
        self.options = list(options)
        super().__init__(f"one letter from {_letter_range(self.letters)}",
                         example or repr(self.letters[0]))

    def letter_of(self, answer: Any) -> str | None:
        """The letter ``answer`` names, or None."""
        if not isinstance(answer, str):
            return None
        text = answer.strip().lower().strip("()")
        if text in self.letters:
            return text
        for letter, option in zip(self.letters, self.options):
            if answer.strip().lower() == option.strip().lower():
                return letter
        return None

    def _accepts(self, answer):
        return self.letter_of(answer) is not None


class Letters(AnswerForm):
    """Several option letters: a string such as ``"a, c"`` (or a list or set of letters).

    Examples
    --------
    >>> form = Letters("abcde")
    >>> form.description, form.example
    ("a string of letters from 'a' to 'e'", "'a, b'")
    >>> sorted(form.letters_of("A, (c)")), form.letters_of(["d"]), form.letters_of("all")
    (['a', 'c'], frozenset({'d'}), None)
    """

    def __init__(self, letters: Sequence[str], *, example: str = "'a, b'"):
        self.letters = list(letters)
        super().__init__(f"a string of letters from {_letter_range(self.letters)}", example)

    def letters_of(self, answer: Any) -> frozenset | None:
        """The set of letters ``answer`` names, or None."""
        if isinstance(answer, str):
            items = [ch for ch in answer.lower() if ch.isalpha()]
        elif isinstance(answer, (list, tuple, set, frozenset)):
            if not all(isinstance(item, str) for item in answer):
                return None
            items = [item.strip().lower().strip("()") for item in answer]
        else:
            return None
        if not items or not all(item in self.letters for item in items):
            return None
        return frozenset(items)

    def _accepts(self, answer):
        return self.letters_of(answer) is not None


class Function(AnswerForm):
    """A function that can be called with the given parameters.

    Where Python can read the function's signature, it must accept that many
    positional arguments (``*args`` does); where it cannot, any callable is
    accepted.

    Examples
    --------
    >>> form = Function("must_overlap", ("n", "r", "w"))
    >>> form.description
    'a function must_overlap(n, r, w)'
    >>> form.accepts(lambda n, r, w: True), form.accepts(lambda *args: True)
    (True, True)
    >>> form.accepts(lambda n, r: True), form.accepts(True)
    (False, False)
    """

    def __init__(self, name: str, params: Sequence[str], *, example: str | None = None):
        self.name = name
        self.params = tuple(params)
        super().__init__(f"a function {name}({', '.join(self.params)})",
                         example or f"{name} (the function itself, not a call to it)")

    def _accepts(self, answer):
        if not callable(answer):
            return False
        try:
            signature = inspect.signature(answer)
        except (TypeError, ValueError):  # a builtin without a readable signature
            return True
        try:
            signature.bind(*range(len(self.params)))
        except TypeError:
            return False
        return True


class SubclassOf(AnswerForm):
    """A class derived from ``base`` (the class itself, not an instance of it).

    Examples
    --------
    >>> form = SubclassOf(Exception, "Exception", example="class Oops(Exception): ...")
    >>> form.accepts(ValueError), form.accepts(ValueError("x")), form.accepts(Exception)
    (True, False, False)
    >>> form.message()
    'Answer with your class, a subclass of Exception, for example class Oops(Exception): ....'
    """

    def __init__(self, base: type, base_name: str, *, example: str):
        self.base = base
        super().__init__(f"your class, a subclass of {base_name}", example)

    def _accepts(self, answer):
        return isinstance(answer, type) and issubclass(answer, self.base) \
            and answer is not self.base


_COLLECTIONS = (list, tuple, set, frozenset)


class Collection(AnswerForm):
    """A list, tuple or set (or only the ``kinds`` given) whose items all have one form.

    Examples
    --------
    >>> items = Collection(Text(), description="a list of item names", example="['book']")
    >>> items.accepts(["book", "pen"]), items.accepts(set()), items.accepts("book")
    (True, True, False)
    >>> items.accepts([1, 2])
    False
    """

    def __init__(self, item: AnswerForm, *, kinds: tuple[type, ...] = _COLLECTIONS,
                 description: str | None = None, example: str | None = None):
        self.item = item
        self.kinds = kinds
        super().__init__(description or f"a list of {item.description}",
                         example or f"[{item.example}]")

    def _accepts(self, answer):
        return isinstance(answer, self.kinds) and all(self.item.accepts(x) for x in answer)


class Tuple(AnswerForm):
    """A tuple (or a list) with one form per position, such as a pair of counts.

    Examples
    --------
    >>> pair = Tuple([WholeNumber(0, 3), WholeNumber(0, 3)],
    ...              description="a pair (async, blocking) of whole numbers from 0 to 3",
    ...              example="(0, 3)")
    >>> pair.accepts((1, 2)), pair.accepts([1, 2]), pair.accepts((1, 2, 3)), pair.accepts("12")
    (True, True, False, False)
    """

    def __init__(self, items: Sequence[AnswerForm], *, description: str, example: str):
        self.items = list(items)
        super().__init__(description, example)

    def _accepts(self, answer):
        return (isinstance(answer, (tuple, list)) and len(answer) == len(self.items)
                and all(form.accepts(x) for form, x in zip(self.items, answer)))


class Dict(AnswerForm):
    """A dict with exactly the ``fields`` keys (plus any ``optional`` ones), one form per key.

    Examples
    --------
    >>> levels = OneOf(["ONE", "QUORUM", "ALL"])
    >>> form = Dict({"read": levels, "write": levels},
    ...             description="a dict {'read': LEVEL, 'write': LEVEL}",
    ...             example="{'read': 'QUORUM', 'write': 'ONE'}")
    >>> form.accepts({"read": "ONE", "write": "ALL"})
    True
    >>> form.accepts({"read": "ONE"}), form.accepts({"read": "ONE", "write": 3})
    (False, False)
    """

    def __init__(self, fields: Mapping[str, AnswerForm], *,
                 optional: Mapping[str, AnswerForm] | None = None,
                 description: str | None = None, example: str | None = None):
        self.fields = dict(fields)
        self.optional = dict(optional or {})
        if description is None:
            description = "a dict with the keys " + _listed([repr(k) for k in self.fields])
        if example is None:
            example = "{" + ", ".join(f"{k!r}: {form.example}"
                                      for k, form in self.fields.items()) + "}"
        super().__init__(description, example)

    def _accepts(self, answer):
        if not isinstance(answer, Mapping):
            return False
        keys = set(answer)
        if not set(self.fields) <= keys <= set(self.fields) | set(self.optional):
            return False
        forms = {**self.optional, **self.fields}
        return all(forms[key].accepts(answer[key]) for key in keys)


class AnyOf(AnswerForm):
    """Any one of several forms, such as a string or a tuple of strings.

    Examples
    --------
    >>> form = AnyOf([Text(), Collection(Text(), kinds=(tuple,))],
    ...              description="a string, or a tuple of strings", example="'pen'")
    >>> form.accepts("book"), form.accepts(("book", "pen")), form.accepts(["book"])
    (True, True, False)
    """

    def __init__(self, forms: Sequence[AnswerForm], *, description: str, example: str):
        self.forms = list(forms)
        super().__init__(description, example)

    def _accepts(self, answer):
        return any(form.accepts(answer) for form in self.forms)
