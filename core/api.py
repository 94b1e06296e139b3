"""API plumbing shared by every app: pagination and error shape."""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError, PermissionDenied


class Pagination(PageNumberPagination):
    """50 rows a page by default; ``page_size`` up to 500."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Domain errors become a 400 (403 for permissions) with ``{field: [message]}``."""
    if isinstance(exc, DomainError):
        code = (
            status.HTTP_403_FORBIDDEN
            if isinstance(exc, PermissionDenied)
            else status.HTTP_400_BAD_REQUEST
        )
        body = {("non_field_errors" if k == "__all__" else k): [v] for k, v in exc.errors.items()}
        return Response(body, status=code)
    return drf_exception_handler(exc, context)
