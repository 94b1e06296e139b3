"""Authoring the register in Accord's own pages: who may create and edit what (the
``AUTHORING_RIGHTS`` table), what each form refuses and says, and that nothing is written
when a form is refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.errors import PermissionDenied
from mou import services
from mou.models import Agreement, Clause, Commitment, Milestone, Signatory
from tests.factories import (
    PASSWORD,
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    InstituteFactory,
    MilestoneFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def sign_in(client, username: str, roles: list[str], institute=None):  # type: ignore[no-untyped-def]
    user = UserFactory(username=username, roles=roles)
    if institute is not None:
        PersonFactory(user=user, institute=institute)
    client.login(username=username, password=PASSWORD)
    return user


@pytest.fixture
def agreement() -> Agreement:
    return AgreementFactory(title="UK–Australia AI safety", code="uk-au-ai")


@pytest.fixture
def officer(client, agreement):  # type: ignore[no-untyped-def]
    """A policy officer at one of the agreement's participants, signed in."""
    return sign_in(client, "officer", ["Policy officer"], agreement.parties.first())


def test_officer_creates_an_agreement_with_its_participants(client, officer, agreement):
    home = agreement.parties.first()
    other = InstituteFactory(name="Canada AISI", short_name="CAISI")
    response = client.post(
        reverse("mou:agreement-create"),
        {"title": "UK–Canada AI", "code": "uk-ca-ai", "kind": "Memorandum of Understanding",
         "parties": [home.pk, other.pk], "signed_on": "2026-06-01"},
    )  # fmt: skip
    assert response.status_code == 302
    created = Agreement.objects.get(code="uk-ca-ai")
    assert set(created.parties.all()) == {home, other}
    assert created.signed_on == date(2026, 6, 1)


def test_officer_cannot_create_an_agreement_their_institute_is_not_party_to(client, officer):
    one, two = InstituteFactory(), InstituteFactory()
    response = client.post(
        reverse("mou:agreement-create"),
        {"title": "Others", "code": "others", "kind": "MoU", "parties": [one.pk, two.pk]},
    )
    assert response.status_code == 403
    assert not Agreement.objects.filter(code="others").exists()


def test_agreement_form_names_each_field_that_is_wrong(client, officer, agreement):
    response = client.post(
        reverse("mou:agreement-create"),
        {"title": "", "code": "Not a slug!", "kind": "MoU",
         "parties": [agreement.parties.first().pk], "signed_on": "2026-06-01",
         "effective_on": "2026-05-01"},
    )  # fmt: skip
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert 'href="#id_title"' in body
    assert 'href="#id_code"' in body
    assert Agreement.objects.count() == 1


def test_one_participant_is_refused_and_the_summary_links_to_the_first_box(
    client, officer, agreement
):
    response = client.post(
        reverse("mou:agreement-create"),
        {"title": "Alone", "code": "alone", "kind": "MoU",
         "parties": [agreement.parties.first().pk]},
    )  # fmt: skip
    assert response.status_code == 400
    body = response.content.decode()
    assert "at least two different participants" in body
    assert 'href="#id_parties_0"' in body
    assert 'id="id_parties-error"' in body
    assert not Agreement.objects.filter(code="alone").exists()


def test_agreement_dates_are_checked_by_the_service_and_named(client, officer, agreement):
    home, other = agreement.parties.all()[:2]
    response = client.post(
        reverse("mou:agreement-create"),
        {"title": "Dated", "code": "dated", "kind": "MoU", "parties": [home.pk, other.pk],
         "signed_on": "2026-06-01", "effective_on": "2026-05-01"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "effective date cannot be before the signing date" in response.content.decode()
    assert not Agreement.objects.filter(code="dated").exists()


def test_officer_edits_the_agreement_and_adds_a_signatory(client, officer, agreement):
    url = reverse("mou:agreement-edit", args=[agreement.code])
    page = client.get(url).content.decode()
    assert 'value="2026-05-25"' in page  # the date round-trips
    response = client.post(
        url,
        {"title": "Renamed", "kind": "MoU", "signed_on": "2026-05-25",
         "version": agreement.version},
    )  # fmt: skip
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.title == "Renamed"

    party = agreement.party_links.first()
    response = client.post(
        reverse("mou:signatory-create", args=[agreement.code]),
        {"party": party.pk, "name": "Jo Minister", "office": "Secretary of State"},
    )
    assert response.status_code == 302
    assert Signatory.objects.get(agreement=agreement).name == "Jo Minister"


def test_signatory_must_sign_for_a_participant_of_this_agreement(client, officer, agreement):
    foreign = AgreementFactory().party_links.first()
    response = client.post(
        reverse("mou:signatory-create", args=[agreement.code]),
        {"party": foreign.pk, "name": "X", "office": "Y"},
    )
    assert response.status_code == 400
    assert 'id="id_party-error"' in response.content.decode()
    assert not Signatory.objects.exists()


def test_officer_of_another_institute_may_not_author(client, agreement):
    sign_in(client, "stranger", ["Policy officer"], InstituteFactory())
    assert client.get(reverse("mou:agreement-edit", args=[agreement.code])).status_code == 403
    assert client.get(reverse("mou:clause-create", args=[agreement.code])).status_code == 403
    assert client.get(reverse("mou:commitment-create", args=[agreement.code])).status_code == 403
    page = client.get(reverse("mou:agreement-detail", args=[agreement.code])).content.decode()
    assert "Add a clause" not in page


def test_owner_may_not_create_clauses_or_commitments(agreement):
    owner = UserFactory(roles=["Commitment owner"])
    PersonFactory(user=owner, institute=agreement.parties.first())
    with pytest.raises(PermissionDenied):
        services.clause_create(agreement=agreement, number="1", title="T", actor=owner)
    with pytest.raises(PermissionDenied):
        services.agreement_create(
            actor=owner, title="T", code="t", parties=list(agreement.parties.all())
        )


def test_officer_adds_a_clause_then_a_commitment_under_it(client, officer, agreement):
    response = client.post(
        reverse("mou:clause-create", args=[agreement.code]),
        {"number": "3.2", "title": "Joint research", "text": "", "position": 2},
    )
    assert response.status_code == 302
    clause = Clause.objects.get(agreement=agreement, number="3.2")

    duplicate = client.post(
        reverse("mou:clause-create", args=[agreement.code]),
        {"number": "3.2", "title": "Again", "text": "", "position": 3},
    )
    assert duplicate.status_code == 400
    assert "already has a clause with this number" in duplicate.content.decode()

    lead = agreement.parties.first()
    owner = PersonFactory(institute=lead, name="Sam Owner")
    response = client.post(
        reverse("mou:commitment-create", args=[agreement.code]),
        {"clause": clause.pk, "reference": "3.2-a", "title": "Share test results",
         "owed_by": "", "lead_institute": lead.pk, "owner": owner.pk,
         "target_on": "2027-03-31"},
    )  # fmt: skip
    assert response.status_code == 302
    commitment = Commitment.objects.get(agreement=agreement, reference="3.2-a")
    assert commitment.is_joint and commitment.owner == owner


def test_commitment_form_offers_only_this_agreements_clauses_parties_and_people(
    client, officer, agreement
):
    ClauseFactory(agreement=agreement, title="Ours")
    ClauseFactory(title="Someone else's")
    stranger = PersonFactory(name="Not A Party")
    page = client.get(reverse("mou:commitment-create", args=[agreement.code])).content.decode()
    assert "Ours" in page
    assert "Someone else&#x27;s" not in page and "Someone else's" not in page
    assert stranger.name not in page
    response = client.post(
        reverse("mou:commitment-create", args=[agreement.code]),
        {"clause": agreement.clauses.first().pk, "reference": "x", "title": "T",
         "lead_institute": agreement.parties.first().pk, "owner": stranger.pk},
    )  # fmt: skip
    assert response.status_code == 400
    assert 'id="id_owner-error"' in response.content.decode()
    assert not Commitment.objects.exists()


@pytest.fixture
def owned(client):  # type: ignore[no-untyped-def]
    """A commitment owned by the signed-in commitment owner."""
    commitment = CommitmentFactory()
    user = UserFactory(username="owner", roles=["Commitment owner"])
    commitment.owner.user = user
    commitment.owner.save()
    client.login(username="owner", password=PASSWORD)
    return commitment


def test_owner_adds_renames_and_cancels_milestones_from_the_commitment_page(client, owned):
    page = client.get(reverse("mou:commitment-detail", args=[owned.pk])).content.decode()
    assert "Add a milestone" in page
    response = client.post(
        reverse("mou:milestone-create", args=[owned.pk]),
        {"title": "Draft report", "due_on": "2027-02-01", "owner": ""},
    )
    assert response.status_code == 302
    milestone = Milestone.objects.get(commitment=owned)
    assert milestone.owner == owned.owner

    page = client.get(reverse("mou:commitment-detail", args=[owned.pk])).content.decode()
    assert reverse("mou:milestone-rename", args=[milestone.pk]) in page
    response = client.post(
        reverse("mou:milestone-rename", args=[milestone.pk]),
        {"title": "Final report", "version": milestone.version},
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.title == "Final report"

    response = client.post(
        reverse("mou:milestone-action", args=[milestone.pk, "cancel"]), {"reason": "Merged."}
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.status == "cancelled"


def test_milestone_form_names_the_bad_date(client, owned):
    response = client.post(
        reverse("mou:milestone-create", args=[owned.pk]),
        {"title": "Old", "due_on": "1850-01-01", "owner": ""},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="milestone-due_on-error"' in body
    assert not Milestone.objects.filter(commitment=owned).exists()


def test_owner_withdraws_with_a_reason(client, owned):
    response = client.post(
        reverse("mou:commitment-withdraw", args=[owned.pk]), {"reason": "Superseded by 4.1."}
    )
    assert response.status_code == 302
    owned.refresh_from_db()
    assert owned.status == "withdrawn"
    assert owned.status_reason == "Superseded by 4.1."


def test_the_status_form_has_no_preset_and_no_withdrawal(client, owned):
    page = client.get(reverse("mou:commitment-detail", args=[owned.pk])).content.decode()
    assert '<option value="" selected>Choose a status</option>' in page
    status_form = page.split('id="status-to"')[1].split("</select>")[0]
    assert "withdrawn" not in status_form
    assert "Set the status to" not in page  # the progress update no longer changes status
    response = client.post(reverse("mou:commitment-transition", args=[owned.pk]), {"to": ""})
    assert response.status_code == 400
    assert "Choose the new status." in response.content.decode()
    owned.refresh_from_db()
    assert owned.status == "on_track"


# --- Query counts: every new page costs the same at two sizes ---------------------------


def count(run: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured.captured_queries)


def grow(agreement: Agreement, n: int) -> Commitment:
    clause = ClauseFactory(agreement=agreement)
    lead = agreement.parties.first()
    commitment = None
    for _ in range(n):
        commitment = CommitmentFactory(clause=clause, owner=PersonFactory(institute=lead))
        ClauseFactory(agreement=agreement)
        for _ in range(3):
            MilestoneFactory(commitment=commitment)
    return commitment


def test_authoring_pages_cost_the_same_at_two_sizes(client, officer, agreement):
    first = grow(agreement, 2)
    milestone = first.milestones.first()
    urls = lambda c, m: [  # noqa: E731
        reverse("mou:agreement-list"),
        reverse("mou:agreement-create"),
        reverse("mou:agreement-detail", args=[agreement.code]),
        reverse("mou:agreement-edit", args=[agreement.code]),
        reverse("mou:signatory-create", args=[agreement.code]),
        reverse("mou:clause-create", args=[agreement.code]),
        reverse("mou:commitment-create", args=[agreement.code]),
        reverse("mou:commitment-detail", args=[c.pk]),
        reverse("mou:milestone-rename", args=[m.pk]),
    ]
    admin = UserFactory(username="admin", roles=["Administrator"])
    client.force_login(admin)
    small = [count(lambda u=u: client.get(u)) for u in urls(first, milestone)]
    bigger = grow(agreement, 12)
    for m in range(5):
        MilestoneFactory(commitment=bigger, title=f"Extra {m}")
    big = [count(lambda u=u: client.get(u)) for u in urls(bigger, bigger.milestones.first())]
    assert small == big
