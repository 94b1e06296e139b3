"""Delivery through the outbox: digests at 09:00 local, once a day, retries, opt-out."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command

from reminders.models import Digest, Reminder
from reminders.selectors import open_reminders_for
from reminders.services import deliver_pending, scan_reminders
from tests.factories import PersonFactory
from tests.reminders.conftest import LONDON, SYDNEY, at

D = dt.date


@pytest.fixture
def broken_mail(settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.reminders.mail_backends.BrokenBackend"}}


def recipients(messages):
    return sorted(address for m in messages for address in m.to)


@pytest.mark.django_db
def test_delivery_sends_each_digest_after_nine_in_the_recipients_zone(
    london_owner, sydney_owner, make_milestone, settings
):
    settings.SITE_URL = "https://accord.example.org"
    first = make_milestone(london_owner, D(2027, 3, 31), title="Annual dialogue report")
    make_milestone(london_owner, D(2027, 4, 6))
    make_milestone(sydney_owner, D(2027, 3, 31))
    scan_reminders(now=at(LONDON, 2027, 3, 30, 0, 30))
    # 08:45 in London is 19:45 in Sydney: only Sydney's digest is due.
    deliver_pending(now=at(LONDON, 2027, 3, 30, 8, 45))
    assert recipients(mail.outbox) == [sydney_owner.email]
    deliver_pending(now=at(LONDON, 2027, 3, 30, 9, 0))
    assert recipients(mail.outbox) == sorted([sydney_owner.email, london_owner.email])
    london_mail = mail.outbox[1]
    assert london_mail.subject == "Accord: 2 reminders for 30 Mar 2027"
    assert "Annual dialogue report" in london_mail.body
    assert f"https://accord.example.org/milestones/{first.pk}/" in london_mail.body
    html, mimetype = london_mail.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="https://accord.example.org/milestones/{first.pk}/"' in html
    assert set(Reminder.objects.values_list("status", flat=True)) == {"sent"}
    assert all(r.sent_at and r.attempts == 1 for r in Reminder.objects.all())
    # Nothing goes twice.
    deliver_pending(now=at(LONDON, 2027, 3, 30, 17))
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_delivery_sends_one_digest_per_person_per_local_day(london_owner, make_milestone):
    make_milestone(london_owner, D(2027, 3, 31))
    scan_reminders(now=at(LONDON, 2027, 3, 30, 0, 30))
    deliver_pending(now=at(LONDON, 2027, 3, 30, 9))
    # A milestone added at noon with a reminder current the same day waits for tomorrow.
    make_milestone(london_owner, D(2027, 4, 6))
    scan_reminders(now=at(LONDON, 2027, 3, 30, 12))
    deliver_pending(now=at(LONDON, 2027, 3, 30, 12, 15))
    assert len(mail.outbox) == 1
    assert Reminder.objects.filter(status="pending").count() == 1
    deliver_pending(now=at(LONDON, 2027, 3, 31, 9))
    assert len(mail.outbox) == 2
    assert Digest.objects.count() == 2


@pytest.mark.django_db
def test_delivery_opted_out_person_gets_no_email_but_sees_reminders(make_milestone):
    person = PersonFactory(time_zone=LONDON, email_reminders=False)
    make_milestone(person, D(2027, 3, 31))
    scan_reminders(now=at(LONDON, 2027, 3, 31, 0, 15))
    result = deliver_pending(now=at(LONDON, 2027, 3, 31, 10))
    assert mail.outbox == []
    assert result.skipped == 1
    assert [r.kind for r in open_reminders_for(person=person)] == ["due_today"]
    assert Reminder.objects.get().status == "skipped"


@pytest.mark.django_db
def test_delivery_escalation_reaches_the_managers_inbox(make_milestone):
    manager = PersonFactory(time_zone=SYDNEY, name="Manager")
    owner = PersonFactory(institute=manager.institute, manager=manager, time_zone=LONDON)
    make_milestone(owner, D(2027, 3, 31), title="Joint evaluation plan")
    scan_reminders(now=at(LONDON, 2027, 4, 15, 0, 15))
    deliver_pending(now=at(LONDON, 2027, 4, 15, 9))
    manager_mail = [m for m in mail.outbox if m.to == [manager.email]]
    assert len(manager_mail) == 1
    assert "Escalation" in manager_mail[0].body
    assert "Joint evaluation plan" in manager_mail[0].body


@pytest.mark.django_db
def test_delivery_mail_failure_keeps_reminders_pending_and_retries_later(
    london_owner, make_milestone, settings, broken_mail
):
    make_milestone(london_owner, D(2027, 3, 31))
    scan_reminders(now=at(LONDON, 2027, 3, 31, 0, 15))
    first_try = at(LONDON, 2027, 3, 31, 9)
    result = deliver_pending(now=first_try)
    reminder = Reminder.objects.get()
    assert result.messages == 0
    assert reminder.status == "pending"
    assert reminder.attempts == 1
    assert "refused the connection" in reminder.last_error
    assert reminder.next_attempt_at == first_try + dt.timedelta(minutes=5)
    assert Digest.objects.count() == 0
    # Not retried before its back-off time, even when the mail server is back.
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    deliver_pending(now=first_try + dt.timedelta(minutes=4))
    assert mail.outbox == []
    deliver_pending(now=first_try + dt.timedelta(minutes=5))
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts, reminder.last_error) == ("sent", 2, "")
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_delivery_gives_up_after_max_attempts_with_growing_back_off(
    london_owner, make_milestone, broken_mail
):
    make_milestone(london_owner, D(2027, 3, 31))
    scan_reminders(now=at(LONDON, 2027, 3, 31, 0, 15))
    now = at(LONDON, 2027, 3, 31, 9)
    waits = []
    for _ in range(5):
        deliver_pending(now=now)
        reminder = Reminder.objects.get()
        waits.append((reminder.next_attempt_at - now).total_seconds() / 60)
        now = reminder.next_attempt_at
    assert waits == [5, 15, 60, 240, 720]
    assert reminder.status == "pending"
    # The fifth wait ends at 02:20: the sixth try waits for the next digest time, 09:00.
    deliver_pending(now=now)
    assert Reminder.objects.get().attempts == 5
    deliver_pending(now=at(LONDON, 2027, 4, 1, 9))
    reminder = Reminder.objects.get()
    assert (reminder.status, reminder.attempts) == ("failed", 6)


@pytest.mark.django_db
def test_send_reminders_command_scans_and_delivers_at_the_given_instant(
    london_owner, make_milestone, capsys
):
    make_milestone(london_owner, D(2027, 3, 31))
    call_command("send_reminders", "--now", "2027-03-31T08:00:00Z")
    out = capsys.readouterr().out
    assert "Created 1 reminder(s)." in out
    assert "Due today: 1" in out
    assert f"to {london_owner.name} <{london_owner.email}>: 1 reminder(s)" in out
    assert len(mail.outbox) == 1
    call_command("send_reminders", "--now", "2027-03-31T08:15:00Z")
    out = capsys.readouterr().out
    assert "Created 0 reminder(s)." in out
    assert "Sent 0 e-mail(s)." in out


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 30])
def test_delivery_query_count_per_recipient_is_constant(
    count, make_milestone, django_assert_num_queries
):
    person = PersonFactory(time_zone=LONDON)
    for index in range(count):
        make_milestone(person, D(2027, 3, 31) - dt.timedelta(days=index % 20))
    scan_reminders(now=at(LONDON, 2027, 3, 31, 0, 15))
    with django_assert_num_queries(18):
        assert deliver_pending(now=at(LONDON, 2027, 3, 31, 9)).messages == 1


@pytest.mark.django_db
@pytest.mark.parametrize("people", [1, 12])
def test_delivery_pass_costs_fixed_queries_plus_one_mark_per_digest(
    people, make_milestone, django_assert_num_queries
):
    """Claim, render and back-off are per batch; the only statement per digest is the
    one that marks it sent right after the mail server accepted it."""
    for _ in range(people):
        make_milestone(PersonFactory(time_zone=LONDON), D(2027, 3, 31))
    scan_reminders(now=at(LONDON, 2027, 3, 31, 0, 15))
    with django_assert_num_queries(17 + people):
        assert deliver_pending(now=at(LONDON, 2027, 3, 31, 9)).messages == people
    assert Reminder.objects.filter(status="sent", digest__state="sent").count() == people


@pytest.mark.django_db
def test_delivery_does_not_email_reminders_whose_milestone_closed_first(
    london_owner, make_milestone
):
    milestone = make_milestone(london_owner, D(2027, 3, 31))
    scan_reminders(now=at(LONDON, 2027, 3, 31, 0, 15))
    milestone.status, milestone.done_on = "done", D(2027, 3, 31)
    milestone.save()
    result = deliver_pending(now=at(LONDON, 2027, 3, 31, 9))
    assert (result.messages, result.skipped) == (0, 1)
    assert mail.outbox == []
    assert Reminder.objects.get().status == "skipped"


def _sending_digest(person, reminders):
    """A digest claimed as "sending" (as a worker leaves it when it dies mid-send)."""
    from reminders.services import digest as digests

    claimed = Digest.objects.create(
        recipient=person, local_date=D(2027, 3, 31), state=Digest.SENDING,
        claimed_at=at(LONDON, 2027, 3, 31, 9),
        message_id=digests.message_id(person, D(2027, 3, 31)),
    )  # fmt: skip
    Reminder.objects.filter(pk__in=[r.pk for r in reminders]).update(digest=claimed)
    return claimed


@pytest.mark.django_db(transaction=True)
def test_a_dead_attempts_digest_is_sent_again_with_its_message_id_and_a_live_one_is_not(
    make_milestone,
):
    import psycopg
    from django.db import connection

    from core.runtime import database_url

    dead, live = PersonFactory(time_zone=LONDON), PersonFactory(time_zone=LONDON)
    make_milestone(dead, D(2027, 3, 31))
    make_milestone(live, D(2027, 3, 31))
    scan_reminders(now=at(LONDON, 2027, 3, 31, 0, 15))
    dead_digest = _sending_digest(dead, Reminder.objects.filter(recipient=dead))
    live_digest = _sending_digest(live, Reminder.objects.filter(recipient=live))
    # Another worker, alive, holds the lock of the digest it is sending.
    with psycopg.connect(database_url(connection.settings_dict), autocommit=True) as other:
        other.execute(
            "SELECT pg_advisory_lock(((1094927431::bigint << 32) | %s))", [live_digest.pk]
        )
        result = deliver_pending(now=at(LONDON, 2027, 3, 31, 9, 30))
        assert [person.pk for person, _ in result.sent] == [dead.pk]
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == [dead.email]
        assert mail.outbox[0].extra_headers["Message-ID"] == dead_digest.message_id
        live_digest.refresh_from_db()
        assert live_digest.state == Digest.SENDING
    dead_digest.refresh_from_db()
    assert dead_digest.state == Digest.SENT
    assert Reminder.objects.get(recipient=dead).status == "sent"
    assert Reminder.objects.get(recipient=live).status == "pending"
    # Its worker gone (the lock released with its connection), the next pass sends it.
    deliver_pending(now=at(LONDON, 2027, 3, 31, 9, 45))
    assert recipients(mail.outbox) == sorted([dead.email, live.email])
    assert Digest.objects.filter(state=Digest.SENT).count() == 2
