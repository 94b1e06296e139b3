import pytest

from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_dismissing_a_reminder_that_does_not_exist_is_a_404(client):
    user = UserFactory(roles=["Commitment owner"])
    PersonFactory(user=user)
    client.force_login(user)
    assert client.post("/reminders/999999/dismiss/").status_code == 404


def test_dismissing_without_a_linked_person_is_not_a_server_error(client):
    client.force_login(UserFactory(roles=["Reporting analyst"]))
    assert client.post("/reminders/999999/dismiss/").status_code == 404


def test_retrying_a_reminder_that_does_not_exist_is_a_404(admin_client):
    assert admin_client.post("/reminders/outbox/999999/retry/").status_code == 404


@pytest.mark.parametrize(
    ("now", "message"),
    [
        ("9999-12-31T23:00:00+00:00", "between the years 1900 and 2999"),
        ("2027-03-31T08:00:00", "needs a time zone"),
        ("tomorrow", "--now:"),
    ],
)
def test_send_reminders_refuses_a_bad_now_with_a_clear_error(now, message):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match=message):
        call_command("send_reminders", now=now)
