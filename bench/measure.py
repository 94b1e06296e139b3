"""The measurements: wall time (median of a few runs) and query count of each page, API
list, reminder scan and delivery, and the peak memory of the full CSV export."""

from __future__ import annotations

import json
import math
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
from reminders.services.delivery import deliver_batch, skip_unsendable
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
    p95: float | None = None
    main_query_ms: float | None = None
    floor_ms: float | None = None
    peak_kib: float | None = None
    kind: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def timed(
    action: Callable[[], Any], *, runs: int, warm_up: bool = True
) -> tuple[list[float], int, Any]:
    """Run ``action`` ``runs`` times (after one unmeasured warm-up); the times in ms, the
    query count of the last run, and its result."""
    times, queries, result, _ = timed_with_queries(action, runs=runs, warm_up=warm_up)
    return times, queries, result


def timed_with_queries(
    action: Callable[[], Any], *, runs: int, warm_up: bool = True
) -> tuple[list[float], int, Any, list[dict[str, str]]]:
    if warm_up:
        action()
    times = []
    result = None
    captured_queries: list[dict[str, str]] = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = action()
            times.append((time.perf_counter() - started) * 1000)
        captured_queries = captured.captured_queries
    return times, len(captured_queries), result, captured_queries


def _get(client: Client, path: str, **headers: str) -> Callable[[], Any]:
    def fetch() -> Any:
        response = client.get(path, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}")
        # Streaming or not, read the whole body: the export's cost includes producing it.
        body = b"".join(response) if response.streaming else response.content
        return response, body

    return fetch


def _main_query_ms(action: Callable[[], Any], runs: int) -> float:
    """The slowest query of the request, its median over ``runs`` requests (the time
    Django measured around the database call)."""
    slowest = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            action()
        slowest.append(max(float(q["time"]) for q in captured.captured_queries) * 1000)
    return statistics.median(slowest)


def _page_ids(response: Any, body: bytes) -> tuple[type, list[int]]:
    """The model and primary keys of the rows a list page or API list shows."""
    from mou.models import Commitment, Milestone

    if response.get("Content-Type", "").startswith("application/json"):
        results = json.loads(body)["results"]
        model = Milestone if "due_on" in (results[0] if results else {}) else Commitment
        return model, [row["id"] for row in results]
    rows = list(response.context["rows"])
    return type(rows[0]), [row.pk for row in rows]


def _floor_ms(model: type, ids: list[int], runs: int) -> float:
    """The same page of rows fetched by primary key alone: the floor a list is held to."""

    def fetch() -> None:
        list(model._default_manager.filter(pk__in=ids).order_by())

    times, _, _ = timed(fetch, runs=max(runs, 5))
    return statistics.median(times)


def _peak_kib(action: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        action()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1024


PAGE = "page"  # a paginated page or API list, held to the growth and floor targets
OTHER = "other"


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
    last_page = math.ceil(data.counts["commitments"] / 25)
    targets = [
        ("page /", browser, "/", {}, PAGE),
        ("page /commitments/", browser, "/commitments/", {}, PAGE),
        ("page /commitments/ filtered", browser, filtered, {}, PAGE),
        ("page /commitments/ last page", browser, f"/commitments/?page={last_page}", {}, PAGE),
        ("page /commitments/<id>/", browser, f"/commitments/{data.commitment_id}/", {}, OTHER),
        ("page /milestones/?late=true", browser, "/milestones/?late=true", {}, PAGE),
        ("page /agreements/<code>/", browser, f"/agreements/{data.agreement_code}/", {}, PAGE),
        ("page /exchanges/", browser, "/exchanges/", {}, PAGE),
        ("csv /commitments/?format=csv (all rows)", browser, "/commitments/?format=csv", {}, OTHER),
        ("api /api/v1/commitments/", api, "/api/v1/commitments/", token, PAGE),
        (
            "api /api/v1/commitments/<id>/", api,
            f"/api/v1/commitments/{data.commitment_id}/", token, OTHER,
        ),
        ("api /api/v1/milestones/", api, "/api/v1/milestones/", token, PAGE),
    ]  # fmt: skip
    rows = []
    for what, client, path, headers, kind in targets:
        fetch = _get(client, path, **headers)
        times, queries, (response, body), _ = timed_with_queries(fetch, runs=runs)
        note = f"{len(body) / 1024:.0f} KiB"
        row = Row(
            data.size.name, what, statistics.median(times), queries, runs_ms=times,
            p95=p95(times), kind=kind,
        )  # fmt: skip
        if what.startswith("csv"):
            note += f", {body.count(b'\n') - 1} rows"
        else:
            row.main_query_ms = _main_query_ms(fetch, runs)
            row.peak_kib = _peak_kib(fetch)
        if kind == PAGE and what not in ("page /", "page /exchanges/"):
            model, ids = _page_ids(response, body)
            row.floor_ms = _floor_ms(model, ids, runs)
        row.note = note
        rows.append(row)
    rows.append(_export_memory(data, browser))
    rows.append(api_walk(data, api, token))
    return rows


def api_walk(data: Generated, api: Client, token: dict[str, str]) -> Row:
    """Every commitment through the API, 500 a page, following ``next`` links."""
    url: str | None = "/api/v1/commitments/?page_size=500"
    pages_read = 0
    rows_read = 0
    queries = 0
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        while url:
            response = api.get(url, headers=token)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} answered {response.status_code}")
            payload = response.json()
            rows_read += len(payload["results"])
            pages_read += 1
            url = payload.get("next")
    elapsed = (time.perf_counter() - started) * 1000
    queries = len(captured.captured_queries)
    return Row(
        data.size.name, "api walk: every commitment, 500 a page", elapsed, queries,
        rule=SCALES, runs_ms=[elapsed], kind="walk",
        note=f"{rows_read} rows in {pages_read} pages",
    )  # fmt: skip


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
    """A full delivery of what the scan created, through the locmem backend, pass by pass
    as ``deliver_pending`` runs them: each pass claims, sends and marks one batch."""
    from reminders.policy import current_policy

    mail.outbox = []
    policy = current_policy()
    pending = Reminder.objects.filter(status="pending").count()
    recipients = Reminder.objects.filter(status="pending").values("recipient").distinct().count()
    started = time.perf_counter()
    skip_unsendable(now=now)
    passes: list[tuple[float, int, int]] = []  # (ms, queries, digests)
    while len(passes) < MAX_DELIVERY_PASSES * 100:
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            result = deliver_batch(now=now, policy=policy)
            ms = (time.perf_counter() - began) * 1000
        if result is None:
            break
        passes.append((ms, len(captured.captured_queries), len(result.sent)))
    total_ms = (time.perf_counter() - started) * 1000
    digests = Digest.objects.count()
    left = Reminder.objects.filter(status="pending").count()
    fixed = max((queries - sent for _, queries, sent in passes), default=0)
    rows = [
        Row(
            data.size.name, "delivery: full (every pass until done)", total_ms,
            sum(q for _, q, _ in passes), rule=SCALES, runs_ms=[ms for ms, _, _ in passes],
            kind="delivery",
            note=(
                f"{len(passes)} passes of up to {policy.delivery_batch}, {digests} digests for "
                f"{recipients} recipients, {len(mail.outbox)} e-mails, {pending - left} of "
                f"{pending} reminders sent, {left} still pending"
            ),
        ),
        Row(
            data.size.name, "delivery: queries per pass beyond one mark per digest", fixed,
            fixed, unit="q", runs_ms=[], kind="delivery-fixed",
            note="claim, render, failures and release: the same for any number of digests",
        ),
    ]  # fmt: skip
    mail.outbox = []
    return rows
