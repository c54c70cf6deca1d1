from datetime import datetime, timezone

import numpy as np

from newsprism.embed import ArticleVectors
from newsprism.models import Analysis, Article, Relation, RemovedSpan, Span
from newsprism.store import open_store


def _art(i: int, text: str = "Body text.") -> Article:
    return Article(id=f"id{i}", origin=f"f{i}.txt", text=f"{text} {i}", raw=f"{text} {i}\nShare this",
                   title=f"Title {i}", outlet="a.example",
                   published_at=datetime(2026, 3, i + 1, tzinfo=timezone.utc),
                   removed=(RemovedSpan(12, 22, "share", "Share this", 3),))


def test_add_articles_is_idempotent(store_url):
    store = open_store(store_url)
    assert store.add_articles([_art(1), _art(2)]) == ["id1", "id2"]
    assert store.add_articles([_art(2), _art(3), _art(3)]) == ["id3"]
    assert store.count_articles() == 3
    back = store.article("id1")
    assert back == _art(1)


def test_reopen_keeps_data_and_pending_work(store_url):
    path = store_url
    s1 = open_store(path)
    s1.add_articles([_art(1), _art(2)])
    s1.save_analyses([Analysis("id1", "en", (Span(0, 4, "Body"),))])
    s1.close()
    s2 = open_store(path)
    assert s2.ids_without_analysis() == ["id2"]
    assert s2.analyses(["id1"])["id1"].sentences[0].text == "Body"


def test_vectors_round_trip(store_url):
    store = open_store(store_url)
    store.add_articles([_art(1)])
    v = ArticleVectors("id1", np.ones(4, np.float32), np.arange(8, dtype=np.float32).reshape(2, 4),
                       np.ones(3, np.float32), np.zeros((2, 3), np.float32))
    store.save_vectors([v])
    got = store.vectors(["id1"])["id1"]
    assert got.sentences.shape == (2, 4) and got.sentences[1, 3] == 7
    assert store.ids_without_vectors() == []


def test_relations_and_related_marker_commit_together(store_url):
    store = open_store(store_url)
    store.add_articles([_art(1), _art(2)])
    r = Relation("id1", "id2", "verbatim", 0.99, "a_first", ("same text",))
    store.save_relations([r], ["id2"])
    assert store.relation("id2", "id1").kind == "verbatim"
    assert store.ids_not_related() == ["id1"]


def test_resolve_article_by_prefix_and_file_name(store_url):
    store = open_store(store_url)
    store.add_articles([Article(id="abcdef0123", origin="/data/x/story.txt", text="t", raw="t"),
                        Article(id="99", origin="feed.jsonl:4", text="u", raw="u", source_id="wire-7")])
    assert store.resolve_article("wire-7").id == "99"
    assert store.resolve_article("abcd").id == "abcdef0123"
    assert store.resolve_article("story.txt").id == "abcdef0123"
    assert store.resolve_article("nope") is None
    assert store.resolve_article("STORY.TXT").id == "abcdef0123"  # case-insensitive on both backends
    assert store.resolve_article("abcd%") is None  # wildcards in the reference are literal


def test_store_creates_missing_folders_and_reports_failures_on_one_line(tmp_path):
    import pytest

    from newsprism.errors import StoreError

    store = open_store(str(tmp_path / "a" / "b" / "s.db"))
    assert store.count_articles() == 0
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError) as exc:
        open_store(str(tmp_path / "file" / "s.db"))
    assert "\n" not in str(exc.value) and "file" in str(exc.value)


def test_signatures_round_trip_and_stale_ones_are_ignored(store_url):
    from newsprism.relate import RelateConfig, minhash_scheme, minhash_signatures

    store = open_store(store_url)
    arts = [_art(i, f"Body text number {i} with several more words in it.") for i in range(3)]
    store.add_articles(arts)
    cfg = RelateConfig()
    sigs = minhash_signatures(arts, config=cfg)
    store.save_signatures(sigs)
    back = store.signatures(seed=cfg.seed, num_perm=cfg.num_perm, scheme=minhash_scheme(cfg))
    assert set(back) == set(sigs)
    for aid, m in sigs.items():
        assert back[aid].jaccard(m) == 1.0
    assert store.signatures(seed=cfg.seed + 1, num_perm=cfg.num_perm, scheme=minhash_scheme(cfg)) == {}
    assert store.signatures(seed=cfg.seed, num_perm=64, scheme=minhash_scheme(cfg)) == {}


def test_id_lists_longer_than_one_in_query_are_read_in_chunks(monkeypatch, store_url):
    """Reads by id list split the IN (...) list, so huge stories never hit SQLite's variable cap."""
    from newsprism.store import sql

    monkeypatch.setattr(sql, "IN_CHUNK", 3)
    store = open_store(store_url)
    arts = [_art(i) for i in range(1, 9)]
    store.add_articles(arts)
    assert store.add_articles(arts) == []  # the already-stored check also spans chunks
    ids = [a.id for a in reversed(arts)]
    assert [a.id for a in store.articles(ids)] == ids
    store.save_analyses([Analysis(a.id, "en", (Span(0, 4, "Body"),)) for a in arts])
    assert sorted(store.analyses(ids)) == sorted(ids)
    store.save_vectors([ArticleVectors(a.id, np.ones(4, np.float32), np.zeros((0, 4), np.float32),
                                       np.full(3, i, np.float32), np.zeros((0, 3), np.float32))
                        for i, a in enumerate(arts)])
    assert sorted(store.vectors(ids)) == sorted(ids)
    docs = store.doc_vectors(ids)
    assert sorted(docs) == sorted(ids) and docs["id8"].ml_doc[0] == 7
    rels = [Relation(f"id{i}", f"id{i + 1}", "verbatim", 0.99) for i in range(1, 8)]
    store.save_relations(rels, [])
    got = store.relations(ids)
    assert [(r.a, r.b) for r in got] == sorted((r.a, r.b) for r in rels)  # each once, in order


# -- both backends: full round trip, ordering, migrations ------------------------------------------

def _vec(aid: str, k: float) -> ArticleVectors:
    return ArticleVectors(aid, np.full(4, k, np.float32), np.arange(8, dtype=np.float32).reshape(2, 4) + k,
                          np.full(3, k, np.float32), np.full((2, 3), k, np.float32))


def test_round_trip_of_every_record_kind(store_url):
    from newsprism.models import Comparison, Story

    store = open_store(store_url)
    arts = [_art(i, "Ünïcode — «quoted» 東京") for i in range(1, 5)]
    assert store.add_articles(arts) == [a.id for a in arts]
    assert store.articles() == arts  # insertion order (seq), every field back as written
    store.save_analyses([Analysis(a.id, "en", (Span(0, 4, "Ünïc"),)) for a in arts])
    store.save_analyses([Analysis("id1", "fr", (Span(0, 2, "Ün"),))])  # replaced, not duplicated
    assert store.analyses(["id1"])["id1"].language == "fr" and store.ids_without_analysis() == []
    store.save_vectors([_vec(a.id, i) for i, a in enumerate(arts)])
    store.save_vectors([_vec("id2", 9.5)])
    back = store.vectors()
    assert sorted(back) == [a.id for a in arts] and back["id2"].sentences[1, 3] == 16.5
    assert store.doc_vectors(["id3"])["id3"].ml_doc.tolist() == [2.0] * 3
    rels = [Relation("id2", "id3", "spin", 0.7, "b_first", ("why",)),
            Relation("id1", "id2", "verbatim", 0.99, "a_first", ("same text",))]
    store.save_relations(rels, ["id1", "id2"])
    store.save_relations([Relation("id1", "id2", "near_verbatim", 0.9)], ["id2"])
    assert [(r.a, r.b, r.kind) for r in store.relations()] == [("id1", "id2", "near_verbatim"),
                                                                ("id2", "id3", "spin")]
    assert [r.kind for r in store.relations(kinds=["spin"])] == ["spin"]
    assert store.ids_not_related() == ["id3", "id4"]
    states = [{"id": "s2", "label": "two"}, {"id": "s1", "label": "one"}]
    store.save_stories(states, [("id1", "s1"), ("id2", "s1"), ("id3", "s2")])
    store.save_stories([{"id": "s1", "label": "one+"}], [("id4", "s1")])
    assert [d["label"] for d in store.story_states()] == ["one+", "two"]
    assert store.story_members() == {"s1": ["id1", "id2", "id4"], "s2": ["id3"]}
    assert store.ids_without_story() == []
    story = Story(id="s1", label="one", articles=("id1", "id2", "id4"))
    store.save_comparisons([Comparison(story_id="s1", lines=(("id1", "id2"), ("id4",)), originals=("id1", None))], [story])
    (got_story, got_comp), = store.comparisons()
    assert got_story.id == "s1" and got_comp.story_id == "s1"
    assert store.stale_story_ids() == ["s2"]
    store.save_stories([], [], drop=["s1"])
    assert store.comparisons() == [] and [d["id"] for d in store.story_states()] == ["s2"]
    assert store.languages() == {a.id: None for a in arts}


def test_new_store_is_at_head_and_upgrade_is_a_no_op(store_url):
    from newsprism.store import migrate

    store = open_store(store_url)
    with store.engine.begin() as conn:
        assert migrate.current(conn) == migrate.head()
        assert migrate.upgrade(conn) == (migrate.head(), migrate.head())
    store.close()
    assert open_store(store_url).count_articles() == 0


def test_migrations_build_exactly_the_schema_module(store_url):
    """The Alembic revisions and schema.py describe one schema (no autogenerate diff), the
    full-text objects outside schema.py included (the server's FTS5 table, PostgreSQL's tsvector)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import inspect

    from newsprism.server.search import ensure_search_index
    from newsprism.store import migrate, schema

    store = open_store(store_url)
    ensure_search_index(store.engine)
    with store.engine.connect() as conn:
        opts = {"compare_type": True, "include_object": migrate.include_object}
        diff = compare_metadata(MigrationContext.configure(conn, opts=opts), schema.metadata)
        names = set(inspect(conn).get_table_names()) | {c["name"] for c in inspect(conn).get_columns("articles")}
    assert diff == []
    assert ("articles_fts" if store.engine.dialect.name == "sqlite" else "search_doc") in names


def test_a_store_made_before_alembic_is_stamped_and_keeps_its_data(store_url):
    """Stores written before Alembic: the schema by create_all, meta.schema_version 1, no version table."""
    from sqlalchemy import create_engine, insert, inspect

    from newsprism.store import migrate, schema
    from newsprism.store.sql import _url

    engine = create_engine(_url(store_url))
    schema.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(schema.meta).values(key="schema_version", value="1"))
    engine.dispose()
    legacy = open_store(store_url)  # earlier stores open as before
    assert legacy.count_articles() == 0
    legacy.add_articles([_art(1)])
    with legacy.engine.connect() as conn:
        assert migrate.current(conn) == migrate.head()
        assert "alembic_version" in inspect(conn).get_table_names()
    legacy.close()
    assert open_store(store_url).article("id1") == _art(1)


def test_db_upgrade_command_brings_a_store_to_head_twice_without_change(store_url):
    from typer.testing import CliRunner

    from newsprism.cli import app
    from newsprism.store import migrate

    runner = CliRunner()
    first = runner.invoke(app, ["db", "upgrade", "--db", store_url])
    assert first.exit_code == 0, first.output
    assert migrate.head() in first.output
    again = runner.invoke(app, ["db", "upgrade", "--db", store_url])
    assert again.exit_code == 0 and "already at" in again.output, again.output
    cur = runner.invoke(app, ["db", "current", "--db", store_url])
    assert cur.exit_code == 0 and migrate.head() in cur.output, cur.output


def test_a_store_newer_than_this_newsprism_is_refused(store_url):
    import pytest
    from sqlalchemy import text

    from newsprism.errors import StoreError

    store = open_store(store_url)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_future'"))
    store.close()
    with pytest.raises(StoreError, match="ffff_future"):
        open_store(store_url)


def test_nul_characters_in_article_text(store_url):
    """PostgreSQL text cannot hold NUL: the store writes U+FFFD there (same length, offsets hold)."""
    store = open_store(store_url)
    art = Article(id="nul1", origin="x.jsonl:1", text="a\x00b", raw="a\x00b", title="t\x00")
    assert store.add_articles([art]) == ["nul1"]
    back = store.article("nul1")
    if store.engine.dialect.name == "postgresql":
        assert back.text == "a\ufffdb" and back.title == "t\ufffd"
    else:
        assert back == art


def test_postgresql_url_without_driver_uses_psycopg():
    from newsprism.store.sql import _label, _url

    assert _url("postgresql://u@127.0.0.1:5/db") == "postgresql+psycopg://u@127.0.0.1:5/db"
    assert _url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert _url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert _url(":memory:") == "sqlite://"
    assert "secret" not in _label("postgresql://u:secret@h/db")


def test_plain_postgresql_url_opens(pg_url):
    store = open_store(pg_url.replace("postgresql+psycopg://", "postgresql://"))
    assert store.engine.dialect.driver == "psycopg"
    assert store.add_articles([_art(1)]) == ["id1"]


def test_unreachable_postgresql_is_one_line_error_without_password():
    import pytest

    from newsprism.errors import StoreError

    with pytest.raises(StoreError) as exc:
        open_store("postgresql://u:secret@127.0.0.1:1/nope?connect_timeout=2")
    assert "\n" not in str(exc.value) and "secret" not in str(exc.value)


def test_db_commands_have_help():
    from typer.testing import CliRunner

    from newsprism.cli import app

    for args in (["db", "--help"], ["db", "upgrade", "--help"], ["db", "current", "--help"]):
        res = CliRunner().invoke(app, args)
        assert res.exit_code == 0 and "Usage" in res.output, res.output
    assert "postgresql://" in CliRunner().invoke(app, ["db", "upgrade", "--help"]).output


# -- server reads: a page of stories, one story (both backends) ------------------------------------

def _stories_store(store_url, monkeypatch=None):
    """Seven articles in stories S1 (3, outlet "Ünï Times"), s2 (2), s3 (1, undated), s4 (1),
    each with a comparison whose story holds first/last seen as the pipeline writes them."""
    from newsprism.models import Comparison, Story

    store = open_store(store_url)
    arts = [_art(i) for i in range(1, 8)]
    arts[0] = Article(**{**{f: getattr(arts[0], f) for f in Article.__dataclass_fields__}, "outlet": "Ünï Times"})
    arts[5] = Article(id="id6", origin="f6.txt", text="t6", raw="t6", outlet=None)
    store.add_articles(arts)
    by_id = {a.id: a for a in arts}
    groups = {"S1": ["id3", "id1", "id2"], "s2": ["id5", "id4"], "s3": ["id6"], "s4": ["id7"]}
    store.save_stories([{"id": s, "label": s, "merges": [s.lower()]} for s in groups],
                       [(a, s) for s, ids in groups.items() for a in ids])
    entities = {"S1": ("Berlin", "Angela Merkel"), "s2": ("BERLIN Airport", "Zoë Quay"), "s3": ("100%_Ltd",)}
    stories = []
    for s, ids in groups.items():
        times = [by_id[a].published_at for a in ids if by_id[a].published_at]
        stories.append(Story(id=s, label=s, articles=tuple(ids), first_seen=min(times, default=None),
                             last_seen=max(times, default=None), entities=entities.get(s, ())))
    store.save_comparisons([Comparison(story_id=s.id, lines=(s.articles,), originals=(s.articles[0],))
                            for s in stories], stories)
    rels = [Relation("id1", "id2", "verbatim", 0.9), Relation("id3", "id1", "spin", 0.6),
            Relation("id2", "id4", "same_story", 0.3), Relation("id5", "id4", "verbatim", 0.8)]
    store.save_relations(rels, [])
    return store


def test_story_sizes_and_spans_rank_as_comparisons(store_url):
    store = _stories_store(store_url)
    sizes = dict(store.story_sizes())
    assert sizes == {"S1": 3, "s2": 2, "s3": 1, "s4": 1}
    spans = store.story_spans(["s2", "s3", "nope"])
    assert spans == {"s2": ("2026-03-05T00:00:00+00:00", "2026-03-06T00:00:00+00:00"), "s3": (None, None)}
    spans = store.story_spans(sizes)
    ranked = sorted(sizes, key=lambda s: (-sizes[s], spans[s][0] or "", s))
    assert ranked == [st.id for st, _ in store.comparisons()] == ["S1", "s2", "s3", "s4"]
    store.save_stories([{"id": "s5", "label": "no comparison"}], [])
    assert len(store.story_sizes()) == 4  # only stories with a comparison are listed


def test_one_story_reads(store_url):
    store = _stories_store(store_url)
    assert [st.id for st, _ in store.comparisons_of(["s4", "S1", "nope", "s4"])] == ["S1", "s4"]
    assert store.comparisons_of([]) == []
    assert [d["merges"] for d in store.story_states_of(["s2", "S1"])] == [["s1"], ["s2"]]
    assert store.find_story("s2") == "s2" and store.find_story("S") == "S1"
    assert store.find_story("s") is None  # s2, s3 and s4: not unique
    assert store.find_story("S1x") is None and store.find_story("%") is None and store.find_story("_2") is None
    assert store.stories_of(["id4", "id1", "nope"]) == {"id4": "s2", "id1": "S1"}
    assert sorted(store.outlets()) == ["a.example", "Ünï Times"]
    assert store.stories_with_outlet(["Ünï Times"]) == {"S1"}
    assert store.stories_with_outlet(["a.example"]) == {"S1", "s2", "s4"}
    assert store.article_outlets(["id6", "id1", "nope"]) == {"id6": None, "id1": "Ünï Times"}
    got = store.relations_among(["id4", "id1", "id2", "id3"])
    want = [r for r in store.relations(["id1", "id2", "id3", "id4"])
            if {r.a, r.b} <= {"id1", "id2", "id3", "id4"}]
    assert got == want and [(r.a, r.b) for r in got] == [("id1", "id2"), ("id2", "id4"), ("id3", "id1")]
    assert store.relations_among(["id5"]) == []


def test_one_story_reads_span_chunks(monkeypatch, store_url):
    from newsprism.store import sql

    monkeypatch.setattr(sql, "IN_CHUNK", 2)
    store = _stories_store(store_url)
    assert [st.id for st, _ in store.comparisons_of(["s4", "s3", "s2", "S1"])] == ["S1", "s2", "s3", "s4"]
    assert len(store.relations_among([f"id{i}" for i in range(1, 8)])) == 4
    assert len(store.stories_of([f"id{i}" for i in range(1, 8)])) == 7
    assert len(store.story_spans(["S1", "s2", "s3", "s4"])) == 4


def test_server_story_list_matches_a_scan_of_every_comparison(store_url):
    from datetime import date

    from newsprism.server import queries

    store = _stories_store(store_url)
    F = queries.StoryFilter
    for f in (F(), F(outlet="ünï"), F(outlet="EXAMPLE"), F(since=date(2026, 3, 5)), F(until=date(2026, 3, 2)),
              F(outlet="nobody"), F(q="Body 4"), F(entity="berlin"), F(entity=" ZOË "), F(entity="%_"),
              F(entity="%"), F(entity="nobody"), F(entity="Berlin", until=date(2026, 3, 3)),
              F(entity="e", outlet="ünï"), F(entity="berlin", q="Body 4")):
        for limit, offset in ((50, 0), (1, 0), (1, 1), (1, 2), (2, 1), (2, 3), (3, 4)):
            fast = queries.list_stories(store, f, limit=limit, offset=offset)
            assert fast == _scan_stories(store, f, limit=limit, offset=offset), (f, limit, offset)
    assert [s["id"] for s in queries.list_stories(store, F(entity="berlin"), limit=9, offset=0)[1]] == ["S1", "s2"]
    assert queries.list_stories(store, F(entity="%_"), limit=9, offset=0)[0] == 1  # wildcards are literal


def _scan_stories(store, f, *, limit, offset):
    """What `list_stories` must return, by brute force: every comparison read and filtered."""
    from newsprism.server.queries import _day, _summary
    from newsprism.server.search import article_rows, search_article_ids

    rows = article_rows(store.engine)
    hits = set(search_article_ids(store.engine, f.q, ranked=False)) if f.q and f.q.strip() else None
    outlet = f.outlet.strip().lower() if f.outlet else None
    entity = f.entity.strip().lower() if f.entity else None
    items = []
    for st, comp in store.comparisons():
        outlets = sorted({rows[a].outlet for a in st.articles if a in rows and rows[a].outlet})
        first, last = _day(st.first_seen), _day(st.last_seen)
        dated = f.since is None and f.until is None or (
            first is not None and last is not None
            and (f.since is None or last >= f.since) and (f.until is None or first <= f.until))
        if (hits is None or hits.intersection(st.articles)) and dated \
                and (not outlet or any(outlet in o.lower() for o in outlets)) \
                and (not entity or any(entity in e.lower() for e in st.entities)):
            items.append(_summary(st, comp, outlets))
    return len(items), items[offset:offset + limit]


def test_story_entity_rows_follow_their_comparison(store_url):
    from newsprism.models import Comparison, Story

    store = _stories_store(store_url)
    assert store.stories_with_entity("BERLIN") == {"S1", "s2"}
    assert store.stories_with_entity("zoë") == {"s2"} and store.stories_with_entity("_") == {"s3"}
    store.save_comparisons([Comparison(story_id="s2", lines=(), originals=())],
                           [Story(id="s2", label="", articles=("id5", "id4"), entities=("Paris",))])
    assert store.stories_with_entity("berlin") == {"S1"} and store.stories_with_entity("paris") == {"s2"}
    store.save_stories([], [], drop=["S1"])  # a story merged away loses its comparison and its entities
    assert store.stories_with_entity("berlin") == set()


def test_upgrade_to_0009_fills_the_entities_of_comparisons_already_stored(tmp_path):
    import json

    from alembic import command
    from sqlalchemy import create_engine, text

    from newsprism.store import migrate

    db = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        command.upgrade(migrate._config(conn), "0008")
        for sid, ents in (("x", ["Kyiv", "kyiv", "Ödön"]), ("y", []), ("z", ["Odessa"])):
            conn.execute(text("INSERT INTO comparisons (story_id, data) VALUES (:s, :d)"),
                         {"s": sid, "d": json.dumps({"story": {"entities": ents}, "comparison": {}})})
    engine.dispose()
    store = open_store(str(db))
    assert store.stories_with_entity("KYIV") == {"x"} and store.stories_with_entity("öd") == {"x"}
    assert store.stories_with_entity("ode") == {"z"} and store.stories_with_entity("zz") == set()


def test_membership_changes_flag_exactly_the_comparisons_they_invalidate(store_url):
    from newsprism.models import Comparison, Story

    store = open_store(store_url)
    store.add_articles([_art(i) for i in range(1, 6)])
    store.save_stories([{"id": "s1"}, {"id": "s2"}, {"id": "s3"}],
                       [("id1", "s1"), ("id2", "s1"), ("id3", "s2"), ("id4", "s3")])
    assert store.stale_story_ids() == ["s1", "s2", "s3"]  # no comparison yet
    store.save_comparisons(
        [Comparison(story_id=s, lines=(), originals=()) for s in ("s1", "s2", "s3")],
        [Story(id="s1", label="", articles=("id1", "id2")), Story(id="s2", label="", articles=("id3",)),
         Story(id="s3", label="", articles=("id4",))])
    assert store.stale_story_ids() == []
    store.save_stories([{"id": "s2"}], [("id5", "s2")])  # s2 gains a member
    assert store.stale_story_ids() == ["s2"]
    store.save_stories([{"id": "s3"}], [("id2", "s3")])  # id2 moves s1 -> s3: both change
    assert store.stale_story_ids() == ["s1", "s2", "s3"]
    store.save_comparisons([Comparison(story_id="s3", lines=(), originals=())],
                           [Story(id="s3", label="", articles=("id4", "id2"))])
    assert store.stale_story_ids() == ["s1", "s2"]


def test_upgrade_to_0004_flags_comparisons_already_out_of_date(tmp_path):
    """A store at revision 0003 holds no flags; the upgrade finds its stale comparisons once."""
    import json

    from alembic import command
    from sqlalchemy import create_engine, text

    from newsprism.store import migrate

    db = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        command.upgrade(migrate._config(conn), "0003")
        conn.execute(text("INSERT INTO articles (id, origin, title, text, raw, removed) VALUES "
                          "('a', 'a', '', 't', 't', '[]'), ('b', 'b', '', 't', 't', '[]')"))
        conn.execute(text("INSERT INTO story_members VALUES ('a', 'fresh', 1), ('b', 'old', 2)"))
        for sid, arts in (("fresh", ["a"]), ("old", [])):
            conn.execute(text("INSERT INTO comparisons VALUES (:s, :d)"),
                         {"s": sid, "d": json.dumps({"story": {"articles": arts}})})
    engine.dispose()
    assert open_store(str(db)).stale_story_ids() == ["old"]


def test_relations_of_some_articles_are_looked_up_by_index_not_scanned(tmp_path):
    """`relations(ids)` asks `a IN .. OR b IN ..` once per story compared and per batch
    clustered; SQLite must answer both halves from an index, or every call reads the table."""
    from sqlalchemy import select, text

    from newsprism.store import schema as t

    store = open_store(str(tmp_path / "s.db"))
    c = t.relations.c
    q = select(c.data).where(c.a.in_(["x1", "x2"]) | c.b.in_(["x1", "x2"]))
    sql = str(q.compile(store.engine, compile_kwargs={"literal_binds": True}))
    with store.engine.connect() as conn:
        plan = " | ".join(row[-1] for row in conn.execute(text("EXPLAIN QUERY PLAN " + sql)))
    store.close()
    assert "SCAN relations" not in plan, plan
    assert "ix_relations_b" in plan, plan
