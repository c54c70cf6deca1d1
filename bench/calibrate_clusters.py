"""Sweep the story-assignment settings on stored runs and score each with B-cubed F1.

Reads stores kept by `bench/stories.py --keep DIR` (uci.db, multinews.db) and a demo store
(`newsprism demo --out DIR/demo`), re-runs only the online clusterer in memory for every
setting in the grid, and prints the settings ranked by the mean F1 over the real sets,
with the demo F1 beside them (it must stay at 1.0).

    python bench/calibrate_clusters.py /tmp/calib
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
from _common import SHARED  # noqa: E402


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
    pred = {key[a.id]: c.assign(a, ans[a.id], vecs[a.id], rels.get(a.id, [])) for a in arts}
    return bcubed(pred, gold).f1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", type=Path)
    ap.add_argument("--top", type=int, default=15)
    args = ap.parse_args()
    from newsprism.cluster import ClusterConfig

    sets = {n: (load(args.folder / f"{n}.db"), gold_for(n)) for n in ("uci", "multinews")}
    demo = (load(args.folder / "demo" / "newsprism.db"), gold_for("demo"))
    base = ClusterConfig()
    grid = itertools.product((0.5, 0.55, 0.6, 0.62, 0.65, 0.7, 0.75, 0.8), (0.0, 0.15, 0.25, 0.35),
                             (0.3, 0.5, 0.7))
    rows = []
    for thr, ent, cent in grid:
        cfg = replace(base, join_threshold=thr, entity_weight=ent, centroid_weight=cent)
        f = {n: score(d, g, cfg) for n, (d, g) in sets.items()}
        rows.append((sum(f.values()) / len(f), f, score(*demo, cfg), cfg))
        print(f"thr={thr} ent={ent} cent={cent} -> {f} demo={rows[-1][2]:.3f}", flush=True)
    rows.sort(key=lambda r: -r[0])
    print("\nbest by mean real-set F1 (demo F1 beside):")
    for mean, f, d, cfg in rows[: args.top]:
        print(f"mean {mean:.3f} uci {f['uci']:.3f} multinews {f['multinews']:.3f} demo {d:.3f} | "
              f"join {cfg.join_threshold} entity {cfg.entity_weight} centroid {cfg.centroid_weight}")


if __name__ == "__main__":
    main()
