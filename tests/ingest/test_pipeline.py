"""Nothing lost, nothing doubled, all or nothing."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from livebase.errors import InputError
from livebase.ingest import pipeline
from livebase.ingest.pipeline import import_file
from livebase.store.workspace import Workspace
from tests.ingest.gc_files import order, write_orders
from tests.test_cli import run

COUNTED = ["customers", "orders", "identities", "identity_merges", "imports", "rejects"]


def _counts(ws):
    return {t: ws.table(t).count().execute() for t in COUNTED}


def test_same_file_again_changes_nothing(ws, tmp_path):
    path = write_orders(
        tmp_path / "o.csv", [order(1, 5, "a@b.ru"), order(2, 6, "x"), order(3, 7, "c@d.ru")]
    )
    first = import_file(ws, path, "getcourse-orders")
    before = _counts(ws)
    again = import_file(ws, path, "getcourse-orders")
    assert again.already_imported_as == first.import_id
    assert (again.rows_in, again.rows_loaded, again.rows_rejected) == (3, 2, 1)
    assert _counts(ws) == before


def test_overlapping_later_export_adds_only_what_is_new(ws, tmp_path):
    early = write_orders(
        tmp_path / "week1.csv",
        [
            order(1, 5, "a@b.ru"),
            order(2, 6, "c@d.ru", status="Ожидаем оплаты"),
        ],
    )
    import_file(ws, early, "getcourse-orders")
    later = write_orders(
        tmp_path / "week2.csv",
        [
            order(1, 5, "a@b.ru"),  # unchanged
            order(2, 6, "c@d.ru"),  # now paid
            order(3, 7, "e@f.ru"),  # new
        ],
    )
    result = import_file(ws, later, "getcourse-orders")
    assert (result.rows_new, result.rows_updated) == (1, 1)
    o = ws.table("orders").order_by("order_id").to_pandas()
    assert o.order_id.tolist() == ["gc:1", "gc:2", "gc:3"]
    assert o.status.tolist() == ["paid", "paid", "paid"]
    assert ws.table("customers").count().execute() == 3


def test_failure_midway_leaves_the_store_as_it_was(ws, tmp_path, monkeypatch):
    import_file(ws, write_orders(tmp_path / "a.csv", [order(1, 5, "a@b.ru")]), "getcourse-orders")
    before = _counts(ws)
    real = pipeline.upsert

    def failing(con, table, frame):
        if table == "orders":
            raise RuntimeError("disk full")
        return real(con, table, frame)

    monkeypatch.setattr(pipeline, "upsert", failing)
    path = write_orders(
        tmp_path / "b.csv", [order(2, 6, "x@y.ru"), order(3, 5, "a@b.ru", phone="89161234567")]
    )
    with pytest.raises(RuntimeError, match="disk full"):
        import_file(ws, path, "getcourse-orders")
    assert _counts(ws) == before
    monkeypatch.setattr(pipeline, "upsert", real)
    result = import_file(ws, path, "getcourse-orders")  # the rerun completes
    assert result.rows_new == 2


def test_later_file_merges_two_known_customers(ws, tmp_path):
    import_file(
        ws,
        write_orders(
            tmp_path / "a.csv",
            [
                order(1, 5, "anna@x.ru"),
                order(2, 9, "", phone="+7 916 123-45-67"),
            ],
        ),
        "getcourse-orders",
    )
    assert ws.table("customers").count().execute() == 2
    # a users export shows both profiles are one person (same phone, written differently)
    users = tmp_path / "users.csv"
    users.write_text("id;Email;Телефон\n5;anna@x.ru;8 916 123 45 67\n", encoding="utf-8")
    result = import_file(ws, users, "getcourse-users")
    assert result.merges == 1
    merges = ws.table("identity_merges").to_pandas()
    assert merges[["from_id", "into_id", "rule"]].values.tolist() == [["gc:9", "gc:5", "phone"]]
    o = ws.table("orders").order_by("order_id").to_pandas()
    assert o.customer_id.tolist() == ["gc:5", "gc:5"]
    c = ws.table("customers").to_pandas()
    assert c.customer_id.tolist() == ["gc:5"]
    assert c.phone.tolist() == ["+79161234567"]


def test_workspace_reopens(ws, tmp_path):
    import_file(ws, write_orders(tmp_path / "a.csv", [order(1, 5, "a@b.ru")]), "getcourse-orders")
    ws.close()
    again = Workspace.open(ws.root)
    assert again.table("orders").count().execute() == 1
    again.close()


GOOD = order(0, 1, "a@b.ru")


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.sampled_from(
            ["ok", "bad_date", "bad_money", "negative", "no_customer", "bad_status", "short", "dup"]
        ),
        min_size=1,
        max_size=12,
    )
)
def test_every_row_is_loaded_or_rejected(tmp_path_factory, kinds):
    ws = Workspace.init(tmp_path_factory.mktemp("w") / "s")
    rows, expected_rejects = [], 0
    for i, kind in enumerate(kinds, start=1):
        row = order(i, 100 + i, f"u{i}@x.ru")
        if kind == "bad_date":
            row["Дата создания"] = "31.02.2025 10:00"
        elif kind == "bad_money":
            row["Оплачено"] = "двести"
        elif kind == "negative":
            row["Стоимость, RUB"] = "-1"
        elif kind == "no_customer":
            row.update({"ID пользователя": "", "Email": "", "Телефон": ""})
        elif kind == "bad_status":
            row["Статус"] = "???"
        elif kind == "short":
            row = {"ID заказа": str(i)}
        elif kind == "dup" and i > 1:
            row = dict(rows[0]) if rows else row
        rows.append(row)
    path = write_orders(tmp_path_factory.mktemp("f") / "o.csv", rows)
    result = import_file(ws, path, "getcourse-orders")
    assert result.rows_in == len(kinds)
    assert result.rows_in == result.rows_loaded + result.rows_rejected
    assert ws.table("rejects").count().execute() == result.rows_rejected
    assert ws.table("orders").count().execute() == result.rows_loaded
    assert expected_rejects <= result.rows_rejected
    ws.close()


def test_a_merge_is_recorded_once(ws, tmp_path):
    users = tmp_path / "users.csv"
    users.write_text("id;Email\n5;anna@x.ru\n9;ANNA@x.ru\n", encoding="utf-8")
    assert import_file(ws, users, "getcourse-users").merges == 1
    again = write_orders(tmp_path / "o.csv", [order(1, 9, "anna@x.ru")])
    result = import_file(ws, again, "getcourse-orders")
    assert result.merges == 0
    assert ws.table("identity_merges").count().execute() == 1
    assert ws.table("orders").customer_id.to_pyarrow().to_pylist() == ["gc:5"]


# Tests run as root, who reads a chmod 000 file all the same: a process without root's
# power over file modes (CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH dropped) meets the
# "Permission denied" a school's user would.
ROOT = os.geteuid() == 0
AS_USER = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"] if ROOT else []
needs_setpriv = pytest.mark.skipif(
    ROOT and shutil.which("setpriv") is None, reason="root without setpriv reads any file"
)


def _locked(tmp_path: Path) -> Path:
    path = write_orders(tmp_path / "locked.csv", [order(1, 5, "a@b.ru")])
    path.chmod(0)
    return path


def test_a_folder_is_an_input_error_naming_it(ws, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    # before: the file was hashed before it was read, and hashing a folder raised
    # IsADirectoryError
    with pytest.raises(InputError, match="a folder, not a file") as err:
        import_file(ws, folder, "getcourse-orders")
    assert err.value.file == str(folder)
    assert str(err.value).startswith(f"{folder}: ")
    # nothing recorded: no import, no reject
    assert ws.table("imports").count().execute() == 0
    assert ws.table("rejects").count().execute() == 0
    # control: a file in that folder imports (1 order)
    path = write_orders(folder / "o.csv", [order(1, 5, "a@b.ru")])
    assert import_file(ws, path, "getcourse-orders").rows_loaded == 1


@needs_setpriv
def test_an_unreadable_file_is_an_input_error_naming_it(tmp_path):
    Workspace.init(tmp_path / "school").close()
    locked = _locked(tmp_path)
    code = (
        "import sys\n"
        "from livebase.errors import InputError\n"
        "from livebase.ingest.pipeline import import_file\n"
        "from livebase.store.workspace import Workspace\n"
        "ws = Workspace.open(sys.argv[1])\n"
        "try:\n"
        "    import_file(ws, sys.argv[2], 'getcourse-orders')\n"
        "except InputError as exc:\n"
        "    print(exc.file, '|', exc.message)\n"
    )
    args = [sys.executable, "-c", code, str(tmp_path / "school"), str(locked)]
    r = subprocess.run([*AS_USER, *args], capture_output=True, text=True, timeout=120)
    # before: PermissionError from hashing the file, a traceback and no output
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout.strip() == f"{locked} | cannot read the file: Permission denied"
    # control: readable again, the same call imports it (prints nothing)
    locked.chmod(0o644)
    r = subprocess.run([*AS_USER, *args], capture_output=True, text=True, timeout=120)
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")


def test_cli_refuses_a_folder_or_a_pipe_in_one_red_line(tmp_path):
    ws = tmp_path / "school"
    run("init", str(ws), cwd=tmp_path)
    folder = tmp_path / "exports"
    folder.mkdir()
    pipe = tmp_path / "orders.csv"
    os.mkfifo(pipe)  # a named pipe (as `<(…)` gives): before, hashing it waited forever
    for path, why in ((folder, "a folder, not a file"), (pipe, "not a regular file")):
        r = run("import", str(path), "--preset", "getcourse-orders", "-w", str(ws), cwd=tmp_path)
        assert r.returncode == 1
        # one message (the terminal may wrap a long path: at most 2 lines)
        assert len(r.stderr.strip().splitlines()) <= 2
        assert " ".join(r.stderr.split()) == f"error: {path}: {why}"
        assert "Traceback" not in r.stdout + r.stderr


@needs_setpriv
def test_cli_refuses_an_unreadable_file_naming_it(tmp_path):
    ws = tmp_path / "school"
    run("init", str(ws), cwd=tmp_path)
    locked = _locked(tmp_path)
    argv = [sys.executable, "-m", "livebase", "import", str(locked), "--preset"]
    argv += ["getcourse-orders", "-w", str(ws)]
    r = subprocess.run([*AS_USER, *argv], capture_output=True, text=True, cwd=tmp_path)
    # the command line's own check (click) refuses it first, as a usage error (exit 2)
    assert r.returncode == 2
    assert f"path '{locked}' is not readable" in r.stderr
    assert "Traceback" not in r.stdout + r.stderr
