"""The reports: the same figures as the dashboard, the past rebuilt from the history, every
change with who and old → new, late milestones; each also as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from mou import services
from mou.models import Commitment
from reporting import reports, selectors
from tests.api_helpers import fill, token_client, walk
from tests.factories import PASSWORD, CommitmentFactory, MilestoneFactory


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _summary_by_agreement(body):
    by_status, by_rag, party = {}, {}, {}
    for row in body["commitments"]:
        code = row["agreement"]
        by_status.setdefault(code, {}).setdefault(row["status"], 0)
        by_status[code][row["status"]] += row["count"]
        by_rag.setdefault(code, {}).setdefault(row["rag"], 0)
        by_rag[code][row["rag"]] += row["count"]
        party.setdefault((code, row["participant_id"]), {}).setdefault(row["rag"], 0)
        party[(code, row["participant_id"])][row["rag"]] += row["count"]
    return by_status, by_rag, party


@pytest.mark.parametrize("size", [6, 24])
def test_summary_figures_equal_the_dashboards(register, size):
    fill(register, size)
    now = timezone.now()
    body = token_client(register.analyst).get("/api/v1/reports/summary/").json()
    dashboard = selectors.dashboard(user=register.analyst, now=now)
    by_status, by_rag, party = _summary_by_agreement(body)
    for fig in dashboard["agreements"]:
        assert by_status[fig.code] == fig.by_status
        assert by_rag[fig.code] == fig.by_rag
    # A participant's dashboard figure is what it owes alone plus the joint rows.
    for fig in dashboard["parties"]:
        expected: dict[str, int] = {}
        for key in ((fig.agreement_code, fig.institute_id), (fig.agreement_code, None)):
            for rag, n in party.get(key, {}).items():
                expected[rag] = expected.get(rag, 0) + n
        assert expected == fig.by_rag
    assert sum(m["late"] for m in body["milestones"]) == dashboard["late_count"]
    assert sum(m["due_within_30"] for m in body["milestones"]) == dashboard["due_soon_count"]
    # The dashboard shows this year's exchanges; the summary every year's.
    this_year = [
        (f["year"], f["direction"], f["secondments"], f["person_days"])
        for f in body["secondments"]
        if f["year"] == dashboard["exchange_year"]
    ]
    assert this_year == [
        (f.year, f.direction, f.secondments, f.person_days) for f in dashboard["exchange_figures"]
    ]
    assert {f["year"] for f in body["secondments"]} == {2027}


# History rows take their time from the database transaction that wrote them, so the tests
# that read the history at an instant commit each write on its own, as requests do.
history_test = pytest.mark.django_db(transaction=True)


@history_test
def test_summary_as_of_an_instant_equals_a_snapshot_taken_then(register):
    commitments = fill(register, 10)
    snapshot_at = timezone.now()
    then = selectors.dashboard(user=register.analyst, now=snapshot_at)
    then_counts = {f.code: (f.by_status, f.by_rag) for f in then["agreements"]}
    # Afterwards: statuses move, a milestone is moved, a commitment is added.
    own = [
        c for c in commitments if c.owner_id == register.owner_person.pk and c.status == "on_track"
    ]  # noqa: E501
    services.commitment_transition(commitment=own[0], to="off_track", actor=register.owner)
    late = MilestoneFactory(
        commitment=commitments[1], due_on=timezone.localdate() - dt.timedelta(days=9)
    )  # noqa: E501
    CommitmentFactory(clause=register.clause, status="at_risk")
    rebuilt = reports._summary_from_history(
        user=register.analyst, at=snapshot_at, as_of=snapshot_at.date()
    )
    counts: dict[str, tuple[dict, dict]] = {}
    for row in rebuilt.commitments:
        by_status, by_rag = counts.setdefault(row.agreement_code, ({}, {}))
        by_status[row.status] = by_status.get(row.status, 0) + row.count
        by_rag[row.rag] = by_rag.get(row.rag, 0) + row.count
    assert counts == then_counts
    assert sum(m.late for m in rebuilt.milestones) == then["late_count"]
    assert sum(m.due_within_30 for m in rebuilt.milestones) == then["due_soon_count"]
    now = selectors.dashboard(user=register.analyst)
    assert now["late_count"] == then["late_count"] + 1 and late.pk


def test_summary_as_of_checks_its_date(register):
    client = token_client(register.analyst)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    for bad in ("31/01/2027", "2027-02-30"):
        response = client.get("/api/v1/reports/summary/", {"as_of": bad})
        assert response.status_code == 400, bad
        assert list(response.json()["errors"]) == ["as_of"]
    future = client.get("/api/v1/reports/summary/", {"as_of": tomorrow.isoformat()})
    assert future.status_code == 404
    assert list(future.json()["errors"]) == ["as_of"]
    assert client.get("/api/v1/reports/summary/", {"as_off": "2027-01-01"}).status_code == 400
    past = client.get("/api/v1/reports/summary/", {"as_of": "2020-01-31"}).json()
    assert past["as_of"] == "2020-01-31"
    assert past["at"] == "2020-01-31T23:59:59.999999Z"


@history_test
def test_changes_list_edits_from_a_page_the_admin_and_the_api_with_who_and_old_new(
    register, client
):
    since = timezone.now()
    by_page = CommitmentFactory(clause=register.clause, owner=register.owner_person, title="Page")
    by_admin = CommitmentFactory(clause=register.clause, title="Admin")
    by_api = CommitmentFactory(clause=register.clause, owner=register.owner_person, title="API")
    register.owner.first_name, register.owner.last_name = "Olive", "Owner"
    register.owner.save()
    client.login(username="owner", password=PASSWORD)
    page = client.post(reverse("mou:commitment-transition", args=[by_page.pk]), {"to": "at_risk"})
    assert page.status_code == 302
    register.admin.is_staff = register.admin.is_superuser = True
    register.admin.save()
    client.login(username="admin", password=PASSWORD)
    admin = client.post(
        reverse("admin:mou_commitment_changelist"),
        {"action": "mark_off_track", "_selected_action": [by_admin.pk]},
    )
    assert admin.status_code == 302
    assert Commitment.objects.get(pk=by_admin.pk).status == "off_track"
    api = token_client(register.owner).post(
        f"/api/v1/commitments/{by_api.pk}/transition/",
        {"to": "completed", "version": 1},
        format="json",
    )
    assert api.status_code == 200
    rows = walk(
        token_client(register.analyst),
        "/api/v1/reports/changes/",
        {"since": since.isoformat(), "page_size": 2},
    )
    status_changes = {
        r["record_id"]: (r["old"], r["new"], r["by"])
        for r in rows
        if r["record_type"] == "commitment" and r["field"] == "status"
    }
    assert status_changes == {
        by_page.pk: ("On track", "At risk", "Olive Owner"),
        by_admin.pk: ("On track", "Off track", register.admin.get_full_name()),
        by_api.pk: ("On track", "Completed", "Olive Owner"),
    }
    created = {
        r["record_id"] for r in rows if r["kind"] == "created" and r["record_type"] == "commitment"
    }  # noqa: E501
    assert created == {by_page.pk, by_admin.pk, by_api.pk}
    positions = [(r["at"], r["record_type"]) for r in rows]
    assert positions == sorted(positions)
    assert len({tuple(sorted(r.items())) for r in rows}) == len(rows)


def test_changes_since_is_required_and_checked(register):
    client = token_client(register.analyst)
    assert list(client.get("/api/v1/reports/changes/").json()["errors"]) == ["since"]
    bad = client.get("/api/v1/reports/changes/", {"since": "last month"})
    assert bad.status_code == 400 and list(bad.json()["errors"]) == ["since"]
    bad_cursor = client.get("/api/v1/reports/changes/", {"since": "2027-01-01", "cursor": "x"})
    assert bad_cursor.status_code == 404 and list(bad_cursor.json()["errors"]) == ["cursor"]


def test_a_milestone_that_became_late_is_a_change(register):
    since = timezone.now() - dt.timedelta(days=3)
    milestone = MilestoneFactory(
        commitment=CommitmentFactory(clause=register.clause),
        due_on=timezone.localdate() - dt.timedelta(days=2),
    )
    rows = reports.changes(user=register.analyst, since=since)
    late = [r for r in rows if r.kind == "became_late"]
    assert [(r.record_id, r.old, r.new) for r in late] == [(milestone.pk, "no", "yes")]


def test_overdue_lists_late_milestones_with_owner_institute_and_days_late(register):
    fill(register, 5)
    client = token_client(register.analyst)
    rows = client.get("/api/v1/reports/overdue/", {"page_size": 500}).json()
    assert rows["count"] == selectors.dashboard(user=register.analyst)["late_count"]
    for row in rows["results"]:
        assert row["is_late"] and row["days_late"] >= 1
        assert set(row["owner_institute"]) == {"id", "url", "display"}


@history_test
def test_reports_as_csv_are_disarmed(register):
    CommitmentFactory(clause=register.clause, reference="=HYPERLINK(1)")
    MilestoneFactory(
        commitment=CommitmentFactory(clause=register.clause),
        title="=cmd|' /C calc'!A0",
        due_on=timezone.localdate() - dt.timedelta(days=5),
    )
    client = token_client(register.analyst)
    overdue = client.get("/api/v1/reports/overdue/", {"format": "csv"})
    assert overdue["Content-Type"].startswith("text/csv")
    rows = _csv(overdue)
    assert rows[0][:3] == ["Agreement", "Commitment", "Milestone"]
    assert rows[1][2] == "'=cmd|' /C calc'!A0"
    changes = client.get(
        "/api/v1/reports/changes/",
        {"since": (timezone.now() - dt.timedelta(hours=1)).isoformat()},
        HTTP_ACCEPT="text/csv",
    )
    assert any(row[3] == "'=HYPERLINK(1)" for row in _csv(changes)[1:])
    summary = _csv(client.get("/api/v1/reports/summary/", HTTP_ACCEPT="text/csv"))
    assert summary[0] == [
        "Figure",
        "Agreement",
        "Participant",
        "Status",
        "RAG",
        "Year",
        "Direction",
        "Count",
    ]  # noqa: E501
    assert sum(int(r[7]) for r in summary[1:] if r[0] == "commitments") == 2


@pytest.mark.parametrize("size", [4, 16])
@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/api/v1/reports/summary/", 7),
        ("/api/v1/reports/overdue/", 3),
        ("/api/v1/reports/changes/?since=2000-01-01&page_size=5", 22),
    ],
)
def test_report_query_counts_do_not_grow(register, django_assert_num_queries, size, url, queries):
    fill(register, size)
    client = token_client(register.analyst)
    client.get("/api/v1/institutes/")
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
