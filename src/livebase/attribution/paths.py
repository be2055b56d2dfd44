"""Touch paths: the touchpoints that preceded each paid order (SPEC F5.4, seeds 000 and 003).

- A paid order is a counted purchase (:func:`livebase.metrics.purchases.purchases` with
  ``is_purchase``, under the workspace's purchase rules) whose ``ts`` lies in
  ``[start, end)`` UTC, and its revenue is its ``net`` (``DECIMAL``, refunds netted out).
- A touchpoint of an order is a ``messages`` row of the same customer with event
  ``clicked`` on any channel (kind ``"click"``) whose ``ts`` is strictly before the
  payment ``ts`` and at or after the payment ``ts`` minus ``window_days`` days.
- View-through is off by default (seed 000: only after a holdout confirmed it): an
  ``impression`` on a channel listed in ``view_through`` counts as a touchpoint of kind
  ``"view"`` under the same window rule.
- Impressions collapse to one view per order, channel, ``campaign_id`` and UTC day, and
  that view keeps the first impression of the day inside the window (earliest ``ts``,
  then smallest ``event_id``).
- With ``wave_id`` only messages of that wave (``messages.wave_id``) are touchpoints,
  while paid orders of every customer in the period still count.
- An order without any touchpoint is unattributed (direct or organic) and has no row.
- A path is ordered by ``ts``, then ``event_id``; ``position`` runs 0 to
  ``path_length - 1``.

The join of orders and messages, the collapse of views and the positions are computed
in the engine; only the finished paths come to pandas.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import ibis
import pandas as pd
from ibis.backends import BaseBackend

from livebase.config import PurchaseRules
from livebase.errors import InputError
from livebase.metrics.purchases import purchases
from livebase.store.schema import CHANNELS

CLICK = "click"
VIEW = "view"
PATH_COLUMNS = (
    "order_id",
    "customer_id",
    "paid_at",
    "revenue",
    "ts",
    "channel",
    "kind",
    "event_id",
    "wave_id",
    "arm",
    "offer_type",
    "position",
    "path_length",
)


def utc_naive(value: dt.datetime | dt.date, name: str) -> dt.datetime:
    """A period bound as a naive UTC datetime (a date is its midnight UTC).

    >>> utc_naive(dt.date(2025, 3, 1), "start")
    datetime.datetime(2025, 3, 1, 0, 0)
    >>> utc_naive(dt.datetime(2025, 3, 1, 3, tzinfo=dt.timezone(dt.timedelta(hours=3))), "end")
    datetime.datetime(2025, 3, 1, 0, 0)
    """
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    raise InputError(f"{name} must be a date or a datetime, got {value!r}")


def check_window(
    start: dt.datetime | dt.date,
    end: dt.datetime | dt.date,
    window_days: int,
    view_through: Sequence[str],
) -> tuple[dt.datetime, dt.datetime, tuple[str, ...]]:
    """Validated period bounds (naive UTC) and view-through channels."""
    start_ = utc_naive(start, "start")
    end_ = utc_naive(end, "end")
    if start_ >= end_:
        raise InputError(f"the period starts ({start_}) at or after it ends ({end_})")
    if isinstance(window_days, bool) or not isinstance(window_days, int) or window_days < 1:
        raise InputError(f"window_days must be a whole number of at least 1, got {window_days!r}")
    if isinstance(view_through, str):
        raise InputError(f"view_through must list channels, not be the string {view_through!r}")
    channels = tuple(dict.fromkeys(view_through))
    for channel in channels:
        if channel not in CHANNELS:
            raise InputError(f"unknown channel {channel!r} (one of {', '.join(CHANNELS)})")
    return start_, end_, channels


def paid_orders(
    con: BaseBackend, *, start: dt.datetime, end: dt.datetime, rules: PurchaseRules
) -> ibis.Table:
    """Paid orders of the period as an expression: order_id, customer_id, paid_at, revenue."""
    p = purchases(con, rules, until=end)
    p = p.filter(p.is_purchase & (p.ts >= start))
    return p.select("order_id", "customer_id", paid_at=p.ts, revenue=p.net)


def touch_paths(
    con: BaseBackend,
    *,
    start: dt.datetime,
    end: dt.datetime,
    rules: PurchaseRules,
    window_days: int = 14,
    view_through: Sequence[str] = (),
    wave_id: str | None = None,
) -> pd.DataFrame:
    """One row per (paid order, touchpoint) of the period, sorted by order_id and position.

    Columns: order_id, customer_id, paid_at, revenue (``Decimal``), ts, channel, kind
    (``"click"`` or ``"view"``), event_id, wave_id, arm, offer_type, position (0-based),
    path_length. Orders without touchpoints have no row.
    """
    start, end, channels = check_window(start, end, window_days, view_through)
    orders = paid_orders(con, start=start, end=end, rules=rules)
    m = con.table("messages")
    touch = m.event == "clicked"
    if channels:
        touch |= (m.event == "impression") & m.channel.isin(channels)
    if wave_id is not None:
        touch &= m.wave_id == wave_id
    m = m.filter(touch).select(
        "event_id",
        "ts",
        "channel",
        "campaign_id",
        "wave_id",
        "arm",
        "offer_type",
        m_customer=m.customer_id,
        kind=ibis.ifelse(m.event == "clicked", ibis.literal(CLICK), ibis.literal(VIEW)),
    )
    j = orders.join(
        m,
        (orders.customer_id == m.m_customer)
        & (m.ts < orders.paid_at)
        & (m.ts >= orders.paid_at - ibis.interval(days=window_days)),
    ).drop("m_customer")
    if channels:
        # every click is its own group; views share one per order, channel, campaign and day
        group = ibis.ifelse(j.kind == CLICK, j.event_id, ibis.null("string"))
        w = ibis.window(
            group_by=[j.order_id, j.kind, j.channel, j.campaign_id, j.ts.date(), group],
            order_by=[j.ts, j.event_id],
        )
        j = j.mutate(_k=ibis.row_number().over(w)).filter(ibis._._k == 0).drop("_k")
    path = ibis.window(group_by=j.order_id, order_by=[j.ts, j.event_id])
    whole = ibis.window(group_by=j.order_id)
    j = j.mutate(
        position=ibis.row_number().over(path),
        path_length=j.event_id.count().over(whole),
    )
    j = j.select(*PATH_COLUMNS).order_by(["order_id", "position"])
    frame = j.to_pandas().reset_index(drop=True)
    frame["position"] = frame["position"].astype("int64")
    frame["path_length"] = frame["path_length"].astype("int64")
    return frame
