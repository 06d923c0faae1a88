"""Tasking over HTTP on SQLite and PostgreSQL: request, signed decision, lifecycle, release, refusals, activation."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from orbitshare.sharing import consent as cs

EO = "earth-observation"
AOI = {"type": "Polygon", "coordinates": [[[14.4, 46.0], [14.6, 46.0], [14.6, 46.1], [14.4, 46.1], [14.4, 46.0]]]}
ELEMENTS = Path(__file__).resolve().parents[1] / "data" / "sda" / "eo_satellites_2026-03-10.csv.gz"
EXERCISE = Path(__file__).resolve().parents[1] / "data" / "tasking" / "exercise_assets.yaml"


def _label(*rel_to: str, purposes: tuple[str, ...] = (EO,)) -> dict:
    """A NATO label releasable to `rel_to` for `purposes`."""
    return {
        "policy_id": "NATO",
        "classification": "NATO UNCLASSIFIED",
        "purposes": list(purposes),
        "categories": [{"tag_name": "Releasable To", "type": "PERMISSIVE", "values": list(rel_to)}],
    }


def _iso(t: datetime) -> str:
    """ISO text with a Z."""
    return cs.iso(t)


def _request(env, who: str = "svn_an", asset: str = "naos", **extra) -> dict:
    """POST /tasking for a 48 h window from now; returns the response JSON (asserting 201)."""
    now = datetime.now(UTC)
    body = {"asset_id": asset, "aoi": AOI, "window_start": _iso(now), "window_end": _iso(now + timedelta(hours=48)),
            "purpose": EO, "justification": "flood extent"} | extra
    r = env.client.post("/tasking", headers=env.auth(who), json=body)
    assert r.status_code == 201, r.text
    return r.json()


def test_request_then_decline(db_env) -> None:
    """The owner's focal point finds the request in its inbox and declines; history comes from the audit log."""
    t = _request(db_env)
    assert (t["status"], t["owner"], t["requester"]) == ("requested", "LUX", "SVN")
    inbox = db_env.client.get("/tasking?box=inbox", headers=db_env.auth("lux_fp")).json()
    assert [x["id"] for x in inbox] == [t["id"]]
    assert db_env.client.get("/tasking?box=inbox", headers=db_env.auth("lux_an")).status_code == 403
    r = db_env.client.post(f"/tasking/{t['id']}/decline", headers=db_env.auth("lux_fp"), json={"note": "busy"})
    assert r.status_code == 200 and r.json()["status"] == "declined"
    got = db_env.client.get(f"/tasking/{t['id']}", headers=db_env.auth("svn_an")).json()
    assert [(h["event"], h["status"]) for h in got["history"]] == [
        ("tasking.request", "requested"), ("tasking.decline", "declined")]
    events = [e["event"] for e in db_env.audit_events() if e.get("tasking") == t["id"]]
    assert events == ["tasking.request", "tasking.decline"]


def test_lifecycle_delivers_to_the_requester_and_nobody_else(db_env) -> None:
    """accept -> planned -> acquired -> delivered; SVN reads the product, DEU gets 404 (no consent)."""
    env = db_env
    t = _request(env)
    acc = env.client.post(f"/tasking/{t['id']}/accept", headers=env.auth("lux_fp"), json={"note": "ok"}).json()
    assert acc["status"] == "accepted" and acc["acceptance_valid"] is True
    assert cs.verify_signature(cs.unb64u(acc["acceptance_b64"]), acc["acceptance_signature"],
                               cs.unb64u(acc["acceptance_public_key"]))
    planned = _iso(datetime.now(UTC) + timedelta(hours=5))
    steps = [
        ("lux_an", {"status": "planned", "planned_time": planned, "plan_ref": "LUX-plan-7"}),
        ("lux_an", {"status": "acquired", "acquired_time": _iso(datetime.now(UTC))}),
    ]
    for who, body in steps:
        r = env.client.post(f"/tasking/{t['id']}/advance", headers=env.auth(who), json=body)
        assert r.status_code == 200 and r.json()["status"] == body["status"], r.text
    scene = {"kind": "stac_item", "title": "LUXEOSys scene, Ljubljana flood", "label": _label("LUX", "SVN", "DEU"),
             "content": {"type": "Feature", "stac_version": "1.0.0", "id": "scene-1", "geometry": AOI,
                         "bbox": [14.4, 46.0, 14.6, 46.1], "links": [], "assets": {},
                         "properties": {"datetime": _iso(datetime.now(UTC)), "platform": "naos"}}}
    r = env.client.post("/products", headers=env.auth("lux_an"), json=scene)
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    svn = {**env.auth("svn_an"), "X-Purpose": EO}
    assert env.client.get(f"/products/{pid}", headers=svn).status_code == 404  # not yet delivered
    r = env.client.post(f"/tasking/{t['id']}/advance", headers=env.auth("lux_an"),
                        json={"status": "delivered", "product_ids": [pid]})
    assert r.status_code == 200 and r.json()["status"] == "delivered"
    got = env.client.get(f"/products/{pid}", headers=svn)
    assert got.status_code == 200 and got.json()["label"]["originator"] == "LUX"
    deu = {**env.auth("deu_an"), "X-Purpose": EO}
    assert env.client.get(f"/products/{pid}", headers=deu).status_code == 404
    assert env.client.get(f"/tasking/{t['id']}", headers=env.auth("deu_an")).status_code == 404
    hist = env.client.get(f"/tasking/{t['id']}", headers=env.auth("lux_fp")).json()["history"]
    assert [h["status"] for h in hist] == ["requested", "accepted", "planned", "acquired", "delivered"]
    assert env.hub.audit.verify().ok


def test_wrong_party_gets_403_and_a_stranger_404(db_env) -> None:
    """Only LUX's focal point decides; SVN's people are refused 403, DEU does not see the tasking."""
    t = _request(db_env)
    for who in ("lux_an", "svn_fp", "svn_an"):
        r = db_env.client.post(f"/tasking/{t['id']}/accept", headers=db_env.auth(who), json={})
        assert r.status_code == 403 and "focal point of the owner (LUX)" in r.json()["detail"]
    assert db_env.client.post(f"/tasking/{t['id']}/accept", headers=db_env.auth("deu_an"), json={}).status_code == 404
    refusals = [e for e in db_env.audit_events() if e["event"] == "refuse" and e.get("status") == 403]
    assert len(refusals) == 3


def test_skipping_a_state_is_409(db_env) -> None:
    """requested -> planned and accepted -> delivered are refused; the tasking stays where it was."""
    t = _request(db_env)
    soon = _iso(datetime.now(UTC) + timedelta(hours=2))
    r = db_env.client.post(f"/tasking/{t['id']}/advance", headers=db_env.auth("lux_an"),
                           json={"status": "planned", "planned_time": soon})
    assert r.status_code == 409 and "cannot become planned" in r.json()["detail"]
    db_env.client.post(f"/tasking/{t['id']}/accept", headers=db_env.auth("lux_fp"), json={})
    r = db_env.client.post(f"/tasking/{t['id']}/advance", headers=db_env.auth("lux_an"),
                           json={"status": "delivered", "product_ids": ["x"]})
    assert r.status_code == 409
    assert db_env.client.get(f"/tasking/{t['id']}", headers=db_env.auth("svn_an")).json()["status"] == "accepted"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"asset_id": "no-such-sat"}, "asset_id"),
        ({"asset_id": "nemo-hd"}, "asset_id"),  # the requester's own asset
        ({"aoi": {"type": "Point", "coordinates": [14.5, 95.0]}}, "aoi.coordinates"),
        ({"aoi": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}}, "aoi.type"),
        ({"window_start": "2027-01-01T00:00:00"}, "window_start"),
        ({"window_end": "2020-01-01T00:00:00Z"}, "window_end"),
        ({"urgency": "asap"}, "urgency"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_invalid_requests_are_422_naming_the_field(env, change: dict, field: str) -> None:
    """Bad input is answered 422 with the field named in the detail."""
    now = datetime.now(UTC)
    body = {"asset_id": "naos", "aoi": AOI, "window_start": _iso(now),
            "window_end": _iso(now + timedelta(hours=48))} | change
    r = env.client.post("/tasking", headers=env.auth("svn_an"), json=body)
    assert r.status_code == 422 and field in r.json()["detail"], r.text


def _elements_product(env) -> str:
    """The EO satellites' elements of 2026-03-10 shared by SVN as a catalog product releasable to LUX."""
    text = gzip.decompress(ELEMENTS.read_bytes()).decode()
    body = {"kind": "catalog", "title": "EO elements 2026-03-10", "label": _label("SVN", purposes=()), "text": text}
    r = env.client.post("/products", headers=env.auth("svn_an"), json=body)
    assert r.status_code == 201, r.text
    return r.json()["id"]


@pytest.fixture
def agile(monkeypatch) -> list:
    """The hub's registry extended by the exercise file (a 30 deg field of regard for the emergency-use assets)."""
    import orbitshare.api.activation as activation
    from orbitshare.eo.assets import load_registry

    assets = list(load_registry(EXERCISE))
    monkeypatch.setattr(activation, "registry", lambda: assets)
    return assets


def test_activation_plans_emergency_assets_only(env, agile) -> None:
    """A past activation planned on given elements names only emergency-use assets, fastest first."""
    emergency = {a.id for a in agile if a.emergency_use}
    others = {a.id for a in agile if not a.emergency_use}
    body = {"aoi": AOI, "event_type": "flood", "catalog_product": _elements_product(env),
            "start": "2026-03-10T12:00:00Z", "horizon_h": 120, "request_taskings": False}
    r = env.client.post("/eo/activations", headers=env.auth("svn_an"), json=body)
    assert r.status_code == 201, r.text
    out = r.json()
    planned = [p["asset_id"] for p in out["plan"]]
    assert planned and set(planned) <= emergency and not set(planned) & others
    assert [p["first_access"] for p in out["plan"]] == sorted(p["first_access"] for p in out["plan"])
    assert out["time_to_first_image_s"] == out["plan"][0]["time_to_first_image_s"] > 0
    assert out["taskings"] == [] and out["activation_id"] is None


def test_activation_requests_other_partners_assets(env, agile) -> None:
    """An activation now requests each planned asset of another partner; it tops the owner's inbox."""
    routine = _request(env)
    body = {"aoi": AOI, "event_type": "earthquake", "catalog_product": _elements_product(env), "horizon_h": 240}
    out = env.client.post("/eo/activations", headers=env.auth("svn_fp"), json=body).json()
    assert out["activation_id"]
    for p in out["plan"]:
        assert (p["tasking_id"] is None) == (p["owner"] == "SVN")
    made = out["taskings"]
    assert made and all(t["urgency"] == "emergency" and t["event_type"] == "earthquake" for t in made)
    lux = [t["id"] for t in made if t["owner"] == "LUX"]
    inbox = [x["id"] for x in env.client.get("/tasking?box=inbox", headers=env.auth("lux_fp")).json()]
    assert inbox[: len(lux)] == lux and inbox[-1] == routine["id"]


def test_asset_list_is_the_registry(env) -> None:
    """GET /eo/assets lists the registry's satellites with their owners (NAOS is Luxembourg's); sign-in needed."""
    from orbitshare.eo.assets import load_registry

    r = env.client.get("/eo/assets", headers=env.auth("svn_an"))
    assert r.status_code == 200, r.text
    got = {a["id"]: a for a in r.json()}
    assert set(got) == {a.id for a in load_registry()}
    assert (got["naos"]["owner"], got["naos"]["sensor"]) == ("LUX", "optical")
    assert env.client.get("/eo/assets").status_code == 401
