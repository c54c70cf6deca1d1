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


def _normalized(report: dict) -> dict:
    """As written to report.json (tuples become lists), without the generator stamp."""
    out = json.loads(json.dumps(report, ensure_ascii=False))
    out.pop("generator", None)
    return out


@pytest.mark.slow
def test_demo_identical_on_both_engines(ray_session, demo_run, tmp_path):
    from newsprism.cli import demo_corpus
    from newsprism.pipeline import ingest
    from newsprism.report import build_report
    from newsprism.settings import Settings
    from newsprism.store import open_store

    _, want = demo_run
    store = open_store(str(tmp_path / "ray.db"))
    ingest(store, [str(demo_corpus())], settings=Settings())
    # waves of 32 articles: two for analyze, embed and relate, several for compare
    summary = process_ray(store, settings=Settings(), config=RayConfig(wave=32))
    assert summary.analyzed == len(want["articles"]) > 32
    got = build_report(store)
    assert sorted((r["a"], r["b"], r["kind"]) for r in got["relations"]) == \
        sorted((r["a"], r["b"], r["kind"]) for r in want["relations"])
    assert sorted(sorted(s["articles"]) for s in got["stories"]) == \
        sorted(sorted(s["articles"]) for s in want["stories"])
    assert _normalized(got) == _normalized(want)
    # resumable like the in-process runner: a second run finds nothing to do
    again = process_ray(store, settings=Settings())
    assert (again.analyzed, again.related, again.clustered) == (0, 0, 0)


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
