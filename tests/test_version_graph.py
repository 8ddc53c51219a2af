"""The version graph: the model on small runs, its picture, and its widget.

Pictures are drawn on Agg and checked by what was drawn (boxes, arrows,
highlights, labels), not by pixels; the widget is driven by setting .value
and clicking.
"""

import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import dynamo_lab as dl  # noqa: E402
from dynamo_lab.plots import draw_version_graph, node_colors  # noqa: E402
from dynamo_lab.plots.version_graph import (BOX_STYLES, MAX_ROWS,  # noqa: E402
                                            MAX_VALUE_CHARS, format_value,
                                            version_graph_figsize)
from dynamo_lab.experiments.concurrent_writes import lww_clock_skew, sibling_explosion  # noqa: E402
from dynamo_lab.views.version_graph import version_graph  # noqa: E402
from dynamo_lab.widgets import VersionGraph  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
SCHEMES = ["vector_clock", "dvv"]


def make_cluster(versioning="vector_clock"):
    return dl.Cluster(nodes=3, n=3, r=3, w=3, seed=1, versioning=versioning)


def event_of(graph, value):
    [node] = [n for n in graph.nodes if n.value == value]
    return node.event


@pytest.fixture
def ax():
    return Figure(figsize=(8, 4)).add_subplot()


@pytest.fixture
def joined():
    """v1; then a and b written concurrently on top of it; then c, from a context that saw both."""
    cluster = make_cluster()
    v1 = cluster.put("k", "v1", coordinator="A")
    cluster.put("k", "a", context=v1.context, coordinator="A")
    cluster.put("k", "b", context=v1.context, coordinator="B")
    cluster.put("k", "c", context=cluster.get("k").context, coordinator="C")
    return cluster


# -- model ------------------------------------------------------------------------------

@pytest.mark.parametrize("versioning", SCHEMES)
def test_sequential_writes_make_a_chain(versioning):
    cluster = make_cluster(versioning)
    context = None
    for value in ("v1", "v2", "v3"):
        context = cluster.put("k", value, context=context, coordinator="A").context
    g = version_graph(cluster, "k")
    e1, e2, e3 = (event_of(g, v) for v in ("v1", "v2", "v3"))
    assert g.edges == [(e2, e1), (e3, e2)]
    assert [n.event for n in g.heads()] == g.current == [e3]
    assert [n.event for n in g.roots()] == [e1]
    assert [n.depth for n in g.nodes] == [0, 1, 2] and g.depth == 3
    assert g.descends(e3, e1) and not g.descends(e1, e3)
    # Overwritten versions come from the trace: no replica holds them any more.
    assert [n.holders for n in g.nodes] == [(), (), ("A", "B", "C")]
    assert [n.clock for n in g.nodes] == ["{A:1}", "{A:2}", "{A:3}"]
    assert g.summary() == "3 versions, 1 current sibling"


@pytest.mark.parametrize("versioning", SCHEMES)
@pytest.mark.parametrize("second_coordinator", ["A", "B"])
def test_two_concurrent_writes_are_two_heads(versioning, second_coordinator):
    cluster = make_cluster(versioning)
    cluster.put("k", "a", coordinator="A")
    cluster.put("k", "b", coordinator=second_coordinator)    # no context: concurrent
    g = version_graph(cluster, "k")
    assert g.edges == []
    assert {n.value for n in g.heads()} == {"a", "b"} == {n.value for n in g.current_nodes}
    assert all(n.is_current and n.depth == 0 for n in g.nodes)
    if second_coordinator == "A":
        # The second record's clock covers the first write, yet it was kept beside it:
        # the graph follows the siblings, not the clock alone.
        b = g.node(event_of(g, "b"))
        assert b.clock == "{A:2}" and b.event == ("A", 2)


def test_a_write_whose_context_covers_both_joins_them(joined):
    g = version_graph(joined, "k")
    v1, a, b, c = (event_of(g, v) for v in ("v1", "a", "b", "c"))
    assert sorted(g.edges) == sorted([(a, v1), (b, v1), (c, a), (c, b)])
    assert sorted(g.parents(c)) == sorted([a, b]) and sorted(g.children(v1)) == sorted([a, b])
    assert [n.event for n in g.heads()] == g.current == [c]
    assert g.node(c).depth == 2 and g.descends(c, v1)
    assert not g.descends(a, b) and not g.descends(b, a)


def test_current_siblings_reconcile_every_home_replica_and_holders_say_who_has_what():
    cluster = dl.Cluster(nodes=3, n=3, r=2, w=2, seed=1, failure_detector="oracle")
    first = cluster.put("k", "old", coordinator="A")
    cluster.run_until_idle()
    cluster.crash("C")
    cluster.put("k", "new", context=first.context, coordinator="A", w=2)
    g = version_graph(cluster, "k")
    old, new = event_of(g, "old"), event_of(g, "new")
    assert g.node(new).holders == ("A", "B") and g.node(old).holders == ("C",)
    # C still holds the old value, but reconciling all home replicas drops it.
    assert g.current == [new] and g.edges == [(new, old)]


def test_last_write_wins_keeps_no_clock_and_lists_the_lost_write():
    result = lww_clock_skew()
    g = version_graph(result.cluster, "account")
    assert g.versioning == "lww" and g.edges == []
    assert [n.value for n in g.current_nodes] == result.final_values == ["early (skewed clock)"]
    [lost] = g.lost
    assert (lost.f, lost.value, lost.coordinator) == ("put", "later (correct clock)", "B")
    assert all(n.clock == "{}" for n in g.nodes)


def test_sibling_explosion_graphs_differ_between_the_schemes():
    dvv = version_graph(sibling_explosion("dvv", rounds=3).cluster, "cart")
    vc = version_graph(sibling_explosion("vector_clock", rounds=3).cluster, "cart")
    assert len(dvv) == len(vc) == 6
    # Vector clocks keep every write beside the others: six heads, no edges.
    assert vc.edges == [] and len(vc.current) == 6
    # Dotted version vectors see what each context covered: two heads joining the rest.
    assert len(dvv.current) == 2 and [n.event for n in dvv.heads()] == dvv.current
    assert all(newer[1] > older[1] for newer, older in dvv.edges)
    assert all(dvv.descends(h, ("A", 1)) or dvv.descends(h, ("A", 2)) for h in dvv.current)
    assert vc.lost == [] and dvv.lost == []


def test_a_key_never_written_has_an_empty_graph():
    g = version_graph(make_cluster(), "nothing")
    assert len(g) == 0 and g.edges == [] and g.current == [] and g.depth == 0
    with pytest.raises(KeyError, match="no version"):
        g.node(("A", 1))


# -- picture ------------------------------------------------------------------------------

def test_draw_boxes_arrows_and_highlights(joined, ax):
    g = version_graph(joined, "k")
    d = draw_version_graph(g, ax=ax)
    assert set(d.boxes) == {n.event for n in g.nodes}
    assert d.edges == g.edges and len(d.arrows) == len(g.edges)
    assert d.highlighted == g.current
    fills = {e: to_hex(box.get_facecolor()) for e, box in d.boxes.items()}
    assert {fills[e] for e in d.highlighted} == {BOX_STYLES["current"][0].lower()}
    assert all(fills[e] == BOX_STYLES["older"][0].lower() for e in fills if e not in g.current)
    # Left to right by causal depth; each arrow starts at the older box and ends at the newer.
    for newer, older in d.edges:
        assert d.positions[older][0] < d.positions[newer][0]
    for (newer, older), arrow in zip(d.edges, d.arrows):
        (x0, _), (x1, _) = arrow._posA_posB
        assert abs(x0 - d.positions[older][0]) < abs(x0 - d.positions[newer][0])
        assert x0 < x1
    c = event_of(g, "c")
    assert d.value_labels[c].get_text() == "c"
    assert d.clock_labels[c].get_text() == f"C:1  {g.node(c).clock}"
    assert d.title.get_text() == "versions of 'k' (vector_clock): 4 versions, 1 current sibling"
    assert [t.get_text() for t in d.legend.get_texts()] == [
        "current sibling", "older version", "older \u2192 newer (descends)"]


def test_holders_are_marked_in_their_node_colours(joined, ax):
    g = version_graph(joined, "k")
    d = draw_version_graph(g, ax=ax)
    colours = node_colors(joined.nodes)
    for node in g.nodes:
        marks = d.holder_marks[node.event]
        assert [m.get_text() for m in marks] == list(node.holders)
        assert [to_hex(m.get_bbox_patch().get_facecolor()) for m in marks] == [
            colours[h].lower() for h in node.holders]


def test_deletes_are_dashed_and_lost_writes_listed(ax):
    cluster = make_cluster()
    written = cluster.put("k", "v", coordinator="A")
    cluster.delete("k", context=written.context, coordinator="A")
    d = draw_version_graph(version_graph(cluster, "k"), ax=ax)
    dashed = [e for e, box in d.boxes.items() if box.get_linestyle() in ("--", "dashed")]
    assert len(dashed) == 1 and d.value_labels[dashed[0]].get_text() == "(deleted)"
    assert d.lost_note is None
    lww = draw_version_graph(version_graph(lww_clock_skew().cluster, "account"),
                             ax=Figure().add_subplot())
    assert lww.lost_note.get_text() == ("lost, no version kept: \u201clater (correct clock)"
                                        "\u201d via B")
    assert lww.clock_labels[("A", 1)].get_text() == "A:1  t = 50.0 ms"


def test_a_wide_column_wraps_and_an_empty_graph_says_so(ax):
    g = version_graph(sibling_explosion("vector_clock", rounds=4).cluster, "cart")
    d = draw_version_graph(g, ax=ax)
    xs = sorted({x for x, _ in d.positions.values()})
    assert len(g) == 8 > MAX_ROWS and len(xs) == 2 and d.edges == []
    assert len(d.highlighted) == 8
    empty = draw_version_graph(version_graph(make_cluster(), "k"), ax=Figure().add_subplot())
    assert empty.boxes == {} and empty.legend is None
    assert "no versions of 'k' yet" in [t.get_text() for t in empty.ax.texts]


def test_format_value_and_figure_size():
    assert format_value(frozenset({"x10", "x2", "y0"})) == "{x2, x10, y0}"
    assert format_value([1, 2]) == "[1, 2]" and format_value("v") == "v"
    assert format_value("z" * 50) == "z" * 50
    assert format_value("z" * 50, width=20).split("\n") == ["z" * 20, "z" * 20, "z" * 10]
    with pytest.raises(ValueError, match="width must be a whole number >= 1, got 0"):
        format_value("too long for no width at all", width=0)
    g = version_graph(sibling_explosion("dvv", rounds=3).cluster, "cart")
    width, height = version_graph_figsize(g)
    assert width >= 6.0 and height >= 3.0
    before = set(plt.get_fignums())
    try:
        d = draw_version_graph(g)
        assert tuple(d.ax.figure.get_size_inches()) == (width, height)
    finally:
        for number in set(plt.get_fignums()) - before:
            plt.close(number)


LONG = ["book", "pen", "ink", "notebook", "stapler", "paper clips", "envelopes"]


def test_long_values_are_drawn_whole_in_taller_boxes(ax):
    cluster = make_cluster()
    cluster.put("k", LONG, coordinator="A")
    cluster.put("k", "short", coordinator="B")          # no context: a sibling beside it
    g = version_graph(cluster, "k")
    d = draw_version_graph(g, ax=ax)
    long_event, short_event = event_of(g, LONG), event_of(g, "short")
    text = d.value_labels[long_event].get_text()
    # Every character of the value is there: wrapped at spaces, nothing cut.
    assert "\u2026" not in text and text.count("\n") >= 2
    assert text.replace("\n", " ") == format_value(LONG) == str(LONG)
    assert all(len(line) <= MAX_VALUE_CHARS for line in text.split("\n"))
    assert d.value_labels[short_event].get_text() == "short"
    # The long value's box grows to hold its lines, and the rows and figure make room.
    tall, short = d.boxes[long_event], d.boxes[short_event]
    assert tall.get_height() > short.get_height()
    assert tall.get_y() > short.get_y() + short.get_height()        # no overlap
    plain = make_cluster()
    plain.put("k", "long", coordinator="A")
    plain.put("k", "short", coordinator="B")
    assert version_graph_figsize(g)[1] > version_graph_figsize(version_graph(plain, "k"))[1]


def test_the_lost_write_note_shows_the_value_whole(ax):
    cluster = make_cluster("lww")
    cluster.skew_clock("A", ms=50)
    cluster.put("k", "early", coordinator="A")
    cluster.put("k", "a later value that is far too long for a short note", coordinator="B")
    g = version_graph(cluster, "k")
    [lost] = g.lost
    d = draw_version_graph(g, ax=ax)
    assert " ".join(d.lost_note.get_text().split("\n")) == (
        f"lost, no version kept: \u201c{lost.value}\u201d via B")


# -- widget ---------------------------------------------------------------------------------

def test_widget_shows_the_key_and_the_summary(joined):
    graph = VersionGraph(joined, "k")
    assert graph.label.value == "4 versions, 1 current sibling"
    assert graph.drawing.highlighted == graph.model.graph.current
    assert graph.picture.image.value[:8] == PNG and graph.message.value == ""


def test_widget_refresh_reads_the_cluster_again(joined):
    graph = VersionGraph(joined, "k")
    draws = graph.picture.draws
    joined.put("k", "d", coordinator="B")                 # no context: a sibling of c
    assert graph.label.value == "4 versions, 1 current sibling"
    graph.refresh_button.click()
    assert graph.label.value == "5 versions, 2 current siblings"
    assert graph.picture.draws == draws + 1 and len(graph.drawing.boxes) == 5


def test_widget_key_box_switches_key_and_explains_a_blank_one(joined):
    joined.put("other", 1, coordinator="A")
    graph = VersionGraph(joined, "k")
    graph.key_box.value = "other"
    assert graph.model.key == "other" and graph.label.value == "1 version, 1 current sibling"
    graph.key_box.value = "   "
    assert graph.model.graph is None and "type a key" in graph.message.value
    assert graph.label.value == "" and graph.picture.image.layout.display == "none"
    graph.key_box.value = "k"
    assert graph.message.value == "" and graph.picture.image.layout.display is None


def test_widget_shows_a_long_value_whole():
    cluster = make_cluster()
    cluster.put("cart", LONG, coordinator="A")
    graph = VersionGraph(cluster, "cart")
    [label] = graph.drawing.value_labels.values()
    assert label.get_text().replace("\n", " ") == str(LONG)
    assert graph.picture.figure.get_size_inches()[1] == version_graph_figsize(graph.model.graph)[1]


def test_widget_opens_on_a_key_with_siblings():
    cluster = make_cluster()
    cluster.put("calm", 1, coordinator="A")
    cluster.put("busy", "a", coordinator="A")
    cluster.put("busy", "b", coordinator="B")
    assert VersionGraph(cluster).model.key == "busy"


def test_widget_displays_and_leaves_no_pyplot_figure(joined):
    # Relative to the figures already open, whatever ran before this test.
    pyplot = sys.modules.get("matplotlib.pyplot")
    before = set(pyplot.get_fignums()) if pyplot is not None else set()
    assert WIDGET_VIEW in VersionGraph(joined, "k")._repr_mimebundle_()
    pyplot = sys.modules.get("matplotlib.pyplot")
    assert pyplot is None or set(pyplot.get_fignums()) <= before
