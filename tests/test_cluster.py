"""Story assignment on hand-made vectors and entities (no models needed)."""

from datetime import datetime, timedelta, timezone

import numpy as np

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
