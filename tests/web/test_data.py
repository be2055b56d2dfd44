"""The plain data of the dashboard pages, checked against independent queries of a small
demo school (3 000 customers, seed 11: segments and risk on 2025-05-05, eight waves
starting on 2025-05-06) and the twelve month-end snapshots before (2024-05-31 … 2025-04-30)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pandas as pd
import pytest

from livebase.demo import DEMO_END
from livebase.errors import InputError, InsufficientData
from livebase.metrics.purchases import purchases
from livebase.metrics.rfm import day_end
from livebase.metrics.risk import parse_reasons
from livebase.monitors import alerts, run_monitors
from livebase.store.workspace import Workspace
from livebase.web import data
from tests.web.conftest import SNAPSHOTS

R90 = f"W-R90-{DEMO_END + dt.timedelta(days=1):%Y%m%d}"


@pytest.fixture(scope="module")
def demo(demo_root) -> Workspace:
    ws = Workspace.open(demo_root)
    yield ws
    ws.close()


def _json(page: dict) -> dict:
    """The page survives a strict JSON round trip (no Decimal, date, NaN or numpy)."""
    return json.loads(json.dumps(page, allow_nan=False))


def _frame(ws: Workspace, name: str) -> pd.DataFrame:
    return ws.table(name).to_pandas()


def _segments(ws: Workspace, day: dt.date) -> pd.DataFrame:
    s = _frame(ws, "segments")
    s["as_of"] = pd.to_datetime(s["as_of"]).dt.date
    return s[(s["as_of"] == day) & (s["version"] == "monetary")]


def _counted(ws: Workspace, day: dt.date) -> pd.DataFrame:
    p = purchases(ws.con, ws.config.purchase_rules, until=day_end(day)).to_pandas()
    return p[p["is_purchase"]]


# ------------------------------------------------------------------------ overview


def test_overview_kpis_match_the_purchases(demo):
    page = _json(data.overview(demo))
    assert page["as_of"] == DEMO_END.isoformat()  # the latest snapshot, not the data end
    assert page["data_end"] > page["as_of"]
    p = _counted(demo, DEMO_END)
    day = p["ts"].dt.date
    # revenue: counted purchases paid in the 30 days 2025-04-06 … 2025-05-05
    last30 = p[day >= DEMO_END - dt.timedelta(days=29)]
    rev = page["revenue_30d"]
    assert rev["start"] == "2025-04-06"
    assert rev["orders"] == len(last30) > 0
    assert Decimal(rev["revenue"]) == sum(last30["net"], Decimal(0))
    # active base: a counted purchase on one of the 90 days ending on as_of
    active = p[day >= DEMO_END - dt.timedelta(days=89)]["customer_id"].nunique()
    assert page["active_base"]["customers"] == active
    last = p.groupby("customer_id")["ts"].max().dt.date
    assert page["active_base"]["scored"] == len(last)
    # churn 180: the last counted purchase 180 days or more before as_of
    assert page["churn_180"]["customers"] == int((last <= DEMO_END - dt.timedelta(180)).sum())
    assert page["churn_180"]["share"] == pytest.approx(page["churn_180"]["customers"] / len(last))
    cohort = page["churn_180"]["cohort"]
    assert cohort["status"] == "ok"
    assert cohort["value"] == pytest.approx(cohort["churned"] / cohort["members_reached"])


def test_overview_555_is_the_champions_segment(demo):
    page = _json(data.overview(demo))
    s = _segments(demo, DEMO_END)
    champions = s[s["segment"] == "champions"]
    assert page["champions"]["customers"] == len(champions) > 0
    assert page["champions"]["share"] == pytest.approx(len(champions) / len(s))
    r = _frame(demo, "rfm")
    r["as_of"] = pd.to_datetime(r["as_of"]).dt.date
    r = r[(r["as_of"] == DEMO_END) & (r["version"] == "monetary")]
    mine = r[r["customer_id"].isin(champions["customer_id"])]["monetary"]
    assert Decimal(page["champions"]["revenue"]) == sum(mine, Decimal(0))
    share = float(sum(mine, Decimal(0)) / sum(r["monetary"], Decimal(0)))
    assert page["champions"]["revenue_share"] == pytest.approx(share)


def test_overview_lists_the_alerting_monitors_with_their_numbers(demo):
    quiet = _json(data.overview(demo))["alerts"]
    assert quiet["items"] == []  # the demo school is quiet by default
    assert (quiet["start"], quiet["end"]) == ("2025-02-05", "2025-05-05")
    saved = demo.config
    # 5 of 561 repeat buyers only ever bought with a discount (0.89 %): above 0.5 %
    monitors = saved.monitors.model_copy(update={"coupon_only_share": 0.005})
    demo.config = saved.model_copy(update={"monitors": monitors})
    try:
        loud = _json(data.overview(demo))["alerts"]
        expected = alerts(run_monitors(demo, start=dt.date(2025, 2, 5), end=dt.date(2025, 5, 6)))
    finally:
        demo.config = saved
    assert [(a["key"], a["scope"]) for a in loud["items"]] == [(r.key, r.scope) for r in expected]
    item = next(a for a in loud["items"] if a["key"] == "coupon_only")
    assert item["status"] == "alert"
    assert item["threshold"] == 0.005
    assert item["value"] == pytest.approx(item["numerator"] / item["denominator"])
    assert item["interval"][0] <= item["value"] <= item["interval"][1]
    assert loud["alerting"] == len(loud["items"]) == quiet["alerting"] + 1


# ------------------------------------------------------------------------ segments


def test_rfm_grid_counts_every_scored_customer(demo):
    page = _json(data.rfm_grid(demo))
    r = _frame(demo, "rfm")
    r["as_of"] = pd.to_datetime(r["as_of"]).dt.date
    r = r[(r["as_of"] == DEMO_END) & (r["version"] == "monetary")]
    assert len(page["cells"]) == 25  # 5 × 5, empty cells included
    assert page["customers"] == sum(c["customers"] for c in page["cells"])
    assert page["customers"] == len(_segments(demo, DEMO_END))
    by_cell = r.groupby(["r", "f"])["monetary"].agg(["count", "sum"])
    for cell in page["cells"]:
        key = (cell["r"], cell["f"])
        if key not in by_cell.index:
            assert (cell["customers"], cell["mean_m"]) == (0, None)
            continue
        n, total = by_cell.loc[key]
        assert cell["customers"] == n
        mean = (total / n).quantize(Decimal("0.01"))
        assert abs(Decimal(cell["mean_m"]) - mean) <= Decimal("0.01")
    sizes = _segments(demo, DEMO_END)["segment"].value_counts()
    assert {s["segment"]: s["customers"] for s in page["segments"]} == sizes.to_dict()
    assert sum(s["revenue_share"] for s in page["segments"]) == pytest.approx(1)


def test_rfm_grid_segment_filter(demo):
    page = _json(data.rfm_grid(demo, segment="loyal"))
    s = _segments(demo, DEMO_END)
    assert page["customers"] == int((s["segment"] == "loyal").sum()) > 0
    # loyal: R and F scores 4-5 only (the default map)
    assert all(c["customers"] == 0 for c in page["cells"] if c["r"] < 4 or c["f"] < 4)
    # the sizes stay those of the whole base
    assert sum(x["customers"] for x in page["segments"]) == len(s)


def test_segment_trend_reads_every_snapshot(demo):
    page = _json(data.segment_trend(demo))
    # the demo builds the twelve month ends before its planning day, and that day
    days = [
        *(dt.date(2024, m, 1) for m in range(6, 13)),
        *(dt.date(2025, m, 1) for m in range(1, 6)),
    ]
    days = [d - dt.timedelta(days=1) for d in days] + [DEMO_END]
    assert page["dates"] == [d.isoformat() for d in days]
    assert set(SNAPSHOTS) < set(days)
    for i, day in enumerate(days):
        sizes = _segments(demo, day)["segment"].value_counts()
        got = {x["segment"]: x["customers"][i] for x in page["series"]}
        assert {k: v for k, v in got.items() if v} == sizes.to_dict()
        shares = [x["revenue_share"][i] for x in page["series"]]
        assert sum(shares) == pytest.approx(1)
    one = _json(data.segment_trend(demo, segment="champions"))
    assert [x["segment"] for x in one["series"]] == ["champions"]


def test_migration_between_the_last_two_snapshots(demo):
    page = _json(data.migration(demo))
    assert (page["date_from"], page["date_to"]) == ("2025-04-30", "2025-05-05")
    a = _segments(demo, SNAPSHOTS[1])[["customer_id", "segment"]]
    b = _segments(demo, DEMO_END)[["customer_id", "segment"]]
    j = a.merge(b, on="customer_id", how="outer", suffixes=("_from", "_to"))
    j = j.fillna({"segment_from": "new", "segment_to": "gone"})
    pairs = j.groupby(["segment_from", "segment_to"]).size().to_dict()
    links = {(x["from"], x["to"]): x["customers"] for x in page["links"]}
    assert links == pairs
    nodes = page["nodes"]
    for x in page["links"]:
        assert nodes[x["source"]]["side"] == "from"
        assert nodes[x["target"]]["side"] == "to"
        assert (nodes[x["source"]]["segment"], nodes[x["target"]]["segment"]) == (
            x["from"],
            x["to"],
        )
    assert page["new"] == int((j["segment_from"] == "new").sum())
    assert page["stayed"] == int((j["segment_from"] == j["segment_to"]).sum())
    assert page["stayed"] + page["moved"] + page["new"] + page["gone"] == len(j)
    earlier = _json(data.migration(demo, date_from="2025-03-31", date_to="2025-04-30"))
    assert sum(x["customers"] for x in earlier["links"]) == len(
        _segments(demo, SNAPSHOTS[0]).merge(_segments(demo, SNAPSHOTS[1]), "outer", "customer_id")
    )


# ------------------------------------------------------------------------- cohorts


def test_cohort_heatmap_rows(demo):
    page = _json(data.cohorts(demo))
    assert page["metrics"] == ["retention_d7", "retention_d30", "retention_d60"]
    customers = demo.table("customers").count().execute()
    assert sum(r["members"] for r in page["rows"]) + page["without_anchor"] == customers
    # members: customers with a payment of a counted purchase (positive amount) up to as_of
    p = purchases(demo.con, demo.config.purchase_rules, until=day_end(DEMO_END)).to_pandas()
    o = _frame(demo, "orders")[["order_id", "amount"]]
    paid = p.merge(o, on="order_id")
    assert (
        sum(r["members"] for r in page["rows"]) == paid[paid["amount"] > 0]["customer_id"].nunique()
    )
    for row in page["rows"]:
        for cell in row["cells"]:
            assert cell["status"] in ("ok", "partial", "insufficient_data")
            if cell["value"] is None:
                assert cell["reason"]
            else:
                assert cell["value"] == pytest.approx(cell["numerator"] / cell["base"])
    # the newest cohort (May 2025) has not reached day 60 + 6
    assert page["rows"][-1]["cells"][2]["status"] == "insufficient_data"
    one = _json(data.cohorts(demo, cohort=page["rows"][0]["cohort"]))
    assert one["rows"] == page["rows"][:1]


# ---------------------------------------------------------------------------- risk


def test_risk_list_rows_and_filters(demo):
    page = _json(data.risk_list(demo, limit=20))
    r = _frame(demo, "risk")
    assert page["customers"] == len(r)
    assert len(page["rows"]) == 20
    scores = [x["score"] for x in page["rows"]]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] == r["points"].max()
    for row in page["rows"]:
        # the points are the sum of the reasons' points; the codes and points as stored
        assert row["score"] == sum(x["points"] for x in row["reasons"])
        stored = r[r["customer_id"] == row["customer_id"]].iloc[0]
        assert [(x["code"], x["points"]) for x in row["reasons"]] == [
            (x.code, x.points) for x in parse_reasons(stored["reasons"])
        ]
        for reason in row["reasons"]:
            if reason["code"].startswith("rhythm"):
                assert reason["params"]["gap_days"] == stored["gap_days"]
    levels = {x["level"]: x["customers"] for x in page["levels"]}
    assert levels == r["level"].value_counts().to_dict()

    high = _json(data.risk_list(demo, level="high", segment="sleeping_cooled", limit=1000))
    want = r[(r["level"] == "high") & (r["segment"] == "sleeping_cooled")]
    assert high["matching"] == len(high["rows"]) == len(want) > 0
    assert {x["customer_id"] for x in high["rows"]} == set(want["customer_id"])


# --------------------------------------------------------------------------- waves


def test_wave_calendar_counts(demo):
    page = _json(data.waves(demo))
    assert len(page["waves"]) == 8
    a, t, e = (_frame(demo, n) for n in ("assignments", "touches", "exclusions"))
    for w in page["waves"]:
        mine = a[a["wave_id"] == w["wave_id"]]
        assert w["assigned"] == {arm: int((mine["arm"] == arm).sum()) for arm in w["arms"]}
        assert w["assigned_total"] == len(mine)
        assert w["touches_planned"] == int((t["wave_id"] == w["wave_id"]).sum())
        left = e[(e["wave_id"] == w["wave_id"]) & (e["touch_no"] == 0)]
        assert w["excluded_total"] == left["customer_id"].nunique()
        assert w["excluded"] == left.groupby("reason_code")["customer_id"].nunique().to_dict()
        start = dt.date.fromisoformat(w["starts_on"])
        assert w["ends_on"] == (start + dt.timedelta(days=w["days"] - 1)).isoformat()
    r90 = next(w for w in page["waves"] if w["wave_id"] == R90)
    assert r90["arms"] == ["holdout", "control", "value", "discount"]
    assert r90["excluded_total"] > 0


def test_wave_calendar_filters(demo):
    every = _json(data.waves(demo))["waves"]
    segments = sorted({w["segment"] for w in every})
    # a wave runs from starts_on to ends_on: kept when that span meets [from, to]
    day = dt.date(2025, 5, 20)
    on_day = _json(data.waves(demo, date_from=day, date_to=day))
    assert [w["wave_id"] for w in on_day["waves"]] == [
        w["wave_id"] for w in every if w["starts_on"] <= "2025-05-20" <= w["ends_on"]
    ]
    # every demo wave starts on 2025-05-06: R90 (14 days) ended on 05-19, R180 (21) runs
    ids = [w["wave_id"] for w in on_day["waves"]]
    assert R90 not in ids
    assert "W-R180-20250506" in ids
    later = _json(data.waves(demo, date_from="2025-06-01"))
    assert all(w["ends_on"] >= "2025-06-01" for w in later["waves"])
    assert (later["date_from"], later["date_to"]) == ("2025-06-01", None)
    r90 = _json(data.waves(demo, segment="R90"))
    assert r90["segments"] == segments
    assert [w["wave_id"] for w in r90["waves"]] == [R90]
    nothing = _json(data.waves(demo, date_to="2020-01-01"))
    assert (nothing["waves"], nothing["first_day"]) == ([], None)
    with pytest.raises(InputError, match="must not be after"):
        data.waves(demo, date_from="2025-06-01", date_to="2025-05-01")


def test_wave_audiences_page_through_every_assigned_customer(demo):
    a = _frame(demo, "assignments")
    a = a[a["wave_id"] == R90]
    t = _frame(demo, "touches")
    t = t[t["wave_id"] == R90]
    whole = _json(data.audiences(demo, R90))
    assert whole["total"] == len(a)
    assert {x["arm"]: x["customers"] for x in whole["arms"]} == a["arm"].value_counts().to_dict()
    # pages of 100 by customer id: every customer once, nothing between the pages lost
    seen = []
    for offset in range(0, len(a), 100):
        page = _json(data.audiences(demo, R90, offset=offset, limit=100))
        seen += [r["customer_id"] for r in page["rows"]]
    assert seen == sorted(a["customer_id"])
    rows = {r["customer_id"]: r for r in whole["rows"]}
    want = t.groupby("customer_id")["channel"].agg(lambda c: sorted(set(c))).to_dict()
    for cid, row in list(rows.items())[:200]:
        assert row["channels"] == want.get(cid, [])
        assert set(row) == {"customer_id", "arm", "stratum", "channels"}  # no contacts
    holdout = _json(data.audiences(demo, R90, arm="holdout"))
    assert holdout["total"] == int((a["arm"] == "holdout").sum())
    assert all(r["channels"] == [] for r in holdout["rows"])  # the holdout gets nothing
    email = _json(data.audiences(demo, R90, channel="email"))
    assert email["total"] == t.loc[t["channel"] == "email", "customer_id"].nunique()
    for bad in (
        {"arm": "nope"},
        {"channel": "pigeon"},
        {"limit": 0},
        {"limit": 1001},
        {"offset": -1},
    ):
        with pytest.raises(InputError):
            data.audiences(demo, R90, **bad)
    with pytest.raises(InputError, match="no wave"):
        data.audiences(demo, "W-NOPE")


def test_wave_readout_plan_and_attribution(demo):
    page = _json(data.wave(demo, R90, lang="en"))
    a = _frame(demo, "assignments")
    n = a[a["wave_id"] == R90]["arm"].value_counts().to_dict()
    arms = page["readout"]["arms"]
    assert {x["arm"]: x["n"] for x in arms} == n
    assert page["plan"]["assigned"] == {k: n[k] for k in page["wave"]["arms"]}
    for x in arms:
        assert 0 <= x["conversions"] <= x["n"]
        assert x["rate"] == pytest.approx(x["conversions"] / x["n"])
        assert x["rate_ci_low"] <= x["rate"] <= x["rate_ci_high"]
        if x["is_control"]:
            assert x["uplift_pp"] is None
        elif x["status"] == "ok":
            assert x["ci_low"] <= x["uplift_pp"] <= x["ci_high"]
            assert 0 <= x["p_value"] <= 1
            control = next(c for c in arms if c["is_control"])
            assert x["uplift_pp"] == pytest.approx(100 * (x["rate"] - control["rate"]))
        assert x["verdict"].startswith(x["arm"])
    e = _frame(demo, "exclusions")
    assert sum(x["rows"] for x in page["exclusions"]) == int((e["wave_id"] == R90).sum())
    assert page["decision"] in ("paid_off", "did_not_pay", "unclear", "insufficient_data")
    attr = page["attribution"]
    assert attr["models"] == ["last_click", "first_click", "linear", "position_based"]
    for model in attr["models"]:
        credited = [Decimal(c["revenue"]) for c in attr["credits"] if c["model"] == model]
        assert sum(credited, Decimal(0)) == Decimal(attr["revenue_attributed"])
    versus = page["attributed_vs_incremental"]
    assert versus["revenue_attributed"] == attr["revenue_attributed"]
    assert versus["incremental_revenue"] == page["money"]["incremental_revenue"]
    costs = _frame(demo, "costs")
    assert Decimal(page["money"]["cost_total"]) == sum(
        costs[costs["wave_id"] == R90]["amount"], Decimal(0)
    )


# ------------------------------------------------------------------------ customer


def _member(ws: Workspace) -> str:
    """A customer of the R90 wave with orders and consents."""
    a, o, c = (_frame(ws, n) for n in ("assignments", "orders", "consents"))
    ids = set(a[a["wave_id"] == R90]["customer_id"]) & set(o["customer_id"])
    return sorted(ids & set(c["customer_id"]))[0]


def test_customer_card_matches_the_tables(demo):
    cid = _member(demo)
    page = _json(data.customer(demo, cid, lang="en"))
    assert page["customer_id"] == cid
    o = _frame(demo, "orders")
    mine = o[o["customer_id"] == cid]
    assert sorted(x["order_id"] for x in page["orders"]) == sorted(mine["order_id"])
    amounts = {x["order_id"]: Decimal(x["amount"]) for x in page["orders"]}
    assert amounts == dict(zip(mine["order_id"], mine["amount"], strict=True))
    counted = set(_counted(demo, dt.date(2100, 1, 1))["order_id"])
    assert {x["order_id"] for x in page["orders"] if x["counted"]} == counted & set(
        mine["order_id"]
    )
    s = _segments(demo, DEMO_END)
    seg = s[s["customer_id"] == cid].iloc[0]
    assert (page["segment"]["segment"], page["segment"]["rule"]) == (seg["segment"], seg["rule"])
    assert page["segment"]["name"]  # the map's label in English
    assert [h["as_of"] for h in page["segment_history"]] == [
        d.isoformat()
        for d in data.segment_dates(demo)
        if cid in set(_segments(demo, d).customer_id)
    ]
    r = _frame(demo, "risk")
    assert page["risk"]["score"] == int(r[r["customer_id"] == cid]["points"].iloc[0])
    c = _frame(demo, "consents")
    assert len(page["consents"]["history"]) == int((c["customer_id"] == cid).sum())
    state = {(x["channel"], x["purpose"]): x["granted"] for x in page["consents"]["state"]}
    last = {}
    for x in page["consents"]["history"]:  # oldest first: the last row of a pair wins
        last[(x["channel"], x["purpose"])] = x["granted"]
    assert state == last
    m = _frame(demo, "messages")
    assert page["messages_total"] == int((m["customer_id"] == cid).sum())
    stamps = [x["ts"] for x in page["messages"]]
    assert stamps == sorted(stamps, reverse=True)
    t = _frame(demo, "touches")
    assert len(page["touches_planned"]) == int((t["customer_id"] == cid).sum())
    r90 = next(w for w in page["waves"] if w["wave_id"] == R90)
    a = _frame(demo, "assignments")
    assert r90["arm"] == a[(a["wave_id"] == R90) & (a["customer_id"] == cid)]["arm"].iloc[0]
    # found by e-mail too: the same card
    email = demo.table("customers").filter(lambda x: x.customer_id == cid).email.execute()[0]
    assert data.customer(demo, email, lang="en")["customer_id"] == cid


# ---------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "call",
    [
        lambda ws: data.wave(ws, "W-NOPE", lang="en"),
        lambda ws: data.customer(ws, "nobody-here", lang="en"),
        lambda ws: data.rfm_grid(ws, segment="nope"),
        lambda ws: data.rfm_grid(ws, version="weekly"),
        lambda ws: data.risk_list(ws, level="extreme"),
        lambda ws: data.risk_list(ws, limit=0),
        lambda ws: data.segment_trend(ws, segment="nope"),
        lambda ws: data.cohorts(ws, kind="zodiac"),
        lambda ws: data.cohorts(ws, cohort="1999-01"),
        lambda ws: data.waves(ws, segment="nope"),
        lambda ws: data.waves(ws, date_from="May 5"),
        lambda ws: data.events(ws, status="lost"),
        lambda ws: data.events(ws, source="carrier-pigeon"),
        lambda ws: data.events(ws, limit=0),
        lambda ws: data.overview(ws, as_of="05/05/2025"),
        lambda ws: data.migration(ws, date_from="2025-05-05", date_to="2025-04-30"),
    ],
)
def test_unknown_ids_and_bad_filters_are_input_errors(demo, call):
    with pytest.raises(InputError):
        call(demo)


def test_a_date_without_a_snapshot_is_insufficient_data(demo):
    with pytest.raises(InsufficientData, match="livebase segment --as-of 2025-01-15"):
        data.rfm_grid(demo, as_of="2025-01-15")
    with pytest.raises(InsufficientData, match="livebase risk --as-of 2025-04-30"):
        data.risk_list(demo, as_of=dt.date(2025, 4, 30))


@pytest.mark.parametrize(
    "call",
    [
        data.overview,
        data.rfm_grid,
        data.segment_trend,
        data.migration,
        data.cohorts,
        data.risk_list,
        data.waves,
    ],
)
def test_an_empty_store_has_no_page(ws, call):
    with pytest.raises(InsufficientData):
        call(ws)


def test_the_events_feed_and_its_counts(ws):
    from livebase.web.webhook import parse_getcourse, record_rejection, store_event

    t0 = dt.datetime(2025, 5, 20, 12)
    params = {"id": "901", "email": "anna@mail.ru", "cost": "9900", "status": "payed"}
    assert data.events(ws)["rows"] == []
    assert store_event(ws, parse_getcourse(params, now=t0), now=t0) == "stored"
    assert store_event(ws, parse_getcourse(params, now=t0), now=t0) == "replay"
    later = t0 + dt.timedelta(minutes=5)
    record_rejection(ws, source="json", kind="message", reason="bad_signature", now=later)
    page = _json(data.events(ws))
    assert (page["total"], page["matching"]) == (2, 2)  # the replay is not a second event
    assert page["by_status"] == [
        {"status": "stored", "events": 1},
        {"status": "rejected", "events": 1},
    ]
    assert [(r["status"], r["reason"]) for r in page["rows"]] == [
        ("rejected", "bad_signature"),  # newest first
        ("stored", None),
    ]
    assert page["last_received_at"] == "2025-05-20T12:05:00"
    assert "anna" not in json.dumps(page)  # ids and codes only
    only = _json(data.events(ws, status="stored", source="getcourse"))
    assert [r["event_id"] for r in only["rows"]] == ["getcourse:901:paid"]
    # the overview's webhook line counts the same events
    assert data._webhook_summary(ws) == {
        "stored": 1,
        "rejected": 1,
        "last_received_at": "2025-05-20T12:05:00",
    }


def test_plain_refuses_what_json_cannot_hold():
    assert data.plain({"d": dt.datetime(2025, 5, 5, 9, 30), "n": pd.NaT, "x": [float("inf")]}) == {
        "d": "2025-05-05T09:30:00",
        "n": None,
        "x": [None],
    }
    with pytest.raises(TypeError):
        data.plain(object())
