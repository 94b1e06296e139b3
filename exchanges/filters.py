"""The secondment FilterSet, shared by the list page, its exports and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from exchanges.choices import SecondmentStatus
from exchanges.models import Secondment
from institutes.models import Institute, Person
from mou.models import Agreement


class SecondmentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    agreement = django_filters.ModelChoiceFilter(
        empty_label="Any", queryset=Agreement.objects.all(), to_field_name="code"
    )
    institute = django_filters.ModelChoiceFilter(
        empty_label="Any",
        queryset=Institute.objects.all(),
        method="filter_institute",
        label="Institute (home or host)",
    )
    direction = django_filters.CharFilter(
        method="filter_direction", label="Direction", help_text="e.g. GB-AU: from GB to AU."
    )
    status = django_filters.MultipleChoiceFilter(choices=SecondmentStatus.choices)
    year = django_filters.NumberFilter(
        method="filter_year", label="Year", min_value=1900, max_value=2999
    )
    person = django_filters.ModelChoiceFilter(
        empty_label="Any", queryset=Person.objects.all(), label="Secondee"
    )
    commitment = django_filters.NumberFilter(
        field_name="commitment_links__commitment_id", label="Delivers commitment", distinct=True
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("planned_start_on", "start"),
            ("planned_end_on", "end"),
            ("person__name", "person"),
            ("status", "status"),
            ("host_institute__short_name", "host"),
        ),
    )

    class Meta:
        model = Secondment
        fields = ["agreement", "status", "person"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            Q(person__name__icontains=value)
            | Q(role__icontains=value)
            | Q(notes__icontains=value)
            | Q(agreement__code__icontains=value)
        )

    def filter_institute(self, queryset: QuerySet, name: str, value: Institute) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(Q(home_institute=value) | Q(host_institute=value))

    def filter_direction(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """``GB-AU`` (or ``UK-AU``, as people say it): home country, then host country."""
        home, _, host = value.upper().replace("→", "-").partition("-")
        aliases = {"UK": "GB"}
        return queryset.filter(
            home_institute__country=aliases.get(home, home),
            host_institute__country=aliases.get(host, host),
        )

    def filter_year(self, queryset: QuerySet, name: str, value: int | None) -> QuerySet:
        """Secondments with at least one day in that calendar year."""
        if not value:
            return queryset
        return queryset.in_year(int(value))
