"""Fixtures for the reminders tests: people in London and Sydney, milestones, instants."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tests.factories import CommitmentFactory, InstituteFactory, MilestoneFactory, PersonFactory

LONDON = "Europe/London"
SYDNEY = "Australia/Sydney"


def at(zone: str, y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> dt.datetime:
    """An instant given as a wall-clock time in ``zone``, in UTC."""
    return dt.datetime(y, m, d, hh, mm, tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)


@pytest.fixture
def london_institute(db):
    return InstituteFactory(short_name="UKX", country="GB", time_zone=LONDON)


@pytest.fixture
def sydney_institute(db):
    return InstituteFactory(short_name="AUX", country="AU", time_zone=SYDNEY)


@pytest.fixture
def london_owner(london_institute):
    return PersonFactory(institute=london_institute, name="London Owner")


@pytest.fixture
def sydney_owner(sydney_institute):
    return PersonFactory(institute=sydney_institute, name="Sydney Owner")


@pytest.fixture
def make_milestone():
    """A milestone owned by ``owner`` (its commitment led by the owner's institute)."""

    def make(owner, due_on: dt.date, **kwargs):
        commitment = CommitmentFactory(
            owner=owner,
            lead_institute=owner.institute,
            clause__agreement__parties=[owner.institute],
        )
        return MilestoneFactory(commitment=commitment, owner=owner, due_on=due_on, **kwargs)

    return make
