"""Sign-in protection: lockout (django-axes), session timeouts, password change, sign out
everywhere; each writes its security event."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from institutes.choices import Role
from security import sessions
from security.choices import SecurityEventKind
from security.models import SecurityEvent
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _sign_in(client: Client, username: str, password: str, ip: str = "192.0.2.10"):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip, HTTP_USER_AGENT="t/1"
    )


def _kinds() -> list[str]:
    return list(SecurityEvent.objects.order_by("id").values_list("kind", flat=True))


def test_five_failures_lock_the_account_even_with_the_right_password(client):
    UserFactory(username="officer")
    for _ in range(4):
        assert _sign_in(client, "officer", "wrong").status_code == 200
    fifth = _sign_in(client, "officer", "wrong")
    assert fifth.status_code == 429
    assert b"Signing in is locked" in fifth.content
    locked = _sign_in(client, "officer", PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert _kinds().count(SecurityEventKind.SIGN_IN_FAILED) == 6  # the locked-out try too
    assert SecurityEventKind.LOCKED_OUT in _kinds()
    failure = SecurityEvent.objects.filter(kind=SecurityEventKind.SIGN_IN_FAILED).first()
    assert (failure.username, failure.ip_address, failure.user_agent) == (
        "officer",
        "192.0.2.10",
        "t/1",
    )
    assert failure.request_id


def test_the_account_is_locked_from_another_address_too(client):
    UserFactory(username="officer")
    for n in range(5):
        _sign_in(client, "officer", "wrong", ip=f"192.0.2.{n + 1}")
    assert _sign_in(Client(), "officer", PASSWORD, ip="198.51.100.7").status_code == 429


def test_an_address_is_locked_for_every_account(client):
    UserFactory(username="analyst")
    for n in range(5):
        _sign_in(client, f"guess{n}", "wrong", ip="203.0.113.9")
    assert _sign_in(Client(), "analyst", PASSWORD, ip="203.0.113.9").status_code == 429
    assert _sign_in(Client(), "analyst", PASSWORD, ip="203.0.113.10").status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, settings):
    UserFactory(username="officer")
    for _ in range(5):
        _sign_in(client, "officer", "wrong")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert _sign_in(client, "officer", PASSWORD).status_code == 302
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME


def test_an_administrator_lifts_a_lockout_in_the_admin(client):
    UserFactory(username="officer")
    admin = UserFactory(username="boss", is_staff=True, roles=[Role.ADMINISTRATOR])
    for _ in range(5):
        _sign_in(client, "officer", "wrong")
    attempt = AccessAttempt.objects.get(username="officer")
    staff = Client()
    staff.force_login(admin)
    response = staff.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="officer").exists()
    assert _sign_in(client, "officer", PASSWORD).status_code == 302


def test_sign_in_and_sign_out_are_recorded(client):
    user = UserFactory(username="officer")
    assert _sign_in(client, "officer", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    events = list(SecurityEvent.objects.order_by("id"))
    assert [e.kind for e in events] == [SecurityEventKind.SIGN_IN, SecurityEventKind.SIGN_OUT]
    assert {e.actor_id for e in events} == {user.pk}


@pytest.fixture
def clock(monkeypatch):
    """A controllable clock for the session timeouts."""

    class Clock:
        at = timezone.now()

        def advance(self, **delta: float) -> None:
            self.at += timedelta(**delta)

    c = Clock()
    monkeypatch.setattr(sessions, "now", lambda: c.at)
    return c


def test_a_session_idle_for_30_minutes_ends(client, clock):
    UserFactory(username="officer")
    _sign_in(client, "officer", PASSWORD)
    clock.advance(minutes=29)
    assert client.get("/").status_code == 200
    clock.advance(minutes=29)  # 29 idle minutes again: still fine
    assert client.get("/").status_code == 200
    clock.advance(minutes=31)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    expired = SecurityEvent.objects.get(kind=SecurityEventKind.SESSION_EXPIRED)
    assert "idle" in expired.detail


def test_a_session_ends_12_hours_after_sign_in_however_busy(client, clock):
    UserFactory(username="officer")
    _sign_in(client, "officer", PASSWORD)
    for _ in range(24):
        clock.advance(minutes=29)
        assert client.get("/").status_code == 200  # 11 h 36 min, active all along
    clock.advance(minutes=25)
    assert client.get("/").status_code == 302
    assert "signed in longer" in SecurityEvent.objects.get(kind="session_expired").detail


def test_changing_the_password_ends_other_sessions(client):
    user = UserFactory(username="officer")
    other = Client()
    _sign_in(client, "officer", PASSWORD)
    _sign_in(other, "officer", PASSWORD, ip="192.0.2.99")
    page = client.get("/accounts/password/")
    assert b"Change your password" in page.content
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase-9",
            "new_password2": "a-new-long-passphrase-9",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-new-long-passphrase-9")
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302
    assert SecurityEventKind.PASSWORD_CHANGED in _kinds()


def test_password_change_refuses_a_wrong_old_password_with_a_clear_error(client):
    UserFactory(username="officer")
    _sign_in(client, "officer", PASSWORD)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "nope",
            "new_password1": "x-long-one-77",
            "new_password2": "x-long-one-77",
        },
    )
    assert response.status_code == 200
    assert b"Your old password was entered incorrectly" in response.content


def test_sign_out_everywhere_ends_the_other_sessions_only(client):
    user = UserFactory(username="officer")
    phone, laptop = Client(), Client()
    for c in (client, phone, laptop):
        _sign_in(c, "officer", PASSWORD)
    someone_else = Client()
    UserFactory(username="analyst")
    _sign_in(someone_else, "analyst", PASSWORD, ip="192.0.2.50")
    response = client.post("/accounts/", follow=True)
    assert b"2 other sessions" in response.content
    assert client.get("/").status_code == 200
    assert phone.get("/").status_code == 302
    assert laptop.get("/").status_code == 302
    assert someone_else.get("/").status_code == 200
    event = SecurityEvent.objects.get(kind=SecurityEventKind.SIGNED_OUT_EVERYWHERE)
    assert event.actor_id == user.pk


def test_security_events_are_append_only():
    event = SecurityEvent.objects.create(kind=SecurityEventKind.SIGN_IN, username="x")
    with pytest.raises(Exception, match="Cannot update|Cannot delete|protect"):
        SecurityEvent.objects.filter(pk=event.pk).update(username="y")


def test_user_model_unchanged_by_security_app():
    assert get_user_model()._meta.label == "auth.User"
