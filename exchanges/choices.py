"""Secondment statuses, the transition table that governs them (enforced in
exchanges.services), how the pages show them, the two approving sides and the vetting
scale."""

from django.db import models

from core.vocabulary import Vocabulary


class SecondmentStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


SECONDMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    SecondmentStatus.PROPOSED: frozenset({SecondmentStatus.APPROVED, SecondmentStatus.CANCELLED}),
    SecondmentStatus.APPROVED: frozenset({SecondmentStatus.ACTIVE, SecondmentStatus.CANCELLED}),
    SecondmentStatus.ACTIVE: frozenset({SecondmentStatus.COMPLETED, SecondmentStatus.CANCELLED}),
    SecondmentStatus.COMPLETED: frozenset(),
    SecondmentStatus.CANCELLED: frozenset(),
}
SECONDMENT_NEEDS_REASON = frozenset({SecondmentStatus.CANCELLED})
SECONDMENT_OPEN = frozenset(
    {SecondmentStatus.PROPOSED, SecondmentStatus.APPROVED, SecondmentStatus.ACTIVE}
)
SECONDMENT_CLOSED = frozenset({SecondmentStatus.COMPLETED, SecondmentStatus.CANCELLED})
# The secondee is with the host now.
SECONDMENT_UNDER_WAY = frozenset({SecondmentStatus.ACTIVE})
SECONDMENT_TAGS = {
    SecondmentStatus.PROPOSED: "govuk-tag--light-blue",
    SecondmentStatus.APPROVED: "govuk-tag--turquoise",
    SecondmentStatus.ACTIVE: "govuk-tag--green",
    SecondmentStatus.COMPLETED: "govuk-tag--blue",
    SecondmentStatus.CANCELLED: "govuk-tag--grey",
}
# Statuses that hold the person's time: a cancelled secondment frees its dates.
SECONDMENT_HOLDS_DATES = frozenset(
    {
        SecondmentStatus.PROPOSED,
        SecondmentStatus.APPROVED,
        SecondmentStatus.ACTIVE,
        SecondmentStatus.COMPLETED,
    }
)
# Once both sides have approved, who goes where and when is settled: changing it means
# cancelling and proposing again, so that the approvals always refer to what happens.
SECONDMENT_PLAN_EDITABLE_IN = frozenset({SecondmentStatus.PROPOSED})
SECONDMENT_DETAILS_EDITABLE_IN = SECONDMENT_OPEN


class Side(models.TextChoices):
    HOME = "home", "Home"
    HOST = "host", "Host"


class VettingLevel(models.IntegerChoices):
    """An ordered scale: a higher level satisfies any lower requirement.

    Each side records the level it requires in its own terms on the secondment's notes;
    the scale only orders them so that Accord can tell whether the secondee's is enough.
    """

    NONE = 0, "None required"
    BASELINE = 1, "Baseline check"
    ENHANCED = 2, "Enhanced clearance"
    HIGHEST = 3, "Highest clearance"


# Country codes are ISO 3166-1; the United Kingdom's is GB but its people say "UK".
COUNTRY_LABELS = {"GB": "UK"}


def country_label(code: str) -> str:
    return COUNTRY_LABELS.get(code, code)


def direction_label(home_country: str, host_country: str) -> str:
    """E.g. "UK→AU": from the home institute's country to the host's."""
    return f"{country_label(home_country)}→{country_label(host_country)}"


def direction_key(home_country: str, host_country: str) -> str:
    """The direction as used in URLs and the API, e.g. "GB-AU"."""
    return f"{home_country}-{host_country}"


VOCABULARIES = [
    Vocabulary(
        name="secondment",
        choices=SecondmentStatus,
        tags=SECONDMENT_TAGS,
        open=SECONDMENT_OPEN,
        closed=SECONDMENT_CLOSED,
        sets={
            "under_way": SECONDMENT_UNDER_WAY,
        },
    ),
]
