"""Multiple-choice questions cannot be answered by option length.

A learner who has not read the lesson should gain nothing from picking the
longest, most detailed option. So in every :class:`ChoiceQuestion`:

- the right option is not strictly the longest (a tie is allowed);
- the options are of similar length: the longest has at most 1.5 times the
  characters of the shortest. Every question of the course meets this bound
  (the widest is at about 1.15), so no question needs an exception for an
  option that is inherently a short term.
"""

import importlib

import pytest

from dynamo_lab.exercises import EXERCISE_SETS

MAX_LENGTH_RATIO = 1.5


def _choice_questions():
    return [q for name in EXERCISE_SETS
            for q in importlib.import_module(f"dynamo_lab.exercises.{name}").questions()
            if q.kind == "choice"]


CHOICES = _choice_questions()


def _right_and_others(q):
    lengths = dict(zip(q.letters, map(len, q.options)))
    right = lengths.pop(q.answer)
    return right, list(lengths.values())


def _right_is_longest(q):
    right, others = _right_and_others(q)
    return right > max(others)


def test_the_course_has_choice_questions():
    assert len(CHOICES) >= 10


@pytest.mark.parametrize("q", CHOICES, ids=[q.qid for q in CHOICES])
def test_the_right_option_is_not_the_longest(q):
    assert not _right_is_longest(q), (q.qid, _right_and_others(q))


@pytest.mark.parametrize("q", CHOICES, ids=[q.qid for q in CHOICES])
def test_the_options_have_similar_lengths(q):
    lengths = [len(option) for option in q.options]
    assert max(lengths) <= MAX_LENGTH_RATIO * min(lengths), (q.qid, lengths)
