import pytest

from livebase.config import WorkspaceConfig
from livebase.errors import ConfigError
from livebase.store.schema import ALL_TABLES, CANONICAL
from livebase.store.workspace import Workspace


def test_every_contract_table_with_real_types(ws):
    tables = set(ws.con.list_tables())
    assert set(ALL_TABLES) <= tables
    orders = ws.table("orders").schema()
    for money in ("amount", "refunded_amount", "discount_amount", "variable_cost"):
        assert str(orders[money]).startswith("decimal(18, 2)"), money
    assert orders["paid_at"].is_timestamp()
    assert orders["paid_at"].timezone is None  # naive: stored as UTC by convention
    for name in CANONICAL:
        assert list(ws.table(name).schema()) == list(ALL_TABLES[name].columns), name
    # the engine session is in UTC whatever the machine's zone
    assert ws.con.raw_sql("SELECT current_setting('TimeZone')").fetchone()[0] == "UTC"


def test_config_written_and_validated(tmp_path):
    ws = Workspace.init(tmp_path / "s", school="Школа «Радуга»")
    cfg = WorkspaceConfig.load(tmp_path / "s" / "livebase.toml")
    assert cfg == ws.config
    assert (cfg.school, cfg.currency, cfg.timezone, cfg.locale) == (
        "Школа «Радуга»",
        "RUB",
        "Europe/Moscow",
        "ru",
    )
    assert cfg.purchase_rules.duplicate_payment_days == 7
    with pytest.raises(ConfigError, match="already exists"):
        Workspace.init(tmp_path / "s")
    (tmp_path / "s" / "livebase.toml").write_text('timezone = "Mars/Base"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown time zone"):
        Workspace.open(tmp_path / "s")
    (tmp_path / "s" / "livebase.toml").write_text("school = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"livebase\.toml"):
        Workspace.open(tmp_path / "s")
    with pytest.raises(ConfigError, match="no workspace here"):
        Workspace.open(tmp_path / "nowhere")
    ws.close()


def test_an_older_store_gains_new_columns(tmp_path):
    import datetime as dt

    ws = Workspace.init(tmp_path / "s")
    # a store made before segments carried the RFM version
    ws.con.raw_sql("DROP TABLE segments")
    ws.con.raw_sql(
        "CREATE TABLE segments (as_of DATE, customer_id TEXT, segment TEXT, "
        "rule TEXT, sleep_tier TEXT, is_top BOOLEAN)"
    )
    ws.con.raw_sql("INSERT INTO segments VALUES ('2025-05-05', 'a', 'loyal', 'x', NULL, NULL)")
    ws.close()
    again = Workspace.open(tmp_path / "s")
    rows = again.table("segments").to_pyarrow().to_pylist()
    assert rows[0]["version"] == "monetary"
    assert rows[0]["as_of"] == dt.date(2025, 5, 5)
    again.close()
