"""Who may change what in the register; checked by the services (and used by views)."""

from __future__ import annotations

from typing import Any

from core.errors import PermissionDenied
from institutes.choices import Role
from institutes.roles import has_role, is_administrator, person_of
from mou.models import Commitment, Milestone


def can_edit_commitment(user: Any, commitment: Commitment) -> bool:
    if user is None or is_administrator(user):
        return True
    person = person_of(user)
    return (
        person is not None
        and commitment.owner_id == person.pk
        and has_role(user, Role.COMMITMENT_OWNER)
    )


def can_edit_milestone(user: Any, milestone: Milestone) -> bool:
    if can_edit_commitment(user, milestone.commitment):
        return True
    person = person_of(user)
    return (
        person is not None
        and milestone.owner_id == person.pk
        and has_role(user, Role.COMMITMENT_OWNER)
    )


def can_post_update(user: Any, commitment: Commitment) -> bool:
    return (
        user is None or can_edit_commitment(user, commitment) or has_role(user, Role.POLICY_OFFICER)
    )


def can_manage_agreements(user: Any) -> bool:
    return user is None or is_administrator(user)


def ensure(allowed: bool, message: str = "You do not have permission to do this.") -> None:
    if not allowed:
        raise PermissionDenied({"__all__": message})
