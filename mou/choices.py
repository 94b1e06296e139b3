"""Statuses and the transition tables that govern them (enforced in mou.services)."""

from django.db import models


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_FORCE = "in_force", "In force"
    UNDER_REVIEW = "under_review", "Under review"
    EXPIRED = "expired", "Expired"
    TERMINATED = "terminated", "Terminated"


AGREEMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    AgreementStatus.DRAFT: frozenset({AgreementStatus.IN_FORCE, AgreementStatus.TERMINATED}),
    AgreementStatus.IN_FORCE: frozenset(
        {AgreementStatus.UNDER_REVIEW, AgreementStatus.EXPIRED, AgreementStatus.TERMINATED}
    ),
    AgreementStatus.UNDER_REVIEW: frozenset(
        {AgreementStatus.IN_FORCE, AgreementStatus.EXPIRED, AgreementStatus.TERMINATED}
    ),
    AgreementStatus.EXPIRED: frozenset(),
    AgreementStatus.TERMINATED: frozenset(),
}
AGREEMENT_NEEDS_REASON = frozenset({AgreementStatus.TERMINATED})


class CommitmentStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    COMPLETED = "completed", "Completed"
    WITHDRAWN = "withdrawn", "Withdrawn"


COMMITMENT_OPEN = frozenset(
    {
        CommitmentStatus.NOT_STARTED,
        CommitmentStatus.ON_TRACK,
        CommitmentStatus.AT_RISK,
        CommitmentStatus.OFF_TRACK,
    }
)
COMMITMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    CommitmentStatus.NOT_STARTED: frozenset(
        {
            CommitmentStatus.ON_TRACK,
            CommitmentStatus.AT_RISK,
            CommitmentStatus.OFF_TRACK,
            CommitmentStatus.WITHDRAWN,
        }
    ),
    CommitmentStatus.ON_TRACK: frozenset(
        {
            CommitmentStatus.AT_RISK,
            CommitmentStatus.OFF_TRACK,
            CommitmentStatus.COMPLETED,
            CommitmentStatus.WITHDRAWN,
        }
    ),
    CommitmentStatus.AT_RISK: frozenset(
        {
            CommitmentStatus.ON_TRACK,
            CommitmentStatus.OFF_TRACK,
            CommitmentStatus.COMPLETED,
            CommitmentStatus.WITHDRAWN,
        }
    ),
    CommitmentStatus.OFF_TRACK: frozenset(
        {
            CommitmentStatus.ON_TRACK,
            CommitmentStatus.AT_RISK,
            CommitmentStatus.COMPLETED,
            CommitmentStatus.WITHDRAWN,
        }
    ),
    CommitmentStatus.COMPLETED: frozenset(),
    CommitmentStatus.WITHDRAWN: frozenset(),
}
COMMITMENT_NEEDS_REASON = frozenset({CommitmentStatus.WITHDRAWN})


class MilestoneStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


MILESTONE_TRANSITIONS: dict[str, frozenset[str]] = {
    MilestoneStatus.OPEN: frozenset({MilestoneStatus.DONE, MilestoneStatus.CANCELLED}),
    MilestoneStatus.DONE: frozenset(),
    MilestoneStatus.CANCELLED: frozenset(),
}
MILESTONE_NEEDS_REASON = frozenset({MilestoneStatus.CANCELLED})


class Recurrence(models.TextChoices):
    NONE = "", "Does not recur"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    HALF_YEARLY = "half_yearly", "Every six months"
    YEARLY = "yearly", "Yearly"


RECURRENCE_MONTHS: dict[str, int] = {
    Recurrence.MONTHLY: 1,
    Recurrence.QUARTERLY: 3,
    Recurrence.HALF_YEARLY: 6,
    Recurrence.YEARLY: 12,
}


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"
    GREY = "grey", "Grey"


RAG_RULE_HELP = (
    "Red: a milestone is late (not done by the end of its due date in its owner's time zone) "
    "or the status is off track. Amber: the status is at risk, or a milestone falls due within "
    "14 days and no progress update was posted in the last 30 days. Grey: completed or "
    "withdrawn. Green: otherwise."
)
RAG_DUE_SOON_DAYS = 14
RAG_QUIET_DAYS = 30


# --- Who may change which field -------------------------------------------------------
# Read by the services (which refuse), the edit forms (which disable what the person may
# not change) and the API alike. An editor is one of: the commitment's "owner", a policy
# "officer" of a participant institute, an "administrator" (a system process holding the
# register right counts as one).
class Editor(models.TextChoices):
    OWNER = "owner", "The commitment's owner"
    OFFICER = "officer", "A policy officer of a participant"
    ADMINISTRATOR = "administrator", "An administrator"


_OWNER_AND_UP = frozenset({Editor.OWNER, Editor.ADMINISTRATOR})
_OFFICER_AND_UP = frozenset({Editor.OFFICER, Editor.ADMINISTRATOR})
_ADMINISTRATOR = frozenset({Editor.ADMINISTRATOR})

COMMITMENT_FIELD_EDITORS: dict[str, frozenset[str]] = {
    "title": _OWNER_AND_UP,
    "description": _OWNER_AND_UP,
    "theme": _OWNER_AND_UP,
    "start_on": _OWNER_AND_UP,
    "target_on": _OWNER_AND_UP,
    "recurrence": _OWNER_AND_UP,
    "recurrence_count": _OWNER_AND_UP,
    "notes": _OWNER_AND_UP,
    # Who owes a commitment and who leads it is the participants' decision, recorded by
    # their policy officers, never by the person who owns the work.
    "owed_by": _OFFICER_AND_UP,
    "lead_institute": _OFFICER_AND_UP,
    # Filing and ownership are administrators' repairs.
    "owner": _ADMINISTRATOR,
    "clause": _ADMINISTRATOR,
    "reference": _ADMINISTRATOR,
    "is_illustrative": _ADMINISTRATOR,
}
# A completed or withdrawn commitment keeps its record: only its notes may still change.
COMMITMENT_FIELDS_EDITABLE_WHEN_CLOSED = frozenset({"notes"})

MILESTONE_FIELD_EDITORS: dict[str, frozenset[str]] = {
    "title": _OWNER_AND_UP,
    "evidence_url": _OWNER_AND_UP,
    "owner": _OWNER_AND_UP,
    "is_illustrative": _ADMINISTRATOR,
}
