"""export_wave on a hand-built store: every file read back and checked row by row.

Wave W-T-20250512, planned on 10 May 2025, exported at now = 14 May 2025 12:00 UTC; the
workspace is in Europe/Moscow (UTC+3), c2 in Asia/Yekaterinburg (UTC+5). Every customer
granted marketing consent on every channel on 1 May.

====  =====  ============================  ==========================  =================
arm   who    touch                         facts                       state
====  =====  ============================  ==========================  =================
ctl   c1     #1 email 12.05 07:00          email, phone                exported
ctl   c1     #101 sms 12.05 19:00 cascade  clicked the e-mail 10:00    condition_not_met
ctl   c1     #2 call 14.05 09:00 interest  clicked 12.05 10:00         exported
ctl   c1     #3 retargeting 12.05–18.05    email + phone               exported
ctl   c1     #10 email service 18.05 16:00 48 h before the webinar     exported
ctl   c3     #1 email 12.05 07:00          no e-mail                   no_contact
ctl   c3     #101 sms 12.05 19:00 cascade  never opened                exported
ctl   c3     #2 call 14.05 09:00 interest  no click, due               condition_not_met
ctl   c3     #4 call 16.05 09:00 interest  no click, not due           pending
ctl   c3     #3 retargeting                phone only                  exported
val   c2     #1 email 12.05 07:00 promo    name "=HYPERLINK(...)"      exported
val   c2     #5 messenger 13.05 12:00      registered 13.05 09:00      exported
val   c2     #2 call 15.05 08:00           no condition, offer         exported
val   c2     #6 messenger 16.05 no_inter.  not due (a click may come)  pending
val   c2     #10 sms service 19.05 16:00   complained on sms 13.05     complained
val   c4     #1 email 12.05 07:00          unsubscribed 11.05          unsubscribed
val   c4     #3 retargeting, 3 a day       email only                  exported
val   c4     #10 email service 20.05 14:00 unsubscribed: service goes  exported
val   c6     #1 email 12.05 07:00          withdrew e-mail 11.05       consent_withdrawn
val   c6     #2 push 12.05 15:00           push needs no address       exported
====  =====  ============================  ==========================  =================

c5 is in the holdout and has no touches. The webinar web-1 starts 20.05 16:00 UTC.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from decimal import Decimal

import pandas as pd
import pytest
from openpyxl import load_workbook

from livebase.errors import InputError
from livebase.exports import WebinarInfo, export_wave
from livebase.store.workspace import Workspace
from livebase.store.write import upsert

T = dt.datetime
WAVE = "W-T-20250512"
NOW = T(2025, 5, 14, 12)
DEADLINE = T(2025, 5, 20, 20, 59, 59)
WEBINAR = WebinarInfo(
    id="web-1",
    title="Продажи без слива",
    starts_at=T(2025, 5, 20, 16),
    minutes=90,
    url="https://example.com/web-1",
)
EVIL = '=HYPERLINK("x")'


def _touch(customer, no, at, channel, arm, **kw):
    row = {
        "wave_id": WAVE,
        "customer_id": customer,
        "touch_no": no,
        "planned_at": at,
        "channel": channel,
        "arm": arm,
        "pattern": kw.pop("pattern", "goal_result"),
        "is_promo": kw.pop("is_promo", False),
        "purpose": kw.pop("purpose", "marketing"),
    }
    if row["purpose"] == "marketing":
        row["deadline"] = DEADLINE
    row.update(kw)
    return row


def _build(ws) -> None:
    # orders first: put_orders-like rows would otherwise replace the customers
    upsert(
        ws.con,
        "orders",
        pd.DataFrame(
            [
                {
                    "order_id": "o1",
                    "customer_id": "c1",
                    "created_at": T(2025, 1, 15, 10),
                    "paid_at": T(2025, 1, 15, 10),
                    "amount": Decimal("2900"),
                    "refunded_amount": Decimal("0"),
                    "status": "paid",
                    "category": "course",
                    "currency": "RUB",
                }
            ]
        ),
    )
    upsert(
        ws.con,
        "customers",
        pd.DataFrame(
            [
                ("c1", "Anna@Mail.ru", "+79161234567", "Анна", None),
                ("c2", "b@x.ru", "+79160000002", EVIL, "Asia/Yekaterinburg"),
                ("c3", None, "+79160000003", "Вера", None),
                ("c4", "d@x.ru", None, "-Dmitry", None),
                ("c5", "h@x.ru", "+79160000005", "Холд", None),
                ("c6", "e@x.ru", "+79160000006", "Егор", None),
            ],
            columns=["customer_id", "email", "phone", "name", "timezone"],
        ),
    )
    upsert(
        ws.con,
        "waves",
        pd.DataFrame(
            [
                {
                    "wave_id": WAVE,
                    "playbook": "test",
                    "segment": "R90",
                    "starts_on": dt.date(2025, 5, 12),
                    "days": 14,
                    "status": "planned",
                    "seed": 1,
                    "as_of": dt.date(2025, 5, 10),
                    "arms": "control,value,holdout",
                    "weights": json.dumps({"control": 0.45, "value": 0.45, "holdout": 0.1}),
                }
            ]
        ),
    )
    arms = {"c1": "control", "c3": "control", "c2": "value", "c4": "value", "c6": "value"}
    upsert(
        ws.con,
        "assignments",
        pd.DataFrame(
            [{"wave_id": WAVE, "customer_id": c, "arm": a} for c, a in arms.items()]
            + [{"wave_id": WAVE, "customer_id": "c5", "arm": "holdout"}]
        ),
    )
    email_at, sms_at = T(2025, 5, 12, 7), T(2025, 5, 12, 19)
    rt = {"ends_at": T(2025, 5, 18, 20, 59, 59), "pattern": "course_updates"}
    touches = [
        _touch("c1", 1, email_at, "email", "control"),
        _touch("c1", 101, sms_at, "sms", "control", condition="email_unopened"),
        _touch("c1", 2, T(2025, 5, 14, 9), "call", "control", condition="interest"),
        _touch("c1", 3, T(2025, 5, 12), "retargeting", "control", frequency=2, **rt),
        _touch("c1", 10, T(2025, 5, 18, 16), "email", "control", **_reminder()),
        _touch("c3", 1, email_at, "email", "control"),
        _touch("c3", 101, sms_at, "sms", "control", condition="email_unopened"),
        _touch("c3", 2, T(2025, 5, 14, 9), "call", "control", condition="interest"),
        _touch("c3", 4, T(2025, 5, 16, 9), "call", "control", condition="interest"),
        _touch("c3", 3, T(2025, 5, 12), "retargeting", "control", frequency=2, **rt),
        _touch("c2", 1, email_at, "email", "value", is_promo=True, offer="bonus_audit"),
        _touch(
            "c2",
            5,
            T(2025, 5, 13, 12),
            "messenger",
            "value",
            condition="registered",
            pattern="event_invite",
        ),
        _touch("c2", 2, T(2025, 5, 15, 8), "call", "value", offer="bonus_audit", is_promo=True),
        _touch("c2", 6, T(2025, 5, 16, 10), "messenger", "value", condition="no_interest"),
        _touch("c2", 10, T(2025, 5, 19, 16), "sms", "value", **_reminder()),
        _touch("c4", 1, email_at, "email", "value"),
        _touch("c4", 3, T(2025, 5, 12), "retargeting", "value", frequency=3, **rt),
        _touch("c4", 10, T(2025, 5, 20, 14), "email", "value", **_reminder()),
        _touch("c6", 1, email_at, "email", "value"),
        _touch("c6", 2, T(2025, 5, 12, 15), "push", "value", pattern="short_format"),
    ]
    upsert(ws.con, "touches", pd.DataFrame(touches))
    channels = ("email", "sms", "messenger", "push", "call", "retargeting")
    consents = [
        {
            "customer_id": c,
            "channel": ch,
            "purpose": "marketing",
            "granted": True,
            "ts": T(2025, 5, 1),
        }
        for c in ("c1", "c2", "c3", "c4", "c5", "c6")
        for ch in channels
    ]
    consents.append(
        {
            "customer_id": "c6",
            "channel": "email",
            "purpose": "marketing",
            "granted": False,
            "ts": T(2025, 5, 11),
        }
    )
    upsert(ws.con, "consents", pd.DataFrame(consents))
    msg = [
        ("m1", "c1", T(2025, 5, 12, 9), "email", "opened", WAVE),
        ("m2", "c1", T(2025, 5, 12, 10), "email", "clicked", WAVE),
        ("m3", "c4", T(2025, 5, 11, 10), "email", "unsubscribed", None),
        ("m4", "c2", T(2025, 5, 13, 8), "sms", "complained", WAVE),
    ]
    upsert(
        ws.con,
        "messages",
        pd.DataFrame(msg, columns=["event_id", "customer_id", "ts", "channel", "event", "wave_id"]),
    )
    upsert(
        ws.con,
        "activities",
        pd.DataFrame(
            [
                {
                    "event_id": "a1",
                    "customer_id": "c2",
                    "ts": T(2025, 5, 13, 9),
                    "kind": "webinar_registered",
                    "lesson_id": "web-1",
                }
            ]
        ),
    )
    upsert(
        ws.con,
        "segments",
        pd.DataFrame(
            [
                {
                    "as_of": dt.date(2025, 5, 10),
                    "version": "monetary",
                    "customer_id": "c1",
                    "segment": "sleeping_warm",
                }
            ]
        ),
    )


def _reminder() -> dict:
    return {"purpose": "service", "pattern": "event_invite"}


def _read(path) -> list[list[str]]:
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # plain UTF-8, no BOM
    return list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _export(ws, root):
    _build(ws)
    result = export_wave(ws, WAVE, root / "exports", now=NOW, webinar=WEBINAR)
    return ws, root / "exports" / WAVE, result


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One export read by the tests that only look (the store is built once)."""
    root = tmp_path_factory.mktemp("export")
    ws = Workspace.init(root / "school", school="Test school")
    yield _export(ws, root)
    ws.close()


@pytest.fixture
def exported(ws, tmp_path):
    """An export of its own, for the tests that change the store or run again."""
    return _export(ws, tmp_path)


ESP = ["send_at", "send_at_local", "pattern", "offer", "deadline", "touch_no"]


def test_esp_files(shared):
    _, folder, _ = shared
    dl = "2025-05-20T20:59:59Z"
    assert _read(folder / "email-control.csv") == [
        ["customer_id", "email", "name", *ESP],
        # 07:00 UTC is 10:00 in Moscow; c3 has no e-mail; #10 is the 48 h reminder
        [
            "c1",
            "Anna@Mail.ru",
            "Анна",
            "2025-05-12T07:00:00Z",
            "2025-05-12 10:00",
            "goal_result",
            "",
            dl,
            "1",
        ],
        [
            "c1",
            "Anna@Mail.ru",
            "Анна",
            "2025-05-18T16:00:00Z",
            "2025-05-18 19:00",
            "event_invite",
            "",
            "",
            "10",
        ],
    ]
    assert _read(folder / "email-value.csv") == [
        ["customer_id", "email", "name", *ESP],
        # c2 lives in Yekaterinburg (UTC+5); the name is defused, the address is not
        [
            "c2",
            "b@x.ru",
            "'" + EVIL,
            "2025-05-12T07:00:00Z",
            "2025-05-12 12:00",
            "goal_result",
            "bonus_audit",
            dl,
            "1",
        ],
        # c4 unsubscribed from e-mail marketing: #1 removed, the service reminder goes
        [
            "c4",
            "d@x.ru",
            "'-Dmitry",
            "2025-05-20T14:00:00Z",
            "2025-05-20 17:00",
            "event_invite",
            "",
            "",
            "10",
        ],
    ]
    assert _read(folder / "sms-control.csv") == [
        ["customer_id", "phone", "name", *ESP],
        # c3 never opened the e-mail: the cascade goes; c1 clicked it: it does not
        [
            "c3",
            "+79160000003",
            "Вера",
            "2025-05-12T19:00:00Z",
            "2025-05-12 22:00",
            "goal_result",
            "",
            dl,
            "101",
        ],
    ]
    # c2's only sms is a reminder stopped by a complaint: header only
    assert _read(folder / "sms-value.csv") == [["customer_id", "phone", "name", *ESP]]
    assert _read(folder / "messenger-value.csv") == [
        ["customer_id", "phone", "name", *ESP],
        [
            "c2",
            "+79160000002",
            "'" + EVIL,
            "2025-05-13T12:00:00Z",
            "2025-05-13 17:00",
            "event_invite",
            "",
            dl,
            "5",
        ],
    ]
    # push: no contact and no name, the app knows the customer by id (SPEC F7.3)
    assert _read(folder / "push-value.csv") == [
        ["customer_id", *ESP],
        ["c6", "2025-05-12T15:00:00Z", "2025-05-12 18:00", "short_format", "", dl, "2"],
    ]
    for absent in ("messenger-control.csv", "push-control.csv"):
        assert not (folder / absent).exists()
    assert not any("holdout" in p.name for p in folder.iterdir())


def test_retargeting(shared):
    _, folder, result = shared
    header = ["email_sha256", "phone_sha256"]
    control = sorted([[_sha("anna@mail.ru"), _sha("79161234567")], ["", _sha("79160000003")]])
    assert _read(folder / "retargeting-control.csv") == [header, *control]
    assert _read(folder / "retargeting-value.csv") == [header, [_sha("d@x.ru"), ""]]
    text = (folder / "retargeting-control.csv").read_text(encoding="utf-8")
    assert "c1" not in text
    assert "Анна" not in text
    span = {"starts_at": "2025-05-12T00:00:00Z", "ends_at": "2025-05-18T20:59:59Z"}
    assert result.retargeting == {
        "control": {**span, "frequency": 2, "customers": 2},
        "value": {**span, "frequency": 3, "customers": 1},
    }


def test_call_lists(shared):
    _, folder, _ = shared
    header = ["customer_id", "name", "phone", "call_on", "reason", "segment", "last_purchase"]
    control = [
        "c1",
        "Анна",
        "+79161234567",
        "14.05.2025",  # 09:00 UTC = 12:00 in Moscow
        "переход по ссылке из письма волны 12.05.2025",
        "Спящие: тёплые (R90–179)",
        "15.01.2025",
    ]
    value = [
        "c2",
        "'" + EVIL,
        "+79160000002",
        "15.05.2025",
        f"звонок по плану волны {WAVE} — предложение: bonus_audit",
        "",
        "",
    ]
    assert _read(folder / "calls-control.csv") == [header, control]
    assert _read(folder / "calls-value.csv") == [header, value]
    wb = load_workbook(folder / "calls.xlsx")
    assert wb.sheetnames == ["control", "value"]
    sheet = wb["control"]
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert cells[0] == [
        "ID клиента",
        "Имя",
        "Телефон",
        "Дата звонка",
        "Причина звонка",
        "Сегмент",
        "Последняя покупка",
    ]
    assert cells[1] == control
    assert all(c.font.bold for c in sheet[1])
    assert sheet.column_dimensions["E"].width == len(control[4]) + 2
    value_cells = [c.value for c in wb["value"][2]]
    # a string starting with "=" would be a formula in openpyxl: it is defused
    assert value_cells[1] == "'" + EVIL
    assert value_cells[5:] == [None, None]


def test_webinar_files(shared):
    _, folder, _ = shared
    head = ["customer_id", "name", "channel", "contact", "send_at", "send_at_local"]
    head += ["pattern", "offer", "touch_no"]
    assert _read(folder / "webinar-invitations-control.csv") == [
        head,
        [
            "c1",
            "Анна",
            "email",
            "Anna@Mail.ru",
            "2025-05-12T07:00:00Z",
            "2025-05-12 10:00",
            "goal_result",
            "",
            "1",
        ],
        [
            "c3",
            "Вера",
            "sms",
            "+79160000003",
            "2025-05-12T19:00:00Z",
            "2025-05-12 22:00",
            "goal_result",
            "",
            "101",
        ],
    ]
    assert _read(folder / "webinar-invitations-value.csv") == [
        head,
        [
            "c2",
            "'" + EVIL,
            "email",
            "b@x.ru",
            "2025-05-12T07:00:00Z",
            "2025-05-12 12:00",
            "goal_result",
            "bonus_audit",
            "1",
        ],
        [  # push: no contact and no name (the app knows the customer by id)
            "c6",
            "",
            "push",
            "",
            "2025-05-12T15:00:00Z",
            "2025-05-12 18:00",
            "short_format",
            "",
            "2",
        ],
        [
            "c2",
            "'" + EVIL,
            "messenger",
            "+79160000002",
            "2025-05-13T12:00:00Z",
            "2025-05-13 17:00",
            "event_invite",
            "",
            "5",
        ],
    ]
    assert _read(folder / "webinar-reminders.csv") == [
        [
            "customer_id",
            "name",
            "channel",
            "contact",
            "remind_at",
            "remind_at_local",
            "hours_before",
            "pattern",
            "touch_no",
        ],
        [
            "c1",
            "Анна",
            "email",
            "Anna@Mail.ru",
            "2025-05-18T16:00:00Z",
            "2025-05-18 19:00",
            "48",
            "event_invite",
            "10",
        ],
        [
            "c4",
            "'-Dmitry",
            "email",
            "d@x.ru",
            "2025-05-20T14:00:00Z",
            "2025-05-20 17:00",
            "2",
            "event_invite",
            "10",
        ],
    ]
    ics = (folder / "webinar.ics").read_bytes()
    assert b"TRIGGER:-PT48H\r\n" in ics
    assert b"TRIGGER:-PT24H\r\n" in ics
    assert b"TRIGGER:-PT2H\r\n" in ics
    assert b"UID:web-1@livebase\r\n" in ics


def test_left_out_pending_and_exclusions(shared):
    ws, folder, result = shared
    assert result.pending == 2  # c3 #4, c2 #6
    assert result.left_out == {
        "complained": 1,
        "condition_not_met": 2,
        "consent_withdrawn": 1,
        "no_contact": 1,
        "unsubscribed": 1,
    }
    got = (
        ws.table("exclusions")
        .to_pandas()
        .sort_values(["customer_id", "touch_no"])[
            ["customer_id", "touch_no", "reason_code", "action", "channel", "planned_at"]
        ]
        .values.tolist()
    )
    assert got == [
        ["c2", 10, "complained", "removed", "sms", pd.Timestamp(2025, 5, 19, 16)],
        ["c3", 1, "no_contact", "removed", "email", pd.Timestamp(2025, 5, 12, 7)],
        ["c4", 1, "unsubscribed", "removed", "email", pd.Timestamp(2025, 5, 12, 7)],
        ["c6", 1, "consent_withdrawn", "removed", "email", pd.Timestamp(2025, 5, 12, 7)],
    ]
    assert set(ws.table("exclusions").decided_at.to_pandas()) == {pd.Timestamp(NOW)}
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["left_out"] == result.left_out
    assert manifest["pending"] == 2
    assert manifest["now"] == "2025-05-14T12:00:00Z"
    assert manifest["retargeting"] == result.retargeting
    files = {f["path"]: (f["kind"], f["channel"], f["arm"], f["rows"]) for f in manifest["files"]}
    assert files == {
        "email-control.csv": ("esp", "email", "control", 2),
        "email-value.csv": ("esp", "email", "value", 2),
        "messenger-value.csv": ("esp", "messenger", "value", 1),
        "sms-control.csv": ("esp", "sms", "control", 1),
        "sms-value.csv": ("esp", "sms", "value", 0),
        "push-value.csv": ("esp", "push", "value", 1),
        "retargeting-control.csv": ("retargeting", "retargeting", "control", 2),
        "retargeting-value.csv": ("retargeting", "retargeting", "value", 1),
        "calls-control.csv": ("calls", "call", "control", 1),
        "calls-value.csv": ("calls", "call", "value", 1),
        "calls.xlsx": ("calls_xlsx", "call", None, 2),
        "webinar-invitations-control.csv": ("webinar_invitations", None, "control", 2),
        "webinar-invitations-value.csv": ("webinar_invitations", None, "value", 3),
        "webinar-reminders.csv": ("webinar_reminders", None, None, 2),
        "webinar.ics": ("ics", None, None, 1),
    }
    assert [(f.path.name, f.rows) for f in result.files] == [
        (f["path"], f["rows"]) for f in manifest["files"]
    ]


def test_rerun_is_idempotent(exported):
    ws, folder, first = exported
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    again = export_wave(ws, WAVE, folder.parent, now=NOW, webinar=WEBINAR)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert (again.left_out, again.pending) == (first.left_out, first.pending)
    assert ws.table("exclusions").count().execute() == 4
    # a later run keeps the first decision time of a removal
    export_wave(ws, WAVE, folder.parent, now=NOW + dt.timedelta(hours=1), webinar=WEBINAR)
    assert set(ws.table("exclusions").decided_at.to_pandas()) == {pd.Timestamp(NOW)}


def test_pending_touch_goes_once_decided(exported):
    ws, folder, _ = exported
    # c3 clicks the wave's sms on 15 May: the call of 16 May (#4) now holds
    upsert(
        ws.con,
        "messages",
        pd.DataFrame(
            [
                {
                    "event_id": "m9",
                    "customer_id": "c3",
                    "ts": T(2025, 5, 15, 8),
                    "channel": "sms",
                    "event": "clicked",
                    "wave_id": WAVE,
                }
            ]
        ),
    )
    later = export_wave(ws, WAVE, folder.parent, now=T(2025, 5, 15, 12), webinar=WEBINAR)
    assert later.pending == 1  # c2 #6 (no_interest) waits for its time
    rows = _read(folder / "calls-control.csv")
    assert [r[0] for r in rows[1:]] == ["c1", "c3"]
    assert rows[2][4] == "переход по ссылке из SMS волны 15.05.2025"


def test_registered_condition_needs_the_webinar(ws, tmp_path):
    _build(ws)
    with pytest.raises(InputError, match="registered"):
        export_wave(ws, WAVE, tmp_path, now=NOW)
    assert ws.table("exclusions").count().execute() == 0


def test_holdout_touch_is_an_error(ws, tmp_path):
    _build(ws)
    upsert(
        ws.con,
        "touches",
        pd.DataFrame([_touch("c5", 1, T(2025, 5, 12, 7), "email", "control")]),
    )
    with pytest.raises(InputError, match="holdout"):
        export_wave(ws, WAVE, tmp_path, now=NOW, webinar=WEBINAR)


def test_unknown_wave(ws, tmp_path):
    with pytest.raises(InputError, match="no wave"):
        export_wave(ws, "W-NONE", tmp_path, now=NOW)


def test_files_of_an_earlier_run_are_removed(exported):
    ws, folder, _ = exported
    # the value arm's call is taken out of the plan: its list goes, the workbook shrinks
    ws.con.raw_sql("DELETE FROM touches WHERE channel = 'call' AND arm = 'value'")
    result = export_wave(ws, WAVE, folder.parent, now=NOW, webinar=WEBINAR)
    assert not (folder / "calls-value.csv").exists()
    assert load_workbook(folder / "calls.xlsx").sheetnames == ["control"]
    on_disk = {p.name for p in folder.iterdir()} - {"manifest.json"}
    assert on_disk == {f.path.name for f in result.files}


def test_unknown_time_zone(ws, tmp_path):
    _build(ws)
    ws.con.raw_sql("UPDATE customers SET timezone = 'Mars/Olympus' WHERE customer_id = 'c3'")
    with pytest.raises(InputError, match="customer 'c3': unknown time zone 'Mars/Olympus'"):
        export_wave(ws, WAVE, tmp_path, now=NOW, webinar=WEBINAR)


@pytest.mark.parametrize("wave_id", ["../W", ".hidden", "W/1", ""])
def test_wave_id_must_name_a_folder_safely(ws, tmp_path, wave_id):
    with pytest.raises(InputError, match="cannot name an export file"):
        export_wave(ws, wave_id, tmp_path, now=NOW)
