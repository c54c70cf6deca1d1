"""Full-text search on both store backends: SQLite FTS5 and PostgreSQL's stored tsvector."""

from __future__ import annotations

from datetime import datetime, timezone

from newsprism.models import Article
from newsprism.server.search import ensure_search_index, search_article_ids
from newsprism.store import open_store

TEXTS = {
    "a1": ("Flood warning for the valley", "Rivers rose overnight and the flood barrier held."),
    "a2": ("Council vote", "The council voted on the budget; flood defences got more money."),
    "a3": ("Football", "The match ended in a draw after extra time."),
    "a4": ("Flood flood flood", "Flood waters, flood damage, flood insurance: the flood."),
}


def _store(url: str):  # type: ignore[no-untyped-def]
    store = open_store(url)
    store.add_articles([
        Article(id=aid, origin=f"{aid}.txt", title=title, text=body, raw=body, outlet="x.example",
                published_at=datetime(2026, 5, i + 1, tzinfo=timezone.utc))
        for i, (aid, (title, body)) in enumerate(TEXTS.items())])
    ensure_search_index(store.engine)
    return store


def test_search_finds_every_match_and_ranks_the_densest_first(store_url):
    store = _store(store_url)
    ranked = search_article_ids(store.engine, "flood")
    assert set(ranked) == {"a1", "a2", "a4"}
    assert ranked[0] == "a4"  # the word on every line of it
    assert sorted(search_article_ids(store.engine, "flood", ranked=False)) == ["a1", "a2", "a4"]
    assert search_article_ids(store.engine, "flood council") == ["a2"]  # every word required
    assert search_article_ids(store.engine, "flood", limit=1) == ["a4"]


def test_query_syntax_is_text_and_new_rows_are_searchable_at_once(store_url):
    store = _store(store_url)
    for q in ['flood" OR "match', "flood AND NOT draw", "flood:*", "(flood", "' OR 1=1 --", "*"]:
        assert set(search_article_ids(store.engine, q)) <= set(TEXTS)  # no syntax error, no injection
    assert search_article_ids(store.engine, "flood\" OR \"match") == []  # words: flood, or, match
    store.add_articles([Article(id="a5", origin="a5.txt", title="Late", text="A second flood wave.",
                                raw="A second flood wave.")])
    assert "a5" in search_article_ids(store.engine, "flood")  # trigger / generated column
