"""Claims: sentences that state something checkable, with normalised slots.

Slots are what other reports can contradict, each under a key that says what it counts or
names: quantities ("1,200 workers" -> people 1200, "€4 million" -> money:EUR 4000000), counts
("three levels" -> count:level 3), ordinals ("third visit" -> ordinal:visit 3), tallies
("23 to 14"), dates (relative ones resolved against the publication date when it is known:
"last Thursday" -> 2020-12-17, "last month" -> 2020-11), places and participants by canonical name.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from newsprism.analyze._lexicon import MONTHS, ORDINAL_WORDS, WEEKDAYS
from newsprism.analyze.entities import mention_index
from newsprism.models import Claim, Entity, Slot, Span
from newsprism.slots import quantities, tallies

_WEEKDAY = "|".join(WEEKDAYS)
_MONTH = "|".join(MONTHS)
_YEAR_RE = r"(?:1[89]|20)\d\d"
_DATE = re.compile(
    rf"\b(?:(?:last|next|this|on|past)\s+)?(?:{_WEEKDAY})\b"
    rf"|\b(?P<m1>{_MONTH})(?:\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?)?(?:,?\s+(?P<y1>{_YEAR_RE}))?\b"
    rf"|\b(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MONTH})(?:,?\s+(?P<y2>{_YEAR_RE}))?\b"
    r"|\b(?:last|next|this|past)\s+(?:week|month|year|weekend)\b"
    r"|\b(?:yesterday|today|tomorrow)\b"
    rf"|\b(?P<y3>{_YEAR_RE})\b",
    re.IGNORECASE,
)
_ORDINAL = re.compile(
    r"\b(?P<ord>" + "|".join(sorted(ORDINAL_WORDS, key=len, reverse=True))
    + r"|\d{1,3}(?:st|nd|rd|th))\b(?:\s+(?P<noun>[A-Za-z][a-z-]{2,}))?",
    re.IGNORECASE,
)
#: Words after an ordinal that are not the thing being counted ("the third this year").
_NOT_COUNTED = frozenset(
    "this that these those the and or of in on at to for with from by since ever".split()
)
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_PARTICIPANT_LABELS = frozenset({"PERSON", "ORG"})


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _singular(noun: str) -> str:
    noun = noun.lower()
    if noun.endswith("ies") and len(noun) > 4:
        return noun[:-3] + "y"
    if noun.endswith("s") and not noun.endswith("ss") and len(noun) > 3:
        return noun[:-1]
    return noun


def _ordinal_slots(text: str, offset: int) -> list[Slot]:
    """"third visit" -> ordinal:visit 3; "for the fourth time" -> ordinal:time 4."""
    out = []
    for match in _ORDINAL.finditer(text):
        word = match.group("ord").lower()
        value = ORDINAL_WORDS.get(word) or int(re.sub(r"\D", "", word))
        noun = (match.group("noun") or "").lower()
        if noun.endswith(("ed", "ly")) or noun in _NOT_COUNTED:
            noun = ""  # "first reported", "second largest ...": not a counted thing
        if not noun and word in {"first", "second"}:
            continue  # "first," / "a second" are too often adverbs or time units
        end = match.end() if noun else match.end("ord")
        key = f"ordinal:{_singular(noun)}" if noun else "ordinal"
        out.append(Slot("ordinal", key, str(value), text[match.start() : end],
                        offset + match.start(), offset + end))
    return out


def number_slots(text: str, offset: int = 0, *, language: str = "en") -> list[Slot]:
    """Quantities, counts, ordinals and tallies of one sentence.

    Args:
        text: The sentence.
        offset: Where the sentence starts in the article, so slot offsets index the article.
        language: Decides the decimal separator ("1.200" is 1200 in German).
    """
    slots: list[Slot] = []
    for q in tallies(text):
        a, b = divmod(int(q.value), 10_000)
        slots.append(Slot("tally", "tally", f"{a}-{b}", q.text, offset + q.start, offset + q.end))
    taken = [(s.start - offset, s.end - offset) for s in slots]
    for q in quantities(text, language=language):
        if any(s < q.end and q.start < e for s, e in taken):
            continue
        kind = "count" if q.key.startswith("count:") else "quantity"
        slots.append(Slot(kind, q.key, _number_text(q.value), q.text, offset + q.start,
                          offset + q.end))
    slots += _ordinal_slots(text, offset)
    return sorted(slots, key=lambda s: (s.start, s.end))


def normalise_numbers(sentence: str) -> tuple[str, ...]:
    """Numbers of a sentence in normal form ("1200", "3", "ordinal:3"), in text order."""
    return Claim(sentence, 0, len(sentence), tuple(number_slots(sentence))).numbers


def _week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _relative_period(low: str, published: date) -> str | None:
    which, unit = low.split()
    step = {"last": -1, "past": -1, "next": 1, "this": 0}[which]
    if unit == "week":
        return _week(published + timedelta(weeks=step))
    if unit == "weekend":
        saturday = published - timedelta(days=(published.weekday() - 5) % 7)
        if step > 0 or (step == 0 and saturday < published - timedelta(days=1)):
            saturday += timedelta(days=7)
        elif step < 0 and saturday >= published - timedelta(days=1):
            saturday -= timedelta(days=7)
        return saturday.isoformat()
    if unit == "month":
        month = published.year * 12 + published.month - 1 + step
        return f"{month // 12}-{month % 12 + 1:02d}"
    return str(published.year + step)


def resolve_date(expression: str, published: date | None) -> str:
    """Normal form of a date expression: ISO day, "YYYY-MM", "YYYY-Www" or "YYYY".

    Relative expressions need `published`: "last Thursday" is the Thursday strictly before
    publication day; a bare or "on" weekday is the most recent such day on or before it; a day
    and month without a year take the publication year. Without `published`, relative
    expressions come back lower-cased, so equal wordings still compare equal.
    """
    low = re.sub(r"^(?:in|since|by|until|of|on)\s+(?=\d)", "", " ".join(expression.lower().split()))
    match = _DATE.fullmatch(low)
    groups = match.groupdict() if match else {}
    month_word = groups.get("m1") or groups.get("m2")
    if month_word:
        month = MONTHS.index(month_word) + 1
        day_text = groups.get("d1") or groups.get("d2")
        year_text = groups.get("y1") or groups.get("y2")
        year = int(year_text) if year_text else (published.year if published else None)
        head = f"{year:04d}" if year else "XXXX"
        if day_text and 1 <= int(day_text) <= 31:
            return f"{head}-{month:02d}-{int(day_text):02d}"
        return f"{head}-{month:02d}"
    if groups.get("y3"):
        return groups["y3"]
    if published is None:
        return low
    if low == "today":
        return published.isoformat()
    if low == "yesterday":
        return (published - timedelta(days=1)).isoformat()
    if low == "tomorrow":
        return (published + timedelta(days=1)).isoformat()
    words = low.split()
    if words[-1] in WEEKDAYS:
        target = WEEKDAYS.index(words[-1])
        if words[0] == "next":
            ahead = (target - published.weekday()) % 7 or 7
            return (published + timedelta(days=ahead)).isoformat()
        back = (published.weekday() - target) % 7
        if words[0] == "last" and back == 0:
            back = 7
        return (published - timedelta(days=back)).isoformat()
    if len(words) == 2 and words[0] in {"last", "next", "this", "past"}:
        return _relative_period(low, published) or low
    return low


def date_slots(text: str, offset: int, published: datetime | None) -> list[Slot]:
    """Date expressions of one sentence, relative ones resolved when possible."""
    day = published.date() if published is not None else None
    out = []
    for match in _DATE.finditer(text):
        expression = match.group()
        month_word = match.group("m1")
        if month_word and not (match.group("d1") or match.group("y1")) and (
            month_word.lower() == "may" or month_word[0].islower()
        ):
            continue  # a bare "may"/"march" is usually the verb
        if match.group("y3") and re.match(r"\s*(?:%|percent|per cent|people|\w+ers)\b",
                                          text[match.end():]):
            continue  # "2000 workers" is a number, not a year
        out.append(Slot("date", "date", resolve_date(expression, day), expression,
                        offset + match.start(), offset + match.end()))
    return out


def extract_claims(
    sentences: tuple[Span, ...], entities: tuple[Entity, ...], *,
    published: datetime | None = None, language: str = "en",
) -> tuple[Claim, ...]:
    """Returns the checkable sentences of an article with their slots.

    A sentence is a claim when it carries a number, a date, a place, or two participants
    (who met whom); opinion and colour without such details are left out.

    Args:
        sentences: Sentence spans of the article.
        entities: Canonical entities (places and participants are reported by canonical name).
        published: Publication time, to resolve "last Thursday" and the like.
        language: Language of the text, for number formats.
    """
    rows = mention_index(entities)
    claims: list[Claim] = []
    for sent in sentences:
        slots = number_slots(sent.text, sent.start, language=language)
        slots += date_slots(sent.text, sent.start, published)
        dates = [(s.start, s.end) for s in slots if s.kind == "date"]
        slots = [s for s in slots if s.kind == "date"
                 or not any(a <= s.start and s.end <= b for a, b in dates)]  # "17" of "December 17"
        participants = 0
        for start, end, name, label in rows:
            if not sent.start <= start < sent.end:
                continue
            if label in _PLACE_LABELS:
                slots.append(Slot("place", "place", name, sent.text[start - sent.start : end - sent.start],
                                  start, end))
            elif label in _PARTICIPANT_LABELS:
                participants += 1
                slots.append(Slot("participant", label.lower(), name,
                                  sent.text[start - sent.start : end - sent.start], start, end))
        names = {s.value for s in slots if s.kind == "participant"}
        if any(s.kind != "participant" for s in slots) or len(names) >= 2:
            claims.append(Claim(text=sent.text, start=sent.start, end=sent.end,
                                slots=tuple(sorted(slots, key=lambda s: (s.start, s.end)))))
    return tuple(claims)
