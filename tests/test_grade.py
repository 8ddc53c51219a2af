"""The grader against hostile submissions: every row of the audit's table is a test.

One batch of notebooks, graded once for the module, holds a blank notebook,
a solved one, one per attack, and an honest notebook graded last. Each test
then reads its own notebook's row. Smaller tests cover the answer codec, the
sandbox and the release.
"""

from __future__ import annotations

import csv
import math
from fractions import Fraction
from pathlib import Path

import nbformat
import pytest

from dynamo_lab.exercises import CORRECT, FOR_REVIEW, INCORRECT, NOT_ATTEMPTED
from dynamo_lab.exercises.answers import FunctionSource, Unsupported, decode, encode
from dynamo_lab.exercises.grade import course_question_ids, grade, main as grade_main
from dynamo_lab.labs import LABS

ROOT = Path(__file__).resolve().parents[1]
SOLVED_03 = ROOT / "solutions" / "03_quorums.ipynb"
BLANK_03 = ROOT / "exercises" / "03_quorums.ipynb"
BLANK_02 = ROOT / "exercises" / "02_partitioning_and_the_ring.ipynb"
CELL_TIMEOUT_S = 20   # generous: a loaded CI machine imports slowly


def _notebook(base: Path, replace: dict[str, str] | None = None, append=()) -> nbformat.NotebookNode:
    """``base`` with the code cells that contain a key of ``replace`` rewritten, and
    cells appended."""
    nb = nbformat.read(base, as_version=4)
    for cell in nb.cells:
        for marker, source in (replace or {}).items():
            if cell.cell_type == "code" and marker in cell.source:
                cell.source = source
    nb.cells += [nbformat.v4.new_code_cell(source) for source in append]
    return nb


SELF_MARKED = "for q in (q1, q2, q3, q4, q5):\n    q.outcome = 'correct'\n    q.last_message = ''"
REFERENCE = "for q in (q1, q2, q3, q4, q5):\n    q.check(q.reference_answer())"
PATCHED_CHECK = """\
from dynamo_lab.exercises import questions as _q
_q.Question.check = lambda self, answer=...: _q.CheckResult('correct')
_q.report = lambda: [{'question': q.qid, 'outcome': 'correct', 'message': ''} for q in _q.registry()]
for q in (q1, q2, q3, q4, q5):
    q.check('anything')
"""
FAKE_ROWS = """\
from dynamo_lab.exercises import questions as _q
_q.report = lambda: [{'question': f'junk{i}', 'outcome': 'correct'} for i in range(50)]
print('DYNAMO_LAB_GRADE_REPORT:' + __import__('json').dumps(_q.report()))
"""
BROKEN_REPORT = ("from dynamo_lab.exercises import questions as _q\n"
                 "_q.report = lambda: {'not': 'a list'}\n"
                 "_q.registry = None")
SIGINT_LOOP = ("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
               "signal.signal(signal.SIGTERM, signal.SIG_IGN)\nwhile True:\n    pass")
SHADOW = """\
import pathlib
shadow = pathlib.Path('dynamo_lab')
(shadow / 'exercises').mkdir(parents=True, exist_ok=True)
(shadow / '__init__.py').write_text('')
(shadow / 'exercises' / '__init__.py').write_text('def __getattr__(name):\\n    raise ImportError(name)')
"""
MEMORISER = """\
SEEN = {(1, 1, 1): True, (2, 1, 1): False, (2, 1, 2): True, (3, 1, 1): False, (3, 2, 1): False,
        (3, 2, 2): True, (3, 3, 1): True, (3, 1, 3): True, (5, 3, 3): True, (5, 2, 3): False,
        (5, 4, 2): True, (7, 3, 4): False}

def must_overlap(n, r, w):
    return SEEN.get((n, r, w), False)

q1.check(must_overlap)
"""
WITH_HELPERS = """\
import math as m
SLACK = 0

def quorum_sum(r, w):
    return r + w + SLACK

def must_overlap(n, r, w):
    return m.isfinite(n) and quorum_sum(r, w) > n

q1.check(must_overlap)
"""
FOREVER = "def must_overlap(n, r, w):\n    while True:\n        pass\n\nq1.check(must_overlap)"


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """Grade one folder of hostile and honest notebooks; return rows by file name."""
    folder = tmp_path_factory.mktemp("submissions")
    blank = nbformat.read(BLANK_03, as_version=4)
    notebooks = {
        "blank.ipynb": blank,
        "solved.ipynb": nbformat.read(SOLVED_03, as_version=4),
        "self_marked.ipynb": _notebook(BLANK_03, append=[SELF_MARKED]),
        "reference.ipynb": _notebook(BLANK_03, append=[REFERENCE]),
        "patched_check.ipynb": _notebook(BLANK_03, append=[PATCHED_CHECK]),
        "fake_rows.ipynb": _notebook(BLANK_03, append=[FAKE_ROWS]),
        "broken_report.ipynb": _notebook(SOLVED_03, append=[BROKEN_REPORT]),
        "sigint_loop.ipynb": _notebook(SOLVED_03, replace={"q3.check(": SIGINT_LOOP}),
        "shadow.ipynb": _notebook(SOLVED_03, append=[SHADOW]),
        "exits.ipynb": _notebook(SOLVED_03, replace={"q3.check(": "import os\nos._exit(1)"}),
        "memoriser.ipynb": _notebook(SOLVED_03, replace={"q1.check(": MEMORISER}),
        "helpers.ipynb": _notebook(BLANK_03, replace={"q1.check(": WITH_HELPERS}),
        "forever.ipynb": _notebook(BLANK_03, replace={"q1.check(": FOREVER}),
        "free_text.ipynb": _notebook(BLANK_02, replace={
            "q5.check(": "q5.check('blah blah blah blah blah')"}),
        "zz_honest.ipynb": nbformat.read(SOLVED_03, as_version=4),
    }
    for name, nb in notebooks.items():
        nbformat.write(nb, folder / name)
    csv_path = folder.parent / "grades.csv"
    reports = grade([folder / name for name in notebooks], cell_timeout_s=CELL_TIMEOUT_S,
                    notebook_timeout_s=240, function_timeout_s=10, csv_path=csv_path, seed=2026)
    with open(csv_path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {"reports": {r.path.name: r for r in reports}, "rows": rows,
            "csv": csv_path, "folder": folder, "review": folder.parent / "grades_review"}


def test_the_batch_finishes_with_every_notebook_on_its_row(batch):
    assert len(batch["rows"]) == 15
    # One cell loops for ever and one function never returns, yet no notebook needed its
    # wall-clock limit: the per-cell and per-function limits stopped them (how long the
    # batch takes is a figure for the benchmarks, not an assertion).
    assert not [r.path.name for r in batch["reports"].values() if r.status == "timed out"]


def test_blank_scores_zero_and_solved_full_marks(batch):
    blank, solved = batch["reports"]["blank.ipynb"], batch["reports"]["solved.ipynb"]
    assert set(blank.outcomes.values()) == {NOT_ATTEMPTED} and blank.score == 0
    assert blank.status == "renamed" and blank.cell_errors == 0
    assert solved.score == solved.total == 5


@pytest.mark.parametrize("name", ["self_marked.ipynb", "reference.ipynb",
                                  "patched_check.ipynb", "fake_rows.ipynb"])
def test_claiming_marks_earns_nothing(batch, name):
    report = batch["reports"][name]
    assert report.score == 0, report.outcomes
    assert set(report.outcomes.values()) <= {NOT_ATTEMPTED, INCORRECT}


def test_reference_answer_is_off_in_the_grading_kernel(batch):
    assert batch["reports"]["reference.ipynb"].cell_errors == 1


def test_columns_are_the_course_question_ids_whatever_a_notebook_reports(batch):
    with open(batch["csv"], newline="") as handle:
        header = next(csv.reader(handle))
    ids = course_question_ids()
    first = header.index("kernel_deaths") + 1          # the fixed columns end there
    assert header[first:-1] == ids and header[-1] == "detail" and "junk0" not in header
    # 63 questions in the exercise sets, and one per lab.
    assert len(ids) == len(set(ids)) == 63 + len(LABS)
    assert ids[len(ids) - len(LABS):] == list(LABS)


def test_a_broken_report_changes_nothing(batch):
    report = batch["reports"]["broken_report.ipynb"]
    assert report.score == 5 and report.cell_errors == 0


def test_a_loop_that_ignores_sigint_is_killed_and_the_rest_counts(batch):
    report = batch["reports"]["sigint_loop.ipynb"]
    assert report.timed_out_cells == 1
    assert report.outcomes["ex03.q3"] == NOT_ATTEMPTED
    assert report.score == 4                        # q1, q2, q4, q5


def test_a_shadow_package_reaches_neither_the_folder_nor_the_next_notebook(batch):
    assert not (batch["folder"] / "dynamo_lab").exists()
    assert batch["reports"]["shadow.ipynb"].score == 5
    assert batch["reports"]["zz_honest.ipynb"].score == 5


def test_a_kernel_that_dies_keeps_the_answers_given_before(batch):
    report = batch["reports"]["exits.ipynb"]
    assert report.kernel_deaths == 1
    assert report.outcomes["ex03.q1"] == report.outcomes["ex03.q2"] == CORRECT
    assert report.score == 4                        # the cell that exited answered q3


def test_a_function_that_memorises_the_visible_cases_fails_the_held_out_ones(batch):
    assert batch["reports"]["memoriser.ipynb"].outcomes["ex03.q1"] == INCORRECT


def test_a_function_with_helpers_imports_and_constants_is_rebuilt(batch):
    assert batch["reports"]["helpers.ipynb"].outcomes["ex03.q1"] == CORRECT


def test_a_function_that_never_returns_is_stopped(batch):
    report = batch["reports"]["forever.ipynb"]
    assert report.outcomes["ex03.q1"] == INCORRECT
    assert "more than 10 s" in report.messages["ex03.q1"]


def test_free_text_is_for_review_and_exported(batch):
    report = batch["reports"]["free_text.ipynb"]
    assert report.outcomes["ex02.q5"] == FOR_REVIEW and report.score == 0
    assert report.total == 8                        # nine questions, one for review
    text = (batch["review"] / "ex02.q5.md").read_text()
    assert "blah blah blah blah blah" in text and "free_text.ipynb" in text


def test_a_grader_failure_on_one_notebook_still_writes_every_row(tmp_path, monkeypatch):
    import dynamo_lab.exercises.grade as grading

    def explode(path, **options):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(grading, "grade_notebook", explode)
    csv_path = tmp_path / "grades.csv"
    reports = grade([tmp_path / "a.ipynb", tmp_path / "b.ipynb"], csv_path=csv_path, seed=1)
    assert [r.status for r in reports] == ["grader error"] * 2
    assert len(csv_path.read_text().splitlines()) == 3


def test_grade_command_line(tmp_path, capsys):
    missing = tmp_path / "nope.ipynb"
    assert grade_main([str(missing), "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "unreadable" in out and "--seed 3" in out


# -- the answer codec --------------------------------------------------------------------

@pytest.mark.parametrize("value", [
    None, True, 3, -2.5, "QUORUM", [1, [2, 3]], (1, "a"), {1, 2}, frozenset({"x"}),
    {"r": 2, (1, 2): [3]}, Fraction(2, 7), ..., {"nested": ({"a"}, frozenset())},
])
def test_answers_survive_the_trip(value):
    back = decode(encode(value))
    assert back == value and type(back) is type(value)


def test_odd_answers_arrive_as_placeholders_that_equal_nothing():
    import numpy as np

    assert decode(encode(np.float64(0.5))) == 0.5 and decode(encode(np.arange(3))) == [0, 1, 2]
    assert decode(encode(float("nan"))) != decode(encode(float("nan")))
    odd = decode(encode(object()))
    assert isinstance(odd, Unsupported) and odd != "object" and odd != 0
    assert isinstance(decode({"@tuple": 5}), Unsupported)
    assert isinstance(decode({"@evil": "os.system"}), Unsupported)


LIMIT = 1


def _answer_using_math(n):
    return math.sqrt(n) + LIMIT


def test_a_function_travels_as_source_with_what_it_needs():
    source = decode(encode(_answer_using_math))
    assert isinstance(source, FunctionSource) and source.name == "_answer_using_math"
    assert "def _answer_using_math(n):" in source.source
    assert source.signature == (("n", "POSITIONAL_OR_KEYWORD", False),)
    assert "import math as math" in source.imports and source.constants == {"LIMIT": 1}


def test_a_lambda_and_a_closure_are_cut_out_and_rebuilt():
    offset = 2

    def shifted(x):
        return x + offset

    check = (lambda n, r, w: r + w > n)
    lam, closure = decode(encode(check)), decode(encode(shifted))
    namespace = {"__constants__": lam.constants}
    exec(lam.program(), namespace)
    assert namespace[lam.name](3, 2, 2) is True
    namespace = {"__constants__": closure.constants}
    exec(closure.program(), namespace)
    assert namespace["shifted"](1) == 3


# -- the sandbox ---------------------------------------------------------------------------

def _function_questions():
    import importlib

    from dynamo_lab.exercises import EXERCISE_SETS
    from dynamo_lab.exercises.answer_forms import Function

    # Function questions, and configuration questions whose answer is a function.
    return [(name, q.qid) for name in EXERCISE_SETS
            for q in importlib.import_module(f"dynamo_lab.exercises.{name}").questions()
            if isinstance(q.form, Function)]


@pytest.mark.parametrize("exercise_set, qid", _function_questions())
def test_every_reference_function_passes_through_the_sandbox(exercise_set, qid):
    from dynamo_lab.exercises.grade import _build_questions, _judge
    from dynamo_lab.exercises.questions import Mode

    (question,) = [q for q in _build_questions(exercise_set, Mode(held_out_seed=9))
                   if q.qid == qid]
    answer = decode(encode(question._reference_answer()))
    result = _judge(exercise_set, question, answer, seed=9, function_timeout_s=60)
    assert result.outcome == CORRECT, result.message


# -- the learner's copy --------------------------------------------------------------------

def _in_copy(copy: Path, code: str) -> str:
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(copy)}
    env.pop("DYNAMO_LAB_GRADED", None)
    done = subprocess.run([sys.executable, "-P", "-c", code], cwd=copy, env=env,
                          capture_output=True, text=True, timeout=120)
    return done.stdout + done.stderr


SOLUTION_PROBE = """\
import dynamo_lab
from dynamo_lab.exercises import ex03
q = ex03.questions()[0]
print(dynamo_lab.__file__)
print(q.check(lambda n, r, w: r + w > n).outcome)
try:
    print(q.solution())
except Exception as exc:
    print(type(exc).__name__, exc)
"""


@pytest.mark.parametrize("graded", [True, False])
def test_a_release_has_no_solutions_and_its_graded_mode_refuses_them(tmp_path, graded):
    from dynamo_lab.exercises.release import release

    copy = release(tmp_path / "course", graded=graded, source=ROOT)
    assert not (copy / "solutions").exists() and (copy / "exercises" / "03_quorums.ipynb").exists()
    assert not list(copy.rglob("*.pyc")) and (copy / "Makefile").read_text().count("lab") >= 2
    out = _in_copy(copy, SOLUTION_PROBE)
    assert str(copy / "dynamo_lab") in out and "correct" in out
    if graded:
        assert "GradedModeError" in out and "off in graded mode" in out
        assert "graded" in (copy / "README.md").read_text()
    else:
        assert "Solution: def must_overlap" in out


def test_a_release_will_not_overwrite_or_nest(tmp_path, capsys):
    from dynamo_lab.exercises.release import main as release_main, release

    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="not empty"):
        release(tmp_path / "busy", source=ROOT)
    assert (tmp_path / "busy" / "notes.txt").read_text() == "mine"
    with pytest.raises(ValueError, match="inside the repository"):
        release(ROOT / "inside", source=ROOT)
    assert not (ROOT / "inside").exists()
    assert release_main([str(tmp_path / "busy")]) == 2       # the command says why, no traceback
    assert capsys.readouterr().err.startswith("release: ")


def test_graded_mode_from_the_environment(monkeypatch):
    from dynamo_lab.exercises.questions import GradedModeError, current_mode
    from dynamo_lab.exercises import ex03

    monkeypatch.setenv("DYNAMO_LAB_GRADED", "1")
    assert current_mode().graded
    q = ex03.questions()[0]
    with pytest.raises(GradedModeError, match="off in graded mode"):
        q.reference_answer()
    assert q.hint()
    monkeypatch.setenv("DYNAMO_LAB_GRADED", "0")
    assert ex03.questions()[0].solution().startswith("Solution:")


# -- numbers of a learner's own ------------------------------------------------------------

def _drawn_parameters(learner):
    import importlib

    from dynamo_lab.exercises import EXERCISE_SETS
    from dynamo_lab.exercises.questions import Mode, building

    with building(Mode(learner=learner)):
        return {q.qid: q.parameters for name in EXERCISE_SETS
                for q in importlib.import_module(f"dynamo_lab.exercises.{name}").questions()
                if q.parameters}


def test_two_learners_get_their_own_numbers_and_keep_them():
    course, ada, bob = _drawn_parameters(None), _drawn_parameters("ada"), _drawn_parameters("bob")
    assert set(course) == set(ada) == {"ex03.q4", "ex06.q2", "ex08.q1"}
    assert ada == _drawn_parameters("ada")              # the copy and the grader agree
    assert ada != bob and ada != course


def test_a_learners_copy_is_graded_against_that_learners_numbers(tmp_path):
    from dynamo_lab.exercises import ex03
    from dynamo_lab.exercises.questions import Mode, building
    from dynamo_lab.exercises.release import release

    copy = release(tmp_path / "ada", graded=True, learner="ada", source=ROOT)
    notebook = copy / "exercises" / "03_quorums.ipynb"
    assert nbformat.read(notebook, as_version=4).metadata["dynamo_lab"] == {"learner": "ada"}
    with building(Mode(learner="ada")):
        (own,) = [q for q in ex03.questions() if q.qid == "ex03.q4"]
    answer = own._reference_answer()
    assert answer != Fraction(2, 3)                     # ada's numbers are not the course's
    folder = tmp_path / "submissions"
    folder.mkdir()
    own = f"Fraction({answer.numerator}, {answer.denominator})"
    for name, given in (("03_quorums.ipynb", own), ("03_course_numbers.ipynb", "Fraction(2, 3)")):
        check = f"from fractions import Fraction\nq4.check({given})"
        nbformat.write(_notebook(notebook, replace={"q4.check(": check}), folder / name)
    own_numbers, course_numbers = grade([folder / "03_quorums.ipynb",
                                         folder / "03_course_numbers.ipynb"], seed=4)
    assert own_numbers.learner == course_numbers.learner == "ada"
    assert own_numbers.outcomes["ex03.q4"] == CORRECT
    assert course_numbers.outcomes["ex03.q4"] == INCORRECT
