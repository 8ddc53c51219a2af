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

import heapq
import math
import random
from collections.abc import Callable
from typing import Any

from .collector import collect_young, collector_paused
# Defined apart so that this module can be compiled (see benchmarks/compiled.py),
# which an exception deriving from RuntimeError would prevent.
from .errors import SimulationLimitExceeded

__all__ = ["Simulation", "Timer", "SimulationLimitExceeded"]


#: Cancelled timers are swept out of the heap once they are more than half of
#: it and at least this many (see :meth:`Simulation._cancelled_one`).
SWEEP_AT_LEAST = 100


def _delay_error(delay_ms) -> ValueError:
    """The error for a delay that is not a finite number of ms >= 0."""
    return ValueError(f"delay must be a finite number of ms >= 0, got {delay_ms!r}")


class Timer:
    """A scheduled call that can be cancelled before it runs.

    Cancelling is cheap (the entry stays in the heap and is skipped when its
    time comes), which is why timers are the right tool for time-outs that
    are usually cancelled. The timer is only the handle: the callback and
    its arguments live in the heap entry, so a cancelled time-out does not
    keep the operation it belongs to in a reference cycle with its timer.
    """

    __slots__ = ("time", "cancelled", "ran", "daemon", "_sim")

    def __init__(self, time: float, daemon: bool, sim: "Simulation"):
        self.time = time
        self.cancelled = False
        self.ran = False
        self.daemon = daemon
        self._sim = sim

    def cancel(self) -> None:
        """Stop the call from running; harmless if it already ran."""
        in_heap = not (self.cancelled or self.ran)
        self.cancelled = True
        if in_heap:
            self._sim._cancelled_one(self.daemon)

    def demote(self) -> None:
        """Make this a daemon timer: it still runs, but ``run_until_idle`` no
        longer waits for it (as if made by ``schedule_daemon``)."""
        if not self.daemon and self.pending:
            self._sim._foreground -= 1
        self.daemon = True

    @property
    def pending(self) -> bool:
        """True until the call has run or been cancelled."""
        return not self.cancelled and not self.ran

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
        # Entries are (time, sequence, callback, args, timer); ``timer`` is
        # None for events posted without a handle (see :meth:`post`).
        self._heap: list[tuple[float, int, Callable[..., Any], tuple, Timer | None]] = []
        self._sequence = 0
        self._foreground = 0  # live non-daemon events: what "idle" waits for
        self._cancelled_in_heap = 0  # entries of cancelled timers not yet removed
        self.events_run = 0
        self._young_collection_due: float = math.inf  # see sim.collector

    # -- scheduling -------------------------------------------------------
    def schedule(self, delay_ms: float, callback: Callable[..., Any], *args: Any) -> Timer:
        """Run ``callback(*args)`` ``delay_ms`` milliseconds from now."""
        if not 0.0 <= delay_ms < math.inf:
            raise _delay_error(delay_ms)
        return self._push(self.now + delay_ms, callback, args, False)

    def schedule_daemon(self, delay_ms: float, callback: Callable[..., Any], *args: Any) -> Timer:
        """Like :meth:`schedule`, for background work ``run_until_idle`` ignores."""
        if not 0.0 <= delay_ms < math.inf:
            raise _delay_error(delay_ms)
        return self._push(self.now + delay_ms, callback, args, True)

    def schedule_at(self, time_ms: float, callback: Callable[..., Any], *args: Any) -> Timer:
        """Run ``callback(*args)`` at virtual time ``time_ms`` (not in the past)."""
        if not (time_ms >= self.now) or time_ms == math.inf:
            raise ValueError(f"time must be finite and not before now ({self.now:g} ms), "
                             f"got {time_ms!r}")
        return self._push(float(time_ms), callback, args, False)

    def post(self, delay_ms: float, callback: Callable[..., Any], args: tuple) -> None:
        """Run ``callback(*args)`` ``delay_ms`` from now, with no handle to cancel it.

        The network's path for every message: it takes ``args`` as a tuple
        and makes no :class:`Timer`, which makes it cheaper than
        :meth:`schedule`.

        Raises
        ------
        ValueError
            If ``delay_ms`` is not a finite number >= 0 (a latency model
            written by hand can return one).
        """
        if not 0.0 <= delay_ms < math.inf:
            raise _delay_error(delay_ms)
        self._foreground += 1
        self._sequence += 1
        heapq.heappush(self._heap, (self.now + delay_ms, self._sequence, callback, args, None))

    def _push(self, time: float, callback, args, daemon: bool) -> Timer:
        timer = Timer(time, daemon, self)
        if not daemon:
            self._foreground += 1
        self._sequence += 1
        heapq.heappush(self._heap, (time, self._sequence, callback, args, timer))
        return timer

    def _cancelled_one(self, daemon: bool) -> None:
        """A timer still in the heap was cancelled: sweep the heap if it is mostly such.

        A time-out is nearly always cancelled, long before it is due, so
        without sweeping, the heap of a busy cluster is almost all dead
        entries (thirty for every live one in the throughput benchmark), and
        every push and pop pays for its depth. Sweeping once they are more
        than half keeps it at most twice the live size, for a cost that is
        constant per cancelled timer. It changes nothing else: the live
        entries keep their (time, sequence) keys, so they run in the same
        order. asyncio's event loop does the same.
        """
        if not daemon:
            self._foreground -= 1
        self._cancelled_in_heap += 1
        heap = self._heap
        if self._cancelled_in_heap >= SWEEP_AT_LEAST and 2 * self._cancelled_in_heap > len(heap):
            # In place: a running event loop holds this very list.
            heap[:] = [entry for entry in heap if entry[4] is None or not entry[4].cancelled]
            heapq.heapify(heap)
            self._cancelled_in_heap = 0

    # -- running ----------------------------------------------------------
    def peek(self) -> float:
        """Time of the next live event, or ``inf`` when nothing is scheduled."""
        heap = self._heap
        while heap:
            timer = heap[0][4]
            if timer is None or not timer.cancelled:
                return heap[0][0]
            heapq.heappop(heap)
            self._cancelled_in_heap -= 1
        return math.inf

    def step(self) -> bool:
        """Run the next event; return False if there was none."""
        return self._run(math.inf, stop_after=1) == 1

    def _run(self, deadline: float, *, until_idle: bool = False,
             condition: Callable[[], bool] | None = None, awaited: Any = None,
             stop_after: float = math.inf, limit: float = math.inf) -> int:
        """The event loop: run events due by ``deadline``; return how many ran.

        Stops early when ``until_idle`` and only daemon events are left, when
        ``condition()`` (asked once before each event) turns false, once
        ``awaited.result`` is set (read the same way, without a call), or after
        ``stop_after`` events. Running more than ``limit`` raises
        :class:`SimulationLimitExceeded`. Every run goes through this one
        loop, which is why it is written for speed.
        """
        heap = self._heap
        pop = heapq.heappop
        count = 0
        with collector_paused(self):
            while heap and count < stop_after:
                if until_idle and not self._foreground:
                    break
                time, _, callback, args, timer = heap[0]
                if timer is not None and timer.cancelled:
                    pop(heap)
                    self._cancelled_in_heap -= 1
                    continue
                if condition is not None and not condition():
                    break
                if awaited is not None and awaited.result is not None:
                    break
                if time > deadline:
                    break
                pop(heap)
                if timer is None:
                    self._foreground -= 1
                else:
                    timer.ran = True
                    if not timer.daemon:
                        self._foreground -= 1
                self.now = time
                self.events_run += 1
                if self.events_run >= self._young_collection_due:
                    collect_young(self)
                callback(*args)
                count += 1
                if count > limit:
                    raise SimulationLimitExceeded(
                        f"still busy after {limit} events at t={self.now:g} ms; a periodic "
                        "task may be rescheduling itself: use run_for(ms) instead")
        return count

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
        count = self._run(time_ms)
        self.now = float(time_ms)
        return count

    def run_while(self, condition: Callable[[], bool], limit_ms: float = math.inf) -> int:
        """Run events while ``condition()`` holds and events remain.

        Stops early once the next event lies beyond ``now + limit_ms``.
        """
        return self._run(self.now + limit_ms, condition=condition)

    def run_until_answered(self, awaited: Any, limit_ms: float = math.inf) -> int:
        """Run events until ``awaited.result`` is set (or no event remains).

        What a synchronous ``put`` or ``get`` waits on: the same as
        ``run_while(lambda: awaited.result is None)``, without a call per event.

        >>> class Request:
        ...     result = None
        >>> sim, request = Simulation(seed=0), Request()
        >>> _ = sim.schedule(1.0, setattr, request, "result", "ok")
        >>> _ = sim.schedule(2.0, print, "later")
        >>> sim.run_until_answered(request), sim.now
        (1, 1.0)
        """
        return self._run(self.now + limit_ms, awaited=awaited)

    def run_until_idle(self, max_events: int | None = None) -> int:
        """Run until only daemon timers are left; return how many events ran.

        Raises
        ------
        SimulationLimitExceeded
            If more than ``max_events`` (default :attr:`MAX_EVENTS_PER_RUN`)
            events run: something keeps scheduling itself.
        """
        limit = self.MAX_EVENTS_PER_RUN if max_events is None else max_events
        return self._run(math.inf, until_idle=True, limit=limit)

    @property
    def idle(self) -> bool:
        """True when nothing but daemon timers is scheduled."""
        return self._foreground == 0

    def __repr__(self) -> str:
        return f"<Simulation seed={self.seed} now={self.now:g} ms, {len(self._heap)} queued>"
