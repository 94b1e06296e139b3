"""The reports of the API (summary, changes, overdue), read from the same querysets as the
dashboard so that their figures agree, and, for a past date, rebuilt from the history."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Model, Q
from django.utils import timezone

from core.history import HIDDEN_FIELDS, display_value, related_names
from exchanges.models import Secondment
from exchanges.selectors import exchange_figures
from institutes.models import Institute, Person
from mou.choices import (
    COMMITMENT_OPEN,
    RAG_DUE_SOON_DAYS,
    RAG_QUIET_DAYS,
    CommitmentStatus,
    MilestoneStatus,
    Rag,
)
from mou.models import Agreement, Clause, Commitment, Milestone, Party, ProgressUpdate, Signatory
from reporting.selectors import DUE_SOON_DAYS

DUE_LATER_DAYS = 90
JOINT = "Joint"
# The records whose history the changes report reads, by the name the API gives them.
TRACKED: dict[str, type[Model]] = {
    "agreement": Agreement,
    "party": Party,
    "signatory": Signatory,
    "clause": Clause,
    "commitment": Commitment,
    "milestone": Milestone,
    "progress_update": ProgressUpdate,
    "institute": Institute,
    "person": Person,
    "secondment": Secondment,
}


def end_of_day(day: dt.date) -> dt.datetime:
    """The last instant of ``day`` in the server's zone (London): the as-of cut-off."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone) - (
        dt.timedelta(microseconds=1)
    )


# --- Summary ----------------------------------------------------------------------------


@dataclass
class CommitmentCount:
    agreement_id: int
    agreement_code: str
    participant_id: int | None  # None: owed jointly, counted once
    participant: str
    status: str
    rag: str
    count: int


@dataclass
class MilestoneCount:
    agreement_id: int
    agreement_code: str
    late: int = 0
    due_within_30: int = 0
    due_within_90: int = 0


@dataclass
class Summary:
    at: dt.datetime
    as_of: dt.date | None
    commitments: list[CommitmentCount] = field(default_factory=list)
    milestones: list[MilestoneCount] = field(default_factory=list)
    secondments: list[Any] = field(default_factory=list)


def summary(*, user: Any, now: dt.datetime | None = None, as_of: dt.date | None = None) -> Summary:
    """Commitments by agreement × participant (owed jointly: one "Joint" row) × status × RAG,
    milestones late and due within 30/90 days, and exchange figures by year and direction.

    Without ``as_of``: now, from the dashboard's own querysets. With it: as things stood at
    the end of that day in London, rebuilt from the history."""
    if as_of is not None:
        return _summary_from_history(user=user, at=end_of_day(as_of), as_of=as_of)
    now = now or timezone.now()
    result = Summary(at=now, as_of=None)
    rows = (
        Commitment.objects.visible_to(user)
        .with_rag(now=now)
        .values(
            "agreement_id", "agreement__code", "owed_by_id", "owed_by__short_name", "status", "rag"
        )
        .annotate(n=Count("pk"))
        .order_by("agreement__code", "owed_by__short_name", "status", "rag")
    )
    result.commitments = [
        CommitmentCount(
            r["agreement_id"],
            r["agreement__code"],
            r["owed_by_id"],
            r["owed_by__short_name"] or JOINT,
            r["status"],
            r["rag"],
            r["n"],
        )
        for r in rows
    ]
    milestones = Milestone.objects.visible_to(user)
    counts: dict[int, MilestoneCount] = {}

    def add(qs: Any, attr: str) -> None:
        for a_id, code, n in (
            qs.values_list("commitment__agreement_id", "commitment__agreement__code")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            fig = counts.setdefault(a_id, MilestoneCount(a_id, code))
            setattr(fig, attr, n)

    add(milestones.late(now=now), "late")
    add(milestones.due_within(now=now, days=DUE_SOON_DAYS), "due_within_30")
    add(milestones.due_within(now=now, days=DUE_LATER_DAYS), "due_within_90")
    result.milestones = sorted(counts.values(), key=lambda m: m.agreement_code)
    result.secondments = exchange_figures()
    return result


def _event_model(model: type[Model]) -> type[Model]:
    return apps.get_model(model._meta.app_label, f"{model.__name__}Event")


def snapshot(model: type[Model], at: dt.datetime, **filters: Any) -> dict[int, Any]:
    """Each row of ``model`` as it stood at ``at``: its latest history event by then
    (rows deleted by then, or not yet created, are absent). One query."""
    events = (
        _event_model(model)
        .objects.filter(pgh_created_at__lte=at, **filters)
        .order_by("pgh_obj_id", "-pgh_created_at", "-pgh_id")
        .distinct("pgh_obj_id")
    )
    return {e.pgh_obj_id: e for e in events if e.pgh_label != "delete"}


def _local_date(at: dt.datetime, zone: str) -> dt.date:
    return at.astimezone(zoneinfo.ZoneInfo(zone)).date()


def _summary_from_history(*, user: Any, at: dt.datetime, as_of: dt.date) -> Summary:
    """The summary at ``at``: statuses, owners and due dates as the history holds them, with
    the RAG rule of ``CommitmentQuerySet.with_rag`` applied in Python to that state."""
    visible = set(Commitment.objects.visible_to(user).values_list("pk", flat=True))
    commitments = {pk: c for pk, c in snapshot(Commitment, at).items() if pk in visible}
    milestones = snapshot(Milestone, at)
    people = snapshot(Person, at)
    agreements = snapshot(Agreement, at)
    institutes = snapshot(Institute, at)
    updates = snapshot(ProgressUpdate, at)
    recent_update = {
        u.commitment_id
        for u in updates.values()
        if at - dt.timedelta(days=RAG_QUIET_DAYS) <= u.posted_at <= at
    }
    late: set[int] = set()
    due_soon: set[int] = set()
    milestone_counts: dict[int, MilestoneCount] = {}
    for m in milestones.values():
        commitment = commitments.get(m.commitment_id)
        if (
            commitment is None
            or m.status != MilestoneStatus.OPEN
            or commitment.status not in COMMITMENT_OPEN
        ):
            continue
        owner = people.get(m.owner_id)
        today = _local_date(at, owner.time_zone if owner else settings.TIME_ZONE)
        agreement = agreements.get(commitment.agreement_id)
        fig = milestone_counts.setdefault(
            commitment.agreement_id,
            MilestoneCount(commitment.agreement_id, agreement.code if agreement else ""),
        )
        days = (m.due_on - today).days
        if days < 0:
            late.add(m.commitment_id)
            fig.late += 1
        else:
            if days <= RAG_DUE_SOON_DAYS:
                due_soon.add(m.commitment_id)
            if days <= DUE_SOON_DAYS:
                fig.due_within_30 += 1
            if days <= DUE_LATER_DAYS:
                fig.due_within_90 += 1
    grouped: dict[tuple, int] = defaultdict(int)
    for pk, c in commitments.items():
        rag = _rag(c.status, pk in late, pk in due_soon, pk in recent_update)
        agreement = agreements.get(c.agreement_id)
        owed = institutes.get(c.owed_by_id) if c.owed_by_id else None
        key = (
            c.agreement_id,
            agreement.code if agreement else "",
            c.owed_by_id,
            owed.short_name if owed else JOINT,
            c.status,
            rag,
        )
        grouped[key] += 1
    rows = [CommitmentCount(*key, n) for key, n in grouped.items()]
    rows.sort(
        key=lambda r: (r.agreement_code, r.participant_id is None, r.participant, r.status, r.rag)
    )  # noqa: E501
    secondments = [f for f in exchange_figures() if f.year <= as_of.year]
    return Summary(
        at=at,
        as_of=as_of,
        commitments=rows,
        milestones=sorted(milestone_counts.values(), key=lambda m: m.agreement_code),
        secondments=secondments,
    )


def _rag(status: str, has_late: bool, has_due_soon: bool, recent_update: bool) -> str:
    """The RAG rule (see mou.querysets.CommitmentQuerySet.with_rag and RAG_RULE_HELP)."""
    if status in (CommitmentStatus.COMPLETED, CommitmentStatus.WITHDRAWN):
        return Rag.GREY
    if status == CommitmentStatus.OFF_TRACK or has_late:
        return Rag.RED
    if status == CommitmentStatus.AT_RISK or (has_due_soon and not recent_update):
        return Rag.AMBER
    return Rag.GREEN


# --- Overdue ----------------------------------------------------------------------------


def overdue(*, user: Any, now: dt.datetime | None = None) -> Any:
    """Late milestones (as the dashboard counts them) with owner, institute, commitment and
    agreement, the latest first; ``owner_today`` is the owner's local date."""
    now = now or timezone.now()
    return (
        Milestone.objects.visible_to(user)
        .for_list()
        .with_lateness(now=now)
        .filter(pk__in=Milestone.objects.late(now=now).values("pk"))
        .order_by("due_on", "pk")
    )


# --- Changes ----------------------------------------------------------------------------


# Where a row sits in the report's order: instant, record type, event, record, field.
Position = tuple[str, str, int, int, str]


@dataclass
class ChangeRow:
    at: dt.datetime
    record_type: str
    record_id: int
    record: str
    kind: str  # created, changed, deleted, became_late
    field: str
    old: str
    new: str
    by: str
    event_id: int

    @property
    def position(self) -> Position:
        return (self.at.isoformat(), self.record_type, self.event_id, self.record_id, self.field)


def changes(
    *,
    user: Any,
    since: dt.datetime,
    until: dt.datetime | None = None,
    after: Position | None = None,
    limit: int | None = None,
) -> list[ChangeRow]:
    """Every change recorded since ``since``, oldest first: one row per field changed, in
    words (choice labels, names of related records, dates), with who made it; plus each
    milestone that became late (a change nobody saves: its due date ended).

    ``after`` continues after a row's ``position``; ``limit`` bounds the rows returned.
    A fixed number of queries per record type, whatever the number of changes."""
    until = until or timezone.now()
    rows: list[ChangeRow] = []
    for record_type, model in TRACKED.items():
        rows.extend(_changes_of(record_type, model, since, until, after, limit))
    rows.extend(_became_late(user=user, since=since, until=until))
    rows.sort(key=lambda r: r.position)
    if after is not None:
        rows = [r for r in rows if r.position > after]
    return rows[:limit] if limit is not None else rows


def _changes_of(
    record_type: str,
    model: type[Model],
    since: dt.datetime,
    until: dt.datetime,
    after: Position | None,
    limit: int | None,
) -> list[ChangeRow]:
    event_model = _event_model(model)
    qs = event_model.objects.filter(pgh_created_at__gte=since, pgh_created_at__lte=until)
    if after is not None:
        at = dt.datetime.fromisoformat(after[0])
        if record_type > after[1]:
            qs = qs.filter(pgh_created_at__gte=at)
        elif record_type < after[1]:
            qs = qs.filter(pgh_created_at__gt=at)
        else:
            qs = qs.filter(Q(pgh_created_at__gt=at) | Q(pgh_created_at=at, pgh_id__gte=after[2]))
    qs = qs.select_related("pgh_context").order_by("pgh_created_at", "pgh_id")
    # Each event may give several rows: a few more events than rows wanted is enough.
    events = list(qs[: limit + 1] if limit is not None else qs)
    if not events:
        return []
    fields = {f.attname: f for f in model._meta.concrete_fields}
    tracked = [a for a in fields if a in {f.attname for f in event_model._meta.concrete_fields}]
    # The event before each one, for the same row: what the fields were.
    obj_ids = {e.pgh_obj_id for e in events}
    earlier = (
        event_model.objects.filter(pgh_obj_id__in=obj_ids, pgh_id__lt=events[-1].pgh_id)
        .order_by("pgh_obj_id", "pgh_id")
        .values_list("pgh_obj_id", "pgh_id", *tracked)
    )
    history: dict[int, list[tuple[int, dict]]] = defaultdict(list)
    for obj_id, pgh_id, *values in earlier:
        history[obj_id].append((pgh_id, dict(zip(tracked, values, strict=True))))
    diffs: list[tuple[Any, list[tuple[str, Any, Any]]]] = []
    related: dict[str, set[Any]] = defaultdict(set)
    for e in events:
        before = None
        for pgh_id, data in history.get(e.pgh_obj_id, []):
            if pgh_id < e.pgh_id:
                before = data
        after_data = {a: getattr(e, a) for a in tracked}
        changed: list[tuple[str, Any, Any]] = []
        if e.pgh_label == "update" and before is not None:
            for attname, new in after_data.items():
                old = before.get(attname)
                field_obj = fields.get(attname)
                if old != new and attname not in HIDDEN_FIELDS and field_obj is not None:
                    changed.append((attname, old, new))
                    if field_obj.is_relation:
                        related[field_obj.name].update(v for v in (old, new) if v)
            if not changed:
                continue
        diffs.append((e, changed))
    names = related_names(model, related)
    user_ids = {
        (e.pgh_context.metadata or {}).get("user") for e, _ in diffs if e.pgh_context_id
    } - {None}
    users = {
        u.pk: (u.get_full_name() or u.get_username())
        for u in get_user_model().objects.filter(pk__in=user_ids)
    }
    rows = []
    for e, changed in diffs:
        meta = (e.pgh_context.metadata or {}) if e.pgh_context_id else {}
        by = users.get(meta.get("user")) or meta.get("username") or ""
        if not by:
            by = f"process {meta['process']}" if meta.get("process") else "the system"
        data = {a: getattr(e, a) for a in tracked}
        record = str(
            data.get("reference")
            or data.get("title")
            or data.get("name")
            or data.get("code")
            or f"#{e.pgh_obj_id}"
        )
        kind = {"insert": "created", "update": "changed", "delete": "deleted"}.get(
            e.pgh_label, e.pgh_label
        )
        if not changed:
            rows.append(
                ChangeRow(
                    e.pgh_created_at,
                    record_type,
                    e.pgh_obj_id,
                    record,
                    kind,
                    "",
                    "",
                    "",
                    by,
                    e.pgh_id,
                )
            )  # noqa: E501
        for attname, old, new in changed:
            field_obj = fields[attname]
            rows.append(
                ChangeRow(
                    at=e.pgh_created_at,
                    record_type=record_type,
                    record_id=e.pgh_obj_id,
                    record=record,
                    kind=kind,
                    field=field_obj.name,
                    old=display_value(field_obj, old, names),
                    new=display_value(field_obj, new, names),
                    by=by,
                    event_id=e.pgh_id,
                )
            )
    return rows


def _became_late(*, user: Any, since: dt.datetime, until: dt.datetime) -> Iterable[ChangeRow]:
    """Milestones late now whose due date ended (in the owner's zone) since ``since``."""
    for m in overdue(user=user, now=until).filter(due_on__gte=since.date() - dt.timedelta(days=2)):
        zone = zoneinfo.ZoneInfo(m.owner.time_zone)
        became = dt.datetime.combine(m.due_on + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
        if since <= became <= until:
            yield ChangeRow(
                at=became,
                record_type="milestone",
                record_id=m.pk,
                record=m.title,
                kind="became_late",
                field="is_late",
                old="no",
                new="yes",
                by="the system",
                event_id=0,
            )
