"""Latency models: how long one message takes to cross one link.

A model draws one-way delays in milliseconds. The network asks for one delay
per message with :meth:`LatencyModel.sample`, passing the simulation's seeded
``random.Random``, so runs repeat exactly. Analyses that need millions of
delays at once (PBS Monte Carlo, plots) call :meth:`LatencyModel.sample_many`
with a ``numpy.random.Generator`` instead; numpy is imported only then, so
``import dynamo_lab`` stays light.

Single-link models: :class:`Constant`, :class:`Uniform`,
:class:`Exponential` (also :meth:`Exponential.from_rate`), :class:`Pareto`,
:class:`Mixture` of any of these, :class:`Empirical` (resamples measured
delays) and :class:`Shifted` (a model plus a fixed extra delay, e.g. a WAN
hop). A cluster takes one such model for every link; per-link overrides are
set on the cluster, ``cluster.set_link("A", "B", latency=Shifted(model, 75))``.

:class:`WARS` is not a single-link model: it holds one model per leg of a
quorum operation (write request W, write ack A, read request R, read
response S), as in the PBS paper (Bailis et al., PVLDB 5(8), 2012, §4.1), and
is what :mod:`dynamo_lab.pbs` simulates. The paper's production fits
(Table 3) are the presets :data:`LNKD_SSD`, :data:`LNKD_DISK`, :data:`YMMR`
and :data:`WAN`. To run a cluster with per-leg delays, turn a WARS into a
single-link model with :meth:`WARS.link_model`.

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
>>> LNKD_SSD.leg("W")
Mixture([(0.9122, Pareto(0.235, 10)), (0.0878, Exponential(mean_ms=0.60241))])
"""

from __future__ import annotations

import math
import random
from math import log as _log

__all__ = [
    "LatencyModel", "Constant", "Uniform", "Exponential", "Pareto", "Mixture", "Empirical",
    "Shifted", "ByKind", "WARS", "as_latency_model",
    "LNKD_SSD", "LNKD_DISK", "YMMR", "WAN",
]


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


def _check_generator(rng, owner: str):
    """Return ``rng`` if it is a numpy Generator, else raise a ValueError."""
    import numpy as np

    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"{owner} needs a numpy.random.Generator such as "
                         f"numpy.random.default_rng(0), got {rng!r}")
    return np


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
        np = _check_generator(rng, f"{type(self).__name__}.sample_many")
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
        self.ms = _check_number("Constant", "ms", ms)

    def sample(self, rng: random.Random) -> float:
        return self.ms

    def sample_many(self, rng, size):
        np = _check_generator(rng, "Constant.sample_many")
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
        self.low_ms = _check_number("Uniform", "low_ms", low_ms)
        self.high_ms = _check_number("Uniform", "high_ms", high_ms)
        if self.high_ms < self.low_ms:
            raise ValueError(f"Uniform needs low_ms <= high_ms, got low_ms={low_ms!r} "
                             f"and high_ms={high_ms!r}")

    def sample(self, rng: random.Random) -> float:
        return rng.uniform(self.low_ms, self.high_ms)

    def sample_many(self, rng, size):
        _check_generator(rng, "Uniform.sample_many")
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
        self._mean = _check_number("Exponential", "mean_ms", mean_ms, inclusive=False)
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
        rate = _check_number("Exponential", "rate_per_ms", rate_per_ms, inclusive=False)
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
        _check_generator(rng, "Exponential.sample_many")
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
        self.x_m = _check_number("Pareto", "x_m", x_m, inclusive=False)
        self.alpha = _check_number("Pareto", "alpha", alpha, inclusive=False)

    def sample(self, rng: random.Random) -> float:
        return self.x_m * rng.paretovariate(self.alpha)

    def sample_many(self, rng, size):
        _check_generator(rng, "Pareto.sample_many")
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
            w = _check_number("Mixture", "weight", weight)
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
        np = _check_generator(rng, "Mixture.sample_many")
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
            checked.append(_check_number("Empirical", "sample", v))
        self.samples = tuple(checked)

    def sample(self, rng: random.Random) -> float:
        return rng.choice(self.samples)

    def sample_many(self, rng, size):
        np = _check_generator(rng, "Empirical.sample_many")
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
        self.extra_ms = _check_number("Shifted", "extra_ms", extra_ms)

    def sample(self, rng: random.Random) -> float:
        return self.model.sample(rng) + self.extra_ms

    def sample_many(self, rng, size):
        _check_generator(rng, "Shifted.sample_many")
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


_LEGS = ("W", "A", "R", "S")
#: Message kinds of the simulator that correspond to each WARS leg.
_LEG_KINDS = {"W": "put_req", "A": "put_ack", "R": "get_req", "S": "get_resp"}


class WARS:
    """One latency model per leg of a quorum operation (PBS §4.1).

    For each coordinator-replica pair, PBS draws four one-way delays: W (write
    request), A (write acknowledgement), R (read request) and S (read
    response). A WARS is not a single-link model, so a cluster does not take
    one directly: :mod:`dynamo_lab.pbs` samples it with :meth:`sample_legs`,
    and :meth:`link_model` turns it into a model whose per-message-kind
    delays a cluster can use.

    Parameters
    ----------
    w, a, r, s : LatencyModel or number
        The four legs; a number means a constant delay.
    remote_extra_ms : float, keyword-only
        PBS's WAN setting (Table 3, "WAN"): in each operation one replica,
        chosen at random, is local and every message to or from each other
        replica takes ``remote_extra_ms`` longer, on all four legs. 0 (the
        default) means every replica is local.

    Examples
    --------
    >>> import numpy as np
    >>> m = WARS(w=Exponential(0.25), a=1, r=1, s=1)
    >>> m.leg("A")
    Constant(1)
    >>> legs = m.sample_legs(np.random.default_rng(0), trials=4, n=3)
    >>> sorted(legs), legs["W"].shape
    (['A', 'R', 'S', 'W'], (4, 3))
    >>> wan = WARS(1, 1, 1, 1, remote_extra_ms=75)
    >>> w = wan.sample_legs(np.random.default_rng(0), trials=2, n=3)["W"]
    >>> (w == 1).sum(axis=1)      # exactly one local replica per operation
    array([1, 1])
    >>> sorted(set(w.ravel().tolist()))
    [1.0, 76.0]
    """

    def __init__(self, w, a, r, s, *, remote_extra_ms: float = 0.0):
        self.w = as_latency_model(w, "WARS w (write request leg)")
        self.a = as_latency_model(a, "WARS a (write ack leg)")
        self.r = as_latency_model(r, "WARS r (read request leg)")
        self.s = as_latency_model(s, "WARS s (read response leg)")
        self.remote_extra_ms = _check_number("WARS", "remote_extra_ms", remote_extra_ms)

    def leg(self, name: str) -> LatencyModel:
        """The model of one leg: ``"W"``, ``"A"``, ``"R"`` or ``"S"`` (either case).

        Examples
        --------
        >>> WARS(1, 2, 3, 4).leg("s")
        Constant(4)
        >>> WARS(1, 2, 3, 4).leg("X")
        Traceback (most recent call last):
        ...
        ValueError: WARS leg must be one of 'W', 'A', 'R', 'S', got 'X'
        """
        key = name.upper() if isinstance(name, str) else None
        if key not in _LEGS:
            raise ValueError(f"WARS leg must be one of 'W', 'A', 'R', 'S', got {name!r}")
        return getattr(self, key.lower())

    def sample_legs(self, rng, trials: int, n: int) -> dict:
        """Draw every leg for ``trials`` operations on ``n`` replicas.

        Parameters
        ----------
        rng : numpy.random.Generator
        trials : int
            Number of independent operations (rows), >= 1.
        n : int
            Number of replicas (columns), >= 1.

        Returns
        -------
        dict
            ``{"W": ..., "A": ..., "R": ..., "S": ...}``, each a float array of
            shape ``(trials, n)`` in ms. With ``remote_extra_ms > 0``, in each
            row the write has one local replica (uniformly random) and the read
            has one, chosen independently, as PBS's WAN model does per
            operation: every other entry of W and A (of R and S) has
            ``remote_extra_ms`` added.
        """
        np = _check_generator(rng, "WARS.sample_legs")
        for name, value in (("trials", trials), ("n", n)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"WARS.sample_legs {name} must be a whole number >= 1, "
                                 f"got {value!r}")
        shape = (int(trials), int(n))
        legs = {name: self.leg(name).sample_many(rng, shape) for name in _LEGS}
        if self.remote_extra_ms > 0:
            # PBS picks the local replica per operation: the write's
            # coordinator (legs W, A) and the read's (legs R, S) are each near
            # one replica, chosen independently.
            rows = np.arange(shape[0])
            for op_legs in (("W", "A"), ("R", "S")):
                local = rng.integers(shape[1], size=shape[0])
                extra = np.full(shape, self.remote_extra_ms)
                extra[rows, local] = 0.0
                for name in op_legs:
                    legs[name] += extra
        return legs

    def link_model(self, default=None, *, extra_ms: float | None = None) -> ByKind:
        """A single-link model that times each message kind by its WARS leg.

        Write requests (``put_req``) use W, write acks (``put_ack``) A, read
        requests (``get_req``) R and read responses (``get_resp``) S; any
        other message (hints, repairs, ...) uses ``default`` (the S leg if
        not given). ``remote_extra_ms`` is per operation and cannot be put on
        links; add it per link with :class:`Shifted` and ``cluster.set_link``,
        or ask for a remote link's model with ``extra_ms`` (0 for a local
        one), which adds that constant to every message.

        Examples
        --------
        >>> WARS(1, 2, 3, 4).link_model().by_kind["put_ack"]
        Constant(2)
        >>> WAN.link_model(extra_ms=75).by_kind["get_req"].extra_ms
        75.0
        >>> WAN.link_model()
        Traceback (most recent call last):
        ...
        ValueError: WARS.link_model needs remote_extra_ms == 0 (got 75); put the extra delay on remote links with cluster.set_link(a, b, latency=Shifted(model, 75))
        """
        if self.remote_extra_ms and extra_ms is None:
            raise ValueError(
                f"WARS.link_model needs remote_extra_ms == 0 (got {self.remote_extra_ms:g}); "
                f"put the extra delay on remote links with "
                f"cluster.set_link(a, b, latency=Shifted(model, {self.remote_extra_ms:g}))")
        fallback = self.s if default is None else as_latency_model(default, "default")

        def shifted(model):
            return Shifted(model, extra_ms) if extra_ms else model

        return ByKind(shifted(fallback),
                      {kind: shifted(self.leg(leg)) for leg, kind in _LEG_KINDS.items()})

    def __eq__(self, other) -> bool:
        return type(self) is type(other) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash((self.w, self.a, self.r, self.s, self.remote_extra_ms))

    def __repr__(self) -> str:
        extra = f", remote_extra_ms={self.remote_extra_ms:g}" if self.remote_extra_ms else ""
        return f"WARS(w={self.w!r}, a={self.a!r}, r={self.r!r}, s={self.s!r}{extra})"


def as_latency_model(value, what: str = "latency") -> LatencyModel:
    """Accept a model, or a plain number meaning a constant delay.

    Examples
    --------
    >>> as_latency_model(2)
    Constant(2)
    >>> as_latency_model(LNKD_SSD)
    Traceback (most recent call last):
    ...
    ValueError: latency must be a single-link model, got a WARS (one model per leg); use wars.link_model() for a cluster, or dynamo_lab.pbs for PBS analysis
    """
    if isinstance(value, LatencyModel):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Constant(value)
    if isinstance(value, WARS):
        raise ValueError(f"{what} must be a single-link model, got a WARS (one model per leg); "
                         f"use wars.link_model() for a cluster, or dynamo_lab.pbs for PBS analysis")
    raise ValueError(f"{what} must be a latency model such as dl.latency.Exponential(mean_ms=1.0) "
                     f"or a number of ms, got {value!r}")


# --- PBS production fits (Bailis et al., PVLDB 5(8), 2012, Table 3) ----------------------

def _pbs_mix(pareto_weight: float, x_m: float, alpha: float, rate_per_ms: float) -> Mixture:
    """A Table 3 fit: a Pareto body with an exponential tail (weights in %)."""
    w = pareto_weight / 100
    return Mixture([(w, Pareto(x_m, alpha)), (1 - w, Exponential.from_rate(rate_per_ms))])


_LNKD_SSD_LEG = _pbs_mix(91.22, 0.235, 10, 1.66)

#: LinkedIn Voldemort on SSDs (PBS Table 3, LNKD-SSD): every leg is
#: 91.22% Pareto(x_m=0.235 ms, alpha=10) + 8.78% Exponential(rate 1.66 per ms).
LNKD_SSD = WARS(_LNKD_SSD_LEG, _LNKD_SSD_LEG, _LNKD_SSD_LEG, _LNKD_SSD_LEG)

#: LinkedIn Voldemort on spinning disks (PBS Table 3, LNKD-DISK): the write
#: leg W is 38% Pareto(1.05, 1.51) + 62% Exponential(rate 0.183 per ms);
#: A, R and S are as in :data:`LNKD_SSD`.
LNKD_DISK = WARS(_pbs_mix(38, 1.05, 1.51, 0.183), _LNKD_SSD_LEG, _LNKD_SSD_LEG, _LNKD_SSD_LEG)

_YMMR_ARS_LEG = _pbs_mix(98.2, 1.5, 3.8, 0.0217)

#: Yammer Riak (PBS Table 3, YMMR): W is 93.9% Pareto(3, 3.35) + 6.1%
#: Exponential(rate 0.0028 per ms) (the paper's table gives alpha = 3.35; the
#: authors' simulator used 3.5); A, R and S are 98.2% Pareto(1.5, 3.8) + 1.8%
#: Exponential(rate 0.0217 per ms).
YMMR = WARS(_pbs_mix(93.9, 3, 3.35, 0.0028), _YMMR_ARS_LEG, _YMMR_ARS_LEG, _YMMR_ARS_LEG)

#: Wide-area replication (PBS Table 3, WAN): the :data:`LNKD_DISK` legs, plus
#: 75 ms on every message to or from a remote replica; in each operation one
#: replica, chosen at random, is local.
WAN = WARS(LNKD_DISK.w, LNKD_DISK.a, LNKD_DISK.r, LNKD_DISK.s, remote_extra_ms=75.0)
