"""Attribution models over touch paths, and the attribution of a period (SPEC F5.4, seed 003).

- Each model gives every touchpoint of an attributed order a credit, and the credits of
  one order sum to 1; an unattributed order (no touchpoint) gets no credit.
- ``last_click`` gives 1 to the last touchpoint of the path.
- ``first_click`` gives 1 to the first touchpoint of the path.
- ``linear`` gives ``1/n`` to each of the ``n`` touchpoints.
- ``position_based`` (40/40/20, seed 003) gives 1 to a single touchpoint, 0.5 to each of
  two, and for ``n ≥ 3`` 0.4 to the first, 0.4 to the last and ``0.2/(n − 2)`` to each
  one in between.
- The revenue credit of a touchpoint is its credit times the order's revenue, rounded
  to the kopeck by the largest-remainder method within the order (the shortfall of the
  rounded-down shares goes one kopeck at a time to the largest remainders, ties to the
  earlier position), so the revenue credits of an order sum exactly to its revenue and
  the channel revenues of a model sum exactly to the attributed revenue.
- A channel's credit under a model is the sum of its touchpoints' credits (``orders``,
  fractional) and revenue credits (``revenue``, exact to 0.01); every model is reported
  for every channel that appears in a path, a zero included.
- :func:`offer_credits` splits the same credits by channel and ``offer_type``.
- The assisted count of a channel is the number of paid orders with at least one
  touchpoint on it, its ``share_of_paid`` that count over all paid orders of the period
  and its ``share_of_attributed`` that count over the attributed orders.
- A period without any paid order has ``status = "insufficient_data"`` (reason
  ``no_purchases``) and no credits or shares rather than zeros.

>>> import pandas as pd
>>> path = pd.DataFrame({"position": [0, 1, 2, 3], "path_length": [4, 4, 4, 4]})
>>> credit(path, "position_based").round(6).tolist()
[0.4, 0.1, 0.1, 0.4]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from ibis.backends import BaseBackend

from livebase.attribution.paths import check_window, paid_orders, touch_paths
from livebase.config import PurchaseRules
from livebase.errors import InputError
from livebase.experiments.status import INSUFFICIENT, OK

if TYPE_CHECKING:
    from livebase.store.workspace import Workspace

MODELS = ("last_click", "first_click", "linear", "position_based")
CENT = Decimal("0.01")


def check_model(model: str) -> str:
    """``model`` if it is one of :data:`MODELS`, else an :class:`InputError`."""
    if model not in MODELS:
        raise InputError(f"unknown attribution model {model!r} (one of {', '.join(MODELS)})")
    return model


def _positions(paths: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    missing = [c for c in ("position", "path_length") if c not in paths.columns]
    if missing:
        raise InputError(f"touch paths need the columns {', '.join(missing)}")
    pos = paths["position"].to_numpy(dtype=np.int64)
    n = paths["path_length"].to_numpy(dtype=np.int64)
    bad = (pos < 0) | (pos >= n)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"position {pos[i]} is outside a path of length {n[i]}")
    return pos, n


def _fractions(paths: pd.DataFrame, model: str) -> tuple[np.ndarray, np.ndarray]:
    """Each touchpoint's credit as an exact fraction ``num / den`` (den shared per order).

    position_based with n ≥ 3: den = 5(n − 2), the ends get 2(n − 2) (= 0.4) and the
    middle 1 each (= 0.2/(n − 2)); n = 1 and n = 2 reduce to linear.
    """
    check_model(model)
    pos, n = _positions(paths)
    first = pos == 0
    last = pos == n - 1
    ones = np.ones_like(n)
    if model == "last_click":
        return last.astype(np.int64), ones
    if model == "first_click":
        return first.astype(np.int64), ones
    if model == "linear":
        return ones, n
    long = n >= 3
    den = np.where(long, 5 * (n - 2), n)
    num = np.where(long & (first | last), 2 * (n - 2), 1)
    return num, den


def credit(paths: pd.DataFrame, model: str) -> pd.Series:
    """The credit of each touchpoint (row of :func:`touch_paths`) under ``model``.

    Needs the columns ``position`` and ``path_length``; vectorised over all rows.

    >>> two = pd.DataFrame({"position": [0, 1], "path_length": [2, 2]})
    >>> [credit(two, m).tolist() for m in MODELS]
    [[0.0, 1.0], [1.0, 0.0], [0.5, 0.5], [0.5, 0.5]]
    """
    num, den = _fractions(paths, model)
    return pd.Series(num / den, index=paths.index, name="credit", dtype="float64")


def _kopecks(paths: pd.DataFrame) -> np.ndarray:
    if "revenue" not in paths.columns:
        raise InputError("touch paths need the column revenue")
    return np.fromiter(
        (int((Decimal(v) * 100).to_integral_value()) for v in paths["revenue"]),
        dtype=np.int64,
        count=len(paths),
    )


def _revenue_kopecks(paths: pd.DataFrame, model: str) -> np.ndarray:
    """Revenue credit per touchpoint in kopecks, summing exactly to each order's revenue."""
    num, den = _fractions(paths, model)
    if "order_id" not in paths.columns:
        raise InputError("touch paths need the column order_id")
    kop = _kopecks(paths)
    # kop·num/den = q·num + r·num/den with kop = q·den + r: exact, and no int64 overflow
    q, r = np.divmod(kop, den)
    floor = q * num + (r * num) // den
    rem = (r * num) % den
    frame = pd.DataFrame(
        {
            "order_id": paths["order_id"].to_numpy(),
            "position": paths["position"].to_numpy(dtype=np.int64),
            "rem": rem,
            "kop": kop,
            "floor": floor,
        }
    )
    by_order = frame.groupby("order_id", sort=False)
    # the order's revenue (first row of the order) minus the rounded-down shares
    leftover = by_order["kop"].transform("first") - by_order["floor"].transform("sum")
    ranked = frame.sort_values(["order_id", "rem", "position"], ascending=[True, False, True])
    rank = ranked.groupby("order_id", sort=False).cumcount().reindex(frame.index)
    extra = (rank < leftover) & (frame["rem"] > 0)
    return floor + extra.to_numpy(dtype=np.int64)


def revenue_credit(paths: pd.DataFrame, model: str) -> pd.Series:
    """The revenue credit (``Decimal``, 0.01) of each touchpoint under ``model``.

    The credits of one order sum exactly to its revenue (largest remainder, ties to the
    earlier position): 100.00 over three linear touchpoints is 33.34, 33.33, 33.33.

    >>> three = pd.DataFrame({"order_id": ["o"] * 3, "position": [0, 1, 2],
    ...                       "path_length": [3] * 3, "revenue": [Decimal("100.00")] * 3})
    >>> [str(v) for v in revenue_credit(three, "linear")]
    ['33.34', '33.33', '33.33']
    """
    kop = _revenue_kopecks(paths, model)
    values = [Decimal(int(k)).scaleb(-2) for k in kop]
    return pd.Series(values, index=paths.index, name="revenue_credit", dtype="object")


def _credits_by(paths: pd.DataFrame, model: str, keys: list[str]) -> pd.DataFrame:
    missing = [c for c in keys if c not in paths.columns]
    if missing:
        raise InputError(f"touch paths need the columns {', '.join(missing)}")
    frame = paths[keys].copy()
    frame["orders"] = credit(paths, model).to_numpy()
    frame["kop"] = _revenue_kopecks(paths, model)
    out = frame.groupby(keys, dropna=False, sort=True).agg(
        orders=("orders", "sum"), kop=("kop", "sum")
    )
    out = out.reset_index()
    out["revenue"] = [Decimal(int(k)).scaleb(-2) for k in out["kop"]]
    return out.drop(columns="kop")[[*keys, "orders", "revenue"]]


def channel_credits(paths: pd.DataFrame, model: str) -> pd.DataFrame:
    """Credit per channel under ``model``: channel, orders (float), revenue (``Decimal``)."""
    return _credits_by(paths, model, ["channel"])


def offer_credits(paths: pd.DataFrame, model: str) -> pd.DataFrame:
    """Credit per channel and offer type under ``model`` (for the wave report).

    Columns channel, offer_type (``None`` for messages without one), orders (float) and
    revenue (``Decimal``, exact to 0.01; the rows sum to the attributed revenue).
    """
    return _credits_by(paths, model, ["channel", "offer_type"])


@dataclass(frozen=True)
class ChannelCredit:
    """One channel's credit under one model: fractional orders and revenue (0.01)."""

    model: str
    channel: str
    orders: float
    revenue: Decimal


@dataclass(frozen=True)
class AssistedShare:
    """Paid orders a channel touched at least once, and their shares.

    ``share_of_paid`` is over all paid orders of the period, ``share_of_attributed`` over
    the orders with at least one touchpoint; ``None`` when the denominator is 0.
    """

    channel: str
    orders: int
    share_of_paid: float | None
    share_of_attributed: float | None


@dataclass(frozen=True)
class Attribution:
    """Attribution of the paid orders of ``[start, end)`` UTC to the channels of their paths.

    ``credits`` holds every model × every channel seen in a path, in the order of
    :data:`MODELS`, then by channel; under each model the channel revenues sum exactly to
    ``revenue_attributed``. ``status`` is ``"insufficient_data"`` (reason
    ``no_purchases``) when the period has no paid order.
    """

    start: dt.datetime
    end: dt.datetime
    window_days: int
    view_through: tuple[str, ...]
    wave_id: str | None
    orders_paid: int
    orders_attributed: int
    revenue_paid: Decimal
    revenue_attributed: Decimal
    credits: tuple[ChannelCredit, ...]
    assisted: tuple[AssistedShare, ...]
    status: str
    reason: str | None = None

    @property
    def orders_unattributed(self) -> int:
        """Paid orders without a touchpoint (direct or organic)."""
        return self.orders_paid - self.orders_attributed

    @property
    def revenue_unattributed(self) -> Decimal:
        """Revenue of the paid orders without a touchpoint."""
        return self.revenue_paid - self.revenue_attributed

    def by_model(self, model: str) -> tuple[ChannelCredit, ...]:
        """The channel credits of one model, by channel."""
        check_model(model)
        return tuple(c for c in self.credits if c.model == model)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready plain data: datetimes in ISO, money as decimal strings."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "window_days": self.window_days,
            "view_through": list(self.view_through),
            "wave_id": self.wave_id,
            "status": self.status,
            "reason": self.reason,
            "orders_paid": self.orders_paid,
            "orders_attributed": self.orders_attributed,
            "orders_unattributed": self.orders_unattributed,
            "revenue_paid": str(self.revenue_paid),
            "revenue_attributed": str(self.revenue_attributed),
            "revenue_unattributed": str(self.revenue_unattributed),
            "credits": [
                {
                    "model": c.model,
                    "channel": c.channel,
                    "orders": c.orders,
                    "revenue": str(c.revenue),
                }
                for c in self.credits
            ],
            "assisted": [
                {
                    "channel": a.channel,
                    "orders": a.orders,
                    "share_of_paid": a.share_of_paid,
                    "share_of_attributed": a.share_of_attributed,
                }
                for a in self.assisted
            ],
        }


def _share(count: int, total: int) -> float | None:
    return count / total if total else None


def attribute(
    con: BaseBackend,
    *,
    start: dt.datetime,
    end: dt.datetime,
    rules: PurchaseRules,
    window_days: int = 14,
    view_through: Sequence[str] = (),
    wave_id: str | None = None,
) -> Attribution:
    """Credits of every model per channel and assisted shares for the paid orders of a period."""
    start, end, channels = check_window(start, end, window_days, view_through)
    orders = paid_orders(con, start=start, end=end, rules=rules)
    totals = orders.aggregate(n=orders.order_id.count(), revenue=orders.revenue.sum()).to_pandas()
    orders_paid = int(totals["n"].iloc[0])
    revenue = totals["revenue"].iloc[0]
    revenue_paid = (Decimal(0) if pd.isna(revenue) else Decimal(revenue)).quantize(CENT)
    common = {
        "start": start,
        "end": end,
        "window_days": window_days,
        "view_through": channels,
        "wave_id": wave_id,
        "orders_paid": orders_paid,
        "revenue_paid": revenue_paid,
    }
    if orders_paid == 0:
        return Attribution(
            **common,
            orders_attributed=0,
            revenue_attributed=Decimal("0.00"),
            credits=(),
            assisted=(),
            status=INSUFFICIENT,
            reason="no_purchases",
        )
    paths = touch_paths(
        con,
        start=start,
        end=end,
        rules=rules,
        window_days=window_days,
        view_through=channels,
        wave_id=wave_id,
    )
    heads = paths[paths["position"] == 0]
    orders_attributed = len(heads)
    revenue_attributed = sum(heads["revenue"], Decimal(0)).quantize(CENT)
    seen = sorted(paths["channel"].unique())
    credits = []
    for model in MODELS:
        table = channel_credits(paths, model).set_index("channel")
        for channel in seen:
            credits.append(
                ChannelCredit(
                    model=model,
                    channel=channel,
                    orders=float(table.at[channel, "orders"]),
                    revenue=table.at[channel, "revenue"].quantize(CENT),
                )
            )
    touched = paths.drop_duplicates(["order_id", "channel"]).groupby("channel").size()
    assisted = tuple(
        AssistedShare(
            channel=channel,
            orders=int(touched[channel]),
            share_of_paid=_share(int(touched[channel]), orders_paid),
            share_of_attributed=_share(int(touched[channel]), orders_attributed),
        )
        for channel in seen
    )
    return Attribution(
        **common,
        orders_attributed=orders_attributed,
        revenue_attributed=revenue_attributed,
        credits=tuple(credits),
        assisted=assisted,
        status=OK,
    )


def workspace_attribution(
    ws: Workspace, *, start: dt.datetime, end: dt.datetime, wave_id: str | None = None
) -> Attribution:
    """:func:`attribute` with the workspace's window, view-through channels and purchase rules."""
    settings = ws.config.attribution
    return attribute(
        ws.con,
        start=start,
        end=end,
        rules=ws.config.purchase_rules,
        window_days=settings.window_days,
        view_through=tuple(settings.view_through_channels),
        wave_id=wave_id,
    )
