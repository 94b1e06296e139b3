"""The reminder policy as a table, and properties across every DST change 2024–2040."""

from __future__ import annotations

import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reminders.policy import (
    Due,
    Policy,
    agreement_reminders,
    current_policy,
    local_date_at,
    milestone_escalation,
    milestone_owner_reminder,
    secondment_reminder,
)
from tests.reminders.conftest import LONDON, SYDNEY, at

D = dt.date
TICK = dt.timedelta(minutes=15)


def _current(kind_family: str, zone: str, subject_on: D, now: dt.datetime, policy: Policy):
    today = local_date_at(now, zone)
    if kind_family == "owner":
        due = milestone_owner_reminder(due_on=subject_on, today=today, policy=policy)
        return [due] if due else []
    if kind_family == "escalation":
        due = milestone_escalation(due_on=subject_on, owner_today=today, policy=policy)
        return [due] if due else []
    if kind_family.startswith("secondment:"):
        event = kind_family.split(":")[1]
        due = secondment_reminder(event=event, on=subject_on, today=today, policy=policy)
        return [due] if due else []
    what, on = kind_family.split(":")[1], subject_on
    return agreement_reminders(
        review_on=on if what == "review" else None,
        expires_on=on if what == "expiry" else None,
        today=today,
        policy=policy,
    )


def first_fired(family: str, zone: str, subject_on: D, start: dt.datetime, end: dt.datetime):
    """Run the policy at every 15-minute UTC tick from start to end, as beat would; return
    {Due: first tick at which it was current}."""
    policy = current_policy()
    fired: dict[Due, dt.datetime] = {}
    now = start
    while now <= end:
        for due in _current(family, zone, subject_on, now, policy):
            fired.setdefault(due, now)
        now += TICK
    return fired


# (zone, family, subject date, kind, local date it fires). The subject dates put trigger
# dates on both sides of each DST change and across month ends: London changes on
# 28 Mar and 31 Oct 2027, Sydney on 4 Apr and 3 Oct 2027.
POLICY_TABLE = [
    (LONDON, "owner", D(2027, 3, 31), "due_30", D(2027, 3, 1)),
    (LONDON, "owner", D(2027, 3, 31), "due_7", D(2027, 3, 24)),
    (LONDON, "owner", D(2027, 3, 31), "due_1", D(2027, 3, 30)),
    (LONDON, "owner", D(2027, 3, 31), "due_today", D(2027, 3, 31)),
    (LONDON, "owner", D(2027, 3, 31), "overdue", D(2027, 4, 1)),
    (LONDON, "owner", D(2027, 3, 31), "overdue", D(2027, 4, 8)),
    (LONDON, "escalation", D(2027, 3, 31), "escalation", D(2027, 4, 15)),
    (LONDON, "owner", D(2027, 3, 28), "due_today", D(2027, 3, 28)),
    (LONDON, "owner", D(2027, 3, 27), "overdue", D(2027, 3, 28)),
    (LONDON, "owner", D(2027, 11, 1), "due_1", D(2027, 10, 31)),
    (LONDON, "owner", D(2027, 11, 1), "due_today", D(2027, 11, 1)),
    (LONDON, "owner", D(2027, 10, 31), "overdue", D(2027, 11, 1)),
    (LONDON, "owner", D(2027, 11, 7), "due_7", D(2027, 10, 31)),
    (LONDON, "escalation", D(2027, 10, 16), "escalation", D(2027, 10, 31)),
    (SYDNEY, "owner", D(2027, 4, 5), "due_30", D(2027, 3, 6)),
    (SYDNEY, "owner", D(2027, 4, 5), "due_1", D(2027, 4, 4)),
    (SYDNEY, "owner", D(2027, 4, 5), "due_today", D(2027, 4, 5)),
    (SYDNEY, "owner", D(2027, 3, 31), "due_today", D(2027, 3, 31)),
    (SYDNEY, "owner", D(2027, 3, 31), "overdue", D(2027, 4, 1)),
    (SYDNEY, "owner", D(2027, 3, 31), "overdue", D(2027, 4, 8)),
    (SYDNEY, "escalation", D(2027, 3, 20), "escalation", D(2027, 4, 4)),
    (SYDNEY, "owner", D(2027, 10, 4), "due_1", D(2027, 10, 3)),
    (SYDNEY, "owner", D(2027, 10, 4), "due_today", D(2027, 10, 4)),
    (SYDNEY, "owner", D(2027, 10, 10), "due_7", D(2027, 10, 3)),
    (SYDNEY, "owner", D(2027, 10, 2), "overdue", D(2027, 10, 3)),
    (LONDON, "agreement:review", D(2027, 6, 30), "agreement_review_90", D(2027, 4, 1)),
    (LONDON, "agreement:review", D(2027, 6, 30), "agreement_review_30", D(2027, 5, 31)),
    (SYDNEY, "agreement:expiry", D(2027, 12, 31), "agreement_expiry_90", D(2027, 10, 2)),
    (SYDNEY, "agreement:expiry", D(2027, 12, 31), "agreement_expiry_30", D(2027, 12, 1)),
    (SYDNEY, "agreement:review", D(2027, 7, 3), "agreement_review_90", D(2027, 4, 4)),
    (SYDNEY, "secondment:start", D(2027, 10, 17), "secondment_start_14", D(2027, 10, 3)),
    (LONDON, "secondment:end", D(2027, 4, 11), "secondment_end_14", D(2027, 3, 28)),
    (LONDON, "secondment:start", D(2027, 11, 14), "secondment_start_14", D(2027, 10, 31)),
]


@pytest.mark.parametrize(("zone", "family", "subject_on", "kind", "fires_on"), POLICY_TABLE)
def test_policy_fires_each_kind_at_local_midnight_of_its_date(
    zone, family, subject_on, kind, fires_on
):
    midnight = at(zone, fires_on.year, fires_on.month, fires_on.day)
    fired = first_fired(
        family, zone, subject_on, midnight - dt.timedelta(days=2), midnight + 2 * TICK
    )
    assert fired[Due(fires_on, kind)] == midnight
    # Nothing of this kind, for that date, was current a tick earlier: no early firing.
    assert Due(fires_on, kind) not in first_fired(
        family, zone, subject_on, midnight - dt.timedelta(days=2), midnight - TICK
    )


def test_policy_owner_schedule_of_a_milestone_due_on_a_month_end():
    policy = current_policy()
    fired = first_fired(
        "owner", LONDON, D(2027, 3, 31), at(LONDON, 2027, 2, 20), at(LONDON, 2027, 4, 20)
    )
    assert sorted((due.on, due.kind) for due in fired) == [
        (D(2027, 3, 1), "due_30"),
        (D(2027, 3, 24), "due_7"),
        (D(2027, 3, 30), "due_1"),
        (D(2027, 3, 31), "due_today"),
        (D(2027, 4, 1), "overdue"),
        (D(2027, 4, 8), "overdue"),
        (D(2027, 4, 15), "overdue"),
    ]
    assert policy.escalation_offset == 15


def test_policy_catches_up_a_missed_day_once_and_skips_stale_reminders():
    policy = current_policy()
    due_on = D(2027, 3, 31)
    # Nobody scanned on 30 Mar: the first scan on 31 Mar sees "due today", and "due
    # tomorrow" is no longer current (its window closed at the next trigger).
    assert milestone_owner_reminder(due_on=due_on, today=D(2027, 3, 31), policy=policy) == Due(
        D(2027, 3, 31), "due_today"
    )
    # Nobody scanned from 25 to 29 Mar: "due in 7 days" (24 Mar) is still created once,
    # keyed by its own date, however many of those days a scan runs.
    for today in (D(2027, 3, 25), D(2027, 3, 27), D(2027, 3, 29)):
        assert milestone_owner_reminder(due_on=due_on, today=today, policy=policy) == Due(
            D(2027, 3, 24), "due_7"
        )
    # Weeks down: only the newest overdue reminder is current.
    assert milestone_owner_reminder(due_on=due_on, today=D(2027, 5, 3), policy=policy) == Due(
        D(2027, 4, 29), "overdue"
    )


# Every DST change in both zones, 2024–2040.
@cache
def dst_changes() -> list[tuple[str, dt.datetime]]:
    changes = []
    for zone in (LONDON, SYDNEY):
        tz = ZoneInfo(zone)
        instant = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
        end = dt.datetime(2041, 1, 1, tzinfo=dt.UTC)
        step = dt.timedelta(days=1)
        while instant < end:
            later = instant + step
            if instant.astimezone(tz).utcoffset() != later.astimezone(tz).utcoffset():
                low, high = instant, later
                while high - low > TICK:
                    mid = low + (high - low) / 2
                    if low.astimezone(tz).utcoffset() == mid.astimezone(tz).utcoffset():
                        low = mid
                    else:
                        high = mid
                changes.append((zone, high))
            instant = later
    return changes


def test_dst_changes_cover_both_zones_every_year():
    changes = dst_changes()
    assert len(changes) == 2 * 17 * 2


def _on_the_quarter_hour(instant: dt.datetime) -> dt.datetime:
    return instant.replace(minute=instant.minute - instant.minute % 15, second=0, microsecond=0)


def _assert_fires_exactly_once_in_order(family: str, zone: str, subject_on: D, change):
    """At every 15-minute tick from two days before a DST change to two days after, each
    reminder is current for one unbroken run of ticks starting at local midnight of its
    own date: so a scan creates it once, on its date, without the unique key's help."""
    policy = current_policy()
    tz = ZoneInfo(zone)
    start = _on_the_quarter_hour(change - dt.timedelta(days=2))
    end = change + dt.timedelta(days=2)
    runs: dict[Due, list[int]] = {}
    now, index, last_day = start, 0, None
    while now <= end:
        today = now.astimezone(tz).date()
        if last_day is not None:
            assert (today - last_day).days in (0, 1), "a local date was skipped or repeated"
        last_day = today
        for due in _current(family, zone, subject_on, now, policy):
            runs.setdefault(due, []).append(index)
        now += TICK
        index += 1
    for due, ticks in runs.items():
        assert ticks == list(range(ticks[0], ticks[0] + len(ticks))), due
        first = start + ticks[0] * TICK
        if ticks[0] > 0:
            assert first.astimezone(tz).date() == due.on
            assert first.astimezone(tz).time() == dt.time(0, 0)


@pytest.mark.parametrize("offset", [-16, -15, -8, -2, -1, 0, 1, 2, 7, 8, 30, 31])
def test_policy_every_dst_change_2024_2040_fires_each_reminder_once(offset):
    for zone, change in dst_changes():
        local_day = change.astimezone(ZoneInfo(zone)).date()
        subject_on = local_day + dt.timedelta(days=offset)
        _assert_fires_exactly_once_in_order("owner", zone, subject_on, change)
        _assert_fires_exactly_once_in_order("escalation", zone, subject_on, change)


@settings(max_examples=150, deadline=None)
@given(
    change_index=st.integers(min_value=0, max_value=2 * 17 * 2 - 1),
    offset=st.integers(min_value=-40, max_value=100),
    family=st.sampled_from(
        ["owner", "escalation", "agreement:review", "agreement:expiry", "secondment:start"]
    ),
)
def test_policy_property_each_reminder_fires_once_around_any_dst_change(
    change_index, offset, family
):
    zone, change = dst_changes()[change_index]
    subject_on = change.astimezone(ZoneInfo(zone)).date() + dt.timedelta(days=offset)
    _assert_fires_exactly_once_in_order(family, zone, subject_on, change)
