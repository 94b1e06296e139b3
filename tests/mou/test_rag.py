"""The red/amber/green/grey table (``RAG_RULE_HELP``), each rule at its boundaries, with a
fixed ``now`` so the dates never drift."""

from __future__ import annotations

import datetime as dt

import pytest

from mou.choices import RAG_DUE_SOON_DAYS, RAG_QUIET_DAYS, CommitmentStatus, Rag
from mou.models import Commitment, Milestone
from tests.factories import (
    CommitmentFactory,
    InstituteFactory,
    MilestoneFactory,
    PersonFactory,
    ProgressUpdateFactory,
)

pytestmark = pytest.mark.django_db

UTC = dt.UTC
DUE = dt.date(2027, 3, 31)
# 31 March 2027: Sydney is on AEDT (UTC+11) until 4 April; London on BST (UTC+1) since 28 March.
SYDNEY_LAST_MINUTE = dt.datetime(2027, 3, 31, 12, 59, tzinfo=UTC)  # 23:59 in Sydney
SYDNEY_DAY_OVER = dt.datetime(2027, 3, 31, 13, 0, tzinfo=UTC)  # 00:00 on 1 April in Sydney
LONDON_LAST_MINUTE = dt.datetime(2027, 3, 31, 22, 59, tzinfo=UTC)  # 23:59 in London
LONDON_DAY_OVER = dt.datetime(2027, 3, 31, 23, 0, tzinfo=UTC)  # 00:00 on 1 April in London


def rag(commitment: Commitment, now: dt.datetime) -> str:
    return Commitment.objects.with_rag(now=now).get(pk=commitment.pk).rag


def owned_in(zone: str, **fields: object) -> Commitment:
    institute = InstituteFactory(time_zone=zone)
    commitment = CommitmentFactory(**fields)
    commitment.owner = PersonFactory(institute=institute, time_zone=zone)
    commitment.save()
    return commitment


def with_recent_update(commitment: Commitment, now: dt.datetime) -> Commitment:
    """Keeps the "due soon and quiet" amber rule out of a test about lateness."""
    ProgressUpdateFactory(commitment=commitment, posted_at=now - dt.timedelta(days=1))
    return commitment


# --- Late: the due date has ended in the milestone owner's time zone ----------------------


def test_rag_sydney_owner_not_late_in_last_minute_of_due_date() -> None:
    commitment = with_recent_update(owned_in("Australia/Sydney"), SYDNEY_LAST_MINUTE)
    MilestoneFactory(commitment=commitment, due_on=DUE)
    assert rag(commitment, SYDNEY_LAST_MINUTE) == Rag.GREEN


def test_rag_sydney_owner_late_once_due_date_ends_in_sydney() -> None:
    commitment = with_recent_update(owned_in("Australia/Sydney"), SYDNEY_DAY_OVER)
    MilestoneFactory(commitment=commitment, due_on=DUE)
    assert rag(commitment, SYDNEY_DAY_OVER) == Rag.RED


def test_rag_london_owner_not_late_at_the_same_instant() -> None:
    commitment = with_recent_update(owned_in("Europe/London"), SYDNEY_DAY_OVER)
    MilestoneFactory(commitment=commitment, due_on=DUE)
    assert rag(commitment, SYDNEY_DAY_OVER) == Rag.GREEN
    assert rag(commitment, LONDON_LAST_MINUTE) == Rag.GREEN
    assert rag(commitment, LONDON_DAY_OVER) == Rag.RED


def test_rag_lateness_uses_milestone_owners_zone_not_commitment_owners() -> None:
    commitment = with_recent_update(owned_in("Europe/London"), SYDNEY_DAY_OVER)
    sydney = PersonFactory(institute=InstituteFactory(time_zone="Australia/Sydney"))
    MilestoneFactory(commitment=commitment, due_on=DUE, owner=sydney)
    assert rag(commitment, SYDNEY_DAY_OVER) == Rag.RED


@pytest.mark.parametrize("status", ["done", "cancelled"])
def test_rag_closed_milestone_never_late(status: str) -> None:
    commitment = with_recent_update(owned_in("Europe/London"), LONDON_DAY_OVER)
    MilestoneFactory(
        commitment=commitment,
        due_on=DUE,
        status=status,
        done_on=DUE if status == "done" else None,
        status_reason="Dropped." if status == "cancelled" else "",
    )
    assert rag(commitment, LONDON_DAY_OVER) == Rag.GREEN


def test_milestone_late_and_with_lateness_agree_at_boundary() -> None:
    commitment = owned_in("Australia/Sydney")
    milestone = MilestoneFactory(commitment=commitment, due_on=DUE)
    assert not Milestone.objects.late(now=SYDNEY_LAST_MINUTE).filter(pk=milestone.pk).exists()
    assert Milestone.objects.late(now=SYDNEY_DAY_OVER).filter(pk=milestone.pk).exists()
    assert not Milestone.objects.with_lateness(now=SYDNEY_LAST_MINUTE).get(pk=milestone.pk).is_late
    assert Milestone.objects.with_lateness(now=SYDNEY_DAY_OVER).get(pk=milestone.pk).is_late


# --- Due soon and quiet -----------------------------------------------------------------

# 1 March 2027, noon in London (GMT): the owner's today is 1 March.
NOW = dt.datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
TODAY = dt.date(2027, 3, 1)


@pytest.mark.parametrize(
    ("days_ahead", "expected"),
    [
        (0, Rag.AMBER),  # due today: not late yet, due soon
        (RAG_DUE_SOON_DAYS, Rag.AMBER),  # day 14
        (RAG_DUE_SOON_DAYS + 1, Rag.GREEN),  # day 15
    ],
)
def test_rag_due_soon_boundary(days_ahead: int, expected: str) -> None:
    commitment = owned_in("Europe/London")
    MilestoneFactory(commitment=commitment, due_on=TODAY + dt.timedelta(days=days_ahead))
    assert rag(commitment, NOW) == expected


def test_rag_due_soon_counts_days_in_owners_zone() -> None:
    # 13:00Z on 1 March is already 2 March in Sydney (AEDT), so day 15 from London's today is
    # day 14 from Sydney's.
    commitment = owned_in("Australia/Sydney")
    MilestoneFactory(commitment=commitment, due_on=TODAY + dt.timedelta(days=RAG_DUE_SOON_DAYS + 1))
    assert rag(commitment, NOW.replace(hour=13)) == Rag.AMBER
    assert rag(commitment, NOW.replace(hour=12, minute=59)) == Rag.GREEN


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (dt.timedelta(days=RAG_QUIET_DAYS), Rag.GREEN),  # exactly 30 days ago: still recent
        (dt.timedelta(days=RAG_QUIET_DAYS, seconds=1), Rag.AMBER),  # just over: quiet
        (dt.timedelta(days=2), Rag.GREEN),
    ],
)
def test_rag_recent_update_boundary(age: dt.timedelta, expected: str) -> None:
    commitment = owned_in("Europe/London")
    MilestoneFactory(commitment=commitment, due_on=TODAY + dt.timedelta(days=7))
    ProgressUpdateFactory(commitment=commitment, posted_at=NOW - age)
    assert rag(commitment, NOW) == expected


def test_rag_update_on_another_commitment_does_not_count() -> None:
    commitment = owned_in("Europe/London")
    MilestoneFactory(commitment=commitment, due_on=TODAY + dt.timedelta(days=7))
    ProgressUpdateFactory(posted_at=NOW - dt.timedelta(days=1))
    assert rag(commitment, NOW) == Rag.AMBER


def test_rag_recent_update_does_not_excuse_late_milestone() -> None:
    commitment = with_recent_update(owned_in("Europe/London"), NOW)
    MilestoneFactory(commitment=commitment, due_on=TODAY - dt.timedelta(days=1))
    assert rag(commitment, NOW) == Rag.RED


# --- Status -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (CommitmentStatus.NOT_STARTED, Rag.GREEN),
        (CommitmentStatus.ON_TRACK, Rag.GREEN),
        (CommitmentStatus.AT_RISK, Rag.AMBER),
        (CommitmentStatus.OFF_TRACK, Rag.RED),
        (CommitmentStatus.COMPLETED, Rag.GREY),
        (CommitmentStatus.WITHDRAWN, Rag.GREY),
    ],
)
def test_rag_by_status_alone(status: str, expected: str) -> None:
    commitment = owned_in(
        "Europe/London", status=status, status_reason="Ended." if status == "withdrawn" else ""
    )
    assert rag(commitment, NOW) == expected


def test_rag_at_risk_with_late_milestone_is_red() -> None:
    commitment = owned_in("Europe/London", status=CommitmentStatus.AT_RISK)
    MilestoneFactory(commitment=commitment, due_on=TODAY - dt.timedelta(days=1))
    assert rag(commitment, NOW) == Rag.RED


@pytest.mark.parametrize("status", [CommitmentStatus.COMPLETED, CommitmentStatus.WITHDRAWN])
def test_rag_closed_commitment_grey_even_with_late_milestone(status: str) -> None:
    commitment = owned_in(
        "Europe/London", status=status, status_reason="Ended." if status == "withdrawn" else ""
    )
    MilestoneFactory(commitment=commitment, due_on=TODAY - dt.timedelta(days=10))
    MilestoneFactory(commitment=commitment, due_on=TODAY + dt.timedelta(days=3))
    assert rag(commitment, NOW) == Rag.GREY


def test_rag_annotates_late_flag() -> None:
    late = owned_in("Europe/London")
    MilestoneFactory(commitment=late, due_on=TODAY - dt.timedelta(days=1))
    fine = owned_in("Europe/London")
    flagged = set(
        Commitment.objects.with_rag(now=NOW)
        .filter(pk__in=[late.pk, fine.pk], has_late_milestone=True)
        .values_list("pk", flat=True)
    )
    assert flagged == {late.pk}


def test_rag_filterable_and_orderable_in_sql() -> None:
    red = owned_in("Europe/London", status=CommitmentStatus.OFF_TRACK)
    owned_in("Europe/London")
    assert list(
        Commitment.objects.with_rag(now=NOW).filter(rag=Rag.RED).values_list("pk", flat=True)
    ) == [red.pk]


def test_rag_as_of_a_past_moment_ignores_later_updates() -> None:
    commitment = owned_in("Europe/London")
    MilestoneFactory(commitment=commitment, due_on=TODAY + dt.timedelta(days=7))
    ProgressUpdateFactory(commitment=commitment, posted_at=NOW + dt.timedelta(days=1))
    assert rag(commitment, NOW) == Rag.AMBER
    assert rag(commitment, NOW + dt.timedelta(days=2)) == Rag.GREEN
