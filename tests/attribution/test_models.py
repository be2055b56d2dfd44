"""Attribution models on literal paths, and the attribution of a literal store."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from livebase.attribution import (
    MODELS,
    Attribution,
    attribute,
    credit,
    offer_credits,
    revenue_credit,
    touch_paths,
    workspace_attribution,
)
from livebase.config import AttributionSettings, PurchaseRules
from livebase.errors import InputError
from livebase.experiments.status import INSUFFICIENT, OK
from livebase.i18n import t
from tests.attribution.test_paths import order, put_messages
from tests.store_rows import put_orders

RULES = PurchaseRules()
PERIOD = {"start": dt.datetime(2025, 3, 1), "end": dt.datetime(2025, 4, 1), "rules": RULES}


def _paths(lengths: list[int], revenues: list[str] | None = None) -> pd.DataFrame:
    """Literal paths: order k has lengths[k] touchpoints at positions 0..n-1."""
    rows = []
    for k, n in enumerate(lengths):
        revenue = Decimal(revenues[k]) if revenues else Decimal("100.00")
        for pos in range(n):
            rows.append(
                {
                    "order_id": f"o{k}",
                    "channel": "email",
                    "revenue": revenue,
                    "position": pos,
                    "path_length": n,
                }
            )
    return pd.DataFrame(rows)


# --- credits on literal paths ---------------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
def test_a_single_touch_gets_all_the_credit(model):
    assert credit(_paths([1]), model).tolist() == [1.0]


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("last_click", [0.0, 1.0]),
        ("first_click", [1.0, 0.0]),
        ("linear", [0.5, 0.5]),
        ("position_based", [0.5, 0.5]),  # n = 2: half each
    ],
)
def test_two_touch_path(model, expected):
    assert credit(_paths([2]), model).tolist() == expected


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("last_click", [0, 0, 0, 1]),
        ("first_click", [1, 0, 0, 0]),
        ("linear", [0.25, 0.25, 0.25, 0.25]),
        # 0.4 first, 0.4 last, 0.2 / (4 - 2) = 0.1 for each of the two in between
        ("position_based", [0.4, 0.1, 0.1, 0.4]),
    ],
)
def test_four_touch_path(model, expected):
    assert credit(_paths([4]), model).tolist() == pytest.approx(expected, abs=1e-15)


def test_position_based_on_a_five_touch_path():
    # middle three share 0.2: 0.2 / 3 each
    got = credit(_paths([5]), "position_based").tolist()
    assert got == pytest.approx([0.4, 0.2 / 3, 0.2 / 3, 0.2 / 3, 0.4], abs=1e-15)


def test_credit_keeps_the_index_of_the_paths():
    paths = _paths([1, 2]).set_index(pd.Index([10, 11, 12]))
    assert credit(paths, "first_click").to_dict() == {10: 1.0, 11: 1.0, 12: 0.0}


def test_unknown_model_is_an_input_error():
    with pytest.raises(InputError, match="unknown attribution model 'data_driven'"):
        credit(_paths([2]), "data_driven")
    with pytest.raises(InputError, match="unknown attribution model"):
        revenue_credit(_paths([2]), "u_shaped")


def test_a_position_outside_its_path_is_an_input_error():
    bad = pd.DataFrame({"position": [0, 2], "path_length": [2, 2]})
    with pytest.raises(InputError, match="position 2 is outside a path of length 2"):
        credit(bad, "linear")


# --- revenue credits: exact to the kopeck ---------------------------------------------


def test_revenue_credit_rounds_by_largest_remainder():
    # 100.00 / 3 = 33.333…: floors 33.33 × 3 = 99.99, the missing kopeck goes to the
    # earliest of the equal remainders
    got = revenue_credit(_paths([3]), "linear").tolist()
    assert got == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    # position-based on 10.01 over 4: exact 4.004, 1.001, 1.001, 4.004; floors 4.00, 1.00,
    # 1.00, 4.00 = 10.00; remainders 0.4, 0.1, 0.1, 0.4 kopeck: the first wins the tie
    got = revenue_credit(_paths([4], ["10.01"]), "position_based").tolist()
    assert got == [Decimal("4.01"), Decimal("1.00"), Decimal("1.00"), Decimal("4.00")]
    # 0.02 over 3 linear: exact 0.00667 each; floors 0, leftover 2 kopecks to positions 0, 1
    got = revenue_credit(_paths([3], ["0.02"]), "linear").tolist()
    assert got == [Decimal("0.01"), Decimal("0.01"), Decimal("0.00")]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=15),
            st.integers(min_value=0, max_value=10**11),  # kopecks, up to 1e9 roubles
        ),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from(MODELS),
)
def test_credits_sum_to_one_and_revenue_exactly_per_order(orders, model):
    lengths = [n for n, _ in orders]
    revenues = [str(Decimal(k).scaleb(-2)) for _, k in orders]
    paths = _paths(lengths, revenues)
    shares = credit(paths, model)
    assert (shares >= 0).all()
    sums = shares.groupby(paths["order_id"]).sum()
    assert sums.tolist() == pytest.approx([1.0] * len(orders), abs=1e-12)
    money = revenue_credit(paths, model)
    per_order = money.groupby(paths["order_id"]).agg(lambda s: sum(s, Decimal(0)))
    assert per_order.to_dict() == {f"o{k}": Decimal(r) for k, r in enumerate(revenues)}
    # and each rounded share is within one kopeck of the exact credit × revenue
    exact = [c * float(r) for c, r in zip(shares, paths["revenue"], strict=True)]
    assert all(abs(float(m) - e) < 0.01 + 1e-6 * e for m, e in zip(money, exact, strict=True))


# --- attribution of a literal store ---------------------------------------------------


def _school(ws):
    """Four paid orders in March 2025, three with touch paths (hand-derived below).

    A 1000.00 on 10 Mar: email 2 Mar, sms 5 Mar, push 7 Mar, email 9 Mar (4 touches)
    B  300.00 on 15 Mar: sms 14 Mar (1 touch)
    C  500.00 on 20 Mar: push 18 Mar, messenger 19 Mar (2 touches)
    D  200.00 on 25 Mar: nothing (unattributed)
    E  700.00 on 20 Feb (before the period) with a click; F refunded in March.
    """
    put_orders(
        ws,
        [
            order("oA", "A", "2025-03-10 12:00", 1000),
            order("oB", "B", "2025-03-15 12:00", 300),
            order("oC", "C", "2025-03-20 12:00", 500),
            order("oD", "D", "2025-03-25 12:00", 200),
            order("oE", "E", "2025-02-20 12:00", 700),
            order("oF", "F", "2025-03-21 12:00", 900, status="refunded", refunded_amount=900),
        ],
    )
    put_messages(
        ws,
        [
            ("a1", "A", "2025-03-02 10:00", "email", "clicked"),
            ("a2", "A", "2025-03-05 10:00", "sms", "clicked"),
            ("a3", "A", "2025-03-07 10:00", "push", "clicked"),
            ("a4", "A", "2025-03-09 10:00", "email", "clicked"),
            ("b1", "B", "2025-03-14 10:00", "sms", "clicked"),
            ("c1", "C", "2025-03-18 10:00", "push", "clicked"),
            ("c2", "C", "2025-03-19 10:00", "messenger", "clicked"),
            ("e1", "E", "2025-02-19 10:00", "email", "clicked"),
            ("f1", "F", "2025-03-20 10:00", "sms", "clicked"),
        ],
    )


def _table(result: Attribution, model: str) -> dict[str, tuple[float, Decimal]]:
    return {c.channel: (round(c.orders, 12), c.revenue) for c in result.by_model(model)}


def test_attribution_of_a_literal_store(ws):
    _school(ws)
    result = attribute(ws.con, **PERIOD)
    assert result.status == OK
    assert result.reason is None
    # paid: A, B, C, D (E is before March, F refunded); attributed: A, B, C
    assert (result.orders_paid, result.orders_attributed) == (4, 3)
    assert result.revenue_paid == Decimal("2000.00")
    assert result.revenue_attributed == Decimal("1800.00")
    assert (result.orders_unattributed, result.revenue_unattributed) == (1, Decimal("200.00"))
    # every model × every channel seen, channels sorted
    assert [(c.model, c.channel) for c in result.credits] == [
        (m, ch) for m in MODELS for ch in ("email", "messenger", "push", "sms")
    ]
    # last click: A → email (second email), B → sms, C → messenger; push gets 0
    assert _table(result, "last_click") == {
        "email": (1.0, Decimal("1000.00")),
        "messenger": (1.0, Decimal("500.00")),
        "push": (0.0, Decimal("0.00")),
        "sms": (1.0, Decimal("300.00")),
    }
    # first click: A → email, B → sms, C → push
    assert _table(result, "first_click") == {
        "email": (1.0, Decimal("1000.00")),
        "messenger": (0.0, Decimal("0.00")),
        "push": (1.0, Decimal("500.00")),
        "sms": (1.0, Decimal("300.00")),
    }
    # linear: A 0.25 each (email twice = 0.5 = 500), B sms 1, C 0.5 push + 0.5 messenger
    assert _table(result, "linear") == {
        "email": (0.5, Decimal("500.00")),
        "messenger": (0.5, Decimal("250.00")),
        "push": (0.75, Decimal("500.00")),  # 250 (A) + 250 (C)
        "sms": (1.25, Decimal("550.00")),  # 250 (A) + 300 (B)
    }
    # position-based: A email 0.4 + 0.4, sms 0.1, push 0.1; B sms 1; C 0.5 / 0.5
    assert _table(result, "position_based") == {
        "email": (0.8, Decimal("800.00")),
        "messenger": (0.5, Decimal("250.00")),
        "push": (0.6, Decimal("350.00")),  # 100 (A) + 250 (C)
        "sms": (1.1, Decimal("400.00")),  # 100 (A) + 300 (B)
    }
    for model in MODELS:
        rows = result.by_model(model)
        assert sum(c.revenue for c in rows) == result.revenue_attributed
        assert sum(c.orders for c in rows) == pytest.approx(3.0)
    # assisted: email {A}, messenger {C}, push {A, C}, sms {A, B}; 4 paid, 3 attributed
    assisted = {
        a.channel: (a.orders, a.share_of_paid, a.share_of_attributed) for a in result.assisted
    }
    assert assisted == {
        "email": (1, 0.25, pytest.approx(1 / 3)),
        "messenger": (1, 0.25, pytest.approx(1 / 3)),
        "push": (2, 0.5, pytest.approx(2 / 3)),
        "sms": (2, 0.5, pytest.approx(2 / 3)),
    }


def test_channel_revenues_sum_exactly_when_shares_do_not_divide(ws):
    # 100.00 over email, push, sms (linear): 33.34 + 33.33 + 33.33 = 100.00
    put_orders(ws, [order("o1", "c1", "2025-03-10 12:00", 100)])
    put_messages(
        ws,
        [
            ("m1", "c1", "2025-03-07 10:00", "email", "clicked"),
            ("m2", "c1", "2025-03-08 10:00", "push", "clicked"),
            ("m3", "c1", "2025-03-09 10:00", "sms", "clicked"),
        ],
    )
    result = attribute(ws.con, **PERIOD)
    linear = {c.channel: c.revenue for c in result.by_model("linear")}
    assert linear == {"email": Decimal("33.34"), "push": Decimal("33.33"), "sms": Decimal("33.33")}
    assert sum(linear.values()) == result.revenue_attributed == Decimal("100.00")


def test_impression_only_path_is_unattributed_unless_view_through(ws):
    put_orders(ws, [order("o1", "c1", "2025-03-10 12:00", 400)])
    put_messages(
        ws,
        [
            ("v1", "c1", "2025-03-08 09:00", "retargeting", "impression", "k1"),
            ("v2", "c1", "2025-03-09 09:00", "retargeting", "impression", "k1"),
        ],
    )
    plain = attribute(ws.con, **PERIOD)
    assert (plain.status, plain.orders_paid, plain.orders_attributed) == (OK, 1, 0)
    assert plain.credits == ()
    assert plain.assisted == ()
    assert plain.revenue_attributed == Decimal("0.00")
    # with view-through: two views on two days; last click gives the whole 400 to retargeting
    seen = attribute(ws.con, **PERIOD, view_through=("retargeting",))
    assert seen.orders_attributed == 1
    assert _table(seen, "last_click") == {"retargeting": (1.0, Decimal("400.00"))}
    assert seen.view_through == ("retargeting",)


def test_wave_filter_and_offer_credits(ws):
    put_orders(
        ws,
        [
            order("o1", "c1", "2025-03-10 12:00", 100),
            order("o2", "c2", "2025-03-12 12:00", 60),
        ],
    )
    put_messages(
        ws,
        [
            ("e1", "c1", "2025-03-05 09:00", "email", "clicked", "k", "w1", "discount"),
            ("e2", "c1", "2025-03-08 09:00", "sms", "clicked", "k", "w1", "value"),
            ("e3", "c2", "2025-03-11 09:00", "push", "clicked", "k", "w2", "value"),
        ],
    )
    result = attribute(ws.con, **PERIOD, wave_id="w1")
    # both orders are paid in March; only o1 has a w1 touchpoint
    assert (result.orders_paid, result.orders_attributed) == (2, 1)
    assert result.revenue_attributed == Decimal("100.00")
    assert {a.channel: a.share_of_paid for a in result.assisted} == {"email": 0.5, "sms": 0.5}
    assert _table(result, "first_click") == {
        "email": (1.0, Decimal("100.00")),
        "sms": (0.0, Decimal("0.00")),
    }
    paths = touch_paths(ws.con, **PERIOD)
    offers = offer_credits(paths, "linear")
    # o1: email/discount 0.5 (50), sms/value 0.5 (50); o2: push/value 1 (60)
    assert offers.to_dict("records") == [
        {"channel": "email", "offer_type": "discount", "orders": 0.5, "revenue": Decimal("50.00")},
        {"channel": "push", "offer_type": "value", "orders": 1.0, "revenue": Decimal("60.00")},
        {"channel": "sms", "offer_type": "value", "orders": 0.5, "revenue": Decimal("50.00")},
    ]


def test_a_period_without_paid_orders_is_insufficient_data(ws):
    _school(ws)
    result = attribute(
        ws.con, start=dt.datetime(2025, 5, 1), end=dt.datetime(2025, 6, 1), rules=RULES
    )
    assert result.status == INSUFFICIENT == "insufficient_data"
    assert result.reason == "no_purchases"
    assert result.orders_paid == 0
    # no channel rows and no shares: nothing is made up
    assert result.credits == ()
    assert result.assisted == ()
    assert result.to_dict()["status"] == "insufficient_data"


def test_by_model_rejects_an_unknown_model(ws):
    _school(ws)
    with pytest.raises(InputError, match="unknown attribution model"):
        attribute(ws.con, **PERIOD).by_model("shapley")


def test_to_dict_is_json_ready(ws):
    _school(ws)
    data = attribute(ws.con, **PERIOD).to_dict()
    back = json.loads(json.dumps(data))
    assert back["start"] == "2025-03-01T00:00:00"
    assert back["revenue_paid"] == "2000.00"
    assert back["orders_unattributed"] == 1
    assert back["credits"][0] == {
        "model": "last_click",
        "channel": "email",
        "orders": 1.0,
        "revenue": "1000.00",
    }
    assert back["assisted"][0]["share_of_paid"] == 0.25


def test_workspace_attribution_reads_window_and_view_through_from_the_config(ws):
    put_orders(ws, [order("o1", "c1", "2025-03-10 12:00", 100)])
    put_messages(
        ws,
        [
            ("m1", "c1", "2025-03-01 10:00", "email", "clicked"),  # 9 days before
            ("v1", "c1", "2025-03-09 10:00", "retargeting", "impression", "k"),
        ],
    )
    period = {"start": PERIOD["start"], "end": PERIOD["end"]}
    # defaults: 14 days, no view-through → the email click only
    default = workspace_attribution(ws, **period)
    assert _table(default, "linear") == {"email": (1.0, Decimal("100.00"))}
    settings_ = AttributionSettings(window_days=3, view_through_channels=["retargeting"])
    ws.config = ws.config.model_copy(update={"attribution": settings_})
    # 3 days: the email click drops out, the retargeting view counts
    narrow = workspace_attribution(ws, **period)
    assert (narrow.window_days, narrow.view_through) == (3, ("retargeting",))
    assert _table(narrow, "linear") == {"retargeting": (1.0, Decimal("100.00"))}


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_every_model_and_kind_has_a_label(lang):
    assert len({t(f"attribution.model.{m}", lang) for m in MODELS}) == len(MODELS)
    assert t("attribution.kind.click", lang) != t("attribution.kind.view", lang)
