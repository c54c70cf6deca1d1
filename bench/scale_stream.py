"""Scale to 100k as a growing stream: in-process vs Ray Data (local), chunk by chunk, resumable.

One engine needs hours for 100k articles on 2 cores, more than one sitting, so the stream is cut
into chunks (10k by default) that are fed one after the other into one store per engine, as a
newsroom's daily runs would be. The engines alternate by chunk (in-process chunk k, Ray chunk k,
in-process chunk k+1, ...), so each chunk's ratio is measured under the same machine conditions.
Progress lives in a state folder outside the work tree (`--state`): run the script again and it
goes on with the next chunk. A chunk cut short (session end, Ctrl-C) is re-run on the next start
on the store it left behind (the pipeline's own resume), and marked `resumed`: its timing is not a
rate figure. `--until HH:MM` stops before a chunk that would not end in time (estimated from the
engine's previous chunk); while the file `STATE/pause` exists no new chunk starts.

Corpus: the 2,790 real articles of ../shared/data/stories-multinews (their text; dates below), then further
*generations* of them. A generation keeps the function words and maps every other word to another
real word of the corpus vocabulary with about the same frequency (a permutation within frequency
bins, one per generation; capitals kept, numbers shifted). So each generation has the real data's
story structure (its ~2.8 articles per event, their shared passages, the same-cast events) but no
content shared with other generations: the stream grows by new stories, not by 36 copies of each
(which `bench/scale.py`'s replicas are, and which would make relate quadratic in a way no real
stream is). The generated stories have gold (`story` + generation), so the final B-cubed F1 of
each engine's stories is reported too, beside the real generation alone.

Dates: a stream spans time, so generation g is published on day `g * GAP_DAYS` (from
2020-01-01), each article at a random hour of that day. The gap exceeds the relate and clustering
horizons (90 days), as months between periods of news would. The date carries no story
information (every article of a generation has the same day). Without dates every generation was
"now": the word-permuted texts, which embed closer to each other than real articles do, then
merged across generations into one story that grew by ~900 articles a chunk, and compare, which is
quadratic in a story's reporting lines and quotes, took most of each chunk (35 s in chunk 1,
162 s in chunk 2, still running after 17 minutes in chunk 3).

    python bench/scale_stream.py --total 100000 --chunk 10000 [--until 22:30] [--write]
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import random
import re
import sqlite3
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import SHARED, run_script, write_section  # noqa: E402
from scale import child  # noqa: E402

MULTINEWS = SHARED / "data" / "stories-multinews" / "articles.jsonl.gz"
ENGINES = ("local", "ray")
KEEP = 400  # the most frequent words (function words, common verbs) stay as they are
BIN = 50  # other words are permuted within bins of this many words of similar frequency
GAP_DAYS = 120  # between generations: beyond the 90-day relate and clustering horizons
EPOCH = datetime(2020, 1, 1)
WORD = re.compile(r"[A-Za-z]+")


def _generation_map(vocab: list[str], gen: int, seed: int) -> dict[str, str]:
    rng = random.Random(seed * 1000 + gen)
    mapping = {w: w for w in vocab[:KEEP]}
    rest = vocab[KEEP:]
    for i in range(0, len(rest), BIN):
        chunk = rest[i:i + BIN]
        shuffled = chunk[:]
        rng.shuffle(shuffled)
        mapping.update(zip(chunk, shuffled))
    return mapping


def _recase(src: str, dst: str) -> str:
    if src.isupper() and len(src) > 1:
        return dst.upper()
    return dst[:1].upper() + dst[1:] if src[:1].isupper() else dst


def generate(total: int, seed: int = 11):
    """Yield `total` rows {id, story, text}: the real articles, then generations of them."""
    with gzip.open(MULTINEWS, "rt", encoding="utf-8") as f:
        real = [json.loads(line) for line in f]
    freq = Counter(w.lower() for r in real for w in WORD.findall(r["text"]))
    vocab = [w for w, _ in freq.most_common()]
    n, gen = 0, 0
    while n < total:
        mapping = _generation_map(vocab, gen, seed) if gen else None
        shift = random.Random(seed + gen).randint(1, 9)
        hours = random.Random(seed * 7 + gen)
        day = EPOCH + timedelta(days=gen * GAP_DAYS)
        for r in real:
            if n >= total:
                return
            published = (day + timedelta(seconds=hours.randrange(86_400))).isoformat() + "Z"
            if mapping is None:
                yield {"id": r["id"], "story": r["story"], "text": r["text"], "published": published}
            else:
                text = WORD.sub(lambda m: _recase(m.group(), mapping.get(m.group().lower(), m.group())), r["text"])
                text = re.sub(r"\d+", lambda m: str(int(m.group()) + shift), text)
                yield {"id": f"{r['id']}-g{gen}", "story": f"{r['story']}-g{gen}", "text": text,
                       "published": published}
            n += 1
        gen += 1


def chunk_file(state: Path, total: int, size: int, k: int) -> Path:
    """The k-th chunk as JSONL (text and the generated date, no gold), written once."""
    path = state / "corpus" / f"chunk-{k:03d}.jsonl"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        rows = itertools.islice(generate(total), k * size, (k + 1) * size)
        tmp = path.with_suffix(".tmp")
        tmp.write_text("".join(json.dumps({"id": r["id"], "title": "", "text": r["text"],
                                           "published": r["published"]}) + "\n"
                               for r in rows), encoding="utf-8")
        tmp.rename(path)
    return path


def store_counts(db: Path) -> dict:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        q = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
        return {"store_articles": q("select count(*) from articles"),
                "store_relations": q("select count(*) from relations"),
                "store_stories": q("select count(*) from stories"),
                "store_mb": db.stat().st_size / 2**20}
    finally:
        con.close()


def _results(state: Path) -> list[dict]:
    path = state / "results.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _deadline(until: str | None) -> float | None:
    if not until:
        return None
    h, m = map(int, until.split(":"))
    now = datetime.now()
    end = now.replace(hour=h, minute=m, second=0, microsecond=0)
    if end <= now:  # a time already past today means tomorrow's (a sitting that runs past midnight)
        end += timedelta(days=1)
    return end.timestamp()


def run_chunks(state: Path, total: int, size: int, engines: list[str], until: str | None) -> None:
    chunks = -(-total // size)
    deadline = _deadline(until)
    while True:
        done = _results(state)
        todo = []
        for k in range(chunks):
            todo += [(k, e) for e in engines if not any(r["engine"] == e and r["chunk"] == k for r in done)]
        if not todo:
            print("all chunks done", flush=True)
            return
        k, engine = todo[0]
        while (state / "pause").exists():
            time.sleep(10)
        timed = [r for r in done if not r.get("resumed")]
        last = [r["seconds"] for r in timed if r["engine"] == engine]
        # An engine's first chunk is estimated from the other engine's last, with Ray's measured 0.6x margin.
        guess = last[-1] if last else (timed[-1]["seconds"] * 1.7 if timed else None)
        if deadline is not None and guess and time.time() + 1.15 * guess + 60 > deadline:
            print(f"stopping: {engine} chunk {k} would not end before {until}", flush=True)
            return
        corpus = chunk_file(state, total, size, k)
        marker = state / f"{engine}.running"
        resumed = marker.exists() and marker.read_text().strip() == str(k)
        marker.write_text(str(k))
        db = state / f"{engine}.db"
        started = datetime.now().isoformat(timespec="seconds")
        r = run_script(__file__, "--_child", engine, "--_corpus", str(corpus), "--_db", str(db))
        marker.unlink()
        r.update(engine=engine, chunk=k, chunk_size=size, started=started, resumed=resumed,
                 load=open("/proc/loadavg").read().split()[:3], **store_counts(db))
        with open(state / "results.jsonl", "a") as f:
            f.write(json.dumps(r) + "\n")
        print(json.dumps(r), flush=True)


def _stored(state: Path, engine: str) -> int:
    """How much of the stream the engine's store has taken in (whole chunks done)."""
    return sum(r["chunk_size"] for r in _results(state) if r["engine"] == engine)


def bcubed(state: Path, engine: str, total: int, limit: int | None = None):  # type: ignore[no-untyped-def]
    """B-cubed P/R/F1 of the engine's stories against the generated gold, over the part of the
    stream the store has taken in (its first `limit` articles only, when given); articles
    dropped as duplicates count as misses."""
    db = state / f"{engine}.db"
    if not db.exists():
        return None
    n = _stored(state, engine) if limit is None else min(limit, _stored(state, engine))
    gold = {r["id"]: r["story"] for r in itertools.islice(generate(total), n)}
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        pred = {a: s for a, s in con.execute(
            "select a.source_id, m.story_id from story_members m join articles a on a.id = m.article_id")
            if a in gold}
    finally:
        con.close()
    from newsprism.evaluate import bcubed as score

    return score(pred, gold)


def report(state: Path, total: int, size: int, engines: list[str]) -> str:
    rows = _results(state)
    table = ["| chunk (articles in store after) | engine | seconds | articles/s | peak RSS, whole process tree (MB) | relations in store | stories in store | store file (MB) | seconds per stage |",
             "|---|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in sorted(rows, key=lambda r: (r["chunk"], engines.index(r["engine"]))):
        stages = ", ".join(f"{k} {v:.0f}" for k, v in r["stages"].items())
        rate = f"**{r['articles'] / r['seconds']:.2f}**" + (" (resumed)" if r.get("resumed") else "")
        table.append(f"| {r['chunk'] + 1} ({r['store_articles']:,}) | {r['engine']} | {r['seconds']:.0f} | {rate} | "
                     f"{r['peak_tree_mb']:.0f} | {r['store_relations']:,} | {r['store_stories']:,} | "
                     f"{r['store_mb']:.0f} | {stages} |")
    ratios, totals = [], {}
    for k in sorted({r["chunk"] for r in rows}):
        by = {r["engine"]: r for r in rows if r["chunk"] == k and not r.get("resumed")}
        if {"local", "ray"} <= by.keys():
            ratios.append(f"chunk {k + 1}: {by['local']['seconds'] / by['ray']['seconds']:.2f}x")
    for e in engines:
        mine = [r for r in rows if r["engine"] == e]
        if mine:
            secs = sum(r["seconds"] for r in mine)
            totals[e] = (len(mine), sum(r["articles"] for r in mine), secs,
                         max(r["peak_tree_mb"] for r in mine))
    lines = [f"{e}: {n} chunk(s), {a:,} articles in {s / 3600:.2f} h = **{a / s:.2f} articles/s**, "
             f"highest peak {p:,.0f} MB" for e, (n, a, s, p) in totals.items()]
    quality = []
    for e in engines:
        every, first = bcubed(state, e, total), bcubed(state, e, total, limit=2790)
        if every:
            quality.append(f"{e}: B-cubed F1 {every.f1:.3f} (P {every.precision:.3f}, R {every.recall:.3f}) "
                           f"over all stored; {first.f1:.3f} over the real generation alone")
    done = len(rows) == len(engines) * -(-total // size)
    cmd = f"python bench/scale_stream.py --total {total} --chunk {size} --write"
    return (f"Command: `{cmd}` (resumable; run until every chunk is done). "
            f"{'All chunks done.' if done else f'**Partial: {len(rows)} of {len(engines) * -(-total // size)} engine-chunks done so far.**'} "
            "Corpus: ../shared/data/stories-multinews (2,790 real articles) then generations of it, each a "
            "frequency-preserving word permutation (new stories with the real story structure; see the script). "
            "One SQLite store per engine grows chunk by chunk; each chunk is one `ingest` + `process` in a fresh "
            "process, models loaded before the clock (Ray: inside it). Peak RSS is the chunk process tree's.\n\n"
            + "\n".join(table) + "\n\n"
            + ("In-process time / Ray time per chunk (>1: Ray faster): " + "; ".join(ratios) + ".\n\n" if ratios else "")
            + ("Totals: " + "; ".join(lines) + ".\n\n" if lines else "")
            + ("Stories vs the generated gold: " + "; ".join(quality) + "." if quality else ""))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--total", type=int, default=100_000)
    ap.add_argument("--chunk", type=int, default=10_000)
    ap.add_argument("--engines", nargs="+", default=list(ENGINES), choices=ENGINES)
    ap.add_argument("--state", type=Path, default=Path(__file__).resolve().parents[2] / "scale-state",
                    help="progress folder, outside the work tree (default: ../scale-state)")
    ap.add_argument("--until", help="HH:MM: start no chunk that would not end by then")
    ap.add_argument("--report-only", action="store_true", help="only print (and --write) what is done")
    ap.add_argument("--write", action="store_true", help="write the section into BENCHMARKS.md")
    ap.add_argument("--_child", choices=ENGINES, help=argparse.SUPPRESS)
    ap.add_argument("--_corpus", help=argparse.SUPPRESS)
    ap.add_argument("--_db", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._child:
        print(json.dumps(child(args._child, args._corpus, db=args._db)))
        return
    args.state.mkdir(parents=True, exist_ok=True)
    conf = {"total": args.total, "chunk": args.chunk}
    saved = args.state / "config.json"
    if saved.exists() and json.loads(saved.read_text()) != conf:
        raise SystemExit(f"{args.state} holds a run with {saved.read_text()}; use another --state")
    saved.write_text(json.dumps(conf))
    if not args.report_only:
        run_chunks(args.state, args.total, args.chunk, args.engines, args.until)
    body = report(args.state, args.total, args.chunk, args.engines)
    print(body)
    if args.write:
        write_section("Scale to 100k: a growing stream, in-process vs Ray", body)


if __name__ == "__main__":
    main()
