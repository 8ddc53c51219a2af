"""Held-out cases of the function questions: drawn from the grader's seed, they
make a function written only for the visible cases fail."""

from functools import lru_cache
from importlib import import_module

import pytest

from dynamo_lab.exercises import CORRECT, EXERCISE_SETS, INCORRECT
from dynamo_lab.exercises.questions import Mode, building

SEEDS = (0, 1, 12345)


def _function_questions(mode=None):
    """Every function question of every set, built in ``mode`` (self-study if None)."""
    found = []
    for name in EXERCISE_SETS:
        module = import_module(f"dynamo_lab.exercises.{name}")
        if mode is None:
            built = module.questions()
        else:
            with building(mode):
                built = module.questions()
        found += [q for q in built if q.kind == "function"]
    return found


QIDS = [q.qid for q in _function_questions()]


def _build_set(name, seed):
    module = import_module(f"dynamo_lab.exercises.{name}")
    with building(Mode() if seed is None else Mode(held_out_seed=seed)):
        return {q.qid: q for q in module.questions() if q.kind == "function"}


# Building a set runs the simulator for some of its questions: build each once per seed.
_built_set = lru_cache(maxsize=None)(_build_set)


def _build(qid, seed=None, fresh=False):
    """Question ``qid``, with held-out cases drawn from ``seed`` (none if None)."""
    name = qid.split(".")[0]
    return (_build_set if fresh else _built_set)(name, seed)[qid]


def _memoriser(q):
    """A function that knows the reference's answer for the visible cases only."""
    known = {repr(args): q.reference(*args) for args in q.visible_cases}

    def memoriser(*args):
        return known.get(repr(args))
    return memoriser


def test_every_function_question_is_found():
    assert len(QIDS) >= 12 and len(set(QIDS)) == len(QIDS)


@pytest.mark.parametrize("qid", QIDS)
def test_every_function_question_has_a_held_out_generator(qid):
    q = _build(qid)
    assert callable(q.held_out), f"{qid} has no held_out generator"
    assert q.held_out_cases == [] and q.cases == q.visible_cases   # self-study: none drawn


@pytest.mark.parametrize("qid", QIDS)
@pytest.mark.parametrize("seed", SEEDS)
def test_a_seed_draws_the_same_cases_every_time(qid, seed):
    q, again = _build(qid, seed), _build(qid, seed, fresh=True)
    assert len(q.held_out_cases) >= 10
    assert q.held_out_cases == again.held_out_cases
    assert q.cases == q.visible_cases + q.held_out_cases
    assert all(isinstance(case, tuple) for case in q.held_out_cases)


@pytest.mark.parametrize("qid", QIDS)
def test_another_seed_draws_other_cases(qid):
    drawn = [_build(qid, seed).held_out_cases for seed in SEEDS]
    for i, first in enumerate(drawn):
        for second in drawn[i + 1:]:
            assert first != second


@pytest.mark.parametrize("qid", QIDS)
@pytest.mark.parametrize("seed", SEEDS)
def test_the_reference_passes_the_held_out_cases(qid, seed):
    q = _build(qid, seed)
    result = q.check(q._reference_answer())
    assert result.outcome == CORRECT, (qid, seed, result)
    assert str(len(q.cases)) in result.message


@pytest.mark.parametrize("qid", QIDS)
@pytest.mark.parametrize("seed", SEEDS)
def test_the_misconceptions_run_on_the_held_out_cases(qid, seed):
    # A held-out case must not make a misconception raise: its message would be lost.
    q = _build(qid, seed)
    for wrong, _ in q.misconceptions:
        for case in q.held_out_cases:
            wrong(*case)


@pytest.mark.parametrize("qid", QIDS)
def test_a_memoriser_passes_self_study_and_fails_the_grader(qid):
    q = _build(qid)
    assert q.check(_memoriser(q)).outcome == CORRECT, q.last_message
    for seed in SEEDS:
        graded = _build(qid, seed)
        assert graded.check(_memoriser(graded)).outcome == INCORRECT, (seed, graded.last_message)


@pytest.mark.parametrize("qid", QIDS)
@pytest.mark.parametrize("seed", SEEDS)
def test_held_out_cases_are_mostly_new(qid, seed):
    q = _build(qid, seed)
    new = [case for case in q.held_out_cases if case not in q.visible_cases]
    assert 2 * len(new) >= len(q.held_out_cases), (len(new), len(q.held_out_cases))
