from livebase.ingest.pipeline import import_file
from tests.conftest import write_csv


def test_esp_events(ws, tmp_path):
    path = write_csv(
        tmp_path / "esp.csv",
        "email,event,timestamp,campaign,bounce_type\n"
        "Anna@x.ru,sent,2025-05-06T09:00:00Z,lb:W-R90-20250506:value:1,\n"
        "anna@x.ru,open,2025-05-06T10:00:00Z,lb:W-R90-20250506:value:1,\n"
        "anna@x.ru,open,2025-05-06T10:00:00Z,lb:W-R90-20250506:value:1,\n"
        "b@x.ru,bounce,2025-05-06T09:01:00Z,news-05,hard\n"
        "c@x.ru,bounce,2025-05-06T09:01:00Z,news-05,\n"
        "d@x.ru,spam,2025-05-06T09:05:00Z,news-05,\n"
        "e@x.ru,teleport,2025-05-06T09:05:00Z,news-05,\n"
        "f@x.ru,click,not-a-date,news-05,\n",
    )
    result = import_file(ws, path, "esp-events")
    assert (result.rows_in, result.rows_loaded, result.rows_rejected) == (8, 5, 3)
    m = ws.table("messages").order_by(["ts", "event"]).to_pandas()
    assert sorted(m.event) == ["bounced_hard", "bounced_soft", "complained", "opened", "sent"]
    value = m[m.campaign_id == "lb:W-R90-20250506:value:1"]
    assert set(value.wave_id) == {"W-R90-20250506"}
    assert set(value.arm) == {"value"}
    assert set(value.touch_id) == {"1"}
    assert set(m.channel) == {"email"}
    reasons = ws.table("rejects").order_by("line").to_pandas().reason.tolist()
    assert reasons == [
        "duplicate of line 3",
        "unknown event: 'teleport'",
        "not a date: 'not-a-date'",
    ]
    # ESP recipients unknown to the store become email-only customers
    assert ws.table("customers").count().execute() == 4
