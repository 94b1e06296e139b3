"""The measurements: wall time (median of a few runs) and query count of each page, API
list, reminder scan and delivery, and the peak memory of the full CSV export."""

from __future__ import annotations

import resource
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from datetime import time as clock_time
from typing import Any

from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench import database
from bench.generate import Generated
from mou.choices import CommitmentStatus
from reminders.models import Digest, Reminder
from reminders.services.delivery import deliver_pending
from reminders.services.scan import scan_reminders

# Rows whose query count must not depend on the data size.
CONSTANT = "constant"
# Rows whose query count may grow by design (a write per batch of rows, a digest per person).
SCALES = "scales"
# Delivery passes at most: a guard against a pass that keeps finding work.
MAX_DELIVERY_PASSES = 10


@dataclass
class Row:
    size: str
    what: str
    median: float
    queries: int
    unit: str = "ms"
    rule: str = CONSTANT
    runs_ms: list[float] = field(default_factory=list)
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def timed(
    action: Callable[[], Any], *, runs: int, warm_up: bool = True
) -> tuple[list[float], int, Any]:
    """Run ``action`` ``runs`` times (after one unmeasured warm-up); the times in ms, the
    query count of the last run, and its result."""
    if warm_up:
        action()
    times = []
    result = None
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = action()
            times.append((time.perf_counter() - started) * 1000)
        queries = len(captured.captured_queries)
    return times, queries, result


def _get(client: Client, path: str, **headers: str) -> Callable[[], Any]:
    def fetch() -> Any:
        response = client.get(path, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}")
        # Streaming or not, read the whole body: the export's cost includes producing it.
        return b"".join(response) if response.streaming else response.content

    return fetch


def pages(data: Generated, *, runs: int) -> list[Row]:
    officer = get_user_model().objects.get(username=data.officer_username)
    browser = Client()
    browser.force_login(officer)
    api = Client()
    token = {"Authorization": f"Token {data.api_token}"}
    filtered = (
        f"/commitments/?status={CommitmentStatus.AT_RISK}&status={CommitmentStatus.OFF_TRACK}"
        f"&rag=red&rag=amber&owed_by={data.institute_ids[0]}&q=Bench&ordering=-target"
    )
    targets = [
        ("page /", browser, "/", {}),
        ("page /commitments/", browser, "/commitments/", {}),
        ("page /commitments/ filtered", browser, filtered, {}),
        ("page /commitments/<id>/", browser, f"/commitments/{data.commitment_id}/", {}),
        ("page /milestones/?late=true", browser, "/milestones/?late=true", {}),
        ("page /agreements/<code>/", browser, f"/agreements/{data.agreement_code}/", {}),
        ("page /exchanges/", browser, "/exchanges/", {}),
        ("csv /commitments/?format=csv (all rows)", browser, "/commitments/?format=csv", {}),
        ("api /api/v1/commitments/", api, "/api/v1/commitments/", token),
        ("api /api/v1/milestones/", api, "/api/v1/milestones/", token),
    ]
    rows = []
    for what, client, path, headers in targets:
        times, queries, body = timed(_get(client, path, **headers), runs=runs)
        note = f"{len(body) / 1024:.0f} KiB"
        if what.startswith("csv"):
            note += f", {body.count(b'\n') - 1} rows"
        rows.append(
            Row(data.size.name, what, statistics.median(times), queries, runs_ms=times, note=note)
        )
    rows.append(_export_memory(data, browser))
    return rows


def _export_memory(data: Generated, browser: Client) -> Row:
    """Peak Python memory while producing the full CSV export (tracemalloc, which slows the
    run, so its time is not reported), and the process's peak resident size after it."""
    fetch = _get(browser, "/commitments/?format=csv")
    tracemalloc.start()
    try:
        with CaptureQueriesContext(connection) as captured:
            fetch()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    max_rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return Row(
        data.size.name,
        "memory of the csv export (tracemalloc peak)",
        median=round(peak / 2**20, 1),
        queries=len(captured.captured_queries),
        unit="MiB",
        note=f"process peak resident size so far {max_rss_kib / 1024:.0f} MiB",
    )


def reminder_moment(data: Generated) -> datetime:
    """An instant on the generated day after 09:00 both in London and in Sydney (23:30 UTC
    is 23:30 or 22:30 in London and 09:30 or 10:30 the next day in Sydney), so every
    recipient's digest is due."""
    return datetime.combine(data.today, clock_time(23, 30), tzinfo=UTC)


def reminders(data: Generated, *, runs: int) -> list[Row]:
    now = reminder_moment(data)
    size = data.size.name
    rows = []
    # The first scan is measured from nothing each time: the reminders are forgotten
    # between runs.
    first_times: list[float] = []
    created = 0
    queries = 0
    for _ in range(runs):
        database.empty_reminders()
        times, queries, result = timed(lambda: scan_reminders(now=now), runs=1, warm_up=False)
        first_times += times
        created = result.created
    rows.append(
        Row(
            size, "scan_reminders (first run)", statistics.median(first_times), queries,
            rule=SCALES, runs_ms=first_times,
            note=f"{created} reminders created; one insert per 5,000 new rows",
        )
    )  # fmt: skip
    times, queries, result = timed(lambda: scan_reminders(now=now), runs=runs, warm_up=False)
    rows.append(
        Row(
            size, "scan_reminders (again: nothing new)", statistics.median(times), queries,
            runs_ms=times, note=f"{result.created} created",
        )
    )  # fmt: skip
    database.analyse()
    rows += _delivery(data, now)
    return rows


def _delivery(data: Generated, now: datetime) -> list[Row]:
    """Delivery of what the scan created, through the locmem backend. It changes what it
    reads, so each pass runs once: the first pass (at most ``DELIVERY_BATCH`` digests), then
    further passes, as the next beat ticks would run them, until one sends nothing."""
    mail.outbox = []
    pending = Reminder.objects.filter(status="pending").count()
    recipients = Reminder.objects.filter(status="pending").values("recipient").distinct().count()
    passes = []
    while True:
        times, queries, result = timed(lambda: deliver_pending(now=now), runs=1, warm_up=False)
        passes.append((times[0], queries, result))
        if not result.sent or len(passes) >= MAX_DELIVERY_PASSES:
            break
    first_ms, first_queries, first = passes[0]
    first_digests = len(first.sent)
    rows = [
        Row(
            data.size.name, "deliver_pending (first pass)", first_ms, first_queries,
            rule=SCALES, runs_ms=[first_ms],
            note=(
                f"{first_digests} digests for {recipients} recipients, "
                f"{sum(count for _, count in first.sent)} of {pending} pending reminders, "
                f"largest digest {max((c for _, c in first.sent), default=0)}, "
                f"{first.skipped} skipped, {len(first.failed)} failed; "
                f"{first_queries / max(first_digests, 1):.1f} queries per digest"
            ),
        )
    ]  # fmt: skip
    digests = Digest.objects.count()
    left = Reminder.objects.filter(status="pending").count()
    total_ms = sum(ms for ms, _, _ in passes)
    total_queries = sum(queries for _, queries, _ in passes)
    rows.append(
        Row(
            data.size.name, "deliver_pending (every pass until done)", total_ms, total_queries,
            rule=SCALES, runs_ms=[ms for ms, _, _ in passes],
            note=(
                f"{len(passes)} passes (the last sends nothing), {digests} digests, "
                f"{len(mail.outbox)} e-mails, {left} reminders still pending"
            ),
        )
    )  # fmt: skip
    mail.outbox = []
    return rows
