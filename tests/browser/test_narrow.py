"""At 390 px wide (a phone) no page scrolls sideways; the Reports page works by keyboard."""

import pytest
from playwright.sync_api import expect

from mou.models import Commitment, Milestone
from tests.browser.axe import assert_accessible, tab_to
from tests.browser.demo import load_demo_accounts
from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_no_page_scrolls_sideways_at_390_px(page):
    accounts = load_demo_accounts()
    sign_in(page, "officer", accounts["officer"])
    page.set_viewport_size({"width": 390, "height": 844})
    commitment = Commitment.objects.order_by("pk").first()
    milestone = Milestone.objects.order_by("pk").first()
    pages = [
        "/",
        "/agreements/",
        "/agreements/uk-au-ai-2026/",
        "/agreements/new/",
        "/agreements/uk-au-ai-2026/commitments/new/",
        "/commitments/",
        f"/commitments/{commitment.pk}/",
        f"/commitments/{commitment.pk}/history/",
        "/milestones/",
        f"/milestones/{milestone.pk}/",
        "/exchanges/",
        "/reminders/",
        "/reports/",
    ]
    wide = {}
    for url in pages:
        page.goto(url)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > 390:
            wide[url] = width
    assert not wide, f"pages wider than 390 px: {wide}"

    # A table that scrolls within itself stays reachable and passes axe.
    for url in ("/commitments/", "/exchanges/"):
        page.goto(url)
        assert_accessible(page)

    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto("/reports/")
    assert_accessible(page)
    tab_to(page, "Reporting API")
    page.keyboard.press("Enter")
    expect(page).to_have_url("/api/v1/docs/")
