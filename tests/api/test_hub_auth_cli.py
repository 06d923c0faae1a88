"""OIDC/JWT bearer tokens, and the `orbitshare serve --demo` and `orbitshare audit verify` commands."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from orbitshare.api.auth import JwtSettings, verify_jwt
from orbitshare.sharing.consent import b64u

ISS, AUD = "https://idp.example.mil", "orbitshare"


def _jwt(key, alg: str, claims: dict) -> str:
    """A compact JWS signed with `key`."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    head = b64u(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    body = b64u(json.dumps(claims).encode())
    msg = f"{head}.{body}".encode()
    if alg == "EdDSA":
        sig = key.sign(msg)
    elif alg == "ES256":
        r, s = decode_dss_signature(key.sign(msg, ec.ECDSA(hashes.SHA256())))
        sig = r.to_bytes(32) + s.to_bytes(32)
    else:
        sig = key.sign(msg, padding.PKCS1v15(), hashes.SHA256())
    return f"{head}.{body}.{b64u(sig)}"


def _pem(key) -> bytes:
    """PEM of a private key's public half."""
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


@pytest.mark.parametrize(
    ("alg", "make"),
    [
        ("EdDSA", Ed25519PrivateKey.generate),
        ("ES256", lambda: ec.generate_private_key(ec.SECP256R1())),
        ("RS256", lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)),
    ],
)
def test_jwt_verification(alg: str, make) -> None:
    """Signature, issuer, audience, expiry and not-before are all enforced."""
    key, now = make(), 1_800_000_000
    cfg = JwtSettings(_pem(key), ISS, AUD)
    good = {"iss": ISS, "aud": AUD, "sub": "alice", "exp": now + 60, "nbf": now - 60}
    assert verify_jwt(_jwt(key, alg, good), cfg, now)["sub"] == "alice"
    for bad, message in [
        ({**good, "iss": "evil"}, "issuer"),
        ({**good, "aud": "x"}, "audience"),
        ({**good, "exp": now - 3600}, "expired"),
        ({**good, "nbf": now + 3600}, "not yet"),
        ({k: v for k, v in good.items() if k != "sub"}, "sub"),
    ]:
        with pytest.raises(ValueError, match=message):
            verify_jwt(_jwt(key, alg, bad), cfg, now)
    with pytest.raises(ValueError, match="signature invalid"):
        verify_jwt(_jwt(make(), alg, good), cfg, now)
    with pytest.raises(ValueError, match="not accepted"):
        verify_jwt(
            _jwt(key, alg, good).replace(
                b64u(json.dumps({"alg": alg, "typ": "JWT"}).encode()), b64u(b'{"alg":"none"}'), 1
            ),
            cfg,
            now,
        )
    with pytest.raises(ValueError, match="malformed"):
        verify_jwt("a.b", cfg, now)


def test_jwt_bearer_maps_to_a_bound_user(tmp_path, env_factory) -> None:
    """A valid JWT whose subject is bound to a user authenticates as that user; others are refused."""
    key = Ed25519PrivateKey.generate()
    env = env_factory(tmp_path, jwt=JwtSettings(_pem(key), ISS, AUD))
    env.hub.parties.create_user("LUX", "OIDC analyst", "analyst", "SECRET", oidc_subject="lux-oidc-7")
    claims = {"iss": ISS, "aud": AUD, "sub": "lux-oidc-7", "exp": int(time.time()) + 300}
    me = env.client.get("/me", headers={"Authorization": f"Bearer {_jwt(key, 'EdDSA', claims)}"})
    assert me.status_code == 200 and (me.json()["name"], me.json()["partner"]) == ("OIDC analyst", "LUX")
    unbound = _jwt(key, "EdDSA", {**claims, "sub": "nobody"})
    r = env.client.get("/me", headers={"Authorization": f"Bearer {unbound}"})
    assert r.status_code == 401 and r.json()["detail"] == "invalid or expired token"
    keeper = env.client.app.state.audit_keeper
    assert keeper.refusals.take()["counts"][0]["reason"] == "JWT subject not bound to a user"
    body = {"name": "second", "role": "viewer", "oidc_subject": "lux-oidc-7"}
    dup = env.client.post("/users", headers=env.auth("lux_fp"), json=body)
    assert dup.status_code == 409 and "already bound" in dup.json()["detail"]
    expired = _jwt(key, "EdDSA", {**claims, "exp": 1})
    assert env.client.get("/me", headers={"Authorization": f"Bearer {expired}"}).status_code == 401
    env.hub.close()


def _free_port() -> int:
    """An unused local port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_demo_and_audit_verify_commands(tmp_path: Path) -> None:
    """`serve --demo` prints URL and tokens and serves; `audit verify` passes, then fails after tampering."""
    env = {**os.environ, "ORBITSHARE_HOME": str(tmp_path)}
    port = _free_port()
    cli = [sys.executable, "-c", "from orbitshare.cli import main; main()"]
    proc = subprocess.Popen(
        [*cli, "serve", "--demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = [proc.stdout.readline() for _ in range(9)]  # URL, the demo jobs run once, four tokens
        assert f"http://127.0.0.1:{port}/" in lines[0]
        assert sum("demo job (once)" in ln for ln in lines) == 4, lines
        tokens = [ln.split("token: ")[1].strip() for ln in lines if "token: " in ln]
        assert len(tokens) == 4 and all(t.startswith("osh_") for t in tokens)
        for _ in range(100):
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/me", headers={"Authorization": f"Bearer {tokens[0]}"})
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        assert r.status_code == 200 and r.json()["partner"] == "SVN"
        assert httpx.get(f"http://127.0.0.1:{port}/docs").status_code == 200
    finally:
        proc.terminate()
        proc.wait(10)
    ok = subprocess.run([*cli, "audit", "verify"], env=env, capture_output=True, text=True)
    assert ok.returncode == 0 and "OK" in ok.stdout
    head = subprocess.run([*cli, "audit", "head"], env=env, capture_output=True, text=True)
    checkpoint = tmp_path / "head.json"
    checkpoint.write_text(head.stdout)
    assert json.loads(head.stdout)["size"] > 10
    import sqlite3

    with sqlite3.connect(tmp_path / "hub.db") as db:
        db.execute("update audit_entries set payload = replace(payload, 'LUX', 'DEU') where idx = 1")
    bad = subprocess.run(
        [*cli, "audit", "verify", "--checkpoint", str(checkpoint)], env=env, capture_output=True, text=True
    )
    assert bad.returncode == 1 and "TAMPERED: entry 1" in bad.stderr and "FAILED" in bad.stdout
