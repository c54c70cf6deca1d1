"""Scores of the compare stage: shared facts, unique facts, conflicts and conflict classes.

Gold facts are short English paraphrases with no offsets, so they are matched to the report by
a deterministic, model-free word-coverage rule (docs/gold-format.md):

* *Terms* of a text: its content words (`newsprism.terms.content_terms`: lower-cased words of
  three letters or more minus spaCy's stop words for the text's language), accents folded, a
  final -s, -ing/-ed and -e dropped and cut to `STEM` (6) letters ("visited" ~ "visit"), plus
  its numbers: digit strings ("1,200" and "1.200" → "1200", "2,1" → "2.1") and English number
  words and ordinals up to ten / fifth ("third" → "3").
* *Coverage* of a gold string by a predicted text: the share of the gold string's terms found
  among the predicted text's terms, counted as 0 when fewer than `MIN_SHARED` (2) are found
  (unless the gold string has only one term). A predicted text with no part in the gold's
  language (English) is judged on the gold's *anchors* instead: its digit numbers and
  capitalised words (names, acronyms), the terms that survive translation.
* A predicted item matches a gold item when coverage >= `COVERAGE` (0.5). Matches are one-to-one:
  greedy, highest coverage first (ties by gold order, then report order), then completed by
  augmenting paths, so as many gold items as possible are matched (a maximum matching).

Predicted multi-line facts are read through their support: the text of a fact is every
`text[start:end]` it cites in the report articles. Predicted unique facts are compared with the
gold unique facts of their reporting line (a copy may speak for its original).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from .errors import GoldFormatError
from .evaluate import _NUM_WORDS, Score, _gold_lines, _gold_stories, _norm, _numbers
from .terms import content_terms, stop_words

#: minimum share of a gold item's terms the predicted text must contain.
COVERAGE = 0.5
#: ... and at least this many of them (all of them when the gold item has fewer).
MIN_SHARED = 2
#: letters a content word is cut to before comparing.
STEM = 6
#: a conflict value without numbers is cited when this share of the shorter side's words is shared.
VALUE_OVERLAP = 0.5
#: language the gold strings are written in.
GOLD_LANGUAGE = "en"
KINDS = ("contradiction", "different_scope", "vagueness")
#: words that make a value vague when it states no number (for gold conflicts without a kind).
_VAGUE = frozenset({"several", "many", "dozens", "hundreds", "thousands", "numerous", "various",
                    "few", "most", "large", "majority", "much", "decenas", "cientos", "varios",
                    "varias", "dutzende", "hunderte", "mehrere", "viele"})
_LINE_NOTE = re.compile(r"\s*\((?:lines?|paragraphs?)\s[^)]*\)\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class GoldConflict:
    story: str
    slot: str
    kind: str
    values: dict[str, str]  # gold article key -> the value it states


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


def _stem(word: str) -> str:
    """Accents folded; a final -s, then -ing or -ed, then -e dropped; cut to `STEM` letters
    ("prices" ~ "price", "visited" ~ "visit", "postponed" ~ "postpone")."""
    word = _fold(word)
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    if len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
    elif len(word) > 4 and word.endswith("ed"):
        word = word[:-2]
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word[:STEM]


def _digits(text: str) -> set[str]:
    out = set()
    for m in re.findall(r"\d[\d.,]*\d|\d", text):
        m = re.sub(r"[.,](?=\d{3}\b)", "", m)
        out.add(m.replace(",", "."))
    return out


def terms(text: str, language: str | None = None) -> frozenset[str]:
    """Stemmed content words of `text`, plus its numbers (digits, and English number words and
    ordinals up to ten/fifth: "third" → "3")."""
    words = {_stem(w) for w in content_terms(text, language)}
    spelled = {_NUM_WORDS[w] for w in re.findall(r"[a-z]+", text.lower()) if w in _NUM_WORDS}
    return frozenset(words | _digits(text) | spelled)


def anchors(text: str, language: str | None = GOLD_LANGUAGE) -> frozenset[str]:
    """The terms of `text` that survive translation: numbers and capitalised words."""
    stop = stop_words(language)
    caps = {_stem(w.lower()) for w in re.findall(r"\b[^\W\d_]{2,}", text)
            if w[0].isupper() and w.lower() not in stop}
    return frozenset(caps | _digits(text))


def coverage(gold: str, pred_terms: frozenset[str], *, same_language: bool = True) -> float:
    """Share of `gold`'s terms (its anchors when the prediction is in another language) in
    `pred_terms`; 0.0 when fewer than `MIN_SHARED` of them (and not all) are there."""
    g = terms(gold, GOLD_LANGUAGE) if same_language else anchors(gold)
    shared = len(g & pred_terms)
    return shared / len(g) if g and shared >= min(MIN_SHARED, len(g)) else 0.0


def assign(scores: Iterable[tuple[float, int, int]], threshold: float = COVERAGE) -> list[tuple[int, int]]:
    """One-to-one (gold, predicted) pairs from (score, gold, predicted) with score >= threshold.

    Greedy, best score first (ties by gold, then predicted index); then augmenting paths (each
    trying better-scoring pairs first) give every gold item left over a pair when some
    re-assignment allows it, so the result is a maximum matching.
    """
    edges = sorted(((s, g, p) for s, g, p in scores if s >= threshold), key=lambda x: (-x[0], x[1], x[2]))
    options: dict[int, list[int]] = {}
    for _, g, p in edges:
        options.setdefault(g, []).append(p)
    owner: dict[int, int] = {}  # predicted -> gold
    for _, g, p in edges:
        if p not in owner and g not in owner.values():
            owner[p] = g

    def augment(g: int, seen: set[int]) -> bool:
        for p in options[g]:
            if p in seen:
                continue
            seen.add(p)
            if p not in owner or augment(owner[p], seen):
                owner[p] = g
                return True
        return False

    for g in sorted(options):
        if g not in owner.values():
            augment(g, set())
    return sorted((g, p) for p, g in owner.items())


@dataclass(frozen=True, slots=True)
class _Pred:
    terms: frozenset[str]
    english: bool  # some of its text is in the gold language


def _pred(texts: Sequence[tuple[str, str | None]]) -> _Pred:
    """A predicted item from its (text, language) parts."""
    all_terms: frozenset[str] = frozenset()
    for text, lang in texts:
        all_terms |= terms(text, lang)
    return _Pred(all_terms, any((lang or GOLD_LANGUAGE)[:2] == GOLD_LANGUAGE for _, lang in texts))


def _match(gold: Sequence[str], pred: Sequence[_Pred]) -> int:
    scores = [(coverage(g, p.terms, same_language=p.english), i, j)
              for i, g in enumerate(gold) for j, p in enumerate(pred)]
    return len(assign(scores))


def _prefix_map(prefixes: Iterable[str], keys: Iterable[str]) -> dict[str, str]:
    """Map each file prefix of a `pair` gold ("000") to the one article key starting with it."""
    keys = sorted(keys)
    out = {}
    for p in prefixes:
        hits = [k for k in keys if k.startswith(p)]
        if len(hits) > 1:
            raise GoldFormatError(f"pair prefix '{p}' matches several articles: {', '.join(hits)}")
        if hits:
            out[p] = hits[0]
    return out


@dataclass(frozen=True, slots=True)
class GoldCompare:
    """The compare-stage part of a gold file, in one shape for both gold forms."""

    facts: dict[str, list[str]]  # gold story -> shared facts (stories that list them)
    unique: dict[str, list[str]]  # article key -> its unique facts
    unique_stories: set[str]  # gold stories whose unique facts are listed (judged)
    conflicts: list[GoldConflict]


def gold_view(gold: Mapping[str, Any]) -> GoldCompare:
    """Shared facts, unique facts and conflicts of a gold file (`stories` or seeds `pair` form).

    A story without `shared_facts` (or `unique`) is not judged on that aspect; the `pair` form
    maps its "000"/"003" prefixes to the article keys that start with them.
    """
    view = GoldCompare({}, {}, set(), [])
    for sid, s in (gold.get("stories") or {}).items():
        if "shared_facts" in s:
            view.facts[sid] = list(s["shared_facts"] or [])
        if "unique" in s:
            view.unique_stories.add(sid)
        for key, items in (s.get("unique") or {}).items():
            view.unique.setdefault(key, []).extend(items)
        for c in s.get("conflicts") or []:
            vals = {k: str(v) for k, v in (c.get("values") or {}).items()}
            view.conflicts.append(GoldConflict(sid, c.get("slot") or "other", _kind(c.get("kind"), vals), vals))
    pair = gold.get("pair")
    if pair and not gold.get("stories"):
        _pair_view(gold, pair, view)
    return view


def _pair_view(gold: Mapping[str, Any], pair: Mapping[str, Any], view: GoldCompare) -> None:
    keys = list(gold.get("articles") or {})
    story_of = _gold_stories(gold)
    prefixes = {k[len("unique_to_"):] for k in pair if k.startswith("unique_to_")}
    for c in pair.get("conflicting_details") or []:
        prefixes |= {k for k in c if k not in ("fact", "kind", "slot", "note")}
    to_key = _prefix_map(prefixes, keys)
    for p in sorted(prefixes):
        if p in to_key and f"unique_to_{p}" in pair:
            view.unique.setdefault(to_key[p], []).extend(pair[f"unique_to_{p}"])
            view.unique_stories.add(story_of[to_key[p]])
    stories = {story_of[k] for k in keys if k in story_of}
    if len(stories) == 1 and "shared_facts" in pair:
        view.facts[stories.pop()] = list(pair["shared_facts"] or [])
    for c in pair.get("conflicting_details") or []:
        vals = {to_key[p]: _LINE_NOTE.sub("", str(v)) for p, v in c.items() if p in to_key}
        if len(vals) >= 2:
            sid = story_of.get(next(iter(vals)), "S1")
            view.conflicts.append(GoldConflict(sid, c.get("slot") or "other", _kind(c.get("kind"), vals), vals))


def _kind(kind: str | None, values: Mapping[str, str]) -> str:
    """The gold kind; when absent or not one of `KINDS`, inferred from the values:
    vagueness when some value is a vague quantifier without a number, different_scope when
    every value states the same number, else contradiction."""
    if kind in KINDS:
        return kind  # type: ignore[return-value]
    vals = [_norm(v) for v in values.values()]
    if any(not _numbers(v) and _VAGUE & set(re.findall(r"\w+", v)) for v in vals):
        return "vagueness"
    nums = [_numbers(v) for v in vals]
    if all(nums) and set.intersection(*nums) and len(set(vals)) > 1:
        return "different_scope"
    return "contradiction"


def value_cites(pred: str, gold: str) -> bool:
    """Whether a predicted conflict value states the gold value of its article: a shared number
    when both have numbers, else content-word overlap coefficient >= `VALUE_OVERLAP`."""
    pn, gn = _numbers(pred), _numbers(gold)
    if pn and gn:
        return bool(pn & gn)
    a = {_stem(w) for w in content_terms(pred)}
    b = {_stem(w) for w in content_terms(gold)}
    return bool(a and b) and len(a & b) / min(len(a), len(b)) >= VALUE_OVERLAP


def score_conflicts(gold_conf: Sequence[GoldConflict], report: Mapping[str, Any],
                    id2key: Mapping[str, str]) -> dict[str, Any]:
    """`conflicts` and `conflict_kinds` aspects.

    A gold conflict is found when some predicted conflict cites two articles whose gold values
    differ, each with a value that `value_cites` that article's gold value; a predicted conflict is
    correct when it finds some gold conflict. The predicted class of a found gold conflict is the
    most common `kind` among the predicted conflicts that find it (ties: the first in report order).
    """
    hits: dict[int, list[str | None]] = {}
    correct = right_kind = n_pred = 0
    for s in report.get("stories", []):
        for c in s.get("conflicts", []):
            n_pred += 1
            cited = [(id2key.get(v["article"]), str(v["value"])) for v in c["values"]]
            found = [n for n, g in enumerate(gold_conf)
                     if len({_norm(g.values[k]) for k, v in cited
                             if k in g.values and value_cites(v, g.values[k])}) >= 2]
            for n in found:
                hits.setdefault(n, []).append(c.get("kind"))
            correct += int(bool(found))
            right_kind += int(any(gold_conf[n].kind == c.get("kind") for n in found))
    sc = Score.of(correct, n_pred, len(gold_conf))
    recall = round(len(hits) / len(gold_conf), 4) if gold_conf else 1.0
    f1 = round(2 * sc.precision * recall / (sc.precision + recall), 4) if sc.precision + recall else 0.0
    conflicts = asdict(Score(sc.precision, recall, f1, len(gold_conf), n_pred))

    predicted_kind = {n: Counter(ks).most_common(1)[0][0] for n, ks in hits.items()}
    ok = {n for n, k in predicted_kind.items() if k == gold_conf[n].kind}
    kinds = asdict(Score.of(right_kind, n_pred, len(gold_conf)))
    kinds["recall"] = round(len(ok) / len(gold_conf), 4) if gold_conf else 1.0
    p, r = kinds["precision"], kinds["recall"]
    kinds["f1"] = round(2 * p * r / (p + r), 4) if p + r else 0.0
    kinds["accuracy"] = round(len(ok) / len(hits), 4) if hits else None
    kinds["found"] = len(hits)
    kinds["confusion"] = {g: {str(k): sum(1 for n, pk in predicted_kind.items()
                                          if gold_conf[n].kind == g and pk == k)
                              for k in sorted({str(x) for x in predicted_kind.values()})}
                          for g in KINDS if any(c.kind == g for c in gold_conf)}
    kinds["per_slot"] = _breakdown(gold_conf, hits, ok, lambda c: c.slot)
    kinds["per_kind"] = _breakdown(gold_conf, hits, ok, lambda c: c.kind)
    return {"conflicts": conflicts, "conflict_kinds": kinds}


def _breakdown(gold_conf: Sequence[GoldConflict], hits: Mapping[int, Any], ok: set[int],
               by: Any) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for n, c in enumerate(gold_conf):
        row = out.setdefault(by(c), {"gold": 0, "found": 0, "kind_correct": 0})
        row["gold"] += 1
        row["found"] += int(n in hits)
        row["kind_correct"] += int(n in ok)
    for row in out.values():
        row["accuracy"] = round(row["kind_correct"] / row["found"], 4) if row["found"] else None
    return out


def _cited(art: Mapping[str, Any] | None, start: int, end: int, fallback: str) -> str:
    text = (art or {}).get("text") or ""
    return text[start:end] if 0 <= start < end <= len(text) else fallback


def score_facts(gold_facts: Mapping[str, list[str]], report: Mapping[str, Any], id2key: Mapping[str, str],
                g_story: Mapping[str, str]) -> dict[str, Any]:
    """`facts`: predicted multi-line facts against the gold shared facts of their gold story."""
    arts = {a["id"]: a for a in report.get("articles", [])}
    pred: dict[str, list[_Pred]] = {sid: [] for sid in gold_facts}
    for s in report.get("stories", []):
        for f in s.get("facts", []):
            votes = Counter(g_story[id2key[c["article"]]] for c in f["support"]
                            if id2key.get(c["article"]) in g_story)
            if not votes:
                continue
            sid = min(votes.items(), key=lambda x: (-x[1], x[0]))[0]
            if sid not in gold_facts:
                continue
            parts = [(_cited(arts.get(c["article"]), c["start"], c["end"], f["text"]),
                      (arts.get(c["article"]) or {}).get("language")) for c in f["support"]]
            pred[sid].append(_pred(parts))
    return _total({sid: (len(g), len(pred[sid]), _match(g, pred[sid])) for sid, g in gold_facts.items()})


def score_unique(gold_unique: Mapping[str, list[str]], report: Mapping[str, Any], id2key: Mapping[str, str],
                 g_story: Mapping[str, str], g_line: Mapping[str, str], judged: set[str]) -> dict[str, Any]:
    """`unique_facts`: predicted unique facts against the gold unique facts of their reporting line."""
    arts = {a["id"]: a for a in report.get("articles", [])}
    gold: dict[str, list[str]] = {}
    for key, items in gold_unique.items():
        if key in g_line:
            gold.setdefault(g_line[key], []).extend(items)
    pred: dict[str, list[_Pred]] = {}
    for s in report.get("stories", []):
        for u in s.get("unique", []):
            key = id2key.get(u["article"])
            if key is None or key not in g_line or g_story.get(key) not in judged:
                continue
            art = arts.get(u["article"])
            text = _cited(art, u["start"], u["end"], u["text"])
            pred.setdefault(g_line[key], []).append(_pred([(text, (art or {}).get("language"))]))
    per_line = {line: (len(gold.get(line, [])), len(pred.get(line, [])),
                       _match(gold.get(line, []), pred.get(line, [])))
                for line in sorted(set(gold) | set(pred))}
    per_story: dict[str, tuple[int, int, int]] = {}
    story_of_line = {line: g_story[k] for k, line in g_line.items() if k in g_story}
    for line, (g, p, m) in per_line.items():
        sid = story_of_line.get(line, line)
        a, b, c = per_story.get(sid, (0, 0, 0))
        per_story[sid] = (a + g, b + p, c + m)
    return _total(per_story)


def _total(per_story: Mapping[str, tuple[int, int, int]]) -> dict[str, Any]:
    """Score over (gold, predicted, matched) counts per story, with the per-story counts."""
    n_gold = sum(g for g, _, _ in per_story.values())
    n_pred = sum(p for _, p, _ in per_story.values())
    matched = sum(m for _, _, m in per_story.values())
    out = asdict(Score.of(matched, n_pred, n_gold))
    out["per_story"] = {sid: {"gold": g, "predicted": p, "matched": m}
                        for sid, (g, p, m) in sorted(per_story.items())}
    return out


def evaluate_compare(gold: Mapping[str, Any], report: Mapping[str, Any],
                     id2key: Mapping[str, str]) -> dict[str, Any]:
    """Compare-stage aspects of a report against gold: `facts`, `unique_facts`, `conflicts`,
    `conflict_kinds` (rules: module docstring and docs/gold-format.md).

    Args:
        gold: a gold file's content (the `stories` form or the seeds' `pair` form).
        report: a report.json's content.
        id2key: report article id -> gold article key.

    Returns:
        A dict of aspect -> score dict (precision, recall, f1, support = gold items, predicted),
        with per-story counts for facts and unique facts, and accuracy, per-slot and per-kind
        breakdowns and a confusion table for conflict kinds.
    """
    g_story = _gold_stories(gold)
    g_line = _gold_lines(gold, g_story)
    view = gold_view(gold)
    out = {"facts": score_facts(view.facts, report, id2key, g_story),
           "unique_facts": score_unique(view.unique, report, id2key, g_story, g_line, view.unique_stories)}
    out.update(score_conflicts(view.conflicts, report, id2key))
    return out
