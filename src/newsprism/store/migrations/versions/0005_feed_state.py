"""Feed watching state: per-feed validators and seen entries, per-page failure records.

`newsprism watch` kept these in memory, so a restarted watcher re-read every feed in full and
retried pages that fail for good (404, no article text) on every poll forever. Both tables are
keyed by the SHA-256 of the URL (a PostgreSQL b-tree key cannot hold very long URLs).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # if_not_exists: stores made before Alembic get every table from create_all, then are
    # stamped at 0001 and brought up through this revision
    op.create_table(
        "feed_state",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("seen", sa.Text, nullable=False),
        sa.Column("polled_at", sa.Float),
        sa.Column("error", sa.Text),
        if_not_exists=True,
    )
    op.create_table(
        "page_failures",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("retry_at", sa.Float),
        if_not_exists=True,
    )


def downgrade() -> None:
    op.drop_table("page_failures", if_exists=True)
    op.drop_table("feed_state", if_exists=True)
