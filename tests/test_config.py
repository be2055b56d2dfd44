"""livebase.toml: a bad setting is a ConfigError naming the key and the value."""

from __future__ import annotations

import pytest

from livebase.config import WorkspaceConfig
from livebase.errors import ConfigError
from tests.test_cli import run


def _toml(tmp_path, timezone: str):
    path = tmp_path / "livebase.toml"
    path.write_text(WorkspaceConfig(timezone="UTC").to_toml(), encoding="utf-8")
    text = path.read_text(encoding="utf-8").replace('timezone = "UTC"', f'timezone = "{timezone}"')
    assert f'timezone = "{timezone}"' in text  # the replacement took (else the test is moot)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "zone",
    [
        "Europe",  # a folder of zones: ZoneInfo raised IsADirectoryError, not a ConfigError
        "a" * 300,  # a name too long for the file system: OSError
        "Mars/Olympus",  # no such zone: ZoneInfoNotFoundError
        "zone.tab",  # a data file beside the zones, not one: ValueError
        "",
    ],
)
def test_an_unknown_time_zone_is_a_config_error_naming_key_and_value(tmp_path, zone):
    path = _toml(tmp_path, zone)
    with pytest.raises(ConfigError) as err:
        WorkspaceConfig.load(path)
    message = str(err.value)
    assert message.startswith(f"{path}: timezone: ")
    assert f"unknown time zone {zone!r}" in message


def test_a_known_time_zone_loads(tmp_path):
    # the control: the same file with a real zone (also a link name and UTC)
    for zone in ("Asia/Yekaterinburg", "Europe/Kiev", "UTC"):
        assert WorkspaceConfig.load(_toml(tmp_path, zone)).timezone == zone


def test_cli_shows_a_bad_time_zone_in_one_red_line(tmp_path):
    ws = tmp_path / "school"
    assert run("init", str(ws), cwd=tmp_path).returncode == 0
    toml = ws / "livebase.toml"
    text = toml.read_text(encoding="utf-8")
    assert 'timezone = "Europe/Moscow"' in text
    toml.write_text(text.replace('"Europe/Moscow"', '"Europe"'), encoding="utf-8")
    r = run("check", "-w", str(ws), cwd=tmp_path)
    assert r.returncode == 1
    assert "Traceback" not in r.stdout + r.stderr
    assert len(r.stderr.strip().splitlines()) <= 2  # one message; a long path may wrap
    assert " ".join(r.stderr.split()) == (
        f"error: {toml}: timezone: Value error, unknown time zone 'Europe'"
    )
