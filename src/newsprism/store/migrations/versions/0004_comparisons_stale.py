"""A stale flag on comparisons, set when a story's membership changes.

Finding the stories to recompare used to read every membership and every comparison's JSON on
each run, so a long stream's per-run work and memory grew with the store (BENCHMARKS.md, long
stream). `save_stories` now flags the comparisons it invalidates, and a run reads the flagged
rows and the stories with no comparison through indexes. This revision computes the flag once
for comparisons already stored, the old way.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    if "stale" not in {c["name"] for c in sa.inspect(conn).get_columns("comparisons")}:
        with op.batch_alter_table("comparisons") as batch:
            batch.add_column(sa.Column("stale", sa.Integer(), nullable=False, server_default="0"))
    op.create_index("ix_comparisons_stale", "comparisons", ["stale"], if_not_exists=True)
    members: dict[str, set[str]] = {}
    for aid, sid in conn.execute(sa.text("SELECT article_id, story_id FROM story_members")):
        members.setdefault(sid, set()).add(aid)
    stale = [sid for sid, data in conn.execute(sa.text("SELECT story_id, data FROM comparisons"))
             if set(json.loads(data)["story"]["articles"]) != members.get(sid, set())]
    for sid in stale:
        conn.execute(sa.text("UPDATE comparisons SET stale = 1 WHERE story_id = :s"), {"s": sid})


def downgrade() -> None:
    op.drop_index("ix_comparisons_stale", table_name="comparisons", if_exists=True)
    with op.batch_alter_table("comparisons") as batch:
        batch.drop_column("stale")
