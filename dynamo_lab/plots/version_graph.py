"""The causal graph of a key's versions, laid out left to right by causal depth.

Each version (one write) is a box holding its value, its event and the clock
of the record it was written in (``A:3 {A:3, B:1}``; under last-write-wins,
whose records carry no clock, its timestamp instead). The value is shown
whole: one longer than :data:`MAX_VALUE_CHARS` characters wraps onto more
lines, and its box grows to hold them. Versions that descend
from no other stand in the leftmost column; a version stands one column to
the right of the deepest version it descends from. Arrows run from *older to
newer*, in the direction of time: an arrow from ``v`` to ``u`` means ``u``
descends directly from ``v`` (the model's edge ``(u, v)``). The current
siblings, what a read with R = N would return now, are filled green with a
thick rim; older versions are white and grey. A delete is drawn dashed. Under
each box, the nodes still storing it, in their colours (see
:func:`~dynamo_lab.plots.colors.node_colors`). Writes that left no version
at all (last-write-wins losers) are listed in red under the graph.

A column with more than :data:`MAX_ROWS` versions wraps into several
columns side by side, so a sibling explosion stays readable.

Examples
--------
>>> import dynamo_lab as dl
>>> from dynamo_lab.views.version_graph import version_graph
>>> cluster = dl.Cluster(nodes=3, n=3, r=3, w=3, seed=1)
>>> first = cluster.put("k", "v1", coordinator="A")
>>> _ = cluster.put("k", "v2", context=first.context, coordinator="A")
>>> _ = cluster.put("k", "v3", context=first.context, coordinator="B")
>>> from matplotlib.figure import Figure
>>> d = draw_version_graph(version_graph(cluster, "k"), ax=Figure().add_subplot())
>>> len(d.boxes), d.edges, d.highlighted
(3, [(('A', 2), ('A', 1)), (('B', 1), ('A', 1))], [('A', 2), ('B', 1)])
>>> d.positions[("A", 1)][0] < d.positions[("A", 2)][0]
True
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..validation import whole_number
from .axes import axes_or_new
from .colors import CUT, node_colors

__all__ = ["draw_version_graph", "VersionGraphDrawing", "version_graph_figsize",
           "format_value", "MAX_ROWS", "BOX_STYLES"]

#: A causal-depth column with more versions than this wraps into several.
MAX_ROWS = 6
#: Characters per line of a value in its box; a longer value wraps onto more lines.
MAX_VALUE_CHARS = 20

#: How each kind of version is drawn: (fill, edge colour, edge width, text colour).
BOX_STYLES = {
    "current": ("#B7E4C7", "#1A7F37", 2.4, "black"),
    "older": ("#FFFFFF", "#8C8C8C", 1.0, "#555555"),
}
ARROW = "#444444"

# Data units: one sub-column is _X_STEP wide; a row is _Y_STEP high when every
# value fits on one line, and each further line of the longest value adds _LINE_H.
_X_STEP, _Y_STEP = 2.45, 1.45
_BOX_W, _BOX_H = 2.0, 0.92
_LINE_H = 0.19
# Inches per sub-column and per row of _Y_STEP when the figure is sized to the graph.
_INCH_X, _INCH_Y = 2.25, 1.2
# The narrowest figure, in inches, and so the fewest sub-columns the x axis spans.
_MIN_WIDTH = 6.0


@dataclass
class VersionGraphDrawing:
    """What :func:`draw_version_graph` drew.

    Attributes
    ----------
    ax : matplotlib.axes.Axes
    model : VersionGraphModel
    positions : dict
        event -> (x, y) of its box's centre.
    boxes : dict
        event -> the box (a FancyBboxPatch).
    kinds : dict
        event -> ``"current"`` or ``"older"``.
    highlighted : list
        The events drawn as current siblings, in read order.
    value_labels : dict
        event -> the Text with its whole value (lines joined by ``"\n"``
        where it wraps).
    clock_labels : dict
        event -> the Text with its event and clock (or timestamp).
    holder_marks : dict
        event -> one Text per node storing it, in that node's colour.
    edges : list of (event, event)
        ``(newer, older)`` for each arrow drawn (the model's edges).
    arrows : list
        The FancyArrowPatch of each edge, same order; each points from the
        older version to the newer.
    lost_note : matplotlib.text.Text or None
        The line listing writes that left no version.
    title : matplotlib.text.Text
    legend : matplotlib.legend.Legend or None
    """

    ax: Any
    model: Any
    positions: dict = field(default_factory=dict)
    boxes: dict = field(default_factory=dict)
    kinds: dict = field(default_factory=dict)
    highlighted: list = field(default_factory=list)
    value_labels: dict = field(default_factory=dict)
    clock_labels: dict = field(default_factory=dict)
    holder_marks: dict = field(default_factory=dict)
    edges: list = field(default_factory=list)
    arrows: list = field(default_factory=list)
    lost_note: Any = None
    title: Any = None
    legend: Any = None


def _natural(text: str) -> list:
    """Sort key putting 'x2' before 'x10'."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part)
            for part in re.split(r"(\d+)", text) if part]


def format_value(value, tombstone: bool = False, width: int | None = None) -> str:
    """A value as a box shows it: sets sorted in braces, strings bare, never cut short.

    Parameters
    ----------
    value : object
    tombstone : bool
        True for a delete: ``'(deleted)'``.
    width : int, optional
        Wrap the text onto lines (joined by ``"\n"``) of at most this many
        characters, breaking at spaces where it can; the whole value is kept.

    Examples
    --------
    >>> format_value(frozenset({"y0", "x10", "x2"}))
    '{x2, x10, y0}'
    >>> format_value(["book", "pen", "ink"], width=16).splitlines()
    ["['book', 'pen',", "'ink']"]
    >>> format_value(None, tombstone=True)
    '(deleted)'
    """
    if tombstone:
        text = "(deleted)"
    elif isinstance(value, (set, frozenset)):
        text = "{" + ", ".join(sorted(map(str, value), key=_natural)) + "}"
    elif isinstance(value, str):
        text = value
    else:
        text = repr(value)
    if width is not None:
        whole_number("width", width, low=1)
    if width is None or len(text) <= width:
        return text
    return "\n".join(textwrap.wrap(text, width, break_long_words=True,
                                   break_on_hyphens=False)) or text


def _value_lines(node) -> int:
    """How many lines the value of ``node`` takes in its box."""
    return format_value(node.value, node.tombstone, MAX_VALUE_CHARS).count("\n") + 1


def _row_step(model) -> float:
    """The height of one row in data units: room for the tallest box and its holder marks."""
    lines = max((_value_lines(node) for node in model.nodes), default=1)
    return _Y_STEP + (lines - 1) * _LINE_H


def _columns(model) -> list[list]:
    """The versions of each sub-column, left to right, each ordered top to bottom.

    Within a depth, versions sit near the versions they descend from (the
    mean row of their parents), ties broken by when they were written.
    """
    by_depth: dict[int, list] = {}
    for node in model.nodes:
        by_depth.setdefault(node.depth, []).append(node)
    parents: dict = {}
    for newer, older in model.edges:
        parents.setdefault(newer, []).append(older)
    row: dict = {}
    order = {node.event: i for i, node in enumerate(model.nodes)}
    columns = []
    for depth in sorted(by_depth):
        nodes = by_depth[depth]

        def place(node):
            ps = [row[p] for p in parents.get(node.event, []) if p in row]
            return (sum(ps) / len(ps) if ps else 0.0, order[node.event])

        nodes = sorted(nodes, key=place)
        for i, node in enumerate(nodes):
            row[node.event] = i / max(len(nodes) - 1, 1)
        for start in range(0, len(nodes), MAX_ROWS):
            columns.append(nodes[start:start + MAX_ROWS])
    return columns


def version_graph_figsize(model) -> tuple[float, float]:
    """Inches that fit the graph of ``model`` (what ``ax=None`` uses; widgets reuse it)."""
    columns = _columns(model)
    width = max(_MIN_WIDTH, _INCH_X * len(columns) + 0.6)
    rows = max((len(c) for c in columns), default=1)
    extra = 0.35 * len(_lost_lines(model, width)) if getattr(model, "lost", None) else 0.0
    height = _INCH_Y / _Y_STEP * _row_step(model) * rows + 1.3 + extra
    return (round(width, 2), round(max(3.0, height), 2))


def _lost_lines(model, width_in: float) -> list[str]:
    """The note on writes that left no version, wrapped to ``width_in`` inches; each value whole."""
    shown = "; ".join(f"\u201c{format_value(w.value, w.f == 'delete')}\u201d via {w.coordinator}"
                      for w in model.lost[:2])
    more = f" and {len(model.lost) - 2} more" if len(model.lost) > 2 else ""
    # About 4.4 points a character at the note's 7.5 points.
    return textwrap.wrap(f"lost, no version kept: {shown}{more}",
                         max(int(width_in * 72 * 0.9 / 4.4), 20), break_on_hyphens=False)


def draw_version_graph(model, *, colors: Mapping[str, str] | None = None,
                       title: str | None = None, ax=None) -> VersionGraphDrawing:
    """Draw the causal graph of a key's versions, older on the left.

    Arrows point from older to newer versions (the direction of time); the
    model's edges, and :attr:`VersionGraphDrawing.edges`, are ``(newer, older)``.

    Parameters
    ----------
    model : VersionGraphModel
        From :func:`dynamo_lab.views.version_graph.version_graph`.
    colors : mapping, optional
        node -> colour for the holder marks; by default ``node_colors`` of the
        cluster's nodes.
    title : str, optional
        Replaces the title (the key, the scheme, and how many versions and
        current siblings there are).
    ax : matplotlib.axes.Axes, optional
        Drawn on a new figure of :func:`version_graph_figsize` when not given.

    Returns
    -------
    VersionGraphDrawing
    """
    ax = axes_or_new(ax, figsize=version_graph_figsize(model))
    drawing = VersionGraphDrawing(ax=ax, model=model)

    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch

    holders = [h for node in model.nodes for h in node.holders]
    colours = node_colors(list(dict.fromkeys([*model.cluster_nodes, *holders])), colors)
    columns = _columns(model)
    step = _row_step(model)
    for c, column in enumerate(columns):
        top = (len(column) - 1) / 2 * step
        for r, node in enumerate(column):
            drawing.positions[node.event] = (c * _X_STEP, top - r * step)

    # Fixed sizes: the figure is sized to the graph, so a box always holds
    # lines of MAX_VALUE_CHARS characters of bold value text.
    rows = max((len(col) for col in columns), default=1)
    value_size, small = 8.5, 7.0

    for newer, older in model.edges:
        (x1, y1), (x0, y0) = drawing.positions[newer], drawing.positions[older]
        arrow = FancyArrowPatch((x0 + _BOX_W / 2, y0), (x1 - _BOX_W / 2, y1),
                                arrowstyle="-|>", mutation_scale=13, color=ARROW, lw=1.4,
                                shrinkA=1, shrinkB=1, zorder=1)
        ax.add_patch(arrow)
        drawing.edges.append((newer, older))
        drawing.arrows.append(arrow)

    for node in model.nodes:
        x, y = drawing.positions[node.event]
        kind = "current" if node.is_current else "older"
        fill, edge, width, text_colour = BOX_STYLES[kind]
        value = format_value(node.value, node.tombstone, MAX_VALUE_CHARS)
        extra = value.count("\n") * _LINE_H
        height = _BOX_H + extra
        box = FancyBboxPatch((x - _BOX_W / 2, y - height / 2), _BOX_W, height,
                             boxstyle="round,pad=0,rounding_size=0.12", facecolor=fill,
                             edgecolor=edge, linewidth=width,
                             linestyle="--" if node.tombstone else "-", zorder=2)
        ax.add_patch(box)
        drawing.boxes[node.event] = box
        drawing.kinds[node.event] = kind
        # The value's lines fill the box down to the clock line (with one
        # line, both sit where they always did).
        spacing = {"linespacing": 1.25} if extra else {}
        drawing.value_labels[node.event] = ax.text(
            x, y + 0.2, value, ha="center", va="center",
            fontsize=value_size, color=text_colour, zorder=3, **spacing,
            fontweight="bold" if node.is_current else "normal",
            style="italic" if node.tombstone else "normal")
        clock = node.clock if node.clock != "{}" else f"t = {node.timestamp:.1f} ms"
        drawing.clock_labels[node.event] = ax.text(
            x, y - 0.17 - extra / 2, f"{node.label}  {clock}", ha="center", va="center",
            fontsize=small, family="monospace", color=text_colour, zorder=3)
        marks = []
        n = len(node.holders)
        for i, holder in enumerate(node.holders):
            marks.append(ax.annotate(
                holder, xy=(x, y - height / 2), xytext=((i - (n - 1) / 2) * 15, -9),
                textcoords="offset points", ha="center", va="center", fontsize=small,
                fontweight="bold", color="white", zorder=4,
                bbox=dict(boxstyle="circle,pad=0.18", fc=colours[holder], ec="white", lw=0.6)))
        drawing.holder_marks[node.event] = marks
    drawing.highlighted = [e for e in model.current if e in drawing.boxes]

    # Few columns: pad both sides, so boxes keep their width on the narrowest figure.
    count = len(columns)
    span = max(count, (_MIN_WIDTH - 0.6) / _INCH_X)
    left = (count - 1) / 2 * _X_STEP - span / 2 * _X_STEP
    right = left + span * _X_STEP
    half = max(rows - 1, 0) / 2 * step
    tallest = _BOX_H + (step - _Y_STEP)
    bottom = -half - tallest / 2 - 0.75
    if model.lost:
        lines = _lost_lines(model, ax.get_position().width * ax.figure.get_figwidth())
        drawing.lost_note = ax.text(
            (left + right) / 2, bottom + 0.05, "\n".join(lines),
            ha="center", va="top", fontsize=small + 0.5, color=CUT, zorder=3)
        bottom -= 0.45 * len(lines)
    if not model.nodes:
        ax.text(0, 0, f"no versions of {model.key!r} yet", ha="center", va="center",
                fontsize=10, color="#555555")
        bottom = -1.0

    handles = [Patch(facecolor=BOX_STYLES["current"][0], edgecolor=BOX_STYLES["current"][1],
                     linewidth=2, label="current sibling"),
               Patch(facecolor=BOX_STYLES["older"][0], edgecolor=BOX_STYLES["older"][1],
                     label="older version")]
    if model.edges:
        handles.append(Line2D([], [], color=ARROW, marker=">", markersize=6,
                              label="older \u2192 newer (descends)"))
    if any(node.tombstone for node in model.nodes):
        handles.append(Patch(facecolor="white", edgecolor="#555555", linestyle="--",
                             label="delete"))
    if model.nodes:
        drawing.legend = ax.legend(handles=handles, loc="lower center", ncol=len(handles),
                                   fontsize=8, frameon=False, handletextpad=0.4,
                                   columnspacing=1.2, borderaxespad=0.0)
        bottom -= 0.35

    if title is None:
        title = f"versions of {model.key!r} ({model.versioning}): {model.summary()}"
    drawing.title = ax.set_title(title, fontsize=11)
    ax.set_xlim(left, right)
    ax.set_ylim(bottom, half + tallest / 2 + 0.25)
    ax.axis("off")
    return drawing
