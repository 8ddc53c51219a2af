"""Predict first: the widget hides the computed answer until a prediction is committed."""

import pytest

import dynamo_lab as dl
from dynamo_lab.widgets import predict as predict_module
from dynamo_lab.widgets.predict import Predict, prediction_summary


@pytest.fixture(autouse=True)
def fresh_session():
    predict_module._ASKED.clear()
    yield
    predict_module._ASKED.clear()


def test_the_saved_form_holds_the_question_and_a_seal_not_the_answer():
    p = Predict("Which level fails first?", choices=["ONE", "QUORUM", "ALL"], answer="ALL",
                show="ALL needs every replica: 3 of 3 failed")
    bundle = p._repr_mimebundle_()
    text = bundle["text/plain"]
    assert "Which level fails first?" in text and "ONE | QUORUM | ALL" in text
    assert "3 of 3 failed" not in text and "sealed" in text
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_the_seal_changes_when_the_computed_result_changes():
    def seal(answer, shown):
        return Predict("q?", choices=["a", "b"], answer=answer, show=shown).seal

    assert seal("a", "x = 1") == seal("a", "x = 1")
    assert seal("a", "x = 1") != seal("b", "x = 1")
    assert seal("a", "x = 1") != seal("a", "x = 2")


def test_a_data_frame_is_sealed_by_its_whole_text():
    import pandas as pd

    frame = pd.DataFrame({"n": range(100), "stale": [i % 7 for i in range(100)]})
    changed = frame.copy()
    changed.loc[57, "stale"] = 99                  # a row a truncated repr would not show
    assert Predict("q?", unit="", answer=1.0, show=frame).seal != \
        Predict("q?", unit="", answer=1.0, show=changed).seal


def test_the_button_reveals_the_result_and_records_the_prediction():
    p = Predict("How many?", choices=["none", "some"], answer="some", show="some of them",
                why="two replicas missed it")
    view = p.widget()
    assert not p._button.disabled and p._output.layout.display == "none"
    assert p._output.outputs[0]["text"] == "some of them\n"      # rendered, hidden
    p._input.value = "none"
    p._button.click()
    assert p.prediction.committed == "none" and p.prediction.right is False
    assert p._button.disabled and p._input.disabled and p._output.layout.display is None
    assert "not this time" in p._verdict.value and "two replicas missed it" in p._verdict.value
    assert view is p.widget()


def test_a_button_press_without_a_choice_asks_for_one():
    p = Predict("How many?", choices=["none", "some"], answer="some")
    p.widget()
    p._button.click()
    assert p.prediction.committed is None and "Pick an option" in p._verdict.value


def test_the_first_commitment_counts():
    p = Predict("How many?", choices=["none", "some"], answer="some")
    p.commit("some")
    p.commit("none")
    assert p.prediction.committed == "some" and p.prediction.right


def test_a_number_is_right_within_its_tolerance():
    p = Predict("p99 in ms?", unit="ms", answer=10.0, tolerance=0.25)
    assert p.prediction.judge(12.4) and not p.prediction.judge(12.6)
    zero = Predict("stale reads?", unit="%", answer=0.0, absolute=0.05)
    assert zero.prediction.judge(0.04) and not zero.prediction.judge(0.2)


def test_the_summary_counts_this_sessions_predictions():
    Predict("a?", choices=["x", "y"], answer="x").commit("x")
    Predict("b?", choices=["x", "y"], answer="x").commit("y")
    Predict("c?", unit="ms", answer=3.0)
    text = prediction_summary().text()
    assert text.startswith("Predictions in this session: 2 of 3 committed, 1 right.")
    assert "wrong: b? (you: y; the simulator: x)" in text
    Predict("a?", choices=["x", "y"], answer="x")   # asked again: replaced, not counted twice
    assert "of 3 committed" in prediction_summary().text()


@pytest.mark.parametrize("make, message", [
    (lambda: Predict("", choices=["a", "b"], answer="a"), "question must be a non-empty"),
    (lambda: Predict("q?", choices=["a"], answer="a"), "at least two different options"),
    (lambda: Predict("q?", choices=["a", "a"], answer="a"), "at least two different options"),
    (lambda: Predict("q?", choices=["a", "b"], answer="c"), "answer 'c' is not one of"),
    (lambda: Predict("q?", answer="a"), "without choices the answer must be a finite number"),
    (lambda: Predict("q?", answer=float("nan")), "finite number"),
    (lambda: Predict("q?", answer=1.0, tolerance=-1), "tolerance must be a number >= 0"),
    (lambda: Predict("q?", choices=["a", "b"], answer="a").commit("c"), "pick one of"),
    (lambda: Predict("q?", answer=1.0).commit("many"), "a prediction here is a number"),
])
def test_bad_input_says_what_is_allowed(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_the_widget_is_on_dl_widgets():
    assert dl.widgets.Predict is Predict and dl.widgets.prediction_summary is prediction_summary


def test_a_saved_notebook_keeps_a_predict_cells_text_and_drops_other_widgets():
    import sys
    from pathlib import Path

    import nbformat

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
    from refresh_notebooks import WIDGET_VIEW, _without_widget_views

    def cell(source):
        out = nbformat.v4.new_output("execute_result", data={
            WIDGET_VIEW: {"model_id": "x"}, "text/plain": "Predict first: q?"})
        return nbformat.v4.new_code_cell(source, outputs=[out])

    kept = _without_widget_views(cell("Predict(...)"))
    assert [dict(out["data"]) for out in kept] == [{"text/plain": "Predict first: q?"}]
    assert _without_widget_views(cell("# NBVAL_IGNORE_OUTPUT\nClusterExplorer()")) == []


def test_what_is_shown_is_what_the_cell_computed_not_what_a_later_cell_changed():
    facts = ["before"]
    p = Predict("q?", choices=["a", "b"], answer="a", show=[facts])
    p.widget()                       # displayed at the end of its cell
    facts[0] = "after"               # a later cell changes the object
    assert "before" in str(p._output.outputs[0]["data"]["text/plain"])


def test_a_tuple_is_shown_as_one_thing():
    result = ("ok", 3)
    p = Predict("q?", choices=["a", "b"], answer="a", show=result)
    assert p.shown == [result]
