"""A small discrete-event kernel: virtual time, an event heap, timers.

Time is virtual and measured in milliseconds. Events sit in a heap ordered by
``(time, sequence number)``, so two events due at the same moment run in the
order they were scheduled; this, and one seeded random generator per
simulation, is what makes every run repeatable.

Examples
--------
>>> sim = Simulation(seed=1)
>>> fired = []
>>> _ = sim.schedule(5.0, fired.append, "b")
>>> _ = sim.schedule(2.0, fired.append, "a")
>>> late = sim.schedule(9.0, fired.append, "never")
>>> late.cancel()
>>> sim.run_until_idle()
2
>>> fired, sim.now
(['a', 'b'], 5.0)
>>> _ = sim.schedule_daemon(1000.0, fired.append, "background")
>>> sim.run_until_idle(), sim.idle
(0, True)
"""

from __future__ import annotations

import gc
import heapq
import math
import random
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

__all__ = ["Simulation", "Timer", "SimulationLimitExceeded"]


#: While events run, the young generations are collected once per this many
#: events instead of CPython's allocation-driven schedule.
YOUNG_COLLECTION_EVERY = 20_000


@contextmanager
def _collect_young_only(sim: "Simulation"):
    """Run a stretch of events without CPython's automatic full collections.

    A simulation keeps its whole history and trace, so the heap grows by a few
    objects per message, and CPython's full collections re-traverse every live
    object each time the heap grows by a quarter: that was half the run time
    of a long simulation. Inside a run the collector is paused and the young
    generations are collected every :data:`YOUNG_COLLECTION_EVERY` events, so
    short-lived cycles are still reclaimed; afterwards the collector is left
    exactly as it was found.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    sim._young_collection_due = sim.events_run + YOUNG_COLLECTION_EVERY
    try:
        yield
    finally:
        gc.enable()


class SimulationLimitExceeded(RuntimeError):
    """``run_until_idle`` gave up: events kept coming past its limit.

    This usually means something reschedules itself for ever, such as a
    periodic background task; use ``run_for`` to advance a fixed time instead.
    """


class Timer:
    """A scheduled call that can be cancelled before it runs.

    Cancelling is cheap (the entry stays in the heap and is skipped when its
    time comes), which is why timers are the right tool for time-outs that
    are usually cancelled.
    """

    __slots__ = ("time", "_callback", "_args", "cancelled", "daemon", "_sim")

    def __init__(self, time: float, callback: Callable[..., Any], args: tuple,
                 daemon: bool, sim: "Simulation"):
        self.time = time
        self._callback = callback
        self._args = args
        self.cancelled = False
        self.daemon = daemon
        self._sim = sim

    def cancel(self) -> None:
        """Stop the call from running; harmless if it already ran."""
        if not self.cancelled and self._callback is not None and not self.daemon:
            self._sim._foreground -= 1
        self.cancelled = True
        # Let go of the callback now rather than when the entry leaves the
        # heap: a time-out's callback is usually a method of the operation
        # that holds this timer, and that cycle would leave the whole
        # operation for the garbage collector to find.
        self._callback = None
        self._args = ()

    @property
    def pending(self) -> bool:
        """True until the call has run or been cancelled."""
        return not self.cancelled and self._callback is not None

    def __repr__(self) -> str:
        state = "cancelled" if self.cancelled else ("pending" if self.pending else "done")
        return f"<Timer at {self.time:g} ms, {state}>"


class Simulation:
    """Virtual clock, event heap and random generator of one simulated run.

    Parameters
    ----------
    seed : int
        Seeds the simulation's only random generator, :attr:`rng`. Every
        random choice in a run must come from it.
    """

    #: Safety net for :meth:`run_until_idle`: more events than this in one
    #: call means something keeps rescheduling itself.
    MAX_EVENTS_PER_RUN = 50_000_000

    def __init__(self, seed: int = 0):
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise ValueError(f"seed must be an integer, got {seed!r}")
        self.seed = seed
        self.rng = random.Random(seed)
        self.now = 0.0
        self._heap: list[tuple[float, int, Timer]] = []
        self._sequence = 0
        self._foreground = 0  # live non-daemon timers: what "idle" waits for
        self.events_run = 0
        self._young_collection_due = math.inf  # see _collect_young_only

    # -- scheduling -------------------------------------------------------
    def schedule(self, delay_ms: float, callback: Callable[..., Any], *args: Any) -> Timer:
        """Run ``callback(*args)`` ``delay_ms`` milliseconds from now."""
        if not (delay_ms >= 0.0) or delay_ms == math.inf:
            raise ValueError(f"delay must be a finite number of ms >= 0, got {delay_ms!r}")
        return self._push(self.now + delay_ms, callback, args, False)

    def schedule_daemon(self, delay_ms: float, callback: Callable[..., Any], *args: Any) -> Timer:
        """Like :meth:`schedule`, for background work ``run_until_idle`` ignores."""
        if not (delay_ms >= 0.0) or delay_ms == math.inf:
            raise ValueError(f"delay must be a finite number of ms >= 0, got {delay_ms!r}")
        return self._push(self.now + delay_ms, callback, args, True)

    def schedule_at(self, time_ms: float, callback: Callable[..., Any], *args: Any) -> Timer:
        """Run ``callback(*args)`` at virtual time ``time_ms`` (not in the past)."""
        if not (time_ms >= self.now) or time_ms == math.inf:
            raise ValueError(f"time must be finite and not before now ({self.now:g} ms), "
                             f"got {time_ms!r}")
        return self._push(float(time_ms), callback, args, False)

    def _push(self, time: float, callback, args, daemon: bool) -> Timer:
        timer = Timer(time, callback, args, daemon, self)
        if not daemon:
            self._foreground += 1
        self._sequence += 1
        heapq.heappush(self._heap, (time, self._sequence, timer))
        return timer

    # -- running ----------------------------------------------------------
    def _pop_live(self) -> Timer | None:
        heap = self._heap
        while heap:
            timer = heap[0][2]
            if timer.cancelled:
                heapq.heappop(heap)
                continue
            return timer
        return None

    def peek(self) -> float:
        """Time of the next live event, or ``inf`` when nothing is scheduled."""
        timer = self._pop_live()
        return math.inf if timer is None else timer.time

    def step(self) -> bool:
        """Run the next event; return False if there was none."""
        timer = self._pop_live()
        if timer is None:
            return False
        heapq.heappop(self._heap)
        self._fire(timer)
        return True

    def _fire(self, timer: Timer) -> None:
        self.now = timer.time
        callback, args = timer._callback, timer._args
        timer._callback = None  # marks it done and frees what it held
        timer._args = ()
        if not timer.daemon:
            self._foreground -= 1
        self.events_run += 1
        if self.events_run >= self._young_collection_due:
            self._young_collection_due = self.events_run + YOUNG_COLLECTION_EVERY
            gc.collect(1)
        callback(*args)

    def run_for(self, duration_ms: float) -> int:
        """Run every event due in the next ``duration_ms`` ms; return how many.

        The clock ends exactly ``duration_ms`` later even if nothing happened.
        """
        if not (duration_ms >= 0.0) or duration_ms == math.inf:
            raise ValueError(f"duration must be a finite number of ms >= 0, got {duration_ms!r}")
        return self.run_until(self.now + duration_ms)

    def run_until(self, time_ms: float) -> int:
        """Run every event due up to and including ``time_ms``."""
        if not (time_ms >= self.now) or time_ms == math.inf:
            raise ValueError(f"time must be finite and not before now ({self.now:g} ms), "
                             f"got {time_ms!r}")
        heap, count = self._heap, 0
        with _collect_young_only(self):
            while heap:
                time, _, timer = heap[0]
                if time > time_ms:
                    break
                heapq.heappop(heap)
                if timer.cancelled:
                    continue
                self._fire(timer)
                count += 1
        self.now = float(time_ms)
        return count

    def run_while(self, condition: Callable[[], bool], limit_ms: float = math.inf) -> int:
        """Run events while ``condition()`` holds and events remain.

        Stops early once the next event lies beyond ``now + limit_ms``.
        """
        deadline = self.now + limit_ms
        count = 0
        with _collect_young_only(self):
            while condition():
                timer = self._pop_live()
                if timer is None or timer.time > deadline:
                    break
                heapq.heappop(self._heap)
                self._fire(timer)
                count += 1
        return count

    def run_until_idle(self, max_events: int | None = None) -> int:
        """Run until only daemon timers are left; return how many events ran.

        Raises
        ------
        SimulationLimitExceeded
            If more than ``max_events`` (default :attr:`MAX_EVENTS_PER_RUN`)
            events run: something keeps scheduling itself.
        """
        limit = self.MAX_EVENTS_PER_RUN if max_events is None else max_events
        count = 0
        with _collect_young_only(self):
            while self._foreground > 0 and self.step():
                count += 1
                if count > limit:
                    raise SimulationLimitExceeded(
                        f"still busy after {limit} events at t={self.now:g} ms; a periodic "
                        "task may be rescheduling itself: use run_for(ms) instead")
        return count

    @property
    def idle(self) -> bool:
        """True when nothing but daemon timers is scheduled."""
        return self._foreground == 0

    def __repr__(self) -> str:
        return f"<Simulation seed={self.seed} now={self.now:g} ms, {len(self._heap)} queued>"
