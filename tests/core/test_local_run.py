"""`make run` in a copy of the checkout, as a newcomer has it: started, stopped every way a
person or a supervisor stops it, and started again — it must always come back healthy.

Slow (each start migrates and loads the demo data on a private embedded PostgreSQL), so
these run one after another in one xdist group; `make test` runs them.
"""

from __future__ import annotations

import os
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.core.localrun import (
    LocalRun,
    copy_checkout,
    fetch,
    free_port,
    http_status,
    processes_in,
    remove_checkout,
)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("local-run")]

FIRST_START = 300  # seconds: creates the database, migrates, loads the demo data
RESTART = 120  # seconds: a start on a database that is already there (usually 10-20 s)


@pytest.fixture(scope="module")
def checkout() -> Iterator[Path]:
    """One copy for the module: the later test starts on the data the first one made."""
    copy = copy_checkout()
    yield copy
    remove_checkout(copy)


def _assert_stopped(run: LocalRun) -> None:
    """Nothing of the run is left: the port is free and no web server or worker runs."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", run.port))  # raises if anything still listens
    leftovers = [
        pid
        for pid in processes_in(run.checkout)
        if "postgres" not in Path(f"/proc/{pid}/comm").read_text(errors="replace")
    ]
    assert leftovers == [], f"processes left after the stop: {leftovers}"


def test_make_run_always_comes_back_after_any_stop(checkout):
    port = free_port()
    timings: list[tuple[str, float]] = []

    def start(label: str, limit: float) -> LocalRun:
        run = LocalRun(checkout, port)
        run.start()
        timings.append((label, run.wait_healthy(limit)))
        return run

    run = start("first start", FIRST_START)
    # Accord's own pages, not Django's debug pages; links follow the served address.
    status, body = fetch(f"{run.url}/no-such-page/")
    assert status == 404
    assert "Page not found" in body
    assert "URLconf" not in body  # Django's technical 404 page lists the URL patterns
    output = run.output
    # The ready line comes last, after the server and the worker have said their piece
    # (the children write unbuffered here, as to a terminal).
    ready = output.index("Accord is running on")
    assert ready > output.index("Starting WSGI development server"), output[-3000:]
    assert ready > output.index(" ready."), output[-3000:]  # celery@host ready.
    assert ready > output.index("Demo accounts")
    assert f"Accord is running on http://127.0.0.1:{port}/" in output
    assert "officer" in output.rsplit("Accord is running", 1)[0][-2000:]
    run.signal_group(signal.SIGTERM)
    assert run.wait_exit() == 0
    _assert_stopped(run)

    for cycle in range(5):
        run = start(f"after SIGTERM to the group #{cycle + 1}", RESTART)
        run.signal_group(signal.SIGTERM)
        assert run.wait_exit() == 0
        _assert_stopped(run)

    run = start("after SIGTERM cycles", RESTART)
    run.signal_group(signal.SIGINT)  # Ctrl-C
    assert run.wait_exit() == 0
    _assert_stopped(run)

    run = start("after Ctrl-C", RESTART)
    run.signal_group(signal.SIGHUP)  # the terminal closed
    assert run.wait_exit() == 0
    _assert_stopped(run)

    run = start("after SIGHUP", RESTART)
    os.kill(run.child("worker"), signal.SIGKILL)
    assert run.wait_exit() != 0  # says the worker stopped, stops the rest
    assert "the worker stopped" in run.output
    _assert_stopped(run)

    run = start("after SIGKILL of the worker", RESTART)
    os.kill(run.child("web"), signal.SIGKILL)
    assert run.wait_exit() != 0
    assert "the web server stopped" in run.output
    _assert_stopped(run)

    run = start("after SIGKILL of the web server", RESTART)
    # A supervisor's last resort: SIGKILL to the whole group, `make run` itself included.
    # Its web server and worker die with it; the embedded PostgreSQL is left running.
    run.signal_group(signal.SIGKILL)
    run.wait_exit()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            _assert_stopped(run)
            break
        except (AssertionError, OSError):
            time.sleep(0.5)
    _assert_stopped(run)

    run = start("after SIGKILL of the group", RESTART)
    assert "using the embedded PostgreSQL server already running" in run.output
    run.signal_group(signal.SIGTERM)
    assert run.wait_exit() == 0
    _assert_stopped(run)

    print("\n".join(f"{label}: healthy in {seconds:.1f} s" for label, seconds in timings))


def test_a_killed_embedded_database_is_restarted_by_make_run(checkout):
    run = LocalRun(checkout, free_port())
    run.start()
    run.wait_healthy(FIRST_START)  # the first start when this test runs on its own
    pid = int((checkout / "var" / "postgres" / "postmaster.pid").read_text().split()[0])
    os.kill(pid, signal.SIGKILL)
    killed = time.monotonic()
    # /healthz notices, then answers 200 again once make run has restarted the server.
    while http_status(f"{run.url}/healthz") == 200 and time.monotonic() - killed < 5:
        time.sleep(0.2)
    while http_status(f"{run.url}/healthz") != 200:
        assert time.monotonic() - killed < 15, run.output[-3000:]
        time.sleep(0.5)
    assert "the embedded PostgreSQL server stopped; restarting it" in run.output
    run.signal_group(signal.SIGTERM)
    assert run.wait_exit() == 0
