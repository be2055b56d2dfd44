"""Minimal quoting round-trips through the csv module, in any encoding."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from livebase.simulate.csvfile import write_file, write_rows

TEXT = st.text(alphabet=st.sampled_from('ab;,"\n\r ёЖ«»'), max_size=12)


@given(st.lists(st.tuples(TEXT, TEXT), min_size=1, max_size=20), st.sampled_from([";", ","]))
def test_round_trip_through_the_csv_module(rows: list[tuple[str, str]], sep: str) -> None:
    buf = io.BytesIO()
    columns = [pa.array([r[0] for r in rows]), pa.array([r[1] for r in rows])]
    write_rows(buf, ["first", "second"], columns, sep=sep, newline="\r\n")
    text = buf.getvalue().decode("utf-8")
    back = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    assert back == [["first", "second"], *[list(r) for r in rows]]


def test_plain_values_are_not_quoted() -> None:
    buf = io.BytesIO()
    write_rows(buf, None, [pa.array(["a b", "27 400,00"]), pa.array(["x", "y"])], sep=";")
    assert buf.getvalue() == b"a b;x\n27 400,00;y\n"


def test_bom_encoding_and_append(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    write_file(path, ["Имя"], [pa.array(["Анна"])], sep=";", encoding="cp1251")
    write_file(path, ["Имя"], [pa.array(["Ёлка"])], sep=";", encoding="cp1251", append=True)
    assert path.read_bytes().decode("cp1251") == "Имя\nАнна\nЁлка\n"
    write_file(path, ["a"], [pa.array(["b"])], sep=";", bom=True)
    assert path.read_bytes() == b"\xef\xbb\xbfa\nb\n"
