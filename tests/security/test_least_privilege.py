"""Only superusers manage accounts; the Administrator role manages records, not accounts;
refusals and account changes go to the security log, which administrators can filter and
export."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client

from institutes.choices import Role
from security.choices import SecurityEventKind
from security.models import SecurityEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator() -> Client:
    client = Client()
    client.force_login(
        UserFactory(username="admin-role", is_staff=True, roles=[Role.ADMINISTRATOR])
    )
    return client


def test_administrator_role_holds_no_account_permissions():
    codenames = set(
        Group.objects.get(name=Role.ADMINISTRATOR).permissions.values_list(
            "content_type__app_label", "codename"
        )
    )
    assert ("auth", "view_user") in codenames
    assert not {c for c in codenames if c[0] in {"auth", "authtoken"} and c[1] != "view_user"} - {
        ("auth", "view_group")
    }
    assert ("security", "view_securityevent") in codenames
    assert ("mou", "change_commitment") in codenames  # records, still


def test_administrator_cannot_make_itself_superuser(administrator):
    me = get_user_model().objects.get(username="admin-role")
    page = administrator.get(f"/admin/auth/user/{me.pk}/change/")
    assert page.status_code == 200  # may look, read-only
    assert b'name="is_superuser"' not in page.content
    response = administrator.post(
        f"/admin/auth/user/{me.pk}/change/",
        {"username": "admin-role", "is_superuser": "on", "is_staff": "on", "is_active": "on"},
    )
    assert response.status_code == 403
    me.refresh_from_db()
    assert me.is_superuser is False
    refusal = SecurityEvent.objects.get(kind=SecurityEventKind.ACCESS_REFUSED)
    assert refusal.actor_id == me.pk
    assert refusal.path == f"/admin/auth/user/{me.pk}/change/"


@pytest.mark.parametrize(
    "path",
    ["/admin/auth/user/add/", "/admin/auth/group/add/"],
)
def test_administrator_cannot_add_accounts_or_groups(administrator, path):
    assert administrator.get(path).status_code == 403


def test_administrator_cannot_grant_its_group_permissions(administrator):
    group = Group.objects.get(name=Role.ADMINISTRATOR)
    every = list(Permission.objects.values_list("pk", flat=True))
    response = administrator.post(
        f"/admin/auth/group/{group.pk}/change/", {"name": group.name, "permissions": every}
    )
    assert response.status_code == 403
    assert group.permissions.count() < len(every)


def test_administrator_cannot_create_a_token_for_someone_else(administrator):
    analyst = UserFactory(username="analyst", roles=[Role.REPORTING_ANALYST])
    response = administrator.post("/admin/api_tokens/apitoken/add/", {"user": analyst.pk})
    assert response.status_code == 403
    # DRF's plain-text tokens are not offered at all.
    response = administrator.post("/admin/authtoken/tokenproxy/add/", {"user": analyst.pk})
    assert response.status_code == 404
    assert not analyst.api_tokens.exists()


def test_superuser_changes_to_accounts_are_recorded():
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    target = UserFactory(username="officer")
    client = Client()
    client.force_login(root)
    response = client.post(
        f"/admin/auth/user/{target.pk}/change/",
        {
            "username": "officer",
            "first_name": "",
            "last_name": "",
            "email": "",
            "is_active": "on",
            "is_staff": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    event = SecurityEvent.objects.get(kind=SecurityEventKind.ACCOUNT_CHANGED)
    assert event.actor_id == root.pk
    assert "officer" in event.detail
    assert "Staff status" in event.detail or "is_staff" in event.detail


def test_a_refused_page_is_recorded_with_the_rule():
    client = Client()
    client.force_login(UserFactory(username="officer", roles=[Role.POLICY_OFFICER]))
    response = client.get("/reminders/outbox/")
    assert response.status_code == 403
    event = SecurityEvent.objects.get(kind=SecurityEventKind.ACCESS_REFUSED)
    assert event.detail == "Only administrators can see the outbox."
    assert event.username == "officer"


def test_security_log_page_filters_and_exports(administrator):
    SecurityEvent.objects.create(kind=SecurityEventKind.SIGN_IN, username="alice")
    SecurityEvent.objects.create(
        kind=SecurityEventKind.SIGN_IN_FAILED, username="mallory", ip_address="203.0.113.5"
    )
    page = administrator.get("/admin/security/securityevent/?kind__exact=sign_in_failed")
    assert page.status_code == 200
    assert b"mallory" in page.content
    assert b"alice" not in page.content
    export = administrator.get(
        "/admin/security/securityevent/export.csv?kind__exact=sign_in_failed"
    )
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Time (UTC)", "Kind", "Username"]
    assert [r[2] for r in rows[1:]] == ["mallory"]
    assert rows[1][4] == "203.0.113.5"


def test_security_log_is_not_for_other_roles():
    client = Client()
    client.force_login(
        UserFactory(username="analyst", is_staff=True, roles=[Role.REPORTING_ANALYST])
    )
    assert client.get("/admin/security/securityevent/").status_code == 403
    assert client.get("/admin/security/securityevent/export.csv").status_code == 403
