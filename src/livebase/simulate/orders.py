"""Order rows of the school: purchases with their GetCourse quirks, plus non-purchases.

The ledger is one row per row of the orders export, still in codes (products, statuses,
promotions) and UTC seconds. It adds to the purchase process:

- discounts (promotions by season, personal discounts) and promo codes;
- installments: about 15 % of purchases of products from 20 000 ₽ are paid in 3 or 4
  monthly orders sharing an installment id, titled ``… (платёж k из n)``;
- partial payments, pending refunds, refunds (full or half, 3–40 days after payment,
  shown in the payments export), gifts, corporate purchases;
- accidental repeat payments: a second paid order, same profile, product and amount,
  1–6 days later;
- free webinar orders (amount 0, status ``Завершен``) and unpaid orders in every other
  status;
- coupon hunters (``SchoolSpec.coupon_hunters``): every purchase of theirs carries a
  promotion or a personal discount, and none is paid in installments.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from livebase.simulate.catalogue import (
    CASHLESS,
    FREE,
    INSTALLMENT_MIN,
    PAY_SYSTEM_WEIGHTS,
    PERSONAL_DISCOUNT,
    PRICES,
    PROMO_BY_MONTH,
    PROMO_PERCENT,
    REPEAT_WEIGHTS,
)
from livebase.simulate.clock import DAY, MINUTE, at_time_of_day, to_local
from livebase.simulate.formats import civil
from livebase.simulate.population import People
from livebase.simulate.purchases import Purchases

STATUSES = (
    "Завершен",
    "Частично оплачен",
    "Отменен",
    "Ложный",
    "Новый",
    "В работе",
    "Ожидаем оплаты",
    "Не подтвержден",
    "Отложен",
    "Ожидаем возврата",
)
PAID, PARTIAL, CANCELLED, FALSE, NEW, IN_WORK, AWAIT_PAYMENT = range(7)
UNCONFIRMED, POSTPONED, AWAIT_REFUND = 7, 8, 9
UNPAID_WEIGHTS = np.array([0.32, 0.10, 0.14, 0.07, 0.16, 0.11, 0.10])  # statuses 2..8
OPEN_STATUSES = (NEW, IN_WORK, AWAIT_PAYMENT, UNCONFIRMED, POSTPONED)

# order-level UTM of a repeat or unpaid order: 0 = the person's first-lead UTM
UTM_KINDS = ("first", "email", "organic", "vk", "yandex", "telegram")
UTM_REPEAT_WEIGHTS = np.array([0.0, 0.35, 0.35, 0.1, 0.1, 0.1])
PAY_METHODS = ("Карта", "СБП", "Безналичный расчёт")

INSTALLMENT_SHARE = 0.15
REFUND_SHARE = 0.062  # of completed single orders (about 5 % of all paid orders)
PARTIAL_REFUND_SHARE = 0.15
REPEAT_PAYMENT_SHARE = 0.0065
GIFT_SHARE = 0.024
PENDING_REFUND_DAYS = 45  # refund requests still open at the export (6 % of recent orders)

ORDER_ID_BASE = 180_000_000
ORDER_NUMBER_BASE = 10_000
PLAN_NUMBER_BASE = 5_000


@dataclass
class Counters:
    """Running numbers shared by all chunks (ids continue from one chunk to the next)."""

    orders: int = 0
    payments: int = 0
    plans: int = 0
    events: int = 0
    last_order_id: int = 0
    last_order_number: int = 0


def _round_rub(kopecks: np.ndarray, step: int = 1) -> np.ndarray:
    return (np.round(kopecks / (100 * step)) * 100 * step).astype(np.int64)


def _profile_of(
    rng: np.random.Generator, person: np.ndarray, ts: np.ndarray, profiles: pd.DataFrame
) -> np.ndarray:
    """Row in ``profiles`` each order is made from: half of the orders placed after a
    second profile was created use the second profile."""
    n_people = int(profiles["person"].max()) + 1
    prof_person = profiles["person"].to_numpy()
    is_second = (profiles["duplicate"] != "").to_numpy()
    first = np.empty(n_people, dtype=np.int64)
    first[prof_person[~is_second]] = np.flatnonzero(~is_second)
    second = np.full(n_people, -1, dtype=np.int64)
    second[prof_person[is_second]] = np.flatnonzero(is_second)
    created = profiles["created"].to_numpy()
    alt = second[person]
    use = (alt >= 0) & (ts > created[np.maximum(alt, 0)]) & (rng.random(len(person)) < 0.5)
    return np.where(use, alt, first[person])


def build_ledger(
    people: People,
    profiles: pd.DataFrame,
    purchases: Purchases,
    end: int,
    tz: str,
    rng: np.random.Generator,
    hunters: np.ndarray | None = None,
) -> pd.DataFrame:
    """All order rows of a chunk (unsorted, without ids). ``hunters`` (one flag per
    person of the chunk) marks coupon hunters: every purchase of theirs is discounted
    and none is paid in installments."""
    rows = _purchase_rows(people, purchases, end, tz, rng, hunters)
    rows["profile"] = _profile_of(
        rng, rows["person"].to_numpy(), rows["created"].to_numpy(), profiles
    )
    repeats = _repeat_payments(rows, end, rng)
    other = _non_purchases(people, end, tz, rng)
    other["profile"] = _profile_of(
        rng, other["person"].to_numpy(), other["created"].to_numpy(), profiles
    )
    ledger = pd.concat([rows, repeats, other], ignore_index=True)
    n = len(ledger)
    paid = ledger["paid_amount"].to_numpy() > 0
    big = ledger["amount"].to_numpy() >= INSTALLMENT_MIN
    manager_p = np.where(paid, np.where(big, 0.3, 0.04), 0.1)
    ledger["manager"] = np.where(rng.random(n) < manager_p, rng.integers(0, 5, n), -1)
    corporate = ledger["corporate"].to_numpy()
    system = rng.choice(len(PAY_SYSTEM_WEIGHTS), size=n, p=PAY_SYSTEM_WEIGHTS)
    ledger["pay_system"] = np.where(paid, np.where(corporate, CASHLESS, system), -1)
    ledger["pay_method"] = np.where(corporate, 2, (rng.random(n) < 0.25).astype(np.int64))
    return ledger


def _purchase_rows(
    people: People,
    purchases: Purchases,
    end: int,
    tz: str,
    rng: np.random.Generator,
    hunters: np.ndarray | None = None,
) -> pd.DataFrame:
    n = len(purchases)
    person, ts, product = purchases.person, purchases.ts, purchases.product
    price = PRICES[product]
    corporate = people.corporate[person]
    _, month, _ = civil(to_local(ts, tz) // DAY)

    discounted = rng.random(n) < 0.04 + 0.2 * people.sensitivity[person]
    hunter = np.zeros(n, dtype=bool) if hunters is None else np.asarray(hunters)[person]
    discounted |= hunter
    personal = rng.random(n) < 0.3
    promo = np.where(discounted & ~personal, PROMO_BY_MONTH[month], -1)
    percent = np.where(promo >= 0, PROMO_PERCENT[np.maximum(promo, 0)], PERSONAL_DISCOUNT)
    discount = np.where(discounted, _round_rub(price * percent / 100), 0)
    amount = price - discount
    code_used = (promo >= 0) & (rng.random(n) < 0.6)

    inst = (price >= INSTALLMENT_MIN) & ~corporate & (rng.random(n) < INSTALLMENT_SHARE)
    inst &= ~hunter
    parts = np.where(inst, 3 + (rng.random(n) < 0.4), 1)
    u = rng.random(n)
    recent = end - ts < PENDING_REFUND_DAYS * DAY
    status = np.where(u < 0.03, PARTIAL, np.where(recent & (u > 0.94), AWAIT_REFUND, PAID))
    status = np.where(inst, PAID, status)
    gift = ~inst & (rng.random(n) < GIFT_SHARE)

    # one row per payment of an installment plan, a month apart
    src = np.repeat(np.arange(n), parts)
    k = np.arange(len(src)) - np.repeat(np.cumsum(parts) - parts, parts)
    jitter = np.where(k > 0, rng.integers(-2 * DAY, 2 * DAY, len(src)), 0)
    paid_ts = ts[src] + k * 30 * DAY + jitter
    base = (amount[src] // parts[src] // 100) * 100
    row_amount = np.where(k == parts[src] - 1, amount[src] - base * (parts[src] - 1), base)
    row_status = status[src]
    paid_amount = np.where(
        row_status == PARTIAL,
        np.maximum(_round_rub(row_amount * rng.uniform(0.3, 0.7, len(src)), 100), 10_000),
        row_amount,
    )
    corp_row = corporate[src]
    lead = np.where(
        corp_row,
        rng.integers(DAY, 7 * DAY, len(src)),
        rng.integers(MINUTE, 20 * MINUTE, len(src)),
    )
    created = np.maximum(paid_ts - lead, people.signup[person[src]] + MINUTE)
    paid_ts = np.maximum(paid_ts, created + MINUTE)
    single = parts[src] == 1
    refundable = single & (row_status == PAID)
    room = (end - paid_ts) / DAY
    refund = refundable & (rng.random(len(src)) < REFUND_SHARE) & (room > 4)
    delay = rng.uniform(3, np.clip(np.minimum(40, room - 1), 3.5, None))
    refund_ts = np.where(refund, paid_ts + (delay * DAY).astype(np.int64), -1)
    half = rng.random(len(src)) < PARTIAL_REFUND_SHARE
    refund_amount = np.where(refund, np.where(half, _round_rub(row_amount / 2), row_amount), 0)

    utm = np.where(
        purchases.seq[src] == 0,
        0,
        rng.choice(len(UTM_KINDS), size=len(src), p=UTM_REPEAT_WEIGHTS),
    )
    frame = pd.DataFrame(
        {
            "person": person[src],
            "created": created,
            "paid": paid_ts,
            "product": product[src],
            "status": row_status,
            "amount": row_amount,
            "paid_amount": paid_amount,
            "discount": np.where(discounted[src] & (k == 0), discount[src], -1),
            "promo": np.where(k == 0, promo[src], -1),
            "code_used": code_used[src] & (k == 0),
            "part": np.where(parts[src] > 1, k + 1, 0),
            "parts": np.where(parts[src] > 1, parts[src], 0),
            "plan": np.where(parts[src] > 1, src, -1),
            "corporate": corp_row,
            "gift": gift[src],
            "zero": False,
            "repeat": False,
            "purchase": k == 0,
            "refund_ts": refund_ts,
            "refund_amount": refund_amount,
            "utm": utm,
        }
    )
    return frame[paid_ts < end].reset_index(drop=True)


def _repeat_payments(rows: pd.DataFrame, end: int, rng: np.random.Generator) -> pd.DataFrame:
    """Accidental second payments of single completed orders, 1–6 days later."""
    eligible = (
        (rows["parts"] == 0) & (rows["status"] == PAID) & (rows["refund_ts"] < 0)
    ).to_numpy()
    pick = eligible & (rng.random(len(rows)) < REPEAT_PAYMENT_SHARE)
    shift = rng.integers(DAY, 6 * DAY, len(rows))
    pick &= rows["paid"].to_numpy() + shift < end
    repeats = rows[pick].copy()
    repeats["created"] += shift[pick]
    repeats["paid"] += shift[pick]
    repeats["repeat"] = True
    repeats["purchase"] = False
    repeats["code_used"] = False
    repeats["gift"] = False
    return repeats


def _non_purchases(people: People, end: int, tz: str, rng: np.random.Generator) -> pd.DataFrame:
    """Free webinar orders (amount 0) and orders that were never paid."""
    n = len(people)
    free_n = rng.poisson(0.5, n)
    unpaid_n = rng.poisson(np.where(people.buyer, 0.45, 0.3))
    count = free_n + unpaid_n
    person = np.repeat(np.arange(n), count)
    m = len(person)
    zero = (np.arange(m) - np.repeat(np.cumsum(count) - count, count)) < free_n[person]
    signup = people.signup[person]
    life = end - signup
    status = np.where(
        zero, PAID, 2 + np.searchsorted(np.cumsum(UNPAID_WEIGHTS), rng.random(m), side="right")
    )
    status = np.minimum(status, POSTPONED)
    recent = np.isin(status, OPEN_STATUSES) & ~zero
    anytime = signup + (rng.random(m) ** np.where(zero, 2.0, 1.0) * life).astype(np.int64)
    latest = end - rng.integers(0, 45 * DAY, m)
    created = np.where(recent, np.maximum(latest, signup), anytime)
    created = at_time_of_day(rng, created, tz, not_before=signup + MINUTE)
    created = np.minimum(created, end - MINUTE)
    product = np.where(
        zero,
        FREE[rng.integers(0, len(FREE), m)],
        np.searchsorted(np.cumsum(REPEAT_WEIGHTS), rng.random(m), side="right"),
    )
    return pd.DataFrame(
        {
            "person": person,
            "created": created,
            "paid": -1,
            "product": product,
            "status": status,
            "amount": PRICES[product],
            "paid_amount": 0,
            "discount": -1,
            "promo": -1,
            "code_used": False,
            "part": 0,
            "parts": 0,
            "plan": -1,
            "corporate": people.corporate[person] & ~zero,
            "gift": False,
            "zero": zero,
            "repeat": False,
            "purchase": False,
            "refund_ts": -1,
            "refund_amount": 0,
            "utm": np.where(zero, 0, rng.choice(len(UTM_KINDS), size=m, p=UTM_REPEAT_WEIGHTS)),
        }
    )


def number_ledger(ledger: pd.DataFrame, counters: Counters, rng: np.random.Generator):
    """Sort by creation time and give order ids, order numbers and installment ids."""
    ledger = ledger.sort_values(["created", "person"], kind="stable", ignore_index=True)
    n = len(ledger)
    seq = counters.orders + np.arange(n)
    ledger["order_id"] = ORDER_ID_BASE + 3 * seq + rng.integers(0, 3, n)
    ledger["number"] = ORDER_NUMBER_BASE + 1 + seq
    counters.orders += n
    if n:
        counters.last_order_id = int(ledger["order_id"].iloc[-1])
        counters.last_order_number = int(ledger["number"].iloc[-1])
    plan = ledger["plan"].to_numpy()
    firsts = np.flatnonzero((plan >= 0) & (ledger["part"].to_numpy() == 1))
    plan_no = np.full(plan.max() + 1 if len(plan) and plan.max() >= 0 else 0, -1)
    plan_no[plan[firsts]] = PLAN_NUMBER_BASE + 1 + counters.plans + np.arange(len(firsts))
    counters.plans += len(firsts)
    # a chunk may have orders but no installment plan: nothing to look up then
    has_plans = len(plan_no) > 0
    ledger["plan_no"] = np.where(plan >= 0, plan_no[np.maximum(plan, 0)], -1) if has_plans else plan
    return ledger
