"""The ring explorer: tokens, a key's preference list, and what moves on a join.

Sliders set the number of nodes and of tokens (virtual nodes) per node; a
box names a key whose preference list is drawn. The add and remove buttons
change the membership of the ring and show which ranges moved, next to what
hash-mod-N placement would have moved for the same change.

Examples
--------
>>> explorer = RingExplorer(nodes=4, vnodes=8, n=2)
>>> explorer.add_button.click()
>>> explorer.model.ring.nodes
['A', 'B', 'C', 'D', 'E']
>>> 0 < explorer.model.change.fraction_moved < explorer.model.mod_n_moved
True
>>> "hash mod N" in explorer.summary.value
True
"""

from __future__ import annotations

import string

import ipywidgets as widgets

from ..hash_mod_n import fraction_moved, sample_keys
from ..ranges import RingChange
from ..ring import Ring, load_balancing_efficiency
from ..validation import text, whole_number
from .binding import bind
from .figure import FigureImage

__all__ = ["RingExplorer", "RingModel", "MAX_NODES", "MAX_VNODES"]

MAX_NODES = 30
MAX_VNODES = 64


def _default_names(count: int) -> list[str]:
    # The same naming as dl.Cluster(nodes=count).
    if count <= 26:
        return list(string.ascii_uppercase[:count])
    return [f"n{i}" for i in range(1, count + 1)]


class RingModel:
    """A ring and the last membership change made to it. No widgets here.

    Parameters
    ----------
    nodes : int
        How many nodes (named A, B, C, ... as in ``dl.Cluster``).
    vnodes : int
        Tokens per node.
    n : int
        Replicas per key.
    key : str
        The key whose preference list is shown.
    strategy : int
        Dynamo's partitioning strategy (1, 2 or 3).
    sample : int
        Sample keys for the hash-mod-N comparison.

    Attributes
    ----------
    ring : Ring
    change : RingChange or None
        What the last add or remove did.
    mod_n_moved : float or None
        Share of sample keys hash mod N would have moved for that change.
    error : str or None
        Why the last request could not be carried out.
    colour_order : list of str
        Every node seen, in order, so a node keeps its colour after others leave.

    Examples
    --------
    >>> m = RingModel(nodes=3, n=3)
    >>> m.remove_node("A")
    False
    >>> m.error
    "removing 'A' would leave 2 nodes, fewer than n=3; a ring needs at least n nodes"
    """

    def __init__(self, nodes: int = 5, vnodes: int = 8, n: int = 3, key: str = "cart:alice",
                 strategy: int = 1, sample: int = 2000):
        self.key = text("key", key)
        self.n = n
        self.vnodes = vnodes
        self.strategy = strategy
        self.keys = sample_keys(sample)
        self.change: RingChange | None = None
        self.mod_n_moved: float | None = None
        self.error: str | None = None
        self.colour_order: list[str] = []
        self.ring = self._build(nodes)

    def _build(self, count: int) -> Ring:
        ring = Ring(_default_names(count), n=self.n, vnodes=self.vnodes, strategy=self.strategy)
        self._remember(ring.nodes)
        return ring

    def _remember(self, names) -> None:
        for name in names:
            if name not in self.colour_order:
                self.colour_order.append(name)

    def _reset(self) -> None:
        self.change, self.mod_n_moved, self.error = None, None, None

    def set_nodes(self, count: int) -> None:
        """Start again with ``count`` nodes."""
        self._reset()
        self.colour_order = []
        try:
            self.ring = self._build(count)
        except ValueError as exc:
            self.error = str(exc)

    def set_vnodes(self, vnodes: int) -> None:
        """Start again with ``vnodes`` tokens per node (same number of nodes)."""
        old = self.vnodes
        self.vnodes = vnodes
        self._reset()
        self.colour_order = []
        try:
            self.ring = self._build(len(self.ring.nodes))
        except ValueError as exc:
            self.vnodes = old
            self.error = str(exc)

    def set_key(self, key: str) -> None:
        """Show the preference list of ``key``."""
        self.key = key

    def next_name(self) -> str:
        """The name the next added node gets, in the style of the others.

        The first unused letter while every node is a letter, else ``n1``,
        ``n2``, ... (the first unused).

        Examples
        --------
        >>> RingModel(nodes=3).next_name(), RingModel(nodes=27).next_name()
        ('D', 'n28')
        """
        used = set(self.ring.nodes)
        if all(name in string.ascii_uppercase for name in used):
            for name in string.ascii_uppercase:
                if name not in used:
                    return name
        i = 1
        while f"n{i}" in used:
            i += 1
        return f"n{i}"

    def add_node(self) -> bool:
        """Add a node; False (and ``error``) if the ring refuses."""
        self._reset()
        before = self.ring.nodes
        name = self.next_name()
        try:
            self.change = self.ring.add_node(name)
        except ValueError as exc:
            self.error = str(exc)
            return False
        self._remember([name])
        self.mod_n_moved = fraction_moved(self.keys, before, self.ring.nodes, n=self.n)
        return True

    def remove_node(self, name: str | None = None) -> bool:
        """Remove ``name`` (the last node by default); False (and ``error``) if refused."""
        self._reset()
        before = self.ring.nodes
        name = before[-1] if name is None else name
        try:
            self.change = self.ring.remove_node(name)
        except (ValueError, KeyError) as exc:
            self.error = exc.args[0] if exc.args else str(exc)
            return False
        self.mod_n_moved = fraction_moved(self.keys, before, self.ring.nodes, n=self.n)
        return True

    @property
    def preference_list(self) -> list[str]:
        """The preference list of the key shown."""
        return self.ring.preference_list(self.key)

    @property
    def balance(self) -> float:
        """Load-balancing efficiency of the ring (mean / hottest node)."""
        return load_balancing_efficiency(self.ring.load())


class RingExplorer:
    """Sliders, a key box and add/remove buttons over a drawing of the ring.

    Parameters
    ----------
    nodes, vnodes, n, key, strategy
        As for :class:`RingModel`.

    Attributes
    ----------
    model : RingModel
    nodes_slider, vnodes_slider : ipywidgets.IntSlider
    key_box : ipywidgets.Text
    remove_picker : ipywidgets.Dropdown
        The node the remove button removes.
    add_button, remove_button : ipywidgets.Button
    summary : ipywidgets.HTML
    drawing : FigureImage
    widget : ipywidgets.VBox
    """

    def __init__(self, nodes: int = 5, vnodes: int = 8, n: int = 3, key: str = "cart:alice",
                 strategy: int = 1):
        # Each must fit its slider (the ring itself checks n and strategy).
        whole_number("nodes", nodes, low=1, high=MAX_NODES)
        whole_number("vnodes", vnodes, low=1, high=MAX_VNODES)
        self.model = RingModel(nodes=nodes, vnodes=vnodes, n=n, key=key, strategy=strategy)
        self.nodes_slider = widgets.IntSlider(value=nodes, min=max(1, n), max=MAX_NODES,
                                              description="nodes")
        self.vnodes_slider = widgets.IntSlider(value=vnodes, min=1, max=MAX_VNODES,
                                               description="tokens/node")
        self.key_box = widgets.Text(value=key, description="key", continuous_update=False)
        self.add_button = widgets.Button(description="add a node", icon="plus")
        self.remove_button = widgets.Button(description="remove", icon="minus")
        self.remove_picker = widgets.Dropdown(options=self.model.ring.nodes,
                                              value=self.model.ring.nodes[-1],
                                              layout=widgets.Layout(width="80px"))
        self.summary = widgets.HTML()
        self.summary.add_class("dl-ring-summary")
        self.drawing = FigureImage(figsize=(7.6, 5.8))
        self._syncing = False

        bind(self, self.nodes_slider, self.model.set_nodes)
        bind(self, self.vnodes_slider, self.model.set_vnodes)
        self.key_box.observe(self._on_key, names="value")
        self.add_button.on_click(self._on_add)
        self.remove_button.on_click(self._on_remove)

        self.widget = widgets.VBox([
            widgets.HBox([self.nodes_slider, self.vnodes_slider]),
            widgets.HBox([self.key_box, self.add_button, self.remove_button,
                          self.remove_picker]),
            self.summary, self.drawing.image,
        ])
        self.widget.add_class("dl-ring-explorer")
        self.refresh()

    def _on_key(self, change) -> None:
        self.model.set_key(change["new"])
        self.refresh()

    def _on_add(self, _button) -> None:
        self.model.add_node()
        self.refresh()

    def _on_remove(self, _button) -> None:
        self.model.remove_node(self.remove_picker.value)
        self.refresh()

    def refresh(self) -> None:
        """Show the model."""
        model, ring = self.model, self.model.ring
        self._syncing = True
        try:
            self.nodes_slider.value = min(len(ring.nodes), MAX_NODES)
            self.vnodes_slider.value = model.vnodes
            self.remove_picker.options = ring.nodes
            self.remove_picker.value = ring.nodes[-1]
        finally:
            self._syncing = False
        lines = []
        if model.error:
            lines.append(f"<span style='color:#b42318'>\u2718 {model.error}</span>")
        key = model.key
        if key:
            pref = model.preference_list
            lines.append(f"Key <code>{key!r}</code>: home replicas <b>{' '.join(pref[:ring.n])}"
                         f"</b>, then fallbacks {' '.join(pref[ring.n:]) or '(none)'}.")
        lines.append(f"Load balance (mean load / hottest node's): <b>{model.balance:.2f}</b> "
                     f"(1 is perfectly even).")
        change = model.change
        if change is not None:
            who = f"Adding {change.added}" if change.added else f"Removing {change.removed}"
            lines.append(f"{who} moved <b>{change.fraction_moved:.1%}</b> of the keys: the "
                         f"share of the ring whose home replicas changed ({len(change.moved)} "
                         f"ranges). With hash mod N "
                         f"(md5(key) mod S, N = {ring.n}) the same change would move "
                         f"<b>{model.mod_n_moved:.1%}</b> of {len(model.keys)} sample keys.")
        self.summary.value = "<br>".join(lines)
        colours = _colours(model.colour_order)
        self.drawing.redraw(lambda fig: _draw(fig, ring, key or None, change, colours))

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def _colours(order):
    from ..plots.colors import node_colors

    return node_colors(order)


def _draw(fig, ring, key, change, colours) -> None:
    from ..plots.ring import draw_ring

    ax = fig.add_axes((0.0, 0.02, 0.74, 0.92))
    draw_ring(ring, key=key, change=change, colors=colours, ax=ax)
