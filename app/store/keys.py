"""API keys: `thg_<key id>_<secret>`; only the SHA-256 of the token is stored."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.store.errors import Conflict, NotFound
from app.store.lookup import VALUES, Lookup
from app.store.tables import ApiKey, utcnow

PREFIX = "thg"
# Compared against when the key id is unknown, so a miss costs the same as a wrong secret.
_NO_SUCH_KEY = hashlib.sha256(b"no such key").hexdigest()


def digest(token: str) -> str:
    # The secret has 256 bits of entropy: a plain SHA-256 cannot be brute-forced, and unlike
    # a password hash it costs nothing per request.
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh (key id, token) pair."""
    key_id = secrets.token_hex(6)
    return key_id, f"{PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"


def key_id_of(token: str) -> str | None:
    prefix, _, rest = token.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != PREFIX or len(key_id) != 12 or not secret:
        return None
    return key_id


async def create_key(session: AsyncSession, name: str, scopes: Sequence[str]) -> tuple[ApiKey, str]:
    """Store a new key; the token is returned once and never stored."""
    key_id, token = new_token()
    key = ApiKey(key_id=key_id, name=name, scopes=sorted(set(scopes)), secret_sha256=digest(token))
    session.add(key)
    await session.commit()
    return key, token


@dataclass(frozen=True, slots=True)
class ActiveKey:
    key_id: str
    name: str
    scopes: frozenset[str]


# Built once, and run as a look-up (app.store.lookup): every request with a key makes it,
# and through a session it cost a third of a mail check (README, Performance).
KEY_BY_ID = select(
    ApiKey.key_id, ApiKey.name, ApiKey.scopes, ApiKey.secret_sha256, ApiKey.revoked_at
).where(ApiKey.key_id.in_(bindparam(VALUES, expanding=True)))


def authenticate(lookup: Lookup, token: str) -> ActiveKey | None:
    """The active key a token belongs to, or None (run by Database.read)."""
    key_id = key_id_of(token)
    rows = lookup(KEY_BY_ID, [key_id]) if key_id is not None else []
    found = rows[0] if rows else None
    expected = found[3] if found is not None else _NO_SUCH_KEY
    matches = hmac.compare_digest(digest(token), expected)
    if found is None or not matches or found[4] is not None:
        return None
    # On SQLite the look-up gives the JSON column as the driver stores it, a string.
    scopes = json.loads(found[2]) if isinstance(found[2], str) else found[2]
    return ActiveKey(found[0], found[1], frozenset(scopes))


async def list_keys(session: AsyncSession) -> list[ApiKey]:
    return list(await session.scalars(select(ApiKey).order_by(ApiKey.created_at, ApiKey.id)))


async def revoke_key(session: AsyncSession, ident: str) -> ApiKey:
    """Revoke by key id, or by name when exactly one active key has it."""
    key = await session.scalar(select(ApiKey).where(ApiKey.key_id == ident))
    if key is None:
        named = list(
            await session.scalars(
                select(ApiKey).where(ApiKey.name == ident, ApiKey.revoked_at.is_(None))
            )
        )
        if len(named) > 1:
            raise Conflict(f"{len(named)} active keys are named {ident!r}; give the key id.")
        key = named[0] if named else None
    if key is None:
        raise NotFound(f"No key with id or name {ident!r}.")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        await session.commit()
    return key
