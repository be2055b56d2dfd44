"""Inputs of the planning benchmark: a school's store tables as Parquet files, made once.

    ensure_plan_data("1M", Path("bench/data"))  # → bench/data/plan-1M/<table>.parquet

For ``N`` customers (``1M``, ``100k``, ``20k``) and ``20 × N`` message events, one Parquet
file per table of the store contracts (:mod:`livebase.store.schema`), with the columns the
planner reads and plausible values for the rest:

- ``customers``: ``c00000001`` …; e-mail (2 % missing), phone in E.164 (12 % missing),
  time zone (88 % Europe/Moscow, a few other Russian zones, 2 % missing and 1 % not an
  IANA name, both meaning the workspace's zone), first-lead channel, a child's birth date
  for 10 %.
- ``rfm`` and ``segments`` of ``as_of`` (version ``monetary``): recency 0–89 days for 25 %
  of the customers, 90–179 (sleep tier R90, segment ``sleeping_warm``) for 30 %, then
  180–269, 270–539 and 540–1000 days for 15 % each; frequency and money of the 12 months
  to ``as_of`` from the orders below; quintile scores; the default segment map's rules.
- ``orders``: each customer's last paid order ``recency_days`` before ``as_of``, more paid
  orders earlier (2 % of them refunded); pending orders (open deals) created in the 45
  days before ``as_of`` for 3 % of the customers; and, for 0.7 % of the R90 customers, a
  paid order in the 30 days before ``as_of`` that the segments do not know of (imported
  after they were built), which makes them active buyers.
- ``consents``: marketing grants on e-mail 85 %, messenger 60 %, sms 50 %, call 55 %,
  retargeting 65 %; personalisation on e-mail 60 % (and on the messenger for 10 %, the
  newest record on any channel deciding); 7 % of the grants withdrawn later, explicit
  refusals for 3 % of the others, and grants dated after ``as_of`` (not yet valid) for 1 %.
- ``messages``: sends over the 365 days before ``as_of`` (e-mail 65 %, messenger 25 %, sms
  10 %; 15 % of them in the last 8 days, so the frequency caps have work to do; 30 % promo,
  with offer type discount / value / none / empty), each followed by delivered, opened,
  clicked, unsubscribed, complained or bounced_hard events, cut to exactly ``20 × N``
  events; 10 % of the promo sends carry an old wave's id.
- ``activities``: ``invoice_pending`` in the 10 days before ``as_of`` for 0.5 % (hot leads).

Everything comes from one seeded generator, so a size is the same on every machine.
A ``meta.json`` next to the files records the sizes, the seed and the as-of date.

    python bench/plan_data.py 1M [--data-dir bench/data]   # prints the meta as JSON

(the benchmark generates in a process of its own: see bench/plan_bench.py).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from payments import _money, parse_size

SEED = 11
FORMAT_VERSION = 1  # bump when the layout changes: cached files are then rebuilt
AS_OF = date(2025, 6, 29)  # a Sunday: the wave starts on Monday 2025-06-30
MESSAGES_PER_CUSTOMER = 20
TABLES = ("customers", "rfm", "segments", "orders", "consents", "messages", "activities")

US = 1_000_000
DAY = 86_400 * US
PRICES_RUB = np.array([2990, 4990, 9900, 14900, 29900, 49900])
PRICE_P = np.array([0.25, 0.25, 0.2, 0.15, 0.1, 0.05])
ZONES = [
    "Europe/Moscow",
    "Asia/Yekaterinburg",
    "Asia/Novosibirsk",
    "Europe/Kaliningrad",
    "Asia/Vladivostok",
    None,
    "Moscow",  # not an IANA name: the workspace's zone is used
]
ZONE_P = [0.88, 0.04, 0.02, 0.02, 0.01, 0.02, 0.01]
FIRST_CHANNELS = ["vk", "telegram", "yandex", "organic", None]
CONSENT_CHANNELS = {
    "email": 0.85,
    "messenger": 0.60,
    "sms": 0.50,
    "call": 0.55,
    "retargeting": 0.65,
}
SEND_CHANNELS = ["email", "messenger", "sms"]
EVENTS = ["sent", "delivered", "opened", "clicked", "unsubscribed", "complained", "bounced_hard"]
OFFER_TYPES = ["discount", "value", "none", ""]


@dataclass(frozen=True)
class PlanData:
    label: str
    folder: Path
    customers: int
    rows: dict[str, int]
    as_of: date
    seed: int
    generated_in_s: float

    def path(self, table: str) -> Path:
        return self.folder / f"{table}.parquet"


def ensure_plan_data(
    label: str,
    data_dir: Path,
    *,
    messages_per_customer: int = MESSAGES_PER_CUSTOMER,
    seed: int = SEED,
    log=print,
) -> PlanData:
    """The cached tables of ``label`` (e.g. ``1M`` customers), generated when missing."""
    folder = Path(data_dir) / f"plan-{label}"
    meta_path = folder / "meta.json"
    if meta_path.exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if (
            meta.get("format") == FORMAT_VERSION
            and meta.get("seed") == seed
            and meta.get("messages_per_customer") == messages_per_customer
            and all((folder / f"{t}.parquet").exists() for t in TABLES)
        ):
            return _dataset(meta, folder)
    folder.mkdir(parents=True, exist_ok=True)
    n = parse_size(label)
    log(f"generating plan inputs {label}: {n:,} customers, {n * messages_per_customer:,} events")
    started = time.perf_counter()
    rows = generate(n, folder, messages=n * messages_per_customer, seed=seed, log=log)
    meta = {
        "format": FORMAT_VERSION,
        "label": label,
        "customers": n,
        "messages_per_customer": messages_per_customer,
        "rows": rows,
        "as_of": AS_OF.isoformat(),
        "seed": seed,
        "generated_in_s": round(time.perf_counter() - started, 1),
    }
    meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    log(f"wrote {folder} in {meta['generated_in_s']} s: {rows}")
    return _dataset(meta, folder)


def _dataset(meta: dict, folder: Path) -> PlanData:
    return PlanData(
        label=meta["label"],
        folder=folder,
        customers=meta["customers"],
        rows=meta["rows"],
        as_of=date.fromisoformat(meta["as_of"]),
        seed=meta["seed"],
        generated_in_s=meta["generated_in_s"],
    )


def describe(data: PlanData) -> dict:
    d = asdict(data)
    d["folder"] = str(data.folder)
    d["as_of"] = data.as_of.isoformat()
    return d


# ---- generation ---------------------------------------------------------------------
def _us(moment: datetime) -> int:
    return int((moment - datetime(1970, 1, 1)).total_seconds()) * US


def _ts(us: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    mask = None if valid is None else ~valid
    return pa.array(np.asarray(us, dtype=np.int64), pa.timestamp("us"), mask=mask)


def _pick(values: list, idx: np.ndarray) -> pa.Array:
    """``values[idx]`` as a string array (None in ``values`` → null)."""
    dictionary = pa.array(values, pa.string())
    return pc.take(dictionary, pa.array(np.asarray(idx, dtype=np.int32)))


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    text = pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(prefix, text, "")


def _write(folder: Path, name: str, table: pa.Table) -> int:
    pq.write_table(table, folder / f"{name}.parquet", compression="zstd")
    return table.num_rows


def generate(n: int, folder: Path, *, messages: int, seed: int, log=print) -> dict[str, int]:
    rng = np.random.default_rng(seed)
    end = _us(datetime.combine(AS_OF + timedelta(days=1), datetime.min.time()))  # exclusive
    rows: dict[str, int] = {}
    idx = np.arange(n)
    cid = _ids("c", idx + 1, 8)

    # ---- customers
    created = end - 2200 * DAY - rng.integers(0, 300 * DAY, n)
    has_email = rng.random(n) >= 0.02
    has_phone = rng.random(n) >= 0.12
    kid = rng.random(n) < 0.10
    kid_days = rng.integers(_us(datetime(2010, 1, 1)) // DAY, _us(datetime(2020, 1, 1)) // DAY, n)
    customers = pa.table(
        {
            "customer_id": cid,
            "email": pc.if_else(
                pa.array(has_email),
                pc.binary_join_element_wise(cid, "@mail.example", ""),
                pa.scalar(None, pa.string()),
            ),
            "phone": pc.if_else(
                pa.array(has_phone),
                _ids("+7916", idx % 10_000_000, 7),
                pa.scalar(None, pa.string()),
            ),
            "name": pa.nulls(n, pa.string()),
            "created_at": _ts(created),
            "timezone": _pick(ZONES, rng.choice(len(ZONES), n, p=ZONE_P)),
            "region": pa.nulls(n, pa.string()),
            "child_birth_date": pa.array(kid_days.astype(np.int32), pa.date32(), mask=~kid),
            "first_channel": _pick(
                FIRST_CHANNELS, rng.choice(len(FIRST_CHANNELS), n, p=[0.3, 0.2, 0.2, 0.2, 0.1])
            ),
            "is_corporate": pa.array(np.zeros(n, dtype=bool)),
            "last_seen_at": pa.nulls(n, pa.timestamp("us")),
        }
    )
    rows["customers"] = _write(folder, "customers", customers)
    log(f"  customers: {rows['customers']:,}")

    # ---- orders (the last one sets the recency) and RFM
    band = rng.choice(5, n, p=[0.25, 0.30, 0.15, 0.15, 0.15])
    lo = np.array([0, 90, 180, 270, 540])[band]
    hi = np.array([89, 179, 269, 539, 1000])[band]
    recency = rng.integers(lo, hi + 1)
    as_of_start = end - DAY
    last_ts = as_of_start - recency * DAY + rng.integers(0, DAY, n)
    window_start = _us(datetime(2024, 6, 30))  # 12 months to as_of: from the day after
    # earlier orders in the 12 months, at least 8 days before the last one
    room = (last_ts - 8 * DAY) - window_start
    k1 = np.where(room > DAY, rng.poisson(0.9, n), 0)
    # older orders, before the 12 months (and 8 days before the last)
    top_old = np.minimum(window_start, last_ts - 8 * DAY)
    k2 = rng.poisson(0.7, n)
    c_last = idx
    c1 = np.repeat(idx, k1)
    t1 = window_start + (rng.random(len(c1)) * room[c1]).astype(np.int64)
    c2 = np.repeat(idx, k2)
    t2 = top_old[c2] - (rng.random(len(c2)) * 700 * DAY).astype(np.int64)
    o_cust = np.concatenate([c_last, c1, c2])
    o_paid = np.concatenate([last_ts, t1, t2])
    o_price = rng.choice(len(PRICES_RUB), len(o_cust), p=PRICE_P)
    refunded = np.zeros(len(o_cust), dtype=bool)
    refunded[n:] = rng.random(len(o_cust) - n) < 0.02  # never the last order
    in_window = (o_paid >= window_start) & (o_paid < end)
    counted = in_window & ~refunded
    frequency = np.bincount(o_cust[counted], minlength=n)
    monetary = np.bincount(o_cust[counted], weights=PRICES_RUB[o_price[counted]], minlength=n)
    # late paid orders of R90 customers (not in the segments), pending orders
    r90 = (recency >= 90) & (recency <= 179)
    late = np.flatnonzero(r90 & (rng.random(n) < 0.007))
    late_ts = end - rng.integers(DAY, 30 * DAY, len(late))
    pend = np.flatnonzero(rng.random(n) < 0.03)
    pend_ts = end - rng.integers(1, 45 * DAY, len(pend))
    all_cust = np.concatenate([o_cust, late, pend])
    all_paid = np.concatenate([o_paid, late_ts, pend_ts])
    all_price = np.concatenate(
        [o_price, rng.choice(6, len(late), p=PRICE_P), rng.choice(6, len(pend), p=PRICE_P)]
    )
    status = np.concatenate(
        [np.where(refunded, 1, 0), np.zeros(len(late), dtype=int), np.full(len(pend), 2)]
    )
    is_pending = status == 2
    created_o = all_paid - rng.integers(0, 3_600 * US, len(all_cust))
    kopecks = PRICES_RUB[all_price] * 100
    order = np.argsort(all_paid, kind="stable")
    m = len(all_cust)
    orders = pa.table(
        {
            "order_id": _ids("o", np.arange(1, m + 1), 9),
            "customer_id": cid.take(pa.array(all_cust[order])),
            "created_at": _ts(created_o[order]),
            "paid_at": _ts(all_paid[order], ~is_pending[order]),
            "amount": _money(kopecks[order]),
            "currency": _pick(["RUB"], np.zeros(m, dtype=int)),
            "status": _pick(["paid", "refunded", "pending"], status[order]),
            "refunded_amount": _money(np.where(status[order] == 1, kopecks[order], 0)),
            "product_id": _ids("course-", all_price[order] + 1, 1),
            "category": _pick(["course"], np.zeros(m, dtype=int)),
            "is_gift": pa.array(np.zeros(m, dtype=bool)),
            "is_corporate": pa.array(np.zeros(m, dtype=bool)),
        }
    )
    rows["orders"] = _write(folder, "orders", orders)
    log(f"  orders: {rows['orders']:,}")
    del orders

    # quintile scores (rank order, ties by position) and the default segment map
    def quintile(values: np.ndarray, *, descending: bool = False) -> np.ndarray:
        ranks = np.empty(n, dtype=np.int64)
        ranks[np.argsort(-values if descending else values, kind="stable")] = idx
        return (1 + ranks * 5 // n).astype(np.int8)

    r = quintile(recency, descending=True)
    f = quintile(frequency)
    mm = quintile(monetary)
    seg_idx = np.select(
        [
            recency >= 540,
            recency >= 270,
            recency >= 180,
            recency >= 90,
            (r == 5) & (f == 5) & (mm == 5),
            (r >= 4) & (f >= 4),
            (r == 5) & (f <= 2) & (mm <= 2),
            (r <= 3) & (f >= 3),
        ],
        np.arange(8),
        default=8,
    )
    seg_names = [
        "lost",
        "sleeping_long",
        "sleeping_cooled",
        "sleeping_warm",
        "champions",
        "loyal",
        "promising",
        "at_risk",
        "need_attention",
    ]
    tier = np.select([recency >= 270, recency >= 180, recency >= 90], [2, 1, 0], default=3)
    as_of_col = pa.array(np.full(n, (end - DAY) // DAY, dtype=np.int32), pa.date32())
    version = _pick(["monetary"], np.zeros(n, dtype=int))
    rfm = pa.table(
        {
            "as_of": as_of_col,
            "version": version,
            "customer_id": cid,
            "recency_days": pa.array(recency.astype(np.int64)),
            "frequency": pa.array(frequency.astype(np.int64)),
            "monetary": _money((monetary * 100).astype(np.int64)),
            "r": pa.array(r),
            "f": pa.array(f),
            "m": pa.array(mm),
        }
    )
    rows["rfm"] = _write(folder, "rfm", rfm)
    segment = _pick(seg_names, seg_idx)
    segments = pa.table(
        {
            "as_of": as_of_col,
            "version": version,
            "customer_id": cid,
            "segment": segment,
            "rule": segment,
            "sleep_tier": _pick(["R90", "R180", "R270", None], tier),
            "is_top": pa.array((recency < 90) & (rng.random(n) < 0.05)),
        }
    )
    rows["segments"] = _write(folder, "segments", segments)
    log(f"  rfm, segments: {n:,} each, R90 {int(r90.sum()):,}")

    # ---- consents
    parts_c, parts_ch, parts_p, parts_g, parts_t = [], [], [], [], []

    def add(cust, channel, purpose, granted, ts):
        parts_c.append(cust)
        parts_ch.append(np.full(len(cust), channel, dtype=object))
        parts_p.append(np.full(len(cust), purpose, dtype=object))
        parts_g.append(np.full(len(cust), granted, dtype=bool))
        parts_t.append(ts)

    def log_of(channel: str, purpose: str, p: float) -> None:
        grant = rng.random(n) < p
        who = np.flatnonzero(grant)
        ts = created[who] + rng.integers(0, 30 * DAY, len(who))
        add(who, channel, purpose, True, ts)
        gone = rng.random(len(who)) < 0.07
        wts = ts[gone] + rng.integers(DAY, 1500 * DAY, int(gone.sum()))
        wts = np.minimum(wts, end - DAY - rng.integers(0, DAY, len(wts)))
        add(who[gone], channel, purpose, False, np.maximum(wts, ts[gone] + US))
        rest = np.flatnonzero(~grant)
        refuse = rest[rng.random(len(rest)) < 0.03]
        add(refuse, channel, purpose, False, created[refuse] + rng.integers(0, DAY, len(refuse)))
        later = rest[rng.random(len(rest)) < 0.01]
        add(later, channel, purpose, True, end + rng.integers(0, 5 * DAY, len(later)))

    for channel, p in CONSENT_CHANNELS.items():
        log_of(channel, "marketing", p)
    log_of("email", "personalisation", 0.60)
    log_of("messenger", "personalisation", 0.10)
    cc = np.concatenate(parts_c)
    cts = np.concatenate(parts_t)
    order = np.argsort(cts, kind="stable")
    k = len(cc)
    consents = pa.table(
        {
            "customer_id": cid.take(pa.array(cc[order])),
            "channel": pa.array(np.concatenate(parts_ch)[order], pa.string()),
            "purpose": pa.array(np.concatenate(parts_p)[order], pa.string()),
            "granted": pa.array(np.concatenate(parts_g)[order]),
            "ts": _ts(cts[order]),
            "offer_version": _pick(["v1"], np.zeros(k, dtype=int)),
            "source": _pick(["signup_form"], np.zeros(k, dtype=int)),
            "given_by": _pick(["self"], np.zeros(k, dtype=int)),
        }
    )
    rows["consents"] = _write(folder, "consents", consents)
    log(f"  consents: {rows['consents']:,}")
    del consents

    # ---- messages: sends and what followed them
    s = int(messages / 2.42 * 1.03) + 10
    s_cust = rng.integers(0, n, s)
    s_chan = rng.choice(3, s, p=[0.65, 0.25, 0.10])
    recent = rng.random(s) < 0.15
    s_ts = np.where(
        recent,
        end - rng.integers(1, 8 * DAY, s),
        end - 8 * DAY - rng.integers(0, 357 * DAY, s),
    )
    promo = rng.random(s) < 0.30
    offer = np.where(promo, rng.choice(5, s, p=[0.3, 0.3, 0.2, 0.1, 0.1]), 4)  # 4: null
    wave = np.where(promo & (rng.random(s) < 0.10), rng.integers(0, 12, s), 12)  # 12: null
    delivered = rng.random(s) < 0.95
    p_open = np.array([0.38, 0.65, 0.0])[s_chan]
    opened = delivered & (rng.random(s) < p_open)
    clicked = opened & (rng.random(s) < 0.18)
    unsub = delivered & (rng.random(s) < 0.004)
    complained = delivered & (rng.random(s) < 0.0006)
    bounced = ~delivered & (s_chan != 1) & (rng.random(s) < 0.05)
    ev_send, ev_code, ev_ts = [np.arange(s)], [np.zeros(s, dtype=np.int8)], [s_ts]
    open_at = s_ts + rng.integers(5 * 60 * US, 2 * DAY, s)
    for code, mask, at in (
        (1, delivered, s_ts + rng.integers(US, 60 * US, s)),
        (2, opened, open_at),
        (3, clicked, open_at + rng.integers(10 * US, 3_600 * US, s)),
        (4, unsub, open_at + rng.integers(10 * US, 600 * US, s)),
        (5, complained, open_at + rng.integers(10 * US, 600 * US, s)),
        (6, bounced, s_ts + rng.integers(US, 60 * US, s)),
    ):
        w = np.flatnonzero(mask)
        ev_send.append(w)
        ev_code.append(np.full(len(w), code, dtype=np.int8))
        ev_ts.append(at[w])
    e_send = np.concatenate(ev_send)
    e_code = np.concatenate(ev_code)
    e_ts = np.minimum(np.concatenate(ev_ts), end - 1)  # nothing after as_of
    extra = len(e_send) - messages
    if extra < 0:
        raise RuntimeError(f"{-extra} events short: raise the number of sends")
    # cut to exactly ``messages`` events: drop random "delivered" events
    drop = rng.choice(np.flatnonzero(e_code == 1), extra, replace=False)
    keep = np.ones(len(e_send), dtype=bool)
    keep[drop] = False
    e_send, e_code, e_ts = e_send[keep], e_code[keep], e_ts[keep]
    order = np.argsort(e_ts, kind="stable")
    e_send, e_code, e_ts = e_send[order], e_code[order], e_ts[order]
    del order, keep
    day_no = (e_ts - end) // DAY + 400
    camp = day_no * 3 + s_chan[e_send]
    messages_t = pa.table(
        {
            "event_id": _ids("m", np.arange(1, messages + 1), 9),
            "customer_id": cid.take(pa.array(s_cust[e_send])),
            "ts": _ts(e_ts),
            "channel": _pick(SEND_CHANNELS, s_chan[e_send]),
            "event": _pick(EVENTS, e_code),
            "campaign_id": _ids("cmp-", camp, 5),
            "wave_id": _pick([f"W-OLD-{i:02d}" for i in range(12)] + [None], wave[e_send]),
            "arm": pa.nulls(messages, pa.string()),
            "touch_id": pa.nulls(messages, pa.string()),
            "is_promo": pa.array(promo[e_send]),
            "offer_type": _pick([*OFFER_TYPES, None], offer[e_send]),
        }
    )
    rows["messages"] = _write(folder, "messages", messages_t)
    log(f"  messages: {rows['messages']:,} ({s:,} sends)")
    del messages_t

    # ---- activities: pending invoices (hot leads)
    inv = np.flatnonzero(rng.random(n) < 0.005)
    a = len(inv)
    activities = pa.table(
        {
            "event_id": _ids("a", np.arange(1, a + 1), 7),
            "customer_id": cid.take(pa.array(inv)),
            "ts": _ts(end - rng.integers(1, 10 * DAY, a)),
            "kind": _pick(["invoice_pending"], np.zeros(a, dtype=int)),
            "course_id": pa.nulls(a, pa.string()),
            "lesson_id": pa.nulls(a, pa.string()),
        }
    )
    rows["activities"] = _write(folder, "activities", activities)
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="make (or find) the planning benchmark's inputs")
    p.add_argument("label", help="customers: 20k, 100k, 1M")
    p.add_argument("--data-dir", type=Path, default=Path(__file__).resolve().parent / "data")
    a = p.parse_args(argv)

    def err(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    print(json.dumps(describe(ensure_plan_data(a.label, a.data_dir, log=err))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
