"""The shipped ``nps`` and ``costs`` mappings: NPS answers and wave costs from CSV."""

import datetime as dt
from decimal import Decimal

from livebase.ingest.pipeline import import_file
from livebase.ingest.presets import preset_names
from tests.conftest import write_csv

NPS = (
    "user_id,email,ts,score\n"
    "101,anna@example.ru,2025-06-01 10:00,9\n"  # line 2: a promoter
    "102,,2025-06-01 11:00,0\n"  # line 3: 0 is a valid score
    ",boris@example.ru,2025-06-02 09:30, 10 \n"  # line 4: spaces around are fine
    "104,vera@example.ru,2025-06-02 10:00,11\n"  # line 5: above 10
    "105,gleb@example.ru,2025-06-02 10:05,abc\n"  # line 6: not a number
    "106,dina@example.ru,2025-06-02 10:10,7.5\n"  # line 7: not a whole number
    "107,egor@example.ru,2025-06-02 10:15,\n"  # line 8: no score
    "108,zoya@example.ru,yesterday,8\n"  # line 9: not a date
    ",,2025-06-02 10:20,8\n"  # line 10: nobody
)


def test_presets_listed():
    names = preset_names()
    assert "nps" in names
    assert "costs" in names


def test_nps_answers_and_rejects(ws, tmp_path):
    result = import_file(ws, write_csv(tmp_path / "nps.csv", NPS), "nps")
    assert (result.rows_in, result.rows_loaded, result.rows_rejected) == (9, 3, 6)
    rows = ws.table("nps_responses").order_by("ts").to_pandas()
    assert rows["score"].tolist() == [9, 0, 10]
    assert rows["ts"].tolist()[0] == dt.datetime(2025, 6, 1, 10, 0)
    assert rows["customer_id"].notna().all()
    rejects = ws.table("rejects").order_by("line").to_pandas()
    assert rejects["line"].tolist() == [5, 6, 7, 8, 9, 10]
    # every bad score names the score column and says what a score is
    for line in (5, 6, 7, 8):
        reject = rejects[rejects["line"] == line].iloc[0]
        assert reject["column"] == "score"
        assert "not a score from 0 to 10" in reject["reason"]
    date = rejects[rejects["line"] == 9].iloc[0]
    assert (date["column"], date["value"]) == ("ts", "yesterday")
    assert "not a date" in date["reason"]
    assert rejects[rejects["line"] == 10].iloc[0]["reason"].startswith("no customer")


COSTS = (
    "date;wave_id;channel;kind;amount\n"
    "06.05.2025;W-R90-20250506;retargeting;ads;210 000,00\n"
    "06.05.2025;W-R90-20250506;email;esp;18 000\n"
    "07.05.2025;W-R90-20250506;production;bonuses;40000\n"
    "07.05.2025;W-R90-20250506;email;esp;-5\n"  # line 5: a negative cost
    "someday;W-R90-20250506;email;esp;100\n"  # line 6: not a date
    "08.05.2025;W-R90-20250506;email;esp;много\n"  # line 7: not an amount
)


def test_costs_import_and_reimport(ws, tmp_path):
    result = import_file(ws, write_csv(tmp_path / "costs.csv", COSTS), "costs")
    assert (result.rows_in, result.rows_loaded, result.rows_rejected) == (6, 3, 3)
    costs = ws.table("costs").order_by(["date", "channel"]).to_pandas()
    assert costs["amount"].tolist() == [
        Decimal("18000.00"),
        Decimal("210000.00"),
        Decimal("40000.00"),
    ]
    # seed 000's marketing costs: 210 000 + 18 000 + 40 000 = 268 000
    assert sum(costs["amount"]) == Decimal("268000.00")
    assert min(ws.table("costs").date.to_pyarrow().to_pylist()) == dt.date(2025, 5, 6)
    rejects = ws.table("rejects").order_by("line").to_pandas()
    assert rejects[["line", "column"]].values.tolist() == [
        [5, "amount"],
        [6, "date"],
        [7, "amount"],
    ]
    assert rejects["reason"].iloc[0] == "negative amount: -5.00"
    # a corrected file replaces the amount of a known (date, wave, channel, kind)
    fixed = COSTS.splitlines()[0] + "\n06.05.2025;W-R90-20250506;email;esp;19 500\n"
    again = import_file(ws, write_csv(tmp_path / "costs2.csv", fixed), "costs")
    assert (again.rows_new, again.rows_updated) == (0, 1)
    total = ws.table("costs").amount.sum().to_pyarrow().as_py()
    assert total == Decimal("269500.00")  # 268 000 − 18 000 + 19 500


def test_costs_without_a_wave_are_not_doubled_by_a_reimport(ws, tmp_path):
    # production costs outside any wave leave wave_id empty: a NULL in the natural key
    text = (
        "date;wave_id;channel;kind;amount\n"
        "07.05.2025;;production;bonuses;40000\n"
        "06.05.2025;W-R90-20250506;email;esp;18 000\n"
    )
    first = import_file(ws, write_csv(tmp_path / "costs.csv", text), "costs")
    assert (first.rows_new, first.rows_updated) == (2, 0)

    def stored() -> list[tuple]:
        rows = ws.table("costs").order_by(["date", "channel"]).to_pyarrow().to_pylist()
        return [tuple(r.values()) for r in rows]

    before = stored()
    assert len(before) == 2
    assert before[1][1] is None  # 07.05 sorts after 06.05: the row without a wave
    # the same file again is recognised by its SHA-256 and writes nothing
    assert import_file(ws, tmp_path / "costs.csv", "costs").already_imported_as == 1
    # the same rows re-exported with Windows line ends (another SHA-256, the same rows):
    # every row is unchanged, and the table is exactly as before (it had 3 rows, then 4)
    crlf = write_csv(tmp_path / "costs-crlf.csv", text.replace("\n", "\r\n"))
    again = import_file(ws, crlf, "costs")
    assert (again.rows_loaded, again.rows_new, again.rows_updated) == (2, 0, 0)
    assert again.tables["costs"].unchanged == 2
    assert stored() == before
    # control: a corrected amount of the row without a wave replaces it (1 updated)
    fixed = write_csv(tmp_path / "costs-fixed.csv", text.replace("40000", "41000"))
    third = import_file(ws, fixed, "costs")
    assert (third.rows_new, third.rows_updated) == (0, 1)
    assert [r[4] for r in stored()] == [Decimal("18000.00"), Decimal("41000.00")]
