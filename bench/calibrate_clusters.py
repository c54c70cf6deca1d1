"""Sweep the story-assignment settings on stored runs and score each with B-cubed F1.

Reads stores kept by `bench/stories.py --keep DIR` (uci.db, multinews.db) and a demo store
(`newsprism demo --out DIR/demo`), re-runs only the online clusterer in memory for every
setting in the grid, and prints the settings ranked by the mean F1 over the real sets,
with the demo F1 beside them (it must stay at 1.0).

    python bench/calibrate_clusters.py /tmp/calib [--write]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import itertools
import json
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import SHARED, write_section


def gold_for(name: str) -> dict[str, str]:
    if name == "multinews":
        with gzip.open(SHARED / "data" / "stories-multinews" / "articles.jsonl.gz", "rt") as fh:
            return {(d := json.loads(line))["id"]: d["story"] for line in fh}
    if name == "uci":
        with open(SHARED / "data" / "stories-uci-headlines" / "headlines.csv", encoding="utf-8") as fh:
            return {"uci-" + r["ID"]: r["STORY"] for r in csv.DictReader(fh)}
    from newsprism.cli import demo_gold

    g = json.loads(demo_gold().read_text(encoding="utf-8"))
    return {a: sid for sid, s in g["stories"].items() for a in s["articles"]}


def load(db: Path):  # type: ignore[no-untyped-def]
    from newsprism.cluster import arrival_order
    from newsprism.store import open_store

    store = open_store(str(db))
    arts = arrival_order(store.articles())
    ids = [a.id for a in arts]
    ans, vecs = store.analyses(ids), store.vectors(ids)
    rels: dict[str, list] = {}
    for r in store.relations():
        rels.setdefault(r.a, []).append(r)
        rels.setdefault(r.b, []).append(r)
    key = {a.id: a.source_id or Path(a.origin).name for a in arts}
    return arts, ans, vecs, rels, key


def score(data, gold: dict[str, str], cfg) -> float:  # type: ignore[no-untyped-def]
    from newsprism.cluster import StoryClusterer
    from newsprism.evaluate import bcubed

    arts, ans, vecs, rels, key = data
    c = StoryClusterer(config=cfg)
    for a in arts:
        c.assign(a, ans[a.id], vecs[a.id], rels.get(a.id, []))
    # final stories: a later merge moves articles assigned earlier
    return bcubed({key[a.id]: c.story_of[a.id] for a in arts}, gold).f1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", type=Path)
    ap.add_argument("--write", action="store_true", help="write the sweep to BENCHMARKS.md")
    args = ap.parse_args()
    from newsprism.cluster import ClusterConfig

    sets = {n: (load(args.folder / f"{n}.db"), gold_for(n)) for n in ("uci", "multinews")}
    demo = (load(args.folder / "demo" / "newsprism.db"), gold_for("demo"))
    base = ClusterConfig()
    off = {"merge_threshold": 9.0, "lexical_weight": 0.0}
    grid = [("embeddings + entities + time only (the 2/7 defaults)", {**off}),
            ("+ merges", {"lexical_weight": 0.0})]
    grid += [(f"+ merges + lexical: join {j}, weight {w}, centre {c}",
              {"join_threshold": j, "lexical_weight": w, "lexical_center": c})
             for j, w, c in itertools.product((0.55, 0.62), (1.0, 1.5), (0.15, 0.2))]
    rows = []
    for name, change in grid:
        cfg = replace(base, **change)
        f = {n: score(d, g, cfg) for n, (d, g) in sets.items()}
        rows.append((name, f, score(*demo, cfg), cfg == base))
        print(name, f, rows[-1][2], flush=True)
    lines = ["| settings | uci B³ F1 | multinews B³ F1 | mean | demo B³ F1 |", "|---|---:|---:|---:|---:|"]
    for name, f, d, is_default in rows:
        mean = sum(f.values()) / len(f)
        mark = " (**defaults**)" if is_default else ""
        lines.append(f"| {name}{mark} | {f['uci']:.3f} | {f['multinews']:.3f} | {mean:.3f} | {d:.3f} |")
    body = (f"Command: `python bench/stories.py --keep {args.folder}`, `newsprism demo --out "
            f"{args.folder}/demo`, then `python bench/calibrate_clusters.py {args.folder} --write` (re-runs "
            "only the online clusterer over the stored analyses and vectors). Merge threshold 0.75 "
            "throughout, entity weight and centroid weight as in ClusterConfig. The real sets are "
            "../shared/data's development parts: the chosen defaults are fitted to them, so their figures "
            "in \"Story clustering (real data)\" are dev-set figures.\n\n" + "\n".join(lines))
    print(body)
    if args.write:
        write_section("Story clustering: settings sweep", body)


if __name__ == "__main__":
    main()
