"""The OA token pair in the database, refreshed by exactly one worker at a time.

Zalo's refresh token is single-use: exchanging it kills it and returns a new pair. If two
workers exchanged the same token, one would store a pair made of a dead refresh token and
the OA would be cut off until someone loads a new one by hand. So a worker first takes a
lease on the token row by compare-and-swap on `version` (an UPDATE ... WHERE version = seen,
which works alike on SQLite and PostgreSQL, across processes), exchanges the token, and
commits the new pair before using it; everyone else waits for the new version.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

import anyio
from sqlalchemy import select, update

from app.store.database import Database
from app.store.tables import utcnow
from app.zalo.client import RefreshError, ZaloApi
from app.zalo.leases import changed, free
from app.zalo.models import ZaloToken

log = logging.getLogger("thatgia.zalo")

# Refresh a little before Zalo's expiry, so no send races the clock.
EXPIRY_MARGIN = dt.timedelta(minutes=5)
WAIT_STEP_SECONDS = 0.05


class TokenUnavailable(Exception):
    """No usable access token: none loaded yet, or Zalo refused the refresh."""


@dataclass(frozen=True, slots=True)
class Access:
    token: str
    version: int
    expires_at: dt.datetime | None = None

    @property
    def fresh(self) -> bool:
        return self.expires_at is not None and self.expires_at > utcnow()


class TokenStore:
    def __init__(
        self,
        database: Callable[[], Database | None],
        api: ZaloApi,
        *,
        app_id: str,
        app_secret: str,
        lease: float,
    ) -> None:
        self._database = database
        self.api = api
        self.app_id = app_id
        self.app_secret = app_secret
        self.lease = dt.timedelta(seconds=lease)
        # This process's copy of the access token, so a send needs no database read; if
        # another process refreshed meanwhile, Zalo refuses it and refresh() finds theirs.
        self._cached: Access | None = None

    @property
    def database(self) -> Database:
        database = self._database()
        if database is None:
            raise TokenUnavailable("the database is not open")
        return database

    async def _row(self) -> ZaloToken | None:
        async with self.database.session() as session:
            return await session.get(ZaloToken, self.app_id)

    async def access(self) -> Access:
        """A valid access token, refreshing first when there is none or it has expired."""
        if self._cached is not None and self._cached.fresh:
            return self._cached
        row = await self._row()
        if row is None:
            raise TokenUnavailable("no refresh token loaded: run `thatgia zalo set-token`")
        stored = Access(row.access_token or "", row.version, row.access_expires_at)
        if stored.token and stored.fresh:
            self._cached = stored
            return stored
        return await self.refresh(row.version)

    async def refresh(self, seen_version: int) -> Access:
        """A token newer than `seen_version`: refreshed here, or by whoever holds the lease."""
        deadline = anyio.current_time() + 2 * self.lease.total_seconds()
        while anyio.current_time() < deadline:
            row = await self._row()
            if row is None:
                raise TokenUnavailable("no refresh token loaded: run `thatgia zalo set-token`")
            busy = row.refreshing_until is not None and row.refreshing_until > utcnow()
            if row.version != seen_version and not busy and row.access_token:
                # Someone else refreshed.
                self._cached = Access(row.access_token, row.version, row.access_expires_at)
                return self._cached
            if not busy and await self._take_lease(row.version):
                self._cached = await self._exchange(row.refresh_token, row.version + 1)
                return self._cached
            await anyio.sleep(WAIT_STEP_SECONDS)
        raise TokenUnavailable("another worker's token refresh did not finish in time")

    async def _take_lease(self, version: int) -> bool:
        now = utcnow()
        async with self.database.write_session() as session:
            result = await session.execute(
                update(ZaloToken)
                .where(ZaloToken.app_id == self.app_id, ZaloToken.version == version)
                .where(free(ZaloToken.refreshing_until, now))
                .values(refreshing_until=now + self.lease, version=version + 1, updated_at=now)
            )
            await session.commit()
        return changed(result) == 1

    async def _exchange(self, refresh_token: str, leased_version: int) -> Access:
        try:
            grant = await self.api.refresh(self.app_id, self.app_secret, refresh_token)
        except RefreshError as exc:
            log.error("Zalo token refresh failed: %s", exc)
            await self._release(leased_version, str(exc))
            raise TokenUnavailable(f"token refresh failed: {exc}") from exc
        now = utcnow()
        # Stored whatever the version now is: this pair is the only live one, since the
        # refresh token it replaces died in the exchange.
        async with self.database.write_session() as session:
            row = await session.get(ZaloToken, self.app_id, with_for_update=True)
            assert row is not None  # the row is never deleted
            if row.version != leased_version:
                log.error("Zalo token lease expired during a refresh; keeping the new pair")
            row.access_token = grant.access_token
            row.refresh_token = grant.refresh_token
            expires_at = now + dt.timedelta(seconds=grant.expires_in) - EXPIRY_MARGIN
            row.access_expires_at = expires_at
            row.version = max(row.version, leased_version) + 1
            row.refreshing_until = None
            row.last_error = None
            row.updated_at = now
            version = row.version
            await session.commit()
        log.info("Zalo access token refreshed (version %d)", version)
        return Access(grant.access_token, version, expires_at)

    async def _release(self, leased_version: int, error: str) -> None:
        async with self.database.write_session() as session:
            await session.execute(
                update(ZaloToken)
                .where(ZaloToken.app_id == self.app_id, ZaloToken.version == leased_version)
                .values(refreshing_until=None, last_error=error[:1000], updated_at=utcnow())
            )
            await session.commit()


async def load_refresh_token(database: Database, app_id: str, refresh_token: str) -> int:
    """Store a refresh token from the OA's authorisation (set-token); returns the version."""
    now = utcnow()
    async with database.write_session() as session:
        row = await session.get(ZaloToken, app_id, with_for_update=True)
        if row is None:
            row = ZaloToken(app_id=app_id, refresh_token=refresh_token, version=1, updated_at=now)
            session.add(row)
        else:
            row.refresh_token = refresh_token
            row.version += 1
        row.access_token = None
        row.access_expires_at = None
        row.refreshing_until = None
        row.last_error = None
        row.updated_at = now
        await session.flush()
        version = row.version
        await session.commit()
    return version


async def token_row(database: Database, app_id: str) -> ZaloToken | None:
    async with database.session() as session:
        result = await session.execute(select(ZaloToken).where(ZaloToken.app_id == app_id))
        return result.scalar_one_or_none()
