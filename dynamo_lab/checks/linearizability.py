"""Is a history linearizable?

A history is *linearizable* when each operation can be given one instant,
somewhere between its invocation and its completion, at which it takes
effect all at once, so that the operations taken in the order of those
instants are a legal run of a single-copy object (the *model*) and every
completed operation returns what it returned in the history. Operations that
overlap in time may be placed in either order; an operation that completed
before another began must come first.

:func:`linearizable` decides this with the search of Wing & Gong as improved
by Lowe ("Testing for linearizability", 2017): walk the history's events in
time order; at an invocation, try to make that operation take effect now
("just-in-time linearization"); at a completion whose operation has not yet
taken effect, undo the most recent choice and try the next one. Each
configuration (model state, set of operations already placed) is remembered
so that it is explored at most once. Keys are independent, so each key's
operations are checked on their own.

Models
------
``"register"``
    One value per key, initially ``None``: ``write``/``put`` set it,
    ``delete`` sets it to ``None``, ``read``/``get`` return it. A ``get``
    from the cluster returns a list of siblings: ``[]`` means ``None``,
    ``[x]`` means ``x``, and two or more siblings can never be the value of
    a single register (the read is not linearizable).
``"cas_register"``
    A register with ``cas`` as well: its value ``(expected, new)`` sets the
    register to ``new`` if it holds ``expected``; an ``ok`` cas must have
    found ``expected``.
``"kv"``
    One string per key, initially ``""``: ``put`` sets it, ``append``
    concatenates, ``get`` returns the whole string.
``"mutex"``
    A lock per key, initially free (knossos's mutex): ``acquire`` takes a
    free lock, ``release`` frees a held one. Who holds it is not checked.
``"multi_register"``
    Several registers in one object (knossos's multi-register): each
    operation is a ``txn`` whose value is a list of micro-operations
    ``(f, register, value)``, with ``f`` ``"read"`` or ``"write"``, applied
    at one instant. A completed txn's reads return what its completion
    records. Every register starts at the initial value. Since a txn spans
    registers, the whole history is one object (its keys are ignored).

``initial`` sets the value every key (register) starts with: ``None`` for
the registers and ``""`` for ``kv`` unless given, as knossos's
``(register 0)`` or porcupine's ``Init: 0`` would.

Operations of the process ``"nemesis"`` (Jepsen's fault injector, kept by
:func:`~dynamo_lab.checks.read_history`) are not client operations: every
model ignores them.

Completions of type ``fail`` mean the operation did not happen: they are left
out. An ``info`` completion, or none at all, is indeterminate: the operation
may take effect at any instant after its invocation, or never. An
indeterminate read tells us nothing and is left out. With
``nil_reads="unknown"``, an ``ok`` read whose value is ``None`` (Jepsen's
``nil``) is left out too, as knossos does: in many Jepsen tests a read of
``nil`` means the client did not learn the value.

Examples
--------
Bob's put of 2 overlaps Alice's put of 1, so either may take effect first;
Carol reads 1, which means 2 was written before 1:

>>> from dynamo_lab.history import History
>>> h = History()
>>> a = h.invoke(process="alice", f="put", key="k", value=1, time=0)
>>> b = h.invoke(process="bob", f="put", key="k", value=2, time=1)
>>> _ = h.complete(a, type="ok", value=1, time=2)
>>> _ = h.complete(b, type="ok", value=2, time=3)
>>> c = h.invoke(process="carol", f="get", key="k", value=None, time=4)
>>> _ = h.complete(c, type="ok", value=[1], time=5)
>>> linearizable(h)
<LinearizabilityResult: linearizable (model 'register', 1 key)>

Dave reads afterwards and sees 2 again. No order of the two puts explains
both reads:

>>> d = h.invoke(process="dave", f="get", key="k", value=None, time=6)
>>> _ = h.complete(d, type="ok", value=[2], time=7)
>>> result = linearizable(h)
>>> bool(result), result.key
(False, 'k')
>>> print(result.explanation)  # doctest: +NORMALIZE_WHITESPACE
On key 'k', get by dave returned [2], but no order of the operations allows it:
the best order found for the operations before it ends with put 1 by alice,
so the key holds 1 at that point, and no operation concurrent with it could
have changed that.
>>> [(op.process, op.type, op.f, op.value) for op in result.witness]  # doctest: +NORMALIZE_WHITESPACE
[('alice', 'invoke', 'put', 1), ('alice', 'ok', 'put', 1),
 ('dave', 'invoke', 'get', None), ('dave', 'ok', 'get', [2])]
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from dynamo_lab.history import History, Operation, check_history
from dynamo_lab.validation import whole_number

__all__ = ["linearizable", "LinearizabilityResult", "MODELS", "NIL_READS", "NEMESIS"]

#: The models :func:`linearizable` knows.
MODELS = ("register", "cas_register", "kv", "mutex", "multi_register")
#: How an ``ok`` read of ``None`` counts: as the value None, or as unknown (knossos).
NIL_READS = ("value", "unknown")
#: The process whose operations are faults, not client operations (Jepsen's nemesis).
NEMESIS = "nemesis"
# "The model's own initial value", distinct from an initial value of None.
_MODEL_DEFAULT = object()

#: Default bound on remembered configurations (about 200 bytes each).
MAX_STATES = 1_000_000

#: How many operations a witness shows at most.
_WITNESS_OPS = 8

# A step function returns the model's next state, or _NO when the operation
# cannot take effect in this state (or would return something else).
_NO = object()
# What a read that returned several siblings observed: no single state.
_SIBLINGS = object()


@dataclass(frozen=True, repr=False)
class LinearizabilityResult:
    """The verdict of :func:`linearizable`.

    Attributes
    ----------
    valid : bool or None
        ``True``: linearizable; ``False``: not linearizable; ``None``: the
        check gave up (time budget or memory bound reached) without deciding.
    model : str
        The model the history was checked against.
    key : object
        When ``valid`` is ``False``, the key whose operations cannot be
        linearized; when ``None``, the key the check gave up on. (For
        single-register histories the key itself is ``None``.)
    witness : tuple of Operation
        When ``valid`` is ``False``, a few records of the history (each
        operation's invocation and completion) that show the problem: the
        operation that cannot be placed, the operation that set the value it
        contradicts, and operations concurrent with it. Empty otherwise.
    explanation : str
        The verdict in a sentence or two, for a learner.
    elapsed_s : float
        Wall-clock time the check took.
    keys_checked : int
        How many keys the history has (each is checked on its own).

    ``bool(result)`` is ``True`` only for a linearizable history.
    """

    valid: bool | None
    model: str
    key: Any = None
    witness: tuple[Operation, ...] = ()
    explanation: str = ""
    elapsed_s: float = 0.0
    keys_checked: int = 0

    def __bool__(self) -> bool:
        return self.valid is True

    def __repr__(self) -> str:
        # No timings here: a repr shown in a lesson must print the same every run
        # (read elapsed_s for the time).
        if self.valid is True:
            keys = f"{self.keys_checked} key" + ("" if self.keys_checked == 1 else "s")
            return f"<LinearizabilityResult: linearizable (model {self.model!r}, {keys})>"
        if self.valid is False:
            return (f"<LinearizabilityResult: NOT linearizable (model {self.model!r}, key "
                    f"{self.key!r}, witness of {len(self.witness)} records)>")
        return (f"<LinearizabilityResult: unknown, gave up within the time budget (model "
                f"{self.model!r}, key {self.key!r})>")


# ---------------------------------------------------------------------------
# Models: each turns one operation into a step function on hashable states.

class _Call:
    """One operation as the search sees it."""

    __slots__ = ("inv", "comp", "definite", "call_at", "return_at", "step", "mutates",
                 "observed")

    def __init__(self, inv: Operation, comp: Operation | None):
        self.inv = inv
        self.comp = comp
        self.definite = comp is not None and comp.type == "ok"
        self.call_at = (inv.time, inv.index)
        self.return_at = (comp.time, comp.index) if self.definite else (math.inf, math.inf)
        self.step: Callable[[Any], Any] = None  # type: ignore[assignment]
        self.mutates = False
        self.observed: Any = None


def _freeze(value: Any) -> Any:
    """A hashable stand-in for ``value`` (lists become tuples, and so on)."""
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return frozenset((k, _freeze(v)) for k, v in value.items())
    if isinstance(value, set):
        return frozenset(_freeze(v) for v in value)
    return value


def _observed(f: str, value: Any, empty: Any) -> Any:
    """The single value a read returned, ``empty`` for none, or ``_SIBLINGS``."""
    if f == "get" and isinstance(value, list):
        if not value:
            return empty
        if len(value) == 1:
            return _freeze(value[0])
        return _SIBLINGS
    if value is None:
        return empty
    return _freeze(value)


def _reader(want: Any) -> Callable[[Any], Any]:
    return lambda s: s if s == want else _NO


def _setter(value: Any) -> Callable[[Any], Any]:
    return lambda s: value


def _compile_register(call: _Call, f: str, model: str) -> None:
    inp = call.inv.value
    if f in ("write", "put"):
        call.step, call.mutates = _setter(_freeze(inp)), True
    elif f == "delete":
        call.step, call.mutates = _setter(None), True
    elif f in ("read", "get"):
        call.observed = _observed(f, call.comp.value, None)
        call.step = _reader(call.observed)
    elif f == "cas" and model == "cas_register":
        if not isinstance(inp, (list, tuple)) or len(inp) != 2:
            raise ValueError(f"a cas needs the value (expected, new), not {inp!r} "
                             f"(operation {call.inv.op_id})")
        expected, new = _freeze(inp[0]), _freeze(inp[1])
        # An indeterminate cas that finds another value has no effect, which
        # is the same as not placing it at all: the search does that anyway.
        call.step, call.mutates = (lambda s: new if s == expected else _NO), True
    else:
        known = "read/get, write/put, delete" + (", cas" if model == "cas_register" else "")
        hint = " (use model='cas_register')" if f == "cas" else ""
        raise ValueError(f"model {model!r} has no operation {f!r}{hint}; it knows {known}")


def _compile_kv(call: _Call, f: str, model: str) -> None:
    inp = call.inv.value
    if f in ("put", "append"):
        if not isinstance(inp, str):
            raise ValueError(f"model 'kv' holds strings, but {f} has the value {inp!r} "
                             f"(operation {call.inv.op_id})")
        if f == "put":
            call.step = _setter(inp)
        else:
            call.step = lambda s: s + inp
        call.mutates = True
    elif f == "delete":
        call.step, call.mutates = _setter(""), True
    elif f == "get":
        call.observed = _observed(f, call.comp.value, "")
        call.step = _reader(call.observed)
    else:
        raise ValueError(f"model 'kv' has no operation {f!r}; it knows get, put, append, delete")


def _compile_mutex(call: _Call, f: str, model: str) -> None:
    if f == "acquire":
        call.step = lambda held: True if not held else _NO
    elif f == "release":
        call.step = lambda held: False if held else _NO
    else:
        raise ValueError(f"model 'mutex' has no operation {f!r}; it knows acquire, release")
    call.mutates = True


def _micro_ops(value: Any, op_id: int) -> list[tuple[str, Any, Any]]:
    """A txn's micro-operations as (f, register, value), checked."""
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"a txn needs a list of (f, register, value), not {value!r} "
                         f"(operation {op_id})")
    micro = []
    for item in value:
        if (not isinstance(item, (list, tuple)) or len(item) != 3
                or item[0] not in ("read", "write")):
            raise ValueError(f"a txn's micro-operation is (\"read\" or \"write\", register, "
                             f"value), not {item!r} (operation {op_id})")
        micro.append((item[0], _freeze(item[1]), _freeze(item[2])))
    return micro


def _compile_multi_register(call: _Call, f: str, model: str, initial: Any = None) -> None:
    if f != "txn":
        raise ValueError(f"model 'multi_register' has no operation {f!r}; it knows txn")
    # A completed txn's reads carry their results; an unfinished one's are unknown.
    source = call.comp.value if call.definite else call.inv.value
    micro = _micro_ops(source, call.inv.op_id)
    check_reads = call.definite

    def step(state):
        registers = dict(state)
        for kind, register, value in micro:
            if kind == "write":
                registers[register] = value
            elif check_reads and registers.get(register, initial) != value:
                return _NO
        return frozenset(registers.items())

    call.step = step
    call.mutates = any(kind == "write" for kind, _, _ in micro)


_MODELS: dict[str, tuple[Any, Callable[[_Call, str, str], None]]] = {
    "register": (None, _compile_register),
    "cas_register": (None, _compile_register),
    "kv": ("", _compile_kv),
    "mutex": (False, _compile_mutex),
    "multi_register": (frozenset(), _compile_multi_register),
}
_READS = ("read", "get")


def _calls(pairs: Iterable[tuple[Operation, Operation | None]], model: str,
           initial: Any = None, nil_reads: str = "value") -> list[_Call]:
    """The operations that constrain the search, compiled for ``model``."""
    compile_ = _MODELS[model][1]
    calls = []
    for inv, comp in pairs:
        if comp is not None and comp.type == "fail":
            continue  # it did not happen
        call = _Call(inv, comp)
        if not call.definite and inv.f in _READS:
            continue  # a read with an unknown result constrains nothing
        if nil_reads == "unknown" and call.definite and inv.f in _READS and comp.value is None:
            continue  # knossos: an ok read of nil did not learn the value
        if model == "multi_register":
            _compile_multi_register(call, inv.f, model, initial)
        else:
            compile_(call, inv.f, model)
        calls.append(call)
    return calls


# ---------------------------------------------------------------------------
# The search.

class _GaveUp(Exception):
    def __init__(self, reason: str):
        self.reason = reason


def _search(calls: list[_Call], init: Any, deadline: float, max_states: int):
    """Lowe's just-in-time linearization with memoisation.

    Returns ``(True, None)``, ``(False, best)`` where ``best`` describes the
    furthest point the search reached, or raises :class:`_GaveUp`.

    Events live in a circular doubly linked list with the head at 0; the
    invocation of operation ``i`` is entry ``2*i + 1`` and its completion
    ``2*i + 2`` (indeterminate operations have no completion entry: they
    may stay unplaced). Placing an operation unlinks both its entries, and
    undoing the choice relinks them in reverse order.
    """
    n = len(calls)
    events = []
    for i, c in enumerate(calls):
        events.append((c.call_at, 2 * i + 1))
        if c.definite:
            events.append((c.return_at, 2 * i + 2))
    events.sort()
    order = [0] + [e for _, e in events]
    size = 2 * n + 1
    nxt = [0] * size
    prv = [0] * size
    position = [0] * size  # an entry's place in time order (for the witness)
    for k, e in enumerate(order):
        nxt[e] = order[(k + 1) % len(order)]
        prv[e] = order[k - 1]
        position[e] = k

    steps = [c.step for c in calls]
    definite = [c.definite for c in calls]
    remaining = sum(definite)
    if remaining == 0:
        return True, None

    memo: set[tuple[int, Any]] = set()
    stack: list[tuple[int, Any]] = []  # (operation placed, state before it)
    state, placed = init, 0
    best_rank, best = (-1, 0), None
    entry = nxt[0]
    counter = 0
    while True:
        counter += 1
        if not counter & 511:
            if time.monotonic() > deadline:
                raise _GaveUp("time")
            if len(memo) > max_states:
                raise _GaveUp("memory")
        if entry & 1:
            # An invocation: can the operation take effect now?
            i = entry >> 1
            new = steps[i](state)
            if new is not _NO:
                key = (placed | (1 << i), new)
                if key not in memo:
                    memo.add(key)
                    stack.append((i, state))
                    state, placed = new, key[0]
                    if definite[i]:
                        remaining -= 1
                        if not remaining:
                            return True, None
                        r = entry + 1
                        a, b = prv[r], nxt[r]
                        nxt[a], prv[b] = b, a
                    a, b = prv[entry], nxt[entry]
                    nxt[a], prv[b] = b, a
                    entry = nxt[0]
                    continue
            entry = nxt[entry]
            continue
        # A completion whose operation is not placed yet (or the end of the
        # list, entry 0): the choices so far cannot be extended. Backtrack.
        if entry:
            # Remember the furthest completion reached, with as few operations
            # placed as possible: the explanation then shows the state that
            # the operations before it imply, not one chosen among concurrent ones.
            rank = (position[entry], -len(stack))
            if rank > best_rank:
                best_rank = rank
                best = ((entry >> 1) - 1, placed, state, [j for j, _ in stack])
        if not stack:
            return False, best
        i, state = stack.pop()
        placed ^= 1 << i
        c = 2 * i + 1
        nxt[prv[c]] = c
        prv[nxt[c]] = c
        if definite[i]:
            remaining += 1
            r = c + 1
            nxt[prv[r]] = r
            prv[nxt[r]] = r
        entry = nxt[c]


# ---------------------------------------------------------------------------
# Explaining a failure.

def _short(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 4] + "..." + text[-1:]


def _describe(call: _Call) -> str:
    inv = call.inv
    if inv.f in _READS or inv.f == "delete":
        what = inv.f
    elif inv.f == "cas" and isinstance(inv.value, (list, tuple)) and len(inv.value) == 2:
        what = f"cas {_short(inv.value[0])}->{_short(inv.value[1])}"
    elif inv.f == "txn":      # a completed txn's reads show what they returned
        what = f"txn {_short(call.comp.value if call.definite else inv.value, 60)}"
    elif inv.f in ("acquire", "release"):
        what = inv.f
    else:
        what = f"{inv.f} {_short(inv.value)}"
    return f"{what} by {inv.process}"


def _records(chosen: Iterable[_Call]) -> tuple[Operation, ...]:
    ops = []
    for c in chosen:
        ops.append(c.inv)
        if c.comp is not None:
            ops.append(c.comp)
    return tuple(sorted(ops, key=lambda op: op.index))


def _explain_siblings(key: Any, read: _Call, calls: list[_Call]):
    values = read.comp.value
    frozen = {_freeze(v) for v in values}
    writers = [c for c in calls if c.mutates and c.inv.f in ("put", "write")
               and _freeze(c.inv.value) in frozen]
    witness = _records([read] + writers[:_WITNESS_OPS - 1])
    where = "" if key is None else f"On key {key!r}, "
    text = (f"{where}{_describe(read)} returned {len(values)} siblings {_short(values)}: a "
            "linearizable key holds one value at a time, so a read that returns concurrent "
            "siblings is never linearizable (the writes that made them were never ordered).")
    return witness, text[0].upper() + text[1:]


def _could_set(call: _Call, target: Any) -> bool:
    """Might ``call`` leave a register holding ``target``? (True if unsure.)"""
    f, value = call.inv.f, call.inv.value
    if target is _NO or not call.mutates:
        return target is _NO
    if f in ("write", "put"):
        return _freeze(value) == target
    if f == "delete":
        return target is None
    if f == "cas":
        return _freeze(value[1]) == target
    return True


def _state_text(model: str, state: Any) -> str:
    """What the object holds, as a learner would write it."""
    if model == "mutex":
        return "held" if state else "free"
    if model == "multi_register":
        return _short(dict(sorted(state, key=repr)), 60)
    return _short(state)


def _explain_search(key: Any, calls: list[_Call], best, model: str = "register"
                    ) -> tuple[tuple[Operation, ...], str]:
    stuck_i, placed, state, order = best
    stuck = calls[stuck_i]
    writer = next((calls[j] for j in reversed(order) if calls[j].mutates), None)
    end = stuck.return_at
    concurrent = [c for j, c in enumerate(calls)
                  if j != stuck_i and not placed >> j & 1 and c.call_at < end]
    # Show the completed concurrent operations and the indeterminate ones
    # that could have produced what the stuck operation needed; only count
    # the indeterminate ones that could not.
    target = (stuck.observed if stuck.inv.f in _READS else
              _freeze(stuck.inv.value[0]) if stuck.inv.f == "cas" else _NO)
    useful = sorted((c for c in concurrent if c.definite or _could_set(c, target)),
                    key=lambda c: (not c.definite, c.call_at))
    useless = len(concurrent) - len(useful)
    shown = useful[:_WITNESS_OPS - 1 - (writer is not None)]
    witness = _records([stuck] + ([writer] if writer else []) + shown)

    where = "" if key is None else f"On key {key!r}, "
    holder = "the register" if key is None else "the key"
    holds, initially = f"{holder} holds", f"{holder} still holds its initial value"
    if model == "mutex":
        holds, initially = "the lock is", "the lock is still"
    elif model == "multi_register":
        holds, initially = "the registers hold", "the registers still hold their initial values"
    if stuck.inv.f in _READS:
        claim, result = f"returned {_short(stuck.comp.value)}", f"return {_short(stuck.comp.value)}"
    elif stuck.inv.f == "cas":
        claim, result = "succeeded", "succeed"
    else:
        claim, result = "completed", "take effect"
    text = f"{where}{_describe(stuck)} {claim}, but no order of the operations allows it: "
    if writer is None:
        text += f"before it {initially} {_state_text(model, state)}"
    else:
        text += (f"the best order found for the operations before it ends with "
                 f"{_describe(writer)}, so {holds} {_state_text(model, state)} at that point")
    pieces = []
    if useful:
        names = ", ".join(_describe(c) for c in shown)
        if len(useful) > len(shown):
            names += f" and {len(useful) - len(shown)} more"
        pieces.append(names)
    if useless:
        value = _short(target)
        pieces.append(f"{useless} whose outcome is unknown and which cannot set {value}"
                      if useless > 1 else
                      f"1 whose outcome is unknown and which cannot set {value}")
    if not concurrent:
        text += ", and no operation concurrent with it could have changed that."
    elif len(concurrent) == 1:
        text += (f", and the one operation concurrent with it ({pieces[0]}) cannot be placed "
                 f"before it to make it {result}.")
    else:
        text += (f", and none of the {len(concurrent)} operations concurrent with it "
                 f"({'; '.join(pieces)}) can be placed before it to make it {result}.")
    return witness, text[0].upper() + text[1:]


# ---------------------------------------------------------------------------

def _initial_state(model: str, initial: Any) -> Any:
    """The model's starting state, with ``initial`` if one is given."""
    default = _MODELS[model][0]
    if initial is _MODEL_DEFAULT:
        return default
    if model == "mutex":
        raise ValueError("model 'mutex' starts free; it takes no initial value")
    if model == "kv" and not isinstance(initial, str):
        raise ValueError(f"model 'kv' holds strings, so initial must be a string, "
                         f"not {initial!r}")
    if model == "multi_register":
        return default      # every register reads as ``initial`` until written
    return _freeze(initial)


def linearizable(history: History | Iterable[Operation], model: str = "register",
                 timeout_s: float = 10.0, *, max_states: int = MAX_STATES,
                 initial: Any = _MODEL_DEFAULT, nil_reads: str = "value"
                 ) -> LinearizabilityResult:
    """Decide whether ``history`` is linearizable for ``model``.

    Parameters
    ----------
    history : History
        Invocations and completions paired by ``op_id`` (any iterable of
        :class:`~dynamo_lab.history.Operation` records is accepted too).
    model : {"register", "cas_register", "kv", "mutex", "multi_register"}
        The single-copy object each key is compared with (see the module
        docstring).
    timeout_s : float
        Time budget in seconds for the whole check; when it runs out the
        verdict is ``None`` (unknown).
    max_states : int
        Give up (verdict ``None``) when the search has remembered more than
        this many configurations, so memory stays bounded.
    initial : optional
        The value every key (register) holds before the first operation;
        by default the model's own (``None``; ``""`` for ``kv``). A mutex
        always starts free.
    nil_reads : {"value", "unknown"}
        ``"value"``: an ``ok`` read of ``None`` says the key held ``None``.
        ``"unknown"``: such a read is left out, as knossos does.

    Returns
    -------
    LinearizabilityResult
        ``valid`` is ``True``, ``False`` or ``None``; when ``False``,
        ``key``, ``witness`` and ``explanation`` say why.

    Raises
    ------
    ValueError
        An unknown model, a negative time budget, an operation the model does
        not have, or an initial value the model cannot hold.

    Notes
    -----
    Events are ordered by ``(time, index)``: records with equal times keep
    their order in the history. Keys are checked smallest first, and the
    check stops at the first key that is not linearizable.

    Examples
    --------
    Alice's write is over before Bob reads, yet Bob reads nothing:

    >>> from dynamo_lab.history import History
    >>> h = History()
    >>> w = h.invoke(process="alice", f="put", key="x", value=1, time=0)
    >>> _ = h.complete(w, type="ok", value=1, time=1)
    >>> r = h.invoke(process="bob", f="get", key="x", value=None, time=2)
    >>> _ = h.complete(r, type="ok", value=[], time=3)
    >>> result = linearizable(h)
    >>> result
    <LinearizabilityResult: NOT linearizable (model 'register', key 'x', witness of 4 records)>
    >>> print(result.explanation)  # doctest: +NORMALIZE_WHITESPACE
    On key 'x', get by bob returned [], but no order of the operations allows
    it: the best order found for the operations before it ends with put 1 by
    alice, so the key holds 1 at that point, and no operation concurrent with
    it could have changed that.

    Had Bob's read overlapped the write, either answer would do:

    >>> h = History()
    >>> w = h.invoke(process="alice", f="put", key="x", value=1, time=0)
    >>> r = h.invoke(process="bob", f="get", key="x", value=None, time=0.5)
    >>> _ = h.complete(w, type="ok", value=1, time=1)
    >>> _ = h.complete(r, type="ok", value=[], time=3)
    >>> bool(linearizable(h))
    True
    """
    if not isinstance(model, str) or model not in _MODELS:
        raise ValueError(f"unknown model {model!r}; choose one of "
                         + ", ".join(repr(m) for m in MODELS))
    if (not isinstance(timeout_s, (int, float)) or isinstance(timeout_s, bool)
            or math.isnan(timeout_s) or timeout_s < 0):
        raise ValueError(f"timeout_s must be a number of seconds >= 0, not {timeout_s!r}")
    whole_number("max_states", max_states)
    if not isinstance(nil_reads, str) or nil_reads not in NIL_READS:
        raise ValueError(f"nil_reads={nil_reads!r} is not allowed; choose 'value' (a read of "
                         "None says the key held None) or 'unknown' (knossos: it says nothing)")
    init = _initial_state(model, initial)
    history = check_history(history, records=True)
    start = time.monotonic()
    deadline = start + timeout_s

    by_key: dict[Any, list] = {}
    for inv, comp in history.pairs():
        if inv.process == NEMESIS:
            continue  # a fault injected by the test, not a client's operation
        # A txn spans registers, so a multi-register history is one object.
        by_key.setdefault(None if model == "multi_register" else inv.key, []).append((inv, comp))
    register_initial = None if initial is _MODEL_DEFAULT else _freeze(initial)
    compiled = {key: _calls(pairs, model, register_initial, nil_reads)
                for key, pairs in by_key.items()}

    def verdict(valid, key=None, witness=(), explanation=""):
        return LinearizabilityResult(valid=valid, model=model, key=key, witness=witness,
                                     explanation=explanation,
                                     elapsed_s=time.monotonic() - start,
                                     keys_checked=len(compiled))

    # A read of several siblings is wrong whatever the order: report it at once.
    for key, calls in compiled.items():
        for call in calls:
            if call.observed is _SIBLINGS:
                return verdict(False, key, *_explain_siblings(key, call, calls))

    gave_up = None
    for key in sorted(compiled, key=lambda k: len(compiled[k])):
        calls = compiled[key]
        try:
            ok, best = _search(calls, init, deadline, max_states)
        except _GaveUp as exc:
            if gave_up is None:
                gave_up = (key, exc.reason, len(calls))
            continue
        if not ok:
            return verdict(False, key, *_explain_search(key, calls, best, model))
    if gave_up is not None:
        key, reason, n = gave_up
        why = (f"the time budget of {timeout_s:g} s ran out" if reason == "time" else
               f"it remembered more than {max_states:,} configurations")
        return verdict(None, key, (), f"Gave up on key {key!r} ({n} operations) because "
                       f"{why}: the history may or may not be linearizable.")
    n_ops = sum(len(c) for c in compiled.values())
    return verdict(True, None, (), f"All {n_ops} operations that constrain the result can be "
                   f"put in one order consistent with their results on each of the "
                   f"{len(compiled)} key(s): the history is linearizable.")
