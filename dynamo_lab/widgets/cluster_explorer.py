"""The cluster explorer: crash, partition, put and get, and see every replica.

Buttons crash and recover a node, partition the network and heal it; boxes
put and get a key with per-request R and W, through any coordinator or a
chosen one; "wait 1 s" lets periodic work such as hint delivery happen. The picture shows the cluster
(nodes up, down or cut off, the links a partition cut, who took part in the
last operation) and a table shows what each replica stores for the key.
Every button calls the cluster's public API; the explorer computes nothing
itself.

Examples
--------
>>> import dynamo_lab as dl
>>> cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=7)
>>> explorer = ClusterExplorer(cluster, key="cart:alice")
>>> explorer.value_box.value = "book"
>>> explorer.put_button.click()
>>> explorer.session.last.startswith("\\u2714 put 'cart:alice' = 'book'")
True
>>> "acknowledged by" in explorer.status.value
True
>>> explorer.node_picker.value = "B"
>>> explorer.crash_button.click()
>>> cluster.down
['B']
"""

from __future__ import annotations

import html
import re

import ipywidgets as widgets

from ..cluster import Cluster
from ..validation import instance_of, text
from ..views.message_timeline import node_status
from .figure import FigureImage

__all__ = ["ClusterExplorer", "ClusterSession", "parse_groups"]


def parse_groups(text: str) -> list[list[str]]:
    """Read partition groups typed as ``"A, B | C D E"``.

    Groups are separated by ``|``; names by commas or spaces. Nodes in no
    group form one more group (see ``Cluster.partition``).

    Examples
    --------
    >>> parse_groups("A, B | C D E")
    [['A', 'B'], ['C', 'D', 'E']]
    >>> parse_groups(" A ")
    [['A']]
    """
    groups = []
    for part in text.split("|"):
        names = [name for name in re.split(r"[,\s]+", part) if name]
        if names:
            groups.append(names)
    return groups


class ClusterSession:
    """What the explorer does to a cluster, and what it last said. No widgets here.

    Each action calls the cluster's public API and records a one-line
    outcome in ``last`` (a bad request becomes the cluster's own error
    message, not a traceback). Contexts from reads and writes are kept per
    key, so a put after a get replaces what the get saw instead of adding a
    sibling, unless ``use_context`` is off.

    Parameters
    ----------
    cluster : Cluster
    key : str
    """

    def __init__(self, cluster, key: str = "cart:alice"):
        self.cluster = instance_of("cluster", cluster, Cluster, "a dl.Cluster")
        self.key = text("key", key)
        self.r = cluster.r
        self.w = cluster.w
        self.use_context = True
        self.coordinator: str | None = None   # None: the first node up in the preference list
        self.contexts: dict = {}
        self.last = ""
        self.ok = True

    def _attempt(self, description: str, action) -> bool:
        try:
            result = action()
        except (ValueError, KeyError) as exc:
            message = exc.args[0] if exc.args else str(exc)
            self.last, self.ok = f"\u2718 {description}: {message}", False
            return False
        self.last, self.ok = f"\u2714 {description}" + (f": {result}" if result else ""), True
        return True

    def crash(self, node: str) -> bool:
        """``cluster.crash(node)``; True if it was done."""
        return self._attempt(f"crash {node}", lambda: self.cluster.crash(node))

    def recover(self, node: str) -> bool:
        """``cluster.recover(node)``; True if it was done."""
        return self._attempt(f"recover {node}", lambda: self.cluster.recover(node))

    def partition(self, text: str) -> bool:
        """``cluster.partition`` with groups typed as in :func:`parse_groups`."""
        groups = parse_groups(text)
        shown = " | ".join(", ".join(g) for g in groups) or "(no nodes given)"
        return self._attempt(f"partition {shown}", lambda: self.cluster.partition(*groups))

    def heal(self) -> bool:
        """``cluster.heal()``."""
        return self._attempt("heal", self.cluster.heal)

    def settle(self) -> bool:
        """Let the messages still in flight land (``run_until_idle``)."""
        return self._attempt("let background messages land",
                             lambda: f"{self.cluster.run_until_idle()} events ran")

    def wait(self, ms: float = 1000.0) -> bool:
        """Let ``ms`` of virtual time pass (``run_for``): periodic work such as
        hint delivery happens, which merely letting messages land does not."""
        def run():
            self.cluster.run_for(ms)
            return f"now t = {self.cluster.now:g} ms; hints {self.cluster.hint_counts}"

        return self._attempt(f"wait {ms:g} ms", run)

    def put(self, value) -> bool:
        """Put ``value`` under the key with W = ``self.w``; True if acknowledged."""
        key = self.key
        context = self.contexts.get(key) if self.use_context else None

        def write():
            result = self.cluster.put(key, value, context=context, w=self.w,
                                      coordinator=self.coordinator)
            if result.context is not None:
                self.contexts[key] = result.context
            if not result.ok:
                raise ValueError(f"{result.status}: {result.error}")
            return (f"acknowledged by {', '.join(result.acks)} via {result.coordinator} in "
                    f"{result.latency_ms:.2f} ms"
                    + (f"; hints: {result.hinted}" if result.hinted else ""))

        return self._attempt(f"put {key!r} = {value!r} (W = {self.w})", write)

    def get(self) -> bool:
        """Get the key with R = ``self.r``; True if it succeeded."""
        key = self.key

        def read():
            result = self.cluster.get(key, r=self.r, coordinator=self.coordinator)
            if not result.ok:
                raise ValueError(f"{result.status}: {result.error}")
            if result.context is not None:
                self.contexts[key] = result.context
            return (f"{result.values!r} from {', '.join(result.replies)} via "
                    f"{result.coordinator} in {result.latency_ms:.2f} ms")

        return self._attempt(f"get {key!r} (R = {self.r})", read)

    def replica_rows(self) -> list[dict]:
        """One row per node holding something for the key, home replicas first.

        ``hints`` lists the hints a node holds for the key; ``hints_pending``
        counts every hint it holds, for any key.
        """
        cluster = self.cluster
        replicas = cluster.replicas(self.key)
        status = node_status(cluster.nodes, cluster.down, cluster.partitions)
        rows = []
        for node, record in replicas.items():
            role = (f"home {replicas.home.index(node) + 1}" if node in replicas.home
                    else "other")
            if record is None:
                values, clock = "(nothing)", ""
            else:
                values = ", ".join("<deleted>" if s.tombstone else repr(s.value)
                                   for s in record.siblings)
                clock = str(record.clock)
            hints = "; ".join(f"for {owner}: {', '.join(map(repr, rec.values))}"
                              for owner, rec in replicas.hints.get(node, {}).items())
            rows.append({"node": node, "role": role, "status": status.get(node, "?"),
                         "values": values, "clock": clock, "hints": hints,
                         "hints_pending": cluster.node(node).hints_pending})
        return rows


_TABLE_STYLE = ("border-collapse:collapse;font-size:13px;font-family:monospace;"
                "min-width:380px")


def _table_html(key: str, rows: list[dict], colours: dict[str, str]) -> str:
    head = "".join(f"<th style='text-align:left;padding:2px 8px;border-bottom:1px solid #999'>"
                   f"{name}</th>" for name in ("node", "role", "", "values", "clock", "hints held",
                                               "hints (all keys)"))
    body = []
    for row in rows:
        colour = colours.get(row["node"], "#000")
        state = "" if row["status"] == "up" else row["status"]
        cells = [f"<b style='color:{colour}'>{html.escape(row['node'])}</b>",
                 html.escape(row["role"]),
                 f"<span style='color:#b42318'>{html.escape(state)}</span>",
                 html.escape(row["values"]), html.escape(row["clock"]),
                 html.escape(row["hints"]), str(row["hints_pending"] or "")]
        body.append("<tr>" + "".join(f"<td style='padding:2px 8px'>{c}</td>" for c in cells)
                    + "</tr>")
    return (f"<div><b>What each replica stores for {html.escape(repr(key))}</b>"
            f"<table style='{_TABLE_STYLE}'><tr>{head}</tr>{''.join(body)}</table></div>")


class ClusterExplorer:
    """Buttons and boxes that act on a cluster, its picture, and a replica table.

    Parameters
    ----------
    cluster : Cluster
        Acted on directly: what you do here is what the cluster did.
    key : str
        The key the put and get boxes start with.

    Attributes
    ----------
    session : ClusterSession
        The model the buttons call.
    node_picker : ipywidgets.Dropdown
    crash_button, recover_button : ipywidgets.Button
    partition_box : ipywidgets.Text
        Groups such as ``A, B | C, D, E`` (or just ``A, B``: the rest form the other side).
    partition_button, heal_button : ipywidgets.Button
    key_box, value_box : ipywidgets.Text
    put_button, get_button, settle_button, wait_button : ipywidgets.Button
    via_picker : ipywidgets.Dropdown
        The coordinator of puts and gets ("any": the first node up in the
        key's preference list).
    r_slider, w_slider : ipywidgets.IntSlider
        R and W for the next get and put.
    context_box : ipywidgets.Checkbox
        Write with the context of the last read or write of the key.
    status : ipywidgets.HTML
        What the last action did.
    table : ipywidgets.HTML
        What each replica stores for the key.
    picture : FigureImage
    widget : ipywidgets.VBox
    """

    def __init__(self, cluster, key: str = "cart:alice"):
        self.session = ClusterSession(cluster, key)
        self.cluster = cluster
        nodes = cluster.nodes
        small = widgets.Layout(width="auto")
        self.node_picker = widgets.Dropdown(options=nodes, value=nodes[0], description="node",
                                            layout=widgets.Layout(width="150px"),
                                            style={"description_width": "40px"})
        self.crash_button = widgets.Button(description="crash", icon="bolt", layout=small)
        self.recover_button = widgets.Button(description="recover", icon="heartbeat",
                                             layout=small)
        self.partition_box = widgets.Text(placeholder="A, B | C, D, E", description="groups",
                                          layout=widgets.Layout(width="220px"),
                                          style={"description_width": "50px"})
        self.partition_button = widgets.Button(description="partition", icon="cut",
                                               layout=small)
        self.heal_button = widgets.Button(description="heal", icon="link", layout=small)
        self.key_box = widgets.Text(value=key, description="key",
                                    layout=widgets.Layout(width="190px"),
                                    style={"description_width": "30px"})
        self.value_box = widgets.Text(value="", placeholder="value", description="value",
                                      layout=widgets.Layout(width="190px"),
                                      style={"description_width": "40px"})
        self.put_button = widgets.Button(description="put", button_style="primary",
                                         layout=small)
        self.get_button = widgets.Button(description="get", button_style="info", layout=small)
        self.settle_button = widgets.Button(description="let messages land",
                                            tooltip="cluster.run_until_idle()", layout=small)
        self.wait_button = widgets.Button(description="wait 1 s", icon="clock-o",
                                          tooltip="cluster.run_for(1000): hints get delivered",
                                          layout=small)
        self.via_picker = widgets.Dropdown(options=[("any", None)] + [(n, n) for n in nodes],
                                           value=None, description="via",
                                           layout=widgets.Layout(width="130px"),
                                           style={"description_width": "30px"})
        self.r_slider = widgets.IntSlider(value=cluster.r, min=1, max=cluster.n,
                                          description="get R", layout=widgets.Layout(width="250px"))
        self.w_slider = widgets.IntSlider(value=cluster.w, min=1, max=cluster.n,
                                          description="put W", layout=widgets.Layout(width="250px"))
        self.context_box = widgets.Checkbox(value=True, description="put with the last context",
                                            indent=False)
        self.status = widgets.HTML()
        self.status.add_class("dl-cluster-status")
        self.table = widgets.HTML()
        self.table.add_class("dl-cluster-table")
        self.picture = FigureImage(figsize=(4.6, 4.4))

        self.crash_button.on_click(lambda _: self._act(self.session.crash, self.node_picker.value))
        self.recover_button.on_click(
            lambda _: self._act(self.session.recover, self.node_picker.value))
        self.partition_button.on_click(
            lambda _: self._act(self.session.partition, self.partition_box.value))
        self.heal_button.on_click(lambda _: self._act(self.session.heal))
        self.put_button.on_click(lambda _: self._act(self.session.put, self.value_box.value))
        self.get_button.on_click(lambda _: self._act(self.session.get))
        self.settle_button.on_click(lambda _: self._act(self.session.settle))
        self.wait_button.on_click(lambda _: self._act(self.session.wait, 1000.0))
        self.via_picker.observe(self._on_via, names="value")
        self.key_box.observe(self._on_key, names="value")
        self.r_slider.observe(self._on_r, names="value")
        self.w_slider.observe(self._on_w, names="value")
        self.context_box.observe(self._on_context, names="value")

        controls = widgets.VBox([
            widgets.HBox([self.node_picker, self.crash_button, self.recover_button]),
            widgets.HBox([self.partition_box, self.partition_button, self.heal_button]),
            widgets.HBox([self.key_box, self.value_box]),
            widgets.HBox([self.put_button, self.get_button, self.via_picker]),
            widgets.HBox([self.settle_button, self.wait_button]),
            self.r_slider, self.w_slider, self.context_box,
        ])
        self.widget = widgets.VBox([
            widgets.HBox([controls, self.picture.image]),
            self.status, self.table,
        ])
        self.widget.add_class("dl-cluster-explorer")
        self.refresh()

    # -- events --------------------------------------------------------------------
    def _act(self, action, *args) -> None:
        action(*args)
        self.refresh()

    def _on_key(self, change) -> None:
        self.session.key = change["new"].strip() or self.session.key
        self.refresh()

    def _on_via(self, change) -> None:
        self.session.coordinator = change["new"]

    def _on_r(self, change) -> None:
        self.session.r = change["new"]
        self.refresh()

    def _on_w(self, change) -> None:
        self.session.w = change["new"]
        self.refresh()

    def _on_context(self, change) -> None:
        self.session.use_context = change["new"]

    # -- view -------------------------------------------------------------------------
    def refresh(self) -> None:
        """Redraw the picture, the status line and the replica table."""
        session, cluster = self.session, self.cluster
        if list(self.node_picker.options) != cluster.nodes:
            # Nodes joined or left through the cluster's API.
            chosen = self.node_picker.value
            self.node_picker.options = cluster.nodes
            self.node_picker.value = chosen if chosen in cluster.nodes else cluster.nodes[0]
        colour = "#1a7f37" if session.ok else "#b42318"
        self.status.value = (f"<div style='color:{colour}'>{html.escape(session.last)}</div>"
                             if session.last else "")
        colours = _colours(cluster.nodes)
        self.table.value = _table_html(session.key, session.replica_rows(), colours)
        title = (f"t = {cluster.now:.2f} ms; next get waits for R = {session.r}, "
                 f"put for W = {session.w} of N = {cluster.n}")
        key = session.key
        self.picture.redraw(lambda fig: _draw(fig, cluster, key, title))

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def _colours(nodes):
    from ..plots.colors import node_colors

    return node_colors(nodes)


def _draw(fig, cluster, key, title) -> None:
    from ..plots.cluster import draw_cluster

    ax = fig.add_axes((0.0, 0.06, 1.0, 0.86))
    draw_cluster(cluster, key=key, title=title, ax=ax)
    ax.title.set_fontsize(9)
