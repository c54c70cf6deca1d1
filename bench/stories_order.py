"""Batch vs stream: how much story assignment depends on the order articles arrive in.

In time order, feeding a corpus in one go or in parts gives identical stories (tests assert it).
Out of order it differs; this measures by how much, on a stored uci run, re-running only the
online clusterer: shuffled streams, and 10% of articles delivered late (after all others).

    python bench/stories.py --keep /tmp/calib2   # once, to store the run
    python bench/stories_order.py /tmp/calib2 [--write]
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_section
from calibrate_clusters import gold_for, load


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", type=Path)
    ap.add_argument("--set", default="uci")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    from newsprism.cluster import StoryClusterer
    from newsprism.evaluate import bcubed

    arts, ans, vecs, rels, key = load(args.folder / f"{args.set}.db")
    gold = gold_for(args.set)

    def run(order: list) -> dict[str, str]:  # type: ignore[type-arg]
        c = StoryClusterer()
        for a in order:
            c.assign(a, ans[a.id], vecs[a.id], rels.get(a.id, []))
        return {key[a.id]: c.story_of[a.id] for a in arts}

    base = run(arts)
    orders = [("time order (the stream as published)", arts)]
    for seed in (1, 2, 3):
        shuffled = arts[:]
        random.Random(seed).shuffle(shuffled)
        orders.append((f"shuffled (seed {seed})", shuffled))
    late = set(random.Random(4).sample([a.id for a in arts], len(arts) // 10))
    orders.append(("10% delivered late, after all others",
                   [a for a in arts if a.id not in late] + [a for a in arts if a.id in late]))
    lines = ["| order | B³ F1 vs gold | B³ F1 vs the time-order stories | stories |", "|---|---:|---:|---:|"]
    for name, order in orders:
        pred = base if order is arts else run(order)
        lines.append(f"| {name} | {bcubed(pred, gold).f1:.3f} | {bcubed(pred, base).f1:.3f} | "
                     f"{len(set(pred.values()))} |")
        print(lines[-1], flush=True)
    body = (f"Command: `python bench/stories_order.py {args.folder} --write` on the stored "
            f"stories-{args.set} run ({len(arts)} articles). Time-ordered parts equal one batch "
            "exactly (tests/test_stream_parity.py); the rows below show what arrival out of time "
            "order changes.\n\n" + "\n".join(lines))
    print(body)
    if args.write:
        write_section("Story clustering: batch vs stream order", body)


if __name__ == "__main__":
    main()
