"""What a policy officer and a commitment owner do on the register's pages, in Chromium."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.helpers import sign_in
from tests.factories import (
    CommitmentFactory,
    MilestoneFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_goes_from_a_dashboard_figure_to_a_commitment_and_posts_an_update(page):
    officer = UserFactory(username="officer", first_name="Alex", last_name="Officer",
                          roles=["Policy officer"])  # fmt: skip
    late = MilestoneFactory(
        title="Joint testing report",
        due_on=timezone.localdate() - timezone.timedelta(days=5),
        commitment=CommitmentFactory(title="Joint research on testing"),
    )
    PersonFactory(user=officer, institute=late.commitment.lead_institute)
    sign_in(page, "officer")

    page.get_by_role("link", name=f"1 Red in {late.commitment.agreement.code}").click()
    page.get_by_role("link", name="Joint research on testing").click()
    expect(page.get_by_text("Late", exact=True).first).to_be_visible()

    page.get_by_label("What has happened").fill("Draft report shared with the partner.")
    page.get_by_role("button", name="Post update").click()
    expect(page.get_by_text("Progress update posted.")).to_be_visible()
    expect(page.get_by_text("Draft report shared with the partner.")).to_be_visible()


def test_owner_is_told_when_someone_else_saved_first(page, browser, live_server):
    commitment = CommitmentFactory(title="Share information on emerging capabilities")
    user = UserFactory(username="owner", roles=["Commitment owner"])
    commitment.owner.user = user
    commitment.owner.save()
    sign_in(page, "owner")
    page.goto(f"/commitments/{commitment.pk}/edit/")

    other = browser.new_context(base_url=live_server.url).new_page()
    other.set_default_timeout(10_000)
    sign_in(other, "owner")
    other.goto(f"/commitments/{commitment.pk}/edit/")
    other.get_by_label("Theme").fill("Frontier AI")
    other.get_by_role("button", name="Save").click()
    expect(other.get_by_text("Commitment saved.")).to_be_visible()

    page.get_by_label("Theme").fill("Capabilities")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(page.get_by_text("Someone else saved this record").first).to_be_visible()
    commitment.refresh_from_db()
    assert commitment.theme == "Frontier AI"
