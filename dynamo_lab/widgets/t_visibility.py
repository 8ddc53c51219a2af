"""The t-visibility explorer: how likely a read is to see a write, t ms after it commits.

A dropdown picks one of the PBS latency fits (``LNKD-SSD``, ``LNKD-DISK``,
``YMMR``, ``WAN``; see :mod:`dynamo_lab.latency`) and a slider picks the time
t since the write committed. The picture shows P(a read is consistent)
against t for each (R, W), with N = 3, and a dashed line at the chosen t; a
table gives each (R, W)'s probability at that t. Every number comes from
:func:`dynamo_lab.pbs.t_visibility` (WARS Monte Carlo), run once per fit and
(R, W) over all the times on the slider, and kept.

Examples
--------
>>> explorer = TVisibilityExplorer(trials=2000)
>>> explorer.model.fit, explorer.model.t_ms
('LNKD-DISK', 5)
>>> explorer.t_slider.value = 0
>>> explorer.model.at_t()[(2, 2)]           # R + W > N: always consistent
1.0
>>> "t = 0 ms" in explorer.table.value
True
"""

from __future__ import annotations

import ipywidgets as widgets

from .. import latency
from ..validation import whole_number
from .figure import FigureImage

__all__ = ["TVisibilityExplorer", "TVisibilityModel", "FITS", "T_STEPS", "CHOICES"]

#: The latency fits offered, by the names the PBS paper gives them.
FITS = {"LNKD-SSD": latency.LNKD_SSD, "LNKD-DISK": latency.LNKD_DISK,
        "YMMR": latency.YMMR, "WAN": latency.WAN}
#: The times on the slider, in ms since the write committed.
T_STEPS = (0, 0.5, 1, 2, 5, 10, 20, 50, 75, 100, 150, 200, 500, 1000)
#: The (R, W) pairs drawn.
CHOICES = ((1, 1), (1, 2), (2, 1), (2, 2))


class TVisibilityModel:
    """The fit and the time chosen, and the t-visibility curves. No widgets here.

    Parameters
    ----------
    fit : str
        A key of :data:`FITS`.
    t_ms : float
        One of :data:`T_STEPS`.
    n : int
        Replicas per key.
    trials, seed : int
        For :func:`dynamo_lab.pbs.t_visibility`.

    Examples
    --------
    >>> m = TVisibilityModel(fit="WAN", t_ms=0, trials=2000)
    >>> m.curves()[(1, 1)].shape
    (14,)
    >>> m.set_fit("SSD")
    Traceback (most recent call last):
    ...
    ValueError: unknown fit 'SSD'; choose one of LNKD-SSD, LNKD-DISK, YMMR, WAN
    """

    def __init__(self, fit: str = "LNKD-DISK", t_ms: float = 5, n: int = 3,
                 trials: int = 40_000, seed: int = 0):
        # The curves include R = 2 and W = 2, so N is at least 2.
        self.n = whole_number("n", n, low=2)
        self.trials = whole_number("trials", trials)
        self.seed = whole_number("seed", seed, low=0)
        self._curves: dict = {}
        self.fit = self.t_ms = None
        self.set_fit(fit)
        self.set_t(t_ms)

    def set_fit(self, fit: str) -> None:
        """Choose the latency fit."""
        if not isinstance(fit, str) or fit not in FITS:
            raise ValueError(f"unknown fit {fit!r}; choose one of {', '.join(FITS)}")
        self.fit = fit

    def set_t(self, t_ms: float) -> None:
        """Choose the time since commit (one of :data:`T_STEPS`)."""
        if isinstance(t_ms, bool) or t_ms not in T_STEPS:
            raise ValueError(f"t_ms must be one of {list(T_STEPS)}, got {t_ms!r}")
        self.t_ms = t_ms

    def curves(self) -> dict:
        """P(consistent) at every t of :data:`T_STEPS`, per (R, W), for the chosen fit."""
        from ..pbs import t_visibility

        if self.fit not in self._curves:
            # One Monte Carlo per (R, W) gives every t at once; kept once computed.
            self._curves[self.fit] = {
                (r, w): t_visibility(FITS[self.fit], n=self.n, r=r, w=w, t_ms=list(T_STEPS),
                                     trials=self.trials, seed=self.seed)
                for r, w in CHOICES}
        return self._curves[self.fit]

    def at_t(self) -> dict:
        """P(consistent) per (R, W) at the chosen t."""
        at = T_STEPS.index(self.t_ms)
        return {rw: float(curve[at]) for rw, curve in self.curves().items()}


class TVisibilityExplorer:
    """A fit picker, a time slider, the t-visibility curves and a table.

    Parameters
    ----------
    fit, t_ms, n, trials, seed
        As for :class:`TVisibilityModel`.

    Attributes
    ----------
    model : TVisibilityModel
    fit_picker : ipywidgets.Dropdown
    t_slider : ipywidgets.SelectionSlider
    table : ipywidgets.HTML
        P(consistent) per (R, W) at the chosen t.
    view : FigureImage
        The curves (``view.image`` is the widget).
    widget : ipywidgets.VBox
        Everything, ready to display.

    Examples
    --------
    >>> explorer = TVisibilityExplorer(trials=2000)
    >>> explorer.fit_picker.value = "LNKD-SSD"
    >>> explorer.model.fit, "LNKD-SSD" in explorer.table.value
    ('LNKD-SSD', True)
    """

    def __init__(self, fit: str = "LNKD-DISK", t_ms: float = 5, n: int = 3,
                 trials: int = 40_000, seed: int = 0):
        self.model = TVisibilityModel(fit, t_ms, n=n, trials=trials, seed=seed)
        self.fit_picker = widgets.Dropdown(options=list(FITS), value=fit, description="fit")
        self.t_slider = widgets.SelectionSlider(options=list(T_STEPS), value=t_ms,
                                                description="t (ms)", continuous_update=False)
        self.table = widgets.HTML()
        self.view = FigureImage(figsize=(6.4, 3.4))
        self.fit_picker.observe(self._on_fit, names="value")
        self.t_slider.observe(self._on_t, names="value")
        self.widget = widgets.VBox([widgets.HBox([self.fit_picker, self.t_slider]),
                                    widgets.HBox([self.view.image, self.table])])
        self.refresh()

    # -- events: each calls the model, then redraws --------------------------
    def _on_fit(self, change) -> None:
        self.model.set_fit(change["new"])
        self.refresh()

    def _on_t(self, change) -> None:
        self.model.set_t(change["new"])
        self.refresh()

    # -- view --------------------------------------------------------------------
    def refresh(self) -> None:
        """Show the model: the table and the curves."""
        model = self.model
        rows = "".join(f"<tr><td>R={r}, W={w}</td><td>{p:.3f}</td></tr>"
                       for (r, w), p in model.at_t().items())
        self.table.value = (f"<b>{model.fit}: P(consistent) at t = {model.t_ms} ms</b>"
                            f"<table>{rows}</table>")
        self.view.redraw(lambda figure: _draw(figure, model))

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def _draw(figure, model: TVisibilityModel) -> None:
    ax = figure.add_subplot()
    for (r, w), curve in model.curves().items():
        ax.plot(T_STEPS, curve, marker="o", markersize=3, label=f"R={r}, W={w}")
    ax.axvline(model.t_ms, color="grey", linestyle="--")
    ax.set_xscale("symlog", linthresh=1)
    ax.set_xlim(0, T_STEPS[-1])
    ax.set_xlabel("time since the write committed (ms)")
    ax.set_ylabel("P(read is consistent)")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(f"{model.fit}, N={model.n}")
    ax.legend(loc="best")
    figure.tight_layout()
