"""Campaigns: confirmed reports of near-duplicate texts, and how a check's text finds them.

A campaign keeps the fingerprint of its first report and the band keys of it
(app.fingerprint); a confirmed report whose text resembles a campaign's joins it, else it
starts its own. All of it is in the database, the source of truth, so every replica answers
alike; each change of a campaign is noted under a new campaign revision, from which each
process keeps its in-memory index up to date (app.store.campaignindex): a check looks its
text up there, with no round trip to the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, case, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from app import fingerprint as fp
from app.engine.claim import ReportedText
from app.store.lookup import VALUES, Lookup
from app.store.tables import (
    Campaign,
    CampaignBand,
    CampaignChange,
    CampaignRevision,
    Report,
    ReportStatus,
)

# At most this many campaigns are compared whole per check: the band keys of one text
# rarely find more than a handful, and a flood of look-alike campaigns must not slow checks.
MAX_CANDIDATES = 64

# The campaigns sharing a band key with the text, by a join from the few band rows found
# (an IN over a subquery let PostgreSQL scan every campaign: 22 ms against 100,000).
_MATCHED = (
    select(CampaignBand.campaign_id)
    .where(CampaignBand.band.in_(bindparam(VALUES, expanding=True)))
    .distinct()
    .limit(bindparam("max_candidates", MAX_CANDIDATES, literal_execute=True))
    .offset(bindparam("skip", 0, literal_execute=True))
    .subquery()
)
CANDIDATES = select(
    Campaign.id, Campaign.fingerprint, Campaign.report_count, Campaign.first_reported_at
).join(_MATCHED, Campaign.id == _MATCHED.c.campaign_id)


def _moment(value: object) -> dt.datetime:
    """A timestamp as the driver returns it (SQLite: text) as an aware UTC datetime."""
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


@dataclass(frozen=True, slots=True)
class Resembled:
    campaign_id: int
    similarity: float
    report_count: int
    first_reported_at: dt.datetime


def resembled(rows: Sequence[Sequence[object]], signature: fp.Signature) -> list[Resembled]:
    """The candidate rows whose fingerprint the signature resembles, most alike first.

    All candidates are compared at once: one per row took ~4 us each, and a text of a
    common topic can bring dozens (bench/campaigns.py)."""
    usable = [row for row in rows if len(bytes(row[1])) == fp.PERMUTATIONS * 4]  # type: ignore[call-overload]
    if not usable:
        return []
    alike = fp.similarities(b"".join(bytes(row[1]) for row in usable), signature)  # type: ignore[call-overload]
    found = [
        Resembled(int(row[0]), float(share), int(row[2]), _moment(row[3]))  # type: ignore[call-overload]
        for row, share in zip(usable, alike, strict=True)
        if share >= fp.SAME_CAMPAIGN
    ]
    return sorted(found, key=lambda r: -r.similarity)


def reported_text(lookup: Lookup, signature: fp.Signature) -> ReportedText | None:
    """How many confirmed reports a check's text resembles, and since when, asked of the
    database (Database.read): the plain form of app.store.campaignindex, which checks use,
    held to this by tests/store/test_campaign_index.py and measured against it by
    bench/campaigns.py."""
    rows = lookup(CANDIDATES, fp.band_keys(signature))
    found = resembled(rows, signature)
    if not found:
        return None
    return ReportedText(
        count=sum(r.report_count for r in found),
        since=min(r.first_reported_at for r in found),
    )


def _upsert(
    session: AsyncSession, model: type[CampaignRevision] | type[CampaignChange]
) -> postgresql.Insert | sqlite.Insert:
    """The dialect's INSERT into the model's table, which knows ON CONFLICT."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)


async def bump_revision(session: AsyncSession) -> int:
    """The campaign revision, one more, its row locked by this transaction until it ends."""
    values = _upsert(session, CampaignRevision).values(id=1, revision=1)
    bumped = values.on_conflict_do_update(
        index_elements=[CampaignRevision.id],
        set_={"revision": CampaignRevision.revision + 1},
    ).returning(CampaignRevision.revision)
    return int((await session.execute(bumped)).scalar_one())


async def _changed(session: AsyncSession, campaign_id: int) -> None:
    """Note that a campaign changed, under a revision of its own: the indexes of every
    process read it again when they see the revision move."""
    revision = await bump_revision(session)
    values = _upsert(session, CampaignChange).values(campaign_id=campaign_id, revision=revision)
    await session.execute(
        values.on_conflict_do_update(
            index_elements=[CampaignChange.campaign_id],
            set_={"revision": values.excluded.revision},
        )
    )


async def _add_bands(session: AsyncSession, campaign_id: int, signature: fp.Signature) -> None:
    keys = sorted(set(fp.band_keys(signature)))
    await session.execute(
        insert(CampaignBand), [{"band": key, "campaign_id": campaign_id} for key in keys]
    )


async def join_campaign(session: AsyncSession, report: Report) -> None:
    """File a report just confirmed under the campaign its text resembles, or a new one."""
    signature = fp.from_bytes(report.fingerprint) if report.fingerprint else None
    if signature is None:
        return
    statement = CANDIDATES.params({VALUES: fp.band_keys(signature)})
    rows = [tuple(row) for row in (await session.execute(statement)).all()]
    found = resembled(rows, signature)
    if found:
        campaign_id = found[0].campaign_id
        await session.execute(
            update(Campaign)
            .where(Campaign.id == campaign_id)
            .values(
                report_count=Campaign.report_count + 1,
                last_reported_at=case(
                    (Campaign.last_reported_at < report.created_at, report.created_at),
                    else_=Campaign.last_reported_at,
                ),
            )
        )
        report.campaign_id = campaign_id
        await _changed(session, campaign_id)
        return
    campaign = Campaign(
        fingerprint=fp.to_bytes(signature),
        report_count=1,
        first_reported_at=report.created_at,
        last_reported_at=report.created_at,
    )
    session.add(campaign)
    await session.flush()
    await _add_bands(session, campaign.id, signature)
    report.campaign_id = campaign.id
    await _changed(session, campaign.id)


async def leave_campaign(session: AsyncSession, report: Report) -> None:
    """Take a report no longer confirmed out of its campaign; a campaign left with no report
    goes, and one whose first report left takes the fingerprint of its next."""
    campaign_id = report.campaign_id
    if campaign_id is None:
        return
    report.campaign_id = None
    await session.flush()
    await _changed(session, campaign_id)
    members = list(
        await session.scalars(
            select(Report)
            .where(Report.campaign_id == campaign_id, Report.status == ReportStatus.CONFIRMED)
            .order_by(Report.created_at, Report.id)
        )
    )
    await session.execute(delete(CampaignBand).where(CampaignBand.campaign_id == campaign_id))
    first = next((m for m in members if m.fingerprint), None)
    signature = fp.from_bytes(first.fingerprint) if first and first.fingerprint else None
    if signature is None:
        await session.execute(
            update(Report).where(Report.campaign_id == campaign_id).values(campaign_id=None)
        )
        await session.execute(delete(Campaign).where(Campaign.id == campaign_id))
        return
    await session.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id)
        .values(
            fingerprint=fp.to_bytes(signature),
            report_count=len(members),
            first_reported_at=members[0].created_at,
            last_reported_at=max(m.created_at for m in members),
        )
    )
    await _add_bands(session, campaign_id, signature)


async def list_campaigns(session: AsyncSession, *, limit: int) -> list[Campaign]:
    query = select(Campaign).order_by(Campaign.last_reported_at.desc(), Campaign.id.desc())
    return list(await session.scalars(query.limit(limit)))


async def campaign_members(session: AsyncSession, campaign_id: int, limit: int) -> list[Report]:
    query = (
        select(Report)
        .where(Report.campaign_id == campaign_id, Report.status == ReportStatus.CONFIRMED)
        .order_by(Report.created_at, Report.id)
    )
    return list(await session.scalars(query.limit(limit)))
