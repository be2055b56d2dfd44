"""The generic preset: any file plus a YAML mapping from its columns to a canonical table.

A mapping names the target table, where the person's identity is (an id column with a
namespace, email, phone), how each canonical column is filled (a header, a constant, a
value map or an arithmetic expression over columns), optional rules (``when`` a column
starts with ``C``, ``set`` status refunded), aggregation of lines into one record, and
what to do with exact duplicates and negative amounts. A file without a header line gets
its column names from ``header: [..]`` (records are then numbered from line 1). Shipped
examples live in ``livebase/ingest/mappings/``.

- Every table with a ``customer_id`` (customers too) needs ``customer:``; ``timezone`` and
  ``encoding`` must be known names; all three are checked when the mapping loads.
- An integer column takes only whole numbers its type holds (``score`` is int16).
- An expression's result is rounded to cents; a division by zero or a result of 10^16 or
  more rejects the row, and so does an aggregated sum out of that range (every line).
- A reject names the column as the file spells it (headers match whatever their case).
"""

from __future__ import annotations

import ast
import codecs
import hashlib
import operator
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from pathlib import Path
from typing import Any, Literal

import ibis.expr.datatypes as dt
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from livebase.errors import ConfigError, InputError
from livebase.ingest.fields import Reject
from livebase.ingest.normalize import (
    CENT,
    MONEY_LIMIT,
    known_timezone,
    normalize_email,
    normalize_id,
    normalize_phone,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_money,
)
from livebase.ingest.presets.base import EMAIL, LINES, PHONE, SRC, Batch, Context, Converted
from livebase.ingest.readers import RawTable
from livebase.store.schema import CANONICAL, ENUMS
from livebase.yamlfile import load_yaml

MAPPINGS_DIR = Path(__file__).resolve().parent.parent / "mappings"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Column(_Strict):
    """A canonical column from a ``header`` (optionally through a value ``map`` whose
    unlisted values become ``default``), a constant ``value``, or an ``expr``."""

    header: str | None = None
    value: Any = None
    expr: str | None = None
    map: dict[str, str] | None = None
    default: str | None = None


class When(_Strict):
    column: str
    equals: str | None = None
    startswith: str | None = None
    contains: str | None = None
    matches: str | None = None


class Rule(_Strict):
    when: When
    set: dict[str, Any]


class Identity(_Strict):
    id: str | None = None
    namespace: str | None = None
    email: str | None = None
    phone: str | None = None


class Aggregate(_Strict):
    by: str
    sum: list[str] = Field(default_factory=list)


class KeySpec(_Strict):
    hash: list[str]


class Mapping(_Strict):
    table: str
    source: str
    description: str | None = None
    delimiter: str | None = None
    encoding: str | None = None
    # the file has no header line; these are its column names
    header: list[str] | None = None
    timezone: str | None = None
    date_format: Literal["dmy", "iso", "ymd", "mdy"] | None = None
    customer: Identity | None = None
    columns: dict[str, str | Column]
    customer_columns: dict[str, str | Column] = Field(default_factory=dict)
    rules: list[Rule] = Field(default_factory=list)
    aggregate: Aggregate | None = None
    negative_amounts: Literal["reject", "refund"] = "reject"
    duplicates: Literal["keep", "reject"] = "keep"
    key: KeySpec | None = None

    @field_validator("table")
    @classmethod
    def _known_table(cls, value: str) -> str:
        if value not in CANONICAL:
            raise ValueError(f"unknown table {value!r} (one of {', '.join(CANONICAL)})")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None and not known_timezone(value):
            raise ValueError(f"unknown time zone {value!r}")
        return value

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                codecs.lookup(value)
            except LookupError as exc:
                raise ValueError(f"unknown encoding {value!r}") from exc
        return value

    @field_validator("header")
    @classmethod
    def _header_names(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return value
        if not value or any(not name.strip() for name in value):
            raise ValueError("name every column (no empty names)")
        repeated = sorted({n for n in value if value.count(n) > 1})
        if repeated:
            raise ValueError(f"repeated column names {', '.join(repeated)}")
        return value

    @field_validator("columns")
    @classmethod
    def _known_columns(cls, value: dict) -> dict:
        return value  # checked against the table in load_mapping (needs `table`)


def load_mapping(path_or_name: str | Path) -> Mapping:
    path = Path(path_or_name)
    if not path.exists() and (MAPPINGS_DIR / f"{path_or_name}.yaml").exists():
        path = MAPPINGS_DIR / f"{path_or_name}.yaml"
    mapping = load_yaml(path, Mapping)
    spec = CANONICAL[mapping.table]
    for name in mapping.columns:
        if name not in spec.columns:
            raise ConfigError(f"{path}: columns.{name}: table {mapping.table} has no such column")
    for name in mapping.customer_columns:
        if name not in CANONICAL["customers"].columns:
            raise ConfigError(f"{path}: customer_columns.{name}: customers has no such column")
    if "customer_id" in spec.columns and not mapping.customer:
        raise ConfigError(f"{path}: customer: say which columns identify the person")
    return mapping


def shipped_mappings() -> list[str]:
    return sorted(p.stem for p in MAPPINGS_DIR.glob("*.yaml"))


_OPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


def _compile_expr(expr: str) -> tuple[ast.Expression, list[str]]:
    names: list[str] = []

    def repl(m: re.Match) -> str:
        names.append(m.group(1))
        return f"_c{len(names) - 1}"

    source = re.sub(r"\{([^}]+)\}", repl, expr)
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise ConfigError(f"bad expression {expr!r}: {exc.msg}") from exc
    for node in ast.walk(tree):
        ok = (
            isinstance(
                node,
                ast.Expression
                | ast.BinOp
                | ast.UnaryOp
                | ast.USub
                | ast.Name
                | ast.Load
                | ast.Constant,
            )
            or type(node) in _OPS
        )
        if not ok:
            raise ConfigError(f"bad expression {expr!r}: only + - * / of {{columns}}")
    return tree, names


def _eval(node: ast.AST, env: dict[str, Decimal]) -> Decimal:
    if isinstance(node, ast.Expression):
        return _eval(node.body, env)
    if isinstance(node, ast.BinOp):
        return _OPS[type(node.op)](_eval(node.left, env), _eval(node.right, env))
    if isinstance(node, ast.UnaryOp):
        return -_eval(node.operand, env)
    if isinstance(node, ast.Name):
        return env[node.id]
    assert isinstance(node, ast.Constant)
    return Decimal(str(node.value))


def _apply(parse, texts: list[str], lines: list[int], problem: list, header: str) -> list:
    """Parse a column, each distinct text once; failures become the row's reject."""
    cache: dict[str, tuple[Any, str | None]] = {}
    out: list[Any] = [None] * len(texts)
    for i, text in enumerate(texts):
        if problem[i] is not None:
            continue
        hit = cache.get(text)
        if hit is None:
            try:
                hit = (parse(text), None)
            except ValueError as exc:
                hit = (None, str(exc))
            cache[text] = hit
        if hit[1] is None:
            out[i] = hit[0]
        else:
            problem[i] = Reject(lines[i], header, text[:200], hit[1])
    return out


def _matches(when: When, text: str) -> bool:
    if when.equals is not None:
        return text == when.equals
    if when.startswith is not None:
        return text.startswith(when.startswith)
    if when.contains is not None:
        return when.contains in text
    if when.matches is not None:
        return re.search(when.matches, text) is not None
    return bool(text)


def _parser(dtype: dt.DataType, tz: str, fmt: str | None):
    if dtype.is_timestamp():
        return partial(parse_datetime, tz=tz, fmt=fmt)
    if dtype.is_date():
        return lambda s: parse_datetime(s, fmt=fmt).date() if fmt else parse_date(s)
    if dtype.is_decimal():
        return parse_money
    if dtype.is_boolean():
        return parse_bool
    if dtype.is_integer():
        return partial(_integer, bounds=dtype.bounds)
    return lambda s: s.strip()


def _integer(text: str, bounds) -> int:
    """A whole number the column's type holds.

    >>> _integer(" 7 ", dt.int16.bounds)
    7
    >>> _integer("40000", dt.int16.bounds)
    Traceback (most recent call last):
    ValueError: out of range for int16: '40000'
    """
    value = text.strip()
    if not re.fullmatch(r"[+-]?\d{1,19}", value):
        raise ValueError(f"not a whole number: {text[:40]!r}")
    number = int(value)
    if not bounds.lower <= number <= bounds.upper:
        raise ValueError(f"out of range for int{bounds.upper.bit_length() + 1}: {text[:40]!r}")
    return number


ID_COLUMNS = ("order_id", "event_id", "payment_id")


@dataclass
class MappingPreset:
    mapping: Mapping
    name: str = "mapping"
    read_options: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.target = self.mapping.table
        self.read_options = {
            k: v
            for k, v in {
                "delimiter": self.mapping.delimiter,
                "encoding": self.mapping.encoding,
                "header": self.mapping.header,
            }.items()
            if v
        }

    def convert(self, raw: RawTable, ctx: Context) -> Converted:
        m = self.mapping
        spec = CANONICAL[m.table]
        tz = m.timezone or ctx.config.timezone
        cols = {
            name: (Column(header=c) if isinstance(c, str) else c) for name, c in m.columns.items()
        }
        cust_cols = {
            name: (Column(header=c) if isinstance(c, str) else c)
            for name, c in m.customer_columns.items()
        }
        needed: set[str] = set()
        exprs: dict[str, tuple[ast.Expression, list[str]]] = {}
        for name, c in {**cols, **cust_cols}.items():
            if c.header:
                needed.add(c.header)
            if c.expr:
                exprs[name] = _compile_expr(c.expr)
                needed.update(exprs[name][1])
        ident = m.customer or Identity()
        needed.update(h for h in (ident.id, ident.email, ident.phone) if h)
        needed.update(r.when.column for r in m.rules)
        if m.key:
            needed.update(m.key.hash)
        missing = sorted(h for h in needed if not raw.index(h))
        if missing:
            raise InputError(
                f"missing column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(repr(h) for h in missing)} named by the mapping "
                f"({raw.header_note()})",
                file=raw.file,
                line=1,
            )
        pos = {header: raw.index(header)[0] for header in needed}
        parsers = {name: _parser(spec.columns[name], tz, m.date_format) for name in cols} | {
            name: _parser(CANONICAL["customers"].columns[name], tz, m.date_format)
            for name in cust_cols
        }
        width = len(raw.headers)
        rejects = [Reject(line, "", "", reason) for line, reason in raw.broken]
        # 1. rows that cannot be read as records
        seen_rows: dict[tuple, int] = {}
        header_keys = [h.strip().casefold() for h in raw.headers]
        rows: list[list[str]] = []
        lines: list[int] = []
        for row, line in zip(raw.rows, raw.lines, strict=True):
            if [c.strip().casefold() for c in row] == header_keys:
                rejects.append(Reject(line, "", "", "repeated header line"))
                continue
            if len(row) < width:
                rejects.append(
                    Reject(
                        line,
                        raw.headers[len(row)],
                        "",
                        f"expected {width} fields, found {len(row)}",
                    )
                )
                continue
            if m.duplicates == "reject":
                sig = tuple(row)
                if sig in seen_rows:
                    rejects.append(Reject(line, "", "", f"duplicate of line {seen_rows[sig]}"))
                    continue
                seen_rows[sig] = line
            rows.append(row)
            lines.append(line)
        # 2. column by column; a row's first problem (in mapping order) is its reject
        n = len(rows)
        problem: list[Reject | None] = [None] * n
        data: dict[str, list[Any]] = {}
        for name, c in {**cols, **cust_cols}.items():
            out = f"_cust_{name}" if name in cust_cols and name not in cols else name
            data[out] = self._column(name, c, rows, lines, problem, exprs, parsers, pos, m)
        # 3. identity
        for kind, header in (("src", ident.id), ("email", ident.email), ("phone", ident.phone)):
            key = {"src": SRC, "email": EMAIL, "phone": PHONE}[kind]
            if not header:
                data[key] = [None] * n
                continue
            norm = {"src": normalize_id, "email": normalize_email, "phone": normalize_phone}[kind]
            prefix = f"{ident.namespace or m.source}:" if kind == "src" else ""
            data[key] = _apply(
                lambda t, norm=norm, prefix=prefix: (
                    (prefix + v) if (v := norm(t)) is not None and prefix else v
                ),
                [r[pos[header]] for r in rows],
                lines,
                problem,
                header,
            )
        if m.customer:
            for i in range(n):
                if problem[i] is None and not (data[SRC][i] or data[EMAIL][i] or data[PHONE][i]):
                    col = ident.id or ident.email or ident.phone or ""
                    problem[i] = Reject(
                        lines[i], col, "", "no customer: the identity columns are empty"
                    )
        # 4. rules, generated keys, defaults
        for rule in m.rules:
            texts = [r[pos[rule.when.column]] for r in rows]
            for col, value in rule.set.items():
                column = data.setdefault(col, [None] * n)
                for i, text in enumerate(texts):
                    if _matches(rule.when, text):
                        column[i] = value
        if m.key:
            occurrences: dict[tuple, int] = {}
            ids = []
            for r in rows:
                sig = tuple(r[pos[h]] for h in m.key.hash)
                occurrences[sig] = occurrences.get(sig, 0) + 1
                digest = hashlib.sha1(
                    ("|".join(sig) + f"#{occurrences[sig]}").encode()
                ).hexdigest()[:16]
                ids.append(f"{m.source}:{digest}")
            data[spec.key[0]] = ids
        if m.table == "orders":
            refunded = data.setdefault("refunded_amount", [None] * n)
            data["refunded_amount"] = [Decimal("0.00") if v is None else v for v in refunded]
        data[LINES] = [[line] for line in lines]
        keep = [i for i in range(n) if problem[i] is None]
        rejects.extend(p for p in problem if p is not None)
        frame = pd.DataFrame({k: [v[i] for i in keep] for k, v in data.items()})
        frame, more = self._finish(frame, m)
        rejects.extend(more)
        # headers match whatever their case and spacing: a reject names the file's spelling
        spelled = {h: raw.headers[pos[h]] for h in needed}
        rejects = [
            Reject(r.line, spelled.get(r.column, r.column), r.value, r.reason) for r in rejects
        ]
        if frame.empty:
            return Converted([], rejects)
        batches = [
            Batch(m.table, frame, mode="authoritative" if m.table == "customers" else "fill")
        ]
        if m.table != "customers" and "customer_id" in spec.columns:
            cust = frame[[SRC, EMAIL, PHONE, LINES]].copy()
            cust["email"] = frame[EMAIL]
            cust["phone"] = frame[PHONE]
            for name in cust_cols:
                cust[name] = frame[f"_cust_{name}"]
            batches.append(Batch("customers", cust))
        return Converted(batches, rejects)

    def _column(self, name, c, rows, lines, problem, exprs, parsers, pos, m) -> list[Any]:
        n = len(rows)
        if c.expr:
            tree, names = exprs[name]
            out: list[Any] = [None] * n
            for i, r in enumerate(rows):
                if problem[i] is not None:
                    continue
                env = {}
                for k, h in enumerate(names):
                    try:
                        env[f"_c{k}"] = parse_money(r[pos[h]])
                    except ValueError as exc:
                        problem[i] = Reject(lines[i], h, r[pos[h]][:200], str(exc))
                        break
                else:
                    try:
                        value = _eval(tree, env).quantize(CENT, rounding=ROUND_HALF_UP)
                        too_big = abs(value) >= MONEY_LIMIT
                        why = f"{c.expr} = {value}: amount out of range" if too_big else ""
                    except ZeroDivisionError:  # x / 0 and 0 / 0
                        value, why = None, f"{c.expr}: division by zero"
                    except ArithmeticError:  # more digits than a Decimal holds
                        value, why = None, f"{c.expr}: amount out of range"
                    if why:
                        problem[i] = Reject(lines[i], names[0] if names else name, "", why)
                    else:
                        out[i] = value
            return out
        if not c.header:
            return [c.value] * n
        texts = [r[pos[c.header]] for r in rows]
        if c.map is not None:
            texts = [c.map.get(t.strip(), c.default if c.default is not None else t) for t in texts]
        if name in ID_COLUMNS or name == "customer_id":
            prefix = f"{m.source}:" if name in ID_COLUMNS else ""
            parse = lambda t: (prefix + v) if (v := normalize_id(t)) and prefix else v  # noqa: E731
        else:
            inner = parsers[name]
            parse = lambda t: inner(t) if t.strip() else None  # noqa: E731
        values = _apply(parse, texts, lines, problem, c.header)
        allowed = ENUMS.get((m.table, name))
        if allowed:
            for i, v in enumerate(values):
                if problem[i] is None and v is not None and v not in allowed:
                    problem[i] = Reject(
                        lines[i],
                        c.header,
                        texts[i][:200],
                        f"unknown {name} {v!r} (one of {', '.join(allowed)})",
                    )
        return values

    @staticmethod
    def _sign(rec: dict, m: Mapping, line: int):
        amount = rec.get("amount")
        if amount is None or amount >= 0:
            return rec, None
        if m.negative_amounts == "refund":
            rec["amount"] = Decimal("0.00")
            rec["refunded_amount"] = -amount
            rec["status"] = "refunded"
            return rec, None
        return None, Reject(line, "amount", str(amount), f"negative amount: {amount}")

    def _finish(self, frame: pd.DataFrame, m: Mapping) -> tuple[pd.DataFrame, list[Reject]]:
        """Aggregate lines into records (when asked) and apply the negative-amount policy."""
        if m.aggregate is None and ("amount" not in frame.columns or not len(frame)):
            return frame, []
        records = frame.to_dict("records")
        if m.aggregate is not None:
            groups: dict[Any, dict] = {}
            for rec in records:
                key = rec.get(m.aggregate.by)
                agg = groups.get(key)
                if agg is None:
                    groups[key] = dict(rec)
                    continue
                agg[LINES] = agg[LINES] + rec[LINES]
                for col in m.aggregate.sum:
                    if rec.get(col) is not None:
                        agg[col] = (agg.get(col) or Decimal(0)) + rec[col]
            records = list(groups.values())
            for rec in records:
                for col in m.aggregate.sum:
                    if isinstance(rec.get(col), Decimal):
                        rec[col] = rec[col].quantize(CENT)
        out, rejects = [], []
        sums = m.aggregate.sum if m.aggregate is not None else []
        for rec in records:
            big = [c for c in sums if abs(rec.get(c) or 0) >= MONEY_LIMIT]
            if big:
                reason = f"the sum of {len(rec[LINES])} lines is out of range: {rec[big[0]]}"
                rejects.extend(Reject(line, big[0], "", reason) for line in rec[LINES])
                continue
            fixed, problem = self._sign(rec, m, rec[LINES][0])
            if problem:
                rejects.extend(
                    Reject(line, problem.column, problem.value, problem.reason)
                    for line in rec[LINES]
                )
                continue
            out.append(fixed)
        return pd.DataFrame(out, columns=frame.columns), rejects
