"""Access tokens: minting, and the rules a query's credentials must pass. Pure; the clock is a number."""

from __future__ import annotations

import hashlib
import secrets
import string
from dataclasses import dataclass

from ..http.envelope import SessionExpired

TOKEN_ALPHABET = string.ascii_uppercase + string.digits
TOKEN_LENGTH = 32  # like the page's PHCW3OVMXQZX5FJUR6ZK4FAA2MK2CWWA; 32 of 36 symbols is 165 bits
DAILY = "daily"
KNOWN_SCOPES = (DAILY,)


@dataclass(frozen=True)
class TokenRecord:
    digest: str
    """SHA-256 of the token: the store never keeps the token itself."""
    client_id: str
    user_id: str
    scopes: tuple[str, ...]
    issued_at: float
    expires_at: float
    hint: str
    """The token's first four characters, for logs and the journal."""


def new_token() -> str:
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))


def token_digest(token: str) -> str:
    # Looking tokens up by digest keeps comparison time independent of how much of a guess matches.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def mask(token: str) -> str:
    return f"{token[:4]}…" if token else ""


def parse_scopes(text: str | None) -> tuple[str, ...]:
    """Scopes from `a+b`, `a b` or `a,b`, in order, without duplicates."""
    if text is None:
        return (DAILY,)
    parts = [p for chunk in text.replace("+", " ").replace(",", " ").split() for p in [chunk.strip()] if p]
    return tuple(dict.fromkeys(parts))


def mint(client_id: str, user_id: str, scopes: tuple[str, ...], now: float, lifetime: int) -> tuple[str, TokenRecord]:
    token = new_token()
    record = TokenRecord(
        digest=token_digest(token),
        client_id=client_id,
        user_id=user_id,
        scopes=scopes,
        issued_at=now,
        expires_at=now + lifetime,
        hint=mask(token),
    )
    return token, record


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def check_access(record: TokenRecord | None, client_id: str | None, now: float, scope: str = DAILY) -> TokenRecord:
    """The token's record if it may read `scope` for `client_id` now; else SessionExpired."""
    if record is None:
        raise SessionExpired(reason="unknown, revoked or missing access token")
    if not client_id:
        raise SessionExpired(reason="missing Cudis-Client-Id header")
    if not secrets.compare_digest(record.client_id.encode(), client_id.encode("utf-8", "surrogatepass")):
        raise SessionExpired(reason=f"token was issued to another client than {client_id[:64]!r}")
    if now >= record.expires_at:
        raise SessionExpired(reason=f"token expired {now - record.expires_at:.0f} s ago")
    if scope not in record.scopes:
        raise SessionExpired(reason=f"token lacks the {scope!r} scope")
    return record
