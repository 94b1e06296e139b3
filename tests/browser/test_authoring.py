"""Signed in as the demo officer, an agreement, a clause, a commitment and a milestone are
created in Accord's own pages, by keyboard, each page checked with axe-core."""

import pytest
from playwright.sync_api import Page, expect

from institutes.models import Person
from mou.models import Agreement, Commitment, Milestone
from tests.browser.axe import assert_accessible, tab_to
from tests.browser.demo import load_demo_accounts
from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def type_into(page: Page, label: str, text: str) -> None:
    """Focus a box by its label and type into it, as a keyboard user does (a date box's
    segments follow the browser's locale, so a date is filled in ISO form)."""
    box = page.get_by_label(label, exact=True)
    box.focus()
    if box.get_attribute("type") == "date":
        box.fill(text)
    else:
        page.keyboard.type(text)


def submit(page: Page, button: str) -> None:
    page.get_by_role("button", name=button).focus()
    page.keyboard.press("Enter")


def test_demo_officer_authors_an_agreement_end_to_end_by_keyboard(page):
    accounts = load_demo_accounts()
    officer_person = Person.objects.select_related("institute").get(user__username="officer")
    home = officer_person.institute
    partner = Agreement.objects.get(code="uk-au-ai-2026").parties.exclude(pk=home.pk).get()
    sign_in(page, "officer", accounts["officer"])

    page.goto("/agreements/")
    tab_to(page, "Create an agreement")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Create an agreement")).to_be_visible()
    assert_accessible(page)

    # A refused form names each field and keeps what was typed.
    type_into(page, "Title", "UK–Australia AI research compact")
    submit(page, "Create agreement")
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(
        page.get_by_role("link", name="Short reference code: This field is required.")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Participants: This field is required.")).to_be_visible()
    assert_accessible(page)

    type_into(page, "Short reference code", "uk-au-compact-2027")
    for institute in (home, partner):
        page.get_by_label(f"{institute.name} ({institute.short_name})").focus()
        page.keyboard.press("Space")
    type_into(page, "Signed on (optional)", "2027-01-15")
    submit(page, "Create agreement")
    expect(page.get_by_text("Agreement created.")).to_be_visible()
    expect(page.get_by_role("heading", name="UK–Australia AI research compact")).to_be_visible()
    assert_accessible(page)

    tab_to(page, "Add a clause")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Add a clause")).to_be_visible()
    type_into(page, "Number", "2.1")
    type_into(page, "Title", "Joint evaluations")
    submit(page, "Add clause")
    expect(page.get_by_text("Clause added.")).to_be_visible()

    tab_to(page, "Add a commitment")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Add a commitment")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Clause").select_option(label="2.1 Joint evaluations")
    type_into(page, "Reference", "2.1-a")
    type_into(page, "Title", "Run a joint evaluation of a frontier model")
    page.get_by_label("Lead institute").select_option(label=str(home))
    page.get_by_label("Owner").select_option(label=f"{officer_person.name} ({home.short_name})")
    submit(page, "Add commitment")
    expect(page.get_by_text("Commitment created.")).to_be_visible()
    assert_accessible(page)

    type_into(page, "Milestone", "Evaluation plan agreed")
    type_into(page, "Due on", "2027-06-30")
    submit(page, "Add milestone")
    expect(page.get_by_text("Milestone added.")).to_be_visible()
    expect(page.get_by_role("link", name="Evaluation plan agreed")).to_be_visible()
    assert_accessible(page)

    commitment = Commitment.objects.get(reference="2.1-a", agreement__code="uk-au-compact-2027")
    assert commitment.clause.number == "2.1"
    assert commitment.is_joint
    milestone = Milestone.objects.get(commitment=commitment)
    assert (milestone.title, str(milestone.due_on)) == ("Evaluation plan agreed", "2027-06-30")
