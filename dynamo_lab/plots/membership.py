"""Pictures of membership: phi over time, and gossip spreading a change.

(Data moved by a join: ``draw_ring(cluster.ring, change=report.change)`` with
the report ``cluster.add_node`` returns.)

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> d = draw_phi([100, 200, 300, 400], [0.2, 0.4, 9.5, 14.0], threshold=8.0, crash_ms=250)
>>> d.suspected_at
300
>>> draw_spread({8: [1, 3, 8], 32: [1, 3, 9, 27, 32]}).rounds
{8: 2, 32: 4}
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["draw_phi", "draw_spread", "PhiDrawing", "SpreadDrawing"]


@dataclass
class PhiDrawing:
    """What :func:`draw_phi` drew."""

    ax: object
    line: object
    threshold_line: object
    suspected_at: float | None = None
    markers: list = field(default_factory=list)


@dataclass
class SpreadDrawing:
    """What :func:`draw_spread` drew: one curve per cluster size."""

    ax: object
    lines: dict = field(default_factory=dict)
    rounds: dict = field(default_factory=dict)   # S -> periods until everyone knew


def draw_phi(times, phis, *, threshold: float, crash_ms: float | None = None,
             ax=None) -> PhiDrawing:
    """Phi of one peer over time, the threshold, the crash and the moment of suspicion.

    ``times`` and ``phis`` come from :func:`dynamo_lab.phi_accrual.phi_series`.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 3.4))
    (line,) = ax.plot(times, phis, color="#0072B2", label="phi")
    threshold_line = ax.axhline(threshold, color="#D55E00", linestyle="--",
                                label=f"threshold {threshold:g}")
    drawing = PhiDrawing(ax, line, threshold_line)
    if crash_ms is not None:
        drawing.markers.append(ax.axvline(crash_ms, color="#555555", linestyle=":",
                                          label="crash"))
    start = crash_ms if crash_ms is not None else float("-inf")
    drawing.suspected_at = next((t for t, p in zip(times, phis) if t >= start and p > threshold),
                                None)
    if drawing.suspected_at is not None:
        drawing.markers.append(ax.axvline(drawing.suspected_at, color="#D55E00",
                                          label="suspected"))
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("phi")
    ax.set_title("phi-accrual suspicion of one peer")
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3)
    return drawing


def draw_spread(curves: dict, *, ax=None) -> SpreadDrawing:
    """Nodes that know a change, period by period, for each cluster size.

    ``curves`` maps S to :func:`dynamo_lab.membership.spread_curve` output.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 3.4))
    drawing = SpreadDrawing(ax)
    for size, curve in sorted(curves.items()):
        share = [c / size for c in curve]
        (drawing.lines[size],) = ax.plot(range(len(curve)), share, marker="o",
                                         label=f"S = {size}")
        drawing.rounds[size] = len(curve) - 1
    ax.set_xlabel("gossip periods since the change")
    ax.set_ylabel("share of nodes that know")
    ax.set_ylim(0, 1.05)
    ax.set_title("gossip spreading one change")
    ax.legend(loc="lower right")
    ax.grid(alpha=0.3)
    return drawing
