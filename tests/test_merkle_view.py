"""Merkle comparison (model), its picture and explorer, and hints in the cluster picture.

Pictures are drawn on Agg and checked by what was drawn (boxes, colours,
labels), not by pixels; widgets are driven by setting .value and clicking.
"""

import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from traitlets import TraitError  # noqa: E402

import dynamo_lab as dl  # noqa: E402
from dynamo_lab.views.merkle_comparison import keys_in_range, merkle_comparison, summarize_keys  # noqa: E402
from dynamo_lab.plots import draw_cluster, draw_merkle, node_colors  # noqa: E402
from dynamo_lab.plots.cluster import held_hints  # noqa: E402
from dynamo_lab.plots.merkle import (BOX_STYLES, DIFFER_TEXT, REPAIRED_LABEL,  # noqa: E402
                                     REPAIRED_TEXT, TO_REPAIRED, wrap_key)
from dynamo_lab.views.message_timeline import MessageTimeline  # noqa: E402
from dynamo_lab.ranges import key_position  # noqa: E402
from dynamo_lab.widgets import ClusterExplorer, MerkleExplorer  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
KEY = "cart:alice"


def range_keys(cluster, key=KEY, count=8, prefix="item"):
    """The first ``count`` keys item0, item1, ... (or ``prefix`` + number) in ``key``'s range."""
    key_range = cluster.ring.key_range(key)
    names = (f"{prefix}{i:04}" if prefix != "item" else f"item{i}" for i in range(4000))
    found = [k for k in names if key_range.contains(key_position(k))]
    return found[:count]


def outsider(cluster, key=KEY):
    """A node that is not a home replica of ``key``."""
    home = cluster.ring.home_replicas(key)
    return next(n for n in cluster.nodes if n not in home)


@pytest.fixture
def behind():
    """Eight keys in one range; the second home replica missed new versions of three.

    It was down while they were written, so a fallback holds hints for it.
    Returns (cluster, keys, the three keys it missed).
    """
    cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=7, failure_detector="oracle")
    keys = range_keys(cluster)
    for k in keys:
        cluster.put(k, "v1")
    cluster.run_until_idle()
    home = cluster.ring.home_replicas(KEY)
    cluster.crash(home[1])
    for k in keys[:3]:
        cluster.put(k, "v2", context=cluster.get(k).context)
    cluster.run_until_idle()
    cluster.recover(home[1])
    return cluster, keys, keys[:3]


@pytest.fixture
def emptied():
    """Thirty keys with long names in one range; the second home replica lost its disk.

    It holds none of them, so all thirty differ. Returns (cluster, keys).
    """
    cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=7, failure_detector="oracle")
    keys = range_keys(cluster, count=30, prefix="invoice:")
    for k in keys:
        cluster.put(k, "v1")
    cluster.run_until_idle()
    home = cluster.ring.home_replicas(KEY)
    cluster.crash(home[1], lose_data=True)
    cluster.recover(home[1])
    return cluster, keys


@pytest.fixture
def ax():
    return Figure(figsize=(9.6, 6.2)).add_subplot()


# -- model ------------------------------------------------------------------------------

def test_comparison_finds_exactly_the_keys_a_replica_missed(behind):
    cluster, keys, missed = behind
    home = cluster.ring.home_replicas(KEY)
    c = merkle_comparison(cluster, KEY, fanout=2, depth=3)
    assert (c.node_a, c.node_b) == (home[0], home[1])
    assert sorted(c.diff.keys) == sorted(missed)
    assert c.keys_a == c.keys_b == sorted(keys) and c.full_scan == len(keys)
    # The comparison descends only below differing hashes, and counts every pair it looked at.
    assert c.hashes_compared == len(c.diff.path) == sum(c.compared_at(lv) for lv in range(4))
    assert c.differing_nodes[0] == (0, 0)
    assert set(c.differing_nodes) <= set(c.diff.path)
    assert [i for lv, i in c.differing_nodes if lv == 3] == c.diff.differing_leaves
    for level, index in c.diff.path[1:]:
        assert c.differs(level - 1, index // 2)        # its parent differed


def test_identical_replicas_cost_one_hash_against_a_full_scan(behind):
    cluster, keys, _ = behind
    cluster.anti_entropy()
    c = merkle_comparison(cluster, KEY)
    assert c.diff.keys == [] and c.differing_nodes == []
    assert c.hashes_compared == 1 and c.full_scan == len(keys)


def test_a_range_or_a_key_and_only_keys_of_the_range(behind):
    cluster, keys, _ = behind
    cluster.put("elsewhere", 1)     # another range: in no tree of this one
    cluster.run_until_idle()
    key_range = cluster.ring.key_range(KEY)
    assert not key_range.contains(key_position("elsewhere"))
    by_key = merkle_comparison(cluster, KEY)
    by_range = merkle_comparison(cluster, key_range)
    assert by_key.tree_a.root == by_range.tree_a.root and by_key.diff == by_range.diff
    node = cluster.node(by_key.node_a)
    assert keys_in_range(node.store, key_range) == by_key.keys_a == sorted(keys)


def test_the_trees_are_the_ones_anti_entropy_builds(behind):
    cluster, _, missed = behind
    c = merkle_comparison(cluster, KEY)
    report = cluster.anti_entropy()
    # What the comparison found missing is what the round repaired on that node.
    assert sorted(k for node, k in report.repaired if node == c.node_b) == sorted(missed)


def test_comparison_refuses_nonsense(behind):
    cluster, _, _ = behind
    home = cluster.ring.home_replicas(KEY)
    with pytest.raises(ValueError, match="compare two different nodes"):
        merkle_comparison(cluster, KEY, home[0], home[0])
    with pytest.raises(KeyError, match="unknown node 'Z'"):
        merkle_comparison(cluster, KEY, "Z", home[0])
    with pytest.raises(ValueError, match="give a key"):
        merkle_comparison(cluster, "")
    with pytest.raises(ValueError, match="fanout must be"):
        merkle_comparison(cluster, KEY, fanout=1)
    # One node given: the other is the first home replica not already named.
    assert merkle_comparison(cluster, KEY, node_b=home[0]).node_a == home[1]


def test_comparison_refuses_a_node_that_is_not_a_replica(behind):
    cluster, _, _ = behind
    home, other = cluster.ring.home_replicas(KEY), outsider(cluster)
    with pytest.raises(ValueError) as error:
        merkle_comparison(cluster, KEY, home[0], other)
    assert str(error.value) == (f"node_b={other!r} is not a replica of the range of {KEY!r}: "
                                f"choose two of its replicas {', '.join(home)}")
    with pytest.raises(ValueError, match=f"node_a={other!r} is not a replica of this range"):
        merkle_comparison(cluster, cluster.ring.key_range(KEY), other)


def test_comparison_knows_which_keys_a_repair_changed(behind):
    cluster, _, missed = behind
    home = cluster.ring.home_replicas(KEY)
    report = cluster.anti_entropy()
    assert not cluster.ring.key_range(KEY).contains(key_position("elsewhere"))
    noise = [(home[1], "elsewhere"), (outsider(cluster), missed[0])]   # another range, node
    c = merkle_comparison(cluster, KEY, fanout=2, depth=3, repaired=report.repaired + noise)
    assert c.repaired_b == c.repaired_keys(home[1]) == sorted(missed) and c.repaired_a == []
    assert c.repaired_leaves(home[1]) == sorted({c.tree_b.leaf_of(k) for k in missed})
    assert c.repaired_leaves(home[0]) == []
    with pytest.raises(ValueError, match="node must be"):
        c.repaired_keys(outsider(cluster))
    assert merkle_comparison(cluster, KEY).repaired_b == []      # nothing passed, nothing marked


def test_summarize_keys_names_a_few_and_counts_them_all():
    keys = [f"invoice:{i:04}" for i in range(97)]
    text = summarize_keys(keys)
    assert text == "97 keys, first 10: " + ", ".join(keys[:10])
    assert summarize_keys(keys[:2], noun="differing key") == ("2 differing keys: invoice:0000, "
                                                              "invoice:0001")
    assert summarize_keys(keys[:1]) == "1 key: invoice:0000"
    assert summarize_keys([], noun="differing key") == "no differing keys"
    narrow = summarize_keys(keys, width=50)
    assert narrow == "97 keys, first 2: invoice:0000, invoice:0001"
    assert summarize_keys(keys, width=5) == "97 keys, first 1: invoice:0000"   # at least one
    with pytest.raises(ValueError, match="limit must be a whole number >= 1, got 0"):
        summarize_keys(keys, limit=0)


# -- picture ------------------------------------------------------------------------------

def test_wrap_key_keeps_every_character():
    assert wrap_key("invoice:1050", 10) == ["invoice:", "1050"]
    assert wrap_key("item143", 6) == ["item", "143"]
    assert wrap_key("cart", 10) == ["cart"]
    assert wrap_key("a/very/long/path/of/a/key", 8) == ["a/very/", "long/", "path/of/", "a/key"]
    assert wrap_key("nodelimiters", 5) == ["nodel", "imite", "rs"]
    for key, width in [("invoice:1050", 4), ("x:" * 20, 7), ("k", 1)]:
        assert "".join(wrap_key(key, width)) == key
        assert all(len(line) <= width for line in wrap_key(key, width))


def test_leaf_labels_show_every_key_whole_and_do_not_overlap(ax):
    cluster = dl.Cluster(nodes=5, n=3, r=2, w=2, seed=7)
    keys = range_keys(cluster, count=8, prefix="invoice:")
    for k in keys:
        cluster.put(k, "v1")
    cluster.run_until_idle()
    c = merkle_comparison(cluster, KEY, fanout=2, depth=3)
    assert max(len(leaf) for leaf in c.tree_a.leaves) <= 3      # so every leaf lists its keys
    d = draw_merkle(c, ax=ax)
    listed = [t for texts in d.leaf_keys.values() for t in texts]
    assert all("\u2026" not in t.get_text() for t in ax.texts)
    # Each key is there whole; too wide for a leaf, it is wrapped, not cut.
    assert sorted(t.get_text().replace("\n", "") for t in listed) == sorted(keys + keys)
    assert any("\n" in t.get_text() for t in listed)
    # No label is wider than a leaf's slot, so neighbours never overlap.
    renderer = FigureCanvasAgg(ax.figure).get_renderer()
    slot = ax.transData.transform((1, 0))[0] - ax.transData.transform((0, 0))[0]
    assert all(t.get_window_extent(renderer).width < slot for t in listed)



def test_draw_merkle_highlights_differing_hashes_in_both_trees(behind, ax):
    cluster, keys, missed = behind
    c = merkle_comparison(cluster, KEY, fanout=2, depth=3)
    d = draw_merkle(c, ax=ax)
    assert d.shown == "all" and len(d.boxes) == 2 * 15
    assert sorted(d.highlighted) == sorted((side, lv, i) for side in "ab"
                                           for lv, i in c.differing_nodes)
    fills = {k: to_hex(box.get_facecolor()) for k, box in d.boxes.items()}
    assert {fills[k] for k in d.highlighted} == {BOX_STYLES["differs"][0].lower()}
    assert all(fills[k] != BOX_STYLES["differs"][0].lower() for k in fills
               if k not in d.highlighted)
    # Nodes under a matching parent were never compared: grey and dashed.
    not_compared = [k for k, kind in d.kinds.items() if kind == "not compared"]
    assert len(not_compared) == 2 * (15 - c.hashes_compared)
    assert all(d.boxes[k].get_linestyle() in ("--", "dashed") for k in not_compared)
    assert d.hash_labels[("a", 0, 0)].get_text() == c.tree_a.root.hex()[:4]
    assert d.hash_labels[("a", 0, 0)].get_text() != d.hash_labels[("b", 0, 0)].get_text()


def test_draw_merkle_marks_the_path_and_the_cost(behind, ax):
    cluster, keys, missed = behind
    c = merkle_comparison(cluster, KEY, fanout=2, depth=3)
    d = draw_merkle(c, ax=ax)
    inner = [node for node in c.differing_nodes if node[0] < 3]
    assert len(d.descended) == 2 * len(inner)
    assert {child for _, child in d.descended} == set(c.diff.path[1:])
    assert len(d.path_lines) == 2 * len(d.descended)
    first, second = d.title.get_text().splitlines()
    assert first == (f"{c.node_a} vs {c.node_b}: {c.hashes_compared} hashes compared vs "
                     f"{len(keys)} keys in a full scan")
    assert second.startswith("3 differing keys:") and all(k in second for k in missed)
    labels = [t.get_text() for t in d.legend.get_texts()]
    assert labels == ["hashes differ", "hashes equal", "not compared", "comparison descends"]


def test_draw_merkle_lists_leaf_keys_with_the_differing_ones_in_red(behind, ax):
    cluster, keys, missed = behind
    c = merkle_comparison(cluster, KEY, fanout=2, depth=3)
    d = draw_merkle(c, ax=ax)
    listed = {t.get_text(): t for texts in d.leaf_keys.values() for t in texts
              if t.get_text().startswith("item")}
    assert set(listed) <= set(keys) and set(missed) <= set(listed)
    for key, text in listed.items():
        assert (to_hex(text.get_color()) == DIFFER_TEXT.lower()) == (key in missed)
    colours = node_colors(cluster.nodes)
    names = {t.get_text(): to_hex(t.get_color()) for t in ax.texts if "'s tree" in t.get_text()}
    assert names == {f"{c.node_a}'s tree (8 keys)": colours[c.node_a].lower(),
                     f"{c.node_b}'s tree (8 keys)": colours[c.node_b].lower()}


def test_a_large_tree_is_drawn_pruned_to_the_nodes_compared(behind, ax):
    cluster, _, missed = behind
    c = merkle_comparison(cluster, KEY, fanout=4, depth=3)
    d = draw_merkle(c, ax=ax)
    assert d.shown == "compared" and len(d.boxes) == 2 * c.hashes_compared
    assert "not compared" not in d.kinds.values()
    assert len(d.highlighted) == 2 * len(c.differing_nodes)
    # Under each matching inner node, the keys it spared the comparison.
    for (side, lv, i), text in d.skipped.items():
        assert d.kinds[(side, lv, i)] == "equal" and lv < 3
        tree = c.tree_a if side == "a" else c.tree_b
        span = 4 ** (3 - lv)
        n = sum(len(tree.leaves[j]) for j in range(i * span, (i + 1) * span))
        assert text.get_text() == f"{n} key{'s' if n != 1 else ''}"
    # Pruning keeps the two trees aligned: each node's box straight above its twin.
    for (side, lv, i), box in d.boxes.items():
        assert box.get_x() == d.boxes[("a", lv, i)].get_x()


def test_draw_merkle_when_the_replicas_agree(behind, ax):
    cluster, _, _ = behind
    cluster.anti_entropy()
    d = draw_merkle(merkle_comparison(cluster, KEY), ax=ax)
    assert d.highlighted == [] and len(d.boxes) == 2 and d.descended == []
    assert d.title.get_text() == (f"{d.comparison.node_a} vs {d.comparison.node_b}: 1 hash "
                                  f"compared vs 8 keys in a full scan\n"
                                  f"the two replicas agree on every key in the range")
    with pytest.raises(ValueError, match="show must be"):
        draw_merkle(d.comparison, show="some", ax=ax)


def test_draw_merkle_without_axes_makes_a_pyplot_figure(behind):
    cluster, _, _ = behind
    before = set(plt.get_fignums())
    try:
        d = draw_merkle(merkle_comparison(cluster, KEY), show="all")
        assert d.ax.figure.number not in before and len(d.boxes) == 2 * 85
    finally:
        for number in set(plt.get_fignums()) - before:
            plt.close(number)


# -- hints in the cluster picture ------------------------------------------------------------

def test_held_hints_say_who_holds_what_for_whom(behind):
    cluster, keys, missed = behind
    owner = cluster.ring.home_replicas(KEY)[1]
    hints = held_hints(cluster)
    assert sum(count for _, _, count in hints) == cluster.hint_counts["pending"] == 3
    assert {o for _, o, _ in hints} == {owner}
    for holder, o, count in hints:
        assert count == sum(1 for _, who, _ in cluster.node(holder).pending_hints() if who == o)
    assert [count for _, _, count in held_hints(cluster, key=missed[0])] == [1]
    assert held_hints(cluster, key=keys[-1]) == []


def test_cluster_picture_draws_an_arrow_per_holder_and_owner(behind, ax):
    cluster, _, missed = behind
    d = draw_cluster(cluster, operation=None, ax=ax)
    assert d.hints == held_hints(cluster) and len(d.hint_arrows) == len(d.hints)
    colours = node_colors(cluster.nodes)
    for (holder, owner, count), arrow in zip(d.hints, d.hint_arrows):
        patch = arrow.arrow_patch
        assert to_hex(patch.get_edgecolor()) == colours[holder].lower()
        assert patch.get_linestyle() == "--"
        assert arrow.xy == d.positions[owner] and arrow.xyann == d.positions[holder]
    texts = [t.get_text() for t in ax.texts]
    assert sorted(t for t in texts if t.startswith("hint")) == sorted(
        f"hint \u00d7{count}" for _, _, count in d.hints)
    assert "hint: holder \u2192 owner" in [t.get_text() for t in d.legend.get_texts()]


def test_cluster_picture_hints_follow_the_key_and_can_be_hidden(behind):
    cluster, keys, missed = behind
    d = draw_cluster(cluster, key=missed[0], ax=Figure().add_subplot())
    assert [count for _, _, count in d.hints] == [1]
    assert draw_cluster(cluster, key=keys[-1], ax=Figure().add_subplot()).hints == []
    hidden = draw_cluster(cluster, show_hints=False, ax=Figure().add_subplot())
    assert hidden.hints == [] and hidden.hint_arrows == []
    # After the hints are delivered there is nothing to draw.
    cluster.run_for(2 * cluster.hint_interval_ms)
    assert cluster.hint_counts["pending"] == 0
    assert draw_cluster(cluster, ax=Figure().add_subplot()).hints == []


def test_a_replayed_moment_draws_no_hints(behind):
    cluster, _, _ = behind
    timeline = MessageTimeline.from_cluster(cluster)
    d = draw_cluster(snapshot=timeline.at(timeline.end), ax=Figure().add_subplot())
    assert d.hints == [] and d.hint_arrows == []


def test_cluster_explorer_table_counts_hints(behind):
    cluster, _, missed = behind
    holders = {holder: count for holder, _, count in held_hints(cluster)}
    explorer = ClusterExplorer(cluster, key=missed[0])
    rows = {row["node"]: row for row in explorer.session.replica_rows()}
    for holder, count in holders.items():
        if holder in rows:
            assert rows[holder]["hints_pending"] == count
    assert "hints (all keys)" in explorer.table.value
    assert any(f"for {cluster.ring.home_replicas(KEY)[1]}:" in row["hints"]
               for row in rows.values())


# -- explorer -------------------------------------------------------------------------------

def test_explorer_offers_only_the_ranges_replicas(behind):
    cluster, _, _ = behind
    home, other = cluster.ring.home_replicas(KEY), outsider(cluster)
    explorer = MerkleExplorer(cluster, key=KEY)
    for picker in (explorer.a_picker, explorer.b_picker):
        assert [value for _, value in picker.options] == home
        assert [label for label, _ in picker.options] == [
            f"{n} (home {rank})" for rank, n in enumerate(home, 1)]
        with pytest.raises(TraitError):
            picker.value = other
    # The model refuses the node in words that name it and list the replicas.
    explorer.model.set_nodes(home[0], other)
    explorer.refresh()
    assert explorer.model.comparison is None
    assert (f"node_b=&#x27;{other}&#x27; is not a replica of the range of "
            f"&#x27;{KEY}&#x27;: choose two of its replicas {', '.join(home)}"
            in explorer.message.value)
    explorer.b_picker.value = home[2]
    assert explorer.model.comparison.node_b == home[2] and explorer.message.value == ""


def test_explorer_keeps_long_lists_of_keys_short(emptied):
    cluster, keys = emptied
    home = cluster.ring.home_replicas(KEY)
    explorer = MerkleExplorer(cluster, key=KEY)
    c = explorer.model.comparison
    assert sorted(c.diff.keys) == sorted(keys)
    assert (f"<div>30 differing keys, first 10: {', '.join(c.diff.keys[:10])}</div>"
            in explorer.summary.value)
    assert not any(k in explorer.summary.value for k in c.diff.keys[10:])
    second = explorer.drawing.title.get_text().splitlines()[1]
    assert second.startswith("30 differing keys, first ") and len(second) <= 100
    explorer.run_button.click()
    fixed = sorted(keys)
    assert (f"<div>repaired on {home[1]} by the last round: 30 keys, first 10: "
            f"{', '.join(fixed[:10])}</div>" in explorer.summary.value)
    assert not any(k in explorer.summary.value for k in fixed[10:])


def test_explorer_keeps_the_trees_drawn_after_a_repair(behind):
    cluster, _, missed = behind
    home = cluster.ring.home_replicas(KEY)
    explorer = MerkleExplorer(cluster, key=KEY)      # fanout 4, depth 3: drawn pruned
    explorer.run_button.click()
    c, d = explorer.model.comparison, explorer.drawing
    assert c.diff.keys == [] and c.hashes_compared == 1
    # Not two lone roots: the way down to each repaired leaf, with its siblings.
    leaves = c.repaired_leaves(home[1])
    assert d.shown == "compared" and len(d.boxes) > 2 and leaves
    assert sorted(d.repaired) == [("b", 3, i) for i in leaves]
    for i in leaves:
        for level in range(4):
            assert ("b", level, i // 4 ** (3 - level)) in d.boxes
    assert {d.kinds[k] for k in d.repaired} == {"repaired"}
    assert {to_hex(d.boxes[k].get_facecolor()) for k in d.repaired} == {
        BOX_STYLES["repaired"][0].lower()}
    path = {(level, i // 4 ** (3 - level)) for i in leaves for level in range(1, 4)}
    assert len(d.repaired_lines) == len(path)
    assert {to_hex(line.get_color()) for line in d.repaired_lines} == {TO_REPAIRED[0].lower()}
    assert REPAIRED_LABEL in [t.get_text() for t in d.legend.get_texts()]
    green = [t.get_text().replace("\n", "") for texts in d.leaf_keys.values() for t in texts
             if to_hex(t.get_color()) == REPAIRED_TEXT.lower()]
    assert sorted(green) == sorted(missed)
    assert d.title.get_text().endswith(f"(the last round repaired 3 keys on {home[1]})")
    assert (f"<div>repaired on {home[1]} by the last round: 3 keys: "
            f"{', '.join(sorted(missed))}</div>" in explorer.summary.value)
    # The sliders still show something: the same repairs in trees of another shape.
    shapes = set()
    for fanout, depth in [(2, 3), (2, 4), (3, 2)]:
        explorer.fanout_slider.value, explorer.depth_slider.value = fanout, depth
        d, c = explorer.drawing, explorer.model.comparison
        assert sorted(d.repaired) == [("b", depth, i) for i in c.repaired_leaves(home[1])]
        shapes.add(len(d.boxes))
    assert len(shapes) == 3


def test_a_round_that_repaired_nothing_here_says_so(behind):
    cluster, _, _ = behind
    cluster.anti_entropy()                          # the replicas agree from now on
    explorer = MerkleExplorer(cluster, key=KEY)
    explorer.run_button.click()
    home = cluster.ring.home_replicas(KEY)
    assert explorer.drawing.repaired == [] and len(explorer.drawing.boxes) == 2
    assert (f"the last round repaired no key of this range on {home[0]} or {home[1]}"
            in explorer.summary.value)

def test_explorer_starts_on_the_key_and_its_home_replicas(behind):
    cluster, keys, missed = behind
    home = cluster.ring.home_replicas(KEY)
    explorer = MerkleExplorer(cluster, key=KEY)
    c = explorer.model.comparison
    assert (explorer.a_picker.value, explorer.b_picker.value) == (home[0], home[1])
    assert f"{home[0]} (home 1)" in explorer.a_picker.label
    assert (f"<div>hashes compared: {c.hashes_compared} \u00b7 full scan: 8 keys</div>"
            in explorer.summary.value)
    assert f"<div>3 differing keys: {', '.join(c.diff.keys)}</div>" in explorer.summary.value
    assert sorted(c.diff.keys) == sorted(missed)
    assert len(explorer.drawing.highlighted) == 2 * len(c.differing_nodes)
    assert explorer.picture.image.value[:8] == PNG
    # With no key given, it opens on a key whose replicas disagree.
    assert MerkleExplorer(cluster).model.key in missed


def test_explorer_pickers_and_sliders_call_the_model(behind):
    cluster, _, _ = behind
    home = cluster.ring.home_replicas(KEY)
    explorer = MerkleExplorer(cluster, key=KEY)
    draws = explorer.picture.draws
    explorer.b_picker.value = home[2]
    assert explorer.model.comparison.node_b == home[2]
    assert explorer.model.comparison.diff.keys == []     # these two both have the new versions
    assert "<div>no differing keys</div>" in explorer.summary.value
    explorer.fanout_slider.value = 2
    explorer.depth_slider.value = 2
    assert (explorer.model.comparison.fanout, explorer.model.comparison.depth) == (2, 2)
    assert explorer.drawing.shown == "all" and len(explorer.drawing.boxes) == 2 * 7
    assert explorer.picture.draws == draws + 3


def test_explorer_explains_a_bad_choice_instead_of_raising(behind):
    cluster, _, _ = behind
    explorer = MerkleExplorer(cluster, key=KEY)
    explorer.b_picker.value = explorer.a_picker.value
    assert explorer.model.comparison is None
    assert "compare two different nodes" in explorer.message.value
    assert explorer.summary.value == "" and explorer.picture.image.layout.display == "none"
    explorer.key_box.value = "   "
    assert "type a key" in explorer.message.value
    explorer.key_box.value = "cart:bob"
    home = cluster.ring.home_replicas("cart:bob")
    assert (explorer.a_picker.value, explorer.b_picker.value) == (home[0], home[1])
    assert explorer.message.value == "" and explorer.picture.image.layout.display is None


def test_explorer_runs_an_anti_entropy_round(behind):
    cluster, _, missed = behind
    explorer = MerkleExplorer(cluster, key=KEY)
    assert explorer.report.value == ""
    explorer.run_button.click()
    report = explorer.model.report
    assert report.keys_repaired >= len(missed)
    assert "anti-entropy round" in explorer.report.value
    assert f"{report.keys_repaired} repaired" in explorer.report.value
    assert explorer.model.comparison.diff.keys == []
    assert "hashes compared: 1 \u00b7" in explorer.summary.value
    assert explorer.drawing.highlighted == []


def test_explorer_displays_and_leaves_no_pyplot_figure(behind):
    cluster, _, _ = behind
    # Relative to the figures already open, whatever ran before this test.
    pyplot = sys.modules.get("matplotlib.pyplot")
    before = set(pyplot.get_fignums()) if pyplot is not None else set()
    assert WIDGET_VIEW in MerkleExplorer(cluster)._repr_mimebundle_()
    pyplot = sys.modules.get("matplotlib.pyplot")
    assert pyplot is None or set(pyplot.get_fignums()) <= before
