"""Reads for the dashboard and reports. Every figure comes with the filter that lists it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, QuerySet, Subquery, Value
from django.utils import timezone

from exchanges.choices import SECONDMENT_UNDER_WAY
from exchanges.selectors import exchange_figures, secondment_list
from mou.choices import CommitmentStatus, Rag
from mou.models import Commitment, Milestone, ProgressUpdate

DUE_SOON_DAYS = 30
PANEL_ROWS = 8


@dataclass
class AgreementFigures:
    code: str
    title: str
    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_rag: dict[str, int] = field(default_factory=dict)


@dataclass
class PartyFigures:
    agreement_code: str
    institute_id: int
    institute: str
    by_rag: dict[str, int] = field(default_factory=dict)


def commitment_figures(*, user: Any, now: datetime) -> list[AgreementFigures]:
    """Commitments by status and by RAG for each agreement (one query)."""
    rows = (
        Commitment.objects.visible_to(user)
        .with_rag(now=now)
        .values("agreement__code", "agreement__title", "status", "rag")
        .annotate(n=Count("pk"))
        .order_by("agreement__code")
    )
    figures: dict[str, AgreementFigures] = {}
    for row in rows:
        fig = figures.setdefault(
            row["agreement__code"],
            AgreementFigures(code=row["agreement__code"], title=row["agreement__title"]),
        )
        fig.total += row["n"]
        fig.by_status[row["status"]] = fig.by_status.get(row["status"], 0) + row["n"]
        fig.by_rag[row["rag"]] = fig.by_rag.get(row["rag"], 0) + row["n"]
    return list(figures.values())


def party_figures(*, user: Any, now: datetime) -> list[PartyFigures]:
    """Commitments by RAG for each participant: what it owes alone plus its joint share."""
    rows = (
        Commitment.objects.visible_to(user)
        .with_rag(now=now)
        .values(
            "agreement__code",
            "agreement__party_links__institute_id",
            "agreement__party_links__institute__short_name",
            "owed_by_id",
            "rag",
        )
        .annotate(n=Count("pk"))
    )
    figures: dict[tuple[str, int], PartyFigures] = {}
    for row in rows:
        institute_id = row["agreement__party_links__institute_id"]
        owed_by = row["owed_by_id"]
        if institute_id is None or (owed_by is not None and owed_by != institute_id):
            continue
        key = (row["agreement__code"], institute_id)
        fig = figures.setdefault(
            key,
            PartyFigures(
                agreement_code=row["agreement__code"],
                institute_id=institute_id,
                institute=row["agreement__party_links__institute__short_name"],
            ),
        )
        fig.by_rag[row["rag"]] = fig.by_rag.get(row["rag"], 0) + row["n"]
    return sorted(figures.values(), key=lambda f: (f.agreement_code, f.institute))


def _panel(queryset: QuerySet) -> tuple[list[Any], int]:
    """A panel's first rows and how many there are in all, in one query: the count is an
    uncorrelated scalar subquery over the same filter without the joins, which PostgreSQL
    works out once, while the rows still come in index order with the LIMIT."""
    total = (
        queryset.order_by()
        .annotate(panel=Value(1))
        .values("panel")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = list(queryset.annotate(panel_total=Subquery(total))[:PANEL_ROWS])
    return rows, rows[0].panel_total if rows else 0


def dashboard(*, user: Any, now: datetime | None = None) -> dict[str, Any]:
    """Everything the dashboard shows; a fixed number of queries whatever the data size, at
    most one per panel. The RAG figures are grouped counts over the RAG inputs kept on each
    commitment (a per-row expression, no subquery over milestones)."""
    now = now or timezone.now()
    milestones = Milestone.objects.visible_to(user).for_list()
    due_soon = milestones.due_within(now=now, days=DUE_SOON_DAYS).order_by("due_on", "pk")
    late = milestones.late(now=now).order_by("due_on", "pk")
    updates = (
        ProgressUpdate.objects.filter(commitment__in=Commitment.objects.visible_to(user))
        .select_related("commitment__agreement", "author__institute")
        .order_by("-posted_at", "-pk")
    )
    active_secondments = secondment_list(
        user=user, filters={"status": sorted(SECONDMENT_UNDER_WAY)}
    )
    rag_totals: dict[str, int] = defaultdict(int)
    agreements = commitment_figures(user=user, now=now)
    for fig in agreements:
        for rag, n in fig.by_rag.items():
            rag_totals[rag] += n
    due_soon_rows, due_soon_count = _panel(due_soon)
    late_rows, late_count = _panel(late)
    secondment_rows, secondment_count = _panel(active_secondments)
    return {
        "agreements": agreements,
        "parties": party_figures(user=user, now=now),
        "rag_totals": dict(rag_totals),
        "due_soon": due_soon_rows,
        "due_soon_count": due_soon_count,
        "late": late_rows,
        "late_count": late_count,
        "recent_updates": list(updates[:PANEL_ROWS]),
        "active_secondments": secondment_rows,
        "active_secondment_count": secondment_count,
        "exchange_year": timezone.localdate(now).year,
        "exchange_figures": exchange_figures(year=timezone.localdate(now).year),
        "statuses": CommitmentStatus.choices,
        "rags": Rag.choices,
        "due_soon_days": DUE_SOON_DAYS,
    }
