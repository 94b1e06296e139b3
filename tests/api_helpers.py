"""Shared data and clients for the API tests: a register between a London and a Sydney
institute, and clients that authenticate with real personal tokens."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from api_tokens.services import token_create
from institutes.choices import Role
from mou.models import Signatory
from tests.factories import (
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    InstituteFactory,
    MilestoneFactory,
    PersonFactory,
    ProgressUpdateFactory,
    SecondmentFactory,
    UserFactory,
)

STATUSES = ["not_started", "on_track", "at_risk", "off_track", "completed", "on_track"]


@dataclass
class Register:
    uk: Any
    au: Any
    agreement: Any
    clause: Any
    owner: Any  # a user with the commitment owner role, linked to a person
    owner_person: Any
    analyst: Any
    officer: Any
    admin: Any


def token_client(user: Any, *, read_only: bool = False, name: str = "Tests") -> APIClient:
    _token, key = token_create(user=user, actor=user, name=name, read_only=read_only)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def fill(register: Register, count: int) -> list[Any]:
    """``count`` commitments with repeated statuses, target dates (some empty), owners in
    both zones, and late, due-soon and far milestones: many ties for every ordering."""
    today = timezone.localdate()
    commitments = []
    for n in range(count):
        institute = register.uk if n % 2 else register.au
        owner = register.owner_person if n % 5 == 0 else PersonFactory(institute=institute)
        status = STATUSES[n % len(STATUSES)]
        commitment = CommitmentFactory(
            clause=register.clause,
            reference=f"R-{n % 7}-{n}",
            title=f"Commitment {n % 3}",
            owner=owner,
            lead_institute=institute,
            owed_by=None if n % 3 == 0 else institute,
            status=status,
            status_reason="Withdrawn in tests" if status == "withdrawn" else "",
            target_on=None if n % 4 == 0 else dt.date(2027, 1 + n % 3, 1),
        )
        MilestoneFactory(commitment=commitment, due_on=today - dt.timedelta(days=1 + n % 3))
        MilestoneFactory(commitment=commitment, due_on=today + dt.timedelta(days=n % 20))
        if n % 4 == 1:
            ProgressUpdateFactory(commitment=commitment)
        commitments.append(commitment)
    SecondmentFactory(agreement=register.agreement, person=PersonFactory(institute=register.uk))
    party = register.agreement.party_links.first()
    Signatory.objects.create(
        agreement=register.agreement, party=party, name=f"Signer {count}", office="Minister"
    )
    return commitments


@pytest.fixture
def register(db: None) -> Register:
    uk = InstituteFactory(short_name="UKI", name="UK Institute", country="GB")
    au = InstituteFactory(
        short_name="AUI", name="AU Institute", country="AU", time_zone="Australia/Sydney"
    )
    agreement = AgreementFactory(code="uk-au", parties=[uk, au])
    clause = ClauseFactory(agreement=agreement, number="1")
    owner = UserFactory(username="owner", roles=[Role.COMMITMENT_OWNER])
    owner_person = PersonFactory(institute=au, user=owner, name="Owner in Sydney")
    return Register(
        uk=uk,
        au=au,
        agreement=agreement,
        clause=clause,
        owner=owner,
        owner_person=owner_person,
        analyst=UserFactory(username="analyst", roles=[Role.REPORTING_ANALYST]),
        officer=UserFactory(username="officer", roles=[Role.POLICY_OFFICER]),
        admin=UserFactory(username="admin", roles=[Role.ADMINISTRATOR]),
    )


def walk(client: APIClient, url: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Every row of a list, following ``next`` to the end."""
    rows: list[dict[str, Any]] = []
    response = client.get(url, params)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        rows += body["results"]
        if not body["next"]:
            return rows
        response = client.get(body["next"])
