"""Relate on Ray: signing and alignment as tasks, LSH banding and kNN as key-partitioned shuffles."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from datasketch import LeanMinHash, MinHashLSH

from ..embed import ArticleVectors
from ..pipeline import _batches, relate_plan
from ..progress import Progress
from ..relate import minhash_signatures
from ..relate.candidates import _lang_key, _LanguageANN
from ..relate.config import RelateConfig
from ..settings import Settings
from ..store import Store
from .session import RayConfig, _articles, _dump, _feed, _from_items, _load, _rows, _waves


def lsh_params(config: RelateConfig) -> tuple[int, int]:
    """(bands, rows per band): datasketch's own choice for this threshold and `num_perm`."""
    lsh = MinHashLSH(threshold=config.lsh_threshold, num_perm=config.num_perm)
    return lsh.b, lsh.r


def _band_rows(batch: dict[str, np.ndarray], *, b: int, r: int) -> dict[str, np.ndarray]:
    """One row per (article, band): the band number and its `r` hash values as numeric key
    columns (equal keys iff equal band slices, the bucket datasketch uses), vectorised."""
    hv = np.stack([np.frombuffer(x, dtype=np.uint64) for x in batch["hv"]])
    out = {"band": np.repeat(np.arange(b, dtype=np.int64), len(hv))}
    for j in range(r):
        out[f"k{j}"] = np.concatenate([hv[:, i * r + j] for i in range(b)])
    out["id"], out["q"] = np.tile(batch["id"], b), np.tile(batch["q"], b)
    return out


def _shared_only(batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    keep = batch["count()"] > 1
    return {k: v[keep] for k, v in batch.items() if k != "count()"}


def _in_buckets(batch: dict[str, np.ndarray], *, keys: list[str], buckets: frozenset) -> dict[str, np.ndarray]:
    keep = np.array([k in buckets for k in zip(*(batch[c].tolist() for c in keys))], dtype=bool)
    return {k: v[keep] for k, v in batch.items()}


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
    """The pairs `MinHashLSH.query` finds for each query over all `signatures`, computed by
    shuffles keyed by bucket (band, band hash values): a count finds the buckets of two or more
    articles, then only those buckets' rows are grouped to emit their pairs with a query.

    Why two steps: nearly every bucket holds one article, and a grouping that calls Python once
    per group (or collects lists) took about 70 s for 20k articles on 2 cores; Ray's built-in
    count over numeric keys takes about 5 s. The driver receives only the shared buckets' keys.
    """
    wanted = set(queries)
    if len(signatures) < 2 or not wanted:
        return set()
    b, r = lsh_params(config)
    items = [{"id": aid, "q": aid in wanted,
              "hv": np.ascontiguousarray(m.hashvalues, dtype=np.uint64).tobytes()}
             for aid, m in signatures.items()]
    keys = ["band", *(f"k{j}" for j in range(r))]
    rows = _from_items(items).map_batches(_band_rows, fn_kwargs={"b": b, "r": r}, batch_format="numpy").materialize()
    shared = frozenset(tuple(int(row[k]) for k in keys) for row in _rows(
        rows.groupby(keys).count().map_batches(_shared_only, batch_format="numpy")))
    if not shared:
        return set()
    ds = (rows.map_batches(_in_buckets, fn_kwargs={"keys": keys, "buckets": shared}, batch_format="numpy")
          .groupby(keys).map_groups(_bucket_pairs, batch_format="numpy"))
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
    from ..ann import unit_rows

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
    from ..relate import relate_pairs

    out = []
    for p in batch["p"]:
        done, todo, arts, ans, vecs = _load(p)
        rels = relate_pairs(todo, (arts, ans, vecs), config)
        out.append(_dump((done, [r for r in rels if r.kind != "unrelated"])))
    return {"p": out}


def _pair_inputs(store: Store, key: tuple[list[str], list[tuple[str, str]]]) -> bytes:
    """A batch of new articles and its candidate pairs, with what aligning them needs."""
    batch, todo = key
    need = {x for p in todo for x in p}
    return _dump((batch, todo, {a.id: a for a in store.articles(need)}, store.analyses(need), store.vectors(need)))


def relate_pending_ray(store: Store, *, settings: Settings, progress: Progress,
                       ray_cfg: RayConfig = RayConfig()) -> tuple[int, int]:
    """`pipeline.relate_pending` with signing, candidate search and alignment on Ray."""
    new = store.ids_not_related()
    if not new:
        return 0, 0
    cfg = settings.relate

    def sign(unsigned: Sequence[str]) -> Iterable[dict[str, LeanMinHash]]:
        size = settings.batch_size * 8
        waves = [list(_batches(w, size)) for w in _waves(unsigned, max(ray_cfg.wave, size), size)]
        for ds in _feed(store, waves, _articles):
            for row in _rows(ds.map_batches(_sign, fn_kwargs={"config": cfg}, batch_size=1)):
                yield _load(row["p"])

    by_later = relate_plan(store, new, cfg, sign=sign, search=candidate_pairs_ray)
    waves = [[(b, [p for aid in b for p in by_later.get(aid, [])]) for b in _batches(w, settings.batch_size)]
             for w in _waves(new, ray_cfg.wave, settings.batch_size)]
    n_rel = 0
    with progress.task("relate", len(new)) as task:
        for ds in _feed(store, waves, _pair_inputs):
            for row in _rows(ds.map_batches(_relate, fn_kwargs={"config": cfg}, batch_size=1)):
                done, rels = _load(row["p"])
                store.save_relations(rels, done)
                n_rel += len(rels)
                task.advance(len(done))
    return len(new), n_rel
