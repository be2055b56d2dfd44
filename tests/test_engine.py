"""Engine URLs: the store's path and DuckDB's own settings in the query."""

import pytest

from livebase.config import CONFIG_NAME
from livebase.engine import connect, settings
from livebase.errors import ConfigError, EngineError
from livebase.store.workspace import Workspace


def _setting(con, name: str):
    return con.raw_sql(f"SELECT current_setting('{name}')").fetchone()[0]


def test_settings_reach_duckdb(tmp_path):
    con = connect(f"duckdb://{tmp_path}/s.duckdb?memory_limit=512MB&threads=1")
    assert _setting(con, "threads") == 1
    assert _setting(con, "memory_limit") == "488.2 MiB"  # DuckDB's MB is 10^6 bytes
    assert _setting(con, "TimeZone") == "UTC"
    assert (tmp_path / "s.duckdb").exists()


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("duckdb://?cache=1", "unknown setting cache"),
        ("duckdb://?threads=", "no value for threads"),
        ("duckdb://?threads", "cannot read the settings"),
        ("postgres://x", "unsupported engine"),
    ],
)
def test_bad_urls_are_config_errors(url, why):
    with pytest.raises(ConfigError, match=why):
        connect(url)


def test_a_bad_value_is_the_engines_error():
    with pytest.raises(EngineError, match="memory_limit=lots"):
        connect("duckdb://?memory_limit=lots")


def test_no_query_no_settings():
    assert settings("duckdb:///a/b.duckdb") == ("duckdb:///a/b.duckdb", {})


def test_workspace_keeps_the_settings_of_a_relative_store(tmp_path):
    ws = Workspace.init(tmp_path / "school")
    ws.close()
    cfg = tmp_path / "school" / CONFIG_NAME
    text = cfg.read_text(encoding="utf-8")
    assert 'engine = "duckdb://store.duckdb"' in text
    cfg.write_text(
        text.replace('"duckdb://store.duckdb"', '"duckdb://store.duckdb?threads=1"'),
        encoding="utf-8",
    )
    ws = Workspace.open(tmp_path / "school")
    assert _setting(ws.con, "threads") == 1
    assert ws.con.list_tables()  # the same store, under the workspace folder
    assert not list(tmp_path.glob("school/*\\?*"))
    ws.close()
