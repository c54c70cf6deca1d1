"""Server mode: latency and requests/s of story list, story page and search at 10k and 100k articles.

1. Stores. `newsprism run` on the demo corpus (43 articles, 8 stories) once, then its records
   are replicated through the public Store API (`add_articles`, `save_analyses`,
   `save_relations`, `save_stories`, `save_comparisons`) until the store holds the asked number
   of articles: copy k of the demo gets new article and story ids (md5 of old id and k) and every
   ISO timestamp in its records (publication times, story first/last seen) moved k days back,
   so each copy is 8 more stories with the demo's analyses, relations, story states and
   comparisons. Vectors and MinHash signatures are not copied (no read endpoint uses them).
   Then the full-text index is built (`ensure_search_index`). SQLite stores are cached under
   --cache (rebuilt with --rebuild); PostgreSQL stores are built in a throwaway loopback
   cluster (tests/_pg.py) on every run.

2. Load. The app (`create_app`, read-only) runs under uvicorn in its own process on
   127.0.0.1; this process sends --requests requests per endpoint and concurrency (after
   --warmup), with httpx, at concurrency 1 and 4 (threads, one keep-alive client each).
   Endpoints: story list `/api/stories?limit=20`, story page `/api/stories/{id}` and the HTML
   `/stories/{id}` (story ids cycled over a fixed random sample of 64), search
   `/api/stories?q=...&limit=20` (queries cycled over a fixed list of demo words).

3. Floor (SQLite only): the SQL each endpoint runs, straight through `sqlite3` on the same file
   in this process (no HTTP, no JSON decoding), sequentially, measured in the same run.

    python bench/server.py [--sizes 10000,100000] [--backends sqlite,postgresql]
                           [--requests 200] [--warmup 20] [--rebuild] [--write]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
from _common import ROOT, write_section

DEMO = ROOT / "src" / "newsprism" / "demo" / "corpus"
CACHE = Path(tempfile.gettempdir()) / "newsprism-bench-server"
QUERIES = ("strike", "gas transit", "dam", "minister", "port workers", "election", "flood", "agreement")
SAMPLE = 64
SEED = 11
#: Copies of the demo written per batch of Store API calls.
BATCH = 20

_TOKEN = re.compile(r"\b[0-9a-f]{16}\b|\bs[0-9a-f]{10}\b|"
                    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[+-]\d{2}:\d{2}|Z)?")


# -- stores -------------------------------------------------------------------------------------

def demo_store(cache: Path) -> Path:
    """The demo corpus through the whole pipeline (`newsprism run`), once."""
    db = cache / "demo.db"
    if not db.exists():
        cache.mkdir(parents=True, exist_ok=True)
        tmp = cache / "demo.tmp.db"
        for p in cache.glob("demo.tmp.db*"):
            p.unlink()
        subprocess.run([sys.executable, "-m", "newsprism", "run", str(DEMO), "--db", str(tmp), "-q"],
                       check=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
        tmp.rename(db)
    return db


class Template:
    """The demo's records as one JSON text cut at every id and timestamp, so that a copy with
    new ids and shifted times is a join of the pieces (no regex per copy)."""

    def __init__(self, demo_db: Path) -> None:
        from newsprism import serialize as ser
        from newsprism.store import open_store

        store = open_store(str(demo_db))
        arts = store.articles()
        ids = [a.id for a in arts]
        comps = store.comparisons()
        members = store.story_members()
        records = {
            "articles": [ser.article_to_dict(a) for a in arts],
            "analyses": [ser.analysis_to_dict(x) for x in store.analyses(ids).values()],
            "relations": [ser.relation_to_dict(r) for r in store.relations()],
            "states": store.story_states(),
            "members": [[a, s] for s, m in members.items() for a in m],
            "comparisons": [[ser.comparison_to_dict(c), ser.story_to_dict(s)] for s, c in comps],
        }
        store.close()
        self.article_ids = set(ids)
        self.story_ids = {s["id"] for s in records["states"]} | set(members)
        text = json.dumps(records, ensure_ascii=False)
        self.pieces: list[str] = []
        self.tokens: list[str] = []
        pos = 0
        for m in _TOKEN.finditer(text):
            tok = m.group()
            if tok in self.article_ids or tok in self.story_ids or (tok[4] == "-" and "T" in tok):
                self.pieces.append(text[pos:m.start()])
                self.tokens.append(tok)
                pos = m.end()
        self.pieces.append(text[pos:])
        self.n_articles, self.n_stories = len(ids), len(comps)

    def copy(self, k: int) -> dict[str, Any]:
        """The demo's records with copy-k ids and times moved k days back (k=0: the demo itself)."""
        def sub(tok: str) -> str:
            if tok not in self.article_ids and tok not in self.story_ids:  # a timestamp
                if k == 0:
                    return tok
                return (datetime.fromisoformat(tok) - timedelta(days=k)).isoformat()
            if k == 0:
                return tok
            h = hashlib.md5(f"{tok}:{k}".encode()).hexdigest()
            return h[:16] if tok in self.article_ids else "s" + h[:10]

        mapping = {tok: sub(tok) for tok in set(self.tokens)}
        parts = [self.pieces[0]]
        for tok, piece in zip(self.tokens, self.pieces[1:], strict=True):
            parts.append(mapping[tok])
            parts.append(piece)
        rec = json.loads("".join(parts))
        for a in rec["articles"]:
            a["origin"] = f"copy{k}/{a['origin']}" if k else a["origin"]
        return rec


def write_copies(store: Any, tpl: Template, copies: range, progress: Callable[[int], None]) -> None:
    """Copies of the demo into `store`, BATCH at a time, through the Store API."""
    from newsprism import serialize as ser

    for start in range(copies.start, copies.stop, BATCH):
        recs = [tpl.copy(k) for k in range(start, min(start + BATCH, copies.stop))]
        arts = [ser.article_from_dict(a) for r in recs for a in r["articles"]]
        store.add_articles(arts)
        store.save_analyses([ser.analysis_from_dict(x) for r in recs for x in r["analyses"]])
        store.save_relations([ser.relation_from_dict(x) for r in recs for x in r["relations"]],
                             [a.id for a in arts])
        store.save_stories([s for r in recs for s in r["states"]],
                           [(a, s) for r in recs for a, s in r["members"]])
        store.save_comparisons([ser.comparison_from_dict(c) for r in recs for c, _ in r["comparisons"]],
                               [ser.story_from_dict(s) for r in recs for _, s in r["comparisons"]])
        progress(start + len(recs))


def build_store(url: str, tpl: Template, size: int, label: str) -> dict[str, Any]:
    """Fill an empty store with ceil(size / demo articles) copies of the demo; index for search."""
    from newsprism.server.search import ensure_search_index
    from newsprism.store import open_store

    n = max(1, round(size / tpl.n_articles))
    t0 = time.perf_counter()
    store = open_store(url)

    def progress(done: int) -> None:
        if done % 200 < BATCH or done == n:
            print(f"  {label}: {done}/{n} copies ({time.perf_counter() - t0:.0f} s)", flush=True)

    write_copies(store, tpl, range(n), progress)
    ensure_search_index(store.engine)
    if store.engine.dialect.name == "postgresql":
        with store.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    info = {"copies": n, "articles": store.count_articles(), "stories": len(store.story_members()),
            "build_s": time.perf_counter() - t0}
    store.close()
    return info


def sqlite_store(cache: Path, tpl: Template, size: int, rebuild: bool) -> tuple[str, dict[str, Any]]:
    path = cache / f"server-{size}.db"
    meta = cache / f"server-{size}.json"
    if rebuild or not path.exists() or not meta.exists():
        tmp = cache / f"server-{size}.tmp.db"
        for p in [*cache.glob(f"server-{size}.tmp.db*"), path, meta]:
            p.unlink(missing_ok=True)
        info = build_store(str(tmp), tpl, size, f"sqlite {size}")
        conn = sqlite3.connect(tmp)
        conn.execute("ANALYZE")
        conn.execute("PRAGMA journal_mode=DELETE")  # folds the WAL in, so the file can be renamed
        conn.close()
        tmp.rename(path)
        meta.write_text(json.dumps(info))
        return str(path), info
    return str(path), {**json.loads(meta.read_text()), "cached": True}


# -- server and load ------------------------------------------------------------------------------

def serve(db: str, port: int) -> None:
    """Child process: the read-only app over `db` under uvicorn on 127.0.0.1:port."""
    import logging

    import uvicorn

    from newsprism.server import create_app
    from newsprism.store import open_store

    logging.basicConfig(level=logging.WARNING)
    uvicorn.run(create_app(open_store(db)), host="127.0.0.1", port=port, log_level="warning",
                access_log=False)


@contextmanager
def server(db: str) -> Iterator[str]:
    import httpx
    from _pg import _free_port

    port = _free_port()
    proc = subprocess.Popen([sys.executable, __file__, "--serve", db, "--port", str(port)],
                            env={**os.environ, "HF_HUB_OFFLINE": "1"})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                if httpx.get(base + "/static/ui.js", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server for {db} did not start")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def percentile(xs: list[float], p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, math.ceil(p / 100 * len(s)) - 1))]


def load(base: str, paths: list[str], *, requests: int, warmup: int, concurrency: int) -> dict[str, float]:
    """`requests` GETs cycling over `paths` at `concurrency`; p50/p95 (ms) and requests/s."""
    import httpx

    def worker(todo: list[str], out: list[float]) -> None:
        with httpx.Client(base_url=base, timeout=120) as client:
            for p in todo:
                t0 = time.perf_counter()
                r = client.get(p)
                out.append(time.perf_counter() - t0)
                if r.status_code != 200:
                    raise RuntimeError(f"GET {p}: {r.status_code} {r.text[:200]}")

    worker([paths[i % len(paths)] for i in range(warmup)], [])
    todo = [paths[i % len(paths)] for i in range(requests)]
    lat: list[list[float]] = [[] for _ in range(concurrency)]
    threads = [threading.Thread(target=worker, args=(todo[i::concurrency], lat[i])) for i in range(concurrency)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    flat = [x for xs in lat for x in xs]
    if len(flat) != requests:
        raise RuntimeError("a load thread failed")
    return {"p50": percentile(flat, 50) * 1000, "p95": percentile(flat, 95) * 1000, "rps": requests / wall}


def sample_ids(db: str) -> tuple[list[str], dict[str, int]]:
    """A fixed random sample of story ids (with their sizes), the same on every backend."""
    from newsprism.store import open_store

    store = open_store(db)
    members = store.story_members()
    store.close()
    ids = sorted(members)
    picked = random.Random(SEED).sample(ids, min(SAMPLE, len(ids)))
    return picked, {s: len(members[s]) for s in picked}


def endpoints(ids: list[str]) -> dict[str, list[str]]:
    from urllib.parse import quote

    return {
        "story list `/api/stories?limit=20`": ["/api/stories?limit=20"],
        "story page `/api/stories/{id}`": [f"/api/stories/{s}" for s in ids],
        "story page HTML `/stories/{id}`": [f"/stories/{s}" for s in ids],
        "search `/api/stories?q=…&limit=20`": [f"/api/stories?q={quote(q)}&limit=20" for q in QUERIES],
    }


# -- floor: the same SQL through sqlite3 ---------------------------------------------------------------

_SIZES_SQL = ("SELECT story_id, count(*) FROM story_members m WHERE EXISTS "
              "(SELECT 1 FROM comparisons c WHERE c.story_id = m.story_id) GROUP BY story_id")
_SPANS_SQL = ("SELECT m.story_id, min(a.published_at), max(a.published_at) FROM story_members m "
              "JOIN articles a ON a.id = m.article_id WHERE m.story_id IN ({}) GROUP BY m.story_id")
_HITS_SQL = ("SELECT DISTINCT m.story_id FROM articles_fts JOIN articles a ON a.seq = articles_fts.rowid "
             "JOIN story_members m ON m.article_id = a.id WHERE articles_fts MATCH ?")


def floor(db: str, ids: list[str], requests: int) -> dict[str, dict[str, float]]:
    """Per endpoint, p50/p95 (ms) and calls/s of its SQL straight through sqlite3, sequentially."""
    conn = sqlite3.connect(db)

    def story_list(q: str | None = None) -> None:
        sizes = conn.execute(_SIZES_SQL).fetchall()
        if q is not None:
            words = " ".join('"' + w.replace('"', '""') + '"' for w in re.findall(r"\w+", q))
            hit = {r[0] for r in conn.execute(_HITS_SQL, (words,))}
            sizes = [r for r in sizes if r[0] in hit]
        sizes.sort(key=lambda r: -r[1])
        if not sizes:
            return
        hi, lo = sizes[0][1], sizes[min(20, len(sizes)) - 1][1]
        tied = [r[0] for r in sizes if lo <= r[1] <= hi]
        spans = {}
        for i in range(0, len(tied), 900):
            chunk = tied[i:i + 900]
            spans.update({r[0]: r[1] for r in conn.execute(_SPANS_SQL.format(",".join("?" * len(chunk))), chunk)})
        tied.sort(key=lambda sid: (spans.get(sid) or "", sid))
        page = tied[:20]
        marks = ",".join("?" * len(page))
        conn.execute(f"SELECT data FROM comparisons WHERE story_id IN ({marks})", page).fetchall()

    def story_page(sid: str) -> None:
        conn.execute("SELECT data FROM comparisons WHERE story_id = ?", (sid,)).fetchall()
        conn.execute("SELECT data FROM stories WHERE id = ?", (sid,)).fetchall()
        arts = [r[0] for r in conn.execute("SELECT article_id FROM story_members WHERE story_id = ?", (sid,))]
        marks = ",".join("?" * len(arts))
        conn.execute(f"SELECT * FROM articles WHERE id IN ({marks})", arts).fetchall()
        conn.execute(f"SELECT data FROM analyses WHERE article_id IN ({marks})", arts).fetchall()
        conn.execute(f"SELECT data FROM relations WHERE a IN ({marks}) AND b IN ({marks})", arts + arts).fetchall()

    calls: dict[str, Callable[[int], None]] = {
        "story list `/api/stories?limit=20`": lambda i: story_list(),
        "story page `/api/stories/{id}`": lambda i: story_page(ids[i % len(ids)]),
        "search `/api/stories?q=…&limit=20`": lambda i: story_list(QUERIES[i % len(QUERIES)]),
    }
    out = {}
    for name, call in calls.items():
        for i in range(10):
            call(i)
        lat = []
        t0 = time.perf_counter()
        for i in range(requests):
            s = time.perf_counter()
            call(i)
            lat.append(time.perf_counter() - s)
        wall = time.perf_counter() - t0
        out[name] = {"p50": percentile(lat, 50) * 1000, "p95": percentile(lat, 95) * 1000, "rps": requests / wall}
    conn.close()
    return out


# -- main --------------------------------------------------------------------------------------------

def measure(db: str, label: str, args: argparse.Namespace, ids: list[str]) -> list[tuple[str, int, dict[str, float]]]:
    out = []
    with server(db) as base:
        for name, paths in endpoints(ids).items():
            for c in args.concurrency:
                r = load(base, paths, requests=args.requests, warmup=args.warmup, concurrency=c)
                out.append((name, c, r))
                print(f"  {label} | {name} | c={c} | p50 {r['p50']:.1f} ms | p95 {r['p95']:.1f} ms | "
                      f"{r['rps']:.0f} req/s", flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--requests", type=int, default=200, help="requests per endpoint and concurrency")
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--concurrency", default="1,4")
    ap.add_argument("--cache", type=Path, default=CACHE, help="demo and SQLite stores, kept between runs")
    ap.add_argument("--rebuild", action="store_true", help="rebuild the cached SQLite stores")
    ap.add_argument("--build-only", action="store_true", help="build the cached SQLite stores, measure nothing")
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--serve", help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(args.serve, args.port)
        return
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    args.concurrency = [int(x) for x in args.concurrency.split(",")]
    sizes = [int(x) for x in args.sizes.split(",")]
    backends = args.backends.split(",")
    t_start = time.perf_counter()
    tpl = Template(demo_store(args.cache))
    rows: list[str] = []
    floor_rows: list[str] = []
    stores: list[str] = []
    target: list[tuple[int, float]] = []

    def emit(backend: str, size: int, info: dict[str, Any], results: list[tuple[str, int, dict[str, float]]],
             fl: dict[str, dict[str, float]] | None) -> None:
        build = "cached" if info.get("cached") else f"{info['build_s']:.0f} s"
        stores.append(f"| {backend} | {info['articles']:,} | {info['stories']:,} | {info['copies']} | {build} |")
        for name, c, r in results:
            f = (fl or {}).get(name.replace("story page HTML `/stories/{id}`", "story page `/api/stories/{id}`"))
            ratio = f"{r['p50'] / f['p50']:.1f}x" if f and c == 1 else ""
            rows.append(f"| {backend} | {info['articles']:,} | {name} | {c} | {r['p50']:.1f} | "
                        f"**{r['p95']:.1f}** | {r['rps']:.0f} | {ratio} |")
            if name.startswith("story page"):
                target.append((c, r["p95"]))
        for name, f in (fl or {}).items():
            floor_rows.append(f"| {info['articles']:,} | {name} | {f['p50']:.2f} | {f['p95']:.2f} | {f['rps']:.0f} |")

    ids_by_size: dict[int, list[str]] = {}
    for size in sizes:
        db, info = sqlite_store(args.cache, tpl, size, args.rebuild)  # also the story sample
        ids_by_size[size], _ = sample_ids(db)
        if args.build_only:
            print(f"sqlite {size}: {info}", flush=True)
            continue
        if "sqlite" in backends:
            print(f"sqlite {size}: {info}", flush=True)
            fl = floor(db, ids_by_size[size], args.requests)
            for name, f in fl.items():
                print(f"  floor | {name} | p50 {f['p50']:.2f} ms | p95 {f['p95']:.2f} ms", flush=True)
            emit("SQLite", size, info, measure(db, f"sqlite {size}", args, ids_by_size[size]), fl)
    if args.build_only:
        return
    if "postgresql" in backends:
        from _pg import pg_cluster

        with pg_cluster(shared_buffers="512MB", extra="-c maintenance_work_mem=256MB") as cluster:
            for size in sizes:
                url = cluster.database(f"bench{size}")
                info = build_store(url, tpl, size, f"postgresql {size}")
                print(f"postgresql {size}: {info}", flush=True)
                emit("PostgreSQL", size, info, measure(url, f"postgresql {size}", args, ids_by_size[size]), None)
    total = time.perf_counter() - t_start
    cmd = (f"python bench/server.py --sizes {args.sizes} --backends {args.backends} --requests {args.requests} "
           f"--warmup {args.warmup} --concurrency {','.join(map(str, args.concurrency))} --write")
    worst = {c: max(p for cc, p in target if cc == c) for c in args.concurrency}
    verdict = "; ".join(f"concurrency {c}: **{'met' if p < 100 else 'missed'}** (worst p95 {p:.1f} ms)"
                        for c, p in worst.items())
    body = (
        f"Command: `{cmd}` (whole run {total / 60:.1f} min).\n\n"
        "**Stores.** `newsprism run` on the demo corpus (43 articles, 8 stories), then its records replicated "
        "through the public Store API (`add_articles`, `save_analyses`, `save_relations`, `save_stories`, "
        f"`save_comparisons`, {BATCH} copies per call): copy k gets new article and story ids (md5 of the old id "
        "and k) and every ISO timestamp in its records (publication times, story first/last seen) moved k days "
        "back, so each copy is 8 more stories with the demo's real analyses, relations, story states and "
        "comparisons (vectors and MinHash signatures are not copied: no read endpoint uses them). Then the "
        "full-text index (`ensure_search_index`: FTS5 on SQLite, GIN tsvector on PostgreSQL). SQLite files are "
        "cached between runs; PostgreSQL 15 runs in a throwaway cluster on 127.0.0.1 (tests/_pg.py, "
        "fsync off, shared_buffers 512MB) and its stores are built on every run.\n\n"
        "| backend | articles | stories | demo copies | build |\n|---|---:|---:|---:|---:|\n"
        + "\n".join(stores) + "\n\n"
        "**Load.** The read-only app (`create_app`) under uvicorn (one worker process) on 127.0.0.1; this "
        f"process sends {args.requests} GETs per endpoint and concurrency after {args.warmup} warm-up GETs, with "
        "httpx (keep-alive, one client per thread). Story pages cycle over the same 64 random stories on every "
        f"backend; searches cycle over {len(QUERIES)} words and phrases of the demo ({', '.join(QUERIES)}). "
        "Latency is per request as the client sees it; req/s is requests over wall time.\n\n"
        "| backend | articles | endpoint | concurrency | p50 (ms) | p95 (ms) | req/s | p50 / sqlite3 floor |\n"
        "|---|---:|---|---:|---:|---:|---:|---:|\n" + "\n".join(rows) + "\n\n"
        f"Target story page p95 < 100 ms (JSON and HTML, every backend and size): {verdict}. One uvicorn worker "
        "serves the requests one at a time and the load generator shares the machine's cores, so at "
        "concurrency 4 a request mostly waits behind the others: latency there is about 4x the service time, "
        "and req/s is the number to read.\n\n"
        "**Floor.** The SQL behind each endpoint straight through Python's `sqlite3` on the same SQLite file, "
        "in the bench process, sequentially, no HTTP and no JSON decoding: story list = members per story "
        "(story_members grouped, stories with a comparison), the first/last publication of the stories tied "
        "in size with the first page (story_members ⋈ articles), then the page's 20 comparison rows; story "
        "page = the story's comparison and state rows, its members' article, analysis and relation rows; "
        "search = the FTS5 MATCH joined to story_members, then the story list SQL over the hit stories. "
        "The ratio column is server p50 / floor p50 at concurrency 1.\n\n"
        "| articles | endpoint | p50 (ms) | p95 (ms) | calls/s |\n|---:|---|---:|---:|---:|\n"
        + "\n".join(floor_rows))
    print(body)
    if args.write:
        write_section("Server mode: story list, story page and search latency", body)


if __name__ == "__main__":
    main()
