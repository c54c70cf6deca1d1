"""Alembic environment for the newsprism store.

newsprism runs it through `newsprism.store.migrate` (and `newsprism db upgrade`), which passes an
open connection in `config.attributes["connection"]`; `sqlalchemy.url` is the fallback for the
plain `alembic` command.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from newsprism.store.migrate import include_object
from newsprism.store.schema import metadata


def _run(conn: Connection) -> None:
    context.configure(
        connection=conn, target_metadata=metadata, include_object=include_object,
        render_as_batch=conn.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    if context.is_offline_mode():
        raise SystemExit("newsprism migrations run online only (no --sql)")
    conn = context.config.attributes.get("connection")
    if conn is not None:
        _run(conn)
        return
    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


run()
