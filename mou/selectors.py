"""Every read of the register that a page, report or task needs. Each returns a queryset
(or plain data) whose query count does not grow with the number of rows."""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import fields as fields_of
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet
from django.utils import timezone

from core.history import HistoryEntry, history_for
from mou.choices import COMMITMENT_OPEN, RAG_DUE_SOON_DAYS, MilestoneStatus
from mou.models import Agreement, Clause, Commitment, Milestone, Party, ProgressUpdate, Signatory


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def agreement_list(*, user: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[Agreement]:
    from mou.filters import AgreementFilter

    qs = (
        Agreement.objects.visible_to(user)
        .select_related("builds_on")
        .prefetch_related(
            Prefetch("party_links", queryset=Party.objects.select_related("institute"))
        )
        .annotate(
            commitment_count=Count("commitments", distinct=True),
            open_commitment_count=Count(
                "commitments",
                filter=Q(commitments__status__in=COMMITMENT_OPEN),
                distinct=True,
            ),
        )
    )
    # The counts drop the model's default ordering; pages need a stable one.
    return AgreementFilter(filters or {}, queryset=qs.order_by("-signed_on", "title", "pk")).qs


def agreement_detail(*, user: Any, code: str) -> Agreement:
    return (
        Agreement.objects.visible_to(user)
        .select_related("builds_on")
        .prefetch_related(
            Prefetch("party_links", queryset=Party.objects.select_related("institute")),
            Prefetch("signatories", queryset=Signatory.objects.select_related("party__institute")),
            Prefetch("clauses", queryset=Clause.objects.order_by("position", "number")),
            "built_upon_by",
        )
        .get(code=code)
    )


def commitment_list(
    *, user: Any, filters: Mapping[str, Any] | None = None, now: datetime | None = None
) -> QuerySet[Commitment]:
    """Commitments with their RAG, filtered as the list page and the API filter them."""
    from mou.filters import CommitmentFilter

    qs = Commitment.objects.visible_to(user).for_list().with_rag(now=_now(now)).page_first()
    return CommitmentFilter(filters or {}, queryset=qs).qs


def commitment_detail(*, user: Any, pk: int, now: datetime | None = None) -> Commitment:
    now = _now(now)
    return (
        Commitment.objects.visible_to(user)
        .for_list()
        .with_rag(now=now)
        .prefetch_related(
            Prefetch(
                "milestones",
                queryset=Milestone.objects.select_related("owner").with_lateness(now=now),
            ),
            Prefetch(
                "progress_updates",
                queryset=ProgressUpdate.objects.select_related("author__institute"),
            ),
        )
        .get(pk=pk)
    )


def milestone_list(
    *, user: Any, filters: Mapping[str, Any] | None = None, now: datetime | None = None
) -> QuerySet[Milestone]:
    from mou.filters import MilestoneFilter

    qs = Milestone.objects.visible_to(user).for_list().with_lateness(now=_now(now)).page_first()
    return MilestoneFilter(filters or {}, queryset=qs, request_now=_now(now)).qs


def milestone_detail(*, user: Any, pk: int, now: datetime | None = None) -> Milestone:
    return Milestone.objects.visible_to(user).for_list().with_lateness(now=_now(now)).get(pk=pk)


def late_milestones(*, now: datetime | None = None) -> QuerySet[Milestone]:
    return Milestone.objects.late(now=_now(now)).for_list()


def record_history(instance: Any) -> list[HistoryEntry]:
    """The history of one record, newest first (three queries)."""
    return history_for(type(instance), [instance.pk])


def commitment_history(commitment: Commitment) -> list[HistoryEntry]:
    """A commitment's own changes and those of its milestones and updates, newest first."""
    entries = history_for(Commitment, [commitment.pk], label="Commitment")
    milestone_ids = list(
        Milestone.objects.filter(commitment=commitment).values_list("pk", flat=True)
    )
    entries += history_for(Milestone, milestone_ids)
    return sorted(entries, key=lambda e: e.at, reverse=True)


# --- The kept RAG inputs ----------------------------------------------------------------

RAG_INPUT_TRIGGERS = (
    ("mou_commitment", "mou_commitment_rag_inputs"),
    ("mou_milestone", "mou_milestone_rag_inputs_insert"),
    ("mou_milestone", "mou_milestone_rag_inputs_update"),
    ("mou_milestone", "mou_milestone_rag_inputs_delete"),
    ("mou_progressupdate", "mou_progressupdate_rag_inputs_insert"),
    ("mou_progressupdate", "mou_progressupdate_rag_inputs_update"),
    ("mou_progressupdate", "mou_progressupdate_rag_inputs_delete"),
    ("institutes_person", "mou_person_rag_inputs"),
)


@dataclass(frozen=True)
class RagInputs:
    next_due_on: date | None = None
    late_from: datetime | None = None
    due_soon_from: datetime | None = None
    open_milestone_count: int = 0
    last_update_at: datetime | None = None


def _start_of_day(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zoneinfo.ZoneInfo(zone))


def recomputed_rag_inputs(*, commitment_ids: list[int] | None = None) -> dict[int, RagInputs]:
    """Every commitment's RAG inputs worked out afresh from its open milestones and its
    progress updates (three queries, the zone arithmetic in Python with zoneinfo, apart
    from the SQL the triggers use): what the kept columns must equal."""
    commitments = Commitment.objects.all()
    milestones = Milestone.objects.filter(status=MilestoneStatus.OPEN)
    updates = ProgressUpdate.objects.all()
    if commitment_ids is not None:
        commitments = commitments.filter(pk__in=commitment_ids)
        milestones = milestones.filter(commitment_id__in=commitment_ids)
        updates = updates.filter(commitment_id__in=commitment_ids)
    found: dict[int, dict[str, Any]] = {
        pk: {"open_milestone_count": 0}
        for pk in commitments.order_by().values_list("pk", flat=True).iterator(chunk_size=10_000)
    }
    by_zone = (
        milestones.order_by()
        .values_list("commitment_id", "owner__time_zone")
        .annotate(first_due=Min("due_on"), n=Count("pk"))
    )
    for commitment_id, zone, first_due, n in by_zone.iterator(chunk_size=10_000):
        values = found.setdefault(commitment_id, {"open_milestone_count": 0})
        late_from = _start_of_day(first_due + timedelta(days=1), zone)
        due_soon_from = _start_of_day(first_due - timedelta(days=RAG_DUE_SOON_DAYS), zone)
        values["open_milestone_count"] += n
        for name, value in (
            ("next_due_on", first_due),
            ("late_from", late_from),
            ("due_soon_from", due_soon_from),
        ):
            if values.get(name) is None or value < values[name]:
                values[name] = value
    latest = updates.order_by().values_list("commitment_id").annotate(at=Max("posted_at"))
    for commitment_id, at in latest.iterator(chunk_size=10_000):
        found.setdefault(commitment_id, {"open_milestone_count": 0})["last_update_at"] = at
    return {pk: RagInputs(**values) for pk, values in found.items()}


def kept_rag_inputs(*, commitment_ids: list[int] | None = None) -> dict[int, RagInputs]:
    """The RAG inputs as the database keeps them on each commitment (one query)."""
    fields = [f.name for f in fields_of(RagInputs)]
    rows = Commitment.objects.order_by().values_list("pk", *fields)
    if commitment_ids is not None:
        rows = rows.filter(pk__in=commitment_ids)
    return {
        row[0]: RagInputs(**dict(zip(fields, row[1:], strict=True)))
        for row in rows.iterator(chunk_size=10_000)
    }


def rag_input_drift(
    *, commitment_ids: list[int] | None = None
) -> dict[int, tuple[RagInputs, RagInputs]]:
    """Commitments whose kept RAG inputs differ from a full recomputation: (kept, right)."""
    kept = kept_rag_inputs(commitment_ids=commitment_ids)
    right = recomputed_rag_inputs(commitment_ids=commitment_ids)
    return {pk: (kept[pk], right[pk]) for pk in kept if kept[pk] != right.get(pk, RagInputs())}


def missing_rag_input_triggers() -> list[str]:
    """Names of the triggers keeping the RAG inputs that the database does not have."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND t.tgenabled <> 'D'"
        )
        present = set(cursor.fetchall())
    return [
        f"{name} on {table}" for table, name in RAG_INPUT_TRIGGERS if (table, name) not in present
    ]
