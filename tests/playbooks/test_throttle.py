import datetime as dt
import json

import pandas as pd
import pytest

from livebase.errors import InputError
from livebase.playbooks.throttle import check_throttle
from livebase.store.write import upsert

T = dt.datetime
W = "R90-2025-03-01"
NOW = T(2025, 3, 5, 12)
SENT_AT = T(2025, 3, 2)


def put_wave(ws, status="planned"):
    upsert(
        ws.con,
        "waves",
        pd.DataFrame(
            [
                {
                    "wave_id": W,
                    "playbook": "reactivation_r90",
                    "segment": "R90",
                    "starts_on": dt.date(2025, 3, 1),
                    "days": 14,
                    "status": status,
                    "seed": 1,
                    "as_of": dt.date(2025, 2, 28),
                    "arms": "control,value,holdout",
                    "weights": json.dumps({"control": 0.45, "value": 0.45, "holdout": 0.1}),
                }
            ]
        ),
    )


def put_messages(ws, *, sent, complained=(), unsubscribed=(), wave_id=W, ts=SENT_AT):
    """``sent`` e-mails to c0..c{sent-1}; ``complained`` / ``unsubscribed``: customer ids."""
    rows = [
        {"customer_id": f"c{i}", "event": "sent", "channel": "email", "ts": ts} for i in range(sent)
    ]
    for event, who in (("complained", complained), ("unsubscribed", unsubscribed)):
        rows += [{"customer_id": c, "event": event, "channel": "email", "ts": ts} for c in who]
    frame = pd.DataFrame(rows).assign(wave_id=wave_id)
    frame["event_id"] = [f"{wave_id}-{ts:%Y%m%d%H%M}-{i}" for i in range(len(frame))]
    upsert(ws.con, "messages", frame)


def put_touches(ws):
    rows = [
        # (customer, touch_no, planned_at, channel, purpose)
        ("c0", 1, T(2025, 3, 2, 7), "email", "marketing"),  # before now: stays
        ("c0", 2, T(2025, 3, 5, 12), "email", "marketing"),  # exactly now: removed
        ("c0", 3, T(2025, 3, 8, 7), "sms", "marketing"),  # removed
        ("c0", 4, T(2025, 3, 9, 7), "email", "service"),  # service: stays
        ("c1", 1, T(2025, 3, 10, 7), "messenger", "marketing"),  # removed
    ]
    upsert(
        ws.con,
        "touches",
        pd.DataFrame(
            [
                {
                    "wave_id": W,
                    "customer_id": c,
                    "touch_no": n,
                    "planned_at": at,
                    "channel": ch,
                    "pattern": "p",
                    "is_promo": p == "marketing",
                    "arm": "value",
                    "purpose": p,
                }
                for c, n, at, ch, p in rows
            ]
        ),
    )


def touches(ws):
    t = ws.table("touches").to_pandas()
    return sorted(zip(t.customer_id, t.touch_no, strict=True))


def wave_status(ws):
    return ws.table("waves").to_pandas().status.tolist()


@pytest.mark.parametrize(
    ("complained", "unsubscribed", "triggered", "reasons"),
    [
        (2, 0, True, ("complaints",)),  # 2 / 1000 = 0.2 % >= 0.1 %
        (1, 0, True, ("complaints",)),  # 1 / 1000 = 0.1 % >= 0.1 %: at the threshold
        (0, 5, False, ()),  # 5 / 1000 = 0.5 % is not > 0.5 %
        (0, 6, True, ("unsubscribes",)),  # 6 / 1000 = 0.6 % > 0.5 %
        (1, 6, True, ("complaints", "unsubscribes")),
        (0, 0, False, ()),
    ],
)
def test_thresholds(ws, complained, unsubscribed, triggered, reasons):
    put_wave(ws)
    put_messages(
        ws,
        sent=1000,
        complained=[f"c{i}" for i in range(complained)],
        unsubscribed=[f"c{500 + i}" for i in range(unsubscribed)],
    )
    put_touches(ws)
    r = check_throttle(ws, W, now=NOW)
    assert (r.sent, r.complaints, r.unsubscribes) == (1000, complained, unsubscribed)
    assert r.complaint_rate == pytest.approx(complained / 1000)
    assert r.unsubscribe_rate == pytest.approx(unsubscribed / 1000)
    assert (r.triggered, r.reasons) == (triggered, reasons)
    if triggered:
        assert (r.status, r.silenced) == ("throttled", 3)
        assert touches(ws) == [("c0", 1), ("c0", 4)]
        assert wave_status(ws) == ["throttled"]
    else:
        assert (r.status, r.silenced) == ("ok", 0)
        assert len(touches(ws)) == 5
        assert wave_status(ws) == ["planned"]
        assert ws.table("exclusions").count().execute() == 0


def test_exclusions_rows_and_idempotence(ws):
    put_wave(ws)
    # 3 complaints of 2 500 sent = 0.12 % >= 0.1 %; c1 complains twice and counts once;
    # a complaint after now and a complaint in another wave do not count
    put_messages(ws, sent=2500, complained=["c0", "c1", "c2", "c1"])
    put_messages(ws, sent=0, complained=["c3"], ts=T(2025, 3, 6))
    put_messages(ws, sent=10, complained=["c4"], wave_id="other")
    put_touches(ws)
    r = check_throttle(ws, W, now=NOW)
    assert (r.sent, r.complaints, r.triggered, r.silenced) == (2500, 3, True, 3)
    assert r.complaint_rate == pytest.approx(0.0012)
    ex = ws.table("exclusions").to_pandas().sort_values(["customer_id", "touch_no"])
    detail = "complaints 0.12% of 2,500 sent ≥ 0.10%"
    assert ex.drop(columns=["moved_to"]).to_dict("records") == [
        {
            "wave_id": W,
            "customer_id": "c0",
            "touch_no": 2,
            "reason_code": "auto_throttle",
            "detail": detail,
            "action": "removed",
            "channel": "email",
            "planned_at": pd.Timestamp(2025, 3, 5, 12),
            "decided_at": pd.Timestamp(NOW),
        },
        {
            "wave_id": W,
            "customer_id": "c0",
            "touch_no": 3,
            "reason_code": "auto_throttle",
            "detail": detail,
            "action": "removed",
            "channel": "sms",
            "planned_at": pd.Timestamp(2025, 3, 8, 7),
            "decided_at": pd.Timestamp(NOW),
        },
        {
            "wave_id": W,
            "customer_id": "c1",
            "touch_no": 1,
            "reason_code": "auto_throttle",
            "detail": detail,
            "action": "removed",
            "channel": "messenger",
            "planned_at": pd.Timestamp(2025, 3, 10, 7),
            "decided_at": pd.Timestamp(NOW),
        },
    ]
    assert ex.moved_to.isna().all()
    # the other wave columns are kept
    wave = ws.table("waves").to_pandas().iloc[0]
    assert (wave.status, wave.seed, wave.days) == ("throttled", 1, 14)

    again = check_throttle(ws, W, now=NOW + dt.timedelta(hours=1))
    assert (again.status, again.triggered, again.silenced) == ("throttled", True, 0)
    assert ws.table("exclusions").count().execute() == 3
    assert touches(ws) == [("c0", 1), ("c0", 4)]
    assert wave_status(ws) == ["throttled"]


def test_already_throttled_wave_stays_silent(ws):
    # throttled earlier; touches planned again later are removed even below the threshold
    put_wave(ws, status="throttled")
    put_messages(ws, sent=1000)
    put_touches(ws)
    r = check_throttle(ws, W, now=NOW)
    assert (r.triggered, r.status, r.silenced) == (False, "throttled", 3)
    assert touches(ws) == [("c0", 1), ("c0", 4)]
    assert set(ws.table("exclusions").to_pandas().detail) == {"wave already throttled"}


def test_thresholds_override(ws):
    put_wave(ws)
    put_messages(ws, sent=1000, complained=["c0"])
    # 1 / 1000 = 0.1 % < 0.2 %
    r = check_throttle(ws, W, now=NOW, complaint_rate=0.002)
    assert (r.triggered, r.status, r.complaint_threshold) == (False, "ok", 0.002)
    with pytest.raises(InputError):
        check_throttle(ws, W, now=NOW, unsubscribe_rate=0)


def test_nothing_sent_and_unknown_wave(ws):
    put_wave(ws)
    put_touches(ws)
    put_messages(ws, sent=0, complained=["c0"])  # a complaint but nothing sent before now
    put_messages(ws, sent=5, ts=T(2025, 3, 6))  # sent after now
    r = check_throttle(ws, W, now=NOW)
    assert (r.status, r.sent, r.complaint_rate, r.unsubscribe_rate) == (
        "insufficient_data",
        0,
        None,
        None,
    )
    assert (r.triggered, r.silenced) == (False, 0)
    assert len(touches(ws)) == 5
    assert wave_status(ws) == ["planned"]
    with pytest.raises(InputError, match="no wave"):
        check_throttle(ws, "nope", now=NOW)
