"""CSV and XLSX downloads of exactly what a list shows (every page of it).

CSV is streamed row by row from the database. XLSX is written with openpyxl's write-only
mode, row by row, into a temporary file that is then streamed: memory stays flat however
many rows there are (tests/core/test_exports.py measures it at two sizes).
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import IO, Any

from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook

Column = tuple[str, Callable[[Any], Any]]

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# Characters a spreadsheet cell cannot hold (XML 1.0 forbids them in XLSX).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Text a spreadsheet would run as a formula or a DDE command ("CSV injection"), also after
# leading spaces, tabs or line breaks and in the full-width forms some spreadsheets accept;
# a leading quote disarms it.
_FORMULA_START = frozenset("=+-@|\t\r\n\uff1d\uff0b\uff0d\uff20\uff5c")


def disarm(text: str) -> str:
    """``text`` prefixed with a quote when a spreadsheet would run it; else unchanged."""
    first = text[:1]
    if first in _FORMULA_START or text.lstrip()[:1] in _FORMULA_START:
        return f"'{text}"
    return text


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
    return disarm(_ILLEGAL.sub("", str(value)))


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


def write_xlsx(
    rows: Iterable[Any], columns: Sequence[Column], *, title: str | None = None
) -> IO[bytes]:
    """An XLSX file of ``rows``, in a temporary file (deleted when closed), read from the start;
    its sheet named ``title``, its dates and times typed."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title)
    sheet.append([heading for heading, _ in columns])
    if isinstance(rows, QuerySet):
        rows = rows.iterator(chunk_size=2000)
    for row in rows:
        sheet.append([_xlsx_cell(getter(row)) for _, getter in columns])
    output = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    workbook.save(output)
    output.seek(0)
    return output


def export_response(
    rows: Iterable[Any], columns: Sequence[Column], *, fmt: str, filename: str
) -> HttpResponse | StreamingHttpResponse:
    """A download of ``rows`` with one column per (heading, getter)."""
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"Unknown export format {fmt!r}")
    response: HttpResponse | StreamingHttpResponse | FileResponse
    if fmt == "csv":
        response = StreamingHttpResponse(_csv_lines(rows, columns), content_type=CONTENT_TYPES[fmt])
    else:
        response = FileResponse(
            write_xlsx(rows, columns, title=sheet_title(filename)),
            content_type=CONTENT_TYPES[fmt],
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
