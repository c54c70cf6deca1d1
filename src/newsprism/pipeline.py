"""The runner: composes the pure stages and keeps the store at the edge.

Each stage finds its own unfinished work in the store (articles without an analysis, without
vectors, not yet related, without a story) and commits in small batches, so `run` only
processes what is new and a crash or Ctrl-C loses at most the batch in flight.
"""

from __future__ import annotations

import logging
import os
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TextIO

from datasketch import LeanMinHash

from .analyze.corpus import resolve_by_id
from .clean import clean_documents
from .cluster import ClusterConfig, StoryClusterer, StoryState, arrival_order, to_story
from .compare import compare_story
from .embed import ArticleVectors, SentenceCache, pick_precision
from .errors import IngestError
from .ingest import iter_documents
from .models import Analysis, Article, RawDocument
from .progress import NullProgress, Progress
from .relate import (
    PairInputs, RelateConfig, candidate_pairs_from, minhash_scheme, minhash_signatures, relate_pairs,
)
from .settings import Settings
from .store import Store
from .worker import InlineWorker, ModelSpec, ProcessWorkers, Worker, likely_sentences
from .worker import result as worker_result

logger = logging.getLogger(__name__)


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@dataclass
class Models:
    """The models the pipeline needs, loaded once and injected: here, or on one worker process
    per CPU (`worker.py`)."""

    worker: Worker

    @classmethod
    def load(cls, *, device: str = "cpu", processes: int | None = None,
             cache_size: int = Settings().sentence_cache, precision: str = Settings().precision,
             long_lived: bool = False, max_growth_mb: float | None = None) -> Models:
        """Load every model.

        `processes` worker processes (default: one per usable CPU when there are 2 or more and
        the device is the CPU; 0 keeps everything in this process) each hold every model, about
        1 GB apiece, and take whole batches. `cache_size` sentences' vectors are remembered per
        process across runs (`embed.SentenceCache`). `precision` and `long_lived` (a process that
        runs for days, such as `watch`): `embed.pick_precision`. `max_growth_mb`: the worker
        processes are replaced by `renew_if_grown` once they have grown that much.
        """
        spec = ModelSpec(device=device, precision=pick_precision(device, precision, long_lived=long_lived),
                         cache_size=cache_size)
        if processes is None:
            cpus = usable_cpus()
            processes = cpus if cpus >= 2 and device == "cpu" else 0
        if processes:
            return cls(ProcessWorkers(processes, spec, max_growth_mb=max_growth_mb))
        return cls(InlineWorker.load(spec))

    @classmethod
    def from_settings(cls, settings: Settings, *, processes: int | None = None,
                      long_lived: bool = False) -> Models:
        """`load` with the device, precision and cache size of `settings`; a long-lived owner's
        worker processes are also renewed past `settings.worker_max_growth_mb`."""
        return cls.load(device=settings.device, processes=processes, cache_size=settings.sentence_cache,
                        precision=settings.precision, long_lived=long_lived,
                        max_growth_mb=settings.worker_max_growth_mb if long_lived else None)

    def renew_if_grown(self) -> bool:
        """Call between runs: replaces worker processes that have outgrown their bound
        (`worker.ProcessWorkers.renew_if_grown`); returns whether it did."""
        return self.worker.renew_if_grown()

    def close(self) -> None:
        """Stop the worker processes, if any."""
        self.worker.close()

    def __enter__(self) -> Models:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class IngestSummary:
    read: int = 0
    new: int = 0
    duplicates: int = 0
    errors: list[IngestError] = field(default_factory=list)


@dataclass
class RunSummary:
    ingest: IngestSummary = field(default_factory=IngestSummary)
    analyzed: int = 0
    embedded: int = 0
    related: int = 0
    relations: int = 0
    clustered: int = 0
    compared: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # wall time per stage
    _clock: float = field(default_factory=time.perf_counter, repr=False, compare=False)

    def lap(self, stage: str) -> None:
        """Record the wall time since the previous lap (or since the summary was made)."""
        now = time.perf_counter()
        self.seconds[stage] = round(now - self._clock, 3)
        self._clock = now


def ingest(store: Store, inputs: Sequence[str], *, settings: Settings = Settings(),
           stdin: TextIO | None = None, progress: Progress = NullProgress(),
           on_error=None) -> IngestSummary:  # type: ignore[no-untyped-def]
    """Read inputs, clean them and store new articles; bad inputs are reported, not fatal."""
    items = iter_documents(inputs, stdin=stdin, max_bytes=settings.max_bytes)
    return ingest_documents(store, items, settings=settings, progress=progress, on_error=on_error)


def ingest_documents(store: Store, items: Iterable[RawDocument | IngestError], *,
                     settings: Settings = Settings(), progress: Progress = NullProgress(),
                     on_error=None) -> IngestSummary:  # type: ignore[no-untyped-def]
    """Clean and store documents already read (feeds, the watcher); errors are counted and passed on."""
    summary = IngestSummary()
    chunk: list[RawDocument] = []

    def flush() -> None:
        if not chunk:
            return
        arts = clean_documents(chunk, config=settings.clean)
        new = store.add_articles(arts)
        summary.new += len(new)
        summary.duplicates += len(arts) - len(new)
        chunk.clear()

    with progress.task("ingest", None) as task:
        for item in items:
            if isinstance(item, IngestError):
                summary.errors.append(item)
                if on_error is not None:
                    on_error(item)
                continue
            summary.read += 1
            chunk.append(item)
            task.advance()
            if len(chunk) >= settings.ingest_chunk:
                flush()
        flush()
    return summary


def _batches(ids: Sequence[str], n: int) -> Iterable[list[str]]:
    for i in range(0, len(ids), n):
        yield list(ids[i:i + n])


def analyze_and_embed_pending(store: Store, models: Models, *, settings: Settings,
                              progress: Progress) -> tuple[int, int]:
    """Analyze what has no analysis and embed what has no vectors, as (analyzed, embedded).

    Each batch goes to the worker whole (analyze, then embed); one batch more than the worker
    runs at once is kept in flight so that no process waits on the store. Results are stored
    in batch order, analyses before vectors: an interrupted run leaves analyzed articles
    without vectors, which the next run embeds first.
    """
    ids = store.ids_without_analysis()
    fresh = set(ids)
    leftovers = [i for i in store.ids_without_vectors() if i not in fresh]
    jobs = [(b, False) for b in _batches(leftovers, settings.batch_size)] + \
        [(b, True) for b in _batches(ids, settings.batch_size)]

    known = SentenceCache(settings.sentence_cache)  # vectors of this run's sentences, for hints

    def start(batch: list[str], analyze: bool) -> Future[tuple[list[Analysis], list[ArticleVectors]]]:
        arts = store.articles(batch)
        stored = None if analyze else store.analyses(batch)
        hints = {}
        if models.worker.parallel > 1:
            for art in arts:
                for text in likely_sentences(art.text):
                    if (row := known.get(text)) is not None:
                        hints[text] = row
        return models.worker.analyze_embed(arts, None if stored is None else [stored[a.id] for a in arts],
                                           settings.analyze, hints)

    with progress.task("analyze", len(ids)) as analyzed, \
            progress.task("embed", len(ids) + len(leftovers)) as embedded:

        def finish(future: Future[tuple[list[Analysis], list[ArticleVectors]]]) -> None:
            ans, vecs = worker_result(future)
            if ans:
                store.save_analyses(ans)
                analyzed.advance(len(ans))
                if models.worker.parallel > 1:
                    for an, vec in zip(ans, vecs, strict=True):
                        for sent, mono, multi in zip(an.sentences, vec.sentences, vec.ml_sentences, strict=True):
                            known.put(sent.text, mono, multi)
            store.save_vectors(vecs)
            embedded.advance(len(vecs))

        in_flight: deque[Future[tuple[list[Analysis], list[ArticleVectors]]]] = deque()
        for batch, analyze in jobs:
            in_flight.append(start(batch, analyze))
            if len(in_flight) > models.worker.parallel:
                finish(in_flight.popleft())
        while in_flight:
            finish(in_flight.popleft())
    return len(ids), len(ids) + len(leftovers)


def _dated_span(store: Store, ids: Sequence[str]) -> tuple[datetime, datetime] | None:
    """(earliest, latest) publication of `ids`; None when none of them is dated."""
    dated = [d for d in store.published(ids).values() if d is not None]
    return (min(dated), max(dated)) if dated else None


def relate_scope(store: Store, new: Sequence[str], cfg: RelateConfig) -> list[str] | None:
    """The stored articles worth indexing for the `new` ones (None: all of them).

    With a horizon of h days: those published in [earliest new − h, latest new + h], every
    undated article (it cannot be placed in time, so it is never ruled out) and the new ones.
    Undated new articles are searched within the window of the run's dated ones (in a stream
    they arrive together, so that is the best guess of their time); a run with no dated new
    article has no window and indexes everything.
    """
    span = _dated_span(store, new) if cfg.horizon_days is not None and new else None
    if span is None or cfg.horizon_days is None:
        return None
    h = timedelta(days=cfg.horizon_days)
    inside = store.ids_published_between(span[0] - h, span[1] + h, include_undated=True)
    return list(dict.fromkeys([*inside, *new]))


def active_since(store: Store, new: Sequence[str], cfg: ClusterConfig) -> datetime | None:
    """Stories whose last article is before this cannot take the `new` ones (None: load all).

    The earliest dated new article minus the horizon; None without a horizon or with no dated
    new article (then nothing places the run in time).
    """
    span = _dated_span(store, new) if cfg.horizon_days is not None and new else None
    if span is None or cfg.horizon_days is None:
        return None
    return span[0] - timedelta(days=cfg.horizon_days)


def _within_days(store: Store, pairs: Iterable[tuple[str, str]], days: float) -> set[tuple[str, str]]:
    """The pairs published at most `days` apart (an undated side cannot be placed, so it stays).

    `relate_scope` bounds what a run loads by the same horizon; this bounds each pair too, so a
    corpus ingested in one run is related as it would be run by run, not across months because
    its years arrived together.
    """
    pairs = set(pairs)
    when = store.published({x for p in pairs for x in p})
    h = timedelta(days=days)
    return {(a, b) for a, b in pairs
            if (ta := when.get(a)) is None or (tb := when.get(b)) is None or abs(ta - tb) <= h}


def relate_plan(store: Store, new: Sequence[str], cfg: RelateConfig, *,
                sign: Callable[[Sequence[str]], Iterable[dict[str, LeanMinHash]]],
                search: Callable[..., set[tuple[str, str]]]) -> dict[str, list[tuple[str, str]]]:
    """The candidate pairs of the `new` articles, each listed under the newer of its two ids.

    Shared by both engines, which differ only in how they `sign` (MinHash the texts of the
    ids given, batch by batch) and `search` (`candidate_pairs_from`'s signature). Signatures are
    saved as they come, and only articles within the horizon (`relate_scope`) are loaded. A
    batch of new articles is marked related together with every pair it closes, so a crash
    never leaves a pair half done.
    """
    scope = relate_scope(store, new, cfg)
    sigs = store.signatures(seed=cfg.seed, num_perm=cfg.num_perm, scheme=minhash_scheme(cfg), ids=scope)
    unsigned = [aid for aid in store.ids_with_vectors(scope) if aid not in sigs]
    for fresh in sign(unsigned) if unsigned else ():
        store.save_signatures(fresh)
        sigs.update(fresh)
    pairs = search(sigs, store.doc_vectors(scope), store.languages(scope), config=cfg, queries=new)
    if cfg.horizon_days is not None:
        pairs = _within_days(store, pairs, cfg.horizon_days)
    pos = {aid: i for i, aid in enumerate(new)}
    by_later: dict[str, list[tuple[str, str]]] = {}
    for a, b in sorted(pairs):
        by_later.setdefault(max((a, b), key=lambda x: pos.get(x, -1)), []).append((a, b))
    return by_later


class _RecentInputs:
    """The article, analysis and vectors of the last articles relate read, least recent dropped.

    Candidates are mostly recent articles, so consecutive relate batches share most of them:
    kept here, they are not read and their analyses' JSON not parsed again for every batch.
    Bounded, so memory stays constant over a long stream.
    """

    def __init__(self, store: Store, size: int = 512) -> None:
        self._store, self._size = store, size
        self._rows: OrderedDict[str, tuple[Article, Analysis, ArticleVectors]] = OrderedDict()

    def get(self, ids: Iterable[str]) -> PairInputs:
        ids = sorted(ids)
        missing = [i for i in ids if i not in self._rows]
        if missing:
            arts = {a.id: a for a in self._store.articles(missing)}
            ans, vecs = self._store.analyses(missing), self._store.vectors(missing)
            for i in missing:
                if i in arts and i in ans and i in vecs:
                    self._rows[i] = (arts[i], ans[i], vecs[i])
        out: tuple[dict[str, Article], dict[str, Analysis], dict[str, ArticleVectors]] = ({}, {}, {})
        for i in ids:
            row = self._rows.get(i)
            if row is not None:
                self._rows.move_to_end(i)
                for d, x in zip(out, row, strict=True):
                    d[i] = x  # type: ignore[index]
        while len(self._rows) > max(self._size, len(ids)):
            self._rows.popitem(last=False)
        return out


def relate_pending(store: Store, *, settings: Settings, progress: Progress) -> tuple[int, int]:
    """Compare each new article with every candidate stored before it (or in its batch).

    Only the new articles are signed and searched; the index holds the signature and document
    vectors of every stored article within the horizon (`relate_scope`), never texts or
    sentence matrices. Pairs are related in this process: sending a share of them, with their
    texts, analyses and vectors, to a worker process cost what it saved (BENCHMARKS.md,
    "Worker processes vs one process").
    """
    new = store.ids_not_related()
    if not new:
        return 0, 0
    cfg = settings.relate

    def sign(unsigned: Sequence[str]) -> Iterable[dict[str, LeanMinHash]]:
        for batch in _batches(unsigned, settings.batch_size * 8):
            yield minhash_signatures(store.articles(batch), config=cfg)

    by_later = relate_plan(store, new, cfg, sign=sign, search=candidate_pairs_from)
    n_rel = 0
    recent = _RecentInputs(store)
    with progress.task("relate", len(new)) as task:
        for batch in _batches(new, settings.batch_size):
            todo = [p for aid in batch for p in by_later.get(aid, [])]
            done = relate_pairs(todo, recent.get({x for p in todo for x in p}), cfg)
            rels = [r for r in done if r.kind != "unrelated"]
            store.save_relations(rels, batch)
            n_rel += len(rels)
            task.advance(len(batch))
    return len(new), n_rel


def cluster_pending(store: Store, *, settings: Settings, progress: Progress) -> tuple[int, set[str]]:
    """Assign stories to new articles in publication order; returns (count, touched stories)."""
    ids = store.ids_without_story()
    if not ids:
        return 0, set()
    # only stories active within the horizon (and their members' vectors): the others are left
    # untouched in the store, and a relation to one of their members is skipped by `assign`
    states = [StoryState.from_dict(d)
              for d in store.story_states(active_since=active_since(store, ids, settings.cluster))]
    members = [m for s in states for m in s.members]
    # document vectors only: assignment never reads the sentence matrices
    clusterer = StoryClusterer(states, config=settings.cluster, member_vectors=store.doc_vectors(members))
    arts = arrival_order(store.articles(ids))
    touched: set[str] = set()
    with progress.task("cluster", len(arts)) as task:
        for batch in _batches([a.id for a in arts], settings.batch_size):
            ans, vecs = store.analyses(batch), store.doc_vectors(batch)
            rels = store.relations(batch)
            assigned = []
            for a in store.articles(batch):
                mine = [r for r in rels if a.id in (r.a, r.b)]
                sid = clusterer.assign(a, ans[a.id], vecs[a.id], mine)
                assigned.append((a.id, sid))
                touched.add(sid)
            # merges move earlier members too: rewrite them, drop the merged-away stories
            current = {aid: clusterer.story_of[aid] for aid, _ in assigned}
            merges = clusterer.take_merges()
            current.update((m, clusterer.story_of[m]) for _, _, moved in merges for m in moved)
            gone = {g for g, _, _ in merges}
            kept = set(current.values())
            store.save_stories([clusterer.states[s].to_dict() for s in kept], list(current.items()),
                               drop=sorted(gone - kept))
            touched = (touched - gone) | kept
            task.advance(len(batch))
    return len(ids), touched


def compare_stories(store: Store, story_ids: Iterable[str], *, settings: Settings,
                    progress: Progress) -> int:
    story_ids = list(story_ids)
    states = {d["id"]: StoryState.from_dict(d) for d in store.story_states_of(story_ids)}  # not all
    sids = [s for s in story_ids if s in states]
    with progress.task("compare", len(sids)) as task:
        for sid in sids:
            st = states[sid]
            ids = st.members
            arts = {a.id: a for a in store.articles(ids)}
            rels = [r for r in store.relations(ids) if r.a in arts and r.b in arts]
            analyses = resolve_by_id(store.analyses(ids), arts)
            comp = compare_story(sid, ids, articles=arts, analyses=analyses,
                                 vectors=store.vectors(ids), relations=rels, config=settings.compare)
            story = to_story(st, comp.lines, n_entities=settings.cluster.label_entities)
            store.save_comparisons([comp], [story])
            task.advance()
    return len(sids)


def process(store: Store, models: Models, *, settings: Settings = Settings(),
            progress: Progress = NullProgress()) -> RunSummary:
    """Run every stage after ingest on whatever the store has not processed yet."""
    s = RunSummary()
    s.analyzed, s.embedded = analyze_and_embed_pending(store, models, settings=settings, progress=progress)
    s.lap("analyze+embed")
    s.related, s.relations = relate_pending(store, settings=settings, progress=progress)
    s.lap("relate")
    s.clustered, touched = cluster_pending(store, settings=settings, progress=progress)
    s.lap("cluster")
    stale = set(store.stale_story_ids()) | touched
    s.compared = compare_stories(store, sorted(stale), settings=settings, progress=progress)
    s.lap("compare")
    return s


__all__ = ["IngestSummary", "Models", "RunSummary", "ingest", "ingest_documents", "process"]
