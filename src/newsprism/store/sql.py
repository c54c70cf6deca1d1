"""The store: one SQLAlchemy Core implementation for SQLite (default) and PostgreSQL.

Every write is one short transaction, so a crash or Ctrl-C between two writes leaves a
consistent store and a re-run continues where the last committed write stopped.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TypeVar

import numpy as np
from datasketch import LeanMinHash
from sqlalchemy import (
    Engine,
    create_engine,
    delete,
    event,
    exists,
    func,
    insert,
    make_url,
    select,
    tuple_,
    update,
)
from sqlalchemy.exc import SQLAlchemyError

from .. import serialize as ser
from ..embed import ArticleVectors
from ..errors import StoreError
from ..models import Analysis, Article, Comparison, Relation, Story
from . import migrate
from . import schema as t

logger = logging.getLogger(__name__)

#: URL schemes for PostgreSQL that name no driver; newsprism uses psycopg 3 for them.
_PG_SCHEMES = ("postgresql://", "postgres://")


def _url(db: str) -> str:
    for scheme in _PG_SCHEMES:
        if db.startswith(scheme):
            return "postgresql+psycopg://" + db[len(scheme):]
    if "://" in db:
        return db
    if db == ":memory:":
        return "sqlite://"
    return f"sqlite:///{Path(db).expanduser()}"


def _label(db: str) -> str:
    """The store as named in messages: URLs without their password."""
    if "://" not in db:
        return db
    try:
        return make_url(db).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL is reported by create_engine
        return db.split("@")[-1]


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def _blob(a: np.ndarray) -> bytes:
    return np.ascontiguousarray(a, dtype=np.float32).tobytes()


def _unblob(b: bytes, n: int | None = None, dim: int | None = None) -> np.ndarray:
    v = np.frombuffer(b, dtype=np.float32)
    if n is not None and dim is not None:
        return v.reshape(n, dim) if n else np.zeros((0, dim), dtype=np.float32)
    return v


#: Ids per `IN (...)` query: SQLite caps bound variables (32,766 since 3.32; 999 before), and a
#: story state with 250k members once failed with "too many SQL variables".
IN_CHUNK = 900


def _no_nul(d: dict) -> dict:
    """Article fields with NUL replaced by U+FFFD (same length, so offsets hold): PostgreSQL text
    cannot hold NUL. JSON columns need nothing, since json.dumps escapes it."""
    bad = [k for k, v in d.items() if isinstance(v, str) and "\x00" in v]
    if bad:
        logger.warning("article %s: NUL characters in %s stored as U+FFFD", d.get("id"), ", ".join(bad))
        d = {k: v.replace("\x00", "\ufffd") if k in bad else v for k, v in d.items()}
    return d


_T = TypeVar("_T")


def _chunks(items: Sequence[_T], size: int = IN_CHUNK) -> Iterator[list[_T]]:
    for start in range(0, len(items), size):
        yield list(items[start:start + size])


def _select_in(conn, query, column, ids: Iterable[str] | None):  # type: ignore[no-untyped-def]
    """Rows of `query`, restricted to `column IN ids` in chunks (all rows when ids is None)."""
    if ids is None:
        yield from conn.execute(query)
        return
    for chunk in _chunks(list(ids)):
        yield from conn.execute(query.where(column.in_(chunk)))


#: `published_at` holds ISO strings in each article's own UTC offset, so SQL compares them only
#: approximately: bounds are widened by the largest offset and rows are checked again as datetimes.
_ZONE_SLACK = timedelta(hours=14)


def _utc(when: datetime) -> datetime:
    """`when` as tz-aware (naive values are taken as UTC, as ingest does)."""
    return when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)


def _iso_in(stamp: str | None, start: datetime | None, end: datetime | None) -> bool:
    """Whether a stored ISO time lies in [start, end] (an open side when None)."""
    if stamp is None:
        return False
    when = _utc(datetime.fromisoformat(stamp))
    return (start is None or when >= _utc(start)) and (end is None or when <= _utc(end))


def _delete_in(conn, column, ids: Iterable[str]) -> None:  # type: ignore[no-untyped-def]
    """DELETE rows whose `column` is in ids, in chunks (both backends cap bound parameters)."""
    for chunk in _chunks(list(ids)):
        conn.execute(delete(column.table).where(column.in_(chunk)))


def open_store(db: str = "newsprism.db") -> Store:
    """Open (and create or migrate) the store at a path, `:memory:` or an SQLAlchemy URL.

    `postgresql://user@host/dbname` (or `postgres://`) uses psycopg 3; the database must exist.
    """
    return Store(db)


def _engine(db: str) -> Engine:
    url = _url(db)
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


@contextmanager
def _open_errors(db: str) -> Iterator[None]:
    """Failures to reach or create a store, as one-line StoreErrors (passwords hidden)."""
    try:
        yield
    except OSError as exc:
        raise StoreError(f"{_label(db)}: cannot create the store's folder: {exc.strerror}") from exc
    except SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise StoreError(f"{_label(db)}: cannot open store: {detail}") from exc
    except ImportError as exc:
        raise StoreError(f"{_label(db)}: cannot open store: no database driver ({exc.name})") from exc


def upgrade_store(db: str) -> tuple[str | None, str]:
    """Create, stamp or migrate the store at `db` to the newest schema revision.

    Returns (revision before, revision after): before is None for a new store, "legacy" for one
    written before Alembic, and equal to after when there was nothing to do.

    Raises:
        StoreError: the store cannot be reached, or its schema is newer than this newsprism's.
    """
    with _open_errors(db):
        engine = _engine(db)
        try:
            with engine.begin() as conn:
                return migrate.upgrade(conn)
        finally:
            engine.dispose()


def store_revision(db: str) -> str | None:
    """The schema revision of the store at `db` (None: no store there yet, or made before Alembic)."""
    if "://" not in db and db != ":memory:" and not Path(db).expanduser().exists():
        return None
    with _open_errors(db):
        engine = _engine(db)
        try:
            with engine.connect() as conn:
                return migrate.current(conn)
        finally:
            engine.dispose()


class Store:
    """Articles, analyses, vectors, relations, stories and comparisons in one database."""

    def __init__(self, db: str = "newsprism.db") -> None:
        with _open_errors(db):
            self.engine: Engine = _engine(db)
            try:
                with self.engine.begin() as conn:
                    if not migrate.is_current(conn):
                        before, after = migrate.upgrade(conn)
                        if before is not None:
                            logger.info("%s: store schema upgraded from %s to %s", _label(db), before, after)
            except BaseException:
                self.engine.dispose()
                raise
        self.db = db
        self._pg = self.engine.dialect.name == "postgresql"

    def close(self) -> None:
        self.engine.dispose()

    # -- articles -------------------------------------------------------------------------
    def add_articles(self, articles: Sequence[Article]) -> list[str]:
        """Insert articles not stored yet; returns the ids that were new (idempotent)."""
        if not articles:
            return []
        ids = [a.id for a in articles]
        with self.engine.begin() as conn:
            have = {i for chunk in _chunks(ids) for i in conn.execute(
                select(t.articles.c.id).where(t.articles.c.id.in_(chunk))).scalars()}
            new, seen = [], set()
            for a in articles:
                if a.id in have or a.id in seen:
                    continue
                seen.add(a.id)
                d = ser.article_to_dict(a)
                d["removed"] = json.dumps(d["removed"], ensure_ascii=False)
                new.append(_no_nul(d) if self._pg else d)
            if new:
                conn.execute(insert(t.articles), new)
        return [d["id"] for d in new]

    def _article_rows(self, where=None) -> Iterator[Article]:  # type: ignore[no-untyped-def]
        q = select(t.articles).order_by(t.articles.c.seq)
        if where is not None:
            q = q.where(where)
        with self.engine.connect() as conn:
            for row in conn.execute(q).mappings():
                d = dict(row)
                d["removed"] = json.loads(d["removed"])
                yield ser.article_from_dict(d)

    def articles(self, ids: Iterable[str] | None = None) -> list[Article]:
        if ids is None:
            return list(self._article_rows())
        ids = list(ids)
        found = {a.id: a for chunk in _chunks(ids) for a in self._article_rows(t.articles.c.id.in_(chunk))}
        return [found[i] for i in ids if i in found]

    def article(self, article_id: str) -> Article | None:
        rows = self.articles([article_id])
        return rows[0] if rows else None

    def resolve_article(self, ref: str) -> Article | None:
        """An article by id, id prefix, origin (path or base name) or the input's own id."""
        with self.engine.connect() as conn:
            rid = conn.execute(select(t.articles.c.id).where(
                (t.articles.c.id == ref) | (t.articles.c.origin == ref)
                | (t.articles.c.source_id == ref))).scalar()
            # case-insensitive, as SQLite's LIKE always was; `%` and `_` in ref are literal
            if rid is None and len(ref) >= 4:
                rows = conn.execute(select(t.articles.c.id).where(
                    t.articles.c.id.istartswith(ref, autoescape=True))).scalars().all()
                rid = rows[0] if len(rows) == 1 else None
            if rid is None:
                rows = conn.execute(select(t.articles.c.id).where(
                    t.articles.c.origin.iendswith(f"/{ref}", autoescape=True))).scalars().all()
                rid = rows[0] if len(rows) == 1 else None
        return self.article(rid) if rid else None

    def count_articles(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(t.articles)).scalar() or 0)

    def stored_urls(self, urls: Iterable[str]) -> set[str]:
        """Which of `urls` some stored article already has (the watcher skips fetching them)."""
        url = t.articles.c.url
        with self.engine.connect() as conn:
            return {r[0] for r in _select_in(conn, select(url), url, dict.fromkeys(urls))}

    def _ids_missing(self, table) -> list[str]:  # type: ignore[no-untyped-def]
        key = table.c.article_id
        q = (select(t.articles.c.id).where(~exists().where(key == t.articles.c.id))
             .order_by(t.articles.c.seq))
        with self.engine.connect() as conn:
            return list(conn.execute(q).scalars())

    # -- analyses ---------------------------------------------------------------------------
    def ids_without_analysis(self) -> list[str]:
        return self._ids_missing(t.analyses)

    def save_analyses(self, analyses: Sequence[Analysis]) -> None:
        rows = [{"article_id": a.article_id, "data": json.dumps(ser.analysis_to_dict(a), ensure_ascii=False)}
                for a in analyses]
        if rows:
            with self.engine.begin() as conn:
                _delete_in(conn, t.analyses.c.article_id, [r["article_id"] for r in rows])
                conn.execute(insert(t.analyses), rows)

    def analyses(self, ids: Iterable[str]) -> dict[str, Analysis]:
        ids = list(ids)
        if not ids:
            return {}
        with self.engine.connect() as conn:
            rows = [r for chunk in _chunks(ids)
                    for r in conn.execute(select(t.analyses).where(t.analyses.c.article_id.in_(chunk)))]
        return {r.article_id: ser.analysis_from_dict(json.loads(r.data)) for r in rows}

    # -- vectors ----------------------------------------------------------------------------
    def ids_without_vectors(self) -> list[str]:
        return self._ids_missing(t.vectors)

    def ids_with_vectors(self, ids: Iterable[str] | None = None) -> list[str]:
        """Ids with stored vectors (of `ids` only, when given)."""
        c = t.vectors.c
        with self.engine.connect() as conn:
            return [r[0] for r in _select_in(conn, select(c.article_id), c.article_id, ids)]

    def save_vectors(self, vecs: Sequence[ArticleVectors]) -> None:
        rows = [{"article_id": v.article_id, "n": int(v.sentences.shape[0]), "doc": _blob(v.doc),
                 "sentences": _blob(v.sentences), "ml_doc": _blob(v.ml_doc),
                 "ml_sentences": _blob(v.ml_sentences)} for v in vecs]
        if rows:
            with self.engine.begin() as conn:
                _delete_in(conn, t.vectors.c.article_id, [r["article_id"] for r in rows])
                conn.execute(insert(t.vectors), rows)

    def vectors(self, ids: Iterable[str] | None = None) -> dict[str, ArticleVectors]:
        out = {}
        with self.engine.connect() as conn:
            for r in _select_in(conn, select(t.vectors), t.vectors.c.article_id, ids):
                doc, ml_doc = _unblob(r.doc), _unblob(r.ml_doc)
                out[r.article_id] = ArticleVectors(
                    r.article_id, doc, _unblob(r.sentences, r.n, doc.shape[0]),
                    ml_doc, _unblob(r.ml_sentences, r.n, ml_doc.shape[0]))
        return out

    def doc_vectors(self, ids: Iterable[str] | None = None) -> dict[str, ArticleVectors]:
        """Document vectors only (sentence matrices empty): what candidate search needs, at a
        fraction of the memory of `vectors`."""
        c = t.vectors.c
        out = {}
        with self.engine.connect() as conn:
            for r in _select_in(conn, select(c.article_id, c.doc, c.ml_doc), c.article_id, ids):
                doc, ml_doc = _unblob(r.doc), _unblob(r.ml_doc)
                out[r.article_id] = ArticleVectors(r.article_id, doc, _unblob(b"", 0, doc.shape[0]),
                                                   ml_doc, _unblob(b"", 0, ml_doc.shape[0]))
        return out

    # -- MinHash signatures -----------------------------------------------------------------
    def save_signatures(self, signatures: Mapping[str, LeanMinHash]) -> None:
        rows = [{"article_id": aid, "seed": int(m.seed), "scheme": str(m.scheme),
                 "hashvalues": np.ascontiguousarray(m.hashvalues, dtype=np.uint64).tobytes()}
                for aid, m in signatures.items()]
        if rows:
            with self.engine.begin() as conn:
                _delete_in(conn, t.signatures.c.article_id, [r["article_id"] for r in rows])
                conn.execute(insert(t.signatures), rows)

    def signatures(self, *, seed: int, num_perm: int, scheme: str,
                   ids: Iterable[str] | None = None) -> dict[str, LeanMinHash]:
        """Stored signatures made with this seed, number of permutations and hashing scheme
        (others are stale and get re-signed); of `ids` only, when given."""
        out = {}
        c = t.signatures.c
        q = select(t.signatures).where((c.seed == seed) & (c.scheme == scheme))
        with self.engine.connect() as conn:
            for r in _select_in(conn, q, c.article_id, ids):
                hv = np.frombuffer(r.hashvalues, dtype=np.uint64)
                if hv.shape[0] == num_perm:
                    out[r.article_id] = LeanMinHash(seed=seed, hashvalues=hv, scheme=r.scheme)
        return out

    def languages(self, ids: Iterable[str] | None = None) -> dict[str, str | None]:
        """Article id -> declared language, for every article or those of `ids` (no texts loaded)."""
        a = t.articles.c
        with self.engine.connect() as conn:
            return dict(tuple(r) for r in _select_in(conn, select(a.id, a.language), a.id, ids))

    def published(self, ids: Iterable[str]) -> dict[str, datetime | None]:
        """Article id -> publication time (None when undated), for the stored ones of `ids`."""
        a = t.articles.c
        with self.engine.connect() as conn:
            return {aid: _utc(datetime.fromisoformat(p)) if p else None
                    for aid, p in _select_in(conn, select(a.id, a.published_at), a.id, dict.fromkeys(ids))}

    def ids_published_between(self, start: datetime, end: datetime, *,
                              include_undated: bool) -> list[str]:
        """Ids of the articles published in [start, end] (plus the undated ones when asked), in
        storage order: what a run with a time horizon indexes, without reading the rest."""
        a = t.articles.c
        lo, hi = _utc(start), _utc(end)
        # stored strings carry their own offsets: select a widened range, then check exactly
        near = a.published_at.between((lo - _ZONE_SLACK).isoformat(), (hi + _ZONE_SLACK).isoformat())
        cond = (near | a.published_at.is_(None)) if include_undated else near
        with self.engine.connect() as conn:
            rows = conn.execute(select(a.id, a.published_at).where(cond).order_by(a.seq)).all()
        return [aid for aid, p in rows if (p is None and include_undated) or _iso_in(p, lo, hi)]

    # -- relations --------------------------------------------------------------------------
    def ids_not_related(self) -> list[str]:
        return self._ids_missing(t.related)

    def save_relations(self, relations: Sequence[Relation], done: Sequence[str]) -> None:
        """Store relations and mark `done` articles as related, atomically."""
        with self.engine.begin() as conn:
            key = tuple_(t.relations.c.a, t.relations.c.b)
            for chunk in _chunks([(r.a, r.b) for r in relations], IN_CHUNK // 2):  # two parameters a pair
                conn.execute(delete(t.relations).where(key.in_(chunk)))
            if relations:
                conn.execute(insert(t.relations), [
                    {"a": r.a, "b": r.b, "kind": r.kind, "score": r.score,
                     "data": json.dumps(ser.relation_to_dict(r), ensure_ascii=False)} for r in relations])
            if done:
                _delete_in(conn, t.related.c.article_id, done)
                conn.execute(insert(t.related), [{"article_id": i} for i in done])

    def relations(self, ids: Iterable[str] | None = None, *, kinds: Iterable[str] | None = None) -> list[Relation]:
        """Relations touching `ids` (all when None), ordered by (a, b) in code-point order (a
        PostgreSQL ORDER BY would follow the database's collation instead)."""
        q = select(t.relations.c.data)
        if kinds is not None:
            q = q.where(t.relations.c.kind.in_(list(kinds)))
        with self.engine.connect() as conn:
            if ids is None:
                rels = [ser.relation_from_dict(json.loads(d)) for d in conn.execute(q).scalars()]
                return sorted(rels, key=lambda r: (r.a, r.b))
            seen: dict[tuple[str, str], Relation] = {}
            for chunk in _chunks(list(ids)):
                for d in conn.execute(q.where(t.relations.c.a.in_(chunk) | t.relations.c.b.in_(chunk))).scalars():
                    r = ser.relation_from_dict(json.loads(d))
                    seen.setdefault((r.a, r.b), r)
            return [seen[k] for k in sorted(seen)]

    def relation(self, a: str, b: str) -> Relation | None:
        with self.engine.connect() as conn:
            d = conn.execute(select(t.relations.c.data).where(
                ((t.relations.c.a == a) & (t.relations.c.b == b)) |
                ((t.relations.c.a == b) & (t.relations.c.b == a)))).scalar()
        return ser.relation_from_dict(json.loads(d)) if d else None

    # -- stories ----------------------------------------------------------------------------
    def ids_without_story(self) -> list[str]:
        return self._ids_missing(t.story_members)

    def save_stories(self, stories: Sequence[dict], members: Sequence[tuple[str, str]],
                     drop: Sequence[str] = ()) -> None:
        """Write story states and new memberships (article, story) in one transaction."""
        with self.engine.begin() as conn:
            ids = [s["id"] for s in stories] + list(drop)
            if ids:
                _delete_in(conn, t.stories.c.id, ids)
            if stories:
                conn.execute(insert(t.stories), [{"id": s["id"], "data": json.dumps(s, ensure_ascii=False)}
                                                  for s in stories])
            if drop:
                _delete_in(conn, t.comparisons.c.story_id, drop)
                _delete_in(conn, t.story_entities.c.story_id, drop)
            m = t.story_members.c
            # stories losing a member (it moved) and stories gaining one: their comparisons no
            # longer describe them
            changed = {sid for _, sid in members}
            changed.update(r[0] for r in _select_in(conn, select(m.story_id), m.article_id, [aid for aid, _ in members]))
            for chunk in _chunks(sorted(changed)):
                conn.execute(update(t.comparisons).where(t.comparisons.c.story_id.in_(chunk)).values(stale=1))
            start = int(conn.execute(select(func.coalesce(func.max(m.seq), 0))).scalar() or 0)
            for i, (aid, sid) in enumerate(members, start + 1):
                conn.execute(delete(t.story_members).where(m.article_id == aid))
                conn.execute(insert(t.story_members).values(article_id=aid, story_id=sid, seq=i))

    def story_states(self, active_since: datetime | None = None) -> list[dict]:
        """Every clustering state, or only those of stories still active at `active_since`: their
        `last_seen` is at or after it, or unknown (no dated member), so they can still be joined.

        Active stories are found from their members' publication times (a story's `last_seen` is
        its latest member's), so the states of inactive stories are never read.
        """
        if active_since is None:
            with self.engine.connect() as conn:
                rows = conn.execute(select(t.stories.c.id, t.stories.c.data)).all()
            return [json.loads(d) for _, d in sorted(rows)]  # code-point order of ids, on any backend
        m, a = t.story_members.c, t.articles.c
        last = func.max(a.published_at)
        since = _utc(active_since)
        q = (select(m.story_id).select_from(t.story_members.join(t.articles, a.id == m.article_id))
             .group_by(m.story_id)
             .having(last.is_(None) | (last >= (since - _ZONE_SLACK).isoformat())))
        with self.engine.connect() as conn:
            active = list(conn.execute(q).scalars())
        states = self.story_states_of(active)
        return [d for d in states if not d.get("last_seen") or _iso_in(d["last_seen"], since, None)]

    def story_members(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        with self.engine.connect() as conn:
            for aid, sid in conn.execute(select(t.story_members.c.article_id, t.story_members.c.story_id)
                                         .order_by(t.story_members.c.seq)):
                out.setdefault(sid, []).append(aid)
        return out

    # -- comparisons ------------------------------------------------------------------------
    def save_comparisons(self, comps: Sequence[Comparison], stories: Sequence[Story]) -> None:
        with self.engine.begin() as conn:
            ids = [c.story_id for c in comps]
            if ids:
                _delete_in(conn, t.comparisons.c.story_id, ids)
                conn.execute(insert(t.comparisons), [
                    {"story_id": c.story_id, "data": json.dumps(
                        {"comparison": ser.comparison_to_dict(c), "story": ser.story_to_dict(s)},
                        ensure_ascii=False)} for c, s in zip(comps, stories, strict=True)])
                _delete_in(conn, t.story_entities.c.story_id, ids)
                names = [{"story_id": s.id, "name": name} for s in stories
                         for name in sorted({e.lower() for e in s.entities})]
                if names:
                    conn.execute(insert(t.story_entities), names)

    def comparisons(self) -> list[tuple[Story, Comparison]]:
        with self.engine.connect() as conn:
            rows = [json.loads(d) for d in conn.execute(select(t.comparisons.c.data)).scalars()]
        out = [(ser.story_from_dict(r["story"]), ser.comparison_from_dict(r["comparison"])) for r in rows]
        out.sort(key=lambda sc: (-len(sc[0].articles), sc[0].first_seen.isoformat() if sc[0].first_seen else "", sc[0].id))
        return out

    def stale_story_ids(self) -> list[str]:
        """Stories whose comparison is missing or older than their membership (`save_stories`
        flags the latter), read through indexes: no comparison JSON, no member lists."""
        m, c = t.story_members.c, t.comparisons.c
        missing = select(m.story_id).where(~exists().where(c.story_id == m.story_id)).distinct()
        flagged = select(c.story_id).where(c.stale == 1).where(exists().where(m.story_id == c.story_id))
        with self.engine.connect() as conn:
            return sorted(set(conn.execute(missing).scalars()) | set(conn.execute(flagged).scalars()))

    # -- server reads: a page of stories, one story -------------------------------------------
    # Each reads only the rows asked for (or, for `story_index`, one narrow aggregate), so a
    # request's work does not grow with the comparisons stored.

    def story_sizes(self) -> list[tuple[str, int]]:
        """Every story with a comparison as (id, members), unsorted: one aggregate over the
        memberships' story index, no JSON and no article rows read."""
        m, c = t.story_members.c, t.comparisons.c
        q = (select(m.story_id, func.count()).where(exists().where(c.story_id == m.story_id))
             .group_by(m.story_id))
        with self.engine.connect() as conn:
            return [(sid, int(n)) for sid, n in conn.execute(q)]

    def story_spans(self, story_ids: Iterable[str]) -> dict[str, tuple[str | None, str | None]]:
        """Story id -> (first, last) publication time of its members as stored (ISO 8601; None
        when no member is dated), for these stories.

        For a store whose comparisons are up to date, ``(-members, first or "", id)`` orders
        stories as `comparisons` does (a story's first_seen is its earliest member's publication).
        """
        m, a = t.story_members.c, t.articles.c
        q = (select(m.story_id, func.min(a.published_at), func.max(a.published_at))
             .select_from(t.story_members.join(t.articles, a.id == m.article_id)).group_by(m.story_id))
        with self.engine.connect() as conn:
            return {sid: (first, last) for sid, first, last in _select_in(conn, q, m.story_id,
                                                                           dict.fromkeys(story_ids))}

    def comparisons_of(self, story_ids: Iterable[str]) -> list[tuple[Story, Comparison]]:
        """The stored comparisons of these stories (those that have one), ordered as `comparisons`."""
        with self.engine.connect() as conn:
            rows = [json.loads(r[0]) for r in _select_in(conn, select(t.comparisons.c.data),
                                                       t.comparisons.c.story_id, dict.fromkeys(story_ids))]
        out = [(ser.story_from_dict(r["story"]), ser.comparison_from_dict(r["comparison"])) for r in rows]
        out.sort(key=lambda sc: (-len(sc[0].articles), sc[0].first_seen.isoformat() if sc[0].first_seen else "", sc[0].id))
        return out

    def story_states_of(self, story_ids: Iterable[str]) -> list[dict]:
        """The clustering states of these stories (as `story_states`, only those asked for)."""
        with self.engine.connect() as conn:
            rows = [tuple(r) for r in _select_in(conn, select(t.stories.c.id, t.stories.c.data),
                                                 t.stories.c.id, dict.fromkeys(story_ids))]
        return [json.loads(d) for _, d in sorted(rows)]

    def find_story(self, ref: str) -> str | None:
        """A story with a comparison by id, else by a prefix of its id matching only that story."""
        c = t.comparisons.c
        with self.engine.connect() as conn:
            if conn.execute(select(c.story_id).where(c.story_id == ref)).scalar() is not None:
                return ref
            # SQLite's LIKE ignores case, so the prefix is checked again here (case-sensitive)
            found = [s for s in conn.execute(select(c.story_id).where(
                c.story_id.startswith(ref, autoescape=True))).scalars() if s.startswith(ref)]
        return found[0] if len(found) == 1 else None

    def stories_of(self, article_ids: Iterable[str]) -> dict[str, str]:
        """Article id -> its story id, for those of `article_ids` in a story."""
        m = t.story_members.c
        with self.engine.connect() as conn:
            return {aid: sid for aid, sid in _select_in(conn, select(m.article_id, m.story_id), m.article_id,
                                                         dict.fromkeys(article_ids))}

    def stories_with_entity(self, text: str) -> set[str]:
        """Ids of the compared stories with an entity whose name contains `text`, ignoring case
        (`str.lower` on both sides, so not only ASCII): a scan of the narrow entity rows."""
        e = t.story_entities.c
        q = select(e.story_id).where(e.name.contains(text.lower(), autoescape=True)).distinct()
        with self.engine.connect() as conn:
            return set(conn.execute(q).scalars())

    def stories_with_outlet(self, outlets: Iterable[str]) -> set[str]:
        """Ids of the stories with a member article from one of these outlets (exact names)."""
        m, a = t.story_members.c, t.articles.c
        q = select(m.story_id).select_from(t.story_members.join(t.articles, a.id == m.article_id)).distinct()
        with self.engine.connect() as conn:
            return {r[0] for r in _select_in(conn, q, a.outlet, list(dict.fromkeys(outlets)))}

    def outlets(self) -> list[str]:
        """The distinct outlet names of the stored articles (no None), in no set order."""
        a = t.articles.c
        with self.engine.connect() as conn:
            return list(conn.execute(select(a.outlet).where(a.outlet.is_not(None)).distinct()).scalars())

    def article_outlets(self, article_ids: Iterable[str]) -> dict[str, str | None]:
        """Article id -> outlet, for the stored ones of `article_ids` (no texts loaded)."""
        a = t.articles.c
        with self.engine.connect() as conn:
            return dict(tuple(r) for r in _select_in(conn, select(a.id, a.outlet), a.id, dict.fromkeys(article_ids)))

    def relations_among(self, ids: Iterable[str]) -> list[Relation]:
        """The relations with both articles in `ids`, ordered as `relations` (found through the
        (a, b) key: rows whose `a` is in ids, kept when `b` is too)."""
        inside = list(dict.fromkeys(ids))
        wanted = set(inside)
        q = select(t.relations.c.b, t.relations.c.data)
        with self.engine.connect() as conn:
            rels = [ser.relation_from_dict(json.loads(d))
                    for b, d in _select_in(conn, q, t.relations.c.a, inside) if b in wanted]
        return sorted(rels, key=lambda r: (r.a, r.b))

    # -- feed watching --------------------------------------------------------------------
    # `newsprism watch` keeps its state here so that a restarted watcher carries on (tables
    # feed_state and page_failures); rows are found by the SHA-256 of their URL.
    @staticmethod
    def _url_key(url: str) -> str:
        from hashlib import sha256

        return sha256(url.encode("utf-8", "surrogatepass")).hexdigest()

    def _upsert_by_url(self, table, rows: Mapping[str, Mapping]) -> None:  # type: ignore[no-untyped-def]
        """Replace the rows of `table` for these urls, in one transaction (both backends)."""
        new = [{**row, "key": self._url_key(url), "url": url} for url, row in rows.items()]
        with self.engine.begin() as conn:
            _delete_in(conn, table.c.key, [r["key"] for r in new])
            if new:
                conn.execute(insert(table), new)

    def feed_states(self, urls: Iterable[str]) -> dict[str, dict]:
        """Feed url -> {etag, last_modified, seen (entry keys), polled_at, error} for those of
        `urls` polled before."""
        f = t.feed_state.c
        keys = {self._url_key(u): u for u in urls}
        q = select(f.key, f.etag, f.last_modified, f.seen, f.polled_at, f.error)
        with self.engine.connect() as conn:
            rows = list(_select_in(conn, q, f.key, keys))
        return {keys[k]: {"etag": etag, "last_modified": lm, "seen": json.loads(seen), "polled_at": at,
                          "error": error} for k, etag, lm, seen, at, error in rows}

    def save_feed_state(self, url: str, *, etag: str | None, last_modified: str | None,
                        seen: Iterable[str], polled_at: float, error: str | None = None) -> None:
        """Record a feed's poll: validators to send next time, entries handled, when, what failed."""
        self._upsert_by_url(t.feed_state, {url: {
            "etag": etag, "last_modified": last_modified, "seen": json.dumps(sorted(seen), ensure_ascii=False),
            "polled_at": polled_at, "error": error}})

    def page_failures(self, urls: Iterable[str]) -> dict[str, dict]:
        """Page url -> {failures, error, retry_at (None: given up)} for those of `urls` that failed."""
        p = t.page_failures.c
        keys = {self._url_key(u): u for u in urls}
        q = select(p.key, p.failures, p.error, p.retry_at)
        with self.engine.connect() as conn:
            rows = list(_select_in(conn, q, p.key, keys))
        return {keys[k]: {"failures": n, "error": error, "retry_at": at} for k, n, error, at in rows}

    def save_page_failures(self, failures: Mapping[str, Mapping], *, feed: str | None = None) -> None:
        """Record failed pages: url -> {failures, error, retry_at (None: given up)}, written by
        the poll of `feed` (see `forget_unlisted_page_failures`)."""
        if failures:
            key = None if feed is None else self._url_key(feed)
            self._upsert_by_url(t.page_failures, {u: {**row, "feed_key": key} for u, row in failures.items()})

    def forget_page_failures(self, urls: Iterable[str]) -> None:
        """Drop the failure records of these urls (their pages have been stored)."""
        keys = [self._url_key(u) for u in dict.fromkeys(urls)]
        if keys:
            with self.engine.begin() as conn:
                _delete_in(conn, t.page_failures.c.key, keys)

    def forget_unlisted_page_failures(self, feed: str, listed: Iterable[str]) -> int:
        """Drop the failure records `feed`'s polls wrote for pages other than `listed` (the
        feed's current pages); returns how many went."""
        p = t.page_failures.c
        keep = set(listed)
        with self.engine.begin() as conn:
            rows = conn.execute(select(p.key, p.url).where(p.feed_key == self._url_key(feed)))
            gone = [key for key, url in rows if url not in keep]
            _delete_in(conn, p.key, gone)
        return len(gone)
