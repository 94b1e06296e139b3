"""Every write to the register. One function per business action; each runs in one
transaction, checks the actor's permission and attributes the change to the actor.

``actor`` is required: a user, or a ``core.actors.SystemActor`` naming the process (the demo
loader, the agreement import) with the rights its job needs. The history names either.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.actors import Actor
from core.errors import DomainError
from core.history import acting
from core.services import (
    changed_values,
    check_transition,
    check_version,
    check_year,
    lock,
    meaningful_reason,
    save_changes,
    validate,
)
from institutes.models import Institute, Person
from mou.choices import (
    AGREEMENT_NEEDS_REASON,
    AGREEMENT_TRANSITIONS,
    COMMITMENT_FIELD_EDITORS,
    COMMITMENT_NEEDS_REASON,
    COMMITMENT_OPEN,
    COMMITMENT_TRANSITIONS,
    MILESTONE_FIELD_EDITORS,
    MILESTONE_NEEDS_REASON,
    MILESTONE_TRANSITIONS,
    AgreementStatus,
    CommitmentStatus,
    MilestoneStatus,
)
from mou.models import Agreement, Clause, Commitment, Milestone, Party, ProgressUpdate, Signatory
from mou.permissions import (
    can_add_milestone,
    can_author,
    can_create_agreement,
    can_edit_commitment,
    can_edit_milestone,
    can_manage_agreements,
    can_post_update,
    commitment_fields_editable,
    ensure,
    ensure_fields,
    milestone_fields_editable,
)
from mou.recurrence import occurrence_in_series
from mou.rules import (
    check_agreement_dates,
    check_commitment_dates,
    check_milestone_date,
    validate_commitment_parties,
)

AGREEMENT_EDITABLE = {
    "title", "kind", "summary", "legally_binding", "signed_on", "signed_place", "effective_on",
    "review_on", "expires_on", "builds_on", "source_url", "sources", "notes",
}  # fmt: skip
COMMITMENT_EDITABLE = {
    "clause", "reference", "title", "description", "owed_by", "lead_institute", "owner",
    "theme", "start_on", "target_on", "recurrence", "recurrence_count", "is_illustrative",
    "notes",
}  # fmt: skip
MILESTONE_EDITABLE = {"title", "owner", "evidence_url", "is_illustrative"}
CLAUSE_EDITABLE = {"number", "title", "text", "position", "is_illustrative"}
SIGNATORY_EDITABLE = {"party", "name", "office", "notes"}


def _move(
    locked: Any,
    *,
    to: str,
    table: dict[str, frozenset[str]],
    choices: Any,
    needs_reason: frozenset[str],
    reason: str,
    reason_message: str,
) -> None:
    """Apply one step of a lifecycle to a locked row: check the table and the reason,
    record both, bump the version."""
    check_transition(current=locked.status, to=to, table=table, choices=choices)
    if to in needs_reason:
        meaningful_reason(reason, message=reason_message)
    locked.status = to
    locked.status_reason = reason.strip()
    locked.version += 1
    locked.save()


# --- Agreements -------------------------------------------------------------------------


@transaction.atomic
def agreement_create(
    *,
    actor: Actor,
    title: str,
    code: str,
    parties: list[Institute],
    status: str = AgreementStatus.DRAFT,
    **fields: Any,
) -> Agreement:
    """Create an agreement with its participants (two or more institutes)."""
    # An institute named twice is one participant, not a database error.
    parties = list({p.pk: p for p in parties}.values())
    ensure(
        can_create_agreement(actor, parties),
        "Only an administrator, or a policy officer of one of its participants, can create "
        "an agreement.",
    )
    if len(parties) < 2:
        raise DomainError({"parties": "An agreement needs at least two different participants."})
    with acting(actor):
        agreement = Agreement(title=title, code=code, status=status, **fields)
        validate(agreement)
        check_agreement_dates(agreement)
        agreement.save()
        for institute in parties:
            Party.objects.create(agreement=agreement, institute=institute)
    return agreement


@transaction.atomic
def agreement_update(
    *, agreement: Agreement, actor: Actor, changes: dict[str, Any], expected_version: int | None
) -> Agreement:
    ensure(can_author(actor, agreement, "agreement"))
    with acting(actor):
        locked = lock(Agreement, agreement.pk)
        saved = save_changes(
            locked, changes, allowed=AGREEMENT_EDITABLE, expected_version=expected_version
        )
        check_agreement_dates(saved)
        return saved


@transaction.atomic
def agreement_transition(
    *, agreement: Agreement, to: str, actor: Actor, reason: str = ""
) -> Agreement:
    """Move an agreement along its lifecycle; the only way its status changes."""
    ensure(can_manage_agreements(actor))
    with acting(actor):
        locked = lock(Agreement, agreement.pk)
        _move(
            locked,
            to=to,
            table=AGREEMENT_TRANSITIONS,
            choices=AgreementStatus,
            needs_reason=AGREEMENT_NEEDS_REASON,
            reason=reason,
            reason_message="Give a reason for terminating the agreement.",
        )
    return locked


@transaction.atomic
def party_add(
    *, agreement: Agreement, institute: Institute, actor: Actor, lead_department: str = ""
) -> Party:
    ensure(can_author(actor, agreement, "agreement"))
    with acting(actor):
        party = Party(agreement=agreement, institute=institute, lead_department=lead_department)
        validate(party)
        party.save()
    return party


@transaction.atomic
def party_update(
    *, party: Party, actor: Actor, lead_department: str, expected_version: int | None = None
) -> Party:
    """Set the department that leads for a participant."""
    ensure(can_author(actor, party.agreement, "agreement"))
    with acting(actor):
        locked = lock(Party, party.pk)
        return save_changes(
            locked,
            {"lead_department": lead_department.strip()},
            allowed={"lead_department"},
            expected_version=expected_version,
        )


@transaction.atomic
def signatory_add(
    *, agreement: Agreement, party: Party, name: str, office: str, actor: Actor, notes: str = ""
) -> Signatory:
    ensure(can_author(actor, agreement, "agreement"))
    if party.agreement_id != agreement.pk:
        raise DomainError(
            {"party": "The signatory's participant must be a party to this agreement."}
        )
    with acting(actor):
        signatory = Signatory(
            agreement=agreement, party=party, name=name, office=office, notes=notes
        )
        validate(signatory)
        signatory.save()
    return signatory


@transaction.atomic
def signatory_update(
    *,
    signatory: Signatory,
    actor: Actor,
    changes: dict[str, Any],
    expected_version: int | None,
) -> Signatory:
    """Correct a signatory's name, office, notes or participant."""
    ensure(can_author(actor, signatory.agreement, "agreement"))
    with acting(actor):
        locked = lock(Signatory, signatory.pk)
        saved = save_changes(
            locked, changes, allowed=SIGNATORY_EDITABLE, expected_version=expected_version
        )
        if saved.party.agreement_id != saved.agreement_id:
            raise DomainError(
                {"party": "The signatory's participant must be a party to this agreement."}
            )
        return saved


@transaction.atomic
def clause_update(
    *, clause: Clause, actor: Actor, changes: dict[str, Any], expected_version: int | None
) -> Clause:
    """Edit a clause's number, title, text or position."""
    ensure(can_author(actor, clause.agreement, "clause"))
    with acting(actor):
        locked = lock(Clause, clause.pk)
        if isinstance(changes.get("number"), str):
            changes = changes | {"number": changes["number"].strip()}
        return save_changes(
            locked, changes, allowed=CLAUSE_EDITABLE, expected_version=expected_version
        )


@transaction.atomic
def clause_create(
    *, agreement: Agreement, number: str, title: str, actor: Actor, **fields: Any
) -> Clause:
    ensure(can_author(actor, agreement, "clause"))
    with acting(actor):
        clause = Clause(agreement=agreement, number=number.strip(), title=title, **fields)
        validate(clause)
        clause.save()
    return clause


# --- Commitments ------------------------------------------------------------------------


@transaction.atomic
def commitment_create(
    *,
    actor: Actor,
    agreement: Agreement,
    clause: Clause,
    reference: str,
    title: str,
    owner: Person,
    lead_institute: Institute,
    owed_by: Institute | None = None,
    **fields: Any,
) -> Commitment:
    """Record a new obligation; a recurring one gets its first occurrence as a milestone."""
    ensure(can_author(actor, agreement, "commitment"))
    with acting(actor):
        commitment = Commitment(
            agreement=agreement,
            clause=clause,
            reference=reference.strip(),
            title=title,
            owner=owner,
            lead_institute=lead_institute,
            owed_by=owed_by,
            **fields,
        )
        validate(commitment)
        validate_commitment_parties(commitment)
        check_commitment_dates(commitment)
        commitment.save()
        commitment_series_extend(commitment=commitment, actor=actor)
    return commitment


@transaction.atomic
def commitment_update(
    *,
    commitment: Commitment,
    actor: Actor,
    changes: dict[str, Any],
    expected_version: int | None,
) -> Commitment:
    """Edit a commitment's details (not its status: see ``commitment_transition``).

    Only the fields that really change are checked and written: each must be one that
    the actor may change in the commitment's state (``COMMITMENT_FIELD_EDITORS``).
    """
    with acting(actor):
        locked = lock(Commitment, commitment.pk)
        editable = commitment_fields_editable(actor, locked)
        ensure(bool(editable))
        check_version(locked, expected_version)
        changes = changed_values(locked, changes)
        if not changes:
            return locked
        ensure_fields(changes, editable, COMMITMENT_FIELD_EDITORS)
        save_changes(
            locked, changes, allowed=COMMITMENT_EDITABLE, expected_version=expected_version
        )
        validate_commitment_parties(locked)
        check_commitment_dates(locked)
    return locked


@transaction.atomic
def commitment_transition(
    *, commitment: Commitment, to: str, actor: Actor, reason: str = ""
) -> Commitment:
    """Move a commitment to a new status; the only way its status changes."""
    with acting(actor):
        locked = lock(Commitment, commitment.pk)
        ensure(can_edit_commitment(actor, locked))
        _move(
            locked,
            to=to,
            table=COMMITMENT_TRANSITIONS,
            choices=CommitmentStatus,
            needs_reason=COMMITMENT_NEEDS_REASON,
            reason=reason,
            reason_message="Give a reason for withdrawing.",
        )
    return locked


# --- Milestones -------------------------------------------------------------------------


@transaction.atomic
def milestone_add(
    *,
    commitment: Commitment,
    actor: Actor,
    title: str,
    due_on: date,
    owner: Person | None = None,
    **fields: Any,
) -> Milestone:
    """Add a dated deliverable; its owner defaults to the commitment's owner."""
    with acting(actor):
        ensure(can_add_milestone(actor, commitment))
        milestone = Milestone(
            commitment=commitment,
            title=title,
            due_on=due_on,
            owner=owner or commitment.owner,
            **fields,
        )
        validate(milestone)
        check_milestone_date(commitment.agreement, due_on)
        milestone.save()
    return milestone


@transaction.atomic
def milestone_update(
    *, milestone: Milestone, actor: Actor, changes: dict[str, Any], expected_version: int | None
) -> Milestone:
    with acting(actor):
        locked = lock(Milestone, milestone.pk)
        ensure(can_edit_milestone(actor, locked))
        check_version(locked, expected_version)
        changes = changed_values(locked, changes)
        if not changes:
            return locked
        ensure_fields(changes, milestone_fields_editable(actor, locked), MILESTONE_FIELD_EDITORS)
        return save_changes(
            locked, changes, allowed=MILESTONE_EDITABLE, expected_version=expected_version
        )


@transaction.atomic
def milestone_reschedule(
    *,
    milestone: Milestone,
    due_on: date,
    actor: Actor,
    reason: str = "",
    expected_version: int | None = None,
) -> Milestone:
    """Move an open milestone's due date."""
    with acting(actor):
        locked = lock(Milestone, milestone.pk)
        ensure(can_edit_milestone(actor, locked))
        if locked.status != MilestoneStatus.OPEN:
            raise DomainError({"due_on": "Only an open milestone can be rescheduled."})
        check_version(locked, expected_version)
        if due_on != locked.due_on:
            check_milestone_date(locked.commitment.agreement, due_on)
        changes: dict[str, Any] = {"due_on": due_on}
        if reason.strip():
            changes["status_reason"] = meaningful_reason(reason)
        return save_changes(
            locked,
            changes,
            allowed={"due_on", "status_reason"},
            expected_version=expected_version,
        )


@transaction.atomic
def milestone_complete(
    *,
    milestone: Milestone,
    actor: Actor,
    done_on: date | None = None,
    evidence_url: str = "",
) -> Milestone:
    """Mark a milestone done; in a recurring series the next occurrence is scheduled."""
    with acting(actor):
        locked = lock(Milestone, milestone.pk)
        ensure(can_edit_milestone(actor, locked))
        check_transition(
            current=locked.status,
            to=MilestoneStatus.DONE,
            table=MILESTONE_TRANSITIONS,
            choices=MilestoneStatus,
        )
        locked.status = MilestoneStatus.DONE
        locked.done_on = done_on or timezone.localdate(timezone=locked.owner.zone)
        if evidence_url:
            locked.evidence_url = evidence_url
        if locked.done_on > timezone.localdate(timezone=locked.owner.zone):
            raise DomainError({"done_on": "The done date cannot be in the future."})
        too_early = check_year(locked.done_on, "The done date")
        if too_early:
            raise DomainError({"done_on": too_early})
        validate(locked)
        locked.version += 1
        locked.save()
        if locked.sequence is not None:
            commitment_series_extend(commitment=locked.commitment, actor=actor)
    return locked


@transaction.atomic
def milestone_cancel(*, milestone: Milestone, actor: Actor, reason: str) -> Milestone:
    with acting(actor):
        locked = lock(Milestone, milestone.pk)
        ensure(can_edit_milestone(actor, locked))
        _move(
            locked,
            to=MilestoneStatus.CANCELLED,
            table=MILESTONE_TRANSITIONS,
            choices=MilestoneStatus,
            needs_reason=MILESTONE_NEEDS_REASON,
            reason=reason,
            reason_message="Give a reason for cancelling.",
        )
        # A skipped occurrence does not end a recurring series: schedule the next one.
        if locked.sequence is not None:
            commitment_series_extend(commitment=locked.commitment, actor=actor)
    return locked


def commitment_series_extend(*, commitment: Commitment, actor: Actor) -> Milestone | None:
    """Make sure a recurring commitment's next occurrence exists as an open milestone.

    The series is anchored on the commitment's start date (else its target date); it ends
    after ``recurrence_count`` occurrences or at the agreement's expiry date.
    """
    anchor = commitment.start_on or commitment.target_on
    if not commitment.recurrence or anchor is None or commitment.status not in COMMITMENT_OPEN:
        return None
    series = Milestone.objects.filter(commitment=commitment, sequence__isnull=False)
    if series.filter(status=MilestoneStatus.OPEN).exists():
        return None
    last = series.order_by("-sequence").values_list("sequence", flat=True).first() or 0
    due = occurrence_in_series(
        anchor=anchor,
        recurrence=commitment.recurrence,
        sequence=last + 1,
        count=commitment.recurrence_count,
        ends_on=commitment.agreement.expires_on,
    )
    if due is None:
        return None
    with acting(actor):
        return Milestone.objects.create(
            commitment=commitment,
            title=f"{commitment.title} ({due:%B %Y})",
            due_on=due,
            owner=commitment.owner,
            sequence=last + 1,
            is_illustrative=commitment.is_illustrative,
        )


# --- Progress updates -------------------------------------------------------------------


@transaction.atomic
def progress_update_post(
    *,
    commitment: Commitment,
    actor: Actor,
    note: str,
    author: Person | None = None,
    evidence_url: str = "",
    status: str = "",
    posted_at: Any = None,
) -> ProgressUpdate:
    """Post a dated note on a commitment; it may also move the commitment's status."""
    # Judge by the saved row, not the caller's copy: its status or owner may be out of date.
    commitment = lock(Commitment, commitment.pk)
    ensure(can_post_update(actor, commitment))
    author = author or getattr(actor, "person", None)
    if author is None:
        raise DomainError({"author": "Your account is not linked to a person."})
    if not note.strip():
        raise DomainError({"note": "Write what has happened."})
    with acting(actor):
        if status and status != commitment.status:
            commitment = commitment_transition(commitment=commitment, to=status, actor=actor)
        update = ProgressUpdate(
            commitment=commitment,
            author=author,
            note=note.strip(),
            evidence_url=evidence_url,
            status_set=status,
            posted_at=posted_at or timezone.now(),
        )
        validate(update)
        update.save()
    return update


# --- Kept RAG inputs ---------------------------------------------------------------------


@transaction.atomic
@transaction.atomic
def rag_inputs_repair(*, values: dict[int, Any], actor: Actor) -> int:
    """Rewrite the RAG inputs kept on the given commitments (a maintenance task run by a
    process with the register right, named in the history context). With the triggers
    installed the database recomputes them on the write anyway; without, the given values
    (from ``mou.selectors.recomputed_rag_inputs``) are stored."""
    ensure(can_manage_agreements(actor))
    repaired = 0
    with acting(actor):
        for pk, right in values.items():
            repaired += Commitment.objects.filter(pk=pk).update(
                next_due_on=right.next_due_on,
                late_from=right.late_from,
                due_soon_from=right.due_soon_from,
                open_milestone_count=right.open_milestone_count,
                last_update_at=right.last_update_at,
            )
    return repaired
