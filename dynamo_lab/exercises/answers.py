"""Answers as data: what a learner's kernel hands the grader, and back.

The grader never trusts an outcome a kernel reports. It takes each
question's *answer* out of the kernel as JSON, rebuilds it in its own process
and judges it there. This module is that codec. Nothing in it unpickles or
evaluates anything: decoding JSON gives back plain values, and a function
comes back as its source (a :class:`FunctionSource`), which only the sandbox
(:mod:`dynamo_lab.exercises.sandbox`) ever runs.

What survives the trip: ``None``, ``...`` (an unanswered stub), booleans, integers, floats (``nan`` and
``inf`` too), strings, lists, tuples, sets, frozensets, dicts with any
encodable keys, :class:`fractions.Fraction`, numpy scalars (as the Python
number they hold) and numpy arrays (as lists). Anything else arrives as an
:class:`Unsupported` placeholder, which equals nothing, so it can never be
judged correct by accident.

>>> from fractions import Fraction
>>> decode(encode({"r": 2, "w": (1, 2), "p": Fraction(1, 3), "s": {3, 1}}))
{'r': 2, 'w': (1, 2), 'p': Fraction(1, 3), 's': {1, 3}}
>>> decode(encode(object()))
<unsupported answer: object>
>>> def must_overlap(n, r, w):
...     return r + w > n
>>> encode(must_overlap)["@function"]["name"]     # doctest: +SKIP
'must_overlap'
"""

from __future__ import annotations

import ast
import builtins
import inspect
import json
import math
import textwrap
import types
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

__all__ = ["encode", "decode", "FunctionSource", "Unsupported",
           "MAX_DEPTH", "MAX_ITEMS"]

#: How deeply an answer may nest; deeper parts arrive as :class:`Unsupported`.
MAX_DEPTH = 40
#: How many values an answer may hold in all; beyond this it is refused whole.
MAX_ITEMS = 200_000


@dataclass(frozen=True)
class Unsupported:
    """Stands in for a value the codec cannot carry; equal to nothing but itself."""

    type_name: str

    def __repr__(self) -> str:
        return f"<unsupported answer: {self.type_name}>"


@dataclass(frozen=True)
class FunctionSource:
    """A learner's function (or, for a lab, class), as source text the sandbox can run.

    ``source`` defines the function (for a lambda: ``name = lambda ...``);
    ``imports`` are the import lines its globals need, ``helpers`` the
    sources of the notebook's own functions and classes it calls, and
    ``constants`` the plain values of other globals it reads. ``signature``
    lists its parameters as ``(name, kind, has_default)``, so that the
    grader can check the answer's form without running anything.
    """

    name: str
    source: str
    imports: tuple[str, ...] = ()
    helpers: tuple[str, ...] = ()
    constants: dict = field(default_factory=dict)
    signature: tuple[tuple[str, str, bool], ...] | None = None
    problem: str = ""          # why the source could not be read, if it could not
    kind: str = "function"     # or "class": a lab's answer, a class defined in the notebook

    def program(self) -> str:
        """The Python text that defines the function under :attr:`name`."""
        lines = list(self.imports)
        lines += [f"{name} = __constants__[{name!r}]" for name in self.constants]
        return "\n\n".join(["\n".join(lines), *self.helpers, self.source]).strip() + "\n"


class _Budget:
    def __init__(self):
        self.items = 0

    def spend(self) -> None:
        self.items += 1
        if self.items > MAX_ITEMS:
            raise _TooLarge


class _TooLarge(Exception):
    pass


def encode(value: Any) -> Any:
    """``value`` as JSON-ready data (see the module docstring for what survives)."""
    try:
        return _encode(value, 0, _Budget())
    except _TooLarge:
        return {"@unsupported": f"an answer of more than {MAX_ITEMS:,} values"}


def _encode(value: Any, depth: int, budget: _Budget) -> Any:
    budget.spend()
    if depth > MAX_DEPTH:
        return {"@unsupported": f"a value nested more than {MAX_DEPTH} deep"}
    if value is None or isinstance(value, (bool, str)):
        return value
    if value is Ellipsis:          # the untouched stub: "not attempted", not "wrong form"
        return {"@ellipsis": None}
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else {"@float": repr(float(value))}
    if isinstance(value, Fraction):
        return {"@fraction": [value.numerator, value.denominator]}
    numpy_value = _from_numpy(value)
    if numpy_value is not _NOT_NUMPY:
        return _encode(numpy_value, depth, budget)
    inner = depth + 1
    if isinstance(value, list):
        return [_encode(item, inner, budget) for item in value]
    if isinstance(value, tuple):
        return {"@tuple": [_encode(item, inner, budget) for item in value]}
    if isinstance(value, (set, frozenset)):
        tag = "@frozenset" if isinstance(value, frozenset) else "@set"
        items = [_encode(item, inner, budget) for item in value]
        return {tag: sorted(items, key=lambda item: json.dumps(item, sort_keys=True))}
    if isinstance(value, dict):
        return {"@dict": [[_encode(k, inner, budget), _encode(v, inner, budget)]
                          for k, v in value.items()]}
    if isinstance(value, (types.FunctionType, types.MethodType)):
        return {"@function": _function_fields(value)}
    if isinstance(value, type) and _defined_in_notebook(value):
        return {"@function": _class_fields(value)}
    return {"@unsupported": type(value).__name__}


_NOT_NUMPY = object()


def _from_numpy(value: Any) -> Any:
    """A numpy scalar or array as plain Python, or ``_NOT_NUMPY``."""
    module = type(value).__module__
    if module != "numpy" and not module.startswith("numpy."):
        return _NOT_NUMPY
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return _NOT_NUMPY


def decode(data: Any) -> Any:
    """The value :func:`encode` wrote; functions come back as :class:`FunctionSource`.

    Malformed data (from a tampered file) decodes to :class:`Unsupported`
    rather than raising.
    """
    try:
        return _decode(data, 0)
    except (TypeError, ValueError, KeyError, AttributeError, ZeroDivisionError, RecursionError):
        return Unsupported("malformed answer data")


def _decode(data: Any, depth: int) -> Any:
    if depth > MAX_DEPTH + 2:
        return Unsupported(f"a value nested more than {MAX_DEPTH} deep")
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    inner = depth + 1
    if isinstance(data, list):
        return [_decode(item, inner) for item in data]
    if not isinstance(data, dict) or len(data) != 1:
        return Unsupported("malformed answer data")
    (tag, body), = data.items()
    if tag == "@tuple":
        return tuple(_decode(item, inner) for item in body)
    if tag == "@set":
        return {_decode(item, inner) for item in body}
    if tag == "@frozenset":
        return frozenset(_decode(item, inner) for item in body)
    if tag == "@dict":
        return {_decode(k, inner): _decode(v, inner) for k, v in body}
    if tag == "@ellipsis":
        return Ellipsis
    if tag == "@float":
        if body not in ("nan", "inf", "-inf"):
            return Unsupported("malformed answer data")
        return float(body)
    if tag == "@fraction":
        numerator, denominator = body
        if not (isinstance(numerator, int) and isinstance(denominator, int)):
            return Unsupported("malformed answer data")
        return Fraction(numerator, denominator)
    if tag == "@function":
        return _function_from_fields(body)
    if tag == "@unsupported":
        return Unsupported(str(body))
    return Unsupported("malformed answer data")


# -- functions: source, and what its globals need ------------------------------------------

def _function_fields(fn) -> dict:
    """The fields of a :class:`FunctionSource` for ``fn``, as JSON-ready data."""
    function = fn.__func__ if isinstance(fn, types.MethodType) else fn
    name = function.__name__ if function.__name__.isidentifier() else "_answer"
    fields: dict[str, Any] = {"name": name, "signature": _signature(function)}
    try:
        source = _source_of(function, name)
    except (OSError, TypeError, SyntaxError, ValueError) as exc:
        fields.update(source="", problem=f"its source could not be read ({exc})")
        return fields
    imports, helpers, constants, problems = _globals_needed(function, {name})
    # A closure's free variables become globals of the rebuilt function.
    for free_name, cell in zip(function.__code__.co_freevars, function.__closure__ or ()):
        try:
            value = cell.cell_contents
        except ValueError:     # not bound yet
            continue
        if _defined_in_notebook(value) or isinstance(value, types.FunctionType):
            try:
                helpers.append(textwrap.dedent(inspect.getsource(value)))
            except (OSError, TypeError) as exc:
                problems.append(f"the source of {free_name} could not be read ({exc})")
        else:
            constants[free_name] = encode(value)
    fields.update(source=source, imports=imports, helpers=helpers, constants=constants,
                  problem="; ".join(problems))
    return fields


def class_source(cls: type) -> str:
    """The source of ``cls``, also for a class defined in a notebook cell.

    ``inspect.getsource`` finds a class through its module's file, which a
    notebook's ``__main__`` does not have. A cell's code is in the line cache
    under its own file name, which the class's methods carry; failing that,
    the kernel's input history holds the cell.
    """
    try:
        return textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError):
        pass
    import linecache
    import sys

    texts = []
    for member in vars(cls).values():
        function = getattr(member, "__func__", member)
        if isinstance(function, types.FunctionType):
            texts.append("".join(linecache.getlines(function.__code__.co_filename)))
    history = getattr(sys.modules.get("__main__"), "_ih", None) or []
    texts += [cell for cell in reversed(history) if isinstance(cell, str)]
    for text in texts:
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        found = [node for node in ast.walk(tree)
                 if isinstance(node, ast.ClassDef) and node.name == cls.__name__]
        if found:
            return textwrap.dedent(ast.get_source_segment(text, found[-1], padded=True) or "")
    raise OSError(f"the source of class {cls.__name__} was not found in the notebook")


def _class_needs(cls: type, seen: set[str]) -> tuple[list[str], list[str], dict, list[str]]:
    """What a notebook class's source needs: the names its bases and methods read."""
    source = class_source(cls)
    names = {node.id for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Name)}
    namespace: dict = {}
    for member in vars(cls).values():
        function = getattr(member, "__func__", member)
        if isinstance(function, types.FunctionType):
            names |= _names_read(function.__code__)
            namespace = function.__globals__
    if not namespace:
        import sys

        namespace = vars(sys.modules.get(cls.__module__, builtins))
    return _names_needed(names, namespace, seen)


def _class_fields(cls: type) -> dict:
    """The fields of a :class:`FunctionSource` for a notebook class (a lab's answer)."""
    fields: dict[str, Any] = {"name": cls.__name__, "signature": None, "kind": "class"}
    try:
        source = class_source(cls)
        imports, helpers, constants, problems = _class_needs(cls, {cls.__name__})
    except (OSError, TypeError, SyntaxError, ValueError) as exc:
        fields.update(source="", problem=f"its source could not be read ({exc})")
        return fields
    fields.update(source=source, imports=imports, helpers=helpers, constants=constants,
                  problem="; ".join(problems))
    return fields


def _function_from_fields(body: dict) -> FunctionSource:
    signature = body.get("signature")
    return FunctionSource(
        name=str(body["name"]), source=str(body.get("source", "")),
        imports=tuple(str(line) for line in body.get("imports", ())),
        helpers=tuple(str(text) for text in body.get("helpers", ())),
        constants={str(k): _decode(v, 1) for k, v in body.get("constants", {}).items()},
        signature=None if signature is None else tuple((str(n), str(k), bool(d))
                                                       for n, k, d in signature),
        problem=str(body.get("problem", "")), kind=str(body.get("kind", "function")))


def _signature(fn) -> list | None:
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return None
    return [[p.name, p.kind.name, p.default is not p.empty] for p in parameters]


def _source_of(fn, name: str) -> str:
    """``fn``'s source, dedented; a lambda is cut out of its line and named ``name``."""
    text = textwrap.dedent(inspect.getsource(fn))
    if fn.__name__ != "<lambda>":
        return text
    # getsource gives the whole statement around a lambda, e.g. q.check(lambda n: ...).
    tree = ast.parse(text)
    wanted = fn.__code__.co_varnames[:fn.__code__.co_argcount]
    for node in ast.walk(tree):
        if isinstance(node, ast.Lambda) and tuple(a.arg for a in node.args.args) == wanted:
            return f"{name} = {ast.get_source_segment(text, node)}\n"
    raise ValueError("the lambda could not be found in its line")


def _globals_needed(fn, seen: set[str]) -> tuple[list[str], list[str], dict, list[str]]:
    """Import lines, helper sources and constants for the globals ``fn`` reads."""
    return _names_needed(_names_read(fn.__code__), fn.__globals__, seen)


def _names_needed(names: set[str], namespace: dict,
                  seen: set[str]) -> tuple[list[str], list[str], dict, list[str]]:
    """Import lines, helper sources and constants for ``names`` of ``namespace``."""
    imports: list[str] = []
    helpers: list[str] = []
    constants: dict[str, Any] = {}
    problems: list[str] = []
    for global_name in sorted(names):
        if global_name in seen or global_name not in namespace:
            continue   # a builtin, a parameter's name, or not defined: the sandbox will say
        seen.add(global_name)
        value = namespace[global_name]
        if isinstance(value, types.ModuleType):
            imports.append(f"import {value.__name__} as {global_name}")
        elif _defined_in_notebook(value):
            try:
                helpers.append(class_source(value) if isinstance(value, type)
                               else textwrap.dedent(inspect.getsource(value)))
            except (OSError, TypeError) as exc:
                problems.append(f"the source of {global_name} could not be read ({exc})")
                continue
            if isinstance(value, (types.FunctionType, type)):
                more = (_globals_needed(value, seen) if isinstance(value, types.FunctionType)
                        else _class_needs(value, seen))
                imports += more[0]
                helpers[-1:-1] = more[1]          # a helper's helpers come before it
                constants.update(more[2])
                problems += more[3]
        elif (getattr(value, "__module__", None) and getattr(value, "__qualname__", None)
              and callable(value)):
            module, qualname = value.__module__, value.__qualname__
            if "." in qualname or module == "builtins":
                if getattr(builtins, global_name, None) is not value:
                    problems.append(f"{global_name} cannot be imported by name")
                continue
            imports.append(f"from {module} import {qualname} as {global_name}")
        else:
            constants[global_name] = encode(value)
    return imports, helpers, constants, problems


def _names_read(code: types.CodeType) -> set[str]:
    """Every global name a code object (and the code nested in it) reads."""
    names = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= _names_read(constant)
    return names


def _defined_in_notebook(value: Any) -> bool:
    """True for a function or class the learner defined in the notebook."""
    return (isinstance(value, (types.FunctionType, type))
            and getattr(value, "__module__", None) == "__main__")
