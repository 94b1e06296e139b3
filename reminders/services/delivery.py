"""Delivery: the outbox worker. Pending reminders become one digest e-mail per person per
local day, sent after 09:00 (``DIGEST_HOUR``) in the person's own time zone.

A pass works on a batch of people at once, in a fixed number of queries however many
digests it sends, plus one small statement per digest recording that the mail server
accepted it:

1. **Claim** (one transaction): lock the due pending reminders of up to ``DELIVERY_BATCH``
   people (``SELECT … FOR UPDATE SKIP LOCKED``, so two workers never take the same
   rows), insert each person's ``Digest`` for the day in state "sending" with its
   Message-ID (unique per person and day: a second digest the same day is refused), link
   the reminders to it, and take a session advisory lock per digest. Commit.
2. **Render and send** each digest, then at once mark it and its reminders sent in one
   statement (autocommit). Failures are recorded for the whole batch at the end: attempts,
   last error and a back-off time; the digest is removed so that the next try can claim
   again; after ``MAX_ATTEMPTS`` the rows are marked failed and show on the outbox page.
3. **Release** the advisory locks.

So a worker that dies (SIGKILL, lost machine) leaves digests in "sending" whose advisory
locks PostgreSQL released with its connection. The next pass **reconciles** them first:
a "sending" digest whose lock it can take belongs to a dead attempt, and is sent again
with the same Message-ID, so nothing is lost, and the one case of a copy (a death after
the mail server accepted the message and before the one-statement mark) carries the
original's Message-ID, which mail systems use to drop it. That window is one statement
long. ``python -m bench.kill_delivery`` measures it with a real worker under repeated
SIGKILL.

Passes repeat until nothing is due or ``DELIVERY_TIME_BUDGET_SECONDS`` is spent, so every
digest due at a beat tick leaves in that tick; more workers running the task go faster,
each claiming its own batches. Retries wait in the database, never as a broker ETA.
"""

from __future__ import annotations

import logging
import time as clock
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time

from django.db import connection, transaction
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


def recipients_ready(*, now: datetime, policy: Policy, limit: int) -> list[int]:
    """People with reminders due for e-mail whose digest time has come and who have no
    digest today. A pre-filter in SQL; the claim decides with zoneinfo."""
    return list(
        Reminder.objects.filter(
            status=DeliveryStatus.PENDING,
            next_attempt_at__lte=now,
            dismissed_at__isnull=True,
            digest__isnull=True,
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
        .distinct()[:limit]
    )


# Digests being sent are locked with session advisory locks on the 64-bit key
# ((0x41434447 << 32) | digest id): "ACDG" in the high half keeps them apart from any
# other advisory lock.


def _release(digest_ids: Iterable[int]) -> None:
    ids = list(digest_ids)
    if ids:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_advisory_unlock(((1094927431::bigint << 32) | id))) "
                "FROM unnest(%s::bigint[]) AS id",
                [ids],
            )


def _claim_dead(*, limit: int) -> list[int]:
    """Digests left "sending" by a worker that died: nobody holds their lock any more.
    Takes their locks for this session."""
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH sending AS MATERIALIZED ("
            "  SELECT id FROM reminders_digest WHERE state = 'sending' ORDER BY id LIMIT %s)"
            " SELECT id FROM sending WHERE pg_try_advisory_lock(((1094927431::bigint << 32) | id))",
            [limit],
        )
        return [row[0] for row in cursor.fetchall()]


def _claim_new(*, now: datetime, policy: Policy, limit: int) -> list[int]:
    """Claim today's digest of up to ``limit`` people whose digest is due (see the module
    docstring); returns the new digests' ids, locked for this session."""
    candidates = recipients_ready(now=now, policy=policy, limit=limit)
    if not candidates:
        return []
    people = Person.objects.in_bulk(candidates)
    today = {}
    for pk, person in people.items():
        day = local_date_at(now, person.time_zone)
        if now >= digest_time(day, person.time_zone, policy):
            today[pk] = day
    if not today:
        return []
    locked = list(
        Reminder.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(
            recipient_id__in=list(today),
            status=DeliveryStatus.PENDING,
            next_attempt_at__lte=now,
            dismissed_at__isnull=True,
            digest__isnull=True,
        )
        .values_list("pk", "recipient_id")
    )
    recipients = sorted({recipient for _, recipient in locked})
    if not recipients:
        return []
    claimed_at = timezone.now()
    rows = [(pk, today[pk], digests.message_id(people[pk], today[pk])) for pk in recipients]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO reminders_digest "
            "(recipient_id, local_date, message_id, state, claimed_at, sent_at) "
            "SELECT r, d, m, 'sending', %s, %s "
            "FROM unnest(%s::bigint[], %s::date[], %s::text[]) AS t(r, d, m) "
            "ON CONFLICT (recipient_id, local_date) DO NOTHING "
            "RETURNING id, pg_advisory_lock(((1094927431::bigint << 32) | id)) IS NULL",
            [
                claimed_at,
                claimed_at,
                [r for r, _, _ in rows],
                [d for _, d, _ in rows],
                [m for _, _, m in rows],
            ],
        )
        digest_ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "UPDATE reminders_reminder AS r SET digest_id = d.id FROM reminders_digest AS d "
            "WHERE d.id = ANY(%s) AND r.recipient_id = d.recipient_id AND r.id = ANY(%s)",
            [digest_ids, [pk for pk, _ in locked]],
        )
    return digest_ids


def _mark_sent(digest_id: int, at: datetime) -> int:
    """The one statement after the mail server accepted a digest: it and its reminders
    are sent. Returns how many reminders it marked."""
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH d AS (UPDATE reminders_digest SET state = 'sent', sent_at = %s "
            "WHERE id = %s RETURNING id) "
            "UPDATE reminders_reminder SET status = 'sent', sent_at = %s, "
            "attempts = attempts + 1, last_error = '' "
            "WHERE digest_id IN (SELECT id FROM d) AND status = 'pending'",
            [at, digest_id, at],
        )
        return cursor.rowcount


def _record_failures(
    failures: list[tuple[Digest, list[Reminder], str]], *, now: datetime, policy: Policy
) -> None:
    """Back-off (or give up on) the reminders of digests the mail system refused, and
    remove those digests so the next try claims again (three queries for the batch)."""
    rows = []
    for _, reminders, error in failures:
        for row in reminders:
            row.attempts += 1
            row.last_error = error
            row.next_attempt_at = now + policy.backoff(row.attempts)
            row.digest = None
            if row.attempts >= policy.max_attempts:
                row.status = DeliveryStatus.FAILED
            rows.append(row)
    with transaction.atomic():
        Reminder.objects.bulk_update(
            rows, ["attempts", "last_error", "next_attempt_at", "status", "digest"]
        )
        Digest.objects.filter(pk__in=[digest.pk for digest, _, _ in failures]).delete()


def deliver_batch(*, now: datetime, policy: Policy) -> DeliveryResult | None:
    """One pass: claim, render, send and mark up to ``DELIVERY_BATCH`` digests (first the
    digests of dead attempts, then new ones). None when there was nothing to claim."""
    with transaction.atomic():
        digest_ids = _claim_dead(limit=policy.delivery_batch)
        if len(digest_ids) < policy.delivery_batch:
            digest_ids += _claim_new(
                now=now, policy=policy, limit=policy.delivery_batch - len(digest_ids)
            )
    if not digest_ids:
        return None
    result = DeliveryResult()
    try:
        claimed = Digest.objects.filter(pk__in=digest_ids).select_related("recipient")
        rows_of: dict[int, list[Reminder]] = {pk: [] for pk in digest_ids}
        for row in (
            Reminder.objects.filter(digest_id__in=digest_ids, status=DeliveryStatus.PENDING)
            .select_related(
                "milestone__commitment__agreement",
                "agreement",
                "secondment__person",
                "secondment__host_institute",
            )
            .order_by("local_date", "pk")
        ):
            rows_of[row.digest_id].append(row)
        failures: list[tuple[Digest, list[Reminder], str]] = []
        for digest in sorted(claimed, key=lambda d: d.pk):
            person, rows = digest.recipient, rows_of[digest.pk]
            if rows:
                message = digests.build_digest(
                    recipient=person, on=digest.local_date, reminders=rows
                )
                message.extra_headers["Message-ID"] = digest.message_id
                try:
                    digests.send(message)
                except Exception as exc:  # any failure of the mail system is recorded
                    error = f"{type(exc).__name__}: {exc}"[:2000]
                    failures.append((digest, rows, error))
                    result.failed.append((person, error))
                    logger.warning("Reminder digest to person %s failed: %s", person.pk, error)
                    continue
            count = _mark_sent(digest.pk, timezone.now())
            if count:
                result.sent.append((person, count))
        if failures:
            _record_failures(failures, now=now, policy=policy)
    finally:
        _release(digest_ids)
    return result


def deliver_pending(*, now: datetime, policy: Policy | None = None) -> DeliveryResult:
    """Send every digest that is due at instant ``now``, a batch per pass, until nothing
    is left or the time budget is spent (the next tick carries on)."""
    policy = policy or current_policy()
    started = clock.monotonic()
    result = DeliveryResult(skipped=skip_unsendable(now=now))
    while clock.monotonic() - started <= policy.delivery_time_budget:
        batch = deliver_batch(now=now, policy=policy)
        if batch is None:
            break
        result.sent += batch.sent
        result.failed += batch.failed
        if not batch.sent and not batch.failed:
            break
    return result
