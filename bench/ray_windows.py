"""What Ray's time windows cost in story quality: in-process vs Ray stories on real timed data.

The Ray engine assigns stories per time window and stitches stories across boundaries (see
`newsprism.engine_ray`); within one window it is the in-process clusterer exactly. The uci
headlines (../shared/data, timestamps over about 36 hours) are run once in-process and once on
Ray with windows short enough to cut the stream several times; the table gives each run's
B-cubed scores against the gold stories and the agreement of the Ray stories with the
in-process ones (B-cubed with the in-process stories as gold).

    python bench/ray_windows.py [--limit 1500] [--window-hours 6] [--write]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_section  # noqa: E402
from stories import load_uci  # noqa: E402


def run(rows: list[dict], engine: str, window_days: float) -> tuple[dict[str, str], float]:
    from newsprism.pipeline import Models, ingest, process
    from newsprism.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "stream.jsonl"
        path.write_text("".join(json.dumps({k: v for k, v in r.items() if k != "story"}) + "\n"
                                for r in rows), encoding="utf-8")
        store = open_store(f"{tmp}/s.db")
        models = Models.load() if engine == "local" else None
        t0 = time.perf_counter()
        ingest(store, [str(path)])
        if engine == "local":
            process(store, models)
        else:
            from newsprism.engine_ray import RayConfig, process_ray

            process_ray(store, config=RayConfig(window_days=window_days))
        secs = time.perf_counter() - t0
        src = {a.id: a.source_id for a in store.articles()}
        pred = {src[aid]: sid for sid, members in store.story_members().items() for aid in members}
    return pred, secs


def main() -> None:
    from newsprism.evaluate import bcubed

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=1500)
    ap.add_argument("--window-hours", type=float, default=6.0)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    rows = load_uci(args.limit)
    gold = {r["id"]: r["story"] for r in rows}
    hours = (time.mktime(time.strptime(rows[-1]["published"][:19], "%Y-%m-%dT%H:%M:%S"))
             - time.mktime(time.strptime(rows[0]["published"][:19], "%Y-%m-%dT%H:%M:%S"))) / 3600
    local, t_local = run(rows, "local", 0)
    ray, t_ray = run(rows, "ray", args.window_hours / 24)
    lines = ["| run | seconds | B³ P | B³ R | B³ F1 vs gold | B³ F1 vs in-process stories |",
             "|---|---:|---:|---:|---:|---:|"]
    for name, pred, secs in [("in-process", local, t_local),
                             (f"Ray, {args.window_hours:g}-hour windows", ray, t_ray)]:
        g, agree = bcubed(pred, gold), bcubed(pred, local)
        lines.append(f"| {name} | {secs:.0f} | {g.precision:.3f} | {g.recall:.3f} | **{g.f1:.3f}** | {agree.f1:.3f} |")
    body = (f"Command: `python bench/ray_windows.py --limit {args.limit} --window-hours {args.window_hours:g} --write`. "
            f"Data: the first {len(rows):,} uci headlines in timestamp order ({hours:.1f} hours, so "
            f"{int(hours // args.window_hours) + 1} windows), title as text, publisher as outlet.\n\n"
            + "\n".join(lines))
    print(body)
    if args.write:
        write_section("Scale: Ray time windows vs in-process stories", body)


if __name__ == "__main__":
    main()
