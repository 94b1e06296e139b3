"""Read-only API of the register; each state change is an explicit action."""

from __future__ import annotations

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from mou import selectors, services
from mou.api.serializers import (
    AgreementSerializer,
    CommitmentSerializer,
    MilestoneSerializer,
    TransitionSerializer,
)
from mou.filters import AgreementFilter, CommitmentFilter, MilestoneFilter
from mou.models import Agreement, Commitment, Milestone


class AgreementViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AgreementSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = AgreementFilter
    lookup_field = "code"

    def get_queryset(self) -> QuerySet[Agreement]:
        return (
            Agreement.objects.visible_to(self.request.user)
            .select_related("builds_on")
            .prefetch_related("parties")
            .order_by("code")
        )


class CommitmentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CommitmentSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = CommitmentFilter

    def get_queryset(self) -> QuerySet[Commitment]:
        # Filtering happens in the backend with the same FilterSet as the pages.
        return selectors.commitment_list(user=self.request.user, filters={}).order_by("pk")

    @extend_schema(request=TransitionSerializer, responses=CommitmentSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        """Move the commitment to another status (the transition table applies)."""
        commitment = self.get_object()
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.commitment_transition(
            commitment=commitment,
            to=body.validated_data["to"],
            reason=body.validated_data["reason"],
            actor=request.user,
        )
        fresh = selectors.commitment_detail(user=request.user, pk=commitment.pk)
        return Response(CommitmentSerializer(fresh).data)


class MilestoneViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = MilestoneSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = MilestoneFilter

    def get_queryset(self) -> QuerySet[Milestone]:
        return selectors.milestone_list(user=self.request.user, filters={}).order_by("due_on", "pk")
