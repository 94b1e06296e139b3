"""Every refused access (403 on a page or the API) becomes a security event, with the rule."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from security.choices import SecurityEventKind
from security.services import record_event


class RefusalLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 403:
            record_event(
                kind=SecurityEventKind.ACCESS_REFUSED,
                request=request,
                actor=getattr(request, "user", None),
                detail=_rule(request, response),
            )
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, PermissionDenied):
            request._accord_refusal = str(exception)  # type: ignore[attr-defined]


def _rule(request: HttpRequest, response: HttpResponse) -> str:
    rule = getattr(request, "refusal_rule", "") or getattr(request, "_accord_refusal", "")
    if not rule:
        data = getattr(response, "data", None)  # a DRF response
        if isinstance(data, dict):
            rule = str(data.get("detail", ""))
    if not rule and getattr(response, "reason_phrase", "") == "Forbidden":
        rule = "CSRF check failed" if getattr(request, "_csrf_failed", False) else ""
    if not rule:
        match = getattr(request, "resolver_match", None)
        rule = f"refused by {match.view_name}" if match and match.view_name else ""
    return rule or "permission denied"
