"""Batch vs stream parity of story assignment, on the demo corpus's stored pipeline run.

The clusterer is online: a corpus fed in one go and the same corpus fed in time-ordered parts
(with the state saved and reloaded between parts, as `newsprism run` does) must give the same
stories. Feeding parts out of time order is allowed to differ; that difference is measured in
BENCHMARKS.md, not hidden.
"""

from __future__ import annotations

import pytest

from newsprism.cluster import StoryClusterer, StoryState, arrival_order
from newsprism.store import open_store


@pytest.fixture(scope="module")
def stored(demo_run):
    out, _ = demo_run
    store = open_store(str(out / "newsprism.db"))
    arts = arrival_order(store.articles())
    ids = [a.id for a in arts]
    rels: dict[str, list] = {}
    for r in store.relations():
        rels.setdefault(r.a, []).append(r)
        rels.setdefault(r.b, []).append(r)
    return store, arts, store.analyses(ids), store.vectors(ids), rels


def _partition(story_of: dict[str, str]) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for aid, sid in story_of.items():
        groups.setdefault(sid, set()).add(aid)
    return {frozenset(g) for g in groups.values()}


def _stream(arts, ans, vecs, rels, parts: int) -> dict[str, str]:
    size = -(-len(arts) // parts)
    states: list[StoryState] = []
    story_of: dict[str, str] = {}
    for start in range(0, len(arts), size):
        members = {m: vecs[m] for s in states for m in s.members}
        c = StoryClusterer([StoryState.from_dict(s.to_dict()) for s in states],
                           member_vectors=members)
        for a in arts[start:start + size]:
            c.assign(a, ans[a.id], vecs[a.id], [r for r in rels.get(a.id, [])
                                                if {r.a, r.b} <= set(c.story_of) | {a.id}])
        story_of = dict(c.story_of)
        states = list(c.states.values())
    return story_of


@pytest.mark.parametrize("parts", [2, 3, 7])
def test_streaming_in_time_order_equals_one_batch(stored, parts):
    store, arts, ans, vecs, rels = stored
    batch = _stream(arts, ans, vecs, rels, 1)
    assert _partition(_stream(arts, ans, vecs, rels, parts)) == _partition(batch)
    # and both equal what the pipeline stored
    stored_members = store.story_members()
    assert _partition({a: s for s, ms in stored_members.items() for a in ms}) == _partition(batch)
