"""Whole-pipeline scale: articles/s and peak memory, in-process engine vs Ray Data (local), by size.

Corpus: real full-text articles from ../shared/data/stories-multinews (2,790 articles in one
stream, as the data README asks: `text` only). Sizes above that are filled with perturbed
replicas (sentences dropped, numbers changed, new ids), which repeat most sentences of an earlier
article, as wire copies do; the table says how many of each size are replicas.

Each (engine, size) runs in its own process on a fresh SQLite store, models loaded before the
clock starts (Ray: its actors load them inside the clock, as a user's run does). Memory is the
peak of the summed RSS of the run's whole process tree (driver, Ray's raylet and workers),
sampled every 0.5 s from /proc; a per-size peak that stays flat as the size grows is the
constant-memory claim.

    python bench/scale.py --sizes 250 500 1000 --engines local ray [--write]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import SHARED, run_script, timed_pipeline, write_section  # noqa: E402

MULTINEWS = SHARED / "data" / "stories-multinews" / "articles.jsonl.gz"


def make_corpus(n: int, out: Path, seed: int = 11) -> tuple[Path, int]:
    """The first `n` articles as JSONL (replicas past the real ones); returns (path, replicas)."""
    with gzip.open(MULTINEWS, "rt", encoding="utf-8") as f:
        real = [json.loads(line) for line in f]
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        base = real[i % len(real)]
        text = base["text"]
        if i >= len(real):
            sents = re.split(r"(?<=[.!?])\s+", text)
            sents = [s for s in sents if rng.random() > 0.15] or sents[:1]
            text = re.sub(r"\d+", lambda m: str(int(m.group()) + rng.randint(1, 9)), " ".join(sents))
        rows.append({"id": f"{base['id']}-r{i // len(real)}" if i >= len(real) else base["id"],
                     "title": "", "text": text})
    path = out / f"corpus-{n}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path, max(0, n - len(real))


def child(engine: str, corpus: str, *, db: str | None = None) -> dict:
    """One timed run of `engine` on `corpus`, into a fresh store or the store at `db`."""
    from newsprism.pipeline import Models

    models = Models.load() if engine == "local" else None
    if models is not None:
        models.worker.ready()  # the worker processes' models too, before the clock
    try:
        return timed_pipeline(corpus, models, keep=db)
    finally:
        if models is not None:
            models.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[250, 500, 1000])
    ap.add_argument("--engines", nargs="+", default=["local", "ray"], choices=["local", "ray"])
    ap.add_argument("--write", action="store_true", help="write the section into BENCHMARKS.md")
    ap.add_argument("--_child", choices=["local", "ray"], help=argparse.SUPPRESS)
    ap.add_argument("--_corpus", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._child:
        print(json.dumps(child(args._child, args._corpus)))
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            corpus, replicas = make_corpus(n, Path(tmp))
            for engine in args.engines:  # the engines alternate per size: same machine state
                r = run_script(__file__, "--_child", engine, "--_corpus", str(corpus))
                r.update(engine=engine, size=n, replicas=replicas)
                rows.append(r)
                print(json.dumps(r), flush=True)
    table = ["| articles (replicas) | engine | seconds | articles/s | peak RSS, whole process tree (MB) | stories | relations | seconds per stage |",
             "|---|---|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        stages = ", ".join(f"{k} {v:.0f}" for k, v in r["stages"].items())
        table.append(f"| {r['size']:,} ({r['replicas']:,}) | {r['engine']} | {r['seconds']:.1f} | "
                     f"**{r['articles'] / r['seconds']:.2f}** | {r['peak_tree_mb']:.0f} | {r['stories']:,} | "
                     f"{r['relations']:,} | {stages} |")
    ratios = []
    for n in args.sizes:
        by = {r["engine"]: r for r in rows if r["size"] == n}
        if {"local", "ray"} <= by.keys():
            ratios.append(f"{n:,}: Ray {by['local']['seconds'] / by['ray']['seconds']:.2f}x the in-process rate")
    cmd = "python bench/scale.py --sizes " + " ".join(map(str, args.sizes)) + " --engines " + " ".join(args.engines) + " --write"
    body = (f"Command: `{cmd}`. Corpus: ../shared/data/stories-multinews articles as one JSONL stream "
            "(text only), perturbed replicas past 2,790. Ingest is included in the seconds.\n\n"
            + "\n".join(table) + "\n\n" + ("Ratio per size: " + "; ".join(ratios) + "." if ratios else ""))
    print(body)
    if args.write:
        write_section("Scale: in-process vs Ray", body)


if __name__ == "__main__":
    main()
