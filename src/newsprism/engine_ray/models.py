"""Analyze and embed on one actor pool, one actor per CPU, each doing both stages on a batch."""

from __future__ import annotations

import numpy as np

from ..heap import trim_heap
from ..pipeline import _batches
from ..progress import Progress
from ..settings import Settings
from ..store import Store
from ..worker import ModelSpec
from .session import RayConfig, _articles, _dump, _feed, _load, _rows, _waves


class _AnalyzeEmbed:
    """Articles (or (articles, stored analyses): embed only) in, (new analyses, vectors) out:
    the in-process worker child's job (`StageModels.analyze_embed`) with its one torch
    thread, and one sentence cache per actor, as each child keeps one."""

    def __init__(self, spec: ModelSpec, config: object) -> None:
        self.models, self.config = spec.load(), config

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, list]:
        out = []
        for p in batch["p"]:
            got = _load(p)
            arts, stored = got if isinstance(got, tuple) else (got, None)
            out.append(_dump(self.models.analyze_embed(arts, stored, self.config)))
        trim_heap()  # as a worker child does: keep the actor's heap from creeping up
        return {"p": out}


def _analyzed(store: Store, batch: list[str]) -> bytes:
    arts, ans = store.articles(batch), store.analyses(batch)
    return _dump((arts, [ans[a.id] for a in arts]))


def actor_count(ray_cfg: RayConfig) -> int:
    """`RayConfig.actors`, else one per CPU of the cluster (each actor runs one torch thread)."""
    import ray

    return ray_cfg.actors or max(1, int(ray.cluster_resources().get("CPU", 1)))


def analyze_and_embed_ray(store: Store, *, settings: Settings, ray_cfg: RayConfig,
                          progress: Progress) -> tuple[int, int]:
    """Analyze and embed on one actor pool whose actors each take a whole batch through both
    stages, as the in-process worker children do (`worker.py` says why: spaCy holds its
    process's GIL, and torch's threads stall when another process takes their core, so a
    chained analyze actor and embed actor left a core idle whenever the two stages' costs
    differed). The driver stores each batch's analyses, then its vectors, as rows come back
    (resumable as `pipeline` is). The inputs come from `_feed`: read beside the store, and
    through one dataset, so each actor loads its models once per run."""
    from ray.data import ActorPoolStrategy

    ids = store.ids_without_analysis()
    fresh = set(ids)
    leftovers = [i for i in store.ids_without_vectors() if i not in fresh]  # analyzed, not embedded
    # max_restarts=0: a restartable actor whose constructor arguments sit in the object store
    # makes Ray's C++ runtime log an error line on every start, which `-q` cannot hide; a lost
    # actor fails the run instead, and the next run resumes from the store
    spec = ModelSpec(device=settings.device, precision=settings.precision, cache_size=settings.sentence_cache,
                     threads=1)

    with progress.task("analyze", len(ids)) as analyzed, \
            progress.task("embed", len(ids) + len(leftovers)) as embedded:
        for todo, read in ((leftovers, _analyzed), (ids, _articles)):
            waves = [list(_batches(w, settings.batch_size)) for w in _waves(todo, ray_cfg.wave, settings.batch_size)]
            # no more actors than a dataset has batches: each actor loads every model
            pool = ActorPoolStrategy(size=max(1, min(actor_count(ray_cfg), sum(map(len, waves)))))
            for ds in _feed(store, waves, read):
                ds = ds.map_batches(_AnalyzeEmbed, fn_constructor_kwargs={"spec": spec, "config": settings.analyze},
                                    batch_size=1, compute=pool, max_restarts=0)
                for row in _rows(ds):
                    ans, vecs = _load(row["p"])
                    if ans:
                        store.save_analyses(ans)
                        analyzed.advance(len(ans))
                    store.save_vectors(vecs)
                    embedded.advance(len(vecs))
    return len(ids), len(ids) + len(leftovers)
