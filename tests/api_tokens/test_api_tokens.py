"""Personal API tokens: hashed, named, several per user, expiring, read-only, revocable."""

from __future__ import annotations

import datetime as dt
import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from api_tokens.models import ApiToken
from api_tokens.services import token_create, token_revoke
from core.errors import DomainError, PermissionDenied
from tests.factories import PASSWORD


def _client(key: str, scheme: str = "Token") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{scheme} {key}")
    return client


def test_only_a_digest_and_a_prefix_are_stored(register):
    token, key = token_create(user=register.analyst, actor=register.analyst, name="Briefing")
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.digest == hashlib.sha256(key.encode()).hexdigest()
    assert key.startswith(stored.prefix) and len(stored.prefix) < len(key)
    assert key not in str(ApiToken.objects.filter(pk=token.pk).values().get())


@pytest.mark.parametrize("scheme", ["Token", "Bearer", "bearer"])
def test_token_and_bearer_schemes_both_work_and_record_last_use(register, scheme):
    token, key = token_create(user=register.analyst, actor=register.analyst, name="Briefing")
    assert _client(key, scheme).get("/api/v1/institutes/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_several_named_tokens_revoked_one_by_one(register):
    first, first_key = token_create(user=register.owner, actor=register.owner, name="Laptop")
    _second, second_key = token_create(user=register.owner, actor=register.owner, name="Server")
    token_revoke(token=first, actor=register.owner)
    assert _client(first_key).get("/api/v1/institutes/").status_code == 401
    assert _client(second_key).get("/api/v1/institutes/").status_code == 200


def test_an_expired_token_is_refused(register):
    now = timezone.now()
    _token, key = token_create(
        user=register.owner,
        actor=register.owner,
        name="Short",
        expires_at=now + dt.timedelta(hours=1),
        now=now,
    )
    assert _client(key).get("/api/v1/institutes/").status_code == 200
    ApiToken.objects.update(expires_at=now - dt.timedelta(seconds=1))
    response = _client(key).get("/api/v1/institutes/")
    assert response.status_code == 401
    assert response.json()["detail"] == "Unknown, expired or revoked token."


def test_nobody_creates_a_token_for_someone_else(register):
    with pytest.raises(PermissionDenied):
        token_create(user=register.analyst, actor=register.admin, name="For you")
    assert not ApiToken.objects.exists()


def test_names_are_required_and_unique_among_live_tokens(register):
    with pytest.raises(DomainError) as blank:
        token_create(user=register.owner, actor=register.owner, name="  ")
    assert blank.value.errors == {"name": "Give the token a name."}
    token_create(user=register.owner, actor=register.owner, name="Laptop")
    with pytest.raises(DomainError):
        token_create(user=register.owner, actor=register.owner, name="Laptop")


def test_the_reporting_role_always_gets_read_only_tokens_and_writes_are_403(register):
    token, key = token_create(user=register.analyst, actor=register.analyst, name="Reading")
    assert token.read_only
    response = _client(key).post(
        "/api/v1/commitments/1/transition/", {"to": "at_risk"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "This token is read-only."


def test_the_command_prints_the_key_once(register):
    out, err = StringIO(), StringIO()
    call_command(
        "create_api_token",
        "owner",
        "--name",
        "Cron",
        "--expires",
        "2999-01-01",
        "--read-only",
        stdout=out,
        stderr=err,
    )
    key = out.getvalue().strip()
    token = ApiToken.objects.get(name="Cron")
    assert token.read_only and token.expires_at.date() == dt.date(2999, 1, 1)
    assert token.digest == hashlib.sha256(key.encode()).hexdigest()
    assert "read-only" in err.getvalue()
    with pytest.raises(CommandError, match="--expires"):
        call_command("create_api_token", "owner", "--expires", "soon")
    with pytest.raises(CommandError, match="No user"):
        call_command("create_api_token", "nobody")


def test_settings_page_creates_shows_the_key_once_and_revokes(register, client):
    client.login(username="analyst", password=PASSWORD)
    url = reverse("api_tokens:settings")
    response = client.post(url, {"name": "Monthly briefing", "expires": ""})
    assert response.status_code == 200
    key = response.context["new_key"]
    assert key and key in response.content.decode()
    token = ApiToken.objects.get(user=register.analyst)
    assert token.read_only
    page = client.get(url).content.decode()
    assert "Monthly briefing" in page and token.prefix in page and key not in page
    assert _client(key).get("/api/v1/institutes/").status_code == 200
    client.post(reverse("api_tokens:revoke", args=[token.pk]))
    assert _client(key).get("/api/v1/institutes/").status_code == 401


def test_settings_page_refuses_bad_input_by_field(register, client):
    client.login(username="owner", password=PASSWORD)
    response = client.post(reverse("api_tokens:settings"), {"name": "", "expires": "2001-01-01"})
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == ["This field is required."]
    response = client.post(reverse("api_tokens:settings"), {"name": "X", "expires": "2001-01-01"})
    assert response.context["form"].errors == {"expires": ["The expiry must be in the future."]}


def test_one_cannot_revoke_another_persons_token(register, client):
    token, _key = token_create(user=register.owner, actor=register.owner, name="Mine")
    client.login(username="analyst", password=PASSWORD)
    assert client.post(reverse("api_tokens:revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
