"""Responses that must never be kept by a browser or a proxy."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from core.errors import last_refusal


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every signed-in page and every API answer.

    They show records of named people and unpublished commitments: a shared computer's
    browser cache or an intermediate proxy must not keep them (downloads included).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or is_api(request):
            patch_cache_control(response, no_store=True, private=True)
            response.headers.pop("Expires", None)
        return response


class RefusalStatusMiddleware:
    """A page that shows a refusal as a form error answers 403, not 400.

    Views render a service's DomainError next to the form with status 400; when that error
    was a PermissionDenied, the status is 403 (and the rule is kept on the request as
    ``refusal_rule`` for the security log), so a refusal is never logged as a bad request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = last_refusal.set(None)
        try:
            response = self.get_response(request)
            rule = last_refusal.get()
        finally:
            last_refusal.reset(token)
        if rule and response.status_code in {400, 403}:
            request.refusal_rule = rule  # type: ignore[attr-defined]
            if response.status_code == 400:
                response.status_code = 403
                response.reason_phrase = "Forbidden"
        return response
