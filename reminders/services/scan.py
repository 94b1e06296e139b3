"""The scan: create every reminder that is current, in a few set-based queries.

It asks, in SQL, the questions ``reminders.policy`` answers in Python: for each open
milestone, the owner's local date now (``core.db.local_date`` on the owner's time zone),
which reminder of the series is current, and its trigger date; rows that already exist are
left out with ``NOT EXISTS`` (on the partial unique index), so an idle tick reads and writes
almost nothing. What remains is inserted with ``ON CONFLICT DO NOTHING``, so a concurrent
scan (or a second beat) cannot create a reminder twice.

The number of queries does not depend on the number of milestones: one read per family of
reminders (owner, escalation to managers, escalation to contacts, agreement review,
agreement expiry), one to three for secondments (exchanges' selector), one insert per
~5,000 new rows, one count.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import (
    Case,
    DateField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models import Count as CountOf
from django.utils import timezone

from core.db import local_date
from exchanges.selectors import (
    secondments_awaiting_reapproval,
    secondments_starting_or_ending_within,
)
from institutes.models import Person
from mou.choices import AgreementStatus
from mou.models import Milestone
from reminders.choices import SECONDMENT_KINDS, ReminderKind
from reminders.models import Reminder
from reminders.policy import Policy, current_policy, local_date_at, secondment_reminder


class DaysBetween(Func):
    """``later - earlier`` for two dates, in whole days (PostgreSQL's date - date)."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = IntegerField()


class PlusDays(Func):
    """``date + days`` (PostgreSQL's date + integer is a date)."""

    arg_joiner = " + "
    template = "(%(expressions)s)"
    output_field = DateField()


def _days_since_first_overdue(every: int) -> Func:
    """For a late milestone (days_until < 0): days from its due date to the current overdue
    reminder, ``1 + every * ((days_late - 1) div every)``, as in ``policy``."""
    every = int(every)
    return Func(
        F("days_until"),
        template=f"(1 + {every} * ((-(%(expressions)s) - 1) / {every}))",
        output_field=IntegerField(),
    )


def _not_reminded(subject: str, kind: object, recipient: str) -> Exists:
    return ~Exists(
        Reminder.objects.filter(
            **{subject: OuterRef("subject_id")},
            kind=kind,
            recipient=OuterRef(recipient),
            local_date=OuterRef("trigger_on"),
        )
    )


def owner_reminders_due(*, now: datetime, policy: Policy) -> QuerySet:
    """Open milestones whose owner has a current reminder not yet created."""
    whens_kind = []
    whens_trigger = []
    befores = policy.due_days_before
    for index, days in enumerate(befores):
        next_days = befores[index + 1] if index + 1 < len(befores) else 0
        window = Q(days_until__gt=next_days, days_until__lte=days)
        whens_kind.append(When(window, then=Value(policy.due_kinds[days])))
        whens_trigger.append(When(window, then=PlusDays(F("due_on"), Value(-days))))
    whens_kind.append(When(days_until=0, then=Value(ReminderKind.DUE_TODAY.value)))
    whens_trigger.append(When(days_until=0, then=F("due_on")))
    whens_kind.append(When(days_until__lt=0, then=Value(ReminderKind.OVERDUE.value)))
    whens_trigger.append(
        When(
            days_until__lt=0,
            then=PlusDays(F("due_on"), _days_since_first_overdue(policy.overdue_repeat_days)),
        )
    )
    # No zone is more than a day ahead of UTC: nothing due later than this is current.
    horizon = now.astimezone(UTC).date() + timedelta(days=befores[0] + 1)
    return (
        Milestone.objects.open()
        .filter(due_on__lte=horizon)
        .annotate(owner_today=local_date(now, "owner__time_zone"))
        .annotate(days_until=DaysBetween(F("due_on"), F("owner_today")))
        .annotate(
            subject_id=F("pk"),
            reminder_kind=Case(*whens_kind, default=None),
            trigger_on=Case(*whens_trigger, default=None, output_field=DateField()),
        )
        .filter(reminder_kind__isnull=False)
        .filter(_not_reminded("milestone", OuterRef("reminder_kind"), "owner"))
        .values_list("subject_id", "owner_id", "reminder_kind", "trigger_on")
    )


def _late_enough_to_escalate(now: datetime, policy: Policy) -> QuerySet:
    horizon = now.astimezone(UTC).date() + timedelta(days=1 - policy.escalation_offset)
    return (
        Milestone.objects.open()
        .filter(due_on__lte=horizon)
        .annotate(
            subject_id=F("pk"),
            owner_today=local_date(now, "owner__time_zone"),
            trigger_on=PlusDays(F("due_on"), Value(policy.escalation_offset)),
        )
        .filter(trigger_on__lte=F("owner_today"))
    )


def escalations_to_managers_due(*, now: datetime, policy: Policy) -> QuerySet:
    return (
        _late_enough_to_escalate(now, policy)
        .filter(owner__manager__isnull=False)
        .annotate(recipient_id=F("owner__manager_id"))
        .filter(_not_reminded("milestone", ReminderKind.ESCALATION, "recipient_id"))
        .values_list("subject_id", "recipient_id", "trigger_on")
    )


def escalations_to_contacts_due(*, now: datetime, policy: Policy) -> QuerySet:
    # One row per (milestone, contact at the lead institute): both annotations walk the
    # same join to the institute's people.
    return (
        _late_enough_to_escalate(now, policy)
        .annotate(
            recipient_id=F("commitment__lead_institute__people__id"),
            recipient_is_contact=F("commitment__lead_institute__people__is_contact"),
        )
        .filter(recipient_is_contact=True)
        .exclude(recipient_id=F("owner_id"))
        .filter(_not_reminded("milestone", ReminderKind.ESCALATION, "recipient_id"))
        .values_list("subject_id", "recipient_id", "trigger_on")
    )


def agreement_reminders_due(*, now: datetime, policy: Policy, what: str) -> QuerySet:
    """Contacts of every party with a current review (or expiry) reminder not yet created.

    Each contact's own local date decides, as for milestone owners.
    """
    date_field = {"review": "review_on", "expiry": "expires_on"}[what]
    statuses = (
        [AgreementStatus.IN_FORCE]
        if what == "review"
        else [AgreementStatus.IN_FORCE, AgreementStatus.UNDER_REVIEW]
    )
    befores = policy.agreement_days_before
    whens_kind = []
    whens_trigger = []
    for index, days in enumerate(befores):
        next_days = befores[index + 1] if index + 1 < len(befores) else 0
        window = Q(days_until__gt=next_days, days_until__lte=days)
        whens_kind.append(When(window, then=Value(f"agreement_{what}_{days}")))
        whens_trigger.append(When(window, then=PlusDays(F("target_on"), Value(-days))))
    utc_today = now.astimezone(UTC).date()
    path = "institute__party_links__agreement__"
    return (
        Person.objects.filter(is_contact=True)
        .annotate(
            subject_id=F(f"{path}id"),
            agreement_status=F(f"{path}status"),
            target_on=F(f"{path}{date_field}"),
        )
        .filter(
            agreement_status__in=statuses,
            target_on__gt=utc_today - timedelta(days=1),
            target_on__lte=utc_today + timedelta(days=befores[0] + 1),
        )
        .annotate(today=local_date(now, "time_zone"))
        .annotate(days_until=DaysBetween(F("target_on"), F("today")))
        .annotate(
            reminder_kind=Case(*whens_kind, default=None),
            trigger_on=Case(*whens_trigger, default=None, output_field=DateField()),
        )
        .filter(reminder_kind__isnull=False)
        .filter(_not_reminded("agreement", OuterRef("reminder_kind"), "pk"))
        .values_list("subject_id", "pk", "reminder_kind", "trigger_on")
    )


def secondment_reminders_due(*, now: datetime, policy: Policy) -> list[Reminder]:
    """Exchange coordinators' reminders of secondments starting or ending soon, not yet
    created. Each coordinator's own local date decides. Secondments near their dates are
    few, so this is decided in Python from exchanges' selector (two queries) plus one query
    for the reminders that already exist."""
    # Every zone's today is within a day of UTC's: ask for the widest window needed.
    utc_today = now.astimezone(UTC).date()
    candidates: dict[tuple[int, str, int, object], Reminder] = {}
    for item in secondments_starting_or_ending_within(
        on=utc_today, days=policy.secondment_days_before + 1
    ):
        for coordinator in item.coordinators:
            due = secondment_reminder(
                event=item.event,
                on=item.on,
                today=local_date_at(now, coordinator.time_zone),
                policy=policy,
            )
            if due is None:
                continue
            key = (item.secondment.pk, due.kind, coordinator.pk, due.on)
            candidates[key] = Reminder(
                secondment_id=item.secondment.pk,
                recipient_id=coordinator.pk,
                kind=due.kind,
                local_date=due.on,
                next_attempt_at=now,
            )
    if not candidates:
        return []
    existing = set(
        Reminder.objects.filter(
            secondment_id__in={key[0] for key in candidates}, kind__in=sorted(SECONDMENT_KINDS)
        ).values_list("secondment_id", "kind", "recipient_id", "local_date")
    )
    return [row for key, row in candidates.items() if key not in existing]


def reapproval_reminders_due(*, now: datetime) -> list[Reminder]:
    """One reminder to each coordinator of a side whose approval a later change cleared,
    dated the day it was cleared in the coordinator's zone; none twice."""
    candidates: dict[tuple[int, str, int, object], Reminder] = {}
    for item in secondments_awaiting_reapproval():
        for coordinator in item.coordinators:
            on = local_date_at(item.cleared_at, coordinator.time_zone)
            kind = ReminderKind.SECONDMENT_APPROVAL_CLEARED
            candidates[(item.secondment.pk, kind, coordinator.pk, on)] = Reminder(
                secondment_id=item.secondment.pk,
                recipient_id=coordinator.pk,
                kind=kind,
                local_date=on,
                next_attempt_at=now,
            )
    if not candidates:
        return []
    existing = set(
        Reminder.objects.filter(
            secondment_id__in={key[0] for key in candidates},
            kind=ReminderKind.SECONDMENT_APPROVAL_CLEARED,
        ).values_list("secondment_id", "kind", "recipient_id", "local_date")
    )
    return [row for key, row in candidates.items() if key not in existing]


@dataclass
class ScanResult:
    created: int = 0
    by_kind: Counter = field(default_factory=Counter)


@transaction.atomic
def scan_reminders(*, now: datetime, policy: Policy | None = None) -> ScanResult:
    """Create every reminder that is current at instant ``now`` and does not exist yet.

    Safe to run at any time, as often as wanted, concurrently: each reminder is created
    once. Reminders missed while nothing scanned are caught up as ``reminders.policy``
    describes. This is the function a benchmark calls.
    """
    policy = policy or current_policy()
    stamp = timezone.now()
    rows: list[Reminder] = []
    for milestone_id, owner_id, kind, trigger_on in owner_reminders_due(now=now, policy=policy):
        rows.append(
            Reminder(
                milestone_id=milestone_id,
                recipient_id=owner_id,
                kind=kind,
                local_date=trigger_on,
                created_at=stamp,
                next_attempt_at=now,
            )
        )
    for escalations in (
        escalations_to_managers_due(now=now, policy=policy),
        escalations_to_contacts_due(now=now, policy=policy),
    ):
        for milestone_id, recipient_id, trigger_on in escalations:
            rows.append(
                Reminder(
                    milestone_id=milestone_id,
                    recipient_id=recipient_id,
                    kind=ReminderKind.ESCALATION,
                    local_date=trigger_on,
                    created_at=stamp,
                    next_attempt_at=now,
                )
            )
    for what in ("review", "expiry"):
        for agreement_id, recipient_id, kind, trigger_on in agreement_reminders_due(
            now=now, policy=policy, what=what
        ):
            rows.append(
                Reminder(
                    agreement_id=agreement_id,
                    recipient_id=recipient_id,
                    kind=kind,
                    local_date=trigger_on,
                    created_at=stamp,
                    next_attempt_at=now,
                )
            )
    for row in [
        *secondment_reminders_due(now=now, policy=policy),
        *reapproval_reminders_due(now=now),
    ]:
        row.created_at = stamp
        rows.append(row)
    result = ScanResult()
    if not rows:
        return result
    # Another scan may have inserted some of these since they were read: the unique
    # constraints make the database skip those.
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    for kind, count in (
        Reminder.objects.filter(created_at=stamp)
        .values_list("kind")
        .annotate(count=CountOf("pk"))
        .order_by()
    ):
        result.by_kind[kind] = count
        result.created += count
    return result
