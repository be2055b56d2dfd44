"""Export a planned wave: send lists, audiences, call lists, webinar files and a manifest.

The rules, one sentence each:

* Every file of a wave goes to ``<out_dir>/<wave_id>/`` and is rewritten on each run; a
  file an earlier run listed in the manifest and this run does not write is deleted.
* The same store, ``now`` and webinar give byte-identical files.
* ``<wave_id>/manifest.json`` lists every file with its kind, channel, arm, rows, size in
  bytes and SHA-256, the touches left out per reason, the pending ones, ``now``, the
  retargeting span per arm and the webinar.
* The manifest is the export's commit: a run first moves the old one aside
  (``.manifest-previous.json``), writes every file atomically (a temporary name, then a
  rename), deletes the stale files, and writes the manifest last; so a folder with a
  manifest is a finished export whose files match it, and a folder without one is an
  export that was interrupted, which the next run finishes (its leftover ``.*.tmp``
  files removed first).
* ``left_out`` counts the touches not going out now per reason (``condition_not_met``
  for a decided condition that failed, else the exclusion's reason code) and ``pending``
  the conditional touches whose condition is not decided yet.
* Exclusions decided by the export are written to the store before any file.
* A wave id or arm that cannot safely name a file (anything but letters, digits, ``.``,
  ``_`` and ``-``, or a leading ``.``) is an input error.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from livebase.diskfile import sha256_of, sync_folder
from livebase.errors import InputError
from livebase.exports import calls as calls_mod
from livebase.exports import esp, retargeting
from livebase.exports import webinar as web
from livebase.exports.consent import MARKETING, SERVICE
from livebase.exports.files import (
    is_temp,
    utc_iso,
    write_bytes,
    write_csv,
    write_json,
    write_xlsx,
)
from livebase.exports.touches import PENDING, Prepared, prepare, write_exclusions
from livebase.exports.webinar import WebinarInfo
from livebase.faults import fault
from livebase.metrics.rfm import utc_naive
from livebase.store.workspace import Workspace

MANIFEST = "manifest.json"
PREVIOUS = ".manifest-previous.json"  # the manifest of the run before, while a run writes
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class ExportedFile(NamedTuple):
    path: Path
    kind: str  # esp, retargeting, calls, calls_xlsx, webinar_invitations, ...
    channel: str | None
    arm: str | None
    rows: int
    size: int = 0  # bytes
    sha256: str = ""


@dataclass(frozen=True)
class ExportResult:
    """What :func:`export_wave` wrote (in manifest order) and what it left out."""

    wave_id: str
    files: tuple[ExportedFile, ...]
    left_out: dict[str, int]  # touches left out now, per reason code
    pending: int  # conditional touches whose condition is not decided yet
    manifest: Path
    retargeting: dict[str, dict[str, object]] = field(default_factory=dict)


def export_wave(
    ws: Workspace,
    wave_id: str,
    out_dir: Path,
    *,
    now: dt.datetime,
    webinar: WebinarInfo | None = None,
) -> ExportResult:
    """Write the wave's export files as of ``now`` (UTC) and record what was left out."""
    now = utc_naive(now)
    _check_name(wave_id, "wave id")
    prepared = prepare(ws, wave_id, now=now, webinar_id=webinar.id if webinar else None)
    frame = prepared.touches
    arms = list(prepared.wave.arms) + sorted(set(frame["arm"]) - set(prepared.wave.arms))
    for arm in arms:
        _check_name(arm, "arm")
    if webinar is not None:
        web.check_reminders(frame[frame["purpose"] == SERVICE], webinar)
    write_exclusions(ws, prepared)

    out = _Files(Path(out_dir) / wave_id)
    earlier = _begin(out.folder)
    _esp_files(out, frame, arms)
    fault("export.files")
    spans = _retargeting_files(out, frame, arms)
    _call_files(out, ws, prepared, arms, now=now)
    if webinar is not None:
        _webinar_files(out, frame, arms, webinar, now=now, lang=ws.config.locale)

    states = frame["state"].dropna()
    pending = int((states == PENDING).sum())
    counts = states[states != PENDING].value_counts()
    left_out = {str(k): int(v) for k, v in sorted(counts.items())}
    manifest = out.folder / MANIFEST
    _remove_stale(out.folder, earlier - {f.path.name for f in out.files})
    write_json(
        manifest,
        {
            "wave_id": wave_id,
            "now": utc_iso(now),
            "files": [
                {"path": f.path.name, "kind": f.kind, "channel": f.channel}
                | {"arm": f.arm, "rows": f.rows, "size": f.size, "sha256": f.sha256}
                for f in out.files
            ],
            "left_out": left_out,
            "pending": pending,
            "retargeting": spans,
            "webinar": None if webinar is None else _webinar_entry(webinar),
        },
    )
    (out.folder / PREVIOUS).unlink(missing_ok=True)
    return ExportResult(wave_id, tuple(out.files), left_out, pending, manifest, spans)


@dataclass
class _Files:
    folder: Path
    files: list[ExportedFile] = field(default_factory=list)

    def csv(self, name: str, kind: str, channel: str | None, arm: str | None, header, rows):
        path = write_csv(self.folder / name, header, rows)
        self.add(path, kind, channel, arm, len(rows))

    def raw(self, name: str, kind: str, channel: str | None, data: bytes, rows: int) -> None:
        path = write_bytes(self.folder / name, data)
        self.add(path, kind, channel, None, rows)

    def add(self, path: Path, kind: str, channel: str | None, arm: str | None, rows: int):
        """Record a written file with its size and checksum (read back from the disk)."""
        size = path.stat().st_size
        self.files.append(ExportedFile(path, kind, channel, arm, rows, size, sha256_of(path)))


def _going(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["state"].isna()]


def _esp_files(out: _Files, frame: pd.DataFrame, arms: list[str]) -> None:
    go = _going(frame)
    for channel in esp.ESP_CHANNELS:
        for arm in arms:
            if _has(frame, channel=channel, arm=arm):
                part = go[(go["channel"] == channel) & (go["arm"] == arm)]
                rows = esp.esp_rows(part, channel)
                out.csv(f"{channel}-{arm}.csv", "esp", channel, arm, esp.header(channel), rows)


def _retargeting_files(
    out: _Files, frame: pd.DataFrame, arms: list[str]
) -> dict[str, dict[str, object]]:
    go = _going(frame)
    spans: dict[str, dict[str, object]] = {}
    for arm in arms:
        if not _has(frame, channel="retargeting", arm=arm):
            continue
        part = go[(go["channel"] == "retargeting") & (go["arm"] == arm)]
        spans[arm] = retargeting.span(part)
        rows = retargeting.retargeting_rows(part)
        name = f"retargeting-{arm}.csv"
        out.csv(name, "retargeting", "retargeting", arm, retargeting.HEADER, rows)
    return spans


def _call_files(
    out: _Files, ws: Workspace, prepared: Prepared, arms: list[str], *, now: dt.datetime
) -> None:
    frame, lang = prepared.touches, ws.config.locale
    call_arms = [arm for arm in arms if _has(frame, channel="call", arm=arm)]
    if not call_arms:
        return
    go = _going(frame)
    calls = go[go["channel"] == "call"]
    customers = calls["customer_id"].tolist()
    segments, last = calls_mod.call_context(ws, prepared.wave, customers, now=now)
    sheets = []
    for arm in call_arms:
        rows = calls_mod.call_rows(
            calls[calls["arm"] == arm],
            wave_id=prepared.wave.wave_id,
            segments=segments,
            last_purchase=last,
            lang=lang,
        )
        out.csv(f"calls-{arm}.csv", "calls", "call", arm, calls_mod.HEADER, rows)
        sheets.append((arm, calls_mod.xlsx_header(lang), rows))
    path = write_xlsx(out.folder / "calls.xlsx", sheets, now=now)
    rows_in_all = sum(len(rows) for _, _, rows in sheets)
    out.add(path, "calls_xlsx", "call", None, rows_in_all)


def _webinar_files(
    out: _Files,
    frame: pd.DataFrame,
    arms: list[str],
    webinar: WebinarInfo,
    *,
    now: dt.datetime,
    lang: str,
) -> None:
    invitations = (frame["purpose"] == MARKETING) & frame["channel"].isin(esp.ESP_CHANNELS)
    go = _going(frame)
    for arm in arms:
        if not (invitations & (frame["arm"] == arm)).any():
            continue
        part = go[invitations.loc[go.index] & (go["arm"] == arm)]
        rows = web.invitation_rows(part)
        name = f"webinar-invitations-{arm}.csv"
        out.csv(name, "webinar_invitations", None, arm, web.INVITATION_HEADER, rows)
    reminders = go[go["purpose"] == SERVICE]
    reminders = reminders.sort_values(["planned_at", "customer_id", "touch_no"], kind="stable")
    rows = web.reminder_rows(reminders, webinar)
    out.csv("webinar-reminders.csv", "webinar_reminders", None, None, web.REMINDER_HEADER, rows)
    offsets = web.offsets_of(frame[frame["purpose"] == SERVICE], webinar)
    ics = web.calendar(webinar, offsets=offsets, now=now, lang=lang)
    out.raw("webinar.ics", "ics", None, ics, 1)


def _webinar_entry(webinar: WebinarInfo) -> dict[str, object]:
    return {
        "id": webinar.id,
        "title": webinar.title,
        "starts_at": utc_iso(webinar.starts_at),
        "ends_at": utc_iso(webinar.ends_at),
        "url": webinar.url,
    }


def _has(frame: pd.DataFrame, *, channel: str, arm: str) -> bool:
    return bool(((frame["channel"] == channel) & (frame["arm"] == arm)).any())


def _check_name(name: str, what: str) -> None:
    if not _SAFE_NAME.fullmatch(name or ""):
        raise InputError(
            f"{what} {name!r} cannot name an export file (letters, digits, '.', '_', '-')"
        )


def listed(manifest: Path) -> set[str]:
    """The file names a manifest lists (none when it is missing or unreadable)."""
    try:
        old = json.loads(manifest.read_text(encoding="utf-8"))
        names = {str(f["path"]) for f in old.get("files", [])}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return set()
    return {name for name in names if _SAFE_NAME.fullmatch(name)}


def _begin(folder: Path) -> set[str]:
    """Start rewriting ``folder``: the manifest steps aside (the folder now reads as an
    export in progress), an interrupted run's temporary files go; returns the names the
    earlier runs listed."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest, previous = folder / MANIFEST, folder / PREVIOUS
    earlier = listed(manifest) | listed(previous)
    if manifest.exists():
        os.replace(manifest, previous)
        sync_folder(folder)
    for path in folder.iterdir():
        if is_temp(path.name):
            path.unlink(missing_ok=True)
    return earlier


def _remove_stale(folder: Path, names: set[str]) -> None:
    """Delete the files an earlier run listed and this one does not write."""
    for name in sorted(names):
        (folder / name).unlink(missing_ok=True)
