"""Search across the register with PostgreSQL full-text search.

Each kind of record is matched on its own GIN-indexed document (see ``core.search`` and the
models' ``*_SEARCH_FIELDS``). A commitment is also found through what surrounds it: its
owner, the institutes that owe or lead it, its clause and its milestones. Every such match
is an uncorrelated ``IN (subquery)`` that PostgreSQL answers from that table's index once,
so the cost follows the number of matches, not the size of the register.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import SearchQuery
from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, Value, When

from core.search import search_document, search_query
from institutes.models import INSTITUTE_SEARCH_FIELDS, PERSON_SEARCH_FIELDS, Institute, Person
from mou.models import (
    AGREEMENT_SEARCH_FIELDS,
    CLAUSE_SEARCH_FIELDS,
    COMMITMENT_SEARCH_FIELDS,
    MILESTONE_SEARCH_FIELDS,
    Agreement,
    Clause,
    Commitment,
    Milestone,
)

MAX_QUERY_LENGTH = 200


def _matching(queryset: QuerySet, fields: tuple[str, ...], query: SearchQuery) -> QuerySet:
    return queryset.alias(document=search_document(*fields)).filter(document=query)


def _ids(model: type, fields: tuple[str, ...], query: SearchQuery) -> QuerySet:
    return _matching(model._default_manager.all(), fields, query).values("pk")


@dataclass
class SearchResults:
    """One queryset per kind of record, not yet run; a page slices and counts each."""

    text: str
    commitments: QuerySet[Commitment]
    milestones: QuerySet[Milestone]
    agreements: QuerySet[Agreement]
    clauses: QuerySet[Clause]
    people: QuerySet[Person]
    institutes: QuerySet[Institute]


def search_register(*, user: Any, text: str) -> SearchResults:
    query = search_query(text)
    people = _ids(Person, PERSON_SEARCH_FIELDS, query)
    institutes = _ids(Institute, INSTITUTE_SEARCH_FIELDS, query)
    own = Q(pk__in=_ids(Commitment, COMMITMENT_SEARCH_FIELDS, query))
    commitments = (
        Commitment.objects.visible_to(user)
        .filter(
            own
            | Q(owner__in=people)
            | Q(owed_by__in=institutes)
            | Q(lead_institute__in=institutes)
            | Q(clause__in=_ids(Clause, CLAUSE_SEARCH_FIELDS, query))
            | Q(
                pk__in=_matching(Milestone.objects.all(), MILESTONE_SEARCH_FIELDS, query).values(
                    "commitment_id"
                )
            )
        )
        .annotate(
            matched_itself=Case(
                When(own, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        )
        .for_list()
        # Records matching on their own words first, then those found through their owner,
        # institute, clause or milestones.
        .order_by("-matched_itself", "reference", "pk")
    )
    milestones = (
        _matching(Milestone.objects.visible_to(user), MILESTONE_SEARCH_FIELDS, query)
        .for_list()
        .order_by("due_on", "pk")
    )
    agreements = _matching(
        Agreement.objects.visible_to(user), AGREEMENT_SEARCH_FIELDS, query
    ).order_by("title", "pk")
    clauses = (
        _matching(Clause.objects.all(), CLAUSE_SEARCH_FIELDS, query)
        .filter(agreement__in=Agreement.objects.visible_to(user))
        .select_related("agreement")
        .order_by("agreement__title", "position", "number", "pk")
    )
    return SearchResults(
        text=text,
        commitments=commitments,
        milestones=milestones,
        agreements=agreements,
        clauses=clauses,
        people=_matching(Person.objects.all(), PERSON_SEARCH_FIELDS, query)
        .select_related("institute")
        .order_by("name", "pk"),
        institutes=_matching(Institute.objects.all(), INSTITUTE_SEARCH_FIELDS, query).order_by(
            "name", "pk"
        ),
    )


def commitment_match_reasons(*, commitment_ids: list[int], text: str) -> dict[int, list[str]]:
    """Why each of a page of found commitments was found ("its owner", "its milestones" …),
    in one query. Checked row by row (EXISTS) as only a page of rows is asked about."""
    query = search_query(text)

    def exists(queryset: QuerySet, fields: tuple[str, ...]) -> Exists:
        return Exists(_matching(queryset, fields, query))

    reasons = {
        "its own words": exists(
            Commitment.objects.filter(pk=OuterRef("pk")), COMMITMENT_SEARCH_FIELDS
        ),
        "its owner": exists(Person.objects.filter(pk=OuterRef("owner_id")), PERSON_SEARCH_FIELDS),
        "its institute": exists(
            Institute.objects.filter(
                Q(pk=OuterRef("owed_by_id")) | Q(pk=OuterRef("lead_institute_id"))
            ),
            INSTITUTE_SEARCH_FIELDS,
        ),
        "its clause": exists(Clause.objects.filter(pk=OuterRef("clause_id")), CLAUSE_SEARCH_FIELDS),
        "its milestones": exists(
            Milestone.objects.filter(commitment_id=OuterRef("pk")), MILESTONE_SEARCH_FIELDS
        ),
    }
    names = {f"reason_{n}": label for n, label in enumerate(reasons)}
    rows = (
        Commitment.objects.filter(pk__in=commitment_ids)
        .annotate(**{name: reasons[label] for name, label in names.items()})
        .values("pk", *names)
    )
    return {row["pk"]: [label for name, label in names.items() if row[name]] for row in rows}
