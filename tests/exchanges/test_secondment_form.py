"""The secondment form offers only what can be chosen under its agreement, as checkboxes
where several may be chosen, and names the field when a choice is refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from exchanges.models import Secondment
from tests.exchanges.test_views import form_data
from tests.factories import CommitmentFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client):  # type: ignore[no-untyped-def]
    def sign_in(user):  # type: ignore[no-untyped-def]
        client.force_login(user)
        return client

    return sign_in


def options(body: str, name: str) -> str:
    return body.split(f'name="{name}"')[1].split("</select>")[0]


def test_logging_starts_with_the_agreement_then_the_home_institute(world, signed_in):
    client = signed_in(world.coordinator_uk)
    url = reverse("exchanges:secondment-create")
    first = client.get(url).content.decode()
    assert '<select name="agreement"' in first and 'name="person"' not in first
    assert 'name="home_institute"' not in first
    second = client.get(url, {"agreement": world.agreement.code}).content.decode()
    home = options(second, "home_institute")
    assert "UKI" in home and "AUI" in home and "CAI" not in home
    assert 'name="person"' not in second
    assert f'<input type="hidden" name="agreement" value="{world.agreement.code}">' in second


def test_the_form_offers_the_home_institutes_people_and_the_agreements_commitments(
    world, signed_in
):
    ours = PersonFactory(institute=world.uk, name="Sam Secondee")
    theirs = PersonFactory(institute=world.au, name="Robin Visitor")
    outside = PersonFactory(institute=world.other, name="Casey Outsider")
    delivered = CommitmentFactory(clause__agreement=world.agreement, title="Joint evaluations")
    elsewhere = CommitmentFactory(title="Another agreement's work")
    client = signed_in(world.coordinator_uk)
    body = client.get(
        reverse("exchanges:secondment-create"),
        {"agreement": world.agreement.code, "home_institute": world.uk.pk},
    ).content.decode()
    people = options(body, "person")
    assert ours.name in people
    assert theirs.name not in people and outside.name not in people
    assert "CAI" not in options(body, "host_institute")
    # Commitments are checkboxes, each with its own label, in a fieldset with a legend.
    assert f'type="checkbox" id="id_commitments_0" name="commitments" value="{delivered.pk}"' in (
        body
    )
    assert "<legend" in body and "Commitments it delivers" in body
    assert elsewhere.title not in body
    assert '<select name="commitments"' not in body

    response = client.post(
        reverse("exchanges:secondment-create"),
        form_data(world, ours, commitments=[delivered.pk]),
    )
    assert response.status_code == 302
    assert list(Secondment.objects.get(person=ours).commitments.all()) == [delivered]


def test_a_refused_choice_names_the_field_and_the_rule(world, signed_in):
    visitor = PersonFactory(institute=world.au, name="Robin Visitor")
    client = signed_in(world.coordinator_uk)
    response = client.post(
        reverse("exchanges:secondment-create"),
        form_data(world, visitor, host_institute=world.other.pk),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Secondee: Choose a person who works at the home institute." in body
    assert "Host institute: Choose one of the agreement&#x27;s participants." in body
    assert not Secondment.objects.filter(person=visitor).exists()


def test_approvals_name_the_person_and_their_institute(world, signed_in, proposed):
    client = signed_in(world.coordinator_uk)
    url = reverse("exchanges:secondment-action", args=[proposed.pk, "approve"])
    assert client.post(url, {"side": "home", "version": proposed.version}).status_code == 302
    body = client.get(reverse("exchanges:secondment-detail", args=[proposed.pk])).content.decode()
    approval = body.split('data-testid="home-approval">')[1].split("</dd>")[0]
    assert "by Coordinator, UKI (UKI)" in approval
    assert "GMT" in approval or "BST" in approval or "UTC" in approval
