"""CLI support: validated options, one-line errors, the top-level error handler, tables/JSON and progress.

Every `orbitshare` command takes its input files, output paths, times, id lists and numbers through the
callbacks here, so a bad argument is refused while the command line is parsed (before any long work) with one
line naming the option and exit code 2. `GuardedGroup` is the top-level command class: it prints usage errors
and input errors as one line (exit 2) and an unexpected exception as a short message with the path of the full
log (exit 1); no traceback reaches the user.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import json
import math
import os
import re
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

try:  # typer vendors click from 0.2x on; its exceptions are the ones raised here
    from typer._click import exceptions as click_exceptions
except ImportError:  # pragma: no cover - older typer on the real click
    from click import exceptions as click_exceptions

__all__ = [
    "IDS_HELP", "JSON_HELP", "ROWS_OUT_HELP", "GuardedGroup", "InputError", "catalog_summary_table", "console",
    "duration_s", "fail", "id_list", "input_dir", "input_files", "iso_utc", "load_catalog", "non_negative", "one_of",
    "output_dir", "output_file", "output_rows", "positive", "print_parse_report", "print_rows", "select_ids", "site",
    "step", "warn", "warn_stale", "write_rows", "wrote",
]

#: Help text of every NORAD-id list option (one form everywhere).
IDS_HELP = "NORAD ids, comma-separated (25544,20580); the option may also be repeated."
JSON_HELP = "Print JSON on stdout instead of a table."
ROWS_OUT_HELP = "Also write the rows to a .csv, .json or .jsonl file."
#: Output suffixes of dict-row writers (`write_rows`).
ROW_SUFFIXES = (".csv", ".json", ".jsonl")
#: Bytes looked at to tell text from binary input.
_SNIFF_BYTES = 8192


class InputError(Exception):
    """Bad input found after the command line was parsed (a file's content, an id not in a catalog): exit 2."""


def fail(message: str) -> None:
    """Stop the command with one line `error: message` and exit code 2."""
    raise InputError(message)


# --- consoles, progress -----------------------------------------------------------------------------------


def console(stderr: bool = False):
    """Rich console; when output is not a terminal it is wide enough that no table column is ever cut."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    if stream.isatty():
        return Console(stderr=stderr)
    return Console(stderr=stderr, width=1000, soft_wrap=True)


@contextlib.contextmanager
def step(text: str) -> Iterator[None]:
    """Show `text` on stderr while a long step runs (a spinner on a terminal, one line otherwise)."""
    err = console(stderr=True)
    if not err.is_terminal:
        err.print(f"{text} ...", highlight=False)
        yield
        return
    with err.status(text):
        yield


def warn(message: str) -> None:
    """One `warning: message` line on stderr (results are still produced)."""
    console(stderr=True).print(f"[yellow]warning:[/] {_one_line(message)}", highlight=False)


def wrote(path: str | Path, what: str) -> None:
    """Say on stderr where a command wrote its files: `wrote <what> to <absolute path>`."""
    typer.echo(f"wrote {what} to {Path(path).resolve()}", err=True)


# --- tables and JSON ---------------------------------------------------------------------------------------

_TIME_COLUMN = re.compile(r"(utc|tca|time|epoch|start|stop|rise|set|window|date|file|name|designator)", re.I)


def _cell(value: Any) -> str:
    """Table text of one value: floats to 4 decimals (or 3-digit scientific when tiny or huge)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if value == 0.0 or (1e-3 <= abs(value) < 1e9):
            return f"{value:.4f}".rstrip("0").rstrip(".")
        return f"{value:.3e}"
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, default=str)
    return str(value)


def print_rows(rows: Sequence[dict], *, title: str, as_json: bool = False, columns: Sequence[str] | None = None,
               empty: str = "none") -> None:
    """Print dict rows as a rich table (all keys, or `columns`) or, with `as_json`, as JSON on stdout.

    Time, id and name columns never wrap or get cut; the others fold. With no rows the table says `empty`.
    """
    if as_json:
        typer.echo(json.dumps(list(rows), indent=2, default=str))
        return
    from rich.table import Table

    out = console()
    if not rows:
        out.print(f"{title}: {empty}", highlight=False)
        return
    cols = list(columns) if columns else list(rows[0])
    table = Table(title=title)
    for c in cols:
        cells = [_cell(r.get(c)) for r in rows]
        numeric = all(isinstance(r.get(c), int | float) and not isinstance(r.get(c), bool) for r in rows)
        keep = bool(_TIME_COLUMN.search(c)) or c.endswith("_id") or c.startswith("norad")
        width = max([len(c), *(len(x) for x in cells)]) if keep else None
        table.add_column(c, justify="right" if numeric else "left", no_wrap=keep, min_width=width,
                         overflow="fold")
    for r in rows:
        table.add_row(*(_cell(r.get(c)) for c in cols))
    out.print(table)


def output_rows(rows: list[dict], out: str | None, as_json: bool, title: str,
                columns: tuple[str, ...] | None = None) -> None:
    """Print rows as a table (or JSON) and, with --out, write them and say where (keys starting '_' dropped)."""
    rows = [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows]
    print_rows(rows, title=title, as_json=as_json, columns=columns)
    if out:
        wrote(write_rows(rows, out), f"{len(rows)} rows")


def write_rows(rows: Sequence[dict], out: str | Path) -> Path:
    """Write dict rows to .csv, .jsonl (one object per line) or .json (a list); returns the path."""
    path = Path(out)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        fields: list[str] = []
        for r in rows:
            fields += [k for k in r if k not in fields]
        with open(path, "w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=fields or ["empty"])
            writer.writeheader()
            writer.writerows(rows)
    elif suffix == ".jsonl":
        with open(path, "w") as fh:
            for r in rows:
                fh.write(json.dumps(r, default=str) + "\n")
    else:
        with open(path, "w") as fh:
            json.dump(list(rows), fh, indent=2, default=str)
    return path


# --- parameter callbacks (validated while the command line is parsed) -------------------------------------


def _check_input(value: str | Path, text: bool) -> None:
    """BadParameter naming the file when it is missing, a directory, unreadable, empty or (text) binary."""
    path = Path(value)
    if not path.exists():
        raise typer.BadParameter(f"{path}: cannot open (no such file)")
    if path.is_dir():
        raise typer.BadParameter(f"{path}: cannot open (is a directory)")
    try:
        with open(path, "rb") as fh:
            head = fh.read(_SNIFF_BYTES)
        if head[:2] == b"\x1f\x8b":
            with gzip.open(path, "rb") as fh:
                head = fh.read(_SNIFF_BYTES)
    except OSError as exc:
        raise typer.BadParameter(f"{path}: cannot read ({exc.strerror or exc})") from None
    except EOFError:
        raise typer.BadParameter(f"{path}: truncated gzip file") from None
    if not head.strip():
        raise typer.BadParameter(f"{path}: file is empty")
    if text and _is_binary(head):
        raise typer.BadParameter(f"{path}: binary data, not a text file")


def _is_binary(head: bytes) -> bool:
    """True when bytes look like binary data: a NUL byte, or over 10 % control bytes that text never has."""
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return control > 0.1 * len(head)


def input_files(text: bool = True) -> Callable:
    """Callback for one input file or a list of them: each exists, is readable, non-empty, and (text) not binary."""

    def check(value):
        """Validate and return the value unchanged."""
        if value is None:
            return value
        for item in value if isinstance(value, list | tuple) else [value]:
            _check_input(item, text)
        return value

    return check


def input_dir(value):
    """Callback: an existing, readable directory."""
    if value is not None and not Path(value).is_dir():
        raise typer.BadParameter(f"{value}: no such directory")
    return value


def _check_writable_dir(folder: Path, what: str) -> None:
    """BadParameter when folder is not an existing directory in which a file can be created."""
    if not folder.is_dir():
        raise typer.BadParameter(f"{what}: directory {folder} does not exist")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise typer.BadParameter(f"{what}: directory {folder} is not writable ({exc.strerror or exc})") from None


def output_file(suffixes: Sequence[str] | Callable[[], Sequence[str]] = ROW_SUFFIXES) -> Callable:
    """Callback for an output file: a supported suffix (a tuple, or a function giving it) in a writable directory."""

    def check(value):
        """Validate and return the value unchanged."""
        if value is None:
            return value
        allowed = tuple(suffixes() if callable(suffixes) else suffixes)
        path = Path(value)
        if path.suffix.lower() not in allowed:
            raise typer.BadParameter(f"{path.name}: unsupported file type {path.suffix or '(none)'!r}; "
                                     f"use {', '.join(allowed)}")
        if path.is_dir():
            raise typer.BadParameter(f"{path}: is a directory")
        _check_writable_dir(path.parent, str(path))
        return value

    return check


def output_dir(value):
    """Callback for an output directory: an existing writable one, or a new one in a writable parent."""
    if value is None:
        return value
    path = Path(value)
    if path.exists() and not path.is_dir():
        raise typer.BadParameter(f"{path}: exists and is not a directory")
    _check_writable_dir(path if path.exists() else path.parent, str(path))
    return value


def iso_utc(value):
    """Callback: an ISO 8601 UTC time (2026-03-10, 2026-03-10T06:00Z, 2026-069T06:00:00); value unchanged."""
    if value is None:
        return value
    from orbitshare.astro.time import parse_utc

    try:
        parse_utc(value)
    except (ValueError, TypeError):
        raise typer.BadParameter(f"{value!r} is not an ISO 8601 UTC time such as 2026-03-10T06:00:00Z") from None
    return value


def id_list(value):
    """Callback: NORAD ids given comma-separated (25544,20580), repeated, or both; a list of ints."""
    if value is None:
        return []
    ids: list[int] = []
    for item in value if isinstance(value, list | tuple) else [value]:
        for token in re.split(r"[,\s]+", str(item).strip()):
            if not token:
                continue
            if not token.isdigit() or int(token) == 0:
                raise typer.BadParameter(f"{token!r} is not a NORAD id (a positive integer; "
                                         "give several as 25544,20580 or repeat the option)")
            ids.append(int(token))
    return list(dict.fromkeys(ids))


def _number_check(value, ok: Callable[[float], bool], what: str):
    """BadParameter unless value is None or a finite number satisfying ok."""
    if value is None:
        return value
    if not (math.isfinite(value) and ok(value)):
        raise typer.BadParameter(f"must be {what}, got {value:g}")
    return value


def positive(value):
    """Callback: a finite number > 0."""
    return _number_check(value, lambda v: v > 0, "positive")


def non_negative(value):
    """Callback: a finite number >= 0."""
    return _number_check(value, lambda v: v >= 0, "zero or positive")


def one_of(*choices: str) -> Callable:
    """Callback: one of the choices (case-insensitive); returns the choice as listed."""
    by_lower = {c.lower(): c for c in choices}

    def check(value):
        """Validate and return the canonical spelling."""
        if value is None:
            return value
        if value.lower() not in by_lower:
            raise typer.BadParameter(f"{value!r} is not one of {', '.join(choices)}")
        return by_lower[value.lower()]

    return check


def site(value):
    """Callback: a ground site 'LAT,LON[,ALT_M]' (WGS-84 deg, deg, metres) as an astro.access.Site."""
    if value is None:
        return value
    from orbitshare.ssa.behaviour.ground_passes import parse_site

    try:
        return parse_site(str(value), str(value))
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


_UNITS_S = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def duration_s(value):
    """Callback: seconds (float) from '60', '30s', '5m', '1h' or '1d'; must be positive."""
    if value is None:
        return value
    t = str(value).strip().lower()
    scale = _UNITS_S.get(t[-1:])
    try:
        seconds = float(t[:-1] if scale else t) * (scale or 1.0)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a duration such as 60, 30s, 5m, 1h") from None
    if not (math.isfinite(seconds) and seconds > 0):
        raise typer.BadParameter(f"step must be positive, got {value!r}")
    return seconds


# --- catalogs ----------------------------------------------------------------------------------------------


def print_parse_report(report, show: int = 10) -> None:
    """Print a ParseReport's rejects (first `show`) and replaced duplicates on stderr."""
    err = console(stderr=True)
    if report.rejects:
        err.print(f"[bold red]{len(report.rejects)} rejected record(s)[/]")
        for r in report.rejects[:show]:
            err.print(f"  [red]x[/] {r}", highlight=False)
        if len(report.rejects) > show:
            err.print(f"  ... and {len(report.rejects) - show} more (catalog info --show-rejects N lists them)")
    if report.duplicates:
        err.print(f"[yellow]{len(report.duplicates)} duplicate element set(s) replaced by newer epochs[/]")


def load_catalog(*paths: str | Path, strict: bool = False, show_rejects: int = 10):
    """Catalog and report from files, with progress and the rejects printed; InputError when unreadable or empty."""
    from orbitshare.catalog import CatalogError, read_catalog

    names = ", ".join(map(str, paths))
    try:
        with step(f"reading {names}"):
            cat, rep = read_catalog(*paths, strict=strict)
    except (CatalogError, FileNotFoundError) as exc:
        fail(str(exc))
    except (OSError, EOFError, UnicodeError, ValueError) as exc:
        fail(f"{names}: cannot read ({type(exc).__name__}: {exc}); is the file truncated or damaged?")
    print_parse_report(rep, show_rejects)
    if len(cat) == 0:
        fail(f"{names}: no valid object read ({rep.records_read} records, {len(rep.rejects)} rejected)")
    return cat, rep


def select_ids(cat, ids: list[str] | None, file: str | Path):
    """The catalog's objects with these NORAD ids (all when none given); a usage error naming --ids if one is absent."""
    if not ids:
        return cat
    missing = sorted(set(ids) - set(cat.norad_id.tolist()))
    if missing:
        raise typer.BadParameter(f"NORAD ids not in {file}: {missing}", param_hint="'--ids'")
    return cat.select(ids=ids)


def warn_stale(cat, start, stop, what: str) -> None:
    """Print on stderr the one-line warning for objects whose element sets are stale at a window end."""
    from orbitshare.ssa.conjunction.element_age import stale_in_window, stale_warning

    line = stale_warning(int(stale_in_window(cat, start, stop).sum()), len(cat), what)
    if line:
        typer.echo(line, err=True)


def catalog_summary_table(title: str, catalog, report):
    """Rich table of a catalog's counts by regime and type, epoch span, rejects and duplicates."""
    from rich.table import Table

    s = catalog.summary()
    table = Table(title=title, show_header=False)
    table.add_column("what", style="bold", no_wrap=True)
    table.add_column("value", no_wrap=True)
    table.add_row("objects", f"{s['objects']:,} (of {report.records_read:,} records read)")
    table.add_row("by regime", "  ".join(f"{k} {v:,}" for k, v in s["by_regime"].items()))
    table.add_row("by type", "  ".join(f"{k.lower()} {v:,}" for k, v in s["by_type"].items()))
    if s["objects"]:
        table.add_row("epochs", f"{s['epoch_min']} .. {s['epoch_max']} (median {s['epoch_median']})")
    table.add_row("rejected", f"{len(report.rejects):,}")
    table.add_row("duplicates replaced", f"{len(report.duplicates):,}")
    return table


# --- the top-level error handler ---------------------------------------------------------------------------


def _one_line(text: str) -> str:
    """Collapse whitespace so that a message is one line."""
    return " ".join(str(text).split())


def log_dir() -> Path:
    """Where crash logs go: ORBITSHARE_HOME/logs (default ~/.orbitshare/logs)."""
    from orbitshare.settings import Settings, SettingsError, load_settings

    try:
        home = load_settings().home
    except SettingsError:  # the crash log must still be written: the default home then
        home = Settings.model_fields["home"].default.expanduser()
    return home / "logs"


def _write_crash_log(args: Iterable[str]) -> Path:
    """Write the current exception's traceback and the command line to a new log file; returns its path."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    text = f"orbitshare {' '.join(args)}\n{datetime.now(UTC).isoformat()}\n\n{traceback.format_exc()}"
    for folder in (log_dir(), Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"orbitshare-crash-{stamp}-{os.getpid()}.log"
            path.write_text(text)
            return path
        except OSError:
            continue
    return Path("(log could not be written)")


def _input_error_types() -> tuple[type[BaseException], ...]:
    """Exception types that mean bad input rather than a bug: shown as one line with exit 2."""
    from orbitshare.catalog.records import CatalogError
    from orbitshare.ccsds.cdm import CdmError
    from orbitshare.settings import SettingsError

    return InputError, CatalogError, CdmError, SettingsError, FileNotFoundError, IsADirectoryError, PermissionError


class GuardedGroup(TyperGroup):
    """Top-level command: usage and input errors as one line (exit 2); a bug as a short message and log (exit 1)."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True, **extra: Any) -> Any:
        """Run the command without click's standalone handling and map every exception to an exit code."""
        argv = list(sys.argv[1:] if args is None else args)
        try:
            rv = super().main(args=argv, prog_name=prog_name, complete_var=complete_var, standalone_mode=False,
                              **extra)
            code = rv if isinstance(rv, int) else 0
        except click_exceptions.NoArgsIsHelpError as exc:
            typer.echo(exc.format_message(), err=True)
            code = 2
        except click_exceptions.ClickException as exc:
            ctx = getattr(exc, "ctx", None)
            hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
            typer.echo(f"error: {_one_line(exc.format_message())}{hint}", err=True)
            code = exc.exit_code
        except typer.Abort:
            typer.echo("aborted", err=True)
            code = 130
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            code = 130
        except Exception as exc:  # the one place where every other exception becomes an exit code
            if isinstance(exc, _input_error_types()):
                typer.echo(f"error: {_one_line(str(exc))}", err=True)
                code = 2
            else:
                log = _write_crash_log(argv)
                typer.echo(f"orbitshare: internal error ({type(exc).__name__}: {_one_line(str(exc))[:200]}); "
                           f"this is a bug, please report it with the log {log}", err=True)
                code = 1
        if standalone_mode:
            sys.exit(code)
        return code
