"""Canonical entities of one article: mentions grouped under one name, with roles.

"Milley", "General Mark Milley" and "US Army General Mark Milley" are one person; "IDF",
"Israel Defense Forces" and "Israeli Defense Forces" one organisation; "US" and "America" one
country. Grouping stays inside one article; `canonical_key` is for matching across articles.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict

from spacy.tokens import Doc

from newsprism.analyze._lexicon import (
    COUNTRY_ALIASES,
    INITIALS_STOPWORDS,
    KNOWN_ACRONYMS,
)
from newsprism.analyze.mentions import Mention, extract_mentions
from newsprism.analyze.roles import find_roles
from newsprism.models import Entity, Role, Span

_ACRONYM = re.compile(r"^[A-Z](?:\.?[A-Z]){1,5}\.?$")


def is_acronym(name: str) -> bool:
    """True for "IDF", "U.S.": two to six capitals, optionally dotted."""
    return _ACRONYM.match(name) is not None


def canonical_key(name: str) -> str:
    """Returns a matching key for a canonical name: lower case, no accents, no punctuation.

    Args:
        name: A canonical entity name ("Benjamin Netanyahu", "Zürich").

    Returns:
        "benjamin netanyahu", "zurich": equal keys mean the same name across articles.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = re.sub(r"['’]s\b", "", plain.lower())
    return " ".join(re.sub(r"[^\w\s-]", " ", plain).split())


def initials(name: str) -> str:
    """Upper-case initials of the content words ("National Port Authority" -> "NPA")."""
    words = [w for w in re.split(r"[\s-]+", name) if w and w.lower() not in INITIALS_STOPWORDS]
    return "".join(w[0].upper() for w in words)


def variant_key(name: str) -> tuple[str, ...]:
    """Word-prefix key so "Israel Defense Forces" == "Israeli Defence Forces"."""
    words = [w for w in re.split(r"[\s-]+", name) if w and w.lower() not in INITIALS_STOPWORDS]
    return tuple(w.lower()[:5] for w in words)


def _acronym_expansions(mentions: list[Mention], text: str) -> dict[str, str]:
    """Maps each acronym in the article to its expansion (defined, matching ORG, or known)."""
    long_orgs = [m.name for m in mentions if m.label == "ORG" and len(m.name.split()) >= 2]
    expansions: dict[str, str] = {}
    for m in mentions:
        if m.label not in {"ORG", "GPE", "NORP"} or not is_acronym(m.name):
            continue
        acronym = m.name.replace(".", "")
        defined = re.search(r"([A-Z][^()\n]{3,80}?)\s+\(" + re.escape(m.name) + r"\)", text)
        if defined:
            words = defined.group(1).split()
            for n in range(len(words), 0, -1):
                candidate = " ".join(words[-n:])
                if initials(candidate) == acronym:
                    # initials skip "of the", so drop leading lower-case words the match swept up
                    long = re.sub(r"^(?:(?:the|The|[a-z]+)\s+)+", "", candidate)
                    if long[:1].isupper():  # "liquefied natural gas (LNG)" is no organisation
                        expansions[m.name] = long
                    break
        if m.name in expansions:
            continue
        matches = sorted({o for o in long_orgs if initials(o) == acronym}, key=len, reverse=True)
        known = KNOWN_ACRONYMS.get(acronym)
        if known and (not matches or any(variant_key(o) == variant_key(known) for o in matches)):
            expansions[m.name] = known
        elif matches:
            expansions[m.name] = matches[0]
    return expansions


def _group_key(m: Mention, expansions: dict[str, str], known_keys: dict[tuple[str, ...], str]) -> str:
    """Name a non-person mention is filed under before canonical names are chosen."""
    low = m.name.lower()
    if m.label == "GPE" and low in COUNTRY_ALIASES:
        return COUNTRY_ALIASES[low]
    name = expansions.get(m.name, m.name)
    if m.label == "ORG":
        return known_keys.get(variant_key(name), name)
    return name


def _person_groups(people: list[Mention]) -> dict[str, list[Mention]]:
    """Groups person mentions; a surname joins the full name that ends with it."""
    full: dict[str, list[Mention]] = defaultdict(list)
    for m in people:
        if len(m.name.split()) >= 2:
            full[m.name].append(m)
    # Shorter full names ending a longer one ("Mark Milley" in "Mark A. Milley" is not handled).
    groups: dict[str, list[Mention]] = {name: list(ms) for name, ms in full.items()}
    for m in people:
        if len(m.name.split()) >= 2:
            continue
        candidates = [n for n in full if n.split()[-1] == m.name]
        if not candidates:
            groups.setdefault(m.name, []).append(m)
            continue
        if len(candidates) == 1:
            target = candidates[0]
        else:  # several people share the surname: the one named most recently before
            before = [(x.start, n) for n in candidates for x in full[n] if x.start < m.start]
            target = max(before)[1] if before else candidates[0]
        groups[target].append(m)
    return groups


def _merge_short_orgs(groups: dict[tuple[str, str], list[Mention]]) -> None:
    """Files "the Federation" under the one organisation whose name ends with that word."""
    orgs = [key for key, label in groups if label == "ORG"]
    for short in [k for k in orgs if " " not in k and not _ACRONYM.match(k)]:
        longer = [k for k in orgs if k != short and k.split()[-1].lower() == short.lower()]
        if len(longer) == 1:
            groups[(longer[0], "ORG")].extend(groups.pop((short, "ORG")))


def group_entities(mentions: list[Mention], text: str) -> list[tuple[str, str, list[Mention]]]:
    """Returns (canonical name, label, mentions) groups in order of first mention."""
    expansions = _acronym_expansions(mentions, text)
    known_keys = {variant_key(v): v for v in KNOWN_ACRONYMS.values()}
    for long in set(expansions.values()):
        known_keys.setdefault(variant_key(long), long)
    groups: dict[tuple[str, str], list[Mention]] = defaultdict(list)
    people = [m for m in mentions if m.label == "PERSON"]
    for name, ms in _person_groups(people).items():
        groups[(name, "PERSON")].extend(ms)
    for m in mentions:
        if m.label != "PERSON":
            groups[(_group_key(m, expansions, known_keys), m.label)].append(m)
    _merge_short_orgs(groups)
    out = []
    for (key, label), ms in groups.items():
        name = key
        if label == "PERSON":
            name = max((m.name for m in ms), key=lambda n: (len(n.split()), len(n)))
        out.append((name, label, sorted(ms, key=lambda m: m.start)))
    return sorted(out, key=lambda g: g[2][0].start)


def extract_entities(doc: Doc, text: str) -> tuple[Entity, ...]:
    """Finds the canonical entities of one article; see `extract_entities_and_roles`."""
    return extract_entities_and_roles(doc, text)[0]


def extract_entities_and_roles(doc: Doc, text: str) -> tuple[tuple[Entity, ...], tuple[Role, ...]]:
    """Finds the canonical entities of one article and every role the text gives a person.

    Args:
        doc: spaCy document of `text` (parsed by an English pipeline with NER).
        text: The clean article text; mention offsets index into it.

    Returns:
        Entities in order of first mention, each with all its mention spans and, for people,
        the most specific role; and all role phrases with their offsets, in text order.
    """
    mentions = extract_mentions(doc, text)
    person_spans = [(m.start, m.end) for m in mentions if m.label == "PERSON"]
    entities, roles = [], []
    for name, label, ms in group_entities(mentions, text):
        found: list[tuple[str, int, int]] = []
        if label == "PERSON":
            found = find_roles(doc, text, [(m.start, m.end) for m in ms], person_spans)
            roles += [Role(name, phrase, s, e) for phrase, s, e in found]
        spans = tuple(Span(m.start, m.end, text[m.start : m.end]) for m in ms)
        entities.append(Entity(name=name, label=label, mentions=spans,
                               role=found[0][0] if found else None))
    return tuple(entities), tuple(sorted(roles, key=lambda r: (r.start, r.end)))


def mention_index(entities: tuple[Entity, ...]) -> list[tuple[int, int, str, str]]:
    """Flattens entities to sorted (start, end, canonical name, label) rows for lookups."""
    rows = [(s.start, s.end, e.name, e.label) for e in entities for s in e.mentions]
    return sorted(rows)
