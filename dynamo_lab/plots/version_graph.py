"""The causal graph of a key's versions, laid out left to right by causal depth.

Each version (one write) is a box holding its value, its event and the clock
of the record it was written in (``A:3 {A:3, B:1}``; under last-write-wins,
whose records carry no clock, its timestamp instead). Versions that descend
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
>>> from dynamo_lab.version_graph import version_graph
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
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .axes import axes_or_new
from .colors import CUT, node_colors

__all__ = ["draw_version_graph", "VersionGraphDrawing", "version_graph_figsize",
           "format_value", "MAX_ROWS", "BOX_STYLES"]

#: A causal-depth column with more versions than this wraps into several.
MAX_ROWS = 6
#: Values longer than this many characters are cut short with an ellipsis.
MAX_VALUE_CHARS = 20

#: How each kind of version is drawn: (fill, edge colour, edge width, text colour).
BOX_STYLES = {
    "current": ("#B7E4C7", "#1A7F37", 2.4, "black"),
    "older": ("#FFFFFF", "#8C8C8C", 1.0, "#555555"),
}
ARROW = "#444444"

# Data units: one sub-column is _X_STEP wide, one row _Y_STEP high.
_X_STEP, _Y_STEP = 2.45, 1.45
_BOX_W, _BOX_H = 2.0, 0.92
# Inches per sub-column and per row when the figure is sized to the graph.
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
        event -> the Text with its value.
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


def format_value(value, tombstone: bool = False, width: int = MAX_VALUE_CHARS) -> str:
    """A value as a box shows it: sets sorted in braces, strings bare, cut to ``width``.

    Examples
    --------
    >>> format_value(frozenset({"y0", "x10", "x2"}))
    '{x2, x10, y0}'
    >>> format_value("a very long value indeed, longer than a box", width=12)
    'a very long\u2026'
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
    return text if len(text) <= width else text[:width - 1] + "\u2026"


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
    extra = 0.35 if getattr(model, "lost", None) else 0.0
    return (round(width, 2), round(max(3.0, _INCH_Y * rows + 1.3 + extra), 2))


def draw_version_graph(model, *, colors: Mapping[str, str] | None = None,
                       title: str | None = None, ax=None) -> VersionGraphDrawing:
    """Draw the causal graph of a key's versions, older on the left.

    Arrows point from older to newer versions (the direction of time); the
    model's edges, and :attr:`VersionGraphDrawing.edges`, are ``(newer, older)``.

    Parameters
    ----------
    model : VersionGraphModel
        From :func:`dynamo_lab.version_graph.version_graph`.
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
    for c, column in enumerate(columns):
        top = (len(column) - 1) / 2 * _Y_STEP
        for r, node in enumerate(column):
            drawing.positions[node.event] = (c * _X_STEP, top - r * _Y_STEP)

    # Fixed sizes: the figure is sized to the graph, so a box always holds
    # MAX_VALUE_CHARS of bold value text.
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
        box = FancyBboxPatch((x - _BOX_W / 2, y - _BOX_H / 2), _BOX_W, _BOX_H,
                             boxstyle="round,pad=0,rounding_size=0.12", facecolor=fill,
                             edgecolor=edge, linewidth=width,
                             linestyle="--" if node.tombstone else "-", zorder=2)
        ax.add_patch(box)
        drawing.boxes[node.event] = box
        drawing.kinds[node.event] = kind
        drawing.value_labels[node.event] = ax.text(
            x, y + 0.2, format_value(node.value, node.tombstone), ha="center", va="center",
            fontsize=value_size, color=text_colour, zorder=3,
            fontweight="bold" if node.is_current else "normal",
            style="italic" if node.tombstone else "normal")
        clock = node.clock if node.clock != "{}" else f"t = {node.timestamp:.1f} ms"
        drawing.clock_labels[node.event] = ax.text(
            x, y - 0.17, f"{node.label}  {clock}", ha="center", va="center", fontsize=small,
            family="monospace", color=text_colour, zorder=3)
        marks = []
        n = len(node.holders)
        for i, holder in enumerate(node.holders):
            marks.append(ax.annotate(
                holder, xy=(x, y - _BOX_H / 2), xytext=((i - (n - 1) / 2) * 15, -9),
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
    half = max(rows - 1, 0) / 2 * _Y_STEP
    bottom = -half - _BOX_H / 2 - 0.75
    if model.lost:
        shown = "; ".join(f"\u201c{format_value(w.value, w.f == 'delete', 28)}\u201d via "
                          f"{w.coordinator}" for w in model.lost[:2])
        more = f" and {len(model.lost) - 2} more" if len(model.lost) > 2 else ""
        drawing.lost_note = ax.text(
            (left + right) / 2, bottom + 0.05, f"lost, no version kept: {shown}{more}",
            ha="center", va="top", fontsize=small + 0.5, color=CUT, zorder=3)
        bottom -= 0.45
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
    ax.set_ylim(bottom, half + _BOX_H / 2 + 0.25)
    ax.axis("off")
    return drawing
