"""Relate stage quality: reuse kinds per class, and translation pairs on real data.

1. Per-class P/R/F1 of the relation kind on the demo gold and on ../shared/gold/seeds.json,
   with a confusion table and direction counts. Every unordered pair of gold articles has a gold
   class: the gold relation's kind, else `same_story` when both are in one gold story (gold
   files list no same_story relations; docs/gold-format.md: "unlisted pairs are same_story"),
   else `none`. Predicted classes are the relations the relate stage stored (all kinds; the
   report lists same_story pairs only inside one predicted story, the store has them all).
   A predicted pair of class k is a true positive when its gold class is k and a false positive
   otherwise (the gold says something about every pair of its articles); pairs with an article
   outside the gold are left out. Recall is over gold pairs of class k; a pair with no stored
   relation is predicted `none`, a miss. Peer in the same run: datasketch MinHash LSH near
   duplicates (word 5-shingles, Jaccard >= 0.5, as bench/quality.py) scored as "copy" against
   gold verbatim + near_verbatim.

2. translation-wmt14-fren: 108 French news articles and their English human translations as
   separate JSONL records (no dates, no outlets, shuffled), mixed with unrelated articles (the
   English bodies of extraction-scrapinghub and German pages of extraction-trafilatura-eval,
   ingested as HTML), through ingest -> process into a temp SQLite store. A `translation` relation
   is correct when it joins exactly an original and its own translation. Peers in the same run:
   mutual nearest neighbour across languages by multilingual document cosine (`ml_doc`) at the
   threshold that is best on this very set (optimistic), and MinHash LSH near duplicates alone.

    python bench/relate_quality.py [--limit N] [--german N] [--write]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import sys
import tarfile
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import SHARED, write_section

CLASSES = ("verbatim", "near_verbatim", "spin", "translation", "shared_source", "same_story")
COPY = {"verbatim", "near_verbatim"}
WMT = SHARED / "data" / "translation-wmt14-fren" / "pairs.jsonl"
SCRAPINGHUB = SHARED / "data" / "extraction-scrapinghub" / "ground-truth.json"
TRAF = SHARED / "data" / "extraction-trafilatura-eval"


# --------------------------------------------------------------------------------------------
# shared helpers
# --------------------------------------------------------------------------------------------

@dataclass
class Run:
    """A processed store and what the scorers need from it."""

    store: object
    keys: dict[str, str]  # article id -> gold key (evaluate._key_of)
    texts: dict[str, str]
    relations: list  # newsprism Relation records, all kinds the relate stage stored
    seconds: float
    stages: dict[str, float] = field(default_factory=dict)
    n_articles: int = 0


def run_pipeline(inputs: list[str], models, db: str) -> Run:  # type: ignore[no-untyped-def]
    from newsprism.evaluate import _key_of
    from newsprism.pipeline import ingest, process
    from newsprism.store import open_store

    store = open_store(db)
    t0 = time.perf_counter()
    ing = ingest(store, inputs)
    t1 = time.perf_counter()
    summary = process(store, models)
    secs = time.perf_counter() - t0
    if ing.errors:
        print(f"  ingest errors: {[str(e) for e in ing.errors[:5]]}", file=sys.stderr)
    arts = store.articles()
    keys = {a.id: _key_of({"origin": a.origin, "source_id": a.source_id, "id": a.id}) for a in arts}
    return Run(store, keys, {a.id: a.text for a in arts}, store.relations(), secs,
               {"ingest": round(t1 - t0, 1), **{k: round(v, 1) for k, v in summary.seconds.items()}},
               len(arts))


def minhash_pairs(texts: dict[str, str], threshold: float = 0.5) -> set[tuple[str, str]]:
    """Peer: datasketch MinHash LSH near duplicates (word 5-shingles), as bench/quality.py."""
    from datasketch import MinHash, MinHashLSH

    lsh, sigs = MinHashLSH(threshold=threshold, num_perm=128), {}
    for aid, text in texts.items():
        words = text.lower().split()
        m = MinHash(num_perm=128, seed=1)
        m.update_batch([" ".join(words[i:i + 5]).encode() for i in range(max(1, len(words) - 4))])
        sigs[aid] = m
        lsh.insert(aid, m)
    return {(min(a, b), max(a, b)) for a in sigs for b in lsh.query(sigs[a]) if a != b}


def fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


# --------------------------------------------------------------------------------------------
# 1. kinds per class on gold
# --------------------------------------------------------------------------------------------

def gold_classes(gold: dict) -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], str]]:
    """Gold class of every unordered pair of gold articles, and the gold first article of
    directed relations."""
    from newsprism.evaluate import _gold_relations, _gold_stories, _pair

    story = _gold_stories(gold)
    rel = _gold_relations(gold)
    explicit = {_pair(r["a"], r["b"]): r for r in gold.get("relations") or [] if r["kind"] == "same_story"}
    out, first = {}, {}
    for a, b in itertools.combinations(sorted(gold["articles"]), 2):
        p = _pair(a, b)
        if p in rel:
            out[p] = rel[p]["kind"]
            d = rel[p].get("direction")
            if d in ("a_first", "b_first"):
                first[p] = rel[p]["a"] if d == "a_first" else rel[p]["b"]
        elif p in explicit or (story.get(a) is not None and story.get(a) == story.get(b)):
            out[p] = "same_story"
        else:
            out[p] = "none"
    return out, first


def score_kinds(gold: dict, run: Run) -> dict:
    from newsprism.evaluate import Score, _pair

    g, g_first = gold_classes(gold)
    pred, p_first, outside = {}, {}, 0
    for r in run.relations:
        if r.kind == "unrelated":
            continue
        ka, kb = run.keys.get(r.a), run.keys.get(r.b)
        p = _pair(ka or "", kb or "")
        if p not in g:
            outside += 1
            continue
        pred[p] = r.kind
        p_first[p] = ka if r.direction == "a_first" else kb if r.direction == "b_first" else None
    per_class = {}
    for k in CLASSES:
        gk = {p for p, c in g.items() if c == k}
        pk = {p for p, c in pred.items() if c == k}
        per_class[k] = Score.of(len(gk & pk), len(pk), len(gk))
    confusion = Counter((g[p], pred.get(p, "none")) for p in g)
    # copy = verbatim + near_verbatim, newsprism and the MinHash peer
    g_copy = {p for p, c in g.items() if c in COPY}
    n_copy = {p for p, c in pred.items() if c in COPY}
    id_pairs = minhash_pairs({aid: t for aid, t in run.texts.items() if run.keys[aid] in gold["articles"]})
    peer = {_pair(run.keys[a], run.keys[b]) for a, b in id_pairs}
    direction = Counter()
    for p, f in g_first.items():
        if p not in pred:
            direction["no relation"] += 1
        elif p_first.get(p) is None:
            direction["unknown"] += 1
        else:
            direction["right" if p_first[p] == f else "wrong"] += 1
    from newsprism.evaluate import _gold_stories

    story = _gold_stories(gold)
    loose = Counter(tuple(sorted((story.get(p[0]) or "?", story.get(p[1]) or "?")))
                    for p, c in pred.items() if c == "same_story" and g[p] == "none")
    return {"per_class": per_class, "confusion": confusion, "outside": outside, "loose": loose,
            "copy": Score.of(len(g_copy & n_copy), len(n_copy), len(g_copy)),
            "copy_peer": Score.of(len(g_copy & peer), len(peer), len(g_copy)),
            "direction": direction, "directed": len(g_first), "pairs": len(g)}


def kinds_tables(name: str, res: dict) -> list[str]:
    rows = [(f"**{name}** ({res['pairs']} article pairs; {res['outside']} stored relations involve an "
            "article outside the gold and are left out)"), "",
            "| class | precision | recall | F1 | gold pairs | predicted pairs |", "|---|---:|---:|---:|---:|---:|"]
    for k in CLASSES:
        s = res["per_class"][k]
        rows.append(f"| {k} | {fmt(s.precision) if s.predicted else '—'} | {fmt(s.recall) if s.support else '—'} "
                    f"| {fmt(s.f1) if s.support or s.predicted else '—'} | {s.support} | {s.predicted} |")
    for label, s in (("copy (verbatim + near_verbatim), newsprism", res["copy"]),
                     ("copy, peer: datasketch MinHash LSH alone (J ≥ 0.5)", res["copy_peer"])):
        rows.append(f"| {label} | {fmt(s.precision) if s.predicted else '—'} | "
                    f"{fmt(s.recall) if s.support else '—'} | {fmt(s.f1) if s.support or s.predicted else '—'} "
                    f"| {s.support} | {s.predicted} |")
    cols = [*CLASSES, "none"]
    rows += ["", "Confusion (rows: gold class, columns: predicted class; cells: article pairs)", "",
             "| gold \\ predicted | " + " | ".join(cols) + " |", "|---|" + "---:|" * len(cols)]
    for gk in cols:
        cells = [res["confusion"].get((gk, pk), 0) for pk in cols]
        if sum(cells):
            rows.append(f"| {gk} | " + " | ".join(str(c) if c else "·" for c in cells) + " |")
    d = res["direction"]
    rows += ["", (f"Direction on the {res['directed']} gold-directed pairs: right {d['right']}, wrong {d['wrong']}, "
             f"unknown {d['unknown']}, no relation {d['no relation']}.")]
    return rows


# --------------------------------------------------------------------------------------------
# 2. translation-wmt14-fren
# --------------------------------------------------------------------------------------------

def wmt_records(limit: int | None) -> list[dict]:
    rows = [json.loads(line) for line in WMT.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = rows[:limit] if limit else rows
    out = []
    for n, r in enumerate(rows):
        for side, lang in (("original", "fr"), ("translation", "en")):
            title, text = r[side]["title"].strip(), r[side]["text"].strip()
            # two documents have an empty body: their one segment (a lead sentence) is the title
            out.append({"id": f"wmt-{n:03d}-{lang}", "title": "" if not text else title,
                        "text": text or title, "language": lang})
    return out


def distractor_records(limit: int | None) -> list[dict]:
    from newsprism.analyze.language import detect_language, make_language_detector

    det = make_language_detector()
    gt = json.loads(SCRAPINGHUB.read_text(encoding="utf-8"))
    out = []
    for key in sorted(gt):
        body = gt[key]["articleBody"].strip()
        if body and detect_language(body, detector=det) == "en":
            out.append({"id": f"sh-{key}", "text": body, "language": "en"})
    return out[:limit] if limit else out


def german_pages(dest: Path, n: int) -> list[str]:
    """Up to n German pages of extraction-trafilatura-eval (language of their gold segments)."""
    from newsprism.analyze.language import detect_language, make_language_detector

    det = make_language_detector()
    ev = json.loads((TRAF / "evaldata.json").read_text(encoding="utf-8"))
    names = sorted(v["file"] for v in ev.values()
                   if sum(len(s.split()) for s in v["with"]) >= 15
                   and detect_language(" ".join(v["with"]), detector=det) == "de")[:n]
    wanted = {f"pages/{f}" for f in names}
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(TRAF / "pages.tar.gz") as tar:
        for m in tar.getmembers():
            if m.name in wanted and m.isfile():
                (dest / Path(m.name).name).write_bytes(tar.extractfile(m).read())  # type: ignore[union-attr]
    return sorted(str(p) for p in dest.iterdir())


def _pair_of(key: str) -> tuple[str, str] | None:
    """('007', 'fr') for 'wmt-007-fr'."""
    if key.startswith("wmt-"):
        _, n, lang = key.split("-")
        return n, lang
    return None


def mutual_best(ids: list[str], ml: np.ndarray, langs: list[str]) -> dict[tuple[str, str], float]:
    """Mutual nearest neighbours across languages by ml_doc cosine: pair -> cosine."""
    sims = ml @ ml.T
    la = np.array(langs)
    sims[la[:, None] == la[None, :]] = -np.inf  # only across languages
    best = sims.argmax(axis=1)
    out = {}
    for i, j in enumerate(best):
        if np.isfinite(sims[i, j]) and best[j] == i and i < j:
            out[(min(ids[i], ids[j]), max(ids[i], ids[j]))] = float(sims[i, j])
    return out


def score_wmt(run: Run, n_pairs: int) -> dict:
    from newsprism.evaluate import Score
    from newsprism.settings import Settings

    store = run.store
    keys = run.keys
    ids = sorted(keys)
    an = store.analyses(ids)
    vec = store.vectors(ids)
    langs = {i: (an[i].language if i in an else None) or "?" for i in ids}
    by_key = {k: i for i, k in keys.items()}
    true_pairs = {}
    for n in range(n_pairs):
        fr, en = by_key.get(f"wmt-{n:03d}-fr"), by_key.get(f"wmt-{n:03d}-en")
        if fr and en:
            true_pairs[(min(fr, en), max(fr, en))] = (fr, en)

    def is_true(a: str, b: str) -> bool:
        return (min(a, b), max(a, b)) in true_pairs

    rel_of = {(min(r.a, r.b), max(r.a, r.b)): r for r in run.relations}
    trans = [r for r in run.relations if r.kind == "translation"]
    tp = [r for r in trans if is_true(r.a, r.b)]
    fp = [r for r in trans if not is_true(r.a, r.b)]
    outcome = Counter()
    direction, why = Counter(), Counter()
    for p, (fr, _en) in true_pairs.items():
        r = rel_of.get(p)
        outcome[r.kind if r else "none"] += 1
        if r is not None and r.kind == "translation":
            if r.direction == "unknown":
                direction["unknown"] += 1
            else:
                first = r.a if r.direction == "a_first" else r.b
                direction["right" if first == fr else "wrong"] += 1
                last = r.reasons[-1] if r.reasons else ""
                why["dates" if "published first" in last else "a credit line" if "credit line" in last
                    else "a rewritten attribution" if "attribution" in last
                    else "the machine-translation signal gap (the English side reads as translated)"
                    if "machine-translation" in last else last] += 1
    fp_kinds = Counter("/".join(sorted({langs[r.a], langs[r.b]})) + (
        " (wmt×wmt)" if _pair_of(keys[r.a]) and _pair_of(keys[r.b]) else "") for r in fp)

    # candidates, exactly as relate_pending builds them
    from newsprism.relate import candidate_pairs

    arts = store.articles()
    cands = candidate_pairs(arts, vec, config=Settings().relate)
    not_cand = [p for p in true_pairs if p not in cands]

    # peers
    ml_ids = [i for i in ids if i in vec]
    ml = np.vstack([vec[i].ml_doc for i in ml_ids]).astype(np.float32)
    mb = mutual_best(ml_ids, ml, [langs[i] for i in ml_ids])
    best_t, best = 0.0, None
    for t in sorted({0.0, *mb.values()}):
        pred = [p for p, c in mb.items() if c >= t]
        s = Score.of(sum(1 for p in pred if p in true_pairs), len(pred), len(true_pairs))
        if best is None or s.f1 > best.f1:
            best_t, best = t, s
    pred0 = list(mb)

    def what(x: str) -> str:
        return ("wmt " if _pair_of(keys[x]) else "") + langs[x]

    mb_fp = Counter(" ~ ".join(sorted((what(a), what(b)))) for a, b in pred0 if (a, b) not in true_pairs)
    mb_any = Score.of(sum(1 for p in pred0 if p in true_pairs), len(pred0), len(true_pairs))
    mh = minhash_pairs(run.texts)
    mh_score = Score.of(sum(1 for p in mh if p in true_pairs), len(mh), len(true_pairs))

    # cosine of true pairs vs the best non-partner across languages
    idx = {i: n for n, i in enumerate(ml_ids)}
    true_cos, best_other, rank1 = [], [], 0
    sims = ml @ ml.T
    for fr, en in true_pairs.values():
        c = float(sims[idx[fr], idx[en]])
        true_cos.append(c)
        others = [float(sims[idx[fr], j]) for j, x in enumerate(ml_ids) if langs[x] != langs[fr] and x != en]
        best_other.append(max(others) if others else -1.0)
        rank1 += int(c > best_other[-1])
    return {"n_pairs": len(true_pairs), "translation": Score.of(len(tp), len(trans), len(true_pairs)),
            "tp": tp, "fp": fp, "fp_kinds": fp_kinds, "outcome": outcome, "direction": direction,
            "not_candidates": not_cand, "candidates": len(cands), "mutual": best, "mutual_t": best_t,
            "mutual_any": mb_any, "minhash": mh_score, "true_cos": true_cos, "best_other": best_other,
            "rank1": rank1, "true_pairs": true_pairs, "why": why, "mutual_fp": mb_fp, "langs": langs, "cands": cands}


def diagnose(run: Run, res: dict, config=None) -> list[dict]:  # type: ignore[no-untyped-def]
    """Features of every true pair that is a candidate: why it is (not) a translation."""
    from newsprism.relate import RelateConfig, align_sentences, classify, pair_features

    cfg = config or RelateConfig()
    store = run.store
    ids = [x for p in res["true_pairs"] for x in p]
    arts = {a.id: a for a in store.articles(ids)}
    an = store.analyses(ids)
    vec = store.vectors(ids)
    out = []
    for p, (fr, en) in sorted(res["true_pairs"].items(), key=lambda kv: run.keys[kv[1][0]]):
        a, b = p
        m = align_sentences(an[a], an[b], vec[a], vec[b], config=cfg)
        f = pair_features(arts[a], arts[b], an[a], an[b], vec[a], vec[b], m, config=cfg)
        kind, _ = classify(f, config=cfg)
        done = {i for x in m if not x.quote_only for i in range(*(x.a if a == fr else x.b))}
        sims = np.asarray(vec[fr].ml_sentences) @ np.asarray(vec[en].ml_sentences).T
        loose = [float(sims[i].max()) for i in range(len(an[fr].sentences))
                 if i not in done and sims.ndim == 2 and sims.shape[1]]
        out.append({"key": run.keys[fr], "candidate": p in res["cands"], "kind": kind, "unaligned_best": loose,
                    "cov_fr": f.coverage_a if a == fr else f.coverage_b,
                    "cov_en": f.coverage_b if a == fr else f.coverage_a,
                    "semantic": f.semantic, "order": f.order, "doc": f.doc_cosine, "groups": f.groups,
                    "quote_groups": f.quote_groups,
                    "sents_fr": len(an[fr].sentences), "sents_en": len(an[en].sentences),
                    "lang_fr": an[fr].language, "lang_en": an[en].language, "cross": f.cross_language})
    return out


def cross_pairs(run: Run, config) -> dict[tuple[str, str], object]:  # type: ignore[no-untyped-def]
    """Relations of the cross-language candidate pairs re-computed with `config` on the stored
    analyses and vectors (only those pairs can be translations or change with the cross-language
    settings)."""
    from newsprism.relate import candidate_pairs, relate_pair
    from newsprism.relate.align import is_cross_language

    store = run.store
    arts = {a.id: a for a in store.articles()}
    vec = store.vectors()
    an = store.analyses(list(arts))
    out = {}
    for a, b in sorted(candidate_pairs(list(arts.values()), vec, config=config)):
        if a in an and b in an and is_cross_language(an[a], an[b]):
            out[(a, b)] = relate_pair(arts[a], arts[b], an[a], an[b], vec[a], vec[b], config=config)
    return out


@contextmanager
def quote_rule_before_c71d0f4():  # type: ignore[no-untyped-def]
    """Put back (in this process only) the shared-quote rule as it was before commit c71d0f4: a group
    partly quoted on both sides is a shared quotation unless the unquoted rests have rapidfuzz ratio
    >= quote_rest_lexical, across languages too (where French against English never gets there)."""
    mod = sys.modules["newsprism.relate.align"]
    orig = mod._is_shared_quote

    def old(an_a, an_b, ra, rb, qa, qb, cfg):  # type: ignore[no-untyped-def]
        sa, sb = an_a.sentences[ra[0]:ra[1]], an_b.sentences[rb[0]:rb[1]]
        share_a, share_b = mod._weighted(qa[ra[0]:ra[1]], sa), mod._weighted(qb[rb[0]:rb[1]], sb)
        if share_a >= cfg.quote_share and share_b >= cfg.quote_share:
            return True
        if share_a < cfg.quote_part or share_b < cfg.quote_part:
            return False
        rest_a, rest_b = mod._unquoted(sa, an_a.quotes), mod._unquoted(sb, an_b.quotes)
        return mod.fuzz.ratio(rest_a, rest_b) / 100 < cfg.quote_rest_lexical

    mod._is_shared_quote = old
    try:
        yield
    finally:
        mod._is_shared_quote = orig


def variant_table(wmt_run: Run, res: dict, demo_run: Run | None, demo_gold: dict | None) -> list[tuple]:
    """Translation P/R on wmt14 and changed demo pairs for a few relate settings."""
    from contextlib import nullcontext
    from dataclasses import replace

    from newsprism.evaluate import Score, _pair
    from newsprism.relate import RelateConfig

    base = RelateConfig()
    before = quote_rule_before_c71d0f4
    cov, floor = base.translation_coverage, base.align_floor_cross
    variants = [
        ("defaults (re-run: equals the pipeline)", base, nullcontext),
        ("before c71d0f4: partly-quoted rule across languages too, translation_semantic 0.72",
         replace(base, translation_semantic=0.72), before),
        ("c71d0f4's quote rule alone (translation_semantic 0.72)", replace(base, translation_semantic=0.72),
         nullcontext),
        (f"translation_coverage {cov} → 0.7", replace(base, translation_coverage=0.7), nullcontext),
        (f"align_floor_cross {floor} → 0.55", replace(base, align_floor_cross=0.55), nullcontext),
        (f"align_floor_cross {floor} → 0.5", replace(base, align_floor_cross=0.5), nullcontext),
    ]
    g_demo = gold_classes(demo_gold)[0] if demo_gold else {}
    demo_base = None
    rows = []
    for label, cfg, ctx in variants:
        t = time.perf_counter()
        with ctx():
            rels = cross_pairs(wmt_run, cfg)
            demo = cross_pairs(demo_run, cfg) if demo_run else {}
        secs = time.perf_counter() - t
        trans = [p for p, r in rels.items() if r.kind == "translation"]
        tp = sum(1 for p in trans if p in res["true_pairs"])
        fps = [f"{wmt_run.keys[a]}~{wmt_run.keys[b]}" for a, b in trans if (a, b) not in res["true_pairs"]]
        dk = {_pair(demo_run.keys[a], demo_run.keys[b]): r.kind for (a, b), r in demo.items()} if demo_run else {}
        if demo_base is None:
            demo_base = dk
        changed = [f"{p[0]}~{p[1]}: {demo_base.get(p, 'none')} → {k} (gold {g_demo.get(p, '?')})"
                   for p, k in dk.items() if demo_base.get(p) != k]
        demo_ok = sum(1 for p, k in dk.items() if g_demo.get(p) == k)
        hard = Counter(g_demo.get(p, "?") for p in dk if g_demo.get(p) != "translation")
        rows.append((label, Score.of(tp, len(trans), res["n_pairs"]), fps, changed, demo_ok, len(dk), secs, hard))
        print(f"  variant {label}: {rows[-1][1]} wrong={fps} demo changed={changed}", file=sys.stderr, flush=True)
    return rows


# --------------------------------------------------------------------------------------------

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write", action="store_true", help="write the BENCHMARKS.md section")
    ap.add_argument("--limit", type=int, default=None, help="first N wmt14 pairs (quick run)")
    ap.add_argument("--german", type=int, default=50, help="German distractor pages (0: none)")
    ap.add_argument("--precision", default="auto", help="MiniLM number format: auto, fp32 or bf16")
    args = ap.parse_args()

    from newsprism.cli import demo_corpus, demo_gold
    from newsprism.evaluate import evaluate
    from newsprism.pipeline import Models
    from newsprism.report import build_report

    t_load = time.perf_counter()
    models = Models.load(precision=args.precision)
    t_load = time.perf_counter() - t_load
    with tempfile.TemporaryDirectory() as tmp:
        # ---- 1. kinds on gold --------------------------------------------------------------
        sets = [("demo corpus (43 articles, project-written gold)", [str(demo_corpus())], Path(demo_gold()))]
        if (SHARED / "seeds").is_dir():
            sets.append(("seeds (2 real articles, ../shared/gold/seeds.json: same story, no copy)",
                         [str(SHARED / "seeds")], SHARED / "gold" / "seeds.json"))
        kind_rows: list[str] = []
        demo: tuple = (None, None)
        demo_res: dict = {}
        for n, (name, inputs, gold_path) in enumerate(sets):
            gold = json.loads(gold_path.read_text(encoding="utf-8"))
            run = run_pipeline(inputs, models, f"{tmp}/gold{n}.db")
            res = score_kinds(gold, run)
            res["stories_f1"] = evaluate(gold, build_report(run.store))["stories"]["f1"]
            if n == 0:
                demo = (run, gold)
                demo_res = res
            kind_rows += kinds_tables(name, res) + [""]
            print("\n".join(kinds_tables(name, res)), flush=True)

        # ---- 2. wmt14 fr-en ---------------------------------------------------------------
        recs = wmt_records(args.limit)
        n_pairs = len(recs) // 2
        dis = distractor_records(None if args.limit is None else max(args.limit, 20))
        rows = recs + dis
        random.Random(14).shuffle(rows)
        stream = Path(tmp) / "wmt_mixed.jsonl"
        stream.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        german = german_pages(Path(tmp) / "de", args.german) if args.german else []
        inputs = [str(stream), *german]
        print(f"wmt: {n_pairs} pairs, {len(dis)} English distractors, {len(german)} German pages",
              file=sys.stderr, flush=True)
        run = run_pipeline(inputs, models, f"{tmp}/wmt.db")
        print(f"  {run.n_articles} articles in {run.seconds:.1f} s; stages {run.stages}", file=sys.stderr)
        res = score_wmt(run, n_pairs)
        diag = diagnose(run, res)
        variants = variant_table(run, res, *demo)

    s = res["translation"]
    oc = res["outcome"]
    d = res["direction"]
    tc, bo = np.array(res["true_cos"]), np.array(res["best_other"])
    n = res["n_pairs"]
    wmt_rows = [
        (f"Mixed stream: {n} French originals + their {n} English human translations (WMT14 newstest2014, "
        f"`translation-wmt14-fren`) as separate records with `language` set, no dates, no outlets, shuffled; "
        f"plus {len(dis)} English article bodies (`extraction-scrapinghub` gold bodies detected English) and "
        f"{len(german)} German pages (`extraction-trafilatura-eval`, ingested as HTML). {run.n_articles} articles; "
        f"ingest + process {run.seconds:.0f} s ({', '.join(f'{k} {v:.0f}' for k, v in run.stages.items())} s), "
        f"model load {t_load:.0f} s; the machine was shared (load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores at the end of the run), so times are upper bounds. "
        "Published anchor for this task on this set: none (README: —)."),
        "",
        "| system | precision | recall | F1 | true pairs | predicted pairs |",
        "|---|---:|---:|---:|---:|---:|",
        (f"| newsprism `translation` relations | {fmt(s.precision)} | {fmt(s.recall)} | **{fmt(s.f1)}** | {n} | "
        f"{s.predicted} |"),
    ]
    mb, ma, mh = res["mutual"], res["mutual_any"], res["minhash"]
    wmt_rows += [
        (f"| peer: mutual nearest neighbour across languages by `ml_doc` cosine ≥ {res['mutual_t']:.3f} "
        f"(threshold tuned on this set: optimistic) | {fmt(mb.precision)} | {fmt(mb.recall)} | **{fmt(mb.f1)}** "
        f"| {n} | {mb.predicted} |"),
        (f"| peer: the same without a threshold | {fmt(ma.precision)} | {fmt(ma.recall)} | {fmt(ma.f1)} | {n} | "
        f"{ma.predicted} |"),
        (f"| peer: datasketch MinHash LSH alone (J ≥ 0.5; cannot see across languages) | "
        f"{fmt(mh.precision) if mh.predicted else '—'} | {fmt(mh.recall)} | {fmt(mh.f1)} | {n} | {mh.predicted} |"),
        "",
        f"What the {n} true pairs got from newsprism: "
        + ", ".join(f"{k} {v}" for k, v in oc.most_common()) + ". "
        f"Not candidate pairs at all: {len(res['not_candidates'])}. "
        f"Wrong `translation` relations: {len(res['fp'])}"
        + (f" ({', '.join(f'{k} {v}' for k, v in res['fp_kinds'].most_common())})" if res["fp"] else "") + ". "
        f"Direction of the correct ones: original first {d['right']}, reverse {d['wrong']}, unknown {d['unknown']}"
        + (f" (evidence: {', '.join(f'{k} {v}' for k, v in res['why'].most_common())})" if res["why"] else "") + ". "
        "The no-threshold peer's wrong pairs: "
        + (", ".join(f"{k} {v}" for k, v in res["mutual_fp"].most_common()) or "none") + ".",
        "",
        (f"`ml_doc` cosine of true pairs: median {np.median(tc):.3f}, min {tc.min():.3f}; best other-language "
        f"non-partner of each original: median {np.median(bo):.3f}, max {bo.max():.3f}; the partner is the "
        f"original's nearest other-language article for {res['rank1']} of {n}."),
    ]
    kinds_d = Counter(x["kind"] for x in diag)
    miss = [x for x in diag if x["kind"] != "translation"]
    wmt_rows += ["", "Relate features of the true pairs (re-computed on the stored analyses): "
                 + ", ".join(f"{k} {v}" for k, v in kinds_d.most_common()) + "."]
    if miss:
        wmt_rows += ["", ("| missed pair | kind | sentences fr/en | aligned groups | of which set aside as shared "
                     "quotes | coverage fr | coverage en | mean semantic | doc cosine | unaligned fr sentences: "
                     "best cosine to an en sentence |"),
                     "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]
        for x in miss:
            wmt_rows.append(f"| {x['key'][:7]} | {x['kind']} | {x['sents_fr']}/{x['sents_en']} | "
                            f"{x['groups'] + x['quote_groups']} | {x['quote_groups']} | {x['cov_fr']:.2f} | "
                            f"{x['cov_en']:.2f} | {x['semantic']:.2f} | {x['doc']:.3f} | "
                            f"{', '.join(f'{c:.2f}' for c in x['unaligned_best']) or '—'} |")
    wmt_rows += ["", ("The relate stage re-run on the same stored analyses and vectors (cross-language candidate "
                 "pairs only: no other pair can become a translation) with other settings. Diagnostic: nothing "
                 "in src/ was changed; the \"before c71d0f4\" row puts the old `relate.align._is_shared_quote` "
                 "back inside the bench process only. Demo effect: cross-language demo pairs whose kind changes."), "",
                 ("| setting | precision | recall | F1 | wrong translation relations | demo cross-language pairs "
                 "changed | s |"), "|---|---:|---:|---:|---|---|---:|"]
    for label, sc, fps, changed, _ok, _n, secs, _hard in variants:
        wmt_rows.append(f"| {label} | {fmt(sc.precision)} | {fmt(sc.recall)} | {fmt(sc.f1)} | "
                        f"{len(fps)}{': ' + ', '.join(fps) if fps else ''} | "
                        f"{'; '.join(changed) if changed else 'none'} | {secs:.0f} |")

    body = ("Command: `python bench/relate_quality.py --write`"
            + (f" (--limit {args.limit})" if args.limit else "") + ". "
            "Per-class kind P/R/F1: every unordered pair of gold articles has one gold class (its gold "
            "relation's kind; else `same_story` when both are in one gold story, as docs/gold-format.md says "
            "unlisted pairs are; else `none`); the predicted class is the relation the relate stage stored "
            "(`none` if none). A predicted pair is a false positive of its class whenever its gold class "
            "differs (the gold classifies every pair of its articles); recall is over gold pairs, an absent "
            "relation is a miss. The demo gold was written with the code; the seeds are real.\n\n"
            + "\n".join(kind_rows) + "\n### translation-wmt14-fren\n\n" + "\n".join(wmt_rows)
            + "\n\n" + reading(demo_res, demo[1], res, diag, variants) + "\n")
    print(body)
    (Path(tempfile.gettempdir()) / "relate_quality_diag.json").write_text(json.dumps(
        {"diag": diag, "fp": [(run.keys[r.a], run.keys[r.b], r.score) for r in res["fp"]]}, indent=1))
    if args.write:
        write_section("Relate: reuse kinds and translation pairs", body)


def reading(demo: dict, demo_gold: dict | None, res: dict, diag: list[dict], variants: list[tuple]) -> str:
    """A short reading of the figures, written from them (so it cannot drift from the tables)."""
    out = ["**Reading.**"]
    if demo:
        pc = demo["per_class"]
        ss = pc["same_story"]
        n_loose = sum(demo["loose"].values())
        labels = {k: " ".join(v.get("label", k).split(" (")[0].split()[:6])
                  for k, v in (demo_gold or {}).get("stories", {}).items()}
        top = "; ".join(f"{labels.get(a, a)} ~ {labels.get(b, b)} ({n})" for (a, b), n in demo["loose"].most_common(3))
        reuse = [k for k in CLASSES[:5] if pc[k].support or pc[k].predicted]
        off = sum(n for (g, p), n in demo["confusion"].items() if g != p and g in reuse and p in reuse)
        wrong = [k for k in reuse if pc[k].f1 < 1.0]
        out.append(
            "Demo: reuse kinds " + (f"all at F1 1.000 ({', '.join(f'{k} {pc[k].support}' for k in reuse)} gold "
                                    "pairs: tiny for all but verbatim, and written with the code)"
                                    if not wrong else "below F1 1.000 for " + ", ".join(wrong))
            + f"; {off} confusions between reuse kinds. The weak class is same_story as a pairwise relation: "
            f"precision {ss.precision:.3f}, recall {ss.recall:.3f}; {n_loose} pairs from different gold stories "
            f"that share a cast or a place get it (most: {top}). The story clusterer does not follow them (stories "
            f"B-cubed F1 {demo['stories_f1']:.3f} in this run), so same_story is a loose \"related\" signal, not "
            "the story decision.")
    from newsprism.relate import RelateConfig

    cfg = RelateConfig()
    s, oc, d = res["translation"], res["outcome"], res["direction"]
    miss = [x for x in diag if x["kind"] != "translation"]
    low_cov = [x for x in miss if max(x["cov_fr"], x["cov_en"]) < cfg.translation_coverage]
    low_sem = [x for x in miss if x not in low_cov and x["semantic"] < cfg.translation_semantic]
    other = [x for x in miss if x not in low_cov and x not in low_sem]

    def span(xs: list[float], f: str = "{:.2f}") -> str:
        return f.format(min(xs)) if min(xs) == max(xs) else f"{f.format(min(xs))}–{f.format(max(xs))}"

    text = (f"WMT14: precision {s.precision:.3f}, recall {s.recall:.3f}"
            + ("" if s.recall == 1.0 and not res["fp"] else
               "; every error is a miss, no translation relation joins two wrong articles" if not res["fp"] else
               f"; {len(res['fp'])} translation relations join wrong articles") + ". ")
    if miss:
        text += (f"The {len(miss)} missed pairs got " + ", ".join(f"{k} {v}" for k, v in oc.most_common()
                                                             if k != "translation")
                 + f"; {len(res['not_candidates'])} were missing from the candidates"
                 + (" (so the candidate search is not the cause, the pair classifier is)"
                    if not res["not_candidates"] else "") + ". From the misses: ")
        parts = []
        if low_cov:
            loose = [c for x in low_cov for c in x["unaligned_best"]]
            parts.append(
                f"{len(low_cov)} fail on coverage ({span([max(x['cov_fr'], x['cov_en']) for x in low_cov])} < "
                f"translation_coverage {cfg.translation_coverage}): of their {len(loose)} unaligned French "
                f"sentences, {sum(c < cfg.align_floor_cross for c in loose)} score under align_floor_cross "
                f"{cfg.align_floor_cross} against every English sentence (best cosines {span(loose) if loose else '—'}"
                "): a freer human translation, or sentences the multilingual encoder does not match; the "
                "alignment already allows 1–2 merges and splits")
        if low_sem:
            parts.append(
                f"{len(low_sem)} are covered but fail on the mean multilingual sentence cosine, "
                f"{span([x['semantic'] for x in low_sem])} < translation_semantic {cfg.translation_semantic}")
        if other:
            parts.append(f"{len(other)} fail on order or on the other side's coverage")
        text += "; ".join(f"({chr(97 + i)}) {x}" for i, x in enumerate(parts)) + "."
    out.append(text)
    mb, ma = res["mutual"], res["mutual_any"]
    out.append(
        f"The document-level peer (mutual best match by `ml_doc`) reaches F1 {mb.f1:.3f} at a threshold tuned on "
        f"this set ({res['mutual_t']:.3f}) and {ma.f1:.3f} with none: here every article has exactly one "
        "translation, which is what a mutual best match assumes; it does not say which passages were "
        "translated and would pair two same-story articles of two languages just as readily. "
        + ("On this set it still beats newsprism's recall. " if mb.recall > s.recall else "")
        + f"MinHash finds {res['minhash'].predicted} pairs across languages, as expected. "
        f"Direction: {d['right']} original first, {d['wrong']} reversed, {d['unknown']} unknown; with no dates "
        "and no credit lines unknown is the honest answer"
        + (f"; the decided ones rest on {', '.join(f'{k} ({v})' for k, v in res['why'].most_common())}"
           if res["why"] else "") + ".")
    if variants:
        base = variants[0]
        before = next((v for v in variants if v[0].startswith("before")), None)
        best = max(variants, key=lambda v: (v[1].f1, -len(v[2])))
        text = "Settings (last table; re-runs of the relate stage on the stored analyses, src/ untouched): "
        if before:
            text += (f"before commit c71d0f4 (partly-quoted sentences of a translation set aside as shared quotes; "
                     f"translation_semantic 0.72) the same store gives P {before[1].precision:.3f} / R "
                     f"{before[1].recall:.3f}, now {base[1].precision:.3f} / {base[1].recall:.3f}. ")
        if best is not base:
            text += (f"The best row (\"{best[0]}\") reaches P {best[1].precision:.3f} / R {best[1].recall:.3f} "
                     f"with {len(best[2])} wrong pairs. ")
        hard = best[7]
        text += ("Caveat: any threshold picked here is picked on this very set, which has no hard negatives "
                 "(articles of two languages on one story that are not translations of each other); the only "
                 "such check here is the demo's cross-language candidate pairs that are not translations ("
                 + ", ".join(f"gold {k} {v}" for k, v in hard.most_common())
                 + ("), none of which changes kind under any row" if not any(v[3] for v in variants)
                    else "); changed: " + "; ".join(c for v in variants for c in v[3]))
                 + ". A looser threshold needs a set with such negatives before it becomes a default.")
        out.append(text)
    return "\n\n".join(out)

if __name__ == "__main__":
    main()
