"""Widgets without a browser: set .value, press buttons, check the model and the labels."""

import sys
from fractions import Fraction

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

import dynamo_lab as dl  # noqa: E402
from dynamo_lab.widgets import (ClusterExplorer, MessageDiagram, QuorumCalculator,  # noqa: E402
                                Replay, RingExplorer)
from dynamo_lab.widgets.cluster_explorer import parse_groups  # noqa: E402
from dynamo_lab.widgets.replay import ALL_KEYS  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture
def cluster():
    return dl.Cluster(nodes=5, n=3, r=2, w=2, seed=7)


@pytest.fixture
def recorded():
    """A short scenario with a crash, a partition and a heal, all recorded."""
    cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=7)
    cluster.put("k", "v1")
    cluster.crash("C")
    cluster.put("k", "v2", context=cluster.get("k").context)
    cluster.partition(["A", "B"])
    cluster.get("k")
    cluster.heal()
    cluster.recover("C")
    cluster.run_until_idle()
    return cluster


# -- quorum calculator ----------------------------------------------------------------

def test_calculator_recomputes_when_a_slider_moves():
    calc = QuorumCalculator(n=3, r=2, w=2)
    assert "must overlap" in calc.summary.value
    draws = calc.diagram.draws
    calc.r_slider.value = 1
    calc.w_slider.value = 1
    assert (calc.model.n, calc.model.r, calc.model.w) == (3, 1, 1)
    assert calc.model.facts.p_stale == Fraction(2, 3)
    assert "No guaranteed overlap" in calc.summary.value
    assert "<b>2/3</b> (66.7%)" in calc.summary.value
    assert "up to <b>2</b> of the 3 replicas down" in calc.summary.value
    assert calc.diagram.draws == draws + 2
    assert calc.diagram.image.value[:8] == PNG


def test_calculator_shows_a_message_instead_of_an_error():
    calc = QuorumCalculator(n=3, r=2, w=2)
    calc.r_slider.value = 5
    assert calc.model.problem.startswith("R=5 is more than N=3")
    assert "makes no sense" in calc.message.value and "Choose R from 1 to 3" in calc.message.value
    assert calc.summary.value == ""
    assert calc.diagram.image.layout.display == "none"
    calc.n_slider.value = 5
    assert calc.message.value == "" and "must overlap" in calc.summary.value
    assert calc.diagram.image.layout.display is None


def test_calculator_levels_follow_n():
    calc = QuorumCalculator(n=3, r=2, w=2)
    calc.read_level.value = "ONE"
    calc.write_level.value = "ALL"
    assert (calc.r_slider.value, calc.w_slider.value) == (1, 3)
    calc.n_slider.value = 7
    assert (calc.r_slider.value, calc.w_slider.value) == (1, 7)
    assert "Reads still succeed with up to <b>6</b>" in calc.summary.value
    calc.write_level.value = "QUORUM"
    assert calc.w_slider.value == 4
    # Moving a slider off the level's size releases it.
    calc.w_slider.value = 2
    assert calc.write_level.value == "custom" and calc.model.write_level is None
    calc.n_slider.value = 3
    assert calc.w_slider.value == 2


def test_calculator_displays_as_a_widget():
    bundle = QuorumCalculator()._repr_mimebundle_()
    assert WIDGET_VIEW in bundle


# -- ring explorer --------------------------------------------------------------------

def test_ring_explorer_add_and_remove_report_what_moved():
    explorer = RingExplorer(nodes=5, vnodes=8, n=3)
    explorer.add_button.click()
    model = explorer.model
    assert model.change.added == "F" and len(model.ring.nodes) == 6
    assert explorer.nodes_slider.value == 6
    assert f"<b>{model.change.fraction_moved:.1%}</b> of the keys" in explorer.summary.value
    assert f"<b>{model.mod_n_moved:.1%}</b> of 2000 sample keys" in explorer.summary.value
    assert model.mod_n_moved > model.change.fraction_moved

    explorer.remove_picker.value = "B"
    explorer.remove_button.click()
    assert model.change.removed == "B" and "B" not in model.ring.nodes
    assert "Removing B moved" in explorer.summary.value
    assert list(explorer.remove_picker.options) == model.ring.nodes


def test_ring_explorer_explains_a_refused_removal():
    explorer = RingExplorer(nodes=3, n=3)
    explorer.remove_button.click()
    assert "fewer than n=3" in explorer.summary.value
    assert explorer.model.ring.nodes == ["A", "B", "C"]


def test_ring_explorer_sliders_and_key():
    explorer = RingExplorer(nodes=5, vnodes=8, n=3)
    explorer.nodes_slider.value = 8
    assert explorer.model.ring.nodes == list("ABCDEFGH")
    explorer.vnodes_slider.value = 32
    assert len(explorer.model.ring.tokens) == 8 * 32
    explorer.key_box.value = "cart:bob"
    pref = explorer.model.ring.preference_list("cart:bob")
    assert f"home replicas <b>{' '.join(pref[:3])}</b>" in explorer.summary.value
    assert explorer.drawing.image.value[:8] == PNG


def test_ring_explorer_keeps_colours_when_a_node_leaves():
    explorer = RingExplorer(nodes=4, n=2)
    before = dict(zip(explorer.model.colour_order, range(4)))
    explorer.remove_picker.value = "A"
    explorer.remove_button.click()
    assert explorer.model.colour_order[:4] == list(before)


# -- cluster explorer -------------------------------------------------------------------

def test_parse_groups():
    assert parse_groups("A,B|C, D E") == [["A", "B"], ["C", "D", "E"]]
    assert parse_groups("") == []


def test_cluster_explorer_buttons_call_the_cluster(cluster):
    explorer = ClusterExplorer(cluster, key="k")
    explorer.node_picker.value = "C"
    explorer.crash_button.click()
    assert cluster.down == ["C"]
    assert "\u2714 crash C" in explorer.status.value
    assert "down" in explorer.table.value or "C" not in cluster.ring.home_replicas("k")
    explorer.recover_button.click()
    assert cluster.down == []
    explorer.partition_box.value = "A, B"
    explorer.partition_button.click()
    assert cluster.partitions == [["A", "B"], ["C", "D", "E"]]
    explorer.heal_button.click()
    assert cluster.partitions == [cluster.nodes]
    assert [f.kind for f in cluster.faults] == ["crash", "recover", "partition", "heal"]


def test_cluster_explorer_reports_bad_requests_without_raising(cluster):
    explorer = ClusterExplorer(cluster)
    explorer.recover_button.click()            # A is not down
    assert "\u2718 recover A: node A is not down" in explorer.status.value
    explorer.partition_box.value = "A, Z"
    explorer.partition_button.click()
    assert "unknown node" in explorer.status.value
    assert cluster.partitions == [cluster.nodes]


def test_cluster_explorer_put_get_and_replica_table(cluster):
    explorer = ClusterExplorer(cluster, key="cart:alice")
    explorer.value_box.value = "book"
    explorer.put_button.click()
    assert "acknowledged by" in explorer.status.value
    explorer.settle_button.click()
    explorer.get_button.click()
    assert "[&#x27;book&#x27;]" in explorer.status.value
    home = cluster.ring.home_replicas("cart:alice")
    table = explorer.table.value
    assert all(f">{node}</b>" in table for node in home)
    assert table.count("&#x27;book&#x27;") == 3
    # With the context of that read, the next put replaces the value...
    explorer.value_box.value = "pen"
    explorer.put_button.click()
    explorer.settle_button.click()
    assert cluster.get("cart:alice").values == ["pen"]
    # ...without it, the put is concurrent and leaves siblings.
    explorer.context_box.value = False
    explorer.value_box.value = "mug"
    explorer.put_button.click()
    explorer.settle_button.click()
    assert sorted(cluster.get("cart:alice").values) == ["mug", "pen"]


def test_cluster_explorer_sliders_set_per_request_quorums(cluster):
    explorer = ClusterExplorer(cluster, key="k")
    draws = explorer.picture.draws
    explorer.r_slider.value = 3
    explorer.w_slider.value = 1
    assert (explorer.session.r, explorer.session.w) == (3, 1)
    assert explorer.picture.draws == draws + 2
    explorer.value_box.value = "x"
    explorer.put_button.click()
    assert "(W = 1)" in explorer.status.value
    explorer.get_button.click()
    assert "(R = 3)" in explorer.status.value
    history = [op for op in cluster.history if op.type == "ok"]
    assert [op.f for op in history] == ["put", "get"]


def test_cluster_explorer_key_box_switches_key(cluster):
    explorer = ClusterExplorer(cluster, key="k")
    explorer.key_box.value = "other"
    assert explorer.session.key == "other"
    assert "&#x27;other&#x27;" in explorer.table.value


# -- message diagram and replay ----------------------------------------------------------

def test_message_diagram_steps_through_the_record(recorded):
    diagram = MessageDiagram(recorded)
    last = diagram.model.last_step
    assert diagram.time_slider.value == last == diagram.time_slider.max
    assert diagram.drawing.counts["deliver"] == recorded.trace.counts()["deliver"]
    diagram.time_slider.value = 3
    assert diagram.model.step == 3
    assert f"t = {diagram.model.time:.3f} ms (3/{last})" in diagram.time_label.value
    shown = len(diagram.drawing.messages)
    diagram.back_button.click()
    assert diagram.time_slider.value == 2 and len(diagram.drawing.messages) <= shown
    diagram.forward_button.click()
    diagram.forward_button.click()
    assert diagram.time_slider.value == 4


def test_message_diagram_filters_by_key_and_reloads(recorded):
    diagram = MessageDiagram(recorded)
    assert list(diagram.key_picker.options) == [ALL_KEYS, "k"]
    recorded.put("j", 1)
    recorded.run_until_idle()
    old_max = diagram.time_slider.max
    diagram.reload_button.click()
    assert diagram.time_slider.max > old_max
    assert diagram.time_slider.value == diagram.time_slider.max   # stays at the end
    diagram.key_picker.value = "j"
    assert {m.key for m in diagram.drawing.messages} == {"j"}


def test_replay_redraws_the_cluster_at_each_step(recorded):
    replay = Replay(recorded)
    assert replay.time_slider.value == 0
    assert replay.play.max == replay.model.last_step
    assert "client starts put &#x27;k&#x27; = &#x27;v1&#x27; via E" in replay.events.value
    crash_time = next(f.time for f in recorded.faults if f.kind == "crash")
    crash_step = replay.model.timeline.times.index(crash_time)
    replay.time_slider.value = crash_step
    assert "crash C" in replay.events.value
    assert replay.cluster_drawing.status["C"] == "down"
    snapshot = replay.model.snapshot
    assert len(replay.cluster_drawing.messages) == len(snapshot.in_flight)
    assert len(replay.message_drawing.messages) == len(snapshot.messages)
    replay.time_slider.value = replay.time_slider.max
    assert replay.cluster_drawing.status["C"] == "up"
    assert replay.picture.image.value[:8] == PNG


def test_every_widget_displays_and_leaves_no_pyplot_figure(recorded):
    # Compare with the figures open before: other tests (doctests of the plot
    # functions) may have left some, and the order tests run in must not matter.
    pyplot = sys.modules.get("matplotlib.pyplot")
    before = set(pyplot.get_fignums()) if pyplot is not None else set()
    made = [QuorumCalculator(), RingExplorer(), ClusterExplorer(recorded),
            MessageDiagram(recorded), Replay(recorded)]
    for widget in made:
        assert WIDGET_VIEW in widget._repr_mimebundle_()
    pyplot = sys.modules.get("matplotlib.pyplot")
    assert pyplot is None or set(pyplot.get_fignums()) <= before


def test_cluster_explorer_shows_a_hint_handed_off_after_a_wait():
    cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=5, failure_detector="oracle")
    explorer = ClusterExplorer(cluster, key="cart:1")
    home = cluster.ring.home_replicas("cart:1")
    explorer.node_picker.value = home[2]
    explorer.crash_button.click()
    explorer.via_picker.value = home[0]
    explorer.value_box.value = "pen"
    explorer.put_button.click()
    assert "hints:" in explorer.status.value and cluster.hint_counts["pending"] == 1
    explorer.recover_button.click()
    explorer.settle_button.click()
    assert cluster.hint_counts["pending"] == 1        # landing messages is not enough
    explorer.wait_button.click()                       # the first hint round comes 1 s
    explorer.wait_button.click()                       # after the hint was stored
    assert cluster.hint_counts["pending"] == 0 and "wait 1000 ms" in explorer.status.value
    assert cluster.node(home[2]).store["cart:1"].values == ["pen"]
