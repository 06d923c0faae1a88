"""Witnessed tree heads on SQLite and PostgreSQL: a cut tail is caught by `audit verify` against the witness
file; partner hubs' heads are verified with their registered key and co-signed."""

from __future__ import annotations

import hashlib
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import delete, update
from typer.testing import CliRunner

from orbitshare.cli import app as cli
from orbitshare.sharing import audit as merkle
from orbitshare.sharing.consent import b64u, public_key_raw, unb64u
from orbitshare.store.auditlog import head_message, leaf_hashes
from orbitshare.store.models import AuditEntry, AuditHead


def _run(env, *args: str):
    """Run the CLI against the env's database and home."""
    url = env.hub.engine.url.render_as_string(hide_password=False)
    home = str(env.hub.config.home)
    return CliRunner().invoke(
        cli,
        [*args, "--db-url", url] if args[:2] != ("audit", "partner-key") else list(args),
        env={"ORBITSHARE_HOME": home},
    )


def _cut_tail(hub, keep: int) -> None:
    """Delete every entry from index `keep` on and rewrite the head row to match: a clean, re-signed cut."""
    with hub.ctx.sessions.begin() as s:
        frontier: list = []
        for leaf in leaf_hashes(s, keep):
            frontier = merkle.frontier_append(frontier, leaf)
        s.execute(delete(AuditEntry).where(AuditEntry.idx >= keep))
        s.execute(
            update(AuditHead)
            .where(AuditHead.id == 1)
            .values(
                size=keep,
                root_hash=merkle.frontier_root(frontier).hex(),
                frontier=json.dumps([[h, x.hex()] for h, x in frontier]),
            )
        )


def test_a_cut_tail_fails_verification_against_the_witnessed_head(db_env) -> None:
    """After the head is witnessed, cutting the log's tail passes a plain verify but fails `audit verify`."""
    env = db_env
    keeper = env.client.app.state.audit_keeper
    witnessed = keeper.witness_head()
    assert witnessed is not None and witnessed["size"] == env.audit_size() > 10
    assert keeper.witness_head() is None  # nothing new, nothing appended
    ok = _run(env, "audit", "verify")
    assert ok.exit_code == 0 and "OK" in ok.stdout and f"witnessed head: size {witnessed['size']}" in ok.stdout
    _cut_tail(env.hub, witnessed["size"] - 3)
    assert env.hub.audit.verify().ok  # without a head kept elsewhere the cut is invisible
    bad = _run(env, "audit", "verify")
    assert bad.exit_code == 1, bad.stdout
    assert f"checkpoint {witnessed['size']}: log has only {witnessed['size'] - 3} entries (truncated)" in bad.stderr
    blind = _run(env, "audit", "verify", "--no-witness")
    assert blind.exit_code == 0


def test_witnessed_heads_are_listed_and_signed(db_env) -> None:
    """GET /audit/heads lists the own heads, each signed by the audit key over the RFC 6962 root."""
    env = db_env
    env.client.app.state.audit_keeper.witness_head()
    env.client.get("/products", headers=env.auth("svn_an"))
    r = _run(env, "audit", "head", "--witness")
    assert r.exit_code == 0
    heads = env.client.get("/audit/heads", headers=env.auth("lux_an")).json()
    assert [h["type"] for h in heads] == ["head", "head"] and heads[0]["size"] < heads[1]["size"]
    with env.hub.ctx.sessions() as s:
        for h in heads:
            root = merkle.root_from_leaf_hashes(leaf_hashes(s, h["size"])).hex()
            assert h["root"] == root
            Ed25519PublicKey.from_public_bytes(unb64u(h["public_key"])).verify(
                unb64u(h["signature"]), head_message(h["size"], root)
            )


def test_the_keeper_witnesses_at_its_interval(db_env, tmp_path) -> None:
    """Started with a short interval, the keeper appends the head without any request or shutdown."""
    import time

    from orbitshare.api.witnessing import AuditKeeper, AuditSettings

    env = db_env
    keeper = AuditKeeper(env.hub, AuditSettings(tmp_path / "w.jsonl", tmp_path / "p.json", 0.05, 0.05))
    keeper.start()
    try:
        for _ in range(200):
            if keeper.witness.records():
                break
            time.sleep(0.05)
        assert [r["size"] for r in keeper.witness.records()] == [env.audit_size()]
    finally:
        keeper.stop()


LUX_HUB = Ed25519PrivateKey.generate()
OTHER = Ed25519PrivateKey.generate()
ROOT_A, ROOT_B = hashlib.sha256(b"a").hexdigest(), hashlib.sha256(b"b").hexdigest()


def _head(size: int, root: str, key: Ed25519PrivateKey = LUX_HUB) -> dict:
    """A partner hub's signed tree head."""
    return {"size": size, "root": root, "signature": b64u(key.sign(head_message(size, root)))}


PARTNER_HEADS = [
    # (name, who, head, status, message fragment); applied in order on one hub
    ("first head", "lux_fp", _head(5, ROOT_A), 201, ""),
    ("the same head again", "lux_fp", _head(5, ROOT_A), 201, ""),
    ("a later head", "lux_fp", _head(9, ROOT_B), 201, ""),
    ("rollback", "lux_fp", _head(7, ROOT_A), 409, "rollback"),
    ("fork", "lux_fp", _head(9, ROOT_A), 409, "fork"),
    ("wrong key", "lux_fp", _head(12, ROOT_A, OTHER), 422, "does not verify"),
    ("tampered root", "lux_fp", {**_head(12, ROOT_A), "root": ROOT_B}, 422, "does not verify"),
    ("not a focal point", "lux_an", _head(12, ROOT_A), 403, "focal point"),
    ("no key registered", "svn_fp", _head(12, ROOT_A), 422, "no hub key registered"),
    ("root not hex", "lux_fp", {**_head(12, ROOT_A), "root": "zz"}, 422, "root"),
]


def test_partner_heads_are_verified_and_cosigned(db_env) -> None:
    """Heads signed by the partner hub's registered key are co-signed; rollbacks, forks and forgeries refused."""
    env = db_env
    # A base64url key may begin with "-": after "--" it is never taken for an option.
    reg = _run(env, "audit", "partner-key", "lux", "--", b64u(public_key_raw(LUX_HUB)))
    assert reg.exit_code == 0, reg.output + repr(reg.exception)
    assert _run(env, "audit", "partner-key", "LUX", "c2hvcnQ").exit_code == 2
    ours = Ed25519PublicKey.from_public_bytes(env.hub.ctx.keys.audit_public)
    for name, who, head, status, fragment in PARTNER_HEADS:
        start = env.audit_size()
        r = env.client.post("/audit/witness", headers=env.auth(who), json=head)
        assert r.status_code == status, (name, r.text)
        events = [e["event"] for e in env.audit_events(start)]
        if status == 201:
            rec = r.json()
            assert (rec["type"], rec["partner"], rec["size"]) == ("cosigned", "LUX", head["size"])
            msg = b"orbitshare-audit-cosign/v1\nLUX\n" + f"{head['size']}\n{head['root']}\n".encode()
            ours.verify(unb64u(rec["cosignature"]), msg)
            assert events == ["audit.witness"], name
        else:
            assert fragment in r.json()["detail"], name
            assert events, f"{name}: refusal not audited"
    listed = env.client.get("/audit/heads", headers=env.auth("svn_an")).json()
    assert [(h["partner"], h["size"]) for h in listed if h["type"] == "cosigned"] == [
        ("LUX", 5),
        ("LUX", 5),
        ("LUX", 9),
    ]


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("ORBITSHARE_WITNESS_INTERVAL_S", "soon", "must be a number"),
        ("ORBITSHARE_AUTH_SUMMARY_S", "-5", "must be positive"),
    ],
)
def test_bad_audit_settings_are_named(tmp_path, variable: str, value: str, message: str) -> None:
    """A bad setting is one clear line naming the variable, exit 2."""
    r = CliRunner().invoke(cli, ["audit", "verify"], env={"ORBITSHARE_HOME": str(tmp_path), variable: value})
    assert r.exit_code == 2 and variable in r.stderr and message in r.stderr


def test_partner_key_beginning_with_a_dash_registers_after_double_dash(db_env) -> None:
    """About one base64url key in 64 begins with '-': given after `--` it registers like any other."""
    key = next(k for k in (b64u(public_key_raw(Ed25519PrivateKey.generate())) for _ in range(5000))
               if k.startswith("-"))
    reg = _run(db_env, "audit", "partner-key", "LUX", "--", key)
    assert reg.exit_code == 0, reg.output
    assert "registered the audit key of LUX" in reg.output
