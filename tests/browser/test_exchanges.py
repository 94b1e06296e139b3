"""What an exchange coordinator does on the exchange pages, in Chromium."""

import csv
import io

import pytest
from playwright.sync_api import expect

from institutes.choices import Role
from tests.browser.helpers import sign_in
from tests.factories import (
    AgreementFactory,
    InstituteFactory,
    PersonFactory,
    SecondmentFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_logs_approves_finds_and_exports_a_secondment(page):
    uk = InstituteFactory(short_name="UKI", name="UK Institute", country="GB")
    au = InstituteFactory(
        short_name="AUI", name="AU Institute", country="AU", time_zone="Australia/Sydney"
    )
    agreement = AgreementFactory(code="uk-au", title="UK–AU memorandum", parties=[uk, au])
    user = UserFactory(username="coordinator", roles=[Role.EXCHANGE_COORDINATOR])
    PersonFactory(institute=uk, user=user, name="Casey Coordinator")
    PersonFactory(institute=uk, name="Sam Secondee")
    SecondmentFactory(
        agreement=agreement,
        home_institute=au,
        host_institute=uk,
        person=PersonFactory(institute=au, name="Robin Visitor"),
    )

    sign_in(page, "coordinator")
    page.get_by_role("link", name="Exchanges").click()
    page.get_by_role("link", name="Log a secondment").click()
    page.get_by_label("Agreement", exact=True).select_option(label="UK–AU memorandum")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Home institute").select_option(label="UKI")
    page.get_by_role("button", name="Continue").click()
    # Only the home institute's people are offered as the secondee.
    secondee = page.get_by_label("Secondee", exact=True)
    expect(secondee.locator("option", has_text="Robin Visitor")).to_have_count(0)
    secondee.select_option(label="Sam Secondee (UKI)")
    page.get_by_label("Host institute").select_option(label="AUI")
    page.get_by_label("Role or project").fill("Joint evaluation methods")
    page.get_by_label("Planned start", exact=True).fill("2027-01-04")
    page.get_by_label("Planned end", exact=True).fill("2026-12-31")
    page.get_by_role("button", name="Save").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The planned end cannot be before the planned start.")
    expect(page.locator("#id_planned_end_on-error")).to_be_visible()
    expect(page.get_by_label("Role or project")).to_have_value("Joint evaluation methods")
    page.get_by_label("Planned end", exact=True).fill("2027-06-30")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Secondment logged.")).to_be_visible()
    expect(page.get_by_role("button", name="Approve for the host side (AUI)")).to_have_count(0)
    page.get_by_role("button", name="Approve for the home side (UKI)").click()
    expect(page.get_by_text("Approval recorded.")).to_be_visible()
    expect(page.get_by_test_id("home-approval")).to_contain_text("Approved")
    expect(page.get_by_test_id("host-approval")).to_contain_text("Not yet approved")

    page.get_by_role("link", name="Secondments").first.click()
    page.get_by_label("Direction").fill("UK-AU")
    page.get_by_label("Year").fill("2027")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_test_id("result-count")).to_have_text("1 secondment")
    rows = page.get_by_test_id("secondments").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Sam Secondee")
    expect(rows.first).to_contain_text("UK→AU")

    with page.expect_download() as download_info:
        page.get_by_test_id("export-csv").click()
    download = download_info.value
    assert download.suggested_filename == "secondments.csv"
    with open(download.path(), encoding="utf-8-sig") as handle:
        exported = list(csv.DictReader(io.StringIO(handle.read())))
    assert [row["Secondee"] for row in exported] == ["Sam Secondee"]
    assert exported[0]["Direction"] == "UK→AU"
    assert exported[0]["Planned end"] == "2027-06-30"
    assert exported[0]["Home approval at"] != ""
