"""The t-visibility explorer without a browser: set .value, check the model, labels, picture."""

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

import dynamo_lab as dl  # noqa: E402
from dynamo_lab.pbs import t_visibility  # noqa: E402
from dynamo_lab.widgets import TVisibilityExplorer  # noqa: E402
from dynamo_lab.widgets.t_visibility import CHOICES, FITS, T_STEPS, TVisibilityModel  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
TRIALS = 4000


def test_model_numbers_are_those_of_pbs_t_visibility():
    model = TVisibilityModel(fit="LNKD-DISK", t_ms=10, trials=TRIALS, seed=3)
    expected = t_visibility(dl.latency.LNKD_DISK, n=3, r=1, w=1, t_ms=10, trials=TRIALS, seed=3)
    assert model.at_t()[(1, 1)] == pytest.approx(expected)
    assert set(model.at_t()) == set(CHOICES)
    assert model.at_t()[(2, 2)] == 1.0          # R + W > N always overlaps


def test_curves_rise_with_time_and_are_computed_once_per_fit():
    model = TVisibilityModel(fit="LNKD-DISK", trials=TRIALS)
    curve = model.curves()[(1, 1)]
    assert len(curve) == len(T_STEPS)
    assert curve[0] < 0.6 < 0.99 < curve[-1]
    assert model.curves() is model.curves()


def test_model_refuses_what_makes_no_sense():
    model = TVisibilityModel(trials=TRIALS)
    with pytest.raises(ValueError, match="unknown fit"):
        model.set_fit("SSD")
    with pytest.raises(ValueError, match="t_ms must be one of"):
        model.set_t(3)


def test_moving_the_slider_updates_model_table_and_picture():
    explorer = TVisibilityExplorer(trials=TRIALS)
    draws = explorer.view.draws
    explorer.t_slider.value = 50
    assert explorer.model.t_ms == 50
    assert "t = 50 ms" in explorer.table.value
    p = explorer.model.at_t()[(1, 1)]
    assert f"<td>R=1, W=1</td><td>{p:.3f}</td>" in explorer.table.value
    assert explorer.view.draws == draws + 1
    assert explorer.view.image.value[:8] == PNG


def test_picking_a_fit_redraws_its_curves():
    explorer = TVisibilityExplorer(trials=TRIALS)
    explorer.fit_picker.value = "WAN"
    assert explorer.model.fit == "WAN"
    ax = explorer.view.figure.axes[0]
    assert ax.get_title() == "WAN, N=3"
    assert [line.get_label() for line in ax.get_lines()[:len(CHOICES)]] == \
        [f"R={r}, W={w}" for r, w in CHOICES]
    # On the WAN, R = W = 1 stays near 1/3 until the write crosses to the other sites.
    assert explorer.model.at_t()[(1, 1)] == pytest.approx(1 / 3, abs=0.05)


def test_every_fit_is_offered_and_it_displays_as_a_widget():
    explorer = TVisibilityExplorer(trials=TRIALS)
    assert list(explorer.fit_picker.options) == list(FITS)
    assert WIDGET_VIEW in explorer._repr_mimebundle_()
