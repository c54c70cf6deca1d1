"""Candidate pairs: MinHash LSH for lexical reuse plus faiss nearest neighbours for paraphrase and
translation.

Only candidate pairs reach the (costlier) sentence alignment. Both searches are near-linear in
corpus size: LSH buckets, and faiss indexes that are exact for small groups and HNSW graphs above
`RelateConfig.ann_exact_max`. Vectors are kept one index per language: within a language the
English-tuned MiniLM document vector finds paraphrases; across languages the multilingual vector
finds translations, searched only among other languages so that same-language neighbours cannot
crowd them out of the top k.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from datasketch import LeanMinHash, MinHashLSH

from ..ann import VectorIndex, unit_rows
from ..embed import ArticleVectors
from ..models import Article
from .config import RelateConfig
from .shingles import minhash_signatures

logger = logging.getLogger(__name__)

_UNKNOWN = ""  # language key of articles whose language is not known


def _lang_key(language: str | None) -> str:
    return language.lower().split("-")[0] if language else _UNKNOWN


class _LanguageANN:
    """Nearest neighbours by document vector: MiniLM within a language, multilingual across.

    An article of unknown language is searched both ways (the better of both), as is every
    article against the unknown-language group.
    """

    def __init__(self, cfg: RelateConfig) -> None:
        self.cfg = cfg
        self.ann = cfg.ann_config()
        self.mono: dict[str, VectorIndex] = {}
        self.multi: dict[str, VectorIndex] = {}

    def __len__(self) -> int:
        return sum(len(g) for g in self.mono.values())

    def add(self, ids: Sequence[str], docs: np.ndarray, ml_docs: np.ndarray,
            langs: Sequence[str]) -> None:
        for lang in dict.fromkeys(langs):
            rows = [i for i, lg in enumerate(langs) if lg == lang]
            sel = [ids[i] for i in rows]
            self.mono.setdefault(lang, VectorIndex(docs.shape[1], self.ann)).add(sel, docs[rows])
            self.multi.setdefault(lang, VectorIndex(ml_docs.shape[1], self.ann)).add(sel, ml_docs[rows])

    def search(self, ids: Sequence[str], docs: np.ndarray, ml_docs: np.ndarray,
               langs: Sequence[str], k: int) -> list[set[str]]:
        """Per query, ids of up to k nearest articles in each language group (its own by MiniLM,
        the others by the multilingual vector)."""
        cfg = self.cfg
        hits: list[set[str]] = [set() for _ in ids]
        for lang in dict.fromkeys(langs):
            rows = [i for i, lg in enumerate(langs) if lg == lang]
            for group_lang in self.mono:
                same = lang == group_lang
                either_unknown = _UNKNOWN in (lang, group_lang)
                searches = []
                if same or either_unknown:
                    searches.append((self.mono[group_lang], docs, cfg.knn_min_cosine))
                if not same or either_unknown:
                    searches.append((self.multi[group_lang], ml_docs, cfg.knn_min_cosine_cross))
                for group, matrix, floor in searches:
                    # one extra neighbour: a query that is itself indexed finds itself first
                    for r, found in zip(rows, group.search(matrix[rows], k + 1, floor), strict=True):
                        hits[r].update([o for o, _ in found if o != ids[r]][:k])
        return hits


class CandidateIndex:
    """Incremental candidate index: MinHash LSH plus per-language faiss indexes.

    Example:
        >>> index = CandidateIndex(RelateConfig())
        >>> index.add("a1", mh1, vec1.doc, vec1.ml_doc, language="en")      # doctest: +SKIP
        >>> index.query("a2", mh2, vec2.doc, vec2.ml_doc, language="es")    # doctest: +SKIP
        {'a1'}
    """

    def __init__(self, config: RelateConfig | None = None) -> None:
        self.config = config or RelateConfig()
        self._lsh = MinHashLSH(threshold=self.config.lsh_threshold, num_perm=self.config.num_perm)
        self._ann = _LanguageANN(self.config)

    def __len__(self) -> int:
        return len(self._ann)

    def add(
        self, article_id: str, minhash: LeanMinHash, doc_vec: np.ndarray, ml_doc_vec: np.ndarray,
        *, language: str | None = None,
    ) -> None:
        """Index one article (ids must be unique)."""
        self._lsh.insert(article_id, minhash)
        self._ann.add([article_id], unit_rows([doc_vec]), unit_rows([ml_doc_vec]), [_lang_key(language)])

    def query(
        self, article_id: str, minhash: LeanMinHash, doc_vec: np.ndarray, ml_doc_vec: np.ndarray,
        *, language: str | None = None,
    ) -> set[str]:
        """Ids of indexed articles that may reuse or share a story with this one (never itself)."""
        hits = {str(h) for h in self._lsh.query(minhash)}
        if len(self._ann) and self.config.knn_k > 0:
            hits |= self._ann.search([article_id], unit_rows([doc_vec]), unit_rows([ml_doc_vec]),
                                     [_lang_key(language)], self.config.knn_k)[0]
        hits.discard(article_id)
        return hits


def candidate_pairs(
    articles: Sequence[Article],
    vectors: Sequence[ArticleVectors] | Mapping[str, ArticleVectors],
    *,
    config: RelateConfig | None = None,
    languages: Mapping[str, str] | None = None,
    queries: Iterable[str] | None = None,
) -> set[tuple[str, str]]:
    """Pairs worth aligning: LSH hits over word shingles, union the k nearest by document vector.

    Args:
        articles: the corpus (or batch).
        vectors: one `ArticleVectors` per article (matched by `article_id`), as a sequence or
            as a mapping article id -> vectors; only the document vectors are read.
        config: thresholds (`lsh_threshold`, `knn_k`, `knn_min_cosine`, `knn_min_cosine_cross`,
            the faiss index settings).
        languages: article id -> language, overriding `Article.language` (pass
            `Analysis.language` when you have it).
        queries: only pairs with at least one of these ids are wanted (the new articles of an
            incremental run); every article is still indexed. Default: all.

    Returns:
        Set of `(min_id, max_id)` pairs.
    """
    cfg = config or RelateConfig()
    values = vectors.values() if isinstance(vectors, Mapping) else vectors
    by_id = {v.article_id: v for v in values}
    arts = [a for a in articles if a.id in by_id]
    langs = {a.id: (languages or {}).get(a.id) or a.language for a in arts}
    return candidate_pairs_from(minhash_signatures(arts, config=cfg), by_id, langs,
                                config=cfg, queries=queries)


def candidate_pairs_from(
    signatures: Mapping[str, LeanMinHash],
    vectors: Mapping[str, ArticleVectors],
    languages: Mapping[str, str | None],
    *,
    config: RelateConfig | None = None,
    queries: Iterable[str] | None = None,
) -> set[tuple[str, str]]:
    """`candidate_pairs` over precomputed signatures: the incremental runner keeps signatures in
    the store and loads document vectors without sentence matrices, so it never holds every text.

    Articles are those with both a signature and vectors; `languages` may omit ids (unknown).
    """
    cfg = config or RelateConfig()
    ids = [aid for aid in signatures if aid in vectors]
    if len(ids) < 2:
        return set()
    wanted = set(ids) if queries is None else set(queries) & set(ids)
    q_rows = [i for i, aid in enumerate(ids) if aid in wanted]
    pairs: set[tuple[str, str]] = set()

    lsh = MinHashLSH(threshold=cfg.lsh_threshold, num_perm=cfg.num_perm)
    with lsh.insertion_session() as session:
        for aid in ids:
            session.insert(aid, signatures[aid])
    for i in q_rows:
        aid = ids[i]
        pairs.update((min(aid, o), max(aid, o)) for o in lsh.query(signatures[aid]) if o != aid)
    n_lsh = len(pairs)

    if cfg.knn_k > 0 and q_rows:
        langs = [_lang_key(languages.get(aid)) for aid in ids]
        docs = unit_rows([vectors[i].doc for i in ids])
        ml_docs = unit_rows([vectors[i].ml_doc for i in ids])
        ann = _LanguageANN(cfg)
        ann.add(ids, docs, ml_docs, langs)
        found = ann.search([ids[i] for i in q_rows], docs[q_rows], ml_docs[q_rows],
                           [langs[i] for i in q_rows], cfg.knn_k)
        for i, others in zip(q_rows, found, strict=True):
            aid = ids[i]
            pairs.update((min(aid, o), max(aid, o)) for o in others)
    logger.debug("candidate pairs: %s from LSH, %s in all", n_lsh, len(pairs))
    return pairs
