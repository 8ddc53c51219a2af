"""Pictures of probabilistically bounded staleness (computed by :mod:`dynamo_lab.pbs`).

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import dynamo_lab as dl
>>> d = draw_t_visibility(dl.latency.LNKD_DISK, [(1, 1), (1, 2), (2, 2)], trials=2000)
>>> sorted(d.curves)
[(1, 1), (1, 2), (2, 2)]
>>> float(d.curves[(2, 2)][0])        # R + W > N: consistent from the start
1.0
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["draw_t_visibility", "draw_latency_vs_staleness", "VisibilityDrawing",
           "TradeoffDrawing"]


@dataclass
class VisibilityDrawing:
    """What :func:`draw_t_visibility` drew: one curve per (R, W)."""

    ax: object
    t_ms: object
    curves: dict = field(default_factory=dict)   # (r, w) -> probabilities
    lines: dict = field(default_factory=dict)    # (r, w) -> Line2D


@dataclass
class TradeoffDrawing:
    """What :func:`draw_latency_vs_staleness` drew: one point per (R, W)."""

    ax: object
    points: dict = field(default_factory=dict)   # (r, w) -> (latency ms, P(consistent))
    labels: dict = field(default_factory=dict)


#: Line dash and marker of each curve, in turn.
_STYLES = [("-", "o"), ("--", "s"), ("-.", "^"), (":", "D"), ("-", "v"), ("--", "P"),
           ("-.", "X"), (":", "*")]


def draw_t_visibility(model, configs, *, n: int = 3, t_ms=None, trials: int = 100_000,
                      seed: int = 0, ax=None) -> VisibilityDrawing:
    """P(a read started t ms after commit is consistent) for each (R, W) in ``configs``."""
    import matplotlib.pyplot as plt
    import numpy as np

    from ..pbs import t_visibility

    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 3.8))
    times = np.linspace(0, 20, 41) if t_ms is None else np.asarray(t_ms, dtype=float)
    drawing = VisibilityDrawing(ax, times)
    for index, (r, w) in enumerate(configs):
        curve = t_visibility(model, n=n, r=r, w=w, t_ms=times, trials=trials, seed=seed)
        drawing.curves[(r, w)] = curve
        # Curves often coincide (every R + W > N sits at 1): each gets its own
        # dash and marker, the markers staggered, so none hides another.
        dash, marker = _STYLES[index % len(_STYLES)]
        step = max(1, len(times) // 8)
        (drawing.lines[(r, w)],) = ax.plot(times, curve, label=f"R={r}, W={w}", ls=dash,
                                           marker=marker, markersize=5,
                                           markevery=(index % step, step), alpha=0.9)
    ax.set_xlabel("time since the write committed (ms)")
    ax.set_ylabel("P(read is consistent)")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(f"t-visibility, N={n}")
    ax.legend(loc="lower right")
    ax.grid(alpha=0.3)
    return drawing


def draw_latency_vs_staleness(model, configs, *, n: int = 3, t_ms: float = 0.0,
                              percentile: float = 99.9, trials: int = 100_000, seed: int = 0,
                              latency: str = "read", ax=None) -> TradeoffDrawing:
    """Each (R, W) as a point: latency at ``percentile`` against P(consistent).

    ``latency`` picks the read latency (default) or the write latency of
    each configuration; raising R costs reads, raising W costs writes.
    Labels of points that coincide are stacked rather than drawn on top of
    each other.
    """
    import matplotlib.pyplot as plt

    from ..pbs import latency_percentiles, t_visibility

    if latency not in ("read", "write"):
        raise ValueError(f"latency={latency!r} is not allowed; choose 'read' or 'write'")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 3.8))
    drawing = TradeoffDrawing(ax)
    placed: dict[tuple, int] = {}
    for r, w in configs:
        x = latency_percentiles(model, n=n, r=r, w=w, q=(percentile,), trials=trials,
                                seed=seed)[latency][percentile]
        fresh = t_visibility(model, n=n, r=r, w=w, t_ms=t_ms, trials=trials, seed=seed)
        drawing.points[(r, w)] = (x, fresh)
        ax.scatter([x], [fresh])
        spot = (round(x, 2), round(fresh, 3))
        stacked = placed.get(spot, 0)
        placed[spot] = stacked + 1
        drawing.labels[(r, w)] = ax.annotate(f"R={r}, W={w}", (x, fresh),
                                             textcoords="offset points",
                                             xytext=(6, 4 + 11 * stacked))
    ax.set_xlabel(f"{latency} latency, p{percentile:g} (ms)")
    ax.set_ylabel(f"P(consistent) at t = {t_ms:g} ms")
    ax.set_title(f"latency against staleness, N={n}")
    ax.grid(alpha=0.3)
    return drawing
