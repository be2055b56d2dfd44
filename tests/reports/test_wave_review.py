"""The per-wave report on a literal wave: attribution next to the increment, refunds and
upsells per arm, the page in both languages and as a workbook."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest
from tests.reports.html_page import assert_table_shapes, parse
from tests.store_rows import put_orders, put_wave

from livebase.reports.arm_extras import arm_extras
from livebase.reports.pages import render_page_html, write_page_xlsx
from livebase.reports.wave_review import wave_review
from livebase.reports.wave_review_views import wave_review_page
from livebase.store.write import upsert

T = dt.datetime
ARMS = {
    "holdout": ["h1", "h2", "h3", "h4"],
    "control": ["c1", "c2", "c3", "c4"],
    "value": ["v1", "v2", "v3", "v4"],
}


@pytest.fixture
def school(ws):
    # wave W1: 1–14 May 2025, window [1 May, 15 May)
    put_wave(ws, "W1", dt.date(2025, 5, 1), 14, ARMS)
    put_orders(
        ws,
        [
            {"customer_id": "c1", "paid_at": T(2025, 5, 3, 12), "amount": 1000},
            {"customer_id": "v1", "paid_at": T(2025, 5, 4, 12), "amount": 2000},
            # v1 buys again: an upsell
            {"customer_id": "v1", "paid_at": T(2025, 5, 6, 12), "amount": 500, "product_id": "b"},
            # v2: 500 of 1 500 refunded (net 1 000)
            {
                "customer_id": "v2",
                "paid_at": T(2025, 5, 5, 12),
                "amount": 1500,
                "refunded_amount": 500,
            },
            {"customer_id": "h1", "paid_at": T(2025, 5, 7, 12), "amount": 800},
            # after the window
            {"customer_id": "v3", "paid_at": T(2025, 5, 15, 12), "amount": 900},
        ],
    )
    upsert(
        ws.con,
        "messages",
        pd.DataFrame(
            [
                # v1 clicked the wave's e-mail before both purchases; c1 its messenger
                # message; v2 and h1 clicked nothing
                {
                    "event_id": "e1",
                    "customer_id": "v1",
                    "ts": T(2025, 5, 3, 12),
                    "channel": "email",
                    "event": "clicked",
                    "wave_id": "W1",
                    "offer_type": "value",
                },
                {
                    "event_id": "e2",
                    "customer_id": "c1",
                    "ts": T(2025, 5, 2, 12),
                    "channel": "messenger",
                    "event": "clicked",
                    "wave_id": "W1",
                },
            ]
        ),
    )
    return ws


def test_refunds_and_upsells_per_arm(school):
    got = {x.arm: x for x in arm_extras(school.con, "W1", rules=school.config.purchase_rules)}
    assert list(got) == ["holdout", "control", "value"]
    v = got["value"]
    # v1: 2 purchases (one upsell of 500), v2: 1 purchase with 500 refunded
    assert (v.assigned, v.payers, v.purchases, v.refunds) == (4, 2, 3, 1)
    assert (v.refunded_amount, v.upsell_buyers, v.upsells, v.upsell_revenue) == (
        Decimal("500.00"),
        1,
        1,
        Decimal("500.00"),
    )
    assert (v.refund_rate, v.upsell_share) == (pytest.approx(1 / 3), 0.5)
    c = got["control"]
    assert (c.payers, c.purchases, c.refunds, c.upsell_buyers) == (1, 1, 0, 0)


def test_attributed_against_incremental(school):
    r = wave_review(school, "W1", lang="en")
    a = r.attribution
    # paid in the window: c1 1 000, v1 2 000 + 500, v2 1 000 net, h1 800 = 5 orders;
    # attributed: the three with a click before them (c1, v1 twice) = 3 500
    assert (a.orders_paid, a.orders_attributed) == (5, 3)
    assert a.revenue_attributed == Decimal("3500.00")
    # contacted (control + value, 8): c1, v1, v2 paid; holdout 1 of 4 → 3 − 0.25 × 8 = 1
    # incremental order; AOV contacted = (1 000 + 2 500 + 1 000) / 3 payers = 1 500
    inc = r.whole.increment
    assert inc.incremental_orders == pytest.approx(1.0)
    assert r.incremental_revenue == Decimal("1500.00")
    assert r.over_credit == pytest.approx(3500 / 1500)
    # position-based credit per channel and offer type: e-mail "value" 2 orders, 2 500 ₽;
    # messenger without an offer 1 order, 1 000 ₽
    assert sorted(r.offers) == [
        ("email", "value", 2.0, Decimal("2500.00")),
        ("messenger", None, 1.0, Decimal("1000.00")),
    ]


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_page(school, lang, tmp_path):
    page = wave_review_page(wave_review(school, "W1", lang=lang), lang, school="S")
    html = parse(render_page_html(page))
    assert_table_shapes(page)
    ratio = "2,33×" if lang == "ru" else "2.33×"
    assert html.section_rows["attributed:ratio"][-1] == ratio
    assert html.section_rows["extras:value"][:5] == [
        "value",
        "2",
        "3",
        "1",
        "33,3\u00a0%" if lang == "ru" else "33.3%",
    ]
    assert "svg" in html.tags
    wb = openpyxl.load_workbook(write_page_xlsx(page, tmp_path / "w.xlsx"))
    rows = [[c.value for c in row] for s in wb.worksheets for row in s.iter_rows()]
    assert next(r for r in rows if r[0] == "value" and r[1] == 2)[:4] == ["value", 2, 3, 1]


def test_the_decision(school):
    import dataclasses

    r = wave_review(school, "W1", lang="en")
    # 1 incremental order, 1 500 ₽ × 63 % = 945 ₽ of margin, no costs recorded; 8 against
    # 4 customers: the interval includes zero
    assert r.margin_after_costs == Decimal("945.00")
    assert r.decision == "unclear"

    def with_ci(low, high, costs=()):
        inc = dataclasses.replace(r.whole.increment, incremental_orders_ci=(low, high))
        whole = dataclasses.replace(r.whole, increment=inc)
        return dataclasses.replace(r, whole=whole, costs=costs)

    assert with_ci(0.2, 1.8).decision == "paid_off"
    # more orders, but the costs eat the margin
    assert with_ci(0.2, 1.8, (("email", Decimal("945.00")),)).decision == "did_not_pay"
    assert with_ci(-3.0, -0.1).decision == "did_not_pay"
    page = wave_review_page(r, "en", school="S")
    summary = page.sections[0].blocks[0]
    assert summary.caption.startswith("Not clear yet")


def test_a_wave_without_a_control_arm_is_read_against_its_holdout(school):
    # an onboarding-like wave: arms holdout and letters; c1 (letters) paid on 3 May
    put_wave(
        school, "W2", dt.date(2025, 5, 1), 14, {"holdout": ["h1", "h2"], "letters": ["c1", "c2"]}
    )
    r = wave_review(school, "W2", lang="en")
    res = r.readout.readout
    assert res.control == "holdout"
    assert [(a.arm, a.conversions) for a in res.arms] == [("holdout", 1), ("letters", 1)]
