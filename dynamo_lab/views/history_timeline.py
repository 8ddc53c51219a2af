"""A history as a timeline: one row per client, one bar per operation.

Each operation of a :class:`~dynamo_lab.history.History` becomes a *bar*
from its invocation to its completion, on the row of the client (process)
that issued it. A bar's ``status`` is how the operation ended: ``ok``,
``fail``, ``info`` (the client stopped waiting) or ``open`` (no completion
was recorded; the bar runs to the end of the history). Injected faults
(``cluster.faults``) become marks at the moment they happened, and the
operations of a linearizability witness (see
:func:`dynamo_lab.checks.linearizable`) are *highlighted*.

:func:`timeline_rows` builds the model, which knows nothing of drawing;
:func:`render_text` draws it in plain ASCII, for doctests and lessons, and
:func:`dynamo_lab.plots.draw_timeline` draws it with matplotlib.

Examples
--------
Alice writes 3; Bob reads it, node C crashes, and Bob's second read times
out. The linearizability witness names Bob's first read:

>>> from dynamo_lab.history import History
>>> from dynamo_lab.system import FaultEvent
>>> h = History()
>>> put = h.invoke(process="alice", f="put", key="k", value=3, time=0.0)
>>> get = h.invoke(process="bob", f="get", key="k", value=None, time=2.0)
>>> _ = h.complete(put, type="ok", value=3, time=4.0)
>>> _ = h.complete(get, type="ok", value=[3], time=6.0)
>>> again = h.invoke(process="bob", f="get", key="k", value=None, time=8.0)
>>> _ = h.complete(again, type="info", value=None, time=16.0)
>>> faults = [FaultEvent(7.0, "crash", ("C",))]
>>> timeline = timeline_rows(h, faults=faults, witness=[get])
>>> [(b.op_id, b.status, b.label, b.highlighted) for b in timeline.bars]
[(0, 'ok', 'put 3', False), (1, 'ok', 'get → [3]', True), (2, 'info', 'get (timed out)', False)]
>>> print(render_text(h, faults=faults, witness=[get], width=60))
       0.0 ms                                        16.0 ms
alice |[put 3-------]                                      |
bob   |      *get -> [3]--*      [get (timed out)---------]|
      +----------------------1-----------------------------+
* witness: op 1
faults:
  1   7.0 ms  crash C
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Bar", "FaultMark", "TimelineRow", "HistoryTimeline", "timeline_rows",
           "render_text", "fault_text", "STATUSES"]

#: How a bar's operation ended; ``open``: never completed.
STATUSES = ("ok", "fail", "info", "open")

#: Added to a label by status (an ``ok`` operation's label shows its result instead).
_STATUS_NOTES = {"fail": " (failed)", "info": " (timed out)", "open": " (no reply)"}
#: Operations whose result, not their argument, is what a label shows.
_READS = ("get", "read")
#: Values longer than this many characters are cut short in labels.
MAX_VALUE_CHARS = 24


@dataclass(frozen=True)
class Bar:
    """One operation, from invocation to completion.

    Attributes
    ----------
    op_id : int
    process : str
        The client that issued it (the row it is drawn on).
    f : str
        ``"put"``, ``"get"``, ``"delete"``, ...
    key : object
    start : float
        Invocation time (ms).
    end : float or None
        Completion time, or ``None`` if it never completed.
    stop : float
        Where the bar is drawn to: ``end``, or the end of the history for an
        open operation.
    status : str
        ``"ok"``, ``"fail"``, ``"info"`` or ``"open"``.
    label : str
        What the bar says: ``"put 3"``, ``"get → [1, 2]"``, ``"put 5 (timed out)"``.
    highlighted : bool
        It belongs to the witness.
    lane : int
        0, or more when the same client had operations overlapping in time
        (each lane is drawn as a line of its own, under the row's first).
    node : str or None
        The coordinator, where known.
    """

    op_id: int
    process: str
    f: str
    key: Any
    start: float
    end: float | None
    stop: float
    status: str
    label: str
    highlighted: bool = False
    lane: int = 0
    node: str | None = None


@dataclass(frozen=True)
class FaultMark:
    """A fault at one moment: ``time`` (ms), ``kind`` (``"crash"``, ...), ``text``."""

    time: float
    kind: str
    text: str


@dataclass(frozen=True)
class TimelineRow:
    """The bars of one client, in order of invocation; ``lanes``: how many lines it needs."""

    process: str
    bars: tuple[Bar, ...]
    lanes: int = 1


@dataclass(frozen=True)
class HistoryTimeline:
    """What :func:`timeline_rows` returns: rows of bars, fault marks, a time range.

    (Named apart from :class:`dynamo_lab.views.message_timeline.MessageTimeline`, which replays the
    messages of a run.)

    Attributes
    ----------
    rows : tuple of TimelineRow
        One per client, in the order they first appear.
    faults : tuple of FaultMark
        In the order recorded.
    start, end : float
        The time range shown (ms).
    highlighted : tuple of int
        The ``op_id`` of each highlighted bar, in order of invocation.
    key : object
        The key the operations were chosen by, or ``None`` for all.
    """

    rows: tuple[TimelineRow, ...]
    faults: tuple[FaultMark, ...] = ()
    start: float = 0.0
    end: float = 0.0
    highlighted: tuple[int, ...] = ()
    key: Any = None
    _by_id: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def processes(self) -> list[str]:
        """The clients, one per row, top to bottom."""
        return [row.process for row in self.rows]

    @property
    def bars(self) -> list[Bar]:
        """Every bar, in order of invocation."""
        return sorted((b for row in self.rows for b in row.bars), key=lambda b: (b.start, b.op_id))

    def bar(self, op_id: int) -> Bar:
        """The bar of operation ``op_id``."""
        if not self._by_id:
            self._by_id.update({b.op_id: b for row in self.rows for b in row.bars})
        return self._by_id[op_id]


def format_value(value, limit: int = MAX_VALUE_CHARS) -> str:
    """A value as a label shows it: strings bare, lists in brackets, cut to ``limit``.

    Examples
    --------
    >>> format_value(["v1", 2]), format_value(None), format_value("x" * 30, limit=8)
    ('[v1, 2]', 'None', 'xxxxxxx…')
    """
    if isinstance(value, str):
        text = value
    elif isinstance(value, (list, tuple)):
        text = "[" + ", ".join(format_value(v, limit) for v in value) + "]"
    elif isinstance(value, (set, frozenset)):
        text = "{" + ", ".join(sorted(format_value(v, limit) for v in value)) + "}"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


def _label(invocation, completion, status: str, show_key: bool) -> str:
    f = invocation.f
    key = f" {format_value(invocation.key, 12)}" if show_key else ""
    if f in _READS:
        text = f + key
        if status == "ok":
            text += f" \u2192 {format_value(completion.value)}"
    elif f == "delete" or invocation.value is None:
        text = f + key
    else:
        text = f"{f}{key}{'=' if show_key else ' '}{format_value(invocation.value)}"
    return text + _STATUS_NOTES.get(status, "")


def fault_text(fault) -> str:
    """A fault in a few words: ``"crash C"``, ``"partition [A,B] | [C,D,E]"``, ``"heal"``.

    Examples
    --------
    >>> from dynamo_lab.system import FaultEvent
    >>> fault_text(FaultEvent(1.0, "partition", ("A", "B", "C"), (("A", "B"), ("C",))))
    'partition [A,B] | [C]'
    >>> fault_text(FaultEvent(2.0, "skew_clock", ("A",), detail="+50 ms"))
    'skew clock A +50 ms'
    """
    nodes = ",".join(fault.nodes)
    kind = fault.kind
    if kind == "partition":
        groups = fault.groups or (fault.nodes,)
        return "partition " + " | ".join("[" + ",".join(g) + "]" for g in groups)
    if kind == "heal":
        return "heal"
    if kind == "crash":
        return f"crash {nodes}" + (f" ({fault.detail})" if fault.detail else "")
    if kind == "skew_clock":
        return f"skew clock {nodes}" + (f" {fault.detail}" if fault.detail else "")
    if kind == "set_link":
        return "set link " + "-".join(fault.nodes)
    return f"{kind.replace('_', ' ')} {nodes}".strip()


def _witness_ids(witness) -> set[int]:
    """op_ids from a LinearizabilityResult, Operations, or plain op_ids."""
    witness = getattr(witness, "witness", witness)
    ids = set()
    for item in witness or ():
        ids.add(item if isinstance(item, int) else item.op_id)
    return ids


def _source(history, faults):
    """A cluster stands for its history and (unless given) its faults."""
    if hasattr(history, "history") and hasattr(history, "faults"):
        return history.history, (history.faults if faults is None else faults)
    return history, (() if faults is None else faults)


def timeline_rows(history, faults: Iterable | None = None, witness=(), key=None,
                  start: float | None = None, end: float | None = None) -> HistoryTimeline:
    """Lay a history out as rows of bars, one row per client.

    Parameters
    ----------
    history : History or Cluster
        Any iterable of :class:`~dynamo_lab.history.Operation`; a cluster (or
        other system) stands for its ``history`` and, unless ``faults`` is
        given, its ``faults``.
    faults : iterable of FaultEvent, optional
        Marked at their times.
    witness : LinearizabilityResult, or iterable of Operation or int
        The operations to highlight (by ``op_id``).
    key : object, optional
        Only operations on this key.
    start, end : float, optional
        Only operations and faults overlapping this window (ms); by default
        from the first invocation or fault to the end of the history.

    Returns
    -------
    HistoryTimeline

    Examples
    --------
    An operation that never completed runs to the end of the history:

    >>> from dynamo_lab.history import History
    >>> h = History()
    >>> a = h.invoke(process="p", f="put", key="k", value=5, time=1.0)
    >>> b = h.invoke(process="q", f="get", key="k", value=None, time=2.0)
    >>> _ = h.complete(b, type="ok", value=[], time=9.0)
    >>> t = timeline_rows(h)
    >>> [(b.label, b.status, b.end, b.stop) for b in t.bars]
    [('put 5 (no reply)', 'open', None, 9.0), ('get → []', 'ok', 9.0, 9.0)]
    """
    history, faults = _source(history, faults)
    records = list(history)
    history_end = max((op.time for op in records), default=0.0)
    if key is not None:
        records = [op for op in records if op.key == key]
    show_key = key is None and len({op.key for op in records}) > 1
    highlighted = _witness_ids(witness)

    completions = {op.op_id: op for op in records if op.type != "invoke"}
    bars: list[Bar] = []
    for inv in records:
        if inv.type != "invoke":
            continue
        done = completions.get(inv.op_id)
        status = "open" if done is None else done.type
        stop = max(history_end if done is None else done.time, inv.time)
        if (start is not None and stop < start) or (end is not None and inv.time > end):
            continue
        bars.append(Bar(op_id=inv.op_id, process=inv.process, f=inv.f, key=inv.key,
                        start=inv.time, end=None if done is None else done.time, stop=stop,
                        status=status, label=_label(inv, done, status, show_key),
                        highlighted=inv.op_id in highlighted,
                        node=inv.node if done is None else (done.node or inv.node)))

    marks = tuple(FaultMark(f.time, f.kind, fault_text(f)) for f in faults
                  if (start is None or f.time >= start) and (end is None or f.time <= end))

    rows = []
    for process in dict.fromkeys(b.process for b in bars):
        own = sorted((b for b in bars if b.process == process), key=lambda b: (b.start, b.op_id))
        lane_ends: list[float] = []
        placed = []
        for b in own:
            # The first lane whose last bar has ended by the time this one starts.
            lane = next((i for i, t in enumerate(lane_ends) if t <= b.start), len(lane_ends))
            if lane == len(lane_ends):
                lane_ends.append(b.stop)
            lane_ends[lane] = b.stop
            placed.append(_replace_lane(b, lane))
        rows.append(TimelineRow(process, tuple(placed), max(len(lane_ends), 1)))

    times = [b.start for b in bars] + [b.stop for b in bars] + [m.time for m in marks]
    t0 = start if start is not None else min(times, default=0.0)
    t1 = end if end is not None else max(times, default=t0)
    return HistoryTimeline(rows=tuple(rows), faults=marks, start=t0, end=max(t1, t0),
                           highlighted=tuple(b.op_id for b in sorted(bars, key=lambda b: (
                               b.start, b.op_id)) if b.highlighted),
                           key=key)


def _replace_lane(bar: Bar, lane: int) -> Bar:
    from dataclasses import replace

    return bar if bar.lane == lane else replace(bar, lane=lane)


# -- text ----------------------------------------------------------------------------

_ASCII = {"\u2192": "->", "\u2026": "..."}


def _ascii(text: str) -> str:
    for char, plain in _ASCII.items():
        text = text.replace(char, plain)
    return text.encode("ascii", "replace").decode("ascii")


def _fault_tag(i: int) -> str:
    """1..9, then a..z, then + for the rest."""
    tags = "123456789abcdefghijklmnopqrstuvwxyz"
    return tags[i] if i < len(tags) else "+"


def render_text(history, faults: Iterable | None = None, witness=(), key=None,
                width: int = 72, *, start: float | None = None,
                end: float | None = None) -> str:
    """Draw a history's timeline in ASCII, one line per client.

    Time runs left to right, scaled so the whole timeline fits ``width``
    characters. Each operation is a segment from its invocation to its
    completion: ``[put 3----]``; one that never completed ends in ``>``
    and runs to the end of the history; one that began before the window
    starts with ``<``. The witness's operations have ``*`` in place of
    brackets, ``*get -> [3]*``. A label too long for its segment is replaced
    by ``#`` and the operation's id, and listed in full under the timeline.
    The line under the clients marks each fault with a number (1-9, then
    letters; in the nearest free column when two share one), and the faults
    are listed beneath it with their times.

    Two operations of the same client that would touch are pushed one
    column apart; a client with operations overlapping in time gets more
    lines (the extra ones without its name).

    Parameters
    ----------
    history, faults, witness, key, start, end
        As for :func:`timeline_rows` (a :class:`HistoryTimeline` is
        accepted as ``history`` too).
    width : int
        Characters per line (at least the longest client name plus 13).

    Returns
    -------
    str
        The lines, joined by newlines, with no trailing newline.

    Examples
    --------
    >>> from dynamo_lab.history import History
    >>> h = History()
    >>> a = h.invoke(process="p", f="put", key="k", value=5, time=0.0)
    >>> b = h.invoke(process="q", f="get", key="k", value=None, time=10.0)
    >>> _ = h.complete(b, type="ok", value=[5], time=20.0)
    >>> print(render_text(h, witness=[1], width=40))
       0.0 ms                        20.0 ms
    p |[put 5 (no reply)------------------>|
    q |                  *get -> [5]------*|
      +------------------------------------+
    * witness: op 1
    """
    timeline = history if isinstance(history, HistoryTimeline) else timeline_rows(
        history, faults=faults, witness=witness, key=key, start=start, end=end)
    name_w = max((len(p) for p in timeline.processes), default=0)
    track = width - name_w - 3
    if track < 10:
        raise ValueError(f"width {width} leaves {track} columns for the timeline; "
                         f"use at least {name_w + 13}")
    t0, t1 = timeline.start, timeline.end
    span = t1 - t0

    def col(t: float) -> int:
        if span <= 0:
            return 0
        # Halves round up (not to even), so a column is easy to work out by hand.
        return min(track - 1, max(0, math.floor((t - t0) / span * (track - 1) + 0.5)))

    left, right = f"{t0:.1f} ms", f"{t1:.1f} ms"
    header = " " * (name_w + 2) + left
    header += " " * max(1, width - len(header) - len(right)) + right
    lines = [header.rstrip()]
    abbreviated: list[Bar] = []

    for row in timeline.rows:
        tracks: list[list[str]] = []
        last: list[int] = []
        for bar in row.bars:
            a, b = col(bar.start), col(bar.stop)
            # A line where this bar can start after the last one there, pushed
            # one column right if it would touch it.
            for i, prev in enumerate(last):
                a2 = max(a, prev + 1)
                b2 = max(b, a2)
                if a >= prev and b2 <= track - 1:
                    line = i
                    break
            else:
                tracks.append([" "] * track)
                last.append(-1)
                line, a2, b2 = len(tracks) - 1, a, b
            _draw_bar(tracks[line], bar, a2, b2, clipped=bar.start < t0,
                      open_=bar.status == "open" or bar.stop > t1, abbreviated=abbreviated)
            last[line] = b2
        for i, cells in enumerate(tracks or [[" "] * track]):
            name = row.process if i == 0 else ""
            lines.append(f"{name:<{name_w}} |" + "".join(cells) + "|")

    ruler = ["-"] * track
    for i, mark in enumerate(timeline.faults):
        # In its column, or the nearest free one (right first) when taken.
        c = col(mark.time)
        free = sorted((j for j in range(track) if ruler[j] == "-"),
                      key=lambda j: (abs(j - c), j < c))
        if free:
            ruler[free[0]] = _fault_tag(i)
    lines.append(" " * name_w + " +" + "".join(ruler) + "+")

    if abbreviated:
        lines.append("operations:")
        listed = sorted(abbreviated, key=lambda b: (b.start, b.op_id))
        spans = [f"{b.start:.1f}-" + ("..." if b.end is None else f"{b.end:.1f}") + " ms"
                 for b in listed]
        span_w = max(len(s) for s in spans)
        for bar, when in zip(listed, spans):
            lines.append(f"  #{bar.op_id:<3} {when:<{span_w}}  {bar.process}: "
                         f"{_ascii(bar.label)}")
    if timeline.highlighted:
        ops = ", ".join(str(i) for i in timeline.highlighted)
        lines.append(f"* witness: op{'s' if len(timeline.highlighted) > 1 else ''} {ops}")
    if timeline.faults:
        lines.append("faults:")
        times = [f"{mark.time:.1f}" for mark in timeline.faults]
        time_w = max(len(t) for t in times)
        for i, (mark, when) in enumerate(zip(timeline.faults, times)):
            lines.append(f"  {_fault_tag(i):<3} {when:>{time_w}} ms  {_ascii(mark.text)}")
    return "\n".join(lines)


def _draw_bar(cells: list[str], bar: Bar, a: int, b: int, *, clipped: bool, open_: bool,
              abbreviated: list) -> None:
    """Write one segment into ``cells`` from column ``a`` to ``b`` inclusive."""
    edge = "*" if bar.highlighted else None
    first = "<" if clipped else (edge or "[")
    last = ">" if open_ else (edge or "]")
    if a == b:
        cells[a] = edge or ("|" if not open_ else ">")
        abbreviated.append(bar)
        return
    inner = b - a - 1
    label = _ascii(bar.label)
    if len(label) > inner:
        abbreviated.append(bar)
        label = f"#{bar.op_id}"[:inner]
    body = label + "-" * (inner - len(label))
    cells[a:b + 1] = list(first + body + last)
