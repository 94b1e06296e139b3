"""History: every way a row can change (a service, the admin, a bulk update) leaves an
event naming who did it; the events read in plain words; and they cannot be rewritten."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.db import DatabaseError, connection, transaction
from django.test import Client

from core.actors import LOAD_DEMO
from core.history import Change, acting, history_for
from institutes.choices import Role
from mou import services
from mou.choices import CommitmentStatus
from mou.models import Commitment, Milestone
from mou.selectors import commitment_history, record_history
from tests.factories import (
    PASSWORD,
    CommitmentFactory,
    MilestoneFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():  # type: ignore[no-untyped-def]
    user = UserFactory(first_name="Ada", last_name="Lovelace", roles=[str(Role.ADMINISTRATOR)])
    PersonFactory(user=user, name="Ada Lovelace")
    return user


def describe(entry) -> list[str]:  # type: ignore[no-untyped-def]
    return [f"{c.label}: {c.old} → {c.new}, by {entry.by}" for c in entry.changes]


def test_history_service_transition_names_actor_and_labels(admin_user) -> None:  # type: ignore[no-untyped-def]
    commitment = CommitmentFactory(status=CommitmentStatus.ON_TRACK)
    services.commitment_transition(
        commitment=commitment, to=CommitmentStatus.AT_RISK, actor=admin_user
    )
    latest = history_for(Commitment, [commitment.pk])[0]
    assert latest.kind == "changed"
    assert latest.by == "Ada Lovelace"
    assert "Status: On track → At risk, by Ada Lovelace" in describe(latest)
    assert Change(field="status", label="Status", old="On track", new="At risk") in latest.changes


def test_history_service_edit_shows_related_names_and_dates(admin_user) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    commitment = CommitmentFactory()
    new_owner = PersonFactory(institute=commitment.lead_institute, name="Grace Hopper")
    old_owner_name = commitment.owner.name
    services.commitment_update(
        commitment=commitment,
        actor=admin_user,
        changes={"owner": new_owner, "target_on": dt.date(2027, 3, 31)},
        expected_version=commitment.version,
    )
    latest = history_for(Commitment, [commitment.pk])[0]
    by_field = {c.field: c for c in latest.changes}
    assert (by_field["owner"].old, by_field["owner"].new) == (old_owner_name, "Grace Hopper")
    assert (by_field["target_on"].old, by_field["target_on"].new) == ("—", "31 Mar 2027")
    assert "version" not in by_field and "updated_at" not in by_field


def test_history_records_creation_and_system_writes() -> None:
    commitment = CommitmentFactory()
    services.commitment_transition(
        commitment=commitment, to=CommitmentStatus.AT_RISK, actor=LOAD_DEMO
    )
    entries = history_for(Commitment, [commitment.pk])
    assert [e.kind for e in entries] == ["changed", "created"]
    assert entries[0].by == "the demo loader"
    assert entries[1].by == "the system"
    assert entries[1].label.startswith("Commitment: ")


def test_history_bulk_update_attributed_to_acting_user(admin_user) -> None:  # type: ignore[no-untyped-def]
    first, second = CommitmentFactory(), CommitmentFactory()
    with acting(admin_user):
        Commitment.objects.filter(pk__in=[first.pk, second.pk]).update(title="Renamed in bulk")
    for commitment in (first, second):
        latest = history_for(Commitment, [commitment.pk])[0]
        assert latest.by == "Ada Lovelace"
        assert [c.field for c in latest.changes] == ["title"]
        assert latest.changes[0].new == "Renamed in bulk"


def test_history_falls_back_to_username_without_full_name() -> None:
    user = UserFactory(username="jbloggs", first_name="", last_name="", roles=["Administrator"])
    commitment = CommitmentFactory()
    services.commitment_transition(commitment=commitment, to=CommitmentStatus.AT_RISK, actor=user)
    assert history_for(Commitment, [commitment.pk])[0].by == "jbloggs"


def test_commitment_history_includes_milestones_newest_first(admin_user) -> None:  # type: ignore[no-untyped-def]
    commitment = CommitmentFactory()
    milestone = MilestoneFactory(commitment=commitment, title="Annual dialogue 2027")
    services.milestone_cancel(milestone=milestone, actor=admin_user, reason="Postponed.")
    entries = commitment_history(commitment)
    # Inside one test transaction every event carries the same time, so find it by label.
    cancelled = next(
        e for e in entries if e.label == "Milestone: Annual dialogue 2027" and e.changes
    )
    assert cancelled.by == "Ada Lovelace"
    assert Change(field="status", label="Status", old="Open", new="Cancelled") in cancelled.changes
    assert {e.label for e in entries} == {"Commitment", "Milestone: Annual dialogue 2027"}
    assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)
    assert record_history(milestone)[0].changes == cancelled.changes


def test_history_for_costs_three_queries(django_assert_num_queries, admin_user) -> None:  # type: ignore[no-untyped-def]
    commitments = [CommitmentFactory() for _ in range(3)]
    for commitment in commitments:
        services.commitment_update(
            commitment=commitment,
            actor=admin_user,
            changes={"owner": PersonFactory(institute=commitment.lead_institute)},
            expected_version=commitment.version,
        )
    with django_assert_num_queries(3):
        entries = history_for(Commitment, [c.pk for c in commitments])
    assert len(entries) == 6


# --- Append-only ------------------------------------------------------------------------


@pytest.mark.parametrize("table", ["mou_commitmentevent", "mou_milestoneevent"])
@pytest.mark.parametrize(
    "statement", ["UPDATE {table} SET pgh_label = 'forged'", "DELETE FROM {table}"]
)
def test_history_tables_refuse_update_and_delete(table: str, statement: str) -> None:
    MilestoneFactory()  # one event in each table
    with (
        pytest.raises(DatabaseError, match="(?i)cannot|protect|append"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.format(table=table))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} WHERE pgh_label = 'forged'")  # noqa: S608
        assert cursor.fetchone() == (0,)


def test_history_survives_deleting_the_row() -> None:
    milestone = MilestoneFactory()
    pk = milestone.pk
    milestone.delete()
    assert [e.kind for e in history_for(Milestone, [pk])] == ["deleted", "created"]


# --- The admin --------------------------------------------------------------------------


class _FormFields(HTMLParser):
    """The values an unchanged admin change form would post back."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._textarea: str | None = None
        self._select: str | None = None
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and (a.get("id") or "").endswith("_form"):
            self._in_form = True
        if not self._in_form or a.get("disabled") is not None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in {"submit", "button", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            self.data.setdefault(name, []).append(
                a.get("value") or ("on" if kind == "checkbox" else "")
            )
        elif tag == "textarea" and name:
            self._textarea = name
            self.data.setdefault(name, []).append("")
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select].append(a.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea][-1] += data


def test_history_admin_edit_attributed_to_superuser() -> None:
    if Commitment not in admin.site._registry:
        pytest.skip("the Commitment admin is not registered")
    UserFactory(
        username="root",
        first_name="Margaret",
        last_name="Hamilton",
        is_staff=True,
        is_superuser=True,
    )
    commitment = CommitmentFactory(title="Before")
    MilestoneFactory(commitment=commitment)
    client = Client()
    assert client.login(username="root", password=PASSWORD)
    url = f"/admin/mou/commitment/{commitment.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = _FormFields()
    form.feed(page.content.decode())
    form.data["title"] = ["After, edited in the admin"]
    response = client.post(url, {k: v for k, v in form.data.items()})
    assert response.status_code == 302, response.context and response.context.get("errors")
    commitment.refresh_from_db()
    assert commitment.title == "After, edited in the admin"
    latest = history_for(Commitment, [commitment.pk])[0]
    assert latest.by == "Margaret Hamilton"
    assert (
        Change(field="title", label="Title", old="Before", new="After, edited in the admin")
        in latest.changes
    )


def test_history_names_fields_in_plain_words() -> None:
    milestone = MilestoneFactory()
    services.milestone_update(
        milestone=milestone,
        actor=LOAD_DEMO,
        changes={"evidence_url": "https://example.org/report"},
        expected_version=milestone.version,
    )
    latest = history_for(Milestone, [milestone.pk])[0]
    assert [c.label for c in latest.changes] == ["Evidence link"]
    assert latest.by == "the demo loader"
