"""The officer's who-owes-what matrix, timeline, search and calendar settings, used by
keyboard alone in Chromium and checked with axe-core."""

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from feeds.services import calendar_feed_reset
from tests.browser.axe import assert_accessible, focused_text, tab_to, tab_to_selector
from tests.browser.helpers import sign_in
from tests.factories import (
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    InstituteFactory,
    MilestoneFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def register():
    uk = InstituteFactory(
        short_name="DSIT", name="Department for Science, Innovation and Technology"
    )
    au = InstituteFactory(
        short_name="AUI", name="Australian Institute", country="AU", time_zone="Australia/Sydney"
    )
    agreement = AgreementFactory(code="uk-au", title="UK–Australia memorandum", parties=[uk, au])
    clause = ClauseFactory(agreement=agreement, number="1", title="Information sharing")
    owner = PersonFactory(institute=uk, name="Priya Natarajan")
    today = timezone.localdate()
    joint = CommitmentFactory(
        clause=clause, reference="1-a", title="Share research findings", owner=owner
    )
    MilestoneFactory(
        commitment=joint, title="First exchange of briefings", due_on=today - dt.timedelta(days=4)
    )
    CommitmentFactory(
        clause=clause, reference="1-b", title="Publish a joint note", owed_by=uk,
        lead_institute=uk, owner=owner, status="at_risk",
    )  # fmt: skip
    CommitmentFactory(clause=clause, reference="1-c", title="Host a workshop", owed_by=au,
                      lead_institute=au, owner=PersonFactory(institute=au))  # fmt: skip
    officer = UserFactory(username="officer", first_name="Alex", last_name="Officer",
                          roles=["Policy officer"])  # fmt: skip
    PersonFactory(user=officer, institute=uk)
    owner.user = UserFactory(username="owner", roles=["Commitment owner"])
    owner.save()
    coordinator = UserFactory(username="coordinator", roles=["Exchange coordinator"])
    PersonFactory(user=coordinator, institute=au)
    UserFactory(username="analyst", roles=["Reporting analyst"])
    return agreement


ROLES = ["officer", "owner", "coordinator", "analyst"]


@pytest.mark.parametrize("username", ROLES)
def test_who_owes_what_and_a_cell_behind_it_by_keyboard(page, register, username):
    sign_in(page, username)
    page.goto(f"/agreements/{register.code}/")
    tab_to(page, "Who owes what")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Who owes what")).to_be_visible()
    assert_accessible(page)

    # The joint column of clause 1: one commitment, red because its milestone is late.
    tab_to(page, "1 red under clause 1 owed by Joint")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("result-count")).to_have_text("1 commitment")
    expect(page.get_by_role("link", name="Share research findings")).to_be_visible()
    expect(page.get_by_label("Owed alone or jointly")).to_have_value("joint")
    assert_accessible(page)


def test_officer_reads_the_timeline_and_its_table_by_keyboard(page, register):
    sign_in(page, "officer")
    page.goto(f"/agreements/{register.code}/")
    tab_to(page, "Milestone timeline")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Milestone timeline")).to_be_visible()
    timeline = page.get_by_test_id("timeline")
    expect(timeline.get_by_text("Late: 4 days")).to_be_visible()
    assert_accessible(page)

    # GOV.UK tabs: Tab reaches the selected tab, the arrow keys move to the others.
    tab_to_selector(page, ".govuk-tabs__tab")
    page.keyboard.press("ArrowRight")
    assert focused_text(page) == "Table"
    table = page.get_by_test_id("timeline-table")
    expect(table).to_be_visible()
    expect(table.get_by_text("Late: 4 days")).to_be_visible()
    assert_accessible(page)

    # Jump to a month by typing it, then back to a milestone.
    page.goto(f"/reports/agreements/{register.code}/timeline/")
    tab_to_selector(page, "#id_start")
    page.keyboard.type("2030-01")
    tab_to(page, "Show")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Milestones due from January 2030 to December 2030")).to_be_visible()
    assert_accessible(page)


def test_officer_searches_from_the_header_by_keyboard(page, register):
    sign_in(page, "officer")
    tab_to_selector(page, "#header-search")
    page.keyboard.type("briefings")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("search-summary")).to_contain_text("for “briefings”")
    milestones = page.get_by_test_id("results-milestones")
    expect(milestones.get_by_role("link", name="First exchange of briefings")).to_be_visible()
    assert_accessible(page)

    for words, title in [
        ("DSIT", "Publish a joint note"),
        ("Natarajan", "Share research findings"),
    ]:
        tab_to_selector(page, "#header-search")
        page.keyboard.type(words)
        page.keyboard.press("Enter")
        expect(
            page.get_by_test_id("results-commitments").get_by_role("link", name=title)
        ).to_be_visible()

    tab_to(page, "1-b Publish a joint note")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Publish a joint note")).to_be_visible()

    # An empty search names the field in the error summary, which is accessible too.
    page.goto("/search/?q=")
    expect(page.get_by_text("Search the register: Enter words to search for.")).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("username", ROLES)
def test_person_makes_copies_and_resets_calendar_addresses_by_keyboard(page, register, username):
    sign_in(page, username)
    page.goto(f"/agreements/{register.code}/")
    tab_to(page, "Calendar feed")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Calendar feeds")).to_be_visible()
    assert_accessible(page)

    tab_to(page, "Make my calendar addresses")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your calendar addresses are ready.")).to_be_visible()
    first = page.get_by_test_id("feed-mine").inner_text()
    assert "/calendar/" in first and first.endswith("/mine.ics")
    tab_to(page, "Outlook")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Subscribe from web")).to_be_visible()
    assert_accessible(page)

    response = page.request.get(urlsplit(first).path)
    assert response.status == 200 and b"BEGIN:VCALENDAR" in response.body()
    # Only the owner owns a milestone here.
    events = response.body().count(b"BEGIN:VEVENT")
    assert events == (1 if username == "owner" else 0)

    tab_to(page, "Reset my calendar addresses")
    page.keyboard.press("Enter")
    expect(page.get_by_text("the old ones no longer work")).to_be_visible()
    assert page.get_by_test_id("feed-mine").inner_text() != first
    assert page.request.get(urlsplit(first).path).status == 404


def test_the_accessibility_check_reports_a_violation(page):
    page.set_content('<html lang="en"><body><main><img src="x.png"></main></body></html>')
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page)


def test_new_pages_do_not_scroll_sideways_on_a_phone(page, register):
    officer = get_user_model().objects.get(username="officer")
    calendar_feed_reset(actor=officer, user=officer)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "officer")
    widths = {}
    for url in [
        f"/reports/agreements/{register.code}/who-owes-what/",
        f"/reports/agreements/{register.code}/timeline/",
        "/search/?q=briefings",
        "/settings/calendar/",
    ]:
        page.goto(url)
        widths[url] = page.evaluate("() => document.documentElement.scrollWidth")
    assert all(width <= 390 for width in widths.values()), widths
