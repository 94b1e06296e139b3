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
