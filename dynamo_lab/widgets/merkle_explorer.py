"""The Merkle explorer: two replicas' hash trees for a key's range, and what differs.

A key box chooses the key range; two dropdowns choose the replicas compared
among the range's home replicas (anti-entropy compares no other nodes), at
first its first two; sliders set the trees' fanout and depth. The picture
shows both trees, the hashes that differ and the path the comparison
descended; a line sets the hashes compared against the keys a full scan
would compare, and names the keys that differ (the first ten, and how many
there are). The button runs one round of anti-entropy on the whole cluster
(``cluster.anti_entropy()``) and shows its report; the trees are rebuilt
from what the replicas store afterwards, and the leaves whose keys the round
repaired stay marked, at any fanout and depth. Everything shown comes from
:func:`dynamo_lab.views.merkle_comparison.merkle_comparison`.

Examples
--------
>>> import dynamo_lab as dl
>>> cluster = dl.Cluster(nodes=4, n=3, r=1, w=1, seed=2, failure_detector="oracle")
>>> home = cluster.ring.home_replicas("k")
>>> cluster.crash(home[1])
>>> _ = cluster.put("k", "v", coordinator=home[0])
>>> cluster.recover(home[1])
>>> explorer = MerkleExplorer(cluster, key="k")
>>> explorer.model.comparison.diff.keys
['k']
>>> explorer.run_button.click()
>>> explorer.model.comparison.diff.keys, "1 repaired" in explorer.report.value
([], True)
>>> explorer.model.comparison.repaired_keys(home[1]), len(explorer.drawing.repaired)
(['k'], 1)
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..anti_entropy import version_summary
from ..cluster import Cluster
from ..validation import instance_of, text
from ..views.merkle_comparison import MerkleComparison, merkle_comparison, summary_lines
from .figure import FigureImage

__all__ = ["MerkleExplorer", "MerkleModel", "MAX_FANOUT", "MAX_DEPTH", "LISTED_KEYS"]

#: Largest fanout and depth the sliders reach.
MAX_FANOUT = 8
MAX_DEPTH = 4
#: Lists of keys name at most this many (and say how many there are).
LISTED_KEYS = 10


def _default_key(cluster) -> str:
    """The first key whose home replicas store different versions, else the first key."""
    keys = cluster.keys()
    for key in keys:
        stored = {name: cluster.node(name).store.get(key)
                  for name in cluster.ring.home_replicas(key)}
        if len({None if r is None else version_summary(r) for r in stored.values()}) > 1:
            return key
    return keys[0] if keys else "cart:alice"


class MerkleModel:
    """The key, the two replicas and the tree shape chosen, and their comparison. No widgets.

    Parameters
    ----------
    cluster : Cluster
    key : str, optional
        Its range is compared; by default the first key whose home
        replicas disagree (else the first key stored).
    fanout, depth : int

    Attributes
    ----------
    comparison : MerkleComparison or None
        None when the choices make no sense (then ``error`` says why).
    error : str or None
    report : AntiEntropyReport or None
        What the last anti-entropy round run from here did.

    Examples
    --------
    >>> import dynamo_lab as dl
    >>> m = MerkleModel(dl.Cluster(nodes=4, n=3, seed=2), key="k")
    >>> m.set_nodes(m.node_a, m.node_a)
    >>> m.comparison is None, m.error
    (True, 'compare two different nodes, not C with itself')
    >>> m.home
    ['C', 'B', 'A']
    >>> m.set_nodes("C", "D")
    >>> m.error
    "node_b='D' is not a replica of the range of 'k': choose two of its replicas C, B, A"
    """

    def __init__(self, cluster, key: str | None = None, fanout: int = 4, depth: int = 3):
        self.cluster = instance_of("cluster", cluster, Cluster, "a dl.Cluster")
        if key is not None:
            text("key", key)
        self.fanout, self.depth = fanout, depth
        self.report = None
        self.comparison: MerkleComparison | None = None
        self.error: str | None = None
        self.key = ""
        self.node_a = self.node_b = None
        self.set_key(_default_key(cluster) if key is None else key)

    @property
    def home(self) -> list[str]:
        """The home replicas of the key (empty when there is no key)."""
        return self.cluster.ring.home_replicas(self.key) if self.key else []

    def set_key(self, key: str) -> None:
        """Compare the range of ``key``, between its first two home replicas."""
        self.key = key.strip() if isinstance(key, str) else ""
        home = self.home
        if len(home) >= 2:
            self.node_a, self.node_b = home[0], home[1]
        self.update()

    def set_nodes(self, node_a: str, node_b: str) -> None:
        """Compare these two nodes."""
        self.node_a, self.node_b = node_a, node_b
        self.update()

    def set_shape(self, fanout: int, depth: int) -> None:
        """Build the trees with this fanout and depth."""
        self.fanout, self.depth = fanout, depth
        self.update()

    def run_anti_entropy(self) -> None:
        """One round of ``cluster.anti_entropy`` with this fanout and depth, then compare again."""
        self.report = self.cluster.anti_entropy(fanout=self.fanout, depth=self.depth)
        self.update()

    def update(self) -> None:
        """Compare the two replicas' trees as the cluster stores them now.

        The keys the last anti-entropy round run from here repaired are
        passed on, so the picture can mark their leaves.
        """
        repaired = self.report.repaired if self.report is not None else ()
        try:
            if not self.key:
                raise ValueError("type a key: its range is compared")
            self.comparison = merkle_comparison(self.cluster, self.key, self.node_a, self.node_b,
                                                fanout=self.fanout, depth=self.depth,
                                                repaired=repaired)
            self.error = None
        except (ValueError, KeyError) as exc:
            self.comparison = None
            self.error = exc.args[0] if exc.args else str(exc)


def _summary_html(c: MerkleComparison, after_round: bool) -> str:
    return "".join(f"<div>{html.escape(line)}</div>"
                   for line in summary_lines(c, LISTED_KEYS, after_round=after_round))


class MerkleExplorer:
    """Pickers for a key range and two replicas, tree-shape sliders, and the two trees.

    Parameters
    ----------
    cluster : Cluster
        Read, and changed only by the anti-entropy button.
    key : str, optional
        As for :class:`MerkleModel`.

    Attributes
    ----------
    model : MerkleModel
    key_box : ipywidgets.Text
    a_picker, b_picker : ipywidgets.Dropdown
        The two nodes compared; they offer only the home replicas of the
        key, in preference order.
    fanout_slider, depth_slider : ipywidgets.IntSlider
    run_button : ipywidgets.Button
        Runs one anti-entropy round on the cluster.
    summary : ipywidgets.HTML
        Hashes compared, keys a full scan compares, the keys that differ and
        the keys the last round repaired (each list: how many, and the first
        :data:`LISTED_KEYS`).
    message : ipywidgets.HTML
        Why the choices make no sense (empty when they do).
    report : ipywidgets.HTML
        What the last anti-entropy round did.
    picture : FigureImage
    drawing : MerkleDrawing or None
        What the picture last drew.
    widget : ipywidgets.VBox
    """

    def __init__(self, cluster, key: str | None = None):
        self.model = MerkleModel(cluster, key)
        self.cluster = cluster
        model = self.model
        self.key_box = widgets.Text(value=model.key, description="key", continuous_update=False,
                                    layout=widgets.Layout(width="220px"),
                                    style={"description_width": "30px"})
        picker = dict(layout=widgets.Layout(width="170px"), style={"description_width": "60px"})
        self.a_picker = widgets.Dropdown(options=model.home, description="replica 1",
                                         **picker)
        self.b_picker = widgets.Dropdown(options=model.home, description="replica 2",
                                         **picker)
        self.fanout_slider = widgets.IntSlider(value=model.fanout, min=2, max=MAX_FANOUT,
                                               description="fanout",
                                               layout=widgets.Layout(width="260px"))
        self.depth_slider = widgets.IntSlider(value=model.depth, min=1, max=MAX_DEPTH,
                                              description="depth",
                                              layout=widgets.Layout(width="260px"))
        self.run_button = widgets.Button(description="run anti-entropy round", icon="refresh",
                                         tooltip="cluster.anti_entropy()",
                                         layout=widgets.Layout(width="auto"))
        self.summary = widgets.HTML()
        self.summary.add_class("dl-merkle-summary")
        self.message = widgets.HTML()
        self.message.add_class("dl-merkle-message")
        self.report = widgets.HTML()
        self.report.add_class("dl-merkle-report")
        self.picture = FigureImage(figsize=(9.6, 6.2))
        self.drawing = None
        self._syncing = False

        self.key_box.observe(self._on_key, names="value")
        self.a_picker.observe(self._on_nodes, names="value")
        self.b_picker.observe(self._on_nodes, names="value")
        self.fanout_slider.observe(self._on_shape, names="value")
        self.depth_slider.observe(self._on_shape, names="value")
        self.run_button.on_click(self._on_run)

        self.widget = widgets.VBox([
            widgets.HBox([self.key_box, self.a_picker, self.b_picker]),
            widgets.HBox([self.fanout_slider, self.depth_slider, self.run_button]),
            self.message, self.summary, self.report, self.picture.image,
        ])
        self.widget.add_class("dl-merkle-explorer")
        self.refresh()

    # -- events: each calls the model, then redraws --------------------------------
    def _on_key(self, change) -> None:
        if not self._syncing:
            self.model.set_key(change["new"])
            self.refresh()

    def _on_nodes(self, _change) -> None:
        if not self._syncing:
            self.model.set_nodes(self.a_picker.value, self.b_picker.value)
            self.refresh()

    def _on_shape(self, _change) -> None:
        if not self._syncing:
            self.model.set_shape(self.fanout_slider.value, self.depth_slider.value)
            self.refresh()

    def _on_run(self, _button) -> None:
        self.model.run_anti_entropy()
        self.refresh()

    # -- view -----------------------------------------------------------------------
    def refresh(self) -> None:
        """Show the model: pickers, words and the two trees."""
        model = self.model
        home = model.home
        # Only the range's replicas: anti-entropy compares no other nodes.
        options = [(f"{n} (home {rank})", n) for rank, n in enumerate(home, 1)]
        self._syncing = True
        try:
            self.key_box.value = model.key
            for picker, value in ((self.a_picker, model.node_a), (self.b_picker, model.node_b)):
                picker.options = options
                picker.value = value if value in home else None
        finally:
            self._syncing = False
        report = model.report
        self.report.value = (f"<div style='color:#1a7f37'>\u2714 anti-entropy round: "
                             f"{html.escape(str(report))}</div>" if report is not None else "")
        comparison = model.comparison
        if comparison is None:
            self.message.value = (f"<div style='color:#b42318'>\u2718 "
                                  f"{html.escape(model.error or '')}</div>")
            self.summary.value = ""
            self.drawing = None
            self.picture.show(False)
            return
        self.message.value = ""
        self.summary.value = _summary_html(comparison, model.report is not None)
        self.picture.show(True)
        self.picture.redraw(lambda fig: self._draw(fig, comparison))

    def _draw(self, fig, comparison) -> None:
        from ..plots.merkle import draw_merkle

        ax = fig.add_axes((0.01, 0.0, 0.98, 0.93))
        self.drawing = draw_merkle(comparison, ax=ax)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
