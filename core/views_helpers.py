"""Small helpers shared by list pages: pagination and the query string without ``page``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest

PAGE_SIZE = 25


def paginate(request: HttpRequest, queryset: Any, *, per_page: int = PAGE_SIZE) -> dict[str, Any]:
    """Context for a paginated list: ``page_obj``, ``rows`` and ``query_without_page``."""
    page: Page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    encoded = query.urlencode()
    return {
        "page_obj": page,
        "rows": page.object_list,
        "query_without_page": f"{encoded}&" if encoded else "",
    }


def get_or_404[T](fetch: Callable[[], T]) -> T:
    """Run a selector that looks one record up; a missing (or malformed) key is a 404."""
    try:
        return fetch()
    except (ObjectDoesNotExist, ValueError) as exc:
        raise Http404("Not found") from exc


NOTHING_CHANGED = "Nothing was changed, so nothing was saved."


def report_save(request: HttpRequest, *, saved: Any, version: int | None, done: str) -> None:
    """Say what a versioned save did: ``done``, or that the form was saved unchanged."""
    if version is not None and getattr(saved, "version", None) == version:
        messages.info(request, NOTHING_CHANGED)
    else:
        messages.success(request, done)
