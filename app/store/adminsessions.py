"""Admin console sessions: a random cookie, only its SHA-256 kept, ended by inactivity.

Kept in the database so that every worker and replica knows a session, and a sign-out
ends it everywhere. Each request checks the key behind the session again: revoking the
key, or taking its admin scope away, ends its sessions at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.store.keys import ActiveKey, authenticate
from app.store.lookup import CoreLookup
from app.store.tables import AdminSession, ApiKey, utcnow

ADMIN_SCOPE = "admin"


def _digest(cookie: str) -> str:
    return hashlib.sha256(cookie.encode()).hexdigest()


async def sign_in(session: AsyncSession, token: str) -> tuple[ActiveKey, str] | None:
    """A new session for a valid admin API key: the key and the cookie value; else None."""
    key = await session.run_sync(lambda sync: authenticate(CoreLookup(sync.connection()), token))
    if key is None or ADMIN_SCOPE not in key.scopes:
        return None
    cookie = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        AdminSession(id_sha256=_digest(cookie), key_id=key.key_id, created_at=now, last_seen_at=now)
    )
    await session.commit()
    return key, cookie


async def signed_in(session: AsyncSession, cookie: str | None, idle: dt.timedelta) -> ApiKey | None:
    """The admin key behind a session cookie, the session's clock reset; None when there
    is no such session, it has been idle too long, or its key is no longer an admin's."""
    if not cookie or len(cookie) > 100:
        return None
    found = await session.get(AdminSession, _digest(cookie))
    now = utcnow()
    if found is None:
        return None
    if found.last_seen_at + idle < now:
        await session.delete(found)
        await session.commit()
        return None
    key = await session.scalar(
        select(ApiKey).where(ApiKey.key_id == found.key_id, ApiKey.revoked_at.is_(None))
    )
    if key is None or ADMIN_SCOPE not in key.scopes:
        return None
    found.last_seen_at = now
    await session.commit()
    return key


async def sign_out(session: AsyncSession, cookie: str | None) -> None:
    if cookie and len(cookie) <= 100:
        await session.execute(delete(AdminSession).where(AdminSession.id_sha256 == _digest(cookie)))
        await session.commit()
