"""The kernel's exception, in a module of its own (see ``kernel.py``)."""

__all__ = ["SimulationLimitExceeded"]


class SimulationLimitExceeded(RuntimeError):
    """``run_until_idle`` gave up: events kept coming past its limit.

    This usually means something reschedules itself for ever, such as a
    periodic background task; use ``run_for`` to advance a fixed time instead.
    """
