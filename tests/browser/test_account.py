"""A person changes their password, signs out everywhere else, and is locked out after five
wrong passwords."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import sign_in
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_change_password_and_sign_out_everywhere_else(page, browser, live_server):
    UserFactory(username="officer", roles=["Policy officer"])
    other = browser.new_context(base_url=live_server.url).new_page()
    sign_in(other, "officer")
    sign_in(page, "officer")

    page.get_by_test_id("account-link").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    page.get_by_test_id("sign-out-everywhere").click()
    expect(page.get_by_text("Signed out everywhere else (1 other session)")).to_be_visible()
    other.goto("/")
    expect(other.get_by_role("heading", name="Sign in to Accord")).to_be_visible()

    page.get_by_test_id("change-password-link").click()
    page.get_by_label("Old password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("a-fresh-passphrase-42")
    page.get_by_label("New password confirmation").fill("a-fresh-passphrase-42")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Your password has been changed")).to_be_visible()
    other.context.close()


def test_five_wrong_passwords_lock_the_account(page):
    UserFactory(username="analyst", roles=["Reporting analyst"])
    for _ in range(5):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill("analyst")
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("locked-out")).to_be_visible()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("analyst")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("locked-out")).to_be_visible()
