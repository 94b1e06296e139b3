import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from mou.models import Commitment, Milestone
from tests.factories import (
    PASSWORD,
    CommitmentFactory,
    MilestoneFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client):
    user = UserFactory(username="officer", roles=["Policy officer"])
    client.login(username="officer", password=PASSWORD)
    return user


@pytest.fixture
def owner_client(client):
    """A signed-in commitment owner and a commitment they own."""
    commitment = CommitmentFactory()
    user = UserFactory(username="owner", roles=["Commitment owner"])
    commitment.owner.user = user
    commitment.owner.save()
    client.login(username="owner", password=PASSWORD)
    return client, commitment


def test_commitment_list_shows_rag_in_words_and_links_each_row(client, officer):
    commitment = CommitmentFactory(title="Share best practice for testing")
    response = client.get(reverse("mou:commitment-list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Share best practice for testing" in body
    assert reverse("mou:commitment-detail", args=[commitment.pk]) in body
    assert 'data-rag="green">Green<' in body


def test_commitment_list_filters_by_rag(client, officer):
    CommitmentFactory(title="Fine one")
    CommitmentFactory(title="Troubled one", status="off_track")
    response = client.get(reverse("mou:commitment-list"), {"rag": "red"})
    body = response.content.decode()
    assert "Troubled one" in body
    assert "Fine one" not in body


def test_commitment_list_exports_the_whole_filtered_set_as_csv(client, officer):
    for n in range(30):  # more than one page
        CommitmentFactory(title=f"Exported {n}", theme="research")
    CommitmentFactory(title="Other theme", theme="dialogue")
    response = client.get(reverse("mou:commitment-list"), {"theme": "research", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert len(rows) == 30
    assert {row["Title"] for row in rows} == {f"Exported {n}" for n in range(30)}
    assert rows[0]["RAG"] == "Green"


def test_commitment_list_exports_xlsx(client, officer):
    CommitmentFactory(title="In a spreadsheet")
    response = client.get(reverse("mou:commitment-list"), {"format": "xlsx"})
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"PK"  # a zip container


def test_commitment_detail_links_clause_milestones_and_history(client, officer):
    milestone = MilestoneFactory(title="First joint evaluation")
    commitment = milestone.commitment
    response = client.get(reverse("mou:commitment-detail", args=[commitment.pk]))
    body = response.content.decode()
    assert f"#clause-{commitment.clause_id}" in body
    assert reverse("mou:milestone-detail", args=[milestone.pk]) in body
    assert reverse("mou:commitment-history", args=[commitment.pk]) in body


def test_policy_officer_posts_a_progress_update_with_status(client, officer):
    commitment = CommitmentFactory()
    PersonFactory(user=officer, institute=commitment.lead_institute)
    response = client.post(
        reverse("mou:progress-update-create", args=[commitment.pk]),
        {"note": "Workshop held in Canberra.", "evidence_url": "", "status": ""},
    )
    assert response.status_code == 302
    assert commitment.progress_updates.get().note == "Workshop held in Canberra."


def test_policy_officer_cannot_change_status(client, officer):
    commitment = CommitmentFactory()
    response = client.post(
        reverse("mou:commitment-transition", args=[commitment.pk]),
        {"to": "at_risk", "reason": ""},
    )
    assert response.status_code == 403  # a refusal, shown on the page, is not a bad request
    assert "You do not have permission" in response.content.decode()
    commitment.refresh_from_db()
    assert commitment.status == "on_track"


def test_withdrawing_without_reason_shows_error_next_to_the_field(owner_client):
    client, commitment = owner_client
    response = client.post(
        reverse("mou:commitment-withdraw", args=[commitment.pk]), {"reason": "  "}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert 'id="withdraw-reason-error"' in body
    assert "Give a reason for withdrawing." in body
    commitment.refresh_from_db()
    assert commitment.status == "on_track"


def test_stale_edit_is_refused_and_shows_what_changed(owner_client):
    client, commitment = owner_client
    url = reverse("mou:commitment-edit", args=[commitment.pk])
    form = {
        "title": "Mine",
        "description": "",
        "theme": "",
        "owed_by": "",
        "lead_institute": commitment.lead_institute_id,
        "start_on": "",
        "target_on": "",
        "notes": "",
        "version": commitment.version,
    }
    first = client.post(url, form | {"title": "First editor's title"})
    assert first.status_code == 302
    second = client.post(url, form | {"title": "Second editor's title"})
    assert second.status_code == 200
    body = second.content.decode()
    assert "Someone else saved this record" in body
    assert "First editor&#x27;s title" in body or "First editor's title" in body
    assert Commitment.objects.get(pk=commitment.pk).title == "First editor's title"


def test_commitment_edit_is_forbidden_to_someone_else(client, officer):
    commitment = CommitmentFactory()
    response = client.get(reverse("mou:commitment-edit", args=[commitment.pk]))
    assert response.status_code == 403


def test_owner_completes_a_milestone(owner_client):
    client, commitment = owner_client
    milestone = MilestoneFactory(commitment=commitment, due_on=date(2026, 12, 1))
    response = client.post(
        reverse("mou:milestone-action", args=[milestone.pk, "complete"]),
        {"done_on": "2026-11-20", "evidence_url": "https://example.org/report"},
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.status == "done"
    assert milestone.done_on == date(2026, 11, 20)


def test_completing_with_a_future_date_is_refused_next_to_the_field(owner_client):
    client, commitment = owner_client
    milestone = MilestoneFactory(commitment=commitment)
    response = client.post(
        reverse("mou:milestone-action", args=[milestone.pk, "complete"]),
        {"done_on": "2999-01-01", "evidence_url": ""},
    )
    assert response.status_code == 400
    assert "The done date cannot be in the future." in response.content.decode()
    assert Milestone.objects.get(pk=milestone.pk).status == "open"


def test_history_page_lists_changes_in_plain_words(owner_client):
    client, commitment = owner_client
    client.post(
        reverse("mou:commitment-transition", args=[commitment.pk]),
        {"to": "at_risk", "reason": ""},
    )
    response = client.get(reverse("mou:commitment-history", args=[commitment.pk]))
    body = response.content.decode()
    assert "Status: On track → At risk, by" in body


def test_bad_input_in_filters_is_not_a_server_error(client, officer):
    response = client.get(reverse("mou:milestone-list"), {"due_within": "soon", "owner": "x"})
    assert response.status_code == 200


@pytest.mark.parametrize("size", [10, 60])
def test_commitment_list_query_count_does_not_grow(
    client, officer, size, django_assert_num_queries
):
    CommitmentFactory.create_batch(size)
    # The page's keys first, then its rows; and one for the choices of the
    # "Owed alone or jointly" filter.
    with django_assert_num_queries(11):
        assert client.get(reverse("mou:commitment-list")).status_code == 200
