"""Every edit form, opened and saved in Chromium, keeps what it does not change.

The app runs in en-GB, whose usual date format (31/03/2027) a browser date box cannot show:
a form that rendered dates that way opened with empty boxes and erased the dates on save.
"""

import datetime as dt
from typing import Any

import pghistory.models
import pytest
from django.db import models
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.views_helpers import NOTHING_CHANGED
from exchanges.choices import SecondmentStatus, VettingLevel
from institutes.choices import Role
from mou.models import Agreement
from tests.browser.helpers import sign_in
from tests.factories import (
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    InstituteFactory,
    MilestoneFactory,
    PersonFactory,
    SecondmentFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Bumped by any save: compared separately.
BOOKKEEPING = {"version", "updated_at"}


def stored(instance: models.Model) -> dict[str, Any]:
    """Every column of the row as the database holds it now (and many-to-many ids)."""
    model = type(instance)
    row = model._default_manager.filter(pk=instance.pk).values().get()
    for field in model._meta.many_to_many:
        row[field.name] = sorted(
            getattr(model._default_manager.get(pk=instance.pk), field.name).values_list(
                "pk", flat=True
            )
        )
    return row


def events(instance: models.Model) -> int:
    return pghistory.models.Events.objects.tracks(instance).count()


def assert_only_changed(before: dict[str, Any], after: dict[str, Any], changed: set[str]) -> None:
    ignored = changed | BOOKKEEPING
    assert {k: v for k, v in after.items() if k not in ignored} == {
        k: v for k, v in before.items() if k not in ignored
    }
    assert after["version"] == before["version"] + 1


def assert_saving_unchanged_writes_nothing(
    page: Page, instance: models.Model, url: str, save: Any, done: str = NOTHING_CHANGED
) -> None:
    before, count = stored(instance), events(instance)
    page.goto(url)
    save()
    expect(page.get_by_text(done).first).to_be_visible()
    assert stored(instance) == before
    assert events(instance) == count


def test_commitment_edit_keeps_every_other_value(page):
    agreement = AgreementFactory()
    clause = ClauseFactory(agreement=agreement)
    owed_by = agreement.parties.order_by("pk").last()
    commitment = CommitmentFactory(
        clause=clause,
        title="Joint research on testing",
        description="Run joint evaluations.",
        theme="Testing",
        owed_by=owed_by,
        start_on=dt.date(2026, 6, 1),
        target_on=dt.date(2027, 5, 31),
        notes="As agreed.",
    )
    user = UserFactory(username="owner", roles=[Role.COMMITMENT_OWNER])
    commitment.owner.user = user
    commitment.owner.save()
    before = stored(commitment)

    sign_in(page, "owner")
    page.goto(f"/commitments/{commitment.pk}/edit/")
    expect(page.get_by_label("Start date")).to_have_value("2026-06-01")
    expect(page.get_by_label("Target date")).to_have_value("2027-05-31")
    page.get_by_label("Notes").fill("Phase two agreed at the March meeting.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Commitment saved.")).to_be_visible()
    # Dates are still shown in words on the page.
    expect(page.get_by_text("31 May 2027").first).to_be_visible()

    after = stored(commitment)
    assert after["notes"] == "Phase two agreed at the March meeting."
    assert_only_changed(before, after, {"notes"})

    assert_saving_unchanged_writes_nothing(
        page,
        commitment,
        f"/commitments/{commitment.pk}/edit/",
        lambda: page.get_by_role("button", name="Save").click(),
    )


def test_milestone_reschedule_box_shows_the_due_date_and_keeps_it(page):
    milestone = MilestoneFactory(title="Joint testing report", due_on=dt.date(2027, 3, 31),
                                 evidence_url="https://example.org/plan")  # fmt: skip
    user = UserFactory(username="owner", roles=[Role.COMMITMENT_OWNER])
    milestone.owner.user = user
    milestone.owner.save()
    before = stored(milestone)

    sign_in(page, "owner")
    page.goto(f"/milestones/{milestone.pk}/")
    expect(page.get_by_label("New due date")).to_have_value("2027-03-31")
    page.get_by_label("Reason (optional)", exact=True).fill(
        "The partner asked to confirm the date."
    )
    page.get_by_role("button", name="Reschedule").click()
    expect(page.get_by_text("Milestone rescheduled.")).to_be_visible()
    expect(page.get_by_text("31 Mar 2027").first).to_be_visible()

    after = stored(milestone)
    assert after["status_reason"] == "The partner asked to confirm the date."
    assert after["due_on"] == dt.date(2027, 3, 31)
    assert_only_changed(before, after, {"status_reason"})

    assert_saving_unchanged_writes_nothing(
        page,
        milestone,
        f"/milestones/{milestone.pk}/",
        lambda: page.get_by_role("button", name="Reschedule").click(),
    )


def test_secondment_edit_keeps_dates_approvals_and_links(page):
    uk = InstituteFactory(short_name="UKI", country="GB")
    au = InstituteFactory(short_name="AUI", country="AU", time_zone="Australia/Sydney")
    agreement = AgreementFactory(parties=[uk, au])
    coordinator = UserFactory(username="coordinator", roles=[Role.EXCHANGE_COORDINATOR])
    PersonFactory(institute=uk, user=coordinator)
    host = UserFactory(username="coordinator-au", roles=[Role.EXCHANGE_COORDINATOR])
    PersonFactory(institute=au, user=host)
    approved_at = timezone.now() - dt.timedelta(days=2)
    secondment = SecondmentFactory(
        agreement=agreement,
        home_institute=uk,
        host_institute=au,
        status=SecondmentStatus.APPROVED,
        home_approved_by=coordinator,
        home_approved_at=approved_at,
        host_approved_by=host,
        host_approved_at=approved_at,
        vetting_required_home=VettingLevel.BASELINE,
        vetting_required_host=VettingLevel.ENHANCED,
        vetting_held=VettingLevel.ENHANCED,
        vetting_granted_on=dt.date(2026, 10, 1),
        vetting_expires_on=dt.date(2028, 10, 1),
        undertaking_signed_on=dt.date(2026, 12, 1),
        access_granted_on=dt.date(2026, 12, 15),
        access_expires_on=dt.date(2027, 6, 30),
        notes="Desk booked.",
        commitments=[CommitmentFactory(clause=ClauseFactory(agreement=agreement))],
    )
    before = stored(secondment)

    sign_in(page, "coordinator")
    page.goto(f"/exchanges/{secondment.pk}/edit/")
    expect(page.get_by_label("Confidentiality and IP undertaking signed")).to_have_value(
        "2026-12-01"
    )
    expect(page.get_by_label("Host-side access granted")).to_have_value("2026-12-15")
    expect(page.get_by_label("Planned start")).to_have_value("2027-01-04")
    page.get_by_label("Notes").fill("Desk booked on the third floor.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Secondment saved.")).to_be_visible()

    after = stored(secondment)
    assert after["notes"] == "Desk booked on the third floor."
    assert_only_changed(before, after, {"notes"})

    assert_saving_unchanged_writes_nothing(
        page,
        secondment,
        f"/exchanges/{secondment.pk}/edit/",
        lambda: page.get_by_role("button", name="Save").click(),
    )


def test_agreement_admin_change_form_keeps_every_other_value(page):
    # There is no agreement edit page: administrators edit agreements in the admin.
    builds_on = AgreementFactory(title="Earlier memorandum")
    agreement = AgreementFactory(
        title="AI safety memorandum",
        summary="Cooperation on AI safety.",
        builds_on=builds_on,
        signed_on=dt.date(2026, 5, 25),
        signed_place="London",
        effective_on=dt.date(2026, 6, 1),
        review_on=dt.date(2028, 5, 25),
        expires_on=dt.date(2031, 5, 25),
        source_url="https://example.org/mou",
        notes="As signed.",
    )
    UserFactory(username="admin", is_staff=True, is_superuser=True, roles=[Role.ADMINISTRATOR])
    before = stored(agreement)

    sign_in(page, "admin")
    url = f"/admin/mou/agreement/{agreement.pk}/change/"
    page.goto(url)
    page.locator("#id_sources").fill("The signed text.")
    page.locator('input[name="_save"]').click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()

    after = stored(agreement)
    assert after["sources"] == "The signed text."
    assert_only_changed(before, after, {"sources"})
    assert Agreement.objects.get(pk=agreement.pk).parties.count() == 2

    assert_saving_unchanged_writes_nothing(
        page,
        agreement,
        url,
        lambda: page.locator('input[name="_save"]').click(),
        "was changed successfully",
    )
