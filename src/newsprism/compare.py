"""Compare stage: for one story, what independent reporting lines share, add and disagree on.

Only each line's representative (its likely original) speaks for the line, so ten copies of
one wire story count once. Sentences are matched across lines by embedding similarity (the
multilingual space when languages differ); matched sentences form facts, unmatched claims of
a line are its unique facts, and matched sentences whose numbers or counts disagree on the
same noun are conflicts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .embed import ArticleVectors
from .models import (
    Analysis, Article, Citation, Comparison, Conflict, ConflictValue, Fact, Relation, Span,
    UniqueFact,
)
from .relate import likely_original, reporting_lines


@dataclass(frozen=True, slots=True)
class CompareConfig:
    fact_similarity: float = 0.72  # two sentences state the same fact
    conflict_similarity: float = 0.6  # two sentences talk about the same thing (numbers may differ)
    unique_max_similarity: float = 0.5  # below this against every other line: unique to its line
    min_words: int = 5
    max_unique_per_line: int = 8


_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "dozen": 12,
    "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100,
}
_ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10,
}
_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
_NUM_RE = re.compile(
    r"(?<![\w.,])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|"
    + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
    + r")(?:\s+(?P<scale>thousand|million|billion))?(?:\s*(?P<pct>%|per ?cent|percent))?"
    r"(?:\s+(?:more|new|other|additional|local|of\s+the|of|people|[a-z]+-[a-z]+))?"
    r"\s+(?P<noun>[A-Za-z][a-z]{2,})",
    re.IGNORECASE,
)
_ORD_RE = re.compile(
    r"\b(?P<ord>" + "|".join(_ORDINAL_WORDS) + r"|\d+(?:st|nd|rd|th))\s+(?P<noun>[a-z]{3,})",
    re.IGNORECASE,
)
_YEARISH = re.compile(r"^(1[89]|20)\d\d$")


def _noun_key(noun: str) -> str:
    n = noun.lower()
    return n[:-1] if n.endswith("s") and not n.endswith("ss") else n


def _value(num: str, scale: str | None) -> float:
    n = num.lower().replace(",", "")
    v = float(_NUMBER_WORDS[n]) if n in _NUMBER_WORDS else float(n)
    return v * _SCALE.get((scale or "").lower(), 1.0)


def quantities(text: str) -> dict[str, tuple[float, int, int]]:
    """Numbers tied to a noun ("1,200 workers" → {"worker": (1200, start, end)}); years skipped."""
    out: dict[str, tuple[float, int, int]] = {}
    for m in _NUM_RE.finditer(text):
        if _YEARISH.match(m.group("num")) and not m.group("scale"):
            continue
        key = ("%:" if m.group("pct") else "") + _noun_key(m.group("noun"))
        out.setdefault(key, (_value(m.group("num"), m.group("scale")), m.start("num"), m.end("num")))
    return out


def ordinals(text: str) -> dict[str, tuple[int, int, int]]:
    """Ordinal counts tied to a noun ("third strike" → {"strike": (3, start, end)})."""
    out: dict[str, tuple[int, int, int]] = {}
    for m in _ORD_RE.finditer(text):
        o = m.group("ord").lower()
        val = _ORDINAL_WORDS.get(o) or int(re.sub(r"\D", "", o))
        out.setdefault(_noun_key(m.group("noun")), (val, m.start(), m.end("ord")))
    return out


def _sentences(an: Analysis, min_words: int) -> list[tuple[int, Span]]:
    return [(i, s) for i, s in enumerate(an.sentences) if len(s.text.split()) >= min_words]


def _sims(a: ArticleVectors, b: ArticleVectors, same_language: bool) -> np.ndarray:
    if same_language and a.sentences.shape[0] and b.sentences.shape[0]:
        return a.sentences @ b.sentences.T
    if a.ml_sentences.shape[0] and b.ml_sentences.shape[0]:
        return a.ml_sentences @ b.ml_sentences.T
    return np.zeros((a.sentences.shape[0], b.sentences.shape[0]), dtype=np.float32)


def _find(parent: dict, x):  # type: ignore[no-untyped-def]
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def _conflicts_between(sa: Span, sb: Span, a_id: str, b_id: str) -> list[Conflict]:
    out = []
    qa, qb = quantities(sa.text), quantities(sb.text)
    for noun in qa.keys() & qb.keys():
        (va, s1, e1), (vb, s2, e2) = qa[noun], qb[noun]
        if va != vb:
            out.append(Conflict("number", (
                ConflictValue(sa.text[s1:e1] + " " + noun.lstrip("%:"), a_id, sa.start + s1, sa.start + e1),
                ConflictValue(sb.text[s2:e2] + " " + noun.lstrip("%:"), b_id, sb.start + s2, sb.start + e2))))
    oa, ob = ordinals(sa.text), ordinals(sb.text)
    for noun in oa.keys() & ob.keys():
        (va, s1, e1), (vb, s2, e2) = oa[noun], ob[noun]
        if va != vb:
            out.append(Conflict("count", (
                ConflictValue(sa.text[s1:e1] + " " + noun, a_id, sa.start + s1, sa.start + e1),
                ConflictValue(sb.text[s2:e2] + " " + noun, b_id, sb.start + s2, sb.start + e2))))
    return out


def compare_story(
    story_id: str,
    article_ids: Sequence[str],
    *,
    articles: Mapping[str, Article],
    analyses: Mapping[str, Analysis],
    vectors: Mapping[str, ArticleVectors],
    relations: Sequence[Relation],
    config: CompareConfig = CompareConfig(),
) -> Comparison:
    """Build the cross-line comparison of one story."""
    lines = reporting_lines(list(article_ids), relations)
    originals = tuple(likely_original(line, relations, articles) for line in lines)
    reps = [orig or line[0] for line, orig in zip(lines, originals)]
    sents = {r: _sentences(analyses[r], config.min_words) for r in reps}
    parent: dict[tuple[str, int], tuple[str, int]] = {(r, i): (r, i) for r in reps for i, _ in sents[r]}
    best_other: dict[tuple[str, int], float] = {k: 0.0 for k in parent}
    conflicts: list[Conflict] = []
    seen_conflicts: set[tuple] = set()
    for x in range(len(reps)):
        for y in range(x + 1, len(reps)):
            a, b = reps[x], reps[y]
            same_lang = analyses[a].language == analyses[b].language
            sim = _sims(vectors[a], vectors[b], same_lang)
            for i, sa in sents[a]:
                for j, sb in sents[b]:
                    s = float(sim[i, j])
                    best_other[(a, i)] = max(best_other[(a, i)], s)
                    best_other[(b, j)] = max(best_other[(b, j)], s)
                    if s >= config.fact_similarity:
                        parent[_find(parent, (a, i))] = _find(parent, (b, j))
                    if s >= config.conflict_similarity:
                        for c in _conflicts_between(sa, sb, a, b):
                            key = (c.slot, tuple(sorted((v.article, v.start) for v in c.values)))
                            if key not in seen_conflicts:
                                seen_conflicts.add(key)
                                conflicts.append(c)
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
            claims = analyses[r].claims
            picked = [s for i, s in sents[r] if best_other[(r, i)] < config.unique_max_similarity
                      and (not claims or any(c.start < s.end and s.start < c.end for c in claims))]
            unique.extend(UniqueFact(r, s.text, s.start, s.end) for s in picked[: config.max_unique_per_line])
    return Comparison(story_id=story_id, lines=tuple(lines), originals=originals,
                      facts=tuple(facts), unique=tuple(unique), conflicts=tuple(conflicts))
