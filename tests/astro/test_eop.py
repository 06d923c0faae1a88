"""Earth-orientation data: IERS finals parsing, import, UT1 from an imported file, and the expiry warning."""

from __future__ import annotations

import io
import warnings
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from skyfield.data import iers
from skyfield.timelib import Timescale
from skyfield_data import get_skyfield_data_path

from orbitshare.astro import eop, frames

SLICE = Path(__file__).parents[1] / "data" / "eop" / "finals2000A_2025-06-01.all"
FULL = Path(get_skyfield_data_path()) / "finals2000A.all"


@pytest.fixture
def home(tmp_path, monkeypatch):
    """An empty ORBITSHARE_HOME; the cached tables are rebuilt for it and afterwards."""
    monkeypatch.setenv("ORBITSHARE_HOME", str(tmp_path))
    eop.load_timescale.cache_clear()
    eop.eop_status.cache_clear()
    yield tmp_path
    eop.load_timescale.cache_clear()
    eop.eop_status.cache_clear()


def test_parse_reads_the_published_columns():
    """Row values are the file's own columns: 2025-06-01 UT1-UTC 0.0289891 s (I), PM-x 0.113198 arcsec."""
    table = eop.parse_finals(SLICE.open(), source=SLICE.name)
    assert table.utc_mjd[0] == 60827.0
    assert table.dut1_s[0] == pytest.approx(0.0289891, abs=1e-9)
    assert table.x_arcsec[0] == pytest.approx(0.113198, abs=1e-9)
    assert table.observed[0] and not table.observed[-1]
    assert eop._mjd_day(table.utc_mjd[table.observed][-1]) == date(2025, 8, 21)
    assert eop._mjd_day(table.utc_mjd[-1]) == date(2026, 8, 29)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no UT1-UTC records"),
        ("hello world\n", "line 1: too short"),
        (SLICE.read_text().splitlines()[0][:57] + "X" + SLICE.read_text().splitlines()[0][58:] + "\n", "column 58"),
        (SLICE.read_text().splitlines()[0][:60] + "abc" + SLICE.read_text().splitlines()[0][63:] + "\n", "UT1-UTC"),
        ("\n".join(SLICE.read_text().splitlines()[0:3:2]) + "\n", "line 2: MJD 60829 does not follow 60827"),
    ],
)
def test_bad_files_are_named_by_line_and_field(text, message):
    """A file that is not an IERS finals file is refused with the line and field."""
    with pytest.raises(eop.FinalsError, match=message):
        eop.parse_finals(io.StringIO(text), source="f.all")


def test_full_file_matches_skyfields_own_builder():
    """UT1 from the whole 1973-onwards file equals skyfield's finals2000A builder (leap seconds from the file)."""
    table = eop.parse_finals(FULL.open(), source=str(FULL))
    ours = eop._timescale_from_table(table)
    with FULL.open("rb") as f:
        mjd, dut1 = iers.parse_dut1_from_finals_all(f)
    daily_tt, daily_dt, leap_dates, leap_offsets = iers.build_timescale_arrays(mjd, dut1)
    reference = Timescale((daily_tt, daily_dt), leap_dates, leap_offsets)
    days = np.arange(0, 19000, 7.25)
    a, b = ours.utc(1973, 1, 3 + days), reference.utc(1973, 1, 3 + days)
    assert np.max(np.abs(a.dut1 - b.dut1)) < 1e-7
    assert np.max(np.abs((a.ut1 - b.ut1) * 86400.0)) < 1e-6


def test_slice_gives_the_files_ut1_and_the_bundled_one_before(home):
    """An imported file that starts in 2025 gives its own UT1-UTC on its days, skyfield's before them."""
    eop.import_finals(SLICE, force=True)
    ts = eop.load_timescale()
    table = eop.parse_finals(SLICE.open())
    k = np.arange(0, table.utc_mjd.size, 17)
    t = ts.utc(1858, 11, 17.0 + table.utc_mjd[k])
    assert np.max(np.abs(t.dut1 - table.dut1_s[k])) < 1e-6
    from skyfield.api import load

    early = load.timescale(builtin=True).utc(2020, 3, 1.5)
    assert ts.utc(2020, 3, 1.5).dut1 == pytest.approx(early.dut1, abs=1e-6)


def test_import_refuses_an_older_table_and_status_reports_the_file(home):
    """The bundled table ends after the slice: import needs --force; status then names the file and its days."""
    with pytest.raises(eop.FinalsError, match="before the table in use"):
        eop.import_finals(SLICE)
    assert not eop.finals_path().exists()
    status = eop.import_finals(SLICE, force=True)
    assert eop.finals_path() == home / "eop" / "finals2000A.all"
    assert status == eop.eop_status()
    assert status.last_observed_day == date(2025, 8, 21) and status.last_day == date(2026, 8, 29)
    assert status.leap_seconds == 27 and status.last_leap_second == date(2017, 1, 1)


def test_ut1_past_the_table_warns_once_with_the_effect(home):
    """UT1 needed beyond the table's end: one EopWarning naming the end date and the size in metres."""
    eop.import_finals(SLICE, force=True)
    eop._warned_ends.clear()
    jd, fr = np.array([2461400.5, 2461800.5]), np.zeros(2)  # 2026-12-04, 2028-01-07
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frames.ut1_jd(jd[:1] - 200, fr[:1])
        assert not caught
        frames.ut1_jd(jd, fr)
        frames.ut1_jd(jd, fr)
    assert len(caught) == 1 and issubclass(caught[0].category, eop.EopWarning)
    assert "end 2026-08-29" in str(caught[0].message) and " m of Earth rotation" in str(caught[0].message)


def test_cli_status_and_update(home):
    """`orbitshare data update` imports a file (exit 0 with --force), refuses junk with exit 2; status prints."""
    from typer.testing import CliRunner

    from orbitshare.cli import app

    runner = CliRunner()
    assert runner.invoke(app, ["data", "update", str(SLICE)]).exit_code == 2
    result = runner.invoke(app, ["data", "update", str(SLICE), "--force"])
    assert result.exit_code == 0, result.output
    assert "2026-08-29" in result.output
    bad = home / "junk.all"
    bad.write_text("not a finals file\n")
    result = runner.invoke(app, ["data", "update", str(bad)])
    assert result.exit_code == 2 and "line 1" in result.output
    assert runner.invoke(app, ["data", "status"]).exit_code == 0
