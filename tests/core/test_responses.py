"""Signed-in pages and API answers are never cached; the API answers JSON even when the
database is down."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from rest_framework.authtoken.models import Token

from institutes.choices import Role
from tests.factories import UserFactory


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/commitments/", "/commitments/?format=csv", "/accounts/"])
def test_signed_in_pages_and_downloads_are_not_stored(client, path):
    client.force_login(UserFactory(username="officer", roles=[Role.POLICY_OFFICER]))
    response = client.get(path)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_api_answers_are_not_stored(client):
    user = UserFactory(username="analyst", roles=[Role.REPORTING_ANALYST])
    token = Token.objects.create(user=user)
    response = client.get("/api/v1/commitments/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    anonymous = client.get("/api/v1/commitments/", HTTP_AUTHORIZATION="")
    assert "no-store" in anonymous["Cache-Control"]


@pytest.mark.django_db
def test_unknown_api_address_answers_json(client):
    client.force_login(UserFactory(username="analyst"))
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404


@pytest.mark.django_db(transaction=True)
def test_api_answers_503_json_when_the_database_is_down():
    user = UserFactory(username="analyst", roles=[Role.REPORTING_ANALYST])
    token = Token.objects.create(user=user)
    client = Client(raise_request_exception=False)
    saved = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"  # nothing listens there: the database is "down"
    try:
        response = client.get("/api/v1/commitments/", HTTP_AUTHORIZATION=f"Token {token.key}")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = saved
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Service unavailable",
        "status": 503,
        "detail": "The database is not answering; try again shortly.",
    }
    assert response["Retry-After"] == "30"
