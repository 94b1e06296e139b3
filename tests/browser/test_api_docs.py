"""An analyst makes a token on their own settings page, reads the API documentation (served
from this origin, under the CSP) and uses the token from a script."""

from __future__ import annotations

import json
import urllib.request

import pytest
from playwright.sync_api import expect

from institutes.choices import Role
from tests.browser.helpers import sign_in
from tests.factories import CommitmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_analyst_makes_a_token_reads_the_docs_offline_and_calls_the_api(page, live_server):
    UserFactory(username="analyst", roles=[Role.REPORTING_ANALYST])
    CommitmentFactory(title="Joint research on testing")
    problems: list[str] = []
    elsewhere: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" or "Content Security Policy" in message.text
            else None
        ),
    )
    page.on(
        "request",
        lambda request: (
            elsewhere.append(request.url)
            if not request.url.startswith((live_server.url, "data:", "blob:"))
            else None
        ),
    )
    sign_in(page, "analyst")

    page.get_by_test_id("settings-link").click()
    page.get_by_label("Name").fill("Monthly briefing")
    page.get_by_role("button", name="Create token").click()
    key = page.locator("#new-token-key").inner_text().strip()
    expect(page.get_by_test_id("token-table")).to_contain_text("Monthly briefing")
    expect(page.get_by_test_id("token-table")).to_contain_text("Read only")

    page.locator("#main-content").get_by_role("link", name="API documentation").click()
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Accord API", timeout=20_000)
    expect(page.locator(".swagger-ui .opblock-tag-section").first).to_be_visible()
    assert not problems, problems
    assert not elsewhere, elsewhere

    request = urllib.request.Request(  # noqa: S310 - the test server's own http URL
        f"{live_server.url}/api/v1/reports/summary/", headers={"Authorization": f"Bearer {key}"}
    )
    with urllib.request.urlopen(request) as response:  # noqa: S310
        summary = json.load(response)
    assert sum(row["count"] for row in summary["commitments"]) == 1
