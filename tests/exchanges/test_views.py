import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from exchanges.choices import SecondmentStatus
from exchanges.models import Secondment
from tests.factories import (
    ClauseFactory,
    CommitmentFactory,
    PersonFactory,
    SecondmentFactory,
)


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def make_rows(world, count, *, host=None, **fields):
    home, host = (world.au, world.uk) if host == "uk" else (world.uk, world.au)
    return [
        SecondmentFactory(
            agreement=world.agreement,
            home_institute=home,
            host_institute=host,
            person=PersonFactory(institute=home),
            **fields,
        )
        for _ in range(count)
    ]


def form_data(world, person, **overrides):
    data = {
        "agreement": world.agreement.code,
        "person": person.pk,
        "home_institute": world.uk.pk,
        "host_institute": world.au.pk,
        "role": "Evaluation methods",
        "planned_start_on": "2027-01-04",
        "planned_end_on": "2027-06-30",
        "vetting_required_home": 0,
        "vetting_required_host": 0,
        "vetting_held": 0,
    }
    data.update(overrides)
    return data


# --- List, filters, exports --------------------------------------------------------------


def test_list_shows_secondments_and_filters_by_direction_and_status(world, signed_in):
    make_rows(world, 2)
    au_to_uk = make_rows(world, 1, host="uk")[0]
    client = signed_in(world.officer)
    response = client.get("/exchanges/")
    assert response.status_code == 200
    assert b"3 secondments" in response.content
    response = client.get("/exchanges/", {"direction": "AU-GB", "status": "proposed"})
    assert [s.pk for s in response.context["rows"]] == [au_to_uk.pk]
    assert "AU→UK" in response.content.decode()
    response = client.get("/exchanges/", {"direction": "UK-AU"})
    assert response.context["page_obj"].paginator.count == 2


def test_list_filters_by_year_institute_person_search_and_commitment(world, signed_in):
    commitment = CommitmentFactory(clause=ClauseFactory(agreement=world.agreement))
    late = make_rows(
        world, 1, planned_start_on=dt.date(2027, 12, 1), planned_end_on=dt.date(2028, 1, 31)
    )[0]
    linked = make_rows(world, 1, role="Joint red-teaming", commitments=[commitment])[0]
    client = signed_in(world.coordinator_uk)

    def pks(**params):
        return {s.pk for s in client.get("/exchanges/", params).context["rows"]}

    assert pks(year=2028) == {late.pk}
    assert pks(year=2027) == {late.pk, linked.pk}
    assert pks(institute=world.other.pk) == set()
    assert pks(person=linked.person.pk) == {linked.pk}
    assert pks(q="red-team") == {linked.pk}
    assert pks(commitment=commitment.pk) == {linked.pk}
    assert pks(agreement=world.agreement.code, ordering="-start") == {late.pk, linked.pk}


@pytest.mark.parametrize("count", [3, 30])
def test_list_costs_the_same_queries_whatever_the_size(
    world, signed_in, django_assert_num_queries, count
):
    make_rows(world, count)
    client = signed_in(world.officer)
    client.get("/exchanges/")  # warm the session and the role cache
    # session, user, roles, count, page rows, and the filter form's choices
    # (agreements, institutes, people)
    with django_assert_num_queries(9):
        response = client.get("/exchanges/")
    assert response.status_code == 200


def test_csv_export_holds_the_whole_filtered_set(world, signed_in, django_assert_max_num_queries):
    make_rows(world, 30)
    make_rows(world, 2, host="uk")
    cancelled = make_rows(world, 1)[0]
    Secondment.objects.filter(pk=cancelled.pk).update(
        status=SecondmentStatus.CANCELLED, cancellation_reason="Called off"
    )
    client = signed_in(world.officer)
    with django_assert_max_num_queries(8):
        response = client.get(
            "/exchanges/", {"direction": "GB-AU", "status": "proposed", "format": "csv"}
        )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    expected = Secondment.objects.filter(home_institute=world.uk, status=SecondmentStatus.PROPOSED)
    assert len(rows) == 30 > 25  # more than one page
    assert {int(r["ID"]) for r in rows} == set(expected.values_list("pk", flat=True))
    assert {r["Direction"] for r in rows} == {"UK→AU"}
    first = rows[0]
    for heading in ["Secondee", "Home", "Host", "Agreement", "Start", "End", "Status", "Days"]:
        assert heading in first


def test_xlsx_export_opens_as_a_workbook(world, signed_in):
    make_rows(world, 2)
    response = signed_in(world.officer).get("/exchanges/", {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row == 3
    assert sheet.cell(1, 2).value == "Secondee"


# --- Creating and editing ----------------------------------------------------------------


def test_coordinator_logs_a_secondment(world, signed_in):
    person = PersonFactory(institute=world.uk)
    client = signed_in(world.coordinator_uk)
    assert client.get(reverse("exchanges:secondment-create")).status_code == 200
    response = client.post(reverse("exchanges:secondment-create"), form_data(world, person))
    secondment = Secondment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/exchanges/{secondment.pk}/"
    page = client.get(response["Location"])
    assert b"Approve for the home side (UKI)" in page.content
    assert b"Approve for the host side" not in page.content


def test_end_before_start_is_shown_next_to_the_field(world, signed_in):
    person = PersonFactory(institute=world.uk)
    response = signed_in(world.coordinator_uk).post(
        reverse("exchanges:secondment-create"),
        form_data(world, person, planned_end_on="2026-12-31"),
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in body
    assert 'href="#id_planned_end_on"' in body
    assert 'id="id_planned_end_on-error"' in body
    assert "The planned end cannot be before the planned start." in body
    assert 'value="Evaluation methods"' in body  # nothing typed is lost
    assert not Secondment.objects.exists()


def test_policy_officer_cannot_open_the_create_page(world, signed_in):
    client = signed_in(world.officer)
    assert client.get(reverse("exchanges:secondment-create")).status_code == 403
    assert b"Log a secondment" not in client.get("/exchanges/").content


def test_coordinator_of_another_institute_cannot_edit_through_the_page(world, signed_in, proposed):
    client = signed_in(world.coordinator_other)
    url = reverse("exchanges:secondment-edit", args=[proposed.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, form_data(world, proposed.person, role="Hijack")).status_code == 403
    proposed.refresh_from_db()
    assert proposed.role != "Hijack"
    detail = client.get(reverse("exchanges:secondment-detail", args=[proposed.pk]))
    assert b"Edit details" not in detail.content and b"Approve for" not in detail.content


def test_edit_page_refuses_a_stale_copy(world, signed_in, proposed):
    client = signed_in(world.coordinator_au)
    url = reverse("exchanges:secondment-edit", args=[proposed.pk])
    stale = form_data(world, proposed.person, version=proposed.version, role="Second edit")
    Secondment.objects.filter(pk=proposed.pk).update(version=proposed.version + 1)
    response = client.post(url, stale)
    assert response.status_code == 400
    assert "Someone else saved this record" in response.content.decode()
    response = client.post(url, {**stale, "version": proposed.version + 1})
    assert response.status_code == 302


# --- Actions -----------------------------------------------------------------------------


def test_each_coordinator_approves_their_own_side_through_the_page(world, signed_in, proposed):
    url = reverse("exchanges:secondment-action", args=[proposed.pk, "approve"])
    client = signed_in(world.coordinator_uk)
    response = client.post(url, {"side": "host", "version": proposed.version})
    assert response.status_code == 403
    assert "Only the host institute can approve for its side." in response.content.decode()
    assert client.post(url, {"side": "home"}).status_code == 302
    client = signed_in(world.coordinator_au)
    assert client.post(url, {"side": "host"}).status_code == 302
    proposed.refresh_from_db()
    assert proposed.status == SecondmentStatus.APPROVED


def test_cancel_without_a_reason_shows_the_error(world, signed_in, proposed):
    url = reverse("exchanges:secondment-action", args=[proposed.pk, "cancel"])
    client = signed_in(world.coordinator_au)
    response = client.post(url, {"reason": ""})
    assert "Give a reason for cancelling." in response.content.decode()
    assert 'href="#id_reason"' in response.content.decode()
    assert client.post(url, {"reason": "Project postponed"}).status_code == 302
    proposed.refresh_from_db()
    assert proposed.status == SecondmentStatus.CANCELLED


def test_activation_refused_on_the_page_names_what_is_missing(world, signed_in, proposed):
    client = signed_in(world.admin)
    url = reverse("exchanges:secondment-action", args=[proposed.pk, "activate"])
    response = client.post(url, {})
    assert "Cannot move from “Proposed” to “Active”." in response.content.decode()


def test_unknown_action_is_not_found(world, signed_in, proposed):
    client = signed_in(world.admin)
    url = reverse("exchanges:secondment-action", args=[proposed.pk, "explode"])
    assert client.post(url).status_code == 404


def test_detail_shows_history_and_readiness(world, signed_in, proposed):
    Secondment.objects.filter(pk=proposed.pk).update(access_granted_on=None)
    response = signed_in(world.officer).get(
        reverse("exchanges:secondment-detail", args=[proposed.pk])
    )
    body = response.content.decode()
    assert "Record when the host side granted access." in body
    assert 'data-testid="history"' in body
    assert "Edit details" not in body


# --- Fragment and figures ----------------------------------------------------------------


def test_commitment_fragment_lists_the_secondments_that_deliver_it(world, signed_in):
    commitment = CommitmentFactory(clause=ClauseFactory(agreement=world.agreement))
    linked = make_rows(world, 1, commitments=[commitment])[0]
    make_rows(world, 1)
    response = signed_in(world.officer).get(
        f"/exchanges/for-commitment/{commitment.pk}/", headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert body.count("/exchanges/") >= 1 and f"/exchanges/{linked.pk}/" in body
    assert body.count('class="govuk-table__row"') == 2  # heading and one secondment
    empty = signed_in(world.officer).get(f"/exchanges/for-commitment/{commitment.pk + 999}/")
    assert b"No secondments deliver this commitment yet." in empty.content


@pytest.mark.parametrize("count", [2, 20])
def test_fragment_costs_the_same_queries_whatever_the_size(
    world, signed_in, django_assert_num_queries, count
):
    commitment = CommitmentFactory(clause=ClauseFactory(agreement=world.agreement))
    make_rows(world, count, commitments=[commitment])
    client = signed_in(world.officer)
    with django_assert_num_queries(4):  # session, user, viewer's person (time zone), secondments
        client.get(f"/exchanges/for-commitment/{commitment.pk}/")


def test_figures_page_shows_the_figures(world, signed_in):
    make_rows(world, 2)
    response = signed_in(world.officer).get(
        reverse("exchanges:secondment-figures"), {"agreement": world.agreement.code}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "UK→AU" in body and "2027" in body
    assert "direction=GB-AU" in body
