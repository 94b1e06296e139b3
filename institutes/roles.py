"""Who may do what: role checks used by services and views."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ObjectDoesNotExist

from institutes.choices import Role

if TYPE_CHECKING:
    from core.actors import Actor
    from institutes.models import Person

    # A system process counts as signed out here: it has no roles and is no person.
    AnyUser = Actor


def role_names(user: AnyUser) -> frozenset[str]:
    """The user's role names, cached on the user object for the request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_accord_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))  # type: ignore[union-attr]
        user._accord_roles = cached  # type: ignore[union-attr]
    return cached


def has_role(user: AnyUser, *roles: Role) -> bool:
    return bool(role_names(user) & {str(r) for r in roles})


def is_administrator(user: AnyUser) -> bool:
    superuser = getattr(user, "is_superuser", False)
    return bool(user.is_authenticated and (superuser or has_role(user, Role.ADMINISTRATOR)))


def person_of(user: AnyUser) -> Person | None:
    """The Person linked to a user account, if any."""
    if not user.is_authenticated:
        return None
    try:
        return user.person  # type: ignore[union-attr]
    except ObjectDoesNotExist:  # the account is not linked to a person
        return None
