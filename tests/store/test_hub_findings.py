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


EXPIRIES = [  # (expires_at as sent, accepted)
    ("9999-12-31T00:00:00Z", False),
    (_in_days(367), False),
    (_in_days(-1), False),
    ("2027-01-31T12:00:00", False),  # no zone: its instant is unknown
    (_in_days(365), True),
    (_in_days(30).replace("Z", "+02:00"), True),
]


@pytest.mark.parametrize("path", ["decide a request", "grant directly"])
@pytest.mark.parametrize(("expires_at", "accepted"), EXPIRIES)
def test_every_grant_path_applies_the_same_expiry_rule(hub: H.Hub, path: str, expires_at: str, accepted) -> None:
    """Deciding a request caps expires_at like a direct grant; a time without zone is a 422, not a 500."""
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
