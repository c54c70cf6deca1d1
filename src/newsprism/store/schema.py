"""SQLAlchemy Core schema shared by every backend (SQLite by default, PostgreSQL in server mode).

A change here needs an Alembic revision in `migrations/versions/` that produces the same schema
(tests compare the two on both backends).
"""

from __future__ import annotations

from sqlalchemy import (
    Column, Float, ForeignKey, Index, Integer, LargeBinary, MetaData, String, Table, Text,
)

#: Written to `meta.schema_version` by the initial revision. Alembic's `alembic_version` table is
#: what newsprism reads now; this row stays for stores made before Alembic, which it stamps.
SCHEMA_VERSION = "1"

metadata = MetaData()

articles = Table(
    "articles", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(32), nullable=False, unique=True),
    Column("origin", Text, nullable=False),
    Column("url", Text),
    Column("outlet", Text),
    Column("title", Text, nullable=False, default=""),
    Column("byline", Text),
    Column("published_at", String(40)),  # ISO 8601; sortable for one timezone convention
    Column("language", String(16)),
    Column("text", Text, nullable=False),
    Column("raw", Text, nullable=False),
    Column("removed", Text, nullable=False, default="[]"),  # JSON list of RemovedSpan dicts
    Column("source_id", Text),
    Column("date_source", String(8)),  # page, url, fetch; NULL: unknown (rows stored before 0006)
    # the watcher asks which feed links are stored already; hash on PostgreSQL: equality is all it
    # needs, and a b-tree refuses rows whose URL is over ~2.7 kB
    Index("ix_articles_url", "url", postgresql_using="hash"),
)

analyses = Table(
    "analyses", metadata,
    Column("article_id", String(32), ForeignKey("articles.id"), primary_key=True),
    Column("data", Text, nullable=False),
)

vectors = Table(
    "vectors", metadata,
    Column("article_id", String(32), ForeignKey("articles.id"), primary_key=True),
    Column("n", Integer, nullable=False),
    Column("doc", LargeBinary, nullable=False),
    Column("sentences", LargeBinary, nullable=False),
    Column("ml_doc", LargeBinary, nullable=False),
    Column("ml_sentences", LargeBinary, nullable=False),
)

# MinHash of each article's clean text, so that an incremental run signs only its new articles.
signatures = Table(
    "signatures", metadata,
    Column("article_id", String(32), ForeignKey("articles.id"), primary_key=True),
    Column("seed", Integer, nullable=False),
    Column("scheme", String(32), nullable=False),  # datasketch hashing scheme
    Column("hashvalues", LargeBinary, nullable=False),  # uint64 per permutation
)

relations = Table(
    "relations", metadata,
    Column("a", String(32), primary_key=True),
    Column("b", String(32), primary_key=True),
    Column("kind", String(24), nullable=False),
    Column("score", Float, nullable=False),
    Column("data", Text, nullable=False),
    # relations touching some articles are `a IN .. OR b IN ..`: the key serves a, this b
    Index("ix_relations_b", "b"),
)

# An article is listed here once it has been compared with every article stored before it.
related = Table(
    "related", metadata,
    Column("article_id", String(32), ForeignKey("articles.id"), primary_key=True),
)

stories = Table(
    "stories", metadata,
    Column("id", String(32), primary_key=True),
    Column("data", Text, nullable=False),  # Story dict + clustering state (centroids)
)

story_members = Table(
    "story_members", metadata,
    Column("article_id", String(32), ForeignKey("articles.id"), primary_key=True),
    Column("story_id", String(32), nullable=False, index=True),
    Column("seq", Integer, nullable=False),  # order of assignment
)

comparisons = Table(
    "comparisons", metadata,
    Column("story_id", String(32), primary_key=True),
    Column("data", Text, nullable=False),
    # 1 once the story's membership changed after this comparison was made; a run recompares
    # these (and stories with no comparison) without reading every comparison's JSON
    Column("stale", Integer, nullable=False, server_default="0", index=True),
)

# The entities of each compared story (as its comparison's Story holds them), lower-cased, so the
# server's entity filter reads these short rows instead of every comparison's JSON. Written and
# deleted with the comparison. No key on the name: a b-tree key refuses long text on PostgreSQL.
story_entities = Table(
    "story_entities", metadata,
    Column("story_id", String(32), nullable=False, index=True),
    Column("name", Text, nullable=False),  # str.lower() of the entity name
)

meta = Table(
    "meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# `newsprism watch`, per feed: the last poll's conditional-GET validators and the entries already
# handled, so a restarted watcher carries on where it stopped. Rows are keyed by the SHA-256 of the
# URL because a PostgreSQL b-tree key cannot hold a URL over ~2.7 kB.
feed_state = Table(
    "feed_state", metadata,
    Column("key", String(64), primary_key=True),  # sha256 hex of url
    Column("url", Text, nullable=False),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("seen", Text, nullable=False),  # JSON list of entry keys (guid, else link)
    Column("polled_at", Float),  # Unix time of the last poll
    Column("error", Text),  # what went wrong in the last poll; NULL when it went well
)

# Pages the watcher failed to get: retried across polls with growing backoff, then given up; a
# record goes once the feed that wrote it no longer lists its page (see watch.Watcher).
page_failures = Table(
    "page_failures", metadata,
    Column("key", String(64), primary_key=True),  # sha256 hex of url
    Column("url", Text, nullable=False),
    Column("failures", Integer, nullable=False),
    Column("error", Text, nullable=False),  # the last failure
    Column("retry_at", Float),  # Unix time of the next try; NULL once given up
    Column("feed_key", String(64)),  # sha256 hex of the url of the feed that wrote it (NULL before 0007)
    Index("ix_page_failures_feed_key", "feed_key"),
)
