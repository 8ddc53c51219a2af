"""Two replicas' Merkle trees, one above the other, and the way their comparison descends.

Each tree node is a box holding the first hex digits of its hash (four, or
three when the tree is wide). The two trees are drawn with the same layout,
so a node of the second tree sits straight below the same node of the first.
Boxes whose hashes differ between the two replicas are filled red in both
trees; boxes compared and found equal are white; boxes the comparison never
looked at (their parent matched) are grey and dashed. The lines the
comparison descended, from a differing node to each of its children, are
drawn thick and dark. Under each leaf are its keys when there are few (keys
that differ in red), else how many there are.

A tree with more than :data:`MAX_FULL_LEAVES` leaves is drawn pruned: only
the nodes the comparison compared, with the number of keys each matching
subtree holds (keys the comparison never had to look at). The title sets
the hashes compared against the keys a full scan would compare.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import dynamo_lab as dl
>>> from dynamo_lab.merkle_view import merkle_comparison
>>> cluster = dl.Cluster(nodes=4, n=3, r=1, w=1, seed=2, failure_detector="oracle")
>>> home = cluster.ring.home_replicas("k")
>>> cluster.crash(home[1])
>>> _ = cluster.put("k", "v", coordinator=home[0])
>>> cluster.recover(home[1])
>>> d = draw_merkle(merkle_comparison(cluster, "k", fanout=2, depth=2))
>>> d.shown, len(d.boxes), sorted(d.highlighted)[:3]
('all', 14, [('a', 0, 0), ('a', 1, 0), ('a', 2, 0)])
>>> d.title.get_text().splitlines()[0]
'C vs B: 5 hashes compared vs 1 key in a full scan'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .axes import axes_or_new
from .colors import node_colors

__all__ = ["draw_merkle", "MerkleDrawing", "MAX_FULL_LEAVES", "MAX_LISTED_KEYS", "BOX_STYLES"]

#: Trees with at most this many leaves are drawn whole; larger ones pruned.
MAX_FULL_LEAVES = 16
#: A leaf with at most this many keys lists them; one with more says how many.
MAX_LISTED_KEYS = 3

#: How each kind of tree node is drawn: (fill, edge colour, line style, width, text colour).
BOX_STYLES = {
    "differs": ("#F4B6B6", "#B42318", "solid", 2.2, "black"),
    "equal": ("#FFFFFF", "#555555", "solid", 1.0, "black"),
    "not compared": ("#F2F2F2", "#BBBBBB", "dashed", 0.8, "#999999"),
}
DIFFER_TEXT = "#B42318"
DESCENDED = ("#222222", 2.2)
NOT_DESCENDED = ("#C8C8C8", 0.8)

_BOX_W, _BOX_H = 0.78, 0.46
_MIN_SLOTS = 8


@dataclass
class MerkleDrawing:
    """What :func:`draw_merkle` drew.

    Attributes
    ----------
    ax : matplotlib.axes.Axes
    comparison : MerkleComparison
    shown : str
        ``"all"`` (every node drawn) or ``"compared"`` (only the nodes compared).
    boxes : dict
        (tree, level, index) -> the box's Rectangle; tree is ``"a"`` or ``"b"``.
    kinds : dict
        (tree, level, index) -> ``"differs"``, ``"equal"`` or ``"not compared"``.
    highlighted : list
        The (tree, level, index) of every box drawn as differing.
    hash_labels : dict
        (tree, level, index) -> the Text with its hash prefix.
    descended : list of tuple
        ((level, index), (level + 1, child)) for each line the comparison went down.
    path_lines : list
        The Line2D of each descended line, in both trees.
    leaf_keys : dict
        (tree, leaf index) -> the Texts under a leaf, one per line: its keys,
        or how many there are.
    skipped : dict
        (tree, level, index) -> the Text under a matching inner node saying
        how many keys its subtree holds (pruned drawings only).
    positions : dict
        (level, index) -> x of the node (the same in both trees).
    title : matplotlib.text.Text
    legend : matplotlib.legend.Legend
    """

    ax: Any
    comparison: Any
    shown: str
    boxes: dict = field(default_factory=dict)
    kinds: dict = field(default_factory=dict)
    highlighted: list = field(default_factory=list)
    hash_labels: dict = field(default_factory=dict)
    descended: list = field(default_factory=list)
    path_lines: list = field(default_factory=list)
    leaf_keys: dict = field(default_factory=dict)
    skipped: dict = field(default_factory=dict)
    positions: dict = field(default_factory=dict)
    title: Any = None
    legend: Any = None


def _layout(shown: set, fanout: int, depth: int) -> dict[tuple[int, int], float]:
    """x of every shown node: shown nodes without shown children take slots left to right,
    parents sit above the middle of their shown children."""
    positions: dict[tuple[int, int], float] = {}
    slot = 0

    def place(level: int, index: int) -> float:
        nonlocal slot
        children = [] if level == depth else [
            (level + 1, c) for c in range(index * fanout, index * fanout + fanout)
            if (level + 1, c) in shown]
        if children:
            xs = [place(*child) for child in children]
            x = (xs[0] + xs[-1]) / 2
        else:
            x = float(slot)
            slot += 1
        positions[(level, index)] = x
        return x

    place(0, 0)
    return positions


def _subtree_keys(tree, level: int, index: int) -> int:
    span = tree.fanout ** (tree.depth - level)
    return sum(len(tree.leaves[j]) for j in range(index * span, (index + 1) * span))


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _short(key: str, width: int = 10) -> str:
    return key if len(key) <= width else key[:width - 1] + "\u2026"


def draw_merkle(comparison, *, show: str = "auto", colors: Mapping[str, str] | None = None,
                title: str | None = None, ax=None) -> MerkleDrawing:
    """Draw two replicas' Merkle trees, what differs and the path the comparison took.

    Parameters
    ----------
    comparison : MerkleComparison
        From :func:`dynamo_lab.merkle_view.merkle_comparison`.
    show : "auto", "all" or "compared"
        Draw every node, only the nodes compared, or (``"auto"``) every node
        when the trees have at most :data:`MAX_FULL_LEAVES` leaves.
    colors : mapping, optional
        node -> colour; by default ``node_colors`` of the cluster's nodes.
    title : str, optional
        Replaces the title (hashes compared vs keys in a full scan).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    MerkleDrawing
    """
    if show not in ("auto", "all", "compared"):
        raise ValueError(f"show must be 'auto', 'all' or 'compared', got {show!r}")
    c = comparison
    fanout, depth = c.fanout, c.depth
    if show == "auto":
        show = "all" if fanout ** depth <= MAX_FULL_LEAVES else "compared"
    compared = set(c.diff.path)
    if show == "all":
        shown = {(lv, i) for lv in range(depth + 1) for i in range(fanout ** lv)}
    else:
        shown = compared
    positions = _layout(shown, fanout, depth)
    slots = int(max(positions.values())) + 1
    colours = node_colors(c.nodes or [c.node_a, c.node_b], colors)
    ax = axes_or_new(ax, figsize=(9.6, 6.2))
    drawing = MerkleDrawing(ax=ax, comparison=c, shown=show, positions=positions)

    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle

    hash_size = 8 if slots <= 16 else 7 if slots <= 22 else 6 if slots <= 30 else 0
    digits = 4 if slots <= 16 else 3
    key_size = 8 if slots <= 12 else 7 if slots <= 20 else 6 if slots <= 28 else 0
    differing_keys = set(c.diff.keys)
    listed = any(0 < len(t.leaves[i]) <= MAX_LISTED_KEYS
                 for t in (c.tree_a, c.tree_b) for lv, i in shown if lv == depth)
    key_room = (1.25 if listed else 0.75) if key_size else 0.3
    tree_height = depth + key_room + 0.95
    tops = {"a": 0.0, "b": -tree_height}
    descended = [((lv, i), (lv + 1, j)) for lv, i in c.differing_nodes if lv < depth
                 for j in range(i * fanout, i * fanout + fanout)]
    drawing.descended = descended
    descended_set = set(descended)
    pad = max(_MIN_SLOTS - slots, 0) / 2
    left, right = -0.5 - pad, slots - 0.5 + pad
    label_x = left - 0.19 * (right - left)   # room for the row labels

    for side, tree, name in (("a", c.tree_a, c.node_a), ("b", c.tree_b, c.node_b)):
        top = tops[side]
        # Lines first, under the boxes.
        for (lv, i), x in positions.items():
            if lv == depth:
                continue
            for j in range(i * fanout, i * fanout + fanout):
                if (lv + 1, j) not in positions:
                    continue
                down = ((lv, i), (lv + 1, j)) in descended_set
                colour, width = DESCENDED if down else NOT_DESCENDED
                line = Line2D([x, positions[(lv + 1, j)]],
                              [top - lv - _BOX_H / 2, top - lv - 1 + _BOX_H / 2],
                              color=colour, lw=width, zorder=1, solid_capstyle="round")
                ax.add_line(line)
                if down:
                    drawing.path_lines.append(line)
        for (lv, i), x in sorted(positions.items()):
            y = top - lv
            kind = ("not compared" if (lv, i) not in compared else
                    "differs" if c.differs(lv, i) else "equal")
            fill, edge, style, width, text_colour = BOX_STYLES[kind]
            box = Rectangle((x - _BOX_W / 2, y - _BOX_H / 2), _BOX_W, _BOX_H, facecolor=fill,
                            edgecolor=edge, linestyle=style, linewidth=width, zorder=2)
            ax.add_patch(box)
            drawing.boxes[(side, lv, i)] = box
            drawing.kinds[(side, lv, i)] = kind
            if kind == "differs":
                drawing.highlighted.append((side, lv, i))
            if hash_size:
                drawing.hash_labels[(side, lv, i)] = ax.text(
                    x, y, tree.node_hash(lv, i).hex()[:digits], ha="center", va="center",
                    fontsize=hash_size, family="monospace", color=text_colour, zorder=3,
                    fontweight="bold" if kind == "differs" else "normal")
            below = y - _BOX_H / 2 - 0.08
            if lv == depth and key_size:
                keys = sorted(tree.leaves[i])
                if not keys:
                    continue
                if len(keys) <= MAX_LISTED_KEYS:
                    lines = [(_short(k), k in differing_keys) for k in keys]
                else:
                    n_bad = sum(k in differing_keys for k in keys)
                    lines = [(f"{len(keys)} keys", False)]
                    if n_bad:
                        lines.append((f"{n_bad} differ", True))
                # One Text per line, so only the keys that differ are red.
                drawing.leaf_keys[(side, i)] = [
                    ax.annotate(text, xy=(x, below), xytext=(0, -row * key_size * 1.2),
                                textcoords="offset points", ha="center", va="top",
                                fontsize=key_size, color=DIFFER_TEXT if bad else "#333333",
                                fontweight="bold" if bad else "normal", zorder=3)
                    for row, (text, bad) in enumerate(lines)]
            elif lv < depth and kind == "equal" and show == "compared" and key_size:
                # A matching subtree: the keys in it were never compared.
                skipped = _subtree_keys(tree, lv, i)
                if skipped:
                    drawing.skipped[(side, lv, i)] = ax.text(
                        x, below, f"{skipped} key{'s' if skipped != 1 else ''}", ha="center",
                        va="top", fontsize=key_size, color="#777777", style="italic", zorder=3)
        # Row labels: the node's name, and what each level compared.
        ax.text(label_x, top + 0.62, f"{name}'s tree ({len(c.keys_a if side == 'a' else c.keys_b)}"
                f" keys)", ha="left", va="center", fontsize=10, fontweight="bold",
                color=colours.get(name, "black"))
        for lv in range(depth + 1):
            level_name = "root" if lv == 0 else "leaves" if lv == depth else f"level {lv}"
            ax.text(label_x, top - lv, f"{level_name}\n{c.compared_at(lv)} compared"
                    if side == "a" else level_name, ha="left", va="center", fontsize=8,
                    color="#444444", linespacing=1.1)

    if title is None:
        keys = c.diff.keys
        shown_keys = ", ".join(keys[:6]) + (f", \u2026 ({len(keys)} in all)"
                                            if len(keys) > 6 else "")
        title = (f"{c.node_a} vs {c.node_b}: {_count(c.hashes_compared, 'hash', 'hashes')} "
                 f"compared vs {_count(c.full_scan, 'key', 'keys')} in a full scan\n"
                 + (f"{len(keys)} differing key{'s' if len(keys) != 1 else ''}: {shown_keys}"
                    if keys else "the two replicas agree on every key in the range"))
    drawing.title = ax.set_title(title, fontsize=10.5)

    handles = [Patch(facecolor=BOX_STYLES["differs"][0], edgecolor=BOX_STYLES["differs"][1],
                     linewidth=1.6, label="hashes differ"),
               Patch(facecolor="white", edgecolor=BOX_STYLES["equal"][1], label="hashes equal")]
    if any(k == "not compared" for k in drawing.kinds.values()):
        handles.append(Patch(facecolor=BOX_STYLES["not compared"][0],
                             edgecolor=BOX_STYLES["not compared"][1], linestyle="--",
                             label="not compared"))
    handles.append(Line2D([], [], color=DESCENDED[0], lw=DESCENDED[1],
                          label="comparison descends"))
    if drawing.skipped:
        handles.append(Line2D([], [], linestyle="none", label="n keys: under an equal hash, "
                              "never compared"))
    bottom = tops["b"] - depth - key_room
    drawing.legend = ax.legend(handles=handles, loc="lower center", ncol=len(handles),
                               fontsize=8, frameon=False, borderaxespad=0.0,
                               handletextpad=0.4, columnspacing=1.2)
    ax.set_xlim(label_x - 0.1, right + 0.1)
    # Room at the bottom for the legend, inside the axes so no caller clips it.
    ax.set_ylim(bottom - 0.55, 1.0)
    ax.axis("off")
    return drawing
