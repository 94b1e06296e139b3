"""``python -m bench.connections``: requests per second of a detail page and an API detail
under ``wrk`` with each way of holding database connections: a new connection per request
(``CONN_MAX_AGE=0``), persistent connections (``CONN_MAX_AGE=60``) and psycopg's pool.

Generates the ``small`` data set in a database of its own (the configured name plus
``_wrk``, dropped at the end), serves it with gunicorn (2 sync workers, production
settings) on a loopback port, and runs bounded ``wrk`` runs (``apt-get install wrk``)
against 127.0.0.1 only.

    python -m bench.connections --seconds 10
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess  # nosec B404 (this project's own tools, fixed argument lists)
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

MODES = {
    "CONN_MAX_AGE=0 (a connection per request)": {"DATABASE_POOL": "false", "CONN_MAX_AGE": "0"},
    "CONN_MAX_AGE=60 (persistent)": {"DATABASE_POOL": "false", "CONN_MAX_AGE": "60"},
    "psycopg pool (DATABASE_POOL=true)": {"DATABASE_POOL": "true"},
}


def wait_for_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"nothing answers on 127.0.0.1:{port}")


def wrk(url: str, header: str, *, seconds: int, connections: int) -> float:
    output = subprocess.run(  # noqa: S603  # nosec B603 (fixed argument list of this project's own tools, no shell)
        [shutil.which("wrk") or "wrk", "-t2", f"-c{connections}", f"-d{seconds}s",
         "--timeout", "10s", "-H", header, url],
        capture_output=True, text=True, check=True, timeout=seconds + 30,
    ).stdout  # fmt: skip
    if "Non-2xx" in output:
        raise RuntimeError(f"{url} answered errors under load:\n{output}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    if not rate:
        raise RuntimeError(f"{url} answered nothing under load:\n{output}")
    return rate


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.connections")
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--port", type=int, default=18914)
    parser.add_argument("--output", default="var/bench/connections.json")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    from bench.generate import SIZES, generate
    from core.runtime import database_url

    setup_test_environment(debug=False)
    connection.settings_dict.setdefault("TEST", {})["NAME"] = (
        f"{connection.settings_dict['NAME']}_wrk"
    )
    old_config = setup_databases(
        verbosity=0, interactive=False, aliases={"default"}, serialized_aliases=set()
    )
    results: dict[str, dict[str, float]] = {}
    try:
        data = generate(SIZES["small"], now=datetime.now(UTC))
        browser = Client()
        browser.force_login(get_user_model().objects.get(username=data.officer_username))
        cookie = f"Cookie: sessionid={browser.cookies['sessionid'].value}"
        token = f"Authorization: Token {data.api_token}"
        targets = {
            "page /commitments/<id>/": (f"/commitments/{data.commitment_id}/", cookie),
            "api /api/v1/commitments/<id>/": (f"/api/v1/commitments/{data.commitment_id}/", token),
        }
        base_env = dict(os.environ) | {
            "DJANGO_SETTINGS_MODULE": "bench.wrk_settings",
            "DATABASE_URL": database_url(settings.DATABASES["default"]),
            # The session cookie was signed with this process's key.
            "SECRET_KEY": settings.SECRET_KEY,
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
        }
        connection.close()
        for mode, extra in MODES.items():
            server = subprocess.Popen(  # noqa: S603  # nosec B603 (fixed argument list of this project's own tools, no shell)
                [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind",
                 f"127.0.0.1:{args.port}", "--workers", "2", "--log-level", "warning"],
                env=base_env | extra,
            )  # fmt: skip
            try:
                wait_for_port(args.port)
                results[mode] = {}
                for what, (path, header) in targets.items():
                    url = f"http://127.0.0.1:{args.port}{path}"
                    name, value = header.split(": ", 1)
                    for _ in range(4):  # warm both workers up (imports, templates)
                        request = urllib.request.Request(url, headers={name: value})  # noqa: S310
                        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310  # nosec B310 (a loopback http URL built here)
                            response.read()
                    results[mode][what] = wrk(
                        url, header, seconds=args.seconds, connections=args.connections
                    )
                    print(f"{mode:<45} {what:<32} {results[mode][what]:>8.1f} req/s")
            finally:
                server.terminate()
                server.wait(timeout=30)
    finally:
        connection.close()
        teardown_databases(old_config, verbosity=0)
    baseline = results[next(iter(MODES))]
    print()
    for mode, figures in results.items():
        ratios = ", ".join(f"{what} {figures[what] / baseline[what]:.2f}x" for what in figures)
        print(f"{mode:<45} against a connection per request: {ratios}")
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(
        json.dumps(
            {
                "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "wrk": f"-t2 -c{args.connections} -d{args.seconds}s",
                "gunicorn": "2 sync workers, production settings",
                "requests_per_second": results,
            },
            indent=2,
        )
        + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
