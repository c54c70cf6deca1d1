"""Machine-translation and spin signals: traces a human editor would not leave.

Each detector yields (weight, reason); weights combine as independent evidence,
score = 1 - prod(1 - w), so several weak traces add up and one strong trace is enough to notice.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator

from newsprism.analyze._lexicon import CUE_FORMS, FEMALE_PRONOUNS, MALE_PRONOUNS
from newsprism.models import Entity, Signals, Span

#: Idiomatic English section labels (house styles of news sites); not evidence of translation.
IDIOMATIC_LABELS: frozenset[str] = frozenset(
    label.strip() for label in """
    why it matters|the big picture|what they're saying|what's next|what's new|behind the scenes
    between the lines|by the numbers|go deeper|yes, but|the latest|details|flashback|background
    context|driving the news|state of play|reality check|catch up quick|our thought bubble
    of note|worth noting|zoom in|zoom out|the other side|the bottom line|bottom line|update
    updated|correction|editor's note|note|related|read more|watch|breaking|source|sources
    photo|video|the backstory|the intrigue|what to watch|where it stands|what happened
    the bottom line|key quote|the response|the context|go deeper|be smart|why now|how it works
    """.replace("\n", "|").split("|")
) - {""}
_LABEL = re.compile(r"^[ \t•·*\-–]*([A-Z][\w’' ,-]{1,40}?)\s?:\s+\S", re.MULTILINE)
_QUESTION_START = re.compile(
    r"^(?:why|what|how|who|where|when|which)\s+(?:does|do|did|is|are|was|were|will|can|has|have)\b",
    re.IGNORECASE,
)
_VERBISH = CUE_FORMS | frozenset(
    "is are was were has have had will would can could should may might must do does did".split()
)
_FIRST_PERSON_ATTR = re.compile(r"\b(?:told|tells|tell)\s+(?:me|us)\b", re.IGNORECASE)
_UNNAMED_PERSON = re.compile(
    r"\b(?:official|source|spokes(?:man|woman|person)|officer|employee|worker|resident|"
    r"witness|person|man|woman|diplomat|aide|member)s?\b"
)
_DOUBLED = re.compile(r"\b([A-Za-z]{3,})[ \t]+\1\b", re.IGNORECASE)
_DOUBLED_OK = frozenset({"that", "had", "very", "bye", "ha", "now", "far", "many", "more"})
_STRAY = (
    (re.compile(r"[.!?]\s+\.(?!\.)"), "repeated sentence punctuation"),
    (re.compile(r"\w\s+[,;](?=\s)"), "space before punctuation"),
    (re.compile(r"“[^”“\n]{3,}“(?=\s*[,.;:]|\s*$)", re.MULTILINE), "opening quote mark used to close"),
)


def _calqued_headers(text: str) -> Iterator[tuple[float, str]]:
    """Paragraph-initial "Label:" prefixes that no English editor would write."""
    for match in _LABEL.finditer(text):
        label = match.group(1).strip()
        norm = label.lower().replace("’", "'")
        words = norm.split()
        if not 1 <= len(words) <= 5 or norm in IDIOMATIC_LABELS:
            continue
        if set(words) & _VERBISH and not _QUESTION_START.match(norm):
            continue  # "He said: …", "The reason is simple: …": prose, not a label
        if len(words) == 1 and label[:1].isupper():
            continue  # "Milley: …" (interview speaker) or a one-word rubric
        line = text.count("\n", 0, match.start()) + 1
        if _QUESTION_START.match(norm):
            yield 0.35, f"calqued section header '{label}:' (line {line})"
        elif len(words) <= 3 and not any(w[:1].isupper() or w[:1].isdigit() for w in label.split()[1:]):
            # a short common-noun label ("Game status:"); longer or name-bearing ones are subheads
            yield 0.2, f"unidiomatic section header '{label}:' (line {line})"


def _first_person(text: str) -> Iterator[tuple[float, str]]:
    plain = re.sub(r"“[^”]*”|\"[^\"]*\"", " ", text)
    for match in _FIRST_PERSON_ATTR.finditer(plain):
        yield 0.15, f"first-person attribution '{match.group()}' in news copy"
        return


def _doubled(text: str) -> Iterator[tuple[float, str]]:
    for match in _DOUBLED.finditer(text):
        if match.group(1).lower() not in _DOUBLED_OK:
            yield 0.2, f"doubled word '{match.group()}'"


def _stray(text: str) -> Iterator[tuple[float, str]]:
    for pattern, what in _STRAY:
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            yield 0.1, f"stray punctuation: {what} (line {line})"


def _referent(people: list[tuple[int, str]], subjects: frozenset[int],
              lo: int, hi: int) -> str | None:
    """The person a pronoun in [lo, hi) most plausibly means, or None when it is unclear.

    The subject person wins; a lone person is taken as is; two or more without a subject
    person among them are ambiguous ("Marsh met Vesely. She ...").
    """
    inside = [(s, n) for s, n in people if lo <= s < hi]
    named = {n for _, n in inside}
    if not named:
        return None
    subject = [n for s, n in inside if s in subjects]
    if subject:
        return subject[-1]
    return next(iter(named)) if len(named) == 1 else None


def _pronouns(text: str, sentences: tuple[Span, ...], entities: tuple[Entity, ...],
              subjects: frozenset[int]) -> Iterator[tuple[float, str]]:
    """He and she both used for one person, where the referent is clear from the sentence or
    the one before it; pronouns after an unnamed person noun ("an official ... he") are skipped."""
    people = sorted((s.start, e.name) for e in entities if e.label == "PERSON" for s in e.mentions)
    if not people:
        return
    votes: dict[str, Counter[str]] = {}
    plain = re.sub(r"“[^”]*”|\"[^\"]*\"", lambda m: " " * len(m.group()), text)
    previous: Span | None = None
    for sent in sentences:
        for match in re.finditer(r"\b[A-Za-z]+\b", plain[sent.start : sent.end]):
            word = match.group().lower()
            if word not in MALE_PRONOUNS | FEMALE_PRONOUNS:
                continue
            pos = sent.start + match.start()
            before = plain[sent.start : pos].lower()
            referent = _referent(people, subjects, sent.start, pos)
            if referent is None and not _UNNAMED_PERSON.search(before) and previous is not None:
                referent = _referent(people, subjects, previous.start, previous.end)
            if referent is None:
                continue
            gender = "m" if word in MALE_PRONOUNS else "f"
            votes.setdefault(referent, Counter())[gender] += 1
        previous = sent
    for name, counts in votes.items():
        if counts["m"] and counts["f"]:
            yield 0.3, f"pronoun gender inconsistency for {name} (he x{counts['m']}, she x{counts['f']})"


def combine(signals: Signals, evidence: Iterable[tuple[float, str]]) -> Signals:
    """Adds independent evidence (weight, reason) to a score: 1 - prod(1 - w)."""
    keep, reasons = 1.0 - signals.machine_translation, list(signals.reasons)
    for weight, reason in evidence:
        keep *= 1.0 - weight
        reasons.append(reason)
    return Signals(machine_translation=round(1.0 - keep, 3), reasons=tuple(reasons))


def swap_evidence(density: float, original: str) -> tuple[float, str]:
    """Evidence from synonym swaps against a matched original (see `relate.swaps`).

    Weight grows with density and saturates at 0.6: even a heavy swap rate says "rewritten by
    machine or by a careless hand", not which of the two.
    """
    return (min(0.6, 2.0 * density),
            f"synonym swaps in {density:.0%} of words aligned with its original ({original})")


def machine_translation_signals(
    text: str, sentences: tuple[Span, ...], entities: tuple[Entity, ...], *,
    subjects: frozenset[int] = frozenset(), language: str = "en",
) -> Signals:
    """Scores how likely a text is machine-translated or machine-spun, with reasons.

    Args:
        text: Clean article text.
        sentences: Its sentence spans.
        entities: Its canonical entities (for pronoun consistency).
        subjects: Start offsets of person mentions that are grammatical subjects; they win as
            pronoun referents within their sentence.
        language: Header, first-person and pronoun checks are English-specific and only run
            for "en"; doubled words and stray punctuation run for every language.

    Returns:
        `Signals` with a 0..1 score and human-readable reasons.
    """
    found: list[tuple[float, str]] = []
    english = language == "en"
    if english:
        found += list(_calqued_headers(text))[:4]
        found += list(_first_person(text))
    found += list(_doubled(text))[:2]
    found += list(_stray(text))[:3]
    if english:
        found += list(_pronouns(text, sentences, entities, subjects))[:2]
    return combine(Signals(), found)
