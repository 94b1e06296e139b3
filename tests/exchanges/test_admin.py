import pytest

from exchanges.choices import SecondmentStatus
from exchanges.models import Secondment
from tests.factories import PersonFactory


@pytest.fixture
def admin_in(client, world):
    world.admin.is_staff = True
    world.admin.save()
    client.force_login(world.admin)
    return client


def admin_form(world, person, **overrides):
    data = {
        "agreement": world.agreement.pk,
        "person": person.pk,
        "home_institute": world.uk.pk,
        "host_institute": world.au.pk,
        "role": "Joint evaluation",
        "planned_start_on": "2027-01-04",
        "planned_end_on": "2027-06-30",
        "vetting_required_home": 0,
        "vetting_required_host": 0,
        "vetting_held": 0,
        "commitment_links-TOTAL_FORMS": 0,
        "commitment_links-INITIAL_FORMS": 0,
    }
    return data | overrides


def test_admin_lists_and_searches_secondments(admin_in, proposed):
    response = admin_in.get("/admin/exchanges/secondment/", {"q": "Secondee One"})
    assert response.status_code == 200
    assert b"Secondee One" in response.content


def test_admin_creates_through_the_service_with_history(admin_in, world):
    person = PersonFactory(institute=world.uk)
    response = admin_in.post("/admin/exchanges/secondment/add/", admin_form(world, person))
    assert response.status_code == 302, response.content.decode()[:2000]
    secondment = Secondment.objects.get()
    assert secondment.status == SecondmentStatus.PROPOSED
    event = secondment.events.get()
    assert event.pgh_context.metadata["username"] == world.admin.username


def test_admin_form_shows_rule_errors_instead_of_saving(admin_in, world, proposed):
    response = admin_in.post(
        "/admin/exchanges/secondment/add/",
        admin_form(world, proposed.person, planned_start_on="2027-02-01"),
    )
    assert response.status_code == 200
    assert "is already on a secondment to AUI" in response.content.decode()
    assert Secondment.objects.count() == 1


def test_admin_actions_approve_through_the_service(admin_in, proposed):
    for action in ("approve_home", "approve_host"):
        admin_in.post(
            "/admin/exchanges/secondment/",
            {"action": action, "_selected_action": [proposed.pk]},
        )
    proposed.refresh_from_db()
    assert proposed.status == SecondmentStatus.APPROVED
