"""What people do with reminders: dismiss their own; administrators retry a failed e-mail."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from core.actors import Actor
from core.errors import DomainError, PermissionDenied
from core.history import acting
from core.services import lock
from institutes.roles import is_administrator, person_of
from reminders.choices import DeliveryStatus
from reminders.models import Reminder


@transaction.atomic
def reminder_dismiss(*, reminder_id: int, actor: Actor) -> Reminder:
    """Hide a reminder from its recipient's list; if not yet e-mailed, it will not be."""
    with acting(actor):
        reminder = lock(Reminder, reminder_id)
        person = person_of(actor)
        if person is None or reminder.recipient_id != person.pk:
            raise PermissionDenied("You can only dismiss your own reminders.")
        if reminder.dismissed_at is None:
            reminder.dismissed_at = timezone.now()
            fields = ["dismissed_at"]
            if reminder.status == DeliveryStatus.PENDING:
                reminder.status = DeliveryStatus.SKIPPED
                reminder.last_error = "Not e-mailed: dismissed before the digest was sent."
                fields += ["status", "last_error"]
            reminder.save(update_fields=fields)
        return reminder


@transaction.atomic
def reminder_retry(*, reminder_id: int, actor: Actor) -> Reminder:
    """Put a failed reminder back in the outbox, to be tried at the next delivery."""
    if not is_administrator(actor):
        raise PermissionDenied("Only administrators can retry reminders.")
    with acting(actor):
        reminder = lock(Reminder, reminder_id)
        if reminder.status != DeliveryStatus.FAILED:
            raise DomainError({"status": "Only a failed reminder can be retried."})
        reminder.status = DeliveryStatus.PENDING
        reminder.next_attempt_at = timezone.now()
        reminder.save(update_fields=["status", "next_attempt_at"])
        return reminder
