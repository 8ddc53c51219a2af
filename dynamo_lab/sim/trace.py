"""The message view of a run: every message event, in a fixed vocabulary.

Each message produces a ``send`` event and then exactly one of:

========  ============================================================
event     meaning
========  ============================================================
deliver   the message reached its destination and was handled
drop      a node was down: the receiver when it arrived (or the sender,
          which then sent nothing; ``detail`` says which)
cut       a partition separated sender and receiver, when it was sent
          or while it was in flight
lost      the link's random loss swallowed it
========  ============================================================

(A message still in flight when you look has only its ``send``.) The
vocabulary is :data:`MESSAGE_EVENTS`; tests, widgets and learners rely on it.

Events are kept as compact tuples and turned into :class:`TraceEvent`
objects only when read, because a long run records millions of them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

__all__ = ["Trace", "TraceEvent", "MESSAGE_EVENTS"]

#: Every ``event`` a trace record may have.
MESSAGE_EVENTS = ("send", "deliver", "drop", "cut", "lost")


@dataclass(frozen=True, slots=True)
class TraceEvent:
    """One message event.

    Attributes
    ----------
    seq : int
        Position in the trace.
    time : float
        Virtual time in ms.
    event : str
        One of :data:`MESSAGE_EVENTS`.
    msg_id : int
        Shared by all events of one message.
    src, dst : str
        Sender and receiver.
    kind : str
        What the message asks or answers, e.g. ``put_req``, ``put_ack``,
        ``get_req``, ``get_resp``, ``repair``.
    key : str or None
        The key it concerns.
    op_id : int or None
        The client operation it serves (matches the history's ``op_id``).
    version : str or None
        The causal version it carries (a vector clock), where it has one.
    detail : str or None
        Why a message was dropped, or other detail.
    """

    seq: int
    time: float
    event: str
    msg_id: int
    src: str
    dst: str
    kind: str
    key: str | None
    op_id: int | None
    version: str | None
    detail: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Trace:
    """Append-only record of message events (see the module docstring)."""

    #: Slots per event: time, event, the message, detail.
    _WIDTH = 4

    def __init__(self):
        # One flat list, four slots per event, rather than an object per
        # event: a long simulation records millions of events, and an object
        # each would be a million more for the garbage collector to examine.
        # The third slot is the message itself, the tuple (msg_id, src, dst,
        # kind, key, op_id, payload) the network sends (a ``Message``), so a
        # message's events share it.
        self._flat: list = []

    def record(self, time: float, event: str, msg_id: int, src: str, dst: str, kind: str,
               key, op_id, payload, detail: str | None = None) -> None:
        """Append one event. ``payload`` is kept by reference; its version is
        rendered only when the trace is read."""
        self._flat.extend((time, event, (msg_id, src, dst, kind, key, op_id, payload), detail))

    def appender(self) -> Callable[[tuple], None]:
        """A function that appends one event given as the tuple ``(time, event,
        message, detail)``, ``message`` being the tuple of the seven fields from
        ``msg_id`` to ``payload`` that :meth:`record` takes: the network's fast
        path."""
        return self._flat.extend

    def __len__(self) -> int:
        return len(self._flat) // self._WIDTH

    def _event(self, seq: int) -> TraceEvent:
        start = seq * self._WIDTH
        time, event, message, detail = self._flat[start:start + self._WIDTH]
        msg_id, src, dst, kind, key, op_id, payload = message
        clock = getattr(payload, "clock", None)
        version = None if clock is None or not len(clock) else str(clock)
        return TraceEvent(seq, time, event, msg_id, src, dst, kind, key, op_id, version, detail)

    def __iter__(self) -> Iterator[TraceEvent]:
        return (self._event(i) for i in range(len(self)))

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._event(j) for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(f"trace index out of range: {i} (the trace has {len(self)} events)")
        return self._event(i)

    def __repr__(self) -> str:
        return f"<Trace: {len(self)} message events>"

    def payload(self, seq: int):
        """The object the message of event ``seq`` carried (e.g. a record)."""
        if not 0 <= seq < len(self):
            raise IndexError(f"trace index out of range: {seq} (the trace has {len(self)} events)")
        return self._flat[seq * self._WIDTH + 2][6]

    def counts(self) -> dict[str, int]:
        """How many events of each kind of :data:`MESSAGE_EVENTS`."""
        counts = dict.fromkeys(MESSAGE_EVENTS, 0)
        for event in self._flat[1::self._WIDTH]:
            counts[event] += 1
        return counts

    def for_op(self, op_id: int) -> list[TraceEvent]:
        """The events of the messages that served one client operation."""
        return [self._event(i) for i, message in enumerate(self._flat[2::self._WIDTH])
                if message[5] == op_id]

    def to_frame(self):
        """A pandas DataFrame with one row per event."""
        import pandas as pd

        columns = list(TraceEvent.__dataclass_fields__)
        frame = pd.DataFrame([e.to_dict() for e in self], columns=columns)
        # Blank rather than NaN where a message carries no version or detail.
        frame[["version", "detail"]] = frame[["version", "detail"]].fillna("")
        return frame

    def to_jsonl(self, path: str | Path | None = None) -> str:
        """Serialise as JSON lines; write to ``path`` if given; return the text."""
        text = "".join(json.dumps(e.to_dict(), sort_keys=True) + "\n" for e in self)
        if path is not None:
            Path(path).write_text(text)
        return text
