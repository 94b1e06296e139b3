"""The list pages speak plainly: filter labels in words, sort links both ways, and the
"Illustrative" tag explained where it appears."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, CommitmentFactory, MilestoneFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(client):  # type: ignore[no-untyped-def]
    UserFactory(username="analyst", roles=["Reporting analyst"])
    client.login(username="analyst", password=PASSWORD)
    return client


def test_milestone_filters_are_labelled_in_plain_words(analyst):
    body = analyst.get(reverse("mou:milestone-list")).content.decode()
    for label in ("Due on or after", "Due on or before", ">Agreement<", ">Late<"):
        assert label in body
    assert "is greater than or equal to" not in body
    assert "Commitment agreement" not in body
    assert ">Unknown<" not in body
    late = body.split('name="late"')[1].split("</select>")[0]
    assert ">Any<" in late and ">Late<" in late and ">Not late<" in late


def test_the_late_filter_filters(analyst):
    MilestoneFactory(title="Behind", due_on=dt.date(2020, 1, 1))
    MilestoneFactory(title="Ahead", due_on=dt.date(2099, 1, 1))
    late = analyst.get(reverse("mou:milestone-list"), {"late": "true"}).content.decode()
    assert "Behind" in late and "Ahead" not in late
    not_late = analyst.get(reverse("mou:milestone-list"), {"late": "false"}).content.decode()
    assert "Ahead" in not_late and "Behind" not in not_late


def test_agreement_status_filter_offers_any_not_dashes(analyst):
    body = analyst.get(reverse("mou:agreement-list")).content.decode()
    status = body.split('name="status"')[1].split("</select>")[0]
    assert "---------" not in status and ">Any<" in status


def test_sort_links_go_both_ways(analyst):
    MilestoneFactory(title="Early", due_on=dt.date(2027, 1, 1))
    MilestoneFactory(title="Late one", due_on=dt.date(2027, 12, 1))
    url = reverse("mou:milestone-list")
    ascending = analyst.get(url, {"ordering": "due"}).content.decode()
    assert "ordering=-due" in ascending and "sorted ascending" in ascending
    assert ascending.index("Early") < ascending.index("Late one")
    descending = analyst.get(url, {"ordering": "-due"}).content.decode()
    assert "sorted descending" in descending
    assert descending.index("Late one") < descending.index("Early")


def test_illustrative_is_explained_in_words_where_it_is_shown(analyst):
    commitment = CommitmentFactory(is_illustrative=True)
    for url in (
        reverse("mou:commitment-list"),
        reverse("mou:commitment-detail", args=[commitment.pk]),
    ):
        body = analyst.get(url).content.decode()
        assert 'data-testid="illustrative-note"' in body
        assert "not taken from a public source" in body
    plain = CommitmentFactory()
    body = analyst.get(reverse("mou:commitment-detail", args=[plain.pk])).content.decode()
    assert 'data-testid="illustrative-note"' not in body
