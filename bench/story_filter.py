"""Story list filtered by entity on a real-sized store: the stored entity rows vs reading every
comparison, which is what the filter did before store revision 0009.

The store is copied first (opening it migrates it, and the original may belong to a pinned
checkout). The peer is `Store.comparisons()` alone, every comparison's JSON read and parsed: a
floor for the old path, which also filtered and summarised what it read.

Usage: python bench/story_filter.py --db /path/to/newsprism.db [--repeat 5] [--write]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import write_section  # noqa: E402


def _median_ms(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="an SQLite store to measure (copied, not changed)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--write", action="store_true", help="write the BENCHMARKS.md section")
    args = ap.parse_args()

    from sqlalchemy import func, select

    from newsprism.server.queries import StoryFilter, list_stories
    from newsprism.store import open_store
    from newsprism.store import schema as t
    from newsprism.store import migrate
    from newsprism.store.sql import store_revision

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "store.db"
        # SQLite's backup API, not a file copy: transactions still in a write-ahead log left by
        # a process that did not close the store are not in the main file yet
        with closing(sqlite3.connect(args.db)) as src, closing(sqlite3.connect(copy)) as dst:
            src.backup(dst)
        before = store_revision(str(copy))
        started = time.perf_counter()
        store = open_store(str(copy))  # migrates to head: fills story_entities from comparisons
        opened = time.perf_counter() - started
        e = t.story_entities.c
        with store.engine.connect() as conn:
            counts = conn.execute(select(e.name, func.count()).group_by(e.name)
                                  .order_by(func.count().desc(), e.name)).all()
            n_rows = sum(n for _, n in counts)
        stories = len(store.story_sizes())
        # the commonest name, one of median frequency, and text that names nothing
        picks = [counts[0][0], counts[len(counts) // 2][0], "zzqx no such entity"]
        rows = []
        for name in picks:
            total, _ = list_stories(store, StoryFilter(entity=name), limit=20, offset=0)
            ms = _median_ms(lambda n=name: list_stories(store, StoryFilter(entity=n), limit=20, offset=0),
                            args.repeat)
            rows.append((name, total, ms))
        plain = _median_ms(lambda: list_stories(store, StoryFilter(), limit=20, offset=0), args.repeat)
        scan = _median_ms(store.comparisons, max(1, min(args.repeat, 3)))
        store.close()
    size_mb = Path(args.db).stat().st_size / 2**20
    lines = [f"Command: `python bench/story_filter.py --db STORE --repeat {args.repeat} --write`, "
             f"STORE being an SQLite store of {stories:,} compared stories ({size_mb:,.0f} MB). "
             "Times are medians of in-process calls to `server.queries.list_stories` "
             "(the API's code path, no HTTP), first page of 20.",
             "",
             (f"Migration {before} → head on a copy of the store (fills {n_rows:,} entity rows of "
              f"{len(counts):,} distinct names from the stored comparisons): {opened:.1f} s."
              if before != migrate.head() else
              f"The store was already at revision {before} ({n_rows:,} entity rows of "
              f"{len(counts):,} distinct names)."),
             "",
             "| filter | stories matched | ms | peer: read every comparison (ms) | peer / this |",
             "|---|---:|---:|---:|---:|",
             f"| none | {stories:,} | {plain:.1f} | {scan:.1f} | {scan / plain:.1f}x |"]
    for name, total, ms in rows:
        lines.append(f"| entity `{name}` | {total:,} | {ms:.1f} | {scan:.1f} | {scan / ms:.1f}x |")
    lines += ["", "Before revision 0009 an entity filter read and parsed every comparison "
              "(the peer column) and then filtered in Python, so it cost at least the peer's time."]
    body = "\n".join(lines)
    print(body)
    if args.write:
        write_section("Server mode: story list filtered by entity", body)


if __name__ == "__main__":
    main()
