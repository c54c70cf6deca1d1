"""Where the model stages and pair classification run: here, or on one child process per CPU.

spaCy (analyze) and the relate stage are Python that holds the GIL, and torch's threads stall
when another process takes their core, so threads in one process do not use a second core
well. `ProcessWorkers` starts one child per usable CPU, each with every model loaded and one
torch thread, and hands each a whole batch: analyze then embed, so the mix of the two stages
(long articles cost spaCy more, short ones MiniLM more) never leaves a core idle. Relate
batches are split between the children. `InlineWorker` does the same work in the calling
process, for one CPU and for tests. Children are spawned, not forked: forking a process whose
torch has started its OpenMP threads can hang the child.
"""

from __future__ import annotations

import multiprocessing
import re
import signal
import sys
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from .analyze import analyze_articles, blank_pipeline, load_nlp, make_language_detector
from .analyze.config import AnalyzeConfig
from .embed import ArticleVectors, MiniLMEncoder, MultilingualEncoder, SentenceCache, embed_articles
from .errors import WorkerError
from .heap import trim_heap
from .models import Analysis, Article, Relation
from .relate import RelateConfig, relate_pair

Pair = tuple[str, str]
PairInputs = tuple[Mapping[str, Article], Mapping[str, Analysis], Mapping[str, ArticleVectors]]
Embedded = tuple[list[Analysis], list[ArticleVectors]]
Hints = dict[str, tuple[np.ndarray, np.ndarray]]


class Worker(Protocol):
    #: how many batches it works on at once (the runner keeps that many in flight)
    parallel: int

    def analyze_embed(self, articles: Sequence[Article], analyses: Sequence[Analysis] | None,
                      config: AnalyzeConfig, hints: Hints | None = None) -> Future[Embedded]: ...

    def relate(self, pairs: Sequence[Pair], inputs: PairInputs, config: RelateConfig) -> Future[list[Relation]]: ...

    def ready(self) -> None: ...

    def close(self) -> None: ...


def relate_pairs(pairs: Sequence[Pair], inputs: PairInputs, config: RelateConfig) -> list[Relation]:
    """`relate_pair` of each pair (unrelated ones included), in order."""
    arts, ans, vecs = inputs
    return [relate_pair(arts[a], arts[b], ans[a], ans[b], vecs[a], vecs[b], config=config) for a, b in pairs]


@dataclass
class _Models:
    """Every model a batch needs, and the embedder's sentence cache."""

    nlp: Any
    encoder: Any
    multilingual: Any
    cache: SentenceCache
    blank: Any = None
    detector: Any = None

    def analyze_embed(self, articles: Sequence[Article], analyses: Sequence[Analysis] | None,
                      config: AnalyzeConfig, hints: Hints | None = None) -> Embedded:
        """Analyze (unless `analyses` are given: a resumed run) and embed one batch; `hints` are
        sentence vectors the caller already has, added to this process's cache first."""
        for text, (mono, multi) in (hints or {}).items():
            self.cache.put(text, mono, multi)
        fresh = analyses is None
        if fresh:
            if self.detector is None:
                self.blank, self.detector = blank_pipeline(), make_language_detector()
            analyses = analyze_articles(articles, nlp=self.nlp, config=config, blank=self.blank,
                                        detector=self.detector)
        vecs = embed_articles(articles, analyses, encoder=self.encoder, multilingual=self.multilingual,
                              cache=self.cache)
        return (list(analyses) if fresh else []), vecs


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

    def __init__(self, nlp: Any, encoder: Any, multilingual: Any, *, cache_size: int = 20_000) -> None:
        self.models = _Models(nlp, encoder, multilingual, SentenceCache(cache_size))

    @classmethod
    def load(cls, *, device: str = "cpu", cache_size: int = 20_000) -> InlineWorker:
        return cls(load_nlp(), MiniLMEncoder(device=device), MultilingualEncoder(), cache_size=cache_size)

    @property
    def nlp(self) -> Any:
        return self.models.nlp

    def analyze_embed(self, articles: Sequence[Article], analyses: Sequence[Analysis] | None,
                      config: AnalyzeConfig, hints: Hints | None = None) -> Future[Embedded]:
        return _done(self.models.analyze_embed, articles, analyses, config, hints)

    def relate(self, pairs: Sequence[Pair], inputs: PairInputs, config: RelateConfig) -> Future[list[Relation]]:
        return _done(relate_pairs, pairs, inputs, config)

    def ready(self) -> None:
        pass

    def close(self) -> None:
        pass


# -- the children's side: models loaded once per child, by the pool's initializer ------------
_child: list[_Models] = []


def _start_child(device: str, cache_size: int) -> None:
    # Ctrl-C reaches the whole process group; the parent alone decides what to do with it
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _child.append(_Models(load_nlp(), MiniLMEncoder(device=device, threads=1),
                          MultilingualEncoder(threads=1), SentenceCache(cache_size)))


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
    `Models.load`) and fails. The children need nothing from it: what they run lives here.
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
    """`n` spawned children with every model each, loading as soon as this is made."""

    def __init__(self, n: int = 2, *, device: str = "cpu", cache_size: int = 20_000) -> None:
        self.parallel = n
        self._pool = ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_start_child, initargs=(device, cache_size))
        with _main_not_rerun():  # the children are spawned by the first submits
            self._started = [self._pool.submit(_ready) for _ in range(n)]

    def ready(self) -> None:
        """Wait until the workers have loaded their models (they load in the background)."""
        for future in self._started:
            result(future)

    def _submit(self, fn: Any, *args: Any) -> Future[Any]:
        try:
            return self._pool.submit(fn, *args)
        except BrokenProcessPool as exc:
            raise WorkerError(f"a worker process stopped: {exc}") from exc

    def analyze_embed(self, articles: Sequence[Article], analyses: Sequence[Analysis] | None,
                      config: AnalyzeConfig, hints: Hints | None = None) -> Future[Embedded]:
        return self._submit(_analyze_embed_in_child, list(articles), analyses, config, hints)

    def relate(self, pairs: Sequence[Pair], inputs: PairInputs, config: RelateConfig) -> Future[list[Relation]]:
        need = {x for p in pairs for x in p}  # send only what these pairs read
        arts, ans, vecs = inputs
        return self._submit(relate_pairs, list(pairs), ({k: arts[k] for k in need}, {k: ans[k] for k in need},
                                                        {k: vecs[k] for k in need}), config)

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


__all__ = ["InlineWorker", "ProcessWorkers", "Worker", "likely_sentences", "relate_pairs", "result"]
