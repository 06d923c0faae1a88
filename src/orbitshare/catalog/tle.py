"""Two- and three-line element sets: fixed-column parsing with checksums (file object in, records out)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sgp4.alpha5 import from_alpha5

from orbitshare.astro.time import tle_epoch_to_jd
from orbitshare.catalog.records import CatalogError, Reject, object_type_from_name

__all__ = ["TLE_LINE_LENGTH", "checksum", "parse_tle_pair", "read_tle"]

TLE_LINE_LENGTH = 69
# 0-based columns that must be blank (1-based: line 1 cols 2,9,18,33,44,53,62,64; line 2 cols 2,8,17,26,34,43,52).
_BLANKS = {1: (1, 8, 17, 32, 43, 52, 61, 63), 2: (1, 7, 16, 25, 33, 42, 51)}
# Checksum weights: digits count their value, '-' counts one, everything else zero.
_CHECKSUM_TABLE = bytes((c - 48) if 48 <= c <= 57 else (1 if c == 45 else 0) for c in range(256))


def checksum(line: str) -> int:
    """Modulo-10 checksum of the first 68 columns of a TLE line."""
    return sum(line[:68].encode("latin-1", "replace").translate(_CHECKSUM_TABLE)) % 10


def _implied_decimal(field: str) -> float:
    """Value of a TLE exponent field such as ' 15609-3' or '-11606-4' (meaning ±0.15609e-3)."""
    s = field.strip().replace(" ", "")
    if not s:
        raise ValueError("empty field")
    sign = -1.0 if s[0] == "-" else 1.0
    if s[0] in "+-":
        s = s[1:]
    mantissa, exp_sign, exponent = s[:-2], s[-2], s[-1]
    if exp_sign not in "+-" or not mantissa.isdigit() or not exponent.isdigit():
        raise ValueError(f"{field.strip()!r} is not in the form [±]NNNNN±E")
    return sign * float("0." + mantissa) * 10.0 ** (int(exponent) * (-1 if exp_sign == "-" else 1))


def _satnum(field: str) -> int:
    """NORAD number from columns 3-7: zero- or space-padded digits, or an Alpha-5 id such as 'A1234'."""
    s = field.strip()
    if not s:
        raise ValueError("empty catalog number")
    if s[0].isalpha():
        if len(field) != 5 or not field[1:].isdigit() or s[0] in "IO":
            raise ValueError(f"{field!r} is not a valid Alpha-5 catalog number")
        return from_alpha5(field)
    if not s.isdigit():
        raise ValueError(f"{field!r} is not a catalog number")
    return int(s)


def _number(field: str, name: str) -> float:
    """Float of a fixed-width field, with a message naming the field on failure."""
    try:
        return float(field.replace(" ", "") if field.strip().startswith(("+", "-")) else field)
    except ValueError:
        raise ValueError(f"{name}: {field.strip()!r} is not a number") from None


def _check_line(line: str, number: int, verify_checksum: bool = True) -> str | None:
    """Reason why a TLE line is structurally invalid, or None."""
    if len(line) != TLE_LINE_LENGTH:
        return f"line {number} has {len(line)} characters, expected {TLE_LINE_LENGTH}"
    for col in _BLANKS[number]:
        if line[col] != " ":
            return f"line {number} column {col + 1} must be blank, found {line[col]!r}"
    if not verify_checksum:
        return None
    if not line[68].isdigit():
        return f"line {number} checksum column 69 is {line[68]!r}, not a digit"
    if checksum(line) != int(line[68]):
        return f"line {number} checksum is {line[68]}, computed {checksum(line)}"
    return None


def parse_tle_pair(name: str, line1: str, line2: str, verify_checksum: bool = True) -> dict:
    """One element set from its two lines (and name); raises ValueError('FIELD: reason').

    verify_checksum=False exists for Vallado's verification file, whose error cases carry wrong checksums.
    """
    for number, line in ((1, line1), (2, line2)):
        problem = _check_line(line, number, verify_checksum)
        if problem:
            raise ValueError(f"LINE{number}: {problem}")
    try:
        norad = _satnum(line1[2:7])
    except ValueError as exc:
        raise ValueError(f"NORAD_CAT_ID: {exc}") from None
    if line2[2:7] != line1[2:7]:
        raise ValueError(f"NORAD_CAT_ID: line 1 has {line1[2:7]!r} but line 2 has {line2[2:7]!r}")
    year2 = line1[18:20]
    if not year2.isdigit():
        raise ValueError(f"EPOCH: year {year2!r} is not two digits")
    doy = _number(line1[20:32], "EPOCH")
    if not 1.0 <= doy < 367.0:
        raise ValueError(f"EPOCH: day of year {doy} outside [1, 367)")
    ecc_field = line2[26:33]
    if not ecc_field.isdigit():
        raise ValueError(f"ECCENTRICITY: {ecc_field!r} is not 7 digits with an implied decimal point")
    try:
        ndot = _number(line1[33:43], "MEAN_MOTION_DOT")
        nddot = _implied_decimal(line1[44:52])
    except ValueError as exc:
        field = "MEAN_MOTION_DOT" if "MEAN_MOTION_DOT" in str(exc) else "MEAN_MOTION_DDOT"
        raise ValueError(f"{field}: {str(exc).split(': ', 1)[-1]}") from None
    try:
        bstar = _implied_decimal(line1[53:61])
    except ValueError as exc:
        raise ValueError(f"BSTAR: {exc}") from None
    jd, fr = tle_epoch_to_jd(int(year2), doy)
    launch = line1[9:17].strip()
    intl = ""
    if launch:
        yy = int(launch[:2]) if launch[:2].isdigit() else None
        if yy is not None:
            intl = f"{1900 + yy if yy >= 57 else 2000 + yy}-{launch[2:].strip()}"
    elset = line1[64:68].strip()
    rev = line2[63:68].strip()
    return {
        "norad_id": norad,
        "name": name,
        "intl_des": intl,
        "object_type": object_type_from_name(name),
        "classification": line1[7] if line1[7] != " " else "U",
        "epoch_jd": float(jd),
        "epoch_fr": float(fr),
        "mean_motion_revday": _number(line2[52:63], "MEAN_MOTION"),
        "ecc": float("0." + ecc_field),
        "incl_deg": _number(line2[8:16], "INCLINATION"),
        "raan_deg": _number(line2[17:25], "RA_OF_ASC_NODE"),
        "argp_deg": _number(line2[34:42], "ARG_OF_PERICENTER"),
        "mean_anomaly_deg": _number(line2[43:51], "MEAN_ANOMALY"),
        "bstar": bstar,
        "ndot": ndot,
        "nddot": nddot,
        "element_set_no": int(elset) if elset.isdigit() else 0,
        "rev_at_epoch": int(rev) if rev.isdigit() else 0,
    }


def _is_line(text: str, number: int) -> bool:
    """Whether text looks like TLE line 1 or 2 (starts with the line number and a blank)."""
    return len(text) >= 2 and text[0] == str(number) and text[1] == " " and len(text) >= 60


def read_tle(lines: Iterable[str], source: str = "<tle>", strict: bool = False) -> Iterator[dict | Reject]:
    """Element-set records (dicts) and Rejects from 2- or 3-line TLE text, with 1-based line numbers."""
    pending_name: tuple[int, str] | None = None
    pending_l1: tuple[int, str] | None = None

    def reject(lineno: int, field: str, reason: str, norad: int | None = None) -> Reject:
        r = Reject(source, f"line {lineno}", field, reason, norad)
        if strict:
            raise CatalogError(r)
        return r

    for lineno, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n").rstrip()
        if not line:
            continue
        if pending_l1 is not None:
            l1no, l1 = pending_l1
            pending_l1 = None
            if not _is_line(line, 2):
                yield reject(l1no, "LINE2", "line 1 is not followed by a line 2")
                # fall through: treat this line afresh
            else:
                name = pending_name[1] if pending_name else ""
                pending_name = None
                try:
                    rec = parse_tle_pair(name, l1, line)
                except ValueError as exc:
                    field, _, reason = str(exc).partition(": ")
                    norad = None
                    try:
                        norad = _satnum(l1[2:7])
                    except (ValueError, KeyError):
                        pass
                    yield reject(l1no, field, reason, norad)
                else:
                    rec["_location"] = f"line {l1no}"
                    yield rec
                continue
        if _is_line(line, 1):
            pending_l1 = (lineno, line)
        elif _is_line(line, 2):
            yield reject(lineno, "LINE1", "line 2 without a preceding line 1")
            pending_name = None
        else:
            if pending_name is not None:
                yield reject(pending_name[0], "NAME", "name line not followed by element lines")
            name = line[2:].strip() if line.startswith("0 ") else line.strip()
            pending_name = (lineno, name)
    if pending_l1 is not None:
        yield reject(pending_l1[0], "LINE2", "line 1 at end of file without a line 2")
    elif pending_name is not None:
        yield reject(pending_name[0], "NAME", "name line at end of file without element lines")
