"""Accuracy against gold: the demo corpus (project-written gold) and the two real seed articles.

Runs the whole pipeline on each corpus into a fresh SQLite store and scores report.json with
`newsprism eval`'s scorer. Peer in the same run, for copy detection: datasketch MinHash LSH
near-duplicate search alone (word 5-shingles, Jaccard threshold 0.5), the usual dedup baseline.

    python bench/quality.py [--write]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import SHARED, write_section  # noqa: E402

ASPECTS = ("stories", "reuse_pairs", "reuse_kinds", "lines", "conflicts", "quotes", "boilerplate")


def run(inputs: list[str], models) -> dict:  # type: ignore[no-untyped-def]
    from newsprism.pipeline import ingest, process
    from newsprism.report import build_report
    from newsprism.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"{tmp}/q.db")
        ingest(store, inputs)
        process(store, models)
        return build_report(store)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    from dataclasses import asdict

    from newsprism.cli import demo_corpus, demo_gold
    from newsprism.evaluate import REUSE_KINDS, Score, _key_of, _pair, evaluate
    from newsprism.pipeline import Models

    models = Models.load()
    sets = [("demo corpus (43 articles, project-written gold)", [str(demo_corpus())], demo_gold())]
    if (SHARED / "seeds").is_dir():
        sets.append(("seeds (2 real articles, ../shared/gold/seeds.json)", [str(SHARED / "seeds")],
                     SHARED / "gold" / "seeds.json"))
    rows = ["| set | aspect | precision | recall | F1 | gold items |", "|---|---|---:|---:|---:|---:|"]
    for name, inputs, gold_path in sets:
        gold = json.loads(Path(gold_path).read_text(encoding="utf-8"))
        report = run(inputs, models)
        res = evaluate(gold, report)
        for aspect in ASPECTS:
            s = res[aspect]
            rows.append(f"| {name} | {aspect} | {s['precision']:.3f} | {s['recall']:.3f} | "
                        f"**{s['f1']:.3f}** | {s['support']} |")
        # peer: MinHash LSH near-duplicates as copy pairs
        from datasketch import MinHash, MinHashLSH

        keys = {a["id"]: _key_of(a) for a in report["articles"]}
        lsh, sigs = MinHashLSH(threshold=0.5, num_perm=128), {}
        for a in report["articles"]:
            words = a["text"].lower().split()
            m = MinHash(num_perm=128, seed=1)
            m.update_batch([" ".join(words[i:i + 5]).encode() for i in range(max(1, len(words) - 4))])
            sigs[a["id"]] = m
            lsh.insert(a["id"], m)
        pred = {_pair(keys[a], keys[b]) for a in sigs for b in lsh.query(sigs[a]) if a != b}
        g = {_pair(r["a"], r["b"]) for r in gold.get("relations") or [] if r["kind"] in REUSE_KINDS}
        peer = asdict(Score.of(len(pred & g), len(pred), len(g)))
        rows.append(f"| {name} | reuse_pairs, peer: datasketch MinHash LSH alone (J ≥ 0.5) | "
                    f"{peer['precision']:.3f} | {peer['recall']:.3f} | **{peer['f1']:.3f}** | {peer['support']} |")
        if res["direction"]["accuracy"] is not None:
            rows.append(f"| {name} | direction of copies (accuracy) | | | **{res['direction']['accuracy']:.3f}** "
                        f"| {res['direction']['pairs']} |")
    body = ("Command: `python bench/quality.py --write`. The whole pipeline on each set, scored by "
            "`newsprism eval`'s scorer (docs/gold-format.md). The demo gold was written by the project "
            "alongside the code, so its figures show the pipeline does what the corpus was built to test, "
            "not accuracy on unseen news; the seeds are real.\n\n" + "\n".join(rows))
    print(body)
    if args.write:
        write_section("Accuracy against gold (demo corpus, seeds)", body)


if __name__ == "__main__":
    main()
