"""Schemathesis, every check, against the live schema of the running app: as the reporting
role (read-only) and as a commitment owner (who may write), zero failures allowed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

from api_tokens.services import token_create
from tests.api_helpers import fill

SCHEMA_PATH = "/api/v1/schema/?format=json"
HYPOTHESIS = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


def _live_schema(register: Any, user: Any) -> Any:
    fill(register, 4)
    _token, key = token_create(user=user, actor=user, name="Schemathesis")
    headers = {"Authorization": f"Token {key}"}
    schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, get_wsgi_application(), headers=headers)
    return schema, headers


@pytest.fixture
def in_process() -> Iterator[None]:
    """Keep the test's database connection (and transaction) across in-process requests,
    as Django's own test client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def analyst_schema(register: Any, in_process: None) -> Any:
    return _live_schema(register, register.analyst)


@pytest.fixture
def owner_schema(register: Any, in_process: None) -> Any:
    return _live_schema(register, register.owner)


def _failures(schema_and_headers: Any) -> dict[str, str]:
    """Run every operation of the schema with every check; the failures by operation."""
    schema, headers = schema_and_headers
    failures: dict[str, str] = {}
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @HYPOTHESIS
        def run(case: Any) -> None:
            case.call_and_validate(headers=headers)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # every failure is reported below
            failures[operation.label] = str(exc)[:3000]
    return failures


def test_the_schema_holds_for_the_reporting_role(analyst_schema: Any) -> None:
    failures = _failures(analyst_schema)
    assert not failures, "\n\n".join(f"{k}\n{v}" for k, v in failures.items())


def test_the_schema_holds_for_an_owner(owner_schema: Any) -> None:
    failures = _failures(owner_schema)
    assert not failures, "\n\n".join(f"{k}\n{v}" for k, v in failures.items())
