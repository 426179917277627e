"""The campaign revision and the revision of each campaign's last change: what each process's
in-memory index of campaigns polls and reads again to keep up with the others.

Campaigns made before need no change row: a process loads them all when it starts.

Revision ID: 5e2b9c7d1a64
Revises: 3c8d51f0a2b4
Create Date: 2026-12-07 14:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5e2b9c7d1a64"
down_revision: str | Sequence[str] | None = "3c8d51f0a2b4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    revisions = op.create_table(
        "campaign_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_revision")),
    )
    op.bulk_insert(revisions, [{"id": 1, "revision": 0}])
    op.create_table(
        "campaign_changes",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", name=op.f("pk_campaign_changes")),
    )
    op.create_index(op.f("ix_campaign_changes_revision"), "campaign_changes", ["revision"])


def downgrade() -> None:
    op.drop_index(op.f("ix_campaign_changes_revision"), table_name="campaign_changes")
    op.drop_table("campaign_changes")
    op.drop_table("campaign_revision")
