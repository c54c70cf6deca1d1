"""Cluster stage: incremental (online) story assignment.

Each article, in publication order, joins the best existing story or opens a new one
(cf. Miranda et al. 2018): similarity to the story's centroid and to its closest member,
shared canonical entities, and a penalty that grows with the time gap, so the same cast on a
different occasion weeks later opens a new story. Copies found by the relate stage always
join their original's story. The clusterer's state is plain data so the store can persist it
and the next run continues the stream.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from .embed import ArticleVectors
from .models import COPY_KINDS, Analysis, Article, Relation, Story

ENTITY_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "EVENT", "FAC", "NORP"})


@dataclass(frozen=True, slots=True)
class ClusterConfig:
    """Named defaults for story assignment (calibrated on the demo corpus; see BENCHMARKS.md)."""

    join_threshold: float = 0.62  # minimum combined score to join an existing story
    centroid_weight: float = 0.5  # share of centroid (vs closest member) similarity
    entity_weight: float = 0.25  # bonus for shared canonical entities (0..1 overlap)
    time_scale_days: float = 4.0  # gap at which the time penalty reaches ~63% of its max
    time_weight: float = 0.5  # maximum time penalty
    same_story_bonus: float = 0.1  # bonus when relate called a member `same_story`
    label_entities: int = 3


@dataclass(slots=True)
class StoryState:
    """Mutable per-story accumulator; serialisable through `to_dict`/`from_dict`."""

    id: str
    members: list[str] = field(default_factory=list)
    ml_sum: np.ndarray | None = None
    mono_sum: np.ndarray | None = None
    entities: Counter = field(default_factory=Counter)
    entity_names: dict[str, str] = field(default_factory=dict)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    titles: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "id": self.id, "members": self.members,
            "ml_sum": self.ml_sum.tolist() if self.ml_sum is not None else None,
            "mono_sum": self.mono_sum.tolist() if self.mono_sum is not None else None,
            "entities": dict(self.entities), "entity_names": self.entity_names,
            "first_seen": self.first_seen.isoformat() if self.first_seen else None,
            "last_seen": self.last_seen.isoformat() if self.last_seen else None,
            "titles": self.titles,
        }

    @classmethod
    def from_dict(cls, d: Mapping) -> StoryState:
        return cls(
            id=d["id"], members=list(d["members"]),
            ml_sum=np.asarray(d["ml_sum"], dtype=np.float32) if d.get("ml_sum") is not None else None,
            mono_sum=np.asarray(d["mono_sum"], dtype=np.float32) if d.get("mono_sum") is not None else None,
            entities=Counter(d.get("entities", {})), entity_names=dict(d.get("entity_names", {})),
            first_seen=datetime.fromisoformat(d["first_seen"]) if d.get("first_seen") else None,
            last_seen=datetime.fromisoformat(d["last_seen"]) if d.get("last_seen") else None,
            titles=list(d.get("titles", [])),
        )


def _display_name(name: str) -> str | None:
    """Name fit for a label: no all-caps datelines ("VIENNA"), no dangling "(ACRONYM" parts."""
    name = re.sub(r"\s*\([^)]*$", "", name).strip()
    if len(name) < 2 or (name.isupper() and len(name) > 5):
        return None
    return name


def entity_keys(analysis: Analysis) -> dict[str, str]:
    """Canonical entity keys of one article (lowercased name → display name)."""
    out: dict[str, str] = {}
    for e in analysis.entities:
        if e.label in ENTITY_LABELS and (name := _display_name(e.name)):
            out.setdefault(name.casefold(), name)
    return out


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    return float(a @ b) / (na * nb) if na and nb else 0.0


def _gap_days(when: datetime | None, state: StoryState) -> float:
    if when is None or state.first_seen is None or state.last_seen is None:
        return 0.0
    if state.first_seen <= when <= state.last_seen:
        return 0.0
    ref = state.last_seen if when > state.last_seen else state.first_seen
    return abs((when - ref).total_seconds()) / 86400.0


def _story_id(first_article: str) -> str:
    return "s" + hashlib.sha1(first_article.encode()).hexdigest()[:10]


class StoryClusterer:
    """Online clusterer; `assign` one article at a time, in arrival (publication) order."""

    def __init__(self, states: Iterable[StoryState] = (), *, config: ClusterConfig = ClusterConfig(),
                 member_vectors: Mapping[str, ArticleVectors] | None = None) -> None:
        self.config = config
        self.states: dict[str, StoryState] = {s.id: s for s in states}
        self.story_of: dict[str, str] = {m: s.id for s in self.states.values() for m in s.members}
        self._vecs: dict[str, ArticleVectors] = dict(member_vectors or {})
        self._lang: dict[str, str] = {}

    def score(self, article: Article, analysis: Analysis, vec: ArticleVectors,
              state: StoryState, *, same_story: bool = False) -> float:
        """Combined evidence that `article` reports the event of story `state`."""
        cfg = self.config
        best = max((_cos(vec.ml_doc, self._vecs[m].ml_doc) for m in state.members if m in self._vecs),
                   default=0.0)
        cent = _cos(vec.ml_doc, state.ml_sum) if state.ml_sum is not None else 0.0
        text = cfg.centroid_weight * cent + (1 - cfg.centroid_weight) * best
        mine = entity_keys(analysis)
        if mine and state.entities:
            shared = sum(1 for k in mine if k in state.entities)
            ent = shared / len(mine)
        else:
            ent = 0.0
        gap = _gap_days(article.published_at, state)
        penalty = cfg.time_weight * (1 - math.exp(-gap / cfg.time_scale_days))
        return text + cfg.entity_weight * ent - penalty + (cfg.same_story_bonus if same_story else 0.0)

    def assign(self, article: Article, analysis: Analysis, vec: ArticleVectors,
               relations: Sequence[Relation] = ()) -> str:
        """Put one article into a story and return the story id."""
        if article.id in self.story_of:
            return self.story_of[article.id]
        target = None
        same: set[str] = set()
        for r in sorted(relations, key=lambda r: -r.score):
            other = r.b if r.a == article.id else r.a
            if other not in self.story_of:
                continue
            if r.kind in COPY_KINDS and target is None:
                target = self.story_of[other]
            elif r.kind == "same_story":
                same.add(self.story_of[other])
        if target is None:
            scored = [(self.score(article, analysis, vec, s, same_story=s.id in same), s.id)
                      for s in self.states.values()]
            if scored:
                best, sid = max(scored)
                if best >= self.config.join_threshold:
                    target = sid
        if target is None:
            target = _story_id(article.id)
            self.states[target] = StoryState(id=target)
        self._add(self.states[target], article, analysis, vec)
        return target

    def _add(self, state: StoryState, article: Article, analysis: Analysis, vec: ArticleVectors) -> None:
        state.members.append(article.id)
        self.story_of[article.id] = state.id
        self._vecs[article.id] = vec
        state.ml_sum = vec.ml_doc.copy() if state.ml_sum is None else state.ml_sum + vec.ml_doc
        state.mono_sum = vec.doc.copy() if state.mono_sum is None else state.mono_sum + vec.doc
        for key, name in entity_keys(analysis).items():
            state.entities[key] += 1
            state.entity_names.setdefault(key, name)
        when = article.published_at
        if when is not None:
            state.first_seen = when if state.first_seen is None else min(state.first_seen, when)
            state.last_seen = when if state.last_seen is None else max(state.last_seen, when)
        if article.title:
            state.titles.append(article.title)


def story_label(state: StoryState, *, n_entities: int = 3) -> str:
    """Readable label: the most shared entities, then the first headline as the event phrase."""
    common = [state.entity_names[k] for k, c in state.entities.most_common(n_entities * 2)
              if c >= max(1, len(state.members) // 2)][:n_entities]
    head = state.titles[0] if state.titles else ""
    if len(head) > 90:
        head = head[:87].rsplit(" ", 1)[0] + "…"
    if common and head:
        return f"{', '.join(common)}: {head}"
    return head or ", ".join(common) or state.id


def arrival_order(articles: Sequence[Article]) -> list[Article]:
    """Stream order: by publication time when known, articles without a date last, stable."""
    def key(ia: tuple[int, Article]) -> tuple:
        i, a = ia
        ts = a.published_at.timestamp() if a.published_at else float("inf")
        return (ts, i)
    return [a for _, a in sorted(enumerate(articles), key=key)]


def to_story(state: StoryState, lines: Sequence[Sequence[str]] = (), *, n_entities: int = 3) -> Story:
    ents = [state.entity_names[k] for k, _ in state.entities.most_common(10)]
    return Story(
        id=state.id, label=story_label(state, n_entities=n_entities), articles=tuple(state.members),
        lines=tuple(tuple(x) for x in lines), first_seen=state.first_seen,
        last_seen=state.last_seen, entities=tuple(ents),
    )
