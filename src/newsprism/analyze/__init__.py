"""Analyze stage: sentences, canonical entities with roles, quotes and attributions, claims,
genre, machine-translation signals and language of clean articles.

The spaCy model is loaded only by `load_nlp` and passed in; nothing here holds model state.
"""

from __future__ import annotations

import logging

from newsprism.analyze.claims import extract_claims
from newsprism.analyze.config import AnalyzeConfig
from newsprism.analyze.corpus import CorpusEntities, resolve_corpus
from newsprism.analyze.entities import canonical_key, extract_entities
from newsprism.analyze.genre import classify_genre
from newsprism.analyze.language import detect_language, make_language_detector
from newsprism.analyze.pipeline import (
    analyze_article,
    analyze_articles,
    blank_pipeline,
    load_nlp,
)
from newsprism.analyze.quotes import extract_quotes
from newsprism.analyze.sentences import sentence_spans
from newsprism.analyze.signals import machine_translation_signals
from newsprism.analyze.sourcing import sourcing_profile

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "AnalyzeConfig",
    "CorpusEntities",
    "analyze_article",
    "analyze_articles",
    "blank_pipeline",
    "canonical_key",
    "classify_genre",
    "detect_language",
    "extract_claims",
    "extract_entities",
    "extract_quotes",
    "load_nlp",
    "machine_translation_signals",
    "make_language_detector",
    "resolve_corpus",
    "sentence_spans",
    "sourcing_profile",
]
