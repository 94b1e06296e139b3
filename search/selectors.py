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
from django.db.models import BooleanField, Case, Q, QuerySet, Value, When

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
FOUND_BY = ["its own words", "its owner", "its institute", "its clause", "its milestones"]


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
    # Each way a commitment can be found, so the page can say which one found it.
    found_by = {  # keys in the order of FOUND_BY
        "its own words": Q(pk__in=_ids(Commitment, COMMITMENT_SEARCH_FIELDS, query)),
        "its owner": Q(owner__in=people),
        "its institute": Q(owed_by__in=institutes) | Q(lead_institute__in=institutes),
        "its clause": Q(clause__in=_ids(Clause, CLAUSE_SEARCH_FIELDS, query)),
        "its milestones": Q(
            pk__in=_matching(Milestone.objects.all(), MILESTONE_SEARCH_FIELDS, query).values(
                "commitment_id"
            )
        ),
    }
    any_match = Q()
    for condition in found_by.values():
        any_match |= condition
    commitments = (
        Commitment.objects.visible_to(user)
        .filter(any_match)
        .annotate(
            **{
                f"found_by_{n}": Case(
                    When(condition, then=Value(True)),
                    default=Value(False),
                    output_field=BooleanField(),
                )
                for n, condition in enumerate(found_by.values())
            }
        )
        .for_list()
        # Records matching on their own words first, then those found through their owner,
        # institute, clause or milestones.
        .order_by("-found_by_0", "agreement__title", "reference", "pk")
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
