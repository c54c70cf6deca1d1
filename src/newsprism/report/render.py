"""Markdown and HTML renderings of a report dict, and the HTML evidence page of one compared pair
(jinja2, autoescaped; HTML is self-contained)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import PurePath
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from ..framing import TONE_LIMITS
from ..models import Article, Relation

_WORD = re.compile(r"\S+")


@lru_cache(maxsize=2)
def _env(kind: str) -> Environment:
    env = Environment(
        loader=PackageLoader("newsprism", "report/templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False)
        if kind == "html" else False,
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["short"] = lambda s, n=160: s if len(s) <= n else s[: n - 1].rsplit(" ", 1)[0] + "…"
    env.filters["pct"] = lambda x: f"{100 * float(x):.0f}%"
    env.filters["dated"] = dated
    return env


def dated(article: dict[str, Any], width: int = 16, missing: str = "") -> str:
    """An article record's date for readers, cut to `width` ISO characters ("2024-01-02 10:30").

    A fetch time (`date_source` "fetch") says "fetched ...": the page existed by then, it was
    not necessarily published then.
    """
    when = article.get("published_at")
    if not when:
        return missing
    text = when[:width].replace("T", " ")
    return f"fetched {text}" if article.get("date_source") == "fetch" else text


def word_diff(a: str, b: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Word-level differences as (op, text) segments for each side: eq, del (a only), ins (b only)."""
    wa, wb = _WORD.findall(a), _WORD.findall(b)
    sm = difflib.SequenceMatcher(a=[w.lower() for w in wa], b=[w.lower() for w in wb], autojunk=False)
    left: list[tuple[str, str]] = []
    right: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            left.append(("eq", " ".join(wa[i1:i2])))
            right.append(("eq", " ".join(wb[j1:j2])))
        else:
            if i2 > i1:
                left.append(("del", " ".join(wa[i1:i2])))
            if j2 > j1:
                right.append(("ins", " ".join(wb[j1:j2])))
    return left, right


def _view(report: dict[str, Any]) -> dict[str, Any]:
    arts = {a["id"]: a for a in report["articles"]}

    def cite(c: dict[str, Any]) -> dict[str, Any]:
        a = arts.get(c["article"], {})
        return {**c, "outlet": a.get("outlet") or "?", "title": a.get("title", ""),
                "snippet": a.get("text", "")[c["start"]:c["end"]]}

    stories = []
    for s in report["stories"]:
        lines = []
        for i, line in enumerate(s["lines"]):
            orig = s["originals"][i] if i < len(s["originals"]) else None
            lines.append({"original": arts.get(orig) if orig else None,
                          "members": [arts[x] for x in line if x in arts]})
        stories.append({
            **s, "line_views": lines,
            "article_views": [arts[x] for x in s["articles"] if x in arts],
            "fact_views": [{**f, "cites": [cite(c) for c in f["support"]]} for f in s["facts"]],
            "unique_views": [cite(u) for u in s["unique"]],
            "conflict_views": [{**k, "cites": [cite(v) for v in k["values"]]}
                               for k in s["conflicts"]],
            **_story_tables(s, arts),
        })
    relations = []
    for r in report["relations"]:
        a, b = arts.get(r["a"]), arts.get(r["b"])
        if not a or not b:
            continue
        rows = []
        for al in r["alignment"]:
            ta, tb = a["text"][al["a_start"]:al["a_end"]], b["text"][al["b_start"]:al["b_end"]]
            left, right = word_diff(ta, tb)
            rows.append({**al, "left": left, "right": right})
        relations.append({**r, "art_a": a, "art_b": b, "rows": rows})
    # the kinds a reader is least likely to spot by eye first
    order = {"spin": 0, "translation": 1, "near_verbatim": 2, "shared_source": 3, "verbatim": 4}
    copies = sorted((r for r in relations if r["kind"] != "same_story"),
                    key=lambda r: (order.get(r["kind"], 9), -r["score"]))
    return {"report": report, "stories": stories, "relations": relations, "copies": copies,
            "articles": report["articles"], "arts": arts}


def _story_tables(s: dict[str, Any], arts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Corroboration matrix (fact × line), unique facts per line, sources, changed quotes and
    framing rows of one story, shaped for the templates."""
    line_of = {a: i for i, line in enumerate(s["lines"]) for a in line}
    heads = []
    for i, line in enumerate(s["lines"]):
        orig = s["originals"][i] if i < len(s["originals"]) else None
        lead = arts.get(orig or line[0], {})
        heads.append({"n": i + 1, "outlet": lead.get("outlet") or "?", "copies": len(line) - 1})
    matrix = [{"text": f["text"], "lines": f["lines"],
               "cells": [next((c for c in f["support"] if line_of.get(c["article"]) == i), None)
                         for i in range(len(s["lines"]))]} for f in s["facts"]]
    unique_by_line: list[dict[str, Any]] = [{"head": h, "facts": []} for h in heads]
    for u in s["unique"]:
        if u["article"] in line_of:
            unique_by_line[line_of[u["article"]]]["facts"].append(u)
    changed = []
    for g in s.get("quotes", []):
        ref = g["variants"][0]
        rows = []
        for v in g["variants"][1:]:
            if v.get("mutated") or v.get("attribution_mutated"):
                left, right = word_diff(ref["text"], v["text"])
                rows.append({**v, "left": left, "right": right,
                             "outlet": arts.get(v["article"], {}).get("outlet") or "?"})
        if rows:
            changed.append({**g, "ref": ref, "ref_outlet": arts.get(ref["article"], {}).get("outlet") or "?",
                            "rows": rows})
    framing = [{**f, "outlet": arts.get(f["article"], {}).get("outlet") or "?",
                "title": arts.get(f["article"], {}).get("title", ""),
                "line": line_of.get(f["article"], -1) + 1} for f in s.get("framing", [])]
    framing.sort(key=lambda f: (f["line"], f["outlet"]))
    return {"line_heads": heads, "matrix": matrix,
            "unique_by_line": [u for u in unique_by_line if u["facts"]],
            "source_rows": s.get("sources", []), "changed_quotes": changed,
            "framing_rows": framing, "tone_limits": TONE_LIMITS}


def render_html(report: dict[str, Any]) -> str:
    return _env("html").get_template("report.html").render(**_view(report))


def render_markdown(report: dict[str, Any]) -> str:
    return _env("md").get_template("report.md").render(**_view(report))


# -- one pair: the evidence view of `newsprism compare A B --html` -----------------------------

_HAS_WORD = re.compile(r"\w")


def unaligned_gaps(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The stretches of `text` outside the aligned `spans`: one before each span, one after the last.

    Spans are taken in the order given (an alignment is monotone, so text order). A stretch holding
    no word character (only whitespace or punctuation) comes back empty, as (end, end).
    """
    out, pos = [], 0
    for start, end in [*spans, (len(text), len(text))]:
        s, e = pos, max(pos, start)
        out.append((s, e) if _HAS_WORD.search(text, s, e) else (e, e))
        pos = max(pos, end)
    return out


def label(article: Article) -> str:
    """How a reader names an article: its outlet, else its file name."""
    return article.outlet or PurePath(article.origin).name or article.id


def direction_words(relation: Relation, a: Article, b: Article) -> str:
    """The direction in words: "<outlet> first" or "direction unknown"; `a` is side A."""
    first = {"a_first": a, "b_first": b}.get(relation.direction)
    return f"{label(first)} first" if first else "direction unknown"


def marks_words(a: Article, b: Article, relation: Relation) -> bool:
    """Whether word differences mean anything for this pair: not across languages."""
    la, lb = (x.language.lower().split("-")[0] if x.language else None for x in (a, b))
    return relation.kind != "translation" and not (la and lb and la != lb)


def _side(a: Article, coverage: float) -> dict[str, Any]:
    url = a.url if a.url and a.url.lower().startswith(("http://", "https://")) else None
    when = a.published_at.isoformat(timespec="minutes").replace("T", " ") if a.published_at else None
    if when and a.date_source == "fetch":
        when = f"fetched {when}"
    return {"id": a.id, "title": a.title or PurePath(a.origin).name, "label": label(a), "when": when,
            "language": a.language, "url": url, "origin": a.origin, "coverage": coverage}


def _pair_rows(a: Article, b: Article, relation: Relation, diff: bool) -> list[dict[str, Any]]:
    """Rows of the two-column view: a gap row (text with no counterpart) before each aligned row."""
    al = relation.alignment
    ga = unaligned_gaps(a.text, [(s.a_start, s.a_end) for s in al])
    gb = unaligned_gaps(b.text, [(s.b_start, s.b_end) for s in al])
    rows: list[dict[str, Any]] = []
    for i in range(len(al) + 1):
        gap_a, gap_b = a.text[slice(*ga[i])].strip(), b.text[slice(*gb[i])].strip()
        if gap_a or gap_b:
            rows.append({"gap": True, "a": gap_a, "b": gap_b})
        if i == len(al):
            break
        s = al[i]
        ta, tb = a.text[s.a_start:s.a_end], b.text[s.b_start:s.b_end]
        left, right = word_diff(ta, tb) if diff else ([("eq", ta)], [("eq", tb)])
        rows.append({"gap": False, "n": i + 1, "a": left, "b": right, "lexical": s.lexical,
                     "semantic": s.semantic, "quote": s.quote_only})
    return rows


def render_pair_html(a: Article, b: Article, relation: Relation) -> str:
    """A standalone HTML page with the evidence for one relation: both full texts side by side.

    Args:
        a, b: the two articles, in either order (they are put in the relation's A/B order).
        relation: their relation (kind, score, direction, aligned passages).

    Returns:
        Self-contained HTML (inline CSS, no scripts, no external assets). Aligned passages are
        numbered blocks linked to their counterpart (`#a-p1` <-> `#b-p1`), word differences are
        <del>/<ins>, text without a counterpart is muted. Untrusted text is escaped.

    Raises:
        ValueError: when the relation is not between `a` and `b`.
    """
    if (relation.a, relation.b) == (b.id, a.id):
        a, b = b, a
    elif (relation.a, relation.b) != (a.id, b.id):
        raise ValueError(f"relation {relation.a}/{relation.b} is not between {a.id} and {b.id}")
    diff = marks_words(a, b, relation)
    rows = _pair_rows(a, b, relation, diff=diff)
    only = {"a": sum(len(r["a"]) for r in rows if r["gap"]),
            "b": sum(len(r["b"]) for r in rows if r["gap"])}
    return _env("html").get_template("pair.html").render(
        rel=relation, a=_side(a, relation.coverage_a), b=_side(b, relation.coverage_b),
        direction=direction_words(relation, a, b), rows=rows, diff=diff, only=only,
        quotes=sum(1 for r in rows if not r["gap"] and r["quote"]),
    )
