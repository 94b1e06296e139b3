"""A commitment owner reads and dismisses reminders; an administrator retries a failed one."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from reminders.services import deliver_pending, scan_reminders
from tests.browser.axe import assert_accessible
from tests.browser.helpers import sign_in
from tests.factories import (
    CommitmentFactory,
    MilestoneFactory,
    PersonFactory,
    UserFactory,
)
from tests.reminders.conftest import LONDON, at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _milestone(owner, title, due_on):
    commitment = CommitmentFactory(
        owner=owner, lead_institute=owner.institute, clause__agreement__parties=[owner.institute]
    )
    return MilestoneFactory(commitment=commitment, owner=owner, title=title, due_on=due_on)


def test_owner_sees_and_dismisses_reminders(page):
    user = UserFactory(username="owner", roles=["Commitment owner"])
    owner = PersonFactory(user=user, time_zone=LONDON)
    _milestone(owner, "Annual dialogue report", dt.date(2027, 3, 31))
    _milestone(owner, "Joint testing plan", dt.date(2027, 4, 1))
    scan_reminders(now=at(LONDON, 2027, 3, 31, 0, 15))
    sign_in(page, "owner")
    page.goto("/reminders/")
    expect(page.get_by_role("heading", name="My reminders")).to_be_visible()
    rows = page.get_by_test_id("reminder")
    expect(rows).to_have_count(2)
    expect(page.get_by_role("link", name="Annual dialogue report")).to_be_visible()
    page.get_by_role("button", name="Dismiss due today reminder for Annual dialogue report").click()
    expect(rows).to_have_count(1)
    expect(page.get_by_role("link", name="Annual dialogue report")).to_have_count(0)
    page.reload()
    expect(page.get_by_test_id("reminder")).to_have_count(1)


def test_administrator_retries_a_failed_email(page, settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.reminders.mail_backends.BrokenBackend"}}
    settings.REMINDER_POLICY = settings.REMINDER_POLICY | {"MAX_ATTEMPTS": 1}
    UserFactory(username="admin", roles=["Administrator"])
    recipient = PersonFactory(time_zone=LONDON, name="Failing Recipient")
    _milestone(recipient, "Joint evaluation plan", dt.date(2027, 3, 31))
    scan_reminders(now=at(LONDON, 2027, 3, 31, 0, 15))
    deliver_pending(now=at(LONDON, 2027, 3, 31, 9))
    sign_in(page, "admin")
    page.goto("/reminders/outbox/")
    failed = page.get_by_test_id("outbox-failed")
    expect(
        failed.get_by_role("cell", name=f"Failing Recipient ({recipient.institute})")
    ).to_be_visible()
    expect(failed.get_by_test_id("last-error")).to_contain_text("refused the connection")
    page.get_by_role("button", name="Retry e-mail to Failing Recipient").click()
    expect(page.get_by_text("The reminder will be e-mailed at the next delivery.")).to_be_visible()
    expect(
        page.get_by_test_id("outbox-pending").get_by_role(
            "cell", name=f"Failing Recipient ({recipient.institute})"
        )
    ).to_be_visible()


def test_dismissing_by_keyboard_keeps_focus_and_announces_it(page):
    from django.utils import timezone

    user = UserFactory(username="owner", roles=["Commitment owner"])
    owner = PersonFactory(user=user, time_zone=LONDON)
    today = timezone.localdate()
    _milestone(owner, "Annual dialogue report", today + dt.timedelta(days=12))
    _milestone(owner, "Joint testing plan", today + dt.timedelta(days=13))
    scan_reminders(now=timezone.now())
    sign_in(page, "owner")
    page.goto("/reminders/")
    rows = page.get_by_test_id("reminder")
    expect(rows).to_have_count(2)
    # The tag counts from the due date itself, not from the reminder's threshold.
    expect(rows.filter(has_text="Annual dialogue report")).to_contain_text("Due in 12 days")
    expect(rows.filter(has_text="Joint testing plan")).to_contain_text("Due in 13 days")
    page.get_by_role(
        "button", name="Dismiss due in 30 days reminder for Annual dialogue report"
    ).focus()
    page.keyboard.press("Enter")
    expect(rows).to_have_count(1)
    expect(page.locator("#reminder-announcement")).to_have_text("Reminder dismissed. 1 left.")
    focused = page.evaluate("() => document.activeElement.textContent")
    assert "Joint testing plan" in focused
    expect(page.locator("#my-reminder-count")).to_have_class(
        "govuk-tag govuk-tag--grey accord-count"
    )
    expect(page.locator("#my-reminder-count")).to_have_text("1")
    assert_accessible(page)
