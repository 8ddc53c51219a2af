"""Two replicas' Merkle trees, one above the other, and the way their comparison descends.

Each tree node is a box holding the first hex digits of its hash (four, or
three when the tree is wide). The two trees are drawn with the same layout,
so a node of the second tree sits straight below the same node of the first.
Boxes whose hashes differ between the two replicas are filled red in both
trees; boxes compared and found equal are white; boxes the comparison never
looked at (their parent matched) are grey and dashed. The lines the
comparison descended, from a differing node to each of its children, are
drawn thick and dark. Under each leaf are its keys when there are few, each
whole (wrapped onto more lines when it is wider than the leaf; keys that
differ in red), else how many there are.

A leaf holding a key that the last repair changed on that node (the
comparison's ``repaired_a`` and ``repaired_b``) is filled green, and so are
the lines leading down to it; after an anti-entropy round the replicas agree
again, and this is how the picture still shows where they had differed.

A tree with more than :data:`MAX_FULL_LEAVES` leaves is drawn pruned: only
the nodes the comparison compared, and the way down to each repaired leaf
(with the siblings on that way), with the number of keys each matching
subtree holds (keys the comparison never had to look at). The title sets the
hashes compared against the keys a full scan would compare, and names the
differing keys (a few, and how many there are in all).

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import dynamo_lab as dl
>>> from dynamo_lab.views.merkle_comparison import merkle_comparison
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

from ..views.merkle_comparison import summarize_keys
from .axes import axes_or_new
from .colors import node_colors

__all__ = ["draw_merkle", "MerkleDrawing", "MAX_FULL_LEAVES", "MAX_LISTED_KEYS", "BOX_STYLES",
           "wrap_key"]

#: Trees with at most this many leaves are drawn whole; larger ones pruned.
MAX_FULL_LEAVES = 16
#: A leaf with at most this many keys lists them; one with more says how many.
MAX_LISTED_KEYS = 3

#: How each kind of tree node is drawn: (fill, edge colour, line style, width, text colour).
BOX_STYLES = {
    "differs": ("#F4B6B6", "#B42318", "solid", 2.2, "black"),
    "equal": ("#FFFFFF", "#555555", "solid", 1.0, "black"),
    "not compared": ("#F2F2F2", "#BBBBBB", "dashed", 0.8, "#999999"),
    "repaired": ("#B7E4C7", "#1A7F37", "solid", 2.0, "black"),
}
DIFFER_TEXT = "#B42318"
REPAIRED_TEXT = "#1A7F37"
DESCENDED = ("#222222", 2.2)
NOT_DESCENDED = ("#C8C8C8", 0.8)
#: The lines leading down to a repaired leaf: (colour, width).
TO_REPAIRED = ("#1A7F37", 1.6)
#: Legend label of a repaired leaf.
REPAIRED_LABEL = "repaired by the last round"
#: The title names at most this many differing keys (and says how many there are).
TITLE_KEYS = 10

_BOX_W, _BOX_H = 0.78, 0.46
_MIN_SLOTS = 8
# Characters after which a key may be wrapped onto the next line.
_BREAKS = ":/._-|#@ "


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
        (tree, level, index) -> ``"differs"``, ``"equal"``, ``"not compared"``
        or ``"repaired"``.
    highlighted : list
        The (tree, level, index) of every box drawn as differing.
    repaired : list
        The (tree, level, index) of every leaf drawn as repaired.
    hash_labels : dict
        (tree, level, index) -> the Text with its hash prefix.
    descended : list of tuple
        ((level, index), (level + 1, child)) for each line the comparison went down.
    path_lines : list
        The Line2D of each descended line, in both trees.
    repaired_lines : list
        The Line2D of each line leading down to a repaired leaf.
    leaf_keys : dict
        (tree, leaf index) -> the Texts under a leaf: one per key, the whole
        key (lines joined by ``"\n"`` where it was wrapped), or lines saying
        how many keys there are.
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
    repaired: list = field(default_factory=list)
    hash_labels: dict = field(default_factory=dict)
    descended: list = field(default_factory=list)
    path_lines: list = field(default_factory=list)
    repaired_lines: list = field(default_factory=list)
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


def wrap_key(key: str, width: int) -> list[str]:
    """``key`` cut into lines of at most ``width`` characters, never shortened.

    Lines end after a separator (``:``, ``/``, ``.``, ``_``, ``-``, ...) or
    where letters turn into digits, when such a place is close enough, else
    after ``width`` characters; joined, the lines give back the key.

    Examples
    --------
    >>> wrap_key("invoice:1050", 10)
    ['invoice:', '1050']
    >>> wrap_key("item143", 6)
    ['item', '143']
    >>> wrap_key("cart", 10)
    ['cart']
    >>> wrap_key("abcdefgh", 3)
    ['abc', 'def', 'gh']
    """
    width = max(int(width), 1)
    lines = []
    while len(key) > width:
        cut = max((i + 1 for i, ch in enumerate(key[:width])
                   if ch in _BREAKS or (ch.isalpha() and key[i + 1].isdigit())), default=0)
        if cut < (width + 1) // 2:   # no good place in the second half: cut at the width
            cut = width
        lines.append(key[:cut])
        key = key[cut:]
    return lines + [key]


def _fit_key(key: str, size: float, room_pt: float) -> list[str]:
    """``key`` on as few lines as fit across ``room_pt`` points at ``size`` points (bold)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextPath

    wide = TextPath((0, 0), key, size=size, prop=FontProperties(weight="bold")).get_extents().width
    if wide <= room_pt:
        return [key]
    return wrap_key(key, max(int(len(key) * room_pt / wide), 1))


def _leaf_lines(keys: list[str], differing: set, repaired: set, size: float, room_pt: float):
    """What to write under a leaf: (text, colour key) per Text; and how many lines in all."""
    if len(keys) <= MAX_LISTED_KEYS:
        texts = [("\n".join(_fit_key(k, size, room_pt)),
                  "differs" if k in differing else "repaired" if k in repaired else "")
                 for k in keys]
    else:
        n_bad = sum(k in differing for k in keys)
        n_fixed = sum(k in repaired for k in keys)
        texts = [(f"{len(keys)} keys", "")]
        if n_bad:
            texts.append((f"{n_bad} differ{'s' if n_bad == 1 else ''}", "differs"))
        if n_fixed:
            texts.append((f"{n_fixed} repaired", "repaired"))
    return texts, sum(text.count("\n") + 1 for text, _ in texts)


def _ancestors(level: int, index: int, fanout: int) -> list[tuple[int, int]]:
    """(level, index) of the node and of each node above it, up to the root."""
    return [(lv, index // fanout ** (level - lv)) for lv in range(level, -1, -1)]


def draw_merkle(comparison, *, show: str = "auto", colors: Mapping[str, str] | None = None,
                title: str | None = None, ax=None) -> MerkleDrawing:
    """Draw two replicas' Merkle trees, what differs and the path the comparison took.

    Parameters
    ----------
    comparison : MerkleComparison
        From :func:`dynamo_lab.views.merkle_comparison.merkle_comparison`.
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
    sides = (("a", c.tree_a, c.node_a), ("b", c.tree_b, c.node_b))
    repaired_leaves = {side: set(c.repaired_leaves(name)) for side, _, name in sides}
    # The way down to each repaired leaf, per tree, and (pruned) what to draw for it.
    to_repaired = {side: {node for leaf in leaves for node in _ancestors(depth, leaf, fanout)}
                   for side, leaves in repaired_leaves.items()}
    if show == "all":
        shown = {(lv, i) for lv in range(depth + 1) for i in range(fanout ** lv)}
    else:
        # The nodes compared, and the way down to each repaired leaf with the
        # siblings on it, as the comparison before the repair would have gone.
        shown = set(compared) | {(0, 0)}
        for lv, i in to_repaired["a"] | to_repaired["b"]:
            if lv < depth:
                shown.update((lv + 1, j) for j in range(i * fanout, i * fanout + fanout))
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
    pad = max(_MIN_SLOTS - slots, 0) / 2
    left, right = -0.5 - pad, slots - 0.5 + pad
    label_x = left - 0.19 * (right - left)   # room for the row labels

    # The width of one leaf's slot in points, from the axes' size: keys wider wrap.
    box = ax.get_position()
    width_pt = box.width * ax.figure.get_figwidth() * 72
    height_pt = box.height * ax.figure.get_figheight() * 72
    slot_pt = width_pt / (right - label_x + 0.2)
    under = {}       # (side, leaf) -> [(text, colour key)]
    lines_needed = 0
    if key_size:
        for side, tree, name in sides:
            fixed = set(c.repaired_keys(name))
            for lv, i in shown:
                if lv == depth and tree.leaves[i]:
                    texts, count = _leaf_lines(sorted(tree.leaves[i]), differing_keys, fixed,
                                               key_size, slot_pt * 0.92)
                    under[(side, i)] = texts
                    lines_needed = max(lines_needed, count)
    # Room under the leaves for the longest list of lines. The points one data
    # unit spans depend on that room (the y span is fixed_span + 2 * room,
    # one room per tree), so solve for it rather than guess.
    fixed_span = 1.95 + 2 * depth + 0.55
    needed_pt = lines_needed * (key_size or 0) * 1.2
    if lines_needed:
        share = min(needed_pt / height_pt, 0.3)
        key_room = (0.45 + share * fixed_span) / (1 - 2 * share)
    else:
        key_room = 0.3
    tree_height = depth + key_room + 0.95
    tops = {"a": 0.0, "b": -tree_height}
    descended = [((lv, i), (lv + 1, j)) for lv, i in c.differing_nodes if lv < depth
                 for j in range(i * fanout, i * fanout + fanout)]
    drawing.descended = descended
    descended_set = set(descended)
    text_colours = {"": "#333333", "differs": DIFFER_TEXT, "repaired": REPAIRED_TEXT}

    for side, tree, name in sides:
        top = tops[side]
        # Lines first, under the boxes.
        for (lv, i), x in positions.items():
            if lv == depth:
                continue
            for j in range(i * fanout, i * fanout + fanout):
                if (lv + 1, j) not in positions:
                    continue
                down = ((lv, i), (lv + 1, j)) in descended_set
                fixing = not down and (lv + 1, j) in to_repaired[side]
                colour, width = DESCENDED if down else TO_REPAIRED if fixing else NOT_DESCENDED
                line = Line2D([x, positions[(lv + 1, j)]],
                              [top - lv - _BOX_H / 2, top - lv - 1 + _BOX_H / 2],
                              color=colour, lw=width, zorder=1, solid_capstyle="round")
                ax.add_line(line)
                if down:
                    drawing.path_lines.append(line)
                elif fixing:
                    drawing.repaired_lines.append(line)
        for (lv, i), x in sorted(positions.items()):
            y = top - lv
            kind = ("not compared" if (lv, i) not in compared else
                    "differs" if c.differs(lv, i) else "equal")
            if lv == depth and i in repaired_leaves[side] and kind != "differs":
                kind = "repaired"
            fill, edge, style, width, text_colour = BOX_STYLES[kind]
            box = Rectangle((x - _BOX_W / 2, y - _BOX_H / 2), _BOX_W, _BOX_H, facecolor=fill,
                            edgecolor=edge, linestyle=style, linewidth=width, zorder=2)
            ax.add_patch(box)
            drawing.boxes[(side, lv, i)] = box
            drawing.kinds[(side, lv, i)] = kind
            if kind == "differs":
                drawing.highlighted.append((side, lv, i))
            elif kind == "repaired":
                drawing.repaired.append((side, lv, i))
            if hash_size:
                drawing.hash_labels[(side, lv, i)] = ax.text(
                    x, y, tree.node_hash(lv, i).hex()[:digits], ha="center", va="center",
                    fontsize=hash_size, family="monospace", color=text_colour, zorder=3,
                    fontweight="bold" if kind == "differs" else "normal")
            below = y - _BOX_H / 2 - 0.08
            if lv == depth and (side, i) in under:
                # One Text per key (or count), so each can take its own colour.
                texts, row = [], 0
                for text, mark in under[(side, i)]:
                    texts.append(ax.annotate(
                        text, xy=(x, below), xytext=(0, -row * key_size * 1.2),
                        textcoords="offset points", ha="center", va="top",
                        fontsize=key_size, color=text_colours[mark], linespacing=1.0,
                        fontweight="bold" if mark else "normal", zorder=3))
                    row += text.count("\n") + 1
                drawing.leaf_keys[(side, i)] = texts
            elif (lv < depth and kind == "equal" and show == "compared" and key_size
                  and (lv + 1, i * fanout) not in positions):
                # A matching subtree, drawn as its root alone: its keys were never compared.
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
        if keys:
            second = summarize_keys(keys, TITLE_KEYS, noun="differing key", width=100)
        else:
            second = "the two replicas agree on every key in the range"
            fixed = [(name, len(c.repaired_keys(name))) for _, _, name in sides
                     if c.repaired_keys(name)]
            if fixed:
                second += " (the last round repaired " + " and ".join(
                    f"{_count(n, 'key', 'keys')} on {name}" for name, n in fixed) + ")"
        title = (f"{c.node_a} vs {c.node_b}: {_count(c.hashes_compared, 'hash', 'hashes')} "
                 f"compared vs {_count(c.full_scan, 'key', 'keys')} in a full scan\n{second}")
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
    if drawing.repaired:
        style = BOX_STYLES["repaired"]
        handles.append(Patch(facecolor=style[0], edgecolor=style[1], linewidth=1.6,
                             label=REPAIRED_LABEL))
    if drawing.skipped:
        handles.append(Line2D([], [], linestyle="none", label="n keys: under an equal hash, "
                              "never compared"))
    bottom = tops["b"] - depth - key_room
    # One row of entries when they fit across the axes, else two.
    across = sum(len(h.get_label()) * 8 * 0.56 + 8 * 3.6 for h in handles)
    rows = 1 if across <= width_pt else 2
    drawing.legend = ax.legend(handles=handles, loc="lower center",
                               ncol=-(-len(handles) // rows), fontsize=8, frameon=False,
                               borderaxespad=0.0, handletextpad=0.4, columnspacing=1.2)
    ax.set_xlim(label_x - 0.1, right + 0.1)
    # Room at the bottom for the legend, inside the axes so no caller clips it.
    span = 1.0 - bottom + 0.55
    ax.set_ylim(bottom - 0.55 - (rows - 1) * 12 * span / (height_pt - (rows - 1) * 12), 1.0)
    ax.axis("off")
    return drawing
