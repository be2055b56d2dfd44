"""Call lists for the managers (SPEC F4.5).

The rules, one sentence each:

* There is one file ``<wave_id>/calls-<arm>.csv`` for each arm with call touches and one
  workbook ``<wave_id>/calls.xlsx`` with a sheet per such arm (bold header, columns as
  wide as their text), one row per call going out now.
* A row has customer_id, name, phone, call_on (the local date of the call), the reason
  for the call, the customer's segment and the local date of their last purchase.
* The reason is written in the workspace's language from the touch's condition: the last
  click on a message of the wave with its channel and date (``interest``), no click
  (``no_interest``), the webinar registration date (``registered``), the unopened
  e-mail's date (``email_unopened``) or the wave's plan (no condition), followed by the
  offer when the touch carries one.
* The segment is the customer's segment in the ``segments`` mart of the wave's as-of date
  (RFM version ``monetary``), by its name in the default segment map.
* The last purchase is the newest counted purchase (the workspace's purchase rules) before
  the export's ``now``; dates are shown in the workspace's date format.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import ibis
import pandas as pd

from livebase.exports.files import as_datetime, as_value, safe_text
from livebase.exports.touches import Wave
from livebase.i18n import format_date, t
from livebase.metrics.purchases import purchases
from livebase.segments.segment_map import default_map
from livebase.store.workspace import Workspace

HEADER = ["customer_id", "name", "phone", "call_on", "reason", "segment", "last_purchase"]


def local_date(value: object, zone: str) -> dt.date | None:
    """>>> local_date(dt.datetime(2025, 5, 12, 22, 30), "Asia/Yekaterinburg")
    datetime.date(2025, 5, 13)
    """
    at = as_datetime(value)
    if at is None:
        return None
    return at.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(zone)).date()


def reason_text(touch: object, *, wave_id: str, zone: str, lang: str) -> str:
    """Why the manager calls, from the touch's condition and its evidence."""
    condition = as_value(getattr(touch, "condition", None))
    if condition == "interest":
        via = t(f"export.via.{touch.click_channel}", lang)
        day = format_date(local_date(touch.click_at, zone), lang)
        text = t("export.call.clicked", lang, via=via, date=day)
    elif condition == "no_interest":
        text = t("export.call.no_interest", lang)
    elif condition == "registered":
        day = format_date(local_date(touch.registered_at, zone), lang)
        text = t("export.call.registered", lang, date=day)
    elif condition == "email_unopened":
        parent = local_date(touch.parent_at, zone)
        text = (
            t("export.call.email_unopened", lang, date=format_date(parent, lang))
            if parent is not None
            else t("export.call.email_unopened_undated", lang)
        )
    else:
        text = t("export.call.planned", lang, wave_id=wave_id)
    offer = as_value(touch.offer)
    return t("export.call.offer", lang, reason=text, offer=offer) if offer else text


def call_context(ws: Workspace, wave: Wave, customers: list[str], *, now: dt.datetime):
    """customer_id → segment id, and customer_id → time of the last purchase."""
    if not customers:
        return {}, {}
    ids = ibis.memtable(pd.DataFrame({"customer_id": sorted(set(customers))}))
    s = ws.table("segments")
    seg = (
        s.filter((s.as_of == wave.as_of) & (s.version == "monetary"))
        .semi_join(ids, "customer_id")
        .select("customer_id", "segment")
        .to_pandas()
    )
    p = purchases(ws.con, ws.config.purchase_rules, until=now)
    p = p.filter(p.is_purchase).semi_join(ids, "customer_id")
    last = p.group_by("customer_id").aggregate(last=p.ts.max()).to_pandas()
    return (
        dict(zip(seg["customer_id"], seg["segment"], strict=True)),
        dict(zip(last["customer_id"], last["last"], strict=True)),
    )


def call_rows(
    touches: pd.DataFrame,
    *,
    wave_id: str,
    segments: dict[str, str],
    last_purchase: dict[str, object],
    lang: str,
) -> list[list[object]]:
    """The rows of one arm's call list from its exported call touches (in file order)."""
    smap = default_map()
    rows = []
    for r in touches.itertuples(index=False):
        zone = r.zone
        call_on = format_date(as_datetime(r.local_at).date(), lang)
        seg = segments.get(r.customer_id)
        bought = local_date(last_purchase.get(r.customer_id), zone)
        rows.append(
            [
                r.customer_id,
                safe_text(as_value(r.name)),
                as_value(r.phone),
                call_on,
                safe_text(reason_text(r, wave_id=wave_id, zone=zone, lang=lang)),
                safe_text(smap.label(seg, lang)) if seg else None,
                format_date(bought, lang) if bought else None,
            ]
        )
    return rows


def xlsx_header(lang: str) -> list[str]:
    return [t(f"export.col.{name}", lang) for name in HEADER]
