"""Who an article's statements come from: a per-article sourcing profile, and the parts of an
anonymous source's descriptor (affiliation, seniority, how many) a reader weighs.

Everything here works on plain strings, so it runs without spaCy: `describe_source` reads
"two senior French officials" as plural, two, senior, French; `anonymity_marker` finds "speaking
on condition of anonymity" and its kin; `sourcing_profile` counts an analysed article's sources.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from newsprism.analyze._lexicon import (
    COMMENTATOR_NOUNS,
    DEPARTMENT_WORDS,
    INSIDER_NOUNS,
    INSTITUTION_NOUNS,
    NUMBER_WORDS,
    PLURAL_QUANTIFIERS,
    SENIORITY_WORDS,
    SOURCE_NOUNS_OTHER,
    SOURCE_SUFFIXES_DE,
)
from newsprism.models import Analysis, Quote

_WORD = re.compile(r"[^\W\d_][\w’'.-]*|\d[\d,.]*")
_DETERMINERS = frozenset(
    "a an the this that these those one some any another other such his her their its our".split()
)
# Words after the head noun that start a post-modifier ("familiar with", "who attended").
_POST = frozenset(
    """
    who whom whose which that familiar close with without briefed knowledgeable involved
    speaking to in at for from of on by near inside within outside across around about under
    """.split()
)
_AFFILIATION_PREPS = frozenset(
    "at for from of in inside within with del de von vom aus bei im du".split()
)
_NOT_AFFILIATION = frozenset(
    """
    former current other local foreign western eastern various several many some few
    familiar close knowledgeable informed briefed anonymous unnamed
    """.split()
)
_IRREGULAR_PLURALS = frozenset(
    "people police media staff personnel officials personas personen kreise kreisen quellen "
    "medien diplomaten beamte beamten fuentes".split()
)
_DEMONYM = re.compile(r"^[A-Z][a-z]+(?:an|ian|ese|ish|i|ic)$")
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&.]{1,7}s?$")

ANONYMITY_PATTERN = re.compile(
    r"\b(?:"
    r"(?:on|under)\s+(?:the\s+)?conditions?\s+of\s+anonymity"
    r"|(?:asked|requested|declined|wished|wanted)\s+(?:not\s+)?(?:to\s+)?(?:be\s+)?"
    r"(?:named|identified|quoted\s+by\s+name)"
    r"|(?:asked|requested|sought)\s+anonymity"
    r"|(?:not|n['’]t)\s+(?:authori[sz]ed|permitted|allowed|cleared)\s+to\s+"
    r"(?:speak|talk|discuss|comment)"
    r"|on\s+background|off\s+the\s+record|privately|anonymously"
    r"|(?:bajo|con)\s+(?:la\s+)?condición\s+de\s+anonimato"
    r"|pidió\s+(?:no\s+ser\s+(?:identificad|nombrad)[oa]s?|el\s+anonimato)"
    r"|pidieron\s+(?:no\s+ser\s+(?:identificad|nombrad)[oa]s?|el\s+anonimato)"
    r"|(?:namentlich\s+)?nicht\s+genannt\s+werden\s+(?:wollte|wollten|will|möchte)"
    r"|anonym\s+bleiben"
    r"|sous\s+(?:couvert|le\s+couvert)\s+de\s+l['’]anonymat|(?:a|ont)\s+requis\s+l['’]anonymat"
    r")",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class SourceTraits:
    """What a source descriptor says about who stands behind a statement."""

    head: str | None = None  # head noun, lower case ("officials")
    affiliation: str | None = None  # "French", "NATO", "health ministry"
    seniority: str | None = None  # "senior", "high-ranking"
    plural: bool = False
    count: int | None = None  # only when the text gives a number ("two", "one of")
    insider: bool = False  # the head is an insider noun (official, source, diplomat, ...)
    commentator: bool = False  # the head is a resident/analyst-type noun
    definite: bool = False  # "the officials": refers back to a source named before


def anonymity_marker(text: str) -> str | None:
    """Returns the phrase that says a source is deliberately unnamed, if any.

    Args:
        text: A sentence or clause ("A senior official, speaking on condition of anonymity, said").

    Returns:
        The matched phrase ("on condition of anonymity", "asked not to be named", "privately",
        "not authorised to speak") or None.
    """
    match = ANONYMITY_PATTERN.search(text)
    return match.group(0) if match else None


def _lemma(word: str) -> str:
    """Crude singular of an English noun ("officials" -> "official", "people" stays)."""
    low = word.lower()
    if low in {"people", "media", "police", "staff"}:
        return low
    if low.endswith("ies") and len(low) > 4:
        return low[:-3] + "y"
    if low.endswith(("sses", "ches", "shes")):
        return low[:-2]
    if low.endswith("s") and not low.endswith(("ss", "us")) and (
            not low.endswith("is") or word[:1].isupper()):  # "Pakistanis", not "analysis"
        return low[:-1]
    return low


def _is_source_noun(word: str) -> bool:
    lem, low = _lemma(word), word.lower()
    return (lem in INSIDER_NOUNS or lem in COMMENTATOR_NOUNS or low in SOURCE_NOUNS_OTHER
            or low.endswith(SOURCE_SUFFIXES_DE))


def _number(word: str) -> int | None:
    low = word.lower().replace(",", "")
    if low.isdigit():
        return int(low)
    return NUMBER_WORDS.get(low) if low not in {"dozens", "hundred", "thousand", "million",
                                                "billion"} else None


def _head_index(words: list[str]) -> int:
    """Index of the head noun: the last word before a post-modifier, preferring a source noun."""
    end = len(words)
    for i, w in enumerate(words):
        if i > 0 and (w.lower() in _POST or w == ","):
            end = i
            break
    for i in range(end - 1, -1, -1):
        if _is_source_noun(words[i]):
            return i
    return max(end - 1, 0)


def _seniority(text: str) -> str | None:
    low = text.lower()
    for phrase in SENIORITY_WORDS:
        if re.search(r"(?<![\w-])" + re.escape(phrase) + r"(?![\w-])", low):
            return phrase.replace(" ", "-") if phrase in {"high ranking", "high level"} else phrase
    return None


def _premodifier_affiliation(words: list[str], head: int, known: set[str]) -> str | None:
    """Affiliation words right before the head ("senior health ministry official")."""
    picked: list[str] = []
    for i in range(head - 1, -1, -1):
        w, low = words[i], words[i].lower()
        if low in _DETERMINERS or _number(w) is not None or low in _NOT_AFFILIATION:
            break
        if _seniority(w) or low in PLURAL_QUANTIFIERS or low.endswith("-ranking"):
            break
        capital = w[:1].isupper() and (i > 0 or w in known or _ACRONYM.match(w)
                                       or _DEMONYM.match(w))
        institution = _lemma(w) in INSTITUTION_NOUNS or low in DEPARTMENT_WORDS
        follows_institution = bool(picked) and (_lemma(picked[0]) in INSTITUTION_NOUNS)
        if capital or institution or (follows_institution and w.isalpha() and w.islower()):
            picked.insert(0, w)
            continue
        if w[:1].isupper() and i == 0 and not picked:
            break
        break
    return " ".join(picked) or None


def _postmodifier_affiliation(words: list[str], head: int, known: set[str]) -> str | None:
    """Affiliation in a phrase after the head ("an official at the energy ministry")."""
    if head + 1 >= len(words) or words[head + 1].lower() not in _AFFILIATION_PREPS:
        return None
    if words[head + 1].lower() == "with":
        return None  # "officials with knowledge of the deal": access, not affiliation
    rest: list[str] = []
    for w in words[head + 2 :]:
        if w == "," or w.lower() in {"who", "which", "that", "familiar", "close", "speaking"}:
            break
        rest.append(w)
        if len(rest) >= 7:
            break
    while rest and rest[0].lower() in {"the", "a", "an"}:
        rest.pop(0)
    if not rest:
        return None
    first_cap = rest[0][:1].isupper() or rest[0] in known
    institution_at = [i for i, w in enumerate(rest)
                      if _lemma(w) in INSTITUTION_NOUNS or w.lower() in DEPARTMENT_WORDS]
    by_institution = rest[: institution_at[-1] + 1] if institution_at else []
    if first_cap:
        phrase = [rest[0]]
        for w in rest[1:]:
            if (w[:1].isupper() or w.lower() in {"of", "for", "and"}
                    or _lemma(w) in INSTITUTION_NOUNS):
                phrase.append(w)
            else:
                break
        while phrase and phrase[-1].lower() in {"of", "for", "and"}:
            phrase.pop()
        return " ".join(max(phrase, by_institution, key=len))
    return " ".join(by_institution) or None


def describe_source(descriptor: str, *, affiliations: Sequence[str] = ()) -> SourceTraits:
    """Reads who stands behind a statement from its source descriptor.

    Args:
        descriptor: The source as written ("two senior French officials", "one of the
            officials", "A spokesperson for the Ministry of Trade", "Fuentes del sector").
        affiliations: Entity mentions (NORP/ORG/GPE surface texts) found inside the descriptor;
            they let a capitalised first word count as an affiliation ("French officials" but
            not "Several officials").

    Returns:
        Head noun, affiliation, seniority, plural and count (count only when the text gives a
        number: "two senior officials" -> 2, "one of the officials" -> 1, "officials" -> None).

    Example:
        >>> t = describe_source("two senior French officials")
        >>> (t.affiliation, t.seniority, t.plural, t.count)
        ('French', 'senior', True, 2)
    """
    words = [m.group(0).rstrip(".") if not m.group(0).isupper() else m.group(0)
             for m in re.finditer(r"[^\W_][\w’'&.-]*|,", descriptor)]
    words = [w for w in words if w]
    if not words:
        return SourceTraits()
    core = re.split(r",|\s(?:who|whom|which|that|familiar|close|briefed|with|speaking)\s",
                    descriptor, maxsplit=1)[0]
    affiliations = [a for a in affiliations if a in core]
    known = {w for a in affiliations for w in a.split()}
    count: int | None = None
    partitive = False
    low0 = words[0].lower()
    first_number = _number(words[0])
    if len(words) > 2 and words[1].lower() == "of" and (first_number is not None
                                                        or low0 in PLURAL_QUANTIFIERS):
        partitive = True  # "one of the officials", "two of them", "some of the sources"
        count = first_number
        words = words[2:]
    head = _head_index(words)
    if count is None:
        for w in words[:head]:
            n = _number(w)
            if n is not None:
                count = n
                break
    head_word = words[head]
    head_low = head_word.lower()
    lem = _lemma(head_word)
    quantified = any(w.lower() in PLURAL_QUANTIFIERS for w in words[:head]) or (
        partitive and count is None)
    noun_plural = (head_low in _IRREGULAR_PLURALS or (lem != head_low and head_low.endswith("s"))
                   or head_low.endswith(("kreise", "kreisen", "quellen")))
    plural = count > 1 if count is not None else (quantified or noun_plural)
    affiliation = (_premodifier_affiliation(words, head, known)
                   or _postmodifier_affiliation(words, head, known))
    if affiliation is None and affiliations:
        affiliation = affiliations[0]
    return SourceTraits(
        head=head_low,
        affiliation=affiliation,
        seniority=_seniority(" ".join(words[:head + 1])),
        plural=plural,
        count=count,
        insider=lem in INSIDER_NOUNS or head_low in SOURCE_NOUNS_OTHER
        or head_low.endswith(SOURCE_SUFFIXES_DE),
        commentator=lem in COMMENTATOR_NOUNS,
        definite=not partitive and words[0].lower() in {"the", "these", "those"},
    )


def is_first_hand(cue: str | None) -> bool:
    """True when the cue says the source spoke to the outlet ("told me", "told Axios")."""
    return bool(cue) and cue.lower().startswith(("told ", "tell ", "tells ", "telling "))


def sourcing_profile(analysis: Analysis) -> dict[str, int | float]:
    """Summarises how an article sources its statements.

    Args:
        analysis: Output of `analyze_article`.

    Returns:
        Counts of quotes, named / anonymous / unattributed, direct / indirect, first-hand
        ("told me", "told us", "told <Outlet>") vs relayed, anonymous plural vs singular, the
        distinct named speakers, and the anonymous share of attributed statements.
    """
    quotes: Sequence[Quote] = analysis.quotes
    named = [q for q in quotes if q.speaker and not q.anonymous]
    anonymous = [q for q in quotes if q.anonymous]
    first_hand = sum(1 for q in quotes if (q.speaker or q.anonymous) and is_first_hand(q.cue))
    attributed = len(named) + len(anonymous)
    return {
        "quotes": len(quotes),
        "direct": sum(1 for q in quotes if q.direct),
        "indirect": sum(1 for q in quotes if not q.direct),
        "named": len(named),
        "anonymous": len(anonymous),
        "unattributed": len(quotes) - attributed,
        "first_hand": first_hand,
        "relayed": attributed - first_hand,
        "anonymous_plural": sum(1 for q in anonymous if q.plural),
        "anonymous_singular": sum(1 for q in anonymous if not q.plural),
        "named_speakers": len({q.speaker for q in named}),
        "anonymous_share": round(len(anonymous) / attributed, 3) if attributed else 0.0,
    }
