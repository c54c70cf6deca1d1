"""Domain records passed between pipeline stages.

All records are frozen, slotted dataclasses: stages are pure functions over them, so the same
code runs in-process, in a pool or on Ray. Offsets are character offsets into `Article.text`
(the clean text) unless a field says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

#: Where `published_at` came from. "page": the document's own metadata (page markup, a txt/JSONL
#: date field, a feed entry's date); "url": a /YYYY/MM/DD/ date in the URL; "fetch": when a crawler
#: fetched the page (WARC-Date), which only bounds the publication from above. None: unknown, or
#: no date at all (records built in code, stores written before the field existed).
DateSource = Literal["page", "url", "fetch"]

RelationKind = Literal[
    "verbatim", "near_verbatim", "spin", "translation", "shared_source", "same_story", "unrelated"
]
Direction = Literal["a_first", "b_first", "unknown"]

#: Kinds that mean one text derives from the other (they join articles into one reporting line).
COPY_KINDS: frozenset[str] = frozenset({"verbatim", "near_verbatim", "spin", "translation"})


@dataclass(frozen=True, slots=True)
class RawDocument:
    """One article as read from an input, before cleaning."""

    origin: str  # input path, "path:line" for JSONL, "-" for stdin
    text: str  # body text before boilerplate removal (title excluded)
    title: str = ""
    url: str | None = None
    outlet: str | None = None
    byline: str | None = None
    published_at: datetime | None = None
    language: str | None = None
    source_id: str | None = None  # id given by the input (JSONL `id`), if any
    body_line: int = 1  # 1-based line of the source file where `text` starts (0 when not line-based)
    format: str = "txt"
    date_source: DateSource | None = None  # where `published_at` came from (see DateSource)


@dataclass(frozen=True, slots=True)
class RemovedSpan:
    """A piece of boilerplate cut from the raw text; offsets into `Article.raw`."""

    start: int
    end: int
    kind: str  # comment_form, share, photo_credit, caption, read_more, source_trailer, repeated
    text: str
    line: int | None = None  # 1-based line in the source file, when the source is line-based


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    origin: str
    text: str  # clean text
    raw: str  # text before boilerplate removal
    title: str = ""
    url: str | None = None
    outlet: str | None = None
    byline: str | None = None
    published_at: datetime | None = None
    language: str | None = None
    removed: tuple[RemovedSpan, ...] = ()
    source_id: str | None = None  # id given by the input (JSONL `id`), kept for matching gold
    date_source: DateSource | None = None  # where `published_at` came from (see DateSource)


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Entity:
    """A canonical entity of one article with all its mentions."""

    name: str  # canonical name ("Mark Milley")
    label: str  # PERSON, ORG, GPE, LOC, NORP, EVENT, ...
    mentions: tuple[Span, ...]
    role: str | None = None  # title/office attached in the text ("Defense Minister")


@dataclass(frozen=True, slots=True)
class Quote:
    text: str
    start: int
    end: int
    speaker: str | None = None  # canonical name of a named speaker
    anonymous: bool = False
    descriptor: str | None = None  # "senior IDF sources", "an Israeli official"
    cue: str | None = None  # said, told, according to ...
    direct: bool = True  # False for indirect attributions ("officials said that ...")
    # Anonymous sources, parsed from the descriptor ("two senior Israeli officials"):
    affiliation: str | None = None  # "Israeli", "IDF", "health ministry"
    seniority: str | None = None  # "senior", "high-ranking", "junior"
    plural: bool = False  # several people stand behind the statement
    count: int | None = None  # how many, when the text says ("two people familiar ...")


@dataclass(frozen=True, slots=True)
class Role:
    """A title or office the text attaches to a person, where the text says it."""

    person: str  # canonical name
    role: str  # "Defense Minister", "Chairman of the Joint Chiefs of Staff"
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Slot:
    """One normalised, comparable detail of a claim.

    `key` says what is counted or named, so two reports conflict only on equal keys
    ("people" 1200 vs 1500; "ordinal:visit" 3 vs 4); `value` is the normal form.
    """

    kind: str  # quantity, count, ordinal, tally, date, place, participant
    key: str  # "people", "money:EUR", "count:level", "ordinal:visit", "date", "place", ...
    value: str  # "1200", "3", "2020-12-17", "2020-12", canonical name
    text: str  # as written ("1,200 workers", "last Thursday")
    start: int  # offsets into the article text
    end: int


@dataclass(frozen=True, slots=True)
class Claim:
    """A sentence that states something checkable, with its normalised slots."""

    text: str
    start: int
    end: int
    slots: tuple[Slot, ...] = ()

    def values(self, *kinds: str) -> tuple[str, ...]:
        """Distinct slot values of the given kinds, in text order."""
        return tuple(dict.fromkeys(s.value for s in self.slots if s.kind in kinds))

    @property
    def numbers(self) -> tuple[str, ...]:
        """Numbers in normal form; ordinals as "ordinal:3" so they never equal a count."""
        return tuple(dict.fromkeys(
            f"ordinal:{s.value}" if s.kind == "ordinal" else s.value
            for s in self.slots if s.kind in {"quantity", "count", "ordinal", "tally"}
        ))

    @property
    def dates(self) -> tuple[str, ...]:
        return self.values("date")

    @property
    def places(self) -> tuple[str, ...]:
        return self.values("place")

    @property
    def participants(self) -> tuple[str, ...]:
        return self.values("participant")


@dataclass(frozen=True, slots=True)
class Signals:
    machine_translation: float = 0.0
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Analysis:
    article_id: str
    language: str
    sentences: tuple[Span, ...]
    entities: tuple[Entity, ...] = ()
    quotes: tuple[Quote, ...] = ()
    claims: tuple[Claim, ...] = ()
    roles: tuple[Role, ...] = ()
    genre: str = "news"  # news, analysis, opinion, press_release
    signals: Signals = field(default_factory=Signals)


@dataclass(frozen=True, slots=True)
class AlignedSpan:
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    lexical: float  # 0..1, rapidfuzz ratio
    semantic: float  # 0..1, embedding cosine
    quote_only: bool = False  # a shared quotation of a common speaker, not counted as reuse


@dataclass(frozen=True, slots=True)
class Relation:
    a: str
    b: str
    kind: RelationKind
    score: float
    direction: Direction = "unknown"
    reasons: tuple[str, ...] = ()
    alignment: tuple[AlignedSpan, ...] = ()
    coverage_a: float = 0.0
    coverage_b: float = 0.0
    swap_density: float = 0.0  # one-for-one word substitutions per aligned word (spinner trace)


@dataclass(frozen=True, slots=True)
class Citation:
    article: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Fact:
    text: str
    lines: int  # number of independent reporting lines stating it
    support: tuple[Citation, ...]


@dataclass(frozen=True, slots=True)
class UniqueFact:
    article: str
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class ConflictValue:
    value: str
    article: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Conflict:
    slot: str  # number, ordinal, date, place, participant, role
    values: tuple[ConflictValue, ...]
    kind: str = "contradiction"  # contradiction, different_scope, vagueness
    reason: str = ""  # why it was classed so, in words for the reader


@dataclass(frozen=True, slots=True)
class Framing:
    """How one article frames its story (framing.py); shown side by side in the story report."""

    article: str  # article id
    headline_focus: str | None  # canonical entity named first in the title
    headline_event: str | None  # the headline's main clause, lower-case, <= event_max_words
    lead_focus: str | None  # canonical entity mentioned first in the lead
    lead_angle: tuple[str, ...]  # lead terms the story's other leads use least
    genre: str  # analysis.genre
    tone: float | None  # mean VADER compound over sentences; None outside tone_languages
    tone_label: str  # negative, neutral, positive, n/a
    sourcing: dict[str, int]  # total, named, anonymous, unattributed, direct, indirect, named_speakers


@dataclass(frozen=True, slots=True)
class QuoteVariant:
    """One article's wording of a quote."""

    article: str
    text: str
    start: int
    end: int
    mutated: bool  # wording differs from the line reference's beyond case/punctuation/quote marks
    translated: bool = False  # another language than the line reference (never `mutated`)
    descriptor: str | None = None  # the source as this article words it
    cue: str | None = None  # "said", "told me", "according to"
    attribution_mutated: bool = False  # descriptor or cue differs from the line reference's


@dataclass(frozen=True, slots=True)
class QuoteGroup:
    """One statement as carried by several articles."""

    speaker: str | None  # canonical named speaker, else None
    descriptor: str | None  # for anonymous sources: "senior IDF sources"
    anonymous: bool
    direct: bool
    lines: tuple[int, ...]  # indices into the story's lines that carry it
    variants: tuple[QuoteVariant, ...]


@dataclass(frozen=True, slots=True)
class Source:
    """One named speaker, or one class of anonymous source."""

    name: str  # canonical name, or a normalised descriptor ("Israeli officials (anonymous)")
    anonymous: bool
    lines: tuple[int, ...]  # which lines quote this source
    articles: tuple[str, ...]
    quotes: int  # number of QuoteGroups


@dataclass(frozen=True, slots=True)
class Story:
    id: str
    label: str
    articles: tuple[str, ...]
    lines: tuple[tuple[str, ...], ...] = ()  # groups of articles deriving from one original
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    entities: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Comparison:
    story_id: str
    lines: tuple[tuple[str, ...], ...]
    originals: tuple[str | None, ...]  # likely original of each line, same order as `lines`
    facts: tuple[Fact, ...] = ()
    unique: tuple[UniqueFact, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    framing: tuple[Framing, ...] = ()  # one per article of the story
    sources: tuple[Source, ...] = ()  # who is quoted, by which lines
    quotes: tuple[QuoteGroup, ...] = ()  # each statement with its wording in every article
