"""`make run`: migrate, load the demo data, then serve the app with a Celery worker and beat.

- A taken port stops it at once, naming the port and ``ACCORD_ADDRESS``.
- With ``DATABASE_URL`` unset it starts the embedded PostgreSQL server (or reuses the one
  running), watches it, and restarts it if it stops.
- The web server and the worker run in sessions of their own and die with this process
  (Linux parent-death signal), so Ctrl-C, SIGTERM to the group, a closed terminal or
  SIGKILL of any one process never leaves a server holding the port. If the web server
  or the worker stops, everything stops with a non-zero exit.
- "Accord is running" and the demo accounts are printed last, once ``/healthz`` answers.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal

# Starts this project's own processes, with fixed argument lists and no shell.
import subprocess  # nosec B404
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = ROOT / "var"
READY_TIMEOUT = 180  # seconds for the web server to answer /healthz
DATABASE_CHECK_INTERVAL = 2.0  # seconds between checks that the embedded server answers


class Stop(BaseException):  # noqa: N818 - a signal, not an error
    """Raised in the main thread by SIGINT, SIGTERM or SIGHUP."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def say(message: str, *, error: bool = False) -> None:
    print(f"make run: {message}", file=sys.stderr if error else sys.stdout, flush=True)


def port_problem(host: str, port: int) -> str | None:
    """Why (host, port) cannot be served on, or None when it is free.

    SO_REUSEADDR as runserver sets it: a port in TIME_WAIT after the last run is free,
    one another process listens on is not.
    """
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            return exc.strerror or str(exc)
    return None


def _die_with_parent() -> None:
    """Ask Linux to send SIGTERM to this process when its parent dies."""
    import ctypes

    pr_set_pdeathsig = 1
    with contextlib.suppress(OSError, AttributeError):  # not Linux: nothing to do
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)
    if os.getppid() == 1:  # the parent died before the request took effect
        sys.exit(0)


def child(argv: list[str]) -> int:
    """Entry point of the web server and the worker (``python -m core.devserver child ...``).

    runserver's autoreloader starts its serving process with the same arguments, so that
    process, too, dies with its parent.
    """
    _die_with_parent()
    kind, rest = argv[0], argv[1:]
    if kind == "web":
        from django.core.management import execute_from_command_line

        execute_from_command_line([str(ROOT / "manage.py"), "runserver", *rest])
        return 0
    if kind == "worker":
        from celery.signals import worker_ready

        from config.celery import app

        ready_file = os.environ.get("ACCORD_WORKER_READY_FILE")
        if ready_file:
            worker_ready.connect(lambda **_: Path(ready_file).touch(), weak=False)
        app.worker_main(["worker", *rest])
        return 0
    raise SystemExit(f"unknown child {kind!r}")


class DevServer:
    def __init__(self, address: str) -> None:
        from core.runtime import EmbeddedPostgres, parse_address, served_url

        self.address = address
        self.host, self.port = parse_address(address)
        self.url = served_url(address)
        self.embedded = EmbeddedPostgres(VAR_DIR) if not os.environ.get("DATABASE_URL") else None
        self.started_database = False
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.worker_ready_file = VAR_DIR / f"worker-ready-{os.getpid()}"

    # -- steps

    def start_database(self) -> None:
        if self.embedded is None:
            return
        if self.embedded.ensure_running(say=say):
            self.started_database = True
            say("embedded PostgreSQL started")
        else:
            say("using the embedded PostgreSQL server already running")

    def prepare(self) -> str:
        """Migrate, load the demo data and run one reminder pass; returns load_demo's output."""
        import django
        from django.core.management import call_command, get_commands
        from django.db import connections

        django.setup()
        call_command("migrate", interactive=False, verbosity=0)
        commands = get_commands()
        demo = io.StringIO()
        if "load_demo" in commands:
            call_command("load_demo", stdout=demo)
        if "send_reminders" in commands:
            # Beat's first tick is up to 15 minutes away: scan and deliver once now, as it would.
            call_command("send_reminders")
        connections.close_all()
        return demo.getvalue()

    def spawn(self) -> None:
        python = sys.executable
        me = [python, "-m", "core.devserver", "child"]
        schedule = str(VAR_DIR / "celerybeat-schedule")
        commands = {
            "web server": [*me, "web", self.address],
            "worker": [
                *me, "worker", "--beat", "--loglevel=INFO", "--concurrency=2",
                "--schedule", schedule,
            ],
        }  # fmt: skip
        self.worker_ready_file.unlink(missing_ok=True)
        env = os.environ | {"ACCORD_WORKER_READY_FILE": str(self.worker_ready_file)}
        for name, command in commands.items():
            self.children[name] = subprocess.Popen(  # noqa: S603  # nosec B603 (fixed argument list of this project's own tools, no shell)
                command, cwd=ROOT, env=env, start_new_session=True
            )

    def wait_until_ready(self) -> None:
        """Until /healthz answers 200 and the worker has said it is ready."""
        host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(self.host, self.host)  # noqa: S104  # nosec B104 (compares or uses the address the developer chose (ACCORD_ADDRESS))
        host = f"[{host}]" if ":" in host else host
        url = f"http://{host}:{self.port}/healthz"
        deadline = time.monotonic() + READY_TIMEOUT
        last = "no answer"
        while time.monotonic() < deadline:
            self.check_children()
            try:
                with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310  # nosec B310 (a loopback http URL built here)
                    if response.status == 200 and self.worker_ready_file.exists():
                        return
                    last = "the worker is not ready yet"
            except urllib.error.HTTPError as exc:
                last = f"{exc.code} {exc.read().decode(errors='replace')}"
            except OSError as exc:
                last = str(exc)
            time.sleep(0.5)
        raise SystemExit(f"make run: {url} did not answer 200 in {READY_TIMEOUT} s ({last})")

    def check_children(self) -> None:
        for name, process in self.children.items():
            code = process.poll()
            if code is not None:
                how = f"signal {-code}" if code < 0 else f"exit status {code}"
                raise SystemExit(f"make run: the {name} stopped ({how}); stopping Accord")

    def watch(self) -> None:
        """Until a signal: keep the children and the embedded server up."""
        misses = 0
        next_check = time.monotonic() + DATABASE_CHECK_INTERVAL
        while True:
            self.check_children()
            if self.embedded is not None and time.monotonic() >= next_check:
                misses = 0 if self.embedded.answers() else misses + 1
                if misses >= 2:
                    say("the embedded PostgreSQL server stopped; restarting it")
                    self.embedded.ensure_running(say=say)
                    self.started_database = True
                    say("embedded PostgreSQL is running again")
                    misses = 0
                next_check = time.monotonic() + DATABASE_CHECK_INTERVAL
            time.sleep(0.5)

    def shutdown(self) -> None:
        # SIGTERM to each child lets it stop its own processes (runserver's serving process,
        # the worker's pool); then SIGKILL to each child's whole session ends what is left.
        for process in self.children.values():
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 10.0
        for process in self.children.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
        for process in self.children.values():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
        self.worker_ready_file.unlink(missing_ok=True)
        if self.embedded is not None and self.started_database:
            self.embedded.stop()
            say("embedded PostgreSQL stopped")

    def run(self) -> int:
        try:
            self.start_database()
            demo = self.prepare()
            self.spawn()
            self.wait_until_ready()
            print(f"\n{demo.rstrip()}\n" if demo.strip() else "", flush=True)
            print(f"Accord is running on {self.url}/ (Ctrl-C stops it)\n", flush=True)
            self.watch()
        except Stop:
            return 0
        except SystemExit as exc:
            if isinstance(exc.code, str):
                print(exc.code, file=sys.stderr, flush=True)
                return 1
            return exc.code or 0
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(sig, signal.SIG_IGN)
            self.shutdown()
        return 0  # pragma: no cover - watch() only ends by an exception


def leftover_processes() -> list[int]:
    """Processes of a local run in this checkout: `make run`, its web server and worker."""
    found: list[int] = []
    if not Path("/proc/self").exists():  # no procfs: nothing to find this way
        return found
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if Path(os.readlink(entry / "cwd")) != ROOT:
                continue
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"core.devserver" in argv or (b"celery" in argv and b"config" in argv):
            found.append(int(entry.name))
    return found


def stop_leftovers() -> int:
    """`make stop`: end what a local run left behind, then the embedded server."""
    from core.runtime import stop_embedded_database

    found = leftover_processes()
    pids = list(found)
    for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and (pids := [p for p in pids if _alive(p)]):
            time.sleep(0.2)
    if pids := leftover_processes():
        say(f"could not stop process(es) {', '.join(map(str, pids))}", error=True)
        return 1
    print(f"stopped {len(found)} process(es) of a local run" if found else "no local run was left")
    stopped = stop_embedded_database(VAR_DIR)
    print("embedded PostgreSQL stopped" if stopped else "embedded PostgreSQL was not running")
    return 0


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != b"Z"


def main() -> int:
    from django.core.exceptions import ImproperlyConfigured

    from core.runtime import DEFAULT_ADDRESS, EmbeddedDatabaseError, parse_address

    address = os.environ.get("ACCORD_ADDRESS", "") or DEFAULT_ADDRESS
    try:
        host, port = parse_address(address)
    except ImproperlyConfigured as exc:
        say(str(exc), error=True)
        return 2
    problem = port_problem(host, port)
    if problem:
        say(
            f"port {port} on {host} is not free ({problem}).\n"
            f"  Stop what is using port {port}, or serve on another address, e.g.\n"
            f"    ACCORD_ADDRESS=127.0.0.1:{port + 1 if port < 65535 else 8001} make run",
            error=True,
        )
        return 1
    # Children inherit it: SITE_URL (links in e-mails) and ALLOWED_HOSTS follow it.
    os.environ["ACCORD_ADDRESS"] = address

    def on_signal(signum: int, frame: object) -> None:
        raise Stop(signum)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    try:
        return DevServer(address).run()
    except EmbeddedDatabaseError as exc:
        say(str(exc), error=True)
        return 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        sys.exit(child(sys.argv[2:]))
    if sys.argv[1:2] == ["stop"]:
        sys.exit(stop_leftovers())
    sys.exit(main())
