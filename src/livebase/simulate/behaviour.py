"""What the monitors watch, planted into a played-out wave (see :class:`Behaviour`).

The rules, one sentence each:

* The school's history is its ``orders.csv``: a purchase is an order in status
  ``Завершен``, ``Частично оплачен`` or ``Ожидаем возврата`` with ``Оплачено`` above
  zero and a product outside the webinar category (as the default purchase rules
  count), dated by ``Дата оплаты`` (school time); people are persons (every profile of
  a person counts), named by their first profile's ``gc:<user id>``.
* A person is in the wave if any of their profiles is assigned (holdout included).
* Leak: a person with a purchase in the 30 days before the start who is not in the
  wave is active; each active person gets the wave's e-mails with probability
  ``leak_active`` (a hash of seed, wave and person), as the control arm.
* Active orders: every purchase of the 90 days before the start whose person is not
  in the wave recurs days / 90 times in expectation (systematic sampling over those
  orders sorted by amount, so each person keeps their pace and the sample spans the
  amounts evenly), as a paid order at a uniform moment of the window with the same
  title, discount, promo code and promotion, the amount and the discount times
  (1 + ``active_aov_shift``) rounded to roubles, and no UTM.
* So the wave-time AOV of these orders is the AOV of the 90 days' purchases times
  (1 + ``active_aov_shift``), in expectation and, thanks to the even spread, closely
  in every draw.
* Coupon wait: each converter of the discount arm, with probability ``coupon_wait`` (a
  hash of seed, wave and user), has an unpaid order (``Новый``, which the
  ``getcourse-orders`` preset maps to ``pending``) of the same title at the list price,
  created at a uniform moment 1–10 days before the start; the paid coupon order follows
  as without the knob.
* New orders take ids from the upper half of the wave's id block (the wave's own orders
  use the lower half), pending orders first, then active orders by payment time.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from livebase.simulate.catalogue import PRODUCTS
from livebase.simulate.clock import DAY, MINUTE, from_local
from livebase.simulate.orders import AWAIT_REFUND, PAID, PARTIAL, STATUSES

PAID_STATUSES = tuple(STATUSES[s] for s in (PAID, PARTIAL, AWAIT_REFUND))
NOT_PURCHASES = frozenset(p.title for p in PRODUCTS if p.category == "webinar")
PENDING_STATUS = "Новый"  # GetCourse's new, unpaid order (preset: pending)
ACTIVE_DAYS = 30  # the leak's "active customer": a paid order in the last 30 days
PACE_DAYS = 90  # active orders: the pace and the amounts of the last 90 days
WAIT_DAYS = (1, 10)  # a waiter's open order is this many days older than the start
_MONEY_JUNK = re.compile(r"[\s\u00a0]|₽|руб\.")
_INSTALMENT = re.compile(r"\s*\(платёж \d+ из \d+\)$")
_COLUMNS = {
    "ID пользователя": "user_id",
    "Дата оплаты": "paid",
    "Title": "title",
    "Статус": "status",
    "Оплачено": "paid_amount",
    "Скидка": "discount",
    "Использован промокод": "promo_code",
    "Промоакция": "promo_action",
}


def kopecks(values: pd.Series) -> np.ndarray:
    """``27 400,00 ₽`` → 2740000; empty → -1.

    >>> kopecks(pd.Series(["27 400,00 ₽", "0", "", "1\\u00a0990,50 руб."])).tolist()
    [2740000, 0, -1, 199050]
    """
    text = values.astype("str").str.replace(_MONEY_JUNK, "", regex=True)
    rub = text.str.partition(",")
    out = np.full(len(values), -1, dtype=np.int64)
    has = (text != "").to_numpy()
    kop = rub[2].where(rub[2] != "", "0").str.ljust(2, "0").str.slice(0, 2)
    whole = rub[0][has].astype(np.int64).to_numpy()
    out[has] = whole * 100 + kop[has].astype(np.int64).to_numpy()
    return out


def paid_history(orders: Path, tz: str, state: pa.Table) -> pd.DataFrame:
    """Purchases of the school: ``person``, ``paid`` (UTC seconds), ``amount`` and
    ``discount`` (kopecks, -1 if none), ``title``, ``promo_code``, ``promo_action``."""
    frame = pd.read_csv(
        orders,
        sep=";",
        encoding="utf-8-sig",
        dtype=str,
        keep_default_na=False,
        usecols=list(_COLUMNS),
    ).rename(columns=_COLUMNS)
    amount = kopecks(frame["paid_amount"])
    frame["title"] = frame["title"].str.replace(_INSTALMENT, "", regex=True)
    keep = frame["status"].isin(PAID_STATUSES).to_numpy() & (amount > 0)
    keep &= (frame["paid"] != "").to_numpy() & ~frame["title"].isin(NOT_PURCHASES).to_numpy()
    frame = frame[keep]
    local = pd.to_datetime(frame["paid"], format="%d.%m.%Y %H:%M").to_numpy()
    person = pd.Series(state["person"].to_numpy(), index=state["user_id"].to_numpy()).reindex(
        frame["user_id"].astype(np.int64).to_numpy()
    )
    return pd.DataFrame(
        {
            "person": person.to_numpy().astype(np.int64),
            "paid": from_local(local.astype("datetime64[s]").astype(np.int64), tz),
            "amount": amount[keep],
            "discount": kopecks(frame["discount"]),
            "title": frame["title"].to_numpy(),
            "promo_code": frame["promo_code"].to_numpy(),
            "promo_action": frame["promo_action"].to_numpy(),
        }
    )


def recent_buyers(history: pd.DataFrame, until: int, days: int, exclude: np.ndarray):
    """Persons with a purchase in the ``days`` before ``until``, outside ``exclude``
    (sorted), and those purchases."""
    recent = history[(history["paid"] >= until - days * DAY) & (history["paid"] < until)]
    recent = recent[~np.isin(recent["person"].to_numpy(), exclude)]
    return np.unique(recent["person"].to_numpy()), recent


def active_orders(
    history: pd.DataFrame,
    *,
    start: int,
    days: int,
    exclude: np.ndarray,
    shift: float,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, dict]:
    """Wave-time orders of the recent buyers outside the wave (sorted by payment), and
    what was planted."""
    persons, base = recent_buyers(history, start, PACE_DAYS, exclude)
    # systematic sampling over the orders sorted by amount: each order recurs
    # days / 90 times in expectation, and the sample spans the amounts evenly
    base = base.sort_values(["amount", "person", "paid"], kind="stable", ignore_index=True)
    rate = days / PACE_DAYS
    steps = np.floor(rng.random() + rate * np.arange(len(base) + 1))
    src = np.repeat(np.arange(len(base)), np.diff(steps).astype(np.int64))
    who = np.searchsorted(persons, base["person"].to_numpy()[src])
    factor = 1.0 + shift
    discount = base["discount"].to_numpy()[src]
    paid = start + (rng.random(len(who)) * days * DAY).astype(np.int64)
    new = pd.DataFrame(
        {
            "person": persons[who],
            "paid": paid,
            "created": np.maximum(paid - rng.integers(MINUTE, 20 * MINUTE, len(who)), start),
            "amount": _roubles(base["amount"].to_numpy()[src] * factor),
            "discount": np.where(discount >= 0, _roubles(np.maximum(discount, 0) * factor), -1),
            "title": base["title"].to_numpy()[src],
            "promo_code": base["promo_code"].to_numpy()[src],
            "promo_action": base["promo_action"].to_numpy()[src],
        }
    ).sort_values(["paid", "person"], kind="stable", ignore_index=True)
    planted = {
        "pace_days": PACE_DAYS,
        "customers": len(persons),
        "orders_before": len(base),
        "aov_before": _mean_rub(base["amount"]),
        "aov_shift": shift,
        "aov_expected": _mean_rub(base["amount"] * factor),
        "orders": len(new),
        "aov_during": _mean_rub(new["amount"]),
    }
    return new, planted


def _roubles(kopecks: np.ndarray) -> np.ndarray:
    return (np.round(np.asarray(kopecks, dtype=float) / 100) * 100).astype(np.int64)


def _mean_rub(kopecks: pd.Series) -> float | None:
    return round(float(kopecks.mean()) / 100, 2) if len(kopecks) else None
