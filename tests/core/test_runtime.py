"""The local runtime: settings that start nothing, the embedded server's start, stop and
recovery, the address `make run` serves on, and a taken port."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ImproperlyConfigured

from core.runtime import EmbeddedPostgres, _write_atomically, parse_address, served_url
from tests.core.localrun import (
    ROOT,
    clean_environment,
    copy_checkout,
    free_port,
    private_folder,
    processes_in,
    remove_checkout,
)

# --- settings start nothing -----------------------------------------------------------------

_SHOW_SETTINGS = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.DATABASES['default']['HOST']); print(settings.SITE_URL); "
    "print(settings.DEBUG)"
)


@pytest.fixture(scope="module")
def checkout() -> Iterator[Path]:
    copy = copy_checkout()
    yield copy
    remove_checkout(copy)


@pytest.mark.parametrize("settings_module", ["config.settings.local", "config.settings.test"])
def test_importing_the_settings_without_database_url_starts_no_process(checkout, settings_module):
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", _SHOW_SETTINGS],
        cwd=checkout,
        env=clean_environment(DJANGO_SETTINGS_MODULE=settings_module),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    host = result.stdout.splitlines()[0]
    assert host == str(checkout / "var" / "postgres-socket")
    assert not (checkout / "var" / "postgres").exists()
    assert processes_in(checkout) == []


def test_collecting_the_tests_without_database_url_starts_no_process(checkout):
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:randomly"],
        cwd=checkout,
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "tests collected" in result.stdout
    assert not (checkout / "var" / "postgres" / "postmaster.pid").exists()
    assert processes_in(checkout) == []


def test_site_url_follows_the_served_address(checkout):
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", _SHOW_SETTINGS],
        cwd=checkout,
        env=clean_environment(
            DJANGO_SETTINGS_MODULE="config.settings.local", ACCORD_ADDRESS="127.0.0.1:8123"
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1] == "http://127.0.0.1:8123"
    # Local runs show Accord's own 404/403/500 pages: DEBUG is off unless asked for.
    assert result.stdout.splitlines()[2] == "False"


@pytest.mark.parametrize(
    ("value", "expected", "url"),
    [
        ("8001", ("127.0.0.1", 8001), "http://127.0.0.1:8001"),
        ("127.0.0.1:8000", ("127.0.0.1", 8000), "http://127.0.0.1:8000"),
        ("localhost:9000", ("localhost", 9000), "http://localhost:9000"),
        ("0.0.0.0:8000", ("0.0.0.0", 8000), "http://127.0.0.1:8000"),  # noqa: S104
        ("[::1]:8002", ("::1", 8002), "http://[::1]:8002"),
    ],
)
def test_served_address_is_read_as_runserver_reads_it(value, expected, url):
    assert parse_address(value) == expected
    assert served_url(value) == url


@pytest.mark.parametrize("value", ["", "127.0.0.1:", "host:http", "127.0.0.1:70000"])
def test_a_bad_address_names_the_variable(value):
    with pytest.raises(ImproperlyConfigured, match="ACCORD_ADDRESS"):
        parse_address(value)


# --- a taken port -----------------------------------------------------------------------------


def test_a_taken_port_stops_make_run_at_once_naming_the_port():
    port = free_port()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", port))
        holder.listen()
        started = time.monotonic()
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "core.devserver"],
            cwd=ROOT,
            env=clean_environment(ACCORD_ADDRESS=f"127.0.0.1:{port}"),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode != 0
    assert f"port {port}" in result.stderr
    assert "ACCORD_ADDRESS=" in result.stderr
    assert "Accord is running" not in result.stdout
    assert time.monotonic() - started < 20  # nothing was migrated or started first


# --- the embedded server ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[EmbeddedPostgres]:
    folder = private_folder("accord-embedded-")
    server = EmbeddedPostgres(folder / "var")
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


def _postmaster_pid(server: EmbeddedPostgres) -> int:
    return int((server.pgdata / "postmaster.pid").read_text().split()[0])


@pytest.mark.xdist_group("embedded-postgres")
def test_the_embedded_server_starts_once_and_is_reused(server):
    assert server.ensure_running() is True
    assert server.answers()
    assert server.ensure_running() is False  # a second starter joins the running server


@pytest.mark.xdist_group("embedded-postgres")
def test_a_killed_server_with_its_stale_postmaster_pid_is_recovered(server):
    server.ensure_running()
    os.kill(_postmaster_pid(server), signal.SIGKILL)
    deadline = time.monotonic() + 10
    while server.answers() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert (server.pgdata / "postmaster.pid").exists()  # left behind by the crash
    assert server.ensure_running() is True
    assert server.answers()


@pytest.mark.xdist_group("embedded-postgres")
def test_a_postmaster_pid_naming_an_unrelated_live_process_is_recovered(server):
    server.ensure_running()
    assert server.stop() is True
    assert not server.answers()
    # After a reboot the old pid may belong to anything: here, this test process.
    (server.pgdata / "postmaster.pid").write_text(f"{os.getpid()}\n{server.pgdata}\n")
    assert server.ensure_running() is True
    assert server.answers()


@pytest.mark.xdist_group("embedded-postgres")
def test_stop_is_safe_to_repeat(server):
    server.ensure_running()
    assert server.stop() is True
    assert server.stop() is False
    assert not server.answers()


def test_a_file_written_atomically_is_whole_or_absent(tmp_path):
    path = tmp_path / "state"
    _write_atomically(path, "first")
    _write_atomically(path, "second", mode=0o600)
    assert path.read_text() == "second"
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["state"]  # no temporary file left


# --- the production image and the lock files ---------------------------------------------------


def _locked(name: str) -> set[str]:
    lines = (ROOT / name).read_text().splitlines()
    return {line.split("==")[0].lower() for line in lines if "==" in line and line[0] != " "}


def test_production_lock_carries_no_development_tooling():
    production = _locked("requirements.lock")
    development = _locked("requirements-dev.lock")
    tools = {
        "pytest", "pytest-django", "pytest-xdist", "playwright", "hypothesis", "ruff",
        "factory-boy", "embedded-postgres", "mypy", "django-stubs", "pre-commit",
    }  # fmt: skip
    assert production & tools == set()
    assert tools <= development
    assert production <= development  # the development lock includes production's
    assert {"django", "celery", "gunicorn", "psycopg"} <= production


def test_the_dockerfile_installs_only_the_production_lock():
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    dockerfile = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    assert "uv pip sync --no-cache --python /opt/venv/bin/python requirements.lock" in dockerfile
    assert "requirements-dev.lock" not in dockerfile
    assert "DATABASE_URL" not in dockerfile  # collectstatic needs no database
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {"tests", ".venv", "var", "requirements-dev.lock"} <= set(ignored)


def test_every_long_running_compose_service_has_a_health_check():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    long_running = [name for name, service in services.items() if name != "migrate"]
    assert {"web", "worker", "beat"} <= set(long_running)
    assert [name for name in long_running if "healthcheck" not in services[name]] == []
    assert "--enable-remote-control" in services["beat"]["command"]
    assert "celerybeat@" in " ".join(services["beat"]["healthcheck"]["test"])


def test_pre_commit_runs_the_team_tools_from_the_venv():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert all(repo["repo"] == "local" for repo in config["repos"])
    assert {"ruff", "ruff-format", "django-upgrade", "mypy"} <= set(hooks)
    assert "--target-version 6.1" in hooks["django-upgrade"]["entry"]
    assert all(hook["entry"].startswith(".venv/bin/") for hook in hooks.values())
    mypy = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    assert "mypy_django_plugin.main" in mypy["plugins"]
    assert "mypy_drf_plugin.main" in mypy["plugins"]
