"""Read-only API of secondments; each state change is an explicit action."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import (
    ETagDetailMixin,
    IdFilter,
    StableOrderingFilter,
    UpdatedFilters,
    etag_of,
    versioned,
)
from exchanges import selectors, services
from exchanges.api.serializers import (
    ApproveSerializer,
    CancelSerializer,
    DatedActionSerializer,
    FigureSerializer,
    SecondmentSerializer,
)
from exchanges.filters import SecondmentFilter
from exchanges.forms import FiguresForm
from exchanges.models import Secondment
from mou.models import Agreement, Commitment


@extend_schema_field({"type": "integer", "minimum": 1900, "maximum": 2999})
class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class SecondmentApiFilter(UpdatedFilters, SecondmentFilter):
    year = YearFilter(
        method="filter_year", min_value=1900, max_value=2999, help_text="A calendar year."
    )
    agreement = django_filters.CharFilter(field_name="agreement__code", help_text="Agreement code")
    institute = IdFilter(method="filter_institute", help_text="An institute id (home or host).")
    person = IdFilter(field_name="person_id", help_text="The secondee's person id.")
    commitment = IdFilter(
        field_name="commitment_links__commitment_id", distinct=True, help_text="A commitment id."
    )
    ordering = StableOrderingFilter(
        fields=(
            ("planned_start_on", "start"),
            ("planned_end_on", "end"),
            ("person__name", "person"),
            ("status", "status"),
            ("host_institute__short_name", "host"),
            *UpdatedFilters.ORDER,
        ),
    )


class SecondmentViewSet(ETagDetailMixin, viewsets.ReadOnlyModelViewSet):
    """Staff secondments between participants; each step an explicit action taking the
    version read (If-Match or ``version``)."""

    serializer_class = SecondmentSerializer
    filterset_class = SecondmentApiFilter

    def get_queryset(self) -> QuerySet[Secondment]:
        # Filtering happens in the backend with the same FilterSet as the pages.
        return (
            selectors.secondment_list(user=self.request.user, filters={})
            .prefetch_related(
                Prefetch("commitments", queryset=Commitment.objects.only("id", "reference"))
            )
            .order_by("-planned_start_on", "pk")
        )

    def _act(self, request: Request, serializer_class: type, call: Any) -> Response:
        secondment = self.get_object()
        body = serializer_class(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        data.pop("version", None)
        with versioned(request, Secondment, secondment.pk) as locked:
            call(secondment=locked, actor=request.user, expected_version=locked.version, **data)
        fresh = selectors.secondment_get(user=request.user, pk=secondment.pk)
        response = Response(SecondmentSerializer(fresh, context={"request": request}).data)
        response["ETag"] = etag_of(fresh)
        return response

    @extend_schema(request=ApproveSerializer, responses=SecondmentSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Record the approval of one side (a coordinator's own side when left out)."""
        return self._act(request, ApproveSerializer, services.secondment_approve)

    @extend_schema(request=DatedActionSerializer, responses=SecondmentSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: str | None = None) -> Response:
        """Mark as started (refused before both approvals or while readiness is missing)."""
        return self._act(request, DatedActionSerializer, services.secondment_activate)

    @extend_schema(request=DatedActionSerializer, responses=SecondmentSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        return self._act(request, DatedActionSerializer, services.secondment_complete)

    @extend_schema(request=CancelSerializer, responses=SecondmentSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        return self._act(request, CancelSerializer, services.secondment_cancel)

    @extend_schema(
        parameters=[
            OpenApiParameter("agreement", str, description="Agreement code"),
            OpenApiParameter(
                "year",
                {"type": "integer", "minimum": 1900, "maximum": 2999},
                description="Calendar year",
            ),
        ],
        responses=FigureSerializer(many=True),
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def figures(self, request: Request) -> Response:
        """Secondments and person-days per agreement, year and direction, against plan."""
        form = FiguresForm(request.query_params)
        if not form.is_valid():
            code = request.query_params.get("agreement", "")
            if (
                set(form.errors) == {"agreement"}
                and "\x00" not in code
                and not Agreement.objects.filter(code=code).exists()
            ):
                return Response([])  # no such agreement: no figures, as for any other filter
            raise ValidationError(form.errors)
        figures = selectors.exchange_figures(
            agreement=form.cleaned_data["agreement"], year=form.cleaned_data["year"]
        )
        return Response(FigureSerializer(figures, many=True).data)
