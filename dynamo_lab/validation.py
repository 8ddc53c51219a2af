"""Checks for arguments that every part of the package takes alike.

Each raises a ``ValueError`` that names the argument, says what is allowed
and shows what was given, and otherwise returns the value.

Examples
--------
>>> whole_number("keys", 20, low=1)
20
>>> whole_number("keys", 0, low=1)
Traceback (most recent call last):
...
ValueError: keys must be a whole number >= 1, got 0
>>> whole_number("depth", 13, low=1, high=12)
Traceback (most recent call last):
...
ValueError: depth must be a whole number from 1 to 12, got 13
>>> milliseconds("timeout_ms", 100)
100.0
>>> milliseconds("delay_ms", 0, allow_zero=True)
0.0
>>> probability("loss", 1.5)
Traceback (most recent call last):
...
ValueError: loss must be a probability between 0 and 1, got 1.5
>>> quorum_size("w", 4, 3)
Traceback (most recent call last):
...
ValueError: w=4 is not allowed: w must be a whole number from 1 to N=3
>>> one_of("mode", "fast", ("sync", "async"))
Traceback (most recent call last):
...
ValueError: mode='fast' is not allowed; choose one of 'sync', 'async'
>>> boolean("both_ways", 0)
Traceback (most recent call last):
...
ValueError: both_ways must be True or False, got 0
"""

from __future__ import annotations

import math

__all__ = ["whole_number", "whole_number_within", "integer", "milliseconds", "finite_number",
           "probability", "quorum_size", "one_of", "boolean", "text", "instance_of",
           "node_name", "numpy_generator"]


def whole_number(name: str, value, low: int = 1, high: int | None = None) -> int:
    """``value`` if it is an int (not a bool) of at least ``low`` (and at most ``high``)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low \
            or (high is not None and value > high):
        allowed = f">= {low}" if high is None else f"from {low} to {high}"
        raise ValueError(f"{name} must be a whole number {allowed}, got {value!r}")
    return value


def milliseconds(name: str, value, *, allow_zero: bool = False) -> float:
    """``value`` as a float if it is a finite number of ms, > 0 (or >= 0)."""
    ok = (not isinstance(value, bool) and isinstance(value, (int, float))
          and math.isfinite(value) and (value >= 0 if allow_zero else value > 0))
    if not ok:
        raise ValueError(f"{name} must be a finite number of ms "
                         f"{'>= 0' if allow_zero else '> 0'}, got {value!r}")
    return float(value)


def whole_number_within(name: str, value, low: int, high: int | None, why: str) -> int:
    """Like :func:`whole_number`, with ``why`` (" (a key needs at least one replica)")
    saying where the bounds come from.

    >>> whole_number_within("k", 0, 1, None, " (k = 1 means the latest version)")
    Traceback (most recent call last):
    ...
    ValueError: k=0 is not allowed: k must be >= 1 (k = 1 means the latest version)
    """
    # bool is an int subclass, but r=True is a mistake, not r=1.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if value < low or (high is not None and value > high):
        allowed = f"from {low} to {high}" if high is not None else f">= {low}"
        raise ValueError(f"{name}={value} is not allowed: {name} must be {allowed}{why}")
    return value


def integer(name: str, value) -> int:
    """``value`` if it is an int (not a bool), of any sign; range checks come after."""
    # bool is an int subclass, but Ring(n=True) is a mistake, not n=1.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an int, got {value!r} ({type(value).__name__})")
    return value


def finite_number(name: str, value, *, minimum: float = 0.0, inclusive: bool = True) -> float:
    """``value`` as a float if it is finite and at least (or above) ``minimum``.

    >>> finite_number("Pareto alpha", 0, inclusive=False)
    Traceback (most recent call last):
    ...
    ValueError: Pareto alpha must be a finite number > 0, got 0
    """
    relation = ">=" if inclusive else ">"
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if ok:
        ok = value >= minimum if inclusive else value > minimum
    if not ok:
        raise ValueError(f"{name} must be a finite number {relation} {minimum:g}, got {value!r}")
    return float(value)


def probability(name: str, p) -> float:
    """``p`` as a float if it is a number from 0 to 1."""
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not (0.0 <= p <= 1.0):
        raise ValueError(f"{name} must be a probability between 0 and 1, got {p!r}")
    return float(p)


def quorum_size(name: str, value, n: int) -> int:
    """``value`` if it is a whole number of replicas to wait for, from 1 to ``n``."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= n:
        raise ValueError(f"{name}={value!r} is not allowed: {name} must be a whole number from 1 "
                         f"to N={n}")
    return value


def one_of(name: str, value, allowed) -> str:
    """``value`` if it is one of the strings ``allowed``."""
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{name}={value!r} is not allowed; choose one of "
                         f"{', '.join(map(repr, allowed))}")
    return value


def boolean(name: str, value) -> bool:
    """``value`` if it is True or False (not 0, 1 or a string that looks like one)."""
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return value


def text(name: str, value) -> str:
    """``value`` if it is a string with at least one visible character.

    >>> text("key", 5)
    Traceback (most recent call last):
    ...
    ValueError: key must be a non-empty string, got 5
    """
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    return value


def instance_of(name: str, value, kind, what: str):
    """``value`` if it is an instance of ``kind``; ``what`` says what that is in words.

    >>> instance_of("history", None, list, "a History (cluster.history)")
    Traceback (most recent call last):
    ...
    ValueError: history must be a History (cluster.history), got None
    """
    if not isinstance(value, kind):
        raise ValueError(f"{name} must be {what}, got {_shown(value)}")
    return value


def _shown(value) -> str:
    """``value`` as an error message shows it: its repr, cut short if it is long."""
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:77]}..."


def node_name(name) -> str:
    """``name`` if it is a string with at least one visible character."""
    if not isinstance(name, str):
        raise ValueError(f"node names must be non-empty strings, got {name!r} "
                         f"({type(name).__name__})")
    if not name.strip():
        raise ValueError(f"node name {name!r} is blank; node names must be non-empty strings "
                         f"with at least one visible character")
    return name


def numpy_generator(rng, who: str):
    """The numpy module, once ``rng`` is a ``numpy.random.Generator`` (else a ValueError)."""
    import numpy as np

    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"{who} needs a numpy.random.Generator such as "
                         f"numpy.random.default_rng(0), got {rng!r}")
    return np
