"""Candidate pairs: MinHash LSH for lexical reuse plus embedding kNN for paraphrase/translation.

Only candidate pairs reach the (costlier) sentence alignment. Both searches are near-linear:
LSH buckets, and the kNN is done as blocked matrix products (a faiss index can replace it later
behind the same `CandidateIndex` interface).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import numpy as np
from datasketch import LeanMinHash, MinHashLSH

from ..embed import ArticleVectors
from ..models import Article
from .config import RelateConfig
from .shingles import minhash_signatures

logger = logging.getLogger(__name__)


def _lang_codes(langs: Sequence[str | None]) -> np.ndarray:
    """Integer code per language; -1 for unknown."""
    table: dict[str, int] = {}
    return np.array(
        [-1 if not lg else table.setdefault(lg.lower().split("-")[0], len(table)) for lg in langs],
        dtype=np.int64,
    )


def _knn_scores(
    d_rows: np.ndarray, m_rows: np.ndarray, lang_rows: np.ndarray,
    d_all: np.ndarray, m_all: np.ndarray, lang_all: np.ndarray, cfg: RelateConfig,
) -> np.ndarray:
    """Margin over the floor of each (row, column) pair: mono cosine within a language,
    multilingual cosine across languages, the better of both when a language is unknown."""
    mono = d_rows @ d_all.T - cfg.knn_min_cosine
    multi = m_rows @ m_all.T - cfg.knn_min_cosine_cross
    same = lang_rows[:, None] == lang_all[None, :]
    unknown = (lang_rows[:, None] < 0) | (lang_all[None, :] < 0)
    out = np.where(same, mono, multi)
    return np.where(unknown, np.maximum(mono, multi), out)


def _top_k(scores: np.ndarray, k: int) -> list[np.ndarray]:
    """Column indices of the (at most) k best non-negative scores of each row."""
    if scores.shape[1] == 0:
        return [np.zeros(0, dtype=np.int64) for _ in range(scores.shape[0])]
    kk = min(k, scores.shape[1])
    part = np.argpartition(-scores, kk - 1, axis=1)[:, :kk]
    return [row[scores[i, row] >= 0] for i, row in enumerate(part)]


class CandidateIndex:
    """Incremental candidate index: MinHash LSH plus an in-memory matrix of document vectors.

    Example:
        >>> index = CandidateIndex(RelateConfig())
        >>> index.add("a1", mh1, vec1.doc, vec1.ml_doc, language="en")      # doctest: +SKIP
        >>> index.query("a2", mh2, vec2.doc, vec2.ml_doc, language="es")    # doctest: +SKIP
        {'a1'}
    """

    def __init__(self, config: RelateConfig | None = None) -> None:
        self.config = config or RelateConfig()
        self._lsh = MinHashLSH(threshold=self.config.lsh_threshold, num_perm=self.config.num_perm)
        self._ids: list[str] = []
        self._docs: list[np.ndarray] = []
        self._ml_docs: list[np.ndarray] = []
        self._langs: list[str | None] = []
        self._matrices: tuple[np.ndarray, np.ndarray] | None = None

    def __len__(self) -> int:
        return len(self._ids)

    def add(
        self, article_id: str, minhash: LeanMinHash, doc_vec: np.ndarray, ml_doc_vec: np.ndarray,
        *, language: str | None = None,
    ) -> None:
        """Index one article (ids must be unique)."""
        self._lsh.insert(article_id, minhash)
        self._ids.append(article_id)
        self._docs.append(np.asarray(doc_vec, dtype=np.float32))
        self._ml_docs.append(np.asarray(ml_doc_vec, dtype=np.float32))
        self._langs.append(language)
        self._matrices = None

    def _stacked(self) -> tuple[np.ndarray, np.ndarray]:
        if self._matrices is None:
            self._matrices = (np.vstack(self._docs), np.vstack(self._ml_docs))
        return self._matrices

    def query(
        self, article_id: str, minhash: LeanMinHash, doc_vec: np.ndarray, ml_doc_vec: np.ndarray,
        *, language: str | None = None,
    ) -> set[str]:
        """Ids of indexed articles that may reuse or share a story with this one (never itself)."""
        hits = {str(h) for h in self._lsh.query(minhash)}
        if self._ids:
            docs, ml_docs = self._stacked()
            codes = _lang_codes([*self._langs, language])  # one code table for both sides
            scores = _knn_scores(
                np.asarray(doc_vec, dtype=np.float32)[None, :],
                np.asarray(ml_doc_vec, dtype=np.float32)[None, :], codes[-1:],
                docs, ml_docs, codes[:-1], self.config,
            )
            hits.update(self._ids[j] for j in _top_k(scores, self.config.knn_k + 1)[0])
        hits.discard(article_id)
        return hits


def candidate_pairs(
    articles: Sequence[Article],
    vectors: Sequence[ArticleVectors] | Mapping[str, ArticleVectors],
    *,
    config: RelateConfig | None = None,
    languages: Mapping[str, str] | None = None,
) -> set[tuple[str, str]]:
    """Pairs worth aligning: LSH hits over word shingles, union the k nearest by document vector.

    Args:
        articles: the batch.
        vectors: one `ArticleVectors` per article (matched by `article_id`), as a sequence or
            as a mapping article id -> vectors.
        config: thresholds (`lsh_threshold`, `knn_k`, `knn_min_cosine`, `knn_min_cosine_cross`).
        languages: article id -> language, overriding `Article.language` (pass
            `Analysis.language` when you have it).

    Returns:
        Set of `(min_id, max_id)` pairs.
    """
    cfg = config or RelateConfig()
    values = vectors.values() if isinstance(vectors, Mapping) else vectors
    by_id = {v.article_id: v for v in values}
    arts = [a for a in articles if a.id in by_id]
    if len(arts) < 2:
        return set()
    ids = [a.id for a in arts]
    pairs: set[tuple[str, str]] = set()

    sigs = minhash_signatures(arts, config=cfg)
    lsh = MinHashLSH(threshold=cfg.lsh_threshold, num_perm=cfg.num_perm)
    with lsh.insertion_session() as session:
        for aid in ids:
            session.insert(aid, sigs[aid])
    for aid in ids:
        for other in lsh.query(sigs[aid]):
            if other != aid:
                pairs.add((min(aid, other), max(aid, other)))
    n_lsh = len(pairs)

    langs = _lang_codes([(languages or {}).get(a.id) or a.language for a in arts])
    docs = np.vstack([by_id[i].doc for i in ids]).astype(np.float32)
    ml_docs = np.vstack([by_id[i].ml_doc for i in ids]).astype(np.float32)
    for start in range(0, len(ids), cfg.knn_block):
        stop = min(start + cfg.knn_block, len(ids))
        scores = _knn_scores(docs[start:stop], ml_docs[start:stop], langs[start:stop],
                             docs, ml_docs, langs, cfg)
        scores[np.arange(stop - start), np.arange(start, stop)] = -np.inf
        for r, cols in enumerate(_top_k(scores, cfg.knn_k)):
            a = ids[start + r]
            for c in cols:
                b = ids[int(c)]
                pairs.add((min(a, b), max(a, b)))
    logger.debug("candidate pairs: %s from LSH, %s in all", n_lsh, len(pairs))
    return pairs
