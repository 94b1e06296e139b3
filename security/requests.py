"""Who is asking and from where, as trusted as the deployment allows."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or, when it is one of TRUSTED_PROXIES, the address that proxy saw.

    X-Forwarded-For is read only from a trusted proxy, and only its last entry (the one
    that proxy added): earlier entries are whatever the client chose to send.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    if remote and remote in settings.TRUSTED_PROXIES:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        if forwarded:
            remote = forwarded
    try:
        return str(ipaddress.ip_address(remote)) if remote else None
    except ValueError:
        return None


def request_facts(request: HttpRequest | None) -> dict[str, object]:
    if request is None:
        return {}
    return {
        "ip_address": client_ip(request),
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
        "request_id": str(getattr(request, "id", "") or "")[:64],
        "method": request.method or "",
        "path": request.path[:500],
    }
