"""Institutes and people: created and edited by administrators only, validated, attributed."""

from __future__ import annotations

import pytest

from core.errors import DomainError, PermissionDenied, StaleRecord
from core.history import history_for
from institutes import services
from institutes.choices import Role
from institutes.models import Institute, Person
from tests.factories import SYSTEM, InstituteFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator():  # type: ignore[no-untyped-def]
    return UserFactory(first_name="Ada", last_name="Lovelace", roles=[str(Role.ADMINISTRATOR)])


def test_institute_create_by_administrator_attributed(administrator) -> None:  # type: ignore[no-untyped-def]
    institute = services.institute_create(
        actor=administrator,
        name="Australian AI Safety Institute",
        short_name="AU AISI",
        country="AU",
        time_zone="Australia/Sydney",
    )
    assert Institute.objects.get(pk=institute.pk).short_name == "AU AISI"
    created = history_for(Institute, [institute.pk])[0]
    assert (created.kind, created.by) == ("created", "Ada Lovelace")


def test_institute_create_unknown_time_zone_refused() -> None:
    with pytest.raises(DomainError) as caught:
        services.institute_create(
            actor=SYSTEM, name="Olympus", short_name="OLY", country="GB", time_zone="Mars/Olympus"
        )
    assert list(caught.value.errors) == ["time_zone"]
    assert "Mars/Olympus" in caught.value.errors["time_zone"]
    assert not Institute.objects.filter(short_name="OLY").exists()


def test_institute_create_bad_country_and_duplicate_refused() -> None:
    InstituteFactory(name="UK AI Security Institute", short_name="UK AISI")
    with pytest.raises(DomainError) as caught:
        services.institute_create(
            actor=SYSTEM,
            name="UK AI Security Institute",
            short_name="Other",
            country="gb",
            time_zone="Europe/London",
        )
    assert set(caught.value.errors) == {"name", "country"}


@pytest.mark.parametrize(
    "role", [Role.POLICY_OFFICER, Role.COMMITMENT_OWNER, Role.REPORTING_ANALYST]
)
def test_institute_and_person_writes_refused_to_non_administrators(role: Role) -> None:
    user = UserFactory(roles=[str(role)])
    institute = InstituteFactory()
    person = PersonFactory(institute=institute)
    with pytest.raises(PermissionDenied):
        services.institute_create(
            actor=user, name="X", short_name="X", country="GB", time_zone="Europe/London"
        )
    with pytest.raises(PermissionDenied):
        services.person_create(actor=user, institute=institute, name="X", email="x@example.org")
    with pytest.raises(PermissionDenied):
        services.person_update(
            person=person, actor=user, changes={"name": "X"}, expected_version=person.version
        )
    assert not Institute.objects.filter(short_name="X").exists()
    assert not Person.objects.filter(name="X").exists()


def test_person_create_time_zone_defaults_to_institute(administrator) -> None:  # type: ignore[no-untyped-def]
    sydney = InstituteFactory(country="AU", time_zone="Australia/Sydney")
    person = services.person_create(
        actor=administrator, institute=sydney, name=" Jane Citizen ", email="jane@example.org"
    )
    assert (person.time_zone, person.name) == ("Australia/Sydney", "Jane Citizen")
    assert history_for(Person, [person.pk])[0].by == "Ada Lovelace"


def test_person_create_own_time_zone_kept() -> None:
    sydney = InstituteFactory(country="AU", time_zone="Australia/Sydney")
    person = services.person_create(
        actor=SYSTEM,
        institute=sydney,
        name="Posted to London",
        email="posted@example.org",
        time_zone="Europe/London",
        job_title="Liaison officer",
    )
    assert (person.time_zone, person.job_title) == ("Europe/London", "Liaison officer")


def test_person_create_unknown_time_zone_and_duplicate_email_refused() -> None:
    institute = InstituteFactory()
    PersonFactory(email="ann@example.org")
    with pytest.raises(DomainError) as caught:
        services.person_create(
            actor=SYSTEM, institute=institute, name="Ann", email="x@example.org",
            time_zone="Mars/Olympus",
        )  # fmt: skip
    assert list(caught.value.errors) == ["time_zone"]
    with pytest.raises(DomainError):
        services.person_create(
            actor=SYSTEM, institute=institute, name="Ann", email="ANN@example.org"
        )
    with pytest.raises(DomainError) as caught:
        services.person_create(actor=SYSTEM, institute=institute, name="Bob", email="not-an-email")
    assert "email" in caught.value.errors


def test_person_update_by_administrator(administrator) -> None:  # type: ignore[no-untyped-def]
    person = PersonFactory(name="Old name")
    updated = services.person_update(
        person=person,
        actor=administrator,
        changes={"name": "New name", "time_zone": "Australia/Perth"},
        expected_version=person.version,
    )
    assert (updated.name, updated.time_zone, updated.version) == ("New name", "Australia/Perth", 2)
    change = history_for(Person, [person.pk])[0]
    assert change.by == "Ada Lovelace"
    assert {c.field for c in change.changes} == {"name", "time_zone"}


def test_person_update_refuses_bad_zone_unknown_field_and_stale_copy() -> None:
    person = PersonFactory(name="Kept")
    with pytest.raises(DomainError) as caught:
        services.person_update(
            person=person, actor=SYSTEM, changes={"time_zone": "Mars/Olympus"}, expected_version=1
        )
    assert list(caught.value.errors) == ["time_zone"]
    with pytest.raises(DomainError) as caught:
        services.person_update(
            person=person, actor=SYSTEM, changes={"version": 9}, expected_version=1
        )
    assert caught.value.errors == {"version": "This field cannot be changed here."}
    services.person_update(
        person=person, actor=SYSTEM, changes={"name": "First"}, expected_version=1
    )
    with pytest.raises(StaleRecord) as caught:
        services.person_update(
            person=person, actor=SYSTEM, changes={"name": "Second"}, expected_version=1
        )
    assert "“Kept” → “First”" in caught.value.errors["__all__"]
    assert Person.objects.get(pk=person.pk).name == "First"


def test_person_update_own_manager_refused() -> None:
    person = PersonFactory()
    with pytest.raises(DomainError) as caught:
        services.person_update(
            person=person, actor=SYSTEM, changes={"manager": person}, expected_version=1
        )
    assert "manager" in caught.value.errors
