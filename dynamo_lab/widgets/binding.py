"""Tie a control to a model setter: the one event handler every widget here needs.

A view observes its sliders and boxes; when the learner moves one, the view
calls the model's setter with the new value and redraws. When the view
itself moves controls to match the model (it sets ``view._syncing`` while it
does), the change must not be fed back. :func:`bind` writes that handler
once.

Examples
--------
>>> import ipywidgets as widgets
>>> class View:
...     _syncing = False
...     def __init__(self):
...         self.value, self.redraws = None, 0
...     def refresh(self):
...         self.redraws += 1
>>> view, slider = View(), widgets.IntSlider(value=1, min=1, max=5)
>>> bind(view, slider, lambda v: setattr(view, "value", v))
>>> slider.value = 3
>>> view.value, view.redraws
(3, 1)
>>> view._syncing = True
>>> slider.value = 4                     # the view syncing itself: not fed back
>>> view.value, view.redraws
(3, 1)
"""

from __future__ import annotations

from typing import Any, Callable

__all__ = ["bind"]


def bind(view, control, setter: Callable[[Any], Any]) -> None:
    """Call ``setter(new value)`` and ``view.refresh()`` when ``control`` changes,
    unless the view is syncing its controls to the model (``view._syncing``)."""
    def on_change(change) -> None:
        if not view._syncing:
            setter(change["new"])
            view.refresh()

    control.observe(on_change, names="value")
