"""Each page failure record names the feed that wrote it, so it can go when the feed drops the page.

`newsprism watch` kept the record of a page it gave up on forever; now a feed's poll forgets the
records it wrote for pages it no longer lists (`watch.Watcher`). Records written before this
revision name no feed (NULL) and are kept as before.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # the column and index may exist already: stores made before Alembic get them from
    # create_all, then are stamped at 0001 and brought up through this revision
    if "feed_key" not in {c["name"] for c in sa.inspect(op.get_bind()).get_columns("page_failures")}:
        with op.batch_alter_table("page_failures") as batch:
            batch.add_column(sa.Column("feed_key", sa.String(64)))
    op.create_index("ix_page_failures_feed_key", "page_failures", ["feed_key"], if_not_exists=True)


def downgrade() -> None:
    op.drop_index("ix_page_failures_feed_key", table_name="page_failures", if_exists=True)
    with op.batch_alter_table("page_failures") as batch:
        batch.drop_column("feed_key")
