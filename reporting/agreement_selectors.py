"""Reads for the per-agreement reports: the who-owes-what matrix and the milestone timeline.

Each costs a fixed number of queries whatever the number of commitments or milestones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, F, Prefetch, Window
from django.db.models.functions import RowNumber, TruncMonth
from django.utils import timezone

from mou.choices import MilestoneStatus, Rag
from mou.filters import JOINT
from mou.models import Agreement, Clause, Commitment, Milestone, Party

# --- Who owes what ------------------------------------------------------------------------


@dataclass(frozen=True)
class Side:
    """A column of the matrix: one participant alone, or the participants jointly."""

    key: str  # the commitment list's ``side`` filter value
    label: str


@dataclass
class Cell:
    side: Side
    by_rag: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_rag.values())


@dataclass
class MatrixRow:
    clause: Clause | None  # None: the row of totals over every clause
    cells: list[Cell]


@dataclass
class WhoOwesWhat:
    agreement: Agreement
    sides: list[Side]
    rows: list[MatrixRow]
    totals: MatrixRow


def who_owes_what(*, user: Any, code: str, now: datetime | None = None) -> WhoOwesWhat:
    """Commitments of one agreement by clause × side × RAG (three queries).

    A commitment owed by one participant counts in that participant's column; a joint one
    counts once, in the joint column. A commitment owed by an institute that is not (or no
    longer) a participant still gets a column of its own, so the totals always add up.
    """
    now = now or timezone.now()
    agreement = (
        Agreement.objects.visible_to(user)
        .prefetch_related(
            Prefetch(
                "party_links",
                queryset=Party.objects.select_related("institute").order_by("pk"),
            ),
            Prefetch("clauses", queryset=Clause.objects.order_by("position", "number", "pk")),
        )
        .get(code=code)
    )
    counts = (
        Commitment.objects.visible_to(user)
        .filter(agreement=agreement)
        .with_rag(now=now)
        .values("clause_id", "owed_by_id", "owed_by__short_name", "rag")
        .annotate(n=Count("pk"))
        .order_by()
    )
    sides = [Side(str(p.institute_id), p.institute.short_name) for p in agreement.party_links.all()]
    known = {side.key for side in sides} | {JOINT}
    by_cell: dict[tuple[int, str], dict[str, int]] = {}
    extra: list[Side] = []
    for row in counts:
        key = JOINT if row["owed_by_id"] is None else str(row["owed_by_id"])
        if key not in known:
            known.add(key)
            extra.append(Side(key, row["owed_by__short_name"]))
        cell = by_cell.setdefault((row["clause_id"], key), {})
        cell[row["rag"]] = cell.get(row["rag"], 0) + row["n"]
    sides = [*sides, *extra, Side(JOINT, "Joint")]

    rows = [
        MatrixRow(
            clause=clause,
            cells=[Cell(side, dict(by_cell.get((clause.pk, side.key), {}))) for side in sides],
        )
        for clause in agreement.clauses.all()
    ]
    totals = MatrixRow(clause=None, cells=[Cell(side) for side in sides])
    for matrix_row in rows:
        for total_cell, cell in zip(totals.cells, matrix_row.cells, strict=True):
            for rag, n in cell.by_rag.items():
                total_cell.by_rag[rag] = total_cell.by_rag.get(rag, 0) + n
    return WhoOwesWhat(agreement=agreement, sides=sides, rows=rows, totals=totals)


RAGS = [value for value, _ in Rag.choices]


# --- Timeline -----------------------------------------------------------------------------

TIMELINE_MONTHS = 12
MILESTONES_PER_MONTH = 12


@dataclass
class TimelineMonth:
    month: dt.date  # the first day of the month
    milestones: list[Milestone]
    total: int  # every milestone due that month, of which ``milestones`` are the first few

    @property
    def more(self) -> int:
        return self.total - len(self.milestones)

    @property
    def last_day(self) -> dt.date:
        return add_months(self.month, 1) - dt.timedelta(days=1)


@dataclass
class Timeline:
    agreement: Agreement
    start: dt.date
    end: dt.date  # exclusive: the first day after the window
    months: list[TimelineMonth]
    late_count: int  # late milestones of the whole agreement, in the window or not


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def default_timeline_start(today: dt.date) -> dt.date:
    """Three months back, so recent late milestones are on the first screen."""
    return add_months(today.replace(day=1), -3)


def agreement_timeline(
    *,
    user: Any,
    code: str,
    start: dt.date,
    months: int = TIMELINE_MONTHS,
    now: datetime | None = None,
) -> Timeline:
    """An agreement's milestones due in ``months`` months from ``start``, by month (three
    queries). Each month carries its first few milestones by due date and its total, so a
    crowded month costs no more than a quiet one. Cancelled milestones are left out."""
    now = now or timezone.now()
    agreement = Agreement.objects.visible_to(user).get(code=code)
    start = start.replace(day=1)
    end = add_months(start, months)
    in_window = (
        Milestone.objects.visible_to(user)
        .filter(commitment__agreement=agreement, due_on__gte=start, due_on__lt=end)
        .exclude(status=MilestoneStatus.CANCELLED)
    )
    ranked = (
        in_window.for_list()
        .with_lateness(now=now)
        .annotate(
            month=TruncMonth("due_on"),
            rank=Window(
                RowNumber(),
                partition_by=[TruncMonth("due_on")],
                order_by=[F("due_on").asc(), F("pk").asc()],
            ),
            month_total=Window(Count("pk"), partition_by=[TruncMonth("due_on")]),
        )
        .filter(rank__lte=MILESTONES_PER_MONTH)
        .order_by("due_on", "pk")
    )
    by_month: dict[dt.date, TimelineMonth] = {}
    for milestone in ranked:
        month = milestone.month
        if isinstance(month, datetime):
            month = month.date()
        entry = by_month.setdefault(month, TimelineMonth(month, [], milestone.month_total))
        entry.milestones.append(milestone)
    late_count = (
        Milestone.objects.visible_to(user)
        .filter(commitment__agreement=agreement)
        .late(now=now)
        .count()
    )
    return Timeline(
        agreement=agreement,
        start=start,
        end=end,
        months=[
            by_month.get(add_months(start, i), TimelineMonth(add_months(start, i), [], 0))
            for i in range(months)
        ],
        late_count=late_count,
    )


__all__ = [
    "RAGS",
    "Timeline",
    "WhoOwesWhat",
    "add_months",
    "agreement_timeline",
    "default_timeline_start",
    "who_owes_what",
]
