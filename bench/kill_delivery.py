"""``python -m bench.kill_delivery``: how many digests a real Celery worker sends twice (or
never) when it is killed with SIGKILL again and again in the middle of delivery.

It makes its own database (as ``make bench`` does), gives ``--people`` people one due
reminder each, then repeatedly starts a worker on a queue of its own, asks it to deliver,
waits until it has begun writing mail, and SIGKILLs it after a random moment. Once
``--kills`` kills have hit a delivery, one last worker finishes the job. Every message is
written to a file by Django's file backend; the count per recipient gives the duplicates
and the lost. Needs Redis (``CELERY_BROKER_URL``, default redis://127.0.0.1:6379/0).

    python -m bench.kill_delivery --kills 15 --people 400
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess  # nosec B404 (this project's own tools, fixed argument lists)
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

LONDON = "Europe/London"
DAY = date(2027, 3, 31)


def received(mail_dir: Path) -> Counter:
    counts: Counter = Counter()
    for path in mail_dir.glob("*.log"):
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith("To: "):
                counts[line.removeprefix("To: ")] += 1
    return counts


def make_people(count: int) -> list[str]:
    from institutes.models import Institute, Person
    from mou.models import Commitment, Milestone
    from reminders.services.scan import scan_reminders

    commitment = Commitment.objects.select_related("owner").first()
    institute = Institute.objects.first()
    people = Person.objects.bulk_create(
        Person(
            institute=institute, name=f"Kill test person {n}", email=f"kill{n}@example.org",
            job_title="Synthetic", time_zone=LONDON,
        )
        for n in range(count)
    )  # fmt: skip
    Milestone.objects.bulk_create(
        Milestone(commitment=commitment, title=f"Kill test {p.pk}", due_on=DAY, owner=p)
        for p in people
    )
    scan_reminders(now=datetime(2027, 3, 31, 0, 15, tzinfo=ZoneInfo(LONDON)))
    return [p.email for p in people]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.kill_delivery")
    parser.add_argument("--kills", type=int, default=15)
    parser.add_argument("--people", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", default="var/bench/kill_delivery.json")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from celery import Celery
    from django.conf import settings
    from django.test.utils import setup_test_environment

    from bench import database
    from bench.generate import SIZES, generate
    from core.runtime import database_url
    from reminders.models import Digest, Reminder

    setup_test_environment(debug=False)
    rng = random.Random(args.seed)  # nosec B311 (when to kill in a benchmark, not a secret)
    broker = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
    old_config = database.create()
    mail_dir = Path(tempfile.mkdtemp(prefix="accord-kill-"))
    queue = f"kill-{uuid.uuid4().hex[:10]}"
    env = dict(os.environ) | {
        "DJANGO_SETTINGS_MODULE": "bench.kill_settings",
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
        "DATABASE_URL": database_url(settings.DATABASES["default"]),
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
        "--loglevel=WARNING", "-Q", queue, "--without-mingle", "--without-gossip",
        "--without-heartbeat", "-n", f"{queue}@%h",
    ]  # fmt: skip
    client = Celery(broker=broker, backend=broker)
    now = datetime(2027, 3, 31, 9, 30, tzinfo=ZoneInfo(LONDON)).isoformat()
    kills_hit = 0
    started = time.monotonic()
    try:
        generate(SIZES["tiny"], now=datetime(2027, 3, 31, 12, tzinfo=UTC))
        emails = make_people(args.people)
        Reminder.objects.exclude(recipient__email__in=emails).delete()
        expected = set(emails)
        attempts = 0
        while kills_hit < args.kills and attempts < args.kills * 3:
            attempts += 1
            if not Reminder.objects.filter(status="pending").exists():
                break
            worker = subprocess.Popen(command, env=env)  # noqa: S603  # nosec B603 (fixed argument list of this project's own tools, no shell)
            before = sum(received(mail_dir).values())
            client.send_task("reminders.tasks.deliver_reminders", kwargs={"now": now}, queue=queue)
            deadline = time.monotonic() + 60
            while sum(received(mail_dir).values()) == before and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(rng.uniform(0, 0.4))
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            if sum(received(mail_dir).values()) > before:
                kills_hit += 1
            # Drop the redelivered task (acks_late): each round sends its own.
            client.control.purge()
        finisher = subprocess.Popen(command, env=env)  # noqa: S603  # nosec B603 (fixed argument list of this project's own tools, no shell)
        for _ in range(5):
            result = client.send_task(
                "reminders.tasks.deliver_reminders", kwargs={"now": now}, queue=queue
            )
            if result.get(timeout=300) == 0:
                break
        finisher.send_signal(signal.SIGTERM)
        finisher.wait(timeout=60)
        counts = received(mail_dir)
        duplicates = sum(n - 1 for n in counts.values() if n > 1)
        lost = len(expected - set(counts))
        figures = {
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "people": args.people,
            "kills_during_delivery": kills_hit,
            "messages": sum(counts.values()),
            "duplicated_digests": duplicates,
            "people_with_a_duplicate": sum(1 for n in counts.values() if n > 1),
            "lost_digests": lost,
            "still_pending": Reminder.objects.filter(status="pending").count(),
            "digest_rows": Digest.objects.count(),
            "seconds": round(time.monotonic() - started, 1),
        }
    finally:
        database.drop(old_config)
    print(json.dumps(figures, indent=2))
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
