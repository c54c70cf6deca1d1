"""Pair features from the sentence alignment, the reuse kind they point to, and `relate_pair`."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from ..embed import ArticleVectors
from ..models import COPY_KINDS, Analysis, Article, Relation, RelationKind, Span
from .align import (
    SentenceMatch, Similarities, align_sentences, base_language, is_cross_language, order_score,
    pair_similarities, to_aligned_span,
)
from .config import RelateConfig
from .direction import infer_direction
from .swaps import synonym_swaps

_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*")


@dataclass(frozen=True, slots=True)
class PairFeatures:
    """What the classifier looks at; every share is of characters of sentences."""

    cross_language: bool
    coverage_a: float  # share of A's own text (sentences not mostly quotations) aligned to B
    coverage_b: float
    lexical: float  # char-weighted mean over aligned groups that are not shared quotations
    semantic: float
    order: float  # 1.0 = best matches appear in the same order
    shared_a: float  # share of A's own text aligned with lexical >= shared_lexical
    shared_b: float
    shared_chars: int  # characters of that shared text (smaller side)
    doc_cosine: float  # MiniLM within a language, multilingual across
    entity_overlap: float  # Jaccard of entity (or capitalised-name) sets
    shared_entities: int
    title_lexical: float  # rapidfuzz ratio of the titles (1.0 when either is missing)
    identical: float  # share of aligned text (chars) in groups identical up to case/punctuation
    quote_groups: int  # aligned groups that are shared quotations (not counted as reuse)
    groups: int  # aligned groups counted as reuse
    release_side: bool = False  # exactly one side is a press release


def _own_mask(spans: Sequence[Span], shares: Sequence[float], limit: float) -> list[bool]:
    """Sentences that count as the article's own text (not mostly inside a quotation)."""
    mask = [q < limit for q in shares]
    return mask if any(mask) else [True] * len(spans)


def _coverage(spans: Sequence[Span], own: Sequence[bool], covered: set[int]) -> tuple[float, int]:
    total = sum(s.end - s.start for s, o in zip(spans, own) if o)
    hit = sum(spans[i].end - spans[i].start for i in covered if own[i])
    return (hit / total if total else 0.0), hit


def _names(art: Article, an: Analysis) -> set[str]:
    if an.entities:
        return {e.name.lower() for e in an.entities}
    return {m.group(0).lower() for m in _NAME.finditer(art.text)}


def pair_features(
    a: Article, b: Article, an_a: Analysis, an_b: Analysis, va: ArticleVectors,
    vb: ArticleVectors, matches: Sequence[SentenceMatch], *, config: RelateConfig,
    sims: Similarities | None = None,
) -> PairFeatures:
    """Summarise an alignment (and document-level similarity) into classifier features.

    `sims` is `pair_similarities` of the same pair, when the caller has it already."""
    cfg = config
    sims = sims or pair_similarities(an_a, an_b, va, vb, config=cfg)
    cross = sims.cross
    own_a = _own_mask(an_a.sentences, sims.quote_a, cfg.quote_share)
    own_b = _own_mask(an_b.sentences, sims.quote_b, cfg.quote_share)
    reuse = [m for m in matches if not m.quote_only]
    cov_a, _ = _coverage(an_a.sentences, own_a, {i for m in reuse for i in range(*m.a)})
    cov_b, _ = _coverage(an_b.sentences, own_b, {j for m in reuse for j in range(*m.b)})
    close = [m for m in reuse if m.lexical >= cfg.shared_lexical]
    sh_a, ch_a = _coverage(an_a.sentences, own_a, {i for m in close for i in range(*m.a)})
    sh_b, ch_b = _coverage(an_b.sentences, own_b, {j for m in close for j in range(*m.b)})
    weights = np.array([_chars(an_a.sentences, m.a) + _chars(an_b.sentences, m.b) for m in reuse])
    lex = float(np.average([m.lexical for m in reuse], weights=weights)) if reuse else 0.0
    sem = float(np.average([m.semantic for m in reuse], weights=weights)) if reuse else 0.0
    doc = float(va.ml_doc @ vb.ml_doc) if cross else float(va.doc @ vb.doc)
    na, nb = _names(a, an_a), _names(b, an_b)
    union = na | nb
    title = fuzz.ratio(a.title.lower(), b.title.lower()) / 100 if a.title and b.title else 1.0
    return PairFeatures(
        cross_language=cross, coverage_a=cov_a, coverage_b=cov_b, lexical=lex, semantic=sem,
        order=order_score(an_a, an_b, va, vb, config=cfg, sims=sims), shared_a=sh_a, shared_b=sh_b,
        shared_chars=min(ch_a, ch_b), doc_cosine=doc,
        entity_overlap=len(na & nb) / len(union) if union else 0.0,
        shared_entities=len(na & nb), title_lexical=title,
        identical=float(weights[[m.lexical >= 0.99 for m in reuse]].sum() / weights.sum())
        if reuse else 0.0,
        quote_groups=len(matches) - len(reuse), groups=len(reuse),
        release_side=(an_a.genre == "press_release") != (an_b.genre == "press_release"),
    )


def _chars(spans: Sequence[Span], rng: tuple[int, int]) -> int:
    return sum(spans[i].end - spans[i].start for i in range(*rng))


def _margin(x: float, lo: float, hi: float) -> float:
    return float(min(1.0, max(0.0, (x - lo) / (hi - lo)))) if hi > lo else 1.0


def classify(f: PairFeatures, *, config: RelateConfig | None = None) -> tuple[RelationKind, float]:
    """Reuse kind and its confidence (0..1) from pair features.

    Rules, in order: translation (languages differ, both sides mostly aligned in order); verbatim
    (near-identical and both sides covered); near_verbatim / spin (one side mostly covered, in
    order, by lexically close / paraphrased sentences); shared_source (a block of shared text on
    both sides, each with its own material); same_story (document vectors or shared names);
    unrelated.
    """
    c = config or RelateConfig()
    big, small = max(f.coverage_a, f.coverage_b), min(f.coverage_a, f.coverage_b)
    in_order = f.order >= c.in_order
    if f.cross_language:
        if (big >= c.translation_coverage and small >= c.copy_min_other and in_order
                and f.semantic >= c.translation_semantic):
            return "translation", 0.5 + 0.25 * (
                _margin(f.semantic, c.align_floor_cross, 0.9) + _margin(small, c.copy_min_other, 1))
    else:
        if (f.lexical >= c.verbatim_lexical and small >= c.verbatim_coverage and in_order
                and f.identical >= c.verbatim_identical):
            return "verbatim", 0.7 + 0.15 * (
                _margin(f.lexical, c.verbatim_lexical, 1) + _margin(small, c.verbatim_coverage, 1))
        if big >= c.copy_coverage and small >= c.copy_min_other and in_order:
            if f.lexical >= c.near_verbatim_lexical:
                return "near_verbatim", 0.6 + 0.2 * (
                    _margin(f.lexical, c.near_verbatim_lexical, 1) + _margin(big, c.copy_coverage, 1))
            if f.semantic >= c.spin_semantic and f.lexical <= c.spin_lexical_max:
                return "spin", 0.5 + 0.5 / 3 * (
                    _margin(f.semantic, c.spin_semantic, 0.9) + _margin(big, c.copy_coverage, 1)
                    + _margin(f.order, c.in_order, 1))
    if (min(f.shared_a, f.shared_b) >= c.shared_min_coverage
            and f.shared_chars >= c.shared_min_chars):
        return "shared_source", 0.5 + 0.5 * _margin(min(f.shared_a, f.shared_b),
                                                     c.shared_min_coverage, 0.5)
    # Press releases exist to be reused: quoting and paraphrasing one is drawing on a shared source.
    if (f.release_side and not f.cross_language and f.groups + f.quote_groups >= c.release_min_passages
            and max(f.coverage_a, f.coverage_b) >= c.release_min_coverage):
        return "shared_source", 0.5 + 0.5 * _margin(max(f.coverage_a, f.coverage_b),
                                                     c.release_min_coverage, 0.5)
    if f.doc_cosine >= c.same_story_cosine or (
            f.doc_cosine >= c.same_story_cosine_entities
            and f.entity_overlap >= c.same_story_entity_overlap):
        return "same_story", 0.5 + 0.5 * _margin(f.doc_cosine, c.same_story_cosine_entities, 0.85)
    return "unrelated", 0.5 + 0.5 * _margin(c.same_story_cosine - f.doc_cosine, 0,
                                            c.same_story_cosine)


def explain(f: PairFeatures, kind: RelationKind, an_a: Analysis, an_b: Analysis) -> list[str]:
    """Short human-readable reasons for a classification."""
    out = []
    if f.groups:
        out.append(f"{f.coverage_a:.0%} of A aligned to B, {f.coverage_b:.0%} of B to A "
                   f"({f.groups} passages, mean lexical {f.lexical:.2f}, semantic {f.semantic:.2f})")
        out.append("same order" if f.order >= 0.999 else f"order monotonicity {f.order:.2f}")
    else:
        out.append("no reused passage")
    if f.quote_groups:
        out.append(f"{f.quote_groups} aligned passage(s) are shared quotations, not counted as reuse")
    if f.cross_language:
        out.append(f"languages {base_language(an_a.language)}→{base_language(an_b.language)}")
    if kind == "shared_source" and f.release_side and min(f.shared_a, f.shared_b) < 0.15:
        out.append(f"one side is a press release; {f.groups + f.quote_groups} passages of the other "
                   "quote or paraphrase it")
    elif kind == "shared_source":
        out.append(f"shared text: {f.shared_a:.0%} of A, {f.shared_b:.0%} of B; "
                   "both carry independent material")
    if kind in ("near_verbatim", "verbatim") and f.title_lexical < 0.8:
        out.append("headline changed")
    if kind in ("same_story", "unrelated", "shared_source"):
        out.append(f"document cosine {f.doc_cosine:.2f}, {f.shared_entities} shared names")
    return out


def relate_pair(
    a: Article, b: Article, an_a: Analysis, an_b: Analysis, va: ArticleVectors,
    vb: ArticleVectors, *, config: RelateConfig | None = None,
) -> Relation:
    """Relate two articles: align their sentences, classify the reuse, infer who was first.

    Args:
        a, b: the articles (clean text, title, publication time, outlet).
        an_a, an_b: their analyses (sentences with offsets; quotes, entities, signals if known).
        va, vb: their vectors (sentence rows follow the analyses' sentences).
        config: thresholds; defaults to `RelateConfig()`.

    Returns:
        A `Relation` with kind, confidence `score`, `direction`, `reasons`, the aligned passages
        (including shared quotations, which do not count toward coverage) and the coverages.

    Example:
        >>> rel = relate_pair(a, b, an_a, an_b, va, vb)   # doctest: +SKIP
        >>> rel.kind, rel.direction
        ('near_verbatim', 'a_first')
    """
    cfg = config or RelateConfig()
    sims = pair_similarities(an_a, an_b, va, vb, config=cfg)
    matches = align_sentences(an_a, an_b, va, vb, config=cfg, sims=sims)
    feats = pair_features(a, b, an_a, an_b, va, vb, matches, config=cfg, sims=sims)
    kind, score = classify(feats, config=cfg)
    reasons = explain(feats, kind, an_a, an_b)
    alignment = tuple(to_aligned_span(m, an_a, an_b) for m in matches)
    direction = "unknown"
    if kind != "unrelated":
        direction, why = infer_direction(a, b, an_a, an_b, kind, alignment, config=cfg,
                                         coverage=(feats.coverage_a, feats.coverage_b))
        if why:
            reasons.append(why)
    density = 0.0
    if kind in {"near_verbatim", "spin", "shared_source"} and not is_cross_language(an_a, an_b):
        swaps = synonym_swaps(a.text, b.text, alignment)
        density = swaps.density
        if density >= cfg.swap_density:
            pairs = [(y, x) if direction == "b_first" else (x, y) for x, y in swaps.examples]
            shown = ", ".join(f"{x}→{y}" for x, y in pairs)
            reasons.append(f"synonym swaps in {swaps.swaps} of {swaps.words} aligned words ({shown})")
    return Relation(
        a=a.id, b=b.id, kind=kind, score=round(score, 4), direction=direction,
        reasons=tuple(reasons), alignment=alignment,
        coverage_a=round(feats.coverage_a, 4), coverage_b=round(feats.coverage_b, 4),
        swap_density=round(density, 4),
    )


PairInputs = tuple[Mapping[str, Article], Mapping[str, Analysis], Mapping[str, ArticleVectors]]


def relate_pairs(pairs: Sequence[tuple[str, str]], inputs: PairInputs, config: RelateConfig) -> list[Relation]:
    """`relate_pair` of each (a, b) id pair (unrelated ones included), in order; `inputs` are
    the articles, analyses and vectors by id."""
    arts, ans, vecs = inputs
    return [relate_pair(arts[a], arts[b], ans[a], ans[b], vecs[a], vecs[b], config=config) for a, b in pairs]


def is_copy(relation: Relation) -> bool:
    """True when the relation joins its two articles into one reporting line."""
    return relation.kind in COPY_KINDS


def relate_articles(
    articles: Sequence[Article], analyses: Sequence[Analysis], vectors: Sequence[ArticleVectors],
    *, config: RelateConfig | None = None, keep_unrelated: bool = False,
) -> list[Relation]:
    """Relate a batch: candidate pairs (LSH + kNN), then `relate_pair` on each, sorted by pair.

    Args:
        articles, analyses, vectors: one of each per article (matched by article id).
        config: thresholds.
        keep_unrelated: also return candidate pairs classified `unrelated`.
    """
    from .candidates import candidate_pairs

    cfg = config or RelateConfig()
    arts = {a.id: a for a in articles}
    ans = {an.article_id: an for an in analyses}
    vecs = {v.article_id: v for v in vectors}
    langs = {aid: an.language for aid, an in ans.items() if an.language}
    out = []
    for x, y in sorted(candidate_pairs(articles, vectors, config=cfg, languages=langs)):
        if x not in ans or y not in ans:
            continue
        rel = relate_pair(arts[x], arts[y], ans[x], ans[y], vecs[x], vecs[y], config=cfg)
        if keep_unrelated or rel.kind != "unrelated":
            out.append(rel)
    return out
