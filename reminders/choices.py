"""Reminder kinds and delivery statuses."""

from django.db import models


class ReminderKind(models.TextChoices):
    DUE_30 = "due_30", "Due in 30 days"
    DUE_7 = "due_7", "Due in 7 days"
    DUE_1 = "due_1", "Due tomorrow"
    DUE_TODAY = "due_today", "Due today"
    OVERDUE = "overdue", "Overdue"
    ESCALATION = "escalation", "Escalation: overdue for more than 14 days"
    AGREEMENT_REVIEW_90 = "agreement_review_90", "Agreement review in 90 days"
    AGREEMENT_REVIEW_30 = "agreement_review_30", "Agreement review in 30 days"
    AGREEMENT_EXPIRY_90 = "agreement_expiry_90", "Agreement expires in 90 days"
    AGREEMENT_EXPIRY_30 = "agreement_expiry_30", "Agreement expires in 30 days"
    SECONDMENT_START_14 = "secondment_start_14", "Secondment starts in 14 days"
    SECONDMENT_END_14 = "secondment_end_14", "Secondment ends in 14 days"
    SECONDMENT_APPROVAL_CLEARED = (
        "secondment_approval_cleared",
        "Secondment changed after your side approved: approve again",
    )


MILESTONE_KINDS = frozenset(
    {
        ReminderKind.DUE_30,
        ReminderKind.DUE_7,
        ReminderKind.DUE_1,
        ReminderKind.DUE_TODAY,
        ReminderKind.OVERDUE,
        ReminderKind.ESCALATION,
    }
)
AGREEMENT_KINDS = frozenset(
    {
        ReminderKind.AGREEMENT_REVIEW_90,
        ReminderKind.AGREEMENT_REVIEW_30,
        ReminderKind.AGREEMENT_EXPIRY_90,
        ReminderKind.AGREEMENT_EXPIRY_30,
    }
)
SECONDMENT_KINDS = frozenset(
    {
        ReminderKind.SECONDMENT_START_14,
        ReminderKind.SECONDMENT_END_14,
        ReminderKind.SECONDMENT_APPROVAL_CLEARED,
    }
)


class DeliveryStatus(models.TextChoices):
    """Where a reminder's e-mail is; the reminder shows in the app whatever its status."""

    PENDING = "pending", "Waiting to be e-mailed"
    SENT = "sent", "E-mailed"
    FAILED = "failed", "E-mail failed (gave up after retries)"
    SKIPPED = "skipped", "Not e-mailed"
