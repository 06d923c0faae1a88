"""Bad input never crashes: malformed JSON, wrong types, unknown ids, oversized payloads get a clear 4xx."""

from __future__ import annotations

import json

import pytest

LAB = {"policy_id": "NATO", "classification": "NATO UNCLASSIFIED"}


def _p(env) -> str:
    """A real product id."""
    return next(iter(env.products.values()))["id"]


CASES = [
    # (name, method, path, kwargs, expected status, message fragment)
    (
        "malformed JSON",
        "POST",
        "/products",
        {"content": b"{bad", "headers": {"content-type": "application/json"}},
        400,
        "malformed JSON",
    ),
    ("JSON not an object", "POST", "/products", {"json": [1, 2]}, 422, "invalid request"),
    (
        "wrong type",
        "POST",
        "/products",
        {"json": {"kind": "file", "title": 5, "label": LAB, "text": "x"}},
        422,
        "title",
    ),
    (
        "unknown kind",
        "POST",
        "/products",
        {"json": {"kind": "weapon", "title": "x", "label": LAB, "text": "x"}},
        422,
        "kind",
    ),
    (
        "missing label",
        "POST",
        "/products",
        {"json": {"kind": "file", "title": "x", "text": "x"}},
        422,
        "label",
    ),
    (
        "bad classification",
        "POST",
        "/products",
        {"json": {"kind": "file", "title": "x", "label": {**LAB, "classification": "SEKRET"}, "text": "x"}},
        422,
        "unknown classification",
    ),
    (
        "unknown label field",
        "POST",
        "/products",
        {"json": {"kind": "file", "title": "x", "label": {**LAB, "colour": 1}, "text": "x"}},
        422,
        "colour",
    ),
    (
        "content and text",
        "POST",
        "/products",
        {"json": {"kind": "file", "title": "x", "label": LAB, "text": "x", "content": 1}},
        422,
        "exactly one",
    ),
    (
        "stac item not a feature",
        "POST",
        "/products",
        {"json": {"kind": "stac_item", "title": "x", "label": LAB, "content": {"a": 1}}},
        422,
        "GeoJSON Feature",
    ),
    ("unknown product", "GET", "/products/does-not-exist", {}, 404, "no product"),
    ("unknown product content", "GET", "/products/does-not-exist/content", {}, 404, "no product"),
    ("unknown request", "POST", "/consent-requests/nope/grant", {"json": {}}, 404, "no consent request"),
    ("unknown grant", "GET", "/grants/nope", {}, 404, "no grant"),
    ("unknown grant revoke", "POST", "/grants/nope/revoke", {"json": {}}, 404, "no grant"),
    (
        "unknown partner",
        "POST",
        "/products/{pid}/consent-requests",
        {"json": {"recipient": "ZZZ", "purpose": "x"}},
        404,
        "unknown partner",
    ),
    ("bad limit", "GET", "/products?limit=abc", {}, 422, "limit"),
    ("limit too big", "GET", "/products?limit=100000", {}, 422, "limit"),
    ("bad bbox", "GET", "/stac/search?bbox=1,2,x,4", {}, 422, "bbox"),
    ("inverted bbox", "GET", "/stac/search?bbox=5,5,1,1", {}, 422, "bbox"),
    ("proof index too big", "GET", "/audit/proofs/inclusion?index=999999", {}, 422, "index"),
    ("consistency backwards", "GET", "/audit/proofs/consistency?first=5&second=2", {}, 422, "first"),
    ("purpose header too long", "GET", "/products", {"headers": {"X-Purpose": "p" * 500}}, 422, "X-Purpose"),
    (
        "label form not JSON",
        "POST",
        "/products/upload",
        {"data": {"kind": "file", "label": "{nope"}, "files": {"file": ("a", b"a")}},
        422,
        "label",
    ),
    (
        "upload without file",
        "POST",
        "/products/upload",
        {"data": {"kind": "file", "label": "{}"}},
        422,
        "file",
    ),
    (
        "catalog not text",
        "POST",
        "/catalogs",
        {"data": {"label": json.dumps(LAB)}, "files": {"file": ("a.tle", b"\xff\xfe\x00")}},
        422,
        "UTF-8",
    ),
    (
        "catalog not a catalog",
        "POST",
        "/catalogs",
        {"data": {"label": json.dumps(LAB)}, "files": {"file": ("a.tle", b"hello")}},
        422,
        "not a TLE or OMM",
    ),
    (
        "expiry in the past",
        "POST",
        "/products/{pid}/consent-requests",
        {"json": {"recipient": "LUX", "purpose": "x", "expires_at": "2000-01-01T00:00:00Z"}},
        422,
        "future",
    ),
    (
        "bad datetime",
        "POST",
        "/products/{pid}/consent-requests",
        {"json": {"recipient": "LUX", "purpose": "x", "expires_at": "tomorrow"}},
        422,
        "expires_at",
    ),
    ("unknown route", "GET", "/nowhere", {}, 404, "Not Found"),
    ("wrong method", "PUT", "/products", {"json": {}}, 405, "Method Not Allowed"),
    ("bad user role", "POST", "/users", {"json": {"name": "x", "role": "king"}}, 422, "role"),
    ("bad token ttl", "POST", "/users/{uid}/tokens", {"json": {"ttl_days": -1}}, 422, "ttl_days"),
]


@pytest.fixture(scope="module")
def menv(tmp_path_factory, env_factory):
    """One seeded app for the error table."""
    e = env_factory(tmp_path_factory.mktemp("errors"))
    yield e
    e.hub.close()


@pytest.mark.parametrize(("name", "method", "path", "kwargs", "status", "fragment"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_gets_a_clear_4xx(menv, name, method, path, kwargs, status, fragment) -> None:
    """Each bad request gets the expected status and a message naming the problem."""
    uid = menv.client.get("/me", headers=menv.auth("svn_fp")).json()["user_id"]
    headers = {**menv.auth("svn_fp"), **kwargs.pop("headers", {})} if "headers" in kwargs else menv.auth("svn_fp")
    url = path.replace("{pid}", _p(menv)).replace("{uid}", uid)
    r = menv.client.request(method, url, headers=headers, **kwargs)
    assert r.status_code == status, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, str) and fragment.lower() in (detail + json.dumps(r.json().get("errors"))).lower()


def test_oversized_payloads_are_refused(tmp_path, env_factory) -> None:
    """Declared or streamed bodies over the limit get 413 without reaching the routes."""
    env = env_factory(tmp_path, max_upload_bytes=64 * 1024)
    h = env.auth("svn_an")
    big = {"kind": "file", "title": "x", "label": LAB, "text": "x" * 100_000}
    r = env.client.post("/products", headers=h, json=big)
    assert r.status_code == 413 and "larger than 65536 bytes" in r.json()["detail"]

    def chunks():
        """A body streamed without Content-Length."""
        for _ in range(20):
            yield b"x" * 8192

    r = env.client.post(
        "/products/upload",
        headers={**h, "content-type": "multipart/form-data; boundary=zz"},
        content=chunks(),
    )
    assert r.status_code == 413
    r = env.client.post("/products", headers={**h, "content-length": "abc"}, content=b"{}")
    assert r.status_code in (400, 413)
    small = {"kind": "file", "title": "x", "label": LAB, "text": "x" * 1000}
    assert env.client.post("/products", headers=h, json=small).status_code == 201
    env.hub.close()
