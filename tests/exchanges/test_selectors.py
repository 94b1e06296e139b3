import datetime as dt

import pytest

from exchanges.choices import SecondmentStatus
from exchanges.selectors import exchange_figures, secondments_starting_or_ending_within
from tests.exchanges.conftest import coordinator
from tests.factories import (
    ExchangeQuotaFactory,
    PersonFactory,
    SecondmentFactory,
)


def secondment(world, start, end, *, direction="GB-AU", **fields):
    home, host = (world.uk, world.au) if direction == "GB-AU" else (world.au, world.uk)
    return SecondmentFactory(
        agreement=world.agreement,
        home_institute=home,
        host_institute=host,
        person=PersonFactory(institute=home),
        planned_start_on=start,
        planned_end_on=end,
        **fields,
    )


APPROVED = {
    "home_approved_at": dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    "host_approved_at": dt.datetime(2026, 11, 2, tzinfo=dt.UTC),
}


@pytest.fixture
def figures_data(world):
    # 31 days in 2026 and 31 in 2027
    secondment(world, dt.date(2026, 12, 1), dt.date(2027, 1, 31))
    secondment(world, dt.date(2027, 3, 1), dt.date(2027, 3, 10))  # 10 days
    secondment(
        world,
        dt.date(2027, 2, 1),
        dt.date(2027, 2, 28),
        direction="AU-GB",
        status=SecondmentStatus.CANCELLED,
        cancellation_reason="Called off",
    )
    # Started two days late: the actual start counts, so 29 days.
    secondment(
        world,
        dt.date(2027, 5, 1),
        dt.date(2027, 5, 31),
        direction="AU-GB",
        status=SecondmentStatus.ACTIVE,
        actual_start_on=dt.date(2027, 5, 3),
        **APPROVED,
    )
    ExchangeQuotaFactory(
        agreement=world.agreement,
        home_country="GB",
        host_country="AU",
        planned_exchanges_per_year=2,
        planned_staff_days_per_year=60,
    )
    SecondmentFactory(planned_start_on=dt.date(2027, 1, 1), planned_end_on=dt.date(2027, 1, 1))


def as_rows(figures):
    return [
        (
            f.agreement_code,
            f.year,
            f.direction,
            f.secondments,
            f.person_days,
            f.planned_exchanges,
            f.planned_staff_days,
        )
        for f in figures
    ]


def test_figures_split_days_across_a_year_boundary(world, figures_data, django_assert_num_queries):
    with django_assert_num_queries(2):
        figures = exchange_figures(agreement=world.agreement)
    assert as_rows(figures) == [
        ("uk-au", 2026, "UK→AU", 1, 31, 2, 60),
        ("uk-au", 2027, "AU→UK", 1, 29, None, None),
        ("uk-au", 2027, "UK→AU", 2, 41, 2, 60),
    ]


def test_figures_for_one_year(world, figures_data):
    assert as_rows(exchange_figures(agreement=world.agreement, year=2026)) == [
        ("uk-au", 2026, "UK→AU", 1, 31, 2, 60),
    ]


def test_figures_show_the_plan_for_a_year_without_secondments(world, figures_data):
    assert as_rows(exchange_figures(agreement=world.agreement, year=2030)) == [
        ("uk-au", 2030, "UK→AU", 0, 0, 2, 60),
    ]


def test_figures_cover_every_agreement_without_a_filter(world, figures_data):
    codes = {f.agreement_code for f in exchange_figures()}
    assert len(codes) == 2 and "uk-au" in codes


def test_reminder_inputs_name_the_dates_and_both_sides_coordinators(world):
    on = dt.date(2027, 3, 1)
    starting = secondment(world, dt.date(2027, 3, 5), dt.date(2027, 9, 30))
    ending = secondment(
        world,
        dt.date(2026, 9, 1),
        dt.date(2027, 3, 8),
        direction="AU-GB",
        status=SecondmentStatus.ACTIVE,
        actual_start_on=dt.date(2026, 9, 1),
        **APPROVED,
    )
    secondment(world, dt.date(2027, 3, 20), dt.date(2027, 4, 30))  # outside the window
    secondment(
        world,
        dt.date(2027, 3, 2),
        dt.date(2027, 3, 30),
        status=SecondmentStatus.CANCELLED,
        cancellation_reason="Called off",
    )
    second_uk = coordinator(world.uk, "coord-uk-2")
    second_uk.person.name = "A second coordinator"
    second_uk.person.save()

    items = secondments_starting_or_ending_within(on=on, days=7)
    assert [(i.secondment.pk, i.event, i.on) for i in items] == [
        (starting.pk, "start", dt.date(2027, 3, 5)),
        (ending.pk, "end", dt.date(2027, 3, 8)),
    ]
    assert [p.name for p in items[0].coordinators] == [
        "A second coordinator",
        "Coordinator, UKI",
        "Coordinator, AUI",
    ]
    assert [p.name for p in items[1].coordinators] == [
        "Coordinator, AUI",
        "A second coordinator",
        "Coordinator, UKI",
    ]


@pytest.mark.parametrize("count", [2, 20])
def test_reminder_inputs_cost_the_same_queries_whatever_the_size(
    world, django_assert_num_queries, count
):
    for _ in range(count):
        secondment(world, dt.date(2027, 3, 5), dt.date(2027, 9, 30))
    with django_assert_num_queries(2):
        items = secondments_starting_or_ending_within(on=dt.date(2027, 3, 1), days=7)
        for item in items:
            str(item.secondment.person.institute_id), [p.name for p in item.coordinators]
    assert len(items) == count
