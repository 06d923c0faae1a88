"""Authentication: API bearer tokens (stored hashed) and, optionally, OIDC / JWT access tokens."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from fastapi import Request
from fastapi.security import HTTPBearer

from orbitshare.service import Hub, Principal, Unauthorized
from orbitshare.settings import Settings
from orbitshare.sharing.consent import unb64u

__all__ = ["INVALID_CREDENTIAL", "JwtSettings", "authenticate", "bearer", "jwt_settings", "verify_jwt"]

INVALID_CREDENTIAL = "invalid or expired token"  # one answer for unknown, expired, revoked, disabled, bad JWT
bearer = HTTPBearer(auto_error=False, description="An API token (osh_...) or, when enabled, an OIDC JWT")


@dataclass(frozen=True)
class JwtSettings:
    """Accept JWTs signed by this key, for this issuer and audience; `sub` names a bound user."""

    public_key_pem: bytes
    issuer: str
    audience: str
    leeway_s: int = 30


def jwt_settings(settings: Settings) -> JwtSettings | None:
    """OIDC from the settings' public key (PEM file), issuer and audience; None when no key is set."""
    if settings.oidc_public_key is None:
        return None
    if not settings.oidc_issuer or not settings.oidc_audience:
        raise ValueError("ORBITSHARE_OIDC_ISSUER and ORBITSHARE_OIDC_AUDIENCE must be set with the public key")
    return JwtSettings(settings.oidc_public_key.read_bytes(), settings.oidc_issuer, settings.oidc_audience)


def verify_jwt(token: str, cfg: JwtSettings, now: float | None = None) -> dict[str, Any]:
    """Verify a compact JWS (EdDSA, ES256 or RS256) and its registered claims; raises ValueError."""
    try:
        h64, p64, s64 = token.split(".")
        header, claims = json.loads(unb64u(h64)), json.loads(unb64u(p64))
        sig = unb64u(s64)
    except (ValueError, UnicodeDecodeError) as e:
        raise ValueError("malformed JWT") from e
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise ValueError("malformed JWT")
    _verify_jws(header.get("alg"), f"{h64}.{p64}".encode(), sig, cfg.public_key_pem)
    _check_claims(claims, cfg, time.time() if now is None else now)
    return claims


def _verify_jws(alg: Any, signing_input: bytes, sig: bytes, pem: bytes) -> None:
    """Check the signature with the configured key; the key type must match `alg`."""
    key = serialization.load_pem_public_key(pem)
    try:
        if alg == "EdDSA" and isinstance(key, Ed25519PublicKey):
            key.verify(sig, signing_input)
        elif alg == "ES256" and isinstance(key, ec.EllipticCurvePublicKey) and len(sig) == 64:
            der = encode_dss_signature(int.from_bytes(sig[:32]), int.from_bytes(sig[32:]))
            key.verify(der, signing_input, ec.ECDSA(hashes.SHA256()))
        elif alg == "RS256" and isinstance(key, rsa.RSAPublicKey):
            key.verify(sig, signing_input, padding.PKCS1v15(), hashes.SHA256())
        else:
            raise ValueError(f"JWT algorithm {alg!r} not accepted for the configured key")
    except InvalidSignature:
        raise ValueError("JWT signature invalid") from None


def _check_claims(claims: dict[str, Any], cfg: JwtSettings, now: float) -> None:
    """Issuer, audience, expiry and not-before."""
    if claims.get("iss") != cfg.issuer:
        raise ValueError("JWT issuer not accepted")
    aud = claims.get("aud")
    if cfg.audience not in (aud if isinstance(aud, list) else [aud]):
        raise ValueError("JWT audience not accepted")
    exp, nbf = claims.get("exp"), claims.get("nbf", 0)
    if not isinstance(exp, int | float) or now > exp + cfg.leeway_s:
        raise ValueError("JWT expired or without exp")
    if not isinstance(nbf, int | float) or now + cfg.leeway_s < nbf:
        raise ValueError("JWT not yet valid")
    if not isinstance(claims.get("sub"), str):
        raise ValueError("JWT without sub")


def authenticate(request: Request, hub: Hub, jwt: JwtSettings | None) -> Principal:
    """The principal of the request's bearer credential; refusals are audited and raise Unauthorized."""
    header = request.headers.get("authorization", "")
    scheme, _, cred = header.partition(" ")
    cred = cred.strip()
    if scheme.lower() != "bearer" or not cred:
        _refuse(request, "no bearer credential")
    if cred.startswith("osh_"):
        principal, reason = hub.parties.authenticate(cred)
    elif jwt is not None and cred.count(".") == 2:
        principal, reason = _jwt_principal(cred, hub, jwt)
    else:
        principal, reason = None, "unknown credential"
    if principal is None:
        _refuse(request, reason)
    return principal


def _jwt_principal(cred: str, hub: Hub, jwt: JwtSettings) -> tuple[Principal | None, str]:
    """Map a verified JWT's subject to a user."""
    try:
        claims = verify_jwt(cred, jwt)
    except ValueError as e:
        return None, str(e)
    principal = hub.parties.principal_for_subject(claims["sub"])
    return principal, "ok" if principal else "JWT subject not bound to a user"


def _refuse(request: Request, reason: str) -> None:
    """Count an authentication refusal (summarised in the audit log per interval, cause kept) and raise 401.

    The caller learns only that a credential is missing or not accepted; why (unknown, expired, revoked,
    disabled, which JWT check) is in the log's refusal summary.
    """
    client = request.client.host if request.client else None
    keeper = request.app.state.audit_keeper
    keeper.write_summary(keeper.refusals.add(client, reason, request.method, request.url.path))
    if reason == "no bearer credential":
        raise Unauthorized("authentication required: no bearer credential")
    raise Unauthorized(INVALID_CREDENTIAL)
