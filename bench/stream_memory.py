"""Memory and time per poll over a long stream: does a run stay the same size as the store grows?

`newsprism watch` stores what is new and runs the pipeline on it, poll after poll, for months.
This replays that: the multinews articles (../shared/data, real full texts) arrive in polls of
`--per-poll` articles, each poll dated `--days-per-poll` days after the previous one (the data
set has no dates; the dates are the only thing added), and every poll runs `process()` on one
store with the models loaded once. Per poll: the process's RSS after it, the peak during it
(sampled every 0.2 s), and its seconds; after each poll the heap is trimmed as `newsprism watch`
does (`newsprism.heap.trim_heap`). With the relate/cluster horizon (90 days) each run loads
only the articles and stories of the last 90 days, so RSS and seconds per poll should level off
once the store holds more than the horizon; `--no-horizon` runs the same stream loading the
whole store every poll and without `trim_heap`, the peer in the same run (both as before the
horizon and the trim were added).

`--renewal MB` measures the other bound instead: the worker processes are replaced between polls
once they have grown MB past their size after the first poll (`Models.renew_if_grown`, as
`watch` and the server do), beside the same stream never renewing them. Past 2,790 articles the
stream goes on with `scale_stream.generate`'s generations (new stories of the same structure).

    python bench/stream_memory.py [--polls 25] [--per-poll 100] [--days-per-poll 10] [--write]
    python bench/stream_memory.py --renewal 256 --polls 60 [--precision bf16] [--write]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import tree_rss_kb, write_section  # noqa: E402
from scale_stream import generate  # noqa: E402


def _rss_kb() -> int:
    """This process and its children (the analysis worker), as `newsprism watch` would hold."""
    return tree_rss_kb(os.getpid())


def child(args: argparse.Namespace) -> list[dict]:
    from newsprism.pipeline import Models, ingest, process
    from newsprism.settings import Settings
    from newsprism.store import open_store
    from newsprism.heap import trim_heap

    settings = Settings()
    if args.no_horizon:
        settings = dataclasses.replace(
            settings, relate=dataclasses.replace(settings.relate, horizon_days=None),
            cluster=dataclasses.replace(settings.cluster, horizon_days=None))
    settings = dataclasses.replace(settings, precision=args.precision, worker_max_growth_mb=args.grow)
    real = list(generate(args.polls * args.per_poll))
    models = Models.from_settings(settings, long_lived=True)  # as `newsprism watch` loads them
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"{tmp}/stream.db")
        for k in range(args.polls):
            batch = real[k * args.per_poll:(k + 1) * args.per_poll]
            if not batch:
                break
            day = start + timedelta(days=k * args.days_per_poll)
            path = Path(tmp) / f"poll-{k}.jsonl"
            path.write_text("".join(json.dumps({"id": d["id"], "text": d["text"], "published": (
                day + timedelta(minutes=i)).isoformat()}) + "\n" for i, d in enumerate(batch)), encoding="utf-8")
            peak = [0]
            stop = threading.Event()

            def sample() -> None:
                while not stop.is_set():
                    peak[0] = max(peak[0], _rss_kb())
                    stop.wait(0.2)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            t0 = time.perf_counter()
            ingest(store, [str(path)], settings=settings)
            process(store, models, settings=settings)
            secs = time.perf_counter() - t0
            stop.set()
            sampler.join()
            if not args.no_trim:
                trim_heap()  # as `newsprism watch` does after every poll
            before = _rss_kb()
            renewed = models.renew_if_grown()  # as `newsprism watch` does after every poll
            if renewed:
                models.worker.ready()  # the fresh children's models, so "after" is comparable
            after = _rss_kb() if renewed else before
            rows.append({"poll": k + 1, "stored": store.count_articles(), "seconds": round(secs, 2),
                         "renewed": renewed, "rss_before_renewal_mb": round(before / 1024),
                         "rss_mb": round(after / 1024), "peak_mb": round(max(peak[0], before) / 1024),
                         "own_mb": round(tree_rss_kb(os.getpid(), children=False) / 1024)})
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--polls", type=int, default=25)
    ap.add_argument("--per-poll", type=int, default=100)
    ap.add_argument("--days-per-poll", type=float, default=10.0)
    ap.add_argument("--no-horizon", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--no-trim", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--_child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--precision", default="auto", help="MiniLM's number format (auto: float32, as for watch)")
    ap.add_argument("--renewal", type=float, metavar="MB",
                    help="compare renewing the workers past MB of growth with never renewing them")
    ap.add_argument("--_grow", dest="grow", type=float, help=argparse.SUPPRESS)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    if args._child:
        print(json.dumps(child(args)))
        return
    if args.renewal:
        return renewal(args)
    runs = {}
    sides = [("horizon 90 days", []), ("no horizon (peer)", ["--no-horizon", "--no-trim"])]
    for label, extra in sides:
        runs[label] = _side(args, *extra)
    a, b = runs["horizon 90 days"], runs["no horizon (peer)"]
    lines = ["| poll | stored | horizon + trim: s | horizon + trim: tree RSS after / peak (MB) | of which the main process (MB) | no horizon, no trim: s | no horizon, no trim: tree RSS after / peak (MB) | of which the main process (MB) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for x, y in zip(a, b, strict=False):
        lines.append(f"| {x['poll']} | {x['stored']:,} | {x['seconds']:.1f} | {x['rss_mb']} / {x['peak_mb']} | "
                     f"{x['own_mb']} | {y['seconds']:.1f} | {y['rss_mb']} / {y['peak_mb']} | {y['own_mb']} |")
    body = (f"Command: `python bench/stream_memory.py --polls {args.polls} --per-poll {args.per_poll} "
            f"--days-per-poll {args.days_per_poll:g} --write`. Stream: multinews articles (real texts, "
            f"155 words on average) in polls of {args.per_poll}, poll k dated {args.days_per_poll:g}·k days "
            "after the first; one store, models loaded once (one worker process per CPU, `Models.load()`); "
            "each side in its own process tree; RSS summed over the tree, the main process also alone.\n\n" + "\n".join(lines))
    print(body)
    if args.write:
        write_section("Long stream: memory and time per poll", body)


def _side(args: argparse.Namespace, *extra: str) -> list[dict]:
    cmd = [sys.executable, __file__, "--_child", "--polls", str(args.polls), "--per-poll", str(args.per_poll),
           "--days-per-poll", str(args.days_per_poll), "--precision", args.precision, *extra]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"},
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def renewal(args: argparse.Namespace) -> None:
    """Workers renewed past `args.renewal` MB of growth vs never renewed, the same stream each."""
    a = _side(args, "--_grow", str(args.renewal))
    b = _side(args)
    lines = ["| poll | stored | renewed: s | renewed: tree RSS after (MB) | renewed: main process (MB) | never renewed: s | never renewed: tree RSS after (MB) | never renewed: main process (MB) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for x, y in zip(a, b, strict=False):
        mark = f" (renewed from {x['rss_before_renewal_mb']})" if x["renewed"] else ""
        lines.append(f"| {x['poll']} | {x['stored']:,} | {x['seconds']:.1f} | {x['rss_mb']}{mark} | {x['own_mb']} | "
                     f"{y['seconds']:.1f} | {y['rss_mb']} | {y['own_mb']} |")
    tail = max(1, len(a) // 3)
    summary = (f"Renewed {sum(x['renewed'] for x in a)} times; highest tree RSS after a poll: renewed "
               f"{max(x['rss_before_renewal_mb'] for x in a):,} MB, never renewed {max(y['rss_mb'] for y in b):,} MB; "
               f"seconds over the last {tail} polls: renewed {sum(x['seconds'] for x in a[-tail:]):.0f}, "
               f"never renewed {sum(y['seconds'] for y in b[-tail:]):.0f}.")
    body = (f"Command: `python bench/stream_memory.py --renewal {args.renewal:g} --polls {args.polls} "
            f"--per-poll {args.per_poll} --precision {args.precision} --write`. The stream of "
            "'Long stream: memory and time per poll' (multinews, then `scale_stream` generations), horizon and trim on both sides; one side lets "
            f"`Models.renew_if_grown` replace the worker processes once they have grown {args.renewal:g} MB past "
            "their size after the first poll (checked after each poll, as `watch` does; a renewal's model "
            "reload, about 15 s, is outside the poll's seconds, since `watch` does it while idle), the other "
            "never does. Tree RSS is read after the poll (and after the renewal, with the fresh workers' "
            "models loaded).\n\n" + "\n".join(lines) + "\n\n" + summary)
    print(body)
    if args.write:
        write_section(f"Long stream: worker renewal ({args.precision})", body)


if __name__ == "__main__":
    main()
