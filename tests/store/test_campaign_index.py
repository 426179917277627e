"""The in-memory index of campaigns (app.store.campaignindex): it finds what the database
finds, sees its own process's decisions at once and another's after a refresh, keeps its
campaigns through an outage, and bounds its work per check. Every test on SQLite and on
PostgreSQL (tests/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from functools import partial
from typing import Any

import anyio
import httpx
import pytest
from sqlalchemy import Connection, create_engine, delete, insert, update

from app import fingerprint as fp
from app.config import Settings
from app.engine.validators.fold import fold_plain
from app.main import create_app
from app.store import campaignindex
from app.store.campaignindex import CampaignIndex
from app.store.campaigns import MAX_CANDIDATES, reported_text
from app.store.database import Database, OutageLog
from app.store.tables import Campaign, CampaignBand, CampaignChange, CampaignRevision, utcnow
from app.store.urls import sync_url
from tests.api.test_check_persistence import Breakable, breakable  # noqa: F401
from tests.api.test_moderation import CAMPAIGN, VARIANT
from tests.api.test_reports import check_id, reported
from tests.campaign_variants import corpus, variants
from tests.conftest import KeyMaker, bearer

# A replica's interval in the tests that wait for one: short, so that they stay quick.
SHORT = 0.05


def signature(text: str) -> fp.Signature:
    made = fp.fingerprint(fold_plain(text))
    assert made is not None
    return made


@pytest.fixture
async def admin(make_key: KeyMaker) -> dict[str, str]:
    return bearer(await make_key("admin", name="ops"))


@asynccontextmanager
async def replica(settings: Settings, **changes: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A client of one more application over the same database: another replica."""
    app = create_app(settings.model_copy(update=changes))
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=transport, base_url="http://thatgia.test") as c:
            yield c


@asynccontextmanager
async def loaded(settings: Settings, **options: Any) -> AsyncIterator[CampaignIndex]:
    """An index of its own, loaded: another process, refreshed when the test says."""
    index = CampaignIndex(settings, **options)
    await index.refresh()
    try:
        yield index
    finally:
        index.dispose()


async def reported_report(client: httpx.AsyncClient, message: str) -> int:
    made = await client.post("/v1/reports", json={"check_id": await check_id(client, message)})
    assert made.status_code == 201
    return int(made.json()["id"])


async def decide(
    client: httpx.AsyncClient, admin: dict[str, str], report_id: int, decision: str
) -> None:
    decided = await client.post(f"/v1/reports/{report_id}/{decision}", headers=admin)
    assert decided.status_code == 200


async def caught(client: httpx.AsyncClient, message: str = VARIANT) -> bool:
    checked = await client.post("/v1/check", json={"message": message})
    return "reported.text" in reported(checked)


async def eventually(client: httpx.AsyncClient, wanted: bool, seconds: float = 5.0) -> None:
    """Check the variant until its answer is `wanted`: a hundred intervals at most."""
    started = anyio.current_time()
    while await caught(client) != wanted:
        assert anyio.current_time() - started < seconds, f"still not {wanted}"
        await anyio.sleep(SHORT / 2)


# The index against the database, on campaigns written directly: many at once, as no test
# could confirm them one by one.


@contextmanager
def direct(settings: Settings) -> Iterator[Connection]:
    engine = create_engine(sync_url(settings.database_url))
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        engine.dispose()


def write_campaigns(
    settings: Settings,
    texts: Iterable[tuple[int, str]],
    revision: int,
    reports: int | None = None,
) -> None:
    """Campaigns of the texts under the given ids, noted as changed at `revision`, as
    app.store.campaigns would write them; of `reports` reports each (else one to three)."""
    now = utcnow()
    with direct(settings) as conn:
        for campaign_id, text in texts:
            made = signature(text)
            conn.execute(
                insert(Campaign).values(
                    id=campaign_id,
                    fingerprint=fp.to_bytes(made),
                    report_count=reports or campaign_id % 3 + 1,
                    first_reported_at=now,
                    last_reported_at=now,
                )
            )
            keys = sorted(set(fp.band_keys(made)))
            conn.execute(
                insert(CampaignBand), [{"band": k, "campaign_id": campaign_id} for k in keys]
            )
            conn.execute(insert(CampaignChange).values(campaign_id=campaign_id, revision=revision))
        set_revision(conn, revision)


def remove_campaigns(settings: Settings, ids: Iterable[int], revision: int) -> None:
    with direct(settings) as conn:
        for campaign_id in ids:
            conn.execute(delete(Campaign).where(Campaign.id == campaign_id))
            conn.execute(
                update(CampaignChange)
                .where(CampaignChange.campaign_id == campaign_id)
                .values(revision=revision)
            )
        set_revision(conn, revision)


def set_revision(conn: Connection, revision: int) -> None:
    conn.execute(delete(CampaignRevision))
    conn.execute(insert(CampaignRevision).values(id=1, revision=revision))


def usable_scams(count: int) -> list[str]:
    usable = (s.text for s in corpus("scam") if fp.fingerprint(fold_plain(s.text)) is not None)
    return [text for _, text in zip(range(count), usable, strict=False)]


async def test_the_index_finds_what_the_database_finds(settings: Settings) -> None:
    """Loaded whole, then changed (campaigns added and gone): each probe gets the same
    answer from the index as from the database's look-up, the plain form."""
    scams = usable_scams(240)
    write_campaigns(settings, enumerate(scams[:160], start=1), revision=1)
    probes = [
        next(v.text for v in variants(scam) if v.change == "all_at_once")
        for scam in corpus("scam")[:240]
    ]
    probes += [g.text for g in corpus("genuine")[:120]]
    signatures = [s for s in (fp.fingerprint(fold_plain(p)) for p in probes) if s is not None]
    database = Database(settings)
    try:
        async with loaded(settings) as index:
            write_campaigns(settings, enumerate(scams[160:], start=161), revision=2)
            remove_campaigns(settings, range(1, 41), revision=3)
            await index.refresh()
            assert index.revision == 3
            answers = [index.reported_text(s) for s in signatures]
        expected = [await database.read(partial(reported_text, signature=s)) for s in signatures]
    finally:
        await database.dispose()
    assert answers == expected
    found = sum(a is not None for a in answers)
    assert 100 < found < len(signatures) - 100  # both sides: matched and not


async def test_a_text_many_campaigns_resemble_is_compared_with_at_most_the_bound(
    settings: Settings,
) -> None:
    """Campaigns of one report each: the count says how many were compared."""
    write_campaigns(settings, [(i, CAMPAIGN) for i in range(1, 11)], revision=1, reports=1)
    async with loaded(settings) as index:
        few = index.reported_text(signature(VARIANT))
        assert few is not None and few.count == 10
        write_campaigns(settings, [(i, CAMPAIGN) for i in range(11, 201)], revision=2, reports=1)
        await index.refresh()
        changed = index.reported_text(signature(VARIANT))
        assert changed is not None and changed.count == MAX_CANDIDATES
    async with loaded(settings) as whole:
        at_once = whole.reported_text(signature(VARIANT))
        assert at_once is not None and at_once.count == MAX_CANDIDATES


async def test_a_database_whose_revision_went_back_is_loaded_whole(settings: Settings) -> None:
    write_campaigns(settings, [(1, CAMPAIGN)], revision=5)
    async with loaded(settings) as index:
        with direct(settings) as conn:  # the campaign gone, the revision unchanged
            conn.execute(delete(Campaign))
        await index.refresh()
        assert index.reported_text(signature(VARIANT)) is not None  # the revision says so
        with direct(settings) as conn:  # a copy from before the campaign
            set_revision(conn, 0)
        await index.refresh()
        assert index.reported_text(signature(VARIANT)) is None
        assert index.revision == 0


# Decisions through the service, seen by another process's index.


async def test_another_process_sees_a_decision_after_its_refresh_and_not_before(
    client: httpx.AsyncClient, admin: dict[str, str], settings: Settings
) -> None:
    report_id = await reported_report(client, CAMPAIGN)
    async with loaded(settings) as other:
        assert other.reported_text(signature(VARIANT)) is None
        await decide(client, admin, report_id, "confirm")
        assert await caught(client)  # the deciding process: at once
        assert other.reported_text(signature(VARIANT)) is None  # the other: at its refresh
        await other.refresh()
        found = other.reported_text(signature(VARIANT))
        assert found is not None and found.count == 1
        await decide(client, admin, report_id, "reject")
        assert not await caught(client)
        assert other.reported_text(signature(VARIANT)) is not None
        await other.refresh()
        assert other.reported_text(signature(VARIANT)) is None


async def test_changes_past_the_reload_bound_load_everything_again(
    client: httpx.AsyncClient, admin: dict[str, str], settings: Settings
) -> None:
    first, second = usable_scams(2)
    async with loaded(settings, reload_after=1) as other:
        ids = [await reported_report(client, text) for text in (first, second)]
        for report_id in ids:
            await decide(client, admin, report_id, "confirm")
        await other.refresh()
        assert other.reported_text(signature(first)) is not None
        assert other.reported_text(signature(second)) is not None
        await decide(client, admin, ids[0], "reject")
        await other.refresh()
        assert other.reported_text(signature(first)) is None
        assert other.reported_text(signature(second)) is not None


async def test_two_replicas_agree_within_the_refresh_interval(
    settings: Settings, admin: dict[str, str]
) -> None:
    async with (
        replica(settings, campaign_refresh_seconds=SHORT) as one,
        replica(settings, campaign_refresh_seconds=SHORT) as two,
        replica(settings, campaign_refresh_seconds=300) as slow,
    ):
        report_id = await reported_report(one, CAMPAIGN)
        assert not await caught(one) and not await caught(two)
        await decide(one, admin, report_id, "confirm")
        assert await caught(one)
        await eventually(two, True)
        assert not await caught(slow)  # a replica that has not refreshed yet: the bound is real
        await decide(two, admin, report_id, "reject")
        assert not await caught(two)
        await eventually(one, False)


# Outages: the index keeps what it holds, and catches up when the database returns.


@pytest.fixture
def outage_log(monkeypatch: pytest.MonkeyPatch) -> OutageLog:
    """A log of its own: the process's one may have just reported an outage of another test."""
    log = OutageLog()
    monkeypatch.setattr(campaignindex, "outages", log)
    return log


async def test_checks_keep_the_campaigns_through_an_outage_and_catch_up_after(
    breakable: Breakable,  # noqa: F811
    admin: dict[str, str],
    outage_log: OutageLog,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with replica(breakable.settings, campaign_refresh_seconds=SHORT) as one:
        report_id = await reported_report(one, CAMPAIGN)
        await decide(one, admin, report_id, "confirm")
        await breakable.cut()
        await anyio.sleep(SHORT * 6)  # refreshes fail meanwhile
        assert "checks go on with the campaigns of revision" in caplog.text
        assert await caught(one)
        await breakable.restore()
        async with replica(breakable.settings) as two:
            await decide(two, admin, report_id, "reject")
        await eventually(one, False)


async def test_a_process_started_during_an_outage_loads_when_the_database_returns(
    breakable: Breakable,  # noqa: F811
    admin: dict[str, str],
    outage_log: OutageLog,
) -> None:
    async with replica(breakable.settings) as first:
        await decide(first, admin, await reported_report(first, CAMPAIGN), "confirm")
    await breakable.cut()
    async with replica(breakable.settings, campaign_refresh_seconds=SHORT) as late:
        assert not await caught(late)
        await breakable.restore()
        await eventually(late, True)
