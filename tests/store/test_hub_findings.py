"""Regression tests of the outside probe's findings, each table-driven, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib

import pytest

from orbitshare import service as H

SDA = "space-domain-awareness"


def label(*rel_to: str, classification: str = "NATO RESTRICTED", purposes: tuple[str, ...] = (SDA,)) -> dict:
    """A NATO label releasable to `rel_to`."""
    return {
        "policy_id": "NATO",
        "classification": classification,
        "purposes": list(purposes),
        "categories": [{"tag_name": "Releasable To", "type": "PERMISSIVE", "values": list(rel_to)}],
    }


TOKENS: dict[int, dict[str, str]] = {}  # id(hub) -> {person: API token}


def people(hub: H.Hub) -> dict[str, H.Principal]:
    """SVN and LUX focal points and analysts (SECRET), and a DEU analyst; their tokens go to TOKENS."""
    out, tokens = {}, TOKENS.setdefault(id(hub), {})
    for code in ("SVN", "LUX", "DEU"):
        hub.parties.create_partner(code, code, "nation", ["NATO"])
        for role in ("focal_point", "analyst"):
            u = hub.parties.create_user(code, f"{code} {role}", role, "SECRET", SDA)
            name = f"{code.lower()}_{role}"
            tokens[name] = hub.parties.issue_token(u.id).token
            out[name] = hub.parties.authenticate(tokens[name])[0]
    return out


def client(hub: H.Hub):
    """An HTTP client of the API over this hub, and a function giving a person's auth header."""
    from fastapi.testclient import TestClient

    from orbitshare.api.app import create_app

    tokens = TOKENS[id(hub)]
    return TestClient(create_app(hub=hub)), lambda who: {"Authorization": f"Bearer {tokens[who]}"}


def last_entry(hub: H.Hub) -> dict:
    """The newest audit entry's payload."""
    import json

    from sqlalchemy import text

    with hub.engine.connect() as conn:
        return json.loads(conn.execute(text("select payload from audit_entries order by idx desc limit 1")).scalar())


# --- 1. search oracle -------------------------------------------------------------------------------------


@pytest.fixture
def search_world(hub: H.Hub) -> tuple[H.Hub, dict[str, H.Principal]]:
    """SVN shares one product with LUX (granted) and keeps one hidden with a distinctive title and metadata."""
    p = people(hub)
    svn = p["svn_analyst"]
    shown = hub.products.add(svn, "cdm", "Shared conjunction report", label("SVN", "LUX"), b"{}", meta={"k": "v"})
    hub.products.add(svn, "cdm", "Zeta hidden pass", label("SVN", "LUX"), b"{}", meta={"secret": "alpha-7"})
    hub.consent.grant_directly(p["svn_focal_point"], shown.id, "LUX", SDA)
    return hub, p


# Each probe pair: one query matches only the hidden product, the other matches nothing at all.
ORACLE_PROBES = [
    ("zeta", "qqqq"),
    ("alpha-7", "alpha-8"),
    ("secret", "nothing"),
    ("z", "#"),
    ("hidden pass", "hidden pasz"),
]


@pytest.mark.parametrize(("hit_hidden", "miss"), ORACLE_PROBES)
def test_search_reveals_nothing_about_hidden_products(search_world, hit_hidden: str, miss: str) -> None:
    """Results, total and audit entry are the same whether `q` matches a hidden product or nothing."""
    hub, p = search_world
    lux = p["lux_analyst"]
    seen = []
    for q in (hit_hidden, miss):
        page = hub.products.search(lux, SDA, q=q)
        entry = {k: v for k, v in last_entry(hub).items() if k not in ("query", "idx", "time")}
        seen.append((page.total, [i.id for i in page.items], entry))
    assert seen[0] == seen[1]
    assert seen[0][0] == 0 and not {"considered", "denied", "permitted"} & set(seen[0][2])


SEARCHES = [  # (query, titles the LUX analyst gets)
    (None, ["Shared conjunction report"]),
    ("conjunction", ["Shared conjunction report"]),
    ("CONJ", ["Shared conjunction report"]),
    ('"k"', ["Shared conjunction report"]),  # metadata of a visible product matches
    ("zeta", []),
    ("%", []),  # wildcards are literal
]


@pytest.mark.parametrize(("q", "titles"), SEARCHES)
def test_search_matches_among_visible_products_and_audits_what_it_returned(search_world, q, titles) -> None:
    """`q` matches title or metadata of permitted products; the audit entry holds count and digest of ids."""
    hub, p = search_world
    page = hub.products.search(p["lux_analyst"], SDA, q=q)
    assert [i.title for i in page.items] == titles and page.total == len(titles)
    entry = last_entry(hub)
    ids = [i.id for i in page.items]
    assert entry["returned"] == len(ids) and entry["total"] == len(ids)
    assert entry["returned_sha256"] == hashlib.sha256("\n".join(ids).encode()).hexdigest()


# --- 2. one expiry rule for every grant path --------------------------------------------------------------


def _in_days(days: float) -> str:
    """An ISO time `days` from now, in UTC with a Z."""
    from datetime import UTC, datetime, timedelta

    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


EXPIRIES = [  # expires_at as sent (text, or days from now with an optional zone in place of Z), accepted
    pytest.param("9999-12-31T00:00:00Z", False, id="year-9999"),
    pytest.param(367, False, id="in-367-days"),
    pytest.param(-1, False, id="yesterday"),
    pytest.param("2027-01-31T12:00:00", False, id="no-zone"),  # its instant is unknown
    pytest.param(365, True, id="in-365-days"),
    pytest.param((30, "+02:00"), True, id="in-30-days-at-plus-2h"),
]


def _expiry_text(spec) -> str:
    """The expires_at text of an EXPIRIES entry, times relative to now computed when the test runs."""
    if isinstance(spec, str):
        return spec
    days, zone = spec if isinstance(spec, tuple) else (spec, "Z")
    return _in_days(days).replace("Z", zone)


@pytest.mark.parametrize("path", ["decide a request", "grant directly"])
@pytest.mark.parametrize(("expiry", "accepted"), EXPIRIES)
def test_every_grant_path_applies_the_same_expiry_rule(hub: H.Hub, path: str, expiry, accepted) -> None:
    """Deciding a request caps expires_at like a direct grant; a time without zone is a 422, not a 500."""
    expires_at = _expiry_text(expiry)
    p = people(hub)
    http, auth = client(hub)
    prod = hub.products.add(p["svn_analyst"], "cdm", "CDM", label("SVN", "LUX"), b"{}")
    if path == "decide a request":
        req = hub.consent.request(p["lux_analyst"], prod.id, "LUX", SDA, "screening")
        r = http.post(
            f"/consent-requests/{req.id}/grant", headers=auth("svn_focal_point"), json={"expires_at": expires_at}
        )
    else:
        body = {"recipient": "LUX", "purpose": SDA, "expires_at": expires_at}
        r = http.post(f"/products/{prod.id}/grants", headers=auth("svn_focal_point"), json=body)
    ok = 200 if path == "decide a request" else 201
    assert r.status_code == (ok if accepted else 422), r.text
    granted = [g for g in hub.consent.grants(p["svn_focal_point"]) if g.product_id == prod.id]
    assert len(granted) == (1 if accepted else 0)


# --- 3. tokens minted with tokens -------------------------------------------------------------------------


def _minted(hub: H.Hub, parent_ttl_days: float | None, ttl_days: float | None):
    """An analyst's token of `parent_ttl_days` (operator-issued), and one it mints with `ttl_days` over HTTP."""
    from datetime import timedelta

    p = people(hub)
    http, _ = client(hub)
    uid = p["svn_analyst"].user_id
    parent = hub.parties.issue_token(uid, "parent", timedelta(days=parent_ttl_days) if parent_ttl_days else None)
    body = {} if ttl_days is None else {"ttl_days": ttl_days}
    r = http.post(f"/users/{uid}/tokens", headers={"Authorization": f"Bearer {parent.token}"}, json=body)
    return p, http, parent, r


MINTING = [  # (parent lifetime in days or None, ttl_days asked, status, child lifetime in days)
    (None, None, 201, 90.0),  # no ttl: the maximum lifetime, not forever
    (None, 3650, 201, 90.0),  # capped at the maximum lifetime
    (None, 2, 201, 2.0),
    (5, None, 201, 5.0),  # never beyond the parent
    (5, 30, 201, 5.0),
    (None, 1e-12, 422, None),  # rounds to no lifetime
    (None, 1e-6, 422, None),  # under a second
    (None, 0, 422, None),
    (None, -1, 422, None),
]


@pytest.mark.parametrize(("parent_days", "ttl_days", "status", "days"), MINTING)
def test_minted_tokens_are_bounded_by_parent_and_maximum(hub: H.Hub, parent_days, ttl_days, status, days) -> None:
    """A minted token expires no later than its parent and the maximum lifetime; ttl_days must be positive."""
    from orbitshare.sharing.consent import parse_iso

    _, _, parent, r = _minted(hub, parent_days, ttl_days)
    assert r.status_code == status, r.text
    if days is not None:
        child = r.json()
        lifetime = parse_iso(child["expires_at"]) - parse_iso(parse_iso_now())
        assert abs(lifetime.total_seconds() / 86400 - days) < 0.001
        if parent.expires_at:
            assert parse_iso(child["expires_at"]) <= parse_iso(parent.expires_at)


def parse_iso_now() -> str:
    """Now as an ISO string."""
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat()


@pytest.mark.parametrize("revoke", ["parent", "grandparent"])
def test_revoking_a_token_revokes_what_it_minted(hub: H.Hub, revoke: str) -> None:
    """Children (and their children) die with the token that minted them; listing shows it, without secrets."""
    p, http, parent, r = _minted(hub, None, 1)
    child = r.json()
    uid = p["svn_analyst"].user_id
    grand = http.post(f"/users/{uid}/tokens", headers={"Authorization": f"Bearer {child['token']}"}, json={})
    assert grand.status_code == 201
    assert hub.parties.authenticate(grand.json()["token"])[0] is not None
    victim = parent.id if revoke == "grandparent" else child["id"]
    hub.parties.revoke_token(victim, p["svn_focal_point"])
    assert hub.parties.authenticate(grand.json()["token"]) == (None, "token revoked")
    listing = hub.parties.tokens(uid, p["svn_analyst"])
    assert {t.id for t in listing if not t.active} >= {victim, grand.json()["id"]}
    assert {t.id: t.parent_id for t in listing}[grand.json()["id"]] == child["id"]


def test_a_cleared_child_revocation_still_dies_with_its_parent(hub: H.Hub) -> None:
    """Authentication walks the minting chain: a child whose parent is revoked is refused on its own."""
    from sqlalchemy import text

    p, _, parent, r = _minted(hub, None, 1)
    hub.parties.revoke_token(parent.id, p["svn_focal_point"])
    with hub.engine.begin() as conn:
        conn.execute(text("update api_tokens set revoked_at = null where id = :i"), {"i": r.json()["id"]})
    assert hub.parties.authenticate(r.json()["token"]) == (None, "token revoked")


LISTERS = [  # (who asks for the SVN analyst's tokens, status)
    ("svn_analyst", 200),
    ("svn_focal_point", 200),
    ("lux_focal_point", 404),
    ("lux_analyst", 404),
]


@pytest.mark.parametrize(("who", "status"), LISTERS)
def test_a_users_tokens_are_listed_for_itself_and_its_focal_point(hub: H.Hub, who: str, status: int) -> None:
    """GET /users/{id}/tokens: metadata for the user and its focal point, never secrets or hashes."""
    p = people(hub)
    http, auth = client(hub)
    r = http.get(f"/users/{p['svn_analyst'].user_id}/tokens", headers=auth(who))
    assert r.status_code == status, r.text
    if status == 200:
        [tok] = r.json()
        assert tok["user_id"] == p["svn_analyst"].user_id and tok["active"] is True
        assert not {"token", "token_hash"} & set(tok) and "osh_" not in r.text


# --- 6. existence and title leaks -------------------------------------------------------------------------

HIDDEN_READS = [  # (who, why it may not see the product)
    ("lux_analyst", "NO_CONSENT"),  # releasable to LUX, but no grant
    ("deu_analyst", "PERMISSIVE"),  # the label does not release to DEU at all
]


@pytest.mark.parametrize("path", ["/products/{}", "/products/{}/content"])
@pytest.mark.parametrize(("who", "reason"), HIDDEN_READS)
def test_a_hidden_product_answers_like_a_missing_one(hub: H.Hub, path: str, who: str, reason: str) -> None:
    """Same status and body shape as an unknown id; the audit log keeps the true reason."""
    p = people(hub)
    http, auth = client(hub)
    prod = hub.products.add(p["svn_analyst"], "cdm", "Secret title", label("SVN", "LUX"), b"{}")
    missing = "00000000-0000-4000-8000-000000000000"
    hidden_r, missing_r = (http.get(path.format(pid), headers=auth(who)) for pid in (prod.id, missing))
    assert (hidden_r.status_code, missing_r.status_code) == (404, 404)
    assert hidden_r.json()["detail"].replace(prod.id, "ID") == missing_r.json()["detail"].replace(missing, "ID")
    assert "Secret" not in hidden_r.text
    reasons = [e for e in _entries(hub) if e.get("product") == prod.id and e["event"] == "refusal.reason"]
    assert reasons and reason in reasons[-1]["reason"]


@pytest.mark.parametrize("event", ["read", "consent request"])
@pytest.mark.parametrize("who", ["lux_analyst", "deu_analyst"])
def test_the_audit_log_tells_hidden_and_missing_apart_only_to_the_originator(hub: H.Hub, event: str, who: str) -> None:
    """The requester's focal point reads the same entries, and the log grows alike, for hidden and missing."""
    p = people(hub)
    prod = hub.products.add(p["svn_analyst"], "cdm", "Secret title", label("SVN", "LUX"), b"{}")
    missing = "00000000-0000-4000-8000-000000000000"
    fp = p[who.replace("analyst", "focal_point")]
    views, growth = [], []
    for pid in (prod.id, missing):
        start = hub.audit.head().size
        with pytest.raises(H.NotFound):
            if event == "read":
                hub.products.get(p[who], SDA, pid)
            else:
                hub.consent.request(p[who], pid, "DEU", SDA, "x")
        growth.append(hub.audit.head().size - start)
        seen = [e.entry for e in hub.audit.entries(fp, start)]
        views.append([{k: v for k, v in e.items() if k not in ("idx", "time", "product")} for e in seen])
    assert views[0] == views[1] and growth[0] == growth[1]
    truth = [e.entry for e in hub.audit.entries(p["svn_focal_point"]) if e.entry["event"] == "refusal.reason"]
    assert [e["product"] for e in truth] == [prod.id] and truth[0]["subject_partner"] == who[:3].upper()


def _entries(hub: H.Hub) -> list[dict]:
    """Every audit entry's payload, in order."""
    import json

    from sqlalchemy import text

    with hub.engine.connect() as conn:
        return [json.loads(x) for x in conn.execute(text("select payload from audit_entries order by idx")).scalars()]


CONSENT_PROBES = [  # (requester, recipient asked for, status, title shown)
    ("lux_analyst", "LUX", 201, None),  # may ask for its own partner, but sees only the id it gave
    ("deu_analyst", "DEU", 404, None),  # the label never releases to DEU: like a missing product
    ("lux_analyst", "DEU", 404, None),  # onward release of what it cannot see
    ("svn_analyst", "LUX", 201, "Secret title"),  # the originator's own people see the title
]


@pytest.mark.parametrize(("who", "recipient", "status", "title"), CONSENT_PROBES)
def test_consent_requests_do_not_leak_titles(hub: H.Hub, who, recipient, status, title) -> None:
    """A requester that cannot see the product gets back only the id it gave, in the answer and its outbox."""
    p = people(hub)
    http, auth = client(hub)
    prod = hub.products.add(p["svn_analyst"], "cdm", "Secret title", label("SVN", "LUX"), b"{}")
    body = {"recipient": recipient, "purpose": SDA, "justification": "screening"}
    r = http.post(f"/products/{prod.id}/consent-requests", headers=auth(who), json=body)
    assert r.status_code == status, r.text
    if status == 404:
        assert r.json()["detail"] == f"no product {prod.id}"
        assert [e.get("decision") for e in _entries(hub)[-2:]] == ["deny", None]
        return
    assert r.json()["product_title"] == title and r.json()["product_id"] == prod.id
    [mine] = http.get("/consent-requests?box=outbox", headers=auth(who)).json()
    assert mine["product_title"] == title
    [inbox] = http.get("/consent-requests", headers=auth("svn_focal_point")).json()
    assert inbox["product_title"] == "Secret title"


def test_the_requester_sees_the_title_once_granted(hub: H.Hub) -> None:
    """After the originator grants, the product (and so its title) is the requester's to see."""
    p = people(hub)
    prod = hub.products.add(p["svn_analyst"], "cdm", "Secret title", label("SVN", "LUX"), b"{}")
    req = hub.consent.request(p["lux_analyst"], prod.id, "LUX", SDA, "screening")
    assert req.product_title is None
    hub.consent.decide(p["svn_focal_point"], req.id, True)
    assert [r.product_title for r in hub.consent.requests(p["lux_analyst"], "outbox")] == ["Secret title"]


# --- 7. tamper-evident revocation -------------------------------------------------------------------------


def _revoked_grant(hub: H.Hub):
    """A product of SVN granted to LUX and then revoked; returns (people, product, grant)."""
    p = people(hub)
    prod = hub.products.add(p["svn_analyst"], "cdm", "CDM", label("SVN", "LUX"), b"{}")
    g = hub.consent.grant_directly(p["svn_focal_point"], prod.id, "LUX", SDA)
    assert hub.products.get(p["lux_analyst"], SDA, prod.id)[1] == b"{}"
    hub.consent.revoke(p["svn_focal_point"], g.id, "no longer needed")
    return p, prod, g


TAMPERING = [  # (statement run behind the hub's back, access stays refused, what verify reports)
    ("update grants set revoked_at = null, revoked_by = null where id = :g", True, "revocation cleared"),
    ("delete from revocations where grant_id = :g", True, "revocation statement missing"),
    ("update revocations set signature = 'AAAA' where grant_id = :g", True, "revocation statement missing or invalid"),
    (
        "insert into grants select :n, product_id, recipient, originator, purpose, issued_at, expires_at, signer,"
        " key_id, statement, signature, request_id, null, null, null from grants where id = :g",
        True,
        "no consent.grant entry",
    ),
]


@pytest.mark.parametrize(("sql", "refused", "problem"), TAMPERING)
def test_revocation_is_tamper_evident(hub: H.Hub, sql: str, refused: bool, problem: str) -> None:
    """Clearing revoked_at does not restore access, and `audit verify` reports every disagreement."""
    from sqlalchemy import text

    p, prod, g = _revoked_grant(hub)
    assert hub.audit.verify().ok
    with hub.engine.begin() as conn:
        conn.execute(text(sql), {"g": g.id, "n": "00000000-0000-4000-8000-00000000beef"})
    if refused:
        with pytest.raises(H.NotFound):
            hub.products.get(p["lux_analyst"], SDA, prod.id)
        assert hub.products.search(p["lux_analyst"], SDA).total == 0
    report = hub.audit.verify()
    assert not report.ok and any(problem in x for x in report.problems), report.problems


def test_audit_verify_command_fails_on_a_cleared_revocation(hub: H.Hub, monkeypatch) -> None:
    """`orbitshare audit verify` exits 1 naming the grant once its revocation is cleared in the database."""
    from sqlalchemy import text
    from typer.testing import CliRunner

    from orbitshare.cli import app

    p, prod, g = _revoked_grant(hub)
    monkeypatch.setenv("ORBITSHARE_HOME", str(hub.config.home))
    args = ["audit", "verify", "--db-url", hub.config.db_url]
    assert CliRunner().invoke(app, args).exit_code == 0
    with hub.engine.begin() as conn:
        conn.execute(text("update grants set revoked_at = null where id = :g"), {"g": g.id})
    out = CliRunner().invoke(app, args)
    assert out.exit_code == 1 and g.id in out.output and "revocation cleared" in out.output
    with pytest.raises(H.NotFound):
        hub.products.get(p["lux_analyst"], SDA, prod.id)


def test_a_revocation_is_a_signed_statement_naming_the_grant(hub: H.Hub) -> None:
    """The stored statement verifies under the focal point's key and names the grant's statement hash."""
    from sqlalchemy import text

    from orbitshare.sharing import consent as cs

    p, prod, g = _revoked_grant(hub)
    with hub.engine.connect() as conn:
        stmt, sig = conn.execute(
            text("select statement, signature from revocations where grant_id = :g"), {"g": g.id}
        ).one()
    st = cs.verify_revocation(bytes(stmt), sig, cs.unb64u(hub.consent.grant(p["svn_focal_point"], g.id).public_key))
    assert st is not None and (st.grant_id, st.product_id, st.recipient) == (g.id, prod.id, "LUX")
    assert (
        st.grant_sha256
        == hashlib.sha256(cs.unb64u(hub.consent.grant(p["svn_focal_point"], g.id).statement_b64)).hexdigest()
    )


# --- 8. smaller findings: label input, user clearance, job labels -----------------------------------------

CLASSIFICATIONS = [  # (classification as sent, status)
    (True, 422),
    (False, 422),
    (1, 422),
    (0, 422),
    (None, 422),
    (["SECRET"], 422),
    ("NATO RESTRICTED", 201),
]


@pytest.mark.parametrize(("classification", "status"), CLASSIFICATIONS)
def test_a_label_classification_must_be_a_name(hub: H.Hub, classification, status: int) -> None:
    """`"classification": true` was stored as RESTRICTED; every non-string is now a 422."""
    people(hub)
    http, auth = client(hub)
    lab = {**label("SVN"), "classification": classification}
    r = http.post(
        "/products", headers=auth("svn_analyst"), json={"kind": "file", "title": "t", "label": lab, "text": "x"}
    )
    assert r.status_code == status, r.text
    with pytest.raises(H.Invalid) if status == 422 else _nothing():
        hub.products.add(hub.parties.authenticate(TOKENS[id(hub)]["svn_analyst"])[0], "file", "t", lab, b"x")


def _nothing():
    """A context manager that expects nothing."""
    import contextlib

    return contextlib.nullcontext()


NEW_USERS = [  # (clearance asked by the SECRET focal point, status)
    ("TOP SECRET", 403),
    ("COSMIC TOP SECRET", 403),
    ("SECRET", 201),
    ("NATO CONFIDENTIAL", 201),
    (True, 422),
]


@pytest.mark.parametrize(("clearance", "status"), NEW_USERS)
def test_a_focal_point_cannot_create_users_above_its_clearance(hub: H.Hub, clearance, status: int) -> None:
    """A focal point's new users are cleared at most as high as itself."""
    people(hub)
    http, auth = client(hub)
    body = {"name": "new analyst", "role": "analyst", "clearance": clearance}
    r = http.post("/users", headers=auth("svn_focal_point"), json=body)
    assert r.status_code == status, r.text
    names = [u.name for u in hub.parties.users(hub.parties.authenticate(TOKENS[id(hub)]["svn_focal_point"])[0])]
    assert ("new analyst" in names) == (status == 201)


@pytest.fixture(scope="module")
def echo_job():
    """A job that reads its input products and returns their titles."""
    from orbitshare.api.jobs import Job

    def echo(params: dict, ctx) -> tuple[dict, str, dict]:
        """Read every input as the caller."""
        titles = [ctx.read_own_product(pid)[0].title for pid in params["inputs"]]
        return {"titles": titles}, "application/json", {}

    return Job("test-echo-inputs", "file", "Titles of the input products (tests)", echo)


JOB_LABELS = [  # (input labels, posted label, expected classification, releasable to, purposes) or the status
    (
        [label("SVN", "LUX", classification="NATO SECRET")],
        label("SVN", "LUX", classification="NATO UNCLASSIFIED"),
        "SECRET",
        ["LUX", "SVN"],
        [SDA],
    ),
    ([label("SVN")], label("SVN", "LUX"), "RESTRICTED", ["SVN"], [SDA]),
    (
        [label("SVN", "LUX", purposes=(SDA, "training"))],
        label("SVN", "LUX", purposes=("training", "exercise")),
        "RESTRICTED",
        ["LUX", "SVN"],
        ["training"],
    ),
    ([label("SVN", "LUX"), label("SVN", "DEU")], label("SVN", "LUX", "DEU"), "RESTRICTED", ["SVN"], [SDA]),
    ([label("SVN", "LUX", purposes=("training",))], label("SVN", "LUX", purposes=(SDA,)), 422, None, None),
]


@pytest.mark.parametrize(("inputs", "posted", "level", "rel_to", "purposes"), JOB_LABELS)
def test_a_job_result_is_labelled_at_least_as_restrictively_as_its_inputs(
    hub: H.Hub, echo_job, inputs, posted, level, rel_to, purposes
) -> None:
    """Classification maximum, releasability and purposes intersected; no overlap of purposes is a 422."""
    p = people(hub)
    http, auth = client(hub)
    http.app.state.jobs.add(echo_job)
    ids = [hub.products.add(p["svn_analyst"], "file", f"in{i}", lab, b"x").id for i, lab in enumerate(inputs)]
    r = http.post(f"/jobs/{echo_job.name}", headers=auth("svn_analyst"),
                  json={"label": posted, "params": {"inputs": ids}})
    if level == 422:
        assert r.status_code == 422 and "purposes" in r.json()["detail"]
        return
    assert r.status_code == 201, r.text
    out = r.json()["label"]
    [rel] = [c for c in out["categories"] if c["tag_name"] == "Releasable To"]
    assert (out["classification"], rel["values"], out["purposes"]) == (level, rel_to, purposes)


DELETIONS = [  # (indexes deleted, given n entries, the problem reported)
    (lambda n: [3], "entry 3: deleted"),
    (lambda n: [3, 4, 5], "entries 3 to 5: deleted"),
    (lambda n: [0], "entry 0: deleted"),
    (lambda n: [n - 1], "deleted from the tail"),
]


@pytest.mark.parametrize(("which", "problem"), DELETIONS)
def test_audit_verify_calls_a_deletion_a_deletion_and_counts_what_is_stored(hub: H.Hub, monkeypatch, which, problem):
    """`audit verify` names deleted entries as deletions and prints the number of entries actually stored."""
    from sqlalchemy import text
    from typer.testing import CliRunner

    from orbitshare.cli import app

    p = people(hub)
    for i in range(4):
        hub.products.add(p["svn_analyst"], "file", f"f{i}", label("SVN"), b"x")
    n = hub.audit.verify().entries
    gone = which(n)
    with hub.engine.begin() as conn:
        for idx in gone:
            conn.execute(text("delete from audit_entries where idx = :i"), {"i": idx})
    report = hub.audit.verify()
    assert report.entries == n - len(gone) and any(problem in x for x in report.problems), report.problems
    monkeypatch.setenv("ORBITSHARE_HOME", str(hub.config.home))
    out = CliRunner().invoke(app, ["audit", "verify", "--db-url", hub.config.db_url])
    assert out.exit_code == 1 and f"audit log: {n - len(gone)} entries" in out.output and "deleted" in out.output
