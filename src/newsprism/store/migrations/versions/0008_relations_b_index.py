"""An index on relations.b: "relations touching these articles" is `a IN (...) OR b IN (...)`.

The primary key (a, b) serves the first half only, so without this index every such query (one
per story compared, one per batch clustered) read the whole relations table: on a 20k-article
store, compare spent 80 % of its time there, and the cost grew with the store.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_relations_b", "relations", ["b"], if_not_exists=True)


def downgrade() -> None:
    op.drop_index("ix_relations_b", table_name="relations", if_exists=True)
