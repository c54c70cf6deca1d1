"""Analyze and embed on two chained actor pools."""

from __future__ import annotations

import numpy as np

from ..pipeline import _batches
from ..progress import Progress
from ..settings import Settings
from ..store import Store
from ..worker import ModelSpec
from .session import RayConfig, _articles, _dump, _feed, _load, _rows, _waves


class _Analyze:
    """Articles in, (articles, analyses) out: the next stage, embed, needs both."""

    def __init__(self, spec: ModelSpec, config: object) -> None:
        self.models, self.config = spec.load(embed=False), config

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, list]:
        out = []
        for p in batch["p"]:
            arts = _load(p)
            out.append(_dump((arts, self.models.analyze(arts, self.config), True)))
        return {"p": out}


class _Embed:
    """(articles, analyses, whether the analyses are new) in, (new analyses, vectors) out; one
    sentence cache per actor, as each in-process worker keeps one."""

    def __init__(self, spec: ModelSpec) -> None:
        self.models = spec.load(analyze=False)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, list]:
        out = []
        for p in batch["p"]:
            arts, ans, fresh = _load(p)
            out.append(_dump((ans if fresh else [], self.models.embed(arts, ans))))
        return {"p": out}


def _analyzed(store: Store, batch: list[str]) -> bytes:
    arts, ans = store.articles(batch), store.analyses(batch)
    return _dump((arts, [ans[a.id] for a in arts], False))


def analyze_and_embed_ray(store: Store, *, settings: Settings, ray_cfg: RayConfig,
                          progress: Progress) -> tuple[int, int]:
    """Analyze and embed on two actor pools chained inside Ray, so analyses reach the embedder
    without the driver holding them and both stages run at once; the driver stores each batch's
    analyses, then its vectors, as rows come back (resumable as `pipeline` is). The inputs
    come from `_feed`: read beside the store, and through one dataset, so each actor loads its
    models once per run."""
    from ray.data import ActorPoolStrategy

    ids = store.ids_without_analysis()
    fresh = set(ids)
    leftovers = [i for i in store.ids_without_vectors() if i not in fresh]  # analyzed, not embedded
    pool = ActorPoolStrategy(size=ray_cfg.actors)
    # max_restarts=0: a restartable actor whose constructor arguments sit in the object store
    # makes Ray's C++ runtime log an error line on every start, which `-q` cannot hide; a lost
    # actor fails the run instead, and the next run resumes from the store
    spec = ModelSpec(device=settings.device, precision=settings.precision, cache_size=settings.sentence_cache)

    with progress.task("analyze", len(ids)) as analyzed, \
            progress.task("embed", len(ids) + len(leftovers)) as embedded:
        for todo, read, analyze in ((leftovers, _analyzed, False), (ids, _articles, True)):
            waves = [list(_batches(w, settings.batch_size)) for w in _waves(todo, ray_cfg.wave, settings.batch_size)]
            for ds in _feed(store, waves, read):
                if analyze:
                    ds = ds.map_batches(_Analyze, fn_constructor_kwargs={"spec": spec, "config": settings.analyze},
                                        batch_size=1, compute=pool, max_restarts=0)
                ds = ds.map_batches(_Embed, fn_constructor_kwargs={"spec": spec}, batch_size=1, compute=pool,
                                    max_restarts=0)
                for row in _rows(ds):
                    ans, vecs = _load(row["p"])
                    if ans:
                        store.save_analyses(ans)
                        analyzed.advance(len(ans))
                    store.save_vectors(vecs)
                    embedded.advance(len(vecs))
    return len(ids), len(ids) + len(leftovers)


