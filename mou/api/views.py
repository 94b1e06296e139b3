"""The register in the API: reads for everyone signed in; each state change an explicit
action taking the version read, through the same service as the pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ETagDetailMixin, KeysetPagination, etag_of, versioned
from mou import selectors, services
from mou.api.filters import (
    AgreementApiFilter,
    ClauseApiFilter,
    CommitmentApiFilter,
    MilestoneApiFilter,
    PartyApiFilter,
    ProgressUpdateApiFilter,
    SignatoryApiFilter,
)
from mou.api.serializers import (
    AgreementSerializer,
    ClauseSerializer,
    CommitmentSerializer,
    MilestoneCancelSerializer,
    MilestoneCompleteSerializer,
    MilestoneRescheduleSerializer,
    MilestoneSerializer,
    PartySerializer,
    ProgressUpdateSerializer,
    SignatorySerializer,
    TransitionSerializer,
)
from mou.choices import Rag
from mou.models import Agreement, Clause, Commitment, Milestone, Party, ProgressUpdate, Signatory

RAG_SEVERITY = Case(
    When(rag=Rag.RED, then=Value(0)),
    When(rag=Rag.AMBER, then=Value(1)),
    When(rag=Rag.GREEN, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


class ReadViewSet(ETagDetailMixin, viewsets.ReadOnlyModelViewSet):
    """A read-only list and detail, with an ETag on the detail."""


class AgreementViewSet(ReadViewSet):
    """Agreements (MoUs). The detail takes the id or the code."""

    serializer_class = AgreementSerializer
    filterset_class = AgreementApiFilter

    def get_queryset(self) -> QuerySet[Agreement]:
        return (
            Agreement.objects.visible_to(self.request.user)
            .select_related("builds_on")
            .prefetch_related("parties")
            .order_by("code", "pk")
        )

    def get_object(self) -> Agreement:
        key = self.kwargs["pk"]
        if not str(key).isdigit():
            agreement = self.get_queryset().filter(code=key).first()
            self.kwargs["pk"] = agreement.pk if agreement else 0
        return super().get_object()


class PartyViewSet(ReadViewSet):
    """Participants: an institute's part in an agreement."""

    serializer_class = PartySerializer
    filterset_class = PartyApiFilter

    def get_queryset(self) -> QuerySet[Party]:
        return Party.objects.select_related("agreement", "institute").order_by("pk")


class SignatoryViewSet(ReadViewSet):
    """Who signed each agreement, for which participant."""

    serializer_class = SignatorySerializer
    filterset_class = SignatoryApiFilter

    def get_queryset(self) -> QuerySet[Signatory]:
        return Signatory.objects.select_related("agreement", "party__institute").order_by("pk")


class ClauseViewSet(ReadViewSet):
    """The numbered sections of agreements."""

    serializer_class = ClauseSerializer
    filterset_class = ClauseApiFilter

    def get_queryset(self) -> QuerySet[Clause]:
        return Clause.objects.select_related("agreement").order_by("agreement", "position", "pk")


def _act(
    request: Request,
    model: type,
    pk: Any,
    body_class: type,
    call: Callable[..., Any],
    detail: Callable[[], Any],
    serializer_class: type,
) -> Response:
    """Check the body, lock the row and check its version, call the service, answer with
    the fresh record and its new ETag."""
    body = body_class(data=request.data)
    body.is_valid(raise_exception=True)
    data = dict(body.validated_data)
    data.pop("version", None)
    with versioned(request, model, pk) as locked:
        call(locked, data)
    fresh = detail()
    response = Response(serializer_class(fresh, context={"request": request}).data)
    response["ETag"] = etag_of(fresh)
    return response


class CommitmentViewSet(ReadViewSet):
    """Commitments with their RAG. Walk the list with ``cursor``."""

    serializer_class = CommitmentSerializer
    filterset_class = CommitmentApiFilter
    pagination_class = KeysetPagination
    error_field_aliases = {"status": "to"}

    def get_queryset(self) -> QuerySet[Commitment]:
        return (
            selectors.commitment_list(user=self.request.user, filters={})
            .annotate(rag_rank=RAG_SEVERITY)
            .order_by("agreement_id", "reference", "pk")
        )

    @extend_schema(request=TransitionSerializer, responses=CommitmentSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        """Move the commitment to another status (the transition table applies).

        Send the version read (``If-Match`` with the ETag, or ``version``): 428 without it,
        412 when the record changed since, 409 when the transition is not allowed."""
        commitment = self.get_object()
        return _act(
            request,
            Commitment,
            commitment.pk,
            TransitionSerializer,
            lambda locked, data: services.commitment_transition(
                commitment=locked, to=data["to"], reason=data["reason"], actor=request.user
            ),
            lambda: selectors.commitment_list(user=request.user).get(pk=commitment.pk),
            CommitmentSerializer,
        )


class MilestoneViewSet(ReadViewSet):
    """Milestones with lateness in their owner's time zone. Walk the list with ``cursor``."""

    serializer_class = MilestoneSerializer
    filterset_class = MilestoneApiFilter
    pagination_class = KeysetPagination

    def get_queryset(self) -> QuerySet[Milestone]:
        return selectors.milestone_list(user=self.request.user, filters={}).order_by("due_on", "pk")

    def _milestone_act(self, request: Request, body_class: type, call: Callable) -> Response:
        milestone = self.get_object()
        return _act(
            request,
            Milestone,
            milestone.pk,
            body_class,
            call,
            lambda: selectors.milestone_detail(user=request.user, pk=milestone.pk),
            MilestoneSerializer,
        )

    @extend_schema(request=MilestoneCompleteSerializer, responses=MilestoneSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        """Mark the milestone done (its version needed, as for every write)."""
        return self._milestone_act(
            request,
            MilestoneCompleteSerializer,
            lambda locked, data: services.milestone_complete(
                milestone=locked, actor=request.user, **data
            ),
        )

    @extend_schema(request=MilestoneCancelSerializer, responses=MilestoneSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Cancel the milestone, with a reason."""
        return self._milestone_act(
            request,
            MilestoneCancelSerializer,
            lambda locked, data: services.milestone_cancel(
                milestone=locked, actor=request.user, **data
            ),
        )

    @extend_schema(request=MilestoneRescheduleSerializer, responses=MilestoneSerializer)
    @action(detail=True, methods=["post"])
    def reschedule(self, request: Request, pk: str | None = None) -> Response:
        """Move an open milestone's due date."""
        return self._milestone_act(
            request,
            MilestoneRescheduleSerializer,
            lambda locked, data: services.milestone_reschedule(
                milestone=locked, actor=request.user, **data
            ),
        )


class ProgressUpdateViewSet(ReadViewSet):
    """What the owners reported, newest first. Walk the list with ``cursor``."""

    serializer_class = ProgressUpdateSerializer
    filterset_class = ProgressUpdateApiFilter
    pagination_class = KeysetPagination

    def get_queryset(self) -> QuerySet[ProgressUpdate]:
        return (
            ProgressUpdate.objects.filter(
                commitment__in=Commitment.objects.visible_to(self.request.user)
            )
            .select_related("commitment__agreement", "author")
            .order_by("-posted_at", "-pk")
        )
