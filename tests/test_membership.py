"""Gossip membership and the phi accrual failure detector."""

import math
from statistics import NormalDist

import pytest

from dynamo_lab.failure_detectors import FailureDetector
from dynamo_lab.latency import Constant
from dynamo_lab.membership import Entry, Gossip, rounds_to_spread, spread_table
from dynamo_lab.phi_accrual import PhiAccrual, PhiDetector, phi_tradeoff
from dynamo_lab.sim import Network, Simulation

NODES = ["A", "B", "C", "D", "E", "F"]


def make(nodes=NODES, seed=1, **kw):
    sim = Simulation(seed=seed)
    net = Network(sim, list(nodes), latency=kw.pop("latency", None))
    return sim, net, Gossip(sim, net, **kw)


def heartbeats(gossip, about):
    return {n: gossip.view(n)[about].heartbeat for n in gossip.live_nodes()}


# -- gossip ------------------------------------------------------------------

def test_views_converge_and_a_crashed_nodes_heartbeat_stops():
    sim, net, gossip = make()
    gossip.announce("B", "up", meta={"tokens": [3, 17]})
    gossip.announce("E", "leaving")
    assert not gossip.converged()
    sim.run_for(10_000)
    assert gossip.converged()
    views = [gossip.view(n) for n in NODES]
    assert all(v["B"].meta == {"tokens": [3, 17]} and v["E"].status == "leaving"
               for v in views)

    net.crash("C")
    sim.run_for(20_000)
    assert gossip.live_nodes() == ["A", "B", "D", "E", "F"]
    frozen = heartbeats(gossip, "C")
    assert len(set(frozen.values())) == 1  # every live node saw C's last beat
    alive = heartbeats(gossip, "A")
    sim.run_for(10_000)
    assert heartbeats(gossip, "C") == frozen  # ... and it never moved again
    later = heartbeats(gossip, "A")
    assert later["A"] == alive["A"] + 10  # one beat per second
    assert all(later[n] >= alive[n] + 5 for n in later)  # others hear of them, a bit late
    assert gossip.converged()


def test_nodes_are_not_in_lockstep_and_run_until_idle_ends():
    sim, net, gossip = make()
    assert sim.run_until_idle() == 0  # gossip timers are daemons
    starts = sorted(t.time for t in gossip._timers.values())
    assert len(set(starts)) == len(NODES) and 0 <= starts[0] and starts[-1] < 1000


def test_join_and_leave_spread_to_everyone():
    sim, net, gossip = make()
    sim.run_for(3_000)
    gossip.join("G", seeds=["A"], meta={"tokens": [42]})
    assert "G" in net.nodes and gossip.view("G").keys() == {"G"}
    sim.run_for(10_000)
    assert gossip.converged()
    assert {n: gossip.view(n)["G"].status for n in gossip.nodes} == dict.fromkeys(
        gossip.nodes, "joining")
    assert gossip.view("G").keys() == set(NODES) | {"G"}

    gossip.announce("G", "up")  # metadata not given is kept
    gossip.announce("D", "leaving")
    sim.run_for(10_000)
    assert gossip.converged()
    view = gossip.view("A")
    assert (view["G"].status, view["G"].version, view["G"].meta) == ("up", 2, {"tokens": [42]})
    assert view["D"].status == "leaving"

    gossip.announce("D", "left")
    sim.run_for(10_000)
    assert all(gossip.view(n)["D"].status == "left" for n in gossip.nodes)
    # Once everyone knows D has left, nobody picks it as a gossip partner.
    cutoff = sim.now
    sim.run_for(10_000)
    assert not [e for e in net.trace
                if e.time > cutoff and e.kind == "gossip" and e.dst == "D"]


def test_merge_takes_the_higher_version_and_the_larger_heartbeat():
    sim, net, gossip = make(["A", "B"], latency=Constant(1.0))
    gossip.stop()
    gossip._views["A"]["B"] = Entry("up", 1, 9)
    gossip.announce("B", "leaving")  # B: version 2, heartbeat 0
    gossip._tick("B")  # B beats once and sends its view to A
    sim.run_for(10)
    assert gossip.view("A")["B"] == Entry("leaving", 2, 9)
    assert gossip.view("B")["B"].heartbeat == 1  # nobody else writes B's entry


def test_receive_coexists_with_another_handler():
    sim = Simulation(seed=2)
    net = Network(sim, ["A", "B", "C"])
    gossip = Gossip(sim, net, attach=False)
    others = []

    def node_handler(node):
        def handle(msg):
            if not gossip.receive(node, msg):
                others.append((node, msg.kind))
        return handle

    for n in net.nodes:
        net.attach(n, node_handler(n))
    gossip.announce("A", "leaving")
    net.send("B", "C", "put", key="k")
    sim.run_for(5_000)
    assert gossip.converged() and gossip.view("C")["A"].status == "leaving"
    assert others == [("C", "put")]


def test_bad_arguments_are_explained():
    sim, net, gossip = make()
    with pytest.raises(ValueError, match="status must be one of"):
        gossip.announce("A", "gone")
    with pytest.raises(KeyError, match="unknown node 'Z'"):
        gossip.view("Z")
    with pytest.raises(ValueError, match="needs at least one seed"):
        gossip.join("G", seeds=[])
    with pytest.raises(ValueError, match="period_ms"):
        Gossip(sim, net, period_ms=0)


def measured_spread(sizes=(8, 32, 128), seeds=range(10)):
    """Rounds to spread one change, per size and seed: the numbers to quote."""
    return spread_table(sizes, seeds)


def test_rounds_to_spread_grow_like_log_s():
    rows = measured_spread()
    for row in rows:
        print(f"S={row['S']:4d}  rounds={row['rounds']}  mean={row['mean']:.1f}")
    # Push-pull gossip informs everyone in log3 S + O(ln ln S) synchronous
    # rounds (Karp et al., FOCS 2000), below log2 S + ln ln S. Our nodes are
    # asynchronous (a random phase each) and the change appears at a random
    # moment, and rounds are counted as whole periods, which adds at most
    # about 2: so every run must finish within log2 S + ln ln S + 2 periods
    # (c = 1, d = ln ln S + 2).
    for row in rows:
        S = row["S"]
        assert row["max"] <= math.log2(S) + math.log(math.log(S)) + 2
    means = [row["mean"] for row in rows]
    assert means[0] < means[1] < means[2]
    # Logarithmic, not linear: per doubling of S the mean grows by about
    # 1 / log2(3) = 0.63 rounds in theory; accept 0.3 to 1.0.
    slope = (means[2] - means[0]) / (math.log2(128) - math.log2(8))
    assert 0.3 <= slope <= 1.0


def test_rounds_to_spread_is_repeatable():
    assert rounds_to_spread(32, seed=4) == rounds_to_spread(32, seed=4)
    with pytest.raises(ValueError, match="S must be"):
        rounds_to_spread(1)


# -- phi accrual -------------------------------------------------------------

def test_phi_follows_the_normal_tail():
    phi = PhiAccrual(min_std_ms=1.0)
    for t in [0, 900, 2000, 2900, 4000]:  # intervals 900, 1100, 900, 1100
        phi.heartbeat("A", "B", float(t))
    mean, std = phi.distribution("A", "B")
    assert (mean, std) == (1000.0, 100.0)
    for elapsed in [1000, 1150, 1400]:
        expected = -math.log10(1 - NormalDist(mean, std).cdf(elapsed))
        assert phi.phi("A", "B", 4000.0 + elapsed) == pytest.approx(expected, rel=1e-9)
    assert phi.phi("A", "B", 5000.0) == pytest.approx(math.log10(2))
    # Far in the tail phi stays finite and keeps rising.
    values = [phi.phi("A", "B", 4000.0 + x) for x in (3000, 4000, 6000, 10_000)]
    assert all(math.isfinite(v) for v in values) and values == sorted(values)
    limit = phi.suspicion_after("A", "B")
    assert phi.phi("A", "B", 4000 + limit) == pytest.approx(8.0, rel=1e-6)
    assert phi.phi("X", "Y", 10.0) == 0.0  # never heard from: not suspected


def test_gossip_heartbeats_keep_phi_low_until_a_crash():
    sim = Simulation(seed=5)
    net = Network(sim, NODES)
    acc = PhiAccrual(threshold=8.0)
    gossip = Gossip(sim, net, phi=acc)
    detector = PhiDetector(gossip, sim)
    assert isinstance(detector, FailureDetector)
    sim.run_for(30_000)
    worst = 0.0
    for _ in range(300):  # check every 100 ms for 30 s
        sim.run_for(100)
        worst = max(worst, max(acc.phi(a, b, sim.now) for a in NODES for b in NODES if a != b))
    assert worst < 8.0
    assert detector.suspects("A") == []

    net.crash("D")
    crashed_at = sim.now
    detected = {}
    while len(detected) < 5 and sim.now - crashed_at < 60_000:
        sim.run_for(100)
        for n in gossip.live_nodes():
            if n not in detected and not detector.is_healthy(n, "D"):
                detected[n] = sim.now - crashed_at
    assert set(detected) == {"A", "B", "C", "E", "F"}
    assert all(1_000 <= d <= 30_000 for d in detected.values())
    assert detector.suspects("A") == ["D"]
    assert detector.is_healthy("A", "B") and not detector.is_healthy("D", "D")


def test_phi_detector_needs_heartbeats():
    sim = Simulation(seed=0)
    net = Network(sim, ["A", "B"])
    with pytest.raises(ValueError, match="PhiAccrual"):
        PhiDetector(Gossip(sim, net), sim)
    acc = PhiAccrual()
    acc.heartbeat("A", "B", 0.0)
    sim.run_for(10_000)
    assert PhiDetector(acc, sim).suspects("A") == ["B"]


def test_higher_threshold_fewer_false_suspicions_later_detection():
    thresholds = [1, 2, 3, 4, 6, 8, 12, 16]
    rows = phi_tradeoff(thresholds, seed=1, duration_ms=600_000)
    for row in rows:
        print("threshold %5.1f  false suspicions %3d  detection %7.1f ms" % row)
    falses = [r[1] for r in rows]
    delays = [r[2] for r in rows]
    assert falses == sorted(falses, reverse=True) and falses[0] > falses[-1]
    assert delays == sorted(delays) and delays[0] < delays[-1]
    # The heavy tail makes mistakes even at phi = 8, which a normal model
    # promises to happen once in 1e8 heartbeats.
    assert dict(zip(thresholds, falses))[8] > 0
    assert phi_tradeoff([8], seed=1, duration_ms=600_000) == [rows[5]]


def test_a_detector_that_learns_from_traffic_hears_every_message():
    import dynamo_lab as dl
    from dynamo_lab.failure_detectors import OracleDetector, TimeoutDetector

    class Counting(OracleDetector):
        def __init__(self, network):
            super().__init__(network)
            self.heard = 0

        def heard_from(self, observer, peer):
            self.heard += 1

    cluster = dl.Cluster(nodes=5, seed=0)
    cluster.detector = Counting(cluster.network)
    cluster.put("k", 1)
    cluster.run_until_idle()
    assert cluster.detector.heard == cluster.network.delivered > 0

    # The timeout detector listens only while it suspects someone, and news
    # from the suspect lifts the suspicion.
    timeouts = TimeoutDetector(cluster.network)
    assert not timeouts.listening
    timeouts.missed("A", "B")
    assert timeouts.listening and not timeouts.is_healthy("A", "B")
    timeouts.heard_from("A", "B")
    assert not timeouts.listening and timeouts.is_healthy("A", "B")
