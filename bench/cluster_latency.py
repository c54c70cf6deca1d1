"""Story assignment latency: `StoryClusterer.assign` per article as the stored story state grows,
beside the previous brute-force text similarity (every centroid and every member vector, one
matrix product each) on the same state, with the index's candidate recall and memory.

Synthetic state per size S (stories), generated in a fresh subprocess (seeded) so that RSS is its
own: multilingual 512-d unit vectors built from independent random directions, a global component
shared by all vectors, a section, one of `N_TOPICS` topic directions, a story direction and a
per-member direction (weights below, set so that cosines resemble real USE vectors: same story ≈
0.64, same topic ≈ 0.44, same section ≈ 0.34, unrelated ≈ 0.14); 1-3 members per story, `ml_sum`
their sum; three entities per story (two from its topic's cast, one its own); first seen spread
over a year, multi-member stories lasting a few days; when `StoryState` has content-term counts (the lexical half of the
score), ≈ 200 synthetic terms per story and ≈ 400-word article texts (`--no-terms`: none). The
clusterer is built through its public constructor (`StoryClusterer(states, member_vectors=...)`),
as `pipeline.cluster_pending` does on restart.

Then `queries` new articles (half a new member of an existing story, half a new story on an existing
topic): first, on the built state, index candidates (`text_similarity`) and scoring, the decision an
exact search would give, and the brute-force peer (similarity, and the whole decision with scoring);
then `assign` for each, timed one call at a time with `time.perf_counter_ns`. Queries alternate
between the default thread counts and one thread.

    python bench/cluster_latency.py [--sizes 10000,100000,300000] [--quick] [--sections 20]
        [--no-terms] [--write]

1,000,000 stories do not fit this script's default budget (~25 min on 2 shared cores): the build
alone, one HNSW insertion per stored member, takes about half an hour; the report extrapolates.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import math
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_section

TITLE = "Story assignment latency"
DEFAULT_SIZES = (10_000, 100_000, 300_000)
QUICK_SIZES = (2_000, 30_000)
TARGET_STORIES = 1_000_000
TARGET_MS = 50.0
DIM = 512
N_TOPICS = 3_000
TOPIC_CAST = 12  # entity names per topic
N_SECTIONS = 20  # default: topics grouped in sections (politics, sport, ...); 0 = flat
# Squared weights of the global, section, topic, story and member directions (sum 1). With
# sections, expected cosine of two members of one story 0.14 + 0.20 + 0.10 + 0.20 = 0.64, of one
# topic 0.44, of one section 0.34 (5% of pairs, like the 95th percentile of real different-story
# pairs below), otherwise 0.14. Flat (`--sections 0`): one story 0.64, one topic 0.34, else 0.14.
W2_SECTIONS = {"global": 0.14, "section": 0.20, "topic": 0.10, "story": 0.20, "member": 0.36}
W2_FLAT = {"global": 0.14, "section": 0.0, "topic": 0.20, "story": 0.30, "member": 0.36}
# Real multilingual USE document vectors, for comparison: the multinews dev set's stored vectors
# (2,603 articles, 1,000 gold stories; `bench/stories.py --keep`), measured once.
REAL_COSINES = ("on the multinews set's stored USE vectors (2,603 articles, 1,000 gold stories), "
                "same-story pairs have median cosine 0.50 (quartiles 0.34–0.64), different-story "
                "pairs 0.14 (95th percentile 0.35), and each article's nearest other-story article "
                "median 0.54")
# Content terms (for the lexical half of the score, when `StoryState` has `terms`): each article
# has ~100 general words (Zipf over GENERAL_WORDS), 35 of its topic's TOPIC_WORDS and 12 of its
# story's STORY_WORDS, padded with stop words to ARTICLE_WORDS words of text.
GENERAL_WORDS, TOPIC_WORDS, STORY_WORDS = 50_000, 200, 20
PER_ARTICLE = {"general": 100, "topic": 35, "story": 12}
ARTICLE_WORDS = 400
FILLER = ("of", "to", "in", "a", "is", "on", "it", "by", "at", "as")  # shorter than a term
T0 = datetime(2025, 1, 1, tzinfo=UTC)
CHUNK = 50_000  # stories generated per chunk


# -- synthetic state (child) ----------------------------------------------------------------------
def _directions(rng: np.random.Generator, n: int) -> np.ndarray:
    """n random unit-norm directions (float32); independent ones are nearly orthogonal in 512-d."""
    x = rng.standard_normal((n, DIM), dtype=np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _unit_rows(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _word(prefix: str, i: int) -> str:
    """A pseudo-word of letters only ("zg" + base-26 letters of i), never a stop word."""
    out = []
    while True:
        i, r = divmod(i, 26)
        out.append(chr(97 + r))
        if not i:
            return prefix + "".join(out)


def has_terms() -> bool:
    from newsprism.cluster import StoryState

    return "terms" in StoryState.__dataclass_fields__


class Synth:
    """Seeded generator of story state and queries; keeps what the queries need (topic of each
    story, the core vector of the stories that join queries target)."""

    def __init__(self, n_stories: int, queries: int, seed: int, terms: bool, sections: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.n = n_stories
        self.terms = terms
        if terms:
            ranks = np.arange(1, GENERAL_WORDS + 1, dtype=np.float64)
            self.zipf_cdf = np.cumsum(ranks ** -1.07 / (ranks ** -1.07).sum())
            self.general = [_word("zg", i) for i in range(GENERAL_WORDS)]
            self.topic_words = [[_word("zt", t * TOPIC_WORDS + j) for j in range(TOPIC_WORDS)]
                                for t in range(N_TOPICS)]
        rng = self.rng
        w = {k: np.float32(math.sqrt(v)) for k, v in (W2_SECTIONS if sections else W2_FLAT).items()}
        self.w = w
        self.glob = _directions(rng, 1)[0]
        self.section_of = rng.integers(max(sections, 1), size=N_TOPICS)
        # topic direction including its section's: w_section * section + w_topic * own
        self.topics = (w["section"] * _directions(rng, max(sections, 1))[self.section_of]
                       + w["topic"] * _directions(rng, N_TOPICS))
        self.topic_of = rng.integers(N_TOPICS, size=n_stories)
        self.size = rng.integers(1, 4, size=n_stories)
        self.targets = rng.choice(n_stories, size=queries // 2, replace=False)
        labels = ("PERSON", "ORG", "GPE")
        self.cast = [[(f"Topic{t} Name{j}", labels[j % 3]) for j in range(TOPIC_CAST)]
                     for t in range(N_TOPICS)]
        start = rng.random(n_stories) * 365
        length = np.where(self.size > 1, rng.exponential(1.5, size=n_stories), 0.0)
        self.first = start
        self.last = start + length

    def core(self, topic: np.ndarray, story_dir: np.ndarray) -> np.ndarray:
        w = self.w
        return w["global"] * self.glob + self.topics[topic] + w["story"] * story_dir

    def vectors(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[int, np.ndarray]]:
        """(member rows, member -> story, per-story ml_sum, core of each targeted story)."""
        n_members = int(self.size.sum())
        members = np.empty((n_members, DIM), dtype=np.float32)
        sums = np.empty((self.n, DIM), dtype=np.float32)
        owner = np.repeat(np.arange(self.n), self.size)
        bounds = np.concatenate([[0], np.cumsum(self.size)])
        target_set = set(self.targets.tolist())
        cores: dict[int, np.ndarray] = {}
        for a in range(0, self.n, CHUNK):
            b = min(a + CHUNK, self.n)
            core = self.core(self.topic_of[a:b], _directions(self.rng, b - a))
            lo, hi = bounds[a], bounds[b]
            rows = core[owner[lo:hi] - a] + self.w["member"] * _directions(self.rng, hi - lo)
            members[lo:hi] = _unit_rows(rows)
            sums[a:b] = np.add.reduceat(members[lo:hi], bounds[a:b] - lo, axis=0)
            for s in target_set.intersection(range(a, b)):
                cores[s] = core[s - a].copy()
        return members, owner, sums, cores

    def states(self, sums: np.ndarray) -> list:
        from newsprism.cluster import StoryState

        out = []
        first = self.rng.integers(TOPIC_CAST, size=self.n)  # two distinct names of the topic's cast
        second = (first + 1 + self.rng.integers(TOPIC_CAST - 1, size=self.n)) % TOPIC_CAST
        self.story_cast = np.stack([first, second], axis=1)
        extra = {}
        for s in range(self.n):
            t = int(self.topic_of[s])
            k = int(self.size[s])
            names = [self.cast[t][int(j)] for j in self.story_cast[s]] + [(f"Story{s} Actor", "PERSON")]
            ents = Counter({n.casefold(): k for n, _ in names})
            if self.terms:
                counts: Counter = Counter()
                for _ in range(k):
                    pick = self.rng.permutation(STORY_WORDS)[:PER_ARTICLE["story"]].tolist()
                    counts.update(self.article_terms(t, [_word("zs", s * STORY_WORDS + j) for j in pick]))
                extra = {"terms": {"en": counts}}
            out.append(StoryState(**extra,
                id=f"s{s:07d}", members=[f"m{s}-{j}" for j in range(k)], ml_sum=sums[s],
                entities=ents, entity_names={n.casefold(): n for n, _ in names},
                first_seen=T0 + timedelta(days=float(self.first[s])),
                last_seen=T0 + timedelta(days=float(self.last[s])),
                titles=[f"Headline {s}.{j}" for j in range(k)]))
        return out

    def article_terms(self, topic: int, own: list[str]) -> set[str]:
        """One article's distinct content terms: general (Zipf), its topic's, its story's own."""
        rng = self.rng
        gen = np.searchsorted(self.zipf_cdf, rng.random(PER_ARTICLE["general"])).clip(0, GENERAL_WORDS - 1)
        top = rng.integers(TOPIC_WORDS, size=PER_ARTICLE["topic"])  # repeats drop out of the set
        words = self.topic_words[topic]
        return {self.general[i] for i in gen.tolist()} | {words[j] for j in top.tolist()} | set(own)

    def text(self, i: int, topic: int, own: list[str]) -> tuple[str, str]:
        """(title, text): the article's terms among stop words, ARTICLE_WORDS words in all; with
        terms off, digits only (no content terms)."""
        if not self.terms:
            return f"{i}", f"{i} {topic}"
        words = sorted(self.article_terms(topic, own))
        self.rng.shuffle(words)
        fill = [FILLER[j % len(FILLER)] for j in range(max(ARTICLE_WORDS - len(words), 0))]
        body = words + fill
        self.rng.shuffle(body)
        return " ".join(words[:8]), " ".join(body)

    def queries(self, n: int, cores: dict[int, np.ndarray]) -> list[tuple]:
        """(article, analysis, vectors, targeted story index or -1) in a shuffled order."""
        from newsprism.embed import ArticleVectors
        from newsprism.models import Analysis, Article, Entity, Span

        rng = self.rng
        empty, ml_empty = np.zeros((0, 384), np.float32), np.zeros((0, DIM), np.float32)
        doc = np.zeros(384, np.float32)
        out = []
        kinds = [int(s) for s in self.targets] + [-1] * (n - len(self.targets))
        rng.shuffle(kinds)
        for i, target in enumerate(kinds):
            if target >= 0:
                t = int(self.topic_of[target])
                core = cores[target]
                own = self.cast[t]
                picked = [own[int(rng.choice(self.story_cast[target]))], (f"Story{target} Actor", "PERSON")]
                day = self.first[target] + rng.random() * (self.last[target] - self.first[target] + 1.0)
            else:
                t = int(rng.integers(N_TOPICS))
                core = self.core(np.array([t]), _directions(rng, 1))[0]
                picked = [self.cast[t][int(rng.integers(TOPIC_CAST))], (f"Query{i} Actor", "PERSON")]
                day = rng.random() * 365
            picked.append((f"Query{i} Place", "GPE"))
            vec = _unit_rows((core + self.w["member"] * _directions(rng, 1)[0])[None, :])[0]
            own = ([_word("zs", target * STORY_WORDS + int(j))
                    for j in rng.choice(STORY_WORDS, PER_ARTICLE["story"], replace=False)] if target >= 0
                   else [_word("zn", i * STORY_WORDS + j) for j in range(PER_ARTICLE["story"])])
            title, text = self.text(i, t, own)
            art = Article(id=f"q{i:05d}", origin="synthetic", text=text, raw=text, title=title,
                          published_at=T0 + timedelta(days=float(day)), language="en")
            span = Span(0, len(text), text)
            an = Analysis(art.id, "en", (span,), entities=tuple(
                Entity(name, label, (Span(0, 1, text[0]),)) for name, label in picked))
            out.append((art, an, ArticleVectors(art.id, doc, empty, vec, ml_empty), target))
        return out


def cosine_check(members: np.ndarray, owner: np.ndarray, synth: Synth, n: int = 4000) -> dict:
    """Median cosines of the generated member vectors: same story, same topic, same section
    (other topic), unrelated; and the share of different-story pairs with cosine >= 0.35."""
    rng = np.random.default_rng(5)
    multi = np.flatnonzero(np.r_[owner[1:] == owner[:-1], False])[:n]  # member i, i+1 of one story
    same = np.einsum("ij,ij->i", members[multi], members[multi + 1])
    a, b = rng.integers(len(members), size=(2, 20 * n))
    pairs = np.einsum("ij,ij->i", members[a], members[b])[owner[a] != owner[b]]
    sec = synth.section_of[synth.topic_of[owner]]
    other = sec[a] != sec[b]
    unrelated = np.einsum("ij,ij->i", members[a[other]], members[b[other]])
    same_sec = (sec[a] == sec[b]) & (synth.topic_of[owner[a]] != synth.topic_of[owner[b]])
    section = np.einsum("ij,ij->i", members[a[same_sec]], members[b[same_sec]])
    by_topic = np.argsort(synth.topic_of[owner], kind="stable")  # members sorted by topic
    i = rng.integers(len(members) - 1, size=20 * n)
    a, b = by_topic[i], by_topic[i + 1]
    keep = (synth.topic_of[owner[a]] == synth.topic_of[owner[b]]) & (owner[a] != owner[b])
    topic = np.einsum("ij,ij->i", members[a[keep]], members[b[keep]])
    return {"same_story": float(np.median(same)), "same_topic": float(np.median(topic)),
            "same_section": float(np.median(section)) if len(section) else None,
            "unrelated": float(np.median(unrelated)) if len(unrelated) else None,
            "pairs_over_035": float((pairs >= 0.35).mean())}


# -- measurement (child) --------------------------------------------------------------------------
def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _member_matrix(clusterer) -> np.ndarray:
    """Zero-copy view of the member vectors inside the clusterer's faiss index (valid until the
    next add), so the brute-force peer reads the same rows without a second copy."""
    import faiss

    index = clusterer._members.index
    flat = faiss.downcast_index(index.storage) if clusterer._members.hnsw else index
    return faiss.rev_swig_ptr(flat.get_xb(), flat.ntotal * flat.d).reshape(flat.ntotal, flat.d)


def _graph_mb(clusterer) -> float:
    """Bytes of the HNSW graph (links, offsets, levels) beside the flat vector storage."""
    if not clusterer._members.hnsw:
        return 0.0
    h = clusterer._members.index.hnsw
    return (h.neighbors.size() * 4 + h.offsets.size() * 8 + h.levels.size() * 4) / 2**20


def _score_kwargs(clusterer, article, analysis) -> dict:
    """The article's content terms, computed once per article as `assign` does, when `score`
    takes them (the lexical half of the score); {} otherwise."""
    import inspect

    from newsprism import cluster

    if "terms" not in inspect.signature(clusterer.score).parameters or not hasattr(cluster, "_terms"):
        return {}
    return {"terms": cluster._terms(article, cluster._language(article, analysis))}


def _decide(clusterer, article, analysis, items) -> str | None:
    """The story `assign` would join, given (story index, text similarity) pairs; None = new."""
    cfg = clusterer.config
    reach = cfg.join_threshold - cfg.entity_weight - cfg.same_story_bonus
    kw = _score_kwargs(clusterer, article, analysis)
    scored = [(clusterer.score(article, analysis, t, clusterer.states[clusterer._order[i]], **kw),
               clusterer._order[i]) for i, t in items if t >= reach]
    if scored:
        best, sid = max(scored)
        if best >= cfg.join_threshold:
            return sid
    return None


def brute_similarity(clusterer, members: np.ndarray, member_story: np.ndarray, vec) -> np.ndarray:
    """The previous approach's text similarity (before the faiss index): one float32 matrix
    product against all centroids, one against all members, `np.maximum.at` for each story's
    closest member. `member_story` is an array built once (the old code converted the Python
    list on every call)."""
    cfg = clusterer.config
    rows = clusterer._centroids
    cent = rows._a[:rows.n] @ vec.ml_doc
    best = np.zeros(rows.n, dtype=np.float32)
    np.maximum.at(best, member_story, members @ vec.ml_doc)
    return cfg.centroid_weight * cent + (1 - cfg.centroid_weight) * best


def brute_force(clusterer, members: np.ndarray, member_story: np.ndarray, article, analysis, vec
                ) -> str | None:
    """The previous approach in full: similarity to every story, then the same scoring of every
    story whose text similarity can still reach the threshold."""
    cfg = clusterer.config
    text = brute_similarity(clusterer, members, member_story, vec)
    reach = cfg.join_threshold - cfg.entity_weight - cfg.same_story_bonus
    idx = np.flatnonzero(text >= reach)
    return _decide(clusterer, article, analysis, ((int(i), float(text[i])) for i in idx))


def exact_reference(clusterer, members: np.ndarray, member_story: np.ndarray, queries: list,
                    batch: int = 32) -> list[tuple[int, dict[int, float]]]:
    """Per query, from batched matrix products (untimed): the story with the highest text
    similarity over every story, and the candidates an exact search would give `assign` (stories
    of the k nearest members by exact cosine -> text similarity, as `text_similarity` computes)."""
    cfg = clusterer.config
    k = cfg.candidate_members
    w = cfg.centroid_weight
    rows = clusterer._centroids
    cent_m = rows._a[:rows.n]
    order = np.argsort(member_story, kind="stable")
    starts = np.flatnonzero(np.r_[True, member_story[order][1:] != member_story[order][:-1]])
    owners = member_story[order][starts]
    out = []
    for a in range(0, len(queries), batch):
        q = np.stack([v.ml_doc for _, _, v, _ in queries[a:a + batch]], axis=1)
        sims = members @ q
        cent = cent_m @ q
        best = np.zeros((rows.n, q.shape[1]), dtype=np.float32)
        best[owners] = np.maximum.reduceat(sims[order], starts, axis=0)
        top = np.argpartition(-sims, min(k, len(sims) - 1), axis=0)[:k]
        for j in range(q.shape[1]):
            near: dict[int, float] = {}
            for r in top[:, j]:
                st = clusterer._resolve(int(member_story[r])) if hasattr(clusterer, "_resolve") else int(member_story[r])
                near[st] = max(near.get(st, -1.0), float(sims[r, j]))
            cands = {st: w * float(cent[st, j]) + (1 - w) * c for st, c in near.items()}
            out.append((int((w * cent[:, j] + (1 - w) * best[:, j]).argmax()), cands))
    return out


def ef_sweep(clusterer, queries: list, best: list[int], threads: Threads, efs: tuple[int, ...] = (64, 128, 256, 512),
             timed: int = 200) -> dict:
    """On the built HNSW index: candidate recall of the exact best story, for join queries and all,
    and p50 of the raw single-query faiss search (one thread), at other efSearch values."""
    if not clusterer._members.hnsw:
        return {}
    from newsprism.ann import unit_rows

    index = clusterer._members.index
    k = clusterer.config.candidate_members
    q = unit_rows([v.ml_doc for _, _, v, _ in queries])
    story = np.asarray(clusterer._member_story, dtype=np.int64)
    join = np.array([t >= 0 for *_, t in queries])
    old = index.hnsw.efSearch
    out = {}
    threads.set(1)
    for ef in efs:
        index.hnsw.efSearch = ef
        _, rows = index.search(q, k)
        hit = np.array([b in set(story[r[r >= 0]].tolist()) for b, r in zip(best, rows, strict=True)])
        ms = []
        for i in range(min(timed, len(q))):
            t = time.perf_counter_ns()
            index.search(q[i:i + 1], k)
            ms.append((time.perf_counter_ns() - t) / 1e6)
        out[ef] = {"recall": float(hit.mean()), "recall_join": float(hit[join].mean()),
                   "search_p50": float(np.percentile(ms, 50))}
    index.hnsw.efSearch = old
    threads.set(0)
    return out


def restart_json_ms(states: list, n: int = 2000) -> float:
    """ms per story to serialise and parse a story state as the store does (JSON of `to_dict`)."""
    from newsprism.cluster import StoryState

    sample = states[:n]
    t0 = time.perf_counter()
    blobs = [json.dumps(s.to_dict(), ensure_ascii=False) for s in sample]
    [StoryState.from_dict(json.loads(b)) for b in blobs]
    return 1000 * (time.perf_counter() - t0) / len(sample)


def _pct(xs: list[float]) -> dict:
    a = np.asarray(xs, dtype=np.float64)
    return {"p50": float(np.percentile(a, 50)), "p95": float(np.percentile(a, 95)),
            "p99": float(np.percentile(a, 99)), "mean": float(a.mean()), "max": float(a.max())}


MODES = ("default", "one")  # thread settings the queries alternate between


class Threads:
    """Alternate per query between the default thread counts (faiss OpenMP and BLAS use every
    core, as the library runs) and one thread each. On a loaded machine a multi-threaded parallel
    region for a single query waits for a descheduled thread; interleaving the two settings lets
    both see the same load."""

    def __init__(self) -> None:
        import faiss

        self.faiss = faiss
        self.default = faiss.omp_get_max_threads()
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # BLAS then keeps its default in both settings
            self.blas = None
        else:
            self.blas = ThreadpoolController()
        self._limit = None

    def set(self, k: int) -> str:
        mode = MODES[k % 2]
        if self._limit is not None:
            self._limit.restore_original_limits()
            self._limit = None
        self.faiss.omp_set_num_threads(self.default if mode == "default" else 1)
        if mode == "one" and self.blas is not None:
            self._limit = self.blas.limit(limits=1, user_api="blas")
        return mode


def child(n: int, n_queries: int, n_sim: int, n_brute: int, seed: int, terms: bool,
          sections: int) -> dict:
    import faiss

    from newsprism.cluster import ClusterConfig, StoryClusterer
    from newsprism.embed import ArticleVectors

    t0 = time.perf_counter()
    synth = Synth(n, n_queries, seed, terms, sections)
    members, owner, sums, cores = synth.vectors()
    check = cosine_check(members, owner, synth)
    states = synth.states(sums)
    n_terms = sum(len(c) for st in states for c in getattr(st, "terms", {}).values()) / n
    doc, empty, ml_empty = np.zeros(384, np.float32), np.zeros((0, 384), np.float32), np.zeros((0, DIM), np.float32)
    mids = [m for s in states for m in s.members]
    member_vectors = {m: ArticleVectors(m, doc, empty, members[i], ml_empty) for i, m in enumerate(mids)}
    queries = synth.queries(n_queries, cores)
    gen_s = time.perf_counter() - t0
    json_ms = restart_json_ms(states)
    data_mb = _status_mb("VmRSS")

    t0 = time.perf_counter()
    clusterer = StoryClusterer(states, config=ClusterConfig(), member_vectors=member_vectors)
    build_s = time.perf_counter() - t0
    n_members = len(clusterer._member_story)
    del member_vectors, members, states, mids
    gc.collect()
    rss_build = _status_mb("VmRSS")
    cfg = clusterer.config
    reach = cfg.join_threshold - cfg.entity_weight - cfg.same_story_bonus
    n_join = sum(1 for q in queries if q[3] >= 0)

    # Phase 0, on the built state: index candidates and scoring, the exact-search reference and
    # the brute-force peer. Queries alternate between the default thread counts and one thread.
    threads = Threads()
    mat = _member_matrix(clusterer)
    member_story = np.asarray(clusterer._member_story, dtype=np.int64)
    exact = exact_reference(clusterer, mat, member_story, queries)
    best = [b for b, _ in exact]
    search_ms: dict[str, list[float]] = {m: [] for m in MODES}
    sim_ms: dict[str, list[float]] = {m: [] for m in MODES}
    brute_ms: dict[str, list[float]] = {m: [] for m in MODES}
    score_ms, scored = [], []
    found = {"join": 0, "new": 0}
    agree, exact_joined, brute_same = 0, 0, 0
    for k, (art, an, vec, target) in enumerate(queries):
        mode = threads.set(k)
        t = time.perf_counter_ns()
        cand = clusterer.text_similarity(vec)
        search_ms[mode].append((time.perf_counter_ns() - t) / 1e6)
        found["join" if target >= 0 else "new"] += best[k] in cand
        t = time.perf_counter_ns()
        mine = _decide(clusterer, art, an, sorted(cand.items()))
        score_ms.append((time.perf_counter_ns() - t) / 1e6)
        scored.append(sum(1 for v in cand.values() if v >= reach))
        ref = _decide(clusterer, art, an, sorted(exact[k][1].items()))
        agree += mine == ref
        exact_joined += target >= 0 and ref == f"s{target:07d}"
        if k < n_sim:
            t = time.perf_counter_ns()
            brute_similarity(clusterer, mat, member_story, vec)
            sim_ms[mode].append((time.perf_counter_ns() - t) / 1e6)
        if k < n_brute:
            t = time.perf_counter_ns()
            theirs = brute_force(clusterer, mat, member_story, art, an, vec)
            brute_ms[mode].append((time.perf_counter_ns() - t) / 1e6)
            brute_same += theirs == ref
    del mat, member_story, exact
    gc.collect()
    sweep = ef_sweep(clusterer, queries, best, threads)

    # Phase 1: assign, one timed call per article, in order (each call changes the state).
    before = set(clusterer.states)
    assign_ms: dict[str, list[float]] = {m: [] for m in MODES}
    joined_target, joined_other, new_joined = 0, 0, 0
    for k, (art, an, vec, target) in enumerate(queries):
        mode = threads.set(k)
        t = time.perf_counter_ns()
        sid = clusterer.assign(art, an, vec)
        assign_ms[mode].append((time.perf_counter_ns() - t) / 1e6)
        if sid in before:
            if target < 0:
                new_joined += 1
            elif sid == f"s{target:07d}":
                joined_target += 1
            else:
                joined_other += 1
    threads.set(0)
    timings = {"assign": assign_ms, "search": search_ms, "sim": sim_ms, "brute": brute_ms}
    return {
        "stories": n, "members": n_members, "queries": n_queries, "join_queries": n_join,
        "sections": sections, "hnsw": bool(clusterer._members.hnsw), "graph_mb": _graph_mb(clusterer),
        "flat_mb": n_members * DIM * 4 / 2**20, "centroid_mb": clusterer._centroids._a.nbytes / 2**20,
        "generate_s": gen_s, "build_s": build_s, "json_ms_per_story": json_ms,
        "data_mb": data_mb, "rss_build_mb": rss_build, "peak_mb": _status_mb("VmHWM"),
        **{f"{key}_{m}": _pct(v[m]) if v[m] else None for key, v in timings.items() for m in MODES},
        "score": _pct(score_ms), "scored_mean": float(np.mean(scored)), "scored_max": int(max(scored)),
        "per_candidate_ms": float(sum(score_ms) / max(1, sum(scored))),
        "sim_n": sum(len(v) for v in sim_ms.values()), "brute_n": sum(len(v) for v in brute_ms.values()),
        "brute_same": brute_same, "agree": agree, "exact_joined_target": int(exact_joined),
        "recall": sum(found.values()) / n_queries, "recall_join": found["join"] / max(1, n_join),
        "recall_new": found["new"] / max(1, n_queries - n_join), "ef_sweep": sweep,
        "joined": joined_target + joined_other + new_joined, "joined_target": joined_target,
        "joined_other": joined_other, "new_joined": new_joined, "blas_limited": threads.blas is not None,
        "terms": terms, "terms_per_story": n_terms, "cosines": check, "ann": ann_settings(cfg),
        "threads": faiss.omp_get_max_threads(), "load": os.getloadavg()[0],
    }


# -- report (parent) -------------------------------------------------------------------------------
def _para(*parts: str) -> str:
    return textwrap.fill("".join(parts), 100, break_on_hyphens=False)


def _bullet(*parts: str) -> str:
    return textwrap.fill("".join(parts), 100, initial_indent="- ", subsequent_indent="  ",
                         break_on_hyphens=False)


def ann_settings(cfg=None) -> dict:
    """Candidate search settings of a `ClusterConfig` (the default one when none is given)."""
    from newsprism.cluster import ClusterConfig

    cfg = cfg or ClusterConfig()
    return {"k": cfg.candidate_members, "exact_max": cfg.ann.exact_max, "m": cfg.ann.hnsw_m,
            "efc": cfg.ann.hnsw_ef_construction, "efs": cfg.ann.hnsw_ef_search}


def _table(rows: list[dict]) -> str:
    """Two rows per size: default thread counts, then one thread; per-size columns once."""
    out = [("| stories | members | index | build s | threads | assign p50 / p95 / p99 / mean ms | "
            "search p50 ms | brute force: similarity p50 / p95 ms | with scoring p50 ms | "
            "brute / assign (p50) | joined: assign / exact search (of join queries) | candidate recall | "
            "RSS after build | peak RSS |"),
           "|---:|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        for m in MODES:
            a, sim, b = r[f"assign_{m}"], r[f"sim_{m}"], r[f"brute_{m}"]
            head = (f"| {r['stories']:,} | {r['members']:,} | {'HNSW' if r['hnsw'] else 'exact'} | "
                    f"{r['build_s']:.0f} |" if m == MODES[0] else "| | | | |")
            tail = (f" {r['joined_target']} / {r['exact_joined_target']} (of {r['join_queries']}) | "
                    f"{r['recall']:.3f} | {r['rss_build_mb'] / 1024:.2f} GB | {r['peak_mb'] / 1024:.2f} GB |"
                    if m == MODES[0] else " | | | |")
            out.append(
                f"{head} {MODE_NAMES[m]} | {a['p50']:.2f} / {a['p95']:.2f} / {a['p99']:.2f} / "
                f"{a['mean']:.2f} | {r[f'search_{m}']['p50']:.2f} | {sim['p50']:.1f} / {sim['p95']:.1f} | "
                f"{b['p50']:.0f} | {b['p50'] / a['p50']:.0f}× |{tail}")
    return "\n".join(out)


def _fit_log(xs: list[int], ys: list[float], at: int) -> float:
    """y at `at` along a straight line in log x (HNSW search and insertion grow ~ log N)."""
    b, a = np.polyfit(np.log(xs), ys, 1)
    return float(a + b * math.log(at))


def _fit_lin(xs: list[int], ys: list[float], at: int) -> float:
    b, a = np.polyfit(xs, ys, 1)
    return float(a + b * at)


def _fit_pow(xs: list[int], ys: list[float], at: int) -> tuple[float, float]:
    slope, icept = np.polyfit(np.log(xs), np.log(ys), 1)
    return float(slope), float(math.exp(icept + slope * math.log(at)))


def _rest_ms(r: dict, m: str) -> float:
    """Mean assign time outside search and scoring (insertion into the index, state update)."""
    return max(r[f"assign_{m}"]["mean"] - r[f"search_{m}"]["mean"] - r["score"]["mean"], 0.0)


def _extrapolation(rows: list[dict]) -> tuple[str, dict[str, float]]:
    """1M figures. Latency is not fitted as a whole (its scoring part follows the number of
    candidates the index finds, which falls with recall); it is carried over from the largest
    measured size with the search's growth, and bounded with every candidate scored."""
    use = [r for r in rows if r["hnsw"]]
    xs = [r["stories"] for r in use]
    sizes = [r["stories"] for r in rows]
    at = TARGET_STORIES
    big = use[-1]
    k = big["ann"]["k"]
    per_cand = max(r["per_candidate_ms"] for r in rows)
    extra = max(k - big["scored_mean"], 0.0) * per_cand
    slope, build = _fit_pow(xs, [r["build_s"] for r in use], at)
    rss = _fit_lin(sizes, [r["rss_build_mb"] for r in rows], at) / 1024
    peak = _fit_lin(sizes, [r["peak_mb"] for r in rows], at) / 1024
    members = _fit_lin(sizes, [r["members"] for r in rows], at)
    table = [("| stories | members | build s | threads | search p50 ms | assign estimate p50 / "
              f"p95 ms | p95 bound, all {k} candidates scored | brute-force similarity p50 ms | "
              "RSS after build | peak RSS |"),
             "|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|"]
    bound = {}
    for m in MODES:
        s50 = max(_fit_log(xs, [r[f"search_{m}"]["p50"] for r in use], at), big[f"search_{m}"]["p50"])
        grow = s50 - big[f"search_{m}"]["p50"]
        a50, a95 = big[f"assign_{m}"]["p50"] + grow, big[f"assign_{m}"]["p95"] + grow
        bound[m] = a95 + extra
        sim = _fit_lin(sizes, [r[f"sim_{m}"]["p50"] for r in rows], at)
        head = (f"| {at:,} (**extrapolated**) | ≈ {members:,.0f} | ≈ {build:,.0f} |" if m == MODES[0]
                else "| | | |")
        tail = f" ≈ {rss:.1f} GB | ≈ {peak:.1f} GB |" if m == MODES[0] else " | |"
        table.append(f"{head} {MODE_NAMES[m]} | ≈ {s50:.2f} | ≈ {a50:.1f} / {a95:.1f} | ≈ {bound[m]:.1f} | "
                     f"≈ {sim:.0f} |{tail}")
    basis = ", ".join(f"{x:,}" for x in xs)
    text = _para(
        f"Not measured at {at:,} stories: the build alone (one HNSW insertion per stored member, "
        "through the public constructor) would take about the extrapolated time below, beyond this "
        f"run's budget, and the linear memory fit puts its peak at ≈ {peak:.0f} GB, "
        f"{'past' if peak > 24 * 1.074 else 'near'} this machine's 24 GiB. "
        "Extrapolated, **not measured**. Assign latency is not fitted as a whole: past the exact "
        "index it is mostly scoring, which follows the number of candidate stories (bounded by the "
        f"{k} nearest members, and lower when the index misses stories), not the story count. The "
        f"estimate carries the {big['stories']:,}-story p50 and p95 over, plus the growth of the "
        f"search p50 along a straight line in log(stories) through {basis} stories (none when it "
        f"does not grow); the bound adds scoring all {k} candidates instead of the "
        f"{big['scored_mean']:.1f} scored on average at {big['stories']:,} stories, at the highest "
        f"measured cost per candidate ({per_cand:.3f} ms). Build time along the log-log line "
        f"through the HNSW sizes (slope {slope:.2f}); members, memory and brute-force similarity "
        "time along straight lines through all sizes.")
    return text + "\n\n" + "\n".join(table), bound


def _threads_para(rows: list[dict]) -> str:
    exact = [r for r in rows if not r["hnsw"]]
    hnsw = [r for r in rows if r["hnsw"]]
    said = []
    if exact:
        said.append("on the exact index, search p50 with the default threads vs one thread: " + ", ".join(
            f"{r['search_default']['p50']:.2f} vs {r['search_one']['p50']:.2f} ms at {r['stories']:,} "
            "stories" for r in exact) + " (where the default is slower, the multi-threaded search of one "
            "query waits for a thread the loaded machine has descheduled)")
    if hnsw:
        said.append("on HNSW, which searches one query on one thread, the two settings agree (" + ", ".join(
            f"{r['search_default']['p50']:.2f} vs {r['search_one']['p50']:.2f} ms" for r in hnsw) + ")")
    return _para("Threads: " + "; ".join(said) + ".") if said else ""


def _verdict(p95: dict[str, float], measured: bool, rows: list[dict]) -> str:
    how = "measured" if measured else "by the extrapolated bound"
    said = "; ".join(f"{MODE_NAMES[m]}: p95 {'≤ ' if not measured else ''}{p95[m]:.1f} ms" for m in MODES)
    met = [m for m in MODES if p95[m] < TARGET_MS]
    verdict = ("met" if len(met) == len(MODES) else "not met" if not met
               else f"met with {' and '.join(MODE_NAMES[m] for m in met)} only")
    worst = max(r[f"assign_{m}"]["p95"] for r in rows for m in MODES)
    low = min(rows, key=lambda r: r["recall_join"])
    return _para(
        f"Target (< {TARGET_MS:.0f} ms per assignment at {TARGET_STORIES:,} stories, read as p95): "
        f"**{verdict}** {how} ({said}; highest measured p95 at any size {worst:.1f} ms). Scoring "
        "the candidates (the lexical part above all), not the search, takes most of each "
        f"assignment. Recall is the weak side: with efSearch {low['ann']['efs']} the index missed "
        f"the best story for {1 - low['recall_join']:.1%} of the join queries at "
        f"{low['stories']:,} stories, and `assign` joined {low['joined_target']} of the "
        f"{low['join_queries']} articles that an exact search with the same scoring joins "
        f"{low['exact_joined_target']} of; the efSearch sweep in the notes shows whether a wider "
        "search recovers them (where it does not, the graph built with efConstruction "
        f"{low['ann']['efc']} is the limit).")


MODE_NAMES = {"default": "default", "one": "1 thread"}


def _terms_para(r: dict) -> str:
    if not r["terms"]:
        return _para("Content terms: none (`--no-terms`, or a `StoryState` without `terms`): the "
                     "lexical part of the score is 0 for every candidate.")
    return _para(
        "Content terms (the lexical part of `score`: TF-IDF cosine of the article's content words "
        "with the story's term counts): each member article contributes ≈ 100 general words "
        f"(Zipf over {GENERAL_WORDS:,} pseudo-words), up to {PER_ARTICLE['topic']} of its topic's "
        f"{TOPIC_WORDS} and {PER_ARTICLE['story']} of its story's {STORY_WORDS}, so stories hold "
        f"{r['terms_per_story']:.0f} terms on average; query articles are {ARTICLE_WORDS} words "
        "(their terms padded with short stop words), join queries using their story's words.")


def _state_para(r: dict) -> str:
    cos = r["cosines"]
    if r["sections"]:
        w = W2_SECTIONS
        levels = (f"a global component shared by all (weight² {w['global']}), one of {r['sections']} "
                  f"section directions ({w['section']}) for each of {N_TOPICS:,} topic directions "
                  f"({w['topic']}), a story direction ({w['story']}) and a per-member direction "
                  f"({w['member']})")
        meds = (f"same story {cos['same_story']:.2f}, same topic {cos['same_topic']:.2f}, same "
                f"section {cos['same_section']:.2f}, otherwise {cos['unrelated']:.2f}")
    else:
        w = W2_FLAT
        levels = (f"a global component shared by all (weight² {w['global']}), one of {N_TOPICS:,} "
                  f"topic directions ({w['topic']}), a story direction ({w['story']}) and a "
                  f"per-member direction ({w['member']}) (`--sections 0`: no section level)")
        meds = (f"same story {cos['same_story']:.2f}, same topic {cos['same_topic']:.2f}, "
                f"otherwise {cos['same_section']:.2f}")
    return _para(
        f"State: multilingual 512-d unit vectors, each a sum of independent random directions: "
        f"{levels}; 1–3 members per story (mean 2), `ml_sum` their sum. Measured median cosines: "
        f"{meds}; {cos['pairs_over_035']:.1%} of different-story pairs ≥ 0.35. For comparison, "
        f"{REAL_COSINES}. Each story has three entities (two from its topic's cast of {TOPIC_CAST}, "
        "one of its own), member ids and titles, and a first-seen time spread over a year "
        "(multi-member stories last an exponential 1.5 days on average). Built with the public "
        "constructor `StoryClusterer(states, member_vectors=...)`, as `pipeline.cluster_pending` "
        "does on every run; \"build s\" is that call alone.")


def render(command: str, rows: list[dict], load: float, code: str) -> str:
    big = rows[-1]
    ann = big["ann"]
    mixed = any(r["ann"] != ann for r in rows)
    measured = [r for r in rows if r["stories"] == TARGET_STORIES]
    blas = ("BLAS limited through threadpoolctl" if big["blas_limited"]
            else "BLAS left at its default (threadpoolctl missing)")
    parts = [
        _para(f"Command: `{command}` ({code}). `StoryClusterer.assign(article, analysis, vectors)` "
              "per new article against a stored story state of growing size, one subprocess per "
              "size (seeded synthetic state generated in the child, outside the clock). Default "
              f"`ClusterConfig`: candidates are the stories of the {ann['k']} nearest stored member "
              f"vectors (faiss, exact up to {ann['exact_max']:,} members, HNSW M = {ann['m']}, "
              f"efConstruction = {ann['efc']}, efSearch = max({ann['efs']}, k) above"
              + ("; **the sizes ran with different settings**: " + ", ".join(
                  f"{r['stories']:,}: efSearch {r['ann']['efs']}" for r in rows) if mixed else "")
              + ")."),
        _state_para(big),
        _terms_para(big),
        _para(f"Queries: {big['queries']:,} new articles, shuffled: {big['join_queries']} are a new "
              "member of a distinct existing story (its core vector plus member noise, two of its "
              "three entities, published within its time span or up to a day after), the rest a new "
              "story on a random existing topic (one of the topic's cast, two new names, a random "
              "day). Each is assigned in turn (the state grows by each); one "
              "`time.perf_counter_ns` pair per `assign` call. \"search\" is `text_similarity` "
              "alone (faiss search + centroid dot products), timed on the built state before the "
              "assignments. Queries alternate between two thread settings, so both see the same "
              f"load: **default** (faiss OpenMP and BLAS on all {big['threads']} cores, as the "
              f"library runs) and **1 thread** (`faiss.omp_set_num_threads(1)`, {blas}); "
              f"{big['queries'] // 2} assignments each."),
        "\n".join([
            _bullet("**brute force** (the approach before the index, commit 83a97c8): one float32 "
                    "matrix product of the query against all centroids and one against all member "
                    "vectors, `np.maximum.at` for each story's closest member (\"similarity\", timed "
                    f"for the first {big['sim_n']} queries), then the same scoring of every story "
                    "whose text similarity can still reach the threshold (\"with scoring\", the "
                    f"whole decision, timed for the first {big['brute_n']} queries: scoring every "
                    "reachable story is slow). Both read the index's own member rows (no copy) and "
                    "a member-to-story array built once (the old code converted the Python list on "
                    "every call). Ratio: brute force with scoring over assign, p50 (assign also "
                    "inserts the article into the index)."),
            _bullet("**candidate recall**: fraction of all queries whose best story by text "
                    "similarity over every story (exact) is among the index's candidate stories. "
                    "**joined**: join queries that `assign` put into their own story, and how many "
                    "an exact search (the stories of the exact 64 nearest members, same scoring) "
                    "puts there, on the built state."),
        ]),
        _table(rows),
    ]
    notes = []
    for r in rows:
        sweep = "; ".join(f"efSearch {ef}: recall {v['recall']:.3f} (join queries {v['recall_join']:.3f}), "
                          f"search {v['search_p50']:.2f} ms" for ef, v in r["ef_sweep"].items())
        notes.append(
            f"{r['stories']:,} stories: candidate recall {r['recall_join']:.3f} for the join queries, "
            f"{r['recall_new']:.3f} for the new-story ones; {r['joined_other']} join queries went to "
            f"another story and {r['new_joined']} new-story queries joined one; index and exact-search "
            f"decisions agreed on {r['agree']}/{r['queries']} queries (brute force with scoring agreed "
            f"with exact search on {r['brute_same']}/{r['brute_n']}); {r['scored_mean']:.1f} candidate "
            f"stories scored per query on average (max {r['scored_max']}), {r['per_candidate_ms']:.3f} "
            f"ms each, scoring p50 {r['score']['p50']:.2f} ms; HNSW graph {r['graph_mb']:,.0f} MB "
            f"beside {r['flat_mb']:,.0f} MB of member vectors and {r['centroid_mb']:,.0f} MB of "
            f"centroid rows; RSS with the generated state before the build {r['data_mb'] / 1024:.2f} "
            f"GB; generation {r['generate_s']:.0f} s"
            + (f". Raw faiss search of the built index, 1 thread, k = {ann['k']} (other efSearch "
               f"values, for comparison): {sweep}." if sweep else "."))
    parts.append("\n".join(_bullet(n) for n in notes))
    parts.append(_threads_para(rows))
    parts.append(_para(
        "Memory: \"RSS after build\" is the process once the generated member vectors are dropped "
        "(the clusterer holds its own copy in the faiss index), \"peak\" the high-water mark "
        "(VmHWM), reached during the build while the generated member vectors and the index "
        "coexisted, as they do in `cluster_pending`. The brute-force peer needs the same member "
        "and centroid rows but no HNSW graph; the old code kept the members in a doubling numpy "
        "buffer, up to twice the rows' size."))
    if measured:
        r = measured[0]
        parts.append(_verdict({m: r[f"assign_{m}"]["p95"] for m in MODES}, True, rows))
    elif sum(r["hnsw"] for r in rows) < 2:
        parts.append(_para(f"Fewer than two sizes on HNSW: no extrapolation to {TARGET_STORIES:,} "
                           "stories."))
    else:
        text, bound = _extrapolation(rows)
        parts.append(text)
        parts.append(_verdict(bound, False, rows))
    restart = big["json_ms_per_story"]
    loads = ", ".join(f"{r['load']:.1f}" for r in rows)
    parts.append(_para(
        "Restart cost beyond the build: `cluster_pending` first parses every stored story state "
        f"(`StoryState.from_dict(json.loads(...))`, {restart:.2f} ms per story here including the "
        f"JSON `to_dict` writes, ≈ {restart * TARGET_STORIES / 60000:.0f} min at "
        f"{TARGET_STORIES:,} stories: `ml_sum` is stored as a JSON list of 512 floats) and loads "
        "the members' vectors with `store.vectors(members)`, sentence matrices included."))
    parts.append(_para(
        f"The machine is shared with other jobs and noisy ({os.cpu_count()} cores); 1-minute load "
        f"average {load:.1f} at the end of the run (per size at its end: {loads})."))
    return "\n\n".join(parts) + "\n"


def run_child(n: int, args: argparse.Namespace) -> dict:
    cp = subprocess.run([sys.executable, __file__, "--_child", str(n), "--queries", str(args.queries),
                         "--similarity-queries", str(args.similarity_queries),
                         "--brute-queries", str(args.brute_queries), "--seed", str(args.seed),
                         "--sections", str(args.sections), *(["--no-terms"] if args.no_terms else [])],
                        capture_output=True, text=True, check=False)
    if cp.returncode:
        sys.exit(f"size {n} failed:\n{cp.stderr}")
    return json.loads(cp.stdout.strip().splitlines()[-1])


def code_state() -> str:
    """Commit and whether the clusterer's modules had uncommitted changes when the report was made."""
    files = ["src/newsprism/cluster.py", "src/newsprism/ann.py", "src/newsprism/terms.py"]
    root = Path(__file__).resolve().parents[1]

    def git(*a: str) -> str:
        cp = subprocess.run(["git", *a], cwd=root, capture_output=True, text=True, check=False)
        return cp.stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown commit"
    dirty = [Path(line[3:]).name for line in git("status", "--porcelain", "--", *files).splitlines()]
    return f"at {head}" + (f", with uncommitted changes to {', '.join(dirty)}" if dirty else "")


def code_fingerprint() -> str:
    """Hash of the clusterer's modules, to notice edits during a run."""
    import newsprism

    root = Path(newsprism.__file__).parent
    digest = hashlib.sha1()
    for name in ("cluster.py", "ann.py", "terms.py"):
        if (root / name).exists():
            digest.update((root / name).read_bytes())
    return digest.hexdigest()[:12]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", help=f"comma-separated story counts (default: {','.join(map(str, DEFAULT_SIZES))})")
    ap.add_argument("--quick", action="store_true", help=f"smoke run at {QUICK_SIZES}")
    ap.add_argument("--queries", type=int, default=1000, help="new articles assigned per size")
    ap.add_argument("--similarity-queries", type=int, default=200,
                    help="queries the brute-force similarity (matrix products) is timed on")
    ap.add_argument("--brute-queries", type=int, default=20,
                    help="queries the whole brute-force decision (with scoring) is timed on")
    ap.add_argument("--sections", type=int, default=N_SECTIONS,
                    help="sections grouping the topics (0: flat topics)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-terms", action="store_true",
                    help="no content terms in stories and articles (the lexical score stays 0)")
    ap.add_argument("--write", action="store_true", help="write the section into BENCHMARKS.md")
    ap.add_argument("--_child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--_render", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._child:
        print(json.dumps(child(args._child, args.queries, args.similarity_queries, args.brute_queries,
                               args.seed, has_terms() and not args.no_terms, args.sections)))
        return
    if args._render:  # re-render a saved run (no measurement)
        saved = json.loads(Path(args._render).read_text(encoding="utf-8"))
        body = render(**saved)
        print(body)
        if args.write:
            write_section(TITLE, body)
        return
    sizes = ([int(s) for s in args.sizes.split(",")] if args.sizes
             else list(QUICK_SIZES if args.quick else DEFAULT_SIZES))
    command = " ".join(["python bench/cluster_latency.py", *sys.argv[1:]])
    fingerprint = code_fingerprint()
    code = code_state()
    rows = []
    for n in sorted(sizes):
        t0 = time.perf_counter()
        rows.append(run_child(n, args))
        print(f"{n:,} stories in {time.perf_counter() - t0:.0f} s: {json.dumps(rows[-1])}", file=sys.stderr)
    if code_fingerprint() != fingerprint:
        print("warning: cluster.py, ann.py or terms.py changed during the run", file=sys.stderr)
        code += "; cluster.py, ann.py or terms.py changed during the run, so sizes may mix versions"
    saved = {"command": command, "rows": rows, "load": os.getloadavg()[0], "code": code}
    Path(tempfile.gettempdir(), "cluster_latency_last.json").write_text(json.dumps(saved), encoding="utf-8")
    body = render(**saved)
    print(body)
    if args.write:
        write_section(TITLE, body)

if __name__ == "__main__":
    main()
