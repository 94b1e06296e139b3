"""The register's API: reads for every role, writes only where a page would allow them,
through the services, with versions (ETag / If-Match)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from mou.models import Commitment, Milestone
from tests.api_helpers import fill, token_client
from tests.factories import CommitmentFactory, MilestoneFactory, PersonFactory

LISTS = [
    "/api/v1/agreements/",
    "/api/v1/parties/",
    "/api/v1/signatories/",
    "/api/v1/clauses/",
    "/api/v1/commitments/",
    "/api/v1/milestones/",
    "/api/v1/progress-updates/",
    "/api/v1/institutes/",
    "/api/v1/people/",
    "/api/v1/secondments/",
]


@pytest.mark.parametrize("url", LISTS)
def test_every_list_and_detail_reads_for_every_role_and_needs_a_token(register, url):
    fill(register, 3)
    for user in (register.analyst, register.owner, register.officer, register.admin):
        client = token_client(user, name=url)
        response = client.get(url)
        assert response.status_code == 200, (user, url)
        first = response.json()["results"][0]
        assert first["url"].endswith(f"{url}{first['id']}/")
        detail = client.get(first["url"])
        assert detail.status_code == 200
        assert detail.json() == first
        if "version" in first:
            assert detail["ETag"].endswith(f'-{first["id"]}-v{first["version"]}"')
    assert APIClient().get(url).status_code == 401


def test_people_show_no_email_to_the_reporting_role(register):
    fill(register, 1)
    person_url = f"/api/v1/people/{register.owner_person.pk}/"
    assert "email" not in token_client(register.analyst).get(person_url).json()
    as_officer = token_client(register.officer).get(person_url).json()
    assert as_officer["email"] == register.owner_person.email
    assert as_officer["country"] == "AU"
    assert as_officer["institute"]["display"] == "AUI"


def test_days_late_counts_in_the_owners_time_zone(register):
    """A milestone due yesterday in Sydney is late there before it is late in London."""
    sydney = PersonFactory(institute=register.au, time_zone="Australia/Sydney")
    london = PersonFactory(institute=register.uk, time_zone="Europe/London")
    now = timezone.now()
    sydney_today = now.astimezone(zoneinfo.ZoneInfo("Australia/Sydney")).date()
    london_today = now.astimezone(zoneinfo.ZoneInfo("Europe/London")).date()
    due = sydney_today - dt.timedelta(days=3)
    in_sydney = MilestoneFactory(
        commitment=CommitmentFactory(clause=register.clause, owner=sydney), owner=sydney, due_on=due
    )
    in_london = MilestoneFactory(
        commitment=CommitmentFactory(clause=register.clause, owner=london), owner=london, due_on=due
    )
    client = token_client(register.analyst)
    assert client.get(f"/api/v1/milestones/{in_sydney.pk}/").json()["days_late"] == 3
    assert client.get(f"/api/v1/milestones/{in_london.pk}/").json()["days_late"] == max(
        0, (london_today - due).days
    )


def test_agreements_can_be_read_by_code(register):
    client = token_client(register.analyst)
    body = client.get("/api/v1/agreements/uk-au/").json()
    assert body["id"] == register.agreement.pk
    assert {p["display"] for p in body["parties"]} == {"UKI", "AUI"}
    assert client.get("/api/v1/agreements/no-such/").status_code == 404


def _own_commitment(register) -> Commitment:
    return CommitmentFactory(clause=register.clause, owner=register.owner_person, status="on_track")


def test_the_owner_moves_their_commitment_with_if_match(register):
    commitment = _own_commitment(register)
    client = token_client(register.owner)
    url = f"/api/v1/commitments/{commitment.pk}/"
    etag = client.get(url)["ETag"]
    response = client.post(
        url + "transition/", {"to": "at_risk"}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "at_risk"
    assert response["ETag"] != etag
    commitment.refresh_from_db()
    assert commitment.status == "at_risk"
    assert commitment.version == 2


def test_a_write_without_a_version_is_428_and_a_stale_one_412(register):
    commitment = _own_commitment(register)
    client = token_client(register.owner)
    url = f"/api/v1/commitments/{commitment.pk}/transition/"
    missing = client.post(url, {"to": "at_risk"}, format="json")
    assert missing.status_code == 428
    assert missing["Content-Type"] == "application/problem+json"
    stale_etag = client.get(f"/api/v1/commitments/{commitment.pk}/")["ETag"]
    assert client.post(url, {"to": "at_risk", "version": 1}, format="json").status_code == 200
    assert (
        client.post(url, {"to": "on_track"}, format="json", HTTP_IF_MATCH=stale_etag).status_code
        == 412
    )  # noqa: E501
    assert client.post(url, {"to": "on_track", "version": 1}, format="json").status_code == 412
    commitment.refresh_from_db()
    assert commitment.status == "at_risk"


def test_a_refused_transition_is_409_and_field_names_match_the_request(register):
    commitment = _own_commitment(register)
    client = token_client(register.owner)
    url = f"/api/v1/commitments/{commitment.pk}/transition/"
    response = client.post(url, {"to": "not_started", "version": 1}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert list(body["errors"]) == ["to"]
    assert body["errors"]["to"] == ["Cannot move from “On track” to “Not started”."]
    bad = client.post(url, {"to": "sideways", "version": 1}, format="json")
    assert bad.status_code == 400
    assert list(bad.json()["errors"]) == ["to"]
    withdraw = client.post(url, {"to": "withdrawn", "version": 1}, format="json")
    assert withdraw.status_code == 409
    assert list(withdraw.json()["errors"]) == ["reason"]


def test_writes_are_refused_where_a_page_would_refuse_them(register):
    someone_elses = CommitmentFactory(clause=register.clause, status="on_track")
    url = f"/api/v1/commitments/{someone_elses.pk}/transition/"
    response = token_client(register.owner).post(
        url, {"to": "at_risk", "version": 1}, format="json"
    )
    assert response.status_code == 403
    read_only = token_client(register.owner, read_only=True, name="Reader")
    own = _own_commitment(register)
    response = read_only.post(
        f"/api/v1/commitments/{own.pk}/transition/", {"to": "at_risk", "version": 1}, format="json"
    )
    assert response.status_code == 403
    assert Commitment.objects.get(pk=own.pk).status == "on_track"


def test_milestone_actions_take_the_version(register):
    commitment = _own_commitment(register)
    milestone = MilestoneFactory(commitment=commitment, due_on=timezone.localdate())
    client = token_client(register.owner)
    base = f"/api/v1/milestones/{milestone.pk}/"
    new_due = timezone.localdate() + dt.timedelta(days=30)
    assert client.post(base + "reschedule/", {"due_on": new_due}, format="json").status_code == 428
    moved = client.post(base + "reschedule/", {"due_on": new_due, "version": 1}, format="json")
    assert moved.status_code == 200, moved.content
    assert moved.json()["due_on"] == new_due.isoformat()
    cancel = client.post(base + "cancel/", {"reason": "", "version": 2}, format="json")
    assert cancel.status_code == 409
    assert list(cancel.json()["errors"]) == ["reason"]
    done = client.post(base + "complete/", {}, format="json", HTTP_IF_MATCH=moved["ETag"])
    assert done.status_code == 200, done.content
    assert Milestone.objects.get(pk=milestone.pk).status == "done"


@pytest.mark.parametrize("size", [4, 16])
@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # Besides the token's: keyset lists a page and the user's roles; numbered lists a
        # count and a page; then one query per prefetched relation.
        ("/api/v1/commitments/?ordering=rag", 3),
        ("/api/v1/milestones/", 3),
        ("/api/v1/progress-updates/", 3),
        ("/api/v1/agreements/", 3),
        ("/api/v1/parties/", 2),
        ("/api/v1/clauses/", 2),
        ("/api/v1/signatories/", 2),
        ("/api/v1/people/", 3),
        ("/api/v1/institutes/", 2),
        ("/api/v1/secondments/", 3),
    ],
)
def test_list_query_counts_do_not_grow(register, django_assert_num_queries, size, url, queries):
    fill(register, size)
    client = token_client(register.analyst)
    client.get("/api/v1/institutes/")  # the token's last use is recorded once a minute
    with django_assert_num_queries(queries + 1):
        assert client.get(url).status_code == 200
