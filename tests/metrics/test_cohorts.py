import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import ibis
import pandas as pd
import pytest
from tests.store_rows import put_orders

from livebase.config import CohortSettings, PurchaseRules, WorkspaceConfig
from livebase.errors import InputError, InsufficientData
from livebase.ingest.pipeline import import_file
from livebase.metrics.cohorts import (
    FRAME_COLUMNS,
    INSUFFICIENT,
    LTV_METRICS,
    METRICS,
    OK,
    PARTIAL,
    RETENTION_METRICS,
    _age_band_expr,
    _month_index_expr,
    age_band_of,
    cohort_members,
    cohort_table,
    data_end,
    month_index,
    payback_month,
    workspace_cohorts,
)
from livebase.metrics.rfm import LEARNING_KINDS
from livebase.simulate import SchoolSpec, simulate_school
from livebase.store.workspace import Workspace
from livebase.store.write import upsert

AS_OF = dt.date(2025, 7, 31)


def _noon(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(12))


def _order(customer, day, amount, product, **extra):
    return {
        "customer_id": customer,
        "paid_at": _noon(day),
        "amount": amount,
        "product_id": product,
        **extra,
    }


def _customers(ws, rows):
    frame = pd.DataFrame(
        rows, columns=["customer_id", "created_at", "first_channel", "child_birth_date"]
    )
    frame["created_at"] = [None if d is None else _noon(d) for d in frame.created_at]
    frame["child_birth_date"] = [
        None if d is None else dt.date.fromisoformat(d) for d in frame.child_birth_date
    ]
    upsert(ws.con, "customers", frame)


def _activities(ws, rows, prefix="a"):
    frame = pd.DataFrame(rows, columns=["customer_id", "ts", "kind"])
    frame["ts"] = [_noon(d) for d in frame.ts]
    frame["event_id"] = [f"{prefix}{i}" for i in range(len(frame))]
    upsert(ws.con, "activities", frame)


def _costs(ws, rows):
    frame = pd.DataFrame(rows, columns=["date", "channel", "kind", "amount"])
    frame["date"] = [dt.date.fromisoformat(d) for d in frame.date]
    frame["amount"] = [Decimal(str(a)) for a in frame.amount]
    frame["wave_id"] = "-"
    upsert(ws.con, "costs", frame)


def _school(ws):
    """Eight customers; days are counted from each one's signup (all at 12:00 UTC).

    cust signup      channel   child born   orders (day from signup)
    a    2025-01-10  vk        2019-03-01   A1 10 000 d0, A2 5 400 d10, A6 2 500 d22,
                                            A3 8 000 d50 refunded in full, A4 3 000 d142,
                                            A5 1 000 d180 (2025-07-09)
    b    2025-01-20  vk        -            plan P1: 6 000 d26 (02-15), d54, d85; a repeat
                                            payment of 6 000 on 02-18 (a duplicate,
                                            dropped); B4 1 500 d40 (03-01)
    c    2025-01-25  (none)    2010-01-01   C1 4 000 d0 with 1 000 refunded; a free webinar;
                                            a pending order (not paid)
    f    2025-01-15  telegram  -            none; learns on d0 and d1
    g    2025-01-05  vk        -            none, nothing at all
    e    2025-02-05  ""        -            none; learns on d7 and d64
    d    2025-06-10  yandex    2025-02-01   D1 7 000 d2 (06-12)
    z    (none)      -         -            nothing: no signup date, in no signup cohort
    Learning of a: a login on d30 (not a learning kind); b: two lessons on d30;
    c: lessons on d9 and d66.
    """
    put_orders(
        ws,
        [
            _order("a", "2025-01-10", 10000, "course-a"),
            _order("a", "2025-01-20", 5400, "course-b"),
            _order("a", "2025-02-01", 2500, "mod-b", category="module"),
            _order(
                "a",
                "2025-03-01",
                8000,
                "course-c",
                status="refunded",
                refunded_amount=8000,
            ),
            _order("a", "2025-06-01", 3000, "mod-a", category="module"),
            _order("a", "2025-07-09", 1000, "cons-1", category="consultation"),
            _order("b", "2025-02-15", 6000, "course-p", plan_id="P1"),
            _order("b", "2025-02-18", 6000, "course-p"),
            _order("b", "2025-03-01", 1500, "cons-2", category="consultation"),
            _order("b", "2025-03-15", 6000, "course-p", plan_id="P1"),
            _order("b", "2025-04-15", 6000, "course-p", plan_id="P1"),
            _order("c", "2025-01-25", 4000, "course-a", refunded_amount=1000),
            _order("c", "2025-02-20", 0, "web-1", category="webinar"),
            _order("c", "2025-07-20", 2000, "course-d", status="pending"),
            _order("d", "2025-06-12", 7000, "course-a"),
        ],
    )
    _customers(
        ws,
        [
            ("a", "2025-01-10", "vk", "2019-03-01"),
            ("b", "2025-01-20", "vk", None),
            ("c", "2025-01-25", None, "2010-01-01"),
            ("f", "2025-01-15", "telegram", None),
            ("g", "2025-01-05", "vk", None),
            ("e", "2025-02-05", "", None),
            ("d", "2025-06-10", "yandex", "2025-02-01"),
            ("z", None, None, None),
        ],
    )
    _activities(
        ws,
        [
            ("a", "2025-02-09", "login"),
            ("b", "2025-02-19", "lesson_start"),
            ("b", "2025-02-19", "lesson_finish"),
            ("c", "2025-02-03", "lesson_start"),
            ("c", "2025-04-01", "lesson_start"),
            ("f", "2025-01-15", "course_start"),
            ("f", "2025-01-16", "lesson_start"),
            ("e", "2025-02-12", "lesson_start"),
            ("e", "2025-04-10", "homework_submitted"),
        ],
    )
    _costs(
        ws,
        [
            ("2025-01-03", "vk", "acquisition", 15000),
            ("2025-01-20", "yandex", "acquisition", 2500),
            ("2025-01-31", "vk", "esp", 777),  # not an acquisition cost
            ("2025-02-10", None, "acquisition", 2000),  # no channel
            ("2025-08-05", "vk", "acquisition", 1000),  # after AS_OF
        ],
    )


@pytest.fixture(scope="module")
def school(tmp_path_factory):
    ws = Workspace.init(tmp_path_factory.mktemp("cohorts") / "school", school="Test")
    _school(ws)
    yield ws
    ws.close()


def _value(table, cohort, metric):
    return table.get(cohort, metric).value


def test_signup_month_every_metric_by_hand(school):
    t = cohort_table(school.con, "signup_month", as_of=AS_OF, gross_margin=0.5)
    assert t.anchor == "signup"
    assert t.cohorts == ("2025-01", "2025-02", "2025-06")
    assert t.members == {"2025-01": 5, "2025-02": 1, "2025-06": 1}
    assert t.without_anchor == 1  # z
    # 2025-01 = a, b, c, f, g, observed 202, 192, 187, 197, 207 days: every window of 180
    # days or less is complete for all five; six calendar months too (to 08-01)
    jan = {m: t.get("2025-01", m) for m in METRICS}
    # retention: active on days n..n+6 (counted payment or learning activity)
    # D7 (7-13): a (A2 on d10), c (lesson d9) -> 2/5; D30 (30-36): b (lessons d30; a's
    # login does not count) -> 1/5; D60 (60-66): c (lesson d66) -> 1/5
    assert [(jan[m].numerator, jan[m].base) for m in RETENTION_METRICS] == [
        (2, 5),
        (1, 5),
        (1, 5),
    ]
    assert [jan[m].value for m in RETENTION_METRICS] == [0.4, 0.2, 0.2]
    assert all(jan[m].status == OK and jan[m].members_reached == 5 for m in RETENTION_METRICS)
    # repeat: buyers a, b, c, from their first purchase (a 01-10, b 02-15, c 01-25);
    # 90 days: a (A1, A2, A6) and b (P1, B4 on its d14) -> 2/3; 180 days: b's first
    # purchase is 166 days before AS_OF, so only a and c count -> 1/2, partial
    assert (jan["repeat_90"].value, jan["repeat_90"].status) == (pytest.approx(2 / 3), OK)
    r180 = jan["repeat_180"]
    assert (r180.value, r180.base, r180.members_reached, r180.status) == (0.5, 2, 2, PARTIAL)
    # refunds: purchases from signup: a d0, d10, d22, d50 (refunded), d142, d180; b P1
    # d26, B4 d40; c d0 (partly refunded). 30 d: 5 purchases, C1 refunded -> 1/5;
    # 60 and 90 d: 7 purchases, C1 and A3 -> 2/7
    assert [(jan[f"refund_{n}"].numerator, jan[f"refund_{n}"].base) for n in (30, 60, 90)] == [
        (1, 5),
        (2, 7),
        (2, 7),
    ]
    # LTV: net payments from signup per member (5): 30 d: a 17 900 + b 6 000 + c 3 000
    # = 26 900 -> 5 380; 90 d: + b 1 500 + 6 000 + 6 000 -> 40 400 -> 8 080; 180 d:
    # + A4 3 000 -> 43 400 -> 8 680; 6 months (a: to 07-10): + A5 1 000 -> 8 880
    assert [jan[m].numerator for m in LTV_METRICS] == [
        Decimal("26900.00"),
        Decimal("40400.00"),
        Decimal("43400.00"),
        Decimal("44400.00"),
    ]
    assert [jan[m].value for m in LTV_METRICS] == [
        Decimal("5380.00"),
        Decimal("8080.00"),
        Decimal("8680.00"),
        Decimal("8880.00"),
    ]
    # 90-day revenue 40 400 over: active a, b, c, f (f learned on d0, d1; g did nothing)
    # = 4 -> 10 100; payers a, b, c -> 13 466.67; counted purchases A1, A2, A6, P1, B4,
    # C1 = 6 (A3 refunded in full is not counted) -> 6 733.33
    assert (jan["arpu_90"].value, jan["arpu_90"].base) == (Decimal("10100.00"), 4)
    assert (jan["arppu_90"].value, jan["arppu_90"].base) == (Decimal("13466.67"), 3)
    assert (jan["aov_90"].value, jan["aov_90"].base) == (Decimal("6733.33"), 6)
    # churn 180: a, b, c bought, f had two learning activities; g churned -> 1/5
    assert (jan["churn_180"].numerator, jan["churn_180"].value) == (1, 0.2)


def test_young_and_empty_cohorts_say_why(school):
    t = cohort_table(school.con, "signup_month", as_of=AS_OF)
    # e alone, observed 176 days: learned on d7 and d64
    assert [_value(t, "2025-02", m) for m in RETENTION_METRICS] == [1.0, 0.0, 1.0]
    assert t.get("2025-02", "repeat_90").reason == "no_buyers"
    refund = t.get("2025-02", "refund_30")
    assert (refund.status, refund.reason, refund.members_reached) == (
        INSUFFICIENT,
        "no_purchases",
        1,
    )
    assert _value(t, "2025-02", "ltv_90") == Decimal("0.00")
    for metric in ("ltv_180", "ltv_6m", "churn_180"):  # 176 days, 5 months
        row = t.get("2025-02", metric)
        assert (row.value, row.reason, row.members_reached) == (None, "horizon_not_reached", 0)
    assert _value(t, "2025-02", "arpu_90") == Decimal("0.00")  # active, did not pay
    assert t.get("2025-02", "arppu_90").reason == "no_payers"
    assert t.get("2025-02", "aov_90").reason == "no_purchases"
    # d, observed 51 days: D60 and every 90-day metric not reached; its first purchase
    # is 49 days old: repeat 90 not reached either
    assert [_value(t, "2025-06", m) for m in RETENTION_METRICS] == [0.0, 0.0, None]
    assert t.get("2025-06", "repeat_90").reason == "horizon_not_reached"
    assert _value(t, "2025-06", "ltv_30") == Decimal("7000.00")
    assert t.get("2025-06", "ltv_90").status == INSUFFICIENT


def test_an_earlier_day_uses_only_members_who_reached_the_window(school):
    # as of 03-31: a, b, c, f, g observed 80, 70, 65, 75, 85 days. D60 (days 60-66)
    # is complete for all but c (65), the only one active then -> 0/4, partial
    t = cohort_table(school.con, "signup_month", as_of=dt.date(2025, 3, 31))
    d60 = t.get("2025-01", "retention_d60")
    assert (d60.value, d60.members_reached, d60.members, d60.status) == (0.0, 4, 5, PARTIAL)
    assert t.get("2025-01", "ltv_90").reason == "horizon_not_reached"  # nobody at 89
    assert _value(t, "2025-01", "ltv_30") == Decimal("5380.00")
    assert t.cohorts == ("2025-01", "2025-02")  # d signed up after 03-31


def test_first_purchase_cohorts_and_churn_anchor(school):
    t = cohort_table(school.con, "first_purchase_month", as_of=AS_OF)
    assert t.anchor == "first_purchase"
    # a 01-10, c 01-25, b 02-15 (its plan), d 06-12; e, f, g, z never bought
    assert t.members == {"2025-01": 2, "2025-02": 1, "2025-06": 1}
    assert t.without_anchor == 4
    # 2025-01 = a, c: a bought again (A2, A6, A4), c only its first purchase, but learned
    # twice (d9, d66) -> churn 0/2
    assert _value(t, "2025-01", "churn_180") == 0.0
    # b: from 02-15, LTV 30 = P1's payments on d0 and d28 (03-15) + B4 1 500 (d14)
    assert _value(t, "2025-02", "ltv_30") == Decimal("13500.00")
    members = cohort_members(school.con, "first_purchase_month", as_of=AS_OF).to_pandas()
    b = members.set_index("customer_id").loc["b"]
    assert (b.first_key, b.days_observed, b.months_observed) == ("P1", 166, 5)


def test_first_purchase_anchor_is_not_a_return(ws):
    """p buys once, q a plan of three installments (d0, d30, d60), r buys again on d100;
    each has one lesson. Anchored at the first purchase, only r came back within 180
    days (installments are one purchase) -> churn 2/3; anchored at signup (the same day)
    every first purchase counts -> churn 0. Installments are payments: q is active on
    D30 and D60 -> 1/3 each."""
    day0 = dt.date(2024, 1, 10)

    def on(days):
        return (day0 + dt.timedelta(days=days)).isoformat()

    put_orders(
        ws,
        [
            _order("p", on(0), 3000, "course-a"),
            *(_order("q", on(k), 2000, "course-q", plan_id="Q") for k in (0, 30, 60)),
            _order("r", on(0), 3000, "course-a"),
            _order("r", on(100), 3000, "course-b"),
        ],
    )
    _customers(ws, [(c, on(0), None, None) for c in "pqr"])
    _activities(ws, [(c, on(5), "lesson_start") for c in "pqr"])
    as_of = dt.date(2025, 1, 1)
    first = cohort_table(ws.con, "first_purchase_month", as_of=as_of)
    churn = first.get("2024-01", "churn_180")
    assert (churn.numerator, churn.base) == (2, 3)
    assert [_value(first, "2024-01", m) for m in RETENTION_METRICS] == [0.0, 1 / 3, 1 / 3]
    # repeat 90: q's plan is one purchase, r's second purchase is on d100 -> 0/3;
    # 180 -> r: 1/3
    assert (_value(first, "2024-01", "repeat_90"), _value(first, "2024-01", "repeat_180")) == (
        0.0,
        1 / 3,
    )
    signup = cohort_table(ws.con, "signup_month", as_of=as_of)
    assert _value(signup, "2024-01", "churn_180") == 0.0


def test_channels_and_age_bands(school):
    ch = cohort_table(school.con, "first_channel", as_of=AS_OF)
    # c has no channel, e an empty one: "unknown", listed last
    assert ch.members == {"telegram": 1, "vk": 3, "yandex": 1, "unknown": 2}
    assert ch.cohorts[-1] == "unknown"
    ages = cohort_table(school.con, "age_band", as_of=AS_OF)
    # at the first purchase: a 5 (born 2019-03-01, bought 2025-01-10), c 15, d 0; b no
    # birth date
    assert ages.members == {"0-2": 1, "3-5": 1, "13-16": 1, "unknown": 1}
    assert ages.get("3-5", "cac").reason == "costs_not_attributable"
    assert ages.get("3-5", "cac_payback").reason == "costs_not_attributable"


def test_cac_and_payback_by_month(school):
    t = cohort_table(school.con, "signup_month", as_of=AS_OF, gross_margin=0.5)
    # January acquisition: vk 15 000 + yandex 2 500 (the esp row is not acquisition) over
    # 5 members -> CAC 3 500. Net revenue per calendar month after signup (a from 01-10:
    # A1, A2, A6 in month 0, A3 (0) month 1, A4 month 4, A5 month 5; b from 01-20: P1's
    # first payment month 0, B4 and the second payment month 1, the third month 2; c:
    # month 0). Cumulative per member × 0.5: m1 26 900 / 5 × 0.5 = 2 690, m2 34 400 ->
    # 3 440, m3 40 400 -> 4 040 >= 3 500 -> 3 months (all 5 members have 6 months)
    cac = t.get("2025-01", "cac")
    assert (cac.value, cac.numerator, cac.base) == (Decimal("3500.00"), Decimal("17500.00"), 5)
    pay = t.get("2025-01", "cac_payback")
    assert (pay.value, pay.members_reached, pay.status) == (3, 5, OK)
    # February: 2 000 without a channel over e, who never paid: not reached in its 5
    # complete months
    assert _value(t, "2025-02", "cac") == Decimal("2000.00")
    feb = t.get("2025-02", "cac_payback")
    assert (feb.value, feb.reason, feb.members_reached) == (None, "payback_not_reached", 1)
    # June: no acquisition costs recorded (the 08-05 row is after AS_OF)
    assert t.get("2025-06", "cac").reason == "no_acquisition_costs"
    # with the default margin of 63 %: 2 690 / 0.5 × 0.63 = 3 389.4 < 3 500; month 2:
    # 6 880 × 0.63 = 4 334.4 -> 2 months
    assert (
        _value(cohort_table(school.con, "signup_month", as_of=AS_OF), "2025-01", "cac_payback") == 2
    )


def test_cac_and_payback_by_channel(school):
    t = cohort_table(school.con, "first_channel", as_of=AS_OF, gross_margin=0.5)
    # vk = a, b, g: 15 000 / 3 = 5 000. Month 1: (17 900 + 6 000) / 3 × 0.5 = 3 983.33;
    # month 2: + 7 500 -> 31 400 / 3 × 0.5 = 5 233.33 >= 5 000 -> 2 months
    assert _value(t, "vk", "cac") == Decimal("5000.00")
    assert _value(t, "vk", "cac_payback") == 2
    # yandex = d: 2 500; d has 1 complete month (06-10 to 07-10): 7 000 × 0.5 -> 1 month
    assert (_value(t, "yandex", "cac"), _value(t, "yandex", "cac_payback")) == (
        Decimal("2500.00"),
        1,
    )
    # costs without a channel go to no channel cohort
    assert t.get("unknown", "cac").reason == "no_acquisition_costs"
    assert t.get("telegram", "cac_payback").reason == "no_acquisition_costs"
    # other cost kinds by configuration: the esp row as "acquisition" -> 777 / 3 = 259
    esp = cohort_table(school.con, "first_channel", as_of=AS_OF, acquisition_kinds=["esp"])
    assert _value(esp, "vk", "cac") == Decimal("259.00")


def test_payback_month_over_members_who_reached_it():
    # two members with 3 complete months (revenue 100 in month 0, 300 in month 2) and one
    # with 1 (revenue 50 in month 0); CAC 80, margin 1. Month 1: (100 + 50) / 3 = 50;
    # month 2: only the two -> 100 / 2 = 50; month 3: 400 / 2 = 200 >= 80 -> (3, 2)
    revenue = {(3, 0): Decimal(100), (3, 2): Decimal(300), (1, 0): Decimal(50)}
    assert payback_month(Fraction(80), 1.0, revenue, {3: 2, 1: 1}) == (3, 2)
    assert payback_month(Fraction(500), 1.0, revenue, {3: 2, 1: 1}) == (None, 2)
    assert payback_month(Fraction(1), 1.0, {}, {0: 4}) == (None, 0)


def test_tables_for_the_cli_and_the_report(school):
    t = cohort_table(school.con, "signup_month", as_of=AS_OF)
    tri = t.retention_triangle()
    assert list(tri.index) == list(t.cohorts)
    assert list(tri.columns) == list(RETENTION_METRICS)
    assert tri.loc["2025-06", "retention_d60"] is None
    assert t.retention_triangle("status").loc["2025-06", "retention_d60"] == INSUFFICIENT
    assert list(t.ltv_table().columns) == list(LTV_METRICS)
    frame = t.frame()
    assert list(frame.columns) == FRAME_COLUMNS
    assert len(frame) == len(t.cohorts) * len(METRICS)
    assert frame.base.map(type).isin([int, type(None)]).all()
    with pytest.raises(InputError, match="unknown cohort metric"):
        t.wide(["retention_d8"])
    with pytest.raises(KeyError):
        t.get("2030-01", "ltv_30")


def test_bad_input(school):
    with pytest.raises(InputError, match="unknown cohort kind"):
        cohort_table(school.con, "weekday", as_of=AS_OF)
    with pytest.raises(InputError, match="gross margin"):
        cohort_table(school.con, "signup_month", as_of=AS_OF, gross_margin=1.5)
    with pytest.raises(InputError, match="acquisition"):
        cohort_table(school.con, "signup_month", as_of=AS_OF, acquisition_kinds=[])


def test_workspace_settings_and_default_day(school, ws):
    # the latest order of any status: c's pending order of 07-20
    assert data_end(school.con) == dt.date(2025, 7, 20)
    with pytest.raises(InsufficientData, match="no orders"):
        workspace_cohorts(ws, "signup_month")
    old = school.config
    try:
        school.config = WorkspaceConfig(
            cohorts=CohortSettings(acquisition_kinds=["esp"]),
            experiments={"gross_margin": 0.5},
        )
        t = workspace_cohorts(school, "first_channel", as_of=AS_OF)
        assert (t.gross_margin, _value(t, "vk", "cac")) == (0.5, Decimal("259.00"))
    finally:
        school.config = old
    with pytest.raises(ValueError, match="acquisition_kinds"):
        CohortSettings(acquisition_kinds=[])


def test_engine_and_python_agree_on_months_and_ages():
    rng = random.Random(3)
    born, start = dt.date(2005, 1, 1), dt.date(2023, 1, 1)
    # births over 20 years (every band, and "other" both ways); days over 2.5 years
    pairs = [
        (born + dt.timedelta(rng.randrange(7600)), start + dt.timedelta(rng.randrange(900)))
        for _ in range(600)
    ]
    pairs += [
        (dt.date(2024, 2, 29), dt.date(2025, 2, 28)),
        (dt.date(2025, 1, 31), dt.date(2025, 3, 1)),
    ]
    frame = pd.DataFrame(pairs, columns=["a", "b"])
    t = ibis.memtable(frame).cast({"a": "date", "b": "date"})
    out = ibis.duckdb.connect().execute(
        t.select("a", "b", k=_month_index_expr(t.a, t.b), band=_age_band_expr(t.a, t.b))
    )
    assert out.k.tolist() == [month_index(a, b) for a, b in pairs]
    assert out.band.tolist() == [age_band_of(a, b) for a, b in pairs]
    assert set(out.band) == {"0-2", "3-5", "6-8", "9-12", "13-16", "other"}
    assert age_band_of(dt.date(2025, 3, 1), dt.date(2025, 2, 1)) == "other"  # not born


# ---------------------------------------------------- an independent pandas computation


def _pandas_payments(con, rules: PurchaseRules, as_of: dt.date) -> pd.DataFrame:
    """The purchase rules redone in pandas: money statuses, categories, the duplicate
    rule, installments under one key; amounts in kopecks."""
    o = con.table("orders").to_pandas()
    o["ts"] = o.paid_at.fillna(o.created_at)
    end = pd.Timestamp(as_of + dt.timedelta(days=1))
    keep = (
        o.status.isin(["paid", "partially_paid", "refunded"])
        & (o.ts < end)
        & o.category.isin(rules.purchase_categories)
    )
    o = o[keep].copy()
    o["amount_k"] = [int(a * 100) for a in o.amount]
    o["net_k"] = o.amount_k - [int((r or 0) * 100) for r in o.refunded_amount]
    o["product"] = o.product_id.fillna(o.product_title).fillna("")
    o = o.sort_values(["customer_id", "product", "amount_k", "ts", "order_id"])
    prev = o.groupby(["customer_id", "product", "amount_k"]).ts.shift()
    dup = prev.notna() & ((o.ts - prev) <= pd.Timedelta(days=rules.duplicate_payment_days))
    o = o[~(dup & (o.amount_k > 0))]
    o = o[o.amount_k > 0].copy()
    o["key"] = o.plan_id.fillna(o.order_id)
    o["counted"] = o.status != "refunded"
    o["day"] = o.ts.dt.normalize()
    return o[["customer_id", "key", "ts", "day", "net_k", "counted"]]


def _pandas_cohorts(con, kind: str, as_of: dt.date) -> dict:
    """Retention D7/D30/D60 and LTV 30/90/180/6M per cohort, from raw tables in pandas:
    {(cohort, metric): (numerator, base)} over the members who reached the window."""
    rules = PurchaseRules()
    pay = _pandas_payments(con, rules, as_of)
    keys = pay.groupby(["customer_id", "key"], as_index=False).ts.min()
    first = keys.sort_values(["customer_id", "ts", "key"]).drop_duplicates("customer_id")
    first = first.set_index("customer_id").ts
    c = con.table("customers").to_pandas().set_index("customer_id")
    if kind == "signup_month":
        anchor = c.created_at[
            c.created_at.notna() & (c.created_at < pd.Timestamp(as_of) + pd.Timedelta(days=1))
        ]
    else:
        anchor = first
    anchor_day = anchor.dt.normalize()
    cohort = anchor.dt.strftime("%Y-%m")
    end = pd.Timestamp(as_of)
    observed = (end - anchor_day).dt.days
    a = con.table("activities").to_pandas()
    a = a[a.kind.isin(LEARNING_KINDS) & (a.ts < end + pd.Timedelta(days=1))]
    active_days = pd.concat(
        [
            pay[pay.counted][["customer_id", "day"]],
            a.assign(day=a.ts.dt.normalize())[["customer_id", "day"]],
        ]
    )
    active_days = active_days[active_days.customer_id.isin(anchor.index)]
    active_days["d"] = (
        active_days.day - anchor_day.reindex(active_days.customer_id).to_numpy()
    ).dt.days
    pay = pay[pay.customer_id.isin(anchor.index)].copy()
    pay["d"] = (pay.day - anchor_day.reindex(pay.customer_id).to_numpy()).dt.days
    out = {}
    for name, members in cohort.groupby(cohort):
        ids = members.index
        for n in (7, 30, 60):
            reached = ids[observed[ids] >= n + 6]
            hits = active_days[
                active_days.customer_id.isin(reached) & active_days.d.between(n, n + 6)
            ].customer_id.nunique()
            out[(name, f"retention_d{n}")] = (hits, len(reached))
        for n in (30, 90, 180):
            reached = ids[observed[ids] >= n - 1]
            p = pay[pay.customer_id.isin(reached) & (pay.d >= 0) & (pay.d < n)]
            out[(name, f"ltv_{n}")] = (int(p.net_k.sum()), len(reached))
        six = {
            cid: (anchor_day[cid] + pd.DateOffset(months=6)) for cid in ids
        }  # pandas clamps month ends like the engine
        reached = [cid for cid in ids if six[cid] <= end + pd.Timedelta(days=1)]
        p = pay[pay.customer_id.isin(reached) & (pay.d >= 0)]
        p = p[p.day < p.customer_id.map(six)]
        out[(name, "ltv_6m")] = (int(p.net_k.sum()), len(reached))
    return out


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sim")
    files = simulate_school(
        SchoolSpec(customers=2000, seed=11, end=dt.date(2025, 5, 5)), folder / "x"
    )
    ws = Workspace.init(folder / "school", school="Sim")
    for path, preset in (
        (files.users, "getcourse-users"),
        (files.orders, "getcourse-orders"),
        (files.payments, "getcourse-payments"),
        (files.lms_events, "lms-events"),
    ):
        import_file(ws, path, preset)
    yield ws
    ws.close()


@pytest.mark.parametrize("kind", ["signup_month", "first_purchase_month"])
def test_retention_and_ltv_match_pandas_on_a_simulated_school(simulated, kind):
    as_of = data_end(simulated.con)
    t = cohort_table(simulated.con, kind, as_of=as_of)
    expected = _pandas_cohorts(simulated.con, kind, as_of)
    assert {c for c, _ in expected} == set(t.cohorts)
    assert len(t.cohorts) > 20
    checked = 0
    for (cohort, metric), (num, base) in expected.items():
        row = t.get(cohort, metric)
        assert row.members_reached == base, (cohort, metric)
        if base == 0:
            assert row.value is None
            continue
        checked += 1
        if metric.startswith("ltv"):
            assert row.numerator == Decimal(num) / 100, (cohort, metric)
            value = (Decimal(num) / 100 / base).quantize(Decimal("0.01"), ROUND_HALF_UP)
            assert row.value == value, (cohort, metric)
        else:
            assert (row.numerator, row.value) == (num, num / base), (cohort, metric)
    assert checked > 100
