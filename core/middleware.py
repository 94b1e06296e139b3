"""Responses that must never be kept by a browser or a proxy."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


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
