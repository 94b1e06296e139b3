"""Writes to institutes and people. Only administrators (or a system process holding the
people right) may make them; each is validated against the model's rules and attributed
to the actor."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from core.actors import Actor, Right, SystemActor, require_actor
from core.errors import PermissionDenied
from core.history import acting
from core.services import changed_values, check_version, lock, save_changes, validate
from institutes.models import Institute, Person
from institutes.roles import is_administrator

INSTITUTE_EDITABLE = {
    "name", "short_name", "country", "parent_department", "time_zone", "website", "notes",
}  # fmt: skip
PERSON_EDITABLE = {
    "institute", "name", "email", "job_title", "time_zone", "manager", "user", "is_contact",
    "email_reminders", "is_illustrative",
}  # fmt: skip


def _ensure_administrator(actor: Actor) -> None:
    require_actor(actor)
    allowed = actor.may(Right.PEOPLE) if isinstance(actor, SystemActor) else is_administrator(actor)
    if not allowed:
        raise PermissionDenied(
            {"__all__": "Only an administrator can change institutes and people."}
        )


@transaction.atomic
def institute_create(*, actor: Actor, **fields: Any) -> Institute:
    """Record a new institute (name, short_name, country, time_zone …)."""
    _ensure_administrator(actor)
    with acting(actor):
        institute = Institute(**fields)
        validate(institute)
        institute.save()
    return institute


@transaction.atomic
def person_create(
    *,
    actor: Actor,
    institute: Institute,
    name: str,
    email: str,
    time_zone: str = "",
    **fields: Any,
) -> Person:
    """Record someone at an institute; their time zone defaults to the institute's."""
    _ensure_administrator(actor)
    with acting(actor):
        person = Person(
            institute=institute,
            name=name.strip(),
            email=email.strip(),
            time_zone=time_zone or institute.time_zone,
            **fields,
        )
        validate(person)
        person.save()
    return person


@transaction.atomic
def person_update(
    *, person: Person, actor: Actor, changes: dict[str, Any], expected_version: int | None
) -> Person:
    """Edit a person's details; refused if someone else saved them since ``expected_version``."""
    _ensure_administrator(actor)
    with acting(actor):
        locked = lock(Person, person.pk)
        check_version(locked, expected_version)
        changes = changed_values(locked, changes)
        if not changes:
            return locked
        return save_changes(
            locked, changes, allowed=PERSON_EDITABLE, expected_version=expected_version
        )


@transaction.atomic
def institute_update(
    *, institute: Institute, actor: Actor, changes: dict[str, Any], expected_version: int | None
) -> Institute:
    """Edit an institute's details; refused if someone else saved them since then."""
    _ensure_administrator(actor)
    with acting(actor):
        locked = lock(Institute, institute.pk)
        check_version(locked, expected_version)
        changes = changed_values(locked, changes)
        if not changes:
            return locked
        return save_changes(
            locked, changes, allowed=INSTITUTE_EDITABLE, expected_version=expected_version
        )
