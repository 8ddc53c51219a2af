"""The consistent-hashing ring: tokens, ranges, a key's preference list, moves.

Position 0 is at the top and positions grow clockwise, the direction in
which a key looks for its replicas. The outer band is coloured by the node
that owns each range first (the first home replica of its keys); the dots
are the tokens. A key is a black star; its home replicas are numbered 1 .. N
at the tokens the walk stops at, and the black arc is the walk. After a node
joins or leaves, the inner band marks the ranges whose home replicas
changed, in the colour of a node that gained them.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from dynamo_lab.ring import Ring
>>> ring = Ring(["A", "B", "C"], n=2, vnodes=4)
>>> d = draw_ring(ring, key="cart:alice")
>>> len(d.tokens.get_offsets()), [t.get_text() for t in d.preference]
(12, ['1', '2'])
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..ranges import RING_SIZE, RingChange
from ..ring import Ring
from .axes import axes_or_new
from .colors import node_colors

__all__ = ["draw_ring", "RingDrawing", "ring_angle"]

_BAND_R = 1.0
_MOVED_R = 0.88
_WALK_R = 0.74
_BADGE_R = 1.2


def ring_angle(position: int) -> float:
    """The angle (radians, counter-clockwise from east) where ``position`` is drawn.

    Position 0 sits at the top and positions run clockwise.

    Examples
    --------
    >>> round(ring_angle(0), 4), round(ring_angle(RING_SIZE // 4), 4)
    (1.5708, 0.0)
    """
    return math.pi / 2 - 2 * math.pi * (position / RING_SIZE)


def _point(position: int, radius: float) -> tuple[float, float]:
    a = ring_angle(position)
    return radius * math.cos(a), radius * math.sin(a)


def _arc(start: int, end: int, radius: float) -> list[tuple[float, float]]:
    """Points along the range ``(start, end]`` clockwise, about one per degree."""
    size = (end - start) % RING_SIZE or RING_SIZE
    a0 = ring_angle(start)
    sweep = 2 * math.pi * (size / RING_SIZE)
    steps = max(2, math.ceil(math.degrees(sweep)) + 1)
    return [(radius * math.cos(a0 - sweep * k / (steps - 1)),
             radius * math.sin(a0 - sweep * k / (steps - 1))) for k in range(steps)]


@dataclass
class RingDrawing:
    """What :func:`draw_ring` drew.

    Attributes
    ----------
    ax : matplotlib.axes.Axes
    colors : dict
        node -> colour used.
    tokens : matplotlib.collections.PathCollection
        One dot per token, in ``ring.tokens`` order.
    ranges : matplotlib.collections.LineCollection
        One arc per range, in ``ring.ranges()`` order, coloured by first owner.
    key_marker : matplotlib.lines.Line2D or None
    walk : matplotlib.lines.Line2D or None
        The clockwise walk from the key to its N-th home replica.
    preference : list of matplotlib.text.Text
        Badges ``1 .. N`` at the tokens of the home replicas.
    moved : matplotlib.collections.LineCollection or None
        One arc per moved range, in ``change.moved`` order.
    legend : matplotlib.legend.Legend
    caption : matplotlib.text.Text
        The text in the middle of the ring.
    """

    ax: Any
    colors: dict[str, str]
    tokens: Any
    ranges: Any
    key_marker: Any = None
    walk: Any = None
    preference: list = field(default_factory=list)
    moved: Any = None
    legend: Any = None
    caption: Any = None


def _home_tokens(ring: Ring, key: str) -> list[tuple[int, str]]:
    """The token at which the clockwise walk for ``key`` meets each home replica.

    The replicas themselves come from ``ring.home_replicas``; this only finds
    where on the circle to put their badges. The walk starts at the end of
    the key's range, which covers all three partitioning strategies.
    """
    tokens = ring.tokens
    positions = [p for p, _ in tokens]
    home = ring.home_replicas(key)
    start = bisect_left(positions, ring.key_range(key).end) % len(tokens)
    found: dict[str, int] = {}
    for step in range(len(tokens)):
        position, node = tokens[(start + step) % len(tokens)]
        if node in home and node not in found:
            found[node] = position
            if len(found) == len(home):
                break
    return [(found[node], node) for node in home]


def draw_ring(ring: Ring, *, key: str | None = None, change: RingChange | None = None,
              colors: Mapping[str, str] | None = None, ax=None) -> RingDrawing:
    """Draw a ring's tokens and ranges, a key's preference list, and moved ranges.

    Parameters
    ----------
    ring : Ring
        The ring to draw (after the change, if ``change`` is given).
    key : str, optional
        Mark this key and number its home replicas.
    change : RingChange, optional
        What ``ring.add_node`` or ``ring.remove_node`` returned: its moved
        ranges are shaded.
    colors : mapping, optional
        node -> colour; by default :func:`~dynamo_lab.plots.colors.node_colors`
        of ``ring.nodes`` (plus a removed node, so it keeps its colour).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    RingDrawing

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from dynamo_lab.ring import Ring
    >>> ring = Ring(["A", "B", "C"], n=2, vnodes=4)
    >>> change = ring.add_node("D")
    >>> d = draw_ring(ring, change=change)
    >>> len(d.moved.get_segments()) == len(change.moved)
    True
    >>> d.colors["D"]
    '#CC79A7'
    """
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    names = ring.nodes
    if change is not None and change.removed and change.removed not in names:
        names = names + [change.removed]
    colors = node_colors(names, colors)
    ax = axes_or_new(ax, figsize=(6.0, 6.0))

    ranges = ring.ranges()
    band = LineCollection([_arc(r.start, r.end, _BAND_R) for r in ranges],
                          colors=[colors[r.replicas[0]] for r in ranges], linewidths=10,
                          capstyle="butt", zorder=1)
    ax.add_collection(band)
    ax.add_patch(_circle(_BAND_R))

    tokens = ring.tokens
    xy = [_point(p, _BAND_R) for p, _ in tokens]
    dots = ax.scatter([x for x, _ in xy], [y for _, y in xy],
                      c=[colors[node] for _, node in tokens], s=36 if len(tokens) <= 120 else 10,
                      edgecolors="white", linewidths=1.0 if len(tokens) <= 120 else 0.3,
                      zorder=3)
    drawing = RingDrawing(ax=ax, colors=colors, tokens=dots, ranges=band)

    captions = []
    if change is not None:
        moved = LineCollection([_arc(m.start, m.end, _MOVED_R) for m in change.moved],
                               colors=[colors[(m.gained or m.new_replicas)[0]]
                                       for m in change.moved],
                               linewidths=7, alpha=0.75, capstyle="butt", zorder=1)
        ax.add_collection(moved)
        drawing.moved = moved
        who = f"{change.added} joined" if change.added else f"{change.removed} left"
        captions.append(f"{who}:\n{change.fraction_moved:.1%} of the ring\nchanged replicas")

    if key is not None:
        position = ring.position(key)
        # The star sits inside the ring, joined to its position by a tick,
        # so that it never hides the tokens or the badges outside.
        sx, sy = _point(position, _WALK_R)
        ex, ey = _point(position, _BAND_R)
        ax.plot([sx, ex], [sy, ey], color="black", lw=1.0, ls=":", zorder=2)
        (drawing.key_marker,) = ax.plot([sx], [sy], marker="*", markersize=17, color="black",
                                        markeredgecolor="white", linestyle="none", zorder=5)
        home = _home_tokens(ring, key)
        last = home[-1][0]
        walk = _arc(position, last, _WALK_R)
        (drawing.walk,) = ax.plot([x for x, _ in walk], [y for _, y in walk], color="black",
                                  lw=1.6, zorder=2)
        # An arrowhead shows the direction of the walk.
        if len(walk) >= 2:
            ax.annotate("", xy=walk[-1], xytext=walk[-2],
                        arrowprops=dict(arrowstyle="-|>", color="black", lw=1.6))
        # Home replicas are often a few degrees apart: spread their badges
        # clockwise so none hides another, with a leader to the real token.
        previous = None
        for rank, (token_position, node) in enumerate(home, start=1):
            angle = ring_angle(token_position)
            if previous is not None and previous - angle < math.radians(9):
                angle = previous - math.radians(9)
            previous = angle
            bx, by = _BADGE_R * math.cos(angle), _BADGE_R * math.sin(angle)
            tx, ty = _point(token_position, _BAND_R + 0.04)
            ax.plot([tx, bx], [ty, by], color="#444444", lw=0.8, zorder=2)
            badge = ax.text(bx, by, str(rank), ha="center", va="center", fontsize=9,
                            fontweight="bold", color="white", zorder=6,
                            bbox=dict(boxstyle="circle,pad=0.25", fc=colors[node], ec="black",
                                      lw=0.8))
            drawing.preference.append(badge)
        preference = ring.preference_list(key)
        n = ring.n
        # The first fallbacks matter (they stand in for a down replica); a
        # long tail of them would run off the picture.
        fallbacks = preference[n:n + 3] + ([f"\u2026 (+{len(preference) - n - 3})"]
                                             if len(preference) > n + 3 else [])
        listed = " ".join(preference[:n]) + (" | " + " ".join(fallbacks) if fallbacks else "")
        captions.insert(0, f"\u2605 {key!r}\npreference list:\n{listed}")

    drawing.caption = ax.text(0, 0, "\n\n".join(captions), ha="center", va="center",
                              fontsize=10, linespacing=1.3)
    load = ring.load()
    handles = [Line2D([], [], marker="o", linestyle="none", markersize=8,
                      markerfacecolor=colors[node], markeredgecolor="white",
                      label=f"{node}  {load[node] / ring.n:.0%}") for node in ring.nodes]
    if change is not None and change.removed:
        handles.append(Line2D([], [], marker="o", linestyle="none", markersize=8,
                              markerfacecolor=colors[change.removed], markeredgecolor="white",
                              label=f"{change.removed}  (left)"))
    drawing.legend = ax.legend(handles=handles, title="node, share of replicas",
                               loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9,
                               title_fontsize=9, frameon=False,
                               ncol=1 if len(handles) <= 16 else 2)
    ax.set_xlim(-1.32, 1.32)
    ax.set_ylim(-1.32, 1.32)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"ring: {len(ring.nodes)} nodes, {ring.vnodes} tokens each, N = {ring.n}"
                 if ring.strategy == 1 else
                 f"ring: {len(ring.nodes)} nodes, strategy {ring.strategy}, "
                 f"Q = {ring.partitions}, N = {ring.n}", fontsize=11)
    return drawing


def _circle(radius: float):
    from matplotlib.patches import Circle

    return Circle((0, 0), radius, fill=False, edgecolor="#BBBBBB", lw=0.6, zorder=0)
