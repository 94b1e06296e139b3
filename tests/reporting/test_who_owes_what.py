"""The who-owes-what matrix: counts equal the database's and each links to exactly its rows."""

import csv
import io
import re
from datetime import timedelta
from html import unescape

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from mou.models import Commitment
from tests.factories import (
    PASSWORD,
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    MilestoneFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LINK = re.compile(r'href="(/commitments/\?[^"]+)"')


@pytest.fixture
def officer_client(client):
    UserFactory(username="officer", roles=["Policy officer"])
    client.login(username="officer", password=PASSWORD)
    return client


def _register():
    """Two clauses; commitments owed by each side alone and jointly, in every RAG."""
    agreement = AgreementFactory(code="uk-au-test")
    uk, au = agreement.parties.order_by("pk")
    first = ClauseFactory(agreement=agreement, number="1", position=1)
    second = ClauseFactory(agreement=agreement, number="2", position=2)
    late = timezone.localdate() - timedelta(days=3)
    red = CommitmentFactory(clause=first, owed_by=uk)
    MilestoneFactory(commitment=red, due_on=late)
    CommitmentFactory(clause=first, owed_by=uk, status="at_risk")
    CommitmentFactory(clause=first, owed_by=None, status="on_track")
    CommitmentFactory(clause=first, owed_by=None, status="off_track")
    CommitmentFactory(clause=second, owed_by=au, status="completed")
    CommitmentFactory(clause=second, owed_by=None, status="at_risk")
    # Another agreement's commitments must not leak in.
    CommitmentFactory(status="off_track")
    return agreement, uk, au, first, second


def _rows_behind(client, url):
    """Every commitment the filtered list shows for a link (from its CSV: every page)."""
    response = client.get(url + "&format=csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return sorted(row["Reference"] for row in csv.DictReader(io.StringIO(body)))


def test_every_cell_counts_what_the_database_holds_and_links_to_exactly_those_rows(officer_client):
    agreement, *_ = _register()
    body = officer_client.get(
        reverse("reporting:who-owes-what", args=[agreement.code])
    ).content.decode()
    links = [unescape(url) for url in LINK.findall(body)]
    assert links, "the matrix has no links"
    checked = 0
    for url in links:
        # The figure shown is the link text; it must equal the rows the link lists.
        shown = re.search(re.escape(url.replace("&", "&amp;")) + r'"[^>]*>(\d+)', body)
        rows = _rows_behind(officer_client, url)
        assert int(shown.group(1)) == len(rows), url
        checked += 1
    # 2 clauses + totals, 3 sides (UK, AU, joint), each a total and one link per RAG present.
    assert checked >= 9


def test_counts_by_side_and_rag_match_the_database(officer_client):
    agreement, uk, au, first, second = _register()
    body = officer_client.get(
        reverse("reporting:who-owes-what", args=[agreement.code])
    ).content.decode()
    expected = {
        (first.pk, str(uk.pk), "red"): 1,
        (first.pk, str(uk.pk), "amber"): 1,
        (first.pk, "joint", "green"): 1,
        (first.pk, "joint", "red"): 1,
        (second.pk, str(au.pk), "grey"): 1,
        (second.pk, "joint", "amber"): 1,
    }
    for (clause, side, rag), n in expected.items():
        query = f"agreement={agreement.code}&clause={clause}&side={side}&rag={rag}"
        url = "/commitments/?" + query.replace("&", "&amp;")
        assert re.search(re.escape(url) + rf'" data-rag="{rag}">{n} ', body), (clause, side, rag)
    # Joint commitments are counted once, in the joint column: the totals add up.
    total_link = rf'href="/commitments/\?agreement={agreement.code}&amp;side=(\w+)"'
    totals = re.findall(total_link + r' data-testid="matrix-total">(\d+)', body)
    assert dict(totals) == {str(uk.pk): "2", str(au.pk): "1", "joint": "3"}
    assert sum(int(n) for _, n in totals) == Commitment.objects.filter(agreement=agreement).count()


def test_matrix_downloads_as_csv_and_xlsx_with_the_same_figures(officer_client):
    agreement, uk, *_ = _register()
    url = reverse("reporting:who-owes-what", args=[agreement.code])
    response = officer_client.get(url, {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    by_key = {(r["Clause"], r["Owed by"]): r for r in rows}
    assert by_key[("1", uk.short_name)]["Red"] == "1"
    assert by_key[("1", "Joint")]["Total"] == "2"
    assert by_key[("All clauses", "Joint")]["Total"] == "3"
    assert len(rows) == 3 * 3  # (2 clauses + totals) × (UK, AU, joint)

    response = officer_client.get(url, {"format": "xlsx"})
    body = b"".join(response.streaming_content)  # written to a file and streamed
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    values = list(sheet.values)
    assert values[0] == (
        "Clause",
        "Clause title",
        "Owed by",
        "Red",
        "Amber",
        "Green",
        "Grey",
        "Total",
    )
    joint_total = next(r for r in values if r[0] == "All clauses" and r[2] == "Joint")
    assert joint_total[-1] == 3


def test_unknown_agreement_is_not_found(officer_client):
    response = officer_client.get(reverse("reporting:who-owes-what", args=["no-such-mou"]))
    assert response.status_code == 404


@pytest.mark.parametrize("size", [2, 12])
def test_matrix_query_count_does_not_grow(officer_client, size, django_assert_num_queries):
    agreement = AgreementFactory(code="sized")
    uk, au = agreement.parties.order_by("pk")
    for n in range(size):
        clause = ClauseFactory(agreement=agreement, number=f"{n + 1}")
        for owed_by in (uk, au, None):
            commitment = CommitmentFactory(clause=clause, owed_by=owed_by)
            MilestoneFactory(commitment=commitment, due_on=timezone.localdate() - timedelta(days=n))
    url = reverse("reporting:who-owes-what", args=[agreement.code])
    with django_assert_num_queries(7):
        assert officer_client.get(url).status_code == 200
    with django_assert_num_queries(7):
        response = officer_client.get(url, {"format": "csv"})
        b"".join(response.streaming_content)
