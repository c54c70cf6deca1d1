"""Quotes and attributions of one article: direct quotations with their speaker, and indirect
attributions ("officials said that …"), each named or anonymous.

A direct quotation takes its speaker from, in order: a cue right after it ("…," X said / "…,"
said X), a cue before it in the same sentence (X said: "…" / X said the plan was "dead"), the
subject of the sentence it is embedded in (X called it "a disaster"), or the speaker of the
attribution just before it when nothing else intervenes (carry-over across sentences and
paragraphs). Every statement attributed to an anonymous source becomes a `Quote` with
`anonymous=True`, its descriptor, and the traits `sourcing.describe_source` reads from it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field, replace

from spacy.tokens import Doc, Token

from newsprism.analyze._lexicon import CUE_FORMS, FEMALE_PRONOUNS, MALE_PRONOUNS
from newsprism.analyze.attribution import (
    Cue,
    Mentions,
    People,
    Speaker,
    classify_subject,
    find_cues,
    plain_attributions,
    plain_speaker,
    resolve_pronoun,
    subject_offsets,
    verb_subject,
)
from newsprism.analyze.entities import mention_index
from newsprism.analyze.quotemarks import QuoteSpan, find_quote_spans, inner_bounds
from newsprism.analyze.sourcing import SourceTraits, anonymity_marker, describe_source
from newsprism.models import Entity, Quote

_FALLBACK_AFTER = re.compile(
    r"^[\s,.]*(?:"
    r"(?P<pre>[A-Za-z][\w’'.-]*(?:\s+[\w’'.-]+){0,5}?)\s+(?P<cue>\w+)\b"  # …," X said
    r"|(?P<cue2>\w+)\s+(?P<post>[A-Za-z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*){0,3}))"  # …," said X
)
_TIGHT_GAP = re.compile(r"^[\s,;:–—-]{0,6}$")
_SENTENCE_BREAK = re.compile(r"[.!?…][\"”’»)]*\s+[A-Z“\"‘«]|\n")
_SENTENCE_END = re.compile(r"[.!?…][\"”’»]*\s+|\n")
_ANTECEDENT_CHARS = 2500
_BODY_STRIP = " \t\n\u00a0•·▪◦‣*–—-,;:"
_MIN_PARTIAL_WORDS = 2


@dataclass(frozen=True, slots=True)
class Source:
    """A resolved source: who the text says is speaking, with anonymous-source traits."""

    name: str | None = None
    anonymous: bool = False
    descriptor: str | None = None
    head: str | None = None
    traits: SourceTraits = field(default_factory=SourceTraits)

    @property
    def attributed(self) -> bool:
        return self.name is not None or self.anonymous


@dataclass(frozen=True, slots=True)
class _Event:
    """An attribution in text order, for carry-over and anaphora."""

    start: int
    end: int
    source: Source
    cue: str | None


@dataclass(frozen=True, slots=True)
class _Article:
    """What the speaker rules need to know about one parsed article."""

    doc: Doc
    text: str
    mentions: Mentions
    people: People
    quoted: list[tuple[int, int]]
    breaks: list[int]  # offsets of paragraph breaks


_UNKNOWN = Source()


def _paragraph_of(breaks: list[int], pos: int) -> int:
    return bisect_right(breaks, pos)


def _in_any(pos: int, ranges: list[tuple[int, int]]) -> bool:
    """True when `pos` lies inside one of the sorted, disjoint `ranges`."""
    i = bisect_right(ranges, (pos, 1 << 62))
    return i > 0 and ranges[i - 1][0] <= pos < ranges[i - 1][1]


def _quote_between(ranges: list[tuple[int, int]], a: int, b: int) -> bool:
    return any(a <= s and e <= b for s, e in ranges)


# --- sources ----------------------------------------------------------------------------------


def _marker_region(text: str, cue: Cue, quoted: list[tuple[int, int]]) -> str:
    """The cue's sentence without its content clause and quotations: where "speaking on
    condition of anonymity" and "said privately" are written."""
    s0, s1 = cue.sentence
    holes = sorted(([cue.clause] if cue.own_clause else [])
                   + [(a, b) for a, b in quoted if a < s1 and s0 < b])
    parts, pos = [], s0
    for a, b in holes:
        parts.append(text[pos : max(pos, a)])
        pos = max(pos, b)
    parts.append(text[pos:s1])
    return " ".join(p for p in parts if p)


def _antecedent(history: list[_Event], pos: int, head: str | None, *, plural: bool = False
                ) -> _Event | None:
    """What "the officials" (same head noun) or "one of them" (the latest plural anonymous
    source) refers back to, within a few paragraphs. Two different earlier sources with that
    head noun make "the officials" ambiguous: then there is no antecedent."""
    found: list[_Event] = []
    for event in reversed(history):
        if event.start >= pos:
            continue
        if pos - event.end > _ANTECEDENT_CHARS:
            break
        src = event.source
        if plural:
            if src.anonymous and src.traits.plural:
                return event
        elif head and (src.head == head or src.head and src.head.rstrip("s") == head):
            found.append(event)
    if not found:
        return None
    firsts = {e.source.descriptor for e in found if not e.source.traits.definite}
    return found[0] if len(firsts) <= 1 else None


def _role_person(pos: int, head: str | None, people: People,
                 roles: dict[str, str]) -> str | None:
    """"the minister": the latest person mentioned before `pos` whose role has that word."""
    if not head:
        return None
    i = bisect_right(people, (pos, "\uffff"))
    for _, name, _ in reversed(people[max(0, i - 12) : i]):
        if head == _role_head(roles.get(name, "")):
            return name
    return None


def _role_head(role: str) -> str | None:
    """The office word of a role: "director of the agency" -> "director", "Finance
    Minister" -> "minister"."""
    words = re.split(r"\s(?:of|for|at|in|to|with|on)\s", role.lower())[0].split()
    return words[-1] if words else None


def _trim_marker(descriptor: str) -> str:
    """"an employee who spoke on condition of anonymity" -> "an employee"."""
    marker = anonymity_marker(descriptor)
    if marker is None:
        return descriptor
    head = descriptor[: descriptor.find(marker)]
    head = re.sub(r"(?:[\s,]+(?:who|which|that|and|after|speaking|spoke|asked|having)?)+$", "",
                  head)
    return head if head.split() else descriptor


def _anonymous(speaker: Speaker, descriptor: str, inherit: Source | None = None) -> Source:
    descriptor = _trim_marker(descriptor)
    traits = describe_source(descriptor, affiliations=speaker.affiliations)
    if inherit is not None:
        old = inherit.traits
        traits = replace(
            traits,
            affiliation=traits.affiliation or old.affiliation,
            seniority=traits.seniority or old.seniority,
            count=traits.count if traits.count is not None or not (traits.plural and old.plural)
            else old.count,
        )
    return Source(anonymous=True, descriptor=descriptor, head=speaker.head or traits.head,
                  traits=traits)


def _resolve(speaker: Speaker, cue: Cue, marker: bool, history: list[_Event],
             people: People, roles: dict[str, str]) -> Source:
    """Decides who a cue's source is, using what came before in the article."""
    desc = speaker.descriptor
    if speaker.kind == "pronoun":
        return Source(name=speaker.name, head=None) if speaker.name else _UNKNOWN
    if speaker.kind == "named":
        return Source(name=speaker.name, descriptor=desc, head=speaker.head)
    if desc is None:
        return _UNKNOWN
    if speaker.kind == "partitive_pronoun":  # "one of them"
        event = _antecedent(history, cue.offset, None, plural=True)
        if event is None:
            return Source(descriptor=desc)
        full = f"{desc} ({event.source.descriptor})"
        src = _anonymous(replace(speaker, head=event.source.head), desc, event.source)
        return replace(src, descriptor=full)
    if speaker.definite:
        event = _antecedent(history, cue.offset, speaker.head)
        if event is not None and event.source.name:
            return Source(name=event.source.name, descriptor=desc, head=speaker.head)
        if event is not None and event.source.anonymous:
            return _anonymous(speaker, desc, event.source)
        named = _role_person(cue.offset, speaker.head, people, roles)
        if named:
            return Source(name=named, descriptor=desc, head=speaker.head)
    if speaker.kind in {"insider", "collective"}:
        return _anonymous(speaker, desc)
    if speaker.kind == "commentator" and (speaker.singled_out or marker or cue.first_hand):
        return _anonymous(speaker, desc)
    if marker and speaker.head:
        return _anonymous(speaker, desc)  # "a man who asked not to be named"
    return Source(descriptor=desc, head=speaker.head)


def _resolve_cues(doc: Doc, cues: list[Cue], text: str, mentions: Mentions,
                  people: People, roles: dict[str, str],
                  quoted: list[tuple[int, int]]) -> list[Source]:
    history: list[_Event] = []
    sources: list[Source] = []
    for cue in cues:
        if cue.head is None or cue.subject is None:
            sources.append(_UNKNOWN)
            continue
        speaker = classify_subject(doc, cue.head, cue.subject, text, mentions, people)
        marker = anonymity_marker(_marker_region(text, cue, quoted)) is not None
        source = _resolve(speaker, cue, marker, history, people, roles)
        sources.append(source)
        if source.attributed:
            history.append(_cue_event(cue, source))
    return sources


def _cue_event(cue: Cue, source: Source) -> _Event:
    """The attribution event of a cue, covering its source and its cue word."""
    lo, hi = cue.subject if cue.subject else (cue.offset, cue.offset)
    return _Event(min(lo, cue.offset), max(hi, cue.offset + len(cue.cue.split()[0])), source,
                  cue.cue)


# --- direct quotations ------------------------------------------------------------------------


def _pick_cue(span: QuoteSpan, text: str, cues: list[Cue], quoted: list[tuple[int, int]],
              breaks: list[int]) -> int | None:
    """Index of the cue of a quotation: right after it, else before it in its sentence."""
    para_close = _paragraph_of(breaks, span.close - 1)
    for i, c in enumerate(cues):
        if c.offset < span.close or _paragraph_of(breaks, c.offset) != para_close:
            continue
        first = min(c.offset, c.subject[0]) if c.subject else c.offset
        if first >= span.close and _TIGHT_GAP.match(text[span.close : first]):
            return i
    para_open = _paragraph_of(breaks, span.open_mark)
    best = None
    for i, c in enumerate(cues):
        if c.offset >= span.open_mark or _paragraph_of(breaks, c.offset) != para_open:
            continue
        if _quote_between(quoted, c.offset, span.open_mark):
            continue
        between = text[c.offset : span.open_mark]
        if _SENTENCE_BREAK.search(between):
            continue
        if not c.own_clause and len(between.split()) > 4:
            continue  # a cue without a clause must introduce the quote ("told reporters: “")
        best = i
    return best


def _token_at(doc: Doc, offset: int) -> Token | None:
    span = doc.char_span(offset, offset + 1, alignment_mode="expand")
    return span[0] if span is not None and len(span) else None


def _host_speaker(doc: Doc, span: QuoteSpan, text: str, mentions: Mentions,
                  people: People, quoted: list[tuple[int, int]]
                  ) -> tuple[Source, str | None] | None:
    """Speaker of a quotation embedded in a sentence: the person subject of the verb that
    governs it ("X called it “a disaster”", "X thanked them for their “quick” help")."""
    first = _token_at(doc, span.start)
    if first is None:
        return None
    if re.search(r":\s*$", text[max(0, span.open_mark - 3) : span.open_mark]):
        return _colon_speaker(doc, span, text, mentions, people, quoted)
    if first.sent.start_char >= span.open_mark:
        return None  # the quotation opens its sentence: nothing to embed it
    tok, steps = first, 0
    while steps < 8 and (span.open_mark <= tok.idx < span.close or tok.pos_ not in {"VERB", "AUX"}):
        if tok.head.i == tok.i:
            return None
        tok, steps = tok.head, steps + 1
    if not (tok.pos_ in {"VERB", "AUX"} and not _in_any(tok.idx, quoted)):
        return None
    for _ in range(3):
        subj = verb_subject(tok, mentions, quoted)
        if subj is not None:
            break
        if tok.dep_ not in {"conj", "xcomp", "advcl"} or tok.head.i == tok.i:
            return None
        tok = tok.head
    else:
        return None
    if subj is None or subj.idx >= span.open_mark or _in_any(subj.idx, quoted):
        return None
    if subj.tag_ in {"WP", "WDT"} and tok.dep_ == "relcl":
        subj = tok.head
    if subj.lower_ in MALE_PRONOUNS | FEMALE_PRONOUNS:
        name = resolve_pronoun(subj.idx, people)
        return (Source(name=name), tok.lower_) if name else None
    for start, end, name, label in mentions:
        if start <= subj.idx < end and label == "PERSON":
            return Source(name=name), tok.lower_
    return None


def _colon_speaker(doc: Doc, span: QuoteSpan, text: str, mentions: Mentions,
                   people: People, quoted: list[tuple[int, int]]
                   ) -> tuple[Source, str | None] | None:
    """"X had a warning for them: “…”": the person subject of the clause before the colon."""
    colon = len(text[: span.open_mark].rstrip()) - 1
    starts = [m.end() for m in _SENTENCE_BREAK.finditer(text, 0, colon)]
    lo = max(starts[-1] - 2 if starts else 0, text.rfind("\n", 0, colon) + 1)
    for tok in doc.char_span(lo, colon, alignment_mode="contract") or ():
        if tok.dep_ not in {"nsubj", "nsubjpass"} or _in_any(tok.idx, quoted):
            continue
        verb = tok.head
        if not lo <= verb.idx < colon:
            continue
        if tok.lower_ in MALE_PRONOUNS | FEMALE_PRONOUNS:
            name = resolve_pronoun(tok.idx, people)
            return (Source(name=name), None) if name else None
        for start, end, name, label in mentions:
            if start <= tok.idx < end and label == "PERSON":
                return Source(name=name), None
        return None
    return None


def _carry_over(span: QuoteSpan, history: list[_Event], breaks: list[int],
                people: People, cue_offsets: list[int]) -> _Event | None:
    """The attribution just before a quotation, when nothing intervenes: same or previous
    paragraph, no other person and no other cue in between."""
    before = [e for e in history if e.end <= span.open_mark]
    if not before:
        return None
    event = max(before, key=lambda e: e.end)
    if _paragraph_of(breaks, span.open_mark) - _paragraph_of(breaks, event.end) > 1:
        return None
    if any(event.end <= pos < span.open_mark and name != event.source.name
           for pos, name, _ in people):
        return None
    if any(event.end <= off < span.open_mark for off in cue_offsets):
        return None
    return event


def _fallback_speaker(text: str, span: QuoteSpan, people: People,
                      mentions: Mentions) -> tuple[Source, str] | None:
    """Speaker right after the closing mark for English text without a parse ("…," X said)."""
    match = _FALLBACK_AFTER.match(text[span.close : span.close + 120])
    if not match:
        return None
    cue = match.group("cue") or match.group("cue2")
    who = match.group("pre") or match.group("post")
    if cue.lower() not in CUE_FORMS or not who:
        return None
    if who.lower() in MALE_PRONOUNS | FEMALE_PRONOUNS:
        name = resolve_pronoun(span.open_mark, people)
        return (Source(name=name), cue.lower()) if name else None
    who_start = span.close + match.start("pre" if match.group("pre") else "post")
    for start, _, name, label in mentions:
        if who_start <= start < who_start + len(who) and label in {"PERSON", "ORG"}:
            return Source(name=name), cue.lower()
    return Source(descriptor=who), cue.lower()


def _quote(text: str, span: QuoteSpan, source: Source, cue: str | None) -> Quote:
    start, end = inner_bounds(text, span)
    return _make(text[start:end], start, end, source, cue, direct=True)


def _make(body: str, start: int, end: int, source: Source, cue: str | None, *,
          direct: bool) -> Quote:
    t = source.traits if source.anonymous else SourceTraits()
    return Quote(text=body, start=start, end=end, speaker=source.name,
                 anonymous=source.anonymous, descriptor=source.descriptor, cue=cue,
                 direct=direct, affiliation=t.affiliation, seniority=t.seniority,
                 plural=t.plural, count=t.count)


# --- the article ------------------------------------------------------------------------------


def extract_quotes(
    doc: Doc | None, text: str, entities: tuple[Entity, ...], *, min_words: int = 3
) -> tuple[Quote, ...]:
    """Finds direct quotations and indirect attributions in one article.

    Args:
        doc: Parsed document (dependency parse), or None for text without a parser; then
            quotations get speakers from simple patterns ("…," X said; German, Spanish and
            French cue verbs too) and anonymous sources from source nouns ("fuentes",
            "Kreise", "sources").
        text: Article text; offsets index into it.
        entities: Canonical entities of the article, to name speakers.
        min_words: Quotations shorter than this are scare quotes and are skipped, unless a
            cue before them in the sentence attributes the words ("X said it was "far too late"").

    Returns:
        Quotes in text order; indirect ones have `direct=False`.
    """
    mentions = mention_index(entities)
    spans = [s for s in find_quote_spans(text)
             if len(text[s.start : s.end].split()) >= _MIN_PARTIAL_WORDS]
    quoted = [(s.open_mark, s.close) for s in spans]
    subjects = subject_offsets(doc) if doc is not None else []
    people = sorted((s, name, any(s <= x < e for x in subjects))
                    for s, e, name, label in mentions
                    if label == "PERSON" and not _in_any(s, quoted))
    roles = {e.name: (e.role or "").lower() for e in entities if e.label == "PERSON"}
    breaks = [m.start() for m in re.finditer(r"\n+", text)]
    if doc is None or not doc.has_annotation("DEP"):
        return _unparsed(text, spans, people, mentions, min_words)
    cues = find_cues(doc, mentions, quoted)
    sources = _resolve_cues(doc, cues, text, mentions, people, roles, quoted)
    article = _Article(doc, text, mentions, people, quoted, breaks)
    quotes, used = _direct_quotes(article, spans, cues, sources, min_words)
    quotes.extend(_indirect(text, cues, sources, used, quoted))
    return tuple(sorted(quotes, key=lambda q: (q.start, q.end)))


def _direct_quotes(a: _Article, spans: list[QuoteSpan], cues: list[Cue], sources: list[Source],
                   min_words: int) -> tuple[list[Quote], set[int]]:
    """Direct quotations with their speakers, and the cues they used up."""
    text = a.text
    history = [_cue_event(c, s) for c, s in zip(cues, sources) if s.attributed]
    cue_offsets = [c.offset for c in cues]
    used: set[int] = set()
    quotes: list[Quote] = []
    for span in spans:
        picked = _pick_cue(span, text, cues, a.quoted, a.breaks)
        if len(text[span.start : span.end].split()) < min_words and (picked is None or not (
                cues[picked].offset > span.open_mark  # "…," he said
                or cues[picked].clause[0] <= span.open_mark < cues[picked].clause[1])):
            continue  # a scare quote, not words attributed to anyone
        source, cue_word = _UNKNOWN, None
        if picked is not None:
            if not _partial_of(text, span, cues[picked]):
                used.add(picked)
            source, cue_word = sources[picked], cues[picked].cue
        elif hosted := _host_speaker(a.doc, span, text, a.mentions, a.people, a.quoted):
            source, cue_word = hosted
        elif event := _carry_over(span, history, a.breaks, a.people, cue_offsets):
            source, cue_word = event.source, event.cue
        quotes.append(_quote(text, span, source, cue_word))
        if source.attributed:
            history.append(_Event(span.open_mark, span.close, source, cue_word))
            history.sort(key=lambda e: e.end)
    return quotes, used


def _partial_of(text: str, span: QuoteSpan, cue: Cue) -> bool:
    """True when a quotation is a fragment of a longer reported statement ("X said the deal
    was meant to "build trust" ahead of the talks"): the statement is an attribution too."""
    c0, c1 = cue.clause
    if not (cue.own_clause and c0 <= span.open_mark and span.close <= c1):
        return False
    rest = text[c0 : span.open_mark] + " " + text[span.close : c1]
    return len(re.findall(r"\w+", rest)) >= 3


def _nested(i: int, cues: list[Cue], sources: list[Source]) -> bool:
    """True when cue `i` sits inside what another attributed cue reports ("X told Y that …,
    officials said"): it is relayed content, not an attribution of its own."""
    me = cues[i]
    for j, other in enumerate(cues):
        if j == i or not other.own_clause or not sources[j].attributed:
            continue
        if not other.clause[0] <= me.offset < other.clause[1]:
            continue
        mutual = me.own_clause and me.clause[0] <= other.offset < me.clause[1]
        # each inside the other's clause: "according to", else the later cue, is the outer one
        if mutual and (me.cue == "according to"
                       or (other.cue != "according to" and me.offset > other.offset)):
            continue
        return True
    return False


def _indirect(text: str, cues: list[Cue], sources: list[Source], used: set[int],
              quoted: list[tuple[int, int]]) -> list[Quote]:
    """Attributions not tied to a direct quotation."""
    out: list[Quote] = []
    for i, cue in enumerate(cues):
        source = sources[i]
        if i in used or not source.attributed or _nested(i, cues, sources):
            continue
        start, end = cue.clause
        if any(s < end and start < e for s, e in quoted):
            start, end = cue.sentence
        body = text[start:end].strip(_BODY_STRIP)
        if len(body.split()) < 3:
            continue
        start = text.index(body, start)
        out.append(_make(body, start, start + len(body), source, cue.cue, direct=False))
    return out


def _unparsed(text: str, spans: list[QuoteSpan], people: People,
              mentions: Mentions, min_words: int) -> tuple[Quote, ...]:
    """Quotes of a text without a dependency parse (other languages, or no model)."""
    quotes: list[Quote] = []
    quoted = [(s.open_mark, s.close) for s in spans]
    previous: Quote | None = None
    used: set[int] = set()
    for span in spans:
        if len(text[span.start : span.end].split()) < min_words:
            found = plain_speaker(text, span.open_mark, span.close, quoted, before_only=True)
            if found is None:
                continue
        else:
            found = plain_speaker(text, span.open_mark, span.close, quoted)
        source, cue = _UNKNOWN, None
        if found is not None:
            source = _plain_source(found.name, found.descriptor, found.anonymous)
            cue = found.cue
            if found.cue_offset > span.close or not _embedded(text, span):
                used.add(found.cue_offset)  # the quotation is the statement itself
        else:
            english = _fallback_speaker(text, span, people, mentions)
            if english:
                source, cue = english
        opens_sentence = not text[_sentence_start(text, span.open_mark) : span.open_mark].strip()
        if cue is None and previous is not None and previous.speaker is not None \
                and opens_sentence and text.count("\n", previous.end, span.open_mark) <= 2:
            source, cue = Source(name=previous.speaker), previous.cue
        quote = _quote(text, span, source, cue)
        quotes.append(quote)
        previous = quote
    for found in plain_attributions(text, quoted):
        if found.cue_offset in used:
            continue  # the cue of a direct quotation
        body = text[found.start : found.end].strip(_BODY_STRIP)
        if len(body.split()) < 3:
            continue
        source = _plain_source(None, found.descriptor, True)
        start = text.index(body, found.start)
        quotes.append(_make(body, start, start + len(body), source, found.cue, direct=False))
    return tuple(sorted(quotes, key=lambda q: (q.start, q.end)))


def _embedded(text: str, span: QuoteSpan) -> bool:
    """True when a quotation is a fragment inside a longer sentence ("… sei „lange“ gesprochen
    worden"): the reported statement around it is an attribution of its own."""
    after = text[span.close : span.close + 40].lstrip(" ,")
    return bool(re.match(r"[^\W\d_]", after)) and after[:1].islower()


def _sentence_start(text: str, pos: int) -> int:
    lo = max(0, pos - 1500)
    starts = [m.end() for m in _SENTENCE_END.finditer(text, lo, pos)]
    return starts[-1] if starts else lo


def _plain_source(name: str | None, descriptor: str | None, anonymous: bool) -> Source:
    if name:
        return Source(name=name)
    if anonymous and descriptor:
        traits = describe_source(descriptor)
        return Source(anonymous=True, descriptor=descriptor, head=traits.head, traits=traits)
    return Source(descriptor=descriptor)
