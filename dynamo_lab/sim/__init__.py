"""The simulation kernel: virtual time, events, and the network.

Nothing here knows about keys, replicas or quorums; the mechanisms above
use it to send messages and set timers.
"""

from .kernel import Simulation, SimulationLimitExceeded, Timer
from .network import Message, Network
from .trace import MESSAGE_EVENTS, Trace, TraceEvent

__all__ = ["Simulation", "SimulationLimitExceeded", "Timer", "Network", "Message",
           "Trace", "TraceEvent", "MESSAGE_EVENTS"]
