"""Cluster stage: incremental (online) story assignment.

Each article, in publication order, joins the best existing story or opens a new one
(cf. Miranda et al. 2018): similarity to the story's centroid and to its closest member,
shared canonical entities, and a penalty that grows with the time gap, so the same cast on a
different occasion weeks later opens a new story. Copies found by the relate stage always
join their original's story. The clusterer's state is plain data so the store can persist it
and the next run continues the stream.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from .ann import AnnConfig, VectorIndex, unit_rows
from .embed import ArticleVectors
from .models import COPY_KINDS, Analysis, Article, Relation, Story
from .terms import DocumentFrequencies, content_terms

ENTITY_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "EVENT", "FAC", "NORP"})


@dataclass(frozen=True, slots=True)
class ClusterConfig:
    """Named defaults for story assignment, calibrated on the dev sets in ../shared/data (uci
    headlines, multinews) with the demo corpus held at F1 1.0; see BENCHMARKS.md."""

    join_threshold: float = 0.62  # minimum combined score to join an existing story
    centroid_weight: float = 0.5  # share of centroid (vs closest member) similarity
    entity_weight: float = 0.25  # bonus for shared canonical entities (0..1 overlap)
    time_scale_days: float = 4.0  # gap at which the time penalty reaches ~63% of its max
    time_weight: float = 0.5  # maximum time penalty
    same_story_bonus: float = 0.1  # bonus when relate called a member `same_story`
    label_entities: int = 3
    #: Stories scored per article: those of its nearest stored members (faiss; exact up to
    #: `ann.exact_max` members, HNSW above), so assignment cost does not grow with the story count.
    candidate_members: int = 64
    #: An article scoring at least this with a second story (besides the one it joins) bridges
    #: them: the two were one event seen from two sides, and the smaller merges into the larger.
    merge_threshold: float = 0.75  # best mean B³ F1 of uci + multinews dev sets (BENCHMARKS.md)
    #: Content-word TF-IDF cosine with the story's own words (same language only): adds
    #: lexical_weight × (cosine − lexical_center), so overlap below the centre counts against.
    #: 1.5 / 0.2 with join 0.62 and merge 0.75: best mean B³ F1 over the uci + multinews dev
    #: sets in a grid (bench/calibrate_clusters.py), demo F1 kept at 1.0.
    lexical_weight: float = 1.5
    lexical_center: float = 0.2
    story_terms: int = 500  # terms kept per story and language (the most frequent)
    #: The runner loads only stories whose last article is at most this many days older than
    #: the run's earliest new article (None: every story). Stories continue within weeks (the
    #: time penalty is near its maximum after 3 × `time_scale_days`), and it keeps a run's memory
    #: bounded on a months-long stream. Stories with no dated member are always loaded. Within
    #: one run too, a dated article joins no story further than this from it in time.
    horizon_days: float | None = 90.0
    #: efSearch 256: on 300k synthetic stories the 64 nearest members hold the best story for
    #: 0.97 of articles (0.78 at the relate stage's 48) for 1.7 ms a search (BENCHMARKS.md).
    ann: AnnConfig = field(default_factory=lambda: AnnConfig(hnsw_ef_search=256))


@dataclass(slots=True)
class StoryState:
    """Mutable per-story accumulator; serialisable through `to_dict`/`from_dict`."""

    id: str
    members: list[str] = field(default_factory=list)
    ml_sum: np.ndarray | None = None
    entities: Counter = field(default_factory=Counter)
    entity_names: dict[str, str] = field(default_factory=dict)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    titles: list[str] = field(default_factory=list)
    #: Stories merged into this one: {"story", "article" (the bridge), "members", "at"}.
    merges: list[dict] = field(default_factory=list)
    #: language -> content term -> number of member articles containing it
    terms: dict[str, Counter] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "id": self.id, "members": self.members,
            # float32 bytes in base64: a 512-float JSON list took most of a restart's parse time
            "ml_sum": (base64.b64encode(np.ascontiguousarray(self.ml_sum, dtype="<f4").tobytes()).decode()
                       if self.ml_sum is not None else None),
            "entities": dict(self.entities), "entity_names": self.entity_names,
            "first_seen": self.first_seen.isoformat() if self.first_seen else None,
            "last_seen": self.last_seen.isoformat() if self.last_seen else None,
            "titles": self.titles, "merges": self.merges,
            "terms": {lang: dict(c) for lang, c in self.terms.items()},
        }

    @classmethod
    def from_dict(cls, d: Mapping) -> StoryState:
        return cls(
            id=d["id"], members=list(d["members"]),
            ml_sum=_vector(d.get("ml_sum")),
            entities=Counter(d.get("entities", {})), entity_names=dict(d.get("entity_names", {})),
            first_seen=datetime.fromisoformat(d["first_seen"]) if d.get("first_seen") else None,
            last_seen=datetime.fromisoformat(d["last_seen"]) if d.get("last_seen") else None,
            titles=list(d.get("titles", [])), merges=list(d.get("merges", [])),
            terms={lang: Counter(c) for lang, c in (d.get("terms") or {}).items()},
        )


def _vector(v: str | list | None) -> np.ndarray | None:
    """A stored `ml_sum`: base64 float32 (or a JSON list, as stores before 4/7 wrote it)."""
    if v is None:
        return None
    if isinstance(v, str):
        return np.frombuffer(base64.b64decode(v), dtype="<f4").astype(np.float32)
    return np.asarray(v, dtype=np.float32)


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


def _gap_days(when: datetime | None, state: StoryState) -> float:
    if when is None or state.first_seen is None or state.last_seen is None:
        return 0.0
    if state.first_seen <= when <= state.last_seen:
        return 0.0
    ref = state.last_seen if when > state.last_seen else state.first_seen
    return abs((when - ref).total_seconds()) / 86400.0


def _story_id(first_article: str) -> str:
    return "s" + hashlib.sha1(first_article.encode()).hexdigest()[:10]


class _Rows:
    """Growable float32 matrix (amortised O(1) append), so similarities are one matrix product."""

    def __init__(self) -> None:
        self._a: np.ndarray | None = None
        self.n = 0

    def append(self, v: np.ndarray) -> int:
        if self._a is None:
            self._a = np.zeros((64, v.shape[0]), dtype=np.float32)
        if self.n == self._a.shape[0]:
            self._a = np.vstack([self._a, np.zeros_like(self._a)])
        self._a[self.n] = v
        self.n += 1
        return self.n - 1

    def __setitem__(self, i: int, v: np.ndarray) -> None:
        assert self._a is not None
        self._a[i] = v

    def dot(self, v: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Dot products of the given rows with `v`."""
        return self._a[rows] @ v if self._a is not None else np.zeros(0, dtype=np.float32)


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return v / n if n else v


class StoryClusterer:
    """Online clusterer; `assign` one article at a time, in arrival (publication) order.

    Only the stories of the article's nearest stored members (a faiss search over member
    vectors) are scored: text similarity to their centroid and closest member (multilingual
    document vectors), then entities and time for those whose text similarity could still reach
    the threshold.
    """

    def __init__(self, states: Iterable[StoryState] = (), *, config: ClusterConfig = ClusterConfig(),
                 member_vectors: Mapping[str, ArticleVectors] | None = None) -> None:
        self.config = config
        self.states: dict[str, StoryState] = {}
        self.story_of: dict[str, str] = {}
        self._order: list[str] = []  # story index -> id
        self._index: dict[str, int] = {}
        self._centroids = _Rows()
        self._members = VectorIndex(0, config.ann)  # dimension set by the first member
        self._member_story: list[int] = []
        self._alias: dict[int, int] = {}  # story index merged away -> index it went into
        self._merged: list[tuple[str, str, tuple[str, ...]]] = []  # not yet taken by the runner
        vecs = member_vectors or {}
        states = list(states)
        self._df = DocumentFrequencies(c for st in states for c in st.terms.values())
        self._df.docs = sum(len(st.members) for st in states)
        for st in states:
            self._register(st)
            for m in st.members:
                self.story_of[m] = st.id
                if m in vecs:
                    self._add_member(vecs[m].ml_doc, self._index[st.id])

    def _register(self, state: StoryState, first: np.ndarray | None = None) -> None:
        """Add a story; `first` is the opening article's vector when the story is new."""
        self.states[state.id] = state
        self._index[state.id] = len(self._order)
        self._order.append(state.id)
        self._centroids.append(_unit(state.ml_sum if state.ml_sum is not None else first))

    def _add_member(self, vec: np.ndarray, story_index: int) -> None:
        if not len(self._members):
            self._members = VectorIndex(vec.shape[0], self.config.ann)
        self._members.add([len(self._member_story)], unit_rows([vec]))
        self._member_story.append(story_index)

    def text_similarity(self, vec: ArticleVectors) -> dict[int, float]:
        """Story index -> weighted centroid and closest-member cosine, for the stories of the
        `candidate_members` nearest members (others are farther than all of those)."""
        cfg = self.config
        if not len(self._members):
            return {}
        best: dict[int, float] = {}
        for row, cos in self._members.search(unit_rows([vec.ml_doc]), cfg.candidate_members)[0]:
            story = self._resolve(self._member_story[int(row)])
            best[story] = max(best.get(story, -1.0), cos)
        idx = np.fromiter(best, dtype=np.int64, count=len(best))
        cent = self._centroids.dot(vec.ml_doc, idx)
        return {int(i): cfg.centroid_weight * float(c) + (1 - cfg.centroid_weight) * best[int(i)]
                for i, c in zip(idx, cent, strict=True)}

    def score(self, article: Article, analysis: Analysis, text: float, state: StoryState,
              *, same_story: bool = False, terms: frozenset[str] | None = None) -> float:
        """Combined evidence that `article` reports the event of story `state`."""
        cfg = self.config
        lang = _language(article, analysis)
        if terms is None:
            terms = _terms(article, lang)
        lexical = 0.0
        if cfg.lexical_weight and terms and state.terms.get(lang):
            lexical = cfg.lexical_weight * (self._df.cosine(terms, state.terms[lang])
                                            - cfg.lexical_center)
        mine = entity_keys(analysis)
        ent = (sum(1 for k in mine if k in state.entities) / len(mine)) if mine and state.entities else 0.0
        gap = _gap_days(article.published_at, state)
        penalty = cfg.time_weight * (1 - math.exp(-gap / cfg.time_scale_days))
        return (text + cfg.entity_weight * ent - penalty + lexical
                + (cfg.same_story_bonus if same_story else 0.0))

    def ranked(self, article: Article, analysis: Analysis, vec: ArticleVectors, *,
               same: Collection[str] = ()) -> list[tuple[float, str]]:
        """(score, story id) of the stories the article could join, best first: those of its
        nearest members that are close enough in text to reach `join_threshold` with every bonus,
        and in time (`horizon_days`). `same`: stories relate called `same_story` with it."""
        cfg = self.config
        reach = cfg.join_threshold - cfg.entity_weight - cfg.same_story_bonus
        terms = _terms(article, _language(article, analysis))
        scored = [(self.score(article, analysis, t, self.states[self._order[i]],
                              same_story=self._order[i] in same, terms=terms), self._order[i])
                  for i, t in sorted(self.text_similarity(vec).items())
                  if t >= reach and self._within_horizon(article, self.states[self._order[i]])]
        scored.sort(reverse=True)
        return scored

    def _within_horizon(self, article: Article, state: StoryState) -> bool:
        """Whether the story is near enough in time to take the article: the runner loads only
        stories active within the horizon, and this applies the same limit inside one run, so a
        corpus clustered in one run gets the stories it would get run by run."""
        days = self.config.horizon_days
        return days is None or _gap_days(article.published_at, state) <= days

    def assign(self, article: Article, analysis: Analysis, vec: ArticleVectors,
               relations: Sequence[Relation] = ()) -> str:
        """Put one article into a story and return the story id."""
        if article.id in self.story_of:
            return self.story_of[article.id]
        cfg = self.config
        target = None
        bridged: list[str] = []
        same: set[str] = set()
        for r in sorted(relations, key=lambda r: -r.score):
            other = r.b if r.a == article.id else r.a
            if other not in self.story_of:
                continue
            if r.kind in COPY_KINDS and target is None:
                target = self.story_of[other]
            elif r.kind == "same_story":
                same.add(self.story_of[other])
        if target is None and self._order:
            scored = self.ranked(article, analysis, vec, same=same)
            if scored and scored[0][0] >= cfg.join_threshold:
                target = scored[0][1]
                bridged = [sid for sc, sid in scored[1:] if sc >= cfg.merge_threshold]
        if target is None:
            target = _story_id(article.id)
            self._register(StoryState(id=target), vec.ml_doc)
        self._add(self.states[target], article, analysis, vec)
        for other in bridged:
            target = self._merge(target, other, article)
        return target

    def _prune_terms(self, state: StoryState) -> None:
        """Keep each language's `story_terms` most frequent terms (bounded state size)."""
        for counts in state.terms.values():
            if len(counts) > self.config.story_terms:
                for term, c in counts.most_common()[self.config.story_terms:]:
                    self._df.remove({term: c})
                    del counts[term]

    def _resolve(self, index: int) -> int:
        while index in self._alias:
            index = self._alias[index]
        return index

    def _merge(self, a: str, b: str, bridge: Article) -> str:
        """Merge two stories (the smaller into the larger; the older on a tie); returns the kept id."""
        sa, sb = self.states[a], self.states[b]
        keep, gone = (sa, sb) if (len(sa.members), sb.id) >= (len(sb.members), sa.id) else (sb, sa)
        for m in gone.members:
            self.story_of[m] = keep.id
        keep.members.extend(gone.members)
        if gone.ml_sum is not None:
            keep.ml_sum = gone.ml_sum.copy() if keep.ml_sum is None else keep.ml_sum + gone.ml_sum
        keep.entities.update(gone.entities)
        for k, name in gone.entity_names.items():
            keep.entity_names.setdefault(k, name)
        times = [t for t in (keep.first_seen, keep.last_seen, gone.first_seen, gone.last_seen) if t]
        if times:
            keep.first_seen, keep.last_seen = min(times), max(times)
        keep.titles.extend(gone.titles)
        for lang, counts in gone.terms.items():
            keep.terms.setdefault(lang, Counter()).update(counts)
        self._prune_terms(keep)
        keep.merges.extend(gone.merges)
        keep.merges.append({"story": gone.id, "article": bridge.id, "members": len(gone.members),
                            "at": bridge.published_at.isoformat() if bridge.published_at else None})
        self._alias[self._index[gone.id]] = self._index[keep.id]
        self._centroids[self._index[keep.id]] = _unit(keep.ml_sum)
        del self.states[gone.id]
        self._merged.append((gone.id, keep.id, tuple(gone.members)))
        return keep.id

    def take_merges(self) -> list[tuple[str, str, tuple[str, ...]]]:
        """(merged-away story, story it went into, members moved) since the last call, in order."""
        out, self._merged = self._merged, []
        return out

    def _add(self, state: StoryState, article: Article, analysis: Analysis, vec: ArticleVectors) -> None:
        state.members.append(article.id)
        self.story_of[article.id] = state.id
        idx = self._index[state.id]
        self._add_member(vec.ml_doc, idx)
        state.ml_sum = vec.ml_doc.copy() if state.ml_sum is None else state.ml_sum + vec.ml_doc
        self._centroids[idx] = _unit(state.ml_sum)
        for key, name in entity_keys(analysis).items():
            state.entities[key] += 1
            state.entity_names.setdefault(key, name)
        lang = _language(article, analysis)
        terms = _terms(article, lang)
        self._df.add(terms)
        state.terms.setdefault(lang, Counter()).update(terms)
        self._prune_terms(state)
        when = article.published_at
        if when is not None:
            state.first_seen = when if state.first_seen is None else min(state.first_seen, when)
            state.last_seen = when if state.last_seen is None else max(state.last_seen, when)
        if article.title:
            state.titles.append(article.title)


def _language(article: Article, analysis: Analysis) -> str:
    lang = analysis.language or article.language or ""
    return lang.lower().split("-")[0]


def _terms(article: Article, language: str) -> frozenset[str]:
    return content_terms(f"{article.title}\n{article.text}", language or None)


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
