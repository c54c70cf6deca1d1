"""Helpers shared by the bench scripts: machine description and BENCHMARKS.md sections."""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "BENCHMARKS.md"
SHARED = Path(os.environ.get("NEWSPRISM_SHARED", ROOT.parent / "shared"))


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {platform.system()}"


def write_section(title: str, body: str) -> None:
    """Replace (or append) the `## title` section of BENCHMARKS.md."""
    text = BENCHMARKS.read_text(encoding="utf-8") if BENCHMARKS.exists() else "# Benchmarks\n"
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    section = f"## {title}\n\n_Measured {stamp} on {machine()}._\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text)
    else:
        text = text.rstrip() + "\n\n" + section
    BENCHMARKS.write_text(text, encoding="utf-8")


def run_script(script: str, *args: str) -> dict:
    """Run `script --_child ...` in a fresh interpreter (its own peak RSS, its own imports) and
    return the JSON object it prints last."""
    out = subprocess.run([sys.executable, script, *args], capture_output=True, text=True,
                         env={**os.environ, "HF_HUB_OFFLINE": "1"})
    if out.returncode:
        print(out.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"{Path(script).name} {' '.join(args)} failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


def tree_rss_kb(root: int, *, children: bool = True) -> int:
    """Summed VmRSS of `root` and all its descendants, or of `root` alone (hand-rolled: psutil
    is not a dependency)."""
    from newsprism.heap import rss_kb

    if not children:
        return rss_kb(root)
    parent: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                stat = Path(f"/proc/{d}/stat").read_text()
                parent[int(d)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    tree, frontier = {root}, [root]
    while frontier:
        p = frontier.pop()
        kids = [c for c, pp in parent.items() if pp == p and c not in tree]
        tree.update(kids)
        frontier.extend(kids)
    return sum(rss_kb(pid) for pid in tree)


class TreePeak:
    """The peak RSS of this process and its children (MB), sampled every `every` seconds
    while the block runs: `with TreePeak() as peak: ...`, then `peak.mb`."""

    def __init__(self, every: float = 0.5) -> None:
        import threading

        self.every, self.kb = every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.kb = max(self.kb, tree_rss_kb(os.getpid()))
            self._stop.wait(self.every)

    @property
    def mb(self) -> float:
        return self.kb / 1024

    def __enter__(self) -> TreePeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.kb = max(self.kb, tree_rss_kb(os.getpid()))


def timed_pipeline(corpus: str, models: object | None, settings: object | None = None, *,
                   keep: str | None = None) -> dict:
    """Ingest `corpus` into a fresh SQLite store (a temporary one, or the path `keep`) and
    process it, in-process with `models` or on Ray when `models` is None; seconds (ingest
    included), stage seconds, counts and the process tree's peak RSS. The caller loads the
    models (and waits for its workers) first."""
    import tempfile
    import time

    from newsprism.pipeline import ingest, process
    from newsprism.settings import Settings
    from newsprism.store import open_store

    settings = settings or Settings()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(keep or f"{tmp}/bench.db")
        with TreePeak() as peak:
            t0 = time.perf_counter()
            s = ingest(store, [corpus], settings=settings)
            t_ingest = time.perf_counter() - t0
            if models is not None:
                r = process(store, models, settings=settings)
            else:
                from newsprism.engine_ray import process_ray

                r = process_ray(store, settings=settings)
            wall = time.perf_counter() - t0
        # counted once the peak is taken: this reads every story state in the store, which the
        # pipeline never does, and inside the peak it grew the figure with the store
        stories = len(store.story_states())
        store.close()
    return {"articles": s.new, "seconds": wall, "ingest_seconds": t_ingest, "stages": r.seconds,
            "relations": r.relations, "stories": stories, "peak_tree_mb": peak.mb}
