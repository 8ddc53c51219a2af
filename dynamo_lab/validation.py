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
"""

from __future__ import annotations

import math

__all__ = ["whole_number", "milliseconds"]


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
