"""Probabilistically bounded staleness (PBS): how stale can a partial quorum be?

Bailis et al. (PVLDB 5(8), 2012) ask what a read returns when R + W <= N, so
that read and write quorums need not overlap. If the R replicas a read
contacts are a uniformly random R of the N, and the write has so far reached
exactly W of them, the read misses the write with probability

    p_s = C(N - W, R) / C(N, R)                                  (Eq. 1)

(choose all R read replicas among the N - W the write has not reached). A
reader that tolerates some staleness asks a weaker question: does the read
return one of the last ``k`` versions? Each of the k writes is missed
independently with probability ``p_s``, so the read is stale beyond k
versions with probability ``p_s ** k`` (Eq. 2) and within k versions with
probability ``1 - p_s ** k``.

Both are exact fractions, so a lesson can print 2/3 rather than 0.6666....

Real stores keep propagating a write after it commits, so how stale a read is
depends on time. The WARS model (PBS §4.1) draws, for each of the N
coordinator-replica pairs, four one-way delays: W (write request), A (write
acknowledgement), R (read request) and S (read response). The write commits
at the W-th smallest W + A; a read started ``t`` ms later uses the R replicas
with the smallest R + S, and is stale if every one of them received the read
request before the write: ``commit + t + R[i] < W[i]``.
:func:`t_visibility` estimates P(consistent) by Monte Carlo over many trials
(vectorised with numpy), :func:`latency_percentiles` gives the read and write
latencies of the same model, and :func:`simulate_t_visibility` measures the
same probability with the protocol simulator itself.

Examples
--------
>>> p_stale(n=3, r=1, w=1)
Fraction(2, 3)
>>> p_stale(n=3, r=2, w=2)     # R + W > N: the quorums always overlap
Fraction(0, 1)
>>> k_staleness(n=3, r=1, w=1, k=2)
Fraction(5, 9)
"""

from __future__ import annotations

from fractions import Fraction
from math import comb

from .latency import LatencyModel, WARS
from .latency.wars import MAX_DRAWS
from .validation import whole_number, whole_number_within


__all__ = ["p_stale", "k_staleness", "check_nrw", "t_visibility", "latency_percentiles",
           "simulate_t_visibility", "COORDINATOR_PLACES", "MAX_K", "MAX_DRAWS"]

#: Largest ``k`` of :func:`k_staleness`: the exact fraction ``p ** k`` has
#: digits in proportion to k, so k = 10 ** 7 takes seconds and 10 ** 12 for ever.
MAX_K = 1_000_000


def check_nrw(n, r, w) -> tuple[int, int, int]:
    """Validate a replication factor and two quorum sizes.

    Parameters
    ----------
    n, r, w : int
        N replicas per key, R replies a read waits for, W acknowledgements
        a write waits for.

    Returns
    -------
    tuple of int
        ``(n, r, w)`` unchanged.

    Raises
    ------
    ValueError
        Unless ``n >= 1`` and ``1 <= r, w <= n``; the message says which
        value is wrong and what is allowed.

    Examples
    --------
    >>> check_nrw(3, 2, 2)
    (3, 2, 2)
    >>> check_nrw(3, 4, 1)
    Traceback (most recent call last):
    ...
    ValueError: r=4 is not allowed: r must be from 1 to 3 (a read cannot wait for more replies than the N=3 replicas)
    """
    n = whole_number_within("n", n, 1, None, " (a key needs at least one replica)")
    r = whole_number_within("r", r, 1, n, f" (a read cannot wait for more replies than the N={n} "
                     "replicas)")
    w = whole_number_within("w", w, 1, n, f" (a write cannot wait for more acknowledgements than "
                     f"the N={n} replicas)")
    return n, r, w


def p_stale(n: int, r: int, w: int) -> Fraction:
    """Probability that a read right after a write commits misses it (PBS Eq. 1).

    The read contacts R of the N replicas chosen uniformly at random; the
    write has reached exactly W of them (it has just committed).

    Parameters
    ----------
    n, r, w : int
        Replicas, read quorum, write quorum; ``1 <= r, w <= n``.

    Returns
    -------
    fractions.Fraction
        ``C(N - W, R) / C(N, R)``; 0 whenever ``R + W > N``.

    Raises
    ------
    ValueError
        If the sizes are not allowed (see :func:`check_nrw`).

    Examples
    --------
    >>> p_stale(3, 1, 1)
    Fraction(2, 3)
    >>> p_stale(5, 1, 2), p_stale(5, 2, 2)
    (Fraction(3, 5), Fraction(3, 10))
    >>> p_stale(5, 3, 3)
    Fraction(0, 1)
    """
    n, r, w = check_nrw(n, r, w)
    # math.comb(a, b) is 0 when b > a: exactly the R + W > N case.
    return Fraction(comb(n - w, r), comb(n, r))


def k_staleness(n: int, r: int, w: int, k: int) -> Fraction:
    """Probability that a read returns one of the last ``k`` versions (PBS Eq. 2).

    A read is staler than ``k`` versions only if it misses each of the last
    ``k`` writes, each independently with probability :func:`p_stale`; this
    returns the complement, ``1 - p_stale(n, r, w) ** k``: the read is
    consistent within ``k`` versions.

    Parameters
    ----------
    n, r, w : int
        Replicas, read quorum, write quorum; ``1 <= r, w <= n``.
    k : int
        How many of the latest versions count as fresh enough, ``k >= 1``.
        ``k = 1`` asks for the latest write.

    Returns
    -------
    fractions.Fraction

    Raises
    ------
    ValueError
        If a size is not allowed or ``k < 1``.

    Examples
    --------
    >>> k_staleness(3, 1, 1, 1)
    Fraction(1, 3)
    >>> k_staleness(3, 1, 1, 2), k_staleness(3, 1, 1, 3)
    (Fraction(5, 9), Fraction(19, 27))
    >>> k_staleness(3, 2, 2, 1)
    Fraction(1, 1)
    """
    ps = p_stale(n, r, w)
    k = whole_number_within("k", k, 1, None, " (k = 1 means the latest version)")
    if k > MAX_K:
        raise ValueError(f"k={k} is too large: k must be at most {MAX_K:,} (the exact "
                         "fraction grows a digit or so with every version)")
    return 1 - ps ** k


# -- WARS Monte Carlo ----------------------------------------------------------


def _wars_draws(model, n: int, trials: int, seed: int):
    import numpy as np

    legs = model.sample_legs(np.random.default_rng(seed), trials, n)
    return legs["W"], legs["A"], legs["R"], legs["S"]


def _check_model(model) -> WARS:
    """``model`` if it is a WARS; otherwise say how to make one."""
    if isinstance(model, WARS):
        return model
    if isinstance(model, LatencyModel):
        raise ValueError(f"model must be a WARS (one latency model per leg), got the single-link "
                         f"model {model!r}; for the same delay on every leg write "
                         f"dl.latency.WARS(m, m, m, m) with m = that model")
    raise ValueError(f"model must be a WARS such as dl.latency.LNKD_SSD or "
                     f"dl.latency.WARS(w=..., a=..., r=..., s=...), got {model!r}")


def _check_monte_carlo(model, n, r, w, trials, seed) -> tuple[WARS, int, int, int, int, int]:
    """The checked arguments of a WARS Monte Carlo, refused before anything is drawn."""
    model = _check_model(model)
    n, r, w = check_nrw(n, r, w)
    trials = whole_number("trials", trials)
    if trials * n > MAX_DRAWS:
        raise ValueError(f"trials={trials:,} is too many for n={n}: each leg draws trials * n "
                         f"delays, at most {MAX_DRAWS:,}, so trials must be at most "
                         f"{MAX_DRAWS // n:,}")
    # numpy seeds its generator with a whole number >= 0 only.
    seed = whole_number("seed", seed, low=0)
    return model, n, r, w, trials, seed


def _check_times(t_ms):
    """``t_ms`` as a 1-d float array: one time (ms since commit) or a non-empty list of them."""
    import numpy as np

    raw = np.asarray(t_ms) if not isinstance(t_ms, (str, bytes)) else None
    # Strings and booleans are refused rather than read as numbers ("5" -> 5.0, True -> 1.0).
    numeric = raw is not None and raw.dtype.kind in "iuf" and raw.ndim <= 1 and raw.size > 0
    times = np.atleast_1d(raw.astype(float)) if numeric else None
    if times is None or not np.all(np.isfinite(times)) or np.any(times < 0):
        raise ValueError(f"t_ms must be finite and >= 0: a number of ms, or a non-empty list "
                         f"of them; got {t_ms!r}")
    return times


def t_visibility(model, n: int = 3, r: int = 1, w: int = 1, t_ms=0.0, trials: int = 100_000,
                 seed: int = 0):
    """P(a read started ``t_ms`` after a write commits returns it), by WARS Monte Carlo.

    Parameters
    ----------
    model : dynamo_lab.latency.WARS
        The four legs' latency models (e.g. ``dl.latency.LNKD_SSD``).
    n, r, w : int
    t_ms : float or array of float
        Time from commit to the read's start; an array gives one
        probability per value, from the same trials.
    trials : int
    seed : int

    Returns
    -------
    float, or numpy array matching ``t_ms``

    Examples
    --------
    >>> import dynamo_lab as dl
    >>> wars = dl.latency.WARS(w=dl.latency.Exponential(1.0), a=1.0, r=1.0, s=1.0)
    >>> round(t_visibility(wars, n=3, r=2, w=2, trials=2000), 3)     # R + W > N
    1.0
    """
    import numpy as np

    model, n, r, w, trials, seed = _check_monte_carlo(model, n, r, w, trials, seed)
    times = _check_times(t_ms)
    W, A, R, S = _wars_draws(model, n, trials, seed)
    commit = np.partition(W + A, w - 1, axis=1)[:, w - 1]
    readers = np.argsort(R + S, axis=1, kind="stable")[:, :r]
    W_read = np.take_along_axis(W, readers, axis=1)
    R_read = np.take_along_axis(R, readers, axis=1)
    # A replica answers with the write if the write reached it before the read request.
    fresh = [(commit[:, None] + t + R_read >= W_read).any(axis=1).mean() for t in times]
    result = np.array(fresh)
    return float(result[0]) if np.ndim(t_ms) == 0 else result


def latency_percentiles(model, n: int = 3, r: int = 1, w: int = 1, q=(50, 99, 99.9),
                        trials: int = 100_000, seed: int = 0) -> dict[str, dict[float, float]]:
    """Read and write latency percentiles (ms) of a WARS model.

    A write completes at the W-th smallest W + A; a read at the R-th smallest
    R + S (PBS §4.1).

    Examples
    --------
    >>> import dynamo_lab as dl
    >>> wars = dl.latency.WARS(w=1.0, a=1.0, r=1.0, s=1.0)
    >>> latency_percentiles(wars, n=3, r=2, w=2, q=(50,), trials=10)
    {'read': {50: 2.0}, 'write': {50: 2.0}}
    """
    import numpy as np

    model, n, r, w, trials, seed = _check_monte_carlo(model, n, r, w, trials, seed)
    qs = _check_percentiles(q)
    W, A, R, S = _wars_draws(model, n, trials, seed)
    write = np.partition(W + A, w - 1, axis=1)[:, w - 1]
    read = np.partition(R + S, r - 1, axis=1)[:, r - 1]
    return {"read": dict(zip(qs, map(float, np.percentile(read, qs)))),
            "write": dict(zip(qs, map(float, np.percentile(write, qs))))}


def _check_percentiles(q) -> list:
    """``q`` as a list: a non-empty list of percentiles, each a number from 0 to 100."""
    import math

    try:
        qs = list(q) if not isinstance(q, (str, bytes)) else None
    except TypeError:
        qs = None
    if not qs or not all(isinstance(x, (int, float)) and not isinstance(x, bool)
                         and math.isfinite(x) and 0 <= x <= 100 for x in qs):
        raise ValueError(f"q must be a non-empty list of percentiles, each a number from 0 to "
                         f"100, such as (50, 99, 99.9); got {q!r}")
    return qs


# -- the same question asked of the protocol simulator -----------------------------

#: Who coordinates :func:`simulate_t_visibility`'s operations.
COORDINATOR_PLACES = ("outside", "replica")

def simulate_t_visibility(model, n: int = 3, r: int = 1, w: int = 1, t_ms=0.0,
                          trials: int = 5_000, seed: int = 0, coordinator: str = "outside"):
    """The probability :func:`t_visibility` estimates, measured on the simulator.

    Each trial writes a fresh key, waits until the write commits, lets
    ``t_ms`` pass, then reads with R and counts the read consistent if it
    returns the write. Each message takes the delay of its WARS leg.

    ``coordinator`` says who coordinates both operations:

    - ``"outside"`` (the default): a node outside the key's replica set, so
      every replica write crosses the network, as WARS assumes. With
      ``remote_extra_ms`` (the WAN fit) the write and the read each have one
      local replica, chosen independently, and messages to or from the
      others take that much longer.
    - ``"replica"``: the key's first home replica, as a partition-aware
      client picks it. It serves its own share in the time of its legs
      (the cluster's ``service_time="legs"``), so with identical legs the
      result has the same distribution; under WAN it is the local replica.

    Examples
    --------
    >>> import dynamo_lab as dl
    >>> wars = dl.latency.WARS(w=1.0, a=1.0, r=1.0, s=1.0)
    >>> simulate_t_visibility(wars, n=3, r=1, w=1, t_ms=0.0, trials=50)   # all equal: no race
    1.0
    """
    import numpy as np

    from .cluster import MAX_NODES, Cluster

    model = _check_model(model)
    n, r, w = check_nrw(n, r, w)
    if coordinator not in COORDINATOR_PLACES:
        raise ValueError(f"coordinator={coordinator!r} is not allowed; choose "
                         f"{' or '.join(map(repr, COORDINATOR_PLACES))}")
    if n >= MAX_NODES:   # the cluster has n + 1 nodes: the replicas and a coordinator
        raise ValueError(f"n={n} is too large: the simulated cluster has n + 1 nodes, at most "
                         f"{MAX_NODES}, so n must be at most {MAX_NODES - 1}")
    trials = whole_number("trials", trials)
    times = _check_times(t_ms)
    extra = float(getattr(model, "remote_extra_ms", 0.0) or 0.0)
    # Each message kind takes its WARS leg; nothing else travels (no repair, no hints).
    cluster = Cluster(nodes=n + 1, n=n, r=r, w=w, seed=seed,
                      latency=model.link_model(default=0.0, extra_ms=0.0),
                      read_repair=False, failure_detector="oracle", timeout_ms=1e9,
                      hinted_handoff=False)
    rng = cluster.sim.rng
    consistent = np.zeros(len(times))

    def place_near(home, via, extra_ms):
        cluster.network.clear_links()
        if extra_ms:
            local = via if via in home else home[rng.randrange(n)]
            for replica in home:
                if replica != local:
                    cluster.network.set_link(
                        via, replica,
                        latency=model.link_model(default=0.0, extra_ms=extra_ms))

    for trial in range(trials):
        for index, t in enumerate(times):
            key = f"trial{trial}.{index}"
            home = cluster.ring.home_replicas(key)
            via = home[0] if coordinator == "replica" else \
                next(x for x in cluster.nodes if x not in home)
            # With the WAN fit, the write and the read each have their own
            # local replica (PBS: chosen per operation); the others are remote.
            place_near(home, via, extra)
            put = cluster.put(key, trial, coordinator=via)
            if t:
                cluster.run_for(float(t))
            place_near(home, via, extra)
            read = cluster.get(key, coordinator=via)
            consistent[index] += put.ok and read.values == [trial]
            cluster.run_until_idle()
    result = consistent / trials
    return float(result[0]) if np.ndim(t_ms) == 0 else result
