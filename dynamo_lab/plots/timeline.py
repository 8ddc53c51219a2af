"""The timeline of a history: one row per client, one bar per operation.

Time runs left to right in virtual milliseconds. Each client that issued
operations has a row (two or more lines when its operations overlapped), and
each operation is a bar from its invocation to its completion, filled by how
it ended (see :data:`~dynamo_lab.plots.colors.OUTCOME_COLORS`): green ok, red
failed, hatched amber timed out (``info``: it may or may not have taken
effect), hatched grey with a dashed edge when no completion was recorded (the
bar runs to the end of the history). The operations of a linearizability
witness have a thick red edge. Faults are dashed vertical lines, labelled
along the top: red for partitions and heals, dark grey for crashes and
recoveries, brown for anything else (clock skew, link changes).

The layout comes from :func:`dynamo_lab.views.history_timeline.timeline_rows`, which
:func:`dynamo_lab.views.history_timeline.render_text` also draws, in ASCII.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import dynamo_lab as dl
>>> cluster = dl.Cluster(nodes=3, n=3, r=2, w=2, seed=1)
>>> _ = cluster.put("k", "v1")
>>> cluster.crash("C")
>>> _ = cluster.get("k")
>>> d = draw_timeline(cluster, witness=[1])
>>> sorted(d.bars), d.highlighted, [t.get_text() for t in d.fault_labels]
([0, 1], [1], ['crash C'])
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..views.history_timeline import HistoryTimeline, timeline_rows
from .axes import axes_or_new
from .colors import CUT, OUTCOME_COLORS

__all__ = ["draw_timeline", "TimelineDrawing", "BAR_STYLES", "FAULT_COLORS", "WITNESS_EDGE"]

#: How a bar is drawn by status: (fill, hatch, edge line style, legend label).
BAR_STYLES = {
    "ok": (OUTCOME_COLORS["ok"], None, "-", "ok"),
    "fail": (OUTCOME_COLORS["fail"], None, "-", "failed"),
    "info": (OUTCOME_COLORS["info"], "///", "-", "timed out (info)"),
    "open": (OUTCOME_COLORS["pending"], "///", "--", "no reply (open)"),
}
#: The edge of a witness bar: (colour, width).
WITNESS_EDGE = (CUT, 2.8)
#: Colour of a fault's dashed line and label, by kind (others: ``"other"``).
FAULT_COLORS = {"partition": CUT, "heal": CUT, "crash": "#444444", "recover": "#444444",
                "other": "#8C564B"}

# Heights in data units; the figure gives each unit _INCH inches.
_BAR_H = 0.42        # a bar
_LABEL_LEVEL = 0.3   # one line of labels beside bars, or of fault labels
_PAD = 0.12          # above and below each line of bars
_ROW_GAP = 0.25      # extra space between clients
_INCH = 0.55
_FONT = 8


@dataclass
class TimelineDrawing:
    """What :func:`draw_timeline` drew.

    Attributes
    ----------
    ax : matplotlib.axes.Axes
    model : HistoryTimeline
        The layout drawn (rows, bars, fault marks).
    rows : dict
        client -> y coordinate of its first line (its tick label).
    bars : dict
        op_id -> the bar (a Rectangle).
    labels : dict
        op_id -> the Text naming the operation.
    inside : set of int
        op_ids whose label fits inside the bar (the others are beside it).
    highlighted : list of int
        op_ids drawn with the witness's red edge.
    fault_lines : list
        One dashed Line2D per fault, in order.
    fault_labels : list
        The Text of each fault, same order.
    title : matplotlib.text.Text
    legend : matplotlib.legend.Legend or None
    """

    ax: Any
    model: HistoryTimeline
    rows: dict[str, float] = field(default_factory=dict)
    bars: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)
    inside: set = field(default_factory=set)
    highlighted: list = field(default_factory=list)
    fault_lines: list = field(default_factory=list)
    fault_labels: list = field(default_factory=list)
    title: Any = None
    legend: Any = None

    def row_counts(self) -> dict[str, int]:
        """client -> how many bars its row has."""
        return {row.process: sum(b.op_id in self.bars for b in row.bars)
                for row in self.model.rows}


def _text_ms(text: str, px_per_ms: float, dpi: float, size: float = _FONT) -> float:
    """Roughly how many ms of x axis ``text`` covers (about 0.6 em per character)."""
    return (len(text) * 0.6 * size * dpi / 72 + 6) / px_per_ms


def draw_timeline(history, *, faults: Iterable | None = None, witness=(), key=None,
                  start: float | None = None, end: float | None = None,
                  title: str | None = None, ax=None) -> TimelineDrawing:
    """Draw a history as bars on one row per client, with faults and a witness marked.

    Parameters
    ----------
    history : History, Cluster or HistoryTimeline
        A cluster (or other system) stands for its ``history`` and, unless
        ``faults`` is given, its ``faults``.
    faults : iterable of FaultEvent, optional
        Drawn as dashed vertical lines.
    witness : LinearizabilityResult, or iterable of Operation or int
        Operations to draw with a thick red edge (``result.witness`` of
        :func:`dynamo_lab.checks.linearizable`; the result itself will do).
    key : object, optional
        Only operations on this key.
    start, end : float, optional
        The time window (ms); the whole history by default.
    title : str, optional
        Replaces the title.
    ax : matplotlib.axes.Axes, optional
        Drawn on a new figure sized to the rows when not given.

    Returns
    -------
    TimelineDrawing

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from dynamo_lab.history import History
    >>> h = History()
    >>> a = h.invoke(process="alice", f="put", key="k", value=1, time=0.0)
    >>> _ = h.complete(a, type="ok", value=1, time=3.0)
    >>> b = h.invoke(process="bob", f="get", key="k", value=None, time=1.0)
    >>> d = draw_timeline(h, ax=Figure(figsize=(6, 2.5)).add_subplot())
    >>> d.row_counts(), d.bars[1].get_linestyle()
    ({'alice': 1, 'bob': 1}, '--')
    """
    model = history if isinstance(history, HistoryTimeline) else timeline_rows(
        history, faults=faults, witness=witness, key=key, start=start, end=end)
    created = ax is None
    ax = axes_or_new(ax, figsize=(9.0, 3.0))
    drawing = TimelineDrawing(ax=ax, model=model)

    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle

    t0, t1 = model.start, model.end
    span = t1 - t0 if t1 > t0 else 1.0
    low, high = t0 - 0.02 * span, t1 + 0.02 * span
    ax.set_xlim(low, high)
    px_per_ms = ax.get_window_extent().width / (high - low)
    dpi = ax.figure.dpi

    # Where each label goes: inside its bar when it fits, else beside it on
    # the first free level of its line: above, below, above that, below that...
    bars = model.bars
    place: dict[int, tuple] = {}
    levels_used: dict[tuple[str, int], tuple[int, int]] = {}
    level_ends: dict[tuple[str, int], list[float]] = {}
    for bar in bars:
        x0, x1 = max(bar.start, low), min(bar.stop, high)
        width_ms = _text_ms(bar.label, px_per_ms, dpi)
        if width_ms <= x1 - x0:
            place[bar.op_id] = ("inside",)
            continue
        if x0 + width_ms <= high:
            x_text, ha, left = x0, "left", x0
        else:
            x_text, ha, left = x1, "right", x1 - width_ms
        ends = level_ends.setdefault((bar.process, bar.lane), [])
        level = next((i for i, e in enumerate(ends) if e <= left), len(ends))
        if level == len(ends):
            ends.append(0.0)
        ends[level] = left + width_ms
        place[bar.op_id] = ("beside", level, x_text, ha)
        above, below = levels_used.get((bar.process, bar.lane), (0, 0))
        if level % 2 == 0:
            above = max(above, level // 2 + 1)
        else:
            below = max(below, level // 2 + 1)
        levels_used[(bar.process, bar.lane)] = (above, below)

    # Rows from the top down, each line as tall as its labels need.
    y = 0.0
    lane_y: dict[tuple[str, int], float] = {}
    for row in model.rows:
        for lane in range(row.lanes):
            above, below = levels_used.get((row.process, lane), (0, 0))
            centre = y - _PAD - above * _LABEL_LEVEL - _BAR_H / 2
            lane_y[(row.process, lane)] = centre
            if lane == 0:
                drawing.rows[row.process] = centre
            y = centre - _BAR_H / 2 - below * _LABEL_LEVEL - _PAD
        y -= _ROW_GAP
    bottom = y + _ROW_GAP

    for bar in bars:
        fill, hatch, style, _ = BAR_STYLES[bar.status]
        edge, lw = WITNESS_EDGE if bar.highlighted else ("#555555", 0.9)
        x0, x1 = max(bar.start, low), min(bar.stop, high)
        yc = lane_y[(bar.process, bar.lane)]
        rect = Rectangle((x0, yc - _BAR_H / 2), max(x1 - x0, 0.004 * span), _BAR_H,
                         facecolor=fill, edgecolor=edge, lw=lw, linestyle=style, hatch=hatch,
                         zorder=3 if bar.highlighted else 2)
        ax.add_patch(rect)
        drawing.bars[bar.op_id] = rect
        if bar.highlighted:
            drawing.highlighted.append(bar.op_id)
        weight = "bold" if bar.highlighted else "normal"
        where = place[bar.op_id]
        if where[0] == "inside":
            label = ax.text((x0 + x1) / 2, yc, bar.label, fontsize=_FONT, ha="center",
                            va="center", zorder=4, fontweight=weight,
                            bbox=dict(boxstyle="round,pad=0.1", fc=fill, ec="none", alpha=0.85)
                            if hatch else None)
            drawing.inside.add(bar.op_id)
        else:
            _, level, x_text, ha = where
            up = level % 2 == 0
            offset = _BAR_H / 2 + 0.03 + (level // 2) * _LABEL_LEVEL
            label = ax.text(x_text, yc + offset if up else yc - offset, bar.label,
                            fontsize=_FONT, ha=ha, va="bottom" if up else "top", zorder=4,
                            fontweight=weight, color=WITNESS_EDGE[0] if bar.highlighted
                            else "black",
                            bbox=dict(boxstyle="square,pad=0.05", fc="white", ec="none",
                                      alpha=0.8))
        drawing.labels[bar.op_id] = label

    # Faults: dashed lines across the rows, labels stacked above them so that
    # labels close in time do not overlap.
    fault_ends: list[float] = []
    for mark in model.faults:
        colour = FAULT_COLORS.get(mark.kind, FAULT_COLORS["other"])
        line = ax.axvline(mark.time, color=colour, ls="--", lw=1.3, zorder=1)
        drawing.fault_lines.append(line)
        width_ms = _text_ms(mark.text, px_per_ms, dpi, _FONT - 0.5)
        x_text, ha, left = mark.time, "left", mark.time
        if mark.time + width_ms > high:
            x_text, ha, left = mark.time, "right", mark.time - width_ms
        level = next((i for i, e in enumerate(fault_ends) if e <= left), len(fault_ends))
        if level == len(fault_ends):
            fault_ends.append(0.0)
        fault_ends[level] = left + width_ms
        drawing.fault_labels.append(ax.text(
            x_text, 0.04 + level * _LABEL_LEVEL, mark.text, fontsize=_FONT - 0.5,
            color=colour, ha=ha, va="bottom", zorder=5,
            bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.9)))
    top = 0.04 + len(fault_ends) * _LABEL_LEVEL + 0.04

    if created:
        ax.figure.set_size_inches(9.0, (top - bottom) * _INCH + 1.7)
    ax.set_ylim(bottom, top)
    ax.set_yticks(list(drawing.rows.values()))
    ax.set_yticklabels(list(drawing.rows))
    for label in ax.get_yticklabels():
        label.set_fontweight("bold")
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel("virtual time (ms)")
    if not model.rows:
        ax.text((low + high) / 2, 0, "no operations", ha="center", va="center",
                fontsize=10, color="#555555")

    if title is None:
        title = "client operations" + (f" on {model.key!r}" if model.key is not None else "")
        if model.highlighted:
            title += f"; witness (red edge): op{'s' if len(model.highlighted) > 1 else ''} "
            title += ", ".join(str(i) for i in model.highlighted)
    drawing.title = ax.set_title(title, fontsize=11)

    statuses = [s for s in BAR_STYLES if any(b.status == s for b in model.bars)]
    handles = []
    for status in statuses:
        fill, hatch, style, name = BAR_STYLES[status]
        handles.append(Patch(facecolor=fill, edgecolor="#555555", hatch=hatch, linestyle=style,
                             label=name))
    if model.highlighted:
        handles.append(Patch(facecolor="white", edgecolor=WITNESS_EDGE[0],
                             lw=WITNESS_EDGE[1], label="witness"))
    if model.faults:
        handles.append(Line2D([], [], color="#444444", ls="--", lw=1.3, label="fault"))
    if handles:
        # Under the tick labels and the axis label, about half an inch down.
        axes_inches = ax.get_position().height * ax.figure.get_size_inches()[1]
        drawing.legend = ax.legend(handles=handles, loc="upper center", ncol=len(handles),
                                   bbox_to_anchor=(0.5, -0.55 / max(axes_inches, 0.1)),
                                   fontsize=8, frameon=False, handletextpad=0.4,
                                   columnspacing=1.2)
    return drawing
