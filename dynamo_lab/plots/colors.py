"""The colours every picture uses, so a node looks the same everywhere.

Nodes take the colours of :data:`PALETTE` in the order their names are given
(``cluster.nodes``: A, B, C, ... for a cluster made from a count), cycling
after ten. The palette starts with the Okabe-Ito colours, which stay apart
for the common forms of colour blindness, and leaves out red and grey: red
marks what a partition cut, grey what is down.

============  =========  ==================================================
name          colour     marks
============  =========  ==================================================
DOWN          #D9D9D9    a crashed node, links to it, the time it was down
CUT           #D62728    links cut by a partition and messages it cut
DROPPED       #000000    a message dropped because a node was down
LOST          #7F7F7F    a message the link's random loss swallowed
WRITE         #E69F00    the write set in the quorum diagram
READ          #56B4E9    the read set in the quorum diagram
============  =========  ==================================================

Examples
--------
>>> node_colors(["A", "B", "C"])
{'A': '#0072B2', 'B': '#E69F00', 'C': '#009E73'}
>>> node_colors([f"n{i}" for i in range(12)])["n10"] == PALETTE[0]
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = ["PALETTE", "DOWN", "DOWN_EDGE", "CUT", "DROPPED", "LOST", "WRITE", "READ",
           "OUTCOME_COLORS", "node_colors"]

#: Node colours, in order: blue, orange, bluish green, reddish purple, sky
#: blue, brown, olive, purple, cyan, indigo.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9",
           "#8C564B", "#BCBD22", "#9467BD", "#17BECF", "#332288")

DOWN = "#D9D9D9"
DOWN_EDGE = "#8C8C8C"
CUT = "#D62728"
DROPPED = "#000000"
LOST = "#7F7F7F"
WRITE = "#E69F00"
READ = "#56B4E9"

#: Fill colours of client operations by how they ended ("pending": still running).
OUTCOME_COLORS = {"ok": "#B7E4C7", "fail": "#F4B6B6", "info": "#FCDDA5", "pending": "#E6E6E6"}


def node_colors(names: Iterable[str], colors: Mapping[str, str] | None = None) -> dict[str, str]:
    """Give each node its palette colour, in the order of ``names``.

    Parameters
    ----------
    names : iterable of str
        Node names in their fixed order (use ``cluster.nodes``, or a list that
        keeps departed nodes, so colours do not shift when one leaves).
    colors : mapping, optional
        Colours already chosen; they are kept, and only the other names get
        palette colours (continuing after the ones used).

    Returns
    -------
    dict
        name -> hex colour.

    Examples
    --------
    >>> node_colors(["B", "C"], colors={"A": "#0072B2"})
    {'B': '#E69F00', 'C': '#009E73', 'A': '#0072B2'}
    """
    chosen = dict(colors or {})
    out: dict[str, str] = {}
    next_index = len(chosen)
    for name in names:
        if name in chosen:
            out[name] = chosen[name]
        else:
            out[name] = PALETTE[next_index % len(PALETTE)]
            next_index += 1
    for name, colour in chosen.items():
        out.setdefault(name, colour)
    return out
