"""The quorum diagram: N replicas, a write set, a read set and their overlap.

Each replica is a box. Its top half is filled when the replica is in the
write set (it acknowledged the write), its bottom half when it is in the read
set (it answered the read). A box filled in both halves, outlined in black,
is in the overlap: a replica the read asks that holds the write.

By default the write set is the first W replicas and the read set the last R,
the placement that shares as few replicas as possible: what the picture
shows is the worst case, ``max(0, R + W - N)`` replicas in common. A bracket
over each set says in words what its number counts: the write waits for W
acknowledgements, the read for R replies.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> d = draw_quorum(3, r=2, w=2)
>>> d.write_set, d.read_set, d.overlap
((0, 1), (1, 2), (1,))
>>> d.title.get_text()
'N = 3, W = 2, R = 2: every read overlaps the write in at least 1 replica'
>>> d.write_label.get_text(), d.read_label.get_text()
('write waits for W = 2 acknowledgements', 'read waits for R = 2 replies')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..quorum import QuorumFacts, quorum_facts
from .axes import axes_or_new
from .colors import READ, WRITE

__all__ = ["draw_quorum", "QuorumDrawing", "waits_for"]

_BOX = 1.0
_STEP = 1.25


@dataclass
class QuorumDrawing:
    """What :func:`draw_quorum` drew.

    Attributes
    ----------
    ax : matplotlib.axes.Axes
    facts : QuorumFacts
    write_set, read_set, overlap : tuple of int
        Replica indices (0-based) in each set.
    boxes : list of matplotlib.patches.Rectangle
        One outline per replica.
    write_patches, read_patches : list of matplotlib.patches.Rectangle
        The filled halves, one per member of each set.
    labels : list of matplotlib.text.Text
        The replica names, in order.
    write_label, read_label : matplotlib.text.Text or None
        The words by each set's bracket (None when the set is scattered and
        has no bracket).
    title : matplotlib.text.Text
    """

    ax: Any
    facts: QuorumFacts
    write_set: tuple[int, ...]
    read_set: tuple[int, ...]
    overlap: tuple[int, ...]
    boxes: list = field(default_factory=list)
    write_patches: list = field(default_factory=list)
    read_patches: list = field(default_factory=list)
    labels: list = field(default_factory=list)
    write_label: Any = None
    read_label: Any = None
    title: Any = None


def _indices(name: str, chosen: Sequence[int] | None, size: int, n: int,
             default: range) -> tuple[int, ...]:
    if chosen is None:
        return tuple(default)
    picked = tuple(sorted(set(chosen)))
    bad = [i for i in picked if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < n]
    if bad:
        raise ValueError(f"{name} holds {bad[0]!r}; replica indices run from 0 to {n - 1}")
    if len(picked) != size:
        raise ValueError(f"{name} has {len(picked)} replicas but the quorum size is {size}")
    return picked


def waits_for(operation: str, count: int) -> str:
    """What a quorum size means, in words: what the operation waits for, and how many.

    Examples
    --------
    >>> waits_for("write", 2), waits_for("read", 1)
    ('write waits for W = 2 acknowledgements', 'read waits for R = 1 reply')
    """
    if operation == "write":
        return f"write waits for W = {count} acknowledgement{'' if count == 1 else 's'}"
    if operation == "read":
        return f"read waits for R = {count} repl{'y' if count == 1 else 'ies'}"
    raise ValueError(f"operation must be 'write' or 'read', got {operation!r}")


def _bracket(ax, first: int, last: int, n: int, y: float, up: bool, colour: str, text: str):
    """A bracket over boxes ``first..last`` (of ``n``) with ``text`` beyond it.

    The text starts at the bracket's left end when the bracket starts at the
    first box, and ends at its right end when it ends at the last box, so a
    long label never runs past the row of boxes at the edge it is nearest.
    """
    x0, x1 = first * _STEP, last * _STEP + _BOX
    tip = 0.12 if up else -0.12
    ax.plot([x0, x0, x1, x1], [y, y + tip, y + tip, y], color=colour, lw=2,
            solid_capstyle="butt")
    if first == 0 and last < n - 1:
        x, ha = x0, "left"
    elif last == n - 1 and first > 0:
        x, ha = x1, "right"
    else:
        x, ha = (x0 + x1) / 2, "center"
    return ax.text(x, y + tip * 1.6, text, ha=ha, va="bottom" if up else "top",
                   color="#333333", fontsize=10)


def draw_quorum(n: int, r: int, w: int, *, write_set: Sequence[int] | None = None,
                read_set: Sequence[int] | None = None, names: Sequence[str] | None = None,
                ax=None) -> QuorumDrawing:
    """Draw N replicas with a write set of W and a read set of R.

    Parameters
    ----------
    n, r, w : int
        Replicas, read quorum and write quorum (``1 <= r, w <= n``).
    write_set, read_set : sequence of int, optional
        Which replicas (0-based) are in each set; by default the first W and
        the last R, the least overlap possible.
    names : sequence of str, optional
        Labels for the replicas (for example a key's home replicas);
        ``1 .. N`` by default.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    QuorumDrawing

    Raises
    ------
    ValueError
        If N, R, W or the sets do not fit together.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> d = draw_quorum(5, r=2, w=2)
    >>> d.overlap, len(d.boxes), len(d.write_patches), len(d.read_patches)
    ((), 5, 2, 2)
    >>> d.write_patches[0].get_facecolor() == matplotlib.colors.to_rgba(WRITE)
    True
    >>> d = draw_quorum(3, 2, 2, write_set=[0, 2], read_set=[0, 1], names=["E", "C", "B"])
    >>> d.overlap, [t.get_text() for t in d.labels]
    ((0,), ['E', 'C', 'B'])
    """
    from matplotlib.patches import Rectangle

    facts = quorum_facts(n, r, w)
    if names is not None and len(names) != n:
        raise ValueError(f"names has {len(names)} labels but N={n}")
    writes = _indices("write_set", write_set, w, n, range(w))
    reads = _indices("read_set", read_set, r, n, range(n - r, n))
    both = tuple(i for i in writes if i in reads)

    ax = axes_or_new(ax, figsize=(6.4, 2.4))
    drawing = QuorumDrawing(ax=ax, facts=facts, write_set=writes, read_set=reads, overlap=both)
    for i in range(n):
        x = i * _STEP
        if i in writes:
            patch = Rectangle((x, _BOX / 2), _BOX, _BOX / 2, facecolor=WRITE, edgecolor="none")
            ax.add_patch(patch)
            drawing.write_patches.append(patch)
        if i in reads:
            patch = Rectangle((x, 0), _BOX, _BOX / 2, facecolor=READ, edgecolor="none")
            ax.add_patch(patch)
            drawing.read_patches.append(patch)
        in_both = i in both
        box = Rectangle((x, 0), _BOX, _BOX, facecolor="none",
                        edgecolor="black" if in_both else "#777777", lw=3 if in_both else 1.2)
        ax.add_patch(box)
        drawing.boxes.append(box)
        label = str(names[i]) if names is not None else str(i + 1)
        drawing.labels.append(ax.text(x + _BOX / 2, _BOX / 2, label, ha="center", va="center",
                                      fontsize=12, fontweight="bold" if in_both else "normal"))

    # Brackets name the sets; a scattered set gets only the colours.
    if writes and writes[-1] - writes[0] + 1 == len(writes):
        drawing.write_label = _bracket(ax, writes[0], writes[-1], n, _BOX + 0.08, True, WRITE,
                                       waits_for("write", w))
    if reads and reads[-1] - reads[0] + 1 == len(reads):
        drawing.read_label = _bracket(ax, reads[0], reads[-1], n, -0.08, False, READ,
                                      waits_for("read", r))

    if facts.overlap:
        verdict = (f"every read overlaps the write in at least {facts.min_overlap} "
                   f"replica{'s' if facts.min_overlap > 1 else ''}")
    else:
        verdict = "a read can miss the write"
    drawing.title = ax.set_title(f"N = {n}, W = {w}, R = {r}: {verdict}", fontsize=11)
    width = (n - 1) * _STEP + _BOX
    ax.set_xlim(-0.35, width + 0.35)
    ax.set_ylim(-0.75, _BOX + 0.75)
    ax.set_aspect("equal")
    ax.axis("off")
    return drawing
