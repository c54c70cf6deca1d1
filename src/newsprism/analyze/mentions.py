"""Entity mentions: spaCy's entities cleaned and relabelled by general rules.

The small model mislabels often ("Milley" as ORG, "Hanukkah" as ORG, "Defense" as ORG inside
"Defense Minister"); these rules fix what a reader would never get wrong.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

from spacy.tokens import Doc

from newsprism.analyze._lexicon import (
    COUNTRY_ALIASES,
    DEPARTMENT_WORDS,
    HOLIDAY_PHRASES,
    HOLIDAYS,
    PERSON_TITLES,
)

KEEP_LABELS: frozenset[str] = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT", "FAC"})

_POSSESSIVE_TAIL = re.compile(r"(?:['’]s|['’])$")
_INNER_POSSESSIVE = re.compile(r"['’]s?\s+(?=[A-Z])")
_LEADING_THE = re.compile(r"^(?:(?:of|for|in|on|at|by|and)\s+)*(?:the|The|THE)\s+|^(?:of|for)\s+")
_WORD = re.compile(r"[A-Za-z][\w.’'-]*")
_DEFINED_ACRONYM = re.compile(
    r"((?:[A-Z][\w’'-]*)(?:\s+(?:of|the|and|for|on|[A-Z][\w’'-]*))+)\s+\(([A-Z]{2,6})\)"
)


@dataclass(frozen=True, slots=True)
class Mention:
    """One cleaned mention; `name` is the surface form without titles/articles/possessives."""

    start: int
    end: int
    name: str
    label: str
    titled: bool = False  # a person title/rank stands right before it


def is_title_word(word: str) -> bool:
    """True when `word` is a person title or rank ("General", "Gen.", "Minister")."""
    low = word.lower()
    return low in PERSON_TITLES or low.rstrip(".") in PERSON_TITLES


def _title_before(text: str, start: int) -> bool:
    """True when the word right before `start` (same line) is a person title."""
    window = text[max(0, start - 40) : start]
    if "\n" in window:
        window = window.rsplit("\n", 1)[1]
    words = window.split()
    return bool(words) and window[-1:].isspace() and is_title_word(words[-1])


def _strip_edges(text: str, start: int, end: int) -> tuple[int, int]:
    """Drops a leading "the", trailing possessive and punctuation from a mention."""
    piece = text[start:end]
    lead = _LEADING_THE.match(piece)
    if lead:
        start += lead.end()
    paren = text.find("(", start, end)
    if paren > start and text.find(")", paren, end) < 0:
        end = paren  # "Transit (BCT": the model cut inside a parenthesis
    while end > start:
        tail = _POSSESSIVE_TAIL.search(text[start:end])
        if tail:
            end = start + tail.start()
        elif text[end - 1] in " ,.;:-–—\"“”'’)(":
            end -= 1
        else:
            break
    return start, end


_TAIL_WORD = re.compile(r"\s+(?:[a-z][\w’'-]*|\d[\d.,]*)$")
_INNER_PLACE = re.compile(r"\s(?:in|at)\s+[A-Z]")


def _trim_tail(text: str, start: int, end: int) -> tuple[int, int]:
    """Cuts what the model swept into a name: text past a line break, a trailing "in <Place>"
    ("Ministry of Transport in Lindmark"), and trailing lower-case or numeric words
    ("… Lindmark ended", "Norrvik Batteries 350")."""
    piece = text[start:end]
    if "\n" in piece:
        end = start + piece.index("\n")
    inner = _INNER_PLACE.search(text, start, end)
    if inner:
        end = inner.start()
    trimmed = False
    while (tail := _TAIL_WORD.search(text, start, end)) and tail.start() > start:
        if tail.group().strip()[0].isdigit() and not trimmed:
            break  # "Gate 4" is a name; "Batteries 350 million" is not
        end, trimmed = tail.start(), True
    return _strip_edges(text, start, end)


def _strip_titles(text: str, start: int, end: int) -> tuple[int, int, bool]:
    """Removes leading title words inside a PERSON mention ("General Mark Milley")."""
    titled = False
    while True:
        match = _WORD.match(text, start, end)
        if not match or match.end() >= end or not is_title_word(match.group()):
            return start, end, titled
        start = match.end()
        while start < end and text[start].isspace():
            start += 1
        titled = True


def _split_possessive(text: str, start: int, end: int) -> list[tuple[int, int, bool]]:
    """Splits "Biden’s White House" into owner and head; flag marks the owner piece."""
    match = _INNER_POSSESSIVE.search(text, start, end)
    if not match:
        return [(start, end, False)]
    return [(start, match.start(), True), (match.end(), end, False)]


def _looks_like_name(name: str) -> bool:
    return len(name) >= 2 and any(ch.isupper() for ch in name) and name[0].isalpha()


def _relabel(name: str, label: str, titled: bool) -> str:
    low = name.lower()
    if low in HOLIDAYS or low in HOLIDAY_PHRASES:
        return "EVENT"
    if low in COUNTRY_ALIASES and label in {"ORG", "GPE", "LOC", "NORP", "PERSON"}:
        return "GPE"
    if titled and label in {"ORG", "GPE", "NORP", "PERSON"} and len(name.split()) <= 4:
        return "PERSON"
    return label


def _raw_mentions(doc: Doc, text: str) -> list[tuple[Mention, bool]]:
    """Cleaned spaCy mentions; the bool marks possessive owners whose label is unknown."""
    out: list[tuple[Mention, bool]] = []
    for ent in doc.ents:
        if ent.label_ not in KEEP_LABELS:
            continue
        for s, e, owner in _split_possessive(text, ent.start_char, ent.end_char):
            s, e = _strip_edges(text, s, e)
            s, e = _trim_tail(text, s, e)
            titled = False
            if ent.label_ == "PERSON" and not owner:
                s, e, titled = _strip_titles(text, s, e)
            name = text[s:e]
            if not _looks_like_name(name) or is_title_word(name):
                continue
            titled = titled or _title_before(text, s)
            if _is_department_modifier(text, name, e):
                continue
            label = _relabel(name, ent.label_, titled)
            out.append((Mention(s, e, name, label, titled), owner))
    return out


def _is_department_modifier(text: str, name: str, end: int) -> bool:
    """True for "Defense" in "Defense Minister": a department word glued to a title."""
    if name.lower() not in DEPARTMENT_WORDS:
        return False
    follow = text[end : end + 20].split()
    return bool(follow) and is_title_word(follow[0])


def _defined_acronyms(text: str) -> list[Mention]:
    """Mentions of "Long Name (ACR)" definitions, so both forms exist as ORG mentions."""
    out: list[Mention] = []
    for match in _DEFINED_ACRONYM.finditer(text):
        long_s, long_e = _strip_edges(text, match.start(1), match.end(1))
        out.append(Mention(long_s, long_e, text[long_s:long_e], "ORG"))
        out.append(Mention(match.start(2), match.end(2), match.group(2), "ORG"))
    return out


_TITLED_NAME = re.compile(
    r"\b([A-Z][a-z]*\.?)\s+((?:[A-Z][a-z’'-]+)(?:\s+[A-Z][a-z’'-]+){0,2})\b"
)
_HONORIFICS = frozenset({"mr", "mrs", "ms", "dr", "sir", "dame", "prof"})


def _titled_names(text: str, raw: list[tuple[Mention, bool]]) -> list[Mention]:
    """Names after a title that the model missed ("Gen. Rowley"), when the evidence is clear.

    A capitalised title alone is ambiguous ("General Assembly"), so the name must already be a
    person's surname in the article, or the title must be an abbreviation or honorific.
    """
    taken = [(m.start, m.end) for m, _ in raw]
    surnames = {m.name.split()[-1] for m, _ in raw if m.label == "PERSON"}
    out: list[Mention] = []
    for match in _TITLED_NAME.finditer(text):
        title, name = match.group(1), match.group(2)
        if not is_title_word(title) or is_title_word(name.split()[0]):
            continue
        s, e = match.start(2), match.end(2)
        if any(a < e and s < b for a, b in taken):
            continue
        clear = title.endswith(".") or title.lower() in _HONORIFICS
        if name.split()[-1] in surnames or clear:
            out.append(Mention(s, e, name, "PERSON", titled=True))
    return out


def _repeated_people(text: str, mentions: list[Mention]) -> list[Mention]:
    """Other occurrences of a person's full name or surname that the model missed."""
    taken = [(m.start, m.end) for m in mentions]
    forms = set()
    for m in mentions:
        words = m.name.split()
        if m.label == "PERSON" and len(words) >= 2:
            forms.update({m.name, words[-1]})
    out: list[Mention] = []
    for form in sorted(forms, key=len, reverse=True):
        for match in re.finditer(r"(?<![\w-])" + re.escape(form) + r"(?![\w-])", text):
            s, e = match.span()
            if not any(a < e and s < b for a, b in taken):
                out.append(Mention(s, e, form, "PERSON"))
                taken.append((s, e))
    return out


def _vote_labels(mentions: list[tuple[Mention, bool]]) -> list[Mention]:
    """Gives every surface form one label: title evidence, then surname rule, then majority."""
    full_person_surnames = {
        m.name.split()[-1]
        for m, owner in mentions
        if m.label == "PERSON" and len(m.name.split()) >= 2
    }
    lone_surnames = {m.name for m, _ in mentions if m.label == "PERSON" and " " not in m.name}
    votes: dict[str, Counter[str]] = {}
    titled_names = {m.name for m, _ in mentions if m.titled and m.label == "PERSON"}
    for m, owner in mentions:
        if not owner:
            votes.setdefault(m.name, Counter())[m.label] += 1
    result: list[Mention] = []
    for m, owner in mentions:
        label = m.label
        words = m.name.split()
        if m.name in titled_names or (
            len(words) == 1 and m.name in full_person_surnames
            and label in {"ORG", "GPE", "PERSON", "NORP"}
        ) or (
            # "Helena Voss" tagged ORG once while "Voss" is a person throughout
            2 <= len(words) <= 3 and words[-1] in lone_surnames and label in {"ORG", "GPE", "NORP"}
            and all(w[:1].isupper() for w in words)
        ):
            label = "PERSON"
        elif m.name in votes and label not in {"EVENT"}:
            counts = votes[m.name]
            best = max(counts.items(), key=lambda kv: (kv[1], kv[0] == "PERSON"))[0]
            label = best if counts[best] > counts[label] else label
        elif owner:
            continue  # an owner nobody else names: not enough evidence for a label
        result.append(replace(m, label=label))
    return result


def extract_mentions(doc: Doc, text: str) -> list[Mention]:
    """Returns cleaned, relabelled entity mentions of one document, in text order.

    Args:
        doc: Parsed document of `text` (or of a prefix of it).
        text: The article text the offsets refer to.
    """
    raw = _raw_mentions(doc, text)
    taken = {(m.start, m.end) for m, _ in raw}
    for m in _defined_acronyms(text):
        if (m.start, m.end) not in taken:
            raw.append((m, False))
    raw.extend((m, False) for m in _titled_names(text, raw))
    mentions = _vote_labels(raw)
    mentions += _repeated_people(text, mentions)
    unique = {(m.start, m.end): m for m in mentions}
    return sorted(unique.values(), key=lambda m: (m.start, m.end))
