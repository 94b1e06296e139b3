"""The reminder policy: who is reminded of what, on which of their own local dates.

Everything here is pure (no database), so the rules can be tested exhaustively; the scan
(``reminders.services.scan``) asks the same questions in SQL and is tested against this.

Catching up. A subject's reminders form a series of trigger dates, e.g. for a milestone due
on D: D-30, D-7, D-1, D, then D+1, D+8, D+15 … while it is open. A reminder of the series
is *current* on local date ``today`` when its trigger date <= today < the next trigger
date. The scan creates the current reminder (keyed by its trigger date) if it does not
exist yet. So a scan on the trigger date creates it; if nobody scanned that day, the first
scan before the next trigger still creates it, once; and when the worker was down past the
next trigger too, only the newest one is created (no flood of stale reminders).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from reminders.choices import ReminderKind


@dataclass(frozen=True)
class Policy:
    due_days_before: tuple[int, ...] = (30, 7, 1)
    overdue_repeat_days: int = 7
    escalate_after_days_late: int = 14
    agreement_days_before: tuple[int, ...] = (90, 30)
    secondment_days_before: int = 14
    digest_hour: int = 9
    retry_backoff_minutes: tuple[int, ...] = (5, 15, 60, 240, 720)
    max_attempts: int = 6
    delivery_batch: int = 200
    delivery_time_budget: float = 180
    due_kinds: dict[int, str] = field(init=False)

    def __post_init__(self) -> None:
        kinds = {days: f"due_{days}" for days in self.due_days_before}
        unknown = set(kinds.values()) - set(ReminderKind.values)
        if unknown:
            raise ValueError(f"REMINDER_POLICY days without a reminder kind: {sorted(unknown)}")
        for days in self.agreement_days_before:
            for what in ("review", "expiry"):
                if f"agreement_{what}_{days}" not in ReminderKind.values:
                    raise ValueError(f"No reminder kind for agreement {what} {days} days away")
        for event in ("start", "end"):
            if f"secondment_{event}_{self.secondment_days_before}" not in ReminderKind.values:
                raise ValueError(
                    f"No reminder kind for a secondment {event} "
                    f"{self.secondment_days_before} days away"
                )
        object.__setattr__(
            self, "due_days_before", tuple(sorted(self.due_days_before, reverse=True))
        )
        object.__setattr__(
            self, "agreement_days_before", tuple(sorted(self.agreement_days_before, reverse=True))
        )
        object.__setattr__(self, "due_kinds", kinds)

    @property
    def escalation_offset(self) -> int:
        """Days after the due date on which the escalation fires: once it has been late
        for ``escalate_after_days_late`` whole days."""
        return self.escalate_after_days_late + 1

    def backoff(self, attempts: int) -> timedelta:
        """Wait before the next try after ``attempts`` failed tries (1, 2, …)."""
        steps = self.retry_backoff_minutes
        return timedelta(minutes=steps[min(max(attempts, 1), len(steps)) - 1])


def current_policy() -> Policy:
    """The policy as configured in ``settings.REMINDER_POLICY`` (the one place it is set)."""
    values = settings.REMINDER_POLICY
    return Policy(
        due_days_before=tuple(values["DUE_DAYS_BEFORE"]),  # type: ignore[arg-type]
        overdue_repeat_days=int(values["OVERDUE_REPEAT_DAYS"]),  # type: ignore[call-overload]
        escalate_after_days_late=int(values["ESCALATE_AFTER_DAYS_LATE"]),  # type: ignore[call-overload]
        agreement_days_before=tuple(values["AGREEMENT_DAYS_BEFORE"]),  # type: ignore[arg-type]
        secondment_days_before=int(values["SECONDMENT_DAYS_BEFORE"]),  # type: ignore[call-overload]
        digest_hour=int(values["DIGEST_HOUR"]),  # type: ignore[call-overload]
        retry_backoff_minutes=tuple(values["RETRY_BACKOFF_MINUTES"]),  # type: ignore[arg-type]
        max_attempts=int(values["MAX_ATTEMPTS"]),  # type: ignore[call-overload]
        delivery_batch=int(values["DELIVERY_BATCH"]),  # type: ignore[call-overload]
        delivery_time_budget=float(values["DELIVERY_TIME_BUDGET_SECONDS"]),  # type: ignore[arg-type]
    )


@dataclass(frozen=True, order=True)
class Due:
    """A reminder that is current: its kind and the trigger date it belongs to."""

    on: date
    kind: str


def local_date_at(now: datetime, time_zone: str) -> date:
    """The calendar date at instant ``now`` in ``time_zone`` (DST handled by zoneinfo)."""
    return now.astimezone(ZoneInfo(time_zone)).date()


def digest_time(on: date, time_zone: str, policy: Policy) -> datetime:
    """The instant of ``digest_hour``:00 on local date ``on`` in ``time_zone``.

    zoneinfo resolves a wall time that does not exist (a DST gap) by the offset before the
    gap (fold=0), so 09:00 is always a real instant; no zone changes clocks at 09:00.
    """
    return datetime.combine(on, time(policy.digest_hour), tzinfo=ZoneInfo(time_zone))


def milestone_owner_reminder(*, due_on: date, today: date, policy: Policy) -> Due | None:
    """The owner's current reminder for an open milestone due on ``due_on``."""
    days_until = (due_on - today).days
    befores = policy.due_days_before
    for index, days in enumerate(befores):
        next_days = befores[index + 1] if index + 1 < len(befores) else 0
        if next_days < days_until <= days:
            return Due(due_on - timedelta(days=days), policy.due_kinds[days])
    if days_until == 0:
        return Due(due_on, ReminderKind.DUE_TODAY)
    if days_until < 0:
        days_late = -days_until
        repeats = (days_late - 1) // policy.overdue_repeat_days
        return Due(
            due_on + timedelta(days=1 + repeats * policy.overdue_repeat_days),
            ReminderKind.OVERDUE,
        )
    return None


def milestone_escalation(*, due_on: date, owner_today: date, policy: Policy) -> Due | None:
    """The escalation (to the owner's manager and the lead institute's contacts), once the
    milestone has been late for ``escalate_after_days_late`` whole days in the owner's zone.

    It is dated in the owner's calendar: the day the milestone crossed the threshold.
    """
    if (owner_today - due_on).days >= policy.escalation_offset:
        return Due(due_on + timedelta(days=policy.escalation_offset), ReminderKind.ESCALATION)
    return None


def agreement_reminders(
    *, review_on: date | None, expires_on: date | None, today: date, policy: Policy
) -> list[Due]:
    """A contact's current review and expiry reminders for an agreement."""
    found = []
    for what, on in (("review", review_on), ("expiry", expires_on)):
        if on is None:
            continue
        days_until = (on - today).days
        befores = policy.agreement_days_before
        for index, days in enumerate(befores):
            next_days = befores[index + 1] if index + 1 < len(befores) else 0
            if next_days < days_until <= days:
                found.append(Due(on - timedelta(days=days), f"agreement_{what}_{days}"))
    return found


def secondment_reminder(*, event: str, on: date, today: date, policy: Policy) -> Due | None:
    """A coordinator's current reminder of a secondment's start or end (``event``) on
    ``on``: from ``secondment_days_before`` days before it until the day before."""
    days = policy.secondment_days_before
    if 0 < (on - today).days <= days:
        return Due(on - timedelta(days=days), f"secondment_{event}_{days}")
    return None


def milestone_schedule(*, due_on: date, until: date, policy: Policy) -> list[Due]:
    """Every owner reminder of a milestone that stays open, up to ``until``: the table
    shown on the help page and used by tests."""
    firsts = [
        Due(due_on - timedelta(days=days), policy.due_kinds[days])
        for days in policy.due_days_before
    ]
    firsts.append(Due(due_on, ReminderKind.DUE_TODAY))
    late = due_on + timedelta(days=1)
    while late <= until:
        firsts.append(Due(late, ReminderKind.OVERDUE))
        late += timedelta(days=policy.overdue_repeat_days)
    return [due for due in firsts if due.on <= until]


def describe(policy: Policy) -> list[tuple[str, str, str]]:
    """(kind label, when, to whom) rows for the help page."""
    rows: list[tuple[str, str, str]] = []
    labels = dict(ReminderKind.choices)
    for days in policy.due_days_before:
        rows.append(
            (
                labels[policy.due_kinds[days]],
                f"{days} day{'s' if days != 1 else ''} before the due date",
                "The milestone's owner",
            )
        )
    rows.append((labels[ReminderKind.DUE_TODAY], "On the due date", "The milestone's owner"))
    rows.append(
        (
            labels[ReminderKind.OVERDUE],
            f"The day after the due date, then every {policy.overdue_repeat_days} days "
            "while it is not done",
            "The milestone's owner",
        )
    )
    rows.append(
        (
            labels[ReminderKind.ESCALATION],
            f"Once, when it has been late for {policy.escalate_after_days_late} whole days",
            "The owner's manager and the lead institute's points of contact",
        )
    )
    for days in policy.agreement_days_before:
        for what in ("review", "expiry"):
            rows.append(
                (
                    labels[f"agreement_{what}_{days}"],
                    f"{days} days before the agreement's {what} date",
                    "The points of contact of every party",
                )
            )
    for event in ("start", "end"):
        rows.append(
            (
                labels[f"secondment_{event}_{policy.secondment_days_before}"],
                f"{policy.secondment_days_before} days before a secondment's planned {event}",
                "The exchange coordinators at the home and host institutes",
            )
        )
    return rows
