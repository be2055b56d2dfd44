"""RFM and segments on UCI Online Retail against an independent pandas computation.

The store is built the way a user would: a fresh workspace with the default config
(purchase rules, a 12-month window, 5 bins, the ``first`` tie policy), the shipped
``online-retail`` mapping and the default segment map. The expected values are computed
here from the raw CSV with pandas and ``Decimal``, sharing no code with livebase except
the segment map *data* (the rules are evaluated here).

Definitions (livebase's RFM, seed 001; not the CLV summary):

- rows without a CustomerID and exact duplicate lines are dropped; the lines of an
  invoice are summed (exactly, then rounded half up to the cent);
- an invoice starting with ``C`` is a refund: its (negative) total nets out of Monetary
  and it is no purchase; an invoice whose total is zero (or negative) is no purchase;
- the school's repeat-payment rule (default ``duplicate_payment_days = 7``): an invoice
  of the same customer, same product (the mapping keeps the invoice's first stock code)
  and same positive total within 7 days of the previous such invoice is a duplicate
  payment and is dropped, money included (41 invoices here, most minutes apart);
- the window is the 12 months ending on the as-of date: 2010-12-10 .. 2011-12-09;
- R = days from the last purchase (ever) to the as-of date; F = purchase invoices in
  the window; M = net revenue in the window (refunds included);
- a customer is anyone with a purchase on or before the as-of date;
- scores: ``ntile(5)`` over the customers sorted by (metric, customer_id), recency
  descending (pandas ``rank(method="first")`` after that sort; the first ``n % 5``
  scores get one customer more), then the default map's rules in order, first match.

Time zones: the mapping reads London wall-clock times and the store keeps UTC, so the
computation here converts every ``InvoiceDate`` from Europe/London to UTC (with DST:
``ambiguous``/``nonexistent`` raise) and counts UTC days and a UTC window, as the store
does. Every invoice in the file is between 06:00 and 21:00 London time, so the UTC day
is the London day for every row (asserted below): on this file the choice of the day's
zone changes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest

from livebase.ingest.pipeline import import_file
from livebase.segments.build import build_segments
from livebase.segments.segment_map import default_map
from livebase.store.workspace import Workspace
from tests.conftest import SHARED_DATA

pytestmark = pytest.mark.slow

RETAIL = SHARED_DATA / "online_retail" / "online_retail_2010_2011.csv"
AS_OF = dt.date(2011, 12, 9)
WINDOW_START = dt.date(2010, 12, 10)  # the 12 months ending on AS_OF
BINS = 5
REPEAT_PAYMENT_DAYS = 7
CENT = Decimal("0.01")


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> dict[str, pd.DataFrame]:
    """Import once (~20-40 s) and build the marts for AS_OF."""
    ws = Workspace.init(tmp_path_factory.mktemp("retail") / "school", school="Online Retail")
    try:
        cfg = ws.config
        # the policies this test computes independently
        assert cfg.rfm.tie_policy == "first"
        assert (cfg.rfm.window_months, cfg.rfm.bins) == (12, BINS)
        assert cfg.purchase_rules.duplicate_payment_days == REPEAT_PAYMENT_DAYS
        import_file(ws, RETAIL, "online-retail")
        build_segments(ws, AS_OF)
        rfm = ws.table("rfm")
        rfm = rfm.filter((rfm.as_of == AS_OF) & (rfm.version == "monetary"))
        seg = ws.table("segments")
        seg = seg.filter(seg.as_of == AS_OF)
        yield {
            "rfm": rfm.to_pandas().set_index("customer_id").sort_index(),
            "segments": seg.to_pandas().set_index("customer_id").sort_index(),
        }
    finally:
        ws.close()


# --- the independent computation ---------------------------------------------------------


def _invoices() -> pd.DataFrame:
    raw = pd.read_csv(RETAIL, dtype=str, keep_default_na=False)
    assert len(raw) == 541_909
    lines = raw[~raw.duplicated(keep="first")]
    lines = lines[lines.CustomerID.str.strip() != ""].copy()
    lines["customer_id"] = "retail:" + lines.CustomerID.str.strip().str.replace(
        r"\.0+$", "", regex=True
    )
    lines["amount"] = [
        Decimal(q) * Decimal(p) for q, p in zip(lines.Quantity, lines.UnitPrice, strict=True)
    ]
    local = pd.to_datetime(lines.InvoiceDate, format="%Y-%m-%d %H:%M:%S")
    utc = (
        local.dt.tz_localize("Europe/London", ambiguous="raise", nonexistent="raise")
        .dt.tz_convert("UTC")
        .dt.tz_localize(None)
    )
    # the UTC day is the London day on every row (no invoice near midnight)
    assert (utc.dt.date == local.dt.date).all()
    assert local.dt.hour.between(6, 20).all()
    lines["ts"] = utc
    inv = lines.groupby("InvoiceNo", sort=True).agg(
        customer_id=("customer_id", "first"),
        ts=("ts", "first"),
        first_day=("ts", lambda s: s.dt.date.min()),
        last_day=("ts", lambda s: s.dt.date.max()),
        product=("StockCode", "first"),
        total=("amount", lambda a: sum(a, Decimal(0))),
        customers=("customer_id", "nunique"),
    )
    assert (inv.customers == 1).all()  # an invoice belongs to one customer
    assert (inv.first_day == inv.last_day).all()  # and to one day
    inv["day"] = inv.first_day
    inv["total"] = inv.total.map(lambda v: v.quantize(CENT, rounding=ROUND_HALF_UP))
    inv["refund"] = inv.index.str.startswith("C")
    inv["is_purchase"] = ~inv.refund & (inv.total > 0)
    return inv.drop(columns=["customers", "first_day", "last_day"])


def _drop_repeat_payments(inv: pd.DataFrame) -> pd.DataFrame:
    """Same customer, product and positive amount within 7 days of the previous one."""
    inv = inv.reset_index()
    # the amount the store records: refunds load as 0 with the money in refunded_amount
    inv["stored_amount"] = inv.total.map(lambda v: max(v, Decimal(0)))
    inv = inv.sort_values(["ts", "InvoiceNo"], kind="stable")
    prev = inv.groupby(["customer_id", "product", "stored_amount"]).ts.shift()
    gap = (inv.ts - prev).dt.total_seconds()
    repeat = prev.notna() & (gap <= REPEAT_PAYMENT_DAYS * 86_400) & (inv.stored_amount > 0)
    assert repeat.sum() == 41
    return inv[~repeat].set_index("InvoiceNo").sort_index()


def _ntile(position: pd.Series, n: int, bins: int) -> pd.Series:
    """SQL ``ntile(bins)`` (1-based) of 0-based positions: the first n % bins get one more."""
    q, r = divmod(n, bins)
    big = r * (q + 1)
    return position.map(lambda p: p // (q + 1) if p < big else r + (p - big) // q) + 1


def _scores(values: pd.DataFrame) -> pd.DataFrame:
    n = len(values)
    out = values.copy()
    cid = pd.Series(values.index, index=values.index)
    for axis, col, ascending in (
        ("r", "recency_days", False),
        ("f", "frequency", True),
        ("m", "monetary", True),
    ):
        key = values[col].map(lambda v: int(v * 100)) if col == "monetary" else values[col]
        frame = pd.DataFrame({"key": key, "cid": cid})
        ordered = frame.sort_values(["key", "cid"], ascending=[ascending, True], kind="stable")
        # after that sort, ties on the metric are in customer_id order: the "first" policy
        position = ordered.key.rank(method="first", ascending=ascending).astype("int64") - 1
        out[axis] = _ntile(position, n, BINS).reindex(values.index)
    return out


def _expected_rfm() -> pd.DataFrame:
    inv = _drop_repeat_payments(_invoices())
    inv = inv[inv.day <= AS_OF]
    buys = inv[inv.is_purchase]
    window = inv[inv.day >= WINDOW_START]
    values = pd.DataFrame(
        {"last_day": buys.groupby("customer_id").day.max()}  # customers with a purchase
    )
    values["recency_days"] = values.last_day.map(lambda d: (AS_OF - d).days)
    values["frequency"] = (
        window[window.is_purchase].groupby("customer_id").size().reindex(values.index)
    )
    values["monetary"] = (
        window.groupby("customer_id").total.agg(lambda a: sum(a, Decimal(0))).reindex(values.index)
    )
    values["frequency"] = values.frequency.fillna(0).astype("int64")
    values["monetary"] = values.monetary.map(lambda v: Decimal("0.00") if pd.isna(v) else v)
    return _scores(values.drop(columns="last_day")).sort_index()


def _in(score: int, rule: int | str | list[int]) -> bool:
    if isinstance(rule, int):
        return score == rule
    if isinstance(rule, list):
        return score in rule
    lo, _, hi = rule.partition("-")
    return int(lo) <= score <= int(hi or lo)


def _segment(row: pd.Series, segments: list[dict]) -> str:
    for seg in segments:
        when = seg["when"]
        ok = all(_in(row[axis], when[axis]) for axis in ("r", "f", "m") if axis in when)
        days = when.get("recency_days", {})
        ok &= days.get("min") is None or row.recency_days >= days["min"]
        ok &= days.get("max") is None or row.recency_days <= days["max"]
        if ok:
            return seg["id"]
    return "unmatched"


def _sleep_tier(days: int, tiers: list[dict]) -> str | None:
    for t in tiers:
        if days >= t["min"] and (t.get("max") is None or days <= t["max"]):
            return t["tier"]
    return None


@pytest.fixture(scope="module")
def expected() -> pd.DataFrame:
    rfm = _expected_rfm()
    smap = default_map().model_dump(exclude_none=True)
    known = {"r", "f", "m", "recency_days"}
    for seg in smap["segments"]:
        assert set(seg.get("when", {})) <= known, f"{seg['id']}: a condition this test cannot read"
        seg.setdefault("when", {})
    rfm["segment"] = rfm.apply(_segment, axis=1, segments=smap["segments"])
    rfm["sleep_tier"] = rfm.recency_days.map(lambda d: _sleep_tier(d, smap["sleep_tiers"]))
    return rfm


# --- the checks ------------------------------------------------------------------------------


def test_customers_and_values(store, expected):
    rfm = store["rfm"]
    # customers with a purchase invoice on or before 2011-12-09: the 4,338 of the data
    # README (customers left after dropping cancellations and non-positive lines)
    assert len(expected) == 4_338
    assert rfm.index.tolist() == expected.index.tolist()
    for col in ("recency_days", "frequency"):
        pd.testing.assert_series_equal(
            rfm[col].astype("int64"), expected[col].astype("int64"), check_names=False
        )
    # money to the cent: Decimal against Decimal
    pd.testing.assert_series_equal(rfm.monetary, expected.monetary, check_names=False)
    assert sum(expected.monetary, Decimal(0)) == sum(rfm.monetary, Decimal(0))


def test_scores(store, expected):
    got = store["rfm"][["r", "f", "m"]].astype("int64")
    pd.testing.assert_frame_equal(got, expected[["r", "f", "m"]].astype("int64"))
    # ntile(5): every score used, bucket sizes differ by at most one
    for axis in ("r", "f", "m"):
        sizes = got[axis].value_counts().sort_index()
        assert sizes.index.tolist() == [1, 2, 3, 4, 5]
        assert sizes.max() - sizes.min() <= 1


def test_segments(store, expected):
    seg = store["segments"]
    assert seg.index.tolist() == expected.index.tolist()
    pd.testing.assert_series_equal(seg.segment, expected.segment, check_names=False)
    pd.testing.assert_series_equal(
        seg.sleep_tier.fillna(""), expected.sleep_tier.fillna(""), check_names=False
    )
    assert (seg.segment != "unmatched").all()
    # every customer carries the rule that chose the segment: one rule per segment
    assert seg.rule.notna().all()
    assert (seg.groupby("segment").rule.nunique() == 1).all()
