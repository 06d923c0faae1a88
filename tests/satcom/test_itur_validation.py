"""ITU-R propagation models against the ITU-R SG3 validation examples (CG-3M3J-13-ValEx, via ITU-Rpy).

Tolerances are ITU-Rpy's own (absolute, assertAlmostEqual places): 5 decimals for the components, 4 for
A_total, 3 for P.837 Rp. The A_total check runs through orbitshare's batched attenuation table (site climate
once, zenith gas scaled by 1/sin(el), rain/cloud/scintillation vectorised), so it validates that batching too.
"""

from __future__ import annotations

import csv
import warnings

import numpy as np
import pytest
from tests.conftest import shared_path

from orbitshare.satcom.atmosphere import attenuation_table, site_climate


def _rows(*parts: str) -> list[dict[str, float]]:
    """Data rows (row 3 on) of a validation CSV as floats; row 2 holds units."""
    path = shared_path("itur-validation", *parts)
    with path.open(encoding="cp1252", newline="") as fh:
        reader = csv.reader(fh)
        head = next(reader)
        next(reader)
        return [{h.strip(): float(v) for h, v in zip(head, row, strict=False) if v.strip()} for row in reader if row]


def _near(got: float, want: float, places: int) -> bool:
    """unittest.assertAlmostEqual: round(got - want, places) == 0."""
    return round(got - want, places) == 0


#: File lines of 618/ITURP618-13_A_total.csv where itur 0.4.0 (with the workbook's R0.01) misses places=4 on
#: A_total; all are within 2.1e-4 dB. ITU-Rpy's own report test prints these rather than failing.
A_TOTAL_PLACES4_MISSES = {22, 23, 24, 25, 26, 31, 33, 37, 39, 41, 52, 58, 59, 61, 62, 64, 65}


def test_total_attenuation_618_13_all_64_rows():
    """618/ITURP618-13_A_total.csv, all 64 rows, through the batched table with the workbook's R0.01.

    Gas, cloud and scintillation within places=5 on every row; A_total within places=4 on the 47 rows not in
    A_TOTAL_PLACES4_MISSES and within 2.5e-4 dB on those 17. The R0.01 of each case is the one listed in
    618/ITURP618-13_A_rain.csv (same 64 cases, same order), passed as a measured rain rate.
    """
    rows = _rows("618", "ITURP618-13_A_total.csv")
    rain_rows = _rows("618", "ITURP618-13_A_rain.csv")
    assert len(rows) == len(rain_rows) == 64
    bad = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, (r, rr) in enumerate(zip(rows, rain_rows, strict=True)):
            line = i + 3
            assert all(r[k] == rr[k] for k in ("lat", "lon", "f", "el", "p", "tau")), f"line {line} differs"
            clim = site_climate([r["lat"]], [r["lon"]], [r["hs"]])
            tab = attenuation_table(clim, r["f"], np.array([r["el"]]), np.array([r["p"]]), r["D"], r["eta"],
                                    r["tau"], r001_mmh=[rr["R001"]])
            gas_ref = r["A_gas"] if r["p"] >= 1 else r["A_gas_1"]
            cloud_ref = r["A_clouds"] if r["p"] >= 1 else r["A_clouds_1"]
            for got, want in ((tab.scint_db, r["A_scin"]), (tab.gas_db, gas_ref), (tab.cloud_db, cloud_ref)):
                if not _near(float(got[0, 0, 0]), want, 5):
                    bad.append((line, float(got[0, 0, 0]), want))
            total = float(tab.total_db[0, 0, 0])
            ok = abs(total - r["A_total"]) < 2.5e-4 if line in A_TOTAL_PLACES4_MISSES else _near(total, r["A_total"], 4)
            if not ok:
                bad.append((line, total, r["A_total"]))
    assert not bad, f"(file line, got, expected) outside tolerance: {bad[:5]}"


def test_total_with_p837_map_rain_rate():
    """618/ITURP618-13_A_total.csv with R0.01 from itur's P.837-7 map: A_total within 0.02 dB on all 64 rows."""
    rows = _rows("618", "ITURP618-13_A_total.csv")
    worst = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for r in rows:
            clim = site_climate([r["lat"]], [r["lon"]], [r["hs"]])
            tab = attenuation_table(clim, r["f"], np.array([r["el"]]), np.array([r["p"]]), r["D"], r["eta"],
                                    r["tau"])
            worst = max(worst, abs(float(tab.total_db[0, 0, 0]) - r["A_total"]))
    assert worst < 0.02


def test_rain_attenuation_618_13_with_file_r001():
    """618/ITURP618-13_A_rain.csv, 64 rows: itur rain_attenuation with the file's R001 within places=5."""
    import itur.models.itu618 as m618

    rows = _rows("618", "ITURP618-13_A_rain.csv")
    assert len(rows) == 64
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = [float(getattr(v := m618.rain_attenuation(r["lat"], r["lon"], r["f"], r["el"], r["hs"], r["p"],
                                                        r["R001"], r["tau"]), "value", v)) for r in rows]
    bad = [(i + 3, g, r["A_rain"]) for i, (g, r) in enumerate(zip(got, rows, strict=True))
           if not _near(g, r["A_rain"], 5)]
    assert not bad, bad[:5]


#: File lines of 837/ITURP837-7_rainfall_rate.csv where itur 0.4.0 misses places=3; the gap (mm/h) is bounded here.
P837_KNOWN_GAPS = {3: 0.004, 18: 0.002, 23: 0.022, 28: 0.001}


def test_rainfall_rate_837_7():
    """837/ITURP837-7_rainfall_rate.csv, 40 rows: P.837-7 Rp within places=3 on 36 rows, 0.022 mm/h on 4.

    Lines 3, 18, 23 and 28 (p = 0.01 % at Kuala Lumpur, 0.02 % / 0.03 % / 0.1 % at other sites) differ from the
    workbook by 0.001-0.022 mm/h (at most 0.035 %): a known gap of the map interpolation, bounded per line.
    """
    import itur.models.itu837 as m837

    rows = _rows("837", "ITURP837-7_rainfall_rate.csv")
    assert len(rows) == 40
    for i, r in enumerate(rows):
        g = m837.rainfall_rate(r["lat"], r["lon"], r["p"])
        g = float(getattr(g, "value", g))
        line = i + 3
        if line in P837_KNOWN_GAPS:
            assert abs(g - r["Rp"]) <= P837_KNOWN_GAPS[line], (line, g, r["Rp"])
        else:
            assert _near(g, r["Rp"], 3), (line, g, r["Rp"])


def test_scintillation_618_13():
    """618/ITURP618-13_A_sci.csv, 64 rows: scintillation within places=5 (the table's A_S path)."""
    rows = _rows("618", "ITURP618-13_A_sci.csv")
    bad = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, r in enumerate(rows):
            clim = site_climate([r["lat"]], [r["lon"]], [r["hs"]])
            tab = attenuation_table(clim, r["f"], np.array([r["el"]]), np.array([r["p"]]), r["D"], r["eta"],
                                    r["tau"])
            if not _near(float(tab.scint_db[0, 0, 0]), r["A_scin"], 5):
                bad.append((i + 3, float(tab.scint_db[0, 0, 0]), r["A_scin"]))
    assert not bad, bad[:5]


@pytest.mark.parametrize("el", [5.0, 12.5, 37.0, 80.0])
def test_batched_table_equals_itur_total(el):
    """The batched table equals itur.atmospheric_attenuation_slant_path (1e-9 dB) at Ljubljana, 20 GHz."""
    import itur

    clim = site_climate([46.0569], [14.5058])
    ps = np.array([0.01, 0.1, 1.0, 3.0])
    tab = attenuation_table(clim, 20.0, np.array([el]), ps, 1.0, 0.6, 45.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for k, p in enumerate(ps):
            ref = itur.atmospheric_attenuation_slant_path(46.0569, 14.5058, 20.0, el, p, 1.0, eta=0.6, tau=45.0)
            assert abs(float(tab.total_db[0, 0, k]) - float(ref.value)) < 1e-9
