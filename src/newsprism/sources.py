"""The quotes-and-sources table of one story: who is quoted by which reporting line, named or
anonymous, and how the same quotation is worded across copies.

A statement carried by several articles is one `QuoteGroup`: same speaker (or anonymous on both
sides), same directness and fuzzy-equal wording. Inside a reporting line (copies, spins,
translations of one original) wording may drift, so the bar is lower than between independent
lines, whose reporters quote a statement near-verbatim or not at all. Each variant is compared
with its own line's reference wording (the line original's, else the earliest article's), so a
copy that changed a word is marked `mutated` while a different transcription by an independent
reporter is not. Copies keep the order of the quotes they carry, so a copy's quotes are first
lined up in order with its reference's, which lets a spin's heavy rewording still match; the
variant also records its own descriptor and cue, and whether they changed ("told the Ledger" ->
"told me"). A translation cannot match lexically: its quotes join the original's only when they
line up one-to-one by named speaker and order (`translate_by_order`); anonymous quotes in
another language stay in groups of their own.

Sources are one per named speaker and one per class of anonymous source: the affiliation and
kind of insider ("senior Israeli officials", "an Israeli official" -> "Israeli officials
(anonymous)"), or the head noun when no affiliation is given ("the people" -> "people
(anonymous)"). Pass analyses resolved across the story (`analyze.corpus.resolve_by_id`) so a
speaker written "Voss" in one article and "Helena Voss" in another is one name.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from rapidfuzz import fuzz, process

from .analyze.sourcing import describe_source
from .models import Analysis, Article, Quote, QuoteGroup, QuoteVariant, Source


@dataclass(frozen=True, slots=True)
class SourcesConfig:
    copy_order_match: float = 45.0  # wording similarity (0..100) of a copy's quote in the same
    # place as its line reference's (spins reword heavily but keep the order)
    copy_match: float = 60.0  # ... joining a copy's quote to another of its line, out of order
    line_match: float = 85.0  # ... to the same quote carried by an independent line
    partial_match: float = 90.0  # token-set similarity: one wording is a cut of the other
    partial_min_words: int = 4  # shorter wording needs this many words for a partial match
    translate_by_order: bool = True  # pair translated quotes by named speaker and order


_QUOTE_CHARS = "\"'“”„‟‘’‚‛«»‹›「」『』`´"
_PUNCT = re.compile(r"[^\w\s]")
_SPACE = re.compile(r"\s+")
_KEEP_PLURAL = frozenset({"people", "media", "police", "staff", "personnel"})
_DETERMINERS = frozenset({"the", "a", "an"})

_Key = tuple[str, str]  # ("named", name) / ("anon", "") / ("unknown", "")


def normalize_quote(text: str) -> str:
    """Wording for comparison: case, punctuation, quote marks and spacing folded away.

    Example:
        >>> normalize_quote("“We will NOT back down,” ")
        'we will not back down'
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _PUNCT.sub(" ", text.translate({ord(c): " " for c in _QUOTE_CHARS}))
    return _SPACE.sub(" ", text).strip()


def quote_similarity(a: str, b: str, *, config: SourcesConfig = SourcesConfig(),
                     at_least: float = 0.0) -> float:
    """Similarity 0..100 of two normalised wordings; a long enough cut of the other counts whole.

    A score below `at_least` comes back as 0.
    """
    return float(_similarities(a, len(a.split()), [b], [len(b.split())], config, at_least)[0])


def _similarities(a: str, a_words: int, others: Sequence[str], other_words: Sequence[int],
                  config: SourcesConfig, at_least: float = 0.0) -> np.ndarray:
    """`quote_similarity` of `a` with each of `others` (their word counts given), in one
    rapidfuzz call per scorer: a big story's quote grouping scores millions of pairs, and a
    Python call per pair was most of its time."""
    if not a or not others:
        return np.zeros(len(others))
    # no score_cutoff: cdist turns it into a whole number of edits, which can reject a score
    # that reaches the bar (fuzz.ratio alone does not); the bar is applied to exact scores below
    out = process.cdist([a], others, scorer=fuzz.ratio, dtype=np.float64)[0]
    if a_words >= config.partial_min_words:
        long = [k for k, n in enumerate(other_words) if n >= config.partial_min_words]
        if long:
            partial = process.cdist([a], [others[k] for k in long], scorer=fuzz.token_set_ratio,
                                    dtype=np.float64)[0]
            np.maximum.at(out, long, np.where(partial >= config.partial_match, partial, 0.0))
    out[out < at_least] = 0.0
    out[[k for k, b in enumerate(others) if not b]] = 0.0  # rapidfuzz scores two empty strings 100
    return out


def quote_diff(a: str, b: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Word-level differences between two wordings of a quote, for highlighting.

    Returns:
        `(left, right)` lists of `(op, text)` segments: `eq` on both sides, `del` for words only
        in `a`, `ins` for words only in `b` (case-insensitive; punctuation stays on its word).

    Example:
        >>> quote_diff("we will not back down", "we shall not back down")[1]
        [('eq', 'we'), ('ins', 'shall'), ('eq', 'not back down')]
    """
    from .report.render import word_diff  # the report package imports this module's records

    return word_diff(a, b)


@dataclass(slots=True)
class _Item:
    line: int
    article: str
    quote: Quote
    norm: str
    key: _Key
    language: str
    rank: int  # position of the article in its line's reading order
    words: int = field(init=False)  # of `norm`, for partial matches

    def __post_init__(self) -> None:
        self.words = len(self.norm.split())


@dataclass(slots=True)
class _Group:
    key: _Key
    direct: bool
    items: list[_Item] = field(default_factory=list)
    articles: set[str] = field(default_factory=set)  # of `items`, for `has`

    def __post_init__(self) -> None:
        self.articles.update(it.article for it in self.items)

    def has(self, article: str) -> bool:
        return article in self.articles

    def add(self, item: _Item) -> None:
        if self.key[0] == "unknown":
            self.key = item.key  # an unattributed seed takes the first speaker that joins
        self.items.append(item)
        self.articles.add(item.article)


def _speaker_key(q: Quote) -> _Key:
    if q.speaker and not q.anonymous:
        return ("named", _SPACE.sub(" ", q.speaker).strip().casefold())
    return ("anon", "") if q.anonymous else ("unknown", "")


def _compatible(a: _Key, b: _Key) -> bool:
    return a == b or "unknown" in (a[0], b[0])


def _instant(at: datetime) -> float:
    """Seconds since the epoch; a naive time is taken as UTC so mixed inputs still compare."""
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()


def _reading_order(line: Sequence[str], original: str | None,
                   articles: Mapping[str, Article]) -> list[str]:
    """Line members with the reference first: the original when known, else the earliest."""
    order = list(dict.fromkeys(line))
    ref = original if original in order else None
    if ref is None:
        dated = [(_instant(at), i, aid) for i, aid in enumerate(order)
                 if aid in articles and (at := articles[aid].published_at) is not None]
        ref = min(dated)[2] if dated else order[0]
    return [ref] + [a for a in order if a != ref]


def _items(lines: Sequence[Sequence[str]], originals: Sequence[str | None],
           articles: Mapping[str, Article], analyses: Mapping[str, Analysis]) -> list[_Item]:
    out = []
    for n, line in enumerate(lines):
        orig = originals[n] if n < len(originals) else None
        for rank, aid in enumerate(_reading_order(line, orig, articles)):
            an = analyses.get(aid)
            if an is None:
                continue
            lang = an.language or (articles[aid].language if aid in articles else None) or ""
            out.extend(_Item(n, aid, q, normalize_quote(q.text), _speaker_key(q), lang, rank)
                       for q in sorted(an.quotes, key=lambda q: (q.start, q.end)))
    return out


def _compatible_item(item: _Item, other: _Item) -> bool:
    return item.quote.direct == other.quote.direct and _compatible(item.key, other.key)


def _best_group(item: _Item, groups: list[_Group], config: SourcesConfig) -> _Group | None:
    """The group whose wording is closest to the item's: loose inside its line, strict across;
    the first such group on a tie."""
    cands: list[tuple[_Group, _Item]] = [
        (g, other) for g in groups
        if g.direct == item.quote.direct and _compatible(g.key, item.key) and not g.has(item.article)
        for other in g.items if other.line == item.line or other.language == item.language]
    if not cands:
        return None
    need = np.array([config.copy_match if other.line == item.line else config.line_match for _, other in cands])
    scores = _similarities(item.norm, item.words, [o.norm for _, o in cands], [o.words for _, o in cands],
                           config, at_least=float(need.min()))
    scores[scores < need] = -1.0
    k = int(np.argmax(scores))  # the first of the best
    return cands[k][0] if scores[k] >= 0 else None


def _align(copy: list[_Item], ref: list[_Item], config: SourcesConfig) -> list[tuple[int, int]]:
    """Order-preserving pairs of a copy's quotes with its line reference's (same language only).

    A copy keeps the order of the quotes it carries, so an in-order pair needs only
    `copy_order_match` similarity: a spin that rewords most of a quote still lines up.
    """
    n, m = len(copy), len(ref)
    weight = [[-1.0] * m for _ in range(n)]
    for i, a in enumerate(copy):
        cols = [j for j, b in enumerate(ref) if a.language == b.language and _compatible_item(a, b)]
        scores = _similarities(a.norm, a.words, [ref[j].norm for j in cols], [ref[j].words for j in cols],
                               config, at_least=config.copy_order_match)
        for j, score in zip(cols, scores.tolist()):
            if score >= config.copy_order_match:
                weight[i][j] = score
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n):
        for j in range(m):
            diag = best[i][j] + weight[i][j] if weight[i][j] >= 0 else -1.0
            best[i + 1][j + 1] = max(best[i][j + 1], best[i + 1][j], diag)
    pairs = []
    i, j = n, m
    while i and j:
        if weight[i - 1][j - 1] >= 0 and best[i][j] == best[i - 1][j - 1] + weight[i - 1][j - 1]:
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif best[i][j] == best[i - 1][j]:
            i -= 1
        else:
            j -= 1
    return pairs[::-1]


def _pair_translations(groups: list[_Group], left: list[_Item]) -> list[_Item]:
    """Join quotes of a translated copy to its line's groups when named speakers line up 1:1."""
    by_slot: dict[tuple[int, str, _Key, bool], list[_Item]] = {}
    for it in left:
        if it.key[0] == "named":
            by_slot.setdefault((it.line, it.article, it.key, it.quote.direct), []).append(it)
    paired: set[int] = set()
    for (line, aid, key, direct), items in by_slot.items():
        lang = items[0].language
        cands = [g for g in groups if g.key == key and g.direct == direct and not g.has(aid)
                 and any(m.line == line and m.language != lang for m in g.items)
                 and not any(m.line == line and m.language == lang for m in g.items)]
        if len(cands) != len(items):
            continue  # a dropped or added quote would shift every pair after it
        cands.sort(key=lambda g: min((m.rank, m.quote.start) for m in g.items if m.line == line))
        for g, it in zip(cands, items):
            g.add(it)
            paired.add(id(it))
    return [it for it in left if id(it) not in paired]


def _join_or_open(item: _Item, groups: list[_Group], config: SourcesConfig) -> _Group:
    g = _best_group(item, groups, config)
    if g is None:
        g = _Group(item.key, item.quote.direct, [item])
        groups.append(g)
    else:
        g.add(item)
    return g


def _group_items(items: list[_Item], config: SourcesConfig) -> list[_Group]:
    by_article: dict[tuple[int, int], list[_Item]] = {}
    for it in items:
        by_article.setdefault((it.line, it.rank), []).append(it)
    groups: list[_Group] = []
    group_of: dict[int, _Group] = {}
    # 1. each line's reference wording seeds the groups; independent lines join on close wording
    for (line, rank), its in sorted(by_article.items()):
        if rank == 0:
            for it in its:
                group_of[id(it)] = _join_or_open(it, groups, config)
    # 2. copies line up with their reference, then with other copies or lines
    left: list[_Item] = []
    for (line, rank), its in sorted(by_article.items()):
        if rank == 0:
            continue
        ref = by_article.get((line, 0), [])
        paired = _align(its, ref, config)
        for i, j in paired:
            group_of[id(ref[j])].add(its[i])
        done = {i for i, _ in paired}
        for i, it in enumerate(its):
            if i not in done:
                g = _best_group(it, groups, config)
                if g is not None:
                    g.add(it)
                else:
                    left.append(it)
    # 3. translated copies by speaker and order; what is left opens groups of its own
    if config.translate_by_order:
        left = _pair_translations(groups, left)
    for it in left:
        _join_or_open(it, groups, config)
    for g in groups:
        g.items.sort(key=lambda it: (it.line, it.rank, it.quote.start))
    return groups


def _same(a: str | None, b: str | None) -> bool:
    return normalize_quote(a or "") == normalize_quote(b or "")


def _to_group(g: _Group) -> QuoteGroup:
    refs: dict[int, _Item] = {}
    for it in g.items:
        refs.setdefault(it.line, it)
    variants = []
    for it in g.items:
        ref, q = refs[it.line], it.quote
        translated = it.language != ref.language
        variants.append(QuoteVariant(
            it.article, q.text, q.start, q.end,
            mutated=not translated and it.norm != ref.norm, translated=translated,
            descriptor=q.descriptor, cue=q.cue,
            attribution_mutated=not translated and not (
                _same(q.descriptor, ref.quote.descriptor) and _same(q.cue, ref.quote.cue))))
    first = g.items[0].quote
    named = next((it.quote.speaker for it in g.items if it.key[0] == "named"), None)
    anon = g.key[0] == "anon"
    descriptor = next((it.quote.descriptor for it in g.items if it.quote.descriptor), None)
    return QuoteGroup(speaker=named, descriptor=descriptor if anon else None, anonymous=anon,
                      direct=first.direct, lines=tuple(sorted(refs)), variants=tuple(variants))


def _singular(word: str) -> str:
    low = word.casefold()
    if low in _KEEP_PLURAL or not low.endswith("s") or low.endswith(("ss", "us", "is")):
        return low
    if low.endswith("ies") and len(low) > 4:
        return low[:-3] + "y"
    if low.endswith(("ches", "shes", "sses", "xes")):
        return low[:-2]
    return low[:-1]


def _plural(word: str) -> str:
    if word in _KEEP_PLURAL or word.endswith("s"):
        return word
    if word.endswith("y") and word[-2:-1] not in set("aeiou"):
        return word[:-1] + "ies"
    return word + ("es" if word.endswith(("ch", "sh", "x")) else "s")


def _anonymous_class(item: _Item) -> tuple[tuple[str, str, str], str | None, str]:
    """Class key, affiliation as written and display head of an anonymous source."""
    q = item.quote
    traits = describe_source(q.descriptor) if q.descriptor else None
    surface = traits.head if traits and traits.head else "source"
    head = _singular(surface)
    words = (q.affiliation or "").split()
    while words and words[0].casefold() in _DETERMINERS:
        words.pop(0)
    affiliation = " ".join(words) or None
    english = item.language in ("en", "")
    shown = _plural(head) if english else surface
    if affiliation:
        kind = "insider" if traits is None or traits.insider else head
        return ("anon", affiliation.casefold(), kind), affiliation, shown
    return ("anon", "", head), None, shown


@dataclass(slots=True)
class _SourceAcc:
    anonymous: bool
    names: Counter[str] = field(default_factory=Counter)  # speaker names or affiliations
    heads: Counter[tuple[str, bool]] = field(default_factory=Counter)  # (head, english)
    lines: set[int] = field(default_factory=set)
    articles: dict[str, tuple[int, int]] = field(default_factory=dict)  # id -> place in story
    groups: set[int] = field(default_factory=set)

    def name(self) -> str:
        if not self.anonymous:
            return self.names.most_common(1)[0][0]
        head, english = self.heads.most_common(1)[0][0]
        aff = self.names.most_common(1)[0][0] if self.names else ""
        if not aff:
            return f"{head} (anonymous)"
        return f"{aff} {head} (anonymous)" if english else f"{head} ({aff}, anonymous)"


def _speaking(g: _Group) -> list[_Item | None]:
    """Whose source each variant counts for: its line reference's (a copy does not change who
    spoke), else its own, else the first attributed variant's; None when no copy says."""
    fallback = next((it for it in g.items if it.key[0] != "unknown"), None)
    refs: dict[int, _Item] = {}
    for it in g.items:
        if it.key[0] != "unknown":
            refs.setdefault(it.line, it)
    return [refs.get(it.line) or fallback for it in g.items]


def _sources(groups: list[_Group]) -> list[Source]:
    acc: dict[tuple[str, ...], _SourceAcc] = {}
    for n, g in enumerate(groups):
        for it, who in zip(g.items, _speaking(g)):
            if who is None:
                continue
            if who.key[0] == "named":
                a = acc.setdefault(who.key, _SourceAcc(anonymous=False))
                a.names[who.quote.speaker or ""] += 1
            else:
                key, affiliation, head = _anonymous_class(who)
                a = acc.setdefault(key, _SourceAcc(anonymous=True))
                a.heads[(head, who.language in ("en", ""))] += 1
                if affiliation:
                    a.names[affiliation] += 1
            a.lines.add(it.line)
            a.articles.setdefault(it.article, (it.line, it.rank))
            a.groups.add(n)
    out = [Source(a.name(), a.anonymous, tuple(sorted(a.lines)),
                  tuple(sorted(a.articles, key=a.articles.__getitem__)), len(a.groups))
           for a in acc.values()]
    out.sort(key=lambda s: (-len(s.lines), -s.quotes, s.anonymous, s.name.casefold()))
    return out


def story_sources(
    lines: Sequence[Sequence[str]],
    articles: Mapping[str, Article],
    analyses: Mapping[str, Analysis],
    *,
    originals: Sequence[str | None] = (),
    config: SourcesConfig = SourcesConfig(),
) -> tuple[tuple[Source, ...], tuple[QuoteGroup, ...]]:
    """The quotes-and-sources table of one story.

    Args:
        lines: The story's reporting lines (`relate.reporting_lines`), each a list of article ids.
        articles: Articles by id; publication times choose a line's reference when its original
            is unknown.
        analyses: Analyses by id, ideally resolved across the story so speaker names agree.
        originals: Likely original of each line (aligned with `lines`; None or missing when
            unknown). Its wording is the reference that copies' variants are compared with.
        config: Matching thresholds.

    Returns:
        `(sources, groups)`: sources by number of lines, then of quotes, descending; quote
        groups by number of lines, then of variants, descending, then by first appearance.

    Example:
        >>> from newsprism.models import Analysis, Article, Quote
        >>> q = Quote("We stay.", 1, 9, speaker="Ann Lee")
        >>> arts = {i: Article(i, i, '"We stay," Ann Lee said.', "") for i in "ab"}
        >>> ans = {i: Analysis(i, "en", (), quotes=(q,)) for i in "ab"}
        >>> sources, groups = story_sources([("a",), ("b",)], arts, ans)
        >>> sources[0].name, sources[0].lines, groups[0].lines
        ('Ann Lee', (0, 1), (0, 1))
    """
    items = _items(lines, originals, articles, analyses)
    groups = _group_items(items, config)
    done = [(_to_group(g), g) for g in groups]
    done.sort(key=lambda p: (-len(p[0].lines), -len(p[0].variants),
                             min((it.line, it.rank, it.quote.start) for it in p[1].items)))
    return (tuple(_sources([g for _, g in done])), tuple(qg for qg, _ in done))


__all__ = ["QuoteGroup", "QuoteVariant", "Source", "SourcesConfig", "normalize_quote",
           "quote_diff", "quote_similarity", "story_sources"]
