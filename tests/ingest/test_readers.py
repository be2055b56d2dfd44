import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

from livebase.errors import InputError
from livebase.ingest.readers import read_table
from tests.conftest import write_csv


def test_bom_utf8_semicolon(tmp_path):
    path = write_csv(tmp_path / "a.csv", "id;Email\n1;a@b.ru\n", bom=True)
    raw = read_table(path)
    assert raw.headers == ["id", "Email"]
    assert raw.encoding == "utf-8-sig"
    assert raw.delimiter == ";"
    assert raw.rows == [["1", "a@b.ru"]]
    assert raw.lines == [2]


def test_windows_1251(tmp_path):
    path = write_csv(tmp_path / "a.csv", "id;Имя\n1;Анна\n", encoding="cp1251")
    raw = read_table(path)
    assert raw.encoding == "cp1251"
    assert raw.rows[0][1] == "Анна"


def test_comma_with_quoted_delimiters_and_multiline(tmp_path):
    text = 'id,Title,Sum\n1,"Курс «Рисование; акварель»","1,5"\n2,"two\nlines",3\n3,x,4\n'
    raw = read_table(write_csv(tmp_path / "a.csv", text))
    assert raw.delimiter == ","
    assert raw.rows[0] == ["1", "Курс «Рисование; акварель»", "1,5"]
    # a record spanning two lines starts on line 3; the next one on line 5
    assert raw.lines == [2, 3, 5]


def test_blank_lines_are_not_records(tmp_path):
    raw = read_table(write_csv(tmp_path / "a.csv", "a;b\n\n1;2\n\n"))
    assert raw.rows == [["1", "2"]]
    assert raw.lines == [3]


def test_empty_and_missing_files(tmp_path):
    with pytest.raises(InputError, match="empty"):
        read_table(write_csv(tmp_path / "e.csv", ""))
    with pytest.raises(InputError, match="not found"):
        read_table(tmp_path / "nope.csv")


def test_xlsx(tmp_path):
    wb = Workbook()
    sheet = wb.active
    sheet.append(["id", "Сумма"])
    sheet.append([1, 12000.5])
    sheet.append([None, None])
    sheet.append([2, 7])
    wb.save(tmp_path / "a.xlsx")
    raw = read_table(tmp_path / "a.xlsx")
    assert raw.rows == [["1", "12000.5"], ["2", "7"]]
    assert raw.lines == [2, 4]


def test_parquet(tmp_path):
    pq.write_table(pa.table({"id": [1, 2], "email": ["a@b.ru", None]}), tmp_path / "a.parquet")
    raw = read_table(tmp_path / "a.parquet")
    assert raw.rows == [["1", "a@b.ru"], ["2", ""]]
    assert raw.lines == [2, 3]


def test_broken_xlsx_is_a_clear_error(tmp_path):
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
    with pytest.raises(InputError, match="XLSX"):
        read_table(tmp_path / "bad.xlsx")


def test_utf8_detected_when_the_sample_cuts_a_character(tmp_path):
    # the sample is the first MiB: make a file whose 2**20-th byte splits a Cyrillic letter
    head = "id;Имя\n"  # 10 bytes
    text = head + "x" * ((1 << 20) - 14) + "\n" + "1;" + "я" * 10 + "\n"
    data = text.encode()
    assert data[(1 << 20) - 1 : (1 << 20) + 1] == "я".encode()  # the cut splits "я"
    path = write_csv(tmp_path / "big.csv", text)
    raw = read_table(path)
    assert raw.encoding == "utf-8"
    assert raw.headers == ["id", "Имя"]
