"""The exercise framework: every question tested three ways, answers of the
wrong form, generated notebooks in sync with their solutions, and instructor
grading."""

import importlib
import json
import re
from fractions import Fraction
from pathlib import Path

import nbformat
import numpy as np
import pytest
from builds import PLUGS_IN_CLASSES

from dynamo_lab.exercises import (CORRECT, FOR_REVIEW, INCORRECT, NOT_ATTEMPTED, OUTCOMES,
                                  WRONG_FORM)
from dynamo_lab.exercises.answer_forms import AnswerForm, Function
from generate_exercises import generate_all, strip_solutions  # tools/
from dynamo_lab.exercises.grade import grade_notebook

ROOT = Path(__file__).resolve().parents[1]
SETS = sorted(p.stem for p in (ROOT / "dynamo_lab" / "exercises").glob("ex[0-9][0-9].py"))
QUESTIONS = [(name, index) for name in SETS
             for index in range(len(importlib.import_module(f"dynamo_lab.exercises.{name}")
                                    .questions()))]


def question(name, index):
    return importlib.import_module(f"dynamo_lab.exercises.{name}").questions()[index]


@pytest.mark.parametrize("name, index", QUESTIONS, ids=[f"{n}.q{i + 1}" for n, i in QUESTIONS])
def test_every_question_three_ways(name, index):
    q = question(name, index)
    # A thought question is read by a person: its reference is "for review".
    expected = FOR_REVIEW if q.kind == "thought" else CORRECT
    assert q.check(q.reference_answer()).outcome == expected, q.last_message
    assert q.check(...).outcome == NOT_ATTEMPTED
    assert q.check(q.stub_answer()).outcome == NOT_ATTEMPTED
    wrong = q.wrong_answers()
    # A thought question is not graded for content: any answer of its form counts.
    assert wrong or q.kind == "thought", f"{q.qid} has no plausible wrong answer to test"
    for answer, fragment in wrong:
        result = q.check(answer)
        assert result.outcome == INCORRECT and fragment in result.message, (answer, result)
    assert q.hint() and q.solution()


def test_check_never_raises_even_on_hostile_answers():
    q = question("ex03", 0)
    assert q.check(lambda *a: 1 / 0).outcome == INCORRECT
    assert "ZeroDivisionError" in q.last_message
    assert q.check("not a function").outcome == WRONG_FORM
    assert question("ex03", 1).check(["r", 3]).outcome == WRONG_FORM
    assert question("ex03", 1).check(_Hostile()).outcome == WRONG_FORM


# -- answers of the wrong form ---------------------------------------------------------

class _Hostile:
    """An answer whose every operation raises, even its repr."""

    def _boom(self, *args, **kwargs):
        raise RuntimeError("hostile answer")

    __eq__ = __lt__ = __hash__ = __len__ = __iter__ = __bool__ = __float__ = __index__ = _boom
    __repr__ = __call__ = _boom


def _battery():
    """Answers of every common form; each question must reject some of them."""
    return [None, object(), "3", "an answer that runs to more than five words", "a, b",
            3, 0.5, -1, 250, True, float("nan"), np.float64(0.5), np.int64(3), Fraction(1, 2),
            (3, 3), [1, 2], ["book"], {"x": 1}, {"a", "b"}, {}, lambda: None,
            lambda *args: None, _Hostile()]


@pytest.mark.parametrize("name", SETS)
def test_an_answer_of_the_wrong_form_gets_a_format_message(name):
    for q in importlib.import_module(f"dynamo_lab.exercises.{name}").questions():
        rejected = 0
        for answer in _battery():
            accepted = q.form.accepts(answer)
            result = q.check(answer)
            assert result.outcome in OUTCOMES
            if accepted:
                assert result.outcome != WRONG_FORM, (q.qid, answer, result)
                continue
            rejected += 1
            assert result.outcome == WRONG_FORM, (q.qid, answer, result)
            assert result.message == q.form.message()
            assert result.message.startswith("Answer with") and "for example" in result.message
            assert repr(result) == result.message and "Incorrect" not in repr(result)
            assert "#9a6700" in result._repr_html_()   # its own colour in a notebook
            assert q.outcome == WRONG_FORM and not result
        assert rejected, f"{q.qid}: no answer in the battery has the wrong form"


def test_r_and_w_as_a_tuple_is_the_wrong_form_not_a_wrong_idea():
    q = question("ex03", 1)
    result = q.check((3, 3))
    assert result.outcome == WRONG_FORM
    assert repr(result) == ("Answer with a dict {'r': R, 'w': W} of whole numbers from 1 to 5, "
                            "for example {'r': 1, 'w': 4}.")
    assert q.check({"r": 3, "w": 3}).outcome == CORRECT
    assert q.check({"r": np.int64(3), "w": np.int64(3)}).outcome == CORRECT


@pytest.mark.parametrize("qid, answer, fragment", [
    ("ex07.q5", "version vectors", "one of the names"),   # was "incorrect"
    ("ex09.q5", 85, "not a percent"),                     # was "incorrect"
    ("ex08.q1", "22%", "a percent from 0 to 100"),
    ("ex05.q5", "all of them", "a string of letters"),
    ("ex02.q1", [("A", 10)], "a function preference_list(position, tokens, n)"),
    ("ex03.q1", lambda n, r: True, "a function must_overlap(n, r, w)"),
    ("ex01.q5", "yes", "at least 5 words"),
])
def test_answers_that_were_once_judged_are_now_the_wrong_form(qid, answer, fragment):
    name, number = qid.split(".q")
    q = question(name, int(number) - 1)
    result = q.check(answer)
    assert result.outcome == WRONG_FORM and fragment in result.message, result


def test_every_question_has_a_form_and_value_questions_need_one():
    from dynamo_lab.exercises import ValueQuestion

    for name, index in QUESTIONS:
        assert isinstance(question(name, index).form, AnswerForm)
    with pytest.raises(TypeError):
        ValueQuestion("ex99.q1", "How many?", answer=3)


def _plain(text):
    """Markdown or a prompt as comparable text: no backticks, single spaces."""
    return " ".join(text.replace("`", "").split())


@pytest.mark.parametrize("name, index", QUESTIONS, ids=[f"{n}.q{i + 1}" for n, i in QUESTIONS])
def test_every_prompt_states_the_form_of_its_answer(name, index):
    q = question(name, index)
    assert _plain(q.form.description) in _plain(q.prompt), q.qid


def _markdown_per_question(path):
    """Question number -> the markdown between the previous check and the cell calling qk.check."""
    found, pending = {}, []
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "markdown":
            pending.append(cell.source)
            continue
        for number in re.findall(r"\bq(\d+)\.check\(", cell.source):
            found[int(number)] = "\n".join(pending)
            pending = []
    return found


@pytest.mark.parametrize("name", SETS)
def test_every_solution_notebook_states_the_form_of_each_answer(name):
    (path,) = (ROOT / "solutions").glob(f"{name[2:]}_*.ipynb")
    markdown = _markdown_per_question(path)
    questions = importlib.import_module(f"dynamo_lab.exercises.{name}").questions()
    assert sorted(markdown) == list(range(1, len(questions) + 1)), path.name
    for number, q in enumerate(questions, 1):
        assert _plain(q.form.description) in _plain(markdown[number]), (path.name, q.qid)


@pytest.mark.parametrize("name", SETS)
def test_a_form_example_has_that_form_and_is_not_the_answer(name):
    for q in importlib.import_module(f"dynamo_lab.exercises.{name}").questions():
        if isinstance(q.form, Function):
            assert q.form.name in q.form.example
            continue
        example = eval(q.form.example, {"Fraction": Fraction})  # examples are Python source
        assert q.form.accepts(example), (q.qid, q.form.example)
        if q.kind != "thought":   # any text counts as an answer to a thought question
            assert q.check(example).outcome == INCORRECT, (q.qid, q.form.example)


def test_hints_are_layered():
    q = question("ex03", 0)
    assert "Hint 2" not in q.hint() and "hint(2)" in q.hint()
    assert "Hint 1" in q.hint(2) and "Hint 2" in q.hint(2)
    assert q.hint(99) == q.hint(len(q.hints))


def test_stripping_rejects_unbalanced_markers():
    with pytest.raises(ValueError, match="never closed"):
        strip_solutions("### BEGIN SOLUTION\nx = 1")
    with pytest.raises(ValueError, match="without a"):
        strip_solutions("x = 1\n### END SOLUTION")


def _normalised(path):
    nb = nbformat.read(path, as_version=4)
    return json.dumps(nb, sort_keys=True)


def test_committed_exercises_match_what_generation_produces(tmp_path):
    written = generate_all(ROOT / "solutions", tmp_path)
    assert written, "no solution notebooks found"
    committed = sorted(p.name for p in (ROOT / "exercises").glob("*.ipynb"))
    assert committed == sorted(p.name for p in written), "run `make exercises`"
    for path in written:
        assert _normalised(path) == _normalised(ROOT / "exercises" / path.name), (
            f"exercises/{path.name} is stale: run `make exercises`")


def test_committed_exercises_have_no_outputs_or_widget_state():
    for path in (ROOT / "exercises").glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        assert "widgets" not in nb.metadata
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None
                assert "### BEGIN SOLUTION" not in cell.source


@pytest.mark.parametrize("path", [
    # A lab plugs the learner's classes into the cluster: interpreted package only.
    pytest.param(path, marks=PLUGS_IN_CLASSES) if path.name.startswith("lab") else path
    for path in sorted((ROOT / "exercises").glob("*.ipynb"))], ids=lambda p: p.name)
def test_exercise_notebooks_run_clean_and_report_not_attempted(path):
    report = grade_notebook(path, seed=0)
    assert report.status == "ok" and report.cell_errors == 0, report.detail
    assert report.outcomes and set(report.outcomes.values()) == {NOT_ATTEMPTED}


def test_the_package_lists_every_exercise_set():
    from dynamo_lab.exercises import EXERCISE_SETS

    assert list(EXERCISE_SETS) == SETS


# -- questions in the set of the lesson that teaches them -------------------------------

def test_hash_mod_n_is_asked_in_set_02_and_measured_there():
    from dynamo_lab.hash_mod_n import fraction_moved, sample_keys
    from dynamo_lab.experiments.partitioning import node_names

    q6 = question("ex02", 5)
    measured = 1 - fraction_moved(sample_keys(20_000), node_names(10), node_names(11))
    assert q6.answer == Fraction(1, 11) and abs(measured - q6.answer) < 0.01
    prompts = [question("ex03", i).prompt for i in range(5)]
    assert not any("mod" in prompt for prompt in prompts)


def test_set_03_levels_question_is_computed_on_the_simulator():
    from dynamo_lab.exercises import ex03
    from dynamo_lab.consistency import level_size

    q5 = question("ex03", 4)
    assert ex03.best_levels() == [q5.reference_answer()]
    r, w = (level_size(q5.reference_answer()[op], 3) for op in ("read", "write"))
    assert r + w > 3                       # fresh reads need the overlap
    p99 = ex03.read_p99_by_level()         # waiting for the k-th reply costs more as k grows
    assert p99["ONE"] < p99["QUORUM"] < p99["ALL"]
    assert r == 1


def test_set_02_join_share_wants_the_measured_value_not_one_fifth():
    q2 = question("ex02", 1)
    assert round(q2.reference_answer(), 3) == 0.194          # the lesson's table, 256 tokens
    assert q2.check(0.194).outcome == CORRECT
    assert q2.check(q2.reference_answer()).outcome == CORRECT
    naive = q2.check(0.2)
    assert naive.outcome == INCORRECT and "1/5" in naive.message
    assert q2.check(Fraction(1, 5)).outcome == INCORRECT
