"""Reminder kinds and delivery statuses, and how the pages show them."""

from django.db import models

from core.vocabulary import Vocabulary


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
AGREEMENT_REVIEW_KINDS = frozenset(
    {ReminderKind.AGREEMENT_REVIEW_90, ReminderKind.AGREEMENT_REVIEW_30}
)
# Red once late, yellow on the last day or two, blue while there is time.
REMINDER_KIND_TAGS = {
    ReminderKind.DUE_30: "govuk-tag--blue",
    ReminderKind.DUE_7: "govuk-tag--blue",
    ReminderKind.DUE_1: "govuk-tag--yellow",
    ReminderKind.DUE_TODAY: "govuk-tag--yellow",
    ReminderKind.OVERDUE: "govuk-tag--red",
    ReminderKind.ESCALATION: "govuk-tag--red",
    ReminderKind.AGREEMENT_REVIEW_90: "govuk-tag--blue",
    ReminderKind.AGREEMENT_REVIEW_30: "govuk-tag--blue",
    ReminderKind.AGREEMENT_EXPIRY_90: "govuk-tag--blue",
    ReminderKind.AGREEMENT_EXPIRY_30: "govuk-tag--blue",
    ReminderKind.SECONDMENT_START_14: "govuk-tag--blue",
    ReminderKind.SECONDMENT_END_14: "govuk-tag--blue",
    ReminderKind.SECONDMENT_APPROVAL_CLEARED: "govuk-tag--yellow",
}


class DeliveryStatus(models.TextChoices):
    """Where a reminder's e-mail is; the reminder shows in the app whatever its status."""

    PENDING = "pending", "Waiting to be e-mailed"
    SENT = "sent", "E-mailed"
    FAILED = "failed", "E-mail failed (gave up after retries)"
    SKIPPED = "skipped", "Not e-mailed"


# Pending is still to be e-mailed; the others are settled (a failed one until retried).
DELIVERY_OPEN = frozenset({DeliveryStatus.PENDING})
DELIVERY_CLOSED = frozenset({DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.SKIPPED})
DELIVERY_RETRYABLE = frozenset({DeliveryStatus.FAILED})
DELIVERY_TAGS = {
    DeliveryStatus.PENDING: "govuk-tag--light-blue",
    DeliveryStatus.SENT: "govuk-tag--green",
    DeliveryStatus.FAILED: "govuk-tag--red",
    DeliveryStatus.SKIPPED: "govuk-tag--grey",
}

VOCABULARIES = [
    Vocabulary(
        name="reminder",
        choices=ReminderKind,
        tags=REMINDER_KIND_TAGS,
        sets={
            "milestone": MILESTONE_KINDS,
            "agreement": AGREEMENT_KINDS,
            "agreement_review": AGREEMENT_REVIEW_KINDS,
            "secondment": SECONDMENT_KINDS,
        },
    ),
    Vocabulary(
        name="delivery",
        choices=DeliveryStatus,
        tags=DELIVERY_TAGS,
        open=DELIVERY_OPEN,
        closed=DELIVERY_CLOSED,
        sets={"retryable": DELIVERY_RETRYABLE},
    ),
]
