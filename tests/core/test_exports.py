import csv
import io

import openpyxl

from core.exports import export_response

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
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
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
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Late milestones"]
    due, when = book.active[2]
    assert due.is_date and due.value.date() == dt.date(2027, 3, 31)
    assert when.is_date and when.value == timezone.localtime(posted).replace(tzinfo=None)
