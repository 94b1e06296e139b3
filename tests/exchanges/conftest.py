"""A small world for the exchange tests: one agreement between a UK and an Australian
institute, a third institute outside it, and a coordinator at each."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from institutes.choices import Role
from tests.factories import (
    AgreementFactory,
    InstituteFactory,
    PersonFactory,
    SecondmentFactory,
    UserFactory,
)

READY = {
    "undertaking_signed_on": dt.date(2026, 12, 1),
    "access_granted_on": dt.date(2026, 12, 15),
}


@dataclass
class World:
    uk: Any
    au: Any
    other: Any
    agreement: Any
    coordinator_uk: Any
    coordinator_au: Any
    coordinator_other: Any
    officer: Any
    admin: Any


def coordinator(institute: Any, username: str) -> Any:
    user = UserFactory(username=username, roles=[Role.EXCHANGE_COORDINATOR])
    PersonFactory(institute=institute, user=user, name=f"Coordinator, {institute.short_name}")
    return user


@pytest.fixture
def world(db: None) -> World:
    uk = InstituteFactory(short_name="UKI", name="UK Institute", country="GB")
    au = InstituteFactory(
        short_name="AUI", name="AU Institute", country="AU", time_zone="Australia/Sydney"
    )
    other = InstituteFactory(short_name="CAI", name="CA Institute", country="CA")
    agreement = AgreementFactory(code="uk-au", parties=[uk, au])
    return World(
        uk=uk,
        au=au,
        other=other,
        agreement=agreement,
        coordinator_uk=coordinator(uk, "coord-uk"),
        coordinator_au=coordinator(au, "coord-au"),
        coordinator_other=coordinator(other, "coord-ca"),
        officer=UserFactory(username="officer", roles=[Role.POLICY_OFFICER]),
        admin=UserFactory(username="admin", roles=[Role.ADMINISTRATOR]),
    )


@pytest.fixture
def proposed(world: World) -> Any:
    """A proposed UK→AU secondment from 4 Jan to 30 Jun 2027."""
    return SecondmentFactory(
        agreement=world.agreement,
        home_institute=world.uk,
        host_institute=world.au,
        person=PersonFactory(institute=world.uk, name="Secondee One"),
        **READY,
    )
