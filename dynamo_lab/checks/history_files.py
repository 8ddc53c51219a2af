"""Read histories written by other tools into a :class:`~dynamo_lab.history.History`.

Two third-party formats are understood, plus the project's own JSON lines:

Jepsen register logs (``*.log``)
    One event per line, ``INFO  jepsen.util - 3 :invoke :write 4``: the
    process, the event type, the operation and its argument. ``nil`` becomes
    ``None`` and a vector ``[A B]`` (the argument of a ``cas``) a tuple
    ``(A, B)``. A completion whose value is a keyword such as ``:timed-out``
    keeps the invocation's argument as its value and the keyword (without
    the colon) as its ``error``. ``P :fail :read :timed-out`` is recorded as
    an ``info`` completion: the read ended with an unknown result, which is
    what ``info`` means here (a ``fail`` would claim it certainly did not
    happen). Blank lines and lines starting with ``;`` are skipped.
EDN histories (``*.edn``, ``*.txt``), as Jepsen and knossos write them
    Either the whole file is one vector ``[...]`` (or list ``(...)``) of
    operation maps, or the file is a sequence of maps, often one a line,
    ``{:process 0, :type :invoke, :f :write, :value 3}``. A map may span
    several lines; ``;`` starts a comment that runs to the end of the line;
    commas are whitespace. Values may be keywords, strings, numbers,
    ``nil``, ``true``, ``false``, vectors and lists (read as tuples), maps
    (dicts) and sets ``#{...}`` (frozensets); a tagged value such as
    ``#inst "2024-05-01T10:00:00Z"`` is read as the value tagged (here the
    string) and ``#_`` drops the form after it. ``:time`` and ``:index``
    fields are ignored.
JSON lines (``*.jsonl``)
    What :meth:`History.to_jsonl` writes.

In both Jepsen formats an invocation and its completion are matched by
process (a Jepsen process has at most one operation open at a time) and the
pair gets one ``op_id``. These files carry no clock that this module reads,
so an operation's ``time`` is where its event comes in the file: the line
number in a Jepsen log, and the event's position (1 for the first event, 2
for the second, ...) in an EDN history, whose maps may span lines or share
one. Only the order of events matters for linearizability.

Operations of a process named by a keyword, such as Jepsen's ``:nemesis``,
are faults injected by the test, not client operations. They are kept, with
the keyword's name as their process (``"nemesis"``), so that they show in
:meth:`History.to_frame`; the checkers leave them out. The nemesis records
each fault as an ``:info`` event when it starts and another when it is done:
such a pair becomes an invocation and its ``info`` completion. A nemesis
event with no partner becomes an invocation and an ``info`` completion at
the same time.

Every error names the file, the line and the column where the problem is.

Examples
--------
>>> h = parse_jepsen_log('''
... INFO  jepsen.util - 0 :invoke :cas [1 2]
... INFO  jepsen.util - 0 :fail :cas [1 2]
... ''')
>>> [(op.process, op.type, op.f, op.value, op.time) for op in h]
[('0', 'invoke', 'cas', (1, 2), 2.0), ('0', 'fail', 'cas', (1, 2), 3.0)]
>>> h = parse_edn_history('''[{:process 1, :type :invoke, :f :read, :value nil}
...  {:process :nemesis, :type :info, :f :start, :value nil}
...  {:process :nemesis, :type :info, :f :start, :value #{:n1 :n2}}]''')
>>> [(op.process, op.type, op.f, op.time) for op in h]  # doctest: +NORMALIZE_WHITESPACE
[('1', 'invoke', 'read', 1.0), ('nemesis', 'invoke', 'start', 2.0),
 ('nemesis', 'info', 'start', 3.0)]
>>> sorted(h[2].value)
['n1', 'n2']
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from dynamo_lab.history import (COMPLETION_TYPES, MAX_DEPTH, OPERATION_TYPES, History,
                                Operation, read_text_file)

__all__ = ["read_history", "parse_jepsen_log", "parse_edn_history"]

# ---------------------------------------------------------------------------
# A small EDN reader: enough for Jepsen and knossos histories. It reads with
# an explicit stack rather than by recursion, so no nesting can exhaust
# Python's stack, and it refuses values nested more than MAX_DEPTH deep.

_TOKEN = re.compile(r"""
    (?P<skip>(?:[\s,]|;[^\n]*)+)
  | (?P<open>[\[({]|\#\{)
  | (?P<close>[\])}])
  | (?P<string>"[^"\\]*(?:\\.[^"\\]*)*")
  | (?P<discard>\#_)
  | (?P<symbolic>\#\#(?:Inf|-Inf|NaN)\b)
  | (?P<tag>\#[A-Za-z][^\s,\[\](){}";]*)
  | (?P<char>\\(?:u[0-9A-Fa-f]{4}|newline|space|tab|return|formfeed|backspace|\S))
  | (?P<atom>[^\s,\[\](){}";\\\#][^\s,\[\](){}";]*)
""", re.VERBOSE | re.DOTALL)
_INT = re.compile(r"[+-]?\d+N?")
_FLOAT = re.compile(r"[+-]?(\d+\.\d*|\d*\.\d+|\d+)([eE][+-]?\d+)?M?")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "b": "\b", "f": "\f"}
_CHARS = {"newline": "\n", "space": " ", "tab": "\t", "return": "\r", "formfeed": "\f",
          "backspace": "\b"}
_SYMBOLIC = {"##Inf": float("inf"), "##-Inf": float("-inf"), "##NaN": float("nan")}
_CLOSER = {"[": "]", "(": ")", "{": "}", "#{": "}"}
_NAME = {"[": "vector", "(": "list", "{": "map", "#{": "set"}


class _Keyword(str):
    """An EDN keyword (``:ok``), held as its name without the colon."""

    __slots__ = ()

    def __repr__(self) -> str:
        return ":" + str(self)


class _Text:
    """A file's text and name, which turn an offset into a place in an error message."""

    def __init__(self, text: str, source: str):
        self.text = text
        self.source = source
        self._line_starts: list[int] | None = None  # found on the first error only

    def where(self, offset: int) -> tuple[int, int]:
        """The line and column (both counted from 1) of ``offset``."""
        if self._line_starts is None:
            self._line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        i = bisect_right(self._line_starts, offset) - 1
        return i + 1, offset - self._line_starts[i] + 1

    def place(self, offset: int) -> str:
        line, column = self.where(offset)
        return f"line {line}, column {column}"

    def error(self, offset: int, problem: str) -> ValueError:
        return ValueError(f"{self.source}, {self.place(offset)}: {problem}")


def _atom(text: str) -> Any:
    if text == "nil":
        return None
    if text in ("true", "false"):
        return text == "true"
    if text.startswith(":") and len(text) > 1:
        return _Keyword(text[1:])
    if _INT.fullmatch(text):
        return int(text.rstrip("N"))
    if _FLOAT.fullmatch(text):
        return float(text.rstrip("M"))
    return text  # a symbol; histories do not use them, keep the text


class _Reader:
    """Reads EDN forms from ``doc.text[start:end]``, one at a time."""

    def __init__(self, doc: _Text, start: int = 0, end: int | None = None):
        self.doc = doc
        self.pos = start
        self.end = len(doc.text) if end is None else end
        self._next: tuple[str, str, int] | None = None

    # -- tokens: (kind, text, offset) ------------------------------------------
    def peek(self) -> tuple[str, str, int]:
        if self._next is None:
            self._next = self._scan()
        return self._next

    def take(self) -> tuple[str, str, int]:
        token = self.peek()
        self._next = None
        return token

    def _scan(self) -> tuple[str, str, int]:
        text = self.doc.text
        while self.pos < self.end:
            m = _TOKEN.match(text, self.pos, self.end)
            if m is None:
                raise self._unreadable(self.pos)
            self.pos = m.end()
            if m.lastgroup != "skip":
                return m.lastgroup, m.group(), m.start()  # type: ignore[return-value]
        return "eof", "", self.end

    def _unreadable(self, offset: int) -> ValueError:
        text = self.doc.text
        ch = text[offset]
        if ch == '"':
            return self.doc.error(offset, "the string that starts here is never closed "
                                  '(no closing ")')
        shown = text[offset:min(offset + 12, self.end)].split("\n")[0]
        if ch == "#":
            return self.doc.error(offset, f"cannot read {shown!r}: after '#' EDN expects "
                                  "'{' (a set), '_' (discard the next form) or a tag such "
                                  "as #inst")
        if ch == "\\":
            return self.doc.error(offset, "a backslash must start a character such as \\a "
                                  "or \\newline")
        return self.doc.error(offset, f"cannot read {shown!r}")

    # -- forms --------------------------------------------------------------------
    def read_form(self, depth: int = 0) -> tuple[Any, int] | None:
        """The next whole form and the offset where it starts.

        ``None`` when a closing bracket or the end of the text comes before
        any form (the closing bracket is left for the caller to take).
        ``depth`` is how many collections already enclose the form.
        """
        doc = self.doc
        # Open collections, tags and discards: (opener, offset, items or None).
        stack: list[tuple[str, int, list | None]] = []
        while True:
            kind, text, offset = self.peek()
            if kind == "eof":
                if not stack:
                    return None
                opener, start, items = stack[-1]
                if items is None:
                    raise doc.error(start, f"{opener} is followed by no value")
                raise doc.error(start, f"this {_NAME[opener]} is never closed (no "
                                f"{_CLOSER[opener]!r} before the end)")
            if kind == "close":
                if not stack:
                    return None
                opener, start, items = stack[-1]
                if items is None:
                    raise doc.error(offset, f"{text!r} comes where {opener} needs a value")
                self.take()
                if text != _CLOSER[opener]:
                    raise doc.error(offset, f"{text!r} cannot close the {_NAME[opener]} "
                                    f"{opener!r} opened at {doc.place(start)}")
                stack.pop()
                value = self._collection(opener, start, items)
            else:
                self.take()
                if kind in ("open", "tag", "discard"):
                    if depth + len(stack) >= MAX_DEPTH:
                        raise doc.error(offset, f"the value nests more than {MAX_DEPTH} "
                                        "levels deep")
                    stack.append((text, offset, [] if kind == "open" else None))
                    continue
                start = offset
                value = self._scalar(kind, text, offset)
            # Hand the value to whatever waits for it.
            while True:
                if not stack:
                    return value, start
                opener, frame_start, items = stack[-1]
                if items is not None:
                    items.append(value)
                    break
                stack.pop()
                if opener == "#_":
                    break  # discarded
                # A tagged value (#inst "...", #uuid "...") is read as the value tagged.
                start = frame_start

    def _collection(self, opener: str, start: int, items: list) -> Any:
        if opener in ("[", "("):
            return tuple(items)
        doc = self.doc
        if opener == "#{":
            try:
                return frozenset(items)
            except TypeError:
                raise doc.error(start, "a set cannot hold a map") from None
        if len(items) % 2:
            raise doc.error(start, f"the map has a key without a value (it holds {len(items)} "
                            "forms; a map holds key-value pairs)")
        result: dict = {}
        for key, value in zip(items[::2], items[1::2]):
            try:
                if key in result:
                    raise doc.error(start, f"the map has the key {key!r} twice")
            except TypeError:
                raise doc.error(start, "the map has a key that is or holds a map, which "
                                "cannot be a key") from None
            result[key] = value
        return result

    def _scalar(self, kind: str, text: str, offset: int) -> Any:
        if kind == "atom":
            return _atom(text)
        if kind == "string":
            return self._unescape(text[1:-1], offset + 1)
        if kind == "char":
            body = text[1:]
            if len(body) == 5 and body[0] == "u":
                return chr(int(body[1:], 16))
            return _CHARS.get(body, body)
        return _SYMBOLIC[text]

    def _unescape(self, body: str, offset: int) -> str:
        if "\\" not in body:
            return body
        out, i = [], 0
        while i < len(body):
            ch = body[i]
            if ch != "\\":
                out.append(ch)
                i += 1
                continue
            code = body[i + 1]
            if code == "u" and re.fullmatch(r"[0-9A-Fa-f]{4}", body[i + 2:i + 6]):
                out.append(chr(int(body[i + 2:i + 6], 16)))
                i += 6
            elif code in _ESCAPES:
                out.append(_ESCAPES[code])
                i += 2
            else:
                raise self.doc.error(offset + i, f"unknown string escape \\{code}")
        return "".join(out)

    def read_only_value(self) -> Any:
        """The one form of the text (``None`` if there is none), and nothing after it."""
        form = self.read_form()
        if form is None:
            kind, text, offset = self.peek()
            if kind != "eof":
                raise self.doc.error(offset, f"{text!r} closes nothing")
            return None
        after = self.read_form()
        kind, text, offset = self.peek()
        if after is not None or kind != "eof":
            raise self.doc.error(after[1] if after else offset,
                                 "unexpected text after the value")
        return form[0]


def _plain(value: Any) -> Any:
    """Keywords to plain strings, recursively (for values stored in a History)."""
    if isinstance(value, _Keyword):
        return str(value)
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, frozenset):
        return frozenset(_plain(v) for v in value)
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    return value


def _show(value: Any) -> str:
    """A short EDN-like rendering of a value for an error message."""
    if isinstance(value, dict):
        text = "a map"
    elif isinstance(value, tuple):
        text = "a vector"
    elif isinstance(value, frozenset):
        text = "a set"
    else:
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# ---------------------------------------------------------------------------
# Turning events into a History.

class _Event(NamedTuple):
    """One line (Jepsen log) or one map (EDN) of a history file."""

    at: int          # offset in the text, for error messages
    time: float
    process: str
    fault: bool      # a keyword process, such as :nemesis: not a client
    type: str
    f: str
    key: str | None
    value: Any


def _pair_faults(events: list[_Event]) -> dict[int, int]:
    """Which fault events pair up: event index -> its partner's index.

    A fault is an ``invoke`` or ``info`` event followed, as the next event
    of the same process, by a completion of the same ``f``. Events left
    unpaired stand alone.
    """
    partner: dict[int, int] = {}
    waiting: dict[str, int] = {}
    for i, event in enumerate(events):
        if not event.fault:
            continue
        j = waiting.pop(event.process, None)
        if j is not None and events[j].f == event.f and event.type in COMPLETION_TYPES:
            partner[i], partner[j] = j, i
        elif event.type in ("invoke", "info"):
            waiting[event.process] = i
    return partner


def _assemble(doc: _Text, events: list[_Event]) -> History:
    """The History of ``events``: client events paired by process, faults kept apart."""
    history = History()
    partner = _pair_faults(events)
    open_clients: dict[str, tuple[Operation, int]] = {}  # process -> (invocation, offset)
    open_faults: dict[int, Operation] = {}  # index of the completing event -> invocation
    for i, event in enumerate(events):
        if event.type not in OPERATION_TYPES:
            raise doc.error(event.at, f"unknown event type {event.type!r} (expected invoke, "
                            "ok, fail or info)")
        value = _plain(event.value)
        if event.fault:
            j = partner.get(i)
            if j is None or j > i:
                op = history.invoke(process=event.process, f=event.f, key=event.key,
                                    value=value, time=event.time)
                if j is None:
                    history.complete(op, type="info", value=value, time=event.time)
                else:
                    open_faults[j] = op
            else:
                history.complete(open_faults.pop(i), type=event.type, value=value,
                                 time=event.time)
            continue
        process = event.process
        if event.type == "invoke":
            if process in open_clients:
                earlier = doc.where(open_clients[process][1])[0]
                raise doc.error(event.at, f"process {process} invokes an operation while its "
                                f"operation from line {earlier} is still open")
            op = history.invoke(process=process, f=event.f, key=event.key, value=value,
                                time=event.time)
            open_clients[process] = (op, event.at)
            continue
        if process not in open_clients:
            raise doc.error(event.at, f"process {process} completes an operation it never "
                            "invoked")
        invocation, _ = open_clients.pop(process)
        if event.f != invocation.f or event.key != invocation.key:
            raise doc.error(event.at, f"the completion ({event.f} on {event.key!r}) does not "
                            f"match process {process}'s open invocation ({invocation.f} on "
                            f"{invocation.key!r})")
        type_, error = event.type, None
        if isinstance(event.value, _Keyword):
            # ``:timed-out`` and the like: the result is unknown.
            error, value = str(event.value), invocation.value
            if type_ == "fail" and event.f in ("read", "get"):
                type_ = "info"
        history.complete(invocation, type=type_, value=value, time=event.time, error=error)
    return history


# ---------------------------------------------------------------------------
# The two formats.

_JEPSEN_LINE = re.compile(
    r"^[^\n]*?jepsen\.util(?:\s+-|:)\s+(?P<process>\S+)\s+:(?P<type>[\w-]+)"
    r"\s+:(?P<f>[\w.*+!?/-]+)(?:\s+(?P<value>.*?))?\s*$")


def parse_jepsen_log(text: str, source: str = "<text>") -> History:
    """Parse a Jepsen register log (the ``jepsen.util`` lines).

    Parameters
    ----------
    text : str
        The log's content.
    source : str
        Named in error messages (usually the file's path).

    Returns
    -------
    History
        Register operations with ``key=None`` and ``time`` = line number.
        The events of ``:nemesis`` (any process written as a keyword) are
        kept with process ``"nemesis"``; a value of theirs that is not EDN
        is kept as its text.

    Raises
    ------
    ValueError
        A line that is neither a Jepsen event, blank, nor a ``;`` comment,
        or a completion with no matching invocation; the message names
        ``source``, the line and the column.

    Examples
    --------
    >>> h = parse_jepsen_log('''INFO  jepsen.util - 3 :invoke :write 4
    ... INFO  jepsen.util - 0 :invoke :read nil
    ... INFO  jepsen.util - 0 :ok :read nil
    ... INFO  jepsen.util - 3 :info :write :timed-out''')
    >>> [(op.process, op.type, op.f, op.value, op.error) for op in h]  # doctest: +NORMALIZE_WHITESPACE
    [('3', 'invoke', 'write', 4, None), ('0', 'invoke', 'read', None, None),
     ('0', 'ok', 'read', None, None), ('3', 'info', 'write', 4, 'timed-out')]
    >>> parse_jepsen_log("INFO  jepsen.util - 0 :invoke :cas [1 2")
    Traceback (most recent call last):
    ...
    ValueError: <text>, line 1, column 36: this vector is never closed (no ']' before the end)
    """
    doc = _Text(text, source)
    events = []
    start = 0
    for line_no, line in enumerate(text.split("\n"), 1):
        line_start, start = start, start + len(line) + 1
        stripped = line.strip()
        if not stripped or stripped.startswith(";"):
            continue
        m = _JEPSEN_LINE.match(line)
        if m is None:
            indent = len(line) - len(line.lstrip())
            raise doc.error(line_start + indent, "not a Jepsen event ('INFO  jepsen.util - "
                            f"PROCESS :TYPE :F VALUE'): {stripped!r}")
        process = m.group("process")
        fault = process.startswith(":")
        value = None
        if m.group("value"):
            reader = _Reader(doc, line_start + m.start("value"), line_start + m.end("value"))
            try:
                value = reader.read_only_value()
            except ValueError:
                if not fault:
                    raise
                value = m.group("value")  # a nemesis may log any text
        events.append(_Event(line_start + m.start("process"), float(line_no),
                             process[1:] if fault else process, fault, m.group("type"),
                             m.group("f"), None, value))
    return _assemble(doc, events)


def _edn_maps(doc: _Text) -> Iterator[tuple[Any, int, bool]]:
    """The operation forms of an EDN history: (value, offset, follows another).

    A file that starts with ``[`` or ``(`` is one vector (list) of forms;
    otherwise the forms follow one another to the end of the file, and
    "follows another" is true for every form but the first.
    """
    reader = _Reader(doc)
    kind, opener, start = reader.peek()
    if kind == "open" and opener in ("[", "("):
        reader.take()
        while True:
            form = reader.read_form(depth=1)
            if form is not None:
                yield form[0], form[1], False
                continue
            kind, text, offset = reader.take()
            if kind == "eof":
                raise doc.error(start, f"this {_NAME[opener]} is never closed (no "
                                f"{_CLOSER[opener]!r} before the end)")
            if text != _CLOSER[opener]:
                raise doc.error(offset, f"{text!r} cannot close the {_NAME[opener]} "
                                f"{opener!r} opened at {doc.place(start)}")
            break
        after = reader.read_form()
        kind, text, offset = reader.peek()
        if after is not None or kind != "eof":
            raise doc.error(after[1] if after else offset, "unexpected text after the value: "
                            f"the history's {_NAME[opener]} has ended")
        return
    follows = False
    while True:
        form = reader.read_form()
        if form is not None:
            yield form[0], form[1], follows
            follows = True
            continue
        kind, text, offset = reader.peek()
        if kind == "eof":
            return
        raise doc.error(offset, f"{text!r} closes nothing (no bracket is open here)")


def parse_edn_history(text: str, source: str = "<text>") -> History:
    """Parse an EDN history (Jepsen's ``history.edn``, a knossos test file).

    Parameters
    ----------
    text : str
        The file's content: one vector or list of operation maps, or maps
        one after another (see the module docstring).
    source : str
        Named in error messages (usually the file's path).

    Returns
    -------
    History
        One record per event; ``key`` is a string (or ``None`` when the map
        has no ``:key``) and ``time`` the event's position in the file (1,
        2, ...). Events of a keyword process (``:nemesis``) are kept, with
        the keyword's name as process.

    Raises
    ------
    ValueError
        Text that is not EDN, an event that is not a map with ``:process``,
        ``:type`` and ``:f``, or events that do not pair up; the message
        names ``source``, the line and the column.

    Examples
    --------
    >>> h = parse_edn_history('''
    ... {:process 0, :type :invoke, :f :append, :key "4", :value "x 0 1 y"}
    ... {:process 0, :type :ok, :f :append, :key "4", :value "x 0 1 y"}''')
    >>> [(op.process, op.type, op.f, op.key, op.value, op.time) for op in h]
    [('0', 'invoke', 'append', '4', 'x 0 1 y', 1.0), ('0', 'ok', 'append', '4', 'x 0 1 y', 2.0)]
    >>> parse_edn_history('''[{:process 0, :type :invoke, :f :write, :value 1}
    ...  {:process 0, :type :ok, :f :write :value}]''')  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: <text>, line 2, column 2: the map has a key without a value ...
    """
    doc = _Text(text, source)
    events = []
    for number, (record, at, follows) in enumerate(_edn_maps(doc), 1):
        if not isinstance(record, dict):
            after = "unexpected text after the value: " if follows else ""
            raise doc.error(at, f"{after}expected an operation map {{:process ..., :type ..., "
                            f":f ...}}, found {_show(record)}")
        missing = [k for k in ("process", "type", "f") if k not in record]
        if missing:
            raise doc.error(at, "the map has no " + ", ".join(":" + k for k in missing))
        process, type_, f = record["process"], record["type"], record["f"]
        if not isinstance(type_, _Keyword) or not isinstance(f, _Keyword):
            raise doc.error(at, ":type and :f must be keywords")
        key = record.get("key")
        events.append(_Event(at, float(number), str(process), isinstance(process, _Keyword),
                             str(type_), str(f), None if key is None else str(_plain(key)),
                             record.get("value")))
    return _assemble(doc, events)


def read_history(path: str | Path) -> History:
    """Read a history file, telling its format from its content.

    Parameters
    ----------
    path : str or Path
        A Jepsen register log (lines with ``jepsen.util``), an EDN history
        (a vector ``[...]`` or list ``(...)`` of maps, or maps ``{:...}``
        one after another) or the project's JSON lines (lines starting
        with ``{"``, or a ``.jsonl`` file). Blank lines and ``;`` comment
        lines before the first event do not count.

    Returns
    -------
    History

    Raises
    ------
    ValueError
        The file is empty, not text, in none of these formats, or has a bad
        event (one whose value nests more than ``MAX_DEPTH`` levels deep,
        say); the message names the file (and the line and column).
    OSError
        The file cannot be read.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "h.log")
    ...     with open(p, "w") as fh:
    ...         _ = fh.write("INFO  jepsen.util - 1 :invoke :cas [0 3]\\n")
    ...     read_history(p).pending[0].value
    (0, 3)
    """
    if not isinstance(path, (str, Path)) or not str(path).strip():
        raise ValueError(f"path must be the path of a history file (a str or pathlib.Path), "
                         f"got {path!r}")
    path = Path(path)
    text = read_text_file(path, "a Jepsen log, an EDN history or JSON lines")
    source = str(path)
    lines = text.splitlines()
    last_comment = None
    for line_no, line in enumerate(lines, 1):
        first = line.strip()
        if first.startswith(";"):
            last_comment = line_no
        elif first:
            break
    else:
        if last_comment is None:
            raise ValueError(f"{source}, line 1, column 1: the file is empty, there is no "
                             "history in it")
        raise ValueError(f"{source}, line {last_comment}, column "
                         f"{len(lines[last_comment - 1]) + 1}: the file ends with no history in "
                         "it, only comments")
    column = len(line) - len(line.lstrip()) + 1
    if path.suffix == ".jsonl" or re.match(r'\{\s*"', first):
        # Comment lines become blank lines, which keeps the line numbers.
        records = "".join("\n" if row.lstrip().startswith(";") else row + "\n"
                          for row in lines)
        try:
            return History.from_jsonl(records)
        except ValueError as exc:
            raise ValueError(f"{source}: {exc}") from None
    if _JEPSEN_LINE.match(line):
        return parse_jepsen_log(text, source)
    if first[0] in "[({" or re.match(r"#(_|[A-Za-z])", first):
        return parse_edn_history(text, source)
    if "jepsen.util" in first:
        return parse_jepsen_log(text, source)
    raise ValueError(f"{source}, line {line_no}: cannot tell the format from the text at "
                     f"column {column} (expected a Jepsen log line, EDN, that is a vector '[' "
                     f"or list '(' of maps or maps '{{:', or a JSON object): {first!r}")
