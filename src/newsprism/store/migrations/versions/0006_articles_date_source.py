"""Where each article's date came from (`Article.date_source`: page, url or fetch).

A WARC record without a publication date gets its fetch time (WARC-Date), which only bounds the
publication from above; direction inference must know that. Rows stored before this revision
keep NULL ("unknown"), which is read as before: a publication date.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # the column may exist already: stores made before Alembic get it from create_all, then are
    # stamped at 0001 and brought up through this revision
    if "date_source" not in {c["name"] for c in sa.inspect(op.get_bind()).get_columns("articles")}:
        with op.batch_alter_table("articles") as batch:
            batch.add_column(sa.Column("date_source", sa.String(8)))


def downgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("date_source")
