"""Latency models: how long one message takes to cross one link.

A model draws one-way delays in milliseconds. The network asks for one delay
per message with :meth:`LatencyModel.sample`, passing the simulation's seeded
generator, so runs repeat exactly.

Examples
--------
>>> import random
>>> rng = random.Random(0)
>>> Constant(2.0).sample(rng)
2.0
>>> 1.0 <= Uniform(1.0, 3.0).sample(rng) <= 3.0
True
>>> Exponential(mean_ms=1.0).mean_ms
1.0
>>> Exponential(mean_ms=-1)
Traceback (most recent call last):
...
ValueError: Exponential mean_ms must be a finite number > 0, got -1
"""

from __future__ import annotations

import math
import random

__all__ = ["LatencyModel", "Constant", "Uniform", "Exponential", "as_latency_model"]


def _check_number(owner: str, name: str, value, *, minimum: float = 0.0,
                  inclusive: bool = True) -> float:
    """Return ``value`` as a float, or raise a ValueError saying what is allowed."""
    relation = ">=" if inclusive else ">"
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if ok:
        ok = value >= minimum if inclusive else value > minimum
    if not ok:
        raise ValueError(f"{owner} {name} must be a finite number {relation} {minimum:g}, "
                         f"got {value!r}")
    return float(value)


class LatencyModel:
    """Base class: a distribution of one-way message delays (ms)."""

    def sample(self, rng: random.Random) -> float:  # pragma: no cover - abstract
        """Draw one delay in ms from ``rng``."""
        raise NotImplementedError

    @property
    def mean_ms(self) -> float:  # pragma: no cover - abstract
        """The expected delay in ms."""
        raise NotImplementedError

    def __eq__(self, other) -> bool:
        return type(self) is type(other) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(sorted(vars(self).items()))))


class Constant(LatencyModel):
    """Every message takes exactly ``ms`` milliseconds."""

    def __init__(self, ms: float):
        self.ms = _check_number("Constant", "ms", ms)

    def sample(self, rng: random.Random) -> float:
        return self.ms

    @property
    def mean_ms(self) -> float:
        return self.ms

    def __repr__(self) -> str:
        return f"Constant({self.ms:g})"


class Uniform(LatencyModel):
    """Delays spread evenly between ``low_ms`` and ``high_ms``."""

    def __init__(self, low_ms: float, high_ms: float):
        self.low_ms = _check_number("Uniform", "low_ms", low_ms)
        self.high_ms = _check_number("Uniform", "high_ms", high_ms)
        if self.high_ms < self.low_ms:
            raise ValueError(f"Uniform needs low_ms <= high_ms, got low_ms={low_ms!r} "
                             f"and high_ms={high_ms!r}")

    def sample(self, rng: random.Random) -> float:
        return rng.uniform(self.low_ms, self.high_ms)

    @property
    def mean_ms(self) -> float:
        return (self.low_ms + self.high_ms) / 2

    def __repr__(self) -> str:
        return f"Uniform({self.low_ms:g}, {self.high_ms:g})"


class Exponential(LatencyModel):
    """Exponentially distributed delays with mean ``mean_ms``.

    Memoryless and right-skewed: most messages are quick, a few are slow.
    This is the model the PBS paper used to validate against Cassandra.
    """

    def __init__(self, mean_ms: float = 1.0):
        self.mean = _check_number("Exponential", "mean_ms", mean_ms, inclusive=False)

    def sample(self, rng: random.Random) -> float:
        return rng.expovariate(1.0 / self.mean)

    @property
    def mean_ms(self) -> float:
        return self.mean

    def __repr__(self) -> str:
        return f"Exponential(mean_ms={self.mean:g})"


def as_latency_model(value, what: str = "latency") -> LatencyModel:
    """Accept a model, or a plain number meaning a constant delay."""
    if isinstance(value, LatencyModel):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Constant(value)
    raise ValueError(f"{what} must be a latency model such as dl.latency.Exponential(mean_ms=1.0) "
                     f"or a number of ms, got {value!r}")
