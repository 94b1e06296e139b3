"""`make run`: migrate, load the demo data, then serve the app with a Celery worker and beat.

Ctrl-C stops all of them (and the embedded PostgreSQL server, when it is in use).
"""

from __future__ import annotations

import os
import signal

# Starts this project's own processes, with fixed argument lists and no shell.
import subprocess  # nosec B404
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

ADDRESS = os.environ.get("ACCORD_ADDRESS", "127.0.0.1:8000")


def main() -> int:
    import django
    from django.conf import settings
    from django.core.management import call_command, get_commands

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    commands = get_commands()
    if "load_demo" in commands:
        call_command("load_demo")
    if "send_reminders" in commands:
        # Beat's first tick is up to 15 minutes away: scan and deliver once now, as it would.
        call_command("send_reminders")
    python = sys.executable
    children = [
        subprocess.Popen([python, "manage.py", "runserver", ADDRESS]),  # noqa: S603 # nosec B603
        subprocess.Popen(  # noqa: S603 # nosec B603
            [
                python,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--beat",
                "--loglevel=INFO",
                "--concurrency=2",
                "--schedule",
                str(settings.VAR_DIR / "celerybeat-schedule"),
            ]
        ),
    ]
    print(f"\nAccord is running on http://{ADDRESS}/ (Ctrl-C stops it)\n", flush=True)

    def stop(*_: object) -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
        if "DATABASE_URL" not in os.environ:
            from core.runtime import stop_embedded_database

            stop_embedded_database(settings.VAR_DIR)
    return 0


if __name__ == "__main__":
    sys.exit(main())
