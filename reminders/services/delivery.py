"""Delivery: the outbox worker. Pending reminders become one digest e-mail per person per
local day, sent after 09:00 (``DIGEST_HOUR``) in the person's own time zone.

Never twice. Each person's digest is sent inside one database transaction that holds row
locks (``SELECT … FOR UPDATE SKIP LOCKED``) on the reminders it lists, inserts the day's
``Digest`` row (unique per person and day), sends, and marks the rows sent; the locks are
released only by that commit. So:

- two workers never pick the same rows (the second skips locked rows), and a second digest
  the same day is refused by the unique key;
- a worker that dies before the commit (SIGKILL, lost machine) leaves its rows pending:
  PostgreSQL aborts the transaction when the connection drops, and the next delivery sends
  them. The task is ``acks_late`` with ``reject_on_worker_lost``, and beat runs it every
  15 minutes anyway, so the work is picked up again;
- the one window left is a death after the mail server accepted the message and before
  the commit (microseconds, with no work in between). Claim-with-token (commit "sending"
  first) would trade that for reminders silently lost; we prefer the rare copy, and give
  it the same Message-ID as the original so mail systems can drop it.

Failures (the mail server refuses or is down) are recorded on each row: attempts, last
error, and a back-off time before the next try; after ``MAX_ATTEMPTS`` the row is marked
failed and shows on the outbox page, where an administrator can retry it. Retries wait in
the database, never as a broker ETA.
"""

from __future__ import annotations

import logging
import time as clock
from dataclasses import dataclass, field
from datetime import datetime, time

from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, Exists, F, Func, OuterRef, Q, TimeField, Value
from django.db.models.functions import Cast
from django.utils import timezone

from core.db import local_date
from exchanges.choices import SecondmentStatus
from institutes.models import Person
from mou.choices import CommitmentStatus, MilestoneStatus
from reminders.choices import DeliveryStatus
from reminders.models import Digest, Reminder
from reminders.policy import Policy, current_policy, digest_time, local_date_at
from reminders.services import digest as digests

logger = logging.getLogger(__name__)

OPTED_OUT = "Not e-mailed: this person does not get reminders by e-mail."
CLOSED = "Not e-mailed: dismissed, or no longer open, before the digest was sent."


@dataclass
class DeliveryResult:
    sent: list[tuple[Person, int]] = field(default_factory=list)  # (recipient, reminders)
    failed: list[tuple[Person, str]] = field(default_factory=list)
    skipped: int = 0

    @property
    def messages(self) -> int:
        return len(self.sent)


def _local_wall_clock(now: datetime, zone_field: str) -> Func:
    return Func(
        F(zone_field), Value(now, DateTimeField()), function="timezone",
        output_field=DateTimeField(),
    )  # fmt: skip


def skip_unsendable(*, now: datetime) -> int:
    """Pending reminders that will never be e-mailed: the person opted out, or the reminder
    was dismissed or its milestone closed first. They still show in the app."""
    pending = Reminder.objects.filter(status=DeliveryStatus.PENDING)
    skipped = pending.filter(recipient__email_reminders=False).update(
        status=DeliveryStatus.SKIPPED, last_error=OPTED_OUT
    )
    skipped += pending.filter(
        Q(dismissed_at__isnull=False)
        | Q(milestone__status__in=[MilestoneStatus.DONE, MilestoneStatus.CANCELLED])
        | Q(
            milestone__commitment__status__in=[
                CommitmentStatus.COMPLETED,
                CommitmentStatus.WITHDRAWN,
            ]
        )
        | Q(secondment__status=SecondmentStatus.CANCELLED)
    ).update(status=DeliveryStatus.SKIPPED, last_error=CLOSED)
    return skipped


def recipients_ready(*, now: datetime, policy: Policy) -> list[int]:
    """People with reminders due for e-mail whose digest time has come and who have not
    had today's digest. A pre-filter in SQL; ``deliver_to`` decides with zoneinfo."""
    return list(
        Reminder.objects.filter(
            status=DeliveryStatus.PENDING,
            next_attempt_at__lte=now,
            dismissed_at__isnull=True,
            recipient__email_reminders=True,
        )
        .annotate(
            recipient_today=local_date(now, "recipient__time_zone"),
            recipient_time=Cast(_local_wall_clock(now, "recipient__time_zone"), TimeField()),
        )
        .filter(recipient_time__gte=time(policy.digest_hour))
        .exclude(
            Exists(
                Digest.objects.filter(
                    recipient=OuterRef("recipient"), local_date=OuterRef("recipient_today")
                )
            )
        )
        .values_list("recipient_id", flat=True)
        .order_by("recipient_id")
        .distinct()[: policy.delivery_batch]
    )


def deliver_to(*, recipient_id: int, now: datetime, policy: Policy) -> tuple[str, Person, str]:
    """Send one person's digest of their pending reminders, if it is due; see the module
    docstring for why this cannot send a reminder twice. Returns (outcome, person, detail)."""
    with transaction.atomic():
        person = Person.objects.get(pk=recipient_id)
        today = local_date_at(now, person.time_zone)
        if now < digest_time(today, person.time_zone, policy):
            return "early", person, ""
        rows = list(
            Reminder.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                recipient_id=recipient_id,
                status=DeliveryStatus.PENDING,
                next_attempt_at__lte=now,
                dismissed_at__isnull=True,
            )
            .select_related(
                "milestone__commitment__agreement",
                "agreement",
                "secondment__person",
                "secondment__host_institute",
            )
            .order_by("local_date", "pk")
        )
        if not rows:
            return "nothing", person, ""
        try:
            with transaction.atomic():
                digest = Digest.objects.create(
                    recipient=person,
                    local_date=today,
                    sent_at=timezone.now(),
                    message_id=digests.message_id(person, today),
                )
        except IntegrityError:
            # Today's digest went (or is going) out; these wait for tomorrow's.
            return "already", person, ""
        ids = [row.pk for row in rows]
        try:
            with transaction.atomic():
                digests.send(digests.build_digest(recipient=person, on=today, reminders=rows))
        except Exception as exc:  # any failure of the mail system is recorded, not raised
            digest.delete()
            error = f"{type(exc).__name__}: {exc}"[:2000]
            for row in rows:
                row.attempts += 1
                row.last_error = error
                row.next_attempt_at = now + policy.backoff(row.attempts)
                if row.attempts >= policy.max_attempts:
                    row.status = DeliveryStatus.FAILED
            Reminder.objects.bulk_update(
                rows, ["attempts", "last_error", "next_attempt_at", "status"]
            )
            logger.warning("Reminder digest to person %s failed: %s", person.pk, error)
            return "failed", person, error
        Reminder.objects.filter(pk__in=ids).update(
            status=DeliveryStatus.SENT,
            sent_at=digest.sent_at,
            attempts=F("attempts") + 1,
            last_error="",
            digest=digest,
        )
        return "sent", person, str(len(ids))


def deliver_pending(*, now: datetime, policy: Policy | None = None) -> DeliveryResult:
    """Send every digest that is due at instant ``now``; each person in their own
    transaction, so one failure does not hold back the others."""
    policy = policy or current_policy()
    started = clock.monotonic()
    result = DeliveryResult(skipped=skip_unsendable(now=now))
    for recipient_id in recipients_ready(now=now, policy=policy):
        if clock.monotonic() - started > policy.delivery_time_budget:
            # Stop well inside the task's time limit; the next tick carries on.
            break
        outcome, person, detail = deliver_to(recipient_id=recipient_id, now=now, policy=policy)
        if outcome == "sent":
            result.sent.append((person, int(detail)))
        elif outcome == "failed":
            result.failed.append((person, detail))
    return result
