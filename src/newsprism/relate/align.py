"""Monotone sentence alignment between two articles (DP with skips and 1–2 / 2–1 merges).

Sentence similarity combines a lexical score (rapidfuzz edit ratio of normalised sentences) with a
semantic one (cosine of sentence vectors). Across languages only the multilingual cosine counts.
The DP is Needleman–Wunsch-like: skipping a sentence costs nothing, a match gains its similarity
above the floor, and merges let one sentence match two (split or merged sentences).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.process import cdist

from ..embed import ArticleVectors
from ..models import AlignedSpan, Analysis, Article, Quote, Span
from .config import RelateConfig
from .shingles import words


@dataclass(frozen=True, slots=True)
class SentenceMatch:
    """One aligned group: sentences `a[0]:a[1]` of A against `b[0]:b[1]` of B."""

    a: tuple[int, int]
    b: tuple[int, int]
    lexical: float
    semantic: float
    similarity: float
    quote_only: bool = False  # mostly a shared direct quotation on both sides


def base_language(lang: str | None) -> str | None:
    """`"en-US"` -> `"en"`; empty -> None."""
    return lang.lower().replace("_", "-").split("-")[0] if lang else None


def is_cross_language(an_a: Analysis, an_b: Analysis) -> bool:
    """True when both languages are known and differ."""
    la, lb = base_language(an_a.language), base_language(an_b.language)
    return la is not None and lb is not None and la != lb


@lru_cache(maxsize=1 << 14)
def _norm(text: str) -> str:
    # cached: a sentence of a wire copy is normalised once for all the pairs it takes part in
    return " ".join(words(text))


def _unit(m: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(m, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return m / n


def _rows(mat: np.ndarray, n: int, dim: int) -> np.ndarray:
    """Sentence matrix with exactly n rows (zeros when vectors are missing)."""
    mat = np.asarray(mat, dtype=np.float32)
    if mat.ndim != 2 or mat.shape[0] != n:
        return np.zeros((n, mat.shape[1] if mat.ndim == 2 and mat.shape[1] else dim), np.float32)
    return mat


@dataclass(frozen=True, slots=True)
class Similarities:
    """Everything one pair's alignment and order score read, computed once per pair.

    `mats`: key (da, db) in {(1,1), (1,2), (2,1)} -> (lex, sem, combined) sentence-group
    matrices; `quote_a`/`quote_b`: each sentence's share inside a direct quotation.
    """

    mats: dict[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray]]
    cross: bool
    quote_a: list[float]
    quote_b: list[float]


def pair_similarities(an_a: Analysis, an_b: Analysis, va: ArticleVectors, vb: ArticleVectors,
                      *, config: RelateConfig | None = None) -> Similarities:
    """The sentence similarity matrices and quotation shares of a pair, shared by
    `align_sentences`, `order_score` and `pair_features` (each would otherwise redo them)."""
    cfg = config or RelateConfig()
    cross = is_cross_language(an_a, an_b)
    mats = _similarities(an_a.sentences, an_b.sentences, va, vb, cross=cross, cfg=cfg)
    return Similarities(mats, cross, _quote_share(an_a.sentences, an_a.quotes),
                        _quote_share(an_b.sentences, an_b.quotes))


def _lexical(a_txt: Sequence[str], b_txt: Sequence[str]) -> np.ndarray:
    if not a_txt or not b_txt:
        return np.zeros((len(a_txt), len(b_txt)), np.float32)
    return cdist(a_txt, b_txt, scorer=fuzz.ratio, dtype=np.float32, workers=1) / 100.0


def _similarities(
    sa: Sequence[Span], sb: Sequence[Span], va: ArticleVectors, vb: ArticleVectors,
    *, cross: bool, cfg: RelateConfig,
) -> dict[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray]]:
    a_txt, b_txt = [_norm(s.text) for s in sa], [_norm(s.text) for s in sb]
    a2 = [f"{x} {y}" for x, y in zip(a_txt, a_txt[1:])]
    b2 = [f"{x} {y}" for x, y in zip(b_txt, b_txt[1:])]
    # across languages only the multilingual space is shared; within one language the cosine is
    # the mean of both encoders (an ensemble is steadier on paraphrase than either alone)
    spaces = [(va.ml_sentences, vb.ml_sentences, 512)]
    if not cross:
        spaces.insert(0, (va.sentences, vb.sentences, 384))
    sem_mats: dict[tuple[int, int], list[np.ndarray]] = {(1, 1): [], (1, 2): [], (2, 1): []}
    for xa, xb, dim in spaces:
        ma, mb = _rows(xa, len(sa), dim), _rows(xb, len(sb), dim)
        if not ma.any() or not mb.any():
            continue  # vectors missing for this encoder
        ma2, mb2 = _unit(ma[:-1] + ma[1:]), _unit(mb[:-1] + mb[1:])
        for key, (av, bv) in {(1, 1): (ma, mb), (1, 2): (ma, mb2), (2, 1): (ma2, mb)}.items():
            sem_mats[key].append(np.clip(av @ bv.T, 0.0, 1.0) if len(av) and len(bv) else None)
    w = cfg.lexical_weight
    mats = {}
    for key, (at, bt) in {(1, 1): (a_txt, b_txt), (1, 2): (a_txt, b2), (2, 1): (a2, b_txt)}.items():
        lex = _lexical(at, bt)
        parts = [x for x in sem_mats[key] if x is not None and x.shape == lex.shape]
        sem = np.mean(parts, axis=0) if parts else np.zeros_like(lex)
        comb = sem if cross else np.maximum(lex, w * lex + (1 - w) * sem)
        mats[key] = (lex, sem.astype(np.float32), comb.astype(np.float32))
    return mats


def _gains(mats: dict[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray]], floor: float,
           bonus: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gain of each 1-1, 1-2 and 2-1 group (indexed by its first sentences); -inf below the
    floor, and for a merge that explains no more than one of its single-sentence parts."""
    single = mats[(1, 1)][2].astype(np.float64)
    c12, c21 = mats[(1, 2)][2].astype(np.float64), mats[(2, 1)][2].astype(np.float64)
    g11 = np.where(single >= floor, single - floor, -np.inf)
    g12 = np.where((c12 >= floor) & (c12 > np.maximum(single[:, :-1], single[:, 1:])),
                   bonus * (c12 - floor), -np.inf)
    g21 = np.where((c21 >= floor) & (c21 > np.maximum(single[:-1, :], single[1:, :])),
                   bonus * (c21 - floor), -np.inf)
    return g11, g12, g21


def _dp(mats: dict[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray]], n: int, m: int,
        floor: float, bonus: float) -> list[tuple[int, int, int, int]]:
    """Best monotone set of groups; returns (a_start, a_stop, b_start, b_stop) in order.

    Row by row in numpy: a cell's best is the running maximum along its row of the best
    candidates from the rows above. The trace back picks, at each cell it visits, the first
    candidate in the order skip A, skip B, 1-1, 1-2, 2-1 that reaches the cell's score (what a
    cell-by-cell loop with strict comparisons keeps).
    """
    g11, g12, g21 = _gains(mats, floor, bonus)
    score = np.zeros((n + 1, m + 1))
    for i in range(1, n + 1):
        best = np.maximum(score[i - 1, 1:], score[i - 1, :-1] + g11[i - 1])
        if m >= 2:
            best[1:] = np.maximum(best[1:], score[i - 1, :-2] + g12[i - 1])
        if i >= 2:
            best = np.maximum(best, score[i - 2, :-1] + g21[i - 2])
        score[i, 0] = score[i - 1, 0]
        score[i, 1:] = np.maximum.accumulate(np.concatenate(([score[i, 0]], best)))[1:]
    out = []
    i, j = n, m
    while i > 0 or j > 0:
        v = score[i, j]
        if j == 0 or (i > 0 and score[i - 1, j] == v):
            i -= 1
        elif i == 0 or score[i, j - 1] == v:
            j -= 1
        else:
            if score[i - 1, j - 1] + g11[i - 1, j - 1] == v:
                da, db = 1, 1
            elif j >= 2 and score[i - 1, j - 2] + g12[i - 1, j - 2] == v:
                da, db = 1, 2
            else:
                da, db = 2, 1
            out.append((i - da, i, j - db, j))
            i, j = i - da, j - db
    return out[::-1]


def _quote_share(spans: Sequence[Span], quotes: Sequence[Quote]) -> list[float]:
    """Share of each sentence's characters inside a direct quotation."""
    direct = [(q.start, q.end) for q in quotes if q.direct]
    out = []
    for s in spans:
        covered = sum(max(0, min(s.end, qe) - max(s.start, qs)) for qs, qe in direct)
        out.append(min(1.0, covered / max(1, s.end - s.start)))
    return out


def align_sentences(
    an_a: Analysis, an_b: Analysis, va: ArticleVectors, vb: ArticleVectors,
    *, config: RelateConfig | None = None, sims: Similarities | None = None,
) -> list[SentenceMatch]:
    """Monotone alignment of the sentences of two analysed articles (groups above the floor).

    `sims` is `pair_similarities` of the same pair, when the caller has it already."""
    cfg = config or RelateConfig()
    sa, sb = an_a.sentences, an_b.sentences
    if not sa or not sb:
        return []
    sims = sims or pair_similarities(an_a, an_b, va, vb, config=cfg)
    floor = cfg.align_floor_cross if sims.cross else cfg.align_floor
    out = []
    for a0, a1, b0, b1 in _dp(sims.mats, len(sa), len(sb), floor, cfg.merge_bonus):
        lex, sem, comb = sims.mats[(a1 - a0, b1 - b0)]
        out.append(SentenceMatch(
            a=(a0, a1), b=(b0, b1), lexical=float(lex[a0, b0]), semantic=float(sem[a0, b0]),
            similarity=float(comb[a0, b0]),
            quote_only=_is_shared_quote(an_a, an_b, (a0, a1), (b0, b1), sims.quote_a, sims.quote_b, cfg),
        ))
    return out


def _unquoted(spans: Sequence[Span], quotes: Sequence[Quote]) -> str:
    """Text of the sentences with direct quotations cut out (normalised words)."""
    parts = []
    for s in spans:
        keep = [True] * (s.end - s.start)
        for q in quotes:
            if q.direct:
                for k in range(max(q.start, s.start), min(q.end, s.end)):
                    keep[k - s.start] = False
        parts.append("".join(c if k else " " for c, k in zip(s.text, keep)))
    return _norm(" ".join(parts))


def _is_shared_quote(
    an_a: Analysis, an_b: Analysis, ra: tuple[int, int], rb: tuple[int, int],
    qa: Sequence[float], qb: Sequence[float], cfg: RelateConfig,
) -> bool:
    """A group is a shared quotation when it is mostly quoted on both sides, or (within one
    language) partly quoted on both sides and what lies outside the quotes (attribution,
    framing) is not the same text."""
    sa, sb = an_a.sentences[ra[0]:ra[1]], an_b.sentences[rb[0]:rb[1]]
    share_a, share_b = _weighted(qa[ra[0]:ra[1]], sa), _weighted(qb[rb[0]:rb[1]], sb)
    if share_a >= cfg.quote_share and share_b >= cfg.quote_share:
        return True
    if share_a < cfg.quote_part or share_b < cfg.quote_part:
        return False
    if is_cross_language(an_a, an_b):
        # the unquoted rests of a sentence and its translation never match letter for letter,
        # so a partly quoted translated sentence would always look like a shared quote
        return False
    rest_a, rest_b = _unquoted(sa, an_a.quotes), _unquoted(sb, an_b.quotes)
    return fuzz.ratio(rest_a, rest_b) / 100 < cfg.quote_rest_lexical


def _weighted(shares: Sequence[float], spans: Sequence[Span]) -> float:
    total = sum(s.end - s.start for s in spans)
    return sum(q * (s.end - s.start) for q, s in zip(shares, spans)) / max(1, total)


def order_score(
    an_a: Analysis, an_b: Analysis, va: ArticleVectors, vb: ArticleVectors,
    *, config: RelateConfig | None = None, sims: Similarities | None = None,
) -> float:
    """Order monotonicity, measured without the DP's monotone constraint.

    Each sentence of A with a best match in B above `order_floor` contributes its best B index;
    the score is the longest non-decreasing run of those indices over their count (1.0 = same
    order; 1.0 too when fewer than two sentences match).
    """
    cfg = config or RelateConfig()
    sa, sb = an_a.sentences, an_b.sentences
    if len(sa) < 2 or len(sb) < 2:
        return 1.0
    comb = (sims or pair_similarities(an_a, an_b, va, vb, config=cfg)).mats[(1, 1)][2]
    best = comb.argmax(axis=1)
    seq = [int(best[i]) for i in range(len(sa)) if comb[i, best[i]] >= cfg.order_floor]
    if len(seq) < 2:
        return 1.0
    return _lnds(seq) / len(seq)


def _lnds(seq: Sequence[int]) -> int:
    """Length of the longest non-decreasing subsequence (patience sorting)."""
    import bisect

    tails: list[int] = []
    for x in seq:
        k = bisect.bisect_right(tails, x)
        if k == len(tails):
            tails.append(x)
        else:
            tails[k] = x
    return len(tails)


def align(
    a: Article, b: Article, an_a: Analysis, an_b: Analysis, va: ArticleVectors,
    vb: ArticleVectors, *, config: RelateConfig | None = None,
) -> list[AlignedSpan]:
    """Aligned passages of two articles as character spans into each article's clean text.

    Args:
        a, b: the articles (only their ids are checked against the analyses).
        an_a, an_b: their analyses; sentence spans give the offsets.
        va, vb: their vectors; rows of the sentence matrices follow the analyses' sentences.
        config: `align_floor`, `align_floor_cross`, `lexical_weight`, `merge_bonus`.

    Returns:
        Aligned groups in order of A (and of B: the alignment is monotone). A group covers one
        sentence or two adjacent ones (split/merged sentences).
    """
    del a, b
    matches = align_sentences(an_a, an_b, va, vb, config=config)
    return [to_aligned_span(m, an_a, an_b) for m in matches]


def to_aligned_span(m: SentenceMatch, an_a: Analysis, an_b: Analysis) -> AlignedSpan:
    """Character spans of a sentence match."""
    sa, sb = an_a.sentences, an_b.sentences
    return AlignedSpan(
        a_start=sa[m.a[0]].start, a_end=sa[m.a[1] - 1].end,
        b_start=sb[m.b[0]].start, b_end=sb[m.b[1] - 1].end,
        lexical=round(m.lexical, 4), semantic=round(m.semantic, 4), quote_only=m.quote_only,
    )
