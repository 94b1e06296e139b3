"""Statuses and the transition tables that govern them (enforced in mou.services), with
what the pages need to show them: which are open or closed, and each one's tag colour."""

from django.db import models

from core.vocabulary import Vocabulary


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
AGREEMENT_OPEN = frozenset(
    {AgreementStatus.DRAFT, AgreementStatus.IN_FORCE, AgreementStatus.UNDER_REVIEW}
)
AGREEMENT_CLOSED = frozenset({AgreementStatus.EXPIRED, AgreementStatus.TERMINATED})
AGREEMENT_TAGS = {
    AgreementStatus.DRAFT: "govuk-tag--grey",
    AgreementStatus.IN_FORCE: "govuk-tag--green",
    AgreementStatus.UNDER_REVIEW: "govuk-tag--yellow",
    AgreementStatus.EXPIRED: "govuk-tag--grey",
    AgreementStatus.TERMINATED: "govuk-tag--red",
}


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
COMMITMENT_CLOSED = frozenset({CommitmentStatus.COMPLETED, CommitmentStatus.WITHDRAWN})
COMMITMENT_TAGS = {
    CommitmentStatus.NOT_STARTED: "govuk-tag--grey",
    CommitmentStatus.ON_TRACK: "govuk-tag--green",
    CommitmentStatus.AT_RISK: "govuk-tag--orange",
    CommitmentStatus.OFF_TRACK: "govuk-tag--red",
    CommitmentStatus.COMPLETED: "govuk-tag--blue",
    CommitmentStatus.WITHDRAWN: "govuk-tag--grey",
}


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
MILESTONE_OPEN = frozenset({MilestoneStatus.OPEN})
MILESTONE_CLOSED = frozenset({MilestoneStatus.DONE, MilestoneStatus.CANCELLED})
MILESTONE_DONE = frozenset({MilestoneStatus.DONE})
# What a timeline shows: every milestone but the cancelled ones.
MILESTONE_SCHEDULED = frozenset({MilestoneStatus.OPEN, MilestoneStatus.DONE})
MILESTONE_TAGS = {
    MilestoneStatus.OPEN: "govuk-tag--light-blue",
    MilestoneStatus.DONE: "govuk-tag--green",
    MilestoneStatus.CANCELLED: "govuk-tag--grey",
}


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


# Grey is the rating of a closed commitment (completed or withdrawn).
RAG_OPEN = frozenset({Rag.RED, Rag.AMBER, Rag.GREEN})
RAG_CLOSED = frozenset({Rag.GREY})
RAG_TAGS = {
    Rag.RED: "govuk-tag--red",
    Rag.AMBER: "govuk-tag--orange",
    Rag.GREEN: "govuk-tag--green",
    Rag.GREY: "govuk-tag--grey",
}
# The dashboard chart's bars: GOV.UK colours, and a dash pattern so that colour is not
# the only difference.
RAG_CHART = {
    Rag.RED: {"colour": "#d4351c", "dash": []},
    Rag.AMBER: {"colour": "#f47738", "dash": [6, 3]},
    Rag.GREEN: {"colour": "#00703c", "dash": [2, 2]},
    Rag.GREY: {"colour": "#505a5f", "dash": [8, 2, 2, 2]},
}

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

# Who may author the register in Accord's own pages (and through the services behind them):
# create an agreement and edit its details, participants and signatories; create and edit
# its clauses; create its commitments; add milestones to a commitment. A policy officer
# authors the agreements their institute is a participant of; an agreement they create
# must name their institute among its participants.
AUTHORING_RIGHTS: dict[str, frozenset[str]] = {
    "agreement": _OFFICER_AND_UP,
    "clause": _OFFICER_AND_UP,
    "commitment": _OFFICER_AND_UP,
    "milestone": frozenset({Editor.OWNER, Editor.OFFICER, Editor.ADMINISTRATOR}),
}

VOCABULARIES = [
    Vocabulary(
        name="agreement",
        choices=AgreementStatus,
        tags=AGREEMENT_TAGS,
        open=AGREEMENT_OPEN,
        closed=AGREEMENT_CLOSED,
    ),
    Vocabulary(
        name="commitment",
        choices=CommitmentStatus,
        tags=COMMITMENT_TAGS,
        open=COMMITMENT_OPEN,
        closed=COMMITMENT_CLOSED,
    ),
    Vocabulary(
        name="milestone",
        choices=MilestoneStatus,
        tags=MILESTONE_TAGS,
        open=MILESTONE_OPEN,
        closed=MILESTONE_CLOSED,
        sets={"done": MILESTONE_DONE, "scheduled": MILESTONE_SCHEDULED},
    ),
    Vocabulary(name="rag", choices=Rag, tags=RAG_TAGS, open=RAG_OPEN, closed=RAG_CLOSED),
]
