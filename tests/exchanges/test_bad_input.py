"""Bad input on the exchange pages and API gets a clear answer, never a server error."""

import pytest

from exchanges.models import Secondment
from tests.factories import SecondmentFactory


@pytest.mark.parametrize("year", ["-1", "0", "99999999999999999999", "²", "soon"])
@pytest.mark.parametrize("fmt", ["", "csv", "xlsx"])
def test_list_and_exports_refuse_an_impossible_year_without_a_server_error(
    client, world, year, fmt
):
    client.force_login(world.officer)
    response = client.get("/exchanges/", {"year": year, "format": fmt})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "query", [{"year": "0"}, {"year": "99999999999999999999"}, {"agreement": "\x00"}]
)
def test_figures_api_answers_400_naming_the_bad_parameter(client, world, query):
    client.force_login(world.officer)
    response = client.get("/api/v1/secondments/figures/", query)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == set(query)


def test_figures_api_answers_for_a_good_year(client, world):
    client.force_login(world.officer)
    assert client.get("/api/v1/secondments/figures/", {"year": "2027"}).status_code == 200


def test_an_edit_without_the_version_it_started_from_is_refused(client, world):
    secondment = SecondmentFactory(
        agreement=world.agreement, home_institute=world.uk, host_institute=world.au
    )
    client.force_login(world.coordinator_uk)
    response = client.post(
        f"/exchanges/{secondment.pk}/edit/",
        {
            "agreement": world.agreement.code,
            "person": secondment.person_id,
            "home_institute": world.uk.pk,
            "host_institute": world.au.pk,
            "role": "Changed without a version",
            "planned_start_on": secondment.planned_start_on.isoformat(),
            "planned_end_on": secondment.planned_end_on.isoformat(),
        },
    )
    assert response.status_code in (200, 400)
    assert Secondment.objects.get(pk=secondment.pk).role == secondment.role
