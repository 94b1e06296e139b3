"""Shared fixtures: real PostgreSQL (pytest-django), real Redis, real Chromium."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

from core.runtime import database_url as runtime_database_url

# Playwright's sync API runs an event loop in the test thread; Django's guard against
# calling the ORM from async code would otherwise trip on it in browser tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
# The API tests' register and token clients.
pytest_plugins = ["tests.api_helpers"]


def _redis_answers(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), 1):
            return True
    except OSError:
        return False


def redis_url() -> str | None:
    """CELERY_BROKER_URL when it is Redis, else a Redis answering on 127.0.0.1:6379."""
    url = os.environ.get("CELERY_BROKER_URL", "")
    if not url.startswith("redis"):
        url = "redis://127.0.0.1:6379/0"
    return url if _redis_answers(url) else None


@pytest.fixture(scope="session")
def broker_url(worker_id: str) -> str:
    """A Redis database of this test process's own, so parallel workers never share queues."""
    url = redis_url()
    if url is None:
        pytest.skip("no Redis broker: set CELERY_BROKER_URL or start Redis on 127.0.0.1:6379")
    # Offset from the database the URL names, so that two checkouts testing at once on one
    # Redis can be given disjoint ranges (e.g. /0 and /8).
    parsed = urlparse(url)
    base = int(parsed.path.strip("/") or 0)
    number = base + (0 if worker_id == "master" else int(worker_id.removeprefix("gw")) + 1)
    return parsed._replace(path=f"/{number % 16}").geturl()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: object, live_server: object) -> Iterator[object]:
    context = browser.new_context(base_url=live_server.url, locale="en-GB")  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


class WorkerProcess:
    """A real Celery worker in its own process, consuming one queue of its own."""

    def __init__(self, broker: str, queue: str, env: dict[str, str]) -> None:
        import subprocess
        import sys
        from pathlib import Path

        self.broker = broker
        self.queue = queue
        self._args = [
            sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
            "--loglevel=INFO", "-Q", queue, "--without-mingle", "--without-gossip",
            "--without-heartbeat", "-n", f"{queue}@%h",
        ]  # fmt: skip
        self._env = env
        self._cwd = Path(__file__).resolve().parents[1]
        self._subprocess = subprocess
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = self._subprocess.Popen(  # noqa: S603
            self._args, env=self._env, cwd=self._cwd
        )

    def stop(self, sig: int | None = None) -> None:
        import signal

        if self.process and self.process.poll() is None:
            self.process.send_signal(sig or signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except self._subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def celery_worker_process(
    broker_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[WorkerProcess]:
    """Starts a worker on Redis that sees this test's database (use with transactional tests).

    Celery lets the CELERY_BROKER_URL environment variable override any configured broker,
    so the test process's own variable is pointed at this worker's Redis database too.
    """
    monkeypatch.setenv("CELERY_BROKER_URL", broker_url)
    monkeypatch.setenv("CELERY_RESULT_BACKEND", broker_url)
    import uuid

    from django.conf import settings

    database_url = runtime_database_url(settings.DATABASES["default"])
    queue = f"test-{uuid.uuid4().hex[:12]}"
    env = dict(os.environ) | {
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "CELERY_BROKER_URL": broker_url,
        "CELERY_RESULT_BACKEND": broker_url,
        "DATABASE_URL": database_url,
    }
    worker = WorkerProcess(broker_url, queue, env)
    worker.start()
    yield worker
    worker.stop()
