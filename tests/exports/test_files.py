import csv
import datetime as dt
import io
import zipfile

import pytest
from openpyxl import load_workbook

from livebase.exports.files import csv_bytes, safe_text, write_xlsx


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+7 916", "'+7 916"),
        ("-Dmitry", "'-Dmitry"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Анна", "Анна"),
        ("a=b", "a=b"),  # only the first character matters
        ("", ""),
        (None, ""),
    ],
)
def test_safe_text_defuses_formulas(text, expected):
    assert safe_text(text) == expected


def test_csv_is_plain_utf8_with_crlf_and_minimal_quoting():
    data = csv_bytes(["id", "name", "phone"], [["c1", safe_text("=cmd|' /C calc'!A0"), "+7916"]])
    assert data == b"id,name,phone\r\nc1,'=cmd|' /C calc'!A0,+7916\r\n"
    # a phone (+) and a name with a comma and a quote survive a round trip
    data = csv_bytes(["name", "phone"], [['Ann, "A"', "+79161234567"]])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert rows == [["name", "phone"], ['Ann, "A"', "+79161234567"]]


def test_xlsx_is_byte_identical_across_runs(tmp_path):
    now = dt.datetime(2025, 5, 14, 12)
    sheets = [("control", ["a", "b"], [["x", 1]]), ("value", ["a", "b"], [])]
    first = write_xlsx(tmp_path / "1.xlsx", sheets, now=now).read_bytes()
    second = write_xlsx(tmp_path / "2.xlsx", sheets, now=now).read_bytes()
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert b"2025-05-14T12:00:00Z" in z.read("docProps/core.xml")
    wb = load_workbook(tmp_path / "1.xlsx")
    assert wb.sheetnames == ["control", "value"]
    assert wb["control"]["A1"].font.bold
    assert wb["control"].column_dimensions["A"].width == 8  # the minimum width
