"""Recurring commitments: each occurrence is computed from the anchor date, never from when
the previous one was done, and the series stops at its count or at the agreement's end."""

from __future__ import annotations

import datetime as dt

import pytest

from mou import services
from mou.choices import CommitmentStatus, MilestoneStatus, Recurrence
from mou.models import Commitment, Milestone
from mou.recurrence import occurrence_date, occurrence_in_series
from tests.factories import SYSTEM, AgreementFactory, ClauseFactory, PersonFactory

D = dt.date

# --- The schedule on its own ------------------------------------------------------------


@pytest.mark.parametrize(
    ("anchor", "recurrence", "expected"),
    [
        (D(2027, 3, 31), Recurrence.YEARLY, [D(2027, 3, 31), D(2028, 3, 31), D(2029, 3, 31)]),
        (
            D(2027, 1, 31),
            Recurrence.MONTHLY,
            [D(2027, 1, 31), D(2027, 2, 28), D(2027, 3, 31), D(2027, 4, 30), D(2027, 5, 31)],
        ),
        (D(2028, 1, 31), Recurrence.MONTHLY, [D(2028, 1, 31), D(2028, 2, 29), D(2028, 3, 31)]),
        (
            D(2026, 11, 30),
            Recurrence.QUARTERLY,
            [D(2026, 11, 30), D(2027, 2, 28), D(2027, 5, 30), D(2027, 8, 30)],
        ),
        (D(2027, 8, 31), Recurrence.HALF_YEARLY, [D(2027, 8, 31), D(2028, 2, 29), D(2028, 8, 31)]),
        (D(2028, 2, 29), Recurrence.YEARLY, [D(2028, 2, 29), D(2029, 2, 28), D(2032, 2, 29)]),
    ],
    ids=["yearly-31-mar", "monthly-31-jan", "monthly-leap", "quarterly", "half-yearly", "leap"],
)
def test_occurrence_date_computed_from_anchor(
    anchor: dt.date, recurrence: str, expected: list[dt.date]
) -> None:
    if recurrence == Recurrence.YEARLY and anchor == D(2028, 2, 29):
        sequences = [1, 2, 5]
    else:
        sequences = list(range(1, len(expected) + 1))
    assert [occurrence_date(anchor, recurrence, n) for n in sequences] == expected


def test_occurrence_date_numbered_from_one() -> None:
    with pytest.raises(ValueError, match="from 1"):
        occurrence_date(D(2027, 3, 31), Recurrence.YEARLY, 0)


def test_occurrence_in_series_stops_at_count() -> None:
    kwargs = {"anchor": D(2027, 3, 31), "recurrence": Recurrence.YEARLY, "ends_on": None}
    assert occurrence_in_series(sequence=3, count=3, **kwargs) == D(2029, 3, 31)
    assert occurrence_in_series(sequence=4, count=3, **kwargs) is None


def test_occurrence_in_series_stops_at_agreement_end() -> None:
    kwargs = {"anchor": D(2027, 3, 31), "recurrence": Recurrence.YEARLY, "count": None}
    assert occurrence_in_series(sequence=2, ends_on=D(2028, 3, 31), **kwargs) == D(2028, 3, 31)
    assert occurrence_in_series(sequence=2, ends_on=D(2028, 3, 30), **kwargs) is None


def test_occurrence_in_series_none_without_recurrence() -> None:
    assert (
        occurrence_in_series(
            anchor=D(2027, 3, 31), recurrence="", sequence=1, count=None, ends_on=None
        )
        is None
    )


# --- Through the services ---------------------------------------------------------------


def recurring(
    *, anchor: dt.date, recurrence: str, count: int | None = None, expires_on=None
) -> Commitment:  # type: ignore[no-untyped-def]
    agreement = AgreementFactory(signed_on=D(2024, 1, 1), expires_on=expires_on)
    lead = agreement.parties.order_by("pk").first()
    return services.commitment_create(
        actor=SYSTEM,
        agreement=agreement,
        clause=ClauseFactory(agreement=agreement),
        reference="4-a",
        title="Annual dialogue",
        owner=PersonFactory(institute=lead),
        lead_institute=lead,
        start_on=anchor,
        recurrence=recurrence,
        recurrence_count=count,
    )


def open_occurrence(commitment: Commitment) -> Milestone | None:
    return commitment.milestones.filter(status=MilestoneStatus.OPEN).first()


def series(commitment: Commitment) -> list[tuple[int, dt.date, str]]:
    return list(
        commitment.milestones.order_by("sequence").values_list("sequence", "due_on", "status")
    )


@pytest.mark.django_db
def test_yearly_series_keeps_31_march_when_done_late_or_early() -> None:
    commitment = recurring(anchor=D(2024, 3, 31), recurrence=Recurrence.YEARLY)
    first = open_occurrence(commitment)
    assert (first.sequence, first.due_on) == (1, D(2024, 3, 31))
    assert first.title == "Annual dialogue (March 2024)"

    services.milestone_complete(milestone=first, actor=SYSTEM, done_on=D(2024, 7, 1))  # late
    second = open_occurrence(commitment)
    assert (second.sequence, second.due_on) == (2, D(2025, 3, 31))

    services.milestone_complete(milestone=second, actor=SYSTEM, done_on=D(2025, 1, 15))  # early
    third = open_occurrence(commitment)
    assert (third.sequence, third.due_on) == (3, D(2026, 3, 31))
    assert third.owner == commitment.owner


@pytest.mark.django_db
def test_monthly_series_from_31_january_follows_month_ends() -> None:
    commitment = recurring(anchor=D(2024, 1, 31), recurrence=Recurrence.MONTHLY)
    done_on = [D(2024, 2, 2), D(2024, 3, 1), D(2024, 3, 20)]
    for day in done_on:
        services.milestone_complete(
            milestone=open_occurrence(commitment), actor=SYSTEM, done_on=day
        )
    assert [due for _, due, _ in series(commitment)] == [
        D(2024, 1, 31),
        D(2024, 2, 29),
        D(2024, 3, 31),  # from the anchor, not 29 March from the previous occurrence
        D(2024, 4, 30),
    ]


@pytest.mark.django_db
def test_series_ends_at_recurrence_count() -> None:
    commitment = recurring(anchor=D(2024, 3, 31), recurrence=Recurrence.YEARLY, count=2)
    services.milestone_complete(
        milestone=open_occurrence(commitment), actor=SYSTEM, done_on=D(2024, 4, 1)
    )
    services.milestone_complete(
        milestone=open_occurrence(commitment), actor=SYSTEM, done_on=D(2025, 4, 1)
    )
    assert open_occurrence(commitment) is None
    assert series(commitment) == [(1, D(2024, 3, 31), "done"), (2, D(2025, 3, 31), "done")]


@pytest.mark.django_db
def test_series_ends_at_agreement_expiry() -> None:
    commitment = recurring(
        anchor=D(2024, 3, 31), recurrence=Recurrence.YEARLY, expires_on=D(2025, 12, 31)
    )
    services.milestone_complete(
        milestone=open_occurrence(commitment), actor=SYSTEM, done_on=D(2024, 4, 1)
    )
    services.milestone_complete(
        milestone=open_occurrence(commitment), actor=SYSTEM, done_on=D(2025, 4, 1)
    )
    assert open_occurrence(commitment) is None
    assert len(series(commitment)) == 2


@pytest.mark.django_db
def test_series_occurrence_on_expiry_day_still_due() -> None:
    commitment = recurring(
        anchor=D(2024, 3, 31), recurrence=Recurrence.YEARLY, expires_on=D(2025, 3, 31)
    )
    services.milestone_complete(
        milestone=open_occurrence(commitment), actor=SYSTEM, done_on=D(2024, 4, 1)
    )
    assert open_occurrence(commitment).due_on == D(2025, 3, 31)


@pytest.mark.django_db
def test_series_continues_after_a_cancelled_occurrence() -> None:
    commitment = recurring(anchor=D(2024, 3, 31), recurrence=Recurrence.YEARLY)
    services.milestone_cancel(
        milestone=open_occurrence(commitment), actor=SYSTEM, reason="Postponed by both sides."
    )
    assert open_occurrence(commitment).due_on == D(2025, 3, 31)


@pytest.mark.django_db
def test_series_extend_is_idempotent_while_an_occurrence_is_open() -> None:
    commitment = recurring(anchor=D(2024, 3, 31), recurrence=Recurrence.YEARLY)
    assert services.commitment_series_extend(commitment=commitment, actor=SYSTEM) is None
    assert len(series(commitment)) == 1


@pytest.mark.django_db
def test_series_stops_when_commitment_closed() -> None:
    commitment = recurring(anchor=D(2024, 3, 31), recurrence=Recurrence.YEARLY)
    services.commitment_transition(
        commitment=commitment, to=CommitmentStatus.WITHDRAWN, actor=SYSTEM, reason="Superseded."
    )
    # An occurrence done after the withdrawal schedules no new one.
    services.milestone_complete(
        milestone=open_occurrence(commitment), actor=SYSTEM, done_on=D(2024, 4, 1)
    )
    assert open_occurrence(commitment) is None


@pytest.mark.django_db
def test_non_recurring_commitment_gets_no_series() -> None:
    commitment = recurring(anchor=D(2024, 3, 31), recurrence=Recurrence.NONE)
    assert series(commitment) == []
