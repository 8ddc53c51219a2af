"""How sure a measured rate or percentile is: intervals, verdicts, and how many trials.

A rate measured from trials (stale reads out of reads, say) is an estimate.
:func:`wilson_interval` gives its 95% interval, which behaves well where a
careless ``p ± 1.96·sqrt(p(1-p)/n)`` does not: at rates near 0 and with few
trials (Wilson, JASA 1927). :func:`verdict` compares an interval with a
bound, and says *uncertain* when the bound lies inside it: more trials, not
another seed, would settle it. :func:`trials_for` says how many trials make
the interval at the bound narrow enough to tell the bound apart from a rate
a third away from it, which is why a 0.1% target needs tens of thousands
of trials, not a thousand.

A tail percentile measured from samples rests on the few samples beyond it:
:func:`tail_samples` counts them, and :data:`MIN_TAIL_SAMPLES` is how many
a percentile should rest on before anyone acts on it (p99.9 wants about
10,000 samples).

>>> low, high = wilson_interval(2, 1000)
>>> round(100 * low, 3), round(100 * high, 3)
(0.055, 0.726)
>>> verdict(2, 1000, bound=0.001)      # 0.2% measured, but 0.1% is inside the interval
'uncertain'
>>> verdict(0, 20_000, bound=0.001)
'met'
>>> trials_for(0.001)
34539
>>> tail_samples(1500, 99.9), tail_samples(10_000, 99.9)
(1, 10)
"""

from __future__ import annotations

import math

__all__ = ["wilson_interval", "verdict", "trials_for", "tail_samples", "MIN_TAIL_SAMPLES",
           "Z95", "VERDICTS", "MAX_TRIALS", "MIN_TRIALS"]

#: The normal quantile of a two-sided 95% interval.
Z95 = 1.959963984540054
#: What :func:`verdict` answers.
VERDICTS = ("met", "missed", "uncertain")
#: Samples beyond a percentile below which it is flagged as resting on too few.
MIN_TAIL_SAMPLES = 10
#: Bounds on :func:`trials_for`: fewer says nothing, more costs minutes.
MIN_TRIALS, MAX_TRIALS = 1_000, 200_000


def wilson_interval(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a rate ``successes / trials`` (95% by default)."""
    if trials <= 0:
        return (0.0, 1.0)
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = (z / (1 + z * z / trials)) * math.sqrt(p * (1 - p) / trials
                                                 + z * z / (4 * trials * trials))
    # At 0 or all successes the exact bound is 0 or 1; rounding would leave 1e-17.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return (low, high)


def verdict(successes: int, trials: int, bound: float) -> str:
    """``"met"`` if the rate's whole interval is at or under ``bound``, ``"missed"`` if
    it is all above, ``"uncertain"`` if the bound lies inside it."""
    low, high = wilson_interval(successes, trials)
    if high <= bound:
        return "met"
    if low > bound:
        return "missed"
    return "uncertain"


def trials_for(bound: float, *, relative_precision: float = 1 / 3) -> int:
    """Trials that make the 95% interval at a rate of ``bound`` narrower than
    ``relative_precision`` of it on each side (bounded by :data:`MIN_TRIALS`
    and :data:`MAX_TRIALS`). A bound of 0 asks for :data:`MAX_TRIALS`."""
    if bound <= 0:
        return MAX_TRIALS
    if bound >= 1:
        return MIN_TRIALS
    needed = Z95 * Z95 * (1 - bound) / (bound * relative_precision * relative_precision)
    return int(min(MAX_TRIALS, max(MIN_TRIALS, math.ceil(needed))))


def tail_samples(samples: int, percentile: float) -> int:
    """How many of ``samples`` lie beyond the ``percentile`` (its support)."""
    # Rounded first: 10,000 * 0.1 / 100 is 9.999... in floating point, and means 10.
    return int(round(samples * (100.0 - percentile) / 100.0, 6))
