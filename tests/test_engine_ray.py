"""`--engine ray`: the global steps as shuffles equal the in-process ones, and the demo corpus
gives the same report on both engines."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from datasketch import MinHashLSH

from newsprism.embed import ArticleVectors
from newsprism.engine_ray import RayConfig, candidate_pairs_ray, lsh_pairs, process_ray, start_ray
from newsprism.models import Article
from newsprism.relate import RelateConfig, candidate_pairs_from, minhash_signatures


@pytest.fixture(scope="module")
def ray_session():
    import ray

    started = start_ray(num_cpus=2)
    yield
    if started:
        ray.shutdown()


def _corpus(n: int = 200, seed: int = 7) -> list[Article]:
    """Random texts with planted near-copies (a few words changed) and exact copies."""
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(3000)]
    texts = [" ".join(rng.choices(vocab, k=120)) for _ in range(n // 2)]
    for i in range(n - len(texts)):
        words = texts[i % len(texts)].split()
        for _ in range(rng.choice([0, 2, 6, 20])):
            words[rng.randrange(len(words))] = rng.choice(vocab)
        texts.append(" ".join(words))
    return [Article(id=f"a{i:03d}", origin="test", text=t, raw=t) for i, t in enumerate(texts)]


def test_lsh_shuffle_equals_datasketch_query(ray_session):
    cfg = RelateConfig()
    sigs = minhash_signatures(_corpus(), config=cfg)
    queries = sorted(sigs)[::3]
    lsh = MinHashLSH(threshold=cfg.lsh_threshold, num_perm=cfg.num_perm)
    for aid, m in sigs.items():
        lsh.insert(aid, m)
    want = {(min(q, o), max(q, o)) for q in queries for o in lsh.query(sigs[q]) if o != q}
    assert len(want) > 20  # the planted copies are found
    assert lsh_pairs(sigs, queries, config=cfg) == want


def test_candidate_shuffles_equal_in_process(ray_session):
    """LSH + kNN (within and across languages, unknown language too) as on one machine."""
    cfg = RelateConfig()
    arts = _corpus(120, seed=3)
    sigs = minhash_signatures(arts, config=cfg)
    rng = np.random.default_rng(0)
    base = rng.normal(size=(40, 384)).astype(np.float32)
    ml_base = rng.normal(size=(40, 512)).astype(np.float32)
    vecs, langs = {}, {}
    for i, a in enumerate(arts):
        j = i % 40
        vecs[a.id] = ArticleVectors(a.id, base[j] + 0.3 * rng.normal(size=384).astype(np.float32),
                                    np.zeros((0, 384), np.float32),
                                    ml_base[j] + 0.3 * rng.normal(size=512).astype(np.float32),
                                    np.zeros((0, 512), np.float32))
        langs[a.id] = ["en", "en", "es", "de-AT", None][i % 5]
    queries = [a.id for a in arts[60:]]
    want = candidate_pairs_from(sigs, vecs, langs, config=cfg, queries=queries)
    assert candidate_pairs_ray(sigs, vecs, langs, config=cfg, queries=queries) == want


def test_reopenable_addresses(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from newsprism.engine_ray.session import reopenable

    monkeypatch.chdir(tmp_path)
    for db, want in ((":memory:", None), ("sqlite:///:memory:", None), ("sqlite://", None),
                     ("s.db", str(tmp_path / "s.db")), ("sqlite:///rel/s.db", f"sqlite:///{tmp_path}/rel/s.db"),
                     ("sqlite:////abs/s.db", "sqlite:////abs/s.db"),
                     ("postgresql://u@h/db", "postgresql://u@h/db")):
        assert reopenable(SimpleNamespace(db=db)) == want, db


def test_store_reader_reads_an_existing_store_and_never_creates_one(tmp_path):
    from newsprism.engine_ray.session import _articles, _dump, _load, _StoreReader
    from newsprism.errors import StoreError
    from newsprism.store import open_store

    open_store(str(tmp_path / "s.db")).add_articles(_corpus(4))
    for db in (str(tmp_path / "s.db"), f"sqlite:///{tmp_path}/s.db"):
        out = _StoreReader(db, _articles)({"k": [_dump(["a001", "a003"]), _dump(["a000"])]})
        assert [[a.id for a in _load(p)] for p in out["p"]] == [["a001", "a003"], ["a000"]]
    for missing in (str(tmp_path / "elsewhere.db"), f"sqlite:///{tmp_path}/elsewhere.db"):
        with pytest.raises(StoreError, match="not on the Ray node"):
            _StoreReader(missing, _articles)
    assert not (tmp_path / "elsewhere.db").exists()


def test_feed_reads_beside_a_file_store_and_on_the_driver_for_memory(ray_session, tmp_path):
    """The same rows in the same order either way: one dataset read by the reader actor for a
    store on disk, one dataset a wave read by the driver for `:memory:`."""
    from newsprism.engine_ray.session import _articles, _feed, _load, _rows
    from newsprism.store import open_store

    arts = _corpus(30)
    waves = [[["a000", "a001"], ["a002"]], [["a020"], ["a011", "a003", "a029"]]]
    want = [[a.id for a in arts if a.id in set(k)] for w in waves for k in w]
    for db, n_datasets in ((str(tmp_path / "f.db"), 1), (":memory:", 2)):
        store = open_store(db)
        store.add_articles(arts)
        datasets = list(_feed(store, waves, _articles))
        assert len(datasets) == n_datasets, db
        got = [sorted(a.id for a in _load(row["p"])) for ds in datasets for row in _rows(ds)]
        assert got == [sorted(k) for k in want], db
        assert list(_feed(store, [[], []], _articles)) == []


def _normalized(report: dict) -> dict:
    """As written to report.json (tuples become lists), without the generator stamp."""
    out = json.loads(json.dumps(report, ensure_ascii=False))
    out.pop("generator", None)
    return out


def _demo_store(path):
    from newsprism.cli import demo_corpus
    from newsprism.pipeline import ingest
    from newsprism.settings import Settings
    from newsprism.store import open_store

    store = open_store(str(path))
    ingest(store, [str(demo_corpus())], settings=Settings())
    return store


def _kinds_and_stories(report: dict) -> tuple[list, list]:
    return (sorted((r["a"], r["b"], r["kind"], tuple((p["a_start"], p["b_start"]) for p in r["alignment"]))
                   for r in report["relations"]),
            sorted(sorted(s["articles"]) for s in report["stories"]))


@pytest.mark.slow
def test_demo_identical_on_both_engines(ray_session, demo_run, tmp_path):
    """In float32 the Ray engine's report is the in-process one, exactly. In the default
    precision (bfloat16 on a CPU with bf16 units) the relations, their kinds and aligned passages,
    and the stories are the same, while scores may move in the 4th decimal: bfloat16 products
    depend on which sentences are encoded together, which depends on each process's sentence
    cache, as between in-process worker counts (tests/test_worker.py compares those in float32
    too)."""
    from newsprism.pipeline import Models, process
    from newsprism.report import build_report
    from newsprism.settings import Settings

    fp32 = Settings(precision="fp32")
    local = _demo_store(tmp_path / "local32.db")
    with Models.from_settings(fp32) as models:
        process(local, models, settings=fp32)
    want32 = build_report(local)
    ray32 = _demo_store(tmp_path / "ray32.db")
    summary = process_ray(ray32, settings=fp32)
    assert summary.analyzed == len(want32["articles"]) > 32
    assert want32["relations"] and len(want32["stories"]) > 1
    assert _normalized(build_report(ray32)) == _normalized(want32)

    _, want = demo_run  # the CLI's demo, default precision
    store = _demo_store(tmp_path / "ray.db")
    process_ray(store, settings=Settings())
    assert _kinds_and_stories(build_report(store)) == _kinds_and_stories(want)
    # resumable like the in-process runner: a second run finds nothing to do
    again = process_ray(store, settings=Settings())
    assert (again.analyzed, again.related, again.clustered) == (0, 0, 0)


@pytest.mark.slow
def test_analyze_embed_actors_finish_a_half_embedded_store(ray_session, tmp_path):
    """One analyze+embed actor per CPU takes each batch through both stages; articles an
    interrupted run analyzed but did not embed are embedded from their stored analyses, not
    analyzed again; analyses and vectors are the in-process engine's (float32)."""
    from newsprism.engine_ray.models import actor_count, analyze_and_embed_ray
    from newsprism.pipeline import Models, analyze_and_embed_pending
    from newsprism.progress import NullProgress
    from newsprism.settings import Settings

    assert actor_count(RayConfig()) == 2 and actor_count(RayConfig(actors=1)) == 1
    fp32 = Settings(precision="fp32")
    local, ray_store = _demo_store(tmp_path / "local.db"), _demo_store(tmp_path / "ray.db")
    head = local.ids_without_analysis()[:7]
    with Models.from_settings(fp32, processes=1) as models:
        early = models.worker.analyze_embed(local.articles(head), None, fp32.analyze).result()[0]
        for store in (local, ray_store):  # a run cut between the analyses and their vectors
            store.save_analyses(early)
        analyze_and_embed_pending(local, models, settings=fp32, progress=NullProgress())
    got = analyze_and_embed_ray(ray_store, settings=fp32, ray_cfg=RayConfig(), progress=NullProgress())
    every = [a.id for a in ray_store.articles()]
    assert got == (len(every) - len(head), len(every)) and len(every) > 32
    assert ray_store.ids_without_analysis() == ray_store.ids_without_vectors() == []
    got_an = ray_store.analyses(every)
    assert got_an == local.analyses(every)
    assert [got_an[a.article_id] for a in early] == early
    want_v, got_v = local.vectors(), ray_store.vectors()
    assert sorted(got_v) == sorted(want_v) == sorted(every)
    for aid, w in want_v.items():
        for f in ("doc", "sentences", "ml_doc", "ml_sentences"):
            assert np.allclose(getattr(got_v[aid], f), getattr(w, f), atol=1e-5), (aid, f)


@pytest.mark.slow
def test_time_windows_stitch_on_demo(ray_session, demo_run, tmp_path):
    """Windows of 3 days split the demo's stories; the stitch rejoins them (measured, not
    required to be exact: see engine_ray's docstring)."""
    from newsprism.cli import demo_corpus
    from newsprism.pipeline import ingest
    from newsprism.report import build_report
    from newsprism.settings import Settings
    from newsprism.store import open_store

    _, want = demo_run
    store = open_store(str(tmp_path / "win.db"))
    ingest(store, [str(demo_corpus())], settings=Settings())
    process_ray(store, settings=Settings(), config=RayConfig(window_days=3))
    got = build_report(store)
    members = sorted(a for s in got["stories"] for a in s["articles"])
    assert members == sorted(a["id"] for a in want["articles"])  # every article in one story
    f1 = _bcubed_f1([s["articles"] for s in got["stories"]], [s["articles"] for s in want["stories"]])
    print(f"B3 F1 (3-day windows vs in-process) = {f1:.3f}")
    assert f1 >= 0.8


def _bcubed_f1(pred: list[list[str]], gold: list[list[str]]) -> float:
    p_of = {a: frozenset(c) for c in pred for a in c}
    g_of = {a: frozenset(c) for c in gold for a in c}
    items = list(g_of)
    prec = sum(len(p_of[a] & g_of[a]) / len(p_of[a]) for a in items) / len(items)
    rec = sum(len(p_of[a] & g_of[a]) / len(g_of[a]) for a in items) / len(items)
    return 2 * prec * rec / (prec + rec)


def test_quiet_ray_run_writes_nothing_to_stderr(tmp_path):
    """`-q` with `--engine ray`: Ray's start-up notices and runtime log lines stay hidden."""
    import os
    import subprocess
    import sys

    from newsprism.cli import demo_corpus

    done = subprocess.run(
        [sys.executable, "-m", "newsprism", "run", str(demo_corpus() / "wire_feed.jsonl"), "--db",
         str(tmp_path / "q.db"), "--out", str(tmp_path / "out"), "--engine", "ray", "-q"],
        capture_output=True, text=True, timeout=900, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stderr == ""
    assert (tmp_path / "out" / "report.json").is_file()
