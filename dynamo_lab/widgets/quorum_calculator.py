"""The quorum calculator: choose N, R and W and see what they promise.

Sliders set N, R and W; a consistency level (ONE, QUORUM, ALL) can set R or
W for you and keeps it in step when N changes. The calculator says whether
reads and writes must overlap, how many replicas may be down before reads or
writes fail, and how likely a read right after a write is to miss it, and
draws the quorum diagram. Everything it shows comes from
:func:`dynamo_lab.quorum.quorum_facts`; a combination that makes no sense
(R > N) shows an explanation instead.

Examples
--------
>>> calc = QuorumCalculator(n=3, r=1, w=1)
>>> calc.model.facts.p_stale
Fraction(2, 3)
>>> calc.w_slider.value = 3
>>> "must overlap" in calc.summary.value
True
>>> calc.r_slider.value = 5
>>> calc.model.problem
'R=5 is more than N=3: a read cannot wait for more replies than there are replicas. Choose R from 1 to 3.'
"""

from __future__ import annotations

import ipywidgets as widgets

from ..consistency import level_size
from ..quorum import QuorumFacts, quorum_facts, quorum_problem
from ..validation import whole_number
from .binding import bind
from .figure import FigureImage

__all__ = ["QuorumCalculator", "QuorumModel", "CALCULATOR_LEVELS", "MAX_N"]

#: The levels offered; "custom" means R or W is set by its slider.
CALCULATOR_LEVELS = ("custom", "ONE", "QUORUM", "ALL")
#: Largest N (and R, W) the sliders reach.
MAX_N = 9


class QuorumModel:
    """N, R, W and the levels chosen, with what they imply. No widgets here.

    A level other than ``None`` ties R (or W) to N: changing N recomputes it,
    and setting R (or W) to another number releases the tie.

    Examples
    --------
    >>> m = QuorumModel(n=3, r=2, w=2)
    >>> m.set_level("read", "ALL"); m.r
    3
    >>> m.set_n(5); m.r, m.read_level
    (5, 'ALL')
    >>> m.set_r(2); m.read_level is None
    True
    """

    def __init__(self, n: int = 3, r: int = 2, w: int = 2):
        self.n, self.r, self.w = n, r, w
        self.read_level: str | None = None
        self.write_level: str | None = None

    def set_n(self, n: int) -> None:
        """Set N; R and W follow N if a level ties them to it."""
        self.n = n
        if n >= 1:
            if self.read_level:
                self.r = level_size(self.read_level, n)
            if self.write_level:
                self.w = level_size(self.write_level, n)

    def set_r(self, r: int) -> None:
        """Set R; a level that no longer gives this R is released."""
        self.r = r
        if self.read_level and (self.n < 1 or level_size(self.read_level, self.n) != r):
            self.read_level = None

    def set_w(self, w: int) -> None:
        """Set W; a level that no longer gives this W is released."""
        self.w = w
        if self.write_level and (self.n < 1 or level_size(self.write_level, self.n) != w):
            self.write_level = None

    def set_level(self, which: str, level: str | None) -> None:
        """Tie R (``which="read"``) or W (``"write"``) to a level, or untie it (None)."""
        if which not in ("read", "write"):
            raise ValueError(f"which must be 'read' or 'write', got {which!r}")
        level = None if level in (None, "custom") else level.upper()
        if which == "read":
            self.read_level = level
            if level:
                self.r = level_size(level, self.n)
        else:
            self.write_level = level
            if level:
                self.w = level_size(level, self.n)

    @property
    def problem(self) -> str | None:
        """Why N, R, W make no sense, or None."""
        return quorum_problem(self.n, self.r, self.w)

    @property
    def facts(self) -> QuorumFacts | None:
        """What N, R, W promise, or None when they make no sense."""
        return None if self.problem else quorum_facts(self.n, self.r, self.w)


def _percent(fraction) -> str:
    value = float(fraction) * 100
    return f"{value:.1f}%" if value not in (0.0, 100.0) else f"{value:.0f}%"


def _summary_html(facts: QuorumFacts) -> str:
    n, r, w = facts.n, facts.r, facts.w
    if facts.overlap:
        overlap = (f"<b style='color:#1a7f37'>\u2714 Reads and writes must overlap</b>: "
                   f"R + W = {r + w} &gt; N = {n}, so every read set shares at least "
                   f"{facts.min_overlap} replica{'s' if facts.min_overlap > 1 else ''} with "
                   f"every write set.")
    else:
        overlap = (f"<b style='color:#b42318'>\u2718 No guaranteed overlap</b>: R + W = {r + w}"
                   f" \u2264 N = {n}, so a read set can miss every replica the write reached.")
    failures = (f"Reads still succeed with up to <b>{facts.read_failures_tolerated}</b> of the "
                f"{n} replicas down; writes with up to <b>{facts.write_failures_tolerated}</b>.")
    p = facts.p_stale
    stale = (f"Probability that a read started right after a write commits misses it: "
             f"C(N\u2212W, R) / C(N, R) = C({n - w}, {r}) / C({n}, {r}) = "
             f"<b>{p}</b> ({_percent(p)}).")
    writes = ("Two concurrent writes always meet on a replica (2W &gt; N)."
              if facts.writes_overlap else
              "Two concurrent writes can land on disjoint replicas (2W \u2264 N).")
    items = "".join(f"<li>{line}</li>" for line in (overlap, failures, stale, writes))
    return f"<ul style='margin:0;padding-left:1.2em;line-height:1.5'>{items}</ul>"


def nrw_sliders(n: int, r: int, w: int, max_n: int, width: str) -> tuple:
    """Sliders for N, R and W from 1 to ``max_n``, labelled and sized alike."""
    style = {"description_width": "28px"}
    layout = widgets.Layout(width=width)
    return tuple(widgets.IntSlider(value=value, min=1, max=max_n, description=name,
                                   style=style, layout=layout)
                 for name, value in (("N", n), ("R", r), ("W", w)))


class QuorumCalculator:
    """Sliders for N, R and W, the facts they imply, and the quorum diagram.

    Parameters
    ----------
    n, r, w : int
        Starting values (Dynamo's typical configuration by default).

    Attributes
    ----------
    model : QuorumModel
    n_slider, r_slider, w_slider : ipywidgets.IntSlider
    read_level, write_level : ipywidgets.Dropdown
        ``custom``, ``ONE``, ``QUORUM`` or ``ALL``.
    summary : ipywidgets.HTML
        The facts, in words (or, when the inputs make no sense, nothing).
    message : ipywidgets.HTML
        Why the inputs make no sense (empty when they do).
    diagram : FigureImage
        The quorum diagram (``diagram.image`` is the widget).
    widget : ipywidgets.VBox
        Everything, ready to display.

    Examples
    --------
    >>> calc = QuorumCalculator()
    >>> calc.read_level.value = "ONE"
    >>> calc.r_slider.value, "No guaranteed overlap" in calc.summary.value
    (1, True)
    """

    def __init__(self, n: int = 3, r: int = 2, w: int = 2):
        # Each must fit its slider; R > N is allowed: the calculator explains it.
        for name, value in (("n", n), ("r", r), ("w", w)):
            whole_number(name, value, low=1, high=MAX_N)
        self.model = QuorumModel(n, r, w)
        self.n_slider, self.r_slider, self.w_slider = nrw_sliders(n, r, w, MAX_N, "320px")
        narrow = widgets.Layout(width="190px")
        self.read_level = widgets.Dropdown(options=CALCULATOR_LEVELS, value="custom",
                                           description="R level", layout=narrow,
                                           style={"description_width": "56px"})
        self.write_level = widgets.Dropdown(options=CALCULATOR_LEVELS, value="custom",
                                            description="W level", layout=narrow,
                                            style={"description_width": "56px"})
        self.summary = widgets.HTML()
        self.summary.add_class("dl-quorum-summary")
        self.message = widgets.HTML()
        self.message.add_class("dl-quorum-message")
        self.diagram = FigureImage(figsize=(6.4, 2.3))
        self._syncing = False

        bind(self, self.n_slider, self.model.set_n)
        bind(self, self.r_slider, self.model.set_r)
        bind(self, self.w_slider, self.model.set_w)
        bind(self, self.read_level, lambda level: self.model.set_level("read", level))
        bind(self, self.write_level, lambda level: self.model.set_level("write", level))

        controls = widgets.VBox([
            self.n_slider,
            widgets.HBox([self.r_slider, self.read_level]),
            widgets.HBox([self.w_slider, self.write_level]),
        ])
        self.widget = widgets.VBox([
            widgets.HTML("<b>Quorum calculator</b>: N replicas per key; a read waits for R "
                         "replies, a write for W acknowledgements."),
            controls, self.message, self.summary, self.diagram.image,
        ])
        self.widget.add_class("dl-quorum-calculator")
        self.refresh()

    # -- view --------------------------------------------------------------------
    def refresh(self) -> None:
        """Show the model: controls, words and diagram."""
        model = self.model
        self._syncing = True
        try:
            self.n_slider.value = model.n
            self.r_slider.value = model.r
            self.w_slider.value = model.w
            self.read_level.value = model.read_level or "custom"
            self.write_level.value = model.write_level or "custom"
        finally:
            self._syncing = False
        problem = model.problem
        if problem:
            self.message.value = (f"<div style='color:#b42318;padding:4px 0'><b>That "
                                  f"combination makes no sense.</b> {problem}</div>")
            self.summary.value = ""
            self.diagram.show(False)
            return
        facts = model.facts
        self.message.value = ""
        self.summary.value = _summary_html(facts)
        self.diagram.show(True)
        self.diagram.redraw(lambda fig: _draw(fig, facts))

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def _draw(fig, facts: QuorumFacts) -> None:
    from ..plots.quorum import draw_quorum

    ax = fig.add_axes((0.01, 0.0, 0.98, 0.85))
    draw_quorum(facts.n, facts.r, facts.w, ax=ax)
