"""Tests for dynamo_lab.checks: the linearizability checker and the history readers."""

from __future__ import annotations

import itertools
import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dynamo_lab.checks import LinearizabilityResult, linearizable, read_history
from dynamo_lab.checks.history_files import parse_edn_history, parse_jepsen_log
from dynamo_lab.checks.linearizability import MODELS
from dynamo_lab.history import History

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "linearizability"


def _manifest_rows():
    manifest = DATA / "MANIFEST.tsv"
    if not manifest.exists():
        return [pytest.param(None, None, id="no-shared-data")]
    rows = []
    for line in manifest.read_text().splitlines()[1:]:
        if line.strip():
            name, verdict = line.split("\t")
            rows.append(pytest.param(name, verdict.strip() == "true", id=name))
    return rows


class Script:
    """Builds a History tersely: each call names a process and an operation.

    Times are consecutive integers, so the order of the calls is the order
    of the events.
    """

    def __init__(self):
        self.h = History()
        self.open = {}
        self.clock = 0

    def _tick(self):
        self.clock += 1
        return self.clock

    def invoke(self, process, f, value=None, key="k"):
        self.open[process] = self.h.invoke(process=process, f=f, key=key, value=value,
                                           time=self._tick())
        return self.open[process]

    def ok(self, process, value=None):
        return self._end(process, "ok", value)

    def fail(self, process):
        return self._end(process, "fail", None)

    def info(self, process):
        return self._end(process, "info", None)

    def _end(self, process, type_, value):
        inv = self.open.pop(process)
        if value is None and inv.f not in ("get", "read"):
            value = inv.value
        return self.h.complete(inv, type=type_, value=value, time=self._tick())

    def op(self, process, f, value=None, result=None, key="k"):
        """An operation with nothing concurrent: invoke, then ok."""
        self.invoke(process, f, value, key=key)
        return self.ok(process, result)


# ---------------------------------------------------------------------------
# The labelled corpus.

@pytest.mark.parametrize("name, expected", _manifest_rows())
def test_corpus_verdict_matches_manifest(name, expected):
    if name is None:
        pytest.skip(f"labelled histories not found at {DATA} (they live in ../shared, "
                    "beside the project checkout, only on the course's CI)")
    history = read_history(DATA / name)
    model = "cas_register" if name.startswith("etcd/") else "kv"
    # Every file is decided in well under a second; the budget is generous
    # so a slow machine still gets a definite verdict.
    result = linearizable(history, model=model, timeout_s=30.0)
    assert result.valid is expected, result.explanation
    if not expected:
        assert result.witness and result.explanation
        # The witness is a small piece of the history itself.
        assert len(result.witness) <= 16
        assert all(history[op.index] == op for op in result.witness)


# ---------------------------------------------------------------------------
# Hand-written histories.

def test_sequential_history_is_linearizable():
    s = Script()
    s.op("alice", "put", 1)
    s.op("bob", "get", result=[1])
    s.op("alice", "put", 2)
    s.op("bob", "get", result=[2])
    s.op("carol", "delete")
    s.op("bob", "get", result=[])
    result = linearizable(s.h)
    assert result.valid is True
    assert bool(result) and result.witness == () and "linearizable" in repr(result)


def test_empty_history_is_linearizable():
    assert linearizable(History()).valid is True


def test_stale_read_after_completed_write_is_not_linearizable():
    s = Script()
    s.op("alice", "put", 0)
    put = s.op("alice", "put", 1)
    get = s.op("bob", "get", result=[0])
    result = linearizable(s.h)
    assert result.valid is False and not result
    assert result.key == "k"
    witness_ids = {op.op_id for op in result.witness}
    assert {put.op_id, get.op_id} <= witness_ids
    assert "get by bob returned [0]" in result.explanation
    assert "put 1 by alice" in result.explanation
    assert "NOT linearizable" in repr(result)


@pytest.mark.parametrize("seen", [[], [1]])
def test_read_concurrent_with_write_may_see_either_value(seen):
    s = Script()
    s.invoke("alice", "put", 1)
    s.invoke("bob", "get")
    s.ok("bob", seen)
    s.ok("alice")
    assert linearizable(s.h).valid is True


def test_reads_cannot_go_back_in_time():
    # Both reads overlap the write, but once bob has seen 1, carol (who
    # starts after bob finished) cannot see the old value.
    s = Script()
    s.invoke("alice", "put", 1)
    s.op("bob", "get", result=[1])
    s.op("carol", "get", result=[])
    s.ok("alice")
    result = linearizable(s.h)
    assert result.valid is False
    assert "get by carol returned []" in result.explanation


def test_indeterminate_write_may_take_effect_later():
    s = Script()
    s.invoke("alice", "put", 1)
    s.info("alice")                     # timed out: may or may not happen
    s.op("bob", "get", result=[])       # not yet
    s.op("bob", "get", result=[1])      # now it has
    assert linearizable(s.h).valid is True
    s.op("bob", "get", result=[])       # ... but it cannot be undone
    assert linearizable(s.h).valid is False


def test_write_without_completion_is_indeterminate():
    s = Script()
    s.invoke("alice", "put", 1)         # never completes
    s.op("bob", "get", result=[1])
    assert linearizable(s.h).valid is True


def test_indeterminate_write_may_never_happen():
    s = Script()
    s.invoke("alice", "put", 1)
    s.info("alice")
    s.op("bob", "get", result=[])
    s.op("bob", "get", result=[])
    assert linearizable(s.h).valid is True


def test_indeterminate_read_is_ignored():
    s = Script()
    s.op("alice", "put", 1)
    s.invoke("bob", "get")
    s.h.complete(s.open.pop("bob"), type="info", value=[7], time=s._tick())
    s.invoke("carol", "get")            # never completes
    assert linearizable(s.h).valid is True


def test_failed_write_did_not_happen():
    s = Script()
    s.invoke("alice", "put", 1)
    s.fail("alice")
    s.op("bob", "get", result=[1])
    assert linearizable(s.h).valid is False


def test_get_with_two_siblings_is_not_linearizable():
    s = Script()
    s.invoke("alice", "put", 1)
    s.invoke("bob", "put", 2)
    s.ok("alice")
    s.ok("bob")
    get = s.op("carol", "get", result=[1, 2])
    result = linearizable(s.h)
    assert result.valid is False
    assert get in result.witness
    assert {op.process for op in result.witness} == {"alice", "bob", "carol"}
    assert "siblings" in result.explanation


def test_cas_success_and_failure():
    s = Script()
    s.op("p0", "write", 1)
    s.op("p1", "cas", (1, 2))           # succeeds: the register held 1
    s.invoke("p2", "cas", (1, 3))
    s.fail("p2")                        # the register held 2: did not happen
    s.op("p0", "read", result=2)
    assert linearizable(s.h, model="cas_register").valid is True


def test_cas_that_could_not_have_succeeded_is_not_linearizable():
    s = Script()
    s.op("p0", "write", 1)
    s.op("p1", "cas", (5, 2))
    result = linearizable(s.h, model="cas_register")
    assert result.valid is False
    assert "cas 5->2 by p1 succeeded" in result.explanation


def test_indeterminate_cas_may_explain_a_read():
    s = Script()
    s.op("p0", "write", 1)
    s.invoke("p1", "cas", (1, 2))
    s.info("p1")
    s.op("p0", "read", result=2)
    assert linearizable(s.h, model="cas_register").valid is True


def test_register_model_rejects_cas():
    s = Script()
    s.op("p1", "cas", (1, 2))
    with pytest.raises(ValueError, match="cas_register"):
        linearizable(s.h, model="register")


def test_kv_append():
    s = Script()
    s.op("p0", "put", "a")
    s.invoke("p1", "append", "b")
    s.invoke("p2", "append", "c")
    s.ok("p1")
    s.ok("p2")
    s.op("p0", "get", result="acb")
    assert linearizable(s.h, model="kv").valid is True
    s.op("p0", "get", result="abc")
    result = linearizable(s.h, model="kv")
    assert result.valid is False
    assert "returned 'abc'" in result.explanation


def test_kv_starts_empty():
    s = Script()
    s.op("p0", "get", result="")
    s.op("p0", "append", "x")
    s.op("p0", "get", result="x")
    assert linearizable(s.h, model="kv").valid is True


def test_keys_are_checked_independently():
    s = Script()
    s.op("alice", "put", 1, key="a")
    s.op("bob", "get", result=[], key="b")    # b was never written: fine
    s.op("bob", "get", result=[1], key="a")
    assert linearizable(s.h).valid is True
    s.op("bob", "get", result=[1], key="b")    # nobody wrote 1 to b
    result = linearizable(s.h)
    assert result.valid is False and result.key == "b"
    assert {op.key for op in result.witness} == {"b"}


def test_accepts_a_plain_list_of_operations():
    s = Script()
    s.op("alice", "put", 1)
    s.op("bob", "get", result=[2])
    assert linearizable(list(s.h)).valid is False


def _hard_history(n):
    """n overlapping writes, then a read of a value nobody wrote.

    Proving it wrong means trying every subset of the writes: about 2**n
    configurations, far more than any budget allows for n = 22.
    """
    s = Script()
    for p in range(n):
        s.invoke(f"p{p}", "put", p)
    for p in range(n):
        s.ok(f"p{p}")
    s.op("reader", "get", result=[-1])
    return s.h


def test_zero_timeout_gives_up_at_once():
    start = time.monotonic()
    result = linearizable(_hard_history(22), timeout_s=0)
    assert result.valid is None and not result
    assert time.monotonic() - start < 1.0
    assert "unknown" in repr(result) and "time budget" in result.explanation


def test_short_timeout_gives_up_instead_of_hanging():
    start = time.monotonic()
    result = linearizable(_hard_history(22), timeout_s=0.3)
    assert result.valid is None
    assert time.monotonic() - start < 2.0


def test_memory_bound_gives_up():
    result = linearizable(_hard_history(22), max_states=10_000)
    assert result.valid is None and "configurations" in result.explanation


def test_small_hard_history_is_decided():
    assert linearizable(_hard_history(8)).valid is False


def test_unknown_model_lists_the_models():
    with pytest.raises(ValueError, match="register.*cas_register.*kv"):
        linearizable(History(), model="queue")


@pytest.mark.parametrize("timeout", [-1, float("nan"), "10"])
def test_bad_timeout(timeout):
    with pytest.raises(ValueError, match="timeout_s"):
        linearizable(History(), timeout_s=timeout)


def test_result_is_a_plain_value():
    r = LinearizabilityResult(valid=None, model="kv")
    assert not r and r.witness == () and "unknown" in repr(r)


# ---------------------------------------------------------------------------
# Agreement with a brute-force checker on small random histories.

def _brute_force(history, model, initial=None):
    """Try every order of every allowed subset of operations (tiny histories only)."""
    by_key = {}
    for inv, comp in history.pairs():
        if comp is not None and comp.type == "fail":
            continue
        done = comp is not None and comp.type == "ok"
        if not done and inv.f in ("get", "read"):
            continue
        end = comp.time if done else float("inf")
        key = None if model == "multi_register" else inv.key
        by_key.setdefault(key, []).append(
            (inv.time, end, inv.f, inv.value, comp.value if done else None, done))

    def legal(order):
        state = "" if model == "kv" else {} if model == "multi_register" else initial
        if model == "mutex":
            state = False
        for _, _, f, arg, out, done in order:
            if f == "acquire" or f == "release":
                if state == (f == "acquire"):
                    return False
                state = f == "acquire"
            elif f == "txn":
                for kind, register, value in (out if done else arg):
                    if kind == "write":
                        state[register] = value
                    elif done and state.get(register, initial) != value:
                        return False
            elif f in ("put", "write"):
                state = arg
            elif f == "delete":
                state = None
            elif f == "append":
                state = state + arg
            elif f == "cas":
                if state != arg[0]:
                    return False
                state = arg[1]
            else:
                if f == "get" and isinstance(out, list):
                    if len(out) > 1:
                        return False
                    out = out[0] if out else None
                if out is None and model == "kv":
                    out = ""
                if state != out:
                    return False
        return True

    def respects_real_time(order):
        return all(not (b[1] < a[0]) for a, b in itertools.combinations(order, 2))

    for ops in by_key.values():
        sure = [o for o in ops if o[5]]
        maybe = [o for o in ops if not o[5]]
        if not any(legal(order) and respects_real_time(order)
                   for k in range(len(maybe) + 1)
                   for extra in itertools.combinations(maybe, k)
                   for order in itertools.permutations(sure + list(extra))):
            return False
    return True


@st.composite
def small_histories(draw, model):
    values = [1, 2, 3]
    fs = {"register": ["put", "get", "delete"],
          "cas_register": ["write", "read", "cas"],
          "kv": ["put", "append", "get"],
          "mutex": ["acquire", "release"],
          "multi_register": ["txn"]}[model]
    h = History()
    open_ops = {}
    invoked = 0
    for _ in range(draw(st.integers(1, 14))):
        process = draw(st.sampled_from(["a", "b", "c"]))
        t = len(h)
        if process in open_ops:
            inv = open_ops.pop(process)
            kind = draw(st.sampled_from(["ok", "ok", "ok", "info", "fail"]))
            value = inv.value
            if inv.f == "get" and model == "register":
                value = draw(st.sampled_from([[], [1], [2], [3], [1, 2]]))
            elif inv.f == "read":
                value = draw(st.sampled_from([None, *values]))
            elif inv.f == "get":
                value = draw(st.sampled_from(["", "x", "y", "xy", "yx"]))
            elif inv.f == "txn":   # the completion fills in what each read returned
                value = [(f, r, draw(st.sampled_from([None, 1, 2])) if f == "read" else v)
                         for f, r, v in inv.value]
            h.complete(inv, type=kind, value=value, time=t)
        elif invoked < 6:
            invoked += 1
            f = draw(st.sampled_from(fs))
            if model == "kv":
                value = None if f == "get" else draw(st.sampled_from(["x", "y"]))
            elif f == "txn":
                value = [(draw(st.sampled_from(["read", "write"])), draw(st.sampled_from("xy")),
                          draw(st.sampled_from([1, 2])))
                         for _ in range(draw(st.integers(1, 2)))]
                value = [(f_, r, None if f_ == "read" else v) for f_, r, v in value]
            elif f == "cas":
                value = (draw(st.sampled_from([None, *values])), draw(st.sampled_from(values)))
            elif f in ("put", "write"):
                value = draw(st.sampled_from(values))
            else:
                value = None
            key = draw(st.sampled_from(["k", "k", "j"]))
            open_ops[process] = h.invoke(process=process, f=f, key=key, value=value, time=t)
    return h


@pytest.mark.parametrize("model", MODELS)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_agrees_with_brute_force(model, data):
    h = data.draw(small_histories(model))
    result = linearizable(h, model=model)
    assert result.valid is _brute_force(h, model)
    if result.valid is False:
        assert result.witness and result.explanation


@pytest.mark.parametrize("model", ["cas_register", "multi_register"])
@settings(max_examples=100, deadline=None)
@given(data=st.data(), initial=st.sampled_from([1, 2]))
def test_agrees_with_brute_force_from_an_initial_value(model, data, initial):
    h = data.draw(small_histories(model))
    assert linearizable(h, model=model, initial=initial).valid is _brute_force(h, model, initial)


# ---------------------------------------------------------------------------
# Reading history files.

ETCD_LOG = """\
INFO  jepsen.util - 3\t:invoke\t:write\t4
INFO  jepsen.util - 0\t:invoke\t:read\tnil
INFO  jepsen.util - 0\t:ok\t:read\tnil
INFO  jepsen.util - 1\t:invoke\t:cas\t[4 0]
INFO  jepsen.util - 3\t:ok\t:write\t4
INFO  jepsen.util - 1\t:fail\t:cas\t[4 0]
INFO  jepsen.util - 0\t:invoke\t:read\tnil
INFO  jepsen.util - 0\t:fail\t:read\t:timed-out
INFO  jepsen.util - 2\t:invoke\t:cas\t[4 1]
INFO  jepsen.util - 2\t:info\t:cas\t:timed-out
INFO  jepsen.util - 7\t:invoke\t:write\t2
"""


def test_read_etcd_log(tmp_path):
    path = tmp_path / "run.log"
    path.write_text(ETCD_LOG)
    h = read_history(path)
    assert [(op.process, op.type, op.f, op.key, op.value) for op in h][:6] == [
        ("3", "invoke", "write", None, 4),
        ("0", "invoke", "read", None, None),
        ("0", "ok", "read", None, None),
        ("1", "invoke", "cas", None, (4, 0)),
        ("3", "ok", "write", None, 4),
        ("1", "fail", "cas", None, (4, 0)),
    ]
    assert [op.time for op in h] == list(range(1, 12))
    pairs = {inv.op_id: (inv, comp) for inv, comp in h.pairs()}
    assert len(pairs) == 6
    # Invocation and completion are paired by process.
    assert all(comp is None or comp.op_id == inv.op_id and comp.process == inv.process
               for inv, comp in pairs.values())
    # A read that timed out has an unknown result: recorded as info.
    timed_out_read = h[7]
    assert (timed_out_read.type, timed_out_read.error) == ("info", "timed-out")
    # An info completion keeps the argument it was invoked with.
    assert (h[9].type, h[9].value, h[9].error) == ("info", (4, 1), "timed-out")
    # The last write never completed.
    assert [op.value for op in h.pending] == [2]
    assert linearizable(h, model="cas_register").valid is True


def test_read_edn_history(tmp_path):
    path = tmp_path / "history.txt"
    path.write_text(
        '{:process 0, :type :invoke, :f :append, :key "4", :value "x 0 1 y"}\n'
        '{:process :nemesis, :type :info, :f :start, :value nil}\n'
        '{:process 1, :type :invoke, :f :get, :key "4", :value nil}\n'
        '{:process 0, :type :ok, :f :append, :key "4", :value "x 0 1 y"}\n'
        '{:process 1, :type :ok, :f :get, :key "4", :value "x 0 1 y"}\n'
        '\n'
        '{:process 2, :type :invoke, :f :put, :key "5", :value "say \\"hi\\""}\n')
    h = read_history(path)
    # The nemesis's event is kept (as an invocation and its completion at once), and
    # an EDN event's time is its position among the events.
    assert [(op.process, op.type, op.f, op.key, op.value, op.time) for op in h] == [
        ("0", "invoke", "append", "4", "x 0 1 y", 1.0),
        ("nemesis", "invoke", "start", None, None, 2.0),
        ("nemesis", "info", "start", None, None, 2.0),
        ("1", "invoke", "get", "4", None, 3.0),
        ("0", "ok", "append", "4", "x 0 1 y", 4.0),
        ("1", "ok", "get", "4", "x 0 1 y", 5.0),
        ("2", "invoke", "put", "5", 'say "hi"', 6.0),
    ]
    assert h[0].op_id == h[4].op_id != h[3].op_id == h[5].op_id
    assert linearizable(h, model="kv").valid is True


def test_read_jsonl_written_by_history(tmp_path):
    s = Script()
    s.op("alice", "put", 1)
    path = tmp_path / "h.jsonl"
    s.h.to_jsonl(path)
    assert list(read_history(path)) == list(s.h)


@pytest.mark.parametrize("text, problem", [
    ("INFO  jepsen.util - 0 :invoke :read nil\nthis is not a log line\n", "line 2"),
    ("INFO  jepsen.util - 0 :ok :read nil\n", "never invoked"),
    ("INFO  jepsen.util - 0 :invoke :read nil\nINFO  jepsen.util - 0 :invoke :read nil\n",
     "still open"),
    ("INFO  jepsen.util - 0 :invoke :cas [1 2\n", "never closed"),
    ("INFO  jepsen.util - 0 :invoke :read nil\nINFO  jepsen.util - 0 :ok :write 1\n",
     "does not match"),
    ("INFO  jepsen.util - 0 :invoke :read nil\nINFO  jepsen.util - 0 :done :read 1\n",
     "unknown event type"),
])
def test_bad_jepsen_log(tmp_path, text, problem):
    path = tmp_path / "bad.log"
    path.write_text(text)
    with pytest.raises(ValueError, match=problem) as info:
        read_history(path)
    assert "bad.log" in str(info.value)


@pytest.mark.parametrize("line, problem", [
    ('{:process 0, :type :invoke, :f :get, :key "4" :value}', "key without a value"),
    ('{:process 0, :type :invoke, :key "4"}', "no :f"),
    ('{:process 0, :type :invoke, :f :get, :key "4", :value "unterminated}', "never closed"),
    ('{:process 0, :type "invoke", :f :get}', "keywords"),
    ('{:process 0, :type :invoke, :f :get} extra', "after the value"),
])
def test_bad_edn_line(tmp_path, line, problem):
    path = tmp_path / "bad.edn"
    path.write_text('{:process 1, :type :invoke, :f :get, :key "4", :value nil}\n' + line + "\n")
    with pytest.raises(ValueError, match=problem) as info:
        read_history(path)
    assert "bad.edn, line 2" in str(info.value)


def test_unknown_format_and_empty_file(tmp_path):
    odd = tmp_path / "odd.txt"
    odd.write_text("\nhello world\n")
    with pytest.raises(ValueError, match=r"odd\.txt, line 2: cannot tell the format"):
        read_history(odd)
    empty = tmp_path / "empty.log"
    empty.write_text("  \n")
    with pytest.raises(ValueError, match="empty"):
        read_history(empty)


def test_parsers_take_text_directly():
    h = parse_jepsen_log("INFO  jepsen.util - 0 :invoke :write 1\n")
    assert h.pending[0].value == 1
    h = parse_edn_history('{:process 0, :type :invoke, :f :put, :key 3, :value "a"}')
    assert h.pending[0].key == "3"
    with pytest.raises(ValueError, match="<text>, line 1"):
        parse_edn_history("[1 2]")


# ---------------------------------------------------------------------------
# Initial values, knossos's nil reads, the nemesis, and the new models.

def _sequence(*events):
    """A history from (process, type, f, value) events, one time step each."""
    h, open_ops = History(), {}
    for t, (process, kind, f, value) in enumerate(events):
        process = str(process)       # a History's processes are names
        if kind == "invoke":
            open_ops[process] = h.invoke(process=process, f=f, key=None, value=value, time=t)
        else:
            h.complete(open_ops.pop(process), type=kind, value=value, time=t)
    return h


def test_a_sequential_read_of_the_initial_value():
    h = _sequence((0, "invoke", "read", None), (0, "ok", "read", 0))
    assert linearizable(h).valid is False                  # the register starts at None
    assert linearizable(h, initial=0).valid is True        # as knossos's (register 0)
    assert linearizable(h, model="cas_register", initial=0).valid is True


def test_a_read_of_a_wrong_initial_value():
    h = _sequence((0, "invoke", "read", None), (0, "ok", "read", 1))
    result = linearizable(h, initial=0)
    assert result.valid is False and "initial value 0" in result.explanation


def test_a_crashed_write_may_or_may_not_have_happened():
    crashed = [(0, "invoke", "write", 1), (0, "info", "write", 1)]
    seen = _sequence(*crashed, (1, "invoke", "read", None), (1, "ok", "read", 1))
    unseen = _sequence(*crashed, (1, "invoke", "read", None), (1, "ok", "read", 0))
    flipping = _sequence(*crashed, (1, "invoke", "read", None), (1, "ok", "read", 1),
                         (1, "invoke", "read", None), (1, "ok", "read", 0))
    assert linearizable(seen, initial=0).valid is True
    assert linearizable(unseen, initial=0).valid is True
    assert linearizable(flipping, initial=0).valid is False


def test_knossos_reads_an_ok_read_of_nil_as_unknown():
    h = _sequence((0, "invoke", "write", 3), (0, "ok", "write", 3),
                  (1, "invoke", "read", None), (1, "ok", "read", None))
    assert linearizable(h).valid is False
    assert linearizable(h, nil_reads="unknown").valid is True


def test_the_nemesis_is_not_a_client():
    h = _sequence(("nemesis", "invoke", "start", ("n1", "n2")),
                  (0, "invoke", "write", 1), ("nemesis", "info", "start", ("n1", "n2")),
                  (0, "ok", "write", 1), (1, "invoke", "read", None), (1, "ok", "read", 1))
    assert linearizable(h).valid is True
    assert len(h.to_frame()) == 6


def test_a_mutex_held_twice():
    h = _sequence((0, "invoke", "acquire", None), (0, "ok", "acquire", None),
                  (1, "invoke", "acquire", None), (1, "ok", "acquire", None))
    result = linearizable(h, model="mutex")
    assert result.valid is False and "the lock is held" in result.explanation
    released = _sequence((0, "invoke", "acquire", None), (0, "ok", "acquire", None),
                         (0, "invoke", "release", None), (0, "ok", "release", None),
                         (1, "invoke", "acquire", None), (1, "ok", "acquire", None))
    assert linearizable(released, model="mutex").valid is True


def test_a_torn_transaction_on_two_registers():
    both = [("write", "x", 1), ("write", "y", 2)]
    torn = _sequence((0, "invoke", "txn", both), (0, "ok", "txn", both),
                     (1, "invoke", "txn", [("read", "x", None), ("read", "y", None)]),
                     (1, "ok", "txn", [("read", "x", 1), ("read", "y", None)]))
    result = linearizable(torn, model="multi_register")
    assert result.valid is False and "'x': 1" in result.explanation


@pytest.mark.parametrize("call, fragment", [
    (lambda h: linearizable(h, nil_reads="maybe"), "nil_reads='maybe'"),
    (lambda h: linearizable(h, model="mutex", initial=True), "starts free"),
    (lambda h: linearizable(h, model="kv", initial=0), "initial must be a string"),
    (lambda h: linearizable(h, model="multi_register"), "has no operation 'read'"),
])
def test_options_the_models_refuse(call, fragment):
    h = _sequence((0, "invoke", "read", None), (0, "ok", "read", 0))
    with pytest.raises(ValueError, match=re.escape(fragment)):
        call(h)
