"""CSV and XLSX downloads of exactly what a list shows (every page of it)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any

import tablib
from django.http import HttpResponse
from django.utils import timezone

Column = tuple[str, Callable[[Any], Any]]

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if value is None:
        return ""
    return value if isinstance(value, int | float) else str(value)


def export_response(
    rows: Iterable[Any], columns: Sequence[Column], *, fmt: str, filename: str
) -> HttpResponse:
    """A download of ``rows`` with one column per (heading, getter)."""
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"Unknown export format {fmt!r}")
    data = tablib.Dataset(headers=[heading for heading, _ in columns])
    for row in rows:
        data.append([_cell(getter(row)) for _, getter in columns])
    body = data.export(fmt)
    if fmt == "csv":
        body = "\ufeff" + body  # a BOM so that Excel reads UTF-8 (e.g. "→", "é") correctly
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
