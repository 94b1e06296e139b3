"""Idle and absolute session timeouts, and signing out everywhere.

The times live in the session itself (no query per request): ``accord_signed_in_at`` is set
at sign-in, ``accord_last_seen`` is refreshed at most once a minute (so a page view does not
always write the session). SESSION_IDLE_TIMEOUT and SESSION_ABSOLUTE_TIMEOUT set the limits.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from security.choices import SecurityEventKind
from security.models import UserSession
from security.services import record_event

SIGNED_IN_AT = "accord_signed_in_at"
LAST_SEEN = "accord_last_seen"
TOUCH_EVERY = timedelta(minutes=1)


def now() -> datetime:
    """The clock the timeouts read (tests set it through ``security.sessions.now``)."""
    return timezone.now()


def start(request: HttpRequest, user: Any) -> None:
    """Called at sign-in: the session's clocks start, and the session is noted as the user's."""
    at = now().isoformat()
    request.session[SIGNED_IN_AT] = at
    request.session[LAST_SEEN] = at
    if request.session.session_key is None:
        request.session.save()
    UserSession.objects.get_or_create(user=user, session_key=request.session.session_key)


def end(request: HttpRequest) -> None:
    """Called at sign-out: the session is no longer the user's."""
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        UserSession.objects.filter(session_key=key).delete()


def expired_reason(request: HttpRequest, at: datetime) -> str:
    """Why the session has run out, or "" while it holds."""
    try:
        signed_in = datetime.fromisoformat(request.session[SIGNED_IN_AT])
        last_seen = datetime.fromisoformat(request.session[LAST_SEEN])
    except (KeyError, TypeError, ValueError):
        return "session has no sign-in time"
    if at - signed_in > settings.SESSION_ABSOLUTE_TIMEOUT:
        return f"signed in longer than {settings.SESSION_ABSOLUTE_TIMEOUT}"
    if at - last_seen > settings.SESSION_IDLE_TIMEOUT:
        return f"idle longer than {settings.SESSION_IDLE_TIMEOUT}"
    return ""


class SessionTimeoutMiddleware:
    """Signs out a session idle too long or signed in too long; keeps ``last seen`` fresh."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            at = now()
            reason = expired_reason(request, at)
            if reason:
                record_event(
                    kind=SecurityEventKind.SESSION_EXPIRED,
                    request=request,
                    actor=user,
                    detail=reason,
                )
                request._accord_session_expired = True  # type: ignore[attr-defined]
                logout(request)
            elif at - datetime.fromisoformat(request.session[LAST_SEEN]) >= TOUCH_EVERY:
                request.session[LAST_SEEN] = at.isoformat()
        return self.get_response(request)


@transaction.atomic
def sign_out_everywhere(*, request: HttpRequest) -> int:
    """End every other session of the signed-in user; returns how many were ended."""
    user = request.user
    current = request.session.session_key
    keys = list(
        UserSession.objects.filter(user=user)
        .exclude(session_key=current)
        .values_list("session_key", flat=True)
    )
    ended, _ = Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(user=user).exclude(session_key=current).delete()
    record_event(
        kind=SecurityEventKind.SIGNED_OUT_EVERYWHERE,
        request=request,
        actor=user,
        detail=f"{ended} other session(s) ended",
    )
    return ended
