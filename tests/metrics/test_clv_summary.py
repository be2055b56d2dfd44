"""The CLV summary (lifetimes / pymc-marketing ``rfm_summary`` definitions).

A literal table with its derivation written out, then Hardie's CDNOW sample against his
published per-customer summary.
"""

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest
from tests.conftest import SHARED_DATA
from tests.store_rows import put_orders

from livebase.config import PurchaseRules
from livebase.errors import InputError
from livebase.ingest.pipeline import import_file
from livebase.metrics.clv_summary import clv_summary

END = dt.date(2025, 3, 31)
# the CLV convention: every transaction is one, whatever the school's payment rules say
EVERY_TRANSACTION = PurchaseRules(duplicate_payment_days=0)

ORDERS = [
    # ann: two purchases on the first day (one period), two on 15 Jan (one period worth
    # 20.00 + 5.50 = 25.50), 12 Feb 40.00 of which 10.00 refunded (30.00), one on the
    # observation end itself (23:59 UTC counts: 9.99) and one the day after (not seen)
    {"customer_id": "ann", "amount": 30, "paid_at": "2025-01-01 10:00"},
    {"customer_id": "ann", "amount": 12, "paid_at": "2025-01-01 18:00", "product_id": "b"},
    {"customer_id": "ann", "amount": 20, "paid_at": "2025-01-15 09:00"},
    {"customer_id": "ann", "amount": 5.5, "paid_at": "2025-01-15 21:00", "product_id": "c"},
    {"customer_id": "ann", "amount": 40, "refunded_amount": 10, "paid_at": "2025-02-12 12:00"},
    {"customer_id": "ann", "amount": 9.99, "paid_at": "2025-03-31 23:59"},
    {"customer_id": "ann", "amount": 100, "paid_at": "2025-04-01 00:00"},
    # bob: one purchase; a later order refunded in full is no purchase
    {"customer_id": "bob", "amount": 50, "paid_at": "2025-02-01 12:00"},
    {
        "customer_id": "bob",
        "amount": 20,
        "refunded_amount": 20,
        "status": "refunded",
        "paid_at": "2025-03-01 12:00",
        "product_id": "d",
    },
    # cat: a course, then a plan in three installments: one purchase on its first day
    {"customer_id": "cat", "amount": 25, "paid_at": "2025-01-05 12:00"},
    {"customer_id": "cat", "amount": 100, "plan_id": "P-1", "paid_at": "2025-01-10 12:00"},
    {"customer_id": "cat", "amount": 100, "plan_id": "P-1", "paid_at": "2025-02-10 12:00"},
    {"customer_id": "cat", "amount": 100, "plan_id": "P-1", "paid_at": "2025-03-10 12:00"},
    # dan: the same product for the same amount 3 days later: a repeat payment by the
    # school's default rules, a second transaction by the CLV convention
    {"customer_id": "dan", "amount": 15, "paid_at": "2025-02-01 12:00"},
    {"customer_id": "dan", "amount": 15, "paid_at": "2025-02-04 12:00"},
    # eve: first purchase on the observation end
    {"customer_id": "eve", "amount": 10, "paid_at": "2025-03-31 08:00"},
    # fay: a free order, then a paid one
    {"customer_id": "fay", "amount": 0, "paid_at": "2025-01-20 12:00"},
    {"customer_id": "fay", "amount": 35, "paid_at": "2025-02-17 12:00"},
    # gus: only after the observation end
    {"customer_id": "gus", "amount": 70, "paid_at": "2025-04-02 12:00"},
    # hal: repeat periods worth 0.01 and 0.04: the mean 0.025 rounds half up to 0.03
    {"customer_id": "hal", "amount": 10, "paid_at": "2025-01-01 12:00"},
    {"customer_id": "hal", "amount": 0.01, "paid_at": "2025-01-02 12:00"},
    {"customer_id": "hal", "amount": 0.04, "paid_at": "2025-01-03 12:00"},
]

# in days, by the school's default purchase rules, observed until 2025-03-31 (inclusive):
#   customer  purchase days (value)                       freq  recency          T
#   ann       01-01 (42), 01-15 (25.50), 02-12 (30),     3     89 (01-01..03-31) 89
#             03-31 (9.99); 04-01 unseen                      monetary (25.50 + 30 + 9.99) / 3
#                                                             = 65.49 / 3 = 21.83
#   bob       02-01 (50); 03-01 refunded                  0     0                58 (02-01..03-31)
#   cat       01-05 (25), 01-10 (the plan: 300)           1     5                85
#   dan       02-01 (15); 02-04 a repeat payment          0     0                58
#   eve       03-31 (10)                                  0     0                0
#   fay       02-17 (35); the free 01-20 is no purchase   0     0                42
#   hal       01-01 (10), 01-02 (0.01), 01-03 (0.04)      2     2                89
#             monetary (0.01 + 0.04) / 2 = 0.025 → 0.03 (half up)
#   gus       nothing until 03-31: not in the summary
EXPECTED_DAYS = pd.DataFrame(
    [
        ("ann", 3, 89, 89, "21.83"),
        ("bob", 0, 0, 58, "0.00"),
        ("cat", 1, 5, 85, "300.00"),
        ("dan", 0, 0, 58, "0.00"),
        ("eve", 0, 0, 0, "0.00"),
        ("fay", 0, 0, 42, "0.00"),
        ("hal", 2, 2, 89, "0.03"),
    ],
    columns=["customer_id", "frequency", "recency", "T", "monetary_value"],
)


def _summary(ws, **kwargs) -> pd.DataFrame:
    out = clv_summary(ws.con, observation_end=END, **kwargs).order_by("customer_id")
    return out.to_pandas()


def _expected(frame: pd.DataFrame, per_unit: float = 1.0) -> pd.DataFrame:
    return frame.assign(
        recency=frame.recency / per_unit,
        T=frame["T"] / per_unit,
        monetary_value=frame.monetary_value.map(Decimal),
    )


def test_literal_summary_in_days(ws):
    put_orders(ws, ORDERS)
    out = _summary(ws, time_unit="D")
    assert list(out.columns) == ["customer_id", "frequency", "recency", "T", "monetary_value"]
    pd.testing.assert_frame_equal(out, _expected(EXPECTED_DAYS), check_dtype=False)
    assert out.frequency.dtype == "int64"
    assert out.recency.dtype == out["T"].dtype == "float64"


def test_weeks_are_days_over_seven(ws):
    put_orders(ws, ORDERS)
    out = _summary(ws)  # time_unit="W" by default
    pd.testing.assert_frame_equal(out, _expected(EXPECTED_DAYS, 7.0), check_dtype=False)
    assert out.set_index("customer_id").loc["ann", "recency"] == pytest.approx(12.714, abs=1e-3)


def test_clv_convention_counts_every_transaction(ws):
    put_orders(ws, ORDERS)
    out = _summary(ws, time_unit="D", rules=EVERY_TRANSACTION, count_free_orders=True)
    expected = EXPECTED_DAYS.set_index("customer_id")
    # dan: 02-04 is a second transaction: 1 repeat, 3 days after 02-01, worth 15.00
    expected.loc["dan"] = (1, 3, 58, "15.00")
    # fay: the free order of 01-20 is the first transaction: 02-17 repeats it 28 days
    # later; age 01-20..03-31 = 70 days; the repeat is worth 35.00
    expected.loc["fay"] = (1, 28, 70, "35.00")
    pd.testing.assert_frame_equal(out, _expected(expected.reset_index()), check_dtype=False)


def test_installments_each_a_purchase_when_the_rules_say_so(ws):
    put_orders(ws, ORDERS)
    rules = PurchaseRules(installments_count_once=False)
    cat = _summary(ws, time_unit="D", rules=rules).set_index("customer_id").loc["cat"]
    # 01-05, then 01-10, 02-10, 03-10 (100 each): 3 repeats, 64 days, mean 100.00
    assert (cat.frequency, cat.recency, cat["T"], cat.monetary_value) == (
        3,
        64.0,
        85.0,
        Decimal("100.00"),
    )


def test_nothing_observed_and_bad_unit(ws):
    put_orders(ws, ORDERS)
    early = clv_summary(ws.con, observation_end=dt.date(2024, 12, 31))
    assert early.count().execute() == 0
    with pytest.raises(InputError, match="unknown time unit 'M'"):
        clv_summary(ws.con, observation_end=END, time_unit="M")


# --- Hardie's CDNOW sample -------------------------------------------------------------

CDNOW = SHARED_DATA / "cdnow"
CALIBRATION_END = dt.date(1997, 9, 30)


@pytest.mark.slow
def test_cdnow_sample_matches_hardies_summary(ws):
    """Every one of the 2,357 customers: x, t_x, T (weeks) and zbar, to the printed cent.

    The reference (``cdnow_customers_summary_with_transactions.csv``: ID = sample id, x,
    t_x, T in weeks with two decimals, zbar = mean repeat value in dollars) counts the
    calibration period 1997-01-01..1997-09-30 with 09-30 *included* for purchases, and T
    as days from the first purchase to 1997-09-30 over 7 (a first purchase on 01-01 gives
    272 / 7 = 38.86, not 273 / 7 = 39). Same-day purchases are one period worth their
    sum; values round half up (ID 1: (29.73 + 14.96) / 2 = 22.345 → 22.35).

    The reference counts every record, so the comparison uses the CLV convention (every
    transaction counts, $0.00 ones included). By the school's default purchase rules eight
    customers have no purchase at all (their only record is $0.00; x = 0, T > 0 in the
    reference), and the 7-day repeat-payment rule (same amount, no product id) removes 25
    of the 2,457 repeat periods.
    """
    result = import_file(ws, CDNOW / "CDNOW_sample.txt", "cdnow-sample")
    assert (result.rows_in, result.rows_loaded, result.rows_rejected) == (6_919, 6_919, 0)
    ours = clv_summary(
        ws.con,
        observation_end=CALIBRATION_END,
        time_unit="W",
        rules=EVERY_TRANSACTION,
        count_free_orders=True,
    ).to_pandas()
    assert (len(ours), ours.frequency.sum(), (ours.frequency > 0).sum()) == (2_357, 2_457, 946)

    raw = pd.read_csv(
        CDNOW / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "sample_id", "date", "cds", "dollars"],
        dtype=str,
    )
    ids = raw.drop_duplicates("sample_id").assign(
        customer_id="cdnow:" + raw.master_id, ID=raw.sample_id.astype(int)
    )[["customer_id", "ID"]]
    ref = pd.read_csv(CDNOW / "cdnow_customers_summary_with_transactions.csv", dtype=str)
    ref["ID"] = ref.ID.astype(int)
    assert len(ref) == len(ids) == 2_357
    both = ref.merge(ids, on="ID", validate="1:1").merge(
        ours, on="customer_id", how="left", validate="1:1", suffixes=("_ref", "")
    )
    assert both.frequency.notna().all()
    got = pd.DataFrame(
        {
            "ID": both.ID,
            "x": both.frequency.astype(int),
            "t_x": both.recency.map("{:.2f}".format),
            "T": both["T"].map("{:.2f}".format),
            "zbar": both.monetary_value.map(Decimal),
        }
    )
    want = pd.DataFrame(
        {
            "ID": both.ID,
            "x": both.x.astype(int),
            "t_x": both.t_x,
            "T": both.T_ref,
            "zbar": both.zbar.map(Decimal),
        }
    )
    pd.testing.assert_frame_equal(got, want)
    assert (want.x.sum(), (want.x > 0).sum()) == (2_457, 946)

    # by the school's default purchase rules the same file gives another summary
    school = clv_summary(ws.con, observation_end=CALIBRATION_END).to_pandas()
    assert (len(school), school.frequency.sum()) == (2_357 - 8, 2_457 - 25)
