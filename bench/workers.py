"""Worker processes vs one process: the whole in-process pipeline both ways, in the same run.

`Models.load()` starts one worker process per CPU (each with every model) on 2+ CPUs;
`Models.load(processes=0)` keeps everything in the calling process, the peer here. Two corpora
whose stage mix differs: the first 1,000 multinews articles (real, 155 words: embedding
dominates) and the demo corpus replicated to 400 HTML pages (263 words, dense in near-copies:
analysis and relate dominate). Each run is its own subprocess, models loaded and workers
started before the clock; the two modes alternate per corpus.

    python bench/workers.py [--write]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import run_script, timed_pipeline, write_section  # noqa: E402

MODES = {"workers": None, "one process": 0}


def child(mode: str, corpus: str) -> dict:
    from newsprism.pipeline import Models

    models = Models.load(processes=MODES[mode])
    models.worker.ready()  # models loaded before the clock, as in a long-lived process
    try:
        return timed_pipeline(corpus, models)
    finally:
        models.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write", action="store_true", help="write the section into BENCHMARKS.md")
    ap.add_argument("--_child", choices=list(MODES), help=argparse.SUPPRESS)
    ap.add_argument("--_corpus", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._child:
        print(json.dumps(child(args._child, args._corpus)))
        return
    import scale
    import throughput

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        multinews, _ = scale.make_corpus(1000, Path(tmp))
        replicas = Path(tmp) / "replicas"
        throughput.make_corpus(400, replicas)
        for name, corpus in (("multinews, first 1,000 (155 words)", multinews),
                             ("demo replicas, 400 HTML (263 words)", replicas)):
            for mode in MODES:
                r = run_script(__file__, "--_child", mode, "--_corpus", str(corpus))
                r.update(corpus=name, mode=mode)
                rows.append(r)
                print(json.dumps(r), file=sys.stderr, flush=True)
    table = ["| corpus | mode | articles | seconds | articles/s | peak RSS, process tree (MB) | relations | seconds per stage |",
             "|---|---|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        stages = ", ".join(f"{k} {v:.0f}" for k, v in r["stages"].items())
        table.append(f"| {r['corpus']} | {r['mode']} | {r['articles']:,} | {r['seconds']:.1f} | "
                     f"**{r['articles'] / r['seconds']:.2f}** | {r['peak_tree_mb']:.0f} | {r['relations']:,} | {stages} |")
    ratios = []
    for name in dict.fromkeys(r["corpus"] for r in rows):
        by = {r["mode"]: r for r in rows if r["corpus"] == name}
        ratios.append(f"{name}: workers {by['one process']['seconds'] / by['workers']['seconds']:.2f}x "
                      "the one-process rate")
    body = ("Command: `python bench/workers.py --write`. The in-process pipeline (ingest included) with one "
            "worker process per CPU (`Models.load()`, the default on 2+ CPUs) vs everything in one process "
            "(`Models.load(processes=0)`, the peer), alternating in the same run.\n\n"
            + "\n".join(table) + "\n\nRatio: " + "; ".join(ratios) + ".")
    print(body)
    if args.write:
        write_section("Worker processes vs one process", body)


if __name__ == "__main__":
    main()
