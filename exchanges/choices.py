"""Secondment statuses, the transition table that governs them (enforced in
exchanges.services), how the pages show them, the two approving sides and the vetting
scale."""

from dataclasses import dataclass

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


BOTH_SIDES = frozenset({Side.HOME, Side.HOST})
_PREPARING = frozenset({SecondmentStatus.PROPOSED, SecondmentStatus.APPROVED})


@dataclass(frozen=True)
class FieldRight:
    """Which side's coordinator may change a field, and in which statuses."""

    sides: frozenset[str]
    states: frozenset[str]


# Which side may change which field in which state. Each side answers for its own
# requirements and records: the home side for its secondee's vetting, the host side for
# what it requires and grants (its vetting requirement, the undertaking signed to it,
# access to its premises and systems). An administrator acts for both sides.
SECONDMENT_FIELD_RIGHTS: dict[str, FieldRight] = {
    # The plan: who goes where, when, under which agreement.
    "agreement": FieldRight(BOTH_SIDES, SECONDMENT_PLAN_EDITABLE_IN),
    "person": FieldRight(BOTH_SIDES, SECONDMENT_PLAN_EDITABLE_IN),
    "home_institute": FieldRight(BOTH_SIDES, SECONDMENT_PLAN_EDITABLE_IN),
    "host_institute": FieldRight(BOTH_SIDES, SECONDMENT_PLAN_EDITABLE_IN),
    "planned_start_on": FieldRight(BOTH_SIDES, SECONDMENT_PLAN_EDITABLE_IN),
    "planned_end_on": FieldRight(BOTH_SIDES, SECONDMENT_PLAN_EDITABLE_IN),
    "commitments": FieldRight(BOTH_SIDES, SECONDMENT_PLAN_EDITABLE_IN),
    "role": FieldRight(BOTH_SIDES, _PREPARING),
    "vetting_required_home": FieldRight(frozenset({Side.HOME}), _PREPARING),
    "vetting_required_host": FieldRight(frozenset({Side.HOST}), _PREPARING),
    "vetting_held": FieldRight(frozenset({Side.HOME}), SECONDMENT_DETAILS_EDITABLE_IN),
    "vetting_granted_on": FieldRight(frozenset({Side.HOME}), SECONDMENT_DETAILS_EDITABLE_IN),
    "vetting_expires_on": FieldRight(frozenset({Side.HOME}), SECONDMENT_DETAILS_EDITABLE_IN),
    "undertaking_signed_on": FieldRight(frozenset({Side.HOST}), SECONDMENT_DETAILS_EDITABLE_IN),
    "access_granted_on": FieldRight(frozenset({Side.HOST}), SECONDMENT_DETAILS_EDITABLE_IN),
    "access_expires_on": FieldRight(frozenset({Side.HOST}), SECONDMENT_DETAILS_EDITABLE_IN),
    "notes": FieldRight(BOTH_SIDES, SECONDMENT_DETAILS_EDITABLE_IN),
    "is_illustrative": FieldRight(BOTH_SIDES, SECONDMENT_DETAILS_EDITABLE_IN),
}
# What each side's approval is an approval of: a change to any of these clears it, so
# that an approval always refers to what will happen.
SECONDMENT_APPROVAL_COVERS: dict[str, frozenset[str]] = {
    side: frozenset(
        {
            "agreement",
            "person",
            "home_institute",
            "host_institute",
            "planned_start_on",
            "planned_end_on",
            "commitments",
            "role",
            "vetting_required_home",
            "vetting_required_host",
        }
    )  # fmt: skip
    for side in BOTH_SIDES
}


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
