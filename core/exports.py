"""CSV and XLSX downloads of exactly what a list shows (every page of it).

CSV is streamed row by row from the database (constant memory whatever the size); XLSX
is built in memory, as a spreadsheet file must be written whole.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

import tablib
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

Column = tuple[str, Callable[[Any], Any]]

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# Characters a spreadsheet cell cannot hold (XML 1.0 forbids them in XLSX).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Text a spreadsheet would run as a formula ("CSV injection"); a leading quote disarms it.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _xlsx_cell(value: Any) -> Any:
    """A spreadsheet cell keeps dates and times typed (local time: a cell has no zone)."""
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, date):
        return value
    return _cell(value)


def sheet_title(filename: str) -> str:
    """A worksheet's name from the download's (at most 31 characters, as Excel allows)."""
    return filename.replace("-", " ").replace("_", " ").capitalize()[:31]


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    text = _ILLEGAL.sub("", str(value))
    return f"'{text}" if text.startswith(_FORMULA_START) else text


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: Iterable[Any], columns: Sequence[Column]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # A BOM first so that Excel reads UTF-8 (e.g. "→", "é") correctly.
    yield "\ufeff" + writer.writerow([heading for heading, _ in columns])
    if isinstance(rows, QuerySet):
        rows = rows.iterator(chunk_size=2000)
    for row in rows:
        yield writer.writerow([_cell(getter(row)) for _, getter in columns])


def export_response(
    rows: Iterable[Any], columns: Sequence[Column], *, fmt: str, filename: str
) -> HttpResponse | StreamingHttpResponse:
    """A download of ``rows`` with one column per (heading, getter)."""
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"Unknown export format {fmt!r}")
    response: HttpResponse | StreamingHttpResponse
    if fmt == "csv":
        response = StreamingHttpResponse(_csv_lines(rows, columns), content_type=CONTENT_TYPES[fmt])
    else:
        data = tablib.Dataset(
            headers=[heading for heading, _ in columns], title=sheet_title(filename)
        )
        for row in rows:
            data.append([_xlsx_cell(getter(row)) for _, getter in columns])
        response = HttpResponse(data.export(fmt), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
