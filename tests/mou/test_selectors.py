"""Selectors cost the same number of queries whatever the number of rows, and their
filters (shared by the pages and the API) select the right rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mou import selectors
from mou.choices import CommitmentStatus, Rag
from mou.models import Agreement, Clause, Commitment
from tests.factories import (
    SYSTEM,
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    InstituteFactory,
    MilestoneFactory,
    PersonFactory,
    ProgressUpdateFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
TODAY = dt.date(2027, 3, 1)


def add_commitments(count: int, agreements: list[Agreement]) -> None:
    """``count`` commitments spread over the agreements, each with its own owner, a
    milestone and an update, so a missing join would cost one query per row."""
    clauses = {a.pk: Clause.objects.filter(agreement=a).first() or ClauseFactory(agreement=a)
               for a in agreements}  # fmt: skip
    for n in range(count):
        agreement = agreements[n % len(agreements)]
        lead = agreement.parties.order_by("pk").first()
        commitment = CommitmentFactory(
            clause=clauses[agreement.pk],
            owner=PersonFactory(institute=lead),
            owed_by=lead if n % 2 else None,
        )
        MilestoneFactory(commitment=commitment, due_on=TODAY + dt.timedelta(days=n % 30 - 10))
        ProgressUpdateFactory(commitment=commitment, posted_at=NOW - dt.timedelta(days=n % 60))


def render_commitments(rows: list[Commitment]) -> None:
    for c in rows:
        _ = (c.rag, c.agreement.code, c.clause.number, c.owed_by, c.lead_institute.short_name)
        _ = (c.owner.name, c.owner.institute.short_name)


def queries(run: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured.captured_queries)


@pytest.fixture
def user():  # type: ignore[no-untyped-def]
    return UserFactory(roles=["Reporting analyst"])


@pytest.fixture
def agreements() -> list[Agreement]:
    return [AgreementFactory(), AgreementFactory()]


def test_commitment_list_query_count_constant(user, agreements, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    def run() -> None:
        render_commitments(list(selectors.commitment_list(user=user, filters={}, now=NOW)))

    add_commitments(10, agreements)
    small = queries(run)
    add_commitments(190, agreements)
    assert Commitment.objects.count() == 200
    with django_assert_num_queries(small):
        run()
    assert small <= 2


def test_commitment_list_filtered_query_count_constant(user, agreements) -> None:  # type: ignore[no-untyped-def]
    owed_by = agreements[0].parties.first()
    filters = {"rag": ["red", "amber"], "owed_by": str(owed_by.pk), "q": "Commitment"}

    def run() -> None:
        render_commitments(list(selectors.commitment_list(user=user, filters=filters, now=NOW)))

    add_commitments(10, agreements)
    small = queries(run)
    add_commitments(190, agreements)
    assert queries(run) == small


def test_milestone_list_query_count_constant(user, agreements, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    def run() -> None:
        for m in selectors.milestone_list(user=user, filters={"due_within": "14"}, now=NOW):
            _ = (m.is_late, m.owner.name, m.owner.institute.short_name)
            _ = (m.commitment.reference, m.commitment.agreement.code, m.commitment.clause.number)

    add_commitments(10, agreements)
    small = queries(run)
    add_commitments(190, agreements)
    with django_assert_num_queries(small):
        run()


def test_agreement_list_query_count_constant(user, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    def run() -> None:
        for a in selectors.agreement_list(user=user, filters={}):
            _ = (a.commitment_count, a.open_commitment_count, a.builds_on)
            _ = [p.institute.short_name for p in a.party_links.all()]

    add_commitments(10, [AgreementFactory() for _ in range(10)])
    small = queries(run)
    add_commitments(190, [AgreementFactory() for _ in range(40)])
    assert Agreement.objects.count() == 50
    with django_assert_num_queries(small):
        run()


def test_agreement_list_counts_commitments(user) -> None:  # type: ignore[no-untyped-def]
    agreement = AgreementFactory()
    add_commitments(3, [agreement])
    Commitment.objects.filter(pk=Commitment.objects.first().pk).update(
        status=CommitmentStatus.COMPLETED
    )
    row = selectors.agreement_list(user=user, filters={}).get(pk=agreement.pk)
    assert (row.commitment_count, row.open_commitment_count) == (3, 2)


def test_commitment_detail_query_count_constant(user, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    commitment = CommitmentFactory()

    def grow(count: int) -> None:
        for n in range(count):
            owner = PersonFactory(institute=commitment.lead_institute)
            MilestoneFactory(commitment=commitment, owner=owner, due_on=TODAY + dt.timedelta(n))
            ProgressUpdateFactory(commitment=commitment, author=owner)

    def run() -> None:
        detail = selectors.commitment_detail(user=user, pk=commitment.pk, now=NOW)
        render_commitments([detail])
        for m in detail.milestones.all():
            _ = (m.is_late, m.owner.name)
        for u in detail.progress_updates.all():
            _ = (u.author.name, u.author.institute.short_name)

    grow(10)
    small = queries(run)
    grow(190)
    assert commitment.milestones.count() == 200
    with django_assert_num_queries(small):
        run()


# --- Filters ----------------------------------------------------------------------------


def pks(rows: Any) -> set[int]:
    return {row.pk for row in rows}


def test_commitment_list_filters_by_rag(user) -> None:  # type: ignore[no-untyped-def]
    red = CommitmentFactory(status=CommitmentStatus.OFF_TRACK)
    amber = CommitmentFactory(status=CommitmentStatus.AT_RISK)
    green = CommitmentFactory(status=CommitmentStatus.ON_TRACK)
    late = CommitmentFactory(status=CommitmentStatus.ON_TRACK)
    MilestoneFactory(commitment=late, due_on=TODAY - dt.timedelta(days=1))

    def listed(filters: dict[str, Any]) -> set[int]:
        return pks(selectors.commitment_list(user=user, filters=filters, now=NOW))

    assert listed({"rag": ["red"]}) == {red.pk, late.pk}
    assert listed({"rag": ["amber"]}) == {amber.pk}
    assert listed({"rag": ["amber", "green"]}) == {amber.pk, green.pk}
    assert listed({}) == {red.pk, amber.pk, green.pk, late.pk}
    ordered = list(selectors.commitment_list(user=user, filters={"ordering": "rag"}, now=NOW))
    assert [c.rag for c in ordered] == sorted(c.rag for c in ordered)


def test_commitment_list_filters_owed_by_including_joint(user) -> None:  # type: ignore[no-untyped-def]
    uk = InstituteFactory(short_name="UK AISI", country="GB")
    au = InstituteFactory(short_name="AU AISI", country="AU", time_zone="Australia/Sydney")
    other = InstituteFactory(short_name="Other", country="CA", time_zone="America/Toronto")
    uk_au = AgreementFactory(parties=[uk, au])
    au_other = AgreementFactory(parties=[au, other])
    clause = ClauseFactory(agreement=uk_au)
    owed_by_uk = CommitmentFactory(clause=clause, owed_by=uk)
    owed_by_au = CommitmentFactory(clause=clause, owed_by=au)
    joint = CommitmentFactory(clause=clause, owed_by=None)
    joint_elsewhere = CommitmentFactory(clause=ClauseFactory(agreement=au_other), owed_by=None)

    def owed_by(institute: Any) -> list[int]:
        rows = selectors.commitment_list(user=user, filters={"owed_by": str(institute.pk)}, now=NOW)
        return sorted(row.pk for row in rows)

    assert owed_by(uk) == sorted([owed_by_uk.pk, joint.pk])
    assert owed_by(au) == sorted([owed_by_au.pk, joint.pk, joint_elsewhere.pk])
    assert owed_by(other) == [joint_elsewhere.pk]


def test_commitment_list_filters_status_agreement_and_search(user) -> None:  # type: ignore[no-untyped-def]
    wanted = CommitmentFactory(title="Joint testing of frontier models", status="at_risk")
    CommitmentFactory(title="Staff exchange", status="on_track")

    def listed(filters: dict[str, Any]) -> set[int]:
        return pks(selectors.commitment_list(user=user, filters=filters, now=NOW))

    assert listed({"status": ["at_risk"]}) == {wanted.pk}
    assert listed({"q": "frontier"}) == {wanted.pk}
    assert listed({"agreement": wanted.agreement.code}) == {wanted.pk}


def test_milestone_list_filters_due_within_in_owner_zone(user) -> None:  # type: ignore[no-untyped-def]
    london = PersonFactory(institute=InstituteFactory(time_zone="Europe/London"))
    commitment = CommitmentFactory()
    day_14 = MilestoneFactory(commitment=commitment, owner=london, due_on=TODAY + dt.timedelta(14))
    day_15 = MilestoneFactory(commitment=commitment, owner=london, due_on=TODAY + dt.timedelta(15))
    today = MilestoneFactory(commitment=commitment, owner=london, due_on=TODAY)
    MilestoneFactory(commitment=commitment, owner=london, due_on=TODAY - dt.timedelta(1))
    MilestoneFactory(
        commitment=commitment, owner=london, due_on=TODAY + dt.timedelta(3), status="cancelled",
        status_reason="Dropped.",
    )  # fmt: skip

    def listed(filters: dict[str, Any], now: dt.datetime = NOW) -> set[int]:
        return pks(selectors.milestone_list(user=user, filters=filters, now=now))

    assert listed({"due_within": "14"}) == {today.pk, day_14.pk}
    assert listed({"due_within": "15"}) == {today.pk, day_14.pk, day_15.pk}
    assert listed({"due_within": "0"}) == {today.pk}


def test_milestone_list_filters_late(user) -> None:  # type: ignore[no-untyped-def]
    sydney = PersonFactory(institute=InstituteFactory(time_zone="Australia/Sydney"))
    london = PersonFactory(institute=InstituteFactory(time_zone="Europe/London"))
    commitment = CommitmentFactory()
    due = dt.date(2027, 3, 31)
    in_sydney = MilestoneFactory(commitment=commitment, owner=sydney, due_on=due)
    in_london = MilestoneFactory(commitment=commitment, owner=london, due_on=due)
    MilestoneFactory(commitment=commitment, owner=sydney, due_on=due - dt.timedelta(5),
                     status="done", done_on=due)  # fmt: skip
    sydney_day_over = dt.datetime(2027, 3, 31, 13, 0, tzinfo=UTC)

    def listed(filters: dict[str, Any]) -> set[int]:
        return pks(selectors.milestone_list(user=user, filters=filters, now=sydney_day_over))

    assert listed({"late": "true"}) == {in_sydney.pk}
    assert in_london.pk in listed({"late": "false"})
    assert in_sydney.pk not in listed({"late": "false"})


def test_late_milestones_selector(user) -> None:  # type: ignore[no-untyped-def]
    late = MilestoneFactory(due_on=TODAY - dt.timedelta(days=1))
    MilestoneFactory(due_on=TODAY)
    assert pks(selectors.late_milestones(now=NOW)) == {late.pk}


def test_commitment_detail_annotates_rag_and_lateness(user) -> None:  # type: ignore[no-untyped-def]
    commitment = CommitmentFactory()
    MilestoneFactory(commitment=commitment, due_on=TODAY - dt.timedelta(days=1))
    detail = selectors.commitment_detail(user=user, pk=commitment.pk, now=NOW)
    assert detail.rag == Rag.RED
    assert [m.is_late for m in detail.milestones.all()] == [True]


def test_agreement_list_filters_by_party_and_status(user) -> None:  # type: ignore[no-untyped-def]
    uk = InstituteFactory()
    with_uk = AgreementFactory(parties=[uk, InstituteFactory()], status="draft")
    AgreementFactory()
    assert pks(selectors.agreement_list(user=user, filters={"party": str(uk.pk)})) == {with_uk.pk}
    assert pks(selectors.agreement_list(user=user, filters={"status": "draft"})) == {with_uk.pk}


def test_agreement_detail_query_count_constant(user, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    from mou.models import Signatory

    agreement = AgreementFactory()
    party = agreement.party_links.first()

    def grow(count: int) -> None:
        for _ in range(count):
            ClauseFactory(agreement=agreement)
            Signatory.objects.create(agreement=agreement, party=party, name="A", office="B")
            AgreementFactory(builds_on=agreement)

    def run() -> None:
        detail = selectors.agreement_detail(user=user, code=agreement.code)
        _ = [p.institute.short_name for p in detail.party_links.all()]
        _ = [(s.name, s.party.institute.short_name) for s in detail.signatories.all()]
        _ = [c.number for c in detail.clauses.all()]
        _ = [a.code for a in detail.built_upon_by.all()]

    grow(3)
    small = queries(run)
    grow(30)
    with django_assert_num_queries(small):
        run()


def test_commitment_history_query_count_constant(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    from mou import services

    commitment = CommitmentFactory()

    def grow(count: int) -> None:
        for _ in range(count):
            milestone = MilestoneFactory(commitment=commitment)
            services.milestone_reschedule(
                milestone=milestone, due_on=TODAY + dt.timedelta(days=40), actor=SYSTEM
            )

    grow(2)
    small = queries(lambda: selectors.commitment_history(commitment))
    grow(20)
    with django_assert_num_queries(small):
        entries = selectors.commitment_history(commitment)
    assert len(entries) == 1 + 22 * 2
