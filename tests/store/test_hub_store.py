"""Storage tests on SQLite and PostgreSQL: migrations, parties, consent, revocation, audit tampering."""

from __future__ import annotations

import json
import threading
from dataclasses import asdict
from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from orbitshare import service as H
from orbitshare.service.common import hash_token
from orbitshare.store.db import normalise_url
from orbitshare.store.models import Base

SDA = "space-domain-awareness"


def label(*rel_to: str, classification: str = "NATO RESTRICTED") -> dict:
    """A NATO label releasable to `rel_to`."""
    return {
        "policy_id": "NATO",
        "classification": classification,
        "purposes": [SDA],
        "categories": [{"tag_name": "Releasable To", "type": "PERMISSIVE", "values": list(rel_to)}],
    }


def people(hub: H.Hub) -> dict[str, H.Principal]:
    """SVN and LUX focal points and analysts, and a DEU analyst."""
    out = {}
    for code in ("SVN", "LUX", "DEU"):
        hub.parties.create_partner(code, code, "nation", ["NATO"])
        for role in ("focal_point", "analyst"):
            u = hub.parties.create_user(code, f"{code} {role}", role, "SECRET", SDA)
            out[f"{code.lower()}_{role}"] = hub.parties.authenticate(hub.parties.issue_token(u.id).token)[0]
    return out


def test_migrations_match_the_models(db_url: str) -> None:
    """Alembic head creates exactly the tables the models declare (no pending autogenerate diff)."""
    from orbitshare.store.db import migrate

    migrate(db_url)
    engine = create_engine(normalise_url(db_url))
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        head = conn.execute(text("select size, root_hash from audit_head")).one()
    engine.dispose()
    assert diff == []
    assert head == (0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")


def test_tokens_are_stored_hashed_and_expire_or_revoke(hub: H.Hub) -> None:
    """Only SHA-256 of a token is stored; expired and revoked tokens are refused with the reason."""
    p = people(hub)
    user = hub.parties.create_user("SVN", "temp", "viewer")
    tok = hub.parties.issue_token(user.id, ttl=timedelta(seconds=-1))
    with hub.engine.connect() as conn:
        stored = conn.execute(
            text("select token_hash from api_tokens where id = :i"), {"i": tok.id}
        ).scalar()
    assert stored == hash_token(tok.token) and tok.token not in stored
    assert hub.parties.authenticate(tok.token) == (None, "token expired")
    live = hub.parties.issue_token(user.id)
    assert hub.parties.authenticate(live.token)[0].user_id == user.id
    hub.parties.revoke_token(live.id, p["svn_focal_point"])
    assert hub.parties.authenticate(live.token) == (None, "token revoked")
    assert hub.parties.authenticate("osh_nonsense") == (None, "unknown token")
    with pytest.raises(H.Forbidden):
        hub.parties.revoke_token(tok.id, p["lux_focal_point"])


def test_consent_flow_and_immediate_revocation(hub: H.Hub) -> None:
    """Third parties see nothing until the originator's focal point grants; revocation bites at once."""
    p = people(hub)
    prod = hub.products.add(p["svn_analyst"], "cdm", "CDM", label("SVN", "LUX"), b'{"cdm": 1}')
    lux = p["lux_analyst"]
    assert hub.products.search(lux, SDA).total == 0
    with pytest.raises(H.NotFound, match="no product"):
        hub.products.get(lux, SDA, prod.id)
    req = hub.consent.request(lux, prod.id, "LUX", SDA, "screening")
    with pytest.raises(H.Conflict):
        hub.consent.request(lux, prod.id, "LUX", SDA, "again")
    with pytest.raises(H.Forbidden):
        hub.consent.decide(p["lux_focal_point"], req.id, True)
    assert [r.id for r in hub.consent.requests(p["svn_focal_point"], "inbox", "pending")] == [req.id]
    out = hub.consent.decide(p["svn_focal_point"], req.id, True)
    assert out.grant.statement["recipient"] == "LUX"
    info, data = hub.products.get(lux, SDA, prod.id)
    assert data == b'{"cdm": 1}' and info.released_by == "CONSENT"
    assert hub.products.search(lux, SDA).total == 1
    assert hub.products.search(lux, "training").total == 0
    hub.consent.revoke(p["svn_focal_point"], out.grant.id, "no longer needed")
    assert hub.products.search(lux, SDA).total == 0
    with pytest.raises(H.NotFound, match="no product"):
        hub.products.get(lux, SDA, prod.id)
    with pytest.raises(H.Conflict):
        hub.consent.decide(p["svn_focal_point"], req.id, False)


def test_labels_bound_consent_and_uploads(hub: H.Hub) -> None:
    """No grant beyond the label's releasability; no label that refuses its own originator; no forgery."""
    p = people(hub)
    prod = hub.products.add(p["svn_analyst"], "alert", "A", label("SVN", "LUX"), b"{}")
    with pytest.raises(H.Invalid, match="does not allow release to DEU"):
        hub.consent.grant_directly(p["svn_focal_point"], prod.id, "DEU", SDA)
    with pytest.raises(H.Invalid, match="purpose"):
        hub.consent.grant_directly(p["svn_focal_point"], prod.id, "LUX", "training")
    with pytest.raises(H.Invalid, match="own originator"):
        hub.products.add(p["svn_analyst"], "alert", "B", label("LUX"), b"{}")
    with pytest.raises(H.Invalid, match="originator must be your partner"):
        hub.products.add(p["svn_analyst"], "alert", "C", {**label("SVN", "LUX"), "originator": "LUX"}, b"{}")
    with pytest.raises(H.Invalid, match="above the subject's clearance"):
        hub.products.add(p["svn_analyst"], "alert", "D", label("SVN", classification="TOP SECRET"), b"{}")


def test_forged_grant_rows_release_nothing(hub: H.Hub) -> None:
    """Only signed statements count: editing a grant row's columns or statement does not release."""
    p = people(hub)
    a = hub.products.add(p["svn_analyst"], "file", "A", label("SVN", "LUX"), b"a")
    b = hub.products.add(p["svn_analyst"], "file", "B", label("SVN", "LUX"), b"b")
    g = hub.consent.grant_directly(p["svn_focal_point"], a.id, "LUX", SDA)
    with hub.engine.begin() as conn:  # point the grant at product B in the column only
        conn.execute(text("update grants set product_id = :b where id = :g"), {"b": b.id, "g": g.id})
    assert hub.products.search(p["lux_analyst"], SDA).total == 0
    forged = json.loads(json.dumps(g.statement))
    forged["product_id"] = b.id
    blob = json.dumps(forged, sort_keys=True, separators=(",", ":")).encode()
    with hub.engine.begin() as conn:
        conn.execute(text("update grants set statement = :s where id = :g"), {"s": blob, "g": g.id})
    assert hub.products.search(p["lux_analyst"], SDA).total == 0


def _tamper(hub: H.Hub, sql: str, **params) -> list[str]:
    """Run a tampering statement behind the hub's back; return the verifier's problems."""
    with hub.engine.begin() as conn:
        conn.execute(text(sql), params)
    return hub.audit.verify().problems


@pytest.mark.parametrize(
    "attack",
    ["alter", "alter_and_rehash", "remove_middle", "remove_tail", "insert", "reorder", "head_rollback"],
)
def test_audit_verify_detects_tampering(hub: H.Hub, attack: str) -> None:
    """Any altered, removed, inserted or reordered entry is detected."""
    p = people(hub)
    for i in range(5):
        hub.products.add(p["svn_analyst"], "file", f"f{i}", label("SVN"), b"x")
    assert hub.audit.verify().ok
    n = hub.audit.verify().size
    payload = {
        "alter": lambda: _tamper(hub, "update audit_entries set payload = replace(payload, 'SVN', 'DEU')"),
        "alter_and_rehash": lambda: _rehash(hub, 7),
        "remove_middle": lambda: _tamper(hub, "delete from audit_entries where idx = 3"),
        "remove_tail": lambda: _tamper(hub, "delete from audit_entries where idx = :i", i=n - 1),
        "insert": lambda: _insert(hub),
        "reorder": lambda: _swap(hub, 4, 5),
        "head_rollback": lambda: _tamper(hub, "update audit_head set size = size - 1"),
    }[attack]
    problems = payload()
    assert problems, attack


def _rehash(hub: H.Hub, idx: int) -> list[str]:
    """Alter an entry and recompute its leaf hash (the tree heads no longer match)."""
    from orbitshare.sharing.audit import leaf_hash

    with hub.engine.begin() as conn:
        payload = conn.execute(text("select payload from audit_entries where idx = :i"), {"i": idx}).scalar()
        new = payload.replace('"event":', '"evil":1,"event":')
        conn.execute(
            text("update audit_entries set payload = :p, leaf_hash = :h where idx = :i"),
            {"p": new, "h": leaf_hash(new.encode()).hex(), "i": idx},
        )
    return hub.audit.verify().problems


def _insert(hub: H.Hub) -> list[str]:
    """Shift entries up and insert a forged one at index 2."""
    with hub.engine.begin() as conn:
        rows = (
            conn.execute(text("select * from audit_entries where idx >= 2 order by idx desc"))
            .mappings()
            .all()
        )
        for r in rows:
            conn.execute(
                text("update audit_entries set idx = :n where idx = :o"), {"n": r["idx"] + 1, "o": r["idx"]}
            )
        r = dict(rows[-1])
        r["idx"] = 2
        conn.execute(
            text(
                "insert into audit_entries (idx, created_at, event, actor, partner, product_id, payload, "
                "leaf_hash, root_hash, signature) values (:idx, :created_at, :event, :actor, :partner, "
                ":product_id, :payload, :leaf_hash, :root_hash, :signature)"
            ),
            r,
        )
    return hub.audit.verify().problems


def _swap(hub: H.Hub, i: int, j: int) -> list[str]:
    """Swap the contents of two entries (their order in the log)."""
    cols = "payload, leaf_hash, root_hash, signature, event"
    with hub.engine.begin() as conn:
        a = conn.execute(text(f"select {cols} from audit_entries where idx = :i"), {"i": i}).mappings().one()
        b = conn.execute(text(f"select {cols} from audit_entries where idx = :i"), {"i": j}).mappings().one()
        for idx, row in ((i, b), (j, a)):
            conn.execute(
                text(
                    "update audit_entries set payload = :payload, leaf_hash = :leaf_hash, "
                    "root_hash = :root_hash, signature = :signature, event = :event where idx = :idx"
                ),
                {**row, "idx": idx},
            )
    return hub.audit.verify().problems


def test_checkpoint_detects_truncation_and_proofs_verify(hub: H.Hub) -> None:
    """A saved tree head catches a cleanly truncated log; API proofs verify against signed heads."""
    from orbitshare.sharing import audit as merkle

    p = people(hub)
    hub.products.add(p["svn_analyst"], "file", "x", label("SVN"), b"x")
    cp = hub.audit.head()
    inc = hub.audit.inclusion(2)
    assert merkle.verify_inclusion(
        2,
        inc.size,
        bytes.fromhex(inc.leaf_hash),
        [bytes.fromhex(x) for x in inc.proof],
        bytes.fromhex(cp.root),
    )
    hub.products.add(p["svn_analyst"], "file", "y", label("SVN"), b"y")
    con = hub.audit.consistency(cp.size)
    assert merkle.verify_consistency(
        cp.size,
        con.second,
        bytes.fromhex(cp.root),
        bytes.fromhex(hub.audit.head().root),
        [bytes.fromhex(x) for x in con.proof],
    )
    assert hub.audit.verify([asdict(cp)]).ok
    last = hub.audit.head().size - 1
    with hub.engine.begin() as conn:  # truncate cleanly: drop the tail entries and roll the head back
        conn.execute(text("delete from audit_entries where idx >= :n"), {"n": cp.size - 1})
        frontier_rows = conn.execute(text("select leaf_hash from audit_entries order by idx")).scalars().all()
        fr: list = []
        for h in frontier_rows:
            fr = merkle.frontier_append(fr, bytes.fromhex(h))
        conn.execute(
            text("update audit_head set size = :s, root_hash = :r, frontier = :f"),
            {
                "s": len(frontier_rows),
                "r": merkle.frontier_root(fr).hex(),
                "f": json.dumps([[h, x.hex()] for h, x in fr]),
            },
        )
    assert last + 1 > cp.size
    assert hub.audit.verify().ok  # undetectable without an outside checkpoint ...
    assert any("truncated" in x for x in hub.audit.verify([asdict(cp)]).problems)  # ... caught with one


def test_eight_concurrent_writers_lose_nothing(hub: H.Hub, db_url: str, tmp_path) -> None:
    """8 writers (separate hubs, as separate processes would be) x 500 products; audit log consistent."""
    p = people(hub)
    writers = [H.Hub(hub.config) for _ in range(8)]
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def write(w: H.Hub, k: int) -> None:
        """Add 500 products."""
        start.wait()
        try:
            for i in range(500):
                w.products.add(p["svn_analyst"], "file", f"w{k}-{i}", label("SVN"), f"{k}:{i}".encode())
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=write, args=(w, k)) for k, w in enumerate(writers)]
    before = hub.audit.counts()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for w in writers:
        w.close()
    assert errors == []
    after = hub.audit.counts()
    assert after["products"] - before["products"] == 4000
    assert after["audit_entries"] - before["audit_entries"] == 4000
    with hub.engine.connect() as conn:
        titles = set(conn.execute(text("select title from products where title like 'w%'")).scalars())
    assert titles == {f"w{k}-{i}" for k in range(8) for i in range(500)}
    report = hub.audit.verify()
    assert report.ok, report.problems
    assert report.size == after["audit_entries"]


def test_migrations_downgrade_and_upgrade_again(db_url: str) -> None:
    """The initial revision can be reverted to an empty schema and re-applied."""
    from alembic import command
    from sqlalchemy import inspect

    from orbitshare.store.db import alembic_config, migrate

    migrate(db_url)
    command.downgrade(alembic_config(db_url), "base")
    engine = create_engine(normalise_url(db_url))
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    migrate(db_url)
    engine = create_engine(normalise_url(db_url))
    assert {"products", "grants", "audit_entries", "audit_head"} <= set(inspect(engine).get_table_names())
    engine.dispose()
