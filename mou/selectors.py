"""Every read of the register that a page, report or task needs. Each returns a queryset
(or plain data) whose query count does not grow with the number of rows."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from core.history import HistoryEntry, history_for
from mou.choices import COMMITMENT_OPEN
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

    qs = Commitment.objects.visible_to(user).for_list().with_rag(now=_now(now))
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

    qs = Milestone.objects.visible_to(user).for_list().with_lateness(now=_now(now))
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
