"""An agreement's milestones by month, late ones marked in words."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from reporting.agreement_selectors import MILESTONES_PER_MONTH, add_months
from tests.factories import (
    PASSWORD,
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    MilestoneFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(client):
    UserFactory(username="officer", roles=["Policy officer"])
    client.login(username="officer", password=PASSWORD)
    return client


def _text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_timeline_groups_milestones_by_month_and_marks_late_ones_in_words(officer_client):
    today = timezone.localdate()
    commitment = CommitmentFactory(clause=ClauseFactory(agreement=AgreementFactory(code="tl")))
    late = MilestoneFactory(
        commitment=commitment, title="Overdue report", due_on=today - dt.timedelta(days=6)
    )
    soon = MilestoneFactory(
        commitment=commitment, title="Next workshop", due_on=today + dt.timedelta(days=40)
    )
    MilestoneFactory(
        commitment=commitment,
        title="Dropped plan",
        due_on=today,
        status="cancelled",
        status_reason="No longer needed.",
    )
    MilestoneFactory(title="Another agreement's milestone", due_on=today)

    response = officer_client.get(reverse("reporting:timeline", args=["tl"]))
    body = response.content.decode()
    text = _text(response)
    assert response.status_code == 200
    assert f'href="/milestones/{late.pk}/"' in body
    assert f'href="/milestones/{soon.pk}/"' in body
    assert "Late: 6 days" in text
    assert "Dropped plan" not in text
    assert "Another agreement" not in text
    # Each milestone sits under the heading of its own month.
    for milestone in (late, soon):
        month = milestone.due_on.strftime("%b %Y")
        section = body.split(f">{month}")[1].split("accord-timeline__month")[0]
        assert milestone.title in section
    # The table alternative carries the same milestones and the same words.
    table = body.split('data-testid="timeline-table"')[1]
    assert "Overdue report" in table and "Next workshop" in table and "Late: 6 days" in table


def test_timeline_moves_by_month_and_rejects_a_bad_month_by_name(officer_client):
    commitment = CommitmentFactory(clause=ClauseFactory(agreement=AgreementFactory(code="tl")))
    MilestoneFactory(commitment=commitment, title="Far future", due_on=dt.date(2030, 5, 2))
    url = reverse("reporting:timeline", args=["tl"])
    assert "Far future" not in _text(officer_client.get(url))
    shown = officer_client.get(url, {"start": "2030-01"})
    assert "Far future" in _text(shown)
    assert "January 2030 to December 2030" in _text(shown)

    bad = officer_client.get(url, {"start": "2030-13"})
    assert bad.status_code == 400
    assert "First month: Enter a year and month such as 2027-01." in _text(bad)
    assert officer_client.get(url, {"start": "0001-01"}).status_code == 400
    assert officer_client.get(reverse("reporting:timeline", args=["nope"])).status_code == 404


def test_a_crowded_month_shows_the_first_few_and_links_to_the_rest(officer_client):
    commitment = CommitmentFactory(clause=ClauseFactory(agreement=AgreementFactory(code="tl")))
    for day in range(1, MILESTONES_PER_MONTH + 4):
        MilestoneFactory(
            commitment=commitment, title=f"Item {day:02d}", due_on=dt.date(2031, 3, day)
        )
    text = _text(
        officer_client.get(reverse("reporting:timeline", args=["tl"]), {"start": "2031-01"})
    )
    assert f"Item {MILESTONES_PER_MONTH:02d}" in text
    assert f"Item {MILESTONES_PER_MONTH + 1:02d}" not in text
    assert "3 more in March 2031" in text


def test_add_months_crosses_years():
    assert add_months(dt.date(2026, 11, 1), 3) == dt.date(2027, 2, 1)
    assert add_months(dt.date(2026, 1, 1), -1) == dt.date(2025, 12, 1)


@pytest.mark.parametrize("size", [2, 20])
def test_timeline_query_count_does_not_grow(officer_client, size, django_assert_num_queries):
    agreement = AgreementFactory(code="tl")
    today = timezone.localdate()
    for n in range(size):
        commitment = CommitmentFactory(clause=ClauseFactory(agreement=agreement))
        MilestoneFactory(commitment=commitment, due_on=today + dt.timedelta(days=n * 9 - 60))
        MilestoneFactory(commitment=commitment, due_on=today - dt.timedelta(days=n + 1))
    with django_assert_num_queries(6):
        assert officer_client.get(reverse("reporting:timeline", args=["tl"])).status_code == 200
