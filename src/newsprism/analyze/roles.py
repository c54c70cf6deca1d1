"""Roles of people: the office or title the text attaches to a name.

Three shapes cover most news prose: a title before the name ("Defense Minister Benny Gantz",
"IDF Chief of Staff Aviv Kochavi"), an appositive after it ("Mark Milley, the Chairman of the
Joint Chiefs of Staff,") and an appositive before it ("the Chief of Staff of the Israeli Defense
Forces, General Aviv Kochavi"). An office beats an occupation, which beats a bare rank.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Token

from newsprism.analyze._lexicon import OCCUPATION_NOUNS, OFFICE_WORDS, RANK_WORDS

_HONORIFICS = frozenset({"mr", "mrs", "ms", "dr", "sir", "dame", "lord", "lady", "father"})
_COUNCIL_WORDS = frozenset({"councillor", "councilor", "councilman", "councilwoman", "alderman",
                            "mp", "lawmaker", "legislator", "delegate"})
#: Office nouns written in lower case right before a name ("chief executive Helena Voss").
_LOWER_TITLES = OFFICE_WORDS | _COUNCIL_WORDS | frozenset({"executive", "officer", "manager",
                                                           "secretary"})
_CONNECTORS = frozenset({"of", "the", "for", "and", "on"})
_APPOSITIVE_AFTER = re.compile(
    r"\s*,\s+(?:the\s+|a\s+|an\s+)?([^,.;:()“”\"\n]{3,90}?)(?=\s*[,.;:)]|\s+(?:who|which|said|says)\b|$)"
)


def _rank(phrase: str) -> int:
    """3 for an office, 2 for an occupation, 1 for a rank, 0 for no role word."""
    words = [w.lower().rstrip(".") for w in re.findall(r"[\w.’'-]+", phrase)]
    if any(w in OFFICE_WORDS or w in _COUNCIL_WORDS for w in words):
        return 3
    if any(w in OCCUPATION_NOUNS for w in words):
        return 2
    if any(w in RANK_WORDS and w not in _HONORIFICS for w in words):
        return 1
    return 0  # "Dr", "Mr", "Sir" alone say how to address someone, not what they do


def _is_cap(tok: Token) -> bool:
    return tok.text[:1].isupper()


def _walk_back(doc: Doc, i: int, blocked: set[int]) -> tuple[int, int]:
    """Token range [lo, hi] of a title phrase ending at token `i` (lo > hi when none)."""
    hi, lo = i, i + 1
    occupational = False
    while i >= 0 and i not in blocked:
        tok = doc[i]
        if tok.is_punct or tok.is_space or "\n" in tok.text:
            break
        nearby_cap = any(_is_cap(doc[j]) and j not in blocked for j in (i - 1, i - 2) if j >= 0)
        if i == hi and (tok.lower_ in OCCUPATION_NOUNS or tok.lower_ in _LOWER_TITLES):
            occupational = True  # "nuclear scientist X", "UPDW general secretary X"
        elif _is_cap(tok) and not tok.is_sent_start:
            pass
        elif _is_cap(tok) and (_rank(tok.text) or tok.dep_ in {"compound", "amod", "nmod"}):
            pass
        elif tok.lower_ in _CONNECTORS and nearby_cap:
            pass
        elif occupational and tok.dep_ in {"amod", "compound"} and tok.head.i > tok.i:
            pass
        else:
            break
        lo = i
        i -= 1
    while lo <= hi and doc[lo].lower_ in _CONNECTORS:
        lo += 1
    return lo, hi


def _phrase(doc: Doc, lo: int, hi: int) -> tuple[str, int, int] | None:
    if lo > hi:
        return None
    span = doc[lo : hi + 1]
    return span.text, span.start_char, span.end_char


def _roles_before(doc: Doc, start: int, blocked: set[int]) -> list[tuple[str, int, int]]:
    """Title phrases right before a mention, and an appositive before a rank ("…, General X")."""
    span = doc.char_span(start, start + 1, alignment_mode="expand")
    if span is None or span.start == 0:
        return []
    lo, hi = _walk_back(doc, span.start - 1, blocked)
    found = [_phrase(doc, lo, hi)]
    if (found[0] is None or _rank(found[0][0]) <= 1) and lo - 1 >= 1 and doc[lo - 1].text == ",":
        lo2, hi2 = _walk_back(doc, lo - 2, blocked)
        if lo2 - 1 >= 0 and doc[lo2 - 1].lower_ == "the":
            found.append(_phrase(doc, lo2, hi2))
    return [f for f in found if f and _rank(f[0])]


def find_roles(
    doc: Doc, text: str, mentions: list[tuple[int, int]], person_spans: list[tuple[int, int]]
) -> list[tuple[str, int, int]]:
    """Every role phrase the text attaches to one person, as (role, start, end), best first.

    Best means most specific (an office beats an occupation, which beats a bare rank), then
    earliest. All are kept, because two articles may give one person different offices.

    Args:
        doc: Parsed document of `text`.
        text: Article text.
        mentions: (start, end) offsets of this person's mentions.
        person_spans: Offsets of all person mentions, so a role never swallows another name.
    """
    blocked: set[int] = set()
    for s, e in person_spans:
        span = doc.char_span(s, e, alignment_mode="expand")
        if span is not None:
            blocked.update(range(span.start, span.end))
    ranked: dict[tuple[int, int], tuple[int, int, str]] = {}
    for order, (start, end) in enumerate(mentions):
        candidates = _roles_before(doc, start, blocked)
        after = _APPOSITIVE_AFTER.match(text, end)
        if after and _rank(after.group(1)) >= 2 and len(after.group(1).split()) <= 10:
            phrase = after.group(1).strip()
            candidates.append((phrase, after.start(1), after.start(1) + len(phrase)))
        for phrase, s, e in candidates:
            ranked.setdefault((s, e), (-_rank(phrase), order, phrase))
    best = sorted(ranked.items(), key=lambda kv: kv[1][:2])
    return [(phrase, s, e) for (s, e), (_, _, phrase) in best]
