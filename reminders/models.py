"""The reminder outbox.

One row per (subject, kind, recipient, local date): the scan inserts rows with
``ON CONFLICT DO NOTHING`` against the unique constraints below, so however often (or
however concurrently) it runs, each reminder exists once. Delivery then works through the
pending rows (see ``reminders.services.delivery``).

Subjects are nullable foreign keys, one per kind of subject, with a check that exactly one
is set and that it matches the kind, rather than a generic (content type, id) pair: real
foreign keys keep referential integrity (a deleted milestone takes its reminders with it),
can be joined with ``select_related`` in one query, and give each subject its own partial
unique index, which is also what the scan's "not yet reminded" lookup uses.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from exchanges.models import Secondment
from institutes.models import Person
from mou.models import Agreement, Milestone
from reminders.choices import (
    AGREEMENT_KINDS,
    MILESTONE_KINDS,
    SECONDMENT_KINDS,
    DeliveryStatus,
    ReminderKind,
)


class Digest(models.Model):
    """The one e-mail a person gets on one of their local days, listing their reminders.

    The unique (recipient, local date) makes "one e-mail per person per day" a database
    rule: a second worker trying to send the same day's digest fails to insert and sends
    nothing.
    """

    SENDING = "sending"
    SENT = "sent"
    STATES = ((SENDING, "Being sent"), (SENT, "Sent"))

    recipient = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="digests")
    local_date = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)
    message_id = models.CharField(max_length=200)
    # "sending" from the moment a worker claims the digest (committed before the message
    # goes to the mail server) until the server has accepted it; see
    # ``reminders.services.delivery``.
    state = models.CharField(max_length=10, choices=STATES, default=SENT)
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "local_date"], name="%(app_label)s_%(class)s_one_per_day"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=["sending", "sent"]),
                name="%(app_label)s_%(class)s_state_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["claimed_at"],
                condition=models.Q(state="sending"),
                name="reminders_digest_sending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Digest to {self.recipient} for {self.local_date:%Y-%m-%d}"


class Reminder(models.Model):
    milestone = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    secondment = models.ForeignKey(
        Secondment, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    kind = models.CharField(max_length=30, choices=ReminderKind.choices)
    recipient = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="reminders")
    local_date = models.DateField(
        help_text="The local date the reminder belongs to: its trigger date in the calendar "
        "of the person whose date it is."
    )
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    digest = models.ForeignKey(
        Digest, on_delete=models.SET_NULL, null=True, blank=True, related_name="reminders"
    )

    class Meta:
        ordering = ["-local_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        milestone__isnull=False,
                        agreement__isnull=True,
                        secondment__isnull=True,
                        kind__in=sorted(MILESTONE_KINDS),
                    )
                    | Q(
                        milestone__isnull=True,
                        agreement__isnull=False,
                        secondment__isnull=True,
                        kind__in=sorted(AGREEMENT_KINDS),
                    )
                    | Q(
                        milestone__isnull=True,
                        agreement__isnull=True,
                        secondment__isnull=False,
                        kind__in=sorted(SECONDMENT_KINDS),
                    )
                ),
                name="%(app_label)s_%(class)s_one_subject_matching_kind",
                violation_error_message="A reminder is about exactly one subject, of its kind.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status=DeliveryStatus.SENT) | Q(sent_at__isnull=False),
                name="%(app_label)s_%(class)s_sent_has_time",
            ),
            models.UniqueConstraint(
                fields=["milestone", "kind", "recipient", "local_date"],
                condition=Q(milestone__isnull=False),
                name="%(app_label)s_%(class)s_once_per_milestone",
            ),
            models.UniqueConstraint(
                fields=["agreement", "kind", "recipient", "local_date"],
                condition=Q(agreement__isnull=False),
                name="%(app_label)s_%(class)s_once_per_agreement",
            ),
            models.UniqueConstraint(
                fields=["secondment", "kind", "recipient", "local_date"],
                condition=Q(secondment__isnull=False),
                name="%(app_label)s_%(class)s_once_per_secondment",
            ),
        ]
        indexes = [
            # Delivery's claim: pending rows whose time has come.
            models.Index(
                fields=["next_attempt_at", "recipient"],
                condition=Q(status=DeliveryStatus.PENDING),
                name="reminders_pending_due_idx",
            ),
            # "My reminders" and the header count.
            models.Index(
                fields=["recipient", "-local_date"],
                condition=Q(dismissed_at__isnull=True),
                name="reminders_open_for_person_idx",
            ),
            models.Index(fields=["status", "-created_at"], name="reminders_status_created_idx"),
            models.Index(fields=["created_at"], name="reminders_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject} to {self.recipient}"

    @property
    def subject(self) -> Milestone | Agreement | Secondment | None:
        return self.milestone or self.agreement or self.secondment
