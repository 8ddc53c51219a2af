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
>>> milliseconds("timeout_ms", 100)
100.0
>>> milliseconds("delay_ms", 0, allow_zero=True)
0.0
"""

from __future__ import annotations

import math

__all__ = ["whole_number", "milliseconds"]


def whole_number(name: str, value, low: int = 1) -> int:
    """``value`` if it is an int (not a bool) of at least ``low``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"{name} must be a whole number >= {low}, got {value!r}")
    return value


def milliseconds(name: str, value, *, allow_zero: bool = False) -> float:
    """``value`` as a float if it is a finite number of ms, > 0 (or >= 0)."""
    ok = (not isinstance(value, bool) and isinstance(value, (int, float))
          and math.isfinite(value) and (value >= 0 if allow_zero else value > 0))
    if not ok:
        raise ValueError(f"{name} must be a finite number of ms "
                         f"{'>= 0' if allow_zero else '> 0'}, got {value!r}")
    return float(value)
