"""Engine URLs: the store's path and DuckDB's own settings in the query."""

import pytest

from livebase.config import CONFIG_NAME
from livebase.engine import connect, parse, settings
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
        ("sqlite:///x.db", "unsupported engine"),
        ("store.duckdb", "unsupported engine"),
        ("pyspark://local[2]?memory=1g", "not a Spark setting"),
        ("pyspark://?spark.driver.memory=1g", "name the Spark master"),
        ("postgres:///school", "name the PostgreSQL host"),
        ("postgres://h/db?sslmode=", "no value for sslmode"),
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


def test_urls_name_their_backend_and_target():
    assert parse("postgresql://lb@db.school.ru:5432/base").backend == "postgres"
    spark = parse("pyspark://spark://10.0.0.5:7077?spark.executor.memory=4g&database=lb")
    assert (spark.backend, spark.target) == ("pyspark", "spark://10.0.0.5:7077")
    assert spark.settings == {"spark.executor.memory": "4g", "database": "lb"}


def test_an_unreachable_server_is_a_clear_error_without_the_password():
    # port 9 (discard) on the loopback: nothing listens, the connection is refused
    with pytest.raises(EngineError, match=r"cannot open postgres://lb:\*\*\*@127.0.0.1:9/b") as e:
        connect("postgres://lb:s3cret@127.0.0.1:9/b?connect_timeout=2")
    assert "s3cret" not in str(e.value)


def test_engine_in_init_and_the_override_of_open(tmp_path):
    with pytest.raises(ConfigError, match="unsupported engine"):
        Workspace.init(tmp_path / "bad", engine="mysql://x/y")
    assert not (tmp_path / "bad").exists()  # nothing written for a bad URL
    ws = Workspace.init(tmp_path / "school", engine="duckdb://elsewhere/lb.duckdb")
    ws.close()
    assert (tmp_path / "school" / "elsewhere" / "lb.duckdb").exists()
    other = f"duckdb://{(tmp_path / 'other.duckdb').as_posix()}"
    ws = Workspace.open(tmp_path / "school", engine=other)
    assert ws.config.engine == other
    ws.close()
    assert (tmp_path / "other.duckdb").exists()
    # the override is for this run: livebase.toml still names its own store
    assert "elsewhere/lb.duckdb" in (tmp_path / "school" / CONFIG_NAME).read_text("utf-8")
