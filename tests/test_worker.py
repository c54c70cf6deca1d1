"""The second-core worker: a child process gives the same store as doing everything inline,
a script without a main guard can use it, and a dead child is one clear error."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from newsprism.cli import demo_corpus
from newsprism.errors import WorkerError
from newsprism.pipeline import Models, ingest, process
from newsprism.report import build_report
from newsprism.settings import Settings
from newsprism.store import open_store
from newsprism.worker import InlineWorker, ModelSpec, ProcessWorkers


def _report(tmp_path, name, models, settings):
    store = open_store(str(tmp_path / f"{name}.db"))
    ingest(store, [str(demo_corpus())], settings=settings)
    process(store, models, settings=settings)
    report = build_report(store)
    store.close()
    return report


def test_worker_processes_and_one_process_store_the_same_results(models, tmp_path):
    """Batches go to whichever child is free, each child with its own sentence cache; the
    stored relations, stories and comparisons match doing everything in this process. In
    float32: bfloat16 matrix products round differently with the thread count (test below)."""
    assert isinstance(models.worker, ProcessWorkers) or os.cpu_count() == 1
    models.worker.ready()
    settings = Settings(batch_size=8)  # several analyze and relate batches in flight
    fp32 = ModelSpec(precision="fp32")
    with Models(InlineWorker.load(fp32)) as inline:
        want = _report(tmp_path, "inline", inline, settings)
    with Models(ProcessWorkers(2, fp32)) as children:
        got = _report(tmp_path, "children", children, settings)
    assert want["relations"], "the demo corpus has relations to compare"
    assert got == want


def test_a_script_without_a_main_guard_can_start_the_worker(tmp_path):
    script = tmp_path / "unguarded.py"
    script.write_text(textwrap.dedent("""
        from newsprism.models import Article
        from newsprism.analyze import AnalyzeConfig
        from newsprism.worker import ProcessWorkers, result

        worker = ProcessWorkers(1)
        art = Article(id="a1", origin="x", text="The mayor said the bridge will reopen on Monday.", raw="")
        (an,), (vec,) = result(worker.analyze_embed([art], None, AnalyzeConfig()))
        worker.close()
        print("sentences", len(an.sentences), vec.sentences.shape[0])
    """), encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "sentences 1 1"  # printed once: the child did not re-run the script


def test_a_dead_worker_is_one_clear_error():
    from newsprism.worker import result

    worker = ProcessWorkers(1)
    try:
        with pytest.raises(WorkerError, match="worker process stopped"):
            result(worker._submit(os._exit, 3))  # the child dies as an OOM kill would end it
        with pytest.raises(WorkerError, match="worker process stopped"):
            worker._submit(os.getpid)
    finally:
        worker.close()


def _vectors(worker, article):
    from newsprism.analyze import AnalyzeConfig
    from newsprism.worker import result

    (_,), (vec,) = result(worker.analyze_embed([article], None, AnalyzeConfig()))
    return vec.sentences


def test_a_long_lived_owners_workers_are_renewed_once_they_outgrow_their_bound(monkeypatch):
    """`watch` and the server call `renew_if_grown` between runs: the children are replaced
    once they have grown `worker_max_growth_mb` past their size after the first run, and the
    fresh ones give the same vectors. The memory readings are scripted; the pool is real."""
    import numpy as np

    from newsprism.models import Article

    art = Article(id="a1", origin="x", text="The mayor said the bridge will reopen on Monday.", raw="")
    settings = Settings(precision="fp32", worker_max_growth_mb=100.0)
    with Models.from_settings(settings, processes=1, long_lived=True) as models:
        worker = models.worker
        assert isinstance(worker, ProcessWorkers) and worker.max_growth_mb == 100.0
        worker.ready()
        assert worker.rss_mb() > 200  # the child really holds the models
        before, old_pool = _vectors(worker, art), worker._pool
        readings = iter([900.0, 990.0, 1010.0])
        monkeypatch.setattr(worker, "rss_mb", lambda: next(readings))
        assert not models.renew_if_grown()  # the first reading is the baseline
        assert not models.renew_if_grown()  # +90 MB: within the bound
        assert models.renew_if_grown() and worker.renewals == 1  # +110 MB: replaced
        assert worker._pool is not old_pool
        with pytest.raises(RuntimeError):
            old_pool.submit(os.getpid)  # the old children are gone
        assert np.array_equal(_vectors(worker, art), before)
    # a run that ends never renews, however much its children grow
    with Models.from_settings(settings, processes=1) as models:
        assert models.worker.max_growth_mb is None
        grown = iter([900.0, 1e9])
        monkeypatch.setattr(models.worker, "rss_mb", lambda: next(grown))
        assert not models.renew_if_grown() and not models.renew_if_grown()
    assert not InlineWorker(None).renew_if_grown()
