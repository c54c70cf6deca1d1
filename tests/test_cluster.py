"""Story assignment on hand-made vectors and entities (no models needed)."""

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from newsprism.cluster import ClusterConfig, StoryClusterer, StoryState, arrival_order, story_label
from newsprism.embed import ArticleVectors
from newsprism.models import Analysis, Article, Entity, Relation, Span

T0 = datetime(2026, 3, 1, 9, tzinfo=timezone.utc)


def _unit(v):
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v)


def _item(i, vec, ents=(), days=0.0, title=""):
    art = Article(id=f"a{i}", origin=f"{i}.txt", text="x", raw="x", title=title or f"T{i}",
                  published_at=T0 + timedelta(days=days))
    an = Analysis(f"a{i}", "en", (Span(0, 1, "x"),),
                  entities=tuple(Entity(e, "PERSON", (Span(0, 1, "x"),)) for e in ents))
    v = _unit(vec)
    return art, an, ArticleVectors(f"a{i}", v, v[None, :], v, v[None, :])


def test_similar_articles_join_and_different_topics_split():
    c = StoryClusterer()
    s1 = c.assign(*_item(1, [1, 0.05, 0], ["Ana Ruiz"]))
    s2 = c.assign(*_item(2, [1, 0.1, 0], ["Ana Ruiz"], days=0.5))
    s3 = c.assign(*_item(3, [0, 1, 0], ["Port Authority"], days=0.6))
    assert s1 == s2 and s3 != s1


def test_same_cast_weeks_later_opens_a_new_story():
    c = StoryClusterer()
    s1 = c.assign(*_item(1, [1, 0.3, 0], ["Ana Ruiz", "Tomas Brandt"]))
    s2 = c.assign(*_item(2, [0.5, 1, 0.3], ["Ana Ruiz", "Tomas Brandt"], days=21))
    assert s1 != s2


def test_copy_relation_forces_join():
    c = StoryClusterer()
    s1 = c.assign(*_item(1, [1, 0, 0]))
    art, an, vec = _item(2, [0, 0, 1], days=30)
    rel = Relation("a1", "a2", "translation", 0.9)
    assert c.assign(art, an, vec, [rel]) == s1


def test_state_round_trip_continues_the_stream():
    c = StoryClusterer()
    sid = c.assign(*_item(1, [1, 0, 0], ["Ana Ruiz"], title="Dock strike ends"))
    states = [StoryState.from_dict(s.to_dict()) for s in c.states.values()]
    art, an, vec = _item(2, [1, 0.05, 0], ["Ana Ruiz"], days=0.2)
    c2 = StoryClusterer(states, member_vectors={"a1": _item(1, [1, 0, 0])[2]})
    assert c2.assign(art, an, vec) == sid
    assert "Dock strike ends" in story_label(c2.states[sid])


def test_threshold_is_a_setting():
    strict = StoryClusterer(config=ClusterConfig(join_threshold=2.0))
    assert strict.assign(*_item(1, [1, 0, 0])) != strict.assign(*_item(2, [1, 0, 0]))


def test_arrival_order_puts_undated_last():
    a = Article(id="u", origin="u", text="", raw="")
    b = Article(id="d", origin="d", text="", raw="", published_at=T0)
    assert [x.id for x in arrival_order([a, b])] == ["d", "u"]


def _bridge_case():
    """Two stories 0.6 apart (below the join threshold) and a third article close to both."""
    return [_item(1, [1, 0, 0]), _item(2, [0.6, 0.8, 0], days=0.1), _item(3, [0.9, 0.45, 0], days=0.2)]


def test_bridging_article_merges_two_stories_and_the_merge_is_recorded():
    c = StoryClusterer()
    (a1, n1, v1), (a2, n2, v2), (a3, n3, v3) = _bridge_case()
    s1, s2 = c.assign(a1, n1, v1), c.assign(a2, n2, v2)
    assert s1 != s2
    s3 = c.assign(a3, n3, v3)
    assert c.story_of["a1"] == c.story_of["a2"] == s3
    [(gone, kept, moved)] = c.take_merges()
    assert kept == s3 and gone in {s1, s2} - {s3} and len(moved) == 1
    [merge] = c.states[s3].merges
    assert merge["story"] == gone and merge["article"] == "a3" and merge["members"] == 1
    assert gone not in c.states and c.take_merges() == []
    # the merged story keeps working: a fourth article near the old second story joins it
    assert c.assign(*_item(4, [0.62, 0.78, 0], days=0.3)) == s3
    # a merge threshold above any score keeps the two stories apart
    c2 = StoryClusterer(config=ClusterConfig(merge_threshold=2.0))
    ids = [c2.assign(*it) for it in _bridge_case()]
    assert ids[0] != ids[1] and c2.take_merges() == []


def test_merges_survive_the_state_round_trip():
    c = StoryClusterer()
    for it in _bridge_case():
        sid = c.assign(*it)
    back = StoryState.from_dict(c.states[sid].to_dict())
    assert back.merges == c.states[sid].merges and sorted(back.members) == ["a1", "a2", "a3"]


@pytest.mark.parametrize("batch_size", [1, 32])
def test_pipeline_writes_merges_to_the_store(batch_size):
    """Merged-away stories are dropped from the store, also when saved in an earlier batch."""
    from newsprism.pipeline import cluster_pending
    from newsprism.progress import NullProgress
    from newsprism.settings import Settings
    from newsprism.store import open_store

    store = open_store(":memory:")
    items = _bridge_case()
    store.add_articles([a for a, _, _ in items])
    store.save_analyses([n for _, n, _ in items])
    store.save_vectors([v for _, _, v in items])
    n, touched = cluster_pending(store, settings=Settings(batch_size=batch_size),
                                 progress=NullProgress())
    assert n == 3
    members = store.story_members()
    assert len(members) == 1 and sorted(next(iter(members.values()))) == ["a1", "a2", "a3"]
    [state] = store.story_states()
    assert state["id"] in touched and len(state["merges"]) == 1
