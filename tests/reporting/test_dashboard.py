from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, CommitmentFactory, MilestoneFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(client):
    UserFactory(username="officer", roles=["Policy officer"])
    client.login(username="officer", password=PASSWORD)
    return client


def test_dashboard_shows_figures_that_link_to_the_filtered_list(officer_client):
    commitment = CommitmentFactory(status="off_track")
    CommitmentFactory(clause=commitment.clause)
    response = officer_client.get(reverse("home"))
    body = response.content.decode()
    code = commitment.agreement.code
    assert f"/commitments/?agreement={code}&rag=red" in body
    assert f"/commitments/?agreement={code}&status=off_track" in body


def test_dashboard_lists_late_and_due_soon_milestones(officer_client):
    today = timezone.localdate()
    MilestoneFactory(title="Overdue report", due_on=today - timedelta(days=3))
    MilestoneFactory(title="Upcoming dialogue", due_on=today + timedelta(days=10))
    MilestoneFactory(title="Far away", due_on=today + timedelta(days=200))
    body = officer_client.get(reverse("home")).content.decode()
    assert "Overdue report" in body
    assert "Upcoming dialogue" in body
    assert "Far away" not in body


@pytest.mark.parametrize("size", [5, 40])
def test_dashboard_query_count_does_not_grow(officer_client, size, django_assert_num_queries):
    for n in range(size):
        MilestoneFactory(due_on=timezone.localdate() + timedelta(days=n % 40 - 10))
    # At most one query per panel: each list carries its own total.
    with django_assert_num_queries(11):
        assert officer_client.get(reverse("home")).status_code == 200


def test_dashboard_lists_active_secondments_with_a_link_to_the_filtered_list(officer_client):
    from tests.factories import SecondmentFactory

    approver = UserFactory()
    now = timezone.now()
    secondment = SecondmentFactory(
        status="active",
        home_approved_by=approver,
        home_approved_at=now,
        host_approved_by=approver,
        host_approved_at=now,
        actual_start_on=timezone.localdate(),
    )
    body = officer_client.get(reverse("home")).content.decode()
    assert reverse("exchanges:secondment-detail", args=[secondment.pk]) in body
    assert "/exchanges/?status=active" in body


def test_dashboard_shows_this_years_exchange_figures_from_the_shared_selector(officer_client):
    from tests.factories import SecondmentFactory

    year = timezone.localdate().year
    secondment = SecondmentFactory(
        planned_start_on=timezone.datetime(year, 3, 1).date(),
        planned_end_on=timezone.datetime(year, 3, 10).date(),
    )
    body = officer_client.get(reverse("home")).content.decode()
    code = secondment.agreement.code
    assert f"?agreement={code}&year={year}&direction=GB-AU" in body
    assert ">10<" in body  # person-days, both ends counted
