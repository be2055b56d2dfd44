"""The weekly report on a literal store: every number derived by hand below."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest
from tests.reports.html_page import assert_table_shapes, parse
from tests.store_rows import put_orders, put_wave

from livebase.experiments.status import INSUFFICIENT, OK
from livebase.reports.pages import render_page_html, write_page_xlsx
from livebase.reports.period import quarter_of, week_of
from livebase.reports.weekly import weekly_report
from livebase.reports.weekly_views import weekly_page
from livebase.store.write import upsert

T = dt.datetime
LIMITS = {"complaints": 0.001, "unsubscribes": 0.005}


@pytest.fixture
def school(ws):
    # segments of Sunday 4 May: a1..a4 active, r1..r5 R90, s1..s2 R180
    tiers = {**{f"a{i}": None for i in range(1, 5)}, **{f"r{i}": "R90" for i in range(1, 6)}}
    tiers |= {"s1": "R180", "s2": "R180"}
    upsert(
        ws.con,
        "segments",
        pd.DataFrame(
            [
                {
                    "as_of": dt.date(2025, 5, 4),
                    "version": "monetary",
                    "customer_id": c,
                    "segment": "x",
                    "rule": "x",
                    "sleep_tier": tier,
                    "is_top": False,
                }
                for c, tier in tiers.items()
            ]
        ),
    )
    put_orders(
        ws,
        [
            # the week of 5–11 May 2025: a1 twice (1 000 + 500), r1 2 000 (23:59 Sunday),
            # c2 300, h1 200 → 5 orders, 4 000 ₽
            {"customer_id": "a1", "paid_at": T(2025, 5, 6, 10), "amount": 1000},
            {"customer_id": "a1", "paid_at": T(2025, 5, 7, 10), "amount": 500, "product_id": "b"},
            {"customer_id": "r1", "paid_at": T(2025, 5, 11, 23, 59), "amount": 2000},
            {"customer_id": "c2", "paid_at": T(2025, 5, 10, 12), "amount": 300},
            {"customer_id": "h1", "paid_at": T(2025, 5, 6, 12), "amount": 200},
            # outside the week: r2 on Monday 12 May 00:00, s1 on Sunday 4 May, c1 on 3 May
            # (inside wave W1's window), c3 on 13 May
            {"customer_id": "r2", "paid_at": T(2025, 5, 12), "amount": 3000},
            {"customer_id": "s1", "paid_at": T(2025, 5, 4, 23), "amount": 100},
            {"customer_id": "c1", "paid_at": T(2025, 5, 3, 12), "amount": 700},
            {"customer_id": "c3", "paid_at": T(2025, 5, 13, 12), "amount": 900},
        ],
    )
    upsert(
        ws.con,
        "costs",
        pd.DataFrame(
            [
                {
                    "date": dt.date(2025, 5, 5),
                    "wave_id": "W1",
                    "channel": "email",
                    "kind": "esp",
                    "amount": Decimal("100.50"),
                },
                {
                    "date": dt.date(2025, 5, 11),
                    "wave_id": "W1",
                    "channel": "sms",
                    "kind": "sms",
                    "amount": Decimal("20"),
                },
                {
                    "date": dt.date(2025, 5, 12),
                    "wave_id": "W1",
                    "channel": "email",
                    "kind": "esp",
                    "amount": Decimal("999"),
                },
            ]
        ),
    )
    messages = [
        ("m1", "a1", T(2025, 5, 5, 9), "sent"),
        ("m2", "a2", T(2025, 5, 5, 9), "sent"),
        ("m3", "a3", T(2025, 5, 6, 9), "sent"),
        ("m4", "a4", T(2025, 5, 11, 9), "sent"),
        ("m5", "a2", T(2025, 5, 5, 10), "complained"),
        ("m6", "a2", T(2025, 5, 6, 10), "complained"),  # the same customer: one complaint
        ("m7", "a3", T(2025, 5, 7, 10), "unsubscribed"),
        ("m8", "a1", T(2025, 5, 12, 9), "sent"),  # next week
    ]
    upsert(
        ws.con,
        "messages",
        pd.DataFrame(
            [
                {"event_id": e, "customer_id": c, "ts": ts, "channel": "email", "event": ev}
                for e, c, ts, ev in messages
            ]
        ),
    )
    # W1 runs 1–14 May: contacted c1..c4, holdout h1..h4
    put_wave(
        ws,
        "W1",
        dt.date(2025, 5, 1),
        14,
        {"holdout": ["h1", "h2", "h3", "h4"], "control": ["c1", "c2", "c3", "c4"]},
    )
    # W0 ended on 7 April: not in the week
    put_wave(ws, "W0", dt.date(2025, 4, 1), 7, {"holdout": ["h9"], "control": ["c9"]})
    # W2, an A/A wave from Sunday 11 May: listed, no holdout
    put_wave(ws, "W2", dt.date(2025, 5, 11), 3, {"control_a": ["x1"], "control_b": ["x2"]})
    return ws


def test_periods():
    assert week_of(dt.date(2025, 5, 11)) == (dt.date(2025, 5, 5), dt.date(2025, 5, 12))
    assert week_of(dt.date(2025, 5, 12)) == (dt.date(2025, 5, 12), dt.date(2025, 5, 19))
    assert quarter_of(dt.date(2025, 12, 31)) == (dt.date(2025, 10, 1), dt.date(2026, 1, 1))


def test_weekly_numbers(school):
    r = weekly_report(school, dt.date(2025, 5, 8))
    assert (r.start, r.end, r.segments_as_of) == (
        dt.date(2025, 5, 5),
        dt.date(2025, 5, 12),
        dt.date(2025, 5, 4),
    )
    assert r.tiers_status == OK
    # active: a1 of 4 bought; R90: r1 of 5 (r2 paid next Monday); R180: nobody
    got = {x.tier: (x.customers, x.buyers, x.rate) for x in r.tiers}
    assert got == {"active": (4, 1, 0.25), "R90": (5, 1, 0.2), "R180": (2, 0, 0.0)}
    assert [x.tier for x in r.tiers] == ["active", "R90", "R180"]
    # Wilson 1/5: centre (0.2 + z²/10) / (1 + z²/5) = 0.33034, half-width 0.29412
    assert r.tiers[1].interval == pytest.approx((0.036224, 0.624465), abs=1e-6)
    # 5 orders, 1 000 + 500 + 2 000 + 300 + 200 = 4 000 ₽; AOV 800; GM 63 % = 2 520
    assert (r.orders, r.revenue, r.aov) == (5, Decimal("4000.00"), Decimal("800.00"))
    assert r.gross_margin == Decimal("2520.00")
    # costs 100.50 (email) + 20 (sms); 12 May is next week
    assert [(c.channel, c.amount) for c in r.costs] == [
        ("email", Decimal("100.50")),
        ("sms", Decimal("20.00")),
    ]
    assert r.contribution == Decimal("2399.50")
    # 4 sent; a2 complained twice (one customer); a3 unsubscribed
    assert (r.messages.sent, r.messages.complaints, r.messages.unsubscribes) == (4, 1, 1)
    assert r.messages.complaint_rate == 0.25
    # W1 up to the week's end (12 May): contacted c1, c2 paid (c3 on 13 May is later) of
    # 4; holdout h1 of 4 → incremental = 2 − 1/4 × 4 = 1; W2 has no holdout; W0 is over
    assert [w.wave.wave_id for w in r.waves] == ["W1", "W2"]
    w1, w2 = r.waves
    assert (w1.status, w1.until) == (OK, T(2025, 5, 12))
    assert (w1.increment.payers_test, w1.increment.payers_control) == (2, 1)
    assert w1.increment.incremental_orders == pytest.approx(1.0)
    assert (w2.status, w2.reason) == (INSUFFICIENT, "no_holdout")
    assert r.incremental_orders == pytest.approx(1.0)


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_weekly_page_html_and_xlsx(school, lang, tmp_path):
    r = weekly_report(school, dt.date(2025, 5, 8))
    page = weekly_page(r, lang, school="Школа", limits=LIMITS)
    html = parse(render_page_html(page))
    assert_table_shapes(page)
    assert html.section_rows["tiers:R90"] == [
        "R90",
        "5",
        "1",
        "20,0\u00a0%" if lang == "ru" else "20.0%",
        "[3,6\u00a0%; 62,4\u00a0%]" if lang == "ru" else "[3.6%, 62.4%]",
    ]
    revenue = "4\u00a0000\u00a0₽" if lang == "ru" else "4,000\u00a0RUB"
    assert html.section_rows["sales:revenue"][1] == revenue
    assert "svg" in html.tags  # the tier chart
    week = "05.05.2025" if lang == "ru" else "2025-05-05"
    assert any(week in text for text in html.text)
    path = write_page_xlsx(page, tmp_path / f"weekly-{lang}.xlsx")
    wb = openpyxl.load_workbook(path)
    values = [[c.value for c in row] for sheet in wb.worksheets for row in sheet.iter_rows()]
    tier_row = next(v for v in values if v[0] == "R90")
    assert tier_row[1:4] == [5, 1, 0.2]
    sheet_of = {c.value: c for sheet in wb.worksheets for row in sheet.iter_rows() for c in row[:1]}
    assert sheet_of["R90"].offset(column=3).number_format == "0.0%"


def test_a_week_without_segments_or_orders(ws):
    r = weekly_report(ws, dt.date(2025, 5, 8))
    assert (r.tiers_status, r.tiers, r.orders, r.aov) == (INSUFFICIENT, (), 0, None)
    assert r.messages.complaint_rate is None
    assert r.incremental_orders is None
    page = parse(render_page_html(weekly_page(r, "en", school="S", limits=LIMITS)))
    text = " ".join(page.text)
    assert "No segments computed before the week began" in text
    assert page.section_rows["sales:aov"][1] == "n/a"
