"""Write delimited text the way spreadsheet-era exports look: minimal quoting.

A field is quoted only when it holds the delimiter, a double quote or a line break
(quotes are doubled inside), exactly like Python's ``csv.QUOTE_MINIMAL``. Rows are
joined by Arrow kernels, so no Python loop runs per row.

>>> import io, pyarrow as pa
>>> buf = io.BytesIO()
>>> columns = [pa.array(["x;y", 'say "hi" twice']), pa.array(["1", "2"])]
>>> write_rows(buf, ["a", "b"], columns, sep=";")
>>> for line in buf.getvalue().decode().splitlines():
...     print(line)
a;b
"x;y";1
"say ""hi"" twice";2
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_STR = pa.large_string()


def _quote(column: pa.Array, sep: str) -> pa.Array:
    column = pc.fill_null(pc.cast(column, _STR), pa.scalar("", type=_STR))
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    data = column.buffers()[2]
    if data is None:
        return column
    special_byte = np.zeros(256, dtype=bool)
    special_byte[list((sep + '"\r\n').encode())] = True
    if not special_byte[np.frombuffer(data, dtype=np.uint8)].any():
        return column  # nothing to quote anywhere in the column (the common case)
    special = "[" + re.escape(sep) + '"\r\n]'
    needs = pc.match_substring_regex(column, special)
    if not pc.any(needs).as_py():
        return column
    doubled = pc.replace_substring(column, '"', '""')
    quote = pa.scalar('"', type=_STR)
    quoted = pc.binary_join_element_wise(quote, doubled, quote, pa.scalar("", type=_STR))
    return pc.if_else(needs, quoted, column)


def _quote_text(value: str, sep: str) -> str:
    if any(ch in value for ch in (sep, '"', "\r", "\n")):
        return '"' + value.replace('"', '""') + '"'
    return value


def render(columns: Sequence[pa.Array], *, sep: str, newline: str = "\n") -> bytes:
    """The UTF-8 bytes of the rows (no header)."""
    if not columns or len(columns[0]) == 0:
        return b""
    quoted = [_quote(col, sep) for col in columns]
    lines = pc.binary_join_element_wise(*quoted, pa.scalar(sep, type=_STR))
    end = pa.scalar(newline, type=_STR)
    lines = pc.binary_join_element_wise(lines, pa.scalar("", type=_STR), end)
    lines = pc.cast(lines, _STR)
    if isinstance(lines, pa.ChunkedArray):
        lines = lines.combine_chunks()
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)
    first, last = offsets[lines.offset], offsets[lines.offset + len(lines)]
    return lines.buffers()[2].to_pybytes()[first:last]


def write_rows(
    out: BinaryIO,
    header: Sequence[str] | None,
    columns: Sequence[pa.Array],
    *,
    sep: str,
    newline: str = "\n",
    encoding: str = "utf-8",
) -> None:
    """Write an optional header and the rows to a binary stream in ``encoding``."""
    if header is not None and len(columns) != len(header):
        raise ValueError(f"{len(header)} header fields but {len(columns)} columns")
    text = b""
    if header is not None:
        text = (sep.join(_quote_text(h, sep) for h in header) + newline).encode("utf-8")
    text += render(columns, sep=sep, newline=newline)
    if encoding.replace("-", "").lower() not in ("utf8", "utf8sig"):
        text = text.decode("utf-8").encode(encoding)
    out.write(text)


def write_file(
    path: Path,
    header: Sequence[str],
    columns: Sequence[pa.Array],
    *,
    sep: str,
    newline: str = "\n",
    encoding: str = "utf-8",
    bom: bool = False,
    append: bool = False,
) -> None:
    """Create ``path`` with a header (and a UTF-8 BOM if asked), or append rows to it."""
    with path.open("ab" if append else "wb") as out:
        if not append and bom:
            out.write(b"\xef\xbb\xbf")
        write_rows(
            out,
            None if append else header,
            columns,
            sep=sep,
            newline=newline,
            encoding=encoding,
        )
