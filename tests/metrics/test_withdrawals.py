import datetime as dt

import pandas as pd
import pytest
from tests.conftest import SHARED_DATA, write_csv

from livebase.errors import InputError
from livebase.ingest.pipeline import import_file
from livebase.ingest.presets.oulad import OuladRegistrations
from livebase.metrics.withdrawals import import_oulad_registrations, withdrawal_rates

OULAD = SHARED_DATA / "oulad" / "studentRegistration.csv"

HEADER = '"code_module","code_presentation","id_student","date_registration","date_unregistration"'
ROWS = [
    '"AAA","2013J","1","-10",""',  # line 2: registered 21 Sep 2013 (1 Oct − 10 days)
    '"AAA","2013J","2","-5","12"',  # line 3: registered 26 Sep, withdrew 13 Oct
    '"AAA","2013J","3","","30"',  # line 4: no registration date: the withdrawal alone
    '"AAA","2013J","4","",""',  # line 5: neither date: rejected
    '"BBB","2014B","1","0","-3"',  # line 6: registered 1 Feb 2014, withdrew 29 Jan
    '"BBB","2014X","5","1",""',  # line 7: not a presentation code: rejected
    '"BBB","2014B","6","abc",""',  # line 8: not a day offset: rejected
    '"BBB","2014B","7","3",""',  # line 9: registered 4 Feb 2014
]


def _file(tmp_path):
    return write_csv(tmp_path / "studentRegistration.csv", "\n".join([HEADER, *ROWS]) + "\n")


def test_rows_become_enrolment_events(ws, tmp_path):
    result = import_oulad_registrations(ws, _file(tmp_path))
    # 8 rows: 5 loaded (lines 2, 3, 4, 6, 9), 3 rejected (lines 5, 7, 8)
    assert (result.rows_in, result.rows_loaded, result.rows_rejected) == (8, 5, 3)
    rejects = ws.table("rejects").order_by("line").to_pandas()
    assert rejects[["line", "column"]].values.tolist() == [
        [5, "date_registration"],
        [7, "code_presentation"],
        [8, "date_registration"],
    ]
    assert rejects.reason[0].startswith("no date_registration and no date_unregistration")
    a = ws.table("activities").to_pandas()
    got = sorted(zip(a.customer_id, a.course_id, a.kind, a.ts, strict=True))
    ts = dt.datetime
    assert got == [
        ("oulad:1", "AAA-2013J", "course_registration", ts(2013, 9, 21)),
        ("oulad:1", "BBB-2014B", "course_registration", ts(2014, 2, 1)),
        ("oulad:1", "BBB-2014B", "course_withdrawal", ts(2014, 1, 29)),
        ("oulad:2", "AAA-2013J", "course_registration", ts(2013, 9, 26)),
        ("oulad:2", "AAA-2013J", "course_withdrawal", ts(2013, 10, 13)),
        ("oulad:3", "AAA-2013J", "course_withdrawal", ts(2013, 10, 31)),
        ("oulad:7", "BBB-2014B", "course_registration", ts(2014, 2, 4)),
    ]
    assert a.event_id.is_unique
    # re-importing the file changes nothing
    assert import_oulad_registrations(ws, _file(tmp_path)).already_imported_as == 1


def test_withdrawal_rate_per_course(ws, tmp_path):
    import_oulad_registrations(ws, _file(tmp_path))
    rates = withdrawal_rates(ws)
    # AAA-2013J: 1, 2, 3 registered (3 by its withdrawal), 2 and 3 withdrew: 2 / 3
    # BBB-2014B: 1 and 7 registered (5 and 6 were rejected), 1 withdrew: 1 / 2
    assert [(r.course_id, r.registered, r.withdrawn) for r in rates] == [
        ("AAA-2013J", 3, 2),
        ("BBB-2014B", 2, 1),
    ]
    assert rates[0].rate == pytest.approx(2 / 3)
    assert rates[1].ci[0] < 0.5 < rates[1].ci[1]
    # up to 30 September 2013: only the two registrations of AAA-2013J
    (early,) = withdrawal_rates(ws, as_of=dt.date(2013, 9, 30))
    assert (early.registered, early.withdrawn, early.rate) == (2, 0, 0.0)


def test_other_files_are_refused(ws, tmp_path):
    path = write_csv(tmp_path / "other.csv", '"id_student","date"\n"1","3"\n')
    with pytest.raises(InputError, match="code_module"):
        import_file(ws, path, OuladRegistrations())


@pytest.mark.slow
def test_oulad_withdrawal_rates_match_a_direct_count(ws):
    result = import_oulad_registrations(ws, OULAD)
    raw = pd.read_csv(OULAD, dtype=str, keep_default_na=False)
    assert len(raw) == 32_593
    assert result.rows_in == 32_593
    assert result.balanced
    # the rows without either date are the only rejects (6 of them: 45 rows lack
    # date_registration, 39 of those have a date_unregistration and load it)
    neither = (raw.date_registration == "") & (raw.date_unregistration == "")
    assert result.rows_rejected == neither.sum() == 6
    assert result.rows_loaded == 32_593 - 6
    events = ws.table("activities").count().to_pyarrow().as_py()
    assert events == (raw.date_registration != "").sum() + (raw.date_unregistration != "").sum()
    kept = raw[~neither]
    direct = (
        kept.assign(withdrawn=kept.date_unregistration != "")
        .groupby(["code_module", "code_presentation"])
        .agg(registered=("id_student", "size"), withdrawn=("withdrawn", "sum"))
    )
    expected = {
        f"{m}-{p}": (int(r.registered), int(r.withdrawn), r.withdrawn / r.registered)
        for (m, p), r in direct.iterrows()
    }
    got = {r.course_id: (r.registered, r.withdrawn, r.rate) for r in withdrawal_rates(ws)}
    assert len(got) == 22
    assert got == expected
