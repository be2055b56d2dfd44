"""ESP event exports: one row per email event (sent, delivered, open, click, ...).

Campaigns that livebase planned are named ``lb:<wave_id>:<arm>:<touch_no>``, which ties
an event back to its wave, arm and touch.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pandas as pd

from livebase.ingest.fields import Field, Reject, extract
from livebase.ingest.normalize import normalize_email, parse_datetime
from livebase.ingest.presets.base import EMAIL, LINES, PHONE, SRC, Batch, Context, Converted
from livebase.ingest.readers import RawTable
from livebase.store.schema import CHANNELS

EVENTS = {
    "sent": "sent",
    "send": "sent",
    "delivered": "delivered",
    "delivery": "delivered",
    "open": "opened",
    "opened": "opened",
    "click": "clicked",
    "clicked": "clicked",
    "unsubscribe": "unsubscribed",
    "unsubscribed": "unsubscribed",
    "spam": "complained",
    "complaint": "complained",
    "complained": "complained",
    "impression": "impression",
}


def esp_event(text: str) -> str:
    """>>> esp_event("Open"), esp_event("spam")
    ('opened', 'complained')
    """
    key = text.strip().casefold()
    if key in EVENTS:
        return EVENTS[key]
    if key.startswith("bounce"):
        return "bounce"
    raise ValueError(f"unknown event: {text!r}")


def _channel(text: str) -> str:
    key = text.strip().casefold()
    if key not in CHANNELS:
        raise ValueError(f"unknown channel: {text!r} (one of {', '.join(CHANNELS)})")
    return key


def parse_campaign(campaign: str | None) -> tuple[str | None, str | None, str | None]:
    """``lb:<wave>:<arm>:<touch>`` → (wave_id, arm, touch_id); other names → Nones.

    >>> parse_campaign("lb:W-R90-20250506:value:3")
    ('W-R90-20250506', 'value', '3')
    """
    if campaign and campaign.startswith("lb:"):
        parts = campaign.split(":")
        if len(parts) >= 4:
            return parts[1], parts[2], parts[3]
        if len(parts) == 3:
            return parts[1], parts[2], None
    return None, None, None


@dataclass
class EspEvents:
    name: str = "esp-events"
    target: str = "messages"
    read_options: dict = field(default_factory=dict)

    def convert(self, raw: RawTable, ctx: Context) -> Converted:
        ex = extract(
            raw,
            [
                Field("email", ("email", "Email", "recipient"), normalize_email, True, True),
                Field("event", ("event", "type", "status"), esp_event, True, True),
                Field("ts", ("timestamp", "ts", "date", "time"), parse_datetime, True, True),
                Field("campaign", ("campaign", "campaign_id", "campaign_name")),
                Field("bounce_type", ("bounce_type",)),
                Field("channel", ("channel",), _channel),
            ],
        )
        c = ex.columns
        n = len(ex.lines)
        rows, lines, rejects = [], [], list(ex.rejects)
        first_line: dict[str, int] = {}
        for i in range(n):
            event = c["event"][i]
            if event == "bounce":
                kind = (c["bounce_type"][i] or "").strip().casefold()
                event = "bounced_hard" if kind == "hard" else "bounced_soft"
            campaign = c["campaign"][i]
            ts = c["ts"][i]
            email = c["email"][i]
            channel = c["channel"][i] or "email"
            event_id = (
                "esp:"
                + hashlib.sha1(
                    f"{email}|{channel}|{event}|{ts.isoformat()}|{campaign or ''}".encode()
                ).hexdigest()[:20]
            )
            if event_id in first_line:
                rejects.append(
                    Reject(ex.lines[i], "", "", f"duplicate of line {first_line[event_id]}")
                )
                continue
            first_line[event_id] = ex.lines[i]
            wave_id, arm, touch = parse_campaign(campaign)
            rows.append(
                {
                    "event_id": event_id,
                    "ts": ts,
                    "channel": channel,
                    "event": event,
                    "campaign_id": campaign,
                    "wave_id": wave_id,
                    "arm": arm,
                    "touch_id": touch,
                    "is_promo": None,
                    "offer_type": arm if arm in ("value", "discount") else None,
                    SRC: None,
                    EMAIL: email,
                    PHONE: None,
                }
            )
            lines.append([ex.lines[i]])
        frame = pd.DataFrame(rows)
        if frame.empty:
            return Converted([], rejects)
        frame[LINES] = lines
        customers = frame[[SRC, EMAIL, PHONE, LINES]].copy()
        customers["email"] = frame[EMAIL]
        return Converted([Batch("messages", frame), Batch("customers", customers)], rejects)
