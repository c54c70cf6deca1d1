"""An index on articles.url: `newsprism watch` looks feed links up before fetching them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_articles_url", "articles", ["url"], postgresql_using="hash", if_not_exists=True)


def downgrade() -> None:
    op.drop_index("ix_articles_url", table_name="articles", if_exists=True)
