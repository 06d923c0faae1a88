"""The picture's API: positions against skyfield, release decisions, limits; the page's assets and offline docs."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from tests.conftest import DATA, shared_path

from orbitshare.api.demo import ALERT_TITLE

STATIONS = DATA / "tle" / "stations_2026-03-10.json"
T = "2026-03-10T06:00:00Z"
SDA = "space-domain-awareness"


def _label(*rel: str) -> str:
    """A label releasable to `rel`, as the upload form field."""
    return json.dumps({"policy_id": "NATO", "classification": "NATO UNCLASSIFIED", "purposes": [SDA],
                       "categories": [{"tag_name": "Releasable To", "type": "PERMISSIVE", "values": list(rel)}]})


@pytest.fixture
def stations(env) -> str:
    """The stations catalog uploaded by the SVN analyst, releasable to SVN only; its product id."""
    r = env.client.post("/catalogs", headers=env.auth("svn_an"), data={"label": _label("SVN")},
                        files={"file": ("stations.json", STATIONS.read_bytes())})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_positions_match_skyfield_subpoints(env, stations) -> None:
    """Longitude, latitude and height of every object at 3 times agree with skyfield's WGS-84 position (IAU 2000A
    ITRS) within 0.002 deg and 0.05 km (the picture rotates TEME with GMST 1982, without polar motion)."""
    from skyfield.api import EarthSatellite, load, wgs84

    objs = env.client.get(f"/catalog/{stations}/objects", headers=env.auth("svn_an")).json()
    r = env.client.get(f"/catalog/{stations}/positions", params={"t": T, "steps": 3, "step_s": 600},
                       headers=env.auth("svn_an"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/octet-stream"
    n = int(r.headers["x-objects"])
    assert n == objs["count"] == len(objs["norad_id"]) and r.headers["x-start-utc"] == T
    grid = np.frombuffer(r.content, dtype="<f4").reshape(3, n, 3)
    records = {int(o["NORAD_CAT_ID"]): o for o in json.loads(STATIONS.read_text())}
    ts = load.timescale()
    times = ts.utc(2026, 3, 10, 6, [0, 10, 20])
    checked = 0
    for k, nid in enumerate(objs["norad_id"]):
        sat = EarthSatellite.from_omm(ts, records[nid])
        pos = wgs84.geographic_position_of(sat.at(times))
        lon = (np.asarray(pos.longitude.degrees) + 180) % 360 - 180
        dlon = (grid[:, k, 0] - lon + 180) % 360 - 180
        assert np.all(np.abs(dlon) < 2e-3), (nid, dlon)
        assert np.all(np.abs(grid[:, k, 1] - pos.latitude.degrees) < 2e-3), nid
        assert np.all(np.abs(grid[:, k, 2] - pos.elevation.km) < 0.05), nid
        checked += 1
    assert checked == n >= 10


def test_objects_carry_satcat_owners(tmp_path, monkeypatch) -> None:
    """With ORBITSHARE_SATCAT set, each object's owner is its SATCAT COUNTRY (read here with csv), named from
    CelesTrak's list; without it every owner is unknown and the source null; a bad SATCAT stops the app naming
    the variable."""
    import csv
    import gzip

    from tests.api.hub_api_env import make_env

    from orbitshare.settings import SettingsError

    satcat = shared_path("catalog", "satcat_2025-03-16.csv.gz")
    with gzip.open(satcat, "rt") as fh:
        country = {int(r["NORAD_CAT_ID"]): r["COUNTRY"] for r in csv.DictReader(fh)}
    for with_satcat in (True, False):
        if with_satcat:
            monkeypatch.setenv("ORBITSHARE_SATCAT", str(satcat))
        else:
            monkeypatch.delenv("ORBITSHARE_SATCAT")
        e = make_env(tmp_path / str(with_satcat))
        try:
            r = e.client.post("/catalogs", headers=e.auth("svn_an"), data={"label": _label("SVN")},
                              files={"file": ("stations.json", STATIONS.read_bytes())})
            objs = e.client.get(f"/catalog/{r.json()['id']}/objects", headers=e.auth("svn_an")).json()
        finally:
            e.hub.close()
        if with_satcat:
            assert objs["owner"] == [country.get(n, "") for n in objs["norad_id"]]
            assert objs["owner"][objs["norad_id"].index(25544)] == "ISS"
            assert objs["owner_names"]["ISS"] == "International Space Station"
            assert objs["owner_source"] == "satcat_2025-03-16.csv.gz (63,108 objects)"
        else:
            assert set(objs["owner"]) == {""} and objs["owner_names"] == {} and objs["owner_source"] is None
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    monkeypatch.setenv("ORBITSHARE_SATCAT", str(bad))
    with pytest.raises(SettingsError, match=r"^ORBITSHARE_SATCAT: .*bad\.csv: not a SATCAT CSV"):
        make_env(tmp_path / "bad")


def test_track_is_the_positions_of_one_object(env, stations) -> None:
    """A track's samples are the positions of that object at the same times; its element age is TCA minus epoch."""
    objs = env.client.get(f"/catalog/{stations}/objects", headers=env.auth("svn_an")).json()
    k = objs["norad_id"].index(25544)
    tr = env.client.get(f"/catalog/{stations}/track", headers=env.auth("svn_an"),
                        params={"norad_id": 25544, "t": T, "minutes": 20, "step_s": 600}).json()
    grid = np.frombuffer(env.client.get(f"/catalog/{stations}/positions", headers=env.auth("svn_an"),
                                        params={"t": T, "steps": 3, "step_s": 600}).content, "<f4").reshape(3, -1, 3)
    assert np.allclose(tr["lon_deg"], grid[:, k, 0], atol=1e-3) and np.allclose(tr["lat_deg"], grid[:, k, 1], atol=1e-3)
    from datetime import datetime

    epoch = datetime.fromisoformat(objs["epoch_utc"][k].replace("Z", "+00:00"))
    expected = (datetime.fromisoformat(T.replace("Z", "+00:00")) - epoch).total_seconds() / 86400
    assert abs(tr["element_age_days"] - expected) < 1e-4


def test_a_catalog_not_released_is_answered_like_an_unknown_one(env, stations) -> None:
    """LUX gets the same 404 for SVN's unreleased catalog as for a missing id; the refusal is audited."""
    for path in ("objects", "positions", "track?norad_id=25544"):
        hidden = env.client.get(f"/catalog/{stations}/{path}", headers=env.auth("lux_an"))
        missing = env.client.get(f"/catalog/no-such-id/{path}", headers=env.auth("lux_an"))
        assert hidden.status_code == missing.status_code == 404
        assert hidden.json()["detail"].replace(stations, "X") == missing.json()["detail"].replace("no-such-id", "X")
    events = [e for e in env.audit_events() if e.get("event") == "access.picture"]
    assert any(e.get("decision") != "permit" for e in events)


def test_picture_limits_and_bad_input(env, stations) -> None:
    """Bad times, too many samples, unknown parameters and non-catalog products are refused with one clear line."""
    h = env.auth("svn_an")
    r = env.client.get(f"/catalog/{stations}/positions", params={"t": "yesterday"}, headers=h)
    assert r.status_code == 422 and "t: not an ISO 8601" in r.json()["detail"]
    r = env.client.get(f"/catalog/{stations}/track", params={"norad_id": 25544, "t": "0001-01-01T00:00:00Z",
                                                             "before_minutes": 60}, headers=h)
    assert r.status_code == 422 and "between the years" in r.json()["detail"]
    r = env.client.get(f"/catalog/{stations}/positions", params={"steps": 2000}, headers=h)
    assert r.status_code == 422
    r = env.client.get(f"/catalog/{stations}/positions", params={"speed": 2}, headers=h)
    assert r.status_code == 422 and "unknown query parameter" in r.text
    r = env.client.get(f"/catalog/{stations}/track", params={"norad_id": 1}, headers=h)
    assert r.status_code == 422 and "norad_id: 1 is not in catalog" in r.json()["detail"]
    report = env.products[ALERT_TITLE]["id"]
    r = env.client.get(f"/catalog/{report}/objects", headers=h)
    assert r.status_code == 422 and "needs a 'catalog'" in r.json()["detail"]


def test_page_assets_and_docs_are_local(env) -> None:
    """The page, its scripts and the API docs reference only this origin; files outside static are not served."""
    page = env.client.get("/")
    assert page.status_code == 200 and "content-security-policy" in page.headers
    assert not re.search(r"(src|href)=\"(https?:)?//", page.text)
    for path in ("/web/app.js", "/web/vendor/maplibre-gl-worker.mjs"):
        r = env.client.get(path)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")
    for path in ("/docs", "/redoc"):
        html = env.client.get(path).text
        urls = re.findall(r"(?:src|href)=[\"']([^\"']+)", html) + re.findall(r"url: ?['\"]([^'\"]+)", html)
        assert urls and all(u.startswith("/") for u in urls), urls
    for path in ("/web/../app.py", "/web/%2e%2e/api/app.py", "/web/vendor", "/web/"):
        assert env.client.get(path).status_code == 404, path
