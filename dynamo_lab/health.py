"""Who is healthy: the seam through which a coordinator sees failures.

A coordinator picks its targets from the nodes its failure detector calls
healthy. Detectors answer ``is_healthy(observer, node)`` from the observer's
point of view, so two sides of a partition can disagree, as real nodes do.

``"oracle"`` (:class:`OracleDetector`)
    Perfect, instant knowledge: a node is healthy for an observer exactly
    when it is up and no partition separates the two. Lessons use it to
    isolate one effect at a time.

Examples
--------
>>> import dynamo_lab as dl
>>> cluster = dl.Cluster(nodes=3, n=3, r=2, w=2, seed=1)
>>> cluster.partition(["A"], ["B", "C"])
>>> cluster.detector.is_healthy("A", "B"), cluster.detector.is_healthy("B", "C")
(False, True)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .sim.network import Network

__all__ = ["FailureDetector", "OracleDetector", "FAILURE_DETECTORS", "make_detector"]


class FailureDetector:
    """Base class: the coordinator's view of which nodes are healthy."""

    name = "?"

    def is_healthy(self, observer: str, node: str) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<failure detector {self.name!r}>"


class OracleDetector(FailureDetector):
    """Perfect knowledge, straight from the network's state."""

    name = "oracle"

    def __init__(self, network: "Network"):
        self.network = network

    def is_healthy(self, observer: str, node: str) -> bool:
        return self.network.reachable(observer, node)


FAILURE_DETECTORS = {"oracle": OracleDetector}


def make_detector(name: str, network: "Network") -> FailureDetector:
    """The detector called ``name`` (see :data:`FAILURE_DETECTORS`)."""
    try:
        return FAILURE_DETECTORS[name](network)
    except (KeyError, TypeError):
        raise ValueError(f"unknown failure_detector {name!r}; choose one of "
                         f"{', '.join(map(repr, FAILURE_DETECTORS))}") from None
