"""Session guarantees: the two checkers, and the trial that lesson 08 measures."""

import pytest

import dynamo_lab as dl
from dynamo_lab.checks.session_guarantees import (monotonic_read_violations,
                                                  read_your_writes_violations, session_violations)
from dynamo_lab.experiments.session_guarantees import (compare_session_guarantees,
                                                       count_session_violations,
                                                       find_session_violation, session_trial)
from histories import history_of


def test_read_your_writes_needs_an_acknowledged_own_write_before_the_read():
    h = history_of(("alice", "put", "old", "ok", "old", 0, 1),
                   ("alice", "put", "new", "ok", "new", 2, 3),
                   ("alice", "get", None, "ok", ["old"], 4, 5),     # broken
                   ("bob", "get", None, "ok", ["old"], 4, 5),       # bob wrote nothing
                   ("carol", "put", "c1", "info", None, 6, 9),      # never acknowledged
                   ("carol", "get", None, "ok", ["new"], 10, 11))
    found = read_your_writes_violations(h)
    assert [(v.process, v.later.value) for v in found] == [("alice", ["old"])]
    assert found[0].earlier.value == "new" and "own write 'new'" in found[0].explanation


def test_a_newer_write_by_someone_else_satisfies_read_your_writes():
    h = history_of(("alice", "put", "a", "ok", "a", 0, 1),
                   ("bob", "put", "b", "ok", "b", 1.5, 2),
                   ("alice", "get", None, "ok", ["b"], 3, 4))
    assert read_your_writes_violations(h) == []
    # ... but a read started before the write was acknowledged owes it nothing.
    h = history_of(("alice", "put", "a", "ok", "a", 0, 5),
                   ("alice", "get", None, "ok", [], 1, 2))
    assert read_your_writes_violations(h) == []


def test_monotonic_reads_are_checked_per_client():
    h = history_of(("w", "put", "old", "ok", "old", 0, 1),
                   ("w", "put", "new", "ok", "new", 2, 3),
                   ("bob", "get", None, "ok", ["new"], 4, 5),
                   ("carol", "get", None, "ok", ["old"], 6, 7),   # another client: allowed
                   ("bob", "get", None, "ok", ["new"], 6, 7),
                   ("bob", "get", None, "ok", ["old"], 8, 9))     # bob went back
    found = monotonic_read_violations(h)
    assert [(v.process, v.earlier.value, v.later.value) for v in found] == [
        ("bob", ["new"], ["old"])]
    assert "went back in time" in found[0].explanation
    assert session_violations(h) == found


def test_an_empty_first_read_and_overlapping_reads_set_no_expectation():
    h = history_of(("w", "put", "new", "ok", "new", 0, 10),
                   ("bob", "get", None, "ok", [], 1, 2),
                   ("bob", "get", None, "ok", ["new"], 3, 6),
                   ("bob", "get", None, "ok", ["new"], 5, 7))
    assert monotonic_read_violations(h) == []


def test_sticky_routing_to_a_replica_keeps_both_guarantees_at_r_w_1():
    loose = count_session_violations(range(60), r=1, w=1, routing="random")
    sticky = count_session_violations(range(60), r=1, w=1, routing="sticky")
    assert loose.read_your_writes > 0 and loose.monotonic_reads > 0
    assert (sticky.read_your_writes, sticky.monotonic_reads) == (0, 0)


def test_overlapping_quorums_always_read_your_writes():
    counts = count_session_violations(range(60), r=2, w=2, routing="random",
                                      latency=dl.latency.LNKD_DISK)
    assert counts.read_your_writes == 0 and counts.trials == 60


def test_a_trial_is_deterministic_and_its_frame_shows_the_violation():
    a = session_trial(0, r=1, w=1, routing="random")
    b = session_trial(0, r=1, w=1, routing="random")
    assert a.cluster.history.to_jsonl() == b.cluster.history.to_jsonl()
    frame = a.to_frame()
    assert list(frame.client) == ["alice", "bob", "alice", "bob", "bob"]
    assert set(frame.broke) - {""} == a.kinds()
    assert frame.start_ms.min() == 0.0


def test_find_and_compare():
    trial = find_session_violation("read-your-writes", r=1, w=1, routing="random")
    assert "read-your-writes" in trial.kinds()
    assert find_session_violation("monotonic reads", range(10), r=1, w=1,
                                  routing="sticky") is None
    table = compare_session_guarantees([{"r": 1, "w": 1, "routing": "sticky"},
                                        {"r": 2, "w": 2, "read_repair": "blocking"}], range(5))
    assert list(table["trials"]) == [5, 5] and list(table["read repair"]) == ["async", "blocking"]


@pytest.mark.parametrize("options, message", [
    (dict(routing="nearest"), "routing='nearest' is not allowed"),
    (dict(r=4), "r=4 is not allowed"),
    (dict(reads=1), "reads must be a whole number >= 2"),
    (dict(gap_ms=-1), "gap_ms must be a number >= 0"),
    (dict(read_repair="lazy"), "read_repair='lazy' is not allowed"),
    (dict(nodes=3, routing="sticky_outside"), "needs a node that is not a replica"),
    (dict(nodes=2), "nodes must be a whole number >= N=3"),
])
def test_bad_options(options, message):
    with pytest.raises(ValueError, match=message):
        session_trial(0, **options)


def test_bad_arguments_to_the_checkers_and_helpers():
    with pytest.raises(ValueError, match="expected a History"):
        read_your_writes_violations([1, 2])
    with pytest.raises(ValueError, match="kind='stale' is not allowed"):
        find_session_violation("stale")
    with pytest.raises(ValueError, match="seeds is empty"):
        count_session_violations([])
    with pytest.raises(ValueError, match="must be a dict"):
        compare_session_guarantees([(1, 1)])
