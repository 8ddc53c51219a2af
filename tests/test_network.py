"""The network: latency, loss, crashes, partitions and the trace vocabulary."""

import pytest
from builds import COPIES_A_SYSTEM

from dynamo_lab.latency import Constant, Exponential, Uniform
from dynamo_lab.sim import MESSAGE_EVENTS, Network, Simulation


def make(nodes=("A", "B", "C"), **kw):
    sim = Simulation(seed=1)
    net = Network(sim, list(nodes), latency=kw.pop("latency", Constant(2.0)), **kw)
    inbox = []
    for n in nodes:
        net.attach(n, inbox.append)
    return sim, net, inbox


def events(net):
    return [(e.event, e.src, e.dst, e.detail) for e in net.trace]


def test_delivery_takes_the_link_latency():
    sim, net, inbox = make()
    net.send("A", "B", "ping", key="k", op_id=7)
    sim.run_until_idle()
    assert sim.now == 2.0 and len(inbox) == 1
    msg = inbox[0]
    assert (msg.src, msg.dst, msg.kind, msg.key, msg.op_id) == ("A", "B", "ping", "k", 7)
    assert events(net) == [("send", "A", "B", None), ("deliver", "A", "B", None)]
    assert net.delivered == 1


def test_crashed_receiver_drops_and_crashed_sender_sends_nothing():
    sim, net, inbox = make()
    net.crash("B")
    net.send("A", "B", "ping")
    net.send("B", "A", "ping")
    sim.run_until_idle()
    assert inbox == []
    assert events(net) == [("send", "A", "B", None), ("drop", "B", "A", "sender down"),
                           ("drop", "A", "B", "receiver down")]


def test_crash_while_in_flight_drops_and_recovery_restores():
    sim, net, inbox = make()
    net.send("A", "B", "one")
    net.crash("B")
    sim.run_until_idle()
    net.recover("B")
    net.send("A", "B", "two")
    sim.run_until_idle()
    assert [m.kind for m in inbox] == ["two"]


def test_partition_cuts_both_at_send_and_in_flight():
    sim, net, inbox = make()
    net.send("A", "C", "in-flight")
    net.partition(["A", "B"], ["C"])
    net.send("A", "C", "after")
    net.send("A", "B", "same-side")
    sim.run_until_idle()
    assert [m.kind for m in inbox] == ["same-side"]
    cut = [e for e in net.trace if e.event == "cut"]
    assert len(cut) == 2 and all(e.detail == "partition" for e in cut)
    net.heal()
    net.send("A", "C", "healed")
    sim.run_until_idle()
    assert inbox[-1].kind == "healed"


def test_unlisted_nodes_form_one_more_group():
    _, net, _ = make(("A", "B", "C", "D"))
    net.partition(["A"])
    assert net.groups == [["A"], ["B", "C", "D"]]
    assert net.connected("B", "D") and not net.connected("A", "B")


def test_loss_is_seeded_and_recorded():
    sim, net, inbox = make(loss=0.5)
    for _ in range(200):
        net.send("A", "B", "m")
    sim.run_until_idle()
    lost = net.trace.counts()["lost"]
    assert 60 < lost < 140 and lost + len(inbox) == 200
    sim2, net2, inbox2 = make(loss=0.5)
    for _ in range(200):
        net2.send("A", "B", "m")
    sim2.run_until_idle()
    assert net2.trace.counts() == net.trace.counts()


def test_per_link_overrides():
    sim, net, inbox = make()
    net.set_link("A", "B", latency=Constant(9.0))
    net.set_link("A", "C", loss=1.0, both_ways=False)
    net.send("A", "B", "slow")
    net.send("A", "C", "lost")
    net.send("C", "A", "back")
    sim.run_until_idle()
    assert [m.kind for m in inbox] == ["back", "slow"] and sim.now == 9.0


def test_trace_uses_only_the_documented_vocabulary():
    sim, net, _ = make(loss=0.3)
    net.crash("C")
    for dst in "BC":
        for _ in range(10):
            net.send("A", dst, "m")
    net.partition(["A"], ["B", "C"])
    net.send("A", "B", "m")
    sim.run_until_idle()
    assert {e.event for e in net.trace} <= set(MESSAGE_EVENTS)
    frame = net.trace.to_frame()
    assert list(frame.columns)[:3] == ["seq", "time", "event"] and len(frame) == len(net.trace)


@pytest.mark.parametrize("call, message", [
    (lambda net: net.send("A", "Z", "m") or net.attach("Z", print), "unknown node 'Z'"),
    (lambda net: net.crash("Z"), "unknown node 'Z'"),
    (lambda net: net.partition(["A"], ["A", "B"]), "more than one group"),
    (lambda net: net.partition("AB"), "list of node names"),
    (lambda net: net.partition(), "at least one group"),
    (lambda net: net.set_link("A", "B", loss=1.5), "probability between 0 and 1"),
    (lambda net: net.set_link("A", "B", latency=-1), "finite number"),
])
def test_bad_input_is_refused_with_a_clear_message(call, message):
    _, net, _ = make()
    with pytest.raises((ValueError, KeyError), match=message):
        call(net)
    assert net.groups == [["A", "B", "C"]] and not net.down


def test_latency_models_sample_sensibly():
    import random
    rng = random.Random(0)
    assert all(1 <= Uniform(1, 3).sample(rng) <= 3 for _ in range(100))
    mean = sum(Exponential(2.0).sample(rng) for _ in range(20000)) / 20000
    assert abs(mean - 2.0) < 0.1
    with pytest.raises(ValueError, match="low_ms <= high_ms"):
        Uniform(3, 1)


class _SometimesNegative(Constant):
    """A hand-written latency model with a bug: some of its delays are negative."""

    def sample(self, rng):
        return rng.gauss(1.0, 1.0)


def test_a_latency_model_returning_a_negative_delay_is_refused():
    sim, net, _ = make(latency=_SometimesNegative(1.0))
    with pytest.raises(ValueError, match="finite number of ms >= 0"):
        for _ in range(50):
            net.send("A", "B", "ping")
    assert sim.now == 0.0


@pytest.mark.parametrize("delay", [-1.0, float("nan"), float("inf")])
def test_post_refuses_a_delay_that_is_not_finite_and_non_negative(delay):
    sim = Simulation(seed=0)
    with pytest.raises(ValueError, match="finite number of ms >= 0"):
        sim.post(delay, print, ())
    assert sim.idle and sim.run_until_idle() == 0      # nothing was scheduled


@COPIES_A_SYSTEM
def test_a_copied_cluster_records_its_messages_in_its_own_trace():
    import copy

    import dynamo_lab as dl

    cluster = dl.Cluster(nodes=5, seed=0)
    cluster.put("k", 1)
    before = len(cluster.trace)
    twin = copy.deepcopy(cluster)
    twin.put("k", 2)
    assert len(cluster.trace) == before
    assert len(twin.trace) > before
