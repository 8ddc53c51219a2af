"""The cluster as a graph: nodes up, down or cut off, and the links between them.

Every pair of nodes can talk, so the graph is complete. Nodes sit on a
circle in ``cluster.nodes`` order, starting at the top, so a node keeps its
place from one picture to the next. A node is filled with its colour when up,
grey when down, and pale with a red rim when a partition cuts it off from
the main side. Links are grey; red and dashed when a partition cuts them;
faint and dotted when one end is down. The nodes that took part in the last
operation have a thick black rim, the links its messages used are drawn
thick, and its coordinator is labelled. In a replay, messages in flight are
small arrows along their link. A node holding hints (hinted handoff) has a
dashed, curved arrow in its colour to each node the hints are meant for,
labelled with how many it holds ("hint \u00d72").

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import dynamo_lab as dl
>>> cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=7)
>>> cluster.crash("C")
>>> d = draw_cluster(cluster)
>>> d.status["C"], len(d.graph.edges)
('down', 10)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..views.message_timeline import (Participation, Snapshot, message_lives, node_status,
                                      participants)
from .axes import axes_or_new
from .colors import CUT, DOWN, DOWN_EDGE, node_colors

__all__ = ["draw_cluster", "ClusterDrawing", "LINK_STYLES", "held_hints"]

#: How each kind of link is drawn: (colour, line style, width).
LINK_STYLES = {
    "ok": ("#9E9E9E", "solid", 1.2),
    "cut": (CUT, "dashed", 1.6),
    "down": ("#D0D0D0", "dotted", 1.0),
    "used": ("#222222", "solid", 3.0),
}


@dataclass
class ClusterDrawing:
    """What :func:`draw_cluster` drew.

    Attributes
    ----------
    ax : matplotlib.axes.Axes
    graph : networkx.Graph
        The nodes and links; each link has a ``state`` attribute, one of
        ``LINK_STYLES``.
    positions : dict
        node -> (x, y).
    status : dict
        node -> ``"up"``, ``"down"`` or ``"cut off"``.
    nodes : matplotlib.collections.PathCollection
        One marker per node, in graph order.
    node_colors : list
        The fill colour of each marker, in graph order.
    links : dict
        link state -> the LineCollection drawing those links (only states present).
    labels : dict
        node -> its name label.
    participation : Participation or None
        Who took part in the operation highlighted.
    messages : list
        One arrow per message in flight.
    legend : matplotlib.legend.Legend
    hints : list of tuple
        (holder, intended owner, count) for every pair with hints drawn.
    hint_arrows : list
        The arrow of each, in the same order.
    """

    ax: Any
    graph: Any
    positions: dict
    status: dict[str, str]
    nodes: Any
    node_colors: list
    links: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)
    participation: Participation | None = None
    messages: list = field(default_factory=list)
    legend: Any = None
    hints: list = field(default_factory=list)
    hint_arrows: list = field(default_factory=list)


def held_hints(cluster, key: str | None = None) -> list[tuple[str, str, int]]:
    """Who holds hints for whom: (holder, intended owner, count), sorted.

    A count is the number of keys the holder keeps a hint for on the owner's
    behalf (only ``key``, when given, so then it is 1).

    Examples
    --------
    >>> import dynamo_lab as dl
    >>> cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=7, failure_detector="oracle")
    >>> home = cluster.ring.home_replicas("k")
    >>> cluster.crash(home[2])
    >>> _ = cluster.put("k", "v")
    >>> [(owner, count) for _, owner, count in held_hints(cluster)] == [(home[2], 1)]
    True
    >>> held_hints(cluster, key="other")
    []
    """
    counts: dict[tuple[str, str], int] = {}
    for name in cluster.nodes:
        hints = cluster.node(name).hints
        for held_key, owners in hints.items():
            if key is not None and held_key != key:
                continue
            for owner in owners:
                counts[(name, owner)] = counts.get((name, owner), 0) + 1
    return [(holder, owner, count) for (holder, owner), count in sorted(counts.items())]


def _positions(nodes: list[str]) -> dict[str, tuple[float, float]]:
    count = len(nodes)
    if count == 1:
        return {nodes[0]: (0.0, 0.0)}
    return {name: (math.cos(math.pi / 2 - 2 * math.pi * i / count),
                   math.sin(math.pi / 2 - 2 * math.pi * i / count))
            for i, name in enumerate(nodes)}


def _cut_off_note(name: str, groups) -> str:
    """What a node outside the partition's main side is cut off from, in words.

    "cut off" alone reads as if the node were isolated; it still reaches the
    nodes on its own side.

    >>> _cut_off_note("A", [["A", "B"], ["C", "D", "E"]])
    'cut off from C, D, E'
    >>> _cut_off_note("A", [["A"], ["B", "C"], ["D", "E", "F", "G", "H"]])
    'cut off from the main side'
    """
    main = max(groups, key=len)
    return f"cut off from {', '.join(main)}" if len(main) <= 3 else "cut off from the main side"


def _live_state(cluster, operation):
    """Status and participation from the cluster as it is now."""
    nodes = cluster.nodes
    groups = cluster.partitions
    status = node_status(nodes, cluster.down, groups)
    participation = None
    if operation is not None:
        op_id, coordinator = None, None
        history = cluster.history
        # Scan from the end: the operation wanted is almost always recent.
        for i in range(len(history) - 1, -1, -1):
            record = history[i]
            if operation == "last" and record.type == "invoke" or record.op_id == operation:
                op_id = record.op_id
                coordinator = record.node if coordinator is None else coordinator
                if record.type == "invoke":
                    break
        if op_id is not None:
            # for_op reads only this operation's events: cheap on a long trace.
            participation = participants(message_lives(cluster.trace.for_op(op_id)), op_id,
                                         coordinator)
    return nodes, groups, status, participation


def draw_cluster(cluster=None, *, snapshot: Snapshot | None = None, operation="last",
                 key: str | None = None, colors: Mapping[str, str] | None = None,
                 show_hints: bool = True, title: str | None = None,
                 ax=None) -> ClusterDrawing:
    """Draw the cluster's nodes and links, its faults and its last operation.

    Parameters
    ----------
    cluster : Cluster, optional
        Drawn as it is now. Needed unless ``snapshot`` is given.
    snapshot : Snapshot, optional
        A moment of a recorded run (``MessageTimeline.at(t)``): drawn instead of the
        present, with the messages in flight at that moment.
    operation : "last", int or None
        Highlight the nodes and links of this operation (by ``op_id``), of
        the most recent one (``"last"``), or none.
    key : str, optional
        Number the home replicas of this key 1 .. N (needs ``cluster``), and
        draw only the hints held for it.
    colors : mapping, optional
        node -> colour; by default ``node_colors`` of the nodes.
    show_hints : bool
        Draw an arrow from each node holding hints to the node they are for
        (needs ``cluster``: a snapshot does not record hints).
    title : str, optional
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    ClusterDrawing

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import dynamo_lab as dl
    >>> cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=7)
    >>> cluster.partition(["A", "B"])
    >>> d = draw_cluster(cluster)
    >>> d.status["A"], len(d.links["cut"].get_segments())
    ('cut off', 6)
    >>> _ = cluster.put("k", "v")
    >>> d = draw_cluster(cluster)
    >>> d.participation.coordinator in d.participation.nodes
    True
    """
    import networkx as nx

    if snapshot is not None:
        nodes, groups, status = snapshot.nodes, snapshot.groups, snapshot.status
        participation = snapshot.participation if operation is not None else None
        in_flight = snapshot.in_flight
    elif cluster is not None:
        nodes, groups, status, participation = _live_state(cluster, operation)
        in_flight = []
    else:
        raise ValueError("draw_cluster needs a cluster or a snapshot")
    colors = node_colors(nodes, colors)
    ax = axes_or_new(ax, figsize=(5.0, 4.6))

    side = {n: i for i, g in enumerate(groups) for n in g}
    used = set()
    if participation is not None:
        used = {frozenset(link) for link in participation.links if link[0] != link[1]}
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    for i, a in enumerate(nodes):
        for b in nodes[i + 1:]:
            if status[a] == "down" or status[b] == "down":
                state = "down"
            elif side.get(a) != side.get(b):
                state = "cut"
            elif frozenset((a, b)) in used:
                state = "used"
            else:
                state = "ok"
            graph.add_edge(a, b, state=state)
    positions = _positions(nodes)

    links = {}
    for state, (colour, style, width) in LINK_STYLES.items():
        edges = [(a, b) for a, b, s in graph.edges(data="state") if s == state]
        if edges:
            links[state] = nx.draw_networkx_edges(graph, positions, edgelist=edges, ax=ax,
                                                  edge_color=colour, style=style, width=width)

    took_part = set(participation.nodes) if participation is not None else set()
    fills, rims, widths = [], [], []
    for name in nodes:
        if status[name] == "down":
            fills.append(DOWN)
            rims.append(DOWN_EDGE)
        elif status[name] == "cut off":
            fills.append(_pale(colors[name]))
            rims.append(CUT)
        else:
            fills.append(colors[name])
            rims.append("white")
        if name in took_part:
            rims[-1] = "black"
        widths.append(3.0 if name in took_part or status[name] == "cut off" else 1.5)
    size = 1300 if len(nodes) <= 8 else 700
    markers = nx.draw_networkx_nodes(graph, positions, nodelist=nodes, ax=ax, node_size=size,
                                     node_color=fills, edgecolors=rims, linewidths=widths)
    markers.set_zorder(3)
    label_colors = {n: ("#555555" if status[n] == "down" else
                        "black" if status[n] == "cut off" else "white") for n in nodes}
    labels = {}
    for name in nodes:
        x, y = positions[name]
        labels[name] = ax.text(x, y, name, ha="center", va="center", fontsize=12,
                               fontweight="bold", color=label_colors[name], zorder=4)

    # Words under a node say what colour alone cannot.
    for name in nodes:
        x, y = positions[name]
        notes = []
        if status[name] == "cut off":
            notes.append(_cut_off_note(name, groups))
        elif status[name] != "up":
            notes.append(status[name])
        if participation is not None and name == participation.coordinator:
            notes.append("coordinator")
        if notes:
            ax.text(x, y - 0.27, ", ".join(notes), ha="center", va="top", fontsize=9,
                    color="#222222", zorder=5,
                    bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85))

    if key is not None and cluster is not None:
        for rank, name in enumerate(cluster.ring.home_replicas(key), start=1):
            x, y = positions[name]
            ax.text(x + 0.17, y + 0.17, str(rank), ha="center", va="center", fontsize=8,
                    fontweight="bold", zorder=5,
                    bbox=dict(boxstyle="circle,pad=0.2", fc="white", ec="black", lw=0.8))

    hints, hint_arrows = [], []
    if show_hints and cluster is not None and snapshot is None:
        for holder, owner, count in held_hints(cluster, key):
            if holder not in positions or owner not in positions or holder == owner:
                continue
            hints.append((holder, owner, count))
            hint_arrows.append(_hint_arrow(ax, positions[holder], positions[owner], count,
                                           colors.get(holder, "black"), size))

    arrows = []
    for state in in_flight:
        m = state.life
        if m.src not in positions or m.dst not in positions or m.src == m.dst:
            continue
        (x0, y0), (x1, y1) = positions[m.src], positions[m.dst]
        p = min(max(state.progress, 0.2), 0.85)
        tail = max(p - 0.15, 0.05)
        arrows.append(ax.annotate(
            "", xy=(x0 + (x1 - x0) * p, y0 + (y1 - y0) * p),
            xytext=(x0 + (x1 - x0) * tail, y0 + (y1 - y0) * tail),
            arrowprops=dict(arrowstyle="-|>", color=colors.get(m.src, "black"), lw=2.2,
                            mutation_scale=14), zorder=6))

    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], marker="o", linestyle="none", markersize=9, markerfacecolor=DOWN,
               markeredgecolor=DOWN_EDGE, label="down"),
        Line2D([], [], color=LINK_STYLES["cut"][0], linestyle="--", label="link cut"),
        Line2D([], [], marker="o", linestyle="none", markersize=9, markerfacecolor="white",
               markeredgecolor="black", markeredgewidth=2.5, label="in last operation"),
    ]
    if in_flight:
        handles.append(Line2D([], [], color="#555555", marker=">", label="message in flight"))
    if hints:
        handles.append(Line2D([], [], color="#555555", linestyle="--",
                              label="hint: holder \u2192 owner"))
    ax.legend(handles=handles, loc="lower center", ncol=4, fontsize=8, frameon=False,
              handletextpad=0.3, columnspacing=1.0, borderaxespad=0.0)
    drawing = ClusterDrawing(ax=ax, graph=graph, positions=positions, status=status,
                             nodes=markers, node_colors=fills, links=links, labels=labels,
                             participation=participation, messages=arrows,
                             legend=ax.get_legend(), hints=hints, hint_arrows=hint_arrows)
    if title is None:
        if snapshot is not None:
            title = f"t = {snapshot.time:.3f} ms"
        elif cluster is not None:
            title = f"{len(nodes)} nodes, N = {cluster.n}, R = {cluster.r}, W = {cluster.w}"
    if title:
        ax.set_title(title, fontsize=11)
    ax.set_xlim(-1.45, 1.45)
    # Room at the bottom for the legend, inside the axes so no caller clips it.
    ax.set_ylim(-1.7, 1.35)
    ax.set_aspect("equal")
    ax.axis("off")
    return drawing


def _hint_arrow(ax, start, end, count: int, colour: str, node_size: float):
    """A dashed arc from a hint's holder to its owner, labelled with the count."""
    (x0, y0), (x1, y1) = start, end
    rad = 0.25
    clear = math.sqrt(node_size / math.pi) + 4   # marker radius in points, and a gap
    arrow = ax.annotate("", xy=(x1, y1), xytext=(x0, y0), zorder=2.5,
                        arrowprops=dict(arrowstyle="-|>", color=colour, lw=1.8,
                                        linestyle="--", mutation_scale=14,
                                        connectionstyle=f"arc3,rad={rad}",
                                        shrinkA=clear, shrinkB=clear))
    # The middle of the arc: the chord's middle, pushed sideways by rad / 2 of the chord.
    dx, dy = x1 - x0, y1 - y0
    ax.text((x0 + x1) / 2 + rad / 2 * dy, (y0 + y1) / 2 - rad / 2 * dx, f"hint \u00d7{count}",
            ha="center", va="center", fontsize=8, color=colour, fontweight="bold", zorder=5,
            bbox=dict(boxstyle="round,pad=0.15", fc="white", ec=colour, lw=0.8))
    return arrow


def _pale(colour: str) -> tuple[float, float, float]:
    """``colour`` mixed with white, for a node cut off from the main side."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(colour)
    return (0.55 + 0.45 * r, 0.55 + 0.45 * g, 0.55 + 0.45 * b)
