"""Show times in the viewer's own time zone (their Person's), as the product asks."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from institutes.roles import person_of


class ViewerTimeZoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        person = person_of(request.user) if hasattr(request, "user") else None
        if person is not None:
            timezone.activate(zoneinfo.ZoneInfo(person.time_zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
