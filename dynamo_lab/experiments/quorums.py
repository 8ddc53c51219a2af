"""Quorum experiments: measure on the simulator what quorum arithmetic predicts.

:mod:`dynamo_lab.quorum` and :mod:`dynamo_lab.pbs` say what N, R and W
promise before anything runs. The functions here run many seeded operations
on a :class:`~dynamo_lab.cluster.Cluster` and report what actually happened,
so lesson 03 can put the two side by side:

* :func:`operations_with_replicas_down`: which reads and writes succeed at
  each consistency level as home replicas crash;
* :func:`quorum_latencies`: latency percentiles of gets and puts that wait
  for the k-th fastest of N replies;
* :func:`stale_read_frequency`: how often a read started right after a write
  commits misses it, next to PBS Eq. 1 (:func:`compare_with_pbs` tabulates
  several configurations); :func:`find_stale_read` returns one such read to
  look at.

Every experiment uses a strict quorum (``sloppy_quorum=False``) and a
coordinator that is not a replica of the key, so every reply and every
acknowledgement crosses the network.

Examples
--------
>>> result = stale_read_frequency(3, r=2, w=2, trials=50)
>>> result.stale, result.p_stale
(0, Fraction(0, 1))
>>> table = operations_with_replicas_down(3)
>>> bool(table.loc[1, "get QUORUM"]), bool(table.loc[2, "get QUORUM"])
(True, False)
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ..cluster import Cluster
from ..consistency import level_size
from ..latency import Exponential
from ..pbs import check_nrw, p_stale
from ..results import ReadResult, WriteResult
from ..validation import whole_number

__all__ = ["outside_coordinator", "operations_with_replicas_down", "quorum_latencies",
           "StaleReadTrial", "StaleReadFrequency", "stale_read_frequency", "find_stale_read",
           "compare_with_pbs", "distance_from_eq1"]

#: The value every stale-read trial starts from, and the one it then writes.
OLD, NEW = "old", "new"


def outside_coordinator(cluster: Cluster, key: str) -> str:
    """The first node that is up and is not one of ``key``'s home replicas.

    A coordinator outside the replica set stores nothing itself, so each of
    the R replies (or W acknowledgements) it waits for is a network round trip.

    Raises
    ------
    ValueError
        If every node that is up is a home replica (the cluster needs more
        than N nodes).

    Examples
    --------
    >>> import dynamo_lab as dl
    >>> cluster = dl.Cluster(nodes=5, n=3, seed=0)
    >>> node = outside_coordinator(cluster, "cart:alice")
    >>> node in cluster.ring.home_replicas("cart:alice")
    False
    """
    home = cluster.ring.home_replicas(key)
    for name in cluster.nodes:
        if name not in home and cluster.is_up(name):
            return name
    raise ValueError(f"every node that is up is a home replica of {key!r}; build the cluster "
                     "with more nodes than N")


def _cluster(n: int, seed: int, mean_ms: float, detector: str = "timeouts") -> Cluster:
    """N + 2 nodes, a strict quorum and exponential one-way delays."""
    return Cluster(nodes=n + 2, n=n, r=1, w=1, seed=seed, sloppy_quorum=False,
                   latency=Exponential(mean_ms), failure_detector=detector)


def operations_with_replicas_down(n: int = 3, levels=("ONE", "QUORUM", "ALL"), *,
                                  seed: int = 0):
    """Which gets and puts succeed with 0, 1, ..., N home replicas down.

    For each number of crashed home replicas a fresh cluster (strict quorum,
    a failure detector that knows who is down) stores a key on all N
    replicas, crashes that many of them, then tries a get and a put at each
    consistency level through a coordinator outside the replica set.

    Parameters
    ----------
    n : int
        Replicas per key.
    levels : sequence of str
        Consistency levels to try (see :data:`dynamo_lab.consistency.LEVELS`).
    seed : int
        Seeds every cluster.

    Returns
    -------
    pandas.DataFrame
        One row per number of replicas down (the index); one boolean column
        per operation and level, ``"get ONE"`` ... ``"put ALL"``: True when
        the operation succeeded.

    Examples
    --------
    >>> table = operations_with_replicas_down(3, levels=("ONE", "ALL"))
    >>> table.columns.tolist()
    ['get ONE', 'get ALL', 'put ONE', 'put ALL']
    >>> table["put ALL"].tolist(), table["get ONE"].tolist()
    ([True, False, False, False], [True, True, True, False])
    """
    import pandas as pd

    whole_number("n", n, 1)
    sizes = {level: level_size(level, n) for level in levels}
    rows = {}
    key = "cart:alice"
    for down in range(n + 1):
        cluster = _cluster(n, seed, 1.0, detector="oracle")
        coordinator = outside_coordinator(cluster, key)
        cluster.put(key, ["book"], w=n, coordinator=coordinator)
        cluster.run_until_idle()
        for node in cluster.ring.home_replicas(key)[:down]:
            cluster.crash(node)
        row = {}
        for level, size in sizes.items():
            row[f"get {level}"] = cluster.get(key, r=size, coordinator=coordinator).ok
        for level, size in sizes.items():
            latest = cluster.get(key, r=1, coordinator=coordinator)
            context = latest.context if latest.ok else None
            row[f"put {level}"] = cluster.put(key, ["book", level], context, w=size,
                                              coordinator=coordinator).ok
        cluster.run_until_idle()
        rows[down] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "replicas down"
    return table


def quorum_latencies(sizes=(1, 2, 3), *, n: int = 3, trials: int = 1000, mean_ms: float = 1.0,
                     seed: int = 0, percentiles=(50, 90, 99)):
    """Latency percentiles of gets waiting for R replies and puts waiting for W acks.

    For each size k, a cluster with exponential one-way delays (mean
    ``mean_ms``) runs ``trials`` puts with ``w=k`` and gets with ``r=k``,
    each on its own key through a coordinator outside the replica set.
    Each operation therefore waits for the k-th fastest of N round trips.

    Parameters
    ----------
    sizes : sequence of int
        The values of R (for gets) and W (for puts) to measure, each 1..N.
    n : int
        Replicas per key.
    trials : int
        Operations of each kind per size.
    mean_ms : float
        Mean one-way message delay.
    seed : int
        Seeds the clusters (each size uses the same seed).
    percentiles : sequence of float
        Which percentiles to report.

    Returns
    -------
    pandas.DataFrame
        One row per operation and size: columns ``operation`` ("get" or
        "put"), ``k``, ``mean`` and one ``p<q>`` column per percentile, in ms.

    Examples
    --------
    >>> table = quorum_latencies((1, 3), trials=200)
    >>> table.columns.tolist()
    ['operation', 'k', 'mean', 'p50', 'p90', 'p99']
    >>> gets = table[table.operation == "get"].set_index("k")
    >>> bool(gets.loc[3, "p50"] > gets.loc[1, "p50"])
    True
    """
    import numpy as np
    import pandas as pd

    whole_number("n", n, 1)
    whole_number("trials", trials, 1)
    for k in sizes:
        check_nrw(n, k, k)
    rows = []
    for k in sizes:
        cluster = _cluster(n, seed, mean_ms)
        puts, gets = [], []
        for i in range(trials):
            key = f"latency:{i}"
            coordinator = outside_coordinator(cluster, key)
            wrote = cluster.put(key, i, w=k, coordinator=coordinator)
            read = cluster.get(key, r=k, coordinator=coordinator)
            if not (wrote.ok and read.ok):  # pragma: no cover - no faults are injected
                raise RuntimeError(f"an operation failed without faults: {wrote!r} {read!r}")
            puts.append(wrote.latency_ms)
            gets.append(read.latency_ms)
            cluster.run_until_idle()
        for operation, samples in (("get", gets), ("put", puts)):
            row = {"operation": operation, "k": k, "mean": float(np.mean(samples))}
            for q in percentiles:
                row[f"p{q:g}"] = float(np.percentile(samples, q))
            rows.append(row)
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class StaleReadTrial:
    """One write followed at once by a read of the same key.

    Attributes
    ----------
    key : str
    write : WriteResult
        The write of ``"new"`` over ``"old"``, acknowledged by W replicas.
    read : ReadResult
        The read started the moment the write returned.
    holders : tuple of str
        The home replicas that stored ``"new"`` when the read started.
    stale : bool
        True when the read did not return ``"new"``.
    """

    key: str
    write: WriteResult
    read: ReadResult
    holders: tuple[str, ...]
    stale: bool


def _trial(cluster: Cluster, key: str, r: int, w: int, propagate: bool) -> StaleReadTrial:
    coordinator = outside_coordinator(cluster, key)
    home = cluster.ring.home_replicas(key)
    cluster.put(key, OLD, w=cluster.n, coordinator=coordinator)
    cluster.run_until_idle()
    base = cluster.get(key, r=cluster.n, coordinator=coordinator)
    cluster.run_until_idle()
    cut = home[w:] if not propagate else []
    if cut:
        # Cut off the replicas the write is not meant to reach; the oracle
        # detector makes the coordinator send to the other W only.
        cluster.partition(cut)
    write = cluster.put(key, NEW, base.context, w=w, coordinator=coordinator)
    if cut:
        cluster.heal()
    replicas = cluster.replicas(key)
    holders = tuple(node for node in home if NEW in replicas.values_at(node))
    read = cluster.get(key, r=r, coordinator=coordinator)
    cluster.run_until_idle()
    return StaleReadTrial(key, write, read, holders, NEW not in read.values)


@dataclass(frozen=True)
class StaleReadFrequency:
    """How often reads right after a write missed it, and what PBS predicts.

    Attributes
    ----------
    n, r, w : int
    trials : int
    stale : int
        Reads that did not return the write.
    propagate : bool
        Whether the write kept travelling to the other N - W replicas after
        it committed.
    p_stale : fractions.Fraction
        PBS Eq. 1, ``C(N-W, R) / C(N, R)``.
    """

    n: int
    r: int
    w: int
    trials: int
    stale: int
    propagate: bool
    p_stale: Fraction

    @property
    def frequency(self) -> float:
        """``stale / trials``."""
        return self.stale / self.trials

    @property
    def standard_error(self) -> float:
        """The binomial standard error of :attr:`frequency` around ``p_stale``."""
        p = float(self.p_stale)
        return (p * (1 - p) / self.trials) ** 0.5


def stale_read_frequency(n: int, r: int, w: int, *, trials: int = 1000, seed: int = 0,
                         propagate: bool = True, mean_ms: float = 1.0) -> StaleReadFrequency:
    """Measure how often a read started right after a write commits misses it.

    Each trial uses its own key: every home replica first stores ``"old"``;
    then a put of ``"new"`` waits for W acknowledgements, and the moment it
    returns a get waits for the R fastest replies. Both go through a
    coordinator outside the replica set, and every message has an
    exponential delay. A read is stale if it does not return ``"new"``.

    Parameters
    ----------
    n, r, w : int
        Replicas, read quorum and write quorum.
    trials : int
        How many write-then-read pairs.
    seed : int
        Seeds the cluster.
    propagate : bool
        True (what a real cluster does): the write's messages to the other
        N - W replicas are still in flight when the read starts and may
        arrive before the read's requests. False: those replicas are cut off
        while the write runs, so the write stops at exactly W replicas, the
        situation PBS Eq. 1 describes.
    mean_ms : float
        Mean one-way message delay.

    Returns
    -------
    StaleReadFrequency

    Examples
    --------
    >>> still = stale_read_frequency(3, 1, 1, trials=300, propagate=False)
    >>> still.p_stale, abs(still.frequency - 2 / 3) < 4 * still.standard_error
    (Fraction(2, 3), True)
    >>> moving = stale_read_frequency(3, 1, 1, trials=300)
    >>> moving.frequency < still.frequency
    True
    """
    n, r, w = check_nrw(n, r, w)
    whole_number("trials", trials, 1)
    cluster = _cluster(n, seed, mean_ms, detector="oracle")
    stale = sum(_trial(cluster, f"stale:{i}", r, w, propagate).stale for i in range(trials))
    return StaleReadFrequency(n, r, w, trials, stale, propagate, p_stale(n, r, w))


def find_stale_read(n: int, r: int, w: int, *, seed: int = 0, max_trials: int = 200,
                    mean_ms: float = 1.0) -> StaleReadTrial | None:
    """The first trial of :func:`stale_read_frequency` whose read was stale.

    Returns None when none of ``max_trials`` trials gave a stale read (always
    the case when R + W > N).

    Examples
    --------
    >>> trial = find_stale_read(3, 1, 1)
    >>> trial.stale, trial.read.values
    (True, ['old'])
    >>> set(trial.read.replies).isdisjoint(trial.holders)
    True
    >>> find_stale_read(3, 2, 2, max_trials=50) is None
    True
    """
    n, r, w = check_nrw(n, r, w)
    whole_number("max_trials", max_trials, 1)
    cluster = _cluster(n, seed, mean_ms, detector="oracle")
    for i in range(max_trials):
        trial = _trial(cluster, f"stale:{i}", r, w, propagate=True)
        if trial.stale:
            return trial
    return None


def compare_with_pbs(configs=((3, 1, 1), (3, 1, 2), (3, 2, 1), (3, 2, 2)), *,
                     trials: int = 1000, seed: int = 0, mean_ms: float = 1.0):
    """PBS Eq. 1 next to the stale-read frequency measured both ways.

    Parameters
    ----------
    configs : sequence of (n, r, w)
    trials : int
        Write-then-read pairs per configuration and way.
    seed : int
    mean_ms : float
        Mean one-way message delay.

    Returns
    -------
    pandas.DataFrame
        One row per configuration: ``N``, ``R``, ``W``, ``p_stale`` (Eq. 1,
        as a fraction), ``Eq. 1`` (the same as a float), ``write stops at W``
        (measured with ``propagate=False``) and ``write keeps going``
        (measured with ``propagate=True``).

    Examples
    --------
    >>> table = compare_with_pbs([(3, 1, 1), (3, 2, 2)], trials=100)
    >>> table[["N", "R", "W", "p_stale"]].values.tolist()
    [[3, 1, 1, Fraction(2, 3)], [3, 2, 2, Fraction(0, 1)]]
    >>> float(table["write keeps going"].iloc[1])
    0.0
    """
    import pandas as pd

    rows = []
    for n, r, w in configs:
        still = stale_read_frequency(n, r, w, trials=trials, seed=seed, propagate=False,
                                     mean_ms=mean_ms)
        moving = stale_read_frequency(n, r, w, trials=trials, seed=seed, propagate=True,
                                      mean_ms=mean_ms)
        rows.append({"N": n, "R": r, "W": w, "p_stale": still.p_stale,
                     "Eq. 1": float(still.p_stale), "write stops at W": still.frequency,
                     "write keeps going": moving.frequency})
    return pd.DataFrame(rows)


def distance_from_eq1(comparison, trials: int):
    """How far each measured frequency lies from Eq. 1, in standard errors.

    A frequency measured over ``trials`` independent trials of a true
    probability p scatters by one binomial standard error, sqrt(p(1 - p) /
    trials), so a distance of one or two is what chance alone gives.
    Positive: more stale reads than Eq. 1 predicts; negative: fewer.

    Parameters
    ----------
    comparison : pandas.DataFrame
        What :func:`compare_with_pbs` returned.
    trials : int
        The trials per configuration it was run with.

    Returns
    -------
    pandas.DataFrame
        One row per configuration in which Eq. 1 is neither 0 nor 1 (where it
        is, a frequency has no spread to measure against): ``N``, ``R``,
        ``W``, ``Eq. 1``, ``standard error``, and for each of ``write stops at
        W`` and ``write keeps going`` the distance.

    Examples
    --------
    >>> table = compare_with_pbs([(3, 1, 1), (3, 2, 2)], trials=100)
    >>> distances = distance_from_eq1(table, trials=100)
    >>> distances[["N", "R", "W"]].values.tolist()     # R + W > N has no spread
    [[3, 1, 1]]
    >>> round(float(distances["standard error"].iloc[0]), 4)
    0.0471
    """
    import pandas as pd

    trials = whole_number("trials", trials, low=1)
    rows = []
    for _, row in comparison.iterrows():
        p = float(row["p_stale"])
        if p in (0.0, 1.0):
            continue
        error = (p * (1 - p) / trials) ** 0.5
        rows.append({"N": row["N"], "R": row["R"], "W": row["W"], "Eq. 1": p,
                     "standard error": error,
                     **{f"{way} (standard errors)": (row[way] - p) / error
                        for way in ("write stops at W", "write keeps going")}})
    return pd.DataFrame(rows)
