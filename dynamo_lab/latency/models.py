"""Single-link latency models: how long one message takes to cross one link.

A model draws one-way delays in milliseconds. The network asks for one delay
per message with :meth:`LatencyModel.sample`, passing the simulation's seeded
``random.Random``, so runs repeat exactly. Analyses that need millions of
delays at once (PBS Monte Carlo, plots) call :meth:`LatencyModel.sample_many`
with a ``numpy.random.Generator`` instead; numpy is imported only then, so
``import dynamo_lab`` stays light.

The models: :class:`Constant`, :class:`Uniform`, :class:`Exponential` (also
:meth:`Exponential.from_rate`), :class:`Pareto`, :class:`Mixture` of any of
these, :class:`Empirical` (resamples measured delays), :class:`Shifted` (a
model plus a fixed extra delay, e.g. a WAN hop) and :class:`ByKind` (one
model per message kind). A cluster takes one such model for every link;
per-link overrides are set on the cluster,
``cluster.set_link("A", "B", latency=Shifted(model, 75))``.

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
>>> import numpy as np
>>> Exponential(mean_ms=2.0).sample_many(np.random.default_rng(0), 3).shape
(3,)
"""

from __future__ import annotations

import math
import random
from math import log as _log

from ..validation import finite_number, numpy_generator

__all__ = [
    "LatencyModel", "Constant", "Uniform", "Exponential", "Pareto", "Mixture", "Empirical",
    "Shifted", "ByKind", "PerLegModel", "as_latency_model",
]


class LatencyModel:
    """Base class: a distribution of one-way message delays (ms).

    Subclasses implement :meth:`sample` and :attr:`mean_ms`, and should
    override :meth:`sample_many` with a vectorised version; the fallback here
    calls :meth:`sample` in a loop.
    """

    #: ``None``, or a dict from message kind to the model that times that
    #: kind of message (see :class:`ByKind`).
    by_kind: dict | None = None

    def sample(self, rng: random.Random) -> float:  # pragma: no cover - abstract
        """Draw one delay in ms from ``rng``."""
        raise NotImplementedError

    def sample_many(self, rng, size):
        """Draw an array of delays (ms) of shape ``size`` from a numpy Generator.

        Parameters
        ----------
        rng : numpy.random.Generator
            For example ``numpy.random.default_rng(seed)``.
        size : int or tuple of int
            Shape of the result.

        Returns
        -------
        numpy.ndarray of float
        """
        np = numpy_generator(rng, f"{type(self).__name__}.sample_many")
        py = random.Random(int(rng.integers(2**63)))
        count = int(np.prod(size))
        out = np.fromiter((self.sample(py) for _ in range(count)), dtype=float, count=count)
        return out.reshape(size)

    @property
    def mean_ms(self) -> float:  # pragma: no cover - abstract
        """The expected delay in ms."""
        raise NotImplementedError

    def __eq__(self, other) -> bool:
        return type(self) is type(other) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(sorted(vars(self).items()))))


class Constant(LatencyModel):
    """Every message takes exactly ``ms`` milliseconds.

    Examples
    --------
    >>> import numpy as np
    >>> Constant(2).sample_many(np.random.default_rng(0), 3)
    array([2., 2., 2.])
    """

    def __init__(self, ms: float):
        self.ms = finite_number("Constant ms", ms)

    def sample(self, rng: random.Random) -> float:
        return self.ms

    def sample_many(self, rng, size):
        np = numpy_generator(rng, "Constant.sample_many")
        return np.full(size, self.ms, dtype=float)

    @property
    def mean_ms(self) -> float:
        return self.ms

    def __repr__(self) -> str:
        return f"Constant({self.ms:g})"


class Uniform(LatencyModel):
    """Delays spread evenly between ``low_ms`` and ``high_ms``.

    Examples
    --------
    >>> import numpy as np
    >>> d = Uniform(1, 3).sample_many(np.random.default_rng(0), 1000)
    >>> bool(d.min() >= 1 and d.max() <= 3)
    True
    """

    def __init__(self, low_ms: float, high_ms: float):
        self.low_ms = finite_number("Uniform low_ms", low_ms)
        self.high_ms = finite_number("Uniform high_ms", high_ms)
        if self.high_ms < self.low_ms:
            raise ValueError(f"Uniform needs low_ms <= high_ms, got low_ms={low_ms!r} "
                             f"and high_ms={high_ms!r}")

    def sample(self, rng: random.Random) -> float:
        return rng.uniform(self.low_ms, self.high_ms)

    def sample_many(self, rng, size):
        numpy_generator(rng, "Uniform.sample_many")
        return rng.uniform(self.low_ms, self.high_ms, size)

    @property
    def mean_ms(self) -> float:
        return (self.low_ms + self.high_ms) / 2

    def __repr__(self) -> str:
        return f"Uniform({self.low_ms:g}, {self.high_ms:g})"


class Exponential(LatencyModel):
    """Exponentially distributed delays with mean ``mean_ms``.

    Memoryless and right-skewed: most messages are quick, a few are slow.
    This is the model the PBS paper used to validate against Cassandra. The
    paper gives rates (lambda per ms); build those with :meth:`from_rate`.

    Examples
    --------
    >>> Exponential.from_rate(2.0)
    Exponential(mean_ms=0.5)
    >>> Exponential(mean_ms=0.5).rate_per_ms
    2.0
    """

    def __init__(self, mean_ms: float = 1.0):
        self._mean = finite_number("Exponential mean_ms", mean_ms, inclusive=False)
        # Kept because sample() divides by it once per simulated message.
        self._rate = 1.0 / self._mean

    @property
    def mean(self) -> float:
        """The mean delay in ms (read-only: make a new model for another)."""
        return self._mean

    @classmethod
    def from_rate(cls, rate_per_ms: float) -> "Exponential":
        """The exponential with rate ``rate_per_ms`` (mean ``1 / rate_per_ms`` ms).

        Examples
        --------
        >>> Exponential.from_rate(0)
        Traceback (most recent call last):
        ...
        ValueError: Exponential rate_per_ms must be a finite number > 0, got 0
        """
        rate = finite_number("Exponential rate_per_ms", rate_per_ms, inclusive=False)
        mean = 1.0 / rate
        if not math.isfinite(mean):
            raise ValueError(f"Exponential rate_per_ms is too small to give a finite mean, "
                             f"got {rate_per_ms!r}")
        return cls(mean_ms=mean)

    @property
    def rate_per_ms(self) -> float:
        """The rate lambda = 1 / mean, per ms."""
        return self._rate

    def sample(self, rng: random.Random) -> float:
        # Inverse-CDF sampling, as random.expovariate(1 / mean) does it (the
        # same arithmetic, so the same numbers), without its extra call:
        # this runs once per simulated message.
        return -_log(1.0 - rng.random()) / self._rate

    def sample_many(self, rng, size):
        numpy_generator(rng, "Exponential.sample_many")
        return rng.exponential(self.mean, size)

    @property
    def mean_ms(self) -> float:
        return self.mean

    def __repr__(self) -> str:
        return f"Exponential(mean_ms={self.mean:g})"


class Pareto(LatencyModel):
    """Pareto (power-law) delays: CDF ``1 - (x_m / x) ** alpha`` for ``x >= x_m``.

    ``x_m`` (ms) is the smallest possible delay; a smaller ``alpha`` means a
    heavier tail. The mean is ``alpha * x_m / (alpha - 1)`` when
    ``alpha > 1`` and infinite otherwise. The PBS paper fits the body of its
    production latencies with Pareto distributions (Table 3).

    Examples
    --------
    >>> Pareto(1.0, 3.0).mean_ms
    1.5
    >>> Pareto(1.0, 0.5).mean_ms
    inf
    >>> Pareto(1.0, 0)
    Traceback (most recent call last):
    ...
    ValueError: Pareto alpha must be a finite number > 0, got 0
    """

    def __init__(self, x_m: float, alpha: float):
        self.x_m = finite_number("Pareto x_m", x_m, inclusive=False)
        self.alpha = finite_number("Pareto alpha", alpha, inclusive=False)

    def sample(self, rng: random.Random) -> float:
        return self.x_m * rng.paretovariate(self.alpha)

    def sample_many(self, rng, size):
        numpy_generator(rng, "Pareto.sample_many")
        # numpy's pareto is the Lomax (Pareto II) distribution, starting at 0.
        return self.x_m * (1.0 + rng.pareto(self.alpha, size))

    @property
    def mean_ms(self) -> float:
        if self.alpha <= 1:
            return math.inf
        return self.alpha * self.x_m / (self.alpha - 1)

    def __repr__(self) -> str:
        return f"Pareto({self.x_m:g}, {self.alpha:g})"


class Mixture(LatencyModel):
    """With probability ``weight`` a delay comes from that component's model.

    Parameters
    ----------
    components : sequence of (weight, model)
        Weights are finite, >= 0 and sum to 1 (within 1e-9). A model may be a
        plain number, meaning a constant delay.

    Examples
    --------
    >>> m = Mixture([(0.5, Constant(1)), (0.5, 3)])
    >>> m.mean_ms
    2.0
    >>> m.weights
    (0.5, 0.5)
    >>> Mixture([(0.5, 1), (0.4, 2)])
    Traceback (most recent call last):
    ...
    ValueError: Mixture weights must sum to 1, got a sum of 0.9
    """

    def __init__(self, components):
        try:
            items = [tuple(c) for c in components]
        except TypeError:
            items = None
        if not items or any(len(c) != 2 for c in items):
            raise ValueError(f"Mixture needs a non-empty list of (weight, model) pairs, "
                             f"got {components!r}")
        checked = []
        for weight, model in items:
            w = finite_number("Mixture weight", weight)
            checked.append((w, as_latency_model(model, "Mixture component")))
        total = math.fsum(w for w, _ in checked)
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"Mixture weights must sum to 1, got a sum of {total:g}")
        self.components = tuple(checked)

    @property
    def weights(self) -> tuple:
        """The component weights, in order."""
        return tuple(w for w, _ in self.components)

    @property
    def models(self) -> tuple:
        """The component models, in order."""
        return tuple(m for _, m in self.components)

    def sample(self, rng: random.Random) -> float:
        u = rng.random()
        acc = 0.0
        chosen = None
        for weight, model in self.components:
            if weight > 0:
                chosen = model
                acc += weight
                if u < acc:
                    break
        return chosen.sample(rng)

    def sample_many(self, rng, size):
        np = numpy_generator(rng, "Mixture.sample_many")
        weights = np.array(self.weights)
        which = rng.choice(len(weights), size=size, p=weights / weights.sum())
        out = np.empty(which.shape, dtype=float)
        for i, model in enumerate(self.models):
            mask = which == i
            count = int(mask.sum())
            if count:
                out[mask] = model.sample_many(rng, count)
        return out

    @property
    def mean_ms(self) -> float:
        return math.fsum(w * m.mean_ms for w, m in self.components if w > 0)

    def __repr__(self) -> str:
        inner = ", ".join(f"({w:g}, {m!r})" for w, m in self.components)
        return f"Mixture([{inner}])"


class Empirical(LatencyModel):
    """Resample measured delays: each draw is one of ``samples``, equally likely.

    Examples
    --------
    >>> import random
    >>> e = Empirical([1, 2, 6])
    >>> e.mean_ms
    3.0
    >>> e.sample(random.Random(0)) in (1.0, 2.0, 6.0)
    True
    >>> Empirical([])
    Traceback (most recent call last):
    ...
    ValueError: Empirical needs at least one sample (finite numbers >= 0), got []
    """

    def __init__(self, samples):
        try:
            values = list(samples)
        except TypeError:
            raise ValueError(f"Empirical needs a sequence of delays in ms (finite numbers >= 0), "
                             f"got {samples!r}") from None
        if not values:
            raise ValueError(f"Empirical needs at least one sample (finite numbers >= 0), "
                             f"got {samples!r}")
        checked = []
        for v in values:
            if not isinstance(v, (int, float)) and hasattr(v, "item"):
                v = v.item()   # numpy scalars
            checked.append(finite_number("Empirical sample", v))
        self.samples = tuple(checked)

    def sample(self, rng: random.Random) -> float:
        return rng.choice(self.samples)

    def sample_many(self, rng, size):
        np = numpy_generator(rng, "Empirical.sample_many")
        values = np.asarray(self.samples, dtype=float)
        return values[rng.integers(len(values), size=size)]

    @property
    def mean_ms(self) -> float:
        return math.fsum(self.samples) / len(self.samples)

    def __repr__(self) -> str:
        return f"Empirical(<{len(self.samples)} samples, mean {self.mean_ms:g} ms>)"


class Shifted(LatencyModel):
    """A model plus a fixed extra delay of ``extra_ms`` on every message.

    This is the per-link form of PBS's WAN model: put it on the links to a
    remote data centre with ``cluster.set_link(a, b, latency=Shifted(model, 75))``.
    For the PBS analysis, where the remote replicas change per operation, use
    ``WARS(..., remote_extra_ms=75)`` (see :data:`WAN`).

    Examples
    --------
    >>> Shifted(Constant(1), 75).mean_ms
    76.0
    >>> Shifted(2, 10)
    Shifted(Constant(2), 10)
    """

    def __init__(self, model, extra_ms: float):
        self.model = as_latency_model(model, "Shifted model")
        self.extra_ms = finite_number("Shifted extra_ms", extra_ms)

    def sample(self, rng: random.Random) -> float:
        return self.model.sample(rng) + self.extra_ms

    def sample_many(self, rng, size):
        numpy_generator(rng, "Shifted.sample_many")
        return self.model.sample_many(rng, size) + self.extra_ms

    @property
    def mean_ms(self) -> float:
        return self.model.mean_ms + self.extra_ms

    def __repr__(self) -> str:
        return f"Shifted({self.model!r}, {self.extra_ms:g})"


class ByKind(LatencyModel):
    """A link model that times some message kinds with their own models.

    The network looks up ``by_kind[kind]`` for each message and falls back to
    this model (``default``) for kinds not listed. :meth:`WARS.link_model`
    builds one from the four PBS legs.

    Examples
    --------
    >>> m = ByKind(Constant(1), {"put_req": 5})
    >>> m.by_kind
    {'put_req': Constant(5)}
    >>> m.mean_ms     # the default's mean
    1.0
    """

    def __init__(self, default, by_kind):
        self.default = as_latency_model(default, "ByKind default")
        if not isinstance(by_kind, dict) or not all(isinstance(k, str) for k in by_kind):
            raise ValueError(f"ByKind by_kind must be a dict from message kind (str) to a "
                             f"latency model, got {by_kind!r}")
        self.kinds = tuple(sorted((k, as_latency_model(m, f"ByKind model for {k!r}"))
                                  for k, m in by_kind.items()))

    @property
    def by_kind(self) -> dict:
        """Message kind -> latency model."""
        return dict(self.kinds)

    def sample(self, rng: random.Random) -> float:
        return self.default.sample(rng)

    def sample_many(self, rng, size):
        return self.default.sample_many(rng, size)

    @property
    def mean_ms(self) -> float:
        return self.default.mean_ms

    def __repr__(self) -> str:
        return f"ByKind({self.default!r}, {self.by_kind!r})"


def as_latency_model(value, what: str = "latency") -> LatencyModel:
    """Accept a model, or a plain number meaning a constant delay.

    Examples
    --------
    >>> as_latency_model(2)
    Constant(2)
    >>> from dynamo_lab.latency import LNKD_SSD
    >>> as_latency_model(LNKD_SSD)
    Traceback (most recent call last):
    ...
    ValueError: latency must be a single-link model, got a WARS (one model per leg); use wars.link_model() for a cluster, or dynamo_lab.pbs for PBS analysis
    """
    if isinstance(value, LatencyModel):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Constant(value)
    if isinstance(value, PerLegModel):
        raise ValueError(f"{what} must be a single-link model, got a {type(value).__name__} "
                         "(one model per leg); "
                         f"use wars.link_model() for a cluster, or dynamo_lab.pbs for PBS analysis")
    raise ValueError(f"{what} must be a latency model such as dl.latency.Exponential(mean_ms=1.0) "
                     f"or a number of ms, got {value!r}")


class PerLegModel:
    """Base of latency descriptions with one model per leg of an operation.

    Such a description (:class:`~dynamo_lab.latency.wars.WARS`) is not a
    single-link model: a cluster cannot take it as it is, and
    :func:`as_latency_model` says how to use it instead.
    """
