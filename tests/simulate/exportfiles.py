"""Read the simulator's export files the plain way (pandas, every value as text)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pv

_MONEY_JUNK = re.compile(r"[\s\u00a0]|₽|руб\.")


def read(path: Path, *, sep: str, encoding: str = "utf-8") -> pd.DataFrame:
    return pd.read_csv(path, sep=sep, encoding=encoding, dtype=str, keep_default_na=False)


def users(path: Path) -> pd.DataFrame:
    return read(path, sep=";", encoding="cp1251")


def orders(path: Path) -> pd.DataFrame:
    return read(path, sep=";", encoding="utf-8-sig")


def payments(path: Path) -> pd.DataFrame:
    return read(path, sep=";")


def kopecks(text: str) -> int:
    """``27 400,00 ₽`` → 2740000; ``0`` → 0."""
    value = _MONEY_JUNK.sub("", text)
    rub, _, kop = value.partition(",")
    return int(rub) * 100 + int(kop or 0)


def local_time(text: str, tz: str) -> datetime:
    """``DD.MM.YYYY HH:MM`` in ``tz`` → aware datetime."""
    return datetime.strptime(text, "%d.%m.%Y %H:%M").replace(tzinfo=ZoneInfo(tz))


def utc_time(text: str) -> datetime:
    """``YYYY-MM-DDTHH:MM:SSZ`` → aware datetime."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=ZoneInfo("UTC"))


def digits(phone: str) -> str:
    """The ten national digits of a Russian phone in any layout ("" if none)."""
    only = re.sub(r"\D", "", phone)
    return only[-10:] if only else ""


def person_of_profiles(users_frame: pd.DataFrame) -> dict[str, int]:
    """User id → person number, joining profiles that share a normalised email or phone."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for row in users_frame.itertuples(index=False):
        uid = "u:" + row.id
        find(uid)
        email = row.Email.strip().lower()
        if email:
            union(uid, "e:" + email)
        phone = digits(row.Телефон)
        if phone:
            union(uid, "p:" + phone)
    roots: dict[str, int] = {}
    out = {}
    for uid in users_frame["id"]:
        root = find("u:" + uid)
        out[uid] = roots.setdefault(root, len(roots))
    return out


def esp_table(path: Path) -> pa.Table:
    """A (large) ESP events file as an Arrow table of strings."""
    names = ("email", "event", "timestamp", "campaign", "bounce_type")
    options = pv.ConvertOptions(
        column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False
    )
    return pv.read_csv(path, convert_options=options)
