"""Building blocks for services: validation, optimistic locking, versioned saves."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pghistory
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.constants import LOOKUP_SEP

from core.errors import DomainError, StaleRecord, TransitionNotAllowed
from core.history import display_value, related_names


def validate(instance: models.Model, *, exclude: Iterable[str] | None = None) -> None:
    """Run the model's field and constraint checks; raise DomainError naming each field.

    Django reports a broken table constraint as a whole-record error; here it is attributed
    to the field the constraint is about, so a form can show it next to that field.
    """
    try:
        instance.full_clean(exclude=list(exclude or []))
    except ValidationError as exc:
        by_message = _constraint_fields(type(instance))
        errors: dict[str, list[str]] = {}
        for field, field_errors in exc.error_dict.items():
            for error in field_errors:
                for message in error.messages:
                    key = field
                    if field == NON_FIELD_ERRORS:
                        # Django's own "X with this A and B already exists." names its fields.
                        unique_check = (error.params or {}).get("unique_check")
                        if error.code == "unique_together" and unique_check:
                            key = unique_check[-1]
                        else:
                            key = by_message.get(message, field)
                    errors.setdefault(key, []).append(message)
        raise DomainError(
            {field: " ".join(messages) for field, messages in errors.items()}
        ) from exc


def _constraint_fields(model: type[models.Model]) -> dict[str, str]:
    """Each constraint's message → the field it is about.

    For a unique constraint that is its last field (``agreement, number`` → ``number``); for
    a check, the field of the last condition (``effective_on >= signed_on`` is broken by the
    effective date; "withdrawn needs a reason" by the missing reason).
    """
    names = {f.name for f in model._meta.concrete_fields}
    found = {}
    for constraint in model._meta.constraints:
        field = None
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
            field = constraint.fields[-1]
        elif isinstance(constraint, models.CheckConstraint):
            field = _last_field(constraint.condition)
        if field in names:
            found[str(constraint.get_violation_error_message())] = field
    return found


def _last_field(node: Any) -> str | None:
    if isinstance(node, Q):
        for child in reversed(node.children):
            field = _last_field(child)
            if field:
                return field
        return None
    if isinstance(node, tuple) and node:
        return str(node[0]).split(LOOKUP_SEP)[0]
    return None


def lock[M: models.Model](model: type[M], pk: Any) -> M:
    """The row, locked for the rest of the transaction."""
    return model._default_manager.select_for_update().get(pk=pk)


def changes_since(instance: models.Model, version: int) -> dict[str, tuple[Any, Any]]:
    """Fields that differ between the history snapshot at ``version`` and the instance now."""
    snapshot = (
        pghistory.models.Events.objects.tracks(instance)
        .filter(pgh_data__version=version)
        .order_by("-pgh_id")
        .first()
    )
    if snapshot is None:
        return {}
    differing = []
    for field in instance._meta.concrete_fields:
        if field.attname in {"updated_at", "version", "created_at"}:
            continue
        if field.attname not in snapshot.pgh_data:
            continue  # not kept in history (e.g. values the database derives)
        before = snapshot.pgh_data.get(field.attname)
        now = field.value_from_object(instance)
        now_text = field.value_to_string(instance) if not field.is_relation else now
        if before in ("", None) and now in ("", None):
            continue
        if str(before) != str(now_text):
            differing.append((field, before, now))
    names = related_names(
        type(instance),
        {f.name: {v for v in (b, n) if v} for f, b, n in differing if f.is_relation},
    )
    changed = {}
    for field, before, now in differing:
        label = str(field.verbose_name)
        changed[label] = (display_value(field, before, names), display_value(field, now, names))
    return changed


def check_version(instance: models.Model, expected_version: int | None) -> None:
    """Refuse to save over a copy someone else has changed since ``expected_version``."""
    if expected_version is not None and instance.version != expected_version:  # type: ignore[attr-defined]
        raise StaleRecord(changes_since(instance, expected_version))


def save_changes[M: models.Model](
    instance: M,
    changes: Mapping[str, Any],
    *,
    allowed: Iterable[str],
    expected_version: int | None = None,
) -> M:
    """Apply ``changes`` (only ``allowed`` fields) to a locked instance, validate, bump version.

    Unknown or forbidden fields are an error, not silently dropped.
    """
    allowed = set(allowed)
    forbidden = set(changes) - allowed
    if forbidden:
        raise DomainError({name: "This field cannot be changed here." for name in forbidden})
    check_version(instance, expected_version)
    for name, value in changes.items():
        setattr(instance, name, value)
    validate(instance)
    instance.version += 1  # type: ignore[attr-defined]
    instance.save()
    return instance


def status_label(choices: Any, value: str) -> str:
    """The human label of a status value (the value itself when unknown)."""
    return str(dict(choices.choices).get(value, value))


def check_transition(
    *, current: str, to: str, table: Mapping[str, frozenset[str]], choices: Any
) -> None:
    """Refuse a status change that the lifecycle's transition table does not allow."""
    if to not in dict(choices.choices):
        raise DomainError({"status": f"“{to}” is not a status."})
    if to not in table[current]:
        raise TransitionNotAllowed(status_label(choices, current), status_label(choices, to))
