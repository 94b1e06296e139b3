"""Two coordinators save overlapping secondments for one person at the same moment."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections, transaction

from core.errors import DomainError
from exchanges import services
from exchanges.models import Secondment
from tests.exchanges.conftest import World, coordinator
from tests.factories import AgreementFactory, InstituteFactory, PersonFactory, UserFactory


def _waiting_on_a_lock(timeout: float = 10.0) -> bool:
    """True once another session of this database waits on a lock (the rival insert)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True)
def test_concurrent_overlapping_saves_exactly_one_wins():
    uk = InstituteFactory(short_name="UKI", country="GB")
    au = InstituteFactory(short_name="AUI", country="AU", time_zone="Australia/Sydney")
    world = World(
        uk=uk,
        au=au,
        other=None,
        agreement=AgreementFactory(parties=[uk, au]),
        coordinator_uk=coordinator(uk, "coord-uk"),
        coordinator_au=coordinator(au, "coord-au"),
        coordinator_other=None,
        officer=None,
        admin=UserFactory(username="admin"),
    )
    person = PersonFactory(institute=uk, name="Secondee One")
    first_inserted = threading.Event()
    release_first = threading.Event()
    outcomes: dict[str, object] = {}

    def save(name, actor, start, end, hold=False):
        try:
            with transaction.atomic():
                secondment = services.secondment_create(
                    actor=actor,
                    agreement=world.agreement,
                    person=person,
                    home_institute=uk,
                    host_institute=au,
                    role=f"Project {name}",
                    planned_start_on=start,
                    planned_end_on=end,
                )
                if hold:
                    # Keep the row uncommitted until the rival has passed its own checks
                    # and is blocked on the database constraint.
                    first_inserted.set()
                    release_first.wait(10)
            outcomes[name] = secondment
        except DomainError as exc:
            outcomes[name] = exc
        finally:
            connections.close_all()

    first = threading.Thread(
        target=save,
        args=("A", world.coordinator_uk, dt.date(2027, 1, 1), dt.date(2027, 3, 31), True),
    )
    second = threading.Thread(
        target=save, args=("B", world.coordinator_au, dt.date(2027, 3, 1), dt.date(2027, 5, 31))
    )
    first.start()
    assert first_inserted.wait(10)
    second.start()
    assert _waiting_on_a_lock(), "the second save should wait on the first one's row"
    release_first.set()
    first.join(15)
    second.join(15)

    assert isinstance(outcomes["A"], Secondment)
    loser = outcomes["B"]
    assert isinstance(loser, DomainError)
    assert loser.errors["planned_start_on"] == (
        "Secondee One is already on a secondment to AUI from 1 Jan 2027 to 31 Mar 2027, "
        "which overlaps 1 Mar 2027 to 31 May 2027."
    )
    assert list(Secondment.objects.values_list("role", flat=True)) == ["Project A"]
