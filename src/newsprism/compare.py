"""Compare stage: for one story, what independent reporting lines share, add and disagree on.

Only each line's representative (its likely original) speaks for the line, so ten copies of
one wire story count once. Sentences are matched across lines by embedding similarity (the
multilingual space when languages differ); matched sentences form facts, unmatched claims of
a line are its unique facts, and matched sentences whose numbers or counts disagree on the
same noun are conflicts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
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


class _SentencePairs:
    """The sentence pairs across reporting lines that can matter, with each one's best matches.

    Hand-written on numpy because no library does this search: the sentences of all lines are
    stacked, and one matrix product per block of lines replaces one per pair of lines. A story
    of 1,250 lines has 780k line pairs, and the numpy calls per pair, not the arithmetic, were
    most of the stage's time. Pairs come out in the order the per-pair loop visited them, so
    ties resolve as before.

    Args:
        lines: Per reporting line, its representative and the sentence indices that count.
        langs: Each line's language: within one language the monolingual vectors compare
            sentences, across languages the multilingual ones.
        keys: Per line and counted sentence, the number kinds it states (`Quantity.key`); a pair
            of loosely related sentences matters only when they state the same kind.
        floor: Similarity from which a same-language pair may state one fact; `floor_cross`
            across languages.
        number_floor: Lowest similarity at which two numbers of one kind can conflict.
    """

    _BLOCK_CELLS = 1 << 22  # similarity cells computed at once (16 MB of float32)

    def __init__(self, lines: Sequence[tuple[str, list[int]]], langs: Sequence[str | None],
                 vectors: Mapping[str, ArticleVectors], keys: Sequence[Sequence[set[str]]], *,
                 floor: float, floor_cross: float, number_floor: float):
        self.reps = [r for r, _ in lines]
        counts = np.array([len(rows) for _, rows in lines], dtype=np.int64)
        self.start = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        self.counts = counts
        self.owner = np.repeat(np.arange(len(lines)), counts)
        self.index = np.array([i for _, rows in lines for i in rows], dtype=np.int64)
        self.present = np.flatnonzero(counts)  # reduceat needs non-empty segments
        self.slot_of = np.full(len(lines), -1, dtype=np.int64)
        self.slot_of[self.present] = np.arange(len(self.present))
        codes = {lang: k for k, lang in enumerate(dict.fromkeys(langs))}
        self.lang = np.array([codes[lang] for lang in langs], dtype=np.int64)
        self.mono, self.has_mono = self._stack([vectors[r].sentences for r, _ in lines], lines)
        self.multi, self.has_multi = self._stack([vectors[r].ml_sentences for r, _ in lines], lines)
        kinds = sorted({k for per_line in keys for ks in per_line for k in ks})
        column = {k: c for c, k in enumerate(kinds)}
        self.kinds = np.zeros((len(self.owner), len(kinds)), dtype=np.float32)
        for n, ks in enumerate(ks for per_line in keys for ks in per_line):
            self.kinds[n, [column[k] for k in ks]] = 1.0
        self.floor, self.floor_cross, self.number_floor = floor, floor_cross, number_floor
        self.best = np.zeros(len(self.owner), dtype=np.float32)  # best match in any other line

    def _stack(self, mats: list[np.ndarray], lines: Sequence[tuple[str, list[int]]]
               ) -> tuple[np.ndarray, np.ndarray]:
        dim = max((m.shape[1] for m in mats if m.ndim == 2 and m.shape[0]), default=1)
        out = np.zeros((len(self.owner), dim), dtype=np.float32)
        has = np.array([m.ndim == 2 and m.shape[0] > 0 for m in mats])
        for x, (m, (_, rows)) in enumerate(zip(mats, lines, strict=True)):
            if has[x] and rows:
                out[self.start[x]:self.start[x] + len(rows)] = m[rows]
        return out, has

    def _sims(self, lo: int, hi: int, same: np.ndarray) -> np.ndarray:
        """Similarities of sentences lo..hi to all (`same`: of one language), as
        `a.sentences @ b.sentences.T` per pair."""
        rows, cols = self.owner[lo:hi, None], self.owner[None, :]
        use_mono = same & self.has_mono[rows] & self.has_mono[cols]
        sims = np.where(use_mono, self.mono[lo:hi] @ self.mono.T, np.float32(0.0))
        use_multi = ~use_mono & self.has_multi[rows] & self.has_multi[cols]
        if use_multi.any():
            sims = np.where(use_multi, self.multi[lo:hi] @ self.multi.T, sims)
        return sims

    def candidates(self) -> Iterator[tuple[int, int, int, int, float, float, float]]:
        """(line x, line y > x, sentence i of x, sentence j of y, similarity, best match of i in
        y, best match of j in x) for every pair that can state one fact or conflict."""
        n = len(self.owner)
        per_block = max(1, self._BLOCK_CELLS // max(1, n))
        x0 = 0
        while x0 < len(self.counts):
            x1 = x0 + 1
            while x1 < len(self.counts) and self.start[x1] + self.counts[x1] - self.start[x0] <= per_block:
                x1 += 1
            lo, hi = int(self.start[x0]), int(self.start[x1 - 1] + self.counts[x1 - 1])
            if hi > lo and len(self.present) > 1:
                yield from self._block(lo, hi)
            x0 = x1

    def _block(self, lo: int, hi: int) -> Iterator[tuple[int, int, int, int, float, float, float]]:
        owner_rows = self.owner[lo:hi]
        same = self.lang[owner_rows][:, None] == self.lang[self.owner][None, :]
        sims = self._sims(lo, hi, same)
        by_line = np.maximum.reduceat(sims, self.start[self.present], axis=1)  # best per other line
        others = by_line.copy()
        others[np.arange(hi - lo), self.slot_of[owner_rows]] = -np.inf
        self.best[lo:hi] = np.maximum(0.0, others.max(axis=1))
        block_lines = np.unique(owner_rows)
        by_row_line = np.maximum.reduceat(sims, self.start[block_lines] - lo, axis=0)
        floor = np.where(same, self.floor, min(self.floor, self.floor_cross)) - 1e-6
        wanted = sims >= floor
        if self.kinds.shape[1]:
            wanted |= ((self.kinds[lo:hi] @ self.kinds.T) > 0.5) & (sims >= self.number_floor - 1e-6)
        wanted &= self.owner[None, :] > owner_rows[:, None]
        r, c = np.nonzero(wanted)
        order = np.lexsort((c, r, self.owner[c], owner_rows[r]))  # line pair, then sentences
        r, c = r[order], c[order]
        x, y = owner_rows[r], self.owner[c]
        yield from zip(x.tolist(), y.tolist(), self.index[lo + r].tolist(), self.index[c].tolist(),
                       sims[r, c].tolist(), by_line[r, self.slot_of[y]].tolist(),
                       by_row_line[np.searchsorted(block_lines, x), c].tolist())

    def best_other(self) -> dict[tuple[str, int], float]:
        """Each counted sentence's best similarity to any other line (0 when none is closer)."""
        return {(self.reps[x], i): v for x, i, v in
                zip(self.owner.tolist(), self.index.tolist(), self.best.tolist())}


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
    best: dict[tuple[str, str, str, str], tuple[float, Conflict]] = {}
    edges: list[tuple[float, tuple[str, int], tuple[str, int]]] = []
    slots = {r: _slots(analyses[r]) for r in reps}
    values = {r: _values(slots[r]) for r in reps}
    vague = {r: [vague_quantities(sp.text) for sp in analyses[r].sentences] for r in reps}
    places = {r: [places_in(analyses[r], sp) for sp in analyses[r].sentences] for r in reps}
    rules = _rules(config)
    langs = [analyses[r].language for r in reps]
    pairs = _SentencePairs([(r, [i for i, _ in sents[r]]) for r in reps], langs, vectors,
                           [[{q.key for q in slots[r][i]} for i, _ in sents[r]] for r in reps],
                           floor=config.fact_similarity, floor_cross=config.fact_similarity_cross,
                           number_floor=min(rules.similarity, rules.similarity_measure,
                                            rules.similarity_strict))
    for x, y, i, j, s, i_best, j_best in pairs.candidates():
        a, b = reps[x], reps[y]
        same_lang = langs[x] == langs[y]
        sa, sb = analyses[a].sentences[i], analyses[b].sentences[j]
        # mutual best matches only, so one sentence never absorbs a whole paragraph
        mutual = s >= i_best - 1e-6 and s >= j_best - 1e-6
        if s >= config.fact_similarity and mutual:
            edges.append((s, (a, i), (b, j)))
        found = []
        if slots[a][i] and slots[b][j]:
            found += number_conflicts(sa, sb, slots[a][i], slots[b][j], values[a], values[b],
                                      a, b, s, rules, places[a][i], places[b][j])
        # one fact: close enough, or across languages (where the multilingual
        # encoder scores translations lower) each other's best match
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
    best_other = pairs.best_other()
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
