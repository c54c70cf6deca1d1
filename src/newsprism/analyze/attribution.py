"""Attribution cues in a parsed document: who says something, as written.

A cue is a speech verb ("said", "told", "stressed", …), a belief verb or adjective with a
clause ("officials fear that …", "are confident that …"), "according to X" or "as stated by
X", with the noun phrase that is its source. The source is then classified: a named person or
organisation, a pronoun to resolve, an insider source ("senior army sources", "a French
official"), a commentator ("a resident", "analysts"), or a partitive ("one of the officials",
"one of them"). Whether a source is anonymous is decided in `quotes`, which sees the whole
article. Text without a parse (other languages) gets simpler patterns at the end of this module.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, replace

from spacy.tokens import Doc, Token

from newsprism.analyze._lexicon import (
    ACCORDING_TO_OTHER,
    COMMENTATOR_NOUNS,
    CUE_ADJECTIVES,
    CUE_FORMS,
    CUE_FORMS_OTHER,
    CUE_LEMMAS,
    CUE_LEMMAS_EXTRA,
    FEMALE_PRONOUNS,
    INSIDER_NOUNS,
    INSTITUTION_NOUNS,
    MALE_PRONOUNS,
    OCCUPATION_NOUNS,
    OFFICE_WORDS,
    PUBLIC_BODY_NOUNS,
    SOURCE_NOUNS_OTHER,
    SOURCE_SUFFIXES_DE,
)
from newsprism.analyze.sourcing import ANONYMITY_PATTERN as _ANONYMITY

_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
_MAX_DESCRIPTOR_TOKENS = 14
_QUOTE_CHARS = frozenset({'"', "“", "”", "„", "«", "»", "‘", "’", "'"})
_PARTITIVE_HEADS = frozenset(
    "one two three four five some several many most none each all both few any".split()
)
_FIRST_HAND_PRONOUNS = frozenset({"me", "us"})
_REFUSALS = frozenset("decline refuse fail".split())
_BROAD_PERSON_NOUNS = frozenset({"people", "person", "individual", "individuals", "persons"})

Mentions = list[tuple[int, int, str, str]]
People = list[tuple[int, str, bool]]  # (start, canonical name, mentioned as a subject)
_SUBJECT_WINDOW = 400  # characters back to look for a subject antecedent of "he"/"she"


@dataclass(frozen=True, slots=True)
class Speaker:
    """A cue's source as written, classified.

    `kind` is "named", "pronoun", "insider", "commentator", "collective" ("the Danes"),
    "partitive_pronoun" ("one of them") or "other" ("the company", "a statement").
    """

    name: str | None = None  # canonical entity name
    descriptor: str | None = None
    kind: str = "other"
    head: str | None = None  # head noun (lemma) of the source, for anaphora
    definite: bool = False  # "the official(s)": refers back
    singled_out: bool = False  # "a resident", "one official": one unnamed person
    affiliations: tuple[str, ...] = ()  # NORP/ORG/GPE mentions inside the descriptor


@dataclass(frozen=True, slots=True)
class Cue:
    """One attribution cue and its source, with character offsets."""

    token: int  # token index of the cue word
    offset: int  # character offset of the cue word
    cue: str  # "said", "according to", "told me"
    subject: tuple[int, int] | None  # character span of the source noun phrase
    head: int | None  # token index of the source's head noun
    clause: tuple[int, int]  # character span of the attributed content (or the sentence)
    sentence: tuple[int, int]
    first_hand: bool = False
    own_clause: bool = True  # False when `clause` is just the sentence


def _in_quotes(offset: int, quotes: list[tuple[int, int]]) -> bool:
    """True when `offset` lies inside one of the sorted, disjoint `quotes` spans."""
    i = bisect_right(quotes, (offset, 1 << 62))
    return i > 0 and quotes[i - 1][0] <= offset < quotes[i - 1][1]


def _misparsed_name(tok: Token, mentions: Mentions) -> Token | None:
    """A name right before the verb that the parser did not make its subject (a surname
    tagged as an adverb): it counts when it is a person's name in this article."""
    if tok.i == 0:
        return None
    prev = tok.doc[tok.i - 1]
    if prev.dep_ not in {"advmod", "npadvmod", "dep", "nmod", "compound"} \
            or not prev.text[:1].isupper():
        return None
    surnames = {name.split()[-1] for _, _, name, label in mentions if label == "PERSON"}
    inside = any(s <= prev.idx < e and label in {"PERSON", "ORG"} for s, e, _, label in mentions)
    return prev if inside or prev.text in surnames else None


def verb_subject(tok: Token, mentions: Mentions, quotes: list[tuple[int, int]]) -> Token | None:
    """The subject of a verb outside quotations, including a misparsed name right before it."""
    return _subject(tok, quotes) or _misparsed_name(tok, mentions)


def subject_offsets(doc: Doc) -> list[int]:
    """Character offsets of tokens in subject position, counting a capitalised word the parser
    hung on the verb right after it ("Berg said …" with "Berg" tagged as an adverb)."""
    return [tok.idx for tok in doc if tok.dep_ in _SUBJECT_DEPS or _hung_on_next_verb(tok)]


def _hung_on_next_verb(tok: Token) -> bool:
    return (tok.dep_ in {"advmod", "npadvmod", "dep", "nmod"} and tok.text[:1].isupper()
            and tok.head.i == tok.i + 1 and tok.head.pos_ in {"VERB", "AUX"})


def _negated(tok: Token) -> bool:
    """"has not said", "declined to say", "would not comment": no statement is attributed."""
    if any(c.dep_ == "neg" for c in tok.children):
        return True
    return tok.dep_ == "xcomp" and (tok.head.lemma_.lower() in _REFUSALS
                                    or any(c.dep_ == "neg" for c in tok.head.children))


def _subject(tok: Token, quotes: list[tuple[int, int]]) -> Token | None:
    """The cue's grammatical subject outside quotation marks (or an inherited one)."""
    for child in tok.children:
        if child.dep_ in _SUBJECT_DEPS and not _in_quotes(child.idx, quotes):
            if child.tag_ in {"WP", "WDT"} and tok.dep_ == "relcl":
                return tok.head  # "Smith, who said …"
            return child
    if tok.dep_ in {"conj", "xcomp"} and tok.head.pos_ in {"VERB", "AUX"}:
        return _subject(tok.head, quotes)
    for child in tok.children:  # "as stated by the officials"
        if child.dep_ == "agent":
            objs = [c for c in child.children if c.dep_ == "pobj"]
            if objs and not _in_quotes(objs[0].idx, quotes):
                return objs[0]
    return None


def _np_span(doc: Doc, head: Token) -> tuple[int, int]:
    """Character span of a source noun phrase: up to the first comma after its head."""
    left, right = head.left_edge.i, head.right_edge.i
    for i in range(head.i + 1, right + 1):
        if doc[i].text in {",", "(", ";", "—", "–"} or doc[i].text in _QUOTE_CHARS:
            right = i - 1
            break
    if right - left + 1 > _MAX_DESCRIPTOR_TOKENS:
        right = head.i
    while right > left and (doc[right].is_punct or doc[right].is_space):
        right -= 1
    while left < right and (doc[left].is_punct or doc[left].is_space):
        left += 1
    return doc[left].idx, doc[right].idx + len(doc[right].text)


def _content_clause(doc: Doc, tok: Token, subj: Token | None) -> tuple[int, int] | None:
    """The attributed content: the cue's clausal complement, or the text before a trailing
    "…, X said" / "…, say X"; None when only the whole sentence will do."""
    late_subjects = [c for c in tok.children if c.dep_ in _SUBJECT_DEPS and c.i > tok.i]
    if late_subjects and subj is not None and subj.i < tok.i:
        start, end = late_subjects[0].left_edge, tok.sent[-1]
        while end.i > start.i and (end.is_punct or end.is_space):
            end = tok.doc[end.i - 1]
        return start.idx, end.idx + len(end.text)
    for child in tok.children:
        if child.dep_ == "ccomp":
            start = child.left_edge
            while start.i < child.i and (start.dep_ in {"mark", "punct"} or start.is_space):
                start = doc[start.i + 1]
            end = child.right_edge
            return start.idx, end.idx + len(end.text)
    sent = tok.sent
    first = min(tok.i, subj.left_edge.i) if subj is not None else tok.i
    last = max(tok.i, subj.right_edge.i) if subj is not None else tok.i
    rest = [t for t in doc[last + 1 : sent.end] if not (t.is_punct or t.is_space)]
    if rest and tok.dep_ == "parataxis":
        return None  # "This, the sources said, showed …": the content is the whole sentence
    if first > sent.start and doc[first - 1].text == ",":
        return sent.start_char, doc[first - 1].idx  # "P, officials said" / "P, say officials"
    return None


def _is_attributive(tok: Token, subj: Token) -> bool:
    """A speech verb used to attribute: it has a clause, is parenthetical, or is inverted."""
    deps = {c.dep_ for c in tok.children}
    if deps & {"ccomp", "parataxis"} or tok.dep_ in {"parataxis", "ccomp"}:
        return True
    if any(c.dep_ in _SUBJECT_DEPS and c.i > tok.i for c in tok.children) and subj.i < tok.i:
        return True  # "X said engineers planned …" misparsed with two subjects
    if subj.i > tok.i:
        return True  # "…, say French officials"
    left = subj.left_edge.i
    return left > tok.sent.start and tok.doc[left - 1].text == ","  # "P, one of them said"


def _has_quote_near(tok: Token) -> bool:
    return any(t.text in _QUOTE_CHARS for t in tok.sent)


def _first_hand(doc: Doc, tok: Token, mentions: Mentions) -> str | None:
    """"told me" / "told Axios": the object the source spoke to, when it is the outlet."""
    objs = [c for c in tok.children if c.dep_ in {"dobj", "dative", "iobj"}]
    if not objs:
        return None
    obj = objs[0]
    if obj.lower_ in _FIRST_HAND_PRONOUNS:
        return obj.text
    if obj.lemma_.lower() in PUBLIC_BODY_NOUNS or obj.pos_ != "PROPN":
        return None
    name = doc[obj.left_edge.i : obj.i + 1].text
    for start, end, _, label in mentions:
        if start <= obj.idx < end:
            return name if label == "ORG" else None
    if obj.text in {n.split()[-1] for _, _, n, label in mentions if label == "PERSON"}:
        return None  # a person's surname the model missed here
    return name  # a proper name the model did not tag: an outlet ("told Axios")


def find_cues(doc: Doc, mentions: Mentions, quotes: list[tuple[int, int]] | None = None
              ) -> list[Cue]:
    """Returns attribution cues of a parsed document, in text order.

    Args:
        doc: Document parsed with a dependency parser.
        mentions: Sorted (start, end, name, label) entity mention rows.
        quotes: Character spans of quotations; cues and sources inside them are skipped.
    """
    quotes = quotes or []
    text = doc.text
    cues: list[Cue] = []
    for tok in doc:
        if _in_quotes(tok.idx, quotes):
            continue
        cue = _according_to(doc, tok, quotes)
        if cue is None:
            cue = _verb_cue(doc, tok, mentions, quotes)
        if cue is None:
            cue = _adjective_cue(doc, tok, quotes)
        if cue is not None:
            cues.append(_within_paragraph(text, cue))
    return cues


def _within_paragraph(text: str, cue: Cue) -> Cue:
    """Clips a cue's sentence and clause to its paragraph (the parser may run across one)."""
    lo = text.rfind("\n", 0, cue.offset) + 1
    hi = text.find("\n", cue.offset)
    hi = len(text) if hi < 0 else hi

    def clip(span: tuple[int, int]) -> tuple[int, int]:
        a, b = max(span[0], lo), min(span[1], hi)
        return (a, b) if a < b else (cue.offset, cue.offset)

    clause, sentence = clip(cue.clause), clip(cue.sentence)
    if clause[0] == clause[1]:
        return replace(cue, clause=sentence, sentence=sentence, own_clause=False)
    return replace(cue, clause=clause, sentence=sentence)


def _according_to(doc: Doc, tok: Token, quotes: list[tuple[int, int]]) -> Cue | None:
    if tok.lower_ != "according" or tok.i + 1 >= len(doc) or doc[tok.i + 1].lower_ != "to":
        return None
    objs = [c for c in doc[tok.i + 1].children if c.dep_ == "pobj"]
    if not objs or _in_quotes(objs[0].idx, quotes):
        return None
    sent = tok.sent
    span = _np_span(doc, objs[0])
    if tok.i == sent.start or doc[tok.i - 1].is_punct and doc[tok.i - 1].i == sent.start:
        after = objs[0].right_edge.i + 1
        while after < sent.end and (doc[after].is_punct or doc[after].is_space):
            after += 1
        clause = (doc[after].idx if after < sent.end else sent.end_char, sent.end_char)
    else:
        clause = (sent.start_char, tok.idx)
    return Cue(tok.i, tok.idx, "according to", span, objs[0].i, clause,
               (sent.start_char, sent.end_char))


def _verb_cue(doc: Doc, tok: Token, mentions: Mentions, quotes: list[tuple[int, int]]
              ) -> Cue | None:
    lemma = tok.lemma_.lower()
    if tok.pos_ not in {"VERB", "AUX"} or lemma not in CUE_LEMMAS | CUE_LEMMAS_EXTRA:
        return None
    subj = verb_subject(tok, mentions, quotes)
    if subj is None or _negated(tok):
        return None
    has_clause = any(c.dep_ == "ccomp" for c in tok.children)
    if lemma in CUE_LEMMAS_EXTRA and lemma not in CUE_LEMMAS and not has_clause:
        return None  # "officials fear that …", not "officials fear reprisals"
    if not _is_attributive(tok, subj) and not _has_quote_near(tok):
        return None
    word, first_hand = tok.lower_, False
    if lemma == "tell":
        spoke_to = _first_hand(doc, tok, mentions)
        if spoke_to:
            word, first_hand = f"{tok.lower_} {spoke_to}", True
    clause = _content_clause(doc, tok, subj)
    sent = tok.sent
    return Cue(tok.i, tok.idx, word, _np_span(doc, subj), subj.i,
               clause or (sent.start_char, sent.end_char), (sent.start_char, sent.end_char),
               first_hand, clause is not None)


def _adjective_cue(doc: Doc, tok: Token, quotes: list[tuple[int, int]]) -> Cue | None:
    """"Officials are afraid that …": a belief adjective with a clause."""
    if tok.dep_ != "acomp" or tok.lower_ not in CUE_ADJECTIVES:
        return None
    if not any(c.dep_ == "ccomp" for c in tok.children):
        return None
    subj = _subject(tok.head, quotes)
    if subj is None:
        return None
    sent = tok.sent
    clause = _content_clause(doc, tok, None) or (sent.start_char, sent.end_char)
    return Cue(tok.i, tok.idx, f"{tok.head.text} {tok.text}", _np_span(doc, subj), subj.i,
               clause, (sent.start_char, sent.end_char))


def resolve_pronoun(position: int, people: People) -> str | None:
    """The person a "he"/"she" at `position` refers to.

    The latest person mentioned as a grammatical subject shortly before wins ("X met Y on
    Monday. “…,” he said" is X); otherwise the nearest person mentioned before.

    Args:
        position: Character offset of the pronoun.
        people: Sorted (start, name, is_subject) person mentions outside quotations.
    """
    i = bisect_right(people, (position, "\uffff"))
    if not i:
        return None
    for start, name, is_subject in reversed(people[:i]):
        if position - start > _SUBJECT_WINDOW:
            break
        if is_subject:
            return name
    return people[i - 1][1]


def _attached_by_prepositions(tok: Token, head: Token) -> bool:
    """True when `tok` hangs on `head` through prepositions only, not a relative clause
    ("the paper, which quotes the consultant, X," names the consultant, not the paper)."""
    node = tok.head
    while node.i != head.i:
        if node.dep_ not in {"prep", "pobj", "compound", "amod", "appos"} or node.head.i == node.i:
            return False
        node = node.head
    return True


def _noun_lemma(tok: Token) -> str:
    """The lemma of a source noun, trusting the surface form where the model's lemma is not a
    source noun ("media" -> "medium" would lose it)."""
    lemma, low = tok.lemma_.lower(), tok.lower_
    for form in (lemma, low, low.removesuffix("s")):
        if form in INSIDER_NOUNS or form in COMMENTATOR_NOUNS:
            return form
    return lemma


def _mention_at(tok: Token, mentions: Mentions, labels: set[str]) -> tuple[str, str] | None:
    for start, end, name, label in mentions:
        if start <= tok.idx < end and label in labels:
            return name, label
    return None


def classify_subject(doc: Doc, head_i: int, span: tuple[int, int], text: str,
                     mentions: Mentions, people: People) -> Speaker:
    """Classifies a cue's source: named, pronoun, insider, commentator, collective, other.

    Args:
        doc: The parsed document.
        head_i: Token index of the source's head noun.
        span: Character span of the source noun phrase (the descriptor).
        text: Article text.
        mentions: Sorted entity mention rows.
        people: Sorted (start, name, is_subject) person mentions outside quotations.
    """
    head = doc[head_i]
    descriptor = text[span[0] : span[1]]
    inside = tuple(name_text for s, e, _, label in mentions
                   if span[0] <= s < span[1] and label in {"NORP", "ORG", "GPE"}
                   for name_text in [text[s:e]])
    if head.lower_ in MALE_PRONOUNS | FEMALE_PRONOUNS:
        return Speaker(name=resolve_pronoun(head.idx, people), kind="pronoun")
    if head.lower_ in _PARTITIVE_HEADS or head.pos_ == "NUM":
        of = [c for c in head.children if c.dep_ == "prep" and c.lower_ == "of"]
        objs = [c for c in of[0].children if c.dep_ == "pobj"] if of else []
        if objs and objs[0].pos_ == "PRON":
            return Speaker(descriptor=descriptor, kind="partitive_pronoun",
                           singled_out=head.lower_ == "one")
        if objs:
            inner = classify_subject(doc, objs[0].i, span, text, mentions, people)
            if inner.kind in {"insider", "commentator", "collective"}:
                return Speaker(descriptor=descriptor, kind=inner.kind, head=inner.head,
                               definite=inner.definite, singled_out=head.lower_ == "one",
                               affiliations=inside)
            return Speaker(descriptor=descriptor)
    if head.pos_ == "PRON":
        return Speaker()
    core = [head] + [c for c in head.children if c.dep_ in {"compound", "appos", "flat"}]
    lemma = _noun_lemma(head)
    source_noun = lemma in INSIDER_NOUNS or lemma in COMMENTATOR_NOUNS
    institution = head.pos_ == "PROPN" or lemma in INSTITUTION_NOUNS
    for tok in core:
        found = _mention_at(tok, mentions, {"PERSON", "ORG", "GPE"})
        if not found or (found[1] != "PERSON" and source_noun):
            continue
        # an organisation or place names the speaker when it is the head, or modifies an
        # institution ("the Danish government"), not when it modifies people ("Swiss
        # mediators")
        if found[1] == "PERSON" or tok is head or tok.dep_ != "compound" or institution:
            return Speaker(name=found[0], descriptor=descriptor, kind="named", head=lemma)
    for tok in head.subtree:  # "a spokesperson for the association, Maria Berg,"
        found = _mention_at(tok, mentions, {"PERSON"}) if tok.dep_ == "appos" else None
        if found and _attached_by_prepositions(tok, head):
            return Speaker(name=found[0], descriptor=descriptor, kind="named", head=lemma)
    dets = {c.lower_ for c in head.children if c.dep_ in {"det", "nummod", "poss"}}
    definite = bool(dets & {"the", "these", "those"})
    singled = bool(dets & {"a", "an", "one", "another"})
    if head.tag_ == "NNPS" or (head.pos_ == "PROPN" and head.lower_.endswith("s")
                               and _mention_at(head, mentions, {"NORP"})):
        return Speaker(descriptor=descriptor, kind="collective", head=head.lower_,
                       definite=definite, affiliations=inside)
    if lemma in INSIDER_NOUNS:
        modified = any(c.dep_ not in {"det", "punct"} for c in head.children)
        if lemma in _BROAD_PERSON_NOUNS and not modified and not definite:
            return Speaker(descriptor=descriptor)  # bare "people"
        return Speaker(descriptor=descriptor, kind="insider", head=lemma, definite=definite,
                       singled_out=singled, affiliations=inside)
    if lemma in COMMENTATOR_NOUNS:
        return Speaker(descriptor=descriptor, kind="commentator", head=lemma,
                       definite=definite, singled_out=singled, affiliations=inside)
    office = head.pos_ == "NOUN" or lemma in OFFICE_WORDS or lemma in OCCUPATION_NOUNS
    return Speaker(descriptor=descriptor, head=lemma if office else None, definite=definite)


# --- Text without a parse (other languages) ---------------------------------------------------

_PLAIN_CUES = CUE_FORMS | CUE_FORMS_OTHER
_STOP_BEFORE_NAME = frozenset(
    """
    der die das den dem des ein eine einer einem el la los las un una le les du de del the a an
    und and y et aber pero mais als como comme
    """.split()
)
_CLAUSE_OPENERS = frozenset(
    "aunque pero y mientras que und aber während doch mais et tandis while but and although"
    .split()
)
_AUXILIARIES = frozenset(
    "haben hat hatte hatten han ha habían había ont a avaient have has had".split()
)
_INDEFINITE = frozenset("un una ein eine einer einem une a an".split())
_NOUN_SUFFIXES = ("ung", "heit", "keit", "schaft", "tion", "ität", "verband", "ministerium",
                  "regierung", "ción", "dad", "ismus", "zentrum", "behörde")
_COMMENTATORS_OTHER = frozenset(
    "analistas analista expertos experto analysten analyst experten experte analystes "
    "analyste experts expert vecina vecino vecinos anwohner anwohnerin habitant habitante".split()
)
_FIRST_HAND_OTHER = re.compile(
    r"consultad[oa]s?\s+por\s+este\s+(?:diario|peri[oó]dico|medio)"
    r"|a\s+este\s+(?:diario|peri[oó]dico)"
    r"|gegenüber\s+(?:dieser|unserer)\s+Zeitung|à\s+notre\s+(?:journal|rédaction)"
    r"|interrogé(?:e|s|es)?\s+par\s+notre",
    re.IGNORECASE,
)
_ACCORDING_OTHER = re.compile(
    r"(?<!\w)(?:" + "|".join(ACCORDING_TO_OTHER) + r")\s+", re.IGNORECASE
)
_IMPERSONAL_TAIL = re.compile(r"\s+(?:hieß|heißt|hiess|verlautete|wurde\s+bekannt)(?:\s+es)?\s*$",
                              re.IGNORECASE)
_RELATIVE_CLAUSE = re.compile(r"\s*(?:que|quien|quienes|der|die|das|qui|who)\b[^,.]*,")
_TOKEN = re.compile(r"[^\W\d_][\w’'-]*|\S")
_MAX_SENTENCE_CHARS = 1500
_PLAIN_SENTENCE_START = re.compile(r"[.!?][\"”’»“]?\s+(?=[A-ZÀ-Ý¿¡„“\"«])|\n+")
_PLAIN_SENTENCE_END = re.compile(
    r"[.!?](?=[\"”’»“]?\s+[A-ZÀ-Ý¿¡„“\"«]|[\"”’»“]?\s*$)|\n"
)


@dataclass(frozen=True, slots=True)
class PlainSource:
    """A source found by patterns in text without a parse."""

    name: str | None
    descriptor: str | None
    anonymous: bool
    cue: str
    cue_offset: int
    start: int = 0  # attributed content (plain_attributions only)
    end: int = 0


def _sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    """Start and end of the sentence around `pos` (by punctuation and line breaks)."""
    lo = max(0, pos - _MAX_SENTENCE_CHARS)
    starts = [m.end() for m in _PLAIN_SENTENCE_START.finditer(text, lo, pos)]
    start = starts[-1] if starts else lo
    end_match = _PLAIN_SENTENCE_END.search(text[pos : pos + _MAX_SENTENCE_CHARS])
    end = pos + end_match.end() if end_match else min(len(text), pos + _MAX_SENTENCE_CHARS)
    return start, end


def _is_source_word(word: str) -> bool:
    low = word.lower()
    return (low in SOURCE_NOUNS_OTHER or low.endswith(SOURCE_SUFFIXES_DE)
            or low in _COMMENTATORS_OTHER or _is_english_source(low))


def _is_english_source(low: str) -> bool:
    return low.removesuffix("s") in INSIDER_NOUNS or low in INSIDER_NOUNS


def _full_name(text: str, token: str) -> str | None:
    """"Dupont" -> "Marie Dupont" when the text writes the full name somewhere."""
    match = re.search(r"(?<![\w-])([A-ZÀ-Ý][a-zà-ÿ]+(?:-[A-ZÀ-Ý][a-zà-ÿ]+)?)\s+"
                      + re.escape(token) + r"(?![\w-])", text)
    if match and match.group(1).lower() not in _STOP_BEFORE_NAME:
        return f"{match.group(1)} {token}"
    return None


def _name_from(tokens: list[str], text: str) -> str | None:
    """A person name from a run of capitalised tokens (title words in front are dropped)."""
    run = [t for t in tokens if t[:1].isupper() and t.isalpha() or "-" in t and t[:1].isupper()]
    if len(run) != len(tokens) or not run:
        return None
    if any(t.lower().endswith(_NOUN_SUFFIXES) for t in run[-2:]):
        return None
    if len(run) >= 2:
        return " ".join(run[-2:])
    return _full_name(text, run[0])


def _capital_run(tokens: list[str], *, from_end: bool) -> list[str]:
    seq = reversed(tokens) if from_end else iter(tokens)
    run: list[str] = []
    for tok in seq:
        if tok[:1].isupper() and tok.lower() not in _STOP_BEFORE_NAME and tok.isalpha() \
                or "-" in tok and tok[:1].isupper():
            run.append(tok)
            continue
        if not run and not from_end and tok.lower() in _STOP_BEFORE_NAME:
            continue  # "sagte der Forscher Max Muster"
        break
    return list(reversed(run)) if from_end else run


def _anonymous_np(segment: str) -> str | None:
    """An unnamed source in a clause fragment: a noun phrase around a source noun."""
    words = segment.strip(" ,;:").split()
    while words and words[0].lower() in _CLAUSE_OPENERS:
        words.pop(0)
    while words and words[-1].lower() in _AUXILIARIES:
        words.pop()
    for i, w in enumerate(words):
        if _is_source_word(w.strip(",.;:")):
            start = i
            for j in range(i - 1, -1, -1):
                if words[j].lower() in _INDEFINITE:
                    start = j
                    break
            if start == i and i <= 6:
                start = 0  # "Mit dem Verfahren vertraute Personen": the whole short phrase
            elif i - start > 4:
                start = i
            return " ".join(words[start:]).strip(" ,;:") or None
    return None


def _source_is_anonymous(descriptor: str, context: str) -> bool:
    """Insider nouns are anonymous; commentators only with a marker or when first-hand."""
    words = [w.strip(",.;:").lower() for w in descriptor.split()]
    if any(w in SOURCE_NOUNS_OTHER or w.endswith(SOURCE_SUFFIXES_DE) or _is_english_source(w)
           for w in words if w not in _COMMENTATORS_OTHER):
        return True
    return bool(_FIRST_HAND_OTHER.search(context) or _ANONYMITY.search(context))


def plain_speaker(text: str, open_mark: int, close: int, quoted: list[tuple[int, int]], *,
                  before_only: bool = False) -> PlainSource | None:
    """Speaker of a quotation from cue patterns, for text without a parse.

    Handles "…", sagte Anna Schmidt / "…", dijo un portavoz / X versicherte, „…“ / X
    calificó la oferta de "…", and unnamed sources with an anonymity phrase ("…, que pidió no
    ser identificada"). Single surnames are expanded only when the text writes the full name.
    """
    sent_start = _sentence_bounds(text, open_mark)[0]
    if not before_only:
        tail_end = min(_sentence_bounds(text, close)[1], close + 220)
        tail = text[close:tail_end]
        toks = [(m.group(0), close + m.start()) for m in _TOKEN.finditer(tail)]
        words = [t for t, _ in toks]
        while words and words[0] in {",", "–", "—", "-", ";"}:
            words, toks = words[1:], toks[1:]
        if len(words) > 1 and words[0].lower() in _AUXILIARIES and words[1].lower() in _PLAIN_CUES:
            words, toks = words[1:], toks[1:]  # "…», a déclaré X"
        if words and words[0].lower() in _PLAIN_CUES:
            rest = [w for w in words[1:] if w not in {",", "."}]
            run = _capital_run(words[1:8], from_end=False)
            name = _name_from(run, text) if run and run[0] in words[1:4] else None
            if name:
                return PlainSource(name, None, False, words[0].lower(), toks[0][1])
            context = text[toks[0][1] : tail_end]
            np = _anonymous_np(" ".join(rest[:12]))
            marker = _ANONYMITY.search(context)
            if marker:
                before_marker = text[toks[0][1] : toks[0][1] + context.find(marker.group(0))]
                np = _indefinite_np(before_marker) or np
            if np and _source_is_anonymous(np, context):
                return PlainSource(None, np, True, words[0].lower(), toks[0][1])
    return _plain_before(text, open_mark, sent_start, quoted)


def _indefinite_np(segment: str) -> str | None:
    """The last indefinite noun phrase of a fragment, up to its comma ("una vecina de X")."""
    words = segment.split()
    for i in range(len(words) - 1, -1, -1):
        if words[i].lower() in _INDEFINITE:
            return " ".join(words[i:]).split(",")[0].strip(" ;:") or None
    return None


def _plain_before(text: str, open_mark: int, sent_start: int, quoted: list[tuple[int, int]]
                  ) -> PlainSource | None:
    """Cue before the quotation: X versicherte, „…“ / un portavoz aseguró que "…"."""
    pre = text[sent_start:open_mark]
    if any(sent_start <= s < open_mark for s, _ in quoted):
        return None
    toks = [(m.group(0), sent_start + m.start()) for m in _TOKEN.finditer(pre)]
    cue_at = [i for i, (t, _) in enumerate(toks) if t.lower() in _PLAIN_CUES]
    if not cue_at:
        return None
    i = cue_at[-1]
    cue, offset = toks[i][0].lower(), toks[i][1]
    before = [t for t, _ in toks[:i]]
    while before and before[-1] in {",", "–", "—"}:
        before.pop()
    run = _capital_run(before, from_end=True)
    name = _name_from(run, text) if run else None
    if name:
        return PlainSource(name, None, False, cue, offset)
    segments = re.split(r",\s*", text[sent_start:offset])
    segments = [s for s in segments if s.strip()]
    if not segments:
        return None
    segment = segments[-1]
    if _ANONYMITY.search(segment) and len(segments) >= 2:
        segment = segments[-2]
    np = _anonymous_np(segment)
    if np and _source_is_anonymous(np, text[sent_start:offset]):
        return PlainSource(None, np, True, cue, offset)
    return None


def plain_attributions(text: str, quoted: list[tuple[int, int]]) -> list[PlainSource]:
    """Statements attributed to unnamed sources in text without a parse.

    Finds "according to" forms (según, laut, nach Angaben aus, selon …) and source nouns as the
    subject of a cue verb ("Fuentes del sector … calculan que", "Vertraute Personen sagten").
    """
    out: list[PlainSource] = []
    seen: set[int] = set()
    for m in _ACCORDING_OTHER.finditer(text):
        if any(s <= m.start() < e for s, e in quoted) or m.end() in seen:
            continue
        seen.add(m.end())
        sent_start, sent_end = _sentence_bounds(text, m.start())
        rest = text[m.end() : sent_end]
        np = _german_np(rest)
        if not (np and _is_source_word(np.split()[-1])):
            np = rest.split(",", 1)[0] if "," in rest[:120] else np
        np = _IMPERSONAL_TAIL.sub("", np)  # "aus Regierungskreisen hieß es"
        if not np or not _source_is_anonymous(np, text[sent_start:sent_end]):
            continue
        comma = rest.find(",", len(np))
        content_start = m.end() + (comma + 1 if 0 <= comma <= len(np) + 20 else len(np))
        relative = _RELATIVE_CLAUSE.match(text, content_start)
        if relative:  # "según un diplomático, que pidió el anonimato, el acuerdo …"
            content_start = relative.end()
        out.append(PlainSource(None, np.strip(), True, m.group(0).strip().lower(), m.start(),
                               content_start, sent_end))
    for m in _TOKEN.finditer(text):
        word = m.group(0)
        if word.lower() not in CUE_FORMS_OTHER or any(s <= m.start() < e for s, e in quoted):
            continue
        sent_start, sent_end = _sentence_bounds(text, m.start())
        segments = [s for s in re.split(r",\s*", text[sent_start : m.start()]) if s.strip()]
        if not segments:
            continue
        segment = segments[-1]
        if _ANONYMITY.search(segment) and len(segments) >= 2:
            segment = segments[-2]
        np = _anonymous_np(segment)
        if np is None or not _source_is_anonymous(np, text[sent_start:sent_end]):
            continue
        out.append(PlainSource(None, np, True, word.lower(), m.start(), m.end(), sent_end))
    return out


def _german_np(rest: str) -> str:
    """The words after "nach Angaben aus" up to the verb: capitalised ones and articles."""
    words = []
    for w in rest.split():
        if w[:1].isupper() or w.lower() in _STOP_BEFORE_NAME:
            words.append(w)
        else:
            break
    while words and words[-1][:1].isupper() and len(words) > 1 and not _is_source_word(words[-1]):
        words.pop()  # the finite verb may be capitalised only at sentence start; drop extras
    return " ".join(words)
