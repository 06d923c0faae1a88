"""Every command's contract, on the real CLI: bad input gives one line naming the option or file and exit 2,
output paths are checked before any work, a bug gives a short message and a log (exit 1), never a traceback."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import DATA
from typer.testing import CliRunner

from orbitshare.cli import app

runner = CliRunner()
STATIONS = str(DATA / "tle" / "stations_2026-03-10.json")
CDM = str(DATA / "cdm" / "CDMExample1.txt")
SITES = str(DATA / "sda" / "overflight_sites.yaml")
HISTORY = str(DATA / "sda" / "maneuvers_CryoSat-2.tle.gz")
WINDOW = ["--start", "2026-03-10T00:00:00Z", "--stop", "2026-03-10T01:00:00Z"]


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory) -> dict[str, Path]:
    """Inputs every file argument must refuse: missing, empty, binary, truncated (text and gzip), a directory."""
    root = tmp_path_factory.mktemp("bad")
    text = Path(STATIONS).read_bytes()
    files = {"missing": root / "missing.tle", "empty": root / "empty.tle", "binary": root / "binary.tle",
             "truncated": root / "truncated.json", "truncated-gz": root / "truncated.json.gz",
             "directory": root / "folder"}
    files["empty"].write_bytes(b"")
    files["binary"].write_bytes(bytes(range(256)) * 16)
    files["truncated"].write_bytes(text[: len(text) // 3])
    files["truncated-gz"].write_bytes(gzip.compress(text)[:400])
    files["directory"].mkdir()
    return files


def _commands(path: str, tmp: Path) -> dict[str, list[str]]:
    """Each command with `path` in the place of its input file."""
    return {
        "catalog info": ["catalog", "info", path],
        "propagate": ["propagate", path, *WINDOW, "--out", str(tmp / "eph.csv")],
        "screen": ["screen", path, "--start", "2026-03-10", "--days", "0.01", "--primary", "25544"],
        "cdm pc": ["cdm", "pc", path],
        "sda manoeuvres": ["sda", "manoeuvres", path],
        "sda manoeuvres --truth": ["sda", "manoeuvres", HISTORY, "--truth", path],
        "sda proximity": ["sda", "proximity", path, "--assets", "25544", *WINDOW],
        "sda fragmentation": ["sda", "fragmentation", path],
        "sda fragmentation --before": ["sda", "fragmentation", STATIONS, "--before", path],
        "sda overflights": ["sda", "overflights", path, "--config", SITES, *WINDOW],
        "sda overflights --config": ["sda", "overflights", STATIONS, "--config", path, *WINDOW],
        "audit verify --checkpoint": ["audit", "verify", "--checkpoint", path],
    }


def _assert_one_line_error(res, *words: str, code: int = 2) -> None:
    """Exit code, exactly one `error:` line containing every word, and no traceback."""
    assert res.exit_code == code, res.output
    errors = [line for line in res.output.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, res.output
    assert all(w in errors[0] for w in words), (words, res.output)
    assert "Traceback" not in res.output and "internal error" not in res.output, res.output


@pytest.mark.parametrize("kind", ["missing", "empty", "binary", "truncated", "truncated-gz", "directory"])
@pytest.mark.parametrize("command", list(_commands("X", Path("."))))
def test_bad_input_file(bad_files, tmp_path, monkeypatch, kind, command):
    """Every file argument of every command refuses a bad file with one line naming it, exit 2."""
    monkeypatch.setenv("ORBITSHARE_HOME", str(tmp_path / "home"))
    path = bad_files[kind]
    res = runner.invoke(app, _commands(str(path), tmp_path)[command])
    _assert_one_line_error(res, path.name)


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        # bad dates
        (["propagate", STATIONS, "--start", "yesterday", "--stop", "2026-03-11", "--out", "{tmp}/e.csv"],
         ["'--start'", "yesterday"]),
        (["propagate", STATIONS, "--start", "2026-03-10", "--stop", "2026-02-30", "--out", "{tmp}/e.csv"],
         ["'--stop'", "2026-02-30"]),
        (["screen", STATIONS, "--start", "2026-13-01"], ["'--start'"]),
        (["sda", "proximity", STATIONS, "--assets", "25544", "--start", "soon", "--stop", "2026-03-11"],
         ["'--start'", "soon"]),
        (["sda", "overflights", STATIONS, "--config", SITES, "--start", "2026-03-10", "--stop", "later"],
         ["'--stop'", "later"]),
        # output paths: unsupported type, missing or unwritable directory
        (["propagate", STATIONS, *WINDOW, "--out", "{tmp}/e.txt"], ["'--out'", "e.txt", ".csv, .parquet"]),
        (["propagate", STATIONS, *WINDOW, "--out", "{tmp}/nodir/e.csv"], ["'--out'", "does not exist"]),
        (["propagate", STATIONS, *WINDOW, "--out", "{tmp}/file.txt/e.csv"], ["'--out'", "does not exist"]),
        (["screen", STATIONS, "--out", "{tmp}/events.xlsx"], ["'--out'", ".xlsx"]),
        (["screen", STATIONS, "--cdm-dir", "{tmp}/file.txt"], ["'--cdm-dir'", "not a directory"]),
        (["screen", STATIONS, "--cdm-dir", "{tmp}/nodir/cdms"], ["'--cdm-dir'", "does not exist"]),
        (["sda", "manoeuvres", STATIONS, "--out", "{tmp}/m.xlsx"], ["'--out'", ".xlsx"]),
        (["sda", "manoeuvres", STATIONS, "--alerts", "{tmp}/a.txt"], ["'--alerts'", ".txt"]),
        (["sda", "proximity", STATIONS, "--assets", "25544", *WINDOW, "--belt", "{tmp}/nodir/b.csv"],
         ["'--belt'", "does not exist"]),
        (["sda", "fragmentation", STATIONS, "--gabbard", "{tmp}/g.jpg"], ["'--gabbard'", ".png"]),
        (["sda", "overflights", STATIONS, "--config", SITES, *WINDOW, "--out", "{tmp}/o.pdf"], ["'--out'", ".pdf"]),
        # bad ids
        (["propagate", STATIONS, *WINDOW, "--ids", "ISS", "--out", "{tmp}/e.csv"], ["'--ids'", "'ISS'"]),
        (["propagate", STATIONS, *WINDOW, "--ids", "25544,1", "--out", "{tmp}/e.csv"], ["'--ids'", "[1]"]),
        (["screen", STATIONS, "--primary", "-5"], ["'--primary'", "-5"]),
        (["screen", STATIONS, "--start", "2026-03-10", "--primary", "1"], ["'--primary'", "[1]"]),
        (["sda", "proximity", STATIONS, "--assets", "25544;48274", *WINDOW], ["'--assets'"]),
        (["sda", "proximity", STATIONS, "--assets", "999999", *WINDOW], ["999999"]),
        (["sda", "manoeuvres", STATIONS, "--norad-id", "0"], ["'--norad-id'"]),
        # negative or zero numbers
        (["propagate", STATIONS, *WINDOW, "--step", "-5", "--out", "{tmp}/e.csv"], ["'--step'", "positive"]),
        (["screen", STATIONS, "--threshold-km", "-1"], ["'--threshold-km'", "positive"]),
        (["screen", STATIONS, "--days", "0"], ["'--days'", "positive"]),
        (["screen", STATIONS, "--days", "nan"], ["'--days'", "positive"]),
        (["sda", "proximity", STATIONS, "--assets", "25544", *WINDOW, "--distance-km", "-10"],
         ["'--distance-km'", "positive"]),
        (["sda", "fragmentation", STATIONS, "--search-days", "-1"], ["'--search-days'", "positive"]),
        (["sda", "manoeuvres", STATIONS, "--tolerance-days", "-1"], ["'--tolerance-days'"]),
        (["cdm", "pc", CDM, "--hbr", "-1"], ["'--hbr'", "positive"]),
        (["demo", "--min-elevation", "95"], ["'--min-elevation'"]),
        (["serve", "--port", "70000"], ["'--port'"]),
        # unknown choices, options and commands
        (["propagate", STATIONS, *WINDOW, "--frame", "gcrs", "--out", "{tmp}/e.csv"], ["'--frame'", "gcrs"]),
        (["sda", "manoeuvres", STATIONS, "--regime", "MEO"], ["'--regime'", "MEO"]),
        (["sda", "manoeuvres", STATIONS, "--match", "x"], ["'--match'"]),
        (["catalog", "info", STATIONS, "--colour"], ["--colour"]),
        (["sda", "orbits"], ["orbits"]),
        (["propagate", STATIONS, "--start", "2026-03-10"], ["--stop"]),
        (["screen", STATIONS, "--scheduler", "bogus"], ["'--scheduler'", "bogus"]),
        # database URLs
        (["serve", "--db-url", "not a url"], ["'--db-url'"]),
        (["audit", "head", "--db-url", "nope"], ["'--db-url'"]),
        (["audit", "verify", "--checkpoint", STATIONS], ["--checkpoint"]),
    ],
)
def test_bad_argument(tmp_path, monkeypatch, argv, words):
    """Each bad argument: one line naming the option (and the bad value), exit 2."""
    monkeypatch.setenv("ORBITSHARE_HOME", str(tmp_path / "home"))
    (tmp_path / "file.txt").write_text("x")
    res = runner.invoke(app, [a.replace("{tmp}", str(tmp_path)) for a in argv])
    _assert_one_line_error(res, *words)


@pytest.mark.parametrize(
    "argv",
    [
        ["propagate", STATIONS, *WINDOW, "--out", "{tmp}/nodir/e.csv"],
        ["screen", STATIONS, "--out", "{tmp}/e.txt"],
        ["sda", "proximity", STATIONS, "--assets", "25544", *WINDOW, "--out", "{tmp}/nodir/p.csv"],
        ["sda", "fragmentation", STATIONS, "--out", "{tmp}/c.parquet"],
    ],
)
def test_output_checked_before_work(tmp_path, argv):
    """A bad output path is refused while parsing: the catalog is not even read."""
    res = runner.invoke(app, [a.replace("{tmp}", str(tmp_path)) for a in argv])
    _assert_one_line_error(res, "'--out'")
    assert "reading" not in res.output


def test_catalog_with_no_valid_object_exits_nonzero(tmp_path):
    """A catalog whose every record is rejected: the rejects are listed and the command exits 2."""
    bad = tmp_path / "bad.tle"
    bad.write_text("ISS (ZARYA)\n1 25544U 98067A   26069.5 bad line\n2 25544  51.6\n")
    for argv in (["catalog", "info", str(bad)], ["propagate", str(bad), *WINDOW, "--out", str(tmp_path / "e.csv")],
                 ["sda", "proximity", str(bad), "--assets", "25544", *WINDOW]):
        res = runner.invoke(app, argv)
        _assert_one_line_error(res, "bad.tle", "no valid object")
        assert "rejected record" in res.output


@pytest.mark.parametrize("form", [["--ids", "25544,48274"], ["--ids", "25544", "--ids", "48274"],
                                  ["--ids", "25544, 48274"], ["--ids", "25544,48274", "--ids", "25544"]])
def test_id_lists_comma_or_repeated(tmp_path, form):
    """Id lists: comma-separated, repeated, or both; duplicates collapse."""
    import pyarrow.csv as pacsv

    out = tmp_path / "e.csv"
    res = runner.invoke(app, ["propagate", STATIONS, *WINDOW, "--step", "30m", *form, "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert sorted(set(pacsv.read_csv(out).column("norad_id").to_pylist())) == [25544, 48274]
    assert f"to {out}" in res.output  # says where it wrote


@pytest.mark.parametrize("argv", [["propagate"], ["screen"], ["sda", "proximity"]])
def test_help_shows_the_comma_form(argv):
    """--help documents the one multi-value form."""
    res = runner.invoke(app, [*argv, "--help"], terminal_width=200)
    assert res.exit_code == 0 and "25544,20580" in res.output, res.output


@pytest.mark.parametrize(
    "argv",
    [[], ["catalog"], ["catalog", "info"], ["propagate"], ["demo"], ["screen"], ["cdm"], ["cdm", "pc"], ["sda"],
     ["sda", "manoeuvres"], ["sda", "proximity"], ["sda", "fragmentation"], ["sda", "overflights"], ["serve"],
     ["audit"], ["audit", "verify"], ["audit", "head"]],
)
def test_every_command_has_help(argv):
    """Every command and group answers --help with exit 0."""
    res = runner.invoke(app, [*argv, "--help"])
    assert res.exit_code == 0 and "Usage" in res.output, res.output


def test_a_bug_prints_a_short_message_and_writes_a_log(tmp_path, monkeypatch):
    """An unexpected exception: one short message naming the log under ORBITSHARE_HOME/logs, exit 1."""
    import orbitshare.export.ephemeris

    def broken(*args, **kwargs):
        raise ZeroDivisionError("simulated defect")

    monkeypatch.setenv("ORBITSHARE_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(orbitshare.export.ephemeris, "write_ephemeris", broken)
    res = runner.invoke(app, ["propagate", STATIONS, *WINDOW, "--out", str(tmp_path / "e.csv")])
    assert res.exit_code == 1 and "Traceback" not in res.output, res.output
    assert "internal error (ZeroDivisionError: simulated defect)" in res.output
    logs = list((tmp_path / "home" / "logs").glob("orbitshare-crash-*.log"))
    assert len(logs) == 1 and str(logs[0]) in res.output
    text = logs[0].read_text()
    assert "Traceback" in text and "simulated defect" in text and "propagate" in text


def test_real_console_script_one_line_and_exit_2(tmp_path):
    """The installed entry point (not only CliRunner): one stderr line, exit 2, nothing on stdout."""
    proc = subprocess.run([sys.executable, "-m", "orbitshare.cli", "catalog", "info", str(tmp_path / "none.tle")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: Invalid value for "), proc.stderr
    assert f"{tmp_path / 'none.tle'}: cannot open (no such file)" in lines[0]


def test_sda_tables_and_json(tmp_path):
    """sda commands print a table by default and JSON with --json; TCA and names are never cut."""
    args = ["sda", "proximity", STATIONS, "--assets", "25544", "--start", "2026-03-10T00:00:00Z",
            "--stop", "2026-03-10T06:00:00Z", "--distance-km", "50"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    rows = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert rows and {"asset_id", "object_id", "tca", "miss_km"} <= set(rows[0])
    for r in rows:
        assert r["tca"] in res.stdout and r["object_name"] in res.stdout


def test_serve_refuses_a_busy_port_or_unknown_host(tmp_path, monkeypatch):
    """serve checks --host and --port before opening the store or starting the server."""
    import socket

    monkeypatch.setenv("ORBITSHARE_HOME", str(tmp_path / "home"))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        res = runner.invoke(app, ["serve", "--port", str(port)])
    _assert_one_line_error(res, "--port", f"127.0.0.1:{port}")
    res = runner.invoke(app, ["serve", "--host", "no.such.host.invalid"])
    _assert_one_line_error(res, "--host", "no.such.host.invalid")
    assert not (tmp_path / "home" / "hub.db").exists()


def test_audit_without_a_hub_database(tmp_path, monkeypatch):
    """audit head/verify on a fresh ORBITSHARE_HOME: one line saying there is no hub yet, exit 2."""
    monkeypatch.setenv("ORBITSHARE_HOME", str(tmp_path / "home"))
    for argv in (["audit", "head"], ["audit", "verify"]):
        _assert_one_line_error(runner.invoke(app, argv), "no hub database", "orbitshare serve")
    empty = tmp_path / "empty.db"
    _assert_one_line_error(runner.invoke(app, ["audit", "head", "--db-url", f"sqlite:///{empty}"]),
                           "--db-url", "not a hub database")


def test_commands_say_where_they_wrote(tmp_path):
    """Every file written is named with its absolute path on stderr."""
    debris = str(DATA / "sda" / "celestrak_debris_2025-02-15_iridium-33-debris.txt.gz")
    runs = [
        (["sda", "manoeuvres", HISTORY, "--out", "m.csv", "--alerts", "a.jsonl"], ["m.csv", "a.jsonl"]),
        (["sda", "fragmentation", debris, "--no-event-time", "--out", "c.json", "--gabbard", "g.png"],
         ["c.json", "g.png"]),
        (["propagate", STATIONS, *WINDOW, "--out", "e.parquet"], ["e.parquet"]),
    ]
    for argv, names in runs:
        res = runner.invoke(app, [str(tmp_path / a) if a in names else a for a in argv])
        assert res.exit_code == 0, res.output
        for name in names:
            assert (tmp_path / name).stat().st_size > 0
            assert f"to {tmp_path / name}" in res.stderr, (name, res.stderr)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("46.0569,14.5058", (46.0569, 14.5058, 0.0)), ("46.0569, 14.5058, 295", (46.0569, 14.5058, 0.295)),
     ("-33.9,-70.7,2600", (-33.9, -70.7, 2.6)), ("91,0", None), ("45", None), ("a,b", None), ("1,2,3,4", None),
     ("0,0,500000", None)],
)
def test_site_callback(text, expected):
    """--site LAT,LON[,ALT_M]: degrees and metres, ranges checked, anything else refused by name."""
    import typer

    from orbitshare.cli.support import site

    if expected is None:
        with pytest.raises(typer.BadParameter, match=r"LAT,LON|latitude|height"):
            site(text)
    else:
        got = site(text)
        assert (got.lat_deg, got.lon_deg) == expected[:2] and got.h_km == pytest.approx(expected[2])
