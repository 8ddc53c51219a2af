"""Where a picture is drawn: the caller's axes, or a new figure.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> ax = axes_or_new(None, figsize=(3, 2))
>>> ax.figure.get_size_inches().tolist()
[3.0, 2.0]
>>> axes_or_new(ax) is ax
True
"""

from __future__ import annotations

__all__ = ["axes_or_new"]


def axes_or_new(ax=None, figsize: tuple[float, float] = (6.4, 4.8)):
    """Return ``ax``, or the axes of a new pyplot figure of ``figsize`` inches.

    pyplot is imported only here, and only when no axes are given, so the
    widgets (which draw on figures of their own) never touch pyplot's state.
    """
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax
