"""Every admin of Accord's own models either writes through the services (stale saves
refused, the same history as a page's write, an unchanged save writes nothing) or is
read-only. Generated over the admin registry: a new admin without a row here fails."""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pghistory.models
import pytest
from django.contrib import admin
from django.db import models
from django.test import Client

from core.admin import ReadOnlyAdmin, ServiceAdmin
from tests.factories import (
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    ExchangeQuotaFactory,
    InstituteFactory,
    MilestoneFactory,
    PersonFactory,
    SecondmentFactory,
)

OUR_APPS = {
    "core", "institutes", "mou", "exchanges", "reminders", "reporting", "feeds", "api_tokens",
    "security",
}  # fmt: skip


def _party() -> Any:
    return AgreementFactory().party_links.first()


def _signatory() -> Any:
    from mou.models import Signatory

    party = _party()
    return Signatory.objects.create(
        agreement=party.agreement, party=party, name="A. Signer", office="Minister"
    )


# model label → (make a row, a text field to edit in the admin form)
EDITS: dict[str, tuple[Callable[[], Any], str]] = {
    "institutes.institute": (InstituteFactory, "notes"),
    "institutes.person": (PersonFactory, "job_title"),
    "mou.agreement": (AgreementFactory, "summary"),
    "mou.party": (_party, "lead_department"),
    "mou.signatory": (_signatory, "office"),
    "mou.clause": (ClauseFactory, "title"),
    "mou.commitment": (CommitmentFactory, "notes"),
    "mou.milestone": (MilestoneFactory, "title"),
    "exchanges.secondment": (SecondmentFactory, "notes"),
    "exchanges.exchangequota": (ExchangeQuotaFactory, "notes"),
}


def _ours() -> list[tuple[type[models.Model], admin.ModelAdmin]]:
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in OUR_APPS
    ]


class _FormValues(HTMLParser):
    """The values a browser would submit from the admin's change form, unchanged."""

    def __init__(self) -> None:
        super().__init__()
        self.values: list[tuple[str, str]] = []
        self._in_form = False
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("id", "").endswith("_form"):
            self._in_form = True
        if not self._in_form:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in {"submit", "button", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            self.values.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.values.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.values.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text += data


def _form(client: Client, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, url
    parser = _FormValues()
    parser.feed(response.content.decode())
    data: dict[str, Any] = {}
    for name, value in parser.values:
        data.setdefault(name, []).append(value)
    return {k: v if len(v) > 1 else v[0] for k, v in data.items()} | {"_save": "Save"}


def _events(obj: models.Model) -> list[Any]:
    return list(pghistory.models.Events.objects.tracks(obj).order_by("pgh_created_at", "pgh_id"))


@pytest.fixture
def superuser_client(client: Client, admin_user: Any) -> Client:
    client.force_login(admin_user)
    return client


def test_every_admin_of_ours_writes_through_services_or_is_read_only() -> None:
    for model, model_admin in _ours():
        label = model._meta.label_lower
        if isinstance(model_admin, ReadOnlyAdmin):
            continue
        assert isinstance(model_admin, ServiceAdmin), f"{label}: neither service nor read-only"
        assert label in EDITS, f"{label}: add a row to EDITS so its admin writes are tested"
        for inline in model_admin.inlines:
            assert not inline.has_add_permission(inline, None, None), f"{label}: {inline}"
            assert not inline.has_change_permission(inline, None, None), f"{label}: {inline}"


@pytest.mark.django_db
def test_read_only_admins_refuse_every_write(rf: Any, admin_user: Any) -> None:
    request = rf.get("/")
    request.user = admin_user
    for model, model_admin in _ours():
        if isinstance(model_admin, ReadOnlyAdmin):
            assert not model_admin.has_add_permission(request)
            assert not model_admin.has_change_permission(request)
            assert not model_admin.has_delete_permission(request)
        else:
            assert not model_admin.has_delete_permission(request), model._meta.label


@pytest.mark.django_db
@pytest.mark.parametrize("label", sorted(EDITS))
def test_admin_save_goes_through_the_service(superuser_client: Client, admin_user: Any, label):
    make, field = EDITS[label]
    obj = make()
    model = type(obj)
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/{obj.pk}/change/"
    opened = _form(superuser_client, url)
    version, events = obj.version, len(_events(obj))

    # Saved unchanged: nothing written, no history, no new version.
    response = superuser_client.post(url, opened)
    assert response.status_code == 302, response.content.decode()[:2000]
    obj.refresh_from_db()
    assert (obj.version, len(_events(obj))) == (version, events)

    # One change: one new version, one history event naming the administrator.
    response = superuser_client.post(url, opened | {field: "Changed by the first admin"})
    assert response.status_code == 302, response.content.decode()[:2000]
    obj.refresh_from_db()
    assert getattr(obj, field) == "Changed by the first admin"
    assert obj.version == version + 1
    latest = _events(obj)[-1]
    assert latest.pgh_context["user"] == admin_user.pk

    # A second administrator who opened the same form before that save is refused.
    response = superuser_client.post(url, opened | {field: "Changed by the second admin"})
    assert response.status_code == 200
    assert "Someone else saved this record" in response.content.decode()
    obj.refresh_from_db()
    assert getattr(obj, field) == "Changed by the first admin"
    assert obj.version == version + 1


@pytest.mark.django_db
def test_admin_save_without_a_version_is_refused(superuser_client: Client) -> None:
    commitment = CommitmentFactory()
    url = f"/admin/mou/commitment/{commitment.pk}/change/"
    data = _form(superuser_client, url)
    data.pop("expected_version")
    response = superuser_client.post(url, data | {"notes": "No version"})
    assert response.status_code == 200
    assert "which version it was opened at" in response.content.decode()
    commitment.refresh_from_db()
    assert commitment.notes != "No version"
