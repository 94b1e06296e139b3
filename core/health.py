"""Checks of the services Accord depends on, for /healthz."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from kombu import Connection


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True, "ok"
    except Exception as exc:  # any failure means "down"; the reason is shown, not raised
        return False, type(exc).__name__


def check_broker() -> tuple[bool, str]:
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            connect_timeout=2,
            transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        ) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        return True, "ok"
    except Exception as exc:  # as above
        return False, type(exc).__name__


def health() -> dict[str, dict[str, object]]:
    results = {"database": check_database(), "broker": check_broker()}
    return {name: {"ok": ok, "detail": detail} for name, (ok, detail) in results.items()}
