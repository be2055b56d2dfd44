"""The quarterly report and the alerts on a literal store (numbers derived by hand)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest
from tests.reports.html_page import assert_table_shapes, parse
from tests.store_rows import put_orders, put_wave

from livebase.monitors import ALERT
from livebase.reports.pages import render_page_html, write_page_xlsx
from livebase.reports.quarterly import quarterly_report
from livebase.reports.quarterly_views import quarterly_page
from livebase.reports.recurring import build_page
from livebase.store.write import upsert

T = dt.datetime


@pytest.fixture
def school(ws):
    put_orders(
        ws,
        [
            # x: first purchase 10 July 2024, again within 180 days (1 September) and
            # after them (1 February 2025)
            {"customer_id": "x", "paid_at": T(2024, 7, 10, 12), "amount": 500},
            {"customer_id": "x", "paid_at": T(2024, 9, 1, 12), "amount": 700, "product_id": "b"},
            {"customer_id": "x", "paid_at": T(2025, 2, 1, 12), "amount": 1000, "product_id": "c"},
            {"customer_id": "y", "paid_at": T(2025, 3, 15, 12), "amount": 1000},
            # the second quarter: 1 000 + 2 000 + 3 000
            {"customer_id": "z", "paid_at": T(2025, 4, 10, 12), "amount": 1000},
            {"customer_id": "y", "paid_at": T(2025, 5, 1, 12), "amount": 2000, "product_id": "b"},
            {"customer_id": "x", "paid_at": T(2025, 6, 20, 12), "amount": 3000, "product_id": "d"},
        ],
    )
    contacted = [f"c{i}" for i in range(10)]
    holdout = [f"h{i}" for i in range(3)]
    put_wave(ws, "W1", dt.date(2025, 5, 1), 14, {"holdout": holdout, "control": contacted})
    # ten e-mails sent on 2 May, c0 complains: 1 of 10 = 10 % ≥ 0.1 % → an alert
    events = [(c, "sent") for c in contacted] + [("c0", "complained")]
    upsert(
        ws.con,
        "messages",
        pd.DataFrame(
            [
                {
                    "event_id": f"e{i}",
                    "customer_id": c,
                    "ts": T(2025, 5, 2, 10),
                    "channel": "email",
                    "event": e,
                    "wave_id": "W1",
                }
                for i, (c, e) in enumerate(events)
            ]
        ),
    )
    return ws


def test_quarterly_numbers(school):
    r = quarterly_report(school, dt.date(2025, 5, 20))
    assert (r.start, r.end, r.as_of) == (
        dt.date(2025, 4, 1),
        dt.date(2025, 7, 1),
        dt.date(2025, 6, 20),
    )
    # Q2: 3 orders, 6 000 ₽, AOV 2 000; Q1: x on 1 February and y on 15 March
    assert (r.sales.orders, r.sales.revenue, r.sales.aov) == (
        3,
        Decimal("6000.00"),
        Decimal("2000.00"),
    )
    assert (r.previous.orders, r.previous.revenue, r.previous.aov) == (
        2,
        Decimal("2000.00"),
        Decimal("1000.00"),
    )
    cohorts = {c.cohort: c for c in r.cohorts}
    # 2024-07 (x): 500 + 700 within 180 days; a repeat purchase, so not churned
    assert cohorts["2024-07"].ltv_180.value == Decimal("1200.00")
    assert cohorts["2024-07"].churn_180.value == 0.0
    # 2025-04 (z): its 180 days are not over on 20 June: no number
    assert cohorts["2025-04"].ltv_180.value is None
    assert [w.wave.wave_id for w in r.waves] == ["W1"]
    got = {(m.scope, m.key): m for m in r.monitors}
    assert got[("W1", "complaints")].status == ALERT
    assert got[("W1", "complaints")].value == pytest.approx(0.1)
    assert got[("W1", "overlap_active")].value == 0.0


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_quarterly_page(school, lang, tmp_path):
    page = quarterly_page(quarterly_report(school, dt.date(2025, 5, 20)), lang, school="S")
    html = parse(render_page_html(page))
    assert_table_shapes(page)
    change = "+50,0\u00a0%" if lang == "ru" else "+50.0%"
    assert html.section_rows["sales:orders"] == [
        html.section_rows["sales:orders"][0],
        "3",
        "2",
        change,
    ]
    # the alert is listed with the numbers behind it
    alert = html.section_rows["alerts:W1:complaints"]
    assert alert[1] == "W1"
    assert alert[2] == ("10,00\u00a0%" if lang == "ru" else "10.00%")
    numbers = "жалобы: 1 из 10 отправленных" if lang == "ru" else "complaints: 1 of 10 sent"
    assert any(cell.startswith(numbers) for cell in alert)
    na = "н/д" if lang == "ru" else "n/a"
    assert html.section_rows["cohorts:2025-04"][2] == na
    wb = openpyxl.load_workbook(write_page_xlsx(page, tmp_path / "q.xlsx"))
    rows = [[c.value for c in row] for s in wb.worksheets for row in s.iter_rows()]
    assert any(r[1] == "W1" and r[2] == pytest.approx(0.1) for r in rows if len(r) > 2)


def test_alerts_page(school):
    page = build_page(school, "alerts", day=dt.date(2025, 5, 20), lang="en")
    assert [s.key for s in page.sections] == ["alerts", "monitors"]
    alerts = page.sections[0].blocks[0]
    assert [r.key for r in alerts.rows] == ["W1:complaints"]
    assert dict(page.facts)["Alerts"] == "1"
