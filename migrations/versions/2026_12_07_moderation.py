"""Moderated reports, campaign fingerprints, the reports behind indicators, admin sessions.

Reports made before moderation had already counted their indicators: they become
`confirmed`, their indicators are listed in report_indicators, and their excerpts are
copied from their checks.

Revision ID: 3c8d51f0a2b4
Revises: 7a1f0c2e5b3d
Create Date: 2026-12-07 05:30:00
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3c8d51f0a2b4"
down_revision: str | Sequence[str] | None = "7a1f0c2e5b3d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.LargeBinary(), nullable=False),
        sa.Column("report_count", sa.Integer(), nullable=False),
        sa.Column("first_reported_at", UTC_DATETIME, nullable=False),
        sa.Column("last_reported_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    op.create_table(
        "campaign_bands",
        sa.Column("band", sa.BigInteger(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_bands_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("band", "campaign_id", name=op.f("pk_campaign_bands")),
    )
    op.create_index(
        op.f("ix_campaign_bands_campaign_id"), "campaign_bands", ["campaign_id"]
    )
    op.add_column("checks", sa.Column("fingerprint", sa.LargeBinary(), nullable=True))
    with op.batch_alter_table("reports") as batch:
        batch.add_column(
            sa.Column("status", sa.String(16), nullable=False, server_default="confirmed")
        )
        batch.add_column(sa.Column("client", sa.String(100), nullable=False, server_default=""))
        batch.add_column(sa.Column("decided_at", UTC_DATETIME, nullable=True))
        batch.add_column(sa.Column("decided_by", sa.String(100), nullable=True))
        batch.add_column(sa.Column("excerpt", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("full_text", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("finding_codes", sa.JSON(), nullable=False, server_default="[]")
        )
        batch.add_column(sa.Column("fingerprint", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("campaign_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_reports_campaign_id_campaigns"),
            "campaigns",
            ["campaign_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index(op.f("ix_reports_status"), ["status"])
        batch.create_index(op.f("ix_reports_campaign_id"), ["campaign_id"])
        batch.create_index("ix_reports_client_created_at", ["client", "created_at"])
    op.execute(
        "UPDATE reports SET excerpt = (SELECT excerpt FROM checks WHERE checks.id = "
        "reports.check_id), full_text = (SELECT full_text FROM checks WHERE checks.id = "
        "reports.check_id) WHERE check_id IS NOT NULL"
    )
    op.execute("UPDATE reports SET excerpt = '' WHERE excerpt IS NULL")
    with op.batch_alter_table("reports") as batch:
        batch.alter_column("status", server_default=None)
        batch.alter_column("client", server_default=None)
        batch.alter_column("excerpt", server_default=None)
        batch.alter_column("finding_codes", server_default=None)
    op.create_table(
        "report_indicators",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("value", sa.String(length=512), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_indicators_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", "kind", "value", name=op.f("pk_report_indicators")),
    )
    op.create_index("ix_report_indicators_kind_value", "report_indicators", ["kind", "value"])
    _list_indicators_of_old_reports()
    op.create_table(
        "admin_sessions",
        sa.Column("id_sha256", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("last_seen_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id_sha256", name=op.f("pk_admin_sessions")),
    )
    op.create_index(op.f("ix_admin_sessions_key_id"), "admin_sessions", ["key_id"])


def _list_indicators_of_old_reports() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, indicators FROM reports")).all()
    listed = []
    for report_id, indicators in rows:
        pairs = json.loads(indicators) if isinstance(indicators, str) else indicators
        listed += [{"r": report_id, "k": kind, "v": value} for kind, value in pairs or []]
    if listed:
        connection.execute(
            sa.text("INSERT INTO report_indicators (report_id, kind, value) VALUES (:r, :k, :v)"),
            listed,
        )


def downgrade() -> None:
    op.drop_index(op.f("ix_admin_sessions_key_id"), table_name="admin_sessions")
    op.drop_table("admin_sessions")
    op.drop_index("ix_report_indicators_kind_value", table_name="report_indicators")
    op.drop_table("report_indicators")
    with op.batch_alter_table("reports") as batch:
        batch.drop_index("ix_reports_client_created_at")
        batch.drop_index(op.f("ix_reports_campaign_id"))
        batch.drop_index(op.f("ix_reports_status"))
        batch.drop_constraint(op.f("fk_reports_campaign_id_campaigns"), type_="foreignkey")
        for column in (
            "campaign_id",
            "fingerprint",
            "finding_codes",
            "full_text",
            "excerpt",
            "decided_by",
            "decided_at",
            "client",
            "status",
        ):
            batch.drop_column(column)
    op.drop_column("checks", "fingerprint")
    op.drop_index(op.f("ix_campaign_bands_campaign_id"), table_name="campaign_bands")
    op.drop_table("campaign_bands")
    op.drop_table("campaigns")
