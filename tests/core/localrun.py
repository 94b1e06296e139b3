"""Helpers for tests that run `make run`'s entry point in a copy of this checkout."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Not copied: installed or generated things, and each run's own state.
_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "node_modules", "var", "vendor", "__pycache__", "*.pyc",
    ".pytest_cache", ".ruff_cache", ".mypy_cache", "test-results",
)  # fmt: skip


def private_folder(prefix: str) -> Path:
    """A new folder under /tmp that the embedded server's user can reach when tests run as
    root (pytest's own base folder is reset to 0700 by every pytest session that starts)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))  # noqa: S108
    folder.chmod(0o711)
    return folder


def copy_checkout() -> Path:
    """A copy of the project as a fresh clone has it (no var/), using this venv."""
    target = private_folder("accord-checkout-") / "accord"
    shutil.copytree(ROOT, target, ignore=_IGNORE, symlinks=True)
    return target


def remove_checkout(target: Path) -> None:
    stop_everything(target)
    shutil.rmtree(target.parent, ignore_errors=True)


def clean_environment(**extra: str) -> dict[str, str]:
    """The environment of a newcomer's shell: no database, broker or settings chosen."""
    drop = {
        "DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "DJANGO_SETTINGS_MODULE",
        "SECRET_KEY", "DEBUG", "SITE_URL", "ACCORD_ADDRESS", "ALLOWED_HOSTS",
        "DJANGO_ALLOW_ASYNC_UNSAFE", "PYTEST_XDIST_WORKER", "PYTEST_CURRENT_TEST",
    }  # fmt: skip
    env = {key: value for key, value in os.environ.items() if key not in drop}
    return env | {"DEMO_PASSWORD": "local-run-test-password", "PYTHONUNBUFFERED": "1", **extra}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def processes_in(folder: Path) -> list[int]:
    """Live processes whose working directory is ``folder`` or below it."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = Path(os.readlink(entry / "cwd"))
            state = (entry / "stat").read_bytes().rsplit(b")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != b"Z" and (cwd == folder or folder in cwd.parents):
            found.append(int(entry.name))
    return found


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_bytes().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid and fields[0] != b"Z":
            found.append(int(entry.name))
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def http_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


class LocalRun:
    """``python -m core.devserver`` (what `make run` runs) in its own process group."""

    def __init__(self, checkout: Path, port: int) -> None:
        self.checkout = checkout
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = checkout / "var" / f"run-{time.monotonic_ns()}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.log_path.parent.mkdir(exist_ok=True)
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "core.devserver"],
                cwd=self.checkout,
                env=clean_environment(ACCORD_ADDRESS=f"127.0.0.1:{self.port}"),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_healthy(self, timeout: float) -> float:
        """Seconds until /healthz answers 200 and the ready line is printed."""
        assert self.process is not None
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"make run exited with {self.process.returncode}:\n{self.output[-4000:]}"
                )
            if http_status(f"{self.url}/healthz") == 200 and "Accord is running on" in self.output:
                return time.monotonic() - started
            time.sleep(0.5)
        raise AssertionError(f"not healthy within {timeout} s:\n{self.output[-4000:]}")

    def signal_group(self, sig: int) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, sig)

    def child(self, kind: str) -> int:
        """The pid of the web server's serving process (``web``) or the worker (``worker``)."""
        assert self.process is not None
        for pid in children_of(self.process.pid):
            if kind == "worker" and " child worker " in cmdline(pid):
                return pid
            if kind == "web" and " child web " in cmdline(pid):
                serving = children_of(pid)  # runserver's autoreloader starts the server
                assert serving, f"no serving process under the web server {pid}"
                return serving[0]
        raise AssertionError(f"no {kind} process under make run {self.process.pid}")

    def wait_exit(self, timeout: float = 60) -> int:
        assert self.process is not None
        return self.process.wait(timeout=timeout)


def stop_everything(checkout: Path) -> None:
    """`make stop` in the copy, then anything still working in it."""
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "core.devserver", "stop"],
        cwd=checkout,
        env=clean_environment(),
        capture_output=True,
        timeout=120,
        check=False,
    )
    for pid in processes_in(checkout):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
