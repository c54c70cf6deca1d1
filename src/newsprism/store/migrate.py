"""Schema migrations of the store with Alembic, on SQLite and PostgreSQL alike.

A store's revision lives in Alembic's `alembic_version` table. Stores written before Alembic
(an `articles` table and `meta.schema_version` "1", no version table) are stamped at the
initial revision, which is exactly their schema, and then brought to head like any other.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, select, text

from ..errors import StoreError
from . import schema as t

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
#: The revision equal to the schema of stores made before Alembic (meta.schema_version "1").
INITIAL = "0001"
#: Key of the PostgreSQL advisory lock held while a store is created or migrated.
_PG_LOCK = 0x6E657773  # "news"


#: Full-text objects kept outside the SQLAlchemy metadata: SQLite's FTS5 table and triggers
#: (made by the server) and PostgreSQL's stored tsvector column with its index (revision 0002).
SEARCH_OBJECTS = ("articles_fts", "search_doc", "articles_search_doc")


def include_object(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    """Alembic filter: autogenerate must not propose dropping the full-text objects."""
    return not (reflected and compare_to is None and bool(name) and name.startswith(SEARCH_OBJECTS))


def _config(conn: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


@lru_cache(maxsize=1)
def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head() -> str:
    """The newest revision this newsprism knows."""
    rev = _script().get_current_head()
    assert rev is not None
    return rev


def current(conn: Connection) -> str | None:
    """The store's revision, or None when it has no Alembic version table."""
    return MigrationContext.configure(conn).get_current_revision()


def is_current(conn: Connection) -> bool:
    """True when the store is at head (a cheap read: no lock, no migration scripts run)."""
    return current(conn) == head()


def upgrade(conn: Connection) -> tuple[str | None, str]:
    """Create, stamp or migrate the store on `conn` to head, inside the caller's transaction.

    Returns (revision before, revision after); the first is None for a new store and
    "legacy" for one written before Alembic. Concurrent callers are serialised (PostgreSQL:
    an advisory lock; SQLite: an immediate write transaction), so two processes opening one new
    store never both create it.

    Raises:
        StoreError: the store is newer than this newsprism, or is not a newsprism store.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
    elif conn.dialect.name == "sqlite" and not conn.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    before = current(conn)
    target = head()
    if before == target:
        return before, target
    if before is None:
        tables = set(inspect(conn).get_table_names())
        if "articles" in tables:
            _stamp_legacy(conn, tables)
            before = "legacy"
    elif before not in {s.revision for s in _script().walk_revisions()}:
        raise StoreError(f"store schema is at revision {before}, which this newsprism does not know "
                         f"(its newest is {target}); upgrade newsprism")
    command.upgrade(_config(conn), "head")
    logger.info("store schema: %s -> %s", before, target)
    return before, target


def _stamp_legacy(conn: Connection, tables: set[str]) -> None:
    have = None
    if "meta" in tables:
        have = conn.execute(select(t.meta.c.value).where(t.meta.c.key == "schema_version")).scalar()
    if have not in (None, "1"):
        raise StoreError(f"store schema {have} predates Alembic but is not 1; cannot migrate it")
    # earlier versions created missing tables on every open; do it once more, then stamp
    t.metadata.create_all(conn)
    if have is None:
        conn.execute(t.meta.insert().values(key="schema_version", value="1"))
    command.stamp(_config(conn), INITIAL)
