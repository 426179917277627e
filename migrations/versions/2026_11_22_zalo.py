"""Zalo chatbot: received events, the outbox of replies, the OA token pair.

Revision ID: 7a1f0c2e5b3d
Revises: 9e89d766d9ce
Create Date: 2026-11-22 20:29:06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7a1f0c2e5b3d"
down_revision: str | Sequence[str] | None = "9e89d766d9ce"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "zalo_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_key", sa.String(length=200), nullable=False),
        sa.Column("event_name", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("received_at", UTC_DATETIME, nullable=False),
        sa.Column("locked_until", UTC_DATETIME, nullable=True),
        sa.Column("processed_at", UTC_DATETIME, nullable=True),
        sa.Column("verdict", sa.String(length=16), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zalo_events")),
        sa.UniqueConstraint("event_key", name=op.f("uq_zalo_events_event_key")),
    )
    op.create_index("ix_zalo_events_status_id", "zalo_events", ["status", "id"])
    op.create_table(
        "zalo_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTC_DATETIME, nullable=False),
        sa.Column("locked_until", UTC_DATETIME, nullable=True),
        sa.Column("lease", sa.String(length=32), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("error_code", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("finished_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["zalo_events.id"],
            name=op.f("fk_zalo_replies_event_id_zalo_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zalo_replies")),
        sa.UniqueConstraint("event_id", name=op.f("uq_zalo_replies_event_id")),
    )
    op.create_index(
        "ix_zalo_replies_status_next_attempt_at", "zalo_replies", ["status", "next_attempt_at"]
    )
    op.create_table(
        "zalo_tokens",
        sa.Column("app_id", sa.String(length=64), nullable=False),
        sa.Column("access_token", sa.Text(), nullable=True),
        sa.Column("access_expires_at", UTC_DATETIME, nullable=True),
        sa.Column("refresh_token", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("refreshing_until", UTC_DATETIME, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("app_id", name=op.f("pk_zalo_tokens")),
    )


def downgrade() -> None:
    op.drop_table("zalo_tokens")
    op.drop_index("ix_zalo_replies_status_next_attempt_at", table_name="zalo_replies")
    op.drop_table("zalo_replies")
    op.drop_index("ix_zalo_events_status_id", table_name="zalo_events")
    op.drop_table("zalo_events")
