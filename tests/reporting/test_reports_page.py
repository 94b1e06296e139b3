"""The Reports page lists what can be reported and links to each, the API docs included."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import PASSWORD, AgreementFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_reports_page_links_to_each_report_and_the_api_docs(client):
    UserFactory(username="analyst", roles=["Reporting analyst"])
    client.login(username="analyst", password=PASSWORD)
    agreement = AgreementFactory(title="UK–Australia memorandum")
    body = client.get(reverse("reporting:index")).content.decode()
    for link in (
        'href="/api/v1/docs/"',
        f'href="{reverse("mou:commitment-list")}?format=xlsx"',
        f'href="{reverse("mou:milestone-list")}?late=true"',
        f'href="{reverse("exchanges:secondment-figures")}"',
        f'href="{reverse("reporting:who-owes-what", args=[agreement.code])}"',
        f'href="{reverse("reporting:timeline", args=[agreement.code])}"',
    ):
        assert link in body
    for linked in ("/api/v1/docs/", reverse("reporting:who-owes-what", args=[agreement.code])):
        assert client.get(linked).status_code == 200


def test_reports_page_costs_the_same_at_two_sizes(client):
    UserFactory(username="analyst", roles=["Reporting analyst"])
    client.login(username="analyst", password=PASSWORD)
    AgreementFactory()

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("reporting:index"))
        return len(captured.captured_queries)

    small = count()
    for _ in range(6):
        AgreementFactory()
    assert count() == small
