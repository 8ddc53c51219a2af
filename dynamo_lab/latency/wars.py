"""WARS: one latency model per leg of a quorum operation, and the PBS paper's fits.

PBS (Bailis et al., PVLDB 5(8), 2012, §4.1) describes a quorum operation's
delays by four one-way legs: write request W, write acknowledgement A, read
request R and read response S. :class:`WARS` holds one
:class:`~dynamo_lab.latency.models.LatencyModel` per leg and is what
:mod:`dynamo_lab.pbs` simulates. The paper's production fits (Table 3) are
the presets :data:`LNKD_SSD`, :data:`LNKD_DISK`, :data:`YMMR` and
:data:`WAN`. To run a cluster with per-leg delays, turn a WARS into a
single-link model with :meth:`WARS.link_model`.

Examples
--------
>>> LNKD_SSD.leg("W")
Mixture([(0.9122, Pareto(0.235, 10)), (0.0878, Exponential(mean_ms=0.60241))])
"""

from __future__ import annotations

from ..validation import finite_number, numpy_generator
from .models import (ByKind, Exponential, LatencyModel, Mixture, Pareto, PerLegModel, Shifted,
                     as_latency_model)

__all__ = ["WARS", "LNKD_SSD", "LNKD_DISK", "YMMR", "WAN", "MAX_DRAWS"]

#: Most delays :meth:`WARS.sample_legs` draws per leg (``trials * n``): four
#: legs of this many floats, and the sums and sorts PBS makes of them, take
#: about a gigabyte. The WARS benchmark's 1,000,000 trials at N = 3 draw 3,000,000.
MAX_DRAWS = 10_000_000

_LEGS = ("W", "A", "R", "S")
#: Message kinds of the simulator that correspond to each WARS leg.
_LEG_KINDS = {"W": "put_req", "A": "put_ack", "R": "get_req", "S": "get_resp"}


class WARS(PerLegModel):
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
        self.remote_extra_ms = finite_number("WARS remote_extra_ms", remote_extra_ms)

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
        np = numpy_generator(rng, "WARS.sample_legs")
        for name, value in (("trials", trials), ("n", n)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"WARS.sample_legs {name} must be a whole number >= 1, "
                                 f"got {value!r}")
        shape = (int(trials), int(n))
        if shape[0] * shape[1] > MAX_DRAWS:
            raise ValueError(f"WARS.sample_legs trials * n must be at most {MAX_DRAWS:,} draws "
                             f"per leg, got trials={trials!r} and n={n!r}")
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
