"""`--engine ray`: the pipeline's own stage functions on Ray Data, the store kept at the edge.

The driver reads each stage's unfinished work from the store (as `pipeline.py` does), hands it
to Ray Data as rows one wave at a time (`RayConfig.wave` articles, so its memory does not grow
with the corpus), and writes results back batch by batch with `iter_batches`, so a store filled
by this engine is consistent and resumable exactly like the in-process one.

- analyze / embed: one row per in-process batch (the same `Settings.batch_size` slices), run by
  two chained `map_batches` on actor pools that load their model once per wave: analyses flow
  to the embedder inside Ray, and the two stages run at once; identical batches give identical
  vectors (an encoder's padding depends on its batch).
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

import logging
import os
import pickle
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from datasketch import LeanMinHash, MinHashLSH

from .cluster import COPY_KINDS, StoryClusterer, StoryState, arrival_order, to_story
from .embed import ArticleVectors
from .pipeline import RunSummary, _batches, active_since, relate_scope
from .progress import NullProgress, Progress
from .relate import minhash_scheme, minhash_signatures
from .relate.candidates import _LanguageANN, _lang_key
from .relate.config import RelateConfig
from .settings import Settings
from .store import Store

logger = logging.getLogger(__name__)

_WORKER_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}


@dataclass(frozen=True, slots=True)
class RayConfig:
    """How the Ray engine blocks and sizes its work."""

    #: Story assignment runs per time window of this many days, counted from the earliest new
    #: article; stories straddling a boundary are stitched (see module docstring).
    window_days: float = 30.0
    actors: int = 1  # model-loading actors per stage (each holds its own copy of the model)
    #: Articles (or stories, for compare) the driver hands Ray at a time. The driver holds one
    #: wave's inputs, so its memory is bounded by this, not by the corpus; analyze and embed
    #: actors load their models once per wave.
    wave: int = 2048
    object_store_bytes: int = 1_500_000_000  # local ray only


def _dump(x: object) -> bytes:
    return pickle.dumps(x, protocol=pickle.HIGHEST_PROTOCOL)


def _load(b: bytes) -> Any:
    return pickle.loads(b)


# -- ray session ----------------------------------------------------------------------------------

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


def _quiet_ray_data() -> None:
    from ray.data import DataContext

    for name in ("ray.data", "ray.data._internal"):
        logging.getLogger(name).setLevel(logging.ERROR)  # incl. "progress bars disabled"
    # Ray warns that the named actor options it documents are deprecated (its own internals)
    warnings.filterwarnings("ignore", message="`ray_remote_args` is deprecated")
    ctx = DataContext.get_current()
    ctx.enable_progress_bars = False  # the runner's own progress reports each stage
    ctx.print_on_execution_start = False
    ctx.execution_options.preserve_order = True  # batches reach actors (and caches) in store order


def _rows(ds) -> Iterable[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Result rows, pulled by the driver in batches (the store write-back)."""
    for batch in ds.iter_batches(batch_size=64, batch_format="pandas"):
        yield from batch.to_dict("records")


def _from_items(items: list[dict[str, Any]]):  # type: ignore[no-untyped-def]
    import ray.data

    return ray.data.from_items(items, override_num_blocks=max(1, min(len(items), 64)))


# -- analyze / embed: actor pools, one row per in-process batch ----------------------------------

class _Analyze:
    """Articles in, (articles, analyses) out: the next stage, embed, needs both."""

    def __init__(self, config: object) -> None:
        from .analyze import load_nlp

        self.nlp, self.config = load_nlp(), config

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, list]:
        from .analyze import analyze_articles

        out = []
        for p in batch["p"]:
            arts = _load(p)
            out.append(_dump((arts, analyze_articles(arts, nlp=self.nlp, config=self.config), True)))
        return {"p": out}


class _Embed:
    """(articles, analyses, whether the analyses are new) in, (new analyses, vectors) out."""

    def __init__(self, device: str, cache_size: int = 20_000) -> None:
        from .embed import MiniLMEncoder, MultilingualEncoder, SentenceCache

        self.encoder, self.multilingual = MiniLMEncoder(device=device), MultilingualEncoder()
        self.cache = SentenceCache(cache_size)  # per actor, as the in-process stage keeps one

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, list]:
        from .embed import embed_articles

        out = []
        for p in batch["p"]:
            arts, ans, fresh = _load(p)
            vecs = embed_articles(arts, ans, encoder=self.encoder, multilingual=self.multilingual,
                                  cache=self.cache)
            out.append(_dump((ans if fresh else [], vecs)))
        return {"p": out}


def _waves(ids: Sequence[str], size: int, batch_size: int) -> Iterable[list[str]]:
    """Slices of about `size` ids, a whole number of batches each, so that the batches inside
    are the in-process runner's (an encoder's padding, so its vectors, depend on the batch)."""
    size = max(1, size // batch_size) * batch_size
    for i in range(0, len(ids), size):
        yield list(ids[i:i + size])


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
    embed_args = {"device": settings.device, "cache_size": settings.sentence_cache}

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
                    ds = ds.map_batches(_Analyze, fn_constructor_kwargs={"config": settings.analyze},
                                        batch_size=1, compute=pool, max_restarts=0)
                ds = ds.map_batches(_Embed, fn_constructor_kwargs=embed_args, batch_size=1, compute=pool,
                                    max_restarts=0)
                for row in _rows(ds):
                    ans, vecs = _load(row["p"])
                    if ans:
                        store.save_analyses(ans)
                        analyzed.advance(len(ans))
                    store.save_vectors(vecs)
                    embedded.advance(len(vecs))
    return len(ids), len(ids) + len(leftovers)


# -- relate: LSH banding and kNN as key-partitioned shuffles --------------------------------------

def lsh_params(config: RelateConfig) -> tuple[int, int]:
    """(bands, rows per band): datasketch's own choice for this threshold and `num_perm`."""
    lsh = MinHashLSH(threshold=config.lsh_threshold, num_perm=config.num_perm)
    return lsh.b, lsh.r


def _band_rows(row: dict[str, Any], *, b: int, r: int) -> list[dict[str, Any]]:
    hv = np.frombuffer(row["hv"], dtype=np.uint64)
    # datasketch buckets by the bytes of each band slice (byteswapped; equal iff equal slices)
    return [{"band": i, "key": hv[i * r:(i + 1) * r].tobytes().hex(), "id": row["id"], "q": row["q"]}
            for i in range(b)]


def _bucket_pairs(group) -> dict[str, list]:  # type: ignore[no-untyped-def]
    ids, q = list(group["id"]), list(group["q"])
    a_out, b_out = [], []
    for i, x in enumerate(ids):
        for j in range(i + 1, len(ids)):
            y = ids[j]
            if x != y and (q[i] or q[j]):
                a_out.append(min(x, y))
                b_out.append(max(x, y))
    return {"a": a_out, "b": b_out}


def lsh_pairs(signatures: Mapping[str, LeanMinHash], queries: Iterable[str], *,
              config: RelateConfig) -> set[tuple[str, str]]:
    """The pairs `MinHashLSH.query` finds for each query over all `signatures`, computed as a
    shuffle: rows (band, band bytes, id) grouped by bucket; a bucket emits its pairs with at
    least one query, then pairs are made distinct by a second groupby."""
    wanted = set(queries)
    if len(signatures) < 2 or not wanted:
        return set()
    b, r = lsh_params(config)
    items = [{"id": aid, "q": aid in wanted,
              "hv": np.ascontiguousarray(m.hashvalues, dtype=np.uint64).tobytes()}
             for aid, m in signatures.items()]
    ds = (_from_items(items).flat_map(_band_rows, fn_kwargs={"b": b, "r": r})
          .groupby(["band", "key"]).map_groups(_bucket_pairs, batch_format="numpy")
          .groupby(["a", "b"]).count())
    return {(row["a"], row["b"]) for row in _rows(ds)}


def _knn_group(group, *, config: RelateConfig) -> dict[str, list]:  # type: ignore[no-untyped-def]
    """One (query language, indexed language) block of `_LanguageANN.search`: the index holds
    only that language's articles, in corpus order, so its neighbours are the in-process ones."""
    rows = sorted(zip(group["pos"], group["role"], group["p"], strict=True))
    idx = [_load(p) for _, role, p in rows if role == "index"]
    qry = [_load(p) for _, role, p in rows if role == "query"]
    a_out: list[str] = []
    b_out: list[str] = []
    if not idx or not qry:
        return {"a": a_out, "b": b_out}
    ann = _LanguageANN(config)
    ann.add([x[0] for x in idx], np.vstack([x[1] for x in idx]), np.vstack([x[2] for x in idx]),
            [x[3] for x in idx])
    found = ann.search([x[0] for x in qry], np.vstack([x[1] for x in qry]),
                       np.vstack([x[2] for x in qry]), [x[3] for x in qry], config.knn_k)
    for (aid, *_), others in zip(qry, found, strict=True):
        for o in others:
            a_out.append(min(aid, o))
            b_out.append(max(aid, o))
    return {"a": a_out, "b": b_out}


def knn_pairs(ids: Sequence[str], vectors: Mapping[str, ArticleVectors], languages: Mapping[str, str | None],
              queries: Iterable[str], *, config: RelateConfig) -> set[tuple[str, str]]:
    """The document-vector kNN half of `candidate_pairs_from`, keyed by (query language,
    indexed language): each article is indexed in the blocks of its language and queried in the
    blocks of every language (cross-lingual search is one block per language pair)."""
    from .ann import unit_rows

    wanted = set(queries)
    if config.knn_k <= 0 or not wanted:
        return set()
    langs = {aid: _lang_key(languages.get(aid)) for aid in ids}
    all_langs = sorted(set(langs.values()))
    q_langs = sorted({langs[aid] for aid in ids if aid in wanted})
    items = []
    for pos, aid in enumerate(ids):
        v = vectors[aid]
        p = _dump((aid, unit_rows([v.doc])[0], unit_rows([v.ml_doc])[0], langs[aid]))
        items += [{"k": f"{ql}|{langs[aid]}", "pos": pos, "role": "index", "p": p} for ql in q_langs]
        if aid in wanted:
            items += [{"k": f"{langs[aid]}|{gl}", "pos": pos, "role": "query", "p": p} for gl in all_langs]
    ds = (_from_items(items).groupby("k").map_groups(_knn_group, fn_kwargs={"config": config},
                                                      batch_format="numpy")
          .groupby(["a", "b"]).count())
    return {(row["a"], row["b"]) for row in _rows(ds)}


def candidate_pairs_ray(signatures: Mapping[str, LeanMinHash], vectors: Mapping[str, ArticleVectors],
                        languages: Mapping[str, str | None], *, config: RelateConfig,
                        queries: Iterable[str] | None = None) -> set[tuple[str, str]]:
    """`relate.candidate_pairs_from` on Ray Data (same pairs)."""
    ids = [aid for aid in signatures if aid in vectors]
    if len(ids) < 2:
        return set()
    wanted = set(ids) if queries is None else set(queries) & set(ids)
    pairs = lsh_pairs({aid: signatures[aid] for aid in ids}, wanted, config=config)
    return pairs | knn_pairs(ids, vectors, languages, wanted, config=config)


def _sign(batch: dict[str, np.ndarray], *, config: RelateConfig) -> dict[str, list]:
    return {"p": [_dump(minhash_signatures(_load(p), config=config)) for p in batch["p"]]}


def _relate(batch: dict[str, np.ndarray], *, config: RelateConfig) -> dict[str, list]:
    from .worker import relate_pairs

    out = []
    for p in batch["p"]:
        done, todo, arts, ans, vecs = _load(p)
        rels = relate_pairs(todo, (arts, ans, vecs), config)
        out.append(_dump((done, [r for r in rels if r.kind != "unrelated"])))
    return {"p": out}


def relate_pending_ray(store: Store, *, settings: Settings, progress: Progress,
                       ray_cfg: RayConfig = RayConfig()) -> tuple[int, int]:
    """`pipeline.relate_pending` with signing, candidate search and alignment on Ray."""
    new = store.ids_not_related()
    if not new:
        return 0, 0
    cfg = settings.relate
    scope = relate_scope(store, new, cfg)  # the horizon, as in pipeline.relate_pending
    sigs = store.signatures(seed=cfg.seed, num_perm=cfg.num_perm, scheme=minhash_scheme(cfg), ids=scope)
    unsigned = [aid for aid in store.ids_with_vectors(scope) if aid not in sigs]
    if unsigned:
        items = [{"p": _dump(store.articles(b))} for b in _batches(unsigned, settings.batch_size * 8)]
        for row in _rows(_from_items(items).map_batches(_sign, fn_kwargs={"config": cfg}, batch_size=1)):
            fresh = _load(row["p"])
            store.save_signatures(fresh)
            sigs.update(fresh)
    pairs = candidate_pairs_ray(sigs, store.doc_vectors(scope), store.languages(scope), config=cfg,
                                queries=new)
    pos = {aid: i for i, aid in enumerate(new)}
    by_later: dict[str, list[tuple[str, str]]] = {}
    for a, b in sorted(pairs):
        by_later.setdefault(max((a, b), key=lambda x: pos.get(x, -1)), []).append((a, b))

    def item(batch: list[str]) -> dict[str, bytes]:
        todo = [p for aid in batch for p in by_later.get(aid, [])]
        need = {x for p in todo for x in p}
        return {"p": _dump((batch, todo, {a.id: a for a in store.articles(need)},
                            store.analyses(need), store.vectors(need)))}

    n_rel = 0
    with progress.task("relate", len(new)) as task:
        for wave in _waves(new, ray_cfg.wave, settings.batch_size):  # the driver holds one wave's texts and vectors
            items = [item(b) for b in _batches(wave, settings.batch_size)]
            for row in _rows(_from_items(items).map_batches(_relate, fn_kwargs={"config": cfg}, batch_size=1)):
                done, rels = _load(row["p"])
                store.save_relations(rels, done)
                n_rel += len(rels)
                task.advance(len(done))
    return len(new), n_rel


# -- cluster: time windows, then a stitch keyed by window boundary --------------------------------

def _cluster_window(group, *, config) -> dict[str, list]:  # type: ignore[no-untyped-def]
    """Run `StoryClusterer` over one window: its seeded stored stories, then its new articles in
    arrival order. Emits every final state (with its member vectors, whether it changed, and the
    opening article of a story opened here, for the stitch) and the merged-away story ids."""
    seeds = [_load(p) for kind, p in zip(group["kind"], group["p"], strict=True) if kind == "s"]
    arts = sorted((int(pos), _load(p)) for kind, pos, p in zip(group["kind"], group["pos"], group["p"], strict=True)
                  if kind == "a")
    states = [StoryState.from_dict(d) for d, _ in seeds]
    vecs = {m: v for _, mv in seeds for m, v in mv.items()}
    clusterer = StoryClusterer(states, config=config, member_vectors=vecs)
    seeded = {s.id: len(s.members) for s in states}
    by_id = {a.id: (a, an, v, rels) for _, (a, an, v, rels) in arts}
    openers: dict[str, tuple] = {}
    gone: list[str] = []
    for art in arrival_order([rec[0] for _, rec in arts]):
        a, an, v, rels = by_id[art.id]
        vecs[a.id] = v
        before = set(clusterer.states)
        sid = clusterer.assign(a, an, v, rels)
        if sid not in before:
            openers[sid] = by_id[art.id]
        gone += [g for g, _, _ in clusterer.take_merges()]
    window = int(group["w"][0])
    out: dict[str, list] = {"w": [], "kind": [], "p": []}
    for sid, st in clusterer.states.items():
        changed = seeded.get(sid) != len(st.members)
        out["w"].append(window)
        out["kind"].append("state")
        out["p"].append(_dump((st.to_dict(), openers.get(sid), {m: vecs[m] for m in st.members if m in vecs},
                               changed)))
    out["w"].append(window)
    out["kind"].append("gone")
    out["p"].append(_dump(gone))
    return out


@dataclass
class _Window:
    states: dict[str, StoryState]
    vectors: dict[str, ArticleVectors]  # member document vectors
    openers: dict[str, tuple]  # new story id -> (article, analysis, vectors, relations)
    changed: set[str]
    gone: list[str]


def _stitch(left: _Window, right: _Window, *, config) -> list[tuple[str, str, object]]:  # type: ignore[no-untyped-def]
    """Stories of `right` that continue a story of `left`: the right story's opening article has a
    copy relation into it, or would join it by the clusterer's own rule (nearest members, `score`
    at least `join_threshold`) had it arrived right after `left`. Returns (right id, left id,
    opening article)."""
    if not left.states:
        return []
    c = StoryClusterer([StoryState.from_dict(s.to_dict()) for s in left.states.values()], config=config,
                       member_vectors=left.vectors)
    reach = config.join_threshold - config.entity_weight - config.same_story_bonus
    out = []
    for sid, (a, an, v, rels) in sorted(right.openers.items()):
        target = None
        for r in sorted(rels, key=lambda r: -r.score):
            other = r.b if r.a == a.id else r.a
            if r.kind in COPY_KINDS and other in c.story_of:
                target = c.story_of[other]
                break
        if target is None:
            scored = sorted(((c.score(a, an, t, c.states[c._order[i]]), c._order[i])
                             for i, t in c.text_similarity(v).items() if t >= reach), reverse=True)
            if scored and scored[0][0] >= config.join_threshold:
                target = scored[0][1]
        if target is not None:
            out.append((sid, target, a))
    return out


def cluster_pending_ray(store: Store, *, settings: Settings, ray_cfg: RayConfig,
                        progress: Progress) -> tuple[int, set[str]]:
    """`pipeline.cluster_pending` blocked by time window (see the module docstring)."""
    ids = store.ids_without_story()
    if not ids:
        return 0, set()
    arts = store.articles(ids)
    span = ray_cfg.window_days * 86400.0
    dated = [a.published_at.timestamp() for a in arts if a.published_at]
    t0 = min(dated, default=0.0)
    win = {a.id: int((a.published_at.timestamp() - t0) // span) for a in arts if a.published_at}
    last = max(win.values(), default=0)
    windows = sorted(set(win.values()) | {last})
    ans, vecs = store.analyses(ids), store.doc_vectors(ids)
    rels: dict[str, list] = {}
    for r in store.relations(ids):
        rels.setdefault(r.a, []).append(r)
        rels.setdefault(r.b, []).append(r)
    items = [{"w": win.get(a.id, last), "kind": "a", "pos": i,
              "p": _dump((a, ans[a.id], vecs[a.id], rels.get(a.id, [])))} for i, a in enumerate(arts)]
    # each story active within the horizon seeds the window nearest its last article
    for d in store.story_states(active_since=active_since(store, ids, settings.cluster)):
        when = d.get("last_seen")
        w = last if not when else int((_ts(when) - t0) // span)
        w = min(windows, key=lambda k: (abs(k - w), -k))
        items.append({"w": w, "kind": "s", "pos": -1,
                      "p": _dump((d, store.doc_vectors(d["members"])))})
    ds = _from_items(items).groupby("w").map_groups(_cluster_window, fn_kwargs={"config": settings.cluster},
                                                     batch_format="numpy")
    by_window: dict[int, _Window] = {}
    with progress.task("cluster", len(ids)) as task:
        for row in _rows(ds):
            w = by_window.setdefault(int(row["w"]), _Window({}, {}, {}, set(), []))
            if row["kind"] == "gone":
                w.gone += _load(row["p"])
                continue
            d, opener, member_vecs, changed = _load(row["p"])
            w.states[d["id"]] = StoryState.from_dict(d)
            w.vectors.update(member_vecs)
            if opener is not None:
                w.openers[d["id"]] = opener
            if changed:
                w.changed.add(d["id"])
        task.advance(len(ids))
    return len(ids), _save_windows(store, by_window, settings=settings)


def _ts(iso: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso).timestamp()


def _save_windows(store: Store, by_window: dict[int, _Window], *, settings: Settings) -> set[str]:
    """Stitch adjacent windows (a shuffle keyed by boundary), apply the merges, write once."""
    keys = sorted(by_window)
    edges: list[tuple[str, str, object]] = []
    if len(keys) > 1:
        items = [{"k": i, "p": _dump((by_window[left], by_window[right]))}
                 for i, (left, right) in enumerate(zip(keys, keys[1:]))]
        ds = _from_items(items).map_batches(_stitch_batch, fn_kwargs={"config": settings.cluster}, batch_size=1)
        for row in _rows(ds):
            edges += _load(row["p"])
    states = {sid: st for w in by_window.values() for sid, st in w.states.items()}
    changed = {sid for w in by_window.values() for sid in w.changed}
    gone = {g for w in by_window.values() for g in w.gone}
    if edges:
        c = StoryClusterer(list(states.values()), config=settings.cluster)
        root = {sid: sid for sid in states}
        for right, left, bridge in edges:
            ra, rb = _find(root, left), _find(root, right)
            if ra != rb:
                keep = c._merge(ra, rb, bridge)
                lost = rb if keep == ra else ra
                root[lost] = keep
                gone.add(lost)
                changed.add(keep)
        states = dict(c.states)
    states = {sid: st for sid, st in states.items() if sid in changed and sid not in gone}
    stored = {m: sid for sid, ms in store.story_members().items() for m in ms}
    members = [(m, sid) for sid, st in states.items() for m in st.members if stored.get(m) != sid]
    store.save_stories([st.to_dict() for st in states.values()], members,
                       drop=sorted(gone - set(states)))
    return set(states)


def _find(root: dict[str, str], x: str) -> str:
    while root[x] != x:
        x = root[x]
    return x


def _stitch_batch(batch: dict[str, np.ndarray], *, config) -> dict[str, list]:  # type: ignore[no-untyped-def]
    return {"p": [_dump(_stitch(*_load(p), config=config)) for p in batch["p"]]}


# -- compare: one task per story ------------------------------------------------------------------

def _compare(batch: dict[str, np.ndarray], *, settings: Settings) -> dict[str, list]:
    from .analyze.corpus import resolve_by_id
    from .compare import compare_story

    out = []
    for p in batch["p"]:
        d, arts, rels, ans, vecs = _load(p)
        st = StoryState.from_dict(d)
        comp = compare_story(st.id, st.members, articles=arts, analyses=resolve_by_id(ans, arts),
                             vectors=vecs, relations=rels, config=settings.compare)
        out.append(_dump((comp, to_story(st, comp.lines, n_entities=settings.cluster.label_entities))))
    return {"p": out}


def compare_stories_ray(store: Store, story_ids: Iterable[str], *, settings: Settings,
                        progress: Progress, ray_cfg: RayConfig = RayConfig()) -> int:
    story_ids = list(story_ids)
    states = {d["id"]: d for d in store.story_states_of(story_ids)}
    sids = [s for s in story_ids if s in states]
    with progress.task("compare", len(sids)) as task:
        if not sids:
            return 0

        def item(sid: str) -> dict[str, bytes]:
            ids = states[sid]["members"]
            arts = {a.id: a for a in store.articles(ids)}
            rels = [r for r in store.relations(ids) if r.a in arts and r.b in arts]
            return {"p": _dump((states[sid], arts, rels, store.analyses(ids), store.vectors(ids)))}

        # a wave of stories at a time, fewer when stories are large: the driver holds one wave
        for wave in _story_waves(sids, {sid: len(states[sid]["members"]) for sid in sids}, ray_cfg.wave):
            items = [item(sid) for sid in wave]
            for row in _rows(_from_items(items).map_batches(_compare, fn_kwargs={"settings": settings},
                                                            batch_size=1)):
                comp, story = _load(row["p"])
                store.save_comparisons([comp], [story])
                task.advance()
    return len(sids)


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


# -- the runner -----------------------------------------------------------------------------------

def process_ray(store: Store, *, settings: Settings = Settings(), progress: Progress = NullProgress(),
                address: str | None = None, num_cpus: int | None = None,
                config: RayConfig = RayConfig(), quiet: bool = False) -> RunSummary:
    """`pipeline.process` on Ray Data: every stage after ingest on what the store has not
    processed yet. Starts a local Ray (or joins `address`) unless one is running; shuts down
    only a Ray it started."""
    import ray

    started = start_ray(address, num_cpus=num_cpus, config=config, quiet=quiet)
    _quiet_ray_data()
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


__all__ = ["RayConfig", "candidate_pairs_ray", "knn_pairs", "lsh_pairs", "process_ray", "start_ray"]
