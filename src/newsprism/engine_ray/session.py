"""The Ray session and the plumbing every stage shares: pickled rows in, rows back in
batches, inputs read from the store on the driver's node as Ray Data asks for them."""

from __future__ import annotations

import logging
import os
import pickle
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import make_url

if TYPE_CHECKING:
    from ..store import Store

logger = logging.getLogger(__name__)

_WORKER_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}


@dataclass(frozen=True, slots=True)
class RayConfig:
    """How the Ray engine blocks and sizes its work."""

    #: Story assignment runs per time window of this many days, counted from the earliest new
    #: article; stories straddling a boundary are stitched (see module docstring).
    window_days: float = 30.0
    #: Analyze+embed actors, each loading every model and running one torch thread; None: one
    #: per CPU of the cluster, as the in-process engine starts one worker per CPU.
    actors: int | None = None
    #: Articles (or stories, for compare) the driver hands Ray at a time when the store cannot be
    #: opened by another process (`:memory:`): the driver then holds one wave's inputs and the
    #: analyze+embed actors load their models once per wave. Any other store is read by
    #: `_StoreReader` on the driver's node as Ray Data asks, with no waves.
    wave: int = 2048
    object_store_bytes: int = 1_500_000_000  # local ray only
    #: Partitions of each key-partitioned shuffle (LSH buckets, kNN blocks, story windows).
    #: None: two per CPU of the cluster. Ray Data's default, 200, is sized for big clusters:
    #: on a laptop every shuffle then runs 200 tiny tasks per side, which measured slower.
    shuffle_partitions: int | None = None


def _dump(x: object) -> bytes:
    return pickle.dumps(x, protocol=pickle.HIGHEST_PROTOCOL)


def _load(b: bytes) -> Any:
    return pickle.loads(b)


def start_ray(address: str | None = None, *, num_cpus: int | None = None,
              config: RayConfig = RayConfig(), quiet: bool = False) -> bool:
    """Start a local Ray (no `address`) or join a cluster; False when one is already running
    in this process (the caller then must not shut it down).

    `quiet` (the CLI's `-q`) also hides Ray's start-up notice about token authentication, which
    would otherwise reach stderr.
    """
    import ray

    if ray.is_initialized():
        return False
    if quiet:
        logging.getLogger("ray._private.authentication.authentication_token_setup").setLevel(logging.ERROR)
    runtime_env = {"env_vars": {k: os.environ.get(k, v) for k, v in _WORKER_ENV.items()}}
    # Ray's own INFO lines (start-up, "Dataset ... execution finished") would interleave with the
    # runner's progress and break `-q`; warnings still show.
    quiet = {"logging_level": logging.WARNING, "log_to_driver": False, "runtime_env": runtime_env}
    if address is None:
        ray.init(num_cpus=num_cpus, include_dashboard=False, ignore_reinit_error=True,
                 object_store_memory=config.object_store_bytes, **quiet)
    else:
        ray.init(address=address, **quiet)
    return True


def _configure_ray_data(config: RayConfig = RayConfig()) -> None:
    """Ray Data as the engine wants it: quiet, order-preserving, shuffles sized to the cluster."""
    import ray
    from ray.data import DataContext

    for name in ("ray.data", "ray.data._internal"):
        logging.getLogger(name).setLevel(logging.ERROR)  # incl. "progress bars disabled"
    # Ray warns that the named actor options it documents are deprecated (its own internals)
    warnings.filterwarnings("ignore", message="`ray_remote_args` is deprecated")
    ctx = DataContext.get_current()
    ctx.enable_progress_bars = False  # the runner's own progress reports each stage
    ctx.print_on_execution_start = False
    ctx.execution_options.preserve_order = True  # batches reach actors (and caches) in store order
    cpus = int(ray.cluster_resources().get("CPU", 1))
    ctx.default_hash_shuffle_parallelism = config.shuffle_partitions or max(2, 2 * cpus)


def _rows(ds) -> Iterable[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Result rows, pulled by the driver in batches (the store write-back)."""
    for batch in ds.iter_batches(batch_size=64, batch_format="pandas"):
        yield from batch.to_dict("records")


#: Blocks a wave's rows are cut into: a block is what flows between stages and what one task
#: takes, so one batch a block for waves of up to 64 batches (the analyze+embed actors then
#: share them batch by batch), several small stories a block beyond (a task per story cost more than
#: the stories did).
_WAVE_BLOCKS = 64


def _from_items(items: list[dict[str, Any]], blocks: int = _WAVE_BLOCKS):  # type: ignore[no-untyped-def]
    import ray.data

    return ray.data.from_items(items, override_num_blocks=max(1, min(len(items), blocks)))


def _waves(ids: Sequence[str], size: int, batch_size: int) -> Iterable[list[str]]:
    """Slices of about `size` ids, a whole number of batches each, so that the batches inside
    are the in-process runner's (an encoder's padding, so its vectors, depend on the batch)."""
    size = max(1, size // batch_size) * batch_size
    for i in range(0, len(ids), size):
        yield list(ids[i:i + size])


def _story_waves(sids: Sequence[str], size: Mapping[str, int], articles: int) -> Iterable[list[str]]:
    """Stories in order, grouped so each group holds about `articles` member articles."""
    wave: list[str] = []
    held = 0
    for sid in sids:
        if wave and held + size[sid] > articles:
            yield wave
            wave, held = [], 0
        wave.append(sid)
        held += size[sid]
    if wave:
        yield wave


def _sqlite_file(db: str) -> str | None:
    """The file of an SQLite store as `Store` would open it ("" when in memory); None for
    another database. Parsed by SQLAlchemy from the store's own URL (`store.sql._url`)."""
    from ..store.sql import _url

    url = make_url(_url(db))
    if url.get_backend_name() != "sqlite":
        return None
    return "" if url.database in (None, ":memory:") else url.database


def reopenable(store: Store) -> str | None:
    """The store's address as another process on this machine can open it (a relative SQLite
    path made absolute: Ray's workers need not share the driver's working directory); None for
    `:memory:`, which lives only in this process."""
    path = _sqlite_file(store.db)
    if path is None:
        return store.db
    if not path:
        return None
    full = str(Path(path).expanduser().resolve())
    if "://" not in store.db:
        return full
    return make_url(store.db).set(database=full).render_as_string(hide_password=False)


class _StoreReader:
    """Keys in, `read(store, key)` out, with the reader's own connection to the store.

    It runs on the driver's node (an SQLite file is there) and takes no CPU slot, so a whole
    stage's inputs flow through one dataset: the model actors downstream then live for the
    stage, not for a wave, reading overlaps the work, and Ray Data's backpressure, not the
    driver, bounds how many inputs are in flight.
    """

    def __init__(self, db: str, read: Callable[[Store, Any], bytes]) -> None:
        from ..errors import StoreError
        from ..store import open_store

        path = _sqlite_file(db)
        if path and not Path(path).is_file():  # opening would create an empty store
            raise StoreError(f"{db}: the store is not on the Ray node that reads it")
        self.store, self.read = open_store(db), read

    def __call__(self, batch: dict[str, Any]) -> dict[str, list]:
        return {"p": [self.read(self.store, _load(k)) for k in batch["k"]]}


def _feed(store: Store, waves: Iterable[Sequence[Any]], read: Callable[[Store, Any], bytes]) -> Iterator[Any]:
    """Datasets whose rows ("p") are `read(store, key)` for every key of `waves`, in order.

    `read` must be a module-level function (it is shipped to the reader). A store other
    processes can open gives one dataset for all the keys, read by `_StoreReader`; otherwise
    (`:memory:`, or a driver connected through Ray Client, whose store is not on the cluster)
    one dataset a wave, read here.
    """
    import ray
    from ray.data import ActorPoolStrategy
    from ray.util.client import ray as client
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    # through Ray Client (ray://) the "driver's node" is the cluster's head, not this machine
    db = None if client.is_connected() else reopenable(store)
    if db is None:
        for wave in waves:
            if wave:
                yield _from_items([{"p": read(store, k)} for k in wave])
        return
    waves = [w for w in waves if w]
    if not waves:
        return
    here = NodeAffinitySchedulingStrategy(ray.get_runtime_context().get_node_id(), soft=False)
    # blocks as the waves would have been cut (`_from_items`), so the work per task is the same
    rows = _from_items([{"k": _dump(k)} for wave in waves for k in wave],
                       blocks=sum(min(len(w), _WAVE_BLOCKS) for w in waves))
    yield rows.map_batches(_StoreReader, fn_constructor_kwargs={"db": db, "read": read}, batch_size=1,
                           compute=ActorPoolStrategy(size=1), num_cpus=0, scheduling_strategy=here,
                           max_restarts=0)


def _articles(store: Store, ids: list[str]) -> bytes:
    """`_feed`'s read of a batch's articles (analyze; MinHash signing)."""
    return _dump(store.articles(ids))
