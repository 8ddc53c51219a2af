"""Service time: what a replica's own share of a request costs its coordinator.

A coordinator that is one of the key's replicas sends itself no message: it
stores the write, or reads its copy, in place. If that cost nothing, a get at
R = 1 or a put at W = 1 coordinated by a home replica would answer in 0 ms,
however slow the replicas' disks. The PBS fits (Bailis et al., PVLDB 2012,
§4.1) time each leg of a request from the coordinator's send to the
replica's answer, so a leg holds the replica's service time as well as the
wire's; a replica serving itself pays them too. :class:`ServiceTime` says
what it pays:

- ``"legs"`` (the cluster's default): the request and reply legs of a
  per-message-kind model (:meth:`WARS.link_model
  <dynamo_lab.latency.wars.WARS.link_model>`): ``put_req`` then ``put_ack``
  for a write, ``get_req`` then ``get_resp`` for a read, drawn as if the
  replica had sent the message to itself. A single-link model (such as the
  default exponential) times only the wire, which a node's own request does
  not cross, so under it a local request is free.
- a number or a :class:`~dynamo_lab.latency.models.LatencyModel`: one draw
  before the replica stores or reads, whatever the links' model; ``0``
  makes every local request free.

Examples
--------
>>> import random
>>> from dynamo_lab.latency import Constant, Exponential, WARS
>>> rng = random.Random(0)
>>> ServiceTime("legs", WARS(1, 2, 3, 4).link_model()).legs(rng, "get_req")
(3.0, 4.0)
>>> ServiceTime("legs", Exponential(1.0)).legs(rng, "get_req") is None
True
>>> ServiceTime(0.5, Exponential(1.0)).legs(rng, "put_req")
(0.5, 0.0)
>>> ServiceTime("disk", Exponential(1.0))
Traceback (most recent call last):
...
ValueError: service_time='disk' is not allowed; choose 'legs', a number of ms >= 0 or a latency model such as dl.latency.Exponential(mean_ms=0.2)
"""

from __future__ import annotations

import math
import random

from .models import Constant, LatencyModel

__all__ = ["ServiceTime", "LEGS"]

#: The ``service_time`` that charges a local request its own legs.
LEGS = "legs"


class ServiceTime:
    """How long a replica takes over a request its own node coordinates.

    Parameters
    ----------
    spec : "legs", number or LatencyModel
        See the module's description.
    link_model : LatencyModel
        The network's default link model, whose legs ``"legs"`` draws.
    """

    __slots__ = ("spec", "_request", "_reply", "_fixed")

    def __init__(self, spec, link_model: LatencyModel):
        self.spec = spec
        self._request: dict[str, LatencyModel] = {}
        self._reply: dict[str, LatencyModel] = {}
        self._fixed: LatencyModel | None = None
        if isinstance(spec, str) and spec == LEGS:
            by_kind = link_model.by_kind
            if by_kind:
                for request, reply in (("put_req", "put_ack"), ("get_req", "get_resp")):
                    self._request[request] = by_kind.get(request, link_model)
                    self._reply[request] = by_kind.get(reply, link_model)
        elif isinstance(spec, LatencyModel):
            self._fixed = spec
        elif isinstance(spec, (int, float)) and not isinstance(spec, bool) \
                and math.isfinite(spec) and spec >= 0:
            self._fixed = Constant(spec) if spec > 0 else None
        else:
            raise ValueError(f"service_time={spec!r} is not allowed; choose 'legs', a number of "
                             "ms >= 0 or a latency model such as "
                             "dl.latency.Exponential(mean_ms=0.2)")

    @property
    def free(self) -> bool:
        """True when a local request costs nothing."""
        return self._fixed is None and not self._request

    def legs(self, rng: random.Random, request_kind: str) -> tuple[float, float] | None:
        """The delays (ms) before a local request is served and before its answer
        counts, drawn from ``rng``; None when the request is free.

        ``request_kind`` is ``"put_req"`` or ``"get_req"``; under ``"legs"``
        the answer takes the leg of its reply (``"put_ack"``, ``"get_resp"``).
        """
        fixed = self._fixed
        if fixed is not None:
            return fixed.sample(rng), 0.0
        request = self._request.get(request_kind)
        if request is None:
            return None
        return request.sample(rng), self._reply[request_kind].sample(rng)

    def describe(self) -> str:
        """One line for reports: what a replica coordinating its own request pays.

        >>> from dynamo_lab.latency import LNKD_SSD, Exponential
        >>> ServiceTime("legs", LNKD_SSD.link_model()).describe()
        "a replica serving its own request pays that request's legs, as if it had messaged itself"
        >>> ServiceTime("legs", Exponential(1.0)).describe()
        'a replica serving its own request pays nothing (the links model the wire only)'
        """
        if self._fixed is not None:
            return f"a replica serving its own request pays {self._fixed!r} first"
        if self._request:
            return ("a replica serving its own request pays that request's legs, as if it had "
                    "messaged itself")
        if isinstance(self.spec, str):
            return "a replica serving its own request pays nothing (the links model the wire only)"
        return "a replica serving its own request pays nothing (service_time=0)"

    def __repr__(self) -> str:
        return f"ServiceTime({self.spec!r})"
