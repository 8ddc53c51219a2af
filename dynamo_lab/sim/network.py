"""Point-to-point messages between named nodes, with faults.

The network owns who can talk to whom: per-link latency and loss, crashed
nodes (which neither send nor receive), and partitions (nodes in different
groups cannot exchange messages, including messages already in flight when
the partition starts). Every message event goes to the :class:`Trace`.

Examples
--------
>>> from dynamo_lab.sim.kernel import Simulation
>>> from dynamo_lab.latency import Constant
>>> sim = Simulation(seed=0)
>>> net = Network(sim, ["A", "B", "C"], latency=Constant(1.0))
>>> inbox = []
>>> net.attach("B", inbox.append)
>>> net.attach("C", inbox.append)
>>> _ = net.send("A", "B", "ping")
>>> _ = sim.run_until_idle()
>>> net.partition(["A"], ["B", "C"])
>>> _ = net.send("A", "C", "ping")
>>> [m.dst for m in inbox], [e.event for e in net.trace]
(['B'], ['send', 'deliver', 'send', 'cut'])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any, NamedTuple

from ..latency import Exponential, LatencyModel, as_latency_model
from ..validation import boolean, probability
from .kernel import Simulation
from .trace import Trace

__all__ = ["Network", "Message"]


class Message(NamedTuple):
    """A message in flight. ``payload`` is whatever the protocol needs.

    A named tuple because the network makes one per message: built in C
    (see ``_new_message``), it costs a fraction of a class instance. The
    trace keeps it as it is, shared by the message's events.
    """

    msg_id: int
    src: str
    dst: str
    kind: str
    key: Any
    op_id: Any
    payload: Any

    def __repr__(self) -> str:
        return f"<Message {self.msg_id} {self.kind} {self.src}->{self.dst} key={self.key!r}>"


#: ``_new_message((msg_id, src, dst, kind, key, op_id, payload))``: a Message
#: without the Python-level ``__new__`` a named tuple's constructor runs.
_new_message = partial(tuple.__new__, Message)


class Network:
    """Links between ``nodes`` over one :class:`Simulation`.

    Parameters
    ----------
    sim : Simulation
        Supplies time, scheduling and the seeded generator.
    nodes : sequence of str
        Node names.
    latency : LatencyModel or number, optional
        The default one-way delay of every link (exponential, mean 1 ms).
    loss : float, optional
        The default probability that a message is lost.
    """

    def __init__(self, sim: Simulation, nodes: Sequence[str],
                 latency: LatencyModel | float | None = None, loss: float = 0.0):
        self.sim = sim
        self.trace = Trace()
        self.latency = as_latency_model(latency if latency is not None else Exponential(1.0))
        self.loss = probability("loss", loss)
        self.nodes: list[str] = list(nodes)
        self._handlers: dict[str, Callable[[Message], Any]] = {}
        self._down: set[str] = set()
        self._group: dict[str, int] = {}  # empty: no partition
        self._link_latency: dict[tuple[str, str], LatencyModel] = {}
        self._link_loss: dict[tuple[str, str], float] = {}
        self._next_msg_id = 0
        self.delivered = 0
        self._record = self.trace.appender()

    def __getstate__(self) -> dict:
        # The trace appender is a bound method of the trace's list, which
        # copying would share: rebuild it from the copied trace instead.
        state = self.__dict__.copy()
        del state["_record"]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._record = self.trace.appender()

    # -- membership -----------------------------------------------------------
    def add_node(self, name: str) -> None:
        if name in self.nodes:
            raise ValueError(f"node {name!r} is already on the network")
        self.nodes.append(name)
        if self._group:
            # A newcomer during a partition joins the first group's side.
            self._group[name] = 0

    def remove_node(self, name: str) -> None:
        self.require(name)
        self.nodes.remove(name)
        self._handlers.pop(name, None)
        self._down.discard(name)
        self._group.pop(name, None)

    def attach(self, node: str, handler: Callable[[Message], Any]) -> None:
        """Call ``handler(message)`` for each message delivered to ``node``."""
        self.require(node)
        self._handlers[node] = handler

    def require(self, node: str) -> str:
        """Return ``node`` if it exists, else raise a KeyError listing the nodes."""
        if node not in self.nodes:
            raise KeyError(f"unknown node {node!r}; the nodes are {', '.join(map(str, self.nodes))}")
        return node

    # -- faults ---------------------------------------------------------------
    def crash(self, node: str) -> None:
        self._down.add(self.require(node))

    def recover(self, node: str) -> None:
        self._down.discard(self.require(node))

    def is_up(self, node: str) -> bool:
        return node not in self._down

    @property
    def down(self) -> frozenset[str]:
        return frozenset(self._down)

    def partition(self, *groups: Iterable[str]) -> None:
        """Split the nodes into groups that cannot reach each other.

        Nodes named in no group form one more group together, so
        ``partition(["A"])`` cuts A off from everyone else. Replaces any
        earlier partition.
        """
        self._group = self.partition_plan(groups)

    def partition_plan(self, groups) -> dict[str, int]:
        """Check ``groups`` as :meth:`partition` takes them, changing nothing; return
        each node's group number.

        >>> from dynamo_lab.sim.kernel import Simulation
        >>> net = Network(Simulation(), ["A", "B", "C"])
        >>> net.partition_plan([["A"]])
        {'A': 0, 'B': 1, 'C': 1}
        >>> net.partition_plan([["A", "B"], ["B"]])
        Traceback (most recent call last):
        ...
        ValueError: node 'B' is in more than one group of the partition
        """
        if not groups:
            raise ValueError("partition needs at least one group of nodes, e.g. "
                             "partition(['A', 'B'], ['C', 'D', 'E'])")
        assignment: dict[str, int] = {}
        for index, group in enumerate(groups):
            if group is None:
                raise ValueError("a group of a partition must be a list of node names, got None; "
                                 "to end a partition call heal(), to make one write "
                                 "partition(['A', 'B'], ['C', 'D', 'E'])")
            if isinstance(group, str) or not isinstance(group, Iterable):
                raise ValueError(f"each group of a partition must be a list of node names, got "
                                 f"{group!r}; write partition(['A', 'B'], ['C', 'D', 'E'])")
            members = list(group)
            if not members:
                raise ValueError(f"group {index + 1} of the partition is empty")
            for node in members:
                self.require(node)
                if node in assignment:
                    raise ValueError(f"node {node!r} is in more than one group of the partition")
                assignment[node] = index
        for node in self.nodes:
            assignment.setdefault(node, len(groups))
        return assignment

    def heal(self) -> None:
        """Remove every partition."""
        self._group = {}

    @property
    def groups(self) -> list[list[str]]:
        """The current partition's groups ([all nodes] when there is none)."""
        if not self._group:
            return [list(self.nodes)]
        out: dict[int, list[str]] = {}
        for node in self.nodes:
            out.setdefault(self._group[node], []).append(node)
        return [out[k] for k in sorted(out)]

    def connected(self, a: str, b: str) -> bool:
        """True when no partition separates ``a`` and ``b``."""
        group = self._group
        return not group or group.get(a) == group.get(b)

    def reachable(self, src: str, dst: str) -> bool:
        """True when both nodes are up and no partition separates them."""
        return src not in self._down and dst not in self._down and self.connected(src, dst)

    def set_link(self, a: str, b: str, *, latency=None, loss: float | None = None,
                 both_ways: bool = True) -> None:
        """Override the latency model and/or loss of the link a -> b (and b -> a)."""
        self.require(a)
        self.require(b)
        if a == b:
            raise ValueError(f"set_link needs two different nodes, got a={a!r} and b={b!r}: a "
                             "node's messages to itself cross no link")
        if latency is None and loss is None:
            raise ValueError("set_link needs latency=... or loss=... (or both); "
                             "with neither it would change nothing")
        boolean("both_ways", both_ways)
        model = None if latency is None else as_latency_model(latency, "link latency")
        p = None if loss is None else probability("link loss", loss)
        for link in [(a, b), (b, a)] if both_ways else [(a, b)]:
            if model is not None:
                self._link_latency[link] = model
            if p is not None:
                self._link_loss[link] = p

    def clear_links(self) -> None:
        """Forget every per-link override."""
        self._link_latency.clear()
        self._link_loss.clear()

    # -- messages -------------------------------------------------------------
    def send(self, src: str, dst: str, kind: str, key=None, op_id=None, payload=None) -> int:
        """Send a message; return its id. What becomes of it is in the trace."""
        # Every message of a run passes through here and ``_arrive``, so both
        # read the network's state directly rather than through its helpers.
        sim, record = self.sim, self._record
        msg_id = self._next_msg_id
        self._next_msg_id = msg_id + 1
        now = sim.now
        message = _new_message((msg_id, src, dst, kind, key, op_id, payload))
        if src in self._down:
            record((now, "drop", message, "sender down"))
            return msg_id
        record((now, "send", message, None))
        group = self._group
        if group and group.get(src) != group.get(dst):
            record((now, "cut", message, "partition"))
            return msg_id
        if self._link_loss or self._link_latency:
            link = (src, dst)
            loss = self._link_loss.get(link, self.loss)
            model = self._link_latency.get(link, self.latency)
        else:
            loss, model = self.loss, self.latency
        if loss and sim.rng.random() < loss:
            record((now, "lost", message, "link loss"))
            return msg_id
        # A model may time each kind of message differently (PBS's WARS legs).
        by_kind = model.by_kind
        if by_kind is not None:
            model = by_kind.get(kind, model)
        delay = model.sample(sim.rng)
        try:
            sim.post(delay, self._arrive, (message,))
        except ValueError:
            # Say whose delay it was: usually a hand-written latency model.
            raise ValueError(f"the latency model {model!r} gave a delay of {delay!r} ms for a "
                             f"{kind} message from {src} to {dst}; a delay must be a finite "
                             "number of ms >= 0") from None
        return msg_id

    def _arrive(self, msg: Message) -> None:
        dst = msg.dst
        handler = self._handlers.get(dst)
        if handler is None:
            self._record((self.sim.now, "drop", msg, "receiver left"))
        elif dst in self._down:
            self._record((self.sim.now, "drop", msg, "receiver down"))
        elif self._group and self._group.get(msg.src) != self._group.get(dst):
            self._record((self.sim.now, "cut", msg, "partition"))
        else:
            self._record((self.sim.now, "deliver", msg, None))
            self.delivered += 1
            handler(msg)
