"""Claims: sentences that state something checkable, with normalised slots.

Slots are what other reports can contradict: numbers and counts ("1,200 workers" -> "1200",
"three levels" -> "3"), ordinals ("third visit" -> "ordinal:3"), dates (relative ones resolved
against the publication date when it is known), places and participants.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from newsprism.analyze._lexicon import MONTHS, NUMBER_WORDS, ORDINAL_WORDS, WEEKDAYS
from newsprism.analyze.entities import mention_index
from newsprism.models import Claim, Entity, Span

_DIGITS = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(\s?%|(?:st|nd|rd|th)\b)?")
_WORDS = re.compile(r"\b[A-Za-z]+(?:-[A-Za-z]+)?\b")
_YEAR = re.compile(r"^(?:1[89]|20)\d\d$")
_WEEKDAY = "|".join(WEEKDAYS)
_MONTH = "|".join(MONTHS)
_DATE = re.compile(
    rf"\b(?:(?:last|next|this|on|past)\s+)?(?:{_WEEKDAY})\b"
    rf"|\b(?:{_MONTH})(?:\s+\d{{1,2}}(?:st|nd|rd|th)?)?(?:,?\s+(?:1[89]|20)\d\d)?\b"
    rf"|\b\d{{1,2}}\s+(?:{_MONTH})(?:\s+(?:1[89]|20)\d\d)?\b"
    r"|\b(?:last|next|this|past)\s+(?:week|month|year|weekend)\b"
    r"|\b(?:yesterday|today|tomorrow)\b"
    r"|\b(?:in|since|by|until|of)\s+(?:1[89]|20)\d\d\b"
    r"|\b(?:1[89]|20)\d\d\b",
    re.IGNORECASE,
)
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_PARTICIPANT_LABELS = frozenset({"PERSON", "ORG"})


def normalise_numbers(sentence: str) -> tuple[str, ...]:
    """Numbers, counts and ordinals of a sentence in normal form (years are dates, not here)."""
    out: list[str] = []
    for match in _DIGITS.finditer(sentence):
        digits = match.group(1).replace(",", "")
        suffix = (match.group(2) or "").strip()
        if _YEAR.match(digits) and not suffix:
            continue
        if suffix in {"st", "nd", "rd", "th"}:
            out.append(f"ordinal:{digits}")
        else:
            out.append(digits + ("%" if suffix == "%" else ""))
    for match in _WORDS.finditer(sentence):
        word = match.group().lower()
        parts = word.split("-")
        if all(p in NUMBER_WORDS for p in parts):
            out.append(str(sum(NUMBER_WORDS[p] for p in parts)))
        elif parts[-1] in ORDINAL_WORDS and all(p in NUMBER_WORDS for p in parts[:-1]):
            out.append(f"ordinal:{sum(NUMBER_WORDS[p] for p in parts[:-1]) + ORDINAL_WORDS[parts[-1]]}")
    return tuple(dict.fromkeys(out))


def resolve_date(expression: str, published: date | None) -> str:
    """ISO date for a relative expression when `published` is known, else the expression.

    "last Thursday" is the Thursday of the week before publication day (strictly before);
    a bare or "on" weekday is the most recent such day on or before publication.
    """
    low = " ".join(expression.lower().split())
    if published is None:
        return expression
    if low == "today":
        return published.isoformat()
    if low == "yesterday":
        return (published - timedelta(days=1)).isoformat()
    if low == "tomorrow":
        return (published + timedelta(days=1)).isoformat()
    words = low.split()
    if words[-1] in WEEKDAYS:
        target = WEEKDAYS.index(words[-1])
        back = (published.weekday() - target) % 7
        if words[0] == "next":
            ahead = (target - published.weekday()) % 7 or 7
            return (published + timedelta(days=ahead)).isoformat()
        if words[0] == "last" and back == 0:
            back = 7
        return (published - timedelta(days=back)).isoformat()
    return expression


def find_dates(sentence: str, published: datetime | None) -> tuple[str, ...]:
    """Date expressions of a sentence, relative ones resolved when possible."""
    day = published.date() if published is not None else None
    out = []
    for match in _DATE.finditer(sentence):
        expression = match.group()
        if expression.lower() == "may" or expression in MONTHS:
            continue  # bare "May" is usually the verb; a lower-case month word is a verb/noun
        out.append(resolve_date(expression, day))
    return tuple(dict.fromkeys(out))


def extract_claims(
    sentences: tuple[Span, ...], entities: tuple[Entity, ...], *, published: datetime | None = None
) -> tuple[Claim, ...]:
    """Returns the checkable sentences of an article with their slots.

    Args:
        sentences: Sentence spans of the article.
        entities: Canonical entities (places and participants are reported by canonical name).
        published: Publication time, to resolve "last Thursday" and the like.
    """
    rows = mention_index(entities)
    claims: list[Claim] = []
    for sent in sentences:
        inside = [r for r in rows if sent.start <= r[0] < sent.end]
        places = tuple(dict.fromkeys(n for _, _, n, lab in inside if lab in _PLACE_LABELS))
        people = tuple(dict.fromkeys(n for _, _, n, lab in inside if lab in _PARTICIPANT_LABELS))
        numbers = normalise_numbers(sent.text)
        dates = find_dates(sent.text, published)
        if numbers or dates or places or len(people) >= 2:
            claims.append(Claim(text=sent.text, start=sent.start, end=sent.end, numbers=numbers,
                                dates=dates, places=places, participants=people))
    return tuple(claims)
