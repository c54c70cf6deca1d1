"""Markdown and HTML renderings of a report dict (jinja2, autoescaped; HTML is self-contained)."""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

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
    return env


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


def render_html(report: dict[str, Any]) -> str:
    return _env("html").get_template("report.html").render(**_view(report))


def render_markdown(report: dict[str, Any]) -> str:
    return _env("md").get_template("report.md").render(**_view(report))
