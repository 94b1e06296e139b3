"""Writes of the security app: the security log and signing out everywhere."""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest

from security.choices import SecurityEventKind
from security.models import SecurityEvent
from security.requests import request_facts

logger = logging.getLogger("accord.security")


def record_event(
    *,
    kind: SecurityEventKind,
    request: HttpRequest | None = None,
    actor: Any = None,
    username: str = "",
    detail: str = "",
) -> SecurityEvent:
    """Append one event to the security log (and the log stream) with the request's facts."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    event = SecurityEvent.objects.create(
        kind=kind,
        actor=actor,
        username=(username or (actor.get_username() if actor is not None else ""))[:150],
        detail=detail[:500],
        **request_facts(request),
    )
    logger.info(
        "security %s user=%s ip=%s path=%s %s",
        kind.value if hasattr(kind, "value") else kind,
        event.username or "-",
        event.ip_address or "-",
        event.path or "-",
        event.detail,
    )
    return event
