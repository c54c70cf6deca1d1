"""Numeric slots of a sentence: quantities with a comparable key, and ordinal counts of events.

Two reports conflict on a number only when they count the same kind of thing, so each number
gets a key: a unit class (money in a currency, percent, duration, area, people) or the counted
noun. The lexicons here are generic English (plus a few German/Spanish unit words), not tied to
any article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "dozen": 12,
    "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100,
}
_ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10,
}
_SCALE = {"thousand": 1e3, "million": 1e6, "millionen": 1e6, "millones": 1e6, "billion": 1e9,
          "milliarden": 1e9, "mil": 1e3, "mio": 1e6, "mrd": 1e9}
_UNITS = {
    # unit word (lowercase, singular-ish prefix match) -> class
    "euro": "money:EUR", "€": "money:EUR", "dollar": "money:USD", "$": "money:USD",
    "pound": "money:GBP", "£": "money:GBP",
    "percent": "percent", "per cent": "percent", "%": "percent", "prozent": "percent",
    "por ciento": "percent",
    "hectare": "area:ha", "hectárea": "area:ha", "hektar": "area:ha",
    "square kilomet": "area:km2", "kilomet": "length:km", "mile": "length:mi",
    "hour": "duration:h", "stunde": "duration:h", "hora": "duration:h",
    "day": "duration:d", "tag": "duration:d", "día": "duration:d",
    "week": "duration:w", "month": "duration:mo", "year": "duration:y",
    "megawatt": "power:MW", "gigawatt": "power:GW", "tonne": "mass:t", "ton": "mass:t",
}
_PEOPLE = {
    "people", "persons", "members", "staff", "workers", "employees", "residents", "patients",
    "passengers", "children", "students", "police", "officers", "troops", "soldiers",
    "protesters", "demonstrators", "drivers", "dockers", "dockworkers", "strikers", "voters",
    "civilians", "victims", "refugees", "migrants", "firefighters", "doctors", "nurses",
    "teachers", "pupils", "inhabitants", "households", "families", "jobs", "staffers",
}
_NOT_PEOPLE = {"containers", "numbers", "papers", "towers", "letters", "orders", "meters", "liters"}
_EVENTS = {
    "time", "times", "strike", "strikes", "walkout", "walkouts", "stoppage", "visit", "visits",
    "trip", "round", "attack", "attacks", "protest", "meeting", "summit", "election", "term",
    "vote", "incident", "outbreak", "wave",
}

_NUM = (r"(?P<num>\d{1,3}(?:[,.]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?|"
        + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")")
_QTY_RE = re.compile(
    r"(?<![\w.,])(?P<cur>[€$£]\s?)?" + _NUM
    + r"(?:\s+(?P<scale>thousand|million|billion|millionen|millones|milliarden|mio\.?|mrd\.?|mil))?"
    + r"(?:\s*(?P<unit>%|per ?cent|percent|prozent|por ciento))?"
    + r"(?:\s+(?:more|new|other|additional|extra|local|of|de|more than))?"
    + r"(?:\s+(?P<noun>[^\W\d_][\w-]{2,}(?:\s+(?:kilomet\w+|hours?))?))?",
    re.IGNORECASE,
)
_ORD_RE = re.compile(
    r"\b(?P<ord>" + "|".join(_ORDINAL_WORDS) + r"|\d+(?:st|nd|rd|th))\s+(?P<noun>[a-z]{3,})\b(?!\s+of\b)",
    re.IGNORECASE,
)
_YEARISH = re.compile(r"^(1[89]|20)\d\d$")
_CLOCK = re.compile(r"^\d{1,2}[.:]\d{2}$")


@dataclass(frozen=True, slots=True)
class Quantity:
    """One number in a sentence with the key it is compared under."""

    key: str  # "people", "money:EUR", "duration:h", "area:ha", "percent", "count:<noun>", "ordinal:event"
    value: float
    start: int  # offsets of the number within the sentence
    end: int
    text: str  # the number with its unit/noun as written ("1,200 workers")


def _parse_number(num: str, language: str) -> float:
    n = num.lower()
    if n in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[n])
    if language in ("de", "es", "fr", "it", "pt", "nl"):
        n = n.replace(".", "").replace(",", ".") if re.search(r"\.\d{3}(?!\d)", n) or "," in n else n
    else:
        n = n.replace(",", "")
    return float(n)


def _unit_class(word: str) -> str | None:
    w = word.lower()
    for unit, cls in _UNITS.items():
        if w.startswith(unit):
            return cls
    return None


def _key(cur: str | None, unit: str | None, noun: str | None) -> str | None:
    if cur:
        return _unit_class(cur.strip())
    if unit:
        return "percent"
    if not noun:
        return None
    head = noun.split()[0].lower()
    cls = _unit_class(head)
    if cls:
        return cls
    if head in _PEOPLE or (re.search(r"(?:ers|ors|ists|ians|ees)$", head) and head not in _NOT_PEOPLE):
        return "people"
    if head in _EVENTS:
        return "count:event"
    return "count:" + (head[:-1] if head.endswith("s") and not head.endswith("ss") else head)


def quantities(text: str, *, language: str = "en") -> list[Quantity]:
    """Numbers with a comparable key ("1,200 workers" → people 1200); bare years and clock times skipped."""
    out = []
    for m in _QTY_RE.finditer(text):
        num = m.group("num")
        if (_YEARISH.match(num) and not m.group("scale")) or _CLOCK.match(num):
            continue
        key = _key(m.group("cur"), m.group("unit"), m.group("noun"))
        if key is None:
            continue
        value = _parse_number(num, language) * _SCALE.get((m.group("scale") or "").lower().rstrip("."), 1.0)
        out.append(Quantity(key, value, m.start(), m.end(), m.group(0).strip()))
    return out


_TALLY_RE = re.compile(r"\b(?P<a>\d{1,4})\s+(?:votes?\s+)?(?:to|-|–)\s+(?P<b>\d{1,4})\b(?!\s*(?:percent|%|per))")


def tallies(text: str) -> list[Quantity]:
    """Vote counts and scores ("voted 23 to 14", "by 24 votes to 13"): one slot, compared as a pair."""
    out = []
    for m in _TALLY_RE.finditer(text):
        a, b = int(m.group("a")), int(m.group("b"))
        if _YEARISH.match(m.group("a")) or _YEARISH.match(m.group("b")):
            continue  # "2019 to 2024" is a span of years
        out.append(Quantity("tally", a * 10_000 + b, m.start(), m.end(), m.group(0)))
    return out


def ordinals(text: str) -> list[Quantity]:
    """Ordinal counts of events ("the third strike", "for the fourth time")."""
    out = []
    for m in _ORD_RE.finditer(text):
        noun = m.group("noun").lower()
        if noun not in _EVENTS:
            continue
        o = m.group("ord").lower()
        val = _ORDINAL_WORDS.get(o) or int(re.sub(r"\D", "", o))
        out.append(Quantity("ordinal:event", float(val), m.start(), m.end(), m.group(0)))
    return out
