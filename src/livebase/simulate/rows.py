"""Decode the simulator's coded tables into the rows of the users, orders and payments
exports (text per column, money in kopecks, times in UTC seconds)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from livebase.simulate import formats as fm
from livebase.simulate.catalogue import PAY_SYSTEMS, PROMOTIONS, TITLES
from livebase.simulate.clock import DAY, to_local
from livebase.simulate.exports import Columns, take_rows, text
from livebase.simulate.names import MANAGERS, ZONES
from livebase.simulate.orders import PAY_METHODS, STATUSES
from livebase.simulate.population import CITY_LIST, MEDIUMS, REGISTRATIONS, SOURCES, People

TAG_NAMES = ("рассрочка", "корпоратив", "подарок", "бесплатно")
TAG_SETS = tuple(
    ", ".join(t for bit, t in enumerate(TAG_NAMES) if code >> bit & 1) for code in range(16)
)
# fixed UTM of repeat orders by kind (see orders.UTM_KINDS); kind 1 (email) names the
# newsletter of the order's month
FIXED_UTM = {
    2: ("", "", ""),
    3: ("vk", "retargeting", "vk_retarget"),
    4: ("yandex", "cpc", "yandex_brand"),
    5: ("telegram", "post", "tg_channel"),
}
FEES = (0.029, 0.007, 0.0)  # card, SBP, cashless


def _take(values: pa.Array | pd.Series, rows: np.ndarray) -> pa.Array:
    return text(values).take(pa.array(np.asarray(rows, dtype=np.int64)))


def users_frame(people: People, profiles: pd.DataFrame, last_active: np.ndarray) -> Columns:
    """Rows of ``users.csv`` (second profiles carry no birth dates, UTM or zone)."""
    person = profiles["person"].to_numpy()
    second = (profiles["duplicate"] != "").to_numpy()
    first_lead = ~second
    return {
        "user_id": profiles["user_id"].to_numpy(),
        "email_raw": text(profiles["email_raw"]),
        "registration": fm.labels(REGISTRATIONS, profiles["registration"].to_numpy()),
        "created": profiles["created"].to_numpy(),
        "last_active": last_active,
        "first_name": _take(people.first_name, person),
        "last_name": _take(people.last_name, person),
        "phone_raw": text(profiles["phone_raw"]),
        "birth_day": np.where(first_lead, people.birth_day[person], -1),
        "city": fm.labels(CITY_LIST, people.city[person]),
        "utm_source": fm.where(first_lead, fm.labels(SOURCES, people.source[person])),
        "utm_medium": fm.where(first_lead, fm.labels(MEDIUMS, people.source[person])),
        "utm_campaign": fm.where(first_lead, _take(people.campaign, person)),
        "child_birth_day": np.where(first_lead, people.child_birth_day[person], -1),
        "zone": fm.where(first_lead, fm.labels(ZONES, people.zone[person])),
    }


def _utm(ledger: pd.DataFrame, people: People, tz: str) -> tuple[pa.Array, pa.Array, pa.Array]:
    kind = ledger["utm"].to_numpy()
    person = ledger["person"].to_numpy()
    year, month, _ = fm.civil(to_local(ledger["created"].to_numpy(), tz) // DAY)
    chooser = pa.array(kind.astype(np.int8))
    n = len(ledger)
    sources = [fm.labels(SOURCES, people.source[person]), fm.labels(("email",), np.zeros(n))]
    mediums = [fm.labels(MEDIUMS, people.source[person]), fm.labels(("newsletter",), np.zeros(n))]
    campaigns = [
        _take(people.campaign, person),
        fm.concat("newsletter-", fm.integers(year), "-", fm.padded(month, 2)),
    ]
    for k in sorted(FIXED_UTM):
        s, m, c = FIXED_UTM[k]
        sources.append(fm.labels((s,), np.zeros(n)))
        mediums.append(fm.labels((m,), np.zeros(n)))
        campaigns.append(fm.labels((c,), np.zeros(n)))
    return (
        pc.choose(chooser, *sources),
        pc.choose(chooser, *mediums),
        pc.choose(chooser, *campaigns),
    )


def orders_frame(ledger: pd.DataFrame, people: People, profiles: pd.DataFrame, tz: str) -> Columns:
    """Rows of ``orders.csv`` (see :func:`exports.write_orders`)."""
    person = ledger["person"].to_numpy()
    profile = ledger["profile"].to_numpy()
    part = ledger["part"].to_numpy()
    title = fm.labels(TITLES, ledger["product"].to_numpy())
    numbered = fm.concat(
        title, " (платёж ", fm.integers(part), " из ", fm.integers(ledger["parts"].to_numpy()), ")"
    )
    promo = ledger["promo"].to_numpy()
    plan = ledger["plan_no"].to_numpy()
    tags = (
        (ledger["parts"].to_numpy() > 0) * 1
        + ledger["corporate"].to_numpy() * 2
        + ledger["gift"].to_numpy() * 4
        + ledger["zero"].to_numpy() * 8
    )
    source, medium, campaign = _utm(ledger, people, tz)
    return {
        "order_id": ledger["order_id"].to_numpy(),
        "number": ledger["number"].to_numpy(),
        "user_id": profiles["user_id"].to_numpy()[profile],
        "user_name": _take(people.name, person),
        "email": _take(profiles["email_raw"], profile),
        "phone": _take(profiles["phone_raw"], profile),
        "created": ledger["created"].to_numpy(),
        "paid": np.where(ledger["paid_amount"].to_numpy() > 0, ledger["paid"].to_numpy(), -1),
        "title": fm.where(part > 0, numbered, title),
        "status": fm.labels(STATUSES, ledger["status"].to_numpy()),
        "amount": ledger["amount"].to_numpy(),
        "paid_amount": ledger["paid_amount"].to_numpy(),
        "manager": fm.labels(MANAGERS, ledger["manager"].to_numpy()),
        "city": fm.labels(CITY_LIST, people.city[person]),
        "pay_system": fm.labels(PAY_SYSTEMS, ledger["pay_system"].to_numpy()),
        "plan_id": fm.where(plan >= 0, fm.concat("R-", fm.integers(plan))),
        "discount": ledger["discount"].to_numpy(),
        "promo_code": (
            fm.where(ledger["code_used"].to_numpy(), fm.labels([p.code for p in PROMOTIONS], promo))
        ),
        "promo_action": fm.labels([p.name for p in PROMOTIONS], promo),
        "utm_source": source,
        "utm_medium": medium,
        "utm_campaign": campaign,
        "tags": fm.labels(TAG_SETS, tags),
    }


def payments_frame(
    ledger: pd.DataFrame,
    orders: Columns,
    first_number: int,
    rng: np.random.Generator,
) -> Columns:
    """Rows of ``payments.csv``: one ``Получен`` per paid order, one ``Возвращен`` per
    refund. ``orders`` is :func:`orders_frame` of the same ledger."""
    paid = np.flatnonzero(ledger["paid_amount"].to_numpy() > 0)
    refund = np.flatnonzero(ledger["refund_ts"].to_numpy() >= 0)
    rows = np.concatenate([paid, refund])
    is_refund = np.arange(len(rows)) >= len(paid)
    method = ledger["pay_method"].to_numpy()[rows]
    amount = np.where(
        is_refund, ledger["refund_amount"].to_numpy()[rows], ledger["paid_amount"].to_numpy()[rows]
    )
    fee = np.where(is_refund, 0, np.round(amount * np.array(FEES)[method]).astype(np.int64))
    created = np.where(
        is_refund, ledger["refund_ts"].to_numpy()[rows], ledger["paid"].to_numpy()[rows]
    )
    frame = {
        "created": created,
        "order_id": orders["order_id"][rows],
        "user_name": _take(orders["user_name"], rows),
        "email": pc.utf8_trim_whitespace(_take(orders["email"], rows)),
        "kind": fm.labels(PAY_METHODS, method),
        "status": fm.labels(("Получен", "Возвращен"), is_refund.astype(np.int64)),
        "amount": amount,
        "fee": fee,
        "received": np.where(is_refund, 0, amount - fee),
        "code": fm.hex_codes(rng, len(rows)),
        "title": _take(orders["title"], rows),
    }
    frame = take_rows(frame, np.lexsort((frame["order_id"], created)))
    frame["number"] = first_number + np.arange(len(rows))
    return frame
