"""Relate stage: which articles reuse which (verbatim, near-verbatim, spin, translation, shared
source), which only share a story, who was first, and the reporting lines that result.

Pipeline: `candidate_pairs` (MinHash LSH over word shingles + document-vector kNN) ->
`relate_pair` (monotone sentence alignment, features, kind, direction) -> `reporting_lines`.
"""

import logging

from .align import SentenceMatch, align, align_sentences
from .candidates import CandidateIndex, candidate_pairs, candidate_pairs_from
from .classify import PairFeatures, PairInputs, classify, pair_features, relate_articles, relate_pair, relate_pairs
from .config import RelateConfig
from .direction import infer_direction
from .lines import likely_original, reporting_lines
from .shingles import minhash_scheme, minhash_signatures, shingles

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "CandidateIndex",
    "PairFeatures",
    "PairInputs",
    "RelateConfig",
    "SentenceMatch",
    "align",
    "align_sentences",
    "candidate_pairs",
    "candidate_pairs_from",
    "classify",
    "infer_direction",
    "likely_original",
    "minhash_scheme",
    "minhash_signatures",
    "pair_features",
    "relate_articles",
    "relate_pair",
    "relate_pairs",
    "reporting_lines",
    "shingles",
]
