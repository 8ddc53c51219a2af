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
    happen).
EDN histories (``*.edn``, ``*.txt``)
    One map per line,
    ``{:process 0, :type :invoke, :f :append, :key "4", :value "x 0 1 y"}``.
    Operations of the ``:nemesis`` process are skipped: they are fault
    injections, not client operations.
JSON lines (``*.jsonl``)
    What :meth:`History.to_jsonl` writes.

In both Jepsen formats an invocation and its completion are matched by
process (a Jepsen process has at most one operation open at a time) and the
pair gets one ``op_id``. These files carry no clock, so an operation's
``time`` is its line number: only the order of events matters for
linearizability.

Examples
--------
>>> h = parse_jepsen_log('''
... INFO  jepsen.util - 0 :invoke :cas [1 2]
... INFO  jepsen.util - 0 :fail :cas [1 2]
... ''')
>>> [(op.process, op.type, op.f, op.value, op.time) for op in h]
[('0', 'invoke', 'cas', (1, 2), 2.0), ('0', 'fail', 'cas', (1, 2), 3.0)]
>>> h = parse_edn_history('{:process 1, :type :invoke, :f :get, :key "k", :value nil}')
>>> h.pending[0].key
'k'
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from dynamo_lab.history import COMPLETION_TYPES, MAX_DEPTH, History, read_text_file

__all__ = ["read_history", "parse_jepsen_log", "parse_edn_history"]

# ---------------------------------------------------------------------------
# A small EDN reader: enough for Jepsen histories (maps, vectors, lists,
# strings, numbers, keywords, nil/true/false), nothing more.

_EDN_TOKEN = re.compile(r"""
    (?P<space>[\s,]+)
  | (?P<open>[\[{(])
  | (?P<close>[\]})])
  | "(?P<string>(?:[^"\\]|\\.)*)"
  | (?P<atom>[^\s,\[\]{}()"]+)
""", re.VERBOSE | re.DOTALL)
_INT = re.compile(r"[+-]?\d+N?")
_FLOAT = re.compile(r"[+-]?(\d+\.\d*|\d*\.\d+|\d+)([eE][+-]?\d+)?M?")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "b": "\b", "f": "\f"}
_CLOSER = {"[": "]", "{": "}", "(": ")"}


class _Keyword(str):
    """An EDN keyword (``:ok``), held as its name without the colon."""

    __slots__ = ()

    def __repr__(self) -> str:
        return ":" + str(self)


def _unescape(body: str) -> str:
    out, i = [], 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        code = body[i + 1]
        if code == "u":
            out.append(chr(int(body[i + 2:i + 6], 16)))
            i += 6
        elif code in _ESCAPES:
            out.append(_ESCAPES[code])
            i += 2
        else:
            raise ValueError(f"unknown string escape \\{code}")
    return "".join(out)


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
    return text  # a symbol; Jepsen histories do not use them, keep the text


def _read_edn(text: str) -> Any:
    """Parse exactly one EDN value from ``text``.

    Maps become dicts, vectors and lists tuples, keywords :class:`_Keyword`.

    >>> _read_edn('{:a [1 "x\\\\ty" nil], :b :c}')
    {:a: (1, 'x\\ty', None), :b: :c}
    """
    tokens = []
    pos = 0
    while pos < len(text):
        m = _EDN_TOKEN.match(text, pos)
        if m is None:
            if text[pos] == '"':
                raise ValueError(f"the string at column {pos + 1} is never closed")
            raise ValueError(f"cannot read {text[pos:pos + 10]!r} at column {pos + 1}")
        if m.lastgroup != "space":
            tokens.append(m)
        pos = m.end()
    if not tokens:
        raise ValueError("no value")

    def value(k: int, depth: int = 0) -> tuple[Any, int]:
        if k >= len(tokens):
            raise ValueError("the text ends inside a value")
        tok = tokens[k]
        kind = tok.lastgroup
        if kind == "string":
            return _unescape(tok.group("string")), k + 1
        if kind == "atom":
            return _atom(tok.group("atom")), k + 1
        if kind == "close":
            raise ValueError(f"unexpected {tok.group()!r} at column {tok.start() + 1}")
        if depth >= MAX_DEPTH:
            # A history's values nest no deeper than a cluster stores them.
            raise ValueError(f"the value nests more than {MAX_DEPTH} levels deep at column "
                             f"{tok.start() + 1}")
        opener = tok.group("open")
        items, k = [], k + 1
        while True:
            if k >= len(tokens):
                raise ValueError(f"{opener!r} at column {tok.start() + 1} is never closed")
            if tokens[k].lastgroup == "close":
                if tokens[k].group() != _CLOSER[opener]:
                    raise ValueError(f"{opener!r} at column {tok.start() + 1} is closed by "
                                     f"{tokens[k].group()!r}")
                k += 1
                break
            item, k = value(k, depth + 1)
            items.append(item)
        if opener != "{":
            return tuple(items), k
        if len(items) % 2:
            raise ValueError(f"the map at column {tok.start() + 1} has a key without a value")
        try:
            return dict(zip(items[::2], items[1::2])), k
        except TypeError:
            raise ValueError(f"the map at column {tok.start() + 1} has a key that "
                             "cannot be a key (a map)") from None

    result, k = value(0)
    if k != len(tokens):
        raise ValueError(f"unexpected text after the value at column {tokens[k].start() + 1}")
    return result


def _plain(value: Any) -> Any:
    """Keywords to plain strings, recursively (for values stored in a History)."""
    if isinstance(value, _Keyword):
        return str(value)
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    return value


# ---------------------------------------------------------------------------
# Pairing invocations and completions by process.

class _Pairer:
    """Builds a History from events that name a process, not an op_id."""

    def __init__(self, source: str):
        self.source = source
        self.history = History()
        self.open: dict[str, tuple[Any, int]] = {}  # process -> (invocation, line)

    def error(self, line_no: int, problem: str, line: str) -> ValueError:
        return ValueError(f"{self.source}, line {line_no}: {problem}: {line.strip()!r}")

    def event(self, line_no: int, line: str, process: str, type_: str, f: str,
              key: str | None, value: Any) -> None:
        if type_ == "invoke":
            if process in self.open:
                prev_line = self.open[process][1]
                raise self.error(line_no, f"process {process} invokes an operation while its "
                                 f"operation from line {prev_line} is still open", line)
            op = self.history.invoke(process=process, f=f, key=key, value=_plain(value),
                                     time=line_no)
            self.open[process] = (op, line_no)
            return
        if type_ not in COMPLETION_TYPES:
            raise self.error(line_no, f"unknown event type {type_!r} (expected invoke, "
                             "ok, fail or info)", line)
        if process not in self.open:
            raise self.error(line_no, f"process {process} completes an operation it never "
                             "invoked", line)
        invocation, _ = self.open.pop(process)
        if f != invocation.f or key != invocation.key:
            raise self.error(line_no, f"the completion ({f} on {key!r}) does not match process "
                             f"{process}'s open invocation ({invocation.f} on "
                             f"{invocation.key!r})", line)
        error = None
        if isinstance(value, _Keyword):
            # ``:timed-out`` and the like: the result is unknown.
            error, value = str(value), invocation.value
            if type_ == "fail" and f in ("read", "get"):
                type_ = "info"
        self.history.complete(invocation, type=type_, value=_plain(value), time=line_no,
                              error=error)


# ---------------------------------------------------------------------------
# The two formats.

_JEPSEN_LINE = re.compile(
    r"^\s*(?:\S+\s+)?jepsen\.util\s+-\s+(?P<process>\S+)\s+:(?P<type>[\w-]+)"
    r"\s+:(?P<f>[\w-]+)(?:\s+(?P<value>.*?))?\s*$")


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

    Raises
    ------
    ValueError
        A line that is not a Jepsen event or a completion with no matching
        invocation; the message names ``source`` and the line.

    Examples
    --------
    >>> h = parse_jepsen_log('''INFO  jepsen.util - 3 :invoke :write 4
    ... INFO  jepsen.util - 0 :invoke :read nil
    ... INFO  jepsen.util - 0 :ok :read nil
    ... INFO  jepsen.util - 3 :info :write :timed-out''')
    >>> [(op.process, op.type, op.f, op.value, op.error) for op in h]  # doctest: +NORMALIZE_WHITESPACE
    [('3', 'invoke', 'write', 4, None), ('0', 'invoke', 'read', None, None),
     ('0', 'ok', 'read', None, None), ('3', 'info', 'write', 4, 'timed-out')]
    """
    pairer = _Pairer(source)
    for line_no, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        m = _JEPSEN_LINE.match(line)
        if m is None:
            raise pairer.error(line_no, "not a Jepsen event "
                               "('INFO  jepsen.util - PROCESS :TYPE :F VALUE')", line)
        process = m.group("process")
        if process.startswith(":"):  # :nemesis
            continue
        try:
            value = _read_edn(m.group("value")) if m.group("value") else None
        except ValueError as exc:
            raise pairer.error(line_no, f"bad value ({exc})", line) from None
        pairer.event(line_no, line, process, m.group("type"), m.group("f"), None, value)
    return pairer.history


def parse_edn_history(text: str, source: str = "<text>") -> History:
    """Parse a history with one EDN map per line (Jepsen's ``history.edn``).

    Parameters
    ----------
    text : str
        The file's content.
    source : str
        Named in error messages (usually the file's path).

    Returns
    -------
    History
        One record per client event; ``key`` is a string (or ``None`` when
        the map has no ``:key``) and ``time`` the line number.

    Raises
    ------
    ValueError
        A line that is not an EDN map with ``:process``, ``:type`` and
        ``:f``, or events that do not pair up; the message names ``source``
        and the line.

    Examples
    --------
    >>> h = parse_edn_history('''
    ... {:process 0, :type :invoke, :f :append, :key "4", :value "x 0 1 y"}
    ... {:process 0, :type :ok, :f :append, :key "4", :value "x 0 1 y"}''')
    >>> [(op.process, op.type, op.f, op.key, op.value) for op in h]
    [('0', 'invoke', 'append', '4', 'x 0 1 y'), ('0', 'ok', 'append', '4', 'x 0 1 y')]
    """
    pairer = _Pairer(source)
    for line_no, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = _read_edn(line)
        except ValueError as exc:
            raise pairer.error(line_no, f"not an EDN value ({exc})", line) from None
        if not isinstance(record, dict):
            raise pairer.error(line_no, "expected a map {...}", line)
        missing = [k for k in ("process", "type", "f") if k not in record]
        if missing:
            raise pairer.error(line_no, "the map has no " + ", ".join(":" + k for k in missing),
                               line)
        process, type_, f = record["process"], record["type"], record["f"]
        if isinstance(process, _Keyword):  # :nemesis
            continue
        if not isinstance(type_, _Keyword) or not isinstance(f, _Keyword):
            raise pairer.error(line_no, ":type and :f must be keywords", line)
        key = record.get("key")
        pairer.event(line_no, line, str(process), str(type_), str(f),
                     None if key is None else str(_plain(key)), record.get("value"))
    return pairer.history


def read_history(path: str | Path) -> History:
    """Read a history file, telling its format from its content.

    Parameters
    ----------
    path : str or Path
        A Jepsen register log (lines with ``jepsen.util``), an EDN history
        (lines starting with ``{:``) or the project's JSON lines (lines
        starting with ``{"``, or a ``.jsonl`` file).

    Returns
    -------
    History

    Raises
    ------
    ValueError
        The file is empty, not text, in none of these formats, or has a bad
        line (one whose value nests more than ``MAX_DEPTH`` levels deep,
        say); the message names the file (and the line).
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
    for line_no, line in enumerate(text.splitlines(), 1):
        first = line.strip()
        if first:
            break
    else:
        raise ValueError(f"{source}: the file is empty, there is no history in it")
    if path.suffix == ".jsonl" or first.startswith('{"'):
        try:
            return History.from_jsonl(text if text.endswith("\n") else text + "\n")
        except ValueError as exc:
            raise ValueError(f"{source}: {exc}") from None
    if "jepsen.util" in first:
        return parse_jepsen_log(text, source)
    if first.startswith("{"):
        return parse_edn_history(text, source)
    raise ValueError(f"{source}, line {line_no}: cannot tell the format (expected a Jepsen "
                     f"log line, an EDN map or a JSON object): {first!r}")
