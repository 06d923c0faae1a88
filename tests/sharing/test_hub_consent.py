"""Ed25519 consent grant statements: signing, verification and tampering."""

from __future__ import annotations

from dataclasses import replace

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from orbitshare.sharing import consent as cs

KEY = cs.new_signing_key()
PUB = cs.public_key_raw(KEY)
ST = cs.GrantStatement(
    grant_id="g1",
    product_id="p1",
    product_sha256="00" * 32,
    originator="SVN",
    recipient="LUX",
    purpose="space-domain-awareness",
    issued_at="2026-11-22T12:00:00Z",
    expires_at="2027-02-20T12:00:00Z",
    signer="u1",
    key_id=cs.key_id(PUB),
)


def test_rfc8032_test_vector_1_signs_as_published() -> None:
    """The library signs RFC 8032 section 7.1 test 1 (empty message) to the published signature."""
    sk = Ed25519PrivateKey.from_private_bytes(
        bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    )
    assert cs.public_key_raw(sk).hex() == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    assert sk.sign(b"").hex() == (
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
        "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    )


def test_signed_statement_verifies_and_names_its_facts() -> None:
    """A grant verifies with the signer's key and yields the decision's facts."""
    sig = cs.sign_statement(ST, KEY)
    got = cs.verify_statement(ST.to_bytes(), sig, PUB)
    assert got == ST
    facts = got.facts(revoked=False)
    assert (facts.product_id, facts.originator, facts.recipient, facts.purpose) == (
        "p1",
        "SVN",
        "LUX",
        "space-domain-awareness",
    )
    assert facts.expires_at.isoformat() == "2027-02-20T12:00:00+00:00"


def test_canonical_bytes_are_stable() -> None:
    """Sorted keys, no whitespace."""
    assert cs.canonical_json({"b": 1, "a": [1, "x"]}) == b'{"a":[1,"x"],"b":1}'


def test_tampered_statements_and_signatures_fail() -> None:
    """Changing any field, the signature or the key defeats verification (never raises)."""
    sig = cs.sign_statement(ST, KEY)
    for field in ("product_id", "recipient", "purpose", "expires_at", "originator"):
        forged = replace(ST, **{field: "X"})
        assert cs.verify_statement(forged.to_bytes(), sig, PUB) is None
    raw = bytearray(cs.unb64u(sig))
    raw[0] ^= 1
    assert cs.verify_statement(ST.to_bytes(), cs.b64u(bytes(raw)), PUB) is None
    assert cs.verify_statement(ST.to_bytes(), sig, cs.public_key_raw(cs.new_signing_key())) is None
    assert cs.verify_statement(ST.to_bytes(), "not base64 !!", PUB) is None
    assert cs.verify_statement(ST.to_bytes(), sig[:-4], PUB) is None
    other = cs.sign_statement(ST, KEY)
    assert cs.verify_statement(b'{"type":"other"}', other, PUB) is None


def test_private_key_round_trip_needs_the_secret() -> None:
    """Encrypted PEM loads with the right secret only."""
    pem = cs.private_key_pem(KEY, b"secret")
    assert cs.public_key_raw(cs.load_private_key(pem, b"secret")) == PUB
    try:
        cs.load_private_key(pem, b"wrong")
    except ValueError:
        pass
    else:
        raise AssertionError("wrong secret accepted")
