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

_CONNECTORS = frozenset({"of", "the", "for", "and", "on"})
_APPOSITIVE_AFTER = re.compile(
    r"\s*,\s+(?:the\s+|a\s+|an\s+)?([^,.;:()“”\"\n]{3,90}?)(?=\s*[,.;:)]|\s+(?:who|which|said|says)\b|$)"
)


def _rank(phrase: str) -> int:
    """3 for an office, 2 for an occupation, 1 for a rank, 0 for no role word."""
    words = [w.lower().rstrip(".") for w in re.findall(r"[\w.’'-]+", phrase)]
    if any(w in OFFICE_WORDS for w in words):
        return 3
    if any(w in OCCUPATION_NOUNS for w in words):
        return 2
    if any(w in RANK_WORDS for w in words):
        return 1
    return 0


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
        if tok.lower_ in OCCUPATION_NOUNS and i == hi:
            occupational = True
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


def _phrase(doc: Doc, lo: int, hi: int) -> str:
    return doc[lo : hi + 1].text if lo <= hi else ""


def _roles_before(doc: Doc, start: int, blocked: set[int]) -> list[str]:
    """Title phrases right before a mention, and an appositive before a rank ("…, General X")."""
    span = doc.char_span(start, start + 1, alignment_mode="expand")
    if span is None or span.start == 0:
        return []
    lo, hi = _walk_back(doc, span.start - 1, blocked)
    found = [_phrase(doc, lo, hi)]
    if _rank(found[0]) <= 1 and lo - 1 >= 1 and doc[lo - 1].text == ",":
        lo2, hi2 = _walk_back(doc, lo - 2, blocked)
        if lo2 - 1 >= 0 and doc[lo2 - 1].lower_ == "the":
            found.append(_phrase(doc, lo2, hi2))
    return [f for f in found if f and _rank(f)]


def find_role(
    doc: Doc, text: str, mentions: list[tuple[int, int]], person_spans: list[tuple[int, int]]
) -> str | None:
    """Returns the most specific role attached to one person, or None.

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
    best: tuple[int, int, str] | None = None
    for order, (start, end) in enumerate(mentions):
        candidates = _roles_before(doc, start, blocked)
        after = _APPOSITIVE_AFTER.match(text, end)
        if after and _rank(after.group(1)) >= 2 and len(after.group(1).split()) <= 10:
            candidates.append(after.group(1).strip())
        for cand in candidates:
            key = (_rank(cand), -order, cand)
            if best is None or key[:2] > best[:2]:
                best = key
    return best[2] if best else None
