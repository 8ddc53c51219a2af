"""The history timeline: its layout, its ASCII rendering, and its picture (Agg, no pixels)."""

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import dynamo_lab as dl  # noqa: E402
from dynamo_lab import checks  # noqa: E402
from dynamo_lab.experiments import concurrent_writes  # noqa: E402
from dynamo_lab.history import History  # noqa: E402
from dynamo_lab.plots import TimelineDrawing, draw_timeline  # noqa: E402
from dynamo_lab.plots.colors import CUT, OUTCOME_COLORS  # noqa: E402
from dynamo_lab.system import FaultEvent  # noqa: E402
from dynamo_lab.views.history_timeline import (HistoryTimeline, fault_text, render_text,  # noqa: E402
                                               timeline_rows)

NODES = ("A", "B", "C", "D", "E")
FAULTS = [FaultEvent(12.0, "crash", ("C",)),
          FaultEvent(28.0, "partition", NODES, (("A", "B"), ("C", "D", "E"))),
          FaultEvent(50.0, "heal", NODES)]


def make_history():
    """Alice: puts 1 (ok), 2 (failed), 5 (timed out); Bob: two gets; Carol: an open delete."""
    h = History()
    a = h.invoke(process="alice", f="put", key="x", value=1, time=0.0)
    h.complete(a, type="ok", value=1, time=10.0)
    b = h.invoke(process="bob", f="get", key="x", value=None, time=5.0)
    h.complete(b, type="ok", value=[1], time=15.0)
    c = h.invoke(process="alice", f="put", key="x", value=2, time=20.0)
    h.complete(c, type="fail", value=2, time=24.0, error="too few replicas")
    d = h.invoke(process="bob", f="get", key="x", value=None, time=30.0)
    h.complete(d, type="ok", value=[], time=42.0)
    e = h.invoke(process="alice", f="put", key="x", value=5, time=45.0)
    h.complete(e, type="info", value=5, time=70.0)
    h.invoke(process="carol", f="delete", key="x", value=None, time=60.0)
    return h


EXPECTED = """\
       0.0 ms                                                    70.0 ms
alice |[put 1---]        [#2-]                  [put 5 (timed out)----]|
bob   |     *#1------*            *get -> []-*                         |
carol |                                                      [#5------>|
      +-----------1-------------2-------------------3------------------+
operations:
  #1   5.0-15.0 ms   bob: get -> [1]
  #2   20.0-24.0 ms  alice: put 2 (failed)
  #5   60.0-... ms   carol: delete (no reply)
* witness: ops 1, 3
faults:
  1   12.0 ms  crash C
  2   28.0 ms  partition [A,B] | [C,D,E]
  3   50.0 ms  heal"""


# -- model --------------------------------------------------------------------------

def test_rows_follow_first_appearance_and_bars_carry_status_and_label():
    t = timeline_rows(make_history(), faults=FAULTS, witness=[1, 3])
    assert t.processes == ["alice", "bob", "carol"]
    assert [(b.op_id, b.status, b.label) for b in t.bars] == [
        (0, "ok", "put 1"), (1, "ok", "get \u2192 [1]"), (2, "fail", "put 2 (failed)"),
        (3, "ok", "get \u2192 []"), (4, "info", "put 5 (timed out)"),
        (5, "open", "delete (no reply)")]
    assert [len(row.bars) for row in t.rows] == [3, 2, 1]
    assert (t.start, t.end) == (0.0, 70.0)
    assert t.highlighted == (1, 3)
    assert [m.text for m in t.faults] == ["crash C", "partition [A,B] | [C,D,E]", "heal"]


def test_open_operation_runs_to_the_end_of_the_history():
    bar = timeline_rows(make_history()).bar(5)
    assert (bar.status, bar.start, bar.end, bar.stop) == ("open", 60.0, None, 70.0)
    carol = render_text(make_history()).splitlines()[3]
    assert carol.startswith("carol |") and carol.endswith(">|")


def test_witness_accepts_a_result_operations_or_op_ids():
    h = make_history()
    ops = [op for op in h if op.op_id in (1, 3)]
    by_ids = timeline_rows(h, witness=[1, 3])
    by_ops = timeline_rows(h, witness=ops)

    class Result:       # what linearizable() returns, as far as the timeline cares
        witness = tuple(ops)

    by_result = timeline_rows(h, witness=Result())
    assert by_ids.highlighted == by_ops.highlighted == by_result.highlighted == (1, 3)
    assert [b.highlighted for b in by_ids.bars] == [False, True, False, True, False, False]


def test_same_client_overlapping_operations_get_a_second_lane():
    h = History()
    a = h.invoke(process="p", f="put", key="k", value=1, time=0.0)
    b = h.invoke(process="p", f="get", key="k", value=None, time=1.0)
    h.complete(a, type="ok", value=1, time=5.0)
    h.complete(b, type="ok", value=[1], time=6.0)
    c = h.invoke(process="p", f="get", key="k", value=None, time=7.0)
    h.complete(c, type="ok", value=[1], time=8.0)
    t = timeline_rows(h)
    assert t.rows[0].lanes == 2
    assert [(b.op_id, b.lane) for b in t.rows[0].bars] == [(0, 0), (1, 1), (2, 0)]
    lines = render_text(h, width=40).splitlines()
    assert lines[1].startswith("p |[put 1") and lines[2].startswith("  |") and "[" in lines[2]


def test_key_and_window_select_operations_and_faults():
    h = make_history()
    other = h.invoke(process="dave", f="put", key="y", value=9, time=1.0)
    h.complete(other, type="ok", value=9, time=2.0)
    everything = timeline_rows(h)
    assert everything.bar(0).label == "put x=1" and everything.bar(6).label == "put y=9"
    assert everything.bar(1).label == "get x \u2192 [1]"
    only_x = timeline_rows(h, key="x")
    assert "dave" not in only_x.processes and only_x.bar(0).label == "put 1"
    window = timeline_rows(h, faults=FAULTS, start=18.0, end=44.0)
    assert [b.op_id for b in window.bars] == [2, 3]
    assert [m.kind for m in window.faults] == ["partition"]
    assert (window.start, window.end) == (18.0, 44.0)


def test_a_cluster_stands_for_its_history_and_faults():
    cluster = dl.Cluster(nodes=3, n=3, r=2, w=2, seed=1)
    cluster.put("k", "v1")
    cluster.crash("C")
    cluster.get("k")
    t = timeline_rows(cluster)
    assert [b.label for b in t.bars] == ["put v1", "get \u2192 [v1]"]
    assert [m.text for m in t.faults] == ["crash C"]
    assert timeline_rows(cluster, faults=[]).faults == ()


def test_fault_text_names_every_kind():
    assert fault_text(FaultEvent(0, "crash", ("B",), detail="lose_data")) == "crash B (lose_data)"
    assert fault_text(FaultEvent(0, "recover", ("B",))) == "recover B"
    assert fault_text(FaultEvent(0, "set_link", ("A", "B"))) == "set link A-B"
    assert fault_text(FaultEvent(0, "skew_clock", ("A",), detail="-5 ms")) == "skew clock A -5 ms"


# -- text ---------------------------------------------------------------------------

def test_render_text_exactly():
    assert render_text(make_history(), faults=FAULTS, witness=[1, 3]) == EXPECTED
    assert all(len(line) == 72 for line in EXPECTED.splitlines()[1:5])


def test_render_text_marks_witness_with_stars_and_only_them():
    lines = render_text(make_history(), witness=[3], width=72).splitlines()
    assert "*get -> []-*" in lines[2]
    assert lines[1].count("*") == 0 and lines[2].count("*") == 2
    assert lines[-1] == "* witness: op 3"
    assert "*" not in render_text(make_history())


def test_faults_in_the_same_column_each_get_a_mark():
    same = [FaultEvent(30.0, "heal", NODES), FaultEvent(30.0, "recover", ("C",))]
    text = render_text(make_history(), faults=same)
    ruler = text.splitlines()[4]
    assert ruler.index("1") + 1 == ruler.index("2")
    assert text.endswith("faults:\n  1   30.0 ms  heal\n  2   30.0 ms  recover C")


def test_render_text_is_plain_ascii_and_rejects_a_narrow_width():
    text = render_text(make_history(), faults=FAULTS, witness=[1], width=40)
    assert text.isascii()
    assert [len(line) for line in text.splitlines()[1:5]] == [40] * 4
    assert "  #4   45.0-70.0 ms  alice: put 5 (timed out)" in text
    with pytest.raises(ValueError, match="at least 18"):
        render_text(make_history(), width=17)


# -- picture ------------------------------------------------------------------------

@pytest.fixture
def ax():
    return Figure(figsize=(9, 4)).add_subplot()


def test_draw_timeline_records_bars_rows_witness_and_faults(ax):
    d = draw_timeline(make_history(), faults=FAULTS, witness=[1, 3], ax=ax)
    assert isinstance(d, TimelineDrawing) and isinstance(d.model, HistoryTimeline)
    assert d.row_counts() == {"alice": 3, "bob": 2, "carol": 1}
    assert sorted(d.bars) == [0, 1, 2, 3, 4, 5] and d.highlighted == [1, 3]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["alice", "bob", "carol"]
    assert d.rows["alice"] > d.rows["bob"] > d.rows["carol"]
    for op_id, bar in d.bars.items():
        wide = bar.get_linewidth() > 2
        assert wide == (op_id in (1, 3))
        assert (to_hex(bar.get_edgecolor()) == CUT.lower()) == (op_id in (1, 3))
    assert to_hex(d.bars[0].get_facecolor()) == OUTCOME_COLORS["ok"].lower()
    assert to_hex(d.bars[2].get_facecolor()) == OUTCOME_COLORS["fail"].lower()
    assert d.bars[4].get_hatch() and d.bars[5].get_hatch()
    assert d.bars[5].get_linestyle() == "--" and d.bars[0].get_linestyle() == "-"
    # The open delete is drawn to the end of the history.
    assert d.bars[5].get_x() + d.bars[5].get_width() == pytest.approx(70.0)
    assert len(d.fault_lines) == 3
    assert [line.get_xdata()[0] for line in d.fault_lines] == [12.0, 28.0, 50.0]
    assert [t.get_text() for t in d.fault_labels] == ["crash C", "partition [A,B] | [C,D,E]",
                                                     "heal"]
    assert d.labels[0].get_text() == "put 1" and d.labels[3].get_text() == "get \u2192 []"
    assert "ops 1, 3" in d.title.get_text()
    assert [t.get_text() for t in d.legend.get_texts()] == [
        "ok", "failed", "timed out (info)", "no reply (open)", "witness", "fault"]


def test_draw_timeline_of_a_cluster_uses_its_faults():
    cluster = dl.Cluster(nodes=3, n=3, r=2, w=2, seed=1)
    cluster.put("k", "v1")
    cluster.partition(["A"])
    cluster.get("k")
    d = draw_timeline(cluster, ax=Figure().add_subplot())
    assert d.row_counts() == {"client": 2} and d.highlighted == []
    assert [t.get_text() for t in d.fault_labels] == ["partition [A] | [B,C]"]


def labels_overlap(drawing):
    renderer = FigureCanvasAgg(drawing.ax.figure).get_renderer()
    boxes = [t.get_window_extent(renderer) for t in
             list(drawing.labels.values()) + drawing.fault_labels]
    return [(i, j) for i in range(len(boxes)) for j in range(i + 1, len(boxes))
            if boxes[i].overlaps(boxes[j])]


def test_lww_clock_skew_timeline_highlights_the_lost_write(tmp_path):
    result = concurrent_writes.lww_clock_skew()
    verdict = checks.linearizable(result.cluster.history)
    assert verdict.valid is False          # the lesson's point: an acknowledged write vanished
    d = draw_timeline(result.cluster, witness=verdict)
    witness_ids = sorted({op.op_id for op in verdict.witness})
    assert d.highlighted == witness_ids
    assert any(d.model.bar(i).label == "put later (correct clock)" for i in witness_ids)
    assert [t.get_text() for t in d.fault_labels] == ["skew clock A +50 ms"]
    assert not labels_overlap(d)
    path = tmp_path / "lww_timeline.png"
    d.ax.figure.savefig(path, dpi=60)
    assert path.stat().st_size > 0
    text = render_text(result.cluster, witness=verdict)
    assert text.count("*") == 2 * len(witness_ids) + 1
    assert "skew clock A +50 ms" in text
    import matplotlib.pyplot as plt
    plt.close(d.ax.figure)
