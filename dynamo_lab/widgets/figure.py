"""A matplotlib figure shown in a widget as a PNG image.

The widgets draw on a figure of their own (never pyplot's, so nothing leaks
into the notebook's inline output) and send it to the browser as PNG bytes
in an ``ipywidgets.Image``. This needs no interactive matplotlib backend
(ipympl), renders the same in JupyterLab, Notebook and on Binder, and
replaces the picture in one message, so a redraw never flickers.

Examples
--------
>>> view = FigureImage(figsize=(2, 1))
>>> view.redraw(lambda fig: fig.add_subplot().plot([0, 1], [0, 1]))
>>> view.image.value[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
"""

from __future__ import annotations

import io
from collections.abc import Callable

import ipywidgets as widgets

__all__ = ["FigureImage", "figure_png"]


def figure_png(figure, dpi: float) -> bytes:
    """The PNG bytes of a matplotlib figure."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


class FigureImage:
    """One figure and the Image widget that shows it.

    Parameters
    ----------
    figsize : (float, float)
        Inches.
    dpi : float
        Pixels per inch of the PNG: 96, a browser's CSS inch, so text shows
        at its point size.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
    image : ipywidgets.Image
    draws : int
        How many times the figure was drawn (tests read it).
    """

    def __init__(self, figsize: tuple[float, float], dpi: float = 96):
        from matplotlib.figure import Figure

        self.figure = Figure(figsize=figsize)
        self.dpi = dpi
        # Shown at its own size: a browser stretching it would blur the text.
        width = f"{round(figsize[0] * dpi)}px"
        self.image = widgets.Image(format="png", layout=widgets.Layout(
            width=width, max_width="100%", height="auto"))
        self.draws = 0

    def redraw(self, draw: Callable) -> None:
        """Clear the figure, call ``draw(figure)``, and show the result."""
        self.figure.clear()
        draw(self.figure)
        self.image.value = figure_png(self.figure, self.dpi)
        self.draws += 1

    def show(self, visible: bool) -> None:
        """Show or hide the image (hidden while the inputs make no sense)."""
        self.image.layout.display = None if visible else "none"
