"""The scan: the database agrees with the policy, catches up, and creates each reminder once."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from reminders.models import Reminder
from reminders.policy import current_policy, milestone_escalation, milestone_owner_reminder
from reminders.services import scan_reminders
from tests.factories import AgreementFactory, PersonFactory
from tests.reminders.conftest import LONDON, SYDNEY, at

D = dt.date
TICK = dt.timedelta(minutes=15)


def rows(**filters):
    return sorted(
        Reminder.objects.filter(**filters).values_list(
            "milestone_id", "agreement_id", "recipient_id", "kind", "local_date"
        ),
        key=str,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("zone", "due_on", "kind", "fires_on"),
    [
        (LONDON, D(2027, 3, 31), "due_1", D(2027, 3, 30)),
        (LONDON, D(2027, 11, 1), "due_today", D(2027, 11, 1)),
        (SYDNEY, D(2027, 4, 5), "due_1", D(2027, 4, 4)),
        (SYDNEY, D(2027, 10, 2), "overdue", D(2027, 10, 3)),
    ],
)
def test_scan_creates_a_reminder_at_local_midnight_of_its_date_once(
    zone, due_on, kind, fires_on, make_milestone
):
    owner = PersonFactory(institute__time_zone=zone, time_zone=zone)
    milestone = make_milestone(owner, due_on)
    midnight = at(zone, fires_on.year, fires_on.month, fires_on.day)
    scan_reminders(now=midnight - TICK)
    assert (milestone.pk, None, owner.pk, kind, fires_on) not in rows()
    assert scan_reminders(now=midnight).by_kind == {kind: 1}
    assert scan_reminders(now=midnight + TICK).created == 0
    assert rows(kind=kind) == [(milestone.pk, None, owner.pk, kind, fires_on)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("zone", "change"),
    [(LONDON, at(LONDON, 2027, 3, 28, 3)), (SYDNEY, at(SYDNEY, 2027, 10, 3, 4))],
)
def test_scan_at_every_tick_around_a_dst_change_matches_the_policy(zone, change, make_milestone):
    policy = current_policy()
    manager = PersonFactory(institute__time_zone=zone, time_zone=zone)
    owner = PersonFactory(institute=manager.institute, manager=manager, time_zone=zone)
    change_day = change.astimezone(ZoneInfo(zone)).date()
    milestones = [
        make_milestone(owner, change_day + dt.timedelta(days=offset))
        for offset in (-15, -14, -1, 0, 1, 7, 30)
    ]
    expected = set()
    now = change - dt.timedelta(hours=26)
    while now <= change + dt.timedelta(hours=26):
        scan_reminders(now=now)
        today = now.astimezone(ZoneInfo(zone)).date()
        for milestone in milestones:
            owner_due = milestone_owner_reminder(
                due_on=milestone.due_on, today=today, policy=policy
            )
            if owner_due:
                expected.add((milestone.pk, None, owner.pk, owner_due.kind, owner_due.on))
            escalation = milestone_escalation(
                due_on=milestone.due_on, owner_today=today, policy=policy
            )
            if escalation:
                expected.add((milestone.pk, None, manager.pk, escalation.kind, escalation.on))
        now += TICK
    assert rows() == sorted(expected, key=str)


@pytest.mark.django_db
def test_scan_catches_up_missed_days_once(london_owner, make_milestone):
    milestone = make_milestone(london_owner, D(2027, 3, 31))
    # The worker was down from 23 to 27 Mar: the 24 Mar "due in 7 days" is made late, once.
    scan_reminders(now=at(LONDON, 2027, 3, 22, 12))
    scan_reminders(now=at(LONDON, 2027, 3, 27, 12))
    scan_reminders(now=at(LONDON, 2027, 3, 28, 12))
    assert rows() == [
        (milestone.pk, None, london_owner.pk, "due_30", D(2027, 3, 1)),
        (milestone.pk, None, london_owner.pk, "due_7", D(2027, 3, 24)),
    ]
    # Down again for three weeks: only the newest overdue reminder appears.
    scan_reminders(now=at(LONDON, 2027, 4, 20, 12))
    assert rows(kind="overdue") == [
        (milestone.pk, None, london_owner.pk, "overdue", D(2027, 4, 15))
    ]


@pytest.mark.django_db
def test_scan_leaves_out_done_and_cancelled_milestones(london_owner, make_milestone):
    make_milestone(london_owner, D(2027, 3, 31), status="done", done_on=D(2027, 3, 20))
    make_milestone(london_owner, D(2027, 3, 31), status="cancelled", status_reason="Dropped.")
    assert scan_reminders(now=at(LONDON, 2027, 4, 20, 12)).created == 0


@pytest.mark.django_db
def test_scan_escalates_to_the_manager_and_lead_contacts_after_14_days_late(make_milestone):
    london = PersonFactory(institute__short_name="UKE", time_zone=LONDON).institute
    manager = PersonFactory(institute=london, name="Manager", time_zone=SYDNEY)
    owner = PersonFactory(institute=london, manager=manager, time_zone=LONDON)
    contact = PersonFactory(institute=london, is_contact=True, name="Contact")
    PersonFactory(institute=london, name="Bystander")
    milestone = make_milestone(owner, D(2027, 3, 31))
    # 14 April: late for 14 days but not 14 whole days in London.
    scan_reminders(now=at(LONDON, 2027, 4, 14, 23, 45))
    assert rows(kind="escalation") == []
    scan_reminders(now=at(LONDON, 2027, 4, 15, 0, 0))
    assert rows(kind="escalation") == sorted(
        [
            (milestone.pk, None, manager.pk, "escalation", D(2027, 4, 15)),
            (milestone.pk, None, contact.pk, "escalation", D(2027, 4, 15)),
        ],
        key=str,
    )
    scan_reminders(now=at(LONDON, 2027, 5, 30))
    assert Reminder.objects.filter(kind="escalation").count() == 2


@pytest.mark.django_db
def test_scan_reminds_party_contacts_of_agreement_review_and_expiry():
    london = PersonFactory(time_zone=LONDON, is_contact=True).institute
    sydney_contact = PersonFactory(
        institute__short_name="AUY", institute__time_zone=SYDNEY, time_zone=SYDNEY, is_contact=True
    )
    PersonFactory(institute=london)  # not a contact
    agreement = AgreementFactory(
        parties=[london, sydney_contact.institute],
        review_on=D(2027, 6, 30),
        expires_on=D(2027, 12, 31),
        effective_on=D(2026, 5, 25),
    )
    london_contact = london.people.get(is_contact=True)
    # 1 Apr 2027 has begun in Sydney but not yet in London.
    scan_reminders(now=at(SYDNEY, 2027, 4, 1, 1))
    assert rows() == [(None, agreement.pk, sydney_contact.pk, "agreement_review_90", D(2027, 4, 1))]
    scan_reminders(now=at(LONDON, 2027, 4, 1, 1))
    assert len(rows(kind="agreement_review_90")) == 2
    scan_reminders(now=at(LONDON, 2027, 10, 2, 1))
    assert rows(kind="agreement_expiry_90") == sorted(
        [
            (None, agreement.pk, london_contact.pk, "agreement_expiry_90", D(2027, 10, 2)),
            (None, agreement.pk, sydney_contact.pk, "agreement_expiry_90", D(2027, 10, 2)),
        ],
        key=str,
    )


@pytest.mark.django_db
def test_scan_run_twice_creates_each_reminder_once(london_owner, make_milestone):
    for day in (1, 2, 3):
        make_milestone(london_owner, D(2027, 3, day))
    first = scan_reminders(now=at(LONDON, 2027, 3, 2, 9))
    second = scan_reminders(now=at(LONDON, 2027, 3, 2, 9))
    assert first.created == 3
    assert second.created == 0
    assert Reminder.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_scan_in_two_threads_at_once_creates_each_reminder_once(london_owner, make_milestone):
    for day in range(1, 29):
        make_milestone(london_owner, D(2027, 3, day))
    now = at(LONDON, 2027, 3, 15, 9)
    barrier = threading.Barrier(2)
    results = []
    errors = []

    def scan() -> None:
        try:
            barrier.wait()
            results.append(scan_reminders(now=now).created)
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(results) == 28
    assert Reminder.objects.count() == 28
    assert (
        Reminder.objects.values("milestone", "kind", "recipient", "local_date").distinct().count()
        == 28
    )


def _many_milestones(count: int, make_milestone) -> None:
    manager = PersonFactory(time_zone=LONDON)
    owners = [
        PersonFactory(institute=manager.institute, manager=manager, time_zone=zone)
        for zone in (LONDON, SYDNEY)
    ]
    PersonFactory(institute=manager.institute, is_contact=True)
    for index in range(count):
        make_milestone(owners[index % 2], D(2027, 3, 1) + dt.timedelta(days=index % 60))


@pytest.mark.django_db
@pytest.mark.parametrize("count", [10, 200])
def test_scan_query_count_does_not_grow_with_milestones(
    count, make_milestone, django_assert_num_queries
):
    _many_milestones(count, make_milestone)
    # Reads: owner, escalation to managers, to contacts, agreement review, expiry,
    # secondments near their dates, secondments awaiting re-approval (none here); one
    # insert; one count of what was inserted; plus the transaction's savepoint pair.
    with django_assert_num_queries(11):
        result = scan_reminders(now=at(LONDON, 2027, 4, 20, 12))
    assert result.created >= count
    # An idle tick: the seven reads (each finds nothing) and the savepoint pair.
    with django_assert_num_queries(9):
        assert scan_reminders(now=at(LONDON, 2027, 4, 20, 12, 15)).created == 0


@pytest.mark.django_db
def test_scan_reminds_exchange_coordinators_before_a_secondment_starts_and_ends():
    from django.utils import timezone

    from tests.factories import InstituteFactory, SecondmentFactory, UserFactory

    london = InstituteFactory(short_name="UKS", country="GB", time_zone=LONDON)
    sydney = InstituteFactory(short_name="AUS", country="AU", time_zone=SYDNEY)
    agreement = AgreementFactory(parties=[london, sydney])
    home = PersonFactory(institute=london, user=UserFactory(roles=["Exchange coordinator"]))
    host = PersonFactory(
        institute=sydney, time_zone=SYDNEY, user=UserFactory(roles=["Exchange coordinator"])
    )
    PersonFactory(institute=london)  # not a coordinator
    approved = timezone.now()
    secondment = SecondmentFactory(
        agreement=agreement,
        status="approved",
        home_approved_at=approved,
        host_approved_at=approved,
        planned_start_on=D(2027, 4, 5),
        planned_end_on=D(2027, 6, 30),
    )
    # 22 Mar 2027 (14 days before the start) has begun in Sydney, not yet in London.
    scan_reminders(now=at(SYDNEY, 2027, 3, 22, 0, 15))
    assert rows() == [(None, None, host.pk, "secondment_start_14", D(2027, 3, 22))]
    scan_reminders(now=at(LONDON, 2027, 3, 22, 0, 15))
    scan_reminders(now=at(LONDON, 2027, 3, 30, 12))
    assert sorted(
        Reminder.objects.filter(secondment=secondment).values_list("recipient_id", "kind")
    ) == sorted([(host.pk, "secondment_start_14"), (home.pk, "secondment_start_14")])
    scan_reminders(now=at(LONDON, 2027, 6, 16, 12))
    assert Reminder.objects.filter(kind="secondment_end_14").count() == 2
