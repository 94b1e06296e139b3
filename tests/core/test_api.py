"""The API's shared rules: stable paging, strict parameters, problem details, versions,
throttling, and the same related-record shape everywhere."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.api_helpers import fill, token_client, walk

ORDERINGS = {
    "/api/v1/commitments/": ["", "reference", "title", "target", "status", "rag", "updated_at"],
    "/api/v1/milestones/": ["", "due", "title", "status", "updated_at"],
    "/api/v1/progress-updates/": ["", "posted", "updated_at"],
    "/api/v1/people/": ["", "name", "updated_at"],
    "/api/v1/agreements/": ["", "title", "signed", "code", "updated_at"],
    "/api/v1/secondments/": ["", "start", "person", "status", "updated_at"],
}


def _walk_all(client, url, ordering, page_size):
    params = {"page_size": page_size}
    if ordering:
        params["ordering"] = ordering
    if "cursor" not in str(client.get(url, params).json().get("next") or "cursor"):
        rows, page = [], 1
        while True:
            body = client.get(url, {**params, "page": page}).json()
            rows += body["results"]
            if not body["next"]:
                return rows
            page += 1
    return walk(client, url, params)


@pytest.mark.parametrize("size", [9, 25])
def test_walking_every_list_in_every_ordering_sees_each_row_once(register, size):
    fill(register, size)
    client = token_client(register.analyst)
    for url, orderings in ORDERINGS.items():
        expected = {row["id"] for row in _walk_all(client, url, "", 500)}
        assert expected, url
        for ordering in orderings:
            for sign in ("", "-") if ordering else ("",):
                ids = [r["id"] for r in _walk_all(client, url, sign + ordering, 4)]
                assert len(ids) == len(set(ids)), (url, sign + ordering)
                assert set(ids) == expected, (url, sign + ordering)


def test_rag_orders_by_severity_and_ends_with_the_id(register):
    fill(register, 12)
    rows = walk(token_client(register.analyst), "/api/v1/commitments/", {"ordering": "rag"})
    severity = {"red": 0, "amber": 1, "green": 2, "grey": 3}
    keys = [(severity[r["rag"]], r["id"]) for r in rows]
    assert keys == sorted(keys)
    assert {r["rag"] for r in rows} >= {"red", "grey"}


def test_updated_after_and_before_filter_on_the_change_time(register):
    commitments = fill(register, 4)
    client = token_client(register.analyst)
    cut = commitments[2].updated_at
    after = walk(client, "/api/v1/commitments/", {"updated_after": cut.isoformat()})
    before = walk(client, "/api/v1/commitments/", {"updated_before": cut.isoformat()})
    assert {r["id"] for r in after} == {c.pk for c in commitments if c.updated_at >= cut}
    assert {r["id"] for r in before} == {c.pk for c in commitments if c.updated_at < cut}


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"statuss": "on_track"}, "statuss"),
        ({"status": "nonsense"}, "status"),
        ({"ordering": "colour"}, "ordering"),
        ({"updated_after": "yesterday"}, "updated_after"),
        ({"owner": "somebody"}, "owner"),
        ({"owner": "0"}, "owner"),
        ({"page_size": "501"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "ten"}, "page_size"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_parameter(register, query, parameter):
    response = token_client(register.analyst).get("/api/v1/commitments/", query)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 400
    assert body["title"] == "Bad request"
    assert list(body["errors"]) == [parameter]


def test_a_cursor_the_list_never_gave_is_a_404_naming_it(register):
    import base64
    import json

    fill(register, 3)
    forged = base64.urlsafe_b64encode(json.dumps(["not-a-date", "1"]).encode()).decode()
    client = token_client(register.analyst)
    for cursor in (forged.rstrip("="), "bm90LWEtY3Vyc29y", "!"):
        response = client.get("/api/v1/milestones/", {"cursor": cursor})
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
        assert list(response.json()["errors"]) == ["cursor"]


def test_without_a_token_the_answer_is_a_401_problem(register):
    from rest_framework.test import APIClient

    response = APIClient().get("/api/v1/commitments/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Token")
    assert response.json()["status"] == 401


def test_related_records_have_one_shape_everywhere(register):
    fill(register, 2)
    client = token_client(register.officer)
    commitment = walk(client, "/api/v1/commitments/", {})[0]
    for name in ("agreement", "clause", "lead_institute", "owner"):
        assert set(commitment[name]) == {"id", "url", "display"}, name
    joint = next(r for r in walk(client, "/api/v1/commitments/", {}) if r["owed_by"] is None)
    assert joint["owed_by"] is None
    followed = client.get(commitment["owner"]["url"]).json()
    assert followed["id"] == commitment["owner"]["id"]
    assert followed["url"] == commitment["owner"]["url"]


def test_throttling_answers_429_with_retry_after(register, settings):
    cache.clear()
    rest = dict(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = {"token": "3/min"}
    settings.REST_FRAMEWORK = rest
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    api_settings.reload()
    SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    try:
        first = token_client(register.analyst, name="First")
        second = token_client(register.analyst, name="Second")
        codes = [first.get("/api/v1/institutes/").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        limited = first.get("/api/v1/institutes/")
        assert limited["Content-Type"] == "application/problem+json"
        assert int(limited["Retry-After"]) > 0
        # Per token: another token of the same person is counted on its own.
        assert second.get("/api/v1/institutes/").status_code == 200
    finally:
        settings.REST_FRAMEWORK = {**rest, "DEFAULT_THROTTLE_RATES": {"token": "600/min"}}
        api_settings.reload()
        SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
        cache.clear()
