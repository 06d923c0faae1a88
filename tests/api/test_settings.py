"""The one settings object: every ORBITSHARE_* variable of the code, documented, validated with one line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from orbitshare.settings import Settings, SettingsError, env_name, load_settings, settings_table

ROOT = Path(__file__).resolve().parents[2]


def test_the_documented_table_is_the_settings_objects() -> None:
    """docs/sharing.md holds exactly the table generated from the settings fields."""
    doc = (ROOT / "docs" / "sharing.md").read_text(encoding="utf-8")
    table = re.search(r"<!-- settings-table:[^\n]*-->\n(.*?)<!-- end settings-table -->", doc, re.S)
    assert table is not None, "docs/sharing.md has no settings table"
    assert table.group(1) == settings_table()


def test_every_variable_the_code_names_is_a_setting_and_none_is_read_elsewhere() -> None:
    """Each ORBITSHARE_* name in the source is a settings field; only settings.py reads the environment."""
    fields = {env_name(f) for f in Settings.model_fields}
    for path in (ROOT / "src" / "orbitshare").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        named = set(re.findall(r"ORBITSHARE_[A-Z][A-Z0-9_]*", text))
        assert named <= fields, f"{path}: {sorted(named - fields)} not in orbitshare.settings"
        if path.name != "settings.py":
            assert "os.environ" not in text and "getenv" not in text, f"{path} reads the environment"


def test_settings_read_the_environment(monkeypatch, tmp_path) -> None:
    """Values come from ORBITSHARE_* variables; `~` is expanded; empty means unset."""
    monkeypatch.setenv("ORBITSHARE_HOME", str(tmp_path))
    monkeypatch.setenv("ORBITSHARE_WITNESS_FILE", "~/heads.jsonl")
    monkeypatch.setenv("ORBITSHARE_WITNESS_PARTNERS", "")
    monkeypatch.setenv("ORBITSHARE_AUTH_SUMMARY_S", "2.5")
    s = load_settings()
    assert s.home == tmp_path and s.witness_file == Path("~/heads.jsonl").expanduser()
    assert s.witness_partners is None and s.auth_summary_s == 2.5 and s.witness_interval_s == 300.0


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("ORBITSHARE_WITNESS_INTERVAL_S", "soon", "must be a number of seconds, not 'soon'"),
        ("ORBITSHARE_AUTH_SUMMARY_S", "0", "must be positive, not '0'"),
        ("ORBITSHARE_AUTH_SUMMARY_S", "nan", "must be positive, not 'nan'"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_variable(monkeypatch, variable: str, value: str, message: str) -> None:
    """SettingsError: '<VARIABLE>: <why>' on one line."""
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as err:
        load_settings()
    assert str(err.value) == f"{variable}: {message}"
