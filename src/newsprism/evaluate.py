"""Score a report.json against a gold file (format: docs/gold-format.md)."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from .errors import GoldFormatError
from .models import COPY_KINDS, Relation
from .relate import reporting_lines

if TYPE_CHECKING:
    from .evaluate_analysis import SourceReader

REUSE_KINDS = COPY_KINDS | {"shared_source"}


@dataclass(frozen=True, slots=True)
class Score:
    precision: float
    recall: float
    f1: float
    support: int  # gold items
    predicted: int

    @classmethod
    def of(cls, tp: float, n_pred: int, n_gold: int) -> Score:
        p = tp / n_pred if n_pred else (1.0 if not n_gold else 0.0)
        r = tp / n_gold if n_gold else (1.0 if not n_pred else 0.0)
        f = 2 * p * r / (p + r) if p + r else 0.0
        return cls(round(p, 4), round(r, 4), round(f, 4), n_gold, n_pred)


def bcubed(pred: Mapping[str, str], gold: Mapping[str, str]) -> Score:
    """B-cubed precision/recall/F1 of a predicted clustering against gold, over gold items."""
    items = [i for i in gold if i in pred]
    if not items:
        return Score.of(0, 0, len(gold))
    by_p: dict[str, set[str]] = {}
    by_g: dict[str, set[str]] = {}
    for i in items:
        by_p.setdefault(pred[i], set()).add(i)
        by_g.setdefault(gold[i], set()).add(i)
    p = sum(len(by_p[pred[i]] & by_g[gold[i]]) / len(by_p[pred[i]]) for i in items) / len(items)
    r = sum(len(by_p[pred[i]] & by_g[gold[i]]) / len(by_g[gold[i]]) for i in items) / len(items)
    r *= len(items) / len(gold)  # gold items missing from the report count as misses
    f = 2 * p * r / (p + r) if p + r else 0.0
    return Score(round(p, 4), round(r, 4), round(f, 4), len(gold), len({pred[i] for i in items}))


def _norm(s: str) -> str:
    s = unicodedata.normalize("NFKC", s).casefold()
    s = re.sub(r"[\"“”„«»‘’'`]", "", s)
    return re.sub(r"\s+", " ", s).strip(" .,;:")


def _key_of(article: Mapping[str, Any]) -> str:
    origin = str(article.get("origin") or "")
    m = re.match(r"^(.*\.jsonl?):(\d+)$", origin)
    if m and article.get("source_id"):
        return str(article["source_id"])
    return PurePath(origin).name if origin else str(article.get("id"))


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def _gold_stories(gold: Mapping[str, Any]) -> dict[str, str]:
    arts = gold.get("articles") or {}
    if gold.get("stories"):
        return {a: sid for sid, s in gold["stories"].items() for a in s["articles"]}
    if any("story" in v for v in arts.values()):
        return {k: v["story"] for k, v in arts.items() if "story" in v}
    pair = gold.get("pair")
    if pair is not None:
        if pair.get("same_story"):
            return {k: "S1" for k in arts}
        return {k: k for k in arts}
    raise GoldFormatError("gold has no stories, no article 'story' fields and no 'pair'")


def _gold_lines(gold: Mapping[str, Any], stories: Mapping[str, str]) -> dict[str, str]:
    """Explicit story `lines` where given, else components of the gold copy relations."""
    line_of: dict[str, str] = {}
    for sid, s in (gold.get("stories") or {}).items():
        for n, line in enumerate(s.get("lines") or []):
            for a in line:
                line_of[a] = f"{sid}/{n}"
    copies = [Relation(a, b, r["kind"], 1.0) for (a, b), r in _gold_relations(gold).items()]
    for line in reporting_lines(sorted(stories), copies):
        for a in line:
            line_of.setdefault(a, "rel/" + line[0])
    return line_of


def _gold_relations(gold: Mapping[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    out = {}
    for r in gold.get("relations") or []:
        if r["kind"] not in REUSE_KINDS:
            continue
        out[_pair(r["a"], r["b"])] = r
    return out


def _same_group_pairs(groups: Mapping[str, str], within: Mapping[str, str]) -> set[tuple[str, str]]:
    """Pairs in the same `groups` group, restricted to pairs in the same `within` group."""
    out = set()
    for a, b in itertools.combinations(sorted(groups), 2):
        if within.get(a) is not None and within.get(a) == within.get(b) and groups[a] == groups[b]:
            out.add((a, b))
    return out


def evaluate(gold: Mapping[str, Any], report: Mapping[str, Any], *,
             read_source: SourceReader | None = None) -> dict[str, Any]:
    """Precision/recall/F1 per aspect of a report against gold (rules: docs/gold-format.md).

    Corpus aspects: stories, reuse pairs, kinds, direction, lines, quotes, boilerplate; compare-stage
    aspects (`evaluate_compare`): facts, unique_facts, conflicts, conflict_kinds.
    Article-analysis aspects: quote_attribution, anonymous_sources, entities, roles, genre,
    language, mt_signal.

    Args:
        gold: a gold file's content.
        report: a report.json's content.
        read_source: maps an article `origin` to the located units of its source file (see
            `read_source_units`, the default), used to place predicted anonymous sources on gold
            lines; return None when the source is unavailable (descriptor matching is used then).
    """
    if "articles" not in gold:
        raise GoldFormatError("gold has no 'articles'")
    g_arts: Mapping[str, Any] = gold["articles"]
    rep_by_key = {}
    for a in report.get("articles", []):
        rep_by_key[_key_of(a)] = a
    id2key = {a["id"]: k for k, a in rep_by_key.items()}
    missing = sorted(k for k in g_arts if k not in rep_by_key)

    g_story = _gold_stories(gold)
    p_story = {id2key[x]: s["id"] for s in report.get("stories", []) for x in s["articles"] if x in id2key}
    result: dict[str, Any] = {"missing_articles": missing}
    result["stories"] = asdict(bcubed(p_story, g_story))
    result["stories"]["gold_clusters"] = len(set(g_story.values()))

    g_rel = _gold_relations(gold)
    p_rel = {}
    for r in report.get("relations", []):
        if r["kind"] in REUSE_KINDS and r["a"] in id2key and r["b"] in id2key:
            ka, kb = id2key[r["a"]], id2key[r["b"]]
            if ka in g_arts and kb in g_arts:
                p_rel[_pair(ka, kb)] = r | {"ka": ka, "kb": kb}
    tp = len(g_rel.keys() & p_rel.keys())
    result["reuse_pairs"] = asdict(Score.of(tp, len(p_rel), len(g_rel)))
    tpk = sum(1 for k in g_rel.keys() & p_rel.keys() if g_rel[k]["kind"] == p_rel[k]["kind"])
    result["reuse_kinds"] = asdict(Score.of(tpk, len(p_rel), len(g_rel)))
    per_kind = {}
    for kind in sorted({r["kind"] for r in g_rel.values()} | {r["kind"] for r in p_rel.values()}):
        gk = {k for k, r in g_rel.items() if r["kind"] == kind}
        pk = {k for k, r in p_rel.items() if r["kind"] == kind}
        per_kind[kind] = asdict(Score.of(len(gk & pk), len(pk), len(gk)))
    result["reuse_per_kind"] = per_kind
    found = g_rel.keys() & p_rel.keys()
    right = 0
    for k in found:
        g, p = g_rel[k], p_rel[k]
        g_first = g["a"] if g.get("direction") == "a_first" else g["b"] if g.get("direction") == "b_first" else None
        p_first = p["ka"] if p["direction"] == "a_first" else p["kb"] if p["direction"] == "b_first" else None
        right += int(g_first is not None and g_first == p_first)
    directed = sum(1 for k in found if g_rel[k].get("direction") in ("a_first", "b_first"))
    result["direction"] = {"accuracy": round(right / directed, 4) if directed else None, "pairs": directed}

    g_line = _gold_lines(gold, g_story)
    p_line = {}
    for s in report.get("stories", []):
        for n, line in enumerate(s.get("lines", [])):
            for x in line:
                if x in id2key:
                    p_line[id2key[x]] = f"{s['id']}/{n}"
    gold_pairs = _same_group_pairs(g_line, g_story)
    pred_pairs = {p for p in _same_group_pairs({k: v for k, v in p_line.items() if k in g_story}, g_story)}
    result["lines"] = asdict(Score.of(len(gold_pairs & pred_pairs), len(pred_pairs), len(gold_pairs)))
    n_lines = {}
    for sid in set(g_story.values()):
        members = [a for a, s in g_story.items() if s == sid]
        n_lines[sid] = {"gold": len({g_line[a] for a in members}),
                        "predicted": len({p_line[a] for a in members if a in p_line})}
    result["lines"]["per_story"] = n_lines

    from .evaluate_compare import evaluate_compare  # imports Score from here

    result.update(evaluate_compare(gold, report, id2key))  # facts, unique_facts, conflicts, conflict_kinds
    result["quotes"] = _score_quotes(g_arts, rep_by_key)
    result["boilerplate"] = _score_boilerplate(g_arts, rep_by_key)
    from .evaluate_analysis import evaluate_analysis  # imports Score from here

    result.update(evaluate_analysis(g_arts, rep_by_key, read_source=read_source))
    return result


_NUM_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
              "eight": "8", "nine": "9", "ten": "10", "first": "1", "second": "2", "third": "3",
              "fourth": "4", "fifth": "5"}


def _numbers(text: str) -> set[str]:
    """Numbers in a value as digit strings ("1,200" and "1.200" → "1200"; "third" → "3")."""
    t = _norm(text)
    out = {re.sub(r"[.,](?=\d{3}\b)", "", m) for m in re.findall(r"\d[\d.,]*\d|\d", t)}
    out |= {_NUM_WORDS[w] for w in re.findall(r"[a-z]+", t) if w in _NUM_WORDS}
    return out


def _surname(name: str | None) -> str:
    return _norm(name or "").split(" ")[-1] if name else ""


def _score_quotes(g_arts: Mapping[str, Any], rep: Mapping[str, Any]) -> dict[str, Any]:
    n_gold = found = speaker_ok = 0
    n_pred = 0
    for key, g in g_arts.items():
        quotes = g.get("direct_quotes") or []
        pred = [q for q in (rep.get(key) or {}).get("quotes", []) if q.get("direct", True)]
        n_pred += len(pred)
        matched = set()
        for gq in quotes:
            n_gold += 1
            want = _norm(gq.get("text") or gq.get("text_starts") or "")
            for i, pq in enumerate(pred):
                if i in matched:
                    continue
                got = _norm(pq["text"])
                if want and (want in got or got.startswith(want) or (len(got) > 12 and got in want)):
                    found += 1
                    matched.add(i)
                    if gq.get("anonymous"):
                        speaker_ok += int(bool(pq.get("anonymous")))
                    else:
                        speaker_ok += int(_surname(pq.get("speaker")) == _surname(gq.get("speaker")))
                    break
    s = asdict(Score.of(found, n_pred, n_gold))
    s["speaker_accuracy"] = round(speaker_ok / found, 4) if found else None
    return s


def _score_boilerplate(g_arts: Mapping[str, Any], rep: Mapping[str, Any]) -> dict[str, Any]:
    tp = n_pred = n_gold = 0
    for key, g in g_arts.items():
        gold_lines = set(g.get("boilerplate_lines") or [])
        r = rep.get(key)
        pred_lines = {x["line"] for x in (r or {}).get("removed", []) if x.get("line")}
        tp += len(gold_lines & pred_lines)
        n_pred += len(pred_lines)
        n_gold += len(gold_lines)
    return asdict(Score.of(tp, n_pred, n_gold))


def summary_rows(result: Mapping[str, Any]) -> Iterable[tuple[str, Any, Any, Any, Any]]:
    """(aspect, precision, recall, f1, support) rows for a table."""
    for aspect in ("stories", "reuse_pairs", "reuse_kinds", "lines", "facts", "unique_facts", "conflicts",
                   "conflict_kinds", "quotes", "boilerplate"):
        s = result[aspect]
        yield aspect, s["precision"], s["recall"], s["f1"], s["support"]
    extra = (("quote_attribution", ("quote_attribution",)),
             ("quote_detection", ("quote_attribution", "detection")),
             ("anonymous_sources", ("anonymous_sources",)),
             ("entity_names (en)", ("entities",)),
             ("roles", ("roles",)),
             ("mt_signal flag >= 0.5", ("mt_signal", "at_0.5")))
    for label, path in extra:
        s = result
        for part in path:
            s = s.get(part) or {}
        if s:
            yield label, s["precision"], s["recall"], s["f1"], s["support"]


def accuracy_rows(result: Mapping[str, Any]) -> Iterable[tuple[str, float | None, int]]:
    """(figure, value, items) rows for the single-number analysis figures."""
    rows: list[tuple[str, float | None, int]] = []
    ents = result.get("entities") or {}
    if ents:
        other = ents["non_english"]
        rows += [("entity alias merge (en)", ents["alias_merge"]["accuracy"], ents["alias_merge"]["aliases"]),
                 ("entity labels (en)", ents["label_accuracy"], ents["support"]),
                 ("entity names recall (non-en)", other["recall"], other["support"]),
                 ("entity alias merge (non-en)", other["alias_merge"]["accuracy"], other["alias_merge"]["aliases"])]
    rows += [(f"{a} accuracy", result[a]["accuracy"], result[a]["articles"])
             for a in ("genre", "language") if a in result]
    if "mt_signal" in result:
        m = result["mt_signal"]
        rows.append(("mt_signal ROC AUC", m["auc"], m["positives"] + m["negatives"]))
    yield from (row for row in rows if row[2])  # figures over no gold items are left out
