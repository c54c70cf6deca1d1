"""MiniLM in bfloat16 vs float32: encoder speed, vector agreement, and the whole pipeline.

1. The encoder alone, one torch thread (as in each worker process): the distinct sentences of
   the demo replicas encoded in float32 and in bfloat16 (torch autocast), alternating, best of
   `--rounds`; then how far the bfloat16 vectors are from the float32 ones (cosine per sentence,
   and the change of the cosine between random sentence pairs, which is what relate reads).
2. The whole in-process pipeline on the 400 demo replicas (bench/throughput.py's corpus) with
   `--precision fp32` and `--precision bf16`, alternating, each run in its own process with the
   models loaded first; the stored relations of the two are compared pair by pair.

    python bench/precision.py [--rounds 2] [--write]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import run_script, timed_pipeline, write_section  # noqa: E402


def encoder_child(corpus: str, rounds: int) -> dict:
    import numpy as np

    from newsprism.analyze import blank_pipeline
    from newsprism.clean import clean_documents
    from newsprism.embed import MiniLMEncoder
    from newsprism.errors import IngestError
    from newsprism.ingest import iter_documents

    arts = clean_documents([d for d in iter_documents([corpus]) if not isinstance(d, IngestError)])
    sents = list(dict.fromkeys(s.text for d in blank_pipeline().pipe(a.text for a in arts) for s in d.sents))
    enc = {p: MiniLMEncoder(threads=1, precision=p) for p in ("fp32", "bf16")}
    best = {p: float("inf") for p in enc}
    vecs = {}
    for _ in range(rounds):
        for p, e in enc.items():
            e.encode(sents[:32])  # warm
            t0 = time.perf_counter()
            vecs[p] = e.encode(sents)
            best[p] = min(best[p], time.perf_counter() - t0)
    cos = (vecs["fp32"] * vecs["bf16"]).sum(axis=1)
    pairs = np.random.default_rng(0).integers(0, len(sents), (20_000, 2))
    diff = np.abs((vecs["fp32"][pairs[:, 0]] * vecs["fp32"][pairs[:, 1]]).sum(1)
                  - (vecs["bf16"][pairs[:, 0]] * vecs["bf16"][pairs[:, 1]]).sum(1))
    return {"sentences": len(sents), "seconds": best, "cos_min": float(cos.min()), "cos_mean": float(cos.mean()),
            "pair_diff_max": float(diff.max()), "pair_diff_mean": float(diff.mean())}


def pipeline_child(corpus: str, precision: str, out: str) -> dict:
    import pickle

    from newsprism.pipeline import Models
    from newsprism.settings import Settings
    from newsprism.store import open_store

    settings = Settings(precision=precision)
    models = Models.from_settings(settings)
    models.worker.ready()
    try:
        r = timed_pipeline(corpus, models, settings, keep=out)
    finally:
        models.close()
    store = open_store(out)
    rels = {(x.a, x.b): (x.kind, x.score) for x in store.relations()}
    store.close()
    Path(out).with_suffix(".pkl").write_bytes(pickle.dumps(rels))
    return r


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--write", action="store_true", help="write the section into BENCHMARKS.md")
    ap.add_argument("--_child", choices=["encoder", "fp32", "bf16"], help=argparse.SUPPRESS)
    ap.add_argument("--_corpus", help=argparse.SUPPRESS)
    ap.add_argument("--_out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._child == "encoder":
        print(json.dumps(encoder_child(args._corpus, args.rounds)))
        return
    if args._child:
        print(json.dumps(pipeline_child(args._corpus, args._child, args._out)))
        return
    import pickle

    import throughput

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        throughput.make_corpus(400, corpus)
        enc = run_script(__file__, "--_child", "encoder", "--_corpus", str(corpus), "--rounds", str(args.rounds))
        print(json.dumps(enc), file=sys.stderr, flush=True)
        runs: list[dict] = []
        for k in range(args.rounds):
            for p in ("fp32", "bf16"):
                out = f"{tmp}/{p}-{k}.db"
                r = run_script(__file__, "--_child", p, "--_corpus", str(corpus), "--_out", out)
                r.update(precision=p, round=k + 1, rels=pickle.loads(Path(out).with_suffix(".pkl").read_bytes()))
                runs.append(r)
                print(json.dumps({x: y for x, y in r.items() if x != "rels"}), file=sys.stderr, flush=True)
    s32, s16 = enc["seconds"]["fp32"], enc["seconds"]["bf16"]
    n = enc["sentences"]
    table = ["| precision | round | articles | seconds | articles/s | analyze+embed s | relations |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for r in runs:
        table.append(f"| {r['precision']} | {r['round']} | {r['articles']} | {r['seconds']:.1f} | "
                     f"**{r['articles'] / r['seconds']:.2f}** | {r['stages'].get('analyze+embed', 0):.1f} | "
                     f"{r['relations']:,} |")
    def agree(a: dict, b: dict) -> str:
        both = a.keys() & b.keys()
        kind = sum(1 for k in both if a[k][0] == b[k][0])
        moved = max((abs(a[k][1] - b[k][1]) for k in both), default=0.0)
        return (f"{len(a):,} and {len(b):,} relations, {len(both):,} pairs in both, {kind:,} of them of the "
                f"same kind, largest change of a confidence score {moved:.4f}")

    by = {(r["precision"], r["round"]): r["rels"] for r in runs}
    versus = f"float32 vs bfloat16, round 1: {agree(by[('fp32', 1)], by[('bf16', 1)])}."
    if args.rounds > 1:  # the worker processes' own run-to-run variation, for scale
        versus += (f" Float32 round 1 vs round 2 (same settings): {agree(by[('fp32', 1)], by[('fp32', 2)])}."
                   f" Bfloat16 round 1 vs round 2: {agree(by[('bf16', 1)], by[('bf16', 2)])}.")
    rate = {p: sum(r["articles"] for r in runs if r["precision"] == p)
            / sum(r["seconds"] for r in runs if r["precision"] == p) for p in ("fp32", "bf16")}
    body = f"""Command: `python bench/precision.py --rounds {args.rounds} --write`. MiniLM (all-MiniLM-L6-v2) in
float32 vs bfloat16 (torch autocast; `--precision`, whose default `auto` takes bfloat16 on a CPU with
native bfloat16 units, as this one has: AMX / AVX-512 BF16).

**Encoder alone**, one torch thread, the {n:,} distinct sentences of the 400 demo replicas, best of
{args.rounds}: float32 {s32:.2f} s ({1000 * s32 / n:.2f} ms/sentence), bfloat16 {s16:.2f} s
({1000 * s16 / n:.2f} ms/sentence): **{s32 / s16:.2f}x**. Cosine between a sentence's bfloat16 and
float32 vectors: min {enc['cos_min']:.5f}, mean {enc['cos_mean']:.6f}. Change of the cosine between
two sentences (20,000 random pairs): max {enc['pair_diff_max']:.4f}, mean {enc['pair_diff_mean']:.5f}.

**Whole pipeline** (in-process, worker processes, ingest included), alternating:

{chr(10).join(table)}

Rate over all rounds: bfloat16 **{rate['bf16']:.2f}** vs float32 {rate['fp32']:.2f} articles/s
(**{rate['bf16'] / rate['fp32']:.2f}x**). Relations compared pair by pair: {versus}
"""
    print(body)
    if args.write:
        write_section("MiniLM precision: bfloat16 vs float32", body)


if __name__ == "__main__":
    main()
