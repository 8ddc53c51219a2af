"""Partition keys and the sequential hot spot, on a hash ring and on range partitions."""

import hashlib

import pytest

from dynamo_lab.experiments.key_design import MAX_BUSIEST_SHARE, events_of_a_day, judge_key_design


@pytest.mark.parametrize("key_fn", [
    lambda user_id, created_at: (user_id, created_at),
    lambda user_id, created_at: (hashlib.md5(user_id.encode()).hexdigest()[:4] + user_id,
                                 created_at),
    lambda user_id, created_at: (f"{user_id}#{created_at[:10]}", created_at),
], ids=["user", "hashed user", "user and day"])
def test_a_high_cardinality_prefix_spreads_writes_and_keeps_one_scan_per_user(key_fn):
    report = judge_key_design(key_fn)
    assert report.ok, report.problems
    assert report.hash_share <= MAX_BUSIEST_SHARE and report.range_share <= MAX_BUSIEST_SHARE
    assert len(report.hours) == 24


def test_a_date_as_partition_key_sends_every_write_to_one_place():
    report = judge_key_design(lambda user_id, created_at: (created_at[:10], created_at))
    assert (report.hash_share, report.range_share) == (1.0, 1.0)
    assert report.scan_ok                      # all of a user's day is in one partition...
    assert "sequential hot spot" in report.problems[0]   # ...with everyone else's


def test_a_timestamp_first_spreads_on_a_hash_ring_but_not_on_range_partitions():
    report = judge_key_design(lambda user_id, created_at: (created_at, user_id))
    assert report.hash_share <= MAX_BUSIEST_SHARE
    assert report.range_share == 1.0
    assert not report.scan_ok
    assert any("last range" in p for p in report.problems)
    assert any("scatter-gather" in p for p in report.problems)


def test_sort_keys_must_order_a_users_events_by_time():
    report = judge_key_design(lambda user_id, created_at: (user_id, "event"))
    assert report.hash_share <= MAX_BUSIEST_SHARE and not report.scan_ok
    assert report.problems == [p for p in report.problems if "sort keys" in p]
    backwards = judge_key_design(
        lambda user_id, created_at: (user_id, str(10**14 - int(
            created_at.replace("-", "").replace("T", "").replace(":", "")))))
    assert not backwards.scan_ok


def test_a_day_of_events_is_seeded_and_in_time_order():
    day = events_of_a_day(events=50, users=5, seed=3)
    assert day == events_of_a_day(events=50, users=5, seed=3)
    assert day != events_of_a_day(events=50, users=5, seed=4)
    assert [e.created_at for e in day] == sorted(e.created_at for e in day)
    assert {e.user_id for e in day} <= {f"user{i:04d}" for i in range(5)}


@pytest.mark.parametrize("call, message", [
    (lambda: judge_key_design(lambda u, t: u), "must return \\(partition_key, sort_key\\)"),
    (lambda: judge_key_design("user_id"), "key_fn must be a function"),
    (lambda: judge_key_design(lambda u, t: (u, t), nodes=1), "nodes must be"),
    (lambda: events_of_a_day("May 2nd"), "day must be a date"),
    (lambda: events_of_a_day(events=0), "events must be"),
])
def test_bad_input_is_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()
