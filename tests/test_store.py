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


def test_add_articles_is_idempotent(tmp_path):
    store = open_store(str(tmp_path / "s.db"))
    assert store.add_articles([_art(1), _art(2)]) == ["id1", "id2"]
    assert store.add_articles([_art(2), _art(3), _art(3)]) == ["id3"]
    assert store.count_articles() == 3
    back = store.article("id1")
    assert back == _art(1)


def test_reopen_keeps_data_and_pending_work(tmp_path):
    path = str(tmp_path / "s.db")
    s1 = open_store(path)
    s1.add_articles([_art(1), _art(2)])
    s1.save_analyses([Analysis("id1", "en", (Span(0, 4, "Body"),))])
    s1.close()
    s2 = open_store(path)
    assert s2.ids_without_analysis() == ["id2"]
    assert s2.analyses(["id1"])["id1"].sentences[0].text == "Body"


def test_vectors_round_trip():
    store = open_store(":memory:")
    store.add_articles([_art(1)])
    v = ArticleVectors("id1", np.ones(4, np.float32), np.arange(8, dtype=np.float32).reshape(2, 4),
                       np.ones(3, np.float32), np.zeros((2, 3), np.float32))
    store.save_vectors([v])
    got = store.vectors(["id1"])["id1"]
    assert got.sentences.shape == (2, 4) and got.sentences[1, 3] == 7
    assert store.ids_without_vectors() == []


def test_relations_and_related_marker_commit_together():
    store = open_store(":memory:")
    store.add_articles([_art(1), _art(2)])
    r = Relation("id1", "id2", "verbatim", 0.99, "a_first", ("same text",))
    store.save_relations([r], ["id2"])
    assert store.relation("id2", "id1").kind == "verbatim"
    assert store.ids_not_related() == ["id1"]


def test_resolve_article_by_prefix_and_file_name(tmp_path):
    store = open_store(":memory:")
    store.add_articles([Article(id="abcdef0123", origin="/data/x/story.txt", text="t", raw="t"),
                        Article(id="99", origin="feed.jsonl:4", text="u", raw="u", source_id="wire-7")])
    assert store.resolve_article("wire-7").id == "99"
    assert store.resolve_article("abcd").id == "abcdef0123"
    assert store.resolve_article("story.txt").id == "abcdef0123"
    assert store.resolve_article("nope") is None


def test_store_creates_missing_folders_and_reports_failures_on_one_line(tmp_path):
    import pytest

    from newsprism.errors import StoreError

    store = open_store(str(tmp_path / "a" / "b" / "s.db"))
    assert store.count_articles() == 0
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError) as exc:
        open_store(str(tmp_path / "file" / "s.db"))
    assert "\n" not in str(exc.value) and "file" in str(exc.value)


def test_signatures_round_trip_and_stale_ones_are_ignored():
    from newsprism.relate import RelateConfig, minhash_scheme, minhash_signatures

    store = open_store(":memory:")
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


def test_id_lists_longer_than_one_in_query_are_read_in_chunks(monkeypatch):
    """Reads by id list split the IN (...) list, so huge stories never hit SQLite's variable cap."""
    from newsprism.store import sql

    monkeypatch.setattr(sql, "IN_CHUNK", 3)
    store = open_store(":memory:")
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
