"""`newsprism db`: the store's schema (Alembic migrations) on SQLite or PostgreSQL."""

from __future__ import annotations

from typing import Annotated

import typer

db_app = typer.Typer(name="db", no_args_is_help=True, add_completion=False,
                     help="The store's schema: Alembic migrations, on SQLite or PostgreSQL.")

DbOpt = Annotated[str, typer.Option(
    "--db", help="Store: SQLite path or SQLAlchemy URL (postgresql://user@host/dbname).")]


@db_app.command("upgrade")
def upgrade_cli(db: DbOpt = "newsprism.db") -> None:
    """Bring the store's schema to the newest revision (creates a new store; safe to re-run)."""
    from ..store.sql import _label, upgrade_store
    from . import _errors_to_exit, out

    with _errors_to_exit():
        before, after = upgrade_store(db)
    if before == after:
        out.print(f"{_label(db)}: already at {after}", highlight=False)
    else:
        was = {None: "new store", "legacy": "schema 1 from before Alembic"}.get(before, before)
        out.print(f"{_label(db)}: {was} -> {after}", highlight=False)


@db_app.command("current")
def current_cli(db: DbOpt = "newsprism.db") -> None:
    """Print the store's schema revision and the newest one this newsprism knows."""
    from ..store.migrate import head
    from ..store.sql import _label, store_revision
    from . import _errors_to_exit, out

    with _errors_to_exit():
        rev = store_revision(db)
    out.print(f"{_label(db)}: {rev or 'none (new, or made before Alembic)'}; newest {head()}", highlight=False)
