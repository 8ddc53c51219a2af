"""The simulation kernel: ordering, cancellation, time limits, daemons."""

import gc
import math

import pytest
from builds import WRONG_TYPE

from dynamo_lab.sim import collector, kernel
from dynamo_lab.sim.kernel import Simulation, SimulationLimitExceeded


def test_equal_times_run_in_scheduling_order():
    sim = Simulation()
    seen = []
    for label in "abcde":
        sim.schedule(1.0, seen.append, label)
    sim.run_until_idle()
    assert seen == list("abcde")


def test_events_run_in_time_order_and_clock_follows():
    sim = Simulation()
    seen = []
    for t in [5.0, 1.0, 3.0]:
        sim.schedule(t, lambda t=t: seen.append((t, sim.now)))
    assert sim.run_until_idle() == 3
    assert seen == [(1.0, 1.0), (3.0, 3.0), (5.0, 5.0)]


def test_cancelled_timer_never_runs_and_does_not_count_as_work():
    sim = Simulation()
    seen = []
    timer = sim.schedule(1.0, seen.append, "x")
    assert timer.pending
    timer.cancel()
    assert not timer.pending and sim.idle
    assert sim.run_until_idle() == 0 and seen == []
    timer.cancel()  # harmless twice


def test_cancelled_timers_are_swept_from_the_heap_without_changing_the_order():
    # Time-outs are nearly always cancelled; left in the heap they would
    # outnumber live events many times over.
    sim = Simulation()
    ran = []
    timers = [sim.schedule(float(i % 7), ran.append, i) for i in range(1_000)]
    sim.schedule_daemon(3.0, ran.append, "daemon")
    for timer in timers:
        if timer.time != 3.0:
            timer.cancel()
    kept = [i for i in range(1_000) if i % 7 == 3]
    live = len(kept) + 1
    assert live >= kernel.SWEEP_AT_LEAST
    assert len(sim._heap) <= 2 * live       # the dead never outnumber the live
    sim.schedule(3.0, ran.append, "last")
    assert sim.run_until_idle() == len(kept) + 2
    assert ran == kept + ["daemon", "last"]     # time, then scheduling order
    assert sim.idle and sim.peek() == math.inf
    timers[0].cancel()      # cancelling again changes nothing
    assert sim.idle


def test_a_demoted_timer_still_runs_but_no_longer_keeps_the_run_busy():
    sim = Simulation()
    ran = []
    timer = sim.schedule(5.0, ran.append, "demoted")
    sim.schedule(1.0, timer.demote)
    assert sim.run_until_idle() == 1 and ran == [] and timer.pending
    sim.run_for(10.0)
    assert ran == ["demoted"] and sim.idle
    timer.demote()                      # after it ran: no effect
    gone = sim.schedule(1.0, ran.append, "never")
    gone.cancel()
    gone.demote()                       # after a cancel: no effect either
    assert sim.idle and sim.run_until_idle() == 0


def test_run_for_advances_the_clock_even_when_nothing_happens():
    sim = Simulation()
    sim.schedule(10.0, lambda: None)
    assert sim.run_for(4.0) == 0
    assert sim.now == 4.0
    assert sim.run_for(6.0) == 1
    assert sim.now == 10.0


def test_step_runs_one_event():
    sim = Simulation()
    seen = []
    sim.schedule(1.0, seen.append, 1)
    sim.schedule(2.0, seen.append, 2)
    assert sim.step() and seen == [1]
    assert sim.step() and seen == [1, 2]
    assert not sim.step()


def test_daemon_timers_fire_in_order_but_do_not_keep_the_run_busy():
    sim = Simulation()
    seen = []

    def tick():
        seen.append(("tick", sim.now))
        sim.schedule_daemon(10.0, tick)

    sim.schedule_daemon(10.0, tick)
    sim.schedule(25.0, seen.append, ("work", 25.0))
    sim.run_until_idle()
    assert seen == [("tick", 10.0), ("tick", 20.0), ("work", 25.0)]
    sim.run_for(20.0)
    assert seen[-2:] == [("tick", 30.0), ("tick", 40.0)]


def test_run_until_idle_gives_up_on_endless_foreground_work():
    sim = Simulation()

    def again():
        sim.schedule(1.0, again)

    sim.schedule(1.0, again)
    with pytest.raises(SimulationLimitExceeded, match="run_for"):
        sim.run_until_idle(max_events=100)


def test_run_while_stops_when_condition_fails():
    sim = Simulation()
    box = []
    for t in range(1, 6):
        sim.schedule(float(t), box.append, t)
    sim.run_while(lambda: len(box) < 3)
    assert box == [1, 2, 3] and sim.now == 3.0


@pytest.mark.parametrize("bad", [-1.0, math.nan, math.inf])
def test_bad_delays_are_refused(bad):
    sim = Simulation()
    with pytest.raises(ValueError, match="finite number of ms"):
        sim.schedule(bad, lambda: None)
    with pytest.raises(ValueError):
        sim.run_for(bad)
    assert sim.idle and sim.now == 0.0


def test_time_in_the_past_is_refused():
    sim = Simulation()
    sim.run_for(5.0)
    with pytest.raises(ValueError, match="not before now"):
        sim.schedule_at(1.0, lambda: None)


@WRONG_TYPE
def test_seed_must_be_an_integer():
    with pytest.raises(ValueError, match="seed must be an integer"):
        Simulation(seed="7")


def test_same_seed_same_random_draws():
    assert [Simulation(3).rng.random() for _ in range(2)] == [Simulation(3).rng.random()] * 2


def test_a_run_leaves_the_garbage_collector_as_it_found_it():
    def chain(sim, left):
        if left:
            sim.schedule(1.0, chain, sim, left - 1)

    was_enabled = gc.isenabled()
    try:
        for enabled in (True, False):
            (gc.enable if enabled else gc.disable)()
            sim = Simulation(seed=0)
            sim.schedule(0.0, chain, sim, collector.PROMOTE_AFTER + 10)   # long enough to promote
            assert sim.run_until_idle() == collector.PROMOTE_AFTER + 11
            assert gc.isenabled() is enabled
            assert gc.get_freeze_count() == 0     # nothing left frozen behind
    finally:
        (gc.enable if was_enabled else gc.disable)()


def test_the_collector_is_switched_back_on_when_a_callback_raises():
    sim = Simulation(seed=0)
    sim.schedule(1.0, lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        sim.run_until_idle()
    assert gc.isenabled()
