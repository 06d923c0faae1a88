"""The hub's edge on SQLite and PostgreSQL: odd input is a 4xx and still audited, refused authentications are
counted (not one entry each), 401s are uniform, downloads cannot run as pages, hub.db is private."""

from __future__ import annotations

import json
import stat

import pytest
from fastapi import Request

LAB = {"policy_id": "NATO", "classification": "NATO UNCLASSIFIED"}
LONG_ID = "a" * 37
NUL = "\x00"


def _pid(env) -> str:
    """A real product id."""
    return next(iter(env.products.values()))["id"]


ODD_INPUT = [
    # (name, method, path, request kwargs, status, message fragment)
    ("id over 36 characters", "GET", f"/products/{LONG_ID}", {}, 422, "product_id"),
    ("id over 36 characters, content", "GET", f"/products/{LONG_ID}/content", {}, 422, "product_id"),
    (
        "id over 36 characters, consent request",
        "POST",
        f"/products/{LONG_ID}/consent-requests",
        {"json": {"recipient": "LUX", "purpose": "x"}},
        422,
        "product_id",
    ),
    ("id over 36 characters, grant", "GET", f"/grants/{LONG_ID}", {}, 422, "grant_id"),
    ("id over 36 characters, revoke", "POST", f"/grants/{LONG_ID}/revoke", {"json": {}}, 422, "grant_id"),
    ("id over 36 characters, decide", "POST", f"/consent-requests/{LONG_ID}/grant", {"json": {}}, 422, "request_id"),
    ("id over 36 characters, token", "DELETE", f"/tokens/{LONG_ID}", {}, 422, "token_id"),
    ("id over 36 characters, user", "POST", f"/users/{LONG_ID}/tokens", {"json": {}}, 422, "user_id"),
    ("NUL in the path", "GET", "/products/ab%00cd", {}, 422, "control character"),
    ("unknown query parameter", "GET", "/products?colour=red", {}, 422, "unknown query parameter"),
    ("URL over 8192 characters", "GET", "/products?q=" + "x" * 9000, {}, 414, "longer than 8192"),
    ("NUL in the query", "GET", "/products?q=a%00b", {}, 422, "control character"),
    ("NUL in a listing filter", "GET", "/products?originator=S%00N", {}, 422, "control character"),
    (
        "NUL in a JSON title",
        "POST",
        "/products",
        {"json": {"kind": "file", "title": f"a{NUL}b", "label": LAB, "text": "x"}},
        422,
        "control character",
    ),
    (
        "NUL in a label field",
        "POST",
        "/products",
        {"json": {"kind": "file", "title": "t", "label": {**LAB, "policy_id": f"NA{NUL}TO"}, "text": "x"}},
        422,
        "control character",
    ),
    (
        "NUL in a consent justification",
        "POST",
        "/products/{pid}/consent-requests",
        {"json": {"recipient": "LUX", "purpose": "p", "justification": f"x{NUL}"}},
        422,
        "control character",
    ),
    (
        "NUL in a user name",
        "POST",
        "/users",
        {"json": {"name": f"n{NUL}", "role": "viewer"}},
        422,
        "control character",
    ),
    (
        "file name over 255 characters",
        "POST",
        "/products/upload",
        {"data": {"kind": "file", "label": json.dumps(LAB)}, "files": {"file": ("f" * 300, b"x", "text/plain")}},
        422,
        "file name",
    ),
    (
        "media type over 100 characters",
        "POST",
        "/products/upload",
        {"data": {"kind": "file", "label": json.dumps(LAB)}, "files": {"file": ("f", b"x", "text/" + "x" * 120)}},
        422,
        "media type",
    ),
    (
        "NUL in a multipart title",
        "POST",
        "/products/upload",
        {"data": {"kind": "file", "label": json.dumps(LAB), "title": f"t{NUL}"}, "files": {"file": ("f", b"x")}},
        422,
        "control character",
    ),
    (
        "NUL in a multipart label",
        "POST",
        "/products/upload",
        {"data": {"kind": "file", "label": json.dumps({**LAB, "policy_id": f"N{NUL}"})}, "files": {"file": ("f", b"")}},
        422,
        "control character",
    ),
    (
        "file name over 255 characters, catalog",
        "POST",
        "/catalogs",
        {"data": {"label": json.dumps(LAB)}, "files": {"file": ("c" * 300 + ".tle", b"x")}},
        422,
        "file name",
    ),
]


@pytest.mark.parametrize(
    ("name", "method", "path", "kwargs", "status", "fragment"), ODD_INPUT, ids=[c[0] for c in ODD_INPUT]
)
def test_odd_input_is_a_clear_4xx_and_is_recorded(db_env, name, method, path, kwargs, status, fragment) -> None:
    """Long ids, names, media types and NUL anywhere: a 4xx naming the problem, never a 500; still recorded."""
    env = db_env
    start = env.audit_size()
    r = env.client.request(method, path.replace("{pid}", _pid(env)), headers=env.auth("svn_fp"), **kwargs)
    assert r.status_code == status, r.text
    body = r.json()
    assert fragment.lower() in (body["detail"] + json.dumps(body.get("errors"))).lower()
    events = env.audit_events(start)
    counted = env.client.app.state.audit_keeper.refusals.take()  # the fixture's app refused nothing before
    recorded = [e for e in events if e["event"] == "request.invalid"]
    assert recorded or (counted and counted["refused"] == 1), "the refused request left no record"
    if recorded:
        assert recorded[0]["actor"] and recorded[0]["status"] == status
    assert env.client.get("/products", headers=env.auth("svn_fp")).status_code == 200  # the hub still works


def test_database_data_errors_are_4xx_and_audited(db_env) -> None:
    """A value the database refuses (here: a cast PostgreSQL rejects) is a 422 and the access is audited."""
    from sqlalchemy import text

    from orbitshare.api.deps import principal

    env = db_env
    app = env.client.app

    @app.get("/test-data-error")
    def boom(request: Request) -> dict:
        """Authenticate, then ask the database for something it refuses as data."""
        principal(request)
        with env.hub.ctx.tx() as s:
            s.execute(text("select cast(:v as integer)"), {"v": "not a number" + NUL})
        return {}

    start = env.audit_size()
    r = env.client.get("/test-data-error", headers=env.auth("svn_an"))
    if env.hub.engine.dialect.name == "sqlite":  # SQLite stores and casts anything: no data error to map
        assert r.status_code == 200
        return
    assert r.status_code == 422 and "database does not store" in r.json()["detail"]
    [entry] = env.audit_events(start)
    assert entry["event"] == "request.invalid" and entry["path"] == "/test-data-error" and entry["actor"]


def test_the_audit_writer_never_fails_on_odd_characters(db_env) -> None:
    """NUL, lone surrogates, 30 KB strings and over-wide ids are cleaned and cut, and the log still verifies."""
    env = db_env
    start = env.audit_size()
    env.hub.audit.record(
        "x" * 60,
        None,
        product="p" * 80 + NUL,
        path="/" + "A" * 30_000,
        reason=f"bad{NUL}\ud800",
        nested={f"k{NUL}": [NUL * 3]},
    )
    [entry] = env.audit_events(start)
    assert len(entry["path"]) <= 1024 and "more characters cut" in entry["path"]
    assert NUL not in json.dumps(entry, ensure_ascii=False) and "\ud800" not in entry["reason"]
    assert env.hub.audit.verify().ok


BAD_CREDENTIALS = [
    ("unknown", "Bearer osh_not-a-real-token", "unknown token"),
    ("expired", "expired", "token expired"),
    ("revoked", "revoked", "token revoked"),
    ("not a token", "Bearer xyz", "unknown credential"),
]


def test_refused_authentications_are_counted_not_logged_one_by_one(db_env) -> None:
    """Many 401s add no entry; one summary per interval holds every refusal, per source and cause."""
    env = db_env
    keeper = env.client.app.state.audit_keeper
    now = [1_900_000_000.0]
    keeper.refusals.clock = lambda: now[0]
    start = env.audit_size()
    bodies = set()
    for i in range(50):
        for _, cred, _ in BAD_CREDENTIALS:
            header = env.auth(cred) if cred in env.tokens else {"Authorization": cred}
            r = env.client.get(f"/products/{i}" + "A" * 5000, headers=header)
            assert r.status_code == 401
            bodies.add(r.text)
    assert bodies == {json.dumps({"detail": "invalid or expired token"}, separators=(",", ":"))}
    assert env.audit_size() == start
    now[0] += 61
    r = env.client.get("/me")  # the first refusal after the interval writes the previous window's summary
    assert r.status_code == 401 and r.json()["detail"] == "authentication required: no bearer credential"
    [summary] = env.audit_events(start)
    assert summary["event"] == "auth.refuse.summary" and summary["refused"] == 200
    assert {c["reason"]: c["count"] for c in summary["counts"]} == {r: 50 for _, _, r in BAD_CREDENTIALS}
    assert all(len(c["first_request"]) <= 210 for c in summary["counts"])
    keeper.write_summary(keeper.refusals.take())
    assert env.audit_events(start)[-1]["refused"] == 1
    assert env.hub.audit.verify().ok


def test_refusal_sources_beyond_the_cap_are_still_counted() -> None:
    """An attacker with many addresses cannot grow one summary without bound, and no refusal is dropped."""
    from orbitshare.api.refusals import OTHER_SOURCES, RefusalCounter

    counter = RefusalCounter(interval_s=60, max_keys=10, clock=lambda: 0.0)
    for i in range(1000):
        assert counter.add(f"10.0.{i // 256}.{i % 256}", "unknown token", "GET", "/me") is None
    summary = counter.take()
    assert summary["refused"] == 1000 and len(summary["counts"]) == 11
    assert [c["count"] for c in summary["counts"] if c["source"] == OTHER_SOURCES] == [990]


def test_shutdown_writes_the_pending_summary_and_witnesses_the_head(db_env) -> None:
    """Leaving the app's lifespan flushes the refusal counts and appends the final signed head."""
    from fastapi.testclient import TestClient

    env = db_env
    with TestClient(env.client.app) as client:
        assert client.get("/me", headers={"Authorization": "Bearer osh_nope"}).status_code == 401
    events = env.audit_events(env.audit_size() - 1)
    assert events[-1]["event"] == "auth.refuse.summary" and events[-1]["refused"] == 1
    heads = env.client.get("/audit/heads", headers=env.auth("svn_an")).json()
    assert heads[-1]["type"] == "head" and heads[-1]["size"] == env.audit_size()


def test_downloads_cannot_run_as_pages(db_env) -> None:
    """Uploaded HTML comes back as an attachment with nosniff and a sandbox CSP; the page has its own CSP."""
    env = db_env
    html = b"<html><script>alert(document.cookie)</script></html>"
    up = env.client.post(
        "/products/upload",
        headers=env.auth("svn_an"),
        data={"kind": "file", "label": json.dumps(LAB)},
        files={"file": ("r\u00e9sum\u00e9 1.html", html, "text/html")},
    )
    assert up.status_code == 201, up.text
    r = env.client.get(f"/products/{up.json()['id']}/content", headers=env.auth("svn_an"))
    assert r.status_code == 200 and r.content == html
    assert r.headers["x-content-type-options"] == "nosniff"
    disposition = "attachment; filename=\"r_sum__1.html\"; filename*=UTF-8''r%C3%A9sum%C3%A9%201.html"
    assert r.headers["content-disposition"] == disposition
    assert "sandbox" in r.headers["content-security-policy"]
    page = env.client.get("/")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "unsafe-inline" not in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"


def test_hub_database_file_is_private(tmp_path) -> None:
    """hub.db (and its WAL) are created readable by the owner only, like the keys."""
    from orbitshare.service import Hub, HubConfig
    from orbitshare.store.db import migrate

    url = f"sqlite:///{tmp_path / 'data' / 'hub.db'}"
    migrate(url)
    hub = Hub(HubConfig(db_url=url, home=tmp_path))
    hub.audit.record("test")
    for name in ("hub.db", "hub.db-wal"):
        mode = stat.S_IMODE((tmp_path / "data" / name).stat().st_mode)
        assert mode == 0o600, (name, oct(mode))
    hub.close()


def test_unsupported_methods_name_the_allowed_ones(db_env) -> None:
    """405 carries an Allow header listing every method of the path."""
    env = db_env
    for path, allowed in [("/products", "GET, POST"), ("/health", "GET"), (f"/products/{_pid(env)}", "GET")]:
        r = env.client.options(path, headers=env.auth("svn_an"))
        assert r.status_code == 405 and r.headers["allow"] == allowed, (path, r.headers)
