"""A story_entities table: the server's entity filter read every comparison's JSON.

Filtering the story list by an entity ("stories naming Berlin", one click on an entity pill)
parsed every stored comparison to reach its story's entity list, so each such request grew with
the store (tens of thousands of comparisons after a long stream). The entities now also live in
narrow rows written with the comparison; this revision fills them for comparisons already stored.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    if "story_entities" not in sa.inspect(conn).get_table_names():
        op.create_table(
            "story_entities",
            sa.Column("story_id", sa.String(32), nullable=False),
            sa.Column("name", sa.Text(), nullable=False),
        )
    op.create_index("ix_story_entities_story_id", "story_entities", ["story_id"], if_not_exists=True)
    conn.execute(sa.text("DELETE FROM story_entities"))
    rows = [{"s": sid, "n": name}
            for sid, data in conn.execute(sa.text("SELECT story_id, data FROM comparisons"))
            for name in sorted({e.lower() for e in json.loads(data).get("story", {}).get("entities", [])})]
    if rows:
        conn.execute(sa.text("INSERT INTO story_entities (story_id, name) VALUES (:s, :n)"), rows)


def downgrade() -> None:
    op.drop_index("ix_story_entities_story_id", table_name="story_entities", if_exists=True)
    op.drop_table("story_entities")
