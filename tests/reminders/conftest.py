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


@pytest.fixture
def reminders_worker(broker_url, monkeypatch, tmp_path):
    """Makes real Celery workers (the ``celery_worker_process`` pattern) on one queue of
    their own, whose mail goes to files in a temporary directory through the slow file
    backend. Returns (make_worker(mail_delay_seconds), mail directory, queue)."""
    import os
    import uuid

    from django.conf import settings

    from core.runtime import database_url as runtime_database_url
    from tests.conftest import WorkerProcess

    monkeypatch.setenv("CELERY_BROKER_URL", broker_url)
    monkeypatch.setenv("CELERY_RESULT_BACKEND", broker_url)
    database_url = runtime_database_url(settings.DATABASES["default"])
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    queue = f"test-{uuid.uuid4().hex[:12]}"
    started = []

    def make(mail_delay: float) -> WorkerProcess:
        env = dict(os.environ) | {
            "DJANGO_SETTINGS_MODULE": "tests.reminders.worker_settings",
            "CELERY_BROKER_URL": broker_url,
            "CELERY_RESULT_BACKEND": broker_url,
            "DATABASE_URL": database_url,
            "EMAIL_FILE_PATH": str(mail_dir),
            "REMINDERS_TEST_MAIL_DELAY": str(mail_delay),
        }
        worker = WorkerProcess(broker_url, queue, env)
        worker.start()
        started.append(worker)
        return worker

    yield make, mail_dir, queue
    for worker in started:
        worker.stop()
