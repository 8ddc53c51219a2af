"""The configuration judge: choose N, R, W and a quorum mode, run them against targets.

Sliders set N, R and W and a checkbox chooses a sloppy or a strict quorum;
the **judge** button runs :func:`dynamo_lab.experiments.service_targets.judge` on that
configuration (a second or two of simulation) and shows one row per target:
what was measured, pass or fail, and why. Results are kept, so going back
to a configuration already judged shows it at once.

Examples
--------
>>> from dynamo_lab.experiments.service_targets import ServiceTargets
>>> judge = ConfigJudge(ServiceTargets(survive_crash=False), n=3, r=1, w=1,
...                     ops=300, visibility_trials=100)
>>> judge.button.click()
>>> "FAIL" in judge.table.value, judge.model.last.passed
(True, False)
>>> judge.r_slider.value = 2
>>> "press" in judge.status.value
True
"""

from __future__ import annotations

import html
import inspect

import ipywidgets as widgets

from ..experiments.service_targets import ServiceTargets, TargetReport, judge, measure
from ..validation import boolean, whole_number
from .binding import bind
from .quorum_calculator import nrw_sliders

__all__ = ["ConfigJudge", "JudgeModel", "MAX_N"]

#: Largest N the sliders reach (the judged cluster has 5 nodes).
MAX_N = 5
#: The options of ``judge`` (and ``measure``) a judge may be given.
JUDGE_OPTIONS = tuple(name for name in inspect.signature(measure).parameters
                      if name not in ("config", "crash", "partition"))


class JudgeModel:
    """The configuration being chosen, and the reports of those judged. No widgets here.

    Examples
    --------
    >>> m = JudgeModel(ServiceTargets(), n=3, r=3, w=3)
    >>> m.set_n(2); (m.n, m.r, m.w)
    (2, 2, 2)
    >>> m.config
    {'n': 2, 'r': 2, 'w': 2, 'sloppy_quorum': True}
    """

    def __init__(self, targets: ServiceTargets, n: int = 3, r: int = 2, w: int = 2,
                 sloppy_quorum: bool = True, **options):
        if not isinstance(targets, ServiceTargets):
            raise ValueError(f"targets must be a ServiceTargets, got {targets!r}")
        # Checked now, not when the button is pressed; each must fit its slider.
        for name, value in (("n", n), ("r", r), ("w", w)):
            whole_number(name, value, low=1, high=MAX_N)
        boolean("sloppy_quorum", sloppy_quorum)
        unknown = sorted(set(options) - set(JUDGE_OPTIONS))
        if unknown:
            raise ValueError(f"unknown option(s) {', '.join(map(repr, unknown))}; the options "
                             f"are {', '.join(JUDGE_OPTIONS)}")
        self.targets = targets
        self.options = options
        self.n, self.r, self.w = n, r, w
        self.sloppy_quorum = sloppy_quorum
        self.last: TargetReport | None = None
        self._reports: dict[tuple, TargetReport] = {}

    @property
    def config(self) -> dict:
        return {"n": self.n, "r": self.r, "w": self.w, "sloppy_quorum": self.sloppy_quorum}

    def set_n(self, n: int) -> None:
        """Set N; R and W are lowered to N if they were above it."""
        self.n = n
        self.r, self.w = min(self.r, n), min(self.w, n)

    def set_r(self, r: int) -> None:
        self.r = min(r, self.n)

    def set_w(self, w: int) -> None:
        self.w = min(w, self.n)

    def set_sloppy(self, sloppy: bool) -> None:
        self.sloppy_quorum = bool(sloppy)

    def _key(self) -> tuple:
        return tuple(sorted(self.config.items()))

    def cached(self) -> TargetReport | None:
        """The report of the current configuration, if it was judged already."""
        return self._reports.get(self._key())

    def run(self) -> TargetReport:
        """Judge the current configuration (once; later calls reuse the report)."""
        key = self._key()
        if key not in self._reports:
            self._reports[key] = judge(self.config, self.targets, **self.options)
        self.last = self._reports[key]
        return self.last


def _table_html(report: TargetReport) -> str:
    rows = []
    for row in report.rows:
        colour = "#1a7f37" if row.passed else "#b42318"
        mark = "pass" if row.passed else "FAIL"
        note = "" if row.passed else f"<br><small>{html.escape(row.message)}</small>"
        rows.append(f"<tr><td style='color:{colour};font-weight:600;padding-right:8px'>{mark}"
                    f"</td><td>{html.escape(row.target)}{note}</td>"
                    f"<td style='padding-left:8px;white-space:nowrap'>"
                    f"{html.escape(row.measured)}</td></tr>")
    c = report.config
    verdict = ("<b style='color:#1a7f37'>meets every target</b>" if report.passed else
               f"<b style='color:#b42318'>misses {len(report.failures)} of "
               f"{len(report.rows)} targets</b>")
    head = (f"N={c['n']}, R={c['r']}, W={c['w']}, "
            f"{'sloppy' if c['sloppy_quorum'] else 'strict'} quorum: {verdict}")
    return f"<div>{head}</div><table style='line-height:1.4'>{''.join(rows)}</table>"


class ConfigJudge:
    """Sliders for N, R, W, a quorum mode, a judge button and the report.

    Parameters
    ----------
    targets : ServiceTargets
    n, r, w : int
    sloppy_quorum : bool
    options
        Passed to :func:`~dynamo_lab.experiments.service_targets.judge` (``ops``,
        ``latency``, ``seed``...).

    Attributes
    ----------
    model : JudgeModel
    n_slider, r_slider, w_slider : ipywidgets.IntSlider
    sloppy : ipywidgets.Checkbox
    button : ipywidgets.Button
    status : ipywidgets.HTML
    table : ipywidgets.HTML
        The report of the configuration shown, one row per target.
    widget : ipywidgets.VBox
    """

    def __init__(self, targets: ServiceTargets, n: int = 3, r: int = 2, w: int = 2,
                 sloppy_quorum: bool = True, **options):
        self.model = JudgeModel(targets, n, r, w, sloppy_quorum, **options)
        self.n_slider, self.r_slider, self.w_slider = nrw_sliders(n, r, w, MAX_N, "300px")
        self.sloppy = widgets.Checkbox(value=sloppy_quorum, description="sloppy quorum",
                                       indent=False)
        self.button = widgets.Button(description="judge", button_style="primary",
                                     tooltip="run the simulator on this configuration")
        self.status = widgets.HTML()
        self.table = widgets.HTML()
        self._syncing = False
        bind(self, self.n_slider, self.model.set_n)
        bind(self, self.r_slider, self.model.set_r)
        bind(self, self.w_slider, self.model.set_w)
        bind(self, self.sloppy, self.model.set_sloppy)
        self.button.on_click(self._on_click)
        targets_html = "".join(f"<li>{html.escape(line)}</li>" for line in targets.describe())
        self.widget = widgets.VBox([
            widgets.HTML(f"<b>Configuration judge</b>: the targets are<ul style='margin:0'>"
                         f"{targets_html}</ul>"),
            self.n_slider, self.r_slider, self.w_slider,
            widgets.HBox([self.sloppy, self.button]), self.status, self.table,
        ])
        self.refresh()

    def _on_click(self, _button=None) -> None:
        self.status.value = "<i>running the simulator...</i>"
        self.model.run()
        self.refresh()

    def refresh(self) -> None:
        """Show the model: the controls, and the report if this configuration was judged."""
        m = self.model
        self._syncing = True
        try:
            self.n_slider.value, self.r_slider.value, self.w_slider.value = m.n, m.r, m.w
            self.sloppy.value = m.sloppy_quorum
        finally:
            self._syncing = False
        report = m.cached()
        if report is None:
            self.status.value = "<i>press <b>judge</b> to run this configuration</i>"
            self.table.value = ""
        else:
            self.status.value = ""
            self.table.value = _table_html(report)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
