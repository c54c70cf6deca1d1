"""PostgreSQL: a stored tsvector column for full-text search.

The expression index of 0001-era servers let PostgreSQL find matches, but ranking them
re-parsed every matching text (`ts_rank` over `to_tsvector(...)`), which took seconds for common
words at 100k articles (BENCHMARKS.md, server section). A generated, stored column keeps the
parsed document beside the row, so ranking reads it instead. SQLite keeps its FTS5 table
(`newsprism.server.search`), so this revision changes nothing there.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

DOCUMENT = "to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(text, ''))"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER TABLE articles ADD COLUMN IF NOT EXISTS search_doc tsvector "
               f"GENERATED ALWAYS AS ({DOCUMENT}) STORED")
    op.execute("CREATE INDEX IF NOT EXISTS articles_search_doc ON articles USING GIN (search_doc)")
    op.execute("DROP INDEX IF EXISTS articles_fts_gin")  # the expression index it replaces


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS articles_search_doc")
    op.execute("ALTER TABLE articles DROP COLUMN IF EXISTS search_doc")
