"""Where the model stages run: here, or on one child process per CPU.

spaCy (analyze) is Python that holds the GIL, and torch's threads stall when another process
takes their core, so threads in one process do not use a second core well. `ProcessWorkers`
starts one child per usable CPU, each with every model loaded and one torch thread, and hands
each a whole batch: analyze then embed, so the mix of the two stages (long articles cost spaCy
more, short ones MiniLM more) never leaves a core idle. `InlineWorker` does the same work in
the calling process, for one CPU and for tests. Children are spawned, not forked: forking a process whose
torch has started its OpenMP threads can hang the child.
"""

from __future__ import annotations

import multiprocessing
import re
import signal
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np

from .analyze import analyze_articles, blank_pipeline, load_nlp, make_language_detector
from .analyze.config import AnalyzeConfig
from .embed import (
    SENTENCE_CACHE, ArticleVectors, MiniLMEncoder, MultilingualEncoder, SentenceCache, embed_articles,
)
from .errors import WorkerError
from .heap import rss_kb, trim_heap
from .models import Analysis, Article

Embedded = tuple[list[Analysis], list[ArticleVectors]]
Hints = dict[str, tuple[np.ndarray, np.ndarray]]


class Worker(Protocol):
    #: how many batches it works on at once (the runner keeps that many in flight)
    parallel: int

    def analyze_embed(self, articles: Sequence[Article], analyses: Sequence[Analysis] | None,
                      config: AnalyzeConfig, hints: Hints | None = None) -> Future[Embedded]: ...

    def ready(self) -> None: ...

    def renew_if_grown(self) -> bool: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class ModelSpec:
    """Which models to load and how; picklable, so worker processes and Ray actors load the
    same ones. `threads` caps torch's and USE's threads (None: the libraries' defaults)."""

    device: str = "cpu"
    precision: str = "auto"  # MiniLM's number format: `embed.pick_precision`
    cache_size: int = SENTENCE_CACHE
    threads: int | None = None

    def load(self) -> StageModels:
        encoder = MiniLMEncoder(device=self.device, threads=self.threads, precision=self.precision)
        multilingual = MultilingualEncoder(**({"threads": self.threads} if self.threads else {}))
        return StageModels(load_nlp(), encoder, multilingual, SentenceCache(self.cache_size))


@dataclass
class StageModels:
    """Every model a batch needs, and the embedder's sentence cache (one process's)."""

    nlp: Any
    encoder: Any
    multilingual: Any
    cache: SentenceCache
    blank: Any = None
    detector: Any = None

    def analyze(self, articles: Sequence[Article], config: AnalyzeConfig) -> list[Analysis]:
        if self.detector is None:
            self.blank, self.detector = blank_pipeline(), make_language_detector()
        return list(analyze_articles(articles, nlp=self.nlp, config=config, blank=self.blank,
                                     detector=self.detector))

    def embed(self, articles: Sequence[Article], analyses: Sequence[Analysis],
              hints: Hints | None = None) -> list[ArticleVectors]:
        """Vectors of one batch; `hints` are sentence vectors the caller already has, added to
        this process's cache first."""
        for text, (mono, multi) in (hints or {}).items():
            self.cache.put(text, mono, multi)
        return embed_articles(articles, analyses, encoder=self.encoder, multilingual=self.multilingual,
                              cache=self.cache)

    def analyze_embed(self, articles: Sequence[Article], analyses: Sequence[Analysis] | None,
                      config: AnalyzeConfig, hints: Hints | None = None) -> Embedded:
        """Analyze (unless `analyses` are given: a resumed run) and embed one batch; returns the
        new analyses (none when given) and the vectors."""
        if analyses is not None:
            return [], self.embed(articles, analyses, hints)
        fresh = self.analyze(articles, config)
        return fresh, self.embed(articles, fresh, hints)


def _done(fn: Any, *args: Any) -> Future[Any]:
    out: Future[Any] = Future()
    try:
        out.set_result(fn(*args))
    except Exception as exc:  # noqa: BLE001 - handed to the caller through the future
        out.set_exception(exc)
    return out


class InlineWorker:
    """Does the work in the calling process; every future it returns is already done."""

    parallel = 1

    def __init__(self, models: StageModels) -> None:
        self.models = models

    @classmethod
    def load(cls, spec: ModelSpec = ModelSpec()) -> InlineWorker:
        return cls(spec.load())

    @property
    def nlp(self) -> Any:
        return self.models.nlp

    def analyze_embed(self, articles: Sequence[Article], analyses: Sequence[Analysis] | None,
                      config: AnalyzeConfig, hints: Hints | None = None) -> Future[Embedded]:
        return _done(self.models.analyze_embed, articles, analyses, config, hints)

    def ready(self) -> None:
        pass

    def renew_if_grown(self) -> bool:
        return False  # the calling process's memory is its owner's to bound

    def close(self) -> None:
        pass


# -- the children's side: models loaded once per child, by the pool's initializer ------------
_child: list[StageModels] = []


def _start_child(spec: ModelSpec) -> None:
    # Ctrl-C reaches the whole process group; the parent alone decides what to do with it
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _child.append(replace(spec, threads=1).load())


def _analyze_embed_in_child(articles: Sequence[Article], analyses: Sequence[Analysis] | None,
                            config: AnalyzeConfig, hints: Hints | None) -> Embedded:
    try:
        return _child[0].analyze_embed(articles, analyses, config, hints)
    finally:
        trim_heap()  # a child lives as long as a `watch`: keep its heap from creeping up


def _ready() -> bool:
    return True


@contextmanager
def _main_not_rerun() -> Iterator[None]:
    """Hide the parent's `__main__` from multiprocessing while children are spawned.

    A spawned child normally imports the parent's main script again, which re-runs a script
    without an ``if __name__ == "__main__"`` guard (a short library script calling
    `pipeline.Models.load`) and fails. The children need nothing from it: what they run lives here.
    """
    main = sys.modules.get("__main__")
    saved = {k: main.__dict__[k] for k in ("__file__", "__spec__") if main is not None and k in main.__dict__}
    try:
        for k in saved:
            if k == "__spec__":
                main.__spec__ = None  # type: ignore[union-attr]
            else:
                delattr(main, k)
        yield
    finally:
        for k, v in saved.items():
            setattr(main, k, v)


class ProcessWorkers:
    """`n` spawned children with every model each, loading as soon as this is made.

    A long-lived owner (`watch`, the server) passes `max_growth_mb`: the children's memory creeps
    up over a long stream (a few MB a run in float32, more in bfloat16: spaCy's string store,
    allocator fragmentation, oneDNN's kernel caches) and replacing them is the one sure bound.
    `ProcessPoolExecutor(max_tasks_per_child=...)` would do it for us, but on Python 3.11 it
    deadlocks when a child reaches its limit with tasks queued (CPython gh-115634), so the owner
    calls `renew_if_grown` between runs, when nothing is in flight.
    """

    def __init__(self, n: int = 2, spec: ModelSpec = ModelSpec(), *,
                 max_growth_mb: float | None = None) -> None:
        self.parallel, self.spec, self.max_growth_mb = n, spec, max_growth_mb
        self.renewals = 0  # times the children were replaced
        self._baseline: float | None = None
        self._start()

    def _start(self) -> None:
        self._pool = ProcessPoolExecutor(max_workers=self.parallel, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_start_child, initargs=(self.spec,))
        with _main_not_rerun():  # the children are spawned by the first submits
            self._started = [self._pool.submit(_ready) for _ in range(self.parallel)]

    def ready(self) -> None:
        """Wait until the workers have loaded their models (they load in the background)."""
        for future in self._started:
            result(future)

    def rss_mb(self) -> float:
        """The children's summed resident memory (MB), from /proc (0 where there is none)."""
        # the pool keeps its children in a private dict; nothing public lists them
        return sum(rss_kb(pid) for pid in list(getattr(self._pool, "_processes", None) or {})) / 1024

    def renew_if_grown(self) -> bool:
        """Between runs: replace the children (their models reload in the background) once they
        have grown `max_growth_mb` past their size after the first run. The first call after a
        start takes that size; returns whether the children were replaced."""
        if self.max_growth_mb is None:
            return False
        rss = self.rss_mb()
        if self._baseline is None:
            self._baseline = rss
            return False
        if rss - self._baseline < self.max_growth_mb:
            return False
        self._pool.shutdown(wait=True)
        self._start()
        self._baseline = None
        self.renewals += 1
        return True

    def _submit(self, fn: Any, *args: Any) -> Future[Any]:
        try:
            return self._pool.submit(fn, *args)
        except BrokenProcessPool as exc:
            raise WorkerError(f"a worker process stopped: {exc}") from exc

    def analyze_embed(self, articles: Sequence[Article], analyses: Sequence[Analysis] | None,
                      config: AnalyzeConfig, hints: Hints | None = None) -> Future[Embedded]:
        return self._submit(_analyze_embed_in_child, list(articles), analyses, config, hints)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def result(future: Future[Any]) -> Any:
    """A submitted job's result, a dead child reported as one `WorkerError` line."""
    try:
        return future.result()
    except BrokenProcessPool as exc:
        raise WorkerError(f"a worker process stopped: {exc}") from exc


#: Where a sentence most likely ends, for `likely_sentences`: end punctuation (perhaps closed by
#: a quote or bracket) and space, or a line break (which always ends one, `sentence_spans`).
_ROUGH_END = re.compile(r"(?<=[.!?])\s+|(?<=[.!?][\"'\u201d\u2019)\]])\s+|\s*\n\s*")


def likely_sentences(text: str) -> list[str]:
    """The text cut where a sentence most likely ends: a cheap guess at what the analyze stage
    will find, good enough to look up vectors the parent already has (`hints`). Each child has
    its own sentence cache, so without hints a wire copy analyzed by one child would miss the
    vectors its original got in the other."""
    return [p.strip() for p in _ROUGH_END.split(text) if p.strip()]


__all__ = ["InlineWorker", "ModelSpec", "ProcessWorkers", "StageModels", "Worker", "likely_sentences", "result"]
