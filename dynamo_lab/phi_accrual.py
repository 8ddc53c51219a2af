"""The phi accrual failure detector (Hayashibara et al., SRDS 2004).

Instead of a yes/no verdict after a fixed time-out, an accrual detector
outputs a suspicion level ``phi`` that keeps growing while a peer stays
silent. Each observer keeps, per peer, a sliding window of heartbeat
inter-arrival times and models them as a normal distribution with the
window's mean ``mu`` and standard deviation ``sigma`` (at least
``min_std_ms``, so a perfectly regular stream does not give an infinitely
sharp verdict). With ``t`` the time since the last heartbeat::

    P_later(t) = 1 - F(t) = 0.5 * erfc((t - mu) / (sigma * sqrt(2)))
    phi(t)     = -log10(P_later(t))

``phi = 1`` means a 10 % chance that a heartbeat would still arrive this
late, ``phi = 8`` a chance of 1e-8. A peer is suspected while ``phi``
exceeds the threshold: a higher threshold makes fewer mistakes and notices a
crash later, which :func:`phi_tradeoff` measures. Far in the tail, where
``erfc`` underflows, the asymptotic ``erfc(x) ~ exp(-x**2) / (x sqrt(pi))``
keeps ``phi`` finite and increasing.

Examples
--------
>>> phi = PhiAccrual(threshold=8.0, min_std_ms=100.0)
>>> for t in range(0, 10_001, 1000):
...     phi.heartbeat("A", "B", float(t))
>>> round(phi.phi("A", "B", 10_500.0), 2)
0.0
>>> round(phi.phi("A", "B", 11_000.0), 2)
0.3
>>> phi.suspects("A", "B", 11_500.0), phi.suspects("A", "B", 16_000.0)
(False, True)
"""

from __future__ import annotations

import math
from collections import deque
from statistics import NormalDist

from .failure_detectors import FailureDetector

__all__ = ["phi_series", "PhiAccrual", "PhiDetector", "phi_tradeoff"]

_LOG10_E = math.log10(math.e)
_LOG10_SQRT_PI = math.log10(math.sqrt(math.pi))


def _phi_of(elapsed: float, mean: float, std: float) -> float:
    """``-log10(P_later(elapsed))`` for a normal(mean, std) inter-arrival."""
    x = (elapsed - mean) / (std * math.sqrt(2.0))
    if x < 20.0:
        p_later = 0.5 * math.erfc(x)
        return max(0.0, -math.log10(p_later)) if p_later > 0 else math.inf
    # erfc(x) ~ exp(-x^2) / (x sqrt(pi)) for large x; 0.5 * erfc in log10:
    return x * x * _LOG10_E + math.log10(x) + _LOG10_SQRT_PI + math.log10(2.0)


class _Window:
    """Inter-arrival times of one (observer, peer) pair, with running sums."""

    __slots__ = ("intervals", "total", "total_sq", "last")

    def __init__(self, size: int):
        self.intervals: deque[float] = deque(maxlen=size)
        self.total = 0.0
        self.total_sq = 0.0
        self.last: float | None = None

    def add(self, interval: float) -> None:
        if len(self.intervals) == self.intervals.maxlen:
            old = self.intervals[0]
            self.total -= old
            self.total_sq -= old * old
        self.intervals.append(interval)
        self.total += interval
        self.total_sq += interval * interval


class PhiAccrual:
    """Per-(observer, peer) phi accrual failure detection.

    Parameters
    ----------
    window : int
        How many recent inter-arrival times to keep (100).
    threshold : float
        Suspect a peer while ``phi`` exceeds this (8.0).
    min_std_ms : float
        Floor on the standard deviation (100 ms, Akka's default for a 1 s
        heartbeat): without it a perfectly regular stream would make any
        slightly late heartbeat look like a crash.
    bootstrap_ms : float
        Assumed mean inter-arrival before two heartbeats have been seen
        (1000 ms, the gossip period); its standard deviation is taken as a
        quarter of it, as Akka does.
    """

    def __init__(self, window: int = 100, threshold: float = 8.0, min_std_ms: float = 100.0,
                 bootstrap_ms: float = 1000.0):
        if isinstance(window, bool) or not isinstance(window, int) or window < 1:
            raise ValueError(f"window must be an integer >= 1, got {window!r}")
        for name, value in (("threshold", threshold), ("min_std_ms", min_std_ms),
                            ("bootstrap_ms", bootstrap_ms)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) \
                    or not math.isfinite(value) or value <= 0:
                raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
        self.window = window
        self.threshold = float(threshold)
        self.min_std_ms = float(min_std_ms)
        self.bootstrap_ms = float(bootstrap_ms)
        self._windows: dict[tuple[str, str], _Window] = {}

    def heartbeat(self, observer: str, peer: str, now: float) -> None:
        """A heartbeat of ``peer`` reached ``observer`` at time ``now`` (ms)."""
        w = self._windows.get((observer, peer))
        if w is None:
            w = self._windows[(observer, peer)] = _Window(self.window)
        if w.last is not None:
            w.add(max(0.0, now - w.last))
        w.last = now

    def last_heartbeat(self, observer: str, peer: str) -> float | None:
        """When ``observer`` last heard a heartbeat of ``peer`` (None: never)."""
        w = self._windows.get((observer, peer))
        return None if w is None else w.last

    def intervals(self, observer: str, peer: str) -> list[float]:
        """The inter-arrival times in the window, oldest first."""
        w = self._windows.get((observer, peer))
        return [] if w is None else list(w.intervals)

    def distribution(self, observer: str, peer: str) -> tuple[float, float]:
        """``(mean, std)`` in ms of the normal model used for ``phi``."""
        w = self._windows.get((observer, peer))
        n = 0 if w is None else len(w.intervals)
        if n == 0:
            mean, std = self.bootstrap_ms, self.bootstrap_ms / 4.0
        else:
            mean = w.total / n
            std = math.sqrt(max(0.0, w.total_sq / n - mean * mean))
        return mean, max(std, self.min_std_ms)

    def phi(self, observer: str, peer: str, now: float) -> float:
        """Suspicion level of ``peer`` at ``observer``; 0.0 if never heard from.

        Never having heard from a peer is no evidence against it, so such a
        peer is not suspected.
        """
        w = self._windows.get((observer, peer))
        if w is None or w.last is None:
            return 0.0
        mean, std = self.distribution(observer, peer)
        return _phi_of(now - w.last, mean, std)

    def suspects(self, observer: str, peer: str, now: float,
                 threshold: float | None = None) -> bool:
        """True when ``phi`` exceeds the threshold (or the one given)."""
        limit = self.threshold if threshold is None else threshold
        return self.phi(observer, peer, now) > limit

    def suspicion_after(self, observer: str, peer: str,
                        threshold: float | None = None) -> float:
        """Silence (ms after the last heartbeat) at which ``phi`` passes the threshold.

        Inverts ``phi`` for the current window: ``mu + sigma * z`` with
        ``P(Z > z) = 10 ** -threshold``.
        """
        limit = self.threshold if threshold is None else threshold
        mean, std = self.distribution(observer, peer)
        z = -NormalDist().inv_cdf(10.0 ** -limit)
        return mean + std * z

    def __repr__(self) -> str:
        return (f"PhiAccrual(window={self.window}, threshold={self.threshold:g}, "
                f"min_std_ms={self.min_std_ms:g})")


class PhiDetector(FailureDetector):
    """A :class:`~dynamo_lab.failure_detectors.FailureDetector` backed by phi accrual.

    Parameters
    ----------
    source : Gossip or PhiAccrual
        Where heartbeats are recorded: a :class:`~dynamo_lab.membership.Gossip`
        built with ``phi=...`` (its ``phi`` attribute is used), or a
        :class:`PhiAccrual` fed by any other means.
    sim : Simulation
        Supplies the current time.
    threshold : float, optional
        Overrides the accrual's own threshold.

    ``is_healthy(observer, node)`` is "not suspected at ``sim.now``".
    ``missed`` and ``heard_from`` are ignored: only heartbeats count.
    """

    name = "phi"

    def __init__(self, source, sim, threshold: float | None = None):
        phi = source if isinstance(source, PhiAccrual) else getattr(source, "phi", None)
        if not isinstance(phi, PhiAccrual):
            raise ValueError("PhiDetector needs a PhiAccrual, or a Gossip built with "
                             "phi=PhiAccrual(...)")
        self.phi = phi
        self.sim = sim
        self.threshold = phi.threshold if threshold is None else float(threshold)
        self.network = getattr(source, "network", None)

    def is_healthy(self, observer: str, node: str) -> bool:
        if observer == node:
            return self.network.is_up(node) if self.network is not None else True
        return not self.phi.suspects(observer, node, self.sim.now, self.threshold)

    def _nodes(self) -> list[str]:
        if self.network is not None:
            return list(self.network.nodes)
        return sorted({n for pair in self.phi._windows for n in pair})


def phi_tradeoff(thresholds, seed: int = 0, duration_ms: float = 600_000.0, *,
                 interval_ms: float = 1000.0, latency=None, window: int = 100,
                 min_std_ms: float = 10.0) -> list[tuple[float, int, float]]:
    """False suspicions and detection delay of phi accrual, per threshold.

    Node B sends a heartbeat to A every ``interval_ms`` over a simulated link
    (default latency ``Mixture([(0.9, Exponential(5)), (0.1, Pareto(20, 1.5))])``,
    a heavy tail) for ``duration_ms``, then crashes. Out-of-order heartbeats
    (older sequence numbers) are ignored. The arrival times are recorded once
    and replayed into one :class:`PhiAccrual` per threshold, so every
    threshold judges exactly the same stream:

    - a false suspicion is a gap between two arrivals during which ``phi``
      rose past the threshold (B was alive);
    - the detection delay is the time from the crash until ``phi`` passes
      the threshold after the last arrival.

    The default ``interval_ms`` is Dynamo's gossip period (one second,
    §4.8.1); ``min_std_ms`` defaults to 10 ms here, because heartbeats go
    straight from B to A and vary only by the network's jitter (with the
    100 ms floor of :class:`PhiAccrual` almost nothing would be suspected).

    Returns a list of ``(threshold, false_suspicions, detection_delay_ms)``.

    Examples
    --------
    >>> rows = phi_tradeoff([1, 8], seed=1, duration_ms=60_000)
    >>> rows[0][1] >= rows[1][1], rows[0][2] < rows[1][2]
    (True, True)
    """
    from .latency import Exponential, Mixture, Pareto
    from .sim.kernel import Simulation
    from .sim.network import Network

    if latency is None:
        latency = Mixture([(0.9, Exponential(5)), (0.1, Pareto(20, 1.5))])
    sim = Simulation(seed=seed)
    net = Network(sim, ["A", "B"], latency=latency)
    arrivals: list[float] = []
    newest = [-1]

    def on_arrival(msg) -> None:
        if msg.kind == "heartbeat" and msg.op_id > newest[0]:
            newest[0] = msg.op_id
            arrivals.append(sim.now)

    net.attach("A", on_arrival)
    count = int(duration_ms // interval_ms)
    for seq in range(count + 1):
        sim.schedule(seq * interval_ms, net.send, "B", "A", "heartbeat", None, seq)
    crash_at = count * interval_ms
    sim.schedule(crash_at, net.crash, "B")
    sim.run_until_idle()

    rows = []
    for threshold in thresholds:
        acc = PhiAccrual(window=window, threshold=threshold, min_std_ms=min_std_ms,
                         bootstrap_ms=interval_ms)
        false = 0
        for t in arrivals:
            last = acc.last_heartbeat("A", "B")
            if last is not None and t - last > acc.suspicion_after("A", "B"):
                false += 1
            acc.heartbeat("A", "B", t)
        detected = arrivals[-1] + acc.suspicion_after("A", "B")
        rows.append((float(threshold), false, max(0.0, detected - crash_at)))
    return rows


def phi_series(cluster, observer: str, peer: str, duration_ms: float,
               step_ms: float = 100.0) -> tuple[list[float], list[float]]:
    """Run ``cluster`` (built with ``failure_detector="phi"``) for ``duration_ms``,
    sampling ``observer``'s phi for ``peer`` every ``step_ms``.

    Returns (times, phis). Crash ``peer`` before or during the run to watch
    phi climb past the threshold.
    """
    detector = cluster.detector
    if not isinstance(detector, PhiDetector):
        raise ValueError("phi_series needs a cluster built with failure_detector='phi'")
    if not (step_ms > 0 and duration_ms >= step_ms):
        raise ValueError(f"need step_ms > 0 and duration_ms >= step_ms, got {step_ms!r}, "
                         f"{duration_ms!r}")
    times, phis = [], []
    end = cluster.now + duration_ms
    while cluster.now + step_ms <= end + 1e-9:
        cluster.run_for(step_ms)
        times.append(cluster.now)
        phis.append(detector.phi.phi(observer, peer, cluster.now))
    return times, phis
