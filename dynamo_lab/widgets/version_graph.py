"""The version graph: a key's versions, who descends from whom, and which are current.

A key box chooses the key; the picture shows the causal graph of its
versions (see :func:`dynamo_lab.plots.draw_version_graph`), and a label says
how many versions there are and how many of them are current siblings. The
graph is read from the cluster when the key changes or the *refresh* button
is pressed, so run more operations in other cells and press it. Everything
shown comes from :func:`dynamo_lab.views.version_graph.version_graph`.

Examples
--------
>>> import dynamo_lab as dl
>>> cluster = dl.Cluster(nodes=3, n=3, r=3, w=3, seed=1)
>>> first = cluster.put("k", "v1", coordinator="A")
>>> graph = VersionGraph(cluster, "k")
>>> graph.label.value
'1 version, 1 current sibling'
>>> _ = cluster.put("k", "v2", coordinator="B")    # no context: a sibling
>>> graph.refresh_button.click()
>>> graph.label.value
'2 versions, 2 current siblings'
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..cluster import Cluster
from ..validation import instance_of, text
from ..views.version_graph import VersionGraphModel, version_graph
from .figure import FigureImage

__all__ = ["VersionGraph", "VersionGraphSession"]


def _default_key(cluster) -> str:
    """The first key whose home replicas reconcile to several siblings, else the first key."""
    keys = cluster.keys()
    for key in keys:
        if len(version_graph(cluster, key).current) > 1:
            return key
    return keys[0] if keys else "cart"


class VersionGraphSession:
    """The key chosen and its version graph, read from the cluster. No widgets here.

    Parameters
    ----------
    cluster : Cluster
    key : str, optional
        By default the first key with several current siblings (else the
        first key stored).

    Attributes
    ----------
    key : str
    graph : VersionGraphModel or None
        None when the key makes no sense (then ``error`` says why).
    error : str or None

    Examples
    --------
    >>> import dynamo_lab as dl
    >>> s = VersionGraphSession(dl.Cluster(nodes=3, n=3, seed=1), key="k")
    >>> s.summary
    '0 versions, 0 current siblings'
    >>> s.set_key("  ")
    >>> s.graph is None, s.error
    (True, 'type a key to see its versions')
    """

    def __init__(self, cluster, key: str | None = None):
        self.cluster = instance_of("cluster", cluster, Cluster, "a dl.Cluster")
        if key is not None:
            text("key", key)
        self.key = ""
        self.graph: VersionGraphModel | None = None
        self.error: str | None = None
        self.set_key(_default_key(cluster) if key is None else key)

    def set_key(self, key: str) -> None:
        """Show the versions of ``key``."""
        self.key = key.strip() if isinstance(key, str) else ""
        self.update()

    def update(self) -> None:
        """Read the graph from the cluster as it is now."""
        if not self.key:
            self.graph, self.error = None, "type a key to see its versions"
            return
        try:
            self.graph, self.error = version_graph(self.cluster, self.key), None
        except (ValueError, KeyError) as exc:
            self.graph = None
            self.error = exc.args[0] if exc.args else str(exc)

    @property
    def summary(self) -> str:
        """``'N versions, K current siblings'`` (empty when there is no graph)."""
        return "" if self.graph is None else self.graph.summary()


class VersionGraph:
    """A key box, a refresh button, a summary label and the causal graph of the key's versions.

    Parameters
    ----------
    cluster : Cluster
        Only read.
    key : str, optional
        As for :class:`VersionGraphSession`.

    Attributes
    ----------
    model : VersionGraphSession
    key_box : ipywidgets.Text
    refresh_button : ipywidgets.Button
        Reads the graph from the cluster again.
    label : ipywidgets.Label
        ``"N versions, K current siblings"``.
    message : ipywidgets.HTML
        Why the key makes no sense (empty when it does).
    picture : FigureImage
    drawing : VersionGraphDrawing or None
        What the picture last drew.
    widget : ipywidgets.VBox
    """

    def __init__(self, cluster, key: str | None = None):
        self.model = VersionGraphSession(cluster, key)
        self.cluster = cluster
        self.key_box = widgets.Text(value=self.model.key, description="key",
                                    continuous_update=False,
                                    layout=widgets.Layout(width="220px"),
                                    style={"description_width": "30px"})
        self.refresh_button = widgets.Button(description="refresh", icon="refresh",
                                             tooltip="read the versions from the cluster again",
                                             layout=widgets.Layout(width="auto"))
        self.label = widgets.Label()
        self.label.add_class("dl-version-graph-summary")
        self.message = widgets.HTML()
        self.message.add_class("dl-version-graph-message")
        self.picture = FigureImage(figsize=(6.4, 3.0))
        self.drawing = None
        self._syncing = False

        self.key_box.observe(self._on_key, names="value")
        self.refresh_button.on_click(self._on_refresh)

        self.widget = widgets.VBox([
            widgets.HBox([self.key_box, self.refresh_button, self.label]),
            self.message, self.picture.image,
        ])
        self.widget.add_class("dl-version-graph")
        self.refresh()

    # -- events: each calls the model, then redraws --------------------------------
    def _on_key(self, change) -> None:
        if not self._syncing:
            self.model.set_key(change["new"])
            self.refresh()

    def _on_refresh(self, _button) -> None:
        self.model.update()
        self.refresh()

    # -- view -----------------------------------------------------------------------
    def refresh(self) -> None:
        """Show the model: key, summary and graph."""
        model = self.model
        self._syncing = True
        try:
            self.key_box.value = model.key
        finally:
            self._syncing = False
        self.label.value = model.summary
        graph = model.graph
        if graph is None:
            self.message.value = (f"<div style='color:#b42318'>\u2718 "
                                  f"{html.escape(model.error or '')}</div>")
            self.drawing = None
            self.picture.show(False)
            return
        self.message.value = ""
        self._fit(graph)
        self.picture.show(True)
        self.picture.redraw(lambda fig: self._draw(fig, graph))

    def _fit(self, graph) -> None:
        """Size the figure, and the image showing it, to the graph."""
        from ..plots.version_graph import version_graph_figsize

        width, height = version_graph_figsize(graph)
        self.picture.figure.set_size_inches(width, height)
        self.picture.image.layout.width = f"{round(width * self.picture.dpi)}px"

    def _draw(self, fig, graph) -> None:
        from ..plots.version_graph import draw_version_graph

        ax = fig.add_axes((0.01, 0.0, 0.98, 0.92))
        self.drawing = draw_version_graph(graph, ax=ax)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
