"""Capability jobs through the hub: passes, manoeuvres and screening on uploaded catalogs, as labelled products."""

from __future__ import annotations

import gzip
import io
import json

import numpy as np
from sgp4.api import WGS72, Satrec, SatrecArray
from tests.conftest import DATA

LAB = {"policy_id": "NATO", "classification": "UNCLASSIFIED"}


def _upload(env, user: str, text: str, name: str = "cat.txt") -> str:
    """Upload a catalog file as `user`; the product id."""
    r = env.client.post("/catalogs", headers=env.auth(user), data={"label": json.dumps(LAB)},
                        files={"file": (name, text.encode())})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _job(env, user: str, name: str, params: dict):
    """POST /jobs/{name} as `user`."""
    return env.client.post(f"/jobs/{name}", headers=env.auth(user), json={"label": LAB, "params": params})


def test_passes_job_stores_imaging_opportunities(env) -> None:
    """Passes of the ISS over Ljubljana: each reported culmination is a local maximum of python-sgp4 elevation."""
    stations = (DATA / "tle" / "stations_2026-03-10.json").read_text()
    pid = _upload(env, "svn_an", stations, "stations.json")
    r = _job(env, "svn_an", "passes", {"catalog_product": pid, "lat_deg": 46.0569, "lon_deg": 14.5058,
                                       "start": "2026-03-10T00:00:00Z", "hours": 24, "ids": [25544]})
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "imaging_opportunities" and r.json()["meta"]["passes"] >= 3
    rows = env.client.get(f"/products/{r.json()['id']}/content", headers=env.auth("svn_an")).json()
    assert all(row["max_elevation_deg"] >= 10 for row in rows)


def test_screening_job_matches_python_sgp4_distance(env) -> None:
    """Each reported conjunction's miss distance is python-sgp4's range at the reported TCA (1 m)."""
    stations = (DATA / "tle" / "stations_2026-03-10.json").read_text()
    pid = _upload(env, "svn_an", stations, "stations.json")
    r = _job(env, "svn_an", "screening", {"catalog_product": pid, "start": "2026-03-10T00:00:00Z", "days": 1,
                                          "threshold_km": 50})
    assert r.status_code == 201, r.text
    report = env.client.get(f"/products/{r.json()['id']}/content", headers=env.auth("svn_an")).json()
    assert report["conjunctions"], "docked/co-orbiting station modules must give close approaches"
    elems = {int(o["NORAD_CAT_ID"]): o for o in json.loads(stations)}
    from orbitshare.catalog import read_catalog

    cat, _ = read_catalog(DATA / "tle" / "stations_2026-03-10.json")
    refs = {}
    for row in report["conjunctions"][:20]:
        sats = []
        for nid in (row["norad_id_1"], row["norad_id_2"]):
            i = int(cat.index_of([nid])[0])
            c = cat.columns
            s = Satrec()
            s.sgp4init(WGS72, "i", nid % 100000, c["epoch_jd"][i] + c["epoch_fr"][i] - 2433281.5, c["bstar"][i],
                       c["ndot"][i] / (1440 / (2 * np.pi) * 1440), c["nddot"][i] / (1440 / (2 * np.pi) * 1440**2),
                       c["ecc"][i], np.radians(c["argp_deg"][i]), np.radians(c["incl_deg"][i]),
                       np.radians(c["mean_anomaly_deg"][i]), c["mean_motion_revday"][i] / (1440 / (2 * np.pi)),
                       np.radians(c["raan_deg"][i]))
            sats.append(s)
        _, r_ref, _ = SatrecArray(sats).sgp4(np.array([row["tca_jd"]]), np.array([row["tca_fr"]]))
        assert abs(np.linalg.norm(r_ref[0, 0] - r_ref[1, 0]) - row["miss_km"]) < 1e-3
        refs[row["norad_id_1"], row["norad_id_2"], row["tca_utc"]] = np.linalg.norm(r_ref[0, 0] - r_ref[1, 0])
    assert set(elems) >= {row["norad_id_1"] for row in report["conjunctions"]}
    _check_report_cdms(report, refs)


def _check_report_cdms(report: dict, refs: dict) -> None:
    """The report's CDMs are valid CCSDS KVN for the closest events; GCRF states give python-sgp4's range."""
    from orbitshare.ccsds.cdm import read_cdm

    rows = report["conjunctions"]
    assert len(report["cdms"]) == min(50, len(rows))
    closest = sorted(r["miss_km"] for r in rows)[: len(report["cdms"])]
    assert sorted(rows[c["index"]]["miss_km"] for c in report["cdms"]) == closest
    checked = 0
    for item in report["cdms"]:
        row = rows[item["index"]]
        cdm = read_cdm(io.StringIO(item["kvn"]))
        assert cdm.originator == "SVN" and cdm.message_id == item["message_id"]
        assert {cdm.object1.designator, cdm.object2.designator} == {str(row["norad_id_1"]), str(row["norad_id_2"])}
        rng_km = np.linalg.norm(np.subtract(cdm.object2.r_km, cdm.object1.r_km))
        key = (row["norad_id_1"], row["norad_id_2"], row["tca_utc"])
        if key in refs:
            assert abs(rng_km - refs[key]) < 1e-3
            checked += 1
        assert row["pc_tle"] is None or 0 <= row["pc_tle"] <= 1
    assert checked >= 1


def test_manoeuvre_job_on_a_history(env) -> None:
    """A GEO history gives manoeuvre alerts stored as an `alert` product."""
    tle = gzip.open(DATA / "sda" / "maneuvers_Fengyun-2E.tle.gz", "rt").read()
    pid = _upload(env, "lux_an", tle, "fy2e.tle")
    r = _job(env, "lux_an", "manoeuvres", {"catalog_product": pid})
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "alert" and r.json()["meta"]["alerts"] > 10


def test_jobs_refuse_other_partners_inputs_and_bad_params(env) -> None:
    """A job may not re-originate another partner's product; bad parameters are 422 naming the field."""
    stations = (DATA / "tle" / "stations_2026-03-10.json").read_text()
    pid = _upload(env, "svn_an", stations, "stations.json")
    r = _job(env, "lux_an", "passes", {"catalog_product": pid, "lat_deg": 49.6, "lon_deg": 6.1})
    assert r.status_code == 404  # LUX may not see it: answered like a missing product
    r = _job(env, "svn_an", "passes", {"catalog_product": pid, "lat_deg": 95, "lon_deg": 6.1})
    assert r.status_code == 422 and "lat_deg" in r.json()["detail"]
    r = _job(env, "svn_an", "screening", {"catalog_product": pid, "days": 30})
    assert r.status_code == 422 and "days" in r.json()["detail"]
    r = _job(env, "svn_an", "screening", {"catalog_product": "no-such-product"})
    assert r.status_code == 404


def test_job_results_are_strict_json():
    """A result holding NaN or infinities (a screening's missing Pc) is stored as strict JSON with nulls (RFC 8259
    has no NaN), so browsers and other JSON readers can parse it."""
    import json
    import math

    from orbitshare.api.jobs import encode_result

    data = encode_result({"pc": math.nan, "rows": [{"miss_km": 1.5, "pc": math.inf}, (2.0, -math.inf)]})

    def refuse(name):
        raise ValueError(f"non-standard JSON constant {name}")

    assert json.loads(data, parse_constant=refuse) == {"pc": None, "rows": [{"miss_km": 1.5, "pc": None},
                                                                            [2.0, None]]}
