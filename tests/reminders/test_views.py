"""My reminders, the outbox and the policy page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from reminders.models import Reminder
from reminders.services import deliver_pending, scan_reminders
from tests.factories import PersonFactory, UserFactory
from tests.reminders.conftest import LONDON, at

D = dt.date


@pytest.fixture
def owner_client(client, make_milestone):
    user = UserFactory(username="owner", roles=["Commitment owner"])
    person = PersonFactory(user=user, time_zone=LONDON, name="Demo Owner")
    client.force_login(user)
    return client, person


@pytest.fixture
def admin_client_(client):
    user = UserFactory(username="admin", roles=["Administrator"])
    client.force_login(user)
    return client


def _reminders_for(person, make_milestone, count: int) -> None:
    for index in range(count):
        make_milestone(person, D(2027, 3, 31) - dt.timedelta(days=index), title=f"Report {index}")
    scan_reminders(now=at(LONDON, 2027, 3, 31, 0, 15))


@pytest.mark.django_db
def test_mine_lists_my_open_reminders_with_their_subjects(owner_client, make_milestone):
    client, person = owner_client
    make_milestone(person, D(2027, 3, 31), title="Annual dialogue report")
    make_milestone(PersonFactory(), D(2027, 3, 31), title="Someone else's")
    scan_reminders(now=at(LONDON, 2027, 3, 31, 0, 15))
    response = client.get(reverse("reminders:mine"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Annual dialogue report" in body
    # The tag keeps the reminder's kind, and its words count from the due date itself.
    assert 'data-reminder="due_today"' in body
    days = (D(2027, 3, 31) - timezone.localdate()).days
    assert f"Due in {days} days" in body
    assert "31 Mar 2027" in body
    assert "Someone else" not in body


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 20])
def test_mine_query_count_does_not_grow(
    count, owner_client, make_milestone, django_assert_num_queries
):
    client, person = owner_client
    _reminders_for(person, make_milestone, count)
    # The session, the user, the user's person, the count and the page of rows.
    with django_assert_num_queries(6):
        response = client.get(reverse("reminders:mine"))
    assert response.content.decode().count('data-testid="reminder"') == count


@pytest.mark.django_db
def test_dismiss_hides_the_reminder_and_stops_its_email(owner_client, make_milestone):
    client, person = owner_client
    _reminders_for(person, make_milestone, 2)
    reminder = Reminder.objects.filter(recipient=person).first()
    response = client.post(reverse("reminders:dismiss", args=[reminder.pk]))
    assert response.status_code == 302
    reminder.refresh_from_db()
    assert reminder.dismissed_at is not None
    assert reminder.status == "skipped"
    assert (
        client.get(reverse("reminders:mine")).content.decode().count('data-testid="reminder"') == 1
    )


@pytest.mark.django_db
def test_dismiss_by_htmx_returns_the_list_and_the_new_count(owner_client, make_milestone):
    client, person = owner_client
    _reminders_for(person, make_milestone, 2)
    reminder = Reminder.objects.filter(recipient=person).first()
    response = client.post(reverse("reminders:dismiss", args=[reminder.pk]), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('data-testid="reminder"') == 1
    assert (
        '<span class="govuk-tag govuk-tag--grey accord-count" id="my-reminder-count" '
        'hx-swap-oob="true">1</span>' in body
    )


@pytest.mark.django_db
def test_dismiss_someone_elses_reminder_is_forbidden(owner_client, make_milestone):
    client, _ = owner_client
    make_milestone(PersonFactory(), D(2027, 3, 31))
    scan_reminders(now=at(LONDON, 2027, 3, 31, 0, 15))
    other = Reminder.objects.get()
    assert client.post(reverse("reminders:dismiss", args=[other.pk])).status_code == 403
    other.refresh_from_db()
    assert other.dismissed_at is None


@pytest.mark.django_db
def test_context_processor_gives_my_reminder_count(owner_client, make_milestone):
    client, person = owner_client
    _reminders_for(person, make_milestone, 3)
    response = client.get(reverse("reminders:mine"))
    assert response.context["my_reminder_count"]() == 3


@pytest.mark.django_db
def test_outbox_is_for_administrators_only(owner_client):
    client, _ = owner_client
    assert client.get(reverse("reminders:outbox")).status_code == 403


@pytest.mark.django_db
def test_outbox_shows_a_failure_and_retries_it(admin_client_, make_milestone, settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.reminders.mail_backends.BrokenBackend"}}
    settings.REMINDER_POLICY = settings.REMINDER_POLICY | {"MAX_ATTEMPTS": 1}
    person = PersonFactory(time_zone=LONDON, name="Failing Recipient")
    make_milestone(person, D(2027, 3, 31), title="Joint evaluation plan")
    scan_reminders(now=at(LONDON, 2027, 3, 31, 0, 15))
    deliver_pending(now=at(LONDON, 2027, 3, 31, 9))
    body = admin_client_.get(reverse("reminders:outbox")).content.decode()
    assert 'data-testid="outbox-failed"' in body
    assert "Failing Recipient" in body
    assert "refused the connection" in body
    reminder = Reminder.objects.get()
    assert reminder.status == "failed"
    response = admin_client_.post(reverse("reminders:retry", args=[reminder.pk]), follow=True)
    assert "will be e-mailed at the next delivery" in response.content.decode()
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == ("pending", 1)
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    # Today's digest was never sent, so the retry goes out at the next delivery.
    assert deliver_pending(now=at(LONDON, 2027, 3, 31, 9, 15)).messages == 1
    reminder.refresh_from_db()
    assert reminder.status == "sent"


@pytest.mark.django_db
def test_outbox_retry_of_a_sent_reminder_is_refused(admin_client_, make_milestone):
    make_milestone(PersonFactory(time_zone=LONDON), D(2027, 3, 31))
    scan_reminders(now=at(LONDON, 2027, 3, 31, 0, 15))
    deliver_pending(now=at(LONDON, 2027, 3, 31, 9))
    reminder = Reminder.objects.get()
    response = admin_client_.post(reverse("reminders:retry", args=[reminder.pk]), follow=True)
    assert "Only a failed reminder can be retried." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 20])
def test_outbox_query_count_does_not_grow(
    count, admin_client_, make_milestone, django_assert_num_queries
):
    for _ in range(count):
        make_milestone(PersonFactory(time_zone=LONDON), D(2027, 3, 31))
    scan_reminders(now=at(LONDON, 2027, 3, 31, 0, 15))
    with django_assert_num_queries(8):
        assert admin_client_.get(reverse("reminders:outbox")).status_code == 200


@pytest.mark.django_db
def test_policy_page_states_the_policy(owner_client):
    client, _ = owner_client
    body = client.get(reverse("reminders:policy")).content.decode()
    assert "30 days before the due date" in body
    assert "every 7 days" in body
    assert "14 whole days" in body
    assert "after 9:00 in your time zone" in body
