"""Compare stage: for one story, what independent reporting lines share, add and disagree on.

Only each line's representative (its likely original) speaks for the line, so ten copies of
one wire story count once. Sentences are matched across lines by embedding similarity (the
multilingual space when languages differ); matched sentences form facts, unmatched claims of
a line are its unique facts, and matched sentences whose numbers or counts disagree on the
same noun are conflicts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .conflicts import (
    NumberRules,
    date_conflicts,
    number_conflicts,
    participant_conflicts,
    place_conflicts,
    places_in,
    role_conflicts,
    vague_number_conflicts,
    vague_quantities,
)
from .embed import ArticleVectors
from .framing import FramingConfig, Sentiment, frame_story
from .models import (
    Analysis,
    Article,
    Citation,
    Comparison,
    Conflict,
    Fact,
    Quote,
    Relation,
    Span,
    UniqueFact,
)
from .relate import likely_original, reporting_lines
from .slots import Quantity, ordinals, quantities, tallies
from .sources import SourcesConfig, story_sources


@dataclass(frozen=True, slots=True)
class CompareConfig:
    fact_similarity: float = 0.65  # two sentences (mutual best matches) state the same fact
    #: across languages, mutual best matches from this cosine up state one fact for conflicts
    #: (the multilingual encoder scores a sentence and its free translation 0.5–0.65)
    fact_similarity_cross: float = 0.5
    # Reports of one event phrase the same count differently ("1,200 members joined" vs "1,500
    # dockworkers began"), so head counts, event counts, areas and tallies need only weakly
    # related sentences; money and durations related ones; percentages and other counted nouns
    # closely matching sentences.
    conflict_similarity: float = 0.2
    conflict_similarity_measure: float = 0.4
    conflict_similarity_strict: float = 0.65
    conflict_max_ratio: float = 2.0  # values further apart than this are not the same count
    unique_max_similarity: float = 0.5  # below this against every other line: unique to its line
    min_words: int = 5
    max_unique_per_line: int = 8
    framing: FramingConfig = field(default_factory=FramingConfig)
    sources: SourcesConfig = field(default_factory=SourcesConfig)


def _sentences(an: Analysis, min_words: int) -> list[tuple[int, Span]]:
    return [(i, s) for i, s in enumerate(an.sentences) if len(s.text.split()) >= min_words]


def _sims(a: ArticleVectors, b: ArticleVectors, same_language: bool) -> np.ndarray:
    if same_language and a.sentences.shape[0] and b.sentences.shape[0]:
        return a.sentences @ b.sentences.T
    if a.ml_sentences.shape[0] and b.ml_sentences.shape[0]:
        return a.ml_sentences @ b.ml_sentences.T
    return np.zeros((a.sentences.shape[0], b.sentences.shape[0]), dtype=np.float32)


def _quoted_share(s: Span, quotes: Sequence[Quote]) -> float:
    """Share of a sentence inside direct quotes: quotations are reported speech, not facts."""
    inside = sum(max(0, min(s.end, q.end) - max(s.start, q.start)) for q in quotes)
    return inside / max(1, s.end - s.start)


def _find(parent: dict, x):  # type: ignore[no-untyped-def]
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def _slots(an: Analysis) -> list[list[Quantity]]:
    return [quantities(sp.text, language=an.language) + ordinals(sp.text) + tallies(sp.text)
            for sp in an.sentences]


def _values(slots: list[list[Quantity]]) -> dict[str, set[float]]:
    out: dict[str, set[float]] = {}
    for qs in slots:
        for q in qs:
            out.setdefault(q.key, set()).add(q.value)
    return out


def _rules(config: CompareConfig) -> NumberRules:
    return NumberRules(config.conflict_similarity, config.conflict_similarity_measure,
                       config.conflict_similarity_strict, config.conflict_max_ratio)


def compare_story(
    story_id: str,
    article_ids: Sequence[str],
    *,
    articles: Mapping[str, Article],
    analyses: Mapping[str, Analysis],
    vectors: Mapping[str, ArticleVectors],
    relations: Sequence[Relation],
    config: CompareConfig = CompareConfig(),
    sentiment: Sentiment | None = None,
) -> Comparison:
    """Build the cross-line comparison of one story.

    `sentiment` scores tone for the framing table (VADER's analyzer when None)."""
    lines = reporting_lines(list(article_ids), relations)
    originals = tuple(likely_original(line, relations, articles) or (line[0] if len(line) == 1 else None)
                      for line in lines)
    reps = [orig or line[0] for line, orig in zip(lines, originals)]
    sents = {r: _sentences(analyses[r], config.min_words) for r in reps}
    parent: dict[tuple[str, int], tuple[str, int]] = {(r, i): (r, i) for r in reps for i, _ in sents[r]}
    best_other: dict[tuple[str, int], float] = {k: 0.0 for k in parent}
    best: dict[tuple[str, str, str, str], tuple[float, Conflict]] = {}
    edges: list[tuple[float, tuple[str, int], tuple[str, int]]] = []
    slots = {r: _slots(analyses[r]) for r in reps}
    values = {r: _values(slots[r]) for r in reps}
    vague = {r: [vague_quantities(sp.text) for sp in analyses[r].sentences] for r in reps}
    places = {r: [places_in(analyses[r], sp) for sp in analyses[r].sentences] for r in reps}
    rules = _rules(config)
    for x in range(len(reps)):
        for y in range(x + 1, len(reps)):
            a, b = reps[x], reps[y]
            same_lang = analyses[a].language == analyses[b].language
            sim = _sims(vectors[a], vectors[b], same_lang)
            rows = [i for i, _ in sents[a]]
            cols = [j for j, _ in sents[b]]
            if not rows or not cols:
                continue
            sub = sim[np.ix_(rows, cols)]
            row_best = dict(zip(rows, sub.max(axis=1).tolist()))
            col_best = dict(zip(cols, sub.max(axis=0).tolist()))
            for i in rows:
                best_other[(a, i)] = max(best_other[(a, i)], row_best[i])
            for j in cols:
                best_other[(b, j)] = max(best_other[(b, j)], col_best[j])
            # only pairs that can matter: close enough to state one fact, or both with numbers
            # (a story of 200 lines has 20k line pairs; visiting every sentence pair was most
            # of the stage's time)
            floor = config.fact_similarity if same_lang else min(config.fact_similarity,
                                                                 config.fact_similarity_cross)
            numbered = np.outer([bool(slots[a][i]) for i in rows], [bool(slots[b][j]) for j in cols])
            span_a, span_b = dict(sents[a]), dict(sents[b])
            for r, c in np.argwhere((sub >= floor - 1e-6) | numbered).tolist():
                i, j = rows[r], cols[c]
                sa, sb = span_a[i], span_b[j]
                s = float(sub[r, c])
                # mutual best matches only, so one sentence never absorbs a whole paragraph
                if (s >= config.fact_similarity and s >= row_best[i] - 1e-6
                        and s >= col_best[j] - 1e-6):
                    edges.append((s, (a, i), (b, j)))
                found = []
                if slots[a][i] and slots[b][j]:
                    found += number_conflicts(sa, sb, slots[a][i], slots[b][j], values[a], values[b],
                                              a, b, s, rules, places[a][i], places[b][j])
                # one fact: close enough, or across languages (where the multilingual
                # encoder scores translations lower) each other's best match
                mutual = s >= row_best[i] - 1e-6 and s >= col_best[j] - 1e-6
                same_fact = s >= config.fact_similarity or (
                    not same_lang and mutual and s >= config.fact_similarity_cross)
                found += vague_number_conflicts(sa, sb, slots[a][i], vague[b][j], a, b, same_fact,
                                                not same_lang)
                found += vague_number_conflicts(sb, sa, slots[b][j], vague[a][i], b, a, same_fact,
                                                not same_lang)
                if s >= config.fact_similarity:  # details of one fact: dates, places, who met
                    found += place_conflicts(sa, sb, analyses[a], analyses[b], a, b)
                    found += date_conflicts(sa, sb, analyses[a], analyses[b], a, b)
                    found += participant_conflicts(sa, sb, analyses[a], analyses[b], a, b)
                for k in found:
                    key = (k.slot, k.values[0].value.split()[-1], a, b)
                    if s > best.get(key, (-1.0, k))[0]:
                        best[key] = (s, k)
    # strongest matches first; a fact never holds two sentences of one article
    arts_of = {node: {node[0]} for node in parent}
    for _, x, y in sorted(edges, key=lambda e: -e[0]):
        rx, ry = _find(parent, x), _find(parent, y)
        if rx != ry and not (arts_of[rx] & arts_of[ry]):
            parent[rx] = ry
            arts_of[ry] |= arts_of.pop(rx)
    conflicts = [c for _, c in best.values()] + role_conflicts(reps, analyses)
    line_of = {r: n for n, r in enumerate(reps)}
    groups: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for node in parent:
        groups.setdefault(_find(parent, node), []).append(node)
    facts = []
    for members in groups.values():
        n_lines = len({line_of[a] for a, _ in members})
        if n_lines < 2:
            continue
        members.sort(key=lambda m: (line_of[m[0]], m[1]))
        spans = [analyses[a].sentences[i] for a, i in members]
        facts.append(Fact(
            text=spans[0].text, lines=n_lines,
            support=tuple(Citation(a, s.start, s.end) for (a, _), s in zip(members, spans))))
    facts.sort(key=lambda f: (-f.lines, f.support[0].article, f.support[0].start))
    unique: list[UniqueFact] = []
    if len(reps) >= 2:
        for r in reps:
            claims, quotes = analyses[r].claims, [q for q in analyses[r].quotes if q.direct]
            picked = [s for i, s in sents[r] if best_other[(r, i)] < config.unique_max_similarity
                      and (not claims or any(c.start < s.end and s.start < c.end for c in claims))
                      and _quoted_share(s, quotes) < 0.5]
            unique.extend(UniqueFact(r, s.text, s.start, s.end) for s in picked[: config.max_unique_per_line])
    members = {a: articles[a] for a in article_ids}
    framing = frame_story(members, analyses, config=config.framing, sentiment=sentiment)
    sources, quotes = story_sources(lines, members, analyses, originals=originals, config=config.sources)
    return Comparison(story_id=story_id, lines=tuple(lines), originals=originals,
                      facts=tuple(facts), unique=tuple(unique), conflicts=tuple(conflicts),
                      framing=framing, sources=sources, quotes=quotes)
