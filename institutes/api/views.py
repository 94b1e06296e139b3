"""Institutes (with country) and people (with institute, job title and time zone)."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from rest_framework import viewsets

from core.api import ETagDetailMixin, IdFilter, StableOrderingFilter, UpdatedFilters
from institutes.api.serializers import InstituteSerializer, PersonSerializer
from institutes.models import Institute, Person


class InstituteFilter(UpdatedFilters, django_filters.FilterSet):
    country = django_filters.CharFilter(help_text="ISO 3166-1 alpha-2 code, e.g. AU.")
    ordering = StableOrderingFilter(
        fields=(("name", "name"), ("short_name", "short_name"), *UpdatedFilters.ORDER)
    )

    class Meta:
        model = Institute
        fields = ["country"]


class PersonFilter(UpdatedFilters, django_filters.FilterSet):
    institute = IdFilter(field_name="institute_id")
    country = django_filters.CharFilter(field_name="institute__country")
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Search")
    ordering = StableOrderingFilter(fields=(("name", "name"), *UpdatedFilters.ORDER))

    class Meta:
        model = Person
        fields = ["institute", "country"]


class InstituteViewSet(ETagDetailMixin, viewsets.ReadOnlyModelViewSet):
    """Institutes, the parties to agreements, with their country."""

    serializer_class = InstituteSerializer
    filterset_class = InstituteFilter

    def get_queryset(self) -> QuerySet[Institute]:
        return Institute.objects.order_by("name", "pk")


class PersonViewSet(ETagDetailMixin, viewsets.ReadOnlyModelViewSet):
    """People: owners, authors and secondees (no e-mail for the reporting role)."""

    serializer_class = PersonSerializer
    filterset_class = PersonFilter

    def get_queryset(self) -> QuerySet[Person]:
        return Person.objects.select_related("institute", "manager").order_by("name", "pk")
