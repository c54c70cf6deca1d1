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


def test_story_vector_sum_round_trips_exactly_and_old_json_lists_still_load():
    c = StoryClusterer()
    for it in _bridge_case():
        sid = c.assign(*it)
    d = c.states[sid].to_dict()
    assert isinstance(d["ml_sum"], str)  # compact float32 bytes, not a 512-number list
    assert np.array_equal(StoryState.from_dict(d).ml_sum, c.states[sid].ml_sum)
    legacy = StoryState.from_dict(d | {"ml_sum": c.states[sid].ml_sum.tolist()})
    assert np.array_equal(legacy.ml_sum, c.states[sid].ml_sum)


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


def _texted(i, vec, text, *, lang="en", days=0.0):
    art, an, v = _item(i, vec, days=days)
    art = Article(id=art.id, origin=art.origin, text=text, raw=text, title="",
                  published_at=art.published_at, language=lang)
    return art, Analysis(an.article_id, lang, an.sentences), v


STRIKE = ("Dockworkers at Port Elsin walked out on Monday over pay; the union said cranes at "
          "Gate Four stood idle and container ships queued outside the harbour.")
STRIKE_2 = ("Port Elsin dockworkers kept the cranes idle at Gate Four for a second day on Tuesday, "
            "the union said, while container ships queued outside the harbour.")
STADIUM = ("Port Elsin councillors approved a stadium with twenty thousand seats beside the old "
           "railway yards, after a vote that split the chamber over the budget.")


def test_content_words_separate_events_the_embeddings_confuse():
    """Same place and cast, vectors 0.7 alike (enough to join on text alone): the event's own
    words decide: the strike's second day joins, the stadium vote opens its own story."""
    near = [0.7, 0.714, 0]
    c = StoryClusterer()
    s1 = c.assign(*_texted(1, [1, 0, 0], STRIKE))
    assert c.assign(*_texted(2, near, STRIKE_2, days=0.5)) == s1
    c = StoryClusterer()
    s1 = c.assign(*_texted(1, [1, 0, 0], STRIKE))
    assert c.assign(*_texted(3, near, STADIUM, days=0.5)) != s1
    # without the lexical term the stadium article would have joined
    c = StoryClusterer(config=ClusterConfig(lexical_weight=0.0))
    s1 = c.assign(*_texted(1, [1, 0, 0], STRIKE))
    assert c.assign(*_texted(3, near, STADIUM, days=0.5)) == s1


def test_no_lexical_penalty_across_languages():
    """A Spanish report shares no English words with the story; it is judged on its vector."""
    c = StoryClusterer()
    s1 = c.assign(*_texted(1, [1, 0, 0], STRIKE))
    es = ("Los estibadores del puerto de Elsin mantuvieron parada la terminal por segundo día, "
          "según el sindicato.")
    assert c.assign(*_texted(4, [0.7, 0.714, 0], es, lang="es", days=0.5)) == s1
