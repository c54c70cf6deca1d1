"""`--engine ray`: the pipeline's own stage functions on Ray Data, the store kept at the edge.

The driver finds each stage's unfinished work in the store (as `pipeline.py` does); a reader
actor on its node reads the inputs as Ray Data asks for them (`session._feed`, so no process
holds a stage's inputs at once), and the driver writes results back batch by batch with
`iter_batches`, so a store filled by this engine is consistent and resumable exactly like the
in-process one. A `:memory:` store, which only the driver can read, is handed over in waves.

- analyze / embed: one row per in-process batch (the same `Settings.batch_size` slices), run by
  one `map_batches` on a pool of one actor per CPU that loads every model once per run and
  takes each batch through both stages, as the in-process worker children do; identical
  batches give identical vectors (an encoder's padding depends on its batch).
- relate: signing and `relate_pair` are tasks; the two global candidate searches are
  key-partitioned shuffles (`groupby().map_groups()`): LSH buckets keyed by (band, band bytes),
  and kNN keyed by (query language, indexed language). Both are exact.
- cluster: the clusterer is online, so no exact partition exists; articles are blocked by time
  window (`RayConfig.window_days` from the earliest new article), each window runs
  `StoryClusterer` in arrival order, and a second shuffle keyed by window boundary stitches
  stories that straddle it. One window (the demo corpus) is identical by construction.
- compare: one task per story.
"""

from __future__ import annotations

from ..pipeline import RunSummary
from ..progress import NullProgress, Progress
from ..settings import Settings
from ..store import Store
from .cluster import cluster_pending_ray
from .compare import compare_stories_ray
from .models import analyze_and_embed_ray
from .relate import candidate_pairs_ray, knn_pairs, lsh_pairs, relate_pending_ray
from .session import RayConfig, _configure_ray_data, start_ray


def process_ray(store: Store, *, settings: Settings = Settings(), progress: Progress = NullProgress(),
                address: str | None = None, num_cpus: int | None = None,
                config: RayConfig = RayConfig(), quiet: bool = False) -> RunSummary:
    """`pipeline.process` on Ray Data: every stage after ingest on what the store has not
    processed yet. Starts a local Ray (or joins `address`) unless one is running; shuts down
    only a Ray it started."""
    import ray

    started = start_ray(address, num_cpus=num_cpus, config=config, quiet=quiet)
    _configure_ray_data(config)
    s = RunSummary()
    try:
        s.analyzed, s.embedded = analyze_and_embed_ray(store, settings=settings, ray_cfg=config,
                                                       progress=progress)
        s.lap("analyze+embed")
        s.related, s.relations = relate_pending_ray(store, settings=settings, progress=progress, ray_cfg=config)
        s.lap("relate")
        s.clustered, touched = cluster_pending_ray(store, settings=settings, ray_cfg=config, progress=progress)
        s.lap("cluster")
        stale = set(store.stale_story_ids()) | touched
        s.compared = compare_stories_ray(store, sorted(stale), settings=settings, progress=progress,
                                         ray_cfg=config)
        s.lap("compare")
    finally:
        if started:
            ray.shutdown()
    return s


__all__ = [
    "RayConfig", "analyze_and_embed_ray", "candidate_pairs_ray", "cluster_pending_ray", "compare_stories_ray",
    "knn_pairs", "lsh_pairs", "process_ray", "relate_pending_ray", "start_ray",
]
