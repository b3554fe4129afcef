"""Grandfather-father-son retention: which backups to keep.

Kept: the newest backup of each of the ``quarter_hours`` most recent 15-minute slots that
hold a backup, of the ``daily`` most recent days, ``weekly`` ISO weeks and ``monthly``
months (a backup may count for several), and always the newest. Slots are counted among
those with a backup, not on the calendar: if backups stop, time passing prunes nothing.
Everything else is pruned. Pure: time passed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Policy:
    quarter_hours: int = 96
    daily: int = 14
    weekly: int = 8
    monthly: int = 12


def backup_time(backup_id: str) -> dt.datetime:
    return dt.datetime.strptime(backup_id[:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)


def gfs_keep(ids: Iterable[str], *, now: dt.datetime, policy: Policy = Policy()) -> set[str]:
    ordered = sorted(ids, reverse=True)  # ids sort by time: newest first
    if not ordered:
        return set()
    keep = {ordered[0]}
    rules: list[tuple[int, Callable[[dt.datetime], object]]] = [
        (policy.quarter_hours, lambda t: (t.date(), t.hour, t.minute // 15)),
        (policy.daily, lambda t: t.date()),
        (policy.weekly, lambda t: t.isocalendar()[:2]),
        (policy.monthly, lambda t: (t.year, t.month)),
    ]
    for count, slot_of in rules:
        slots: set[object] = set()
        for backup_id in ordered:
            when = backup_time(backup_id)
            if when > now:
                keep.add(backup_id)  # a clock ahead of ours: never prune the future
                continue
            slot = slot_of(when)
            if slot not in slots:
                if len(slots) >= count:
                    break
                slots.add(slot)
                keep.add(backup_id)
    return keep
