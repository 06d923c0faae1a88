"""API tests: every route refuses the unauthenticated, expired and revoked; labels bind every release."""

from __future__ import annotations

import base64
import json

import pytest

from orbitshare.api.demo import ALERT_TITLE, CATALOG_TITLE, STAC_TITLE
from orbitshare.sharing.consent import unb64u, verify_signature

SDA = "space-domain-awareness"
ALERT = ALERT_TITLE  # SVN product with no grant, a LUX request pending
CATALOG = CATALOG_TITLE  # SVN product granted to LUX
ISS_TLE = (
    "ISS (ZARYA)\n"
    "1 25544U 98067A   08264.51782528 -.00002182  00000-0 -11606-4 0  2927\n"
    "2 25544  51.6416 247.4627 0006703 130.5360 325.0288 15.72125391563537\n"
)


def _routes(app) -> list[tuple[str, str]]:
    """(method, path) of every operation in the OpenAPI schema, except the public health check."""
    paths = app.openapi()["paths"]
    return [(m.upper(), p) for p, ops in paths.items() if p != "/health" for m in ops]


def _fill(path: str, pid: str) -> str:
    """Put a real id in every path parameter."""
    for name in ("product_id", "request_id", "grant_id", "user_id", "token_id", "name"):
        path = path.replace("{" + name + "}", pid)
    return path


@pytest.mark.parametrize("credential", ["none", "garbage", "expired", "revoked", "basic"])
def test_every_route_refuses_bad_credentials_and_counts_it(env, credential: str) -> None:
    """401 on every route with one message per case; no entry per request, one summary counting every cause."""
    headers = {
        "none": {},
        "garbage": {"Authorization": "Bearer osh_not-a-real-token"},
        "expired": env.auth("expired"),
        "revoked": env.auth("revoked"),
        "basic": {"Authorization": "Basic c3ZuOnB3"},
    }[credential]
    reason = {
        "none": "no bearer credential",
        "garbage": "unknown token",
        "expired": "token expired",
        "revoked": "token revoked",
        "basic": "no bearer credential",
    }[credential]
    answer = "authentication required" if credential in ("none", "basic") else "invalid or expired token"
    pid = env.products[CATALOG]["id"]
    routes = _routes(env.client.app)
    assert len(routes) >= 25
    start = env.audit_size()
    for method, path in routes:
        r = env.client.request(method, _fill(path, pid), headers=headers, json={})
        assert r.status_code == 401, (method, path, r.status_code, r.text)
        assert answer in r.json()["detail"] and (credential in ("none", "basic") or reason not in r.json()["detail"])
    assert env.audit_size() == start
    keeper = env.client.app.state.audit_keeper
    keeper.write_summary(keeper.refusals.take())
    [summary] = env.audit_events(start)
    assert summary["event"] == "auth.refuse.summary" and summary["refused"] == len(routes)
    assert [(c["reason"], c["count"]) for c in summary["counts"]] == [(reason, len(routes))]


RELEASING = [
    ("GET", "/products/{pid}", 404, "access.read"),
    ("GET", "/products/{pid}/content", 404, "access.download"),
]


@pytest.mark.parametrize("who", ["lux_an", "lux_fp", "deu_an"])
def test_partners_the_label_does_not_allow_are_refused_everywhere(env, who: str) -> None:
    """Without the originator's grant (LUX) or outside releasability (DEU): no route releases the product."""
    pid = env.products[ALERT]["id"]
    for method, path, status, event in RELEASING:
        start = env.audit_size()
        r = env.client.request(method, path.format(pid=pid), headers=env.auth(who))
        assert r.status_code == status and r.json()["detail"] == f"no product {pid}"
        entry, detail = env.audit_events(start)
        assert (entry["event"], entry["decision"], entry["product"]) == (event, "deny", pid)
        assert (detail["event"], detail["refused"], detail["product"]) == ("refusal.reason", event, pid)
    for path in ("/products", "/products?q=Manoeuvre", "/products?kind=alert"):
        start = env.audit_size()
        body = env.client.get(path, headers=env.auth(who)).json()
        assert pid not in [p["id"] for p in body["items"]]
        [entry] = env.audit_events(start)
        assert entry["event"] == "access.list" and entry["returned"] == len(body["items"])
        assert not {"considered", "denied", "permitted"} & set(entry)  # nothing about what was hidden
    lines = env.client.get("/export", headers=env.auth(who)).text.splitlines()
    assert pid not in [json.loads(x)["id"] for x in lines]
    stac = env.client.get("/stac/search", headers=env.auth(who)).json()
    assert all(f["properties"]["orbitshare:product_id"] != pid for f in stac["features"])


def test_outside_releasability_consent_cannot_even_be_granted(env) -> None:
    """The originator's focal point cannot grant a release the label forbids; the attempt is audited."""
    pid = env.products[ALERT]["id"]
    r = env.client.post(
        f"/products/{pid}/grants", headers=env.auth("svn_fp"), json={"recipient": "DEU", "purpose": SDA}
    )
    assert r.status_code == 422 and "does not allow release to DEU" in r.json()["detail"]
    start = env.audit_size()
    r = env.client.post(
        f"/products/{pid}/grants", headers=env.auth("lux_fp"), json={"recipient": "LUX", "purpose": SDA}
    )
    assert r.status_code == 403
    [entry] = env.audit_events(start)
    assert entry["event"] == "refuse" and entry["status"] == 403


def test_consent_round_trip_over_http(env) -> None:
    """Request, inbox, signed grant (verifiable offline), release, immediate revocation."""
    pid = env.products[ALERT]["id"]
    inbox = env.client.get("/consent-requests", headers=env.auth("svn_fp")).json()
    [req] = [r for r in inbox if r["product_id"] == pid]
    assert req["status"] == "pending" and req["recipient"] == "LUX"
    assert env.client.get("/consent-requests", headers=env.auth("lux_an")).status_code == 403
    out = env.client.post(f"/consent-requests/{req['id']}/grant", headers=env.auth("svn_fp"), json={}).json()
    grant = env.client.get(f"/grants/{out['grant']['id']}", headers=env.auth("lux_an")).json()
    assert verify_signature(unb64u(grant["statement_b64"]), grant["signature"], unb64u(grant["public_key"]))
    assert grant["statement"]["product_id"] == pid and grant["statement"]["recipient"] == "LUX"
    r = env.client.get(f"/products/{pid}/content", headers=env.auth("lux_an"))
    original = env.client.get(f"/products/{pid}/content", headers=env.auth("svn_an")).content
    assert r.status_code == 200 and r.content == original and json.loads(r.content)[0]["kind"] == "overflight"
    assert json.loads(r.headers["x-security-label"])["originator"] == "SVN"
    assert (
        env.client.get(f"/products/{pid}", headers={**env.auth("lux_an"), "X-Purpose": "training"}).status_code == 404
    )
    env.client.post(f"/grants/{grant['id']}/revoke", headers=env.auth("svn_fp"), json={"reason": "test"})
    assert env.client.get(f"/products/{pid}/content", headers=env.auth("lux_an")).status_code == 404
    events = [e["event"] for e in env.audit_events()]
    for needed in ("consent.request", "consent.grant", "consent.revoke", "access.download"):
        assert needed in events


def test_upload_search_download_export_and_stac(env) -> None:
    """JSON, text and file products; search; bulk export with content; STAC filtered by bbox."""
    h = env.auth("svn_an")
    lab = {
        "policy_id": "NATO",
        "classification": "NATO UNCLASSIFIED",
        "purposes": [SDA],
        "categories": [{"tag_name": "Releasable To", "type": "PERMISSIVE", "values": ["SVN", "LUX"]}],
    }
    r = env.client.post(
        "/products",
        headers=h,
        json={"kind": "conjunction_report", "title": "Zebra report", "label": lab, "content": {"pc": 1e-4}},
    )
    assert r.status_code == 201 and r.json()["label"]["originator"] == "SVN"
    r = env.client.post(
        "/products/upload",
        headers=h,
        data={"kind": "file", "label": json.dumps(lab)},
        files={"file": ("notes.txt", b"hello", "text/plain")},
    )
    assert r.status_code == 201 and r.json()["size"] == 5
    got = env.client.get("/products?q=zebra", headers=h).json()
    assert [p["title"] for p in got["items"]] == ["Zebra report"]
    lines = [json.loads(x) for x in env.client.get("/export?kind=file", headers=h).text.splitlines()]
    assert [base64.b64decode(x["content_b64"]) for x in lines] == [b"hello"]
    inside = env.client.get("/stac/search?bbox=5,49,7,51", headers=h).json()
    outside = env.client.get("/stac/search?bbox=100,0,110,10", headers=h).json()
    stac_pid = env.products[STAC_TITLE]["id"]
    stac_id = env.client.get(f"/products/{stac_pid}", headers=h).json()["meta"]["stac_id"]
    assert [f["id"] for f in inside["features"]] == [stac_id] and outside["features"] == []
    assert inside["features"][0]["properties"]["orbitshare:label"]["originator"] == "LUX"
    assert (
        env.client.post(
            "/products",
            headers=env.auth("svn_viewer"),
            json={"kind": "file", "title": "x", "label": lab, "text": "x"},
        ).status_code
        == 403
    )


def test_catalog_upload_stores_raw_tle(env) -> None:
    """POST /catalogs stores a TLE file as a catalog product and counts its objects."""
    lab = {"policy_id": "NATO", "classification": "UNCLASSIFIED", "categories": []}
    r = env.client.post(
        "/catalogs",
        headers=env.auth("lux_an"),
        data={"label": json.dumps(lab)},
        files={"file": ("iss.tle", ISS_TLE.encode(), "text/plain")},
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["kind"], body["meta"]["format"], body["meta"]["objects"]) == ("catalog", "tle", 1)
    raw = env.client.get(f"/products/{body['id']}/content", headers=env.auth("lux_an"))
    assert raw.content == ISS_TLE.encode()
    bad = ISS_TLE.replace("2927", "2928")
    r = env.client.post(
        "/catalogs",
        headers=env.auth("lux_an"),
        data={"label": json.dumps(lab)},
        files={"file": ("bad.tle", bad.encode(), "text/plain")},
    )
    assert r.status_code == 422 and "checksum" in r.json()["detail"]


def test_registered_jobs_store_labelled_results(env) -> None:
    """A job registered with the app runs and its result is stored as a labelled product of its kind."""
    from orbitshare.api.jobs import Job

    def _sum(params: dict, ctx) -> tuple:
        """Add the given numbers."""
        return {"total": sum(params["values"])}, "application/json", {"n": len(params["values"])}

    env.client.app.state.jobs.add(Job("sum-test", "conjunction_report", "adds numbers", _sum, (KeyError,)))
    lab = {"policy_id": "NATO", "classification": "UNCLASSIFIED"}
    names = [j["name"] for j in env.client.get("/jobs", headers=env.auth("svn_an")).json()]
    assert "sum-test" in names
    r = env.client.post("/jobs/sum-test", headers=env.auth("svn_an"), json={"label": lab, "params": {"values": [1, 2]}})
    assert r.status_code == 201 and r.json()["kind"] == "conjunction_report"
    content = env.client.get(f"/products/{r.json()['id']}/content", headers=env.auth("svn_an")).json()
    assert content == {"total": 3}
    r = env.client.post("/jobs/sum-test", headers=env.auth("svn_an"), json={"label": lab, "params": {}})
    assert r.status_code == 422 and "rejected its parameters" in r.json()["detail"]
    assert env.client.post("/jobs/nope", headers=env.auth("svn_an"), json={"label": lab}).status_code == 404


def test_a_job_bug_is_a_logged_500_and_a_declared_input_error_a_422(env, caplog) -> None:
    """Only the errors a job declares are the caller's (422); any other exception is logged and answered 500."""
    from fastapi.testclient import TestClient

    from orbitshare.api.jobs import Job

    def divide(params: dict, ctx) -> tuple:
        """Divide two numbers; a bad number is a declared input error, a zero divisor an (undeclared) bug."""
        a, b = float(params["a"]), float(params["b"])
        return {"quotient": a / b}, "application/json", {}

    env.client.app.state.jobs.add(Job("divide-test", "file", "divides", divide, (ValueError,)))
    client = TestClient(env.client.app, raise_server_exceptions=False)
    lab = {"policy_id": "NATO", "classification": "UNCLASSIFIED"}
    r = client.post("/jobs/divide-test", headers=env.auth("svn_an"), json={"label": lab, "params": {"a": "x", "b": 1}})
    assert r.status_code == 422 and "divide-test rejected its parameters" in r.json()["detail"]
    with caplog.at_level("ERROR", logger="orbitshare.api.routes.jobs"):
        r = client.post("/jobs/divide-test", headers=env.auth("svn_an"),
                        json={"label": lab, "params": {"a": 1, "b": 0}})
    assert r.status_code == 500 and "ZeroDivisionError" not in r.text
    failed = [rec for rec in caplog.records if rec.name == "orbitshare.api.routes.jobs"]
    assert failed and "job divide-test failed" in failed[0].getMessage() and failed[0].exc_info[0] is ZeroDivisionError
    r = client.post("/jobs/divide-test", headers=env.auth("svn_an"), json={"label": lab, "params": {}})
    assert r.status_code == 500  # a KeyError is not declared by this job: a bug, not the caller's error


def test_audit_endpoints_give_verifiable_proofs(env) -> None:
    """Signed head, inclusion and consistency proofs from the API verify with the pure verifier."""
    from orbitshare.sharing import audit as m

    h = env.auth("svn_fp")
    head = env.client.get("/audit/head", headers=h).json()
    inc = env.client.get(f"/audit/proofs/inclusion?index=3&size={head['size']}", headers=h).json()
    assert m.verify_inclusion(
        3,
        head["size"],
        bytes.fromhex(inc["leaf_hash"]),
        [bytes.fromhex(x) for x in inc["proof"]],
        bytes.fromhex(head["root"]),
    )
    env.client.get("/products", headers=h)
    new = env.client.get("/audit/head", headers=h).json()
    con = env.client.get(f"/audit/proofs/consistency?first={head['size']}&second={new['size']}", headers=h).json()
    assert m.verify_consistency(
        head["size"],
        new["size"],
        bytes.fromhex(head["root"]),
        bytes.fromhex(new["root"]),
        [bytes.fromhex(x) for x in con["proof"]],
    )
    entries = env.client.get("/audit/entries", headers=h).json()
    assert entries and all(e["entry"]["idx"] == e["index"] for e in entries)
    assert env.client.get("/audit/entries", headers=env.auth("svn_an")).status_code == 403
    assert env.hub.audit.verify().ok


def test_bulk_export_is_bounded_in_bytes(env, monkeypatch) -> None:
    """One export holds at most EXPORT_MAX_BYTES of content (but always at least one product)."""
    from orbitshare.service import products as hub_module

    h = env.auth("svn_an")
    everything = env.client.get("/export", headers=h).text.splitlines()
    sizes = [json.loads(x)["size"] for x in everything]
    assert len(sizes) >= 3
    monkeypatch.setattr(hub_module, "EXPORT_MAX_BYTES", sizes[0] + sizes[1])
    assert len(env.client.get("/export", headers=h).text.splitlines()) == 2
    monkeypatch.setattr(hub_module, "EXPORT_MAX_BYTES", 1)
    assert len(env.client.get("/export", headers=h).text.splitlines()) == 1
