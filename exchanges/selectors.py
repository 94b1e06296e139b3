"""Every read of secondments that pages, the API, reports and reminders need.

Each costs a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce

from core.history import HistoryEntry, history_for
from exchanges.choices import (
    SECONDMENT_DETAILS_EDITABLE_IN,
    SecondmentStatus,
    direction_key,
    direction_label,
)
from exchanges.filters import SecondmentFilter
from exchanges.models import ExchangeQuota, Secondment, SecondmentCommitment
from institutes.choices import Role
from institutes.models import Person
from mou.models import Commitment


def secondment_list(*, user: Any, filters: Mapping[str, Any]) -> QuerySet[Secondment]:
    """The secondments a user may see, narrowed by ``filters`` (the list's query string)."""
    qs = Secondment.objects.visible_to(user).for_list()
    filterset = SecondmentFilter(filters, queryset=qs)
    result = filterset.qs if filterset.is_valid() else qs.none()
    if not filters.get("ordering"):
        result = result.order_by("-planned_start_on", "pk")
    return result


def secondment_filterset(*, filters: Mapping[str, Any]) -> SecondmentFilter:
    return SecondmentFilter(filters, queryset=Secondment.objects.none())


def secondment_export_rows(*, user: Any, filters: Mapping[str, Any]) -> QuerySet[Secondment]:
    """The whole filtered set (every page) with what the export shows, in two queries."""
    return secondment_list(user=user, filters=filters).prefetch_related(
        Prefetch("commitments", queryset=Commitment.objects.only("id", "reference", "agreement"))
    )


def secondment_get(*, user: Any, pk: int) -> Secondment:
    """One secondment with everything its page shows; raises Secondment.DoesNotExist."""
    return (
        Secondment.objects.visible_to(user)
        .for_list()
        .select_related(
            "home_approved_by__person__institute",
            "host_approved_by__person__institute",
            "home_institute",
            "host_institute",
        )
        .prefetch_related(
            Prefetch(
                "commitments",
                queryset=Commitment.objects.select_related("clause").order_by("reference"),
            )
        )
        .get(pk=pk)
    )


def commitment_choices_for(*, agreement_id: int | None) -> QuerySet[Commitment]:
    qs = Commitment.objects.select_related("agreement").order_by("agreement__code", "reference")
    return qs.filter(agreement_id=agreement_id) if agreement_id else qs


def secondments_for_commitment(*, user: Any, commitment_id: int) -> QuerySet[Secondment]:
    """The secondments that deliver one commitment, for the commitment's page."""
    return (
        Secondment.objects.visible_to(user)
        .for_list()
        .filter(commitment_links__commitment_id=commitment_id)
        .order_by("-planned_start_on", "pk")
    )


def secondment_history(*, secondment: Secondment) -> list[HistoryEntry]:
    """Every change to the secondment and to its linked commitments, newest first."""
    entries = history_for(Secondment, [secondment.pk], label="Secondment")
    link_ids = set(
        SecondmentCommitment.pgh_event_model.objects.filter(
            secondment_id=secondment.pk
        ).values_list("pgh_obj_id", flat=True)
    )
    entries += history_for(SecondmentCommitment, sorted(link_ids), label="Linked commitment")
    return sorted(entries, key=lambda e: e.at, reverse=True)


# --- Figures ----------------------------------------------------------------------------


@dataclass
class ExchangeFigure:
    """One agreement's exchanges in one calendar year in one direction, against its plan."""

    agreement_id: int
    agreement_code: str
    agreement_title: str
    year: int
    home_country: str
    host_country: str
    secondments: int = 0
    person_days: int = 0
    planned_exchanges: int | None = None
    planned_staff_days: int | None = None

    @property
    def direction(self) -> str:
        return direction_label(self.home_country, self.host_country)

    @property
    def direction_key(self) -> str:
        return direction_key(self.home_country, self.host_country)


def _days_in_year(start: date, end: date, year: int) -> int:
    first = max(start, date(year, 1, 1))
    last = min(end, date(year, 12, 31))
    return max((last - first).days + 1, 0)


def exchange_figures(*, agreement: Any = None, year: int | None = None) -> list[ExchangeFigure]:
    """Per agreement, calendar year and direction (home country → host country): how many
    secondments touch the year and how many of their days fall in it, next to the
    agreement's plan for that direction where it sets one.

    Cancelled secondments are left out. Days are the actual dates where known, else the
    planned ones, both ends counted; a secondment across a year boundary counts once in
    each year it touches, with its days split between them. ``agreement`` may be an
    Agreement, its id or its code. Two queries.
    """
    qs = (
        Secondment.objects.holding_dates()
        .annotate(
            start=Coalesce("actual_start_on", "planned_start_on"),
            end=Coalesce("actual_end_on", "planned_end_on"),
        )
        .values_list(
            "agreement_id",
            "agreement__code",
            "agreement__title",
            "home_institute__country",
            "host_institute__country",
            "start",
            "end",
        )
    )
    quotas = ExchangeQuota.objects.select_related("agreement")
    if isinstance(agreement, str):  # a code, as in URLs
        qs = qs.filter(agreement__code=agreement)
        quotas = quotas.filter(agreement__code=agreement)
    elif agreement is not None:
        agreement_id = getattr(agreement, "pk", agreement)
        qs = qs.filter(agreement_id=agreement_id)
        quotas = quotas.filter(agreement_id=agreement_id)
    if year is not None:
        qs = qs.filter(start__lte=date(year, 12, 31), end__gte=date(year, 1, 1))

    figures: dict[tuple[int, int, str, str], ExchangeFigure] = {}
    agreements: dict[int, tuple[str, str]] = {}
    years_by_agreement: dict[int, set[int]] = defaultdict(set)
    for agreement_id, code, title, home, host, start, end in qs:
        agreements[agreement_id] = (code, title)
        years = [year] if year is not None else range(start.year, end.year + 1)
        for y in years:
            key = (agreement_id, y, home, host)
            figure = figures.get(key) or figures.setdefault(
                key, ExchangeFigure(agreement_id, code, title, y, home, host)
            )
            figure.secondments += 1
            figure.person_days += _days_in_year(start, end, y)
            years_by_agreement[agreement_id].add(y)

    for quota in quotas:
        agreement_id = quota.agreement_id
        years = {year} if year is not None else years_by_agreement.get(agreement_id, set())
        for y in years:
            key = (agreement_id, y, quota.home_country, quota.host_country)
            figure = figures.get(key) or figures.setdefault(
                key,
                ExchangeFigure(
                    agreement_id,
                    quota.agreement.code,
                    quota.agreement.title,
                    y,
                    quota.home_country,
                    quota.host_country,
                ),
            )
            figure.planned_exchanges = quota.planned_exchanges_per_year
            figure.planned_staff_days = quota.planned_staff_days_per_year
    return sorted(
        figures.values(),
        key=lambda f: (f.agreement_code, f.year, f.home_country, f.host_country),
    )


# --- Reminder inputs --------------------------------------------------------------------


@dataclass(frozen=True)
class SecondmentDate:
    """A secondment whose start or end falls in the window, with who should hear of it."""

    secondment: Secondment
    event: str  # "start" or "end"
    on: date
    coordinators: tuple[Person, ...] = field(default=())


def secondments_starting_or_ending_within(*, on: date, days: int) -> list[SecondmentDate]:
    """Secondments starting or ending from ``on`` to ``on + days`` inclusive.

    Returns a list of ``SecondmentDate(secondment, event, on, coordinators)``, ordered by
    date, where:

    - ``event`` is ``"start"`` for a proposed or approved secondment whose planned start
      falls in the window, or ``"end"`` for an approved or active one whose planned end
      does (a secondment may appear twice, once for each);
    - ``on`` is that date;
    - ``secondment`` has ``agreement``, ``person``, ``home_institute`` and
      ``host_institute`` loaded;
    - ``coordinators`` are the Persons whose user account is in the Exchange coordinator
      group and who work at the home or the host institute (home side first, then by
      name).

    Two queries whatever the number of secondments.
    """
    last = on + timedelta(days=days)
    starting = Q(
        status__in=[SecondmentStatus.PROPOSED, SecondmentStatus.APPROVED],
        planned_start_on__range=(on, last),
    )
    ending = Q(
        status__in=[SecondmentStatus.APPROVED, SecondmentStatus.ACTIVE],
        planned_end_on__range=(on, last),
    )
    secondments = list(Secondment.objects.for_list().filter(starting | ending).order_by("pk"))
    institute_ids = {s.home_institute_id for s in secondments} | {
        s.host_institute_id for s in secondments
    }
    by_institute: dict[int, list[Person]] = defaultdict(list)
    if institute_ids:
        for person in (
            Person.objects.filter(
                institute_id__in=institute_ids,
                user__is_active=True,
                user__groups__name=Role.EXCHANGE_COORDINATOR,
            )
            .select_related("user", "institute")
            .order_by("name", "pk")
            .distinct()
        ):
            by_institute[person.institute_id].append(person)
    result = []
    for s in secondments:
        coordinators = tuple(by_institute[s.home_institute_id] + by_institute[s.host_institute_id])
        if s.status in {SecondmentStatus.PROPOSED, SecondmentStatus.APPROVED} and (
            on <= s.planned_start_on <= last
        ):
            result.append(SecondmentDate(s, "start", s.planned_start_on, coordinators))
        if s.status in {SecondmentStatus.APPROVED, SecondmentStatus.ACTIVE} and (
            on <= s.planned_end_on <= last
        ):
            result.append(SecondmentDate(s, "end", s.planned_end_on, coordinators))
    return sorted(result, key=lambda d: (d.on, d.secondment.pk, d.event))


@dataclass(frozen=True)
class ClearedApproval:
    secondment: Secondment
    side: str
    cleared_at: Any
    coordinators: tuple[Person, ...]


def _coordinators_at(institute_ids: set[int]) -> dict[int, list[Person]]:
    by_institute: dict[int, list[Person]] = defaultdict(list)
    if institute_ids:
        for person in (
            Person.objects.filter(
                institute_id__in=institute_ids,
                user__is_active=True,
                user__groups__name=Role.EXCHANGE_COORDINATOR,
            )
            .select_related("user", "institute")
            .order_by("name", "pk")
            .distinct()
        ):
            by_institute[person.institute_id].append(person)
    return by_institute


def secondments_awaiting_reapproval() -> list[ClearedApproval]:
    """Each side whose approval a later change cleared and who has not approved again,
    with that side's coordinators. Two queries whatever the number of secondments."""
    cleared = Q(home_approved_at__isnull=True, home_approval_cleared_at__isnull=False) | Q(
        host_approved_at__isnull=True, host_approval_cleared_at__isnull=False
    )
    secondments = list(
        Secondment.objects.for_list()
        .filter(cleared, status__in=sorted(SECONDMENT_DETAILS_EDITABLE_IN))
        .order_by("pk")
    )
    by_institute = _coordinators_at(
        {s.home_institute_id for s in secondments} | {s.host_institute_id for s in secondments}
    )
    result = []
    for s in secondments:
        for side, institute_id in (("home", s.home_institute_id), ("host", s.host_institute_id)):
            at = getattr(s, f"{side}_approval_cleared_at")
            if at is not None and getattr(s, f"{side}_approved_at") is None:
                result.append(ClearedApproval(s, side, at, tuple(by_institute[institute_id])))
    return result
