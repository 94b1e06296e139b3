"""Every read of the reminders app; query counts do not depend on the data size."""

from __future__ import annotations

from django.db.models import QuerySet

from institutes.models import Person
from reminders.choices import DeliveryStatus
from reminders.models import Reminder

OUTBOX_PAGE = 50


def _with_subject(qs: QuerySet[Reminder]) -> QuerySet[Reminder]:
    return qs.select_related(
        "milestone__commitment__agreement",
        "agreement",
        "secondment__person",
        "secondment__host_institute",
        "recipient__institute",
    )


def open_reminders_for(*, person: Person) -> QuerySet[Reminder]:
    """A person's reminders not yet dismissed, newest first, with their subjects."""
    return _with_subject(
        Reminder.objects.filter(recipient=person, dismissed_at__isnull=True)
    ).order_by("-local_date", "-pk")


def open_reminder_count(*, person: Person) -> int:
    return Reminder.objects.filter(recipient=person, dismissed_at__isnull=True).count()


def outbox(*, status: str, limit: int = OUTBOX_PAGE) -> list[Reminder]:
    """The newest reminders with a delivery status, for the administrators' outbox page."""
    order = ["next_attempt_at", "pk"] if status == DeliveryStatus.PENDING else ["-created_at"]
    return list(_with_subject(Reminder.objects.filter(status=status)).order_by(*order)[:limit])


def outbox_counts() -> dict[str, int]:
    from django.db.models import Count

    counts = dict.fromkeys(DeliveryStatus.values, 0)
    for status, count in (
        Reminder.objects.values_list("status").annotate(count=Count("pk")).order_by()
    ):
        counts[status] = count
    return counts
