import csv
import io
import tracemalloc

import openpyxl
import pytest

from core.exports import disarm, export_response, write_xlsx

COLUMNS = [("Title", lambda row: row["title"]), ("Count", lambda row: row["count"])]


def _csv_rows(body: bytes):
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_disarms_text_a_spreadsheet_would_run_as_a_formula():
    rows = [
        {"title": '=HYPERLINK("http://example.org","x")', "count": -3},
        {"title": "@SUM(A1)", "count": 0},
    ]
    response = export_response(rows, COLUMNS, fmt="csv", filename="t")
    assert _csv_rows(response.getvalue())[1:] == [
        ['\'=HYPERLINK("http://example.org","x")', "-3"],
        ["'@SUM(A1)", "0"],
    ]


def test_xlsx_export_survives_control_characters_in_text():
    rows = [{"title": "a\x01b\x0bc", "count": 2}]
    response = export_response(rows, COLUMNS, fmt="xlsx", filename="t")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [cell.value for cell in sheet[2]] == ["abc", 2]


def test_csv_keeps_unicode_readable_by_excel():
    response = export_response([{"title": "UK→AU é", "count": 1}], COLUMNS, fmt="csv", filename="t")
    body = response.getvalue()  # a stream: read it once
    assert body.startswith("\ufeff".encode())
    assert _csv_rows(body)[1] == ["UK→AU é", "1"]
    assert response["Content-Disposition"] == 'attachment; filename="t.csv"'


def test_xlsx_names_its_sheet_and_keeps_dates_and_times_typed():
    import datetime as dt

    from django.utils import timezone

    columns = [
        ("Due", lambda row: row["due"]),
        ("Posted", lambda row: row["posted"]),
    ]
    posted = dt.datetime(2027, 3, 31, 9, 30, tzinfo=dt.UTC)
    rows = [{"due": dt.date(2027, 3, 31), "posted": posted}]
    response = export_response(rows, columns, fmt="xlsx", filename="late-milestones")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["Late milestones"]
    due, when = book.active[2]
    assert due.is_date and due.value.date() == dt.date(2027, 3, 31)
    assert when.is_date and when.value == timezone.localtime(posted).replace(tzinfo=None)


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        "+1",
        "-1",
        "@SUM(A1)",
        " =1+1",
        "\n=1+1",
        "  \t@x",
        "\u3000=1",
        "\uff1dHYPERLINK(1)",
        "\uff0b1",
        "\uff0d1",
        "\uff20SUM(A1)",
        "|calc",
        "\tdata",
        "\rdata",
        "\x01=1",  # the control character is dropped, then the formula is disarmed
    ],
)
def test_formula_guard_disarms_every_way_a_formula_can_start(text):
    response = export_response([{"title": text, "count": 1}], COLUMNS, fmt="csv", filename="t")
    cell = _csv_rows(response.getvalue())[1][0]
    assert cell.startswith("'")
    assert cell[1:] == text.replace("\x01", "")
    xlsx = export_response([{"title": text, "count": 1}], COLUMNS, fmt="xlsx", filename="t")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    assert str(sheet["A2"].value).startswith("'")


@pytest.mark.parametrize("text", ["plain", "a=b", "x-1", "mail@example.org", "", "Ünïcode"])
def test_formula_guard_leaves_ordinary_text_alone(text):
    assert disarm(text) == text


def _xlsx_peak(rows: int) -> int:
    data = ({"title": f"Commitment {n} with a longer title", "count": n} for n in range(rows))
    tracemalloc.start()
    try:
        file = write_xlsx(data, COLUMNS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    with file:
        sheet = openpyxl.load_workbook(file, read_only=True).active
        assert sum(1 for _ in sheet.iter_rows(values_only=True)) == rows + 1
    return peak


def test_xlsx_export_memory_does_not_grow_with_rows():
    small, large = _xlsx_peak(2_000), _xlsx_peak(40_000)
    # 20 times the rows; written row by row, the peak stays within a small margin.
    assert large < small * 1.5 + 512 * 1024, (small, large)
    assert large < 8 * 1024 * 1024
