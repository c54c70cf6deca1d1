"""Attribution cues in a parsed document: who says something, as written.

A cue is a speech verb ("said", "told", "stressed", …) or "according to", with the noun phrase
that is its grammatical subject. The subject is then classified: a named person or organisation,
a pronoun to resolve, or a generic source ("senior IDF sources", "an Israeli official"), which
makes the attribution anonymous.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from newsprism.analyze._lexicon import CUE_LEMMAS, FEMALE_PRONOUNS, MALE_PRONOUNS, SOURCE_NOUNS

_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
_MAX_DESCRIPTOR_TOKENS = 14


@dataclass(frozen=True, slots=True)
class Speaker:
    """Result of classifying a cue's subject."""

    name: str | None = None  # canonical entity name
    anonymous: bool = False
    descriptor: str | None = None
    pronoun: bool = False


@dataclass(frozen=True, slots=True)
class Cue:
    """One attribution cue and its subject, with character offsets."""

    token: int  # token index of the cue word
    offset: int  # character offset of the cue word
    cue: str  # "said", "according to", "told me"
    subject: tuple[int, int] | None  # character span of the subject noun phrase
    head: int | None  # token index of the subject's head noun
    clause: tuple[int, int]  # character span of the attributed clause (or the sentence)
    sentence: tuple[int, int]
    first_hand: bool = False


def _subject(tok: Token) -> Token | None:
    for child in tok.children:
        if child.dep_ in _SUBJECT_DEPS:
            return child
    if tok.dep_ in {"conj", "xcomp"} and tok.head.pos_ in {"VERB", "AUX"}:
        return _subject(tok.head)
    return None


def _np_span(doc: Doc, head: Token) -> tuple[int, int]:
    """Character span of a subject noun phrase, cut back to its head if it is very long."""
    left, right = head.left_edge.i, head.right_edge.i
    if right - left + 1 > _MAX_DESCRIPTOR_TOKENS:
        right = head.i
    while right > left and (doc[right].is_punct or doc[right].is_space):
        right -= 1
    while left < right and (doc[left].is_punct or doc[left].is_space):
        left += 1
    return doc[left].idx, doc[right].idx + len(doc[right].text)


def _clause(doc: Doc, tok: Token) -> tuple[int, int]:
    """The attributed clause (ccomp of the cue) or, failing that, the cue's sentence."""
    for child in tok.children:
        if child.dep_ == "ccomp":
            start = child.left_edge
            while start.i < child.i and start.dep_ in {"mark", "punct"}:
                start = doc[start.i + 1]
            end = child.right_edge
            return start.idx, end.idx + len(end.text)
    sent = tok.sent
    return sent.start_char, sent.end_char


def _is_attributive(tok: Token) -> bool:
    """A speech verb used to attribute: it has a clause, is parenthetical, or is inverted."""
    deps = {c.dep_ for c in tok.children}
    if deps & {"ccomp", "parataxis"} or tok.dep_ in {"parataxis", "ccomp", "conj"}:
        return True
    subj = _subject(tok)
    return subj is not None and subj.i > tok.i  # "…, say Israeli officials"


def find_cues(doc: Doc, mentions_by_start: list[tuple[int, int, str, str]]) -> list[Cue]:
    """Returns attribution cues of a parsed document, in text order.

    Args:
        doc: Document parsed with a dependency parser.
        mentions_by_start: Sorted (start, end, name, label) entity mention rows.
    """
    org_starts = {s for s, _, _, label in mentions_by_start if label == "ORG"}
    cues: list[Cue] = []
    for tok in doc:
        sent = (tok.sent.start_char, tok.sent.end_char)
        if tok.lower_ == "according" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ == "to":
            objs = [c for c in doc[tok.i + 1].children if c.dep_ == "pobj"]
            if objs:
                cues.append(Cue(tok.i, tok.idx, "according to", _np_span(doc, objs[0]), objs[0].i,
                                (sent[0], tok.idx), sent))
            continue
        if tok.pos_ not in {"VERB", "AUX"} or tok.lemma_.lower() not in CUE_LEMMAS:
            continue
        subj = _subject(tok)
        if subj is None or not _is_attributive(tok) and not _has_quote_near(doc, tok):
            continue
        cue, first_hand = tok.lower_, False
        if tok.lemma_.lower() == "tell":
            objs = [c for c in tok.children if c.dep_ in {"dobj", "dative", "iobj"}]
            if objs and (objs[0].lower_ in {"me", "us"} or objs[0].idx in org_starts):
                cue, first_hand = f"{tok.lower_} {objs[0].text}", True
        cues.append(Cue(tok.i, tok.idx, cue, _np_span(doc, subj), subj.i, _clause(doc, tok),
                        sent, first_hand))
    return cues


def _has_quote_near(doc: Doc, tok: Token) -> bool:
    sent = tok.sent
    return any(t.text in {'"', "“", "”", "„", "«", "»"} for t in sent)


def resolve_pronoun(position: int, people: list[tuple[int, str]]) -> str | None:
    """Nearest person mentioned before `position`; `people` is sorted (start, name)."""
    i = bisect_right(people, (position, "\uffff"))
    return people[i - 1][1] if i else None


def classify_subject(
    doc: Doc, head_i: int, span: tuple[int, int], text: str,
    mentions: list[tuple[int, int, str, str]], people: list[tuple[int, str]],
) -> Speaker:
    """Decides whether a cue subject is named, a pronoun, or an anonymous source."""
    head = doc[head_i]
    low = head.lower_
    if low in MALE_PRONOUNS | FEMALE_PRONOUNS:
        return Speaker(name=resolve_pronoun(head.idx, people), pronoun=True)
    if head.pos_ == "PRON":
        return Speaker()
    core = [head] + [c for c in head.children if c.dep_ in {"compound", "appos", "flat"}]
    for tok in core:
        for start, end, name, label in mentions:
            if start <= tok.idx < end and label in {"PERSON", "ORG", "GPE"}:
                if label == "PERSON" or head.lemma_.lower() not in SOURCE_NOUNS:
                    return Speaker(name=name)
    descriptor = text[span[0] : span[1]]
    is_source = head.lemma_.lower() in SOURCE_NOUNS or low in SOURCE_NOUNS
    collective = head.tag_ in {"NNPS"} or (head.pos_ == "PROPN" and low.endswith("s")
                                           and any(s <= head.idx < e and lab == "NORP"
                                                   for s, e, _, lab in mentions))
    if is_source or collective:
        return Speaker(anonymous=True, descriptor=descriptor)
    return Speaker(descriptor=descriptor)
