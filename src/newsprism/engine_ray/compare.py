"""Compare on Ray: one task per story, each story's inputs read beside the store (`_feed`)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..cluster import StoryState, to_story
from ..progress import Progress
from ..settings import Settings
from ..store import Store
from .session import RayConfig, _dump, _feed, _load, _rows, _story_waves


def _compare(batch: dict[str, np.ndarray], *, settings: Settings) -> dict[str, list]:
    from ..analyze.corpus import resolve_by_id
    from ..compare import compare_story

    out = []
    for p in batch["p"]:
        d, arts, rels, ans, vecs = _load(p)
        st = StoryState.from_dict(d)
        comp = compare_story(st.id, st.members, articles=arts, analyses=resolve_by_id(ans, arts),
                             vectors=vecs, relations=rels, config=settings.compare)
        out.append(_dump((comp, to_story(st, comp.lines, n_entities=settings.cluster.label_entities))))
    return {"p": out}


def _story_inputs(store: Store, d: dict) -> bytes:
    ids = d["members"]
    arts = {a.id: a for a in store.articles(ids)}
    rels = [r for r in store.relations(ids) if r.a in arts and r.b in arts]
    return _dump((d, arts, rels, store.analyses(ids), store.vectors(ids)))


def compare_stories_ray(store: Store, story_ids: Iterable[str], *, settings: Settings,
                        progress: Progress, ray_cfg: RayConfig = RayConfig()) -> int:
    story_ids = list(story_ids)
    states = {d["id"]: d for d in store.story_states_of(story_ids)}
    sids = [s for s in story_ids if s in states]
    with progress.task("compare", len(sids)) as task:
        if not sids:
            return 0
        # waves (fewer stories when they are large) only matter for a store `_feed` reads here
        waves = [[states[sid] for sid in wave]
                 for wave in _story_waves(sids, {sid: len(states[sid]["members"]) for sid in sids}, ray_cfg.wave)]
        for ds in _feed(store, waves, _story_inputs):
            for row in _rows(ds.map_batches(_compare, fn_kwargs={"settings": settings}, batch_size=1)):
                comp, story = _load(row["p"])
                store.save_comparisons([comp], [story])
                task.advance()
    return len(sids)


