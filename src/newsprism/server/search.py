"""Server-side queries over the store's tables: full-text search and light article listings.

Full text, per backend:

* SQLite: an FTS5 virtual table ``articles_fts`` over article title + text, with the
  ``articles`` table as external content (no second copy of the texts) and triggers that keep
  it in sync with every insert, update and delete, whoever writes (the API, or ``newsprism
  run`` on the same file). `ensure_search_index` creates it idempotently and fills it from
  the rows already stored. A query is cut into words and each word is quoted, so what users
  type is never parsed as FTS5 syntax (``"``, ``AND``, ``*``, ``NEAR`` are just text).
* PostgreSQL: ``search_doc @@ plainto_tsquery('simple', :q)``, where ``search_doc`` is a stored
  generated tsvector column of title + text with a GIN index (store migration 0002), so ranking
  reads the parsed document instead of re-parsing every matching text. The ``simple``
  configuration does not stem, so it behaves alike across the corpus's languages. Callers that
  only need the set of matches (the story filter) ask for it unranked.
* Anything else: a case-insensitive ``LIKE`` per word (slow, but correct).

Every value reaches the database as a bound parameter; the DDL strings hold no user input.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from sqlalchemy import Engine, and_, func, or_, select, text
from sqlalchemy.exc import OperationalError

from ..store import schema as t

logger = logging.getLogger(__name__)

#: Words of a search query (letters and digits in any script).
_WORD = re.compile(r"\w+", re.UNICODE)
#: At most this many words of a query are used (a query is not a document).
MAX_QUERY_WORDS = 32

_SQLITE_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5("
    "title, text, content='articles', content_rowid='seq', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS articles_fts_ai AFTER INSERT ON articles BEGIN "
    "INSERT INTO articles_fts(rowid, title, text) VALUES (new.seq, new.title, new.text); END",
    "CREATE TRIGGER IF NOT EXISTS articles_fts_ad AFTER DELETE ON articles BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, text) "
    "VALUES ('delete', old.seq, old.title, old.text); END",
    "CREATE TRIGGER IF NOT EXISTS articles_fts_au AFTER UPDATE ON articles BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, text) "
    "VALUES ('delete', old.seq, old.title, old.text); "
    "INSERT INTO articles_fts(rowid, title, text) VALUES (new.seq, new.title, new.text); END",
)
_SQLITE_OBJECTS = ("articles_fts", "articles_fts_ai", "articles_fts_ad", "articles_fts_au")

# `search_doc` is the stored tsvector column (and GIN index) that store migration 0002 adds.
_PG_MATCH = "SELECT id FROM articles WHERE search_doc @@ plainto_tsquery('simple', :q)"
_PG_RANKED = _PG_MATCH + " ORDER BY ts_rank(search_doc, plainto_tsquery('simple', :q)) DESC, seq"
_PG_UNRANKED = _PG_MATCH + " ORDER BY seq"


def query_words(q: str) -> list[str]:
    """The words of a query, at most `MAX_QUERY_WORDS`; punctuation and operators dropped."""
    return _WORD.findall(q)[:MAX_QUERY_WORDS]


def _fts5_query(words: list[str]) -> str:
    """An FTS5 MATCH expression: every word quoted (a phrase of one), all required."""
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


def ensure_search_index(engine: Engine) -> None:
    """Create the full-text index if missing and fill it from the stored articles.

    Idempotent: cheap when the index exists. PostgreSQL's index is part of the schema (store
    migration 0002), so only SQLite's is made here: when the virtual table or any of its
    triggers was missing (a new store, or a store written before server mode), the index is
    rebuilt from the ``articles`` table, so it matches the rows exactly.
    """
    dialect = engine.dialect.name
    if dialect == "sqlite":
        with engine.begin() as conn:
            have = set(conn.execute(
                text("SELECT name FROM sqlite_master WHERE name IN "
                     "('articles_fts', 'articles_fts_ai', 'articles_fts_ad', 'articles_fts_au')"),
            ).scalars())
            if have >= set(_SQLITE_OBJECTS):
                return
            for ddl in _SQLITE_DDL:
                conn.execute(text(ddl))
            conn.execute(text("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')"))
        logger.info("built the full-text index (SQLite FTS5)")


def search_article_ids(engine: Engine, q: str, *, limit: int | None = None,
                       ranked: bool = True) -> list[str]:
    """Ids of the articles matching every word of `q`, best match first.

    Args:
        engine: The store's engine (`Store.engine`).
        q: What the user typed; never interpreted as query syntax.
        limit: At most this many ids (all when None).
        ranked: False when only the set matters: PostgreSQL then skips `ts_rank` and returns
            arrival order (SQLite's FTS5 rank costs next to nothing, so it keeps it).

    Returns:
        Article ids; empty when `q` holds no word.
    """
    words = query_words(q)
    if not words:
        return []
    dialect = engine.dialect.name
    if dialect == "sqlite":
        sql = ("SELECT a.id FROM articles_fts JOIN articles a ON a.seq = articles_fts.rowid "
               "WHERE articles_fts MATCH :q ORDER BY articles_fts.rank, a.seq")
        params: dict[str, object] = {"q": _fts5_query(words)}
    elif dialect == "postgresql":
        sql, params = (_PG_RANKED if ranked else _PG_UNRANKED), {"q": " ".join(words)}
    else:
        return _like_search(engine, words, limit)
    if limit is not None:
        sql += " LIMIT :limit"
        params["limit"] = int(limit)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql), params).scalars())
    except OperationalError as exc:  # no index (a read-only store file could not get one)
        if dialect != "sqlite" or "articles_fts" not in str(exc):
            raise
        logger.warning("no full-text index, searching with LIKE: %s", exc.orig)
        return _like_search(engine, words, limit)


def _like_search(engine: Engine, words: list[str], limit: int | None) -> list[str]:
    """Articles whose title or text contains every word (case-insensitive); no index used."""
    c = t.articles.c
    query = select(c.id).where(and_(*[
        or_(func.lower(c.title).contains(w.lower(), autoescape=True),
            func.lower(c.text).contains(w.lower(), autoescape=True)) for w in words
    ])).order_by(c.seq)
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as conn:
        return list(conn.execute(query).scalars())


@dataclass(frozen=True, slots=True)
class ArticleRow:
    """An article's listing fields (no texts)."""

    id: str
    title: str
    outlet: str | None
    url: str | None
    published_at: str | None
    language: str | None
    origin: str
    date_source: str | None = None  # "fetch": `published_at` is only when the page was fetched


_ROW_COLUMNS = (t.articles.c.id, t.articles.c.title, t.articles.c.outlet, t.articles.c.url,
                t.articles.c.published_at, t.articles.c.language, t.articles.c.origin,
                t.articles.c.date_source)


def _outlet_filter(outlet: str):  # type: ignore[no-untyped-def]
    """Outlet names containing `outlet`, case-insensitive (LIKE wildcards in it are escaped)."""
    return func.lower(t.articles.c.outlet).contains(outlet.strip().lower(), autoescape=True)


def list_articles(engine: Engine, *, limit: int, offset: int,
                  outlet: str | None = None) -> tuple[int, list[ArticleRow]]:
    """One page of articles in arrival order, optionally of outlets whose name contains `outlet`.

    Returns:
        (total matching, the page).
    """
    where = _outlet_filter(outlet) if outlet else None
    count = select(func.count()).select_from(t.articles)
    page = select(*_ROW_COLUMNS).order_by(t.articles.c.seq).limit(limit).offset(offset)
    if where is not None:
        count, page = count.where(where), page.where(where)
    with engine.connect() as conn:
        total = int(conn.execute(count).scalar() or 0)
        rows = [ArticleRow(*r) for r in conn.execute(page)]
    return total, rows


def article_rows(engine: Engine) -> dict[str, ArticleRow]:
    """Every article's listing fields by id (for story filters and outlet statistics)."""
    with engine.connect() as conn:
        return {r[0]: ArticleRow(*r) for r in conn.execute(select(*_ROW_COLUMNS))}
