"""Tasks on a real worker: killed mid-send, broker down, and the settings that make it safe."""

from __future__ import annotations

import datetime as dt
import signal
import time
from collections import Counter

import pytest
from celery import Celery
from celery.schedules import crontab
from kombu.exceptions import OperationalError

from reminders import tasks
from reminders.models import Digest, Reminder
from reminders.services import scan_reminders
from tests.factories import PersonFactory
from tests.reminders.conftest import LONDON, at

D = dt.date


def wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.1)


def messages_received(mail_dir) -> Counter:
    """Recipients of every message the file backend wrote, with how many each got."""
    received: Counter = Counter()
    for path in mail_dir.glob("*.log"):
        for line in path.read_text().splitlines():
            if line.startswith("To: "):
                received[line.removeprefix("To: ")] += 1
    return received


def three_people_with_reminders(make_milestone):
    people = [PersonFactory(time_zone=LONDON) for _ in range(3)]
    for person in people:
        make_milestone(person, D(2027, 3, 31))
    scan_reminders(now=at(LONDON, 2027, 3, 31, 0, 15))
    assert Reminder.objects.filter(status="pending").count() == 3
    return people


pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.broker
def test_delivery_task_killed_mid_send_ends_with_each_reminder_sent_once(
    reminders_worker, make_milestone
):
    make_worker, mail_dir, queue = reminders_worker
    people = three_people_with_reminders(make_milestone)
    worker = make_worker(mail_delay=3)
    client = Celery(broker=worker.broker, backend=worker.broker)
    now = at(LONDON, 2027, 3, 31, 9).isoformat()
    client.send_task("reminders.tasks.deliver_reminders", kwargs={"now": now}, queue=queue)
    # One digest written, the second one in the middle of being sent: kill the worker.
    wait_for(lambda: len(list(mail_dir.glob("sending-*"))) == 2)
    assert sum(messages_received(mail_dir).values()) == 1
    worker.stop(signal.SIGKILL)
    assert worker.process.returncode == -signal.SIGKILL
    # The killed transaction is rolled back: two reminders are still pending.
    wait_for(lambda: Reminder.objects.filter(status="pending").count() == 2)
    assert Reminder.objects.filter(status="sent").count() == 1

    # A new worker; the next tick (what beat sends every 15 minutes) finishes the job.
    restarted = make_worker(mail_delay=0)
    result = client.send_task("reminders.tasks.deliver_reminders", kwargs={"now": now}, queue=queue)
    assert result.get(timeout=60) == 2
    again = client.send_task("reminders.tasks.deliver_reminders", kwargs={"now": now}, queue=queue)
    assert again.get(timeout=60) == 0
    restarted.stop()
    assert messages_received(mail_dir) == Counter({person.email: 1 for person in people})
    assert Reminder.objects.filter(status="sent").count() == 3
    assert Digest.objects.count() == 3


@pytest.mark.broker
def test_delivery_reminders_wait_while_the_broker_is_down_and_go_after_recovery(
    reminders_worker, make_milestone, monkeypatch
):
    make_worker, mail_dir, queue = reminders_worker
    people = three_people_with_reminders(make_milestone)
    now = at(LONDON, 2027, 3, 31, 9).isoformat()
    # Nothing answers on port 1 (Celery reads the broker from the environment first).
    with monkeypatch.context() as env, pytest.raises(OperationalError):
        env.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
        Celery(broker="redis://127.0.0.1:1/0").send_task(
            "reminders.tasks.deliver_reminders", kwargs={"now": now}, queue=queue, retry=False
        )
    assert Reminder.objects.filter(status="pending").count() == 3
    worker = make_worker(mail_delay=0)
    client = Celery(broker=worker.broker, backend=worker.broker)
    result = client.send_task("reminders.tasks.deliver_reminders", kwargs={"now": now}, queue=queue)
    assert result.get(timeout=60) == 3
    assert messages_received(mail_dir) == Counter({person.email: 1 for person in people})


@pytest.mark.django_db
def test_worker_settings_make_redelivery_safe(settings):
    from config.celery import app

    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    visibility_timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    reminder_tasks = [tasks.scan_reminders, tasks.deliver_reminders]
    limits = [settings.CELERY_TASK_TIME_LIMIT] + [
        t.time_limit for t in reminder_tasks if t.time_limit
    ]
    assert visibility_timeout >= 2 * max(limits)
    for task in reminder_tasks:
        assert task.acks_late is True
        assert task.reject_on_worker_lost is True
    assert conf.timezone == "UTC"
    for name in ("reminders-scan", "reminders-deliver"):
        entry = settings.CELERY_BEAT_SCHEDULE[name]
        assert entry["schedule"] == crontab(minute="*/15")
        options = entry.get("options", {})
        # No ETA or countdown, and stale ticks expire well within the visibility timeout.
        assert "eta" not in options
        assert "countdown" not in options
        assert options["expires"] < min(15 * 60, visibility_timeout)


def test_delivery_time_budget_ends_well_inside_the_task_time_limits(settings):
    from reminders.policy import current_policy

    assert current_policy().delivery_time_budget < settings.CELERY_TASK_SOFT_TIME_LIMIT
