"""Who may change what in the register; checked by the services (and used by views and
forms to decide what to offer).

A person's rights come from their roles and their side: a commitment owner edits what
they own, a policy officer acts for a participant institute, an administrator repairs.
A system process has exactly the rights its ``SystemActor`` holds; nobody has rights by
being absent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from core.actors import Actor, Right, SystemActor, require_actor
from core.errors import PermissionDenied
from institutes.choices import Role
from institutes.roles import has_role, is_administrator, person_of
from mou.choices import (
    AUTHORING_RIGHTS,
    COMMITMENT_FIELD_EDITORS,
    COMMITMENT_FIELDS_EDITABLE_WHEN_CLOSED,
    COMMITMENT_OPEN,
    MILESTONE_FIELD_EDITORS,
    Editor,
)
from mou.models import Agreement, Commitment, Milestone, Party


def can_manage_agreements(actor: Actor) -> bool:
    require_actor(actor)
    if isinstance(actor, SystemActor):
        return actor.may(Right.REGISTER)
    return is_administrator(actor)


def _is_officer_of(actor: Actor, agreement_id: int) -> bool:
    """A policy officer working at one of the agreement's participant institutes."""
    if isinstance(actor, SystemActor) or not has_role(actor, Role.POLICY_OFFICER):
        return False
    person = person_of(actor)
    if person is None:
        return False
    return Party.objects.filter(
        agreement_id=agreement_id, institute_id=person.institute_id
    ).exists()


def _owns(actor: Actor, owner_id: int | None) -> bool:
    if isinstance(actor, SystemActor) or not has_role(actor, Role.COMMITMENT_OWNER):
        return False
    person = person_of(actor)
    return person is not None and owner_id == person.pk


def agreement_authors(actor: Actor, agreement: Agreement) -> frozenset[str]:
    """The capacities in which ``actor`` acts on this agreement (see ``Editor``)."""
    if can_manage_agreements(actor):
        return frozenset({Editor.ADMINISTRATOR})
    if _is_officer_of(actor, agreement.pk):
        return frozenset({Editor.OFFICER})
    return frozenset()


def can_author(actor: Actor, agreement: Agreement, what: str) -> bool:
    """Whether ``actor`` may create or edit ``what`` ("agreement", "clause", "commitment")
    in this agreement, as ``AUTHORING_RIGHTS`` says."""
    return bool(AUTHORING_RIGHTS[what] & agreement_authors(actor, agreement))


def can_create_agreement(actor: Actor, parties: Iterable[Any] | None = None) -> bool:
    """Whether ``actor`` may create an agreement (with these participating institutes:
    a policy officer's own institute must be one of them)."""
    if can_manage_agreements(actor):
        return Editor.ADMINISTRATOR in AUTHORING_RIGHTS["agreement"]
    if Editor.OFFICER not in AUTHORING_RIGHTS["agreement"]:
        return False
    if isinstance(actor, SystemActor) or not has_role(actor, Role.POLICY_OFFICER):
        return False
    person = person_of(actor)
    if person is None:
        return False
    return parties is None or person.institute_id in {p.pk for p in parties}


def can_add_milestone(actor: Actor, commitment: Commitment) -> bool:
    return bool(AUTHORING_RIGHTS["milestone"] & commitment_editors(actor, commitment))


def commitment_editors(actor: Actor, commitment: Commitment) -> frozenset[str]:
    """The capacities in which ``actor`` may edit this commitment (see ``Editor``)."""
    require_actor(actor)
    if can_manage_agreements(actor):
        return frozenset(Editor.values)
    found = set()
    if _owns(actor, commitment.owner_id):
        found.add(Editor.OWNER)
    if _is_officer_of(actor, commitment.agreement_id):
        found.add(Editor.OFFICER)
    return frozenset(found)


def commitment_fields_editable(actor: Actor, commitment: Commitment) -> frozenset[str]:
    """The commitment's fields ``actor`` may change in its current state."""
    editors = commitment_editors(actor, commitment)
    fields = {name for name, allowed in COMMITMENT_FIELD_EDITORS.items() if allowed & editors}
    if commitment.status not in COMMITMENT_OPEN:
        fields &= COMMITMENT_FIELDS_EDITABLE_WHEN_CLOSED
    return frozenset(fields)


def can_edit_commitment(actor: Actor, commitment: Commitment) -> bool:
    """Whether ``actor`` may change the commitment's status and its owner's fields."""
    return bool(commitment_editors(actor, commitment) & {Editor.OWNER, Editor.ADMINISTRATOR})


def milestone_fields_editable(actor: Actor, milestone: Milestone) -> frozenset[str]:
    editors = set(commitment_editors(actor, milestone.commitment))
    if _owns(actor, milestone.owner_id):
        editors.add(Editor.OWNER)
    return frozenset(name for name, allowed in MILESTONE_FIELD_EDITORS.items() if allowed & editors)


def can_edit_milestone(actor: Actor, milestone: Milestone) -> bool:
    if can_edit_commitment(actor, milestone.commitment):
        return True
    return _owns(actor, milestone.owner_id)


def editable_milestone_ids(
    actor: Actor, commitment: Commitment, milestones: Iterable[Milestone]
) -> frozenset[int]:
    """Which of a commitment's milestones ``actor`` may edit (one check, not one a row)."""
    if can_edit_commitment(actor, commitment):
        return frozenset(m.pk for m in milestones)
    return frozenset(m.pk for m in milestones if _owns(actor, m.owner_id))


def can_post_update(actor: Actor, commitment: Commitment) -> bool:
    return can_edit_commitment(actor, commitment) or (
        not isinstance(actor, SystemActor) and has_role(actor, Role.POLICY_OFFICER)
    )


def ensure(allowed: bool, message: str = "You do not have permission to do this.") -> None:
    if not allowed:
        raise PermissionDenied({"__all__": message})


def ensure_fields(
    changed: Iterable[str], editable: frozenset[str], rights: Mapping[str, frozenset[str]]
) -> None:
    """Refuse a change to any field outside ``editable``, saying who may change each."""
    refused = sorted(set(changed) - editable)
    if not refused:
        return
    errors = {}
    for name in refused:
        editors = rights.get(name)
        if editors is None:
            errors[name] = "This field cannot be changed here."
        else:
            who = " or ".join(Editor(e).label.lower() for e in sorted(editors))
            errors[name] = f"Only {who} can change this (while the record is open)."
    raise PermissionDenied(errors)
