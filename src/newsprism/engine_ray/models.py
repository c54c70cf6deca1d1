"""Analyze and embed on two chained actor pools."""

from __future__ import annotations

import numpy as np

from ..pipeline import _batches
from ..progress import Progress
from ..settings import Settings
from ..store import Store
from ..worker import ModelSpec
from .session import RayConfig, _dump, _from_items, _load, _rows, _waves


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


def analyze_and_embed_ray(store: Store, *, settings: Settings, ray_cfg: RayConfig,
                          progress: Progress) -> tuple[int, int]:
    """Analyze and embed on two actor pools chained inside Ray, so analyses reach the embedder
    without the driver holding them and both stages run at once; the driver stores each batch's
    analyses, then its vectors, as rows come back (resumable as `pipeline` is)."""
    from ray.data import ActorPoolStrategy

    ids = store.ids_without_analysis()
    fresh = set(ids)
    leftovers = [i for i in store.ids_without_vectors() if i not in fresh]  # analyzed, not embedded
    pool = ActorPoolStrategy(size=ray_cfg.actors)
    # max_restarts=0: a restartable actor whose constructor arguments sit in the object store
    # makes Ray's C++ runtime log an error line on every start, which `-q` cannot hide; a lost
    # actor fails the run instead, and the next run resumes from the store
    spec = ModelSpec(device=settings.device, precision=settings.precision, cache_size=settings.sentence_cache)

    def with_analyses(batch: list[str]) -> bytes:
        arts, ans = store.articles(batch), store.analyses(batch)
        return _dump((arts, [ans[a.id] for a in arts], False))

    with progress.task("analyze", len(ids)) as analyzed, \
            progress.task("embed", len(ids) + len(leftovers)) as embedded:
        for todo, make, analyze in ((leftovers, with_analyses, False),
                                    (ids, lambda b: _dump(store.articles(b)), True)):
            for wave in _waves(todo, ray_cfg.wave, settings.batch_size):
                ds = _from_items([{"p": make(b)} for b in _batches(wave, settings.batch_size)])
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


