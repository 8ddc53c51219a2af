"""Python's garbage collector and the event loop: why the loop pauses it.

A simulation keeps its whole history, trace and stores, so the heap grows by
a few container objects per message, every one of them alive, and the
simulator itself makes no reference cycles as it runs
(``tests/test_no_cycles.py`` checks this). CPython's automatic collections
would find nothing, yet each examines every new object, and its full
collections re-examine the whole heap each time it grows by a quarter:
together that was half the run time of a long simulation. The event loop
(:meth:`dynamo_lab.sim.kernel.Simulation._run`) therefore runs inside
:func:`collector_paused` and calls :func:`collect_young` on the schedule
that sets.

>>> import gc
>>> from dynamo_lab.sim.kernel import Simulation
>>> sim = Simulation(seed=0)
>>> with collector_paused(sim):
...     gc.isenabled()
False
>>> gc.isenabled()
True
"""

from __future__ import annotations

import gc
import math
from contextlib import contextmanager
from typing import Protocol


class EventCounter(Protocol):
    """What the collector's schedule reads and sets on a simulation."""

    events_run: int
    _young_collection_due: float

__all__ = ["collector_paused", "collect_young", "EventCounter", "YOUNG_COLLECTION_EVERY",
           "PROMOTE_AFTER"]

#: While events run, the young generations are collected once per this many
#: events instead of CPython's allocation-driven schedule.
YOUNG_COLLECTION_EVERY = 1_000_000

#: A run of at least this many events hands what it created straight to the
#: collector's oldest generation (see :func:`collector_paused`).
PROMOTE_AFTER = 50_000

@contextmanager
def collector_paused(sim: EventCounter):
    """Run a stretch of events without CPython's automatic collections.

    A simulation keeps its whole history, trace and stores, so the heap grows
    by a few container objects per message, every one of them alive, and the
    simulator itself makes no reference cycles as it runs (a test checks
    this). The collector's automatic passes would find nothing, yet each
    examines every new object, and its full collections re-examine the whole
    heap each time it grows by a quarter: together that was half the run
    time of a long simulation. So:

    - inside a run the collector is paused, except that the young
      generations are collected every :data:`YOUNG_COLLECTION_EVERY` events,
      so that cycles a caller's callbacks make cannot pile up for ever;
    - a long run (:data:`PROMOTE_AFTER` events or more) ends by moving the
      young generations into the oldest one unexamined (``gc.freeze`` then
      ``gc.unfreeze``): mostly what the run created, along with whatever the
      caller made just before, which the next full collection then examines
      with everything else. Short runs, such as one ``cluster.put``, leave
      the generations as they are, so a notebook's own garbage is collected
      on CPython's usual schedule;
    - the collector is then switched back on, as it was found, whatever
      happened in between.

    A run started from inside another run's callback leaves all this to the
    outer run.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    started = sim.events_run
    sim._young_collection_due = float(started + YOUNG_COLLECTION_EVERY)
    try:
        yield
    finally:
        sim._young_collection_due = math.inf
        try:
            # Not if someone else froze objects: unfreezing would undo that.
            if sim.events_run - started >= PROMOTE_AFTER and not gc.get_freeze_count():
                gc.freeze()
                gc.unfreeze()
        finally:
            gc.enable()


def collect_young(sim: EventCounter) -> None:
    """Collect the young generations now, and set when to do it next."""
    sim._young_collection_due = float(sim.events_run + YOUNG_COLLECTION_EVERY)
    gc.collect(1)
