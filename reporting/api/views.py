"""The reports: summary (now or as of a date), changes since an instant, late milestones.
Each as JSON or as CSV (``Accept: text/csv`` or ``?format=csv``), disarmed like the page
exports."""

from __future__ import annotations

import base64
import datetime as dt
import json
from operator import itemgetter
from typing import Any

from django.http import HttpResponseBase
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from core.api import MAX_PAGE_SIZE, NoSuchPage, Pagination, page_size_of
from core.exports import export_response
from reporting import reports
from reporting.api.serializers import (
    ChangeSerializer,
    ChangesPageSerializer,
    OverdueSerializer,
    SummarySerializer,
)


class CSVRenderer(BaseRenderer):
    """Chosen by ``Accept: text/csv`` or ``?format=csv``; the views stream the CSV."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:  # noqa: E501
        return json.dumps(data).encode()  # only reached for errors, which are JSON


PAGE_SIZE_HELP = "Rows a page, 1 to 500 (50)."
PAGE_SIZE_TYPE = {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}


def check_parameters(request: Request, allowed: set[str]) -> None:
    unknown = sorted(set(request.query_params) - allowed - {"format"})
    if unknown:
        message = "Unknown parameter; the schema lists this report's parameters."
        raise exceptions.ValidationError({name: [message] for name in unknown})


class ReportView(APIView):
    renderer_classes = [JSONRenderer, CSVRenderer]
    pagination_class = None

    def wants_csv(self, request: Request) -> bool:
        return getattr(request.accepted_renderer, "format", "") == "csv"

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(response, Response) and response.exception:
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = "application/problem+json"
        return super().finalize_response(request, response, *args, **kwargs)


class SummaryReport(ReportView):
    @extend_schema(
        operation_id="reports_summary",
        parameters=[
            OpenApiParameter(
                "as_of",
                dt.date,
                description="As things stood at the end of this day in London, rebuilt from "
                "the history; leave out for now.",
            ),
            OpenApiParameter("format", str, enum=["json", "csv"], description="csv for CSV"),
        ],
        responses={200: SummarySerializer},
    )
    def get(self, request: Request) -> Response | HttpResponseBase:
        """The dashboard's figures: commitments by agreement × participant (a joint row
        counted once) × status × RAG; milestones late and due within 30 and 90 days;
        secondments and person-days by agreement, year and direction."""
        check_parameters(request, {"as_of"})
        raw = request.query_params.get("as_of")
        as_of = None
        if raw:
            try:
                as_of = parse_date(raw)
            except ValueError:
                as_of = None
            if as_of is None:
                raise exceptions.ValidationError({"as_of": ["Give a date as YYYY-MM-DD."]})
            if as_of > timezone.localdate():
                # Figures as of a day that has not ended do not exist yet.
                raise NoSuchPage("as_of", "No figures yet for a date in the future.")
        summary = reports.summary(user=request.user, as_of=as_of)
        if self.wants_csv(request):
            rows = [
                ("commitments", c.agreement_code, c.participant, c.status, c.rag, "", "", c.count)
                for c in summary.commitments
            ]
            for m in summary.milestones:
                rows += [
                    ("milestones late", m.agreement_code, "", "", "", "", "", m.late),
                    (
                        "milestones due within 30 days",
                        m.agreement_code,
                        "",
                        "",
                        "",
                        "",
                        "",
                        m.due_within_30,
                    ),  # noqa: E501
                    (
                        "milestones due within 90 days",
                        m.agreement_code,
                        "",
                        "",
                        "",
                        "",
                        "",
                        m.due_within_90,
                    ),  # noqa: E501
                ]
            for f in summary.secondments:
                rows += [
                    (
                        "secondments",
                        f.agreement_code,
                        "",
                        "",
                        "",
                        f.year,
                        f.direction,
                        f.secondments,
                    ),
                    (
                        "person-days",
                        f.agreement_code,
                        "",
                        "",
                        "",
                        f.year,
                        f.direction,
                        f.person_days,
                    ),
                ]
            headings = [
                "Figure",
                "Agreement",
                "Participant",
                "Status",
                "RAG",
                "Year",
                "Direction",
                "Count",
            ]  # noqa: E501
            columns = [(h, itemgetter(i)) for i, h in enumerate(headings)]
            name = f"summary-{as_of.isoformat() if as_of else 'now'}"
            return export_response(rows, columns, fmt="csv", filename=name)
        return Response(SummarySerializer(summary).data)


def _parse_instant(raw: str, name: str) -> dt.datetime:
    moment = None
    try:
        moment = parse_datetime(raw)
        if moment is None:
            day = parse_date(raw)
            moment = reports.end_of_day(day - dt.timedelta(days=1)) if day else None
            if moment is not None:
                moment += dt.timedelta(microseconds=1)  # the start of that day in London
    except ValueError:
        moment = None
    if moment is None:
        raise exceptions.ValidationError(
            {name: ["Give an ISO 8601 date-time (e.g. 2027-01-31T23:00:00Z) or a date."]}
        )
    try:
        moment = moment if timezone.is_aware(moment) else timezone.make_aware(moment)
        # In UTC: PostgreSQL refuses offsets beyond ±15:59 that Python accepts.
        return moment.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise exceptions.ValidationError(
            {name: ["Give an instant between years 1 and 9999."]}
        ) from None


def _encode(position: reports.Position) -> str:
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


def _decode(cursor: str) -> reports.Position:
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        at, record_type, event_id, record_id, field = value
        dt.datetime.fromisoformat(at)
        if not (isinstance(event_id, int) and isinstance(record_id, int)):
            raise TypeError
        return (str(at), str(record_type), event_id, record_id, str(field))
    except (ValueError, TypeError, UnicodeError):
        raise NoSuchPage(
            "cursor", "Not a cursor this report gave; start again without one."
        ) from None


class ChangesReport(ReportView):
    @extend_schema(
        operation_id="reports_changes",
        parameters=[
            OpenApiParameter(
                "since",
                dt.datetime,
                required=True,
                description="From this instant (ISO 8601); a bare date means its start in London.",
            ),
            OpenApiParameter("cursor", str, description="The `cursor` of the previous `next`."),
            OpenApiParameter(
                "page_size", PAGE_SIZE_TYPE, description="Rows a page, 1 to 500 (50)."
            ),
            OpenApiParameter("format", str, enum=["json", "csv"], description="csv for CSV"),
        ],
        responses={200: ChangesPageSerializer},
    )
    def get(self, request: Request) -> Response | HttpResponseBase:
        """Every change since an instant, oldest first, one row per field: old → new in
        words and who; plus milestones that became late. Follow ``next`` to the end."""
        check_parameters(request, {"since", "cursor", "page_size"})
        raw = request.query_params.get("since")
        if not raw:
            raise exceptions.ValidationError({"since": ["Give the instant to start from."]})
        since = _parse_instant(raw, "since")
        if self.wants_csv(request):
            rows = reports.changes(user=request.user, since=since)
            columns = [
                ("At", lambda r: r.at), ("Record type", lambda r: r.record_type),
                ("Record id", lambda r: r.record_id), ("Record", lambda r: r.record),
                ("Change", lambda r: r.kind), ("Field", lambda r: r.field),
                ("Old", lambda r: r.old), ("New", lambda r: r.new), ("By", lambda r: r.by),
            ]  # fmt: skip
            return export_response(rows, columns, fmt="csv", filename="changes")
        size = page_size_of(request)
        cursor = request.query_params.get("cursor")
        after = _decode(cursor) if cursor else None
        rows = reports.changes(user=request.user, since=since, after=after, limit=size + 1)
        next_url = None
        if len(rows) > size:
            rows = rows[:size]
            next_url = replace_query_param(
                request.build_absolute_uri(), "cursor", _encode(rows[-1].position)
            )
        return Response({"next": next_url, "results": ChangeSerializer(rows, many=True).data})


class OverdueReport(ReportView):
    pagination_class = Pagination

    @extend_schema(
        operation_id="reports_overdue",
        parameters=[
            OpenApiParameter(
                "page", {"type": "integer", "minimum": 1}, description="Page, from 1."
            ),
            OpenApiParameter(
                "page_size", PAGE_SIZE_TYPE, description="Rows a page, 1 to 500 (50)."
            ),
            OpenApiParameter("format", str, enum=["json", "csv"], description="csv for CSV"),
        ],
        responses={200: OverdueSerializer(many=True)},
    )
    def get(self, request: Request) -> Response | HttpResponseBase:
        """Late milestones (as the dashboard counts them): owner, institute, days late in
        the owner's time zone, commitment and agreement; the longest late first."""
        check_parameters(request, {"page", "page_size"})
        rows = reports.overdue(user=request.user)
        if self.wants_csv(request):
            columns = [
                ("Agreement", lambda m: m.commitment.agreement.code),
                ("Commitment", lambda m: m.commitment.reference),
                ("Milestone", lambda m: m.title),
                ("Due", lambda m: m.due_on),
                ("Days late", lambda m: (m.owner_today - m.due_on).days),
                ("Owner", lambda m: m.owner.name),
                ("Institute", lambda m: m.owner.institute.short_name),
            ]
            return export_response(rows, columns, fmt="csv", filename="late-milestones")
        paginator = Pagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        data = OverdueSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)
