"""Reading the history formats Jepsen and knossos write (dl.checks.read_history)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import dynamo_lab as dl
from dynamo_lab.checks.history_files import parse_edn_history, parse_jepsen_log
from dynamo_lab.history import MAX_DEPTH

HISTORIES = Path(__file__).resolve().parent / "data" / "histories"
NEMESIS = "nemesis"


def _counts(history):
    """(client operations, nemesis operations), counted by their invocations."""
    processes = [inv.process for inv, _ in history.pairs()]
    nemesis = sum(p == NEMESIS for p in processes)
    return len(processes) - nemesis, nemesis


# ---------------------------------------------------------------------------
# Every file in tests/data/histories reads.

FILES = {
    # name: (client operations, nemesis operations)
    "register_valid_vector.edn": (7, 0),
    "register_invalid_multiline.edn": (3, 0),
    "cas_commented.edn": (5, 0),
    "with_nemesis.edn": (4, 3),
    "nemesis_unpaired.edn": (2, 4),
    "initial_value_read.edn": (1, 0),
    "crashed_write.edn": (4, 0),
    "wrong_initial.edn": (3, 0),
    "register_list.edn": (3, 0),
    "register_commented.log": (5, 2),
}


def test_every_data_file_is_listed():
    assert sorted(p.name for p in HISTORIES.iterdir()) == sorted(FILES)


@pytest.mark.parametrize("name, counts", FILES.items(), ids=list(FILES))
def test_data_file_reads(name, counts):
    history = dl.checks.read_history(HISTORIES / name)
    assert _counts(history) == counts
    # Every operation of these files completes; a nemesis operation always does.
    assert history.pending == []
    # Times follow the order of the records.
    times = [op.time for op in history]
    assert times == sorted(times)
    for inv, comp in history.pairs():
        assert comp is not None and comp.process == inv.process and comp.f == inv.f
        if inv.process == NEMESIS:
            assert comp.type == "info"


@pytest.mark.parametrize("name, expected", [
    ("register_valid_vector.edn", True),
    ("register_invalid_multiline.edn", False),
    ("cas_commented.edn", True),
    ("crashed_write.edn", True),
    ("with_nemesis.edn", True),
    ("nemesis_unpaired.edn", True),
    ("register_list.edn", True),
    ("register_commented.log", True),
])
def test_verdicts(name, expected):
    """Verdicts worked out by hand; none depends on the register's initial value."""
    history = dl.checks.read_history(HISTORIES / name)
    result = dl.checks.linearizable(history, model="cas_register")
    assert result.valid is expected, result.explanation
    if not expected:
        assert all(op.process != NEMESIS for op in result.witness)


@pytest.mark.parametrize("name, initial, expected", [
    ("initial_value_read.edn", None, False),   # the register starts at None: 0 came from nowhere
    ("initial_value_read.edn", 0, True),       # knossos's (register 0)
    ("wrong_initial.edn", 0, False),           # 7 was never written, and is not the initial 0
    ("wrong_initial.edn", 7, True),
    ("crashed_write.edn", 0, True),
])
def test_verdicts_from_an_initial_value(name, initial, expected):
    history = dl.checks.read_history(HISTORIES / name)
    options = {} if initial is None else {"initial": initial}
    result = dl.checks.linearizable(history, model="cas_register", **options)
    assert result.valid is expected, result.explanation


# ---------------------------------------------------------------------------
# What the reader makes of the files.

def test_vector_file_pairs_by_process_and_numbers_events():
    h = dl.checks.read_history(HISTORIES / "register_valid_vector.edn")
    assert [op.time for op in h] == [float(t) for t in range(1, 15)]
    assert [(op.process, op.type, op.f, op.value) for op in h][:4] == [
        ("0", "invoke", "write", 1), ("1", "invoke", "read", None),
        ("0", "ok", "write", 1), ("1", "ok", "read", 1)]
    assert h[4].value == (1, 2) and h[4].op_id == h[5].op_id
    assert h[11].type == "fail"


def test_comments_discards_and_strings():
    h = dl.checks.read_history(HISTORIES / "cas_commented.edn")
    writes = [op.value for op in h if op.f == "write"]
    assert writes == [0, 0]  # the write after #_ is gone
    assert [op.value for op in h if op.process == "4"] == [(5, -1), (5, -1)]
    # Ten events, numbered in order; comments and the discarded map do not count.
    assert [op.time for op in h] == [float(t) for t in range(1, 11)]


def test_knossos_time_and_index_fields_are_ignored():
    h = dl.checks.read_history(HISTORIES / "register_list.edn")
    assert [op.time for op in h] == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert [op.index for op in h] == list(range(6))
    assert h[4].value == (4, -2)


def test_nemesis_operations_are_kept():
    h = dl.checks.read_history(HISTORIES / "with_nemesis.edn")
    faults = [op for op in h if op.process == NEMESIS]
    assert [(op.type, op.f, op.value) for op in faults] == [
        ("invoke", "start", None),
        ("info", "start", frozenset({"n1", "n2"})),
        ("invoke", "stop", None),
        ("info", "stop", "network-healed"),
        ("invoke", "kill", ("n3",)),
        ("info", "kill", ("n3",)),
    ]
    # The start pair spans the client's write; the lone kill starts and ends at once.
    start, started = faults[0], faults[1]
    assert start.op_id == started.op_id and (start.time, started.time) == (1.0, 3.0)
    assert faults[4].time == faults[5].time == 13.0
    # The client read that timed out is an info completion, paired by process.
    read = [op for op in h if op.process == "1"]
    assert [op.type for op in read] == ["invoke", "info"]


def test_unpaired_nemesis_events_stand_alone():
    h = dl.checks.read_history(HISTORIES / "nemesis_unpaired.edn")
    faults = [(op.type, op.f, op.value, op.time) for op in h if op.process == NEMESIS]
    assert faults == [
        ("invoke", "stop", "healed", 1.0), ("info", "stop", "healed", 1.0),
        ("invoke", "start", None, 4.0), ("info", "start", None, 4.0),
        ("invoke", "kill", frozenset({"n1"}), 5.0), ("info", "kill", frozenset({"n1"}), 5.0),
        ("invoke", "pause", ("n2",), 8.0), ("info", "pause", ("n2",), 8.0),
    ]


def test_to_frame_shows_the_nemesis():
    h = dl.checks.read_history(HISTORIES / "with_nemesis.edn")
    frame = h.to_frame()
    assert len(frame) == len(h) == 14
    rows = frame[frame["process"] == NEMESIS]
    assert len(rows) == 6
    assert list(rows["f"]) == ["start", "start", "stop", "stop", "kill", "kill"]
    assert frozenset({"n1", "n2"}) in list(rows["value"])


def test_jepsen_log_with_comments_and_nemesis():
    h = dl.checks.read_history(HISTORIES / "register_commented.log")
    # In a Jepsen log the time is the line number.
    assert [op.time for op in h][:3] == [4.0, 5.0, 6.0]
    faults = [(op.type, op.f, op.value) for op in h if op.process == NEMESIS]
    assert faults == [
        ("invoke", "start", None),
        ("info", "start", ("isolated", {"n1": frozenset({"n2", "n3"})})),
        ("invoke", "stop", None),
        ("info", "stop", "fully connected"),  # not EDN: kept as text
    ]
    timed_out_read = [op for op in h if op.process == "3"][1]
    assert (timed_out_read.type, timed_out_read.error) == ("info", "timed-out")


def test_edn_values():
    h = parse_edn_history(
        '{:process 0, :type :invoke, :f :write, :value [-3 +4 2.5 -1e3 12N 1.5M nil true false '
        '"a \\"q\\" ; b" :k #{1 2} {:m (1 2)} #inst "2024-05-01T10:00:00Z" '
        '#uuid "0d1e6a52-3b4a-4b1e-9e67-2b1c1d0c9a11" #_ 99 \\x]}')
    assert h[0].value == (-3, 4, 2.5, -1000.0, 12, 1.5, None, True, False, 'a "q" ; b', "k",
                          frozenset({1, 2}), {"m": (1, 2)}, "2024-05-01T10:00:00Z",
                          "0d1e6a52-3b4a-4b1e-9e67-2b1c1d0c9a11", "x")


def test_edn_maps_one_after_another_on_a_line_and_across_lines():
    h = parse_edn_history('{:process 0 :type :invoke :f :read :value nil} '
                          '{:process 0 :type :ok\n:f :read :value 5}\n')
    assert [(op.type, op.value, op.time) for op in h] == [("invoke", None, 1.0),
                                                          ("ok", 5, 2.0)]


def test_comments_before_each_format(tmp_path):
    log = tmp_path / "a.log"
    log.write_text("; header\n\nINFO  jepsen.util - 0 :invoke :write 1\n")
    assert dl.checks.read_history(log)[0].time == 3.0
    edn = tmp_path / "a.edn"
    edn.write_text("; header\n;; more\n  {:process 0 :type :invoke :f :write :value 1}\n")
    assert dl.checks.read_history(edn)[0].value == 1
    vector = tmp_path / "b.edn"
    vector.write_text("; header\n[; first\n {:process 0 :type :invoke :f :write :value 1}\n"
                      " ; between\n {:process 0 :type :ok :f :write :value 1} ; after\n]\n; end\n")
    assert len(dl.checks.read_history(vector)) == 2
    jsonl = tmp_path / "c.txt"
    history = dl.History()
    history.invoke(process="a", f="put", key="k", value=1, time=0)
    jsonl.write_text("; header\n" + history.to_jsonl())
    assert list(dl.checks.read_history(jsonl)) == list(history)


def test_parse_jepsen_log_keeps_a_nemesis_line():
    h = parse_jepsen_log("INFO  jepsen.util - :nemesis :info :start #{:n1}\n")
    assert [(op.process, op.type, op.value) for op in h] == [
        ("nemesis", "invoke", frozenset({"n1"})), ("nemesis", "info", frozenset({"n1"}))]


# ---------------------------------------------------------------------------
# Errors name the file, the line and the column.

@pytest.mark.parametrize("text, line, column, problem", [
    (("[{:process 0, :type :invoke, :f :read, :value nil}\n"
      " {:process 0, :type :ok,\n  :f :read :value}]\n"), 2, 2, "key without a value"),
    ("; a vector never closed\n[{:process 0, :type :invoke, :f :read, :value nil}\n",
     2, 1, "never closed"),
    (("{:process 0, :type :invoke, :f :read, :value nil}\n"
      "{:process 0, :type :ok, :f :read, :value nil}}\n"), 2, 46, "'}' closes nothing"),
    ("[{:process 0, :type :invoke, :f :read, :value nil}}]\n", 1, 51, "cannot close"),
    (("[{:process 0, :type :invoke, :f :write, :value 1}\n"
      ' {:process 0, :type :ok, :f :write, :value "one}]\n'), 2, 44, "never closed"),
    ("{:process 0, :type :invoke, :f :write,\n :value " + "[" * 500 + "]" * 500 + "}\n",
     2, 8 + MAX_DEPTH, f"nests more than {MAX_DEPTH} levels"),
    ("[{:process 0, :type :invoke, :f :write, :value 1}\n 7]\n", 2, 2, "operation map"),
    ("[{:process 0, :type :invoke, :f :write, :value 1}] {:process 1}\n", 1, 52,
     "after the value"),
    ("[{:process 0, :type :invoke, :f :write, :value #{{:a 1}}}]", 1, 48,
     "a set cannot hold a map"),
    ("[{:process 0, :type :invoke, :f :write, :value # 1}]", 1, 48, "after '#'"),
    (("[{:process 0, :type :invoke, :f :write, :value 1}\n"
      " {:process 0, :type :invoke, :f :write, :value 2}]"), 2, 2, "still open"),
    ("({:process 0, :type :ok, :f :write, :value 1})", 1, 2, "never invoked"),
], ids=["odd map", "unclosed vector", "stray brace", "brace closes vector",
        "unterminated string", "500 deep", "not a map", "text after vector", "map in set",
        "lone hash", "still open", "never invoked"])
def test_edn_errors_name_file_line_and_column(tmp_path, text, line, column, problem):
    path = tmp_path / "h.edn"
    path.write_text(text)
    with pytest.raises(ValueError) as info:
        dl.checks.read_history(path)
    message = str(info.value)
    assert f"h.edn, line {line}, column {column}: " in message, message
    assert problem in message


def test_a_file_of_only_comments(tmp_path):
    path = tmp_path / "notes.edn"
    path.write_text("; nothing\n\n;; happened here\n")
    with pytest.raises(ValueError, match=re.escape("notes.edn, line 3, column 17: ")
                       + "the file ends with no history in it"):
        dl.checks.read_history(path)


def test_jepsen_log_errors_name_line_and_column(tmp_path):
    path = tmp_path / "bad.log"
    path.write_text("; header\nINFO  jepsen.util - 0 :invoke :cas [1 2\n")
    with pytest.raises(ValueError, match=re.escape("bad.log, line 2, column 36: ")
                       + "this vector is never closed"):
        dl.checks.read_history(path)
    path.write_text("INFO  jepsen.util - 0 :invoke :write " + "[" * 500 + "]" * 500 + "\n")
    with pytest.raises(ValueError, match=r"bad\.log, line 1, column \d+: the value nests more"):
        dl.checks.read_history(path)
    path.write_text("INFO  jepsen.util - 0 :ok :read 1\n")
    with pytest.raises(ValueError, match=re.escape("bad.log, line 1, column 21: ")
                       + "process 0 completes an operation it never invoked"):
        dl.checks.read_history(path)


def test_nesting_is_refused_without_recursion_error():
    # Far deeper than Python's recursion limit: still a ValueError.
    text = "[" * 100_000 + "]" * 100_000
    with pytest.raises(ValueError, match="line 1, column 101: the value nests more"):
        parse_edn_history(text)
