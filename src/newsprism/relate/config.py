"""Thresholds of the relate stage, in one frozen record so runs are reproducible and tunable."""

from __future__ import annotations

from dataclasses import dataclass

from ..ann import AnnConfig


@dataclass(frozen=True, slots=True)
class RelateConfig:
    """Every threshold the relate stage uses, with named defaults.

    Similarities are on a 0..1 scale. "lexical" is rapidfuzz `fuzz.ratio` / 100 (character edit
    similarity of normalised sentences); "semantic" is the cosine of sentence vectors (MiniLM within
    one language, multilingual USE across languages), clipped at 0.
    """

    # --- candidates -------------------------------------------------------------------------
    num_perm: int = 128  # MinHash permutations
    shingle_size: int = 5  # word shingles
    seed: int = 1  # MinHash seed (all signatures must share it)
    lsh_threshold: float = 0.3  # Jaccard threshold of MinHashLSH over word shingles
    knn_k: int = 10  # nearest neighbours by document vector
    knn_min_cosine: float = 0.5  # MiniLM doc cosine floor (same language)
    knn_min_cosine_cross: float = 0.5  # multilingual doc cosine floor (across languages)
    #: Up to this many vectors per language an index is exact (faiss IndexFlatIP); above it,
    #: HNSW, so that the search stays near-linear in corpus size (measured in BENCHMARKS.md).
    ann_exact_max: int = 50_000
    hnsw_m: int = 32  # HNSW graph degree
    hnsw_ef_construction: int = 40
    hnsw_ef_search: int = 48  # search breadth: 0.99+ of the exact neighbours (60k test)
    ann_batch: int = 4096  # query rows per faiss search call (bounds the result matrices)
    #: Stored articles published more than this many days before the run's earliest new article
    #: or after its latest are not indexed (None: every stored article is). Reuse happens within
    #: days or weeks, and it keeps a run's memory bounded on a months-long stream (the index
    #: holds about 4.5 kB per article). Undated articles are always indexed. Two dated articles
    #: further apart than this are not related even when one run brings both, so the relations
    #: do not depend on how a corpus is split into runs.
    horizon_days: float | None = 90.0

    # --- alignment --------------------------------------------------------------------------
    align_floor: float = 0.62  # combined sentence similarity needed to align (same language)
    align_floor_cross: float = 0.6  # multilingual cosine needed to align (across languages)
    lexical_weight: float = 0.5  # weight of lexical in the combined same-language similarity
    merge_bonus: float = 1.5  # gain multiplier of a 1–2 / 2–1 merge relative to a 1–1 match
    quote_share: float = 0.6  # a sentence this much inside direct quotes (both sides) is a shared quote
    quote_part: float = 0.3  # partly quoted on both sides: the unquoted rest decides
    quote_rest_lexical: float = 0.8  # unquoted rests at least this close are reused text
    order_floor: float = 0.5  # best-match similarity that counts a sentence for the order measure

    # --- kinds ------------------------------------------------------------------------------
    verbatim_lexical: float = 0.95
    verbatim_coverage: float = 0.9
    verbatim_identical: float = 0.9  # share of aligned text in groups with lexical >= 0.99
    near_verbatim_lexical: float = 0.8
    copy_coverage: float = 0.75  # coverage of the covered (smaller / derived) side for a copy kind
    copy_min_other: float = 0.3  # the other side must share at least this much for a copy kind
    spin_semantic: float = 0.7  # mean cosine (MiniLM+USE mean) of aligned passages
    spin_lexical_max: float = 0.8  # fuzz.ratio of unrelated sentences is already ~0.45
    #: One-for-one word substitutions per aligned word above which a copy is reported as
    #: synonym-swapped (spinner trace); human edits on the demo stay under 0.02.
    swap_density: float = 0.05
    in_order: float = 0.8  # order monotonicity needed for copy kinds
    translation_coverage: float = 0.8  # the better-covered side, across languages
    #: Mean multilingual cosine of aligned passages. 0.68 from the WMT14 fr-en dev set (human
    #: translations of 1–5 sentences score 0.68–0.70); the demo's same-story pairs across
    #: languages stay far below it.
    translation_semantic: float = 0.68
    shared_lexical: float = 0.8  # a sentence pair this close counts as shared text
    shared_min_coverage: float = 0.15  # shared text must be at least this share of both sides
    shared_min_chars: int = 200  # ... and at least this many characters
    release_min_passages: int = 2  # passages (quotes included) drawn from a press release
    release_min_coverage: float = 0.1  # ... covering this share of one side
    same_story_cosine: float = 0.55  # document cosine (MiniLM; multilingual across languages)
    same_story_cosine_entities: float = 0.4  # lower bar when named entities are shared
    same_story_entity_overlap: float = 0.2  # Jaccard of entity names for the lower bar
    contained_coverage: float = 0.95  # aligned share of a side that counts as contained
    mt_signal_gap: float = 0.3  # machine-translation signal gap that decides direction

    def ann_config(self) -> AnnConfig:
        """The faiss settings above as the shared index's config."""
        return AnnConfig(exact_max=self.ann_exact_max, hnsw_m=self.hnsw_m,
                         hnsw_ef_construction=self.hnsw_ef_construction,
                         hnsw_ef_search=self.hnsw_ef_search, batch=self.ann_batch)
