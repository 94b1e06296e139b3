"""Small helpers shared by list pages: pagination and the query string without ``page``."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

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
