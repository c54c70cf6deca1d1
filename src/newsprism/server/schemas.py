"""Pydantic shapes of the JSON API (the boundary; the domain records stay dataclasses).

Shapes follow the report's (docs/report.schema.json) where both show the same thing, so a
client reading report.json reads the API too. Nested report parts that the report schema
already documents in detail (claims, facts, framing...) are passed through as objects.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal["verbatim", "near_verbatim", "spin", "translation", "shared_source", "same_story",
               "unrelated"]
Direction = Literal["a_first", "b_first", "unknown"]


class ErrorOut(BaseModel):
    error: str = Field(description="What went wrong, in a few words")
    detail: Any = Field(None, description="A message saying why and what to do, or field errors")


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    articles: int
    stories: int
    writes: bool = Field(description="Whether this server accepts writes (a token is set)")


class ArticleSummary(BaseModel):
    id: str
    title: str
    outlet: str | None
    url: str | None
    published_at: str | None
    language: str | None
    origin: str


class ArticlePage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[ArticleSummary]


class Mention(BaseModel):
    start: int
    end: int
    text: str


class EntityOut(BaseModel):
    name: str
    label: str
    role: str | None = None
    mentions: list[Mention]


class RelatedOut(BaseModel):
    """Another article this one is related to."""

    id: str
    kind: Kind
    score: float
    direction: Literal["this_first", "other_first", "unknown"]


class ArticleDetail(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    origin: str
    source_id: str | None = None
    url: str | None
    outlet: str | None
    title: str
    byline: str | None = None
    published_at: str | None
    language: str | None
    genre: str | None
    text: str
    removed: list[dict[str, Any]]
    entities: list[EntityOut]
    quotes: list[dict[str, Any]]
    roles: list[dict[str, Any]] = []
    claims: list[dict[str, Any]] = []
    sourcing: dict[str, float] | None = None
    signals: dict[str, Any]
    story: str | None = Field(None, description="Id of the article's story, once clustered")
    related: list[RelatedOut] = []


class StorySummary(BaseModel):
    id: str
    label: str
    articles: int
    lines: int
    first_seen: str | None
    last_seen: str | None
    conflicts: int
    entities: list[str]
    outlets: list[str]


class StoryPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[StorySummary]


class StoryReport(BaseModel):
    """One story as in report.json: the story, its articles and the relations among them."""

    schema_version: str
    story: dict[str, Any] = Field(description="report.json `stories[]` item: lines, originals, "
                                              "facts, unique, conflicts, framing, sources, quotes")
    articles: list[dict[str, Any]] = Field(description="report.json `articles[]` items")
    relations: list[dict[str, Any]] = Field(description="report.json `relations[]` items")


class Segment(BaseModel):
    op: Literal["eq", "del", "ins"]
    text: str


class PairSide(BaseModel):
    id: str
    title: str
    label: str
    outlet: str | None
    published_at: str | None
    language: str | None
    url: str | None
    coverage: float = Field(description="Share of this side's text inside aligned passages")


class Passage(BaseModel):
    n: int
    a: str
    b: str
    a_diff: list[Segment] = Field(description="Words of A: eq, or del (only in A)")
    b_diff: list[Segment] = Field(description="Words of B: eq, or ins (only in B)")
    lexical: float
    semantic: float
    quote_only: bool


class PairComparison(BaseModel):
    kind: Kind
    score: float
    direction: Direction
    direction_words: str
    reasons: list[str]
    stored: bool = Field(description="False when the relation was computed on request")
    word_diff: bool = Field(description="False across languages: differences are not marked")
    swap_density: float
    a: PairSide
    b: PairSide
    passages: list[Passage]
    only_a: list[str] = Field(description="Stretches of A without a counterpart in B")
    only_b: list[str] = Field(description="Stretches of B without a counterpart in A")


class CopiedFrom(BaseModel):
    outlet: str | None
    count: int


class OutletOut(BaseModel):
    outlet: str | None
    articles: int
    copies_made: int = Field(description="Articles of this outlet copied from another outlet's")
    copied_by_others: int = Field(description="Times another outlet copied this outlet's article")
    unknown_direction: int = Field(description="Copy relations with another outlet, direction unknown")
    copied_from: list[CopiedFrom] = Field(description="Whom it copies, most first")


class OutletList(BaseModel):
    items: list[OutletOut]


class ArticleIn(BaseModel):
    """One article to ingest; only `text` is required."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, description="Body text (plain text)")
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published_at: str | None = Field(None, description="ISO 8601 date or date-time")
    language: str | None = Field(None, description="BCP 47 code, e.g. en, de")
    author: str | None = None
    id: str | None = Field(None, description="Your own id, kept as source_id")


class ArticleBatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    articles: list[ArticleIn] = Field(min_length=1)


class IngestedOut(BaseModel):
    id: str
    title: str
    outlet: str | None
    new: bool
    story: str | None


class ItemError(BaseModel):
    item: str
    message: str


class IngestOut(BaseModel):
    read: int
    new: int
    duplicates: int
    articles: list[IngestedOut]
    errors: list[ItemError]
    processed: dict[str, int] = Field(description="Articles analyzed/related/clustered, stories compared")
