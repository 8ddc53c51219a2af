"""The lessons keep a steady pace and the shape COURSE.md gives them.

A lesson has at most 35 cells and about 2,500 words of prose, opens with what
the learner will be able to do, asks its "predict first" questions through
the Predict widget, and ends by summing up the learner's predictions. Longer
reproductions of published results live in optional deep dives.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
DEEP_DIVES = sorted((ROOT / "notebooks" / "deep_dives").glob("*.ipynb"))
MAX_CELLS = 35
MAX_WORDS = 2500
WORD = re.compile(r"[A-Za-z0-9'\u2019\-]+")


def cells(path):
    return json.loads(path.read_text())["cells"]


def prose_words(path) -> int:
    return sum(len(WORD.findall("".join(c["source"])))
               for c in cells(path) if c["cell_type"] == "markdown")


def test_the_counts_mean_what_they_say():
    assert len(WORD.findall("R + W > N isn't linearizable: 2,500 words")) == 8


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_a_lesson_stays_within_its_length(path):
    assert len(cells(path)) <= MAX_CELLS, f"{path.name}: {len(cells(path))} cells"
    assert prose_words(path) <= MAX_WORDS, f"{path.name}: {prose_words(path)} words of prose"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_a_lesson_opens_with_objectives_and_ends_with_the_predictions(path):
    source = ["".join(c["source"]) for c in cells(path)]
    assert "you will be able to" in source[0]
    assert source[-1].strip() == "prediction_summary()"
    assert any("Predict(" in s for s in source), "a lesson asks at least one prediction"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_a_lesson_points_to_its_exercises_when_it_has_them(path):
    number = path.name[:2]
    exercises = list((ROOT / "exercises").glob(f"{number}_*.ipynb"))
    if not exercises:
        pytest.skip(f"lesson {number} has no exercise notebook")
    text = "".join("".join(c["source"]) for c in cells(path) if c["cell_type"] == "markdown")
    assert f"exercises/{exercises[0].name}" in text


def test_there_are_deep_dives_and_each_says_it_is_optional():
    assert DEEP_DIVES, "the paper reproductions live in notebooks/deep_dives/"
    for path in DEEP_DIVES:
        title = "".join(cells(path)[0]["source"])
        assert "deep dive" in title.lower() and "optional" in title.lower(), path.name
        lesson = path.name[:2]
        assert list((ROOT / "notebooks").glob(f"{lesson}_*.ipynb")), \
            f"{path.name} follows lesson {lesson}, which does not exist"
