"""Latency models: how long messages take, link by link or leg by leg.

Two kinds, one module each:

- :mod:`.models`: single-link models, one delay per message (what a
  cluster's network takes): :class:`Constant`, :class:`Uniform`,
  :class:`Exponential`, :class:`Pareto`, :class:`Mixture`,
  :class:`Empirical`, :class:`Shifted`, :class:`ByKind`.
- :mod:`.wars`: :class:`WARS`, one model per leg of a quorum operation as
  in the PBS paper, with the paper's production fits :data:`LNKD_SSD`,
  :data:`LNKD_DISK`, :data:`YMMR` and :data:`WAN`.

Everything is importable from here: ``dl.latency.Exponential(mean_ms=1.0)``,
``dl.latency.LNKD_SSD``.

>>> import dynamo_lab as dl
>>> dl.latency.Exponential(mean_ms=1.0).mean_ms
1.0
>>> dl.latency.LNKD_SSD.leg("S") == dl.latency.LNKD_SSD.leg("W")
True
"""

from .models import (ByKind, Constant, Empirical, Exponential, LatencyModel, Mixture, Pareto,
                     PerLegModel, Shifted, Uniform, as_latency_model)
from .service import ServiceTime
from .wars import LNKD_DISK, LNKD_SSD, WAN, WARS, YMMR

__all__ = [
    "LatencyModel", "Constant", "Uniform", "Exponential", "Pareto", "Mixture", "Empirical",
    "Shifted", "ByKind", "PerLegModel", "WARS", "ServiceTime", "as_latency_model",
    "LNKD_SSD", "LNKD_DISK", "YMMR", "WAN",
]
