"""FilterSets shared by the list pages and the API."""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from core.forms import DateInput
from institutes.models import Institute, Person
from mou.choices import AgreementStatus, CommitmentStatus, MilestoneStatus, Rag
from mou.models import Agreement, Commitment, Milestone, Party
from mou.querysets import latest_local_date

ANY = "Any"
# The ``side`` filter's value for commitments the participants owe together.
JOINT = "joint"


def _side_choices() -> list[tuple[str, str]]:
    """ "Joint" and each institute alone; evaluated when a form is built, not at import."""
    institutes = Institute.objects.order_by("short_name").values_list("pk", "short_name")
    return [(JOINT, "Joint")] + [(str(pk), f"{short_name} alone") for pk, short_name in institutes]


class AgreementFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    status = django_filters.ChoiceFilter(choices=AgreementStatus.choices, empty_label=ANY)
    party = django_filters.ModelChoiceFilter(
        empty_label=ANY, field_name="parties", queryset=Institute.objects.all(), label="Participant"
    )
    ordering = django_filters.OrderingFilter(
        fields=(("title", "title"), ("signed_on", "signed"), ("code", "code")),
    )

    class Meta:
        model = Agreement
        fields = ["status", "party"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            Q(title__icontains=value) | Q(code__icontains=value) | Q(summary__icontains=value)
        )


class CommitmentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    agreement = django_filters.ModelChoiceFilter(
        empty_label=ANY, queryset=Agreement.objects.all(), to_field_name="code"
    )
    status = django_filters.MultipleChoiceFilter(choices=CommitmentStatus.choices)
    rag = django_filters.MultipleChoiceFilter(choices=Rag.choices, label="RAG")
    owed_by = django_filters.ModelChoiceFilter(
        empty_label=ANY, queryset=Institute.objects.all(), method="filter_owed_by", label="Owed by"
    )
    side = django_filters.ChoiceFilter(
        empty_label=ANY,
        choices=_side_choices,
        method="filter_side",
        label="Owed alone or jointly",
    )
    lead_institute = django_filters.ModelChoiceFilter(
        empty_label=ANY, queryset=Institute.objects.all()
    )
    owner = django_filters.ModelChoiceFilter(empty_label=ANY, queryset=Person.objects.all())
    theme = django_filters.CharFilter(lookup_expr="iexact")
    clause = django_filters.NumberFilter(field_name="clause_id")
    ordering = django_filters.OrderingFilter(
        fields=(
            ("reference", "reference"),
            ("title", "title"),
            ("target_on", "target"),
            ("status", "status"),
            ("rag", "rag"),
        ),
    )

    class Meta:
        model = Commitment
        fields = ["agreement", "status", "rag", "owed_by", "lead_institute", "owner", "theme"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            Q(title__icontains=value)
            | Q(reference__icontains=value)
            | Q(description__icontains=value)
            | Q(theme__icontains=value)
        )

    def filter_owed_by(self, queryset: QuerySet, name: str, value: Institute) -> QuerySet:
        """An institute owes its own commitments and its share of joint ones."""
        if not value:
            return queryset
        # EXISTS rather than a join: a join would need DISTINCT, which sorts every row.
        is_party = Exists(Party.objects.filter(agreement=OuterRef("agreement"), institute=value))
        return queryset.filter(Q(owed_by=value) | (Q(owed_by__isnull=True) & Q(is_party)))

    def filter_side(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """One column of the who-owes-what matrix: joint commitments, or one institute's own
        (unlike ``owed_by``, which adds that institute's share of the joint ones)."""
        if not value:
            return queryset
        if value == JOINT:
            return queryset.filter(owed_by__isnull=True)
        if not str(value).isdigit():
            return queryset.none()  # names no institute: matches nothing
        return queryset.filter(owed_by_id=int(value))


class MilestoneFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    agreement = django_filters.ModelChoiceFilter(
        empty_label=ANY,
        field_name="commitment__agreement",
        queryset=Agreement.objects.all(),
        to_field_name="code",
        label="Agreement",
    )
    commitment = django_filters.NumberFilter(field_name="commitment_id")
    status = django_filters.MultipleChoiceFilter(choices=MilestoneStatus.choices)
    owner = django_filters.ModelChoiceFilter(empty_label=ANY, queryset=Person.objects.all())
    institute = django_filters.ModelChoiceFilter(
        empty_label=ANY,
        field_name="owner__institute",
        queryset=Institute.objects.all(),
        label="Owner's institute",
    )
    late = django_filters.BooleanFilter(
        method="filter_late",
        label="Late",
        widget=forms.Select(choices=[("", ANY), ("true", "Late"), ("false", "Not late")]),
    )
    due_within = django_filters.NumberFilter(method="filter_due_within", label="Due within (days)")
    due_after = django_filters.DateFilter(
        field_name="due_on", lookup_expr="gte", widget=DateInput, label="Due on or after"
    )
    due_before = django_filters.DateFilter(
        field_name="due_on", lookup_expr="lte", widget=DateInput, label="Due on or before"
    )
    ordering = django_filters.OrderingFilter(
        fields=(("due_on", "due"), ("title", "title"), ("status", "status")),
    )

    class Meta:
        model = Milestone
        fields = ["agreement", "commitment", "status", "owner"]

    def __init__(self, *args, request_now=None, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.now = request_now or timezone.now()

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(title__icontains=value) | Q(commitment__title__icontains=value))

    def filter_late(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        if not value:
            return queryset.filter(is_late=False)
        # The redundant bounds on status and due date let the (status, due_on) index find
        # the candidates before the per-row time zone test.
        return queryset.filter(
            is_late=True,
            status=MilestoneStatus.OPEN,
            due_on__lte=latest_local_date(self.now) - timedelta(days=1),
        )

    def filter_due_within(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        if value is None:
            return queryset
        days = max(0, min(int(value), 3660))
        return queryset.filter(
            pk__in=Milestone.objects.due_within(now=self.now, days=days).values("pk")
        )


__all__ = ["AgreementFilter", "CommitmentFilter", "MilestoneFilter"]
