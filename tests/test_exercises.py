"""The exercise framework: every question tested three ways, generated
notebooks in sync with their solutions, and instructor grading."""

import importlib
import json
from pathlib import Path

import nbformat
import pytest

from dynamo_lab.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED
from dynamo_lab.exercises.generate import generate_all, strip_solutions
from dynamo_lab.grade import grade, main as grade_main, run_notebook

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
    assert q.check(q.reference_answer()).outcome == CORRECT, q.last_message
    assert q.check(...).outcome == NOT_ATTEMPTED
    assert q.check(q.stub_answer()).outcome == NOT_ATTEMPTED
    wrong = q.wrong_answers()
    assert wrong, f"{q.qid} has no plausible wrong answer to test"
    for answer, fragment in wrong:
        result = q.check(answer)
        assert result.outcome == INCORRECT and fragment in result.message, (answer, result)
    assert q.hint() and q.solution()


def test_check_never_raises_even_on_hostile_answers():
    q = question("ex03", 0)
    assert q.check(lambda *a: 1 / 0).outcome == INCORRECT
    assert "ZeroDivisionError" in q.last_message
    assert q.check("not a function").outcome == INCORRECT
    assert question("ex03", 1).check(["r", 3]).outcome == INCORRECT


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


@pytest.mark.parametrize("path", sorted((ROOT / "exercises").glob("*.ipynb")),
                         ids=lambda p: p.name)
def test_exercise_notebooks_run_clean_and_report_not_attempted(path):
    report = run_notebook(path, cell_timeout_s=120)
    assert report.status == "ok" and report.cell_errors == 0, report.detail
    assert report.outcomes and set(report.outcomes.values()) == {NOT_ATTEMPTED}


def test_grading_full_marks_zero_and_broken_notebooks(tmp_path, capsys):
    solution = ROOT / "solutions" / "03_quorums.ipynb"
    exercise = ROOT / "exercises" / "03_quorums.ipynb"
    unreadable = tmp_path / "03_quorums_broken.ipynb"
    unreadable.write_text("{ this is not a notebook")
    # A renamed copy of the solution whose second cell crashes and third hangs.
    nb = nbformat.read(solution, as_version=4)
    nb.cells[3].source = "raise RuntimeError('learner bug')"
    nb.cells[5].source = "import time\ntime.sleep(60)\n" + nb.cells[5].source
    troubled = tmp_path / "my_homework.ipynb"
    nbformat.write(nb, troubled)
    csv_path = tmp_path / "grades.csv"

    reports = grade([solution, exercise, unreadable, troubled], cell_timeout_s=8,
                    csv_path=csv_path)
    full, untouched, broken, t = reports
    assert full.status == "ok" and full.score == full.total == 5
    assert untouched.status == "ok" and untouched.score == 0 and untouched.total == 5
    assert untouched.cell_errors == 0
    assert broken.status == "unreadable" and "JSON" in broken.detail
    assert t.status == "renamed" and t.exercise_set == "ex03"
    assert t.cell_errors == 2 and t.timed_out_cells == 1
    assert t.outcomes["ex03.q1"] == NOT_ATTEMPTED      # its check never ran
    assert t.outcomes["ex03.q5"] == CORRECT            # later questions still count
    table = capsys.readouterr().out
    assert "unreadable" in table and "renamed" in table and "5/5" in table
    rows = csv_path.read_text().splitlines()
    assert rows[0].startswith("notebook,status,exercise_set,score,total") and len(rows) == 5


def test_grade_command_line(tmp_path, capsys):
    missing = tmp_path / "nope.ipynb"
    assert grade_main([str(missing)]) == 0
    assert "unreadable" in capsys.readouterr().out


def test_the_package_lists_every_exercise_set():
    from dynamo_lab.exercises import EXERCISE_SETS

    assert list(EXERCISE_SETS) == SETS
