"""Scores of the article-analysis aspects of `newsprism eval` (rules: docs/gold-format.md).

Quote attribution, anonymous sources, entity canonicalisation, roles, genre, language and the
machine-translation signal, each a pure function of the gold articles and the report articles,
both keyed by gold key (`evaluate._key_of`).
"""

from __future__ import annotations

import html
import itertools
import json
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from typing import Any

from .evaluate import Score, _norm

Loc = tuple[int, int | None]  # (1-based source line, 1-based paragraph of a JSONL record's text or None)
SourceReader = Callable[[str], Sequence[tuple[Loc, str]] | None]

_STOP = frozenset({
    "a", "an", "the", "of", "who", "whom", "which", "that", "with", "to", "in", "on", "at", "for", "and",
    "or", "by", "as", "from", "about", "his", "her", "their", "its", "was", "were", "is", "are", "be",
    "been", "has", "have", "had", "not", "into", "one", "two", "three", "some",
})
ENTITY_LABELS = ("PERSON", "ORG", "GPE")


def _fold(s: str | None) -> str:
    """Case- and accent-insensitive words of `s`, apostrophes dropped, punctuation as spaces."""
    s = unicodedata.normalize("NFKD", s or "")
    s = "".join(c for c in s if not unicodedata.combining(c)).casefold()
    return " ".join(re.findall(r"\w+", re.sub(r"['’`]", "", s)))


def _content_list(s: str | None) -> list[str]:
    """Folded words minus function words, in order, a plural -s stripped ("sources" ~ "source")."""
    return [w[:-1] if len(w) > 3 and w.endswith("s") else w for w in _fold(s).split() if w not in _STOP]


def _expand_acronyms(words: Sequence[str], other: Sequence[str]) -> set[str]:
    """`words`, each acronym of a run of `other`'s words replaced by that run ("ncsc" →
    national cyber security centre)."""
    out = set()
    for w in words:
        run = next((other[i:i + len(w)] for i in range(len(other) - len(w) + 1)
                    if 2 <= len(w) <= 6 and "".join(x[0] for x in other[i:i + len(w)]) == w), None)
        out |= set(run) if run else {w}
    return out


def word_overlap(a: str | None, b: str | None) -> float:
    """Overlap coefficient of content words, |A ∩ B| / min(|A|, |B|), acronyms of the other side's
    words expanded; 0.0 when either is empty."""
    la, lb = _content_list(a), _content_list(b)
    wa, wb = _expand_acronyms(la, lb), _expand_acronyms(lb, la)
    return len(wa & wb) / min(len(wa), len(wb)) if wa and wb else 0.0


def same_person(predicted: str | None, gold: str | None) -> bool:
    """Same person: equal folded names, or equal surnames (last words)."""
    p, g = _fold(predicted).split(), _fold(gold).split()
    return bool(p and g) and (p == g or p[-1] == g[-1])


def roc_auc(positives: Sequence[float], negatives: Sequence[float]) -> float | None:
    """Rank-based ROC AUC (Mann-Whitney U; ties count half); None without both classes.

    >>> roc_auc([0.9, 0.8], [0.1, 0.2])
    1.0
    """
    if not positives or not negatives:
        return None
    scored = sorted([(float(x), 1) for x in positives] + [(float(x), 0) for x in negatives])
    rank_sum, i = 0.0, 0
    while i < len(scored):
        j = i
        while j < len(scored) and scored[j][0] == scored[i][0]:
            j += 1
        avg_rank = (i + 1 + j) / 2  # ranks i+1..j share their mean
        rank_sum += avg_rank * sum(lab for _, lab in scored[i:j])
        i = j
    n_pos, n_neg = len(positives), len(negatives)
    return round((rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg), 4)


def read_source_units(origin: str) -> list[tuple[Loc, str]] | None:
    """The units of an article's source file with their gold coordinates, or None if unreadable.

    A text or HTML file gives one unit per line, ((line, None), text) with tags stripped and
    entities decoded; a JSONL origin ``path:N`` gives one unit per paragraph (blank-line separated)
    of record N's ``text``, ((N, paragraph), text).
    """
    m = re.match(r"^(.*\.jsonl?):(\d+)$", origin or "")
    try:
        if m:
            with open(m.group(1), encoding="utf-8") as fh:
                line = next(itertools.islice(fh, int(m.group(2)) - 1, None), None)
            if line is None:
                return None
            paras = [p for p in re.split(r"\n\s*\n", str(json.loads(line).get("text") or "")) if p.strip()]
            return [((int(m.group(2)), n), p) for n, p in enumerate(paras, 1)]
        with open(origin, encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()
    except (OSError, ValueError, AttributeError):
        return None
    return [((n, None), html.unescape(re.sub(r"<[^>]+>", " ", t))) for n, t in enumerate(lines, 1)]


def _find(probe: str, units: Sequence[tuple[Loc, str]]) -> set[Loc]:
    return {loc for loc, t in units if probe and " " + probe in " " + t}


def locate(quote: Mapping[str, Any], text: str, units: Sequence[tuple[Loc, str]]) -> set[Loc]:
    """Source coordinates of a predicted quote: the units containing (the start or end of) each of
    its paragraphs; several hits are narrowed by the paragraph of the article around the quote."""
    folded = [(loc, _fold(t)) for loc, t in units]
    hits: set[Loc] = set()
    for chunk in re.split(r"\n+", quote.get("text") or ""):
        f = _fold(chunk)
        if len(f) >= 3:
            head, tail = (f[:80].rsplit(" ", 1)[0], f[-80:].split(" ", 1)[-1]) if len(f) > 80 else (f, f)
            hits |= _find(head, folded) or _find(tail, folded)
    if len(hits) > 1 and quote.get("start") is not None:
        start = int(quote["start"])
        para = text[text.rfind("\n", 0, start) + 1:].split("\n", 1)[0]
        narrowed = hits & _find(_fold(para)[:80].rsplit(" ", 1)[0], folded)
        hits = narrowed or hits
    return hits


def _same_loc(a: Loc, b: Loc) -> bool:
    return a[0] == b[0] and (a[1] is None or b[1] is None or a[1] == b[1])


def _text_match(want: str, got: str) -> bool:
    return bool(want) and (want in got or got.startswith(want) or (len(got) > 12 and got in want))


def _speaker_ok(gq: Mapping[str, Any], pq: Mapping[str, Any]) -> bool:
    """Named gold speaker: same person; anonymous gold: predicted anonymous; else descriptor overlap."""
    if gq.get("anonymous"):
        return bool(pq.get("anonymous"))
    if gq.get("speaker"):
        return not pq.get("anonymous") and same_person(pq.get("speaker"), gq["speaker"])
    return word_overlap(pq.get("descriptor") or pq.get("speaker"), gq.get("speaker_description")) >= 0.5


def _by_language(counts: Mapping[str, list[int]]) -> dict[str, Any]:
    """{"en": Score, "other": Score} from [correct, predicted, gold] counts per language group."""
    return {lang: asdict(Score.of(*c)) for lang, c in counts.items()}


def _two_sided(right_pred: int, right_gold: int, n_pred: int, n_gold: int) -> dict[str, Any]:
    """Score where precision counts right predictions and recall right gold items separately."""
    p = Score.of(right_pred, n_pred, n_gold).precision
    r = Score.of(right_gold, n_pred, n_gold).recall
    return asdict(Score(p, r, round(2 * p * r / (p + r), 4) if p + r else 0.0, n_gold, n_pred))


def score_quote_attribution(g_arts: Mapping[str, Any], rep: Mapping[str, Any]) -> dict[str, Any]:
    """Direct quotes found and attributed to the right speaker.

    A gold direct quote is found by a predicted direct quote of the same article whose normalised
    text contains it (or starts with ``text_starts``, or, when longer than 12 characters, lies inside
    it); a prediction not yet used is preferred, then the tightest match, but one predicted quote
    may cover several gold quotes (one quotation the gold splits into sentences). It is correct
    when the speaker also matches (`_speaker_ok`). Recall = correct gold quotes / gold direct
    quotes; precision = predicted direct quotes covering at least one gold quote correctly /
    predicted direct quotes. ``detection`` is the same without the speaker check;
    ``by_language`` splits attribution into English and other articles.
    """
    counts = {"en": [0, 0, 0, 0, 0], "other": [0, 0, 0, 0, 0]}  # right pred, right gold, pred, gold, found gold
    found_pred = 0
    wrong, missed = [], []
    for key, g in g_arts.items():
        art = rep.get(key) or {}
        gold_q = g.get("direct_quotes") or []
        pred = [q for q in art.get("quotes", []) if q.get("direct", True)]
        c = counts["en" if _is_english(g, art) else "other"]
        c[2] += len(pred)
        c[3] += len(gold_q)
        used: set[int] = set()
        right: set[int] = set()
        for gq in gold_q:
            want = _norm(gq.get("text") or gq.get("text_starts") or "")
            cands = [i for i, pq in enumerate(pred) if _text_match(want, _norm(pq["text"]))]
            if not cands:
                missed.append({"article": key, "line": gq.get("line"), "text": want[:80]})
                continue
            i = min(cands, key=lambda i: (i in used, abs(len(_norm(pred[i]["text"])) - len(want))))
            used.add(i)
            c[4] += 1
            if _speaker_ok(gq, pred[i]):
                c[1] += 1
                right.add(i)
            else:
                wrong.append({"article": key, "line": gq.get("line"), "text": want[:80],
                              "gold": gq.get("speaker") or gq.get("speaker_description"),
                              "predicted": pred[i].get("speaker") or pred[i].get("descriptor"),
                              "predicted_anonymous": bool(pred[i].get("anonymous"))})
        c[0] += len(right)
        found_pred += len(used)
    tot = [sum(c[k] for c in counts.values()) for k in range(5)]
    out = _two_sided(*tot[:4])
    out["detection"] = _two_sided(found_pred, tot[4], tot[2], tot[3])
    out["by_language"] = {lang: _two_sided(*c[:4]) for lang, c in counts.items()}
    out["wrong_speaker"], out["missed"] = wrong, missed
    return out


def _gold_anonymous(g: Mapping[str, Any]) -> list[dict[str, Any]]:
    units = [dict(u, unit="statement") for u in g.get("attributed_statements") or [] if u.get("anonymous")]
    return units + [dict(u, unit="direct") for u in g.get("direct_quotes") or [] if u.get("anonymous")]


def _descriptor_sim(gu: Mapping[str, Any], pq: Mapping[str, Any]) -> float:
    said = pq.get("descriptor") or pq.get("speaker") or pq.get("cue")
    return max(word_overlap(said, gu.get("speaker_description")), word_overlap(said, gu.get("cue")))


def _match_anonymous(gold_units: Sequence[Mapping[str, Any]], pred: Sequence[Mapping[str, Any]],
                     pred_locs: Sequence[set[Loc]]) -> list[tuple[int, int]]:
    """One-to-one (gold, predicted) index pairs, greedily by score (see `score_anonymous_sources`)."""
    cands = []
    for i, gu in enumerate(gold_units):
        gloc = (int(gu["line"]), gu.get("paragraph")) if gu.get("line") is not None else None
        for j, pq in enumerate(pred):
            sim = _descriptor_sim(gu, pq)
            if gloc is not None and pred_locs[j]:
                if any(_same_loc(gloc, loc) for loc in pred_locs[j]):
                    same_unit = bool(pq.get("direct")) == (gu["unit"] == "direct")
                    cands.append((1.0 + sim + 0.25 * same_unit, i, j))
            elif sim >= 0.5:
                cands.append((sim, i, j))
    pairs, gi_used, pj_used = [], set(), set()
    for _, i, j in sorted(cands, key=lambda c: (-c[0], c[1], c[2])):
        if i not in gi_used and j not in pj_used:
            pairs.append((i, j))
            gi_used.add(i)
            pj_used.add(j)
    return pairs


def _duplicates(gold_units: Sequence[Mapping[str, Any]], pred: Sequence[Mapping[str, Any]],
                pred_locs: Sequence[set[Loc]], pairs: Sequence[tuple[int, int]]) -> set[int]:
    """Unmatched predictions placed in a matched gold unit's place with a similar descriptor
    (one source quoted twice in one paragraph: the gold counts one unit)."""
    hit_p = {j for _, j in pairs}
    out = set()
    for j, pq in enumerate(pred):
        if j in hit_p or not pred_locs[j]:
            continue
        for i, _ in pairs:
            gu = gold_units[i]
            if gu.get("line") is None or _descriptor_sim(gu, pq) < 0.5:
                continue
            if any(_same_loc((int(gu["line"]), gu.get("paragraph")), loc) for loc in pred_locs[j]):
                out.add(j)
                break
    return out


def score_anonymous_sources(g_arts: Mapping[str, Any], rep: Mapping[str, Any], *,
                            read_source: SourceReader | None = None) -> dict[str, Any]:
    """Anonymous-source detection, P/R/F1 over statement units.

    Gold units are the ``attributed_statements`` and ``direct_quotes`` marked anonymous; predicted
    units are the report quotes (direct or indirect) marked anonymous. Within an article they are
    matched one-to-one, highest score first:

    * when the gold unit has a ``line`` and the predicted quote can be placed in the source file
      (`locate`: the line, or JSONL record line and paragraph, whose text contains it), they match
      only if the places agree; score 1 + descriptor similarity (+ 0.25 when a direct prediction
      meets a gold direct quote or an indirect one a gold statement);
    * otherwise (source unreadable, text not found, gold without line) they match when the
      descriptor similarity is at least 0.5.

    Descriptor similarity is the content-word overlap coefficient of the predicted ``descriptor``
    (else speaker, else cue) with the gold ``speaker_description`` or ``cue``, whichever is higher.
    The gold has one unit per source per line (paragraph): an unmatched prediction in the place of
    a matched gold unit with descriptor similarity >= 0.5 to it is a duplicate, neither right nor
    wrong (counted in ``duplicates``, left out of ``predicted``).
    """
    read = read_source or read_source_units
    counts = {"en": [0, 0, 0], "other": [0, 0, 0]}  # matched, predicted, gold
    n_dup = 0
    by_unit = {"statement": [0, 0], "direct": [0, 0]}  # [found, gold]
    missed, spurious = [], []
    for key, g in g_arts.items():
        gold_units = _gold_anonymous(g)
        art = rep.get(key) or {}
        pred = [q for q in art.get("quotes", []) if q.get("anonymous")]
        units = read(str(art.get("origin") or "")) if pred else None
        locs = [locate(q, art.get("text") or "", units) if units else set() for q in pred]
        pairs = _match_anonymous(gold_units, pred, locs)
        hit_g, hit_p = {i for i, _ in pairs}, {j for _, j in pairs}
        dups = _duplicates(gold_units, pred, locs, pairs)
        c = counts["en" if _is_english(g, art) else "other"]
        c[0] += len(pairs)
        c[1] += len(pred) - len(dups)
        c[2] += len(gold_units)
        n_dup += len(dups)
        for i, gu in enumerate(gold_units):
            by_unit[gu["unit"]][0] += i in hit_g
            by_unit[gu["unit"]][1] += 1
            if i not in hit_g:
                missed.append({"article": key, "line": gu.get("line"), "unit": gu["unit"],
                               "speaker_description": gu.get("speaker_description")})
        spurious += [{"article": key, "lines": sorted(str(loc[0]) for loc in locs[j]),
                      "descriptor": pq.get("descriptor"), "text": (pq.get("text") or "")[:80]}
                     for j, pq in enumerate(pred) if j not in hit_p | dups]
    out = asdict(Score.of(*(sum(c[k] for c in counts.values()) for k in range(3))))
    out["by_language"] = _by_language(counts)
    out["duplicates"] = n_dup
    out["recall_by_unit"] = {k: {"recall": round(f / n, 4) if n else None, "gold": n}
                             for k, (f, n) in by_unit.items()}
    out["missed"], out["spurious"] = missed, spurious
    return out


def _name_tokens(s: str | None) -> list[str]:
    t = _fold(s).split()
    return t[1:] if t[:1] == ["the"] and len(t) > 1 else t


def _contains(outer: Sequence[str], inner: Sequence[str]) -> bool:
    n = len(inner)
    return n > 0 and any(list(outer[i:i + n]) == list(inner) for i in range(len(outer) - n + 1))


def _occurrences(name: str, text: str) -> list[tuple[int, int]]:
    words = re.findall(r"\w+", name)
    if len(words) > 1 and words[0].casefold() == "the":
        words = words[1:]
    if not words:
        return []
    pat = r"(?<!\w)" + r"\W+".join(map(re.escape, words)) + r"(?!\w)"
    # "Tell" (a surname) must not match "tell", nor "US" "us"; "he" matches "He"
    flags = 0 if any(ch.isupper() for ch in "".join(words)) else re.IGNORECASE
    return [m.span() for m in re.finditer(pat, text, flags)]


def _alias_covered(alias: str, canonical: str, entity: Mapping[str, Any], text: str) -> bool | None:
    """Is the alias merged into `entity`? Its stand-alone occurrences in the text (those not inside
    an occurrence of the canonical name) must mostly (at least half) overlap the entity's mention
    spans. Without offsets, a mention must equal or contain the alias; None when the alias never
    stands alone in the text (nothing to merge)."""
    spans = [(m["start"], m["end"]) for m in entity.get("mentions") or []
             if m.get("start") is not None and m.get("end") is not None]
    if not spans:
        at = _name_tokens(alias)
        return any(_contains(_name_tokens(m.get("text")), at) for m in entity.get("mentions") or [])
    full = _occurrences(canonical, text)
    bare = [(a, b) for a, b in _occurrences(alias, text) if not any(x <= a and b <= y for x, y in full)]
    if not bare:
        return None
    inside = sum(any(a < e and s < b for s, e in spans) for a, b in bare)
    return 2 * inside >= len(bare)


def _is_english(g: Mapping[str, Any], art: Mapping[str, Any]) -> bool:
    return str(g.get("language") or art.get("language") or "en").startswith("en")


def _entity_counts() -> dict[str, Any]:
    return {"gold": 0, "found": 0, "found_as_alias": 0, "labels_ok": 0, "aliases": 0, "merged": 0, "predicted": 0,
            "correct": 0, "missed_names": [], "unmerged_aliases": [], "spurious_names": []}


def _score_entities_article(key: str, g: Mapping[str, Any], art: Mapping[str, Any], c: dict[str, Any]) -> None:
    ents = art.get("entities") or []
    by_name: dict[tuple[str, ...], list[Mapping[str, Any]]] = {}
    for e in ents:
        by_name.setdefault(tuple(_name_tokens(e.get("name"))), []).append(e)
    aliases = g.get("aliases") or {}
    known = set()
    for label, names in (g.get("entities") or {}).items():
        for name in names:
            canon = _name_tokens(name)
            known.add(tuple(canon))
            known |= {tuple(_name_tokens(a)) for a in aliases.get(name, [])}
            c["gold"] += 1
            matches = by_name.get(tuple(canon), [])
            if not matches:
                c["found_as_alias"] += any(tuple(_name_tokens(a)) in by_name for a in aliases.get(name, []))
                c["missed_names"].append(f"{key}: {name}")
                continue
            e = next((m for m in matches if m.get("label") == label), matches[0])
            c["found"] += 1
            c["labels_ok"] += e.get("label") == label
            for alias in aliases.get(name, []):
                at = _name_tokens(alias)
                if not at or _contains(at, canon):
                    continue  # a titled form of the full name ("Transport Minister Ivo Lang")
                ok = _alias_covered(alias, name, e, str(art.get("text") or ""))
                if ok is None:
                    continue
                c["aliases"] += 1
                c["merged"] += ok
                if not ok:
                    c["unmerged_aliases"].append(f"{key}: {alias} -> {name}")
    for e in ents:
        if e.get("label") in ENTITY_LABELS:
            c["predicted"] += 1
            if tuple(_name_tokens(e.get("name"))) in known:
                c["correct"] += 1
            else:
                c["spurious_names"].append(f"{key}: {e.get('name')} ({e.get('label')})")


def score_entities(g_arts: Mapping[str, Any], rep: Mapping[str, Any]) -> dict[str, Any]:
    """Entity canonicalisation, English articles (``non_english`` holds the rest).

    Name recall: a gold (article, label, canonical name) is found when a predicted entity of that
    article has the same name, ignoring case, accents, punctuation and a leading "the". Alias merge
    accuracy, over the aliases of found names that stand alone in the text: the alias is merged
    when its occurrences are mentions of that same entity (`_alias_covered`). Aliases that contain
    the full canonical name are titled forms and are not counted. Name precision: a
    predicted PERSON/ORG/GPE name is correct when it is a gold canonical name or alias of the article.
    Label accuracy: found names whose predicted label equals the gold label. ``recall_name_or_alias``
    also counts a gold entity found under one of its alias names ("Biden" for "Joe Biden").
    """
    groups = {"en": _entity_counts(), "other": _entity_counts()}
    for key, g in g_arts.items():
        if not g.get("entities"):
            continue
        art = rep.get(key) or {}
        _score_entities_article(key, g, art, groups["en" if _is_english(g, art) else "other"])

    def summary(c: dict[str, Any]) -> dict[str, Any]:
        s = asdict(Score.of(c["correct"], c["predicted"], c["gold"]))
        s["recall"] = round(c["found"] / c["gold"], 4) if c["gold"] else 1.0
        s["f1"] = round(2 * s["precision"] * s["recall"] / (s["precision"] + s["recall"]), 4) \
            if s["precision"] + s["recall"] else 0.0
        s["alias_merge"] = {"accuracy": round(c["merged"] / c["aliases"], 4) if c["aliases"] else None,
                            "aliases": c["aliases"]}
        s["label_accuracy"] = round(c["labels_ok"] / c["found"], 4) if c["found"] else None
        s["recall_name_or_alias"] = round((c["found"] + c["found_as_alias"]) / c["gold"], 4) if c["gold"] else 1.0
        return s | {k: c[k] for k in ("missed_names", "unmerged_aliases", "spurious_names")}

    return summary(groups["en"]) | {"non_english": summary(groups["other"])}


def role_match(gold: str | None, predicted: str | None) -> bool:
    """Roles match when their content-word overlap coefficient is at least 0.6
    ("Transport Minister" ~ "Transport Minister of Valmora"; "Prime Minister" !~ "Defense Minister")."""
    return word_overlap(gold, predicted) >= 0.6


def score_roles(g_arts: Mapping[str, Any], rep: Mapping[str, Any]) -> dict[str, Any]:
    """Roles of gold people: for each gold (article, person, role), the predicted roles of that person
    (report ``roles`` entries and the PERSON entity's ``role``, person matched by `same_person`).
    Predicted = gold people given at least one role; correct = some predicted role `role_match`es.
    People without a gold role are not judged; ``by_language`` splits English and other articles."""
    counts = {"en": [0, 0, 0], "other": [0, 0, 0]}  # correct, predicted, gold
    wrong = []
    for key, g in g_arts.items():
        art = rep.get(key) or {}
        pred = [(r.get("person"), r.get("role")) for r in art.get("roles") or []]
        pred += [(e.get("name"), e.get("role")) for e in art.get("entities") or []
                 if e.get("label") == "PERSON" and e.get("role")]
        c = counts["en" if _is_english(g, art) else "other"]
        for person, role in (g.get("roles") or {}).items():
            mine = [r for p, r in pred if r and same_person(p, person)]
            ok = any(role_match(role, r) for r in mine)
            c[0] += ok
            c[1] += bool(mine)
            c[2] += 1
            if not ok:
                wrong.append({"article": key, "person": person, "gold": role, "predicted": sorted(set(mine))})
    out = asdict(Score.of(*(sum(c[k] for c in counts.values()) for k in range(3))))
    return out | {"by_language": _by_language(counts), "wrong": wrong}


def _base_genre(genre: str | None) -> str:
    return (genre or "").split("(")[0].strip().casefold().replace(" ", "_")


def score_label(g_arts: Mapping[str, Any], rep: Mapping[str, Any], field: str) -> dict[str, Any]:
    """Accuracy of an article label (``genre``: the base genre before any parenthesis; ``language``:
    the code's first two letters) over gold articles that give it; a missing article counts wrong."""
    norm = _base_genre if field == "genre" else (lambda v: str(v or "").casefold()[:2])
    n = right = 0
    wrong = []
    for key, g in g_arts.items():
        if not g.get(field):
            continue
        n += 1
        want, got = norm(g[field]), norm((rep.get(key) or {}).get(field))
        right += want == got
        if want != got:
            wrong.append({"article": key, "gold": want, "predicted": got})
    return {"accuracy": round(right / n, 4) if n else None, "articles": n, "wrong": wrong}


def score_mt_signal(g_arts: Mapping[str, Any], rep: Mapping[str, Any]) -> dict[str, Any]:
    """ROC AUC of ``signals.machine_translation``: positives are gold articles whose provenance kind
    contains "machine" (spun or machine-translated rewrites), negatives the other gold articles in
    the report. Also P/R/F1 of flagging at score >= 0.5."""
    pos, neg = {}, {}
    for key, g in g_arts.items():
        art = rep.get(key)
        if art is None:
            continue
        score = float(((art.get("signals") or {}).get("machine_translation")) or 0.0)
        kind = str((g.get("provenance") or {}).get("kind") or "")
        (pos if "machine" in kind.casefold() else neg)[key] = score
    flagged = {k for k, v in (pos | neg).items() if v >= 0.5}
    out = {"auc": roc_auc(list(pos.values()), list(neg.values())), "positives": len(pos), "negatives": len(neg)}
    out["at_0.5"] = asdict(Score.of(len(flagged & pos.keys()), len(flagged), len(pos)))
    out["positive_scores"] = pos
    out["top_negatives"] = dict(sorted(neg.items(), key=lambda kv: -kv[1])[:5])
    return out


def evaluate_analysis(g_arts: Mapping[str, Any], rep: Mapping[str, Any], *,
                      read_source: SourceReader | None = None) -> dict[str, Any]:
    """The article-analysis aspects of `evaluate`, for gold articles keyed like report articles."""
    return {
        "quote_attribution": score_quote_attribution(g_arts, rep),
        "anonymous_sources": score_anonymous_sources(g_arts, rep, read_source=read_source),
        "entities": score_entities(g_arts, rep),
        "roles": score_roles(g_arts, rep),
        "genre": score_label(g_arts, rep, "genre"),
        "language": score_label(g_arts, rep, "language"),
        "mt_signal": score_mt_signal(g_arts, rep),
    }
