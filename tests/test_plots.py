"""Replaying a run (model) and drawing it (Agg): assertions on what was drawn, not pixels."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex, to_rgba  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import dynamo_lab as dl  # noqa: E402
from dynamo_lab.cluster import FaultEvent  # noqa: E402
from dynamo_lab.plots import (PALETTE, draw_cluster, draw_messages, draw_quorum,  # noqa: E402
                              draw_ring, node_colors)
from dynamo_lab.plots.colors import CUT, DOWN, READ, WRITE  # noqa: E402
from dynamo_lab.plots.messages import TimeAxis  # noqa: E402
from dynamo_lab.plots.quorum import waits_for  # noqa: E402
from dynamo_lab.quorum import quorum_facts  # noqa: E402
from dynamo_lab.views.message_timeline import (MessageTimeline, down_intervals, fault_state_at,  # noqa: E402
                                               message_lives, node_status, operation_spans,
                                               partition_intervals, participants)
from dynamo_lab.ring import Ring  # noqa: E402
from dynamo_lab.sim.trace import Trace  # noqa: E402


@pytest.fixture
def ax():
    fig = Figure(figsize=(6, 4))
    return fig.add_subplot()


@pytest.fixture
def scenario():
    """A put, a crash, a put, a partition that cuts a message in flight, a get, then heal."""
    cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=7)
    cluster.put("k", "v1")
    cluster.crash("C")
    cluster.put("k", "v2", context=cluster.get("k").context)
    pending = cluster.client("alice").start_put("k", "v3", coordinator="E")
    cluster.partition(["A", "B"])
    pending.wait()
    cluster.get("k")
    cluster.heal()
    cluster.recover("C")
    cluster.run_until_idle()
    return cluster


def hexes(colours):
    return [to_hex(c) for c in colours]


# -- replay model -------------------------------------------------------------------

def test_message_lives_pair_every_send_with_its_end(scenario):
    lives = message_lives(scenario.trace)
    counts = scenario.trace.counts()
    assert len(lives) == counts["send"] + sum(
        1 for e in scenario.trace if e.event == "drop" and e.detail == "sender down")
    ended = [m.outcome for m in lives if m.outcome != "in_flight"]
    assert len(ended) == counts["deliver"] + counts["drop"] + counts["cut"] + counts["lost"]
    assert counts["cut"] >= 1
    assert all(m.ended_at is None or m.ended_at >= m.sent_at for m in lives)


def test_outcome_and_progress_follow_time():
    trace = Trace()
    trace.record(1.0, "send", 0, "A", "B", "put_req", "k", 0, None)
    trace.record(3.0, "deliver", 0, "A", "B", "put_req", "k", 0, None)
    trace.record(2.0, "drop", 1, "C", "A", "put_ack", "k", 0, None, "sender down")
    lives = message_lives(trace)
    assert [(m.msg_id, m.sent_at, m.outcome) for m in lives] == [
        (0, 1.0, "deliver"), (1, 2.0, "drop")]
    first = lives[0]
    assert [first.outcome_at(t) for t in (0.5, 1.0, 2.9, 3.0)] == [
        None, "in_flight", "in_flight", "deliver"]
    assert first.progress_at(2.0) == 0.5
    snapshot = MessageTimeline(["A", "B", "C"], lives, [], []).at(2.0)
    assert "C \u2192 A put_ack dropped (sender down)" in snapshot.events
    assert not any("put_ack sent" in e for e in snapshot.events)


def test_fault_state_replays_crashes_and_partitions(scenario):
    faults, nodes = scenario.faults, scenario.nodes
    crash = next(f for f in faults if f.kind == "crash")
    part = next(f for f in faults if f.kind == "partition")
    assert fault_state_at(faults, crash.time - 1e-9, nodes).down == frozenset()
    assert fault_state_at(faults, crash.time, nodes).down == {"C"}
    state = fault_state_at(faults, part.time, nodes)
    assert state.partitioned and state.groups == (("A", "B"), ("C", "D", "E"))
    assert not state.connected("A", "E") and state.connected("C", "E")
    end = fault_state_at(faults, scenario.now, nodes)
    assert end.down == frozenset() and not end.partitioned


def test_node_status_names_down_and_cut_off_nodes():
    assert node_status(list("ABC"), [], [list("ABC")]) == dict.fromkeys("ABC", "up")
    status = node_status(list("ABCDE"), {"D"}, [["A"], ["B", "C", "D", "E"]])
    assert status == {"A": "cut off", "B": "up", "C": "up", "D": "down", "E": "up"}


def test_intervals_of_down_time_and_partitions():
    faults = [FaultEvent(1.0, "crash", ("B",)), FaultEvent(2.0, "partition", ("A", "B"),
                                                           (("A",), ("B",))),
              FaultEvent(3.0, "recover", ("B",)), FaultEvent(4.0, "partition", ("A", "B"),
                                                             (("A", "B"),)),
              FaultEvent(5.0, "heal", ("A", "B"))]
    assert down_intervals(faults, until=9.0) == {"B": [(1.0, 3.0)]}
    assert partition_intervals(faults, until=9.0) == [
        (2.0, 4.0, (("A",), ("B",))), (4.0, 5.0, (("A", "B"),))]
    assert partition_intervals(faults, until=2.5) == [(2.0, 2.5, (("A",), ("B",)))]


def test_participants_are_the_coordinator_and_its_peers():
    cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=7)
    result = cluster.put("k", "v")
    cluster.run_until_idle()
    p = participants(message_lives(cluster.trace), result.op_id, result.coordinator)
    assert p.coordinator == result.coordinator == p.nodes[0]
    assert set(p.nodes) == set(cluster.ring.home_replicas("k"))
    assert all(result.coordinator in link for link in p.links)


def test_timeline_steps_and_snapshots(scenario):
    timeline = MessageTimeline.from_cluster(scenario)
    assert timeline.times[0] == 0.0 and timeline.times == sorted(set(timeline.times))
    assert timeline.end == max(e.time for e in scenario.trace)
    assert len(timeline.at(timeline.end).messages) == len(timeline.lives)
    spans = operation_spans(scenario.history)
    completed = {op.op_id: op.type for op in scenario.history if op.type != "invoke"}
    assert [s.type for s in spans] == [completed[s.op_id] for s in spans]
    assert "info" in completed.values()     # alice's write timed out across the cut
    middle = timeline.at(spans[1].start)
    assert middle.last_operation.op_id == spans[1].op_id
    assert middle.down == {"C"}
    # Every message counted once, whatever became of it, at every step.
    for t in timeline.times[::7]:
        snap = timeline.at(t)
        assert all(m.life.sent_at <= t for m in snap.messages)
        assert all((m.outcome == "in_flight") == (m.life.ended_at is None or m.life.ended_at > t)
                   for m in snap.messages)
    assert timeline.step_of(timeline.end + 5) == len(timeline) - 1


# -- colours ------------------------------------------------------------------------

def test_node_colours_follow_name_order_and_cycle():
    names = [f"n{i}" for i in range(13)]
    colours = node_colors(names)
    assert [colours[n] for n in names] == [PALETTE[i % len(PALETTE)] for i in range(13)]
    assert len(set(PALETTE)) == len(PALETTE)
    assert CUT not in PALETTE and DOWN not in PALETTE


# -- quorum diagram -----------------------------------------------------------------

@pytest.mark.parametrize("n", range(1, 7))
def test_quorum_diagram_overlap_is_the_worst_case(n):
    for r in range(1, n + 1):
        for w in range(1, n + 1):
            fig = Figure()
            d = draw_quorum(n, r, w, ax=fig.add_subplot())
            assert len(d.boxes) == n
            assert len(d.write_patches) == w and len(d.read_patches) == r
            assert len(d.overlap) == quorum_facts(n, r, w).min_overlap


def test_quorum_diagram_colours_and_words(ax):
    d = draw_quorum(3, 1, 1, ax=ax)
    assert {to_hex(p.get_facecolor()) for p in d.write_patches} == {WRITE.lower()}
    assert {to_hex(p.get_facecolor()) for p in d.read_patches} == {READ.lower()}
    assert d.overlap == ()
    assert "a read can miss the write" in d.title.get_text()
    texts = [t.get_text() for t in ax.texts]
    assert "write waits for W = 1 acknowledgement" in texts
    assert "read waits for R = 1 reply" in texts


def test_quorum_diagram_says_what_w_and_r_count_in_plain_words(ax):
    d = draw_quorum(5, r=3, w=2, ax=ax)
    assert d.write_label.get_text() == "write waits for W = 2 acknowledgements"
    assert d.read_label.get_text() == "read waits for R = 3 replies"
    # Bracket labels at the ends of the row stay on its side of the diagram.
    assert d.write_label.get_ha() == "left" and d.read_label.get_ha() == "right"
    assert d.write_label.get_position()[0] == 0.0
    whole = draw_quorum(2, 2, 2, ax=Figure().add_subplot())
    assert whole.write_label.get_ha() == "center"
    scattered = draw_quorum(3, 2, 2, write_set=[0, 2], ax=Figure().add_subplot())
    assert scattered.write_label is None and scattered.read_label is not None
    with pytest.raises(ValueError, match="operation must be 'write' or 'read', got 'scan'"):
        waits_for("scan", 1)


def test_quorum_diagram_outlines_the_overlap(ax):
    d = draw_quorum(4, 3, 3, write_set=[0, 1, 2], read_set=[1, 2, 3], names=list("ABCD"), ax=ax)
    assert d.overlap == (1, 2)
    assert [b.get_linewidth() for b in d.boxes] == [1.2, 3, 3, 1.2]
    assert [t.get_fontweight() for t in d.labels] == ["normal", "bold", "bold", "normal"]


def test_quorum_diagram_refuses_nonsense(ax):
    with pytest.raises(ValueError, match="r=4 is not allowed"):
        draw_quorum(3, 4, 1, ax=ax)
    with pytest.raises(ValueError, match="write_set has 1 replicas but the quorum size is 2"):
        draw_quorum(3, 2, 2, write_set=[0], ax=ax)


# -- ring -----------------------------------------------------------------------------

def test_ring_tokens_coloured_by_node(ax):
    ring = Ring(list("ABCDE"), n=3, vnodes=8)
    d = draw_ring(ring, ax=ax)
    colours = node_colors(ring.nodes)
    assert hexes(d.tokens.get_facecolors()) == [colours[node].lower() for _, node in ring.tokens]
    assert len(d.ranges.get_segments()) == len(ring.ranges())
    assert hexes(d.ranges.get_colors()) == [colours[r.replicas[0]].lower()
                                            for r in ring.ranges()]
    assert [t.get_text().split()[0] for t in d.legend.get_texts()] == ring.nodes
    assert d.key_marker is None and d.moved is None


def test_ring_key_numbers_its_home_replicas(ax):
    ring = Ring(list("ABCDE"), n=3, vnodes=8)
    d = draw_ring(ring, key="cart:alice", ax=ax)
    home = ring.home_replicas("cart:alice")
    assert [t.get_text() for t in d.preference] == ["1", "2", "3"]
    colours = node_colors(ring.nodes)
    assert [to_hex(t.get_bbox_patch().get_facecolor()) for t in d.preference] == [
        colours[n].lower() for n in home]
    assert "preference list:\n" + " ".join(home) in d.caption.get_text()
    assert d.key_marker.get_marker() == "*"


def test_ring_shades_moved_ranges_after_a_join_and_a_leave(ax):
    ring = Ring(list("ABCD"), n=2, vnodes=8)
    change = ring.add_node("E")
    d = draw_ring(ring, change=change, ax=ax)
    assert len(d.moved.get_segments()) == len(change.moved)
    assert set(hexes(d.moved.get_colors())) == {node_colors(ring.nodes)["E"].lower()}
    assert f"{change.fraction_moved:.1%}" in d.caption.get_text()

    fig = Figure()
    change = ring.remove_node("B")
    d = draw_ring(ring, change=change, ax=fig.add_subplot(), colors=node_colors(list("ABCDE")))
    assert "B left" in d.caption.get_text()
    assert d.colors["C"] == node_colors(list("ABCDE"))["C"]   # colours did not shift
    assert "B  (left)" in [t.get_text() for t in d.legend.get_texts()]


@pytest.mark.parametrize("strategy", [2, 3])
def test_ring_draws_partitioned_strategies(ax, strategy):
    ring = Ring(list("ABCD"), n=3, vnodes=4, strategy=strategy)
    d = draw_ring(ring, key="x", ax=ax)
    assert len(d.tokens.get_offsets()) == len(ring.tokens)
    assert len(d.preference) == 3


# -- cluster graph --------------------------------------------------------------------

def test_cluster_graph_marks_down_nodes_and_cut_links(ax):
    cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=7)
    cluster.crash("C")
    cluster.partition(["A", "B"])
    d = draw_cluster(cluster, operation=None, ax=ax)
    assert d.status == {"A": "cut off", "B": "cut off", "C": "down", "D": "up", "E": "up"}
    colours = node_colors(cluster.nodes)
    fills = dict(zip(cluster.nodes, hexes(d.nodes.get_facecolors())))
    assert fills["C"] == DOWN.lower() and fills["D"] == colours["D"].lower()
    # A and B each reach D and E across the cut; links to C count as down.
    assert len(d.links["cut"].get_segments()) == 4
    assert len(d.links["down"].get_segments()) == 4
    assert to_hex(d.links["cut"].get_edgecolor()[0]) == CUT.lower()
    assert sorted(d.graph.edges(data="state"))[0] == ("A", "B", "ok")


def test_cluster_graph_highlights_the_last_operation(ax):
    cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=7)
    result = cluster.put("k", "v")
    cluster.run_until_idle()
    d = draw_cluster(cluster, key="k", ax=ax)
    took_part = set(d.participation.nodes)
    assert took_part == set(cluster.ring.home_replicas("k"))
    rims = dict(zip(cluster.nodes, hexes(d.nodes.get_edgecolors())))
    assert {n for n, c in rims.items() if c == "#000000"} == took_part
    assert len(d.links["used"].get_segments()) == 2
    assert "coordinator" in [t.get_text() for t in ax.texts]
    assert d.participation.coordinator == result.coordinator


def test_cluster_graph_at_a_replayed_moment_shows_messages_in_flight(scenario, ax):
    timeline = MessageTimeline.from_cluster(scenario)
    moment = next(t for t in timeline.times if len(timeline.at(t).in_flight) >= 2)
    snapshot = timeline.at(moment)
    d = draw_cluster(snapshot=snapshot, ax=ax)
    assert len(d.messages) == len(snapshot.in_flight)
    assert d.status == snapshot.status
    assert ax.get_title() == f"t = {moment:.3f} ms"
    with pytest.raises(ValueError, match="needs a cluster or a snapshot"):
        draw_cluster()


# -- message diagram -----------------------------------------------------------------

def test_message_diagram_draws_every_message_once(scenario, ax):
    d = draw_messages(scenario, ax=ax)
    counts = scenario.trace.counts()
    assert len(d.arrows) == len(d.messages) == len(message_lives(scenario.trace))
    for outcome in ("deliver", "cut", "lost"):
        assert d.counts[outcome] == counts[outcome]
    assert len(d.markers["cut"].get_offsets()) == counts["cut"]
    assert to_hex(d.markers["cut"].get_facecolors()[0]) == CUT.lower()
    assert len(d.operations) == len(operation_spans(scenario.history))
    assert set(d.lanes) == {"client", "client alice", *scenario.nodes}


def test_message_arrows_take_the_sender_colour_and_replies_are_dashed(scenario, ax):
    d = draw_messages(scenario, ax=ax)
    colours = node_colors(scenario.nodes)
    for m, artist, outcome in zip(d.messages, d.arrows, d.outcomes):
        if outcome != "deliver":
            continue
        patch = artist.arrow_patch
        assert to_hex(patch.get_edgecolor()) == colours[m.src].lower()
        assert (patch.get_linestyle() == "--") == m.is_reply


def test_message_diagram_prints_vector_clocks(scenario, ax):
    d = draw_messages(scenario, ax=ax)
    delivered_versions = [m.version for m, o in zip(d.messages, d.outcomes)
                          if o == "deliver" and m.version]
    assert [t.get_text() for t in d.versions] == delivered_versions[:40]
    assert any(v.startswith("{") for v in delivered_versions)
    fig = Figure()
    assert draw_messages(scenario, show_versions=False, ax=fig.add_subplot()).versions == []


def test_message_diagram_until_a_moment(scenario, ax):
    timeline = MessageTimeline.from_cluster(scenario)
    moment = next(t for t in timeline.times if len(timeline.at(t).in_flight) >= 2)
    d = draw_messages(timeline, until=moment, ax=ax)
    snap = timeline.at(moment)
    assert d.counts["in_flight"] == len(snap.in_flight)
    assert len(d.markers["in_flight"].get_offsets()) == len(snap.in_flight)
    assert len(d.messages) == len(snap.messages)
    assert ax.get_xlim()[1] < timeline.end


def test_message_diagram_marks_drops_at_a_crashed_receiver(ax):
    cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=7)
    home = cluster.ring.home_replicas("k")
    cluster.client("bob").start_put("k", "v", coordinator=home[0])
    cluster.crash(home[1])          # the write to it is still on its way
    cluster.run_until_idle()
    d = draw_messages(cluster, ax=ax)
    assert d.counts["drop"] == cluster.trace.counts()["drop"] >= 1
    assert len(d.markers["drop"].get_offsets()) == d.counts["drop"]
    assert any(p.get_width() > 0 for p in ax.patches)  # the grey "down" band


def test_message_diagram_filters_and_caps(scenario, ax):
    cluster = scenario
    cluster.put("other", 1)
    d = draw_messages(cluster, key="other", ax=ax)
    assert {m.key for m in d.messages} == {"other"} and len(d.operations) == 1
    op = operation_spans(cluster.history)[0]
    fig = Figure()
    d = draw_messages(cluster, op_ids=[op.op_id], ax=fig.add_subplot())
    assert {m.op_id for m in d.messages} == {op.op_id}
    fig = Figure()
    d = draw_messages(cluster, max_messages=5, ax=fig.add_subplot())
    assert len(d.messages) == 5 and d.omitted == len(message_lives(cluster.trace)) - 5
    assert "left out" in d.ax.get_title()


def test_drawing_without_axes_makes_a_pyplot_figure(scenario):
    before = set(plt.get_fignums())
    try:
        for draw in (lambda: draw_quorum(3, 2, 2), lambda: draw_ring(scenario.ring, key="k"),
                     lambda: draw_cluster(scenario), lambda: draw_messages(scenario)):
            d = draw()
            assert d.ax.figure.number not in before
    finally:
        for number in set(plt.get_fignums()) - before:
            plt.close(number)


def test_colours_are_the_same_in_every_picture(scenario):
    colours = node_colors(scenario.nodes)
    fig = Figure()
    ring = draw_ring(scenario.ring, ax=fig.add_subplot())
    graph = draw_cluster(scenario, operation=None, ax=Figure().add_subplot())
    diagram = draw_messages(scenario, ax=Figure().add_subplot())
    assert ring.colors == colours
    up = [n for n in scenario.nodes if graph.status[n] == "up"]
    fills = dict(zip(scenario.nodes, hexes(graph.nodes.get_facecolors())))
    assert all(fills[n] == colours[n].lower() for n in up)
    ticks = {t.get_text(): to_hex(t.get_color()) for t in diagram.ax.get_yticklabels()}
    assert all(ticks[n] == colours[n].lower() for n in scenario.nodes)
    assert to_rgba(colours["A"]) != to_rgba(colours["B"])


def test_long_idle_time_is_squeezed_into_a_marked_break(scenario, ax):
    # Alice's write timed out after 100 ms while every message took about a millisecond.
    d = draw_messages(scenario, ax=ax)
    breaks = [p for p in ax.patches if p.get_hatch() == "///"]
    assert len(breaks) == 1
    labels = [t.get_text() for t in ax.texts if t.get_text().endswith(" ms")]
    assert len(labels) == 1 and labels[0].startswith("+")
    assert float(labels[0][1:-3]) > 90
    # Squeezing keeps the order of events.
    axis = TimeAxis(sorted(scenario.trace[i].time for i in range(len(scenario.trace))),
                    0.0, scenario.now)
    xs = [axis.x(t) for t in sorted({e.time for e in scenario.trace})]
    assert xs == sorted(xs) and xs[-1] - xs[0] < 10
    assert "idle time left out" in d.ax.get_xlabel()


def test_time_axis_keeps_short_runs_to_scale():
    axis = TimeAxis([0.0, 0.4, 1.0, 1.5, 2.5], 0.0, 2.5)
    assert axis.breaks == [] and [axis.x(t) for t in (0.0, 1.5, 2.5)] == [0.0, 1.5, 2.5]


def test_a_message_landing_after_the_window_is_drawn_to_its_edge():
    from dynamo_lab.latency import Constant

    cluster = dl.Cluster(nodes=3, n=3, r=1, w=1, seed=0, latency=Constant(1.0))
    cluster.set_link("A", "B", latency=Constant(30.0))
    cluster.put("k", "v", coordinator="A")
    cluster.run_until_idle()
    drawing = draw_messages(cluster, end=5)
    slow = [a for m, a in zip(drawing.messages, drawing.arrows) if m.dst == "B"]
    assert len(slow) == 1
    xs = slow[0].get_xdata()
    low, high = drawing.ax.get_xlim()
    assert low <= min(xs) and max(xs) <= high and max(xs) > min(xs)
    plt.close(drawing.ax.figure)


def test_idle_time_at_the_window_edge_is_cut_not_hatched():
    # Nothing happens after t = 2, yet the window asks for 50 ms: the picture
    # ends shortly after the last event instead of with a break to nowhere.
    axis = TimeAxis([0.0, 1.0, 2.0], 0.0, 50.0)
    assert axis.breaks == [] and axis.end < 2.2
    axis = TimeAxis([10.0, 11.0, 12.0], 0.0, 12.0)
    assert axis.breaks == [] and axis.start > 9.8


def test_a_message_across_a_break_is_drawn_at_its_true_progress():
    from dynamo_lab.latency import Constant

    cluster = dl.Cluster(nodes=3, n=3, r=1, w=1, seed=0, latency=Constant(1.0))
    cluster.set_link("A", "C", latency=Constant(200.0), both_ways=False)
    cluster.put("k", "v", coordinator="A")
    cluster.run_until_idle()
    drawing = draw_messages(cluster)
    (slow,) = [(m, a) for m, a in zip(drawing.messages, drawing.arrows)
               if m.src == "A" and m.dst == "C"]
    message, arrow = slow
    ((a, b),) = drawing.axis.breaks
    # The message bends where the break begins, at the height it had reached
    # by then; its arrow head covers the rest.
    x_break = drawing.axis.x(a)
    lines = [line for line in drawing.ax.lines if line.get_xdata()[-1] == x_break]
    assert len(lines) == 1, "the message's path up to the break is drawn"
    lanes = drawing.lanes
    progress = (lines[0].get_ydata()[-1] - lanes["A"]) / (lanes["C"] - lanes["A"])
    assert progress == pytest.approx((a - message.sent_at) / (message.ended_at - message.sent_at))
    assert arrow.xy[0] == drawing.axis.x(message.ended_at)
    plt.close(drawing.ax.figure)
