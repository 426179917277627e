"""Persistence: API keys, the ticket registry, the audit log of checks, reports, indicators.

Revision ID: 9e89d766d9ce
Revises:
Create Date: 2026-11-22 20:28:31
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9e89d766d9ce"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("revoked_at", UTC_DATETIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_id", name=op.f("uq_api_keys_key_id")),
    )
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("unit_code", sa.String(length=16), nullable=True),
        sa.Column("issued_at", UTC_DATETIME, nullable=True),
        sa.Column("registered_at", UTC_DATETIME, nullable=False),
        sa.Column("registered_by", sa.String(length=100), nullable=True),
        sa.Column("revoked_at", UTC_DATETIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
        sa.UniqueConstraint("code", name=op.f("uq_tickets_code")),
    )
    op.create_table(
        "checks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("finding_codes", sa.JSON(), nullable=False),
        sa.Column("input_sha256", sa.String(length=64), nullable=False),
        sa.Column("excerpt", sa.Text(), nullable=False),
        sa.Column("full_text", sa.Text(), nullable=True),
        sa.Column("indicators", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checks")),
    )
    op.create_index(op.f("ix_checks_created_at"), "checks", ["created_at"])
    op.create_index(op.f("ix_checks_input_sha256"), "checks", ["input_sha256"])
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("check_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("reporter", sa.String(length=100), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("indicators", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["check_id"],
            ["checks.id"],
            name=op.f("fk_reports_check_id_checks"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("check_id", name=op.f("uq_reports_check_id")),
    )
    op.create_index(op.f("ix_reports_created_at"), "reports", ["created_at"])
    op.create_table(
        "indicators",
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("value", sa.String(length=512), nullable=False),
        sa.Column("report_count", sa.Integer(), nullable=False),
        sa.Column("first_reported_at", UTC_DATETIME, nullable=False),
        sa.Column("last_reported_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("kind", "value", name=op.f("pk_indicators")),
    )
    op.create_index(op.f("ix_indicators_report_count"), "indicators", ["report_count"])


def downgrade() -> None:
    op.drop_index(op.f("ix_indicators_report_count"), table_name="indicators")
    op.drop_table("indicators")
    op.drop_index(op.f("ix_reports_created_at"), table_name="reports")
    op.drop_table("reports")
    op.drop_index(op.f("ix_checks_input_sha256"), table_name="checks")
    op.drop_index(op.f("ix_checks_created_at"), table_name="checks")
    op.drop_table("checks")
    op.drop_table("tickets")
    op.drop_table("api_keys")
