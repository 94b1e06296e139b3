"""Per-agreement report pages: who owes what (with CSV/XLSX) and the milestone timeline."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from core.exports import export_response
from core.views_helpers import get_or_404
from mou.choices import RAG_RULE_HELP, Rag
from reporting.agreement_selectors import (
    RAGS,
    Cell,
    MatrixRow,
    add_months,
    agreement_timeline,
    default_timeline_start,
    who_owes_what,
)

RAG_LABELS = dict(Rag.choices)


def _commitments_url(code: str, *, clause_id: int | None, side: str, rag: str = "") -> str:
    params: dict[str, Any] = {"agreement": code}
    if clause_id is not None:
        params["clause"] = clause_id
    params["side"] = side
    if rag:
        params["rag"] = rag
    return f"{reverse('mou:commitment-list')}?{urlencode(params)}"


def _cell_view(code: str, row: MatrixRow, cell: Cell) -> dict[str, Any]:
    clause_id = row.clause.pk if row.clause else None
    return {
        "side": cell.side,
        "total": cell.total,
        "url": _commitments_url(code, clause_id=clause_id, side=cell.side.key),
        "rags": [
            {
                "rag": rag,
                "label": RAG_LABELS[rag],
                "count": cell.by_rag[rag],
                "url": _commitments_url(code, clause_id=clause_id, side=cell.side.key, rag=rag),
            }
            for rag in RAGS
            if cell.by_rag.get(rag)
        ],
    }


MATRIX_COLUMNS = [
    ("Clause", lambda r: r["clause"]),
    ("Clause title", lambda r: r["clause_title"]),
    ("Owed by", lambda r: r["side"]),
    *[(label, lambda r, rag=rag: r[rag]) for rag, label in Rag.choices],
    ("Total", lambda r: r["total"]),
]


def _export_rows(matrix: Any) -> list[dict[str, Any]]:
    rows = []
    for matrix_row in [*matrix.rows, matrix.totals]:
        for cell in matrix_row.cells:
            rows.append(
                {
                    "clause": matrix_row.clause.number if matrix_row.clause else "All clauses",
                    "clause_title": matrix_row.clause.title if matrix_row.clause else "",
                    "side": cell.side.label,
                    **{rag: cell.by_rag.get(rag, 0) for rag in RAGS},
                    "total": cell.total,
                }
            )
    return rows


def who_owes_what_page(request: HttpRequest, code: str) -> HttpResponse:
    matrix = get_or_404(lambda: who_owes_what(user=request.user, code=code))
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx"):
        return export_response(
            _export_rows(matrix), MATRIX_COLUMNS, fmt=fmt, filename=f"who-owes-what-{code}"
        )
    rows = [
        {"clause": row.clause, "cells": [_cell_view(code, row, cell) for cell in row.cells]}
        for row in matrix.rows
    ]
    totals = [_cell_view(code, matrix.totals, cell) for cell in matrix.totals.cells]
    return render(
        request,
        "reporting/who_owes_what.html",
        {
            "agreement": matrix.agreement,
            "sides": matrix.sides,
            "rows": rows,
            "totals": totals,
            "rag_help": RAG_RULE_HELP,
        },
    )


class TimelineForm(forms.Form):
    start = forms.DateField(
        label="First month",
        required=False,
        input_formats=["%Y-%m"],
        help_text="Year and month, for example 2027-01.",
        error_messages={"invalid": "Enter a year and month such as 2027-01."},
    )

    def clean_start(self) -> dt.date | None:
        start = self.cleaned_data["start"]
        if start and not 1900 <= start.year <= 2999:
            raise forms.ValidationError("Enter a year from 1900 to 2999.")
        return start


def timeline_page(request: HttpRequest, code: str) -> HttpResponse:
    form = TimelineForm(request.GET)
    valid = form.is_valid()
    start = (valid and form.cleaned_data["start"]) or default_timeline_start(timezone.localdate())
    timeline = get_or_404(lambda: agreement_timeline(user=request.user, code=code, start=start))
    today = timezone.localdate()
    for month in timeline.months:
        for milestone in month.milestones:
            milestone.days_late = (
                (milestone.owner_today - milestone.due_on).days if milestone.is_late else 0
            )
    return render(
        request,
        "reporting/timeline.html",
        {
            "agreement": timeline.agreement,
            "timeline": timeline,
            "form": form,
            "this_month": today.replace(day=1),
            "earlier": add_months(timeline.start, -len(timeline.months)),
            "later": timeline.end,
            "last_day": timeline.end - dt.timedelta(days=1),
            "shown_count": sum(len(month.milestones) for month in timeline.months),
        },
        status=200 if valid else 400,
    )
