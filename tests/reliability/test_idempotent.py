"""Idempotency (issue 10, item 3): a command run again with the same inputs changes nothing.

A simulated school goes through every CLI command that writes, in the demo's order, each
run twice in a row with the same arguments; after each run the store (every table's row
count and row-order-independent checksum, :func:`~tests.reliability.runner.store_sums`)
and every file of the workspace (bytes; the store file itself aside) are taken, and the
second run must leave both exactly as the first did. Read-only commands run twice too
and must not change anything even the first time.

What is intentionally not idempotent, and why:

* ``init`` refuses an existing workspace (exit 1, nothing written): run again it changes
  nothing, which is the point, but it is not a re-run that succeeds.
* ``user add`` stores a new salted hash each time (a new salt: the same password gives
  another ``users`` row value), and ``token add`` mints a new token each time, replacing
  the one of the same name (the old token stops working, which is the point of running it
  again): both are meant to change the store; :func:`test_logins_change_by_design` shows
  it.
* ``load`` without ``--replace`` refuses a store that already holds the tables (exit 1,
  nothing changed), so loading twice is ``load --replace`` (idempotent, shown here).
* ``export`` and ``throttle`` without ``--as-of`` take the wall clock as their moment
  (what is due, what is pending, the manifest's ``now``, the workbook's and calendar's
  stamps, ``decided_at``): the moment is an input, so the tests pass ``--as-of``.
* An import records its own start and end (``imports.started_at``, ``finished_at``) and
  the merges' ``identity_merges.ts``; a repeated file is recognised and writes nothing,
  so these do not change either.
* ``simulate --format parquet`` writes ``meta.json`` with the seconds the run took (a
  benchmark figure, by design): that one file is left out of the comparison; its parts
  are byte-identical.

Files that used to embed the wall clock: the report workbooks (``report weekly|wave|
quarterly|alerts``, XLSX) carried the moment of writing in their properties and zip
entries; they now carry the report's period (see :mod:`livebase.reports.pages`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

from livebase.simulate import Behaviour, SchoolFiles, wave_outcomes
from livebase.store.workspace import Workspace
from tests.conftest import SCHOOL_PRESETS
from tests.reliability.conftest import AS_OF
from tests.reliability.runner import (
    Run,
    WarmCli,
    copy_workspace,
    folder_bytes,
    store_sums,
)

pytestmark = pytest.mark.slow

R90 = "W-R90-20250506"
WEB = "W-WEB-20250506"
STORE_FILES = ("store.duckdb", "store.duckdb.wal")
# commands that only read: run twice, they must not change anything even the first time
READ_ONLY = {"check", "consents", "why"}


@dataclass(frozen=True)
class Twice:
    before: tuple  # (store sums, files) before the first run
    first: tuple  # … after it
    second: tuple  # … after the second
    runs: tuple[Run, Run]
    root: Path  # the workspace


def _state(ws: Path, extra: Path | None) -> tuple:
    files = {k: v for k, v in folder_bytes(ws).items() if k not in STORE_FILES}
    if extra is not None:
        files |= {f"extra/{k}": v for k, v in folder_bytes(extra).items()}
    return store_sums(ws), files


def _twice(cli: WarmCli, argv: tuple[str, ...], ws: Path, cwd: Path, extra=None) -> Twice:
    before = _state(ws, extra)
    one = cli.run(*argv, cwd=cwd)
    first = _state(ws, extra)
    two = cli.run(*argv, cwd=cwd)
    return Twice(before, first, _state(ws, extra), (one, two), ws)


def _outcomes(ws_path: Path, school: SchoolFiles, out: Path) -> dict[str, Path]:
    """The school's answer to the R90 wave, as exports (as the demo simulates it)."""
    ws = Workspace.open(ws_path)
    try:
        from livebase.playbooks.wave import wave_assignments, wave_touches

        # 5 % of the wave's e-mails marked as spam: `throttle` then has something to do
        files = wave_outcomes(
            school.users.parent,
            wave_assignments(ws, R90),
            wave_id=R90,
            starts_on=dt.date(2025, 5, 6),
            days=14,
            seed=10,
            out_dir=out,
            touches=wave_touches(ws, R90),
            behaviour=Behaviour(spam_rate=0.05),
        )
        customer = str(wave_assignments(ws, R90)["customer_id"].iloc[0])
    finally:
        ws.close()
    return {
        "orders": files.orders,
        "esp_events": files.esp_events,
        "nps": files.nps,
        "costs": files.costs,
        "customer": Path(customer),
    }


@pytest.fixture(scope="module")
def walk(cli: WarmCli, school_files: SchoolFiles, tmp_path_factory) -> dict[str, Twice]:
    """Every command twice, in the demo's order, in one workspace."""
    tmp = tmp_path_factory.mktemp("idempotent")
    ws = tmp / "school"
    w = ("-w", str(ws))
    assert cli.run("init", str(ws), cwd=tmp).code == 0
    done: dict[str, Twice] = {}

    def twice(cid: str, *argv: str, extra: Path | None = None, where: Path = ws) -> None:
        done[cid] = _twice(cli, argv, where, tmp, extra)

    twice("init", "init", str(ws))
    for name, preset in SCHOOL_PRESETS.items():
        twice(
            f"import-{preset}", "import", str(getattr(school_files, name)), "--preset", preset, *w
        )
    twice("segment-monetary", "segment", "--as-of", AS_OF, *w)
    twice("segment-behavioural", "segment", "--as-of", AS_OF, "--version", "behavioural", *w)
    history = ("--history", "monthly", "--from", "2025-03-01")
    twice("segment-history", "segment", "--as-of", AS_OF, *history, *w)
    twice("risk", "risk", "--as-of", AS_OF, *w)
    twice("consents", "consents", "--as-of", AS_OF, *w)
    twice("plan-r90", "plan", "--as-of", AS_OF, "--seed", "7", *w)
    twice("plan-webinar", "plan", "--playbook", "webinar_invitation", "--as-of", AS_OF, *w)
    twice("export-r90", "export", R90, "--as-of", AS_OF, *w)
    twice("export-webinar", "export", WEB, "--as-of", AS_OF, *w)
    outcome = _outcomes(ws, school_files, tmp / "outcome")
    for name, preset in (
        ("orders", "getcourse-orders"),
        ("esp_events", "esp-events"),
        ("nps", "nps"),
        ("costs", "costs"),
    ):
        twice(f"import-outcome-{preset}", "import", str(outcome[name]), "--preset", preset, *w)
    twice("why", "why", str(outcome["customer"]), "--wave", R90, *w)
    twice("throttle", "throttle", R90, "--as-of", "2025-05-12", *w)
    twice("export-r90-later", "export", R90, "--as-of", "2025-05-12", *w)
    twice("analyze", "analyze", R90, *w)
    twice("report-base", "report", "base", "--as-of", AS_OF, *w)
    # quarterly and alerts go through the same page writer as weekly and wave
    twice("report-weekly", "report", "weekly", "--as-of", "2025-05-13", *w)
    twice("report-wave", "report", "wave", R90, "--as-of", "2025-05-19", *w)
    twice("webhook", "webhook", *w)
    twice("check", "check", *w)
    sim = tmp / "simulated"
    twice("simulate", "simulate", str(sim), "--customers", "200", "--seed", "3", extra=sim)
    tables = tmp / "tables"
    twice(
        "simulate-parquet",
        "simulate",
        str(tables),
        "--customers",
        "200",
        "--format",
        "parquet",
        extra=tables,
    )
    loaded = tmp / "loaded"
    assert cli.run("init", str(loaded), cwd=tmp).code == 0
    twice("load-replace", "load", str(tables), "--replace", "-w", str(loaded), where=loaded)
    twice("load", "load", str(tables), "-w", str(loaded), where=loaded)
    return done


# the second run of these exits 1 with a message (refused), changing nothing
REFUSED_AGAIN = {"init": (1, 1), "load": (1, 1)}
# files that record how long their run took, left out of the comparison (a benchmark
# figure by design, simulate/canonical.py); every other file is compared byte for byte
TIMED = {"simulate-parquet": {"extra/meta.json"}}


# every step of the walk (each checked by test_second_run_changes_nothing)
STEPS = [
    "init",
    "import-getcourse-users",
    "import-getcourse-orders",
    "import-getcourse-payments",
    "import-lms-events",
    "import-consents",
    "import-esp-events",
    "segment-monetary",
    "segment-behavioural",
    "segment-history",
    "risk",
    "consents",
    "plan-r90",
    "plan-webinar",
    "export-r90",
    "export-webinar",
    "import-outcome-getcourse-orders",
    "import-outcome-esp-events",
    "import-outcome-nps",
    "import-outcome-costs",
    "why",
    "throttle",
    "export-r90-later",
    "analyze",
    "report-base",
    "report-weekly",
    "report-wave",
    "webhook",
    "check",
    "simulate",
    "simulate-parquet",
    "load-replace",
    "load",
]


def test_every_command_ran(walk):
    # the walk covers each command of the CLI that writes (and some that only read), and
    # every step of it is checked below
    assert sorted(walk) == sorted(STEPS)
    for cid, twice in walk.items():
        print(f"{cid}: {twice.runs[0].seconds:.1f} s, {twice.runs[1].seconds:.1f} s")


@pytest.mark.parametrize("cid", STEPS)
def test_second_run_changes_nothing(walk, cid: str):
    twice = walk[cid]
    codes = tuple(r.code for r in twice.runs)
    expected = REFUSED_AGAIN.get(cid, (0, 0))
    assert codes == expected, f"{cid}: exit codes {codes}\n{twice.runs[1].output[-2000:]}"
    first_sums, first_files = twice.first
    second_sums, second_files = twice.second
    changed = {t for t in first_sums if first_sums[t] != second_sums[t]}
    assert not changed, f"{cid}: the second run changed {sorted(changed)}"
    names = (first_files.keys() | second_files.keys()) - TIMED.get(cid, set())
    differ = {k for k in names if first_files.get(k) != second_files.get(k)}
    assert not differ, f"{cid}: the second run changed {sorted(differ)}"
    if cid in READ_ONLY or cid in REFUSED_AGAIN:
        assert twice.first == twice.before, f"{cid} wrote something"
    else:
        # a command that writes did write (so the comparison above is not vacuous)
        assert twice.first != twice.before, f"{cid} wrote nothing"


def test_checksums_see_a_changed_row_and_not_the_order(walk, tmp_path):
    """Control: one changed value changes its table's checksum (and no other); the same
    rows in another order do not; the import's wall-clock columns are left out."""
    import duckdb

    src = walk["check"].first
    ws = copy_workspace(walk["check"].root, tmp_path / "copy")
    assert store_sums(ws) == src[0]
    con = duckdb.connect(str(ws / "store.duckdb"))
    try:
        # the same rows, stored in the opposite order
        con.execute("CREATE TABLE o AS SELECT * FROM orders ORDER BY order_id DESC")
        con.execute("DELETE FROM orders")
        con.execute("INSERT INTO orders SELECT * FROM o")
        con.execute("DROP TABLE o")
        con.execute("UPDATE imports SET started_at = started_at + INTERVAL 1 DAY")
    finally:
        con.close()
    assert store_sums(ws) == src[0]
    con = duckdb.connect(str(ws / "store.duckdb"))
    try:
        # one kopeck more on one order
        oid = con.execute("SELECT min(order_id) FROM orders").fetchone()[0]
        con.execute("UPDATE orders SET amount = amount + 0.01 WHERE order_id = ?", [oid])
    finally:
        con.close()
    after = store_sums(ws)
    assert {t for t in after if after[t] != src[0][t]} == {"orders"}
    assert after["orders"][0] == src[0]["orders"][0]  # same row count, other checksum


def test_logins_change_by_design(cli: WarmCli, tmp_path):
    """``token add`` twice replaces the token (another hash); ``user add`` twice gives
    another hash (a new salt each time): both change the store on purpose."""
    from livebase.web.auth import add_user

    ws = tmp_path / "w"
    assert cli.run("init", str(ws), cwd=tmp_path).code == 0
    tokens = []
    for _ in range(2):
        assert cli.run("token", "add", "bot", "-w", str(ws), cwd=tmp_path).code == 0
        tokens.append(store_sums(ws)["api_tokens"])
    assert tokens[0][0] == tokens[1][0] == 1  # one token named bot
    assert tokens[0][1] != tokens[1][1]  # a new one
    sums = []
    for _ in range(2):
        workspace = Workspace.open(ws)
        try:
            add_user(workspace, "anna", "correct horse battery staple")
        finally:
            workspace.close()
        sums.append(store_sums(ws)["users"])
    assert sums[0][0] == sums[1][0] == 1  # one login
    assert sums[0][1] != sums[1][1]  # its hash changed
