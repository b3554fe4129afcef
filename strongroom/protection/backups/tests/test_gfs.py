"""Grandfather-father-son retention, with time passed in."""

from __future__ import annotations

import datetime as dt

from strongroom.protection.backups.internal.gfs import Policy, gfs_keep

NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)


def _id(at: dt.datetime, n: int = 0) -> str:
    return at.strftime("%Y%m%dT%H%M%SZ") + f"-{n:06x}"


def test_every_quarter_hour_for_a_year():
    ids = [_id(NOW - dt.timedelta(minutes=15 * i)) for i in range(4 * 24 * 400)]
    keep = gfs_keep(ids, now=NOW)
    # 96 quarter-hours (the last day), then one a day for 14 days, 8 weeks, 12 months
    assert ids[0] in keep and all(i in keep for i in ids[:96])
    assert 96 + 13 <= len(keep) <= 96 + 14 + 8 + 12
    days = {k[:8] for k in keep}
    assert len(days) >= 14
    oldest = min(keep)
    assert oldest < _id(NOW - dt.timedelta(days=300))  # a monthly one from ~a year ago
    assert oldest > _id(NOW - dt.timedelta(days=370))


def test_stopped_backups_are_not_pruned_by_time_passing():
    ids = [_id(NOW - dt.timedelta(days=100, minutes=15 * i)) for i in range(10)]
    assert gfs_keep(ids, now=NOW) == set(ids)


def test_small_policy_and_future_ids():
    ids = [_id(NOW - dt.timedelta(hours=i)) for i in range(10)]
    future = _id(NOW + dt.timedelta(hours=1))
    keep = gfs_keep([*ids, future], now=NOW, policy=Policy(quarter_hours=2, daily=1,
                                                           weekly=1, monthly=1))
    assert keep == {future, ids[0], ids[1]}
    assert gfs_keep([], now=NOW) == set()
