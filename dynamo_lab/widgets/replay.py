"""Stepping through a recorded run: the message diagram and the replay.

Both read a cluster's record (trace, faults, history) through
:class:`dynamo_lab.views.message_timeline.MessageTimeline` and offer a time slider whose steps are
the moments something happened; the back and forward buttons move one step.

* :class:`MessageDiagram` draws the space-time diagram up to the chosen
  moment, optionally for one key.
* :class:`Replay` draws the cluster as it was at that moment (who was down,
  how the network was split, which messages were in flight) beside the
  diagram, and lists what happened at that step.

Neither changes the cluster. If the cluster runs on after the widget was
made, press "reload" (or call ``reload()``) to read the new record.

Examples
--------
>>> import dynamo_lab as dl
>>> cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=7)
>>> _ = cluster.put("k", "v1")
>>> cluster.crash("C")
>>> _ = cluster.put("k", "v2")
>>> replay = Replay(cluster)
>>> replay.model.snapshot.down
frozenset()
>>> replay.time_slider.value = replay.time_slider.max
>>> sorted(replay.model.snapshot.down)
['C']
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..system import SimulatedSystem
from ..validation import instance_of
from ..views.message_timeline import Snapshot, MessageTimeline
from .figure import FigureImage

__all__ = ["MessageDiagram", "Replay", "ReplayModel", "ALL_KEYS"]

#: The key choice that shows every key.
ALL_KEYS = "(all keys)"


def _recorded(cluster) -> SimulatedSystem:
    """``cluster`` if it keeps a record to replay (a Cluster or a topology)."""
    return instance_of("cluster", cluster, SimulatedSystem,
                       "a dl.Cluster or a topology (its record is replayed)")


class ReplayModel:
    """A cluster's record and a chosen step in it. No widgets here.

    Parameters
    ----------
    cluster : Cluster
    key : str, optional
        Only this key's messages and operations (None: all).
    at_end : bool
        Start at the last step (True) or the first.

    Examples
    --------
    >>> import dynamo_lab as dl
    >>> cluster = dl.Cluster(nodes=3, n=3, r=2, w=2, seed=1)
    >>> _ = cluster.put("k", "v")
    >>> m = ReplayModel(cluster)
    >>> m.step, m.time
    (0, 0.0)
    >>> m.forward(); m.step
    1
    >>> m.back(); m.back(); m.step
    0
    """

    def __init__(self, cluster, key: str | None = None, at_end: bool = False):
        self.cluster = _recorded(cluster)
        self.step = 0
        self.timeline = MessageTimeline.from_cluster(cluster)
        if key is not None and key not in self.keys:
            keys = ", ".join(map(repr, self.keys[:10])) + (", ..." if len(self.keys) > 10 else "")
            raise ValueError(f"key={key!r} does not appear in the record; choose one of "
                             f"{keys or 'its keys (it has none yet)'}, or None for every key")
        self.key = key
        if at_end:
            self.step = self.last_step

    def reload(self) -> None:
        """Read the cluster's record again (it may have run on)."""
        at_end = self.step == self.last_step
        self.timeline = MessageTimeline.from_cluster(self.cluster)
        self.step = self.last_step if at_end else min(self.step, self.last_step)

    @property
    def last_step(self) -> int:
        """The index of the last step."""
        return len(self.timeline) - 1

    @property
    def time(self) -> float:
        """The moment of the chosen step (ms)."""
        return self.timeline.times[self.step]

    @property
    def snapshot(self) -> Snapshot:
        """The run as it stood at the chosen step."""
        return self.timeline.at(self.time)

    @property
    def keys(self) -> list[str]:
        """The keys the record mentions, in first-seen order."""
        found = dict.fromkeys(s.key for s in self.timeline.spans if s.key is not None)
        found.update(dict.fromkeys(m.key for m in self.timeline.lives if m.key is not None))
        return list(found)

    def go_to(self, step: int) -> None:
        """Choose step ``step``, kept within 0 .. ``last_step``."""
        self.step = max(0, min(int(step), self.last_step))

    def forward(self) -> None:
        """One step later (if there is one)."""
        self.go_to(self.step + 1)

    def back(self) -> None:
        """One step earlier (if there is one)."""
        self.go_to(self.step - 1)


class _Stepper:
    """The controls both widgets share: slider, buttons, key choice, reload."""

    figsize = (9.6, 4.0)

    def __init__(self, cluster, key: str | None, at_end: bool):
        self.model = ReplayModel(cluster, key=key, at_end=at_end)
        self.time_slider = widgets.IntSlider(value=self.model.step, min=0,
                                             max=self.model.last_step, description="step",
                                             continuous_update=False,
                                             layout=widgets.Layout(width="420px"))
        self.back_button = widgets.Button(description="", icon="step-backward",
                                          tooltip="one step back",
                                          layout=widgets.Layout(width="40px"))
        self.forward_button = widgets.Button(description="", icon="step-forward",
                                             tooltip="one step forward",
                                             layout=widgets.Layout(width="40px"))
        self.reload_button = widgets.Button(description="reload", icon="refresh",
                                            tooltip="read the cluster's record again",
                                            layout=widgets.Layout(width="auto"))
        self.key_picker = widgets.Dropdown(options=[ALL_KEYS] + self.model.keys,
                                           value=key if key is not None else ALL_KEYS,
                                           description="key",
                                           layout=widgets.Layout(width="200px"),
                                           style={"description_width": "30px"})
        self.time_label = widgets.HTML()
        self.time_label.add_class("dl-replay-time")
        self.picture = FigureImage(figsize=self.figsize)
        self._syncing = False

        self.time_slider.observe(self._on_step, names="value")
        self.key_picker.observe(self._on_key, names="value")
        self.back_button.on_click(lambda _: self._move(self.model.back))
        self.forward_button.on_click(lambda _: self._move(self.model.forward))
        self.reload_button.on_click(lambda _: self.reload())

    def _controls(self, *extra) -> widgets.HBox:
        return widgets.HBox([self.back_button, self.time_slider, self.forward_button,
                             self.time_label, *extra, self.key_picker, self.reload_button])

    def _on_step(self, change) -> None:
        if not self._syncing:
            self.model.go_to(change["new"])
            self.refresh()

    def _on_key(self, change) -> None:
        self.model.key = None if change["new"] == ALL_KEYS else change["new"]
        self.refresh()

    def _move(self, action) -> None:
        action()
        self.refresh()

    def reload(self) -> None:
        """Read the cluster's record again and redraw."""
        self.model.reload()
        self.refresh()

    def _sync_controls(self) -> None:
        model = self.model
        self._syncing = True
        try:
            self.time_slider.max = model.last_step
            self.time_slider.value = model.step
            options = [ALL_KEYS] + model.keys
            if list(self.key_picker.options) != options:
                current = self.key_picker.value
                self.key_picker.options = options
                self.key_picker.value = current if current in options else ALL_KEYS
        finally:
            self._syncing = False
        self.time_label.value = (f"<span style='font-family:monospace'>t = {model.time:.3f} ms"
                                 f" ({model.step}/{model.last_step})</span>")

    def refresh(self) -> None:  # pragma: no cover - each widget defines it
        raise NotImplementedError

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


class MessageDiagram(_Stepper):
    """The message diagram of a cluster's run, up to a moment chosen with a slider.

    Parameters
    ----------
    cluster : Cluster
    key : str, optional
        Start with only this key's messages.

    Attributes
    ----------
    model : ReplayModel
    time_slider : ipywidgets.IntSlider
        The step (0 .. ``model.last_step``); it starts at the end of the run.
    back_button, forward_button, reload_button : ipywidgets.Button
    key_picker : ipywidgets.Dropdown
    time_label : ipywidgets.HTML
    picture : FigureImage
    drawing : MessageDrawing
        What the last redraw drew.
    widget : ipywidgets.VBox

    Examples
    --------
    >>> import dynamo_lab as dl
    >>> cluster = dl.Cluster(nodes=3, n=3, r=2, w=2, seed=1)
    >>> _ = cluster.put("k", "v"); _ = cluster.run_until_idle()
    >>> diagram = MessageDiagram(cluster)
    >>> diagram.drawing.counts["deliver"]
    4
    >>> diagram.time_slider.value = 0
    >>> diagram.drawing.counts["in_flight"]
    2
    """

    def __init__(self, cluster, key: str | None = None):
        lanes = len(_recorded(cluster).nodes) + 1
        self.figsize = (10.0, 0.5 * lanes + 1.9)
        super().__init__(cluster, key, at_end=True)
        self.drawing = None
        self.widget = widgets.VBox([self._controls(), self.picture.image])
        self.widget.add_class("dl-message-diagram")
        self.refresh()

    def refresh(self) -> None:
        """Redraw the diagram at the chosen step."""
        self._sync_controls()
        model = self.model

        def draw(fig):
            from ..plots.messages import draw_messages

            ax = fig.add_axes((0.1, 0.16, 0.72, 0.74))
            self.drawing = draw_messages(model.timeline, until=model.time, key=model.key,
                                         start=0.0, ax=ax)

        self.picture.redraw(draw)


class Replay(_Stepper):
    """Step through a recorded run: the cluster and its messages at each moment.

    Parameters
    ----------
    cluster : Cluster
    key : str, optional
        Show only this key's messages in the diagram.

    Attributes
    ----------
    model : ReplayModel
    time_slider : ipywidgets.IntSlider
        The step; it starts at the beginning of the run.
    play : ipywidgets.Play
        Steps forward on its own, linked to the slider in the browser.
    back_button, forward_button, reload_button : ipywidgets.Button
    key_picker : ipywidgets.Dropdown
    time_label, events : ipywidgets.HTML
        The moment shown, and what happened at it.
    picture : FigureImage
    cluster_drawing, message_drawing
        What the last redraw drew.
    widget : ipywidgets.VBox
    """

    def __init__(self, cluster, key: str | None = None):
        lanes = len(_recorded(cluster).nodes) + 1
        self.figsize = (12.5, max(4.4, 0.5 * lanes + 1.9))
        super().__init__(cluster, key, at_end=False)
        self.play = widgets.Play(min=0, max=self.model.last_step, interval=700, step=1,
                                 layout=widgets.Layout(width="110px"))
        # The browser moves the slider; the slider's observer redraws.
        widgets.jslink((self.play, "value"), (self.time_slider, "value"))
        self.events = widgets.HTML()
        self.events.add_class("dl-replay-events")
        self.cluster_drawing = None
        self.message_drawing = None
        self.widget = widgets.VBox([self._controls(self.play), self.events,
                                    self.picture.image])
        self.widget.add_class("dl-replay")
        self.refresh()

    def refresh(self) -> None:
        """Redraw the cluster and the messages at the chosen step."""
        self._sync_controls()
        self.play.max = self.model.last_step
        model = self.model
        snapshot = model.snapshot
        happened = snapshot.events or ["(nothing: the start of the run)"]
        self.events.value = ("<div style='font-family:monospace;font-size:12px;line-height:1.4'>"
                             + "<br>".join(html.escape(line) for line in happened) + "</div>")

        def draw(fig):
            from ..plots.cluster import draw_cluster
            from ..plots.messages import draw_messages

            width, _ = self.figsize
            graph_share = 4.2 / width
            left = fig.add_axes((0.0, 0.08, graph_share, 0.84))
            self.cluster_drawing = draw_cluster(snapshot=snapshot, ax=left)
            right = fig.add_axes((graph_share + 0.06, 0.16, 0.84 - graph_share - 0.06, 0.74))
            self.message_drawing = draw_messages(model.timeline, until=model.time,
                                                 key=model.key, start=0.0, ax=right)

        self.picture.redraw(draw)
