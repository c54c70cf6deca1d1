"""A Ctrl-C in the middle of a run leaves a consistent store; the next run finishes the job."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from newsprism.cli import demo_corpus
from newsprism.pipeline import ingest, process
from newsprism.report import build_report
from newsprism.settings import Settings
from newsprism.store import open_store


class _InterruptAt:
    """A progress reporter that raises KeyboardInterrupt inside one stage after n items."""

    def __init__(self, stage: str, after: int) -> None:
        self.stage, self.after, self.seen = stage, after, 0

    @contextmanager
    def task(self, description, total):
        outer = self

        class T:
            def advance(self, n=1):
                if description == outer.stage:
                    outer.seen += n
                    if outer.seen >= outer.after:
                        raise KeyboardInterrupt

        yield T()


@pytest.mark.parametrize("stage", ["analyze", "embed", "relate", "cluster"])
def test_interrupted_run_resumes_to_the_same_result(tmp_path, models, stage):
    settings = Settings(batch_size=8)
    ref = open_store(str(tmp_path / "ref.db"))
    ingest(ref, [str(demo_corpus())], settings=settings)
    process(ref, models, settings=settings)
    want = build_report(ref)

    db = str(tmp_path / "cut.db")
    store = open_store(db)
    ingest(store, [str(demo_corpus())], settings=settings)
    with pytest.raises(KeyboardInterrupt):
        process(store, models, settings=settings, progress=_InterruptAt(stage, 8))
    store.close()
    store = open_store(db)
    assert store.count_articles() == len(want["articles"])
    process(store, models, settings=settings)
    got = build_report(store)
    assert {a["id"] for a in got["articles"]} == {a["id"] for a in want["articles"]}
    assert sorted((r["a"], r["b"], r["kind"]) for r in got["relations"]) == \
        sorted((r["a"], r["b"], r["kind"]) for r in want["relations"])
    assert sorted(sorted(s["articles"]) for s in got["stories"]) == \
        sorted(sorted(s["articles"]) for s in want["stories"])
