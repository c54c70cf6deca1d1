"""The store schema as of newsprism 0.1 (meta.schema_version "1").

Revision ID: 0001
Revises:
Create Date: 2026-05-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(32), nullable=False, unique=True),
        sa.Column("origin", sa.Text, nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("outlet", sa.Text),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("byline", sa.Text),
        sa.Column("published_at", sa.String(40)),
        sa.Column("language", sa.String(16)),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("raw", sa.Text, nullable=False),
        sa.Column("removed", sa.Text, nullable=False),
        sa.Column("source_id", sa.Text),
    )
    op.create_table(
        "analyses",
        sa.Column("article_id", sa.String(32), sa.ForeignKey("articles.id"), primary_key=True),
        sa.Column("data", sa.Text, nullable=False),
    )
    op.create_table(
        "vectors",
        sa.Column("article_id", sa.String(32), sa.ForeignKey("articles.id"), primary_key=True),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("doc", sa.LargeBinary, nullable=False),
        sa.Column("sentences", sa.LargeBinary, nullable=False),
        sa.Column("ml_doc", sa.LargeBinary, nullable=False),
        sa.Column("ml_sentences", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "signatures",
        sa.Column("article_id", sa.String(32), sa.ForeignKey("articles.id"), primary_key=True),
        sa.Column("seed", sa.Integer, nullable=False),
        sa.Column("scheme", sa.String(32), nullable=False),
        sa.Column("hashvalues", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "relations",
        sa.Column("a", sa.String(32), primary_key=True),
        sa.Column("b", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
    )
    op.create_table(
        "related",
        sa.Column("article_id", sa.String(32), sa.ForeignKey("articles.id"), primary_key=True),
    )
    op.create_table(
        "stories",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("data", sa.Text, nullable=False),
    )
    op.create_table(
        "story_members",
        sa.Column("article_id", sa.String(32), sa.ForeignKey("articles.id"), primary_key=True),
        sa.Column("story_id", sa.String(32), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
    )
    op.create_index("ix_story_members_story_id", "story_members", ["story_id"])
    op.create_table(
        "comparisons",
        sa.Column("story_id", sa.String(32), primary_key=True),
        sa.Column("data", sa.Text, nullable=False),
    )
    meta = op.create_table(
        "meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    # what newsprism read before Alembic; kept so the row means the same in every store
    op.bulk_insert(meta, [{"key": "schema_version", "value": "1"}])


def downgrade() -> None:
    for name in ("meta", "comparisons", "story_members", "stories", "related", "relations",
                 "signatures", "vectors", "analyses", "articles"):
        op.drop_table(name)
