import datetime as dt

import pytest
from rest_framework.test import APIClient

from exchanges.choices import SecondmentStatus
from tests.factories import ExchangeQuotaFactory, PersonFactory, SecondmentFactory


@pytest.fixture
def api():
    def as_user(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return as_user


def test_api_lists_with_the_same_filters_as_the_page(world, api, proposed):
    SecondmentFactory(
        agreement=world.agreement,
        home_institute=world.au,
        host_institute=world.uk,
        person=PersonFactory(institute=world.au),
    )
    response = api(world.officer).get("/api/v1/secondments/", {"direction": "GB-AU"})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [proposed.pk]
    assert response.json()["results"][0]["direction"] == "UK→AU"


@pytest.mark.parametrize("count", [2, 20])
def test_api_list_costs_the_same_queries_whatever_the_size(
    world, api, django_assert_num_queries, count
):
    for _ in range(count):
        SecondmentFactory(agreement=world.agreement, person=PersonFactory(institute=world.uk))
    client = api(world.officer)
    with django_assert_num_queries(3):  # count, page, commitments
        assert client.get("/api/v1/secondments/").status_code == 200


def test_api_approve_records_my_side_and_refuses_the_other(world, api, proposed):
    url = f"/api/v1/secondments/{proposed.pk}/approve/"
    response = api(world.coordinator_uk).post(url, {"side": "host", "version": 1}, format="json")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"] == {
        "non_field_errors": ["Only the host institute can approve for its side."]
    }
    assert api(world.coordinator_uk).post(url, {}, format="json").status_code == 428
    mine = api(world.coordinator_uk).post(url, {"version": 1}, format="json")
    assert mine.status_code == 200
    response = api(world.coordinator_au).post(url, {}, format="json", HTTP_IF_MATCH=mine["ETag"])
    assert response.json()["status"] == SecondmentStatus.APPROVED
    stale = api(world.coordinator_au).post(url, {"version": 1}, format="json")
    assert stale.status_code == 412


def test_api_forbidden_transition_is_a_409(world, api, proposed):
    response = api(world.admin).post(
        f"/api/v1/secondments/{proposed.pk}/complete/", {"version": 1}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["errors"] == {"status": ["Cannot move from “Proposed” to “Completed”."]}


def test_api_cancel_needs_a_reason(world, api, proposed):
    url = f"/api/v1/secondments/{proposed.pk}/cancel/"
    response = api(world.coordinator_uk).post(url, {"reason": "", "version": 1}, format="json")
    assert response.status_code == 409
    assert response.json()["errors"] == {"reason": ["Give a reason for cancelling."]}


def test_api_figures(world, api):
    SecondmentFactory(
        agreement=world.agreement,
        person=PersonFactory(institute=world.uk),
        planned_start_on=dt.date(2026, 12, 22),
        planned_end_on=dt.date(2027, 1, 10),
    )
    ExchangeQuotaFactory(agreement=world.agreement, planned_staff_days_per_year=100)
    response = api(world.officer).get(
        "/api/v1/secondments/figures/", {"agreement": "uk-au", "year": "2027"}
    )
    assert response.json() == [
        {
            "agreement": "uk-au",
            "year": 2027,
            "direction": "UK→AU",
            "home_country": "GB",
            "host_country": "AU",
            "secondments": 1,
            "person_days": 10,
            "planned_exchanges": 2,
            "planned_staff_days": 100,
        }
    ]
