"""The campaigns held in memory by each process: a check looks its text up there, with no
round trip to the database.

The database stays the source of truth (app.store.campaigns writes it). Each process loads
every campaign from it, then keeps up:

- each change of a campaign is noted in the transaction that makes it, under a new campaign
  revision (campaign_changes; decisions commit their revisions in order, see
  app.store.moderation);
- each process asks for the revision every `campaign_refresh_seconds` and, when it moved,
  reads again the campaigns changed since the revision it holds;
- the process that made a decision refreshes before it answers.

So a decision reaches every check of its own process at once, and the other processes'
within one interval and one refresh (README, "Campaigns"). When the database cannot be
reached, checks go on with what was loaded last, and the outage is logged.

A campaign's band keys are not read from campaign_bands: they are its fingerprint's keys,
computed again here as join_campaign computed them (for 100,000 campaigns, 0.06 s; fetching
their 3.2 million rows from SQLite took 2.2 s). The index reads on an engine of its own, in a
worker thread: a whole load must not hold up the checks on the event loop, nor their pool
its connections. Each refresh builds a new state and swaps it in with one assignment, so a
check sees one state throughout. The state is what was loaded whole, and the campaigns
changed since, searched alike; past RELOAD_AFTER changed campaigns the next refresh loads
everything again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import anyio
import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, Engine, NullPool, Row, bindparam, create_engine, select

from app import fingerprint as fp
from app.config import Settings
from app.engine.claim import ReportedText
from app.store.bandtable import BandTable
from app.store.campaigns import MAX_CANDIDATES
from app.store.database import is_unavailable, outages
from app.store.tables import Campaign, CampaignChange, CampaignRevision
from app.store.urls import sync_service_url

log = logging.getLogger("thatgia.campaigns")

# Past this many campaigns changed since the last whole load, the next refresh loads all
# again: the changed ones are searched as a small second set, rebuilt at every refresh.
RELOAD_AFTER = 1000

_REVISION = select(CampaignRevision.revision).where(CampaignRevision.id == 1)
_CHANGED_SINCE = select(CampaignChange.campaign_id).where(
    CampaignChange.revision > bindparam("since")
)
_CAMPAIGNS = select(
    Campaign.id, Campaign.fingerprint, Campaign.report_count, Campaign.first_reported_at
)


@dataclass(frozen=True, slots=True)
class HeldCampaign:
    """A campaign as checks see it."""

    id: int
    fingerprint: fp.Signature
    report_count: int
    first_reported_at: dt.datetime


@dataclass(frozen=True)
class CampaignArrays:
    """Campaigns laid out for search: a row each, found by their band keys."""

    ids: npt.NDArray[np.int64]
    fingerprints: npt.NDArray[np.uint32]  # PERMUTATIONS columns
    report_counts: npt.NDArray[np.int64]
    first_reported: npt.NDArray[np.datetime64]  # UTC, to the microsecond
    bands: BandTable

    @classmethod
    def of(cls, campaigns: Sequence[HeldCampaign]) -> CampaignArrays:
        prints = np.array([c.fingerprint for c in campaigns], dtype=np.uint32)
        return cls.build(
            [c.id for c in campaigns],
            prints.reshape(-1, fp.PERMUTATIONS),
            [c.report_count for c in campaigns],
            [c.first_reported_at for c in campaigns],
        )

    @classmethod
    def build(
        cls,
        ids: list[int],
        fingerprints: npt.NDArray[np.uint32],
        report_counts: list[int],
        first_reported: list[dt.datetime],
    ) -> CampaignArrays:
        return cls(
            ids=np.array(ids, dtype=np.int64),
            fingerprints=fingerprints,
            report_counts=np.array(report_counts, dtype=np.int64),
            first_reported=np.array(
                [moment.astimezone(dt.UTC).replace(tzinfo=None) for moment in first_reported],
                dtype="datetime64[us]",
            ),
            bands=BandTable.of(fingerprints),
        )

    def alike(self, rows: npt.NDArray[np.intp], signature: fp.Signature) -> ReportedText | None:
        """The reports of those of the rows the signature resembles, and since when."""
        if not len(rows):
            return None
        close = rows[fp.shares(self.fingerprints[rows], signature) >= fp.SAME_CAMPAIGN]
        if not len(close):
            return None
        first: dt.datetime = self.first_reported[close].min().astype("datetime64[us]").item()
        count = int(self.report_counts[close].sum())
        return ReportedText(count=count, since=first.replace(tzinfo=dt.UTC))

    @property
    def nbytes(self) -> int:
        arrays = (self.ids, self.fingerprints, self.report_counts, self.first_reported)
        return sum(a.nbytes for a in arrays) + self.bands.nbytes


NO_CAMPAIGNS = CampaignArrays.of([])


@dataclass(frozen=True, slots=True)
class _State:
    revision: int | None  # None: never loaded
    loaded: CampaignArrays  # at the last whole load
    changed: Mapping[int, HeldCampaign | None]  # since, by id (None: gone, or unusable)
    changed_arrays: CampaignArrays  # those of them still there

    def with_changes(self, revision: int, changes: Mapping[int, HeldCampaign | None]) -> _State:
        changed = {**self.changed, **changes}
        held = [c for c in changed.values() if c is not None]
        return _State(revision, self.loaded, changed, CampaignArrays.of(held))


def _held(row: Row[int, bytes, int, dt.datetime]) -> HeldCampaign | None:
    """A campaign as read; None for a fingerprint made with other settings (never matched)."""
    signature = fp.from_bytes(row[1])
    return None if signature is None else HeldCampaign(row[0], signature, row[2], row[3])


def _read_all(conn: Connection, revision: int) -> _State:
    """Every campaign, the fingerprints gathered in one buffer (not one array each)."""
    ids: list[int] = []
    prints = bytearray()
    counts: list[int] = []
    firsts: list[dt.datetime] = []
    rows = conn.execution_options(yield_per=10_000).execute(_CAMPAIGNS)
    for campaign_id, fingerprint, count, first in rows:
        if len(fingerprint) != fp.PERMUTATIONS * 4:  # made with other settings: never matched
            continue
        ids.append(campaign_id)
        prints += fingerprint
        counts.append(count)
        firsts.append(first)
    matrix = np.frombuffer(prints, dtype="<u4").astype(np.uint32, copy=False)
    loaded = CampaignArrays.build(ids, matrix.reshape(-1, fp.PERMUTATIONS), counts, firsts)
    return _State(revision, loaded, {}, NO_CAMPAIGNS)


def _read_some(conn: Connection, ids: set[int]) -> dict[int, HeldCampaign | None]:
    if not ids:
        return {}
    found = {row[0]: _held(row) for row in conn.execute(_CAMPAIGNS.where(Campaign.id.in_(ids)))}
    return {campaign_id: found.get(campaign_id) for campaign_id in ids}


def _together(found: list[ReportedText]) -> ReportedText | None:
    if not found:
        return None
    return ReportedText(
        count=sum(text.count for text in found), since=min(text.since for text in found)
    )


def _reader_engine(settings: Settings) -> Engine:
    """SQLite: a connection per refresh (a handle kept open would go on reading a file moved
    away); PostgreSQL: one connection, kept (refreshes come one at a time), and tried before
    use (after a restart of the server the first refresh would fail)."""
    url = sync_service_url(settings.database_url)
    timeout = settings.database_timeout
    if url.get_backend_name() == "postgresql":
        connect = {"connect_timeout": max(2, round(timeout))}
        return create_engine(
            url,
            pool_size=1,
            max_overflow=0,
            pool_timeout=timeout,
            pool_pre_ping=True,
            connect_args=connect,
        )
    return create_engine(url, poolclass=NullPool, connect_args={"timeout": timeout})


class CampaignIndex:
    """The campaigns of the database, in memory, kept up with the database's revision."""

    def __init__(self, settings: Settings, *, reload_after: int = RELOAD_AFTER) -> None:
        self.refresh_seconds = settings.campaign_refresh_seconds
        self.reload_after = reload_after
        self._engine = _reader_engine(settings)
        self._state = _State(None, NO_CAMPAIGNS, {}, NO_CAMPAIGNS)
        self._refreshing = anyio.Lock()

    @property
    def revision(self) -> int | None:
        """The database's campaign revision the index is at; None before its first load."""
        return self._state.revision

    @property
    def nbytes(self) -> int:
        """The bytes of its arrays (the changed campaigns' own objects not counted)."""
        state = self._state
        return state.loaded.nbytes + state.changed_arrays.nbytes

    def reported_text(self, signature: fp.Signature) -> ReportedText | None:
        """How many confirmed reports a check's text resembles, and since when: the
        campaigns sharing a band key with it, at most MAX_CANDIDATES, compared whole."""
        state = self._state  # one state throughout, whatever a refresh swaps in meanwhile
        keys = fp.band_key_rows(signature)[0]
        recent = state.changed_arrays.bands.rows_sharing(keys, MAX_CANDIDATES)
        older = state.loaded.bands.rows_sharing(keys, MAX_CANDIDATES - len(recent))
        if state.changed:  # a changed campaign is searched as it is now, not as loaded
            older = older[[i not in state.changed for i in state.loaded.ids[older].tolist()]]
        found = [
            state.changed_arrays.alike(recent, signature),
            state.loaded.alike(older, signature),
        ]
        return _together([text for text in found if text is not None])

    async def refresh(self) -> None:
        """Catch up with the database; when it cannot be reached, keep what is held."""
        async with self._refreshing:
            try:
                self._state = await anyio.to_thread.run_sync(self._caught_up, self._state)
            except Exception as exc:
                if not is_unavailable(exc):
                    raise
                outages.warning(
                    "campaigns",
                    "checks go on with the campaigns of revision %s: %s",
                    self._state.revision,
                    exc,
                )

    def _caught_up(self, state: _State) -> _State:
        """The state the database's revision calls for (in a worker thread)."""
        with self._engine.connect() as conn:
            revision = conn.scalar(_REVISION) or 0
            # Changes are read after the revision: what they say is as new as it, or newer.
            if state.revision is None or revision < state.revision:  # back: a restored copy
                return _read_all(conn, revision)
            if revision == state.revision:
                return state
            ids = set(conn.scalars(_CHANGED_SINCE, {"since": state.revision}))
            if len(ids | state.changed.keys()) > self.reload_after:
                return _read_all(conn, revision)
            return state.with_changes(revision, _read_some(conn, ids))

    async def keep_up(self) -> None:
        """Refresh every `refresh_seconds`, for as long as the application runs."""
        while True:
            await anyio.sleep(self.refresh_seconds)
            try:
                await self.refresh()
            except Exception:  # a bug must not stop the refreshes: the next one tries again
                log.exception("campaign index: refresh failed")

    def dispose(self) -> None:
        self._engine.dispose()
