"""The pages' FilterSets for the API: the same filter names, plus ``updated_after`` and
``updated_before``, and orderings that always end with the primary key."""

from __future__ import annotations

import django_filters

from core.api import IdFilter, InstantFilter, StableOrderingFilter, UpdatedFilters
from mou.filters import AgreementFilter, CommitmentFilter, MilestoneFilter
from mou.models import Clause, Party, ProgressUpdate, Signatory


class AgreementApiFilter(UpdatedFilters, AgreementFilter):
    party = IdFilter(field_name="parties", help_text="A participant's institute id.")
    ordering = StableOrderingFilter(
        fields=(
            ("title", "title"),
            ("signed_on", "signed"),
            ("code", "code"),
            *UpdatedFilters.ORDER,
        ),
    )


class CommitmentApiFilter(UpdatedFilters, CommitmentFilter):
    agreement = django_filters.CharFilter(field_name="agreement__code", help_text="Agreement code")
    owed_by = IdFilter(
        method="filter_owed_by",
        help_text="An institute id: what it owes alone and its share of joint commitments.",
    )
    lead_institute = IdFilter(field_name="lead_institute_id", help_text="An institute id.")
    owner = IdFilter(field_name="owner_id", help_text="A person id.")
    clause = IdFilter(field_name="clause_id", help_text="A clause id.")
    ordering = StableOrderingFilter(
        fields=(
            ("reference", "reference"),
            ("title", "title"),
            ("target_on", "target"),
            ("status", "status"),
            ("rag_rank", "rag"),
            *UpdatedFilters.ORDER,
        ),
        help_text="rag orders by severity: red, amber, green, grey.",
    )


class MilestoneApiFilter(UpdatedFilters, MilestoneFilter):
    agreement = django_filters.CharFilter(
        field_name="commitment__agreement__code", help_text="Agreement code"
    )
    commitment = IdFilter(field_name="commitment_id", help_text="A commitment id.")
    owner = IdFilter(field_name="owner_id", help_text="A person id.")
    institute = IdFilter(field_name="owner__institute_id", help_text="The owner's institute id.")
    ordering = StableOrderingFilter(
        fields=(("due_on", "due"), ("title", "title"), ("status", "status"), *UpdatedFilters.ORDER),
    )


class PartyApiFilter(UpdatedFilters, django_filters.FilterSet):
    agreement = django_filters.CharFilter(field_name="agreement__code", help_text="Agreement code")
    institute = IdFilter(field_name="institute_id")
    ordering = StableOrderingFilter(fields=UpdatedFilters.ORDER)

    class Meta:
        model = Party
        fields = ["agreement", "institute"]


class SignatoryApiFilter(UpdatedFilters, django_filters.FilterSet):
    agreement = django_filters.CharFilter(field_name="agreement__code", help_text="Agreement code")
    ordering = StableOrderingFilter(fields=(("name", "name"), *UpdatedFilters.ORDER))

    class Meta:
        model = Signatory
        fields = ["agreement"]


class ClauseApiFilter(UpdatedFilters, django_filters.FilterSet):
    agreement = django_filters.CharFilter(field_name="agreement__code", help_text="Agreement code")
    ordering = StableOrderingFilter(fields=(("position", "position"), *UpdatedFilters.ORDER))

    class Meta:
        model = Clause
        fields = ["agreement"]


class ProgressUpdateApiFilter(UpdatedFilters, django_filters.FilterSet):
    agreement = django_filters.CharFilter(
        field_name="commitment__agreement__code", help_text="Agreement code"
    )
    commitment = IdFilter(field_name="commitment_id")
    author = IdFilter(field_name="author_id")
    posted_after = InstantFilter(field_name="posted_at", lookup_expr="gte")
    posted_before = InstantFilter(field_name="posted_at", lookup_expr="lt")
    ordering = StableOrderingFilter(fields=(("posted_at", "posted"), *UpdatedFilters.ORDER))

    class Meta:
        model = ProgressUpdate
        fields = ["agreement", "commitment", "author"]
