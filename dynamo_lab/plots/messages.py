"""The message (space-time) diagram of a slice of a run.

Time runs left to right in virtual milliseconds. Each node has a horizontal
line, and each client that issued operations has a lane above them, where a
bar spans each operation from invocation to completion (green: ok, red:
fail, amber: timed out, grey: still running). A message is an arrow from its
sender's line at the time it was sent to its receiver's line at the time it
arrived, in the sender's colour: solid for requests, dashed for replies.
A message that never arrived ends in a cross: black when a node was down
(dropped), red when a partition cut it, grey when the link lost it; one still
in flight ends in an open circle. Vector clocks carried by writes are printed
where they arrive. Grey bands on a node's line mark when it was down, pink
bands across the nodes when the network was partitioned. Long idle
stretches (a client waiting for a time-out) are squeezed into a hatched
break labelled with the time left out (:class:`TimeAxis`).

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import dynamo_lab as dl
>>> cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=7)
>>> _ = cluster.put("k", "v1")
>>> _ = cluster.run_until_idle()
>>> d = draw_messages(cluster)
>>> len(d.arrows), d.counts["deliver"], [t.get_text() for t in d.versions][:1]
(4, 4, ['{E:1}'])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..views.message_timeline import (MessageLife, MessageTimeline, down_intervals,
                                      partition_intervals)
from .axes import axes_or_new
from .colors import CUT, DOWN, DROPPED, LOST, OUTCOME_COLORS, node_colors

__all__ = ["draw_messages", "MessageDrawing", "TimeAxis", "MARKERS"]

#: How a message that did not arrive is marked: outcome -> (marker, colour, size).
MARKERS = {
    "drop": ("x", DROPPED, 60),
    "cut": ("X", CUT, 90),
    "lost": ("x", LOST, 60),
    "in_flight": ("o", "none", 40),
}

# Most version labels a diagram prints before they stop being readable.
_MAX_VERSION_LABELS = 40


@dataclass
class MessageDrawing:
    """What :func:`draw_messages` drew.

    Attributes
    ----------
    ax : matplotlib.axes.Axes
    lanes : dict
        lane name -> y coordinate: one per node, and one per client,
        called ``"client NAME"`` (``"client"`` for the default client).
    messages : list of MessageLife
        The messages drawn, in order of sending.
    arrows : list
        One artist per message, in the order of ``messages``.
    outcomes : list of str
        Each message's fate at the moment drawn (see ``replay.OUTCOMES``).
    counts : dict
        outcome -> how many messages drawn have it.
    markers : dict
        outcome -> the PathCollection of crosses or circles (when any).
    operations : list of matplotlib.patches.Rectangle
        One bar per client operation drawn.
    versions : list of matplotlib.text.Text
        The vector clocks printed.
    omitted : int
        Messages in the slice left out to keep the picture readable.
    axis : TimeAxis or None
        Where each moment was drawn, with the breaks of idle time left out.
    """

    ax: Any
    lanes: dict[str, float]
    messages: list[MessageLife] = field(default_factory=list)
    arrows: list = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    markers: dict = field(default_factory=dict)
    operations: list = field(default_factory=list)
    versions: list = field(default_factory=list)
    omitted: int = 0
    axis: Any = None


def _room_for_label(placed, y: float, x: float, text: str, px_per_ms: float) -> bool:
    """True when a version label at (x, y) would not overlap one already placed on
    that lane: labels of a 7-point font, about 0.6 em a character, plus a margin."""
    for other_y, other_x, other_text in placed:
        if other_y != y:
            continue
        half_widths = (len(text) + len(other_text)) / 2 * 0.6 * 7 * 1.4 + 6
        if abs(other_x - x) * px_per_ms < half_widths:
            return False
    return True


def _short(value, limit: int = 18) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"



class TimeAxis:
    """Where each moment goes on the x axis, with long idle stretches squeezed.

    Messages take fractions of a millisecond, but a run also waits: for a
    time-out (100 ms), for the next hint delivery (1000 ms). Drawn to scale,
    the messages would crowd into a sliver. So an idle gap (no event in it)
    longer than everything else still drawn is cut down to a short break,
    marked on the picture with how long it lasted. Time runs at one scale
    everywhere else.

    Parameters
    ----------
    times : iterable of float
        The moments something happens (sends, arrivals, operations, faults).
    start, end : float
        The window drawn.

    Examples
    --------
    >>> axis = TimeAxis([0.0, 0.5, 1.0, 101.0, 101.4], 0.0, 101.4)
    >>> axis.breaks
    [(1.0, 101.0)]
    >>> axis.x(0.5), round(axis.x(101.4) - axis.x(101.0), 6)
    (0.5, 0.4)
    >>> axis.x(101.0) - axis.x(1.0) < 1.0
    True
    """

    def __init__(self, times, start: float, end: float):
        inside = sorted({t for t in times if start <= t <= end})
        gaps = sorted(((b - a, a, b) for a, b in zip(inside, inside[1:])), reverse=True)
        kept = inside[-1] - inside[0] if inside else end - start
        squeezed: list[tuple[float, float]] = []
        for size, a, b in gaps:
            # Squeeze a gap only while it is longer than all that stays drawn.
            if size <= 0 or size <= kept - size:
                break
            squeezed.append((a, b))
            kept -= size
        if inside:
            # Idle time before the first event or after the last one is cut
            # off rather than squeezed: a hatched break at the picture's edge,
            # with nothing beyond it, reads as a puzzle. A margin remains.
            margin = 0.04 * max(kept, 1e-9)
            start = max(start, inside[0] - margin)
            end = min(end, inside[-1] + margin)
            kept += (inside[0] - start) + (end - inside[-1])
        self.breaks = sorted(squeezed)
        self.start, self.end = start, end
        self.active = max(kept, 1e-9)
        # Each break is drawn as wide as a twentieth of the time kept.
        self.break_width = 0.05 * self.active if self.breaks else 0.0

    def x(self, t: float) -> float:
        """The x coordinate of moment ``t``."""
        shift = 0.0
        for a, b in self.breaks:
            if t >= b:
                shift += (b - a) - self.break_width
            elif t > a:
                return t - shift - (t - a) + (t - a) / (b - a) * self.break_width
            else:
                break
        return t - shift

    def bends(self, t_from: float, t_to: float) -> list[float]:
        """The break edges strictly between two moments, in order.

        A message in flight across a break is drawn through these points, so
        that its height at every x still says how far it has travelled.

        >>> TimeAxis([0.0, 1.0, 101.0, 102.0], 0.0, 102.0).bends(0.5, 101.5)
        [1.0, 101.0]
        """
        return [t for a, b in self.breaks for t in (a, b) if t_from < t < t_to]

    def segments(self) -> list[tuple[float, float]]:
        """The stretches of time drawn to scale, between the breaks."""
        edges = [self.start]
        for a, b in self.breaks:
            edges += [a, b]
        edges.append(self.end)
        return list(zip(edges[::2], edges[1::2]))


def draw_messages(source, *, start: float | None = None, end: float | None = None,
                  until: float | None = None, key: str | None = None,
                  op_ids: Iterable[int] | None = None, show_versions: bool = True,
                  max_messages: int = 150, colors: Mapping[str, str] | None = None,
                  ax=None) -> MessageDrawing:
    """Draw the messages of a run, or of a slice of it, on a space-time diagram.

    Parameters
    ----------
    source : Cluster or MessageTimeline
        The run (a cluster is read through ``MessageTimeline.from_cluster``).
    start, end : float, optional
        The time window in ms; the whole run by default.
    until : float, optional
        Draw the run as it stood at this time: later messages are left out
        and messages not yet arrived stop where they were. Sets ``end`` if
        ``end`` is not given.
    key : str, optional
        Only messages and operations about this key.
    op_ids : iterable of int, optional
        Only messages and operations with these ``op_id``.
    show_versions : bool
        Print the vector clock that writes carry where they arrive.
    max_messages : int
        Draw at most this many messages (the latest ones); ``omitted`` says
        how many were left out.
    colors : mapping, optional
        node -> colour; by default ``node_colors`` of the nodes.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    MessageDrawing

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import dynamo_lab as dl
    >>> cluster = dl.Cluster(nodes=3, n=3, r=2, w=2, seed=1)
    >>> op = cluster.client("alice").start_put("k", "v", coordinator="B")
    >>> cluster.partition(["A"])      # while the write to A is on its way
    >>> _ = cluster.run_until_idle()
    >>> d = draw_messages(cluster)
    >>> d.counts["cut"], len(d.markers["cut"].get_offsets()), sorted(d.lanes)
    (1, 1, ['A', 'B', 'C', 'client alice'])
    """
    timeline = (source if isinstance(source, MessageTimeline)
                else MessageTimeline.from_cluster(source))
    if until is not None and end is None:
        end = until
    moment = until if until is not None else timeline.end
    wanted_ops = None if op_ids is None else set(op_ids)

    lives = timeline.messages(start=start, end=end, key=key, op_ids=wanted_ops)
    if until is not None:
        lives = [m for m in lives if m.sent_at <= until]
    omitted = max(0, len(lives) - max_messages)
    if omitted:
        lives = lives[omitted:]
    spans = [s for s in timeline.spans
             if (key is None or s.key == key) and (wanted_ops is None or s.op_id in wanted_ops)
             and s.start <= moment and (end is None or s.start <= end)
             and (start is None or s.end is None or s.end >= start)]

    t0 = start if start is not None else (min([m.sent_at for m in lives] +
                                              [s.start for s in spans] + [moment]))
    t1 = end if end is not None else moment
    if omitted and start is None and lives:
        t0 = lives[0].sent_at
    t1 = max(t1, t0)
    downs = down_intervals(timeline.faults, moment)
    splits = partition_intervals(timeline.faults, moment)
    events = [m.sent_at for m in lives] + [m.ended_at for m in lives if m.ended_at is not None]
    events += [s.start for s in spans] + [s.end for s in spans if s.end is not None]
    events += [f.time for f in timeline.faults]
    if until is not None:
        events.append(until)        # the moment drawn stays in the picture
    axis = TimeAxis(events, t0, t1)
    t0, t1 = axis.start, axis.end
    X = axis.x
    width = max(X(t1) - X(t0), 1e-9)

    nodes = timeline.nodes
    colors = node_colors(nodes, colors)
    clients = list(dict.fromkeys(s.process for s in spans))
    client_lane = {c: _client_lane(c, nodes) for c in clients}
    lane_names = [client_lane[c] for c in clients] + nodes
    # The first lane is at the top; clients get room for two rows of labels
    # and a gap keeps them apart from the nodes.
    lanes = {name: float(len(nodes) - 1 - i) for i, name in enumerate(nodes)}
    for i, c in enumerate(reversed(clients)):
        lanes[client_lane[c]] = len(nodes) - 1 + 1.1 + 1.3 * i
    ax = axes_or_new(ax, figsize=(9.0, 0.5 * len(nodes) + 0.75 * len(clients) + 1.6))
    drawing = MessageDrawing(ax=ax, lanes=lanes, omitted=omitted, axis=axis)

    from matplotlib.patches import Rectangle

    low, high = X(t0) - 0.02 * width, X(t1) + 0.04 * width
    top = max(lanes.values()) + 0.6
    bottom = -0.6
    # Faults first, beneath everything.
    for node, spells in downs.items():
        if node not in lanes:
            continue
        for a, b in spells:
            ax.add_patch(Rectangle((X(a), lanes[node] - 0.22), max(X(b) - X(a), 0.004 * width),
                                   0.44, facecolor=DOWN, edgecolor="none", zorder=0))
            ax.text(max(X(a), low), lanes[node] + 0.25, " down", fontsize=8, color="#666666",
                    va="bottom", ha="left", zorder=1, clip_on=True)
    node_top = max(lanes[n] for n in nodes) + 0.45
    for a, b, groups in splits:
        ax.add_patch(Rectangle((X(a), bottom + 0.1), max(X(b) - X(a), 0.004 * width),
                               node_top - bottom - 0.1, facecolor="#F9D6D5", edgecolor="none",
                               alpha=0.6, zorder=0))
        ax.text(max(X(a), low), bottom + 0.12,
                " partition " + " | ".join(",".join(g) for g in groups),
                fontsize=8, color=CUT, va="bottom", ha="left", zorder=1, clip_on=True)
    for name in nodes:
        ax.axhline(lanes[name], color="#BBBBBB", lw=0.8, zorder=0)

    # Operations on their clients' lanes, with faint lines across the nodes
    # so that the messages each one caused can be read off below it.
    # Labels go above a bar, or below it when they would run into the
    # previous label; widths are estimated from the axes' size in pixels.
    px_per_ms = ax.get_window_extent().width / max(high - low, 1e-9)
    label_ends: dict[tuple[str, int], float] = {}
    for span in spans:
        lane = client_lane[span.process]
        y = lanes[lane]
        state = span.type_at(moment) or "pending"
        stop = span.end if span.end is not None and span.end <= moment else moment
        bar = Rectangle((X(span.start), y - 0.2), max(X(stop) - X(span.start), 0.003 * width),
                        0.4,
                        facecolor=OUTCOME_COLORS.get(state, OUTCOME_COLORS["pending"]),
                        edgecolor="#555555", lw=0.8, zorder=2)
        ax.add_patch(bar)
        drawing.operations.append(bar)
        # Keys are shown whole up to 24 characters ('posts:alice' and the like).
        what = f"{span.f} {_short(span.key, 26)}"
        if span.f == "put":
            what += f"={_short(span.value, 16)}"
        via = f" via {span.node}" if span.node else ""
        result = "" if state == "pending" else f" \u2192 {state}"
        if state == "ok" and span.f == "get":
            result = f" \u2192 {_short(span.value, 16)}"
        text = f"{what}{via}{result}"
        # About 0.6 em per character of an 8-point font, in display pixels.
        text_ms = (len(text) * 0.6 * 8 * ax.figure.dpi / 72 + 4) / px_per_ms
        row = 0 if label_ends.get((lane, 0), -float("inf")) <= X(span.start) else 1
        label_ends[(lane, row)] = X(span.start) + text_ms
        ax.text(X(span.start), y + 0.24 if row == 0 else y - 0.24, text, fontsize=8,
                va="bottom" if row == 0 else "top", ha="left", zorder=3, clip_on=True)
        for x in (X(span.start), X(stop)):
            ax.plot([x, x], [bottom + 0.1, y - 0.2], color="#999999", lw=0.6, ls=":", zorder=0)

    cross = {k: [] for k in MARKERS}
    counts = {k: 0 for k in ("in_flight", "deliver", "drop", "cut", "lost")}
    placed_versions: list[tuple[float, float, str]] = []   # (lane y, x, text) of each label
    stub = 0.025 * width
    for m in lives:
        outcome = m.outcome_at(moment) or "in_flight"
        counts[outcome] += 1
        drawing.messages.append(m)
        drawing.outcomes.append(outcome)
        y0, y1 = lanes.get(m.src, 0.0), lanes.get(m.dst, 0.0)
        colour = colors.get(m.src, "#333333")
        style = "--" if m.is_reply else "-"
        if outcome == "deliver":
            # Through every break it crosses, at the height it had reached
            # then; to the window's edge if it lands after the window closes
            # (an arrow head outside the axes would not be drawn at all).
            stop = min(m.ended_at, t1)
            times = [m.sent_at, *axis.bends(m.sent_at, stop), stop]
            xs = [X(t) for t in times]
            ys = [y0 + (y1 - y0) * (t - m.sent_at) / max(m.ended_at - m.sent_at, 1e-12)
                  for t in times]
        if outcome == "deliver" and m.ended_at > t1 > m.sent_at:
            (artist,) = ax.plot(xs, ys, color=colour, lw=1.3, ls=style, zorder=3)
        elif outcome == "deliver":
            if len(xs) > 2:
                ax.plot(xs[:-1], ys[:-1], color=colour, lw=1.3, ls=style, zorder=3)
            artist = ax.annotate("", xy=(xs[-1], ys[-1]), xytext=(xs[-2], ys[-2]),
                                 arrowprops=dict(arrowstyle="-|>", color=colour, lw=1.3,
                                                 linestyle=style, shrinkA=0, shrinkB=0,
                                                 mutation_scale=11), zorder=3)
            if show_versions and m.version and len(drawing.versions) < _MAX_VERSION_LABELS \
                    and _room_for_label(placed_versions, y1, X(m.ended_at), m.version, px_per_ms):
                placed_versions.append((y1, X(m.ended_at), m.version))
                drawing.versions.append(ax.text(
                    X(m.ended_at), y1 + (0.1 if y1 >= y0 else -0.1), m.version, fontsize=7,
                    ha="center", va="bottom" if y1 >= y0 else "top", color="#222222",
                    zorder=5, bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none",
                                        alpha=0.8)))
        else:
            x_start = X(m.sent_at)
            if outcome == "in_flight":
                x_end, frac = X(moment), m.progress_at(moment)
            elif m.ended_at is not None and m.ended_at > m.sent_at:
                # It travelled, then died: stop short of the receiver.
                x_end, frac = X(m.ended_at), 0.8
            else:
                # Stopped the moment it was sent: a short stub towards the receiver.
                x_end, frac = x_start + stub, 0.3
            if outcome == "drop" and m.detail and "receiver" in m.detail:
                frac = 1.0
            if outcome == "drop" and m.detail == "sender down":
                x_end, frac = x_start, 0.0
            ye = y0 + (y1 - y0) * frac
            (artist,) = ax.plot([x_start, x_end], [y0, ye], color=colour, lw=1.3,
                                ls=":" if outcome == "in_flight" else style, zorder=3)
            cross[outcome].append((x_end, ye))
        drawing.arrows.append(artist)
    drawing.counts = counts

    for outcome, points in cross.items():
        if not points:
            continue
        marker, colour, size = MARKERS[outcome]
        kwargs = dict(marker=marker, s=size, zorder=4)
        if outcome == "in_flight":
            kwargs.update(facecolors="white", edgecolors="#333333", linewidths=1.2)
        else:
            kwargs.update(c=colour, linewidths=2.0)
        drawing.markers[outcome] = ax.scatter([p[0] for p in points], [p[1] for p in points],
                                              **kwargs)

    ax.set_yticks([lanes[n] for n in lane_names])
    ax.set_yticklabels(lane_names)
    for label, name in zip(ax.get_yticklabels(), lane_names):
        if name in colors:
            label.set_color(colors[name])
            label.set_fontweight("bold")
    ax.set_xlim(low, high)
    ax.set_ylim(bottom, top + 0.3)
    _time_ticks(ax, axis, width)
    for a, b in axis.breaks:
        # A hatched strip where idle time was left out, saying how much.
        ax.add_patch(Rectangle((X(a), bottom), axis.break_width, top - bottom + 0.3,
                               facecolor="white", edgecolor="#AAAAAA", hatch="///", lw=0.0,
                               zorder=1.5))
        ax.text(X(a) + axis.break_width / 2, top + 0.25, f"+{b - a:.4g} ms", fontsize=7,
                ha="center", va="top", color="#333333", zorder=6,
                bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="#AAAAAA", lw=0.6))
    ax.set_xlabel("virtual time (ms)" + ("; hatched: idle time left out" if axis.breaks
                                         else ""))
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    title = "messages"
    if key is not None:
        title += f" about {key!r}"
    if until is not None:
        title += f" up to t = {until:.3f} ms"
    if omitted:
        title += f" (the last {len(lives)}; {omitted} earlier ones left out)"
    ax.set_title(title, fontsize=11)
    _legend(ax, counts)
    return drawing


def _time_ticks(ax, axis: TimeAxis, width: float) -> None:
    """Ticks in real milliseconds on each stretch drawn to scale."""
    from matplotlib.ticker import MaxNLocator

    ticks, labels = [], []
    low, high = ax.get_xlim()
    px_per_unit = ax.get_window_extent().width / max(high - low, 1e-9)
    char_px = 0.6 * 10 * ax.figure.dpi / 72   # tick labels are about 10 points
    for a, b in axis.segments():
        share = (axis.x(b) - axis.x(a)) / width
        bins = max(1, round(8 * share))
        values = [v for v in MaxNLocator(nbins=bins).tick_values(a, b) if a <= v <= b]
        if not values:
            values = [a]
        for v in values:
            x = axis.x(v)
            label = f"{v:g}"
            room = (len(label) + len(labels[-1])) / 2 * char_px + 6 if labels else 0
            if ticks and (x - ticks[-1]) * px_per_unit < room:
                # Too close to the last tick, across a break: the first tick
                # after the break says more.
                ticks.pop()
                labels.pop()
            ticks.append(x)
            labels.append(label)
    ax.set_xticks(ticks)
    ax.set_xticklabels(labels)


def _client_lane(client: str, nodes: list[str]) -> str:
    """The lane name of a client: "client NAME" (just "client" for the default one)."""
    name = "client" if client == "client" else f"client {client}"
    return name if name not in nodes else f"{name} (client)"


def _legend(ax, counts: dict[str, int]) -> None:
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color="#444444", lw=1.3, label="request"),
               Line2D([], [], color="#444444", lw=1.3, ls="--", label="reply")]
    names = {"drop": "dropped (node down)", "cut": "cut (partition)", "lost": "lost (link)",
             "in_flight": "in flight"}
    for outcome, label in names.items():
        if counts.get(outcome):
            marker, colour, _ = MARKERS[outcome]
            handles.append(Line2D([], [], marker=marker, linestyle="none", markersize=7,
                                  markerfacecolor="white" if outcome == "in_flight" else colour,
                                  markeredgecolor="#333333" if outcome == "in_flight" else colour,
                                  markeredgewidth=1.8, label=label))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8,
              frameon=False)
