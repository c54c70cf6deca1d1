"""Quotes and attributions of one article: direct quotations with their speaker, and indirect
attributions ("officials said that …"), each named or anonymous.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

from spacy.tokens import Doc

from newsprism.analyze._lexicon import CUE_FORMS, FEMALE_PRONOUNS, MALE_PRONOUNS
from newsprism.analyze.attribution import Cue, Speaker, classify_subject, find_cues, resolve_pronoun
from newsprism.analyze.entities import mention_index
from newsprism.analyze.quotemarks import QuoteSpan, find_quote_spans, inner_bounds
from newsprism.models import Analysis, Entity, Quote

_FALLBACK_AFTER = re.compile(
    r"^[\s,.]*(?:"
    r"(?P<pre>[A-Za-z][\w’'.-]*(?:\s+[\w’'.-]+){0,5}?)\s+(?P<cue>\w+)\b"  # …," X said
    r"|(?P<cue2>\w+)\s+(?P<post>[A-Za-z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*){0,3}))"  # …," said X
)


def _paragraph_of(breaks: list[int], pos: int) -> int:
    return bisect_right(breaks, pos)


def _pick_cue(span: QuoteSpan, cues: list[Cue], inside: list[tuple[int, int]],
              breaks: list[int]) -> Cue | None:
    """The cue of a quotation: after it in the closing sentence, else before it."""
    para_open = _paragraph_of(breaks, span.open_mark)
    para_close = _paragraph_of(breaks, span.close - 1)
    after = [c for c in cues
             if c.offset >= span.close and _paragraph_of(breaks, c.offset) == para_close
             and c.sentence[0] <= span.close + 2
             and not _quote_between(inside, span.close, c.offset)]
    if after:
        return min(after, key=lambda c: c.offset)
    before = [c for c in cues
              if c.offset < span.open_mark and _paragraph_of(breaks, c.offset) == para_open
              and c.sentence[1] >= span.open_mark
              and not _quote_between(inside, c.offset, span.open_mark)]
    return max(before, key=lambda c: c.offset) if before else None


def _quote_between(inside: list[tuple[int, int]], a: int, b: int) -> bool:
    return any(a <= s and e <= b for s, e in inside)


def _fallback_speaker(text: str, span: QuoteSpan, people: list[tuple[int, str]],
                      mentions: list[tuple[int, int, str, str]]) -> tuple[Speaker, str] | None:
    """Speaker right after the closing mark for text without a parse ("…," X said)."""
    match = _FALLBACK_AFTER.match(text[span.close : span.close + 120])
    if not match:
        return None
    cue = match.group("cue") or match.group("cue2")
    who = match.group("pre") or match.group("post")
    if cue.lower() not in CUE_FORMS or not who:
        return None
    if who.lower() in MALE_PRONOUNS | FEMALE_PRONOUNS:
        return Speaker(name=resolve_pronoun(span.open_mark, people), pronoun=True), cue.lower()
    who_start = span.close + match.start("pre" if match.group("pre") else "post")
    for start, end, name, label in mentions:
        if who_start <= start < who_start + len(who) and label in {"PERSON", "ORG"}:
            return Speaker(name=name), cue.lower()
    return Speaker(descriptor=who), cue.lower()


def extract_quotes(
    doc: Doc | None, text: str, entities: tuple[Entity, ...], *, min_words: int = 3
) -> tuple[Quote, ...]:
    """Finds direct quotations and indirect attributions in one article.

    Args:
        doc: Parsed document (dependency parse), or None for text without a parser; then only
            direct quotations are found, with speakers from a simple "…," X said pattern.
        text: Article text; offsets index into it.
        entities: Canonical entities of the article, to name speakers.
        min_words: Quotations shorter than this are scare quotes and are skipped.

    Returns:
        Quotes in text order; indirect ones have `direct=False`.
    """
    mentions = mention_index(entities)
    people = sorted((s, name) for s, _, name, label in mentions if label == "PERSON")
    breaks = [m.start() for m in re.finditer(r"\n", text)]
    spans = [s for s in find_quote_spans(text)
             if len(text[s.start : s.end].split()) >= min_words]
    inside = [(s.open_mark, s.close) for s in spans]
    cues = find_cues(doc, mentions) if doc is not None and doc.has_annotation("DEP") else []
    cues = [c for c in cues if not any(s <= c.offset < e for s, e in inside)]
    used: set[int] = set()
    quotes: list[Quote] = []
    previous: Quote | None = None
    for span in spans:
        start, end = inner_bounds(text, span)
        cue = _pick_cue(span, cues, inside, breaks) if cues else None
        speaker, cue_word = Speaker(), None
        if cue is not None:
            used.add(cue.token)
            speaker = classify_subject(doc, cue.head, cue.subject, text, mentions, people) \
                if cue.head is not None and doc is not None else Speaker()
            cue_word = cue.cue
        elif doc is None or not cues:
            found = _fallback_speaker(text, span, people, mentions)
            if found:
                speaker, cue_word = found
        if cue_word is None and previous is not None and _adjacent(breaks, previous.end, span.open_mark):
            speaker = Speaker(previous.speaker, previous.anonymous, previous.descriptor)
            cue_word = previous.cue
        quote = Quote(text=text[start:end], start=start, end=end, speaker=speaker.name,
                      anonymous=speaker.anonymous, descriptor=speaker.descriptor, cue=cue_word)
        quotes.append(quote)
        previous = quote
    quotes.extend(_indirect(doc, text, cues, used, inside, mentions, people))
    return tuple(sorted(quotes, key=lambda q: (q.start, q.end)))


def _adjacent(breaks: list[int], prev_end: int, open_mark: int) -> bool:
    """True when a quote follows the previous one in the same or the next paragraph."""
    return _paragraph_of(breaks, open_mark) - _paragraph_of(breaks, prev_end) <= 2


def _indirect(doc: Doc | None, text: str, cues: list[Cue], used: set[int],
              inside: list[tuple[int, int]], mentions: list[tuple[int, int, str, str]],
              people: list[tuple[int, str]]) -> list[Quote]:
    """Attributions not tied to a direct quotation."""
    out: list[Quote] = []
    for cue in cues:
        if cue.token in used or cue.head is None or doc is None:
            continue
        speaker = classify_subject(doc, cue.head, cue.subject, text, mentions, people)
        if speaker.name is None and not speaker.anonymous:
            continue
        start, end = cue.clause
        if any(s < end and start < e for s, e in inside):
            start, end = cue.sentence
        body = text[start:end].strip()
        if len(body.split()) < 3:
            continue
        start = text.index(body, start)
        out.append(Quote(text=body, start=start, end=start + len(body), speaker=speaker.name,
                         anonymous=speaker.anonymous, descriptor=speaker.descriptor,
                         cue=cue.cue, direct=False))
    return out


def sourcing_profile(analysis: Analysis) -> dict[str, int | float]:
    """Summarises how an article sources its statements.

    Args:
        analysis: Output of `analyze_article`.

    Returns:
        Counts of named / anonymous / unattributed quotes, direct / indirect, first-hand
        ("told me", "told us", "told <Outlet>") vs relayed, and the anonymous share.
    """
    quotes: Sequence[Quote] = analysis.quotes
    named = sum(1 for q in quotes if q.speaker and not q.anonymous)
    anonymous = sum(1 for q in quotes if q.anonymous)
    first_hand = sum(1 for q in quotes if q.cue and q.cue.startswith(("told ", "tell ")))
    attributed = named + anonymous
    return {
        "quotes": len(quotes),
        "direct": sum(1 for q in quotes if q.direct),
        "indirect": sum(1 for q in quotes if not q.direct),
        "named": named,
        "anonymous": anonymous,
        "unattributed": len(quotes) - attributed,
        "first_hand": first_hand,
        "relayed": attributed - first_hand,
        "anonymous_share": round(anonymous / attributed, 3) if attributed else 0.0,
    }
