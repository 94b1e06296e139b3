"""Celery tasks: thin, taking an instant, each calling one service.

``acks_late`` with ``reject_on_worker_lost``: a task whose worker dies is delivered again
rather than lost; the services are idempotent (unique keys, row locks), so running one
again is harmless. Beat passes no instant: the task uses the time it runs.
"""

from __future__ import annotations

from datetime import datetime

from celery import shared_task
from django.utils import timezone

from reminders import services


def _instant(now: str | None) -> datetime:
    return datetime.fromisoformat(now) if now else timezone.now()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def scan_reminders(now: str | None = None) -> int:
    """Create the reminders current at ``now`` (ISO 8601; default: the time it runs)."""
    return services.scan_reminders(now=_instant(now)).created


@shared_task(acks_late=True, reject_on_worker_lost=True)
def deliver_reminders(now: str | None = None) -> int:
    """Send the digests due at ``now``; returns how many e-mails went."""
    return services.deliver_pending(now=_instant(now)).messages
