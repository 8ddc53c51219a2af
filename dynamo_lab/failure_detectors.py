"""Who is healthy: the seam through which a coordinator sees failures.

A coordinator picks its targets from the nodes its failure detector calls
healthy. Detectors answer ``is_healthy(observer, node)`` from the observer's
point of view, so two sides of a partition can disagree, as real nodes do.

``"timeouts"`` (:class:`TimeoutDetector`, the default)
    What a real node can know: a peer is suspected once it fails to answer
    a request before the operation's time-out, and trusted again as soon as
    any message from it arrives, or after ``suspicion_ms`` so that it gets
    probed again. Until a crash is noticed, operations still send to the
    crashed node and wait for it.
``"oracle"`` (:class:`OracleDetector`)
    Perfect, instant knowledge: a node is healthy for an observer exactly
    when it is up and no partition separates the two. Lessons use it to
    isolate one effect at a time.

Examples
--------
>>> import dynamo_lab as dl
>>> cluster = dl.Cluster(nodes=3, n=3, r=2, w=2, seed=1, failure_detector="oracle")
>>> cluster.partition(["A"], ["B", "C"])
>>> cluster.detector.is_healthy("A", "B"), cluster.detector.is_healthy("B", "C")
(False, True)

With the default detector, A learns that B and C are gone only when they
fail to answer:

>>> cluster = dl.Cluster(nodes=3, n=3, r=2, w=2, seed=1)
>>> cluster.partition(["A"], ["B", "C"])
>>> cluster.detector.is_healthy("A", "B")
True
>>> cluster.put("k", 1, coordinator="A").status
'info'
>>> _ = cluster.run_until_idle()
>>> cluster.detector.is_healthy("A", "B"), cluster.put("k", 2, coordinator="A").status
(False, 'fail')
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .sim.network import Network

__all__ = ["FailureDetector", "OracleDetector", "TimeoutDetector", "FAILURE_DETECTORS",
           "make_detector"]


class FailureDetector:
    """Base class: the coordinator's view of which nodes are healthy."""

    name = "?"
    #: True while :meth:`heard_from` has something to learn; otherwise a node
    #: does not call it for each message it receives. A subclass that
    #: overrides :meth:`heard_from` listens always, unless it sets this itself.
    listening = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "heard_from" in cls.__dict__ and "listening" not in cls.__dict__:
            cls.listening = True

    def is_healthy(self, observer: str, node: str) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def missed(self, observer: str, peer: str) -> None:
        """``peer`` did not answer ``observer`` in time (ignored by default)."""

    def heard_from(self, observer: str, peer: str) -> None:
        """A message from ``peer`` reached ``observer`` (ignored by default)."""

    def suspects(self, observer: str) -> list[str]:
        """The peers ``observer`` currently considers unhealthy."""
        return [n for n in self._nodes() if n != observer and not self.is_healthy(observer, n)]

    def _nodes(self) -> list[str]:
        return list(self.network.nodes)

    def __repr__(self) -> str:
        return f"<failure detector {self.name!r}>"


class OracleDetector(FailureDetector):
    """Perfect knowledge, straight from the network's state."""

    name = "oracle"

    def __init__(self, network: "Network"):
        self.network = network

    def is_healthy(self, observer: str, node: str) -> bool:
        return self.network.reachable(observer, node)


class TimeoutDetector(FailureDetector):
    """Suspect a peer that missed a reply; trust it again when it speaks.

    Parameters
    ----------
    network : Network
    suspicion_ms : float
        How long a suspicion lasts without news before the peer is tried
        again (1000 ms by default).
    """

    name = "timeouts"
    listening = False   # until it suspects someone: see missed()

    def __init__(self, network: "Network", suspicion_ms: float = 1000.0):
        self.network = network
        self.suspicion_ms = suspicion_ms
        self._since: dict[tuple[str, str], float] = {}

    def is_healthy(self, observer: str, node: str) -> bool:
        if observer == node:
            return self.network.is_up(node)
        if not self._since:   # nobody suspects anybody: the usual case
            return True
        since = self._since.get((observer, node))
        if since is None:
            return True
        if self.network.sim.now - since >= self.suspicion_ms:
            del self._since[(observer, node)]
            self.listening = bool(self._since)
            return True
        return False

    def missed(self, observer: str, peer: str) -> None:
        if observer != peer:
            self._since[(observer, peer)] = self.network.sim.now
            # News from a suspect lifts its suspicion, so now it is wanted.
            self.listening = True

    def heard_from(self, observer: str, peer: str) -> None:
        self._since.pop((observer, peer), None)
        self.listening = bool(self._since)


FAILURE_DETECTORS = {"timeouts": TimeoutDetector, "oracle": OracleDetector}


def make_detector(name: str, network: "Network") -> FailureDetector:
    """The detector called ``name`` (see :data:`FAILURE_DETECTORS`)."""
    try:
        return FAILURE_DETECTORS[name](network)
    except (KeyError, TypeError):
        raise ValueError(f"unknown failure_detector {name!r}; choose one of "
                         f"{', '.join(map(repr, [*FAILURE_DETECTORS, 'phi']))}") from None
