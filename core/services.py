"""Building blocks for services: validation, optimistic locking, versioned saves."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import pghistory
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
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


def differs(instance: models.Model, name: str, value: Any) -> bool:
    """Whether setting ``name`` to ``value`` would change the stored record.

    Relations are compared by id, text with surrounding spaces ignored (and empty text the
    same as none), other values after the field's own conversion (so "2027-03-31" equals
    the stored date). A name that is not a field always counts as a change, so that it
    reaches the caller's check of what may be changed.
    """
    try:
        field = instance._meta.get_field(name)
    except FieldDoesNotExist:
        return True
    if not field.concrete or field.many_to_many:
        return True
    current = getattr(instance, field.attname)
    if field.is_relation:
        return current != getattr(value, "pk", value)
    try:
        value = field.to_python(value)
    except ValidationError:
        return True  # not even the right kind of value: let validation say why
    if isinstance(current, str | None) and isinstance(value, str | None):
        return (current or "").strip() != (value or "").strip()
    return bool(current != value)


def changed_values(instance: models.Model, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The part of ``changes`` that really differs from what ``instance`` holds."""
    return {name: value for name, value in changes.items() if differs(instance, name, value)}


def save_changes[M: models.Model](
    instance: M,
    changes: Mapping[str, Any],
    *,
    allowed: Iterable[str],
    expected_version: int | None = None,
) -> M:
    """Apply ``changes`` (only ``allowed`` fields) to a locked instance, validate, bump version.

    The version is checked first, so a stale copy is refused even when it changes nothing.
    Values equal to the stored ones are dropped: a form saved as it was opened writes
    nothing (no save, no history row, no new version), and may carry fields its user cannot
    change as long as they are unchanged. Changing a forbidden or unknown field is an error,
    not silently dropped.
    """
    check_version(instance, expected_version)
    changes = changed_values(instance, changes)
    forbidden = set(changes) - set(allowed)
    if forbidden:
        raise DomainError({name: "This field cannot be changed here." for name in forbidden})
    if not changes:
        return instance
    for name, value in changes.items():
        setattr(instance, name, value)
    validate(instance)
    instance.version += 1  # type: ignore[attr-defined]
    instance.save()
    return instance


# Dates outside these years are typing mistakes (1900 for 2026, 9999 for "never").
EARLIEST_YEAR = 2000
LATEST_YEAR = 2100
# A reason is read by the other side: it must say something, not be punctuation or noise.
REASON_MIN_ALNUM = 3


def check_year(value: date, label: str) -> str | None:
    """A message when ``value`` lies outside the years Accord accepts, else None."""
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        return f"{label} must be in the years {EARLIEST_YEAR} to {LATEST_YEAR}."
    return None


def meaningful_reason(
    reason: str, *, field: str = "reason", message: str = "Give a reason."
) -> str:
    """The reason, stripped; refused when it has fewer than three letters or digits."""
    text = reason.strip()
    if not text:
        raise DomainError({field: message})
    if sum(1 for char in text if char.isalnum()) < REASON_MIN_ALNUM:
        raise DomainError(
            {field: f"{message} Write it in words: at least {REASON_MIN_ALNUM} letters or digits."}
        )
    return text


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
