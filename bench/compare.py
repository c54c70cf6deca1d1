"""Compare stage: shared facts, unique facts and conflicts against gold, and time per story.

1. Quality. The demo corpus (project-written gold) and the two real seed articles
   (../shared/gold/seeds.json) run through the whole pipeline (as `newsprism run`) into temp SQLite
   stores; report.json is scored with `newsprism eval`'s scorer. Aspects (rules in
   docs/gold-format.md, newsprism/evaluate_compare.py): `facts` (multi-line facts vs gold shared
   facts, word coverage >= 0.5 of the gold paraphrase by the cited sentences, one-to-one),
   `unique_facts` (per reporting line), `conflicts` (found gold conflicts) and `conflict_kinds`
   (the same with the class right: contradiction / different_scope / vagueness).

2. Speed. `newsprism.compare.compare_story` on synthetic stories of 10, 50 and 200 articles
   built from the demo store's own analyses and vectors: the largest demo story (its articles and
   stored relations), filled up with the other demo articles in id order, cycled, each fill
   article a perturbed copy (new id, sentence order shuffled with the same permutation applied
   to its sentence vectors, Gaussian noise of s.d. 0.02 added to every vector coordinate and rows
   re-normalised; seed fixed) with no relations, so every fill article is its own reporting
   line, the compare stage's worst case (its work grows with the square of the lines). Best of
   --repeat runs. Peer in the same run: a naive all-pairs cosine matrix of every sentence
   vector (MiniLM) of the same articles with numpy (M @ M.T), the floor for any comparison that
   looks at all sentence pairs.

    python bench/compare.py [--quick] [--sizes 10,50,200] [--repeat 5] [--skip-quality] [--write]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import SHARED, write_section

ASPECTS = ("facts", "unique_facts", "conflicts", "conflict_kinds")
NOISE = 0.02
SEED = 7


def run_pipeline(inputs: list[str], db: str, models: Any) -> dict[str, Any]:
    from newsprism.pipeline import ingest, process
    from newsprism.report import build_report
    from newsprism.store import open_store

    store = open_store(db)
    ingest(store, inputs)
    process(store, models)
    return build_report(store)


def quality(sets: list[tuple[str, list[str], Path]], tmp: str, models: Any) -> tuple[list[str], str | None]:
    """Score rows per set, and the demo store's path (for the speed part)."""
    from newsprism.evaluate import evaluate

    rows = ["| set | aspect | precision | recall | F1 | gold items | predicted |",
            "|---|---|---:|---:|---:|---:|---:|"]
    demo_db = None
    for n, (name, inputs, gold_path) in enumerate(sets):
        db = f"{tmp}/set{n}.db"
        report = run_pipeline(inputs, db, models)
        if n == 0:
            demo_db = db
        res = evaluate(json.loads(gold_path.read_text(encoding="utf-8")), report)
        for aspect in ASPECTS:
            s = res[aspect]
            rows.append(f"| {name} | {aspect} | {s['precision']:.3f} | {s['recall']:.3f} | **{s['f1']:.3f}** | "
                        f"{s['support']} | {s['predicted']} |")
        k = res["conflict_kinds"]
        acc = "n/a" if k["accuracy"] is None else f"{k['accuracy']:.3f}"
        per_kind = ", ".join(f"{kind} {v['found']}/{v['gold']} found, {v['kind_correct']} classed right"
                             for kind, v in k["per_kind"].items())
        rows.append(f"| {name} | conflict class accuracy over found gold conflicts | | | **{acc}** | "
                    f"{k['found']} | |")
        print("\n".join(rows[-len(ASPECTS) - 1:]), flush=True)
        print(f"  {name}: {per_kind}", flush=True)
    return rows, demo_db


def load_demo(db: str) -> dict[str, Any]:
    from newsprism.analyze.corpus import resolve_by_id
    from newsprism.store import open_store

    store = open_store(db)
    arts = {a.id: a for a in store.articles()}
    return {"articles": arts, "analyses": resolve_by_id(store.analyses(list(arts)), arts),
            "vectors": store.vectors(list(arts)), "relations": store.relations(list(arts)),
            "stories": store.story_members()}


def _perturb(rng: np.random.Generator, m: np.ndarray, order: np.ndarray) -> np.ndarray:
    if not m.shape[0]:
        return m
    x = m[order] + rng.normal(0.0, NOISE, size=m.shape).astype(m.dtype)
    return x / np.linalg.norm(x, axis=1, keepdims=True).clip(1e-9)


def synthetic_story(demo: dict[str, Any], size: int) -> dict[str, Any]:
    """The largest demo story plus perturbed copies of other demo articles, `size` articles in all."""
    from newsprism.embed import ArticleVectors

    base = sorted(max(demo["stories"].values(), key=len))[:size]
    pool = sorted(a for a in demo["articles"] if a not in set(base) and a in demo["vectors"])
    rng = np.random.default_rng(SEED)
    arts = {a: demo["articles"][a] for a in base}
    ans = {a: demo["analyses"][a] for a in base}
    vecs = {a: demo["vectors"][a] for a in base}
    for k in range(size - len(base)):
        src = pool[k % len(pool)]
        new = f"syn{k:03d}-{src[:8]}"
        an, v = demo["analyses"][src], demo["vectors"][src]
        order = rng.permutation(len(an.sentences))
        arts[new] = dataclasses.replace(demo["articles"][src], id=new)
        ans[new] = dataclasses.replace(an, article_id=new, sentences=tuple(an.sentences[i] for i in order))
        vecs[new] = ArticleVectors(new, v.doc, _perturb(rng, v.sentences, order), v.ml_doc,
                                   _perturb(rng, v.ml_sentences, order))
    rels = [r for r in demo["relations"] if r.a in arts and r.b in arts]
    return {"ids": list(arts), "articles": arts, "analyses": ans, "vectors": vecs, "relations": rels}


def best_of(fn: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def speed(demo: dict[str, Any], sizes: list[int], repeat: int) -> list[str]:
    from newsprism.compare import compare_story

    head = (f"| articles | reporting lines | sentences | compare_story (ms, best of {repeat}) "
            "| peer: all-pairs sentence cosine, numpy (ms) | ratio |")
    rows = [head, "|---:|---:|---:|---:|---:|---:|"]
    for size in sizes:
        st = synthetic_story(demo, size)

        def run(st: dict[str, Any] = st) -> Any:
            return compare_story("bench", st["ids"], articles=st["articles"], analyses=st["analyses"],
                                 vectors=st["vectors"], relations=st["relations"])

        comp = run()
        secs = best_of(run, repeat)
        m = np.concatenate([st["vectors"][a].sentences for a in st["ids"]])
        m @ m.T  # warm-up: BLAS threads start on the first call
        peer = best_of(lambda m=m: m @ m.T, repeat)
        rows.append(f"| {size} | {len(comp.lines)} | {m.shape[0]} | **{secs * 1000:.1f}** | {peer * 1000:.2f} | "
                    f"{secs / peer:.0f}x |")
        print(rows[-1], flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10,50,200")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="sizes 10,50, two repeats, demo only")
    ap.add_argument("--skip-quality", action="store_true", help="speed only (the demo still runs once)")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    if args.quick:
        args.sizes, args.repeat = "10,50", 2
    from newsprism.cli import demo_corpus, demo_gold
    from newsprism.pipeline import Models

    models = Models.load()
    sets = [("demo corpus (project-written gold)", [str(demo_corpus())], demo_gold())]
    if (SHARED / "seeds").is_dir() and not args.quick:
        sets.append(("seeds (2 real articles)", [str(SHARED / "seeds")], SHARED / "gold" / "seeds.json"))
    with tempfile.TemporaryDirectory() as tmp:
        if args.skip_quality:
            run_pipeline(sets[0][1], f"{tmp}/set0.db", models)
            q_rows, demo_db = [], f"{tmp}/set0.db"
        else:
            q_rows, demo_db = quality(sets, tmp, models)
        demo = load_demo(str(demo_db))
        s_rows = speed(demo, [int(x) for x in args.sizes.split(",")], args.repeat)
    cmd = "python bench/compare.py" + (" --quick" if args.quick else "") + \
        (" --skip-quality" if args.skip_quality else "") + \
        ("" if args.quick else f" --sizes {args.sizes} --repeat {args.repeat}") + " --write"
    body = (f"Command: `{cmd}`.\n\n"
            "**Quality.** Each set runs through the whole pipeline into a fresh SQLite store; report.json is "
            "scored by `newsprism eval` (rules: docs/gold-format.md). Gold facts are paraphrases: a predicted "
            "multi-line fact matches one when its cited sentences contain at least half of the paraphrase's "
            "content words and numbers (stemmed; names and numbers only for sentences in another language), "
            "one-to-one. The gold lists the main shared and unique facts, not every one, so precision is a "
            "lower bound. The demo gold was written by the project alongside the code.\n\n"
            + ("\n".join(q_rows) + "\n\n" if q_rows else "")
            + "**Time per story.** `compare_story` on synthetic stories built from the demo store: the largest "
            "demo story (with its relations) filled up with perturbed copies of the other demo articles "
            f"(sentence order shuffled, vector noise s.d. {NOISE}, no relations, so each is its own reporting "
            "line: the worst case). Peer in the same run: a naive all-pairs cosine matrix over every sentence "
            "vector of the same articles (numpy `M @ M.T`), the floor for looking at all sentence pairs; the "
            "ratio is compare_story / peer.\n\n" + "\n".join(s_rows))
    print(body)
    if args.write:
        write_section("Compare stage: facts, unique facts, conflicts and time per story", body)


if __name__ == "__main__":
    main()
