"""Reading and attributing history: who changed what, when, old → new.

History rows are written by database triggers (django-pghistory); this module sets the
context (acting user, process) that the triggers attach, and renders events in plain words.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pghistory
from django.contrib.auth import get_user_model
from django.db import models


@contextlib.contextmanager
def acting(actor: Any = None, *, process: str = "") -> Iterator[None]:
    """Attribute every write inside the block to ``actor`` (a user or a system process)
    and/or ``process``."""
    from core.actors import SystemActor

    meta: dict[str, Any] = {}
    if isinstance(actor, SystemActor):
        process = process or actor.process
    elif actor is not None and getattr(actor, "pk", None) is not None:
        meta["user"] = actor.pk
        meta["username"] = actor.get_username()
    if process:
        meta["process"] = process
    with pghistory.context(**meta):
        yield


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    kind: str  # "created", "changed", "deleted"
    by: str
    changes: list[Change]
    label: str  # what the event is about, e.g. "Milestone: Annual dialogue 2027"


def display_value(field: models.Field | None, value: Any, names: dict[str, dict[Any, str]]) -> str:
    """A stored value as a person reads it: choice labels, related names, dates in words."""
    if value is None or value == "":
        return "—"
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field is not None and field.is_relation and field.name in names:
        return names[field.name].get(value, f"#{value}")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if field is not None and isinstance(field, models.DateField):
        try:
            parsed = datetime.fromisoformat(str(value))
            if isinstance(field, models.DateTimeField):
                return parsed.strftime("%-d %b %Y %H:%M")
            return parsed.strftime("%-d %b %Y")
        except ValueError:
            return str(value)
    return str(value)


HIDDEN_FIELDS = {"id", "created_at", "updated_at", "version"}


def history_for(
    model: type[models.Model], pks: list[Any], *, label: str | None = None
) -> list[HistoryEntry]:
    """Every event for the given rows of ``model``, newest first, in plain words.

    Costs at most three queries whatever the number of events: the events, the users named
    in their context, and the names of related records that changed (one per model).
    """
    if not pks:
        return []
    events = list(
        pghistory.models.Events.objects.tracks(*[model(pk=pk) for pk in pks]).order_by(
            "pgh_created_at", "pgh_id"
        )
    )
    return _render(model, events, label=label)


def related_names(
    model: type[models.Model], ids_by_field: dict[str, set[Any]]
) -> dict[str, dict[Any, str]]:
    """For each relation field, the names of the given related rows (one query per field)."""
    names: dict[str, dict[Any, str]] = {}
    for name, ids in ids_by_field.items():
        related_model = model._meta.get_field(name).related_model
        names[name] = {obj.pk: str(obj) for obj in related_model._base_manager.filter(pk__in=ids)}
    return names


def _event_label(model: type[models.Model], event: Any) -> str:
    data = event.pgh_data or {}
    name = data.get("title") or data.get("name") or f"#{event.pgh_obj_id}"
    return f"{str(model._meta.verbose_name).capitalize()}: {name}"


def _diffs(events: list[Any]) -> dict[int, dict[str, tuple[Any, Any]]]:
    """Each update event's changes against the same row's previous event (by position)."""
    previous: dict[str, dict[str, Any]] = {}
    diffs: dict[int, dict[str, tuple[Any, Any]]] = {}
    for e in events:
        data = e.pgh_data or {}
        before = previous.get(e.pgh_obj_id)
        if before is not None:
            diffs[id(e)] = {k: (before.get(k), v) for k, v in data.items() if before.get(k) != v}
        elif e.pgh_diff:
            diffs[id(e)] = {k: (old, new) for k, (old, new) in e.pgh_diff.items()}
        previous[e.pgh_obj_id] = data
    return diffs


# How the history names a system process and a field whose own name reads as code.
PROCESS_LABELS = {
    "load_demo": "the demo loader",
    "import_agreement": "the agreement import",
    "reminders": "the reminder service",
}
FIELD_LABELS = {
    "evidence_url": "Evidence link",
    "source_url": "Link to the published text",
    "status_reason": "Reason",
    "due_on": "Due date",
    "done_on": "Done on",
    "start_on": "Start date",
    "target_on": "Target date",
    "is_illustrative": "Illustrative",
}


def process_label(process: str) -> str:
    return PROCESS_LABELS.get(process, f"the {process.replace('_', ' ')} process")


def field_label(field: models.Field) -> str:
    return FIELD_LABELS.get(field.name) or str(field.verbose_name).capitalize()


def _render(
    model: type[models.Model], events: list[Any], *, label: str | None
) -> list[HistoryEntry]:
    contexts = {id(e): (e.pgh_context or {}) for e in events}
    user_ids = {c.get("user") for c in contexts.values() if c.get("user")}
    users = (
        {
            u.pk: (u.get_full_name() or u.get_username())
            for u in get_user_model().objects.filter(pk__in=user_ids)
        }
        if user_ids
        else {}
    )
    diffs = _diffs(events)
    # Names of related rows that appear in diffs, one query per related model.
    related_ids: dict[str, set[Any]] = {}
    fields = {f.attname: f for f in model._meta.concrete_fields}
    for diff in diffs.values():
        for attname, (old, new) in diff.items():
            field = fields.get(attname)
            if field is not None and field.is_relation:
                related_ids.setdefault(field.name, set()).update(v for v in (old, new) if v)
    names = related_names(model, related_ids)

    entries = []
    for e in events:
        context = contexts[id(e)]
        by = users.get(context.get("user")) or context.get("username") or ""
        if not by:
            by = process_label(context["process"]) if context.get("process") else "the system"
        kind = {"insert": "created", "update": "changed", "delete": "deleted"}.get(
            e.pgh_label, e.pgh_label
        )
        changes = []
        if kind == "changed":
            for attname, (old, new) in diffs.get(id(e), {}).items():
                field = fields.get(attname)
                if attname in HIDDEN_FIELDS or field is None:
                    continue
                changes.append(
                    Change(
                        field=field.name,
                        label=field_label(field),
                        old=display_value(field, old, names),
                        new=display_value(field, new, names),
                    )
                )
            if not changes:
                continue
        entries.append(
            HistoryEntry(
                at=e.pgh_created_at,
                kind=kind,
                by=by,
                changes=changes,
                label=label or _event_label(model, e),
            )
        )
    entries.reverse()
    return entries
