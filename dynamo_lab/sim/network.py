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
from typing import Any

from ..latency import Exponential, LatencyModel, as_latency_model
from .kernel import Simulation
from .trace import Trace

__all__ = ["Network", "Message"]


class Message:
    """A message in flight. ``payload`` is whatever the protocol needs."""

    __slots__ = ("msg_id", "src", "dst", "kind", "key", "op_id", "payload")

    def __init__(self, msg_id: int, src: str, dst: str, kind: str, key, op_id, payload):
        self.msg_id = msg_id
        self.src = src
        self.dst = dst
        self.kind = kind
        self.key = key
        self.op_id = op_id
        self.payload = payload

    def __repr__(self) -> str:
        return f"<Message {self.msg_id} {self.kind} {self.src}->{self.dst} key={self.key!r}>"


def _check_probability(name: str, p) -> float:
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not (0.0 <= p <= 1.0):
        raise ValueError(f"{name} must be a probability between 0 and 1, got {p!r}")
    return float(p)


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
        self.loss = _check_probability("loss", loss)
        self.nodes: list[str] = list(nodes)
        self._handlers: dict[str, Callable[[Message], Any]] = {}
        self._down: set[str] = set()
        self._group: dict[str, int] = {}  # empty: no partition
        self._link_latency: dict[tuple[str, str], LatencyModel] = {}
        self._link_loss: dict[tuple[str, str], float] = {}
        self._next_msg_id = 0
        self.delivered = 0

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
        if not groups:
            raise ValueError("partition needs at least one group of nodes, e.g. "
                             "partition(['A', 'B'], ['C', 'D', 'E'])")
        assignment: dict[str, int] = {}
        for index, group in enumerate(groups):
            if isinstance(group, str):
                raise ValueError(f"each group must be a list of node names, got the string "
                                 f"{group!r}; write partition([{group!r}], ...)")
            members = list(group)
            if not members:
                raise ValueError(f"group {index + 1} of the partition is empty")
            for node in members:
                self.require(node)
                if node in assignment:
                    raise ValueError(f"node {node!r} is in more than one group of the partition")
                assignment[node] = index
        rest = [n for n in self.nodes if n not in assignment]
        for node in rest:
            assignment[node] = len(groups)
        self._group = assignment

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
        model = None if latency is None else as_latency_model(latency, "link latency")
        p = None if loss is None else _check_probability("link loss", loss)
        for link in [(a, b), (b, a)] if both_ways else [(a, b)]:
            if model is not None:
                self._link_latency[link] = model
            if p is not None:
                self._link_loss[link] = p

    def clear_links(self) -> None:
        """Forget every per-link override."""
        self._link_latency.clear()
        self._link_loss.clear()

    def link_latency(self, a: str, b: str) -> LatencyModel:
        return self._link_latency.get((a, b), self.latency)

    def link_loss(self, a: str, b: str) -> float:
        return self._link_loss.get((a, b), self.loss)

    # -- messages -------------------------------------------------------------
    def send(self, src: str, dst: str, kind: str, key=None, op_id=None, payload=None) -> int:
        """Send a message; return its id. What becomes of it is in the trace."""
        sim, trace = self.sim, self.trace
        msg_id = self._next_msg_id
        self._next_msg_id += 1
        now = sim.now
        if src in self._down:
            trace.record(now, "drop", msg_id, src, dst, kind, key, op_id, payload, "sender down")
            return msg_id
        trace.record(now, "send", msg_id, src, dst, kind, key, op_id, payload)
        if not self.connected(src, dst):
            trace.record(now, "cut", msg_id, src, dst, kind, key, op_id, payload, "partition")
            return msg_id
        link = (src, dst)
        loss = self._link_loss.get(link, self.loss)
        if loss and sim.rng.random() < loss:
            trace.record(now, "lost", msg_id, src, dst, kind, key, op_id, payload, "link loss")
            return msg_id
        model = self._link_latency.get(link, self.latency)
        # A model may time each kind of message differently (PBS's WARS legs).
        by_kind = getattr(model, "by_kind", None)
        if by_kind is not None:
            model = by_kind.get(kind, model)
        delay = model.sample(sim.rng)
        sim.schedule(delay, self._arrive, Message(msg_id, src, dst, kind, key, op_id, payload))
        return msg_id

    def _arrive(self, msg: Message) -> None:
        now = self.sim.now
        if msg.dst not in self._handlers:
            self.trace.record(now, "drop", msg.msg_id, msg.src, msg.dst, msg.kind, msg.key,
                              msg.op_id, msg.payload, "receiver left")
            return
        if msg.dst in self._down:
            self.trace.record(now, "drop", msg.msg_id, msg.src, msg.dst, msg.kind, msg.key,
                              msg.op_id, msg.payload, "receiver down")
            return
        if not self.connected(msg.src, msg.dst):
            self.trace.record(now, "cut", msg.msg_id, msg.src, msg.dst, msg.kind, msg.key,
                              msg.op_id, msg.payload, "partition")
            return
        self.trace.record(now, "deliver", msg.msg_id, msg.src, msg.dst, msg.kind, msg.key,
                          msg.op_id, msg.payload)
        self.delivered += 1
        handler = self._handlers.get(msg.dst)
        if handler is not None:
            handler(msg)
