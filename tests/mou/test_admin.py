"""The admin writes through the services: rules apply and changes are attributed."""

from datetime import date

import pytest
from django.urls import reverse

from core.history import history_for
from mou.models import Commitment, Milestone
from tests.factories import CommitmentFactory, MilestoneFactory

pytestmark = pytest.mark.django_db


def _commitment_form(commitment, **changes):
    data = {
        "agreement": commitment.agreement_id,
        "clause": commitment.clause_id,
        "reference": commitment.reference,
        "title": commitment.title,
        "description": "",
        "owed_by": "",
        "lead_institute": commitment.lead_institute_id,
        "owner": commitment.owner_id,
        "theme": "",
        "start_on": "",
        "target_on": "",
        "recurrence": "",
        "recurrence_count": "",
        "is_illustrative": "",
        "notes": "",
        "milestones-TOTAL_FORMS": "0",
        "milestones-INITIAL_FORMS": "0",
        "milestones-MIN_NUM_FORMS": "0",
        "milestones-MAX_NUM_FORMS": "1000",
        # The version the form was opened at: an admin save without it is refused.
        "expected_version": commitment.version,
    }
    data.update(changes)
    return data


def test_admin_edit_of_a_commitment_bumps_its_version_and_is_attributed(admin_client, admin_user):
    commitment = CommitmentFactory()
    url = reverse("admin:mou_commitment_change", args=[commitment.pk])
    response = admin_client.post(url, _commitment_form(commitment, title="Renamed in the admin"))
    assert response.status_code == 302, response.content.decode()[:2000]
    commitment.refresh_from_db()
    assert commitment.title == "Renamed in the admin"
    assert commitment.version == 2
    entry = history_for(Commitment, [commitment.pk])[0]
    assert entry.by == admin_user.get_username()
    assert [c.new for c in entry.changes] == ["Renamed in the admin"]


def test_admin_refuses_an_owed_by_institute_that_is_not_a_party(admin_client):
    commitment = CommitmentFactory()
    stranger = CommitmentFactory().lead_institute
    url = reverse("admin:mou_commitment_change", args=[commitment.pk])
    response = admin_client.post(url, _commitment_form(commitment, owed_by=stranger.pk))
    assert response.status_code == 200
    assert "must be a party to the agreement" in response.content.decode()
    commitment.refresh_from_db()
    assert commitment.owed_by_id is None


def test_admin_moves_a_milestone_due_date_by_rescheduling_it(admin_client):
    milestone = MilestoneFactory(due_on=date(2027, 3, 31))
    url = reverse("admin:mou_milestone_change", args=[milestone.pk])
    response = admin_client.post(
        url,
        {
            "commitment": milestone.commitment_id,
            "title": milestone.title,
            "due_on": "2027-04-30",
            "owner": milestone.owner_id,
            "evidence_url": "",
            "sequence": "",
            "is_illustrative": "",
            "expected_version": milestone.version,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    milestone = Milestone.objects.get(pk=milestone.pk)
    assert milestone.due_on == date(2027, 4, 30)
    assert milestone.version == 2


def test_admin_action_changes_status_through_the_transition_table(admin_client):
    commitment = CommitmentFactory(status="completed")
    response = admin_client.post(
        reverse("admin:mou_commitment_changelist"),
        {"action": "mark_at_risk", "_selected_action": [commitment.pk]},
        follow=True,
    )
    assert "Cannot move from “Completed” to “At risk”." in response.content.decode()
    commitment.refresh_from_db()
    assert commitment.status == "completed"


@pytest.mark.parametrize(
    "name",
    ["institute", "person", "agreement", "clause", "commitment", "milestone", "progressupdate"],
)
def test_admin_lists_open_with_search(admin_client, name):
    app = "institutes" if name in ("institute", "person") else "mou"
    response = admin_client.get(reverse(f"admin:{app}_{name}_changelist"), {"q": "x"})
    assert response.status_code == 200
