"""The access matrix (tests/security/access_matrix.py) against the real URL configuration:
every named page and API endpoint × every role × own side and other side × read and write."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from institutes.choices import Role
from mou.models import Signatory
from reminders.models import Reminder
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
from tests.security.access_matrix import ADMIN, PAGES, Row

ROLES = {
    "anonymous": None,
    "officer": [Role.POLICY_OFFICER],
    "owner": [Role.COMMITMENT_OWNER],
    "coordinator": [Role.EXCHANGE_COORDINATOR],
    "analyst": [Role.REPORTING_ANALYST],
    "administrator": [Role.ADMINISTRATOR],
    "superuser": [],
}


def url_names() -> set[str]:
    """Every named URL outside the admin (whose account pages are listed in ADMIN)."""

    def walk(patterns: list[Any], namespace: str | None) -> set[str]:
        names: set[str] = set()
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                inner = pattern.namespace or namespace
                names |= walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
        return names

    return walk(get_resolver().url_patterns, None)


def test_every_named_url_has_a_row():
    names = url_names()
    assert sorted(names - PAGES.keys()) == [], "add a row to tests/security/access_matrix.py"
    assert sorted(PAGES.keys() - names) == [], "a row names a URL that no longer exists"


def test_every_admin_row_names_a_real_admin_url():
    for name, row in ADMIN.items():
        needs_id = row.target is not None
        reverse(name, args=[1] if needs_id else [])


@dataclass
class World:
    users: dict[str, Any]
    own: dict[str, Any]
    other: dict[str, Any]


@pytest.fixture
def world(db) -> World:
    uk = InstituteFactory(short_name="UK", country="GB")
    au = InstituteFactory(short_name="AU", country="AU", time_zone="Australia/Sydney")
    nz = InstituteFactory(short_name="NZ", country="NZ", time_zone="Pacific/Auckland")
    agreement = AgreementFactory(parties=[uk, au])
    other_agreement = AgreementFactory(parties=[au, nz])
    users: dict[str, Any] = {}
    for name, roles in ROLES.items():
        if roles is None:
            continue
        user = UserFactory(
            username=name,
            roles=roles,
            is_staff=name in {"administrator", "superuser"},
            is_superuser=name == "superuser",
        )
        PersonFactory(institute=uk, user=user, email=f"{name}@uk.example.org")
        users[name] = user
    own_commitment = CommitmentFactory(
        clause__agreement=agreement, lead_institute=uk, owner=users["owner"].person
    )
    au_person = PersonFactory(institute=au)
    other_commitment = CommitmentFactory(
        clause__agreement=agreement, lead_institute=au, owner=au_person
    )

    def reminder(person: Any) -> Reminder:
        return Reminder.objects.create(
            milestone=MilestoneFactory(commitment=own_commitment, owner=person),
            kind="due_7",
            recipient=person,
            local_date="2027-03-24",
        )

    def related(commitment: Any) -> dict[str, Any]:
        """Rows the API's other resources are read through, for one side."""
        party = commitment.agreement.party_links.order_by("pk").first()
        return {
            "clause": commitment.clause,
            "party": party,
            "signatory": Signatory.objects.create(
                agreement=commitment.agreement, party=party, name="A. Signer", office="Minister"
            ),
            "person": commitment.owner,
            "institute": commitment.owner.institute,
            "progressupdate": ProgressUpdateFactory(commitment=commitment),
        }

    own = related(own_commitment) | {
        "agreement_clause": ClauseFactory(agreement=agreement),
        "agreement": agreement,
        "commitment": own_commitment,
        "milestone": MilestoneFactory(commitment=own_commitment, owner=users["owner"].person),
        "secondment": SecondmentFactory(agreement=agreement),
        "reminders": {name: reminder(u.person) for name, u in users.items()},
    }
    other = related(other_commitment) | {
        "agreement_clause": ClauseFactory(agreement=other_agreement),
        "agreement": other_agreement,
        "commitment": other_commitment,
        "milestone": MilestoneFactory(commitment=other_commitment, owner=au_person),
        "secondment": SecondmentFactory(agreement=other_agreement),
        "reminders": dict.fromkeys(users, reminder(au_person)),
    }
    return World(users, own, other)


def _url(name: str, row: Row, side: dict[str, Any], role: str, world: World) -> str:
    kwargs: dict[str, Any] = dict(row.kwargs)
    target = row.target
    if target in {
        "commitment", "milestone", "secondment", "clause", "party", "signatory", "person",
        "institute", "progressupdate",
    }:  # fmt: skip
        kwargs["pk"] = side[target].pk
    elif target == "commitment_id":
        kwargs["commitment_id"] = side["commitment"].pk
    elif target == "agreement":
        kwargs["code"] = side["agreement"].code
    elif target == "agreement_clause":
        kwargs["code"] = side["agreement"].code
        kwargs["pk"] = side["agreement_clause"].pk
    elif target == "code":  # the API reads an agreement by its id or its code
        kwargs["pk"] = side["agreement"].code
    elif target == "reminder":
        kwargs["pk"] = side["reminders"].get(role, side["reminders"]["officer"]).pk
    elif target == "self_user":
        mine = world.users.get(role, world.users["officer"])
        other = world.users["analyst" if role != "analyst" else "officer"]
        user = mine if side is world.own else other
        return reverse(name, args=[user.pk])
    elif target == "administrator_group":
        return reverse(name, args=[Group.objects.get(name=Role.ADMINISTRATOR).pk])
    return reverse(name, kwargs=kwargs)


def allowed(rule: str, role: str, own_side: bool) -> bool:
    administrators = role in {"administrator", "superuser"}
    return {
        "public": True,
        "everyone": role != "anonymous",
        "administrators": administrators,
        "superusers": role == "superuser",
        "owner": administrators or (role == "owner" and own_side),
        "owner_or_officer": administrators or role == "officer" or (role == "owner" and own_side),
        "coordinator": administrators or (role == "coordinator" and own_side),
        "any_coordinator": administrators or role == "coordinator",
        "any_officer": administrators or role == "officer",
        "author": administrators or (role == "officer" and own_side),
        "recipient": role != "anonymous" and own_side,
        "none": False,
        "readonly": False,  # checked by what it writes, not by its answer
    }[rule]


def refused(response: Any) -> bool:
    if response.status_code in {401, 403, 405}:
        return True
    location = response.get("Location", "")
    return response.status_code == 302 and "login/" in location


SIDED_RULES = {"owner", "owner_or_officer", "coordinator", "recipient", "author"}


def _history_events() -> int:
    """How many history events exist, across every tracked model."""
    from django.apps import apps
    from pghistory.models import Event

    return sum(m.objects.count() for m in apps.get_models() if issubclass(m, Event))


def _check(name: str, row: Row, world: World) -> list[str]:
    wrong = []
    sided = row.target and ({row.read, row.write} & SIDED_RULES or row.target == "self_user")
    sides = [("own", world.own), ("other", world.other)] if sided else [("own", world.own)]
    for method, rule in (("GET", row.read), ("POST", row.write)):
        if rule == "skip":
            continue
        for side_name, side in sides:
            # Refused roles first: an allowed write changes the record (a status moves on),
            # after which the same body could fail on its form before reaching the rule.
            roles = sorted(ROLES, key=lambda r: allowed(rule, r, side_name == "own"))
            for role in roles:
                url = _url(name, row, side, role, world)
                client = Client(raise_request_exception=False)
                if role != "anonymous":
                    client.force_login(world.users[role])
                before = _history_events() if rule == "readonly" else 0
                # An API write must say which version it read; "any" (If-Match: *) is the
                # smallest precondition that lets the request reach the rule.
                headers = {"If-Match": "*"} if url.startswith("/api/") else {}
                response = (
                    client.get(url)
                    if method == "GET"
                    else client.post(url, row.data, headers=headers)
                )
                if rule == "readonly":
                    if response.status_code >= 500 or _history_events() != before:
                        wrong.append(f"POST {url} as {role} wrote history: {response.status_code}")
                    continue
                expected = allowed(rule, role, side_name == "own")
                if response.status_code >= 500 or refused(response) == expected:
                    wrong.append(
                        f"{method} {url} as {role} ({side_name} side): "
                        f"{response.status_code} {response.get('Location', '')}, "
                        f"expected {'allowed' if expected else 'refused'} ({rule})"
                    )
    return wrong


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_and_endpoint_access(name, world):
    wrong = _check(name, PAGES[name], world)
    assert wrong == [], "\n".join(wrong)


@pytest.mark.parametrize("name", sorted(ADMIN))
def test_admin_account_pages_access(name, world):
    wrong = _check(name, ADMIN[name], world)
    assert wrong == [], "\n".join(wrong)
