"""API plumbing shared by every app: pagination, strict filtering, problem details,
versions (ETag / If-Match), throttling and the small nested shape of related records."""

from __future__ import annotations

import datetime as dt
import json
from base64 import urlsafe_b64decode, urlsafe_b64encode
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import django_filters
from cursor_pagination import CursorPaginator, InvalidCursor
from django import forms
from django.db import DataError, models, transaction
from django.http import Http404
from django.utils.http import quote_etag
from django_filters.constants import EMPTY_VALUES
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.utils.urls import replace_query_param

from core.errors import DomainError, PermissionDenied, StaleRecord

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_BASE = "https://accord.invalid/problems/"
# Query parameters every list understands besides its filters.
COMMON_PARAMETERS = frozenset({"page", "page_size", "cursor", "format"})


# --- Errors: RFC 9457 problem details ---------------------------------------------------


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record has changed since you read it: fetch it again (new ETag)."
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = (
        "Send the version you read: an If-Match header with the ETag, or `version` in the body."
    )
    default_code = "precondition_required"


class NoSuchPage(exceptions.NotFound):
    """A cursor this list never gave (or a page past the last): that page does not exist."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.errors = {parameter: [message]}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "A business rule refuses this change."
    default_code = "conflict"


TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    412: "Precondition failed",
    415: "Unsupported media type",
    428: "Precondition required",
    429: "Too many requests",
}


def _flatten(detail: Any) -> dict[str, list[str]]:
    """DRF's error detail as ``{field: [message, …]}``; nested fields joined with dots."""
    out: dict[str, list[str]] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                name = "non_field_errors" if key in ("__all__", "non_field_errors") else str(key)
                walk(f"{prefix}.{name}" if prefix else name, inner)
        elif isinstance(value, list):
            if all(not isinstance(v, dict | list) for v in value):
                out.setdefault(prefix or "non_field_errors", []).extend(str(v) for v in value)
            else:
                for index, inner in enumerate(value):
                    walk(f"{prefix}.{index}" if prefix else str(index), inner)
        else:
            out.setdefault(prefix or "non_field_errors", []).append(str(value))

    walk("", detail)
    return out


def problem(
    status_code: int,
    detail: str,
    *,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
    instance: str = "",
) -> Response:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + TITLES.get(status_code, "error").lower().replace(" ", "-"),
        "title": TITLES.get(status_code, "Error"),
        "status": status_code,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    response = Response(body, status=status_code, headers=headers)
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def _domain_status(exc: DomainError) -> int:
    if isinstance(exc, PermissionDenied):
        return status.HTTP_403_FORBIDDEN
    if isinstance(exc, StaleRecord):
        return status.HTTP_412_PRECONDITION_FAILED
    return status.HTTP_409_CONFLICT


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every error as RFC 9457 problem details (``application/problem+json``).

    ``errors`` maps the request's own field or parameter names to messages. A business
    rule that refuses a change is a 409, a stale version a 412, a permission a 403.
    """
    # Imported here: rest_framework.views reads the API settings, which name this module.
    from rest_framework.views import exception_handler as drf_exception_handler

    request = context.get("request")
    instance = request.get_full_path() if request is not None else ""
    if isinstance(exc, DomainError):
        errors = {("non_field_errors" if k == "__all__" else k): [v] for k, v in exc.errors.items()}
        field_alias = getattr(context.get("view"), "error_field_aliases", {})
        errors = {field_alias.get(k, k): v for k, v in errors.items()}
        first = next(iter(errors.values()))[0]
        return problem(_domain_status(exc), first, errors=errors, instance=instance)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    kept = ("Retry-After", "WWW-Authenticate", "Allow")
    headers = {k: v for k, v in response.headers.items() if k in kept}
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items())
        return problem(400, detail, errors=errors, headers=headers, instance=instance)
    data = response.data if isinstance(response.data, dict) else {"detail": response.data}
    detail = str(data.get("detail", TITLES.get(response.status_code, "Error")))
    errors = getattr(exc, "errors", None)
    return problem(response.status_code, detail, errors=errors, headers=headers, instance=instance)


# --- Filtering --------------------------------------------------------------------------


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, refusing parameters the list does not know (400 naming each one).

    A misspelt filter would otherwise be ignored silently and the client would read an
    unfiltered list as if it were filtered.
    """

    def filter_queryset(self, request: Request, queryset: Any, view: Any) -> Any:
        filterset_class = self.get_filterset_class(view, queryset)
        known = set(COMMON_PARAMETERS)
        if filterset_class is not None:
            for name, declared in filterset_class.base_filters.items():
                known.add(name)
                # MultiWidget-based filters (ranges) read name_after/name_before etc.
                suffixes = getattr(getattr(declared.field_class, "widget", None), "suffixes", ())
                known.update(f"{name}_{s}" for s in suffixes if s)
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            message = "Unknown parameter; the schema lists this list's filters."
            raise exceptions.ValidationError({name: [message] for name in unknown})
        return super().filter_queryset(request, queryset, view)


BIGINT_MAX = 2**63 - 1


class _IdField(forms.IntegerField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", BIGINT_MAX)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": BIGINT_MAX})
class IdFilter(django_filters.NumberFilter):
    """A related record by id. An id that names no record matches nothing (an empty list):
    it is a well-formed question with no rows, not a bad request."""

    field_class = _IdField


class StableOrderingFilter(django_filters.OrderingFilter):
    """django-filter's ordering with the primary key always last, so that rows sharing
    a value keep one order from page to page (and cursors continue exactly)."""

    def filter(self, qs: Any, value: Any) -> Any:
        if value in EMPTY_VALUES:
            return qs
        ordering = [self.get_ordering_value(param) for param in value]
        ordering.append("-pk" if ordering[-1].startswith("-") else "pk")
        return qs.order_by(*ordering)


class _UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 instant, held in UTC: PostgreSQL refuses offsets beyond ±15:59 that
    Python accepts, and an instant at the edge of the calendar may not convert."""

    def to_python(self, value: Any) -> Any:
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(dt.UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError("Give an instant between years 1 and 9999.") from None


class InstantFilter(django_filters.IsoDateTimeFilter):
    field_class = _UtcDateTimeField


class UpdatedFilters(django_filters.FilterSet):
    """``updated_after`` / ``updated_before`` (ISO 8601 date-times) and ``updated_at`` order."""

    ORDER = (("updated_at", "updated_at"),)

    updated_after = InstantFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text="Changed at or after this instant (ISO 8601, e.g. 2027-01-31T23:00:00Z).",
    )
    updated_before = InstantFilter(
        field_name="updated_at",
        lookup_expr="lt",
        help_text="Changed before this instant (ISO 8601).",
    )


# --- Pagination -------------------------------------------------------------------------


def page_size_of(request: Request) -> int:
    raw = request.query_params.get("page_size")
    if raw in (None, ""):
        return DEFAULT_PAGE_SIZE
    try:
        size = int(raw)
    except ValueError:
        raise exceptions.ValidationError({"page_size": ["Give a whole number."]}) from None
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise exceptions.ValidationError(
            {"page_size": [f"Give a number from 1 to {MAX_PAGE_SIZE}."]}
        )
    return size


PAGE_SIZE_PARAMETER = OpenApiParameter(
    "page_size",
    int,
    description=f"Rows a page, 1 to {MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE}); more is a 400.",
)


class Pagination(PageNumberPagination):
    """Numbered pages with a total ``count``: for the small lists, where counts matter.
    50 rows a page by default; ``page_size`` up to 500 (more answers 400)."""

    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request: Request) -> int:
        return page_size_of(request)

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        raw = request.query_params.get("page")
        if raw not in (None, "") and not (raw.isdigit() and int(raw) >= 1):
            raise exceptions.ValidationError({"page": ["Give a page number from 1."]})
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        params = super().get_schema_operation_parameters(view)
        for param in params:
            if param["name"] == "page_size":
                param["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}
                param["description"] = PAGE_SIZE_PARAMETER.description
            if param["name"] == "page":
                param["schema"] = {"type": "integer", "minimum": 1}
        return params


class _JsonCursorPaginator(CursorPaginator):
    """The library's keyset paginator with cursors as base64 JSON lists, so that values
    holding its "|" delimiter survive, and a cursor of the wrong shape is refused."""

    def encode_cursor(self, position: list[str]) -> str:
        values = [None if v == self.none_string else v for v in position]
        return urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")

    def decode_cursor(self, cursor: str) -> list[str | None]:
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            values = json.loads(urlsafe_b64decode(padded.encode("ascii")))
        except (ValueError, TypeError, UnicodeError) as exc:
            raise InvalidCursor(self.invalid_cursor_message) from exc
        if (
            not isinstance(values, list)
            or len(values) != len(self.ordering)
            or not all(v is None or isinstance(v, str) for v in values)
        ):
            raise InvalidCursor(self.invalid_cursor_message)
        return values


class KeysetPagination(BasePagination):
    """Cursor (keyset) pagination for the large lists: each page continues strictly after
    the last row of the previous one in the list's ordering, which always ends with the
    primary key, so walking a whole list sees every row exactly once and each page costs
    the same however deep it is. No total count (counting would cost a full scan)."""

    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any]:
        self.request = request
        size = page_size_of(request)
        ordering = [str(o) for o in queryset.query.order_by]
        if not ordering or ordering[-1].lstrip("-") not in ("pk", "id"):
            ordering.append("pk")
        ordering = ["-id" if o == "-pk" else "id" if o == "pk" else o for o in ordering]
        paginator = _JsonCursorPaginator(queryset, ordering=tuple(ordering))
        after = request.query_params.get(self.cursor_query_param) or None
        try:
            # A savepoint: a cursor value the column cannot hold fails in the database.
            with transaction.atomic():
                self.page = paginator.page(first=size, after=after)
        except (InvalidCursor, DataError):
            raise NoSuchPage(
                "cursor", "Not a cursor this list gave; start again without one."
            ) from None
        self.next_cursor = paginator.cursor(self.page[-1]) if self.page.has_next else None
        return list(self.page)

    def get_next_link(self) -> str | None:
        url = self.request.build_absolute_uri()
        if self.next_cursor is None:
            return None
        return replace_query_param(url, self.cursor_query_param, self.next_cursor)

    def get_paginated_response(self, data: Any) -> Response:
        return Response({"next": self.get_next_link(), "results": data})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page; null on the last page.",
                    "example": "https://accord.example/api/v1/commitments/?cursor=MjAyNi0wMS0wMXwxMg%3D%3D",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Where to continue: the `cursor` of the previous page's `next`.",
                "schema": {"type": "string"},
            },
            {
                "name": "page_size",
                "required": False,
                "in": "query",
                "description": PAGE_SIZE_PARAMETER.description,
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]


# --- Versions: ETag and If-Match --------------------------------------------------------


def etag_of(instance: Any) -> str:
    return quote_etag(f"{instance._meta.model_name}-{instance.pk}-v{instance.version}")


def expected_version(request: Request, instance: Any) -> int:
    """The version the client says it read: ``If-Match`` (the ETag) or ``version`` in the
    body. 428 when neither is sent; 412 when it is not the current version."""
    header = request.headers.get("If-Match")
    body_version = request.data.get("version") if hasattr(request.data, "get") else None
    if header:
        tags = [t.strip() for t in header.split(",")]
        current = etag_of(instance)
        if "*" in tags or current in tags or f"W/{current}" in tags:
            return instance.version
        raise PreconditionFailed()
    if body_version in (None, ""):
        raise PreconditionRequired()
    try:
        version = int(body_version)
    except (TypeError, ValueError):
        raise exceptions.ValidationError({"version": ["Give a whole number."]}) from None
    if version != instance.version:
        raise PreconditionFailed()
    return version


@contextmanager
def versioned(request: Request, model: type[models.Model], pk: Any) -> Iterator[Any]:
    """Lock the row for the rest of the transaction and check the client's version."""
    with transaction.atomic():
        try:
            locked = model._default_manager.select_for_update().get(pk=pk)
        except model.DoesNotExist:
            raise Http404 from None
        expected_version(request, locked)
        yield locked


class ETagDetailMixin:
    """An ``ETag`` header on every detail response (the record's version)."""

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()  # type: ignore[attr-defined]
        response = Response(self.get_serializer(instance).data)  # type: ignore[attr-defined]
        if hasattr(instance, "version"):
            response["ETag"] = etag_of(instance)
        return response


# --- Throttling -------------------------------------------------------------------------


class TokenRateThrottle(SimpleRateThrottle):
    """A rate per API token (per user for a browser session); 429 with Retry-After."""

    scope = "token"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        token = getattr(request, "auth", None)
        if token is not None and getattr(token, "pk", None) is not None:
            ident = f"token-{token.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


# --- Related records: {id, url, display} ------------------------------------------------


@extend_schema_field(
    {
        "type": "object",
        "required": ["id", "url", "display"],
        "properties": {
            "id": {"type": "integer", "description": "The record's id (as the filters take)."},
            "url": {"type": "string", "format": "uri", "description": "The record in the API."},
            "display": {"type": "string", "description": "How the pages name it."},
        },
        "example": {
            "id": 4,
            "url": "https://accord.example/api/v1/institutes/4/",
            "display": "AU AISI",
        },
    }
)
class RefField(serializers.RelatedField):
    """A related record as ``{id, url, display}`` — the same shape for every relation."""

    def __init__(
        self, view_name: str = "", display: Callable[[Any], str] = str, **kwargs: Any
    ) -> None:
        self.view_name = view_name
        self.display = display
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    @classmethod
    def many_init(cls, *args: Any, **kwargs: Any) -> serializers.ManyRelatedField:
        outer = {k: kwargs.pop(k) for k in ("help_text", "source") if k in kwargs}
        return serializers.ManyRelatedField(
            child_relation=cls(*args, **kwargs), read_only=True, **outer
        )

    def to_representation(self, value: Any) -> dict[str, Any]:
        request = self.context.get("request")
        return {
            "id": value.pk,
            "url": reverse(self.view_name, kwargs={"pk": value.pk}, request=request),
            "display": self.display(value),
        }

    def to_internal_value(self, data: Any) -> Any:
        raise exceptions.ValidationError("Read only.")


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "required": ["id", "url", "display"],
        "properties": {
            "id": {"type": "integer"},
            "url": {"type": "string", "format": "uri"},
            "display": {"type": "string"},
        },
    }
)
class NullableRefField(RefField):
    """A related record that may be absent: ``{id, url, display}`` or ``null``."""

    def __init__(self, view_name: str = "", display: Callable[[Any], str] = str, **kwargs: Any):
        kwargs["allow_null"] = True
        super().__init__(view_name, display, **kwargs)
