"""Assemble report.json (schema in docs/report.schema.json) from the store's records."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from datetime import timezone
from pathlib import Path
from typing import Any

from .. import serialize as ser
from ..analyze.corpus import resolve_by_id
from ..analyze.signals import combine, swap_evidence
from ..analyze.sourcing import sourcing_profile
from ..models import COPY_KINDS, Analysis, Article, Relation, Signals
from ..relate.config import RelateConfig
from ..store import Store

SCHEMA_VERSION = "1"
#: same_story pairs listed per story at most (copy relations are always all listed).
MAX_SAME_STORY_PAIRS = 500


def _swap_evidence(relations: list[Relation], articles: dict[str, Article],
                   threshold: float) -> dict[str, list[tuple[float, str]]]:
    """MT/spin evidence per derived article from synonym swaps against its original."""
    out: dict[str, list[tuple[float, str]]] = {}
    for r in relations:
        if r.swap_density < threshold or r.direction == "unknown":
            continue
        original, copy = (r.a, r.b) if r.direction == "a_first" else (r.b, r.a)
        src = articles.get(original)
        label = (src.outlet or src.title or original) if src else original
        out.setdefault(copy, []).append(swap_evidence(r.swap_density, label))
    return out


def _article_entry(a: Article, an: Analysis | None,
                   evidence: list[tuple[float, str]] | None = None) -> dict[str, Any]:
    d = ser.article_to_dict(a)
    d.pop("raw")
    d["genre"] = an.genre if an else None
    d["language"] = (an.language if an else None) or a.language
    d["entities"] = [
        {"name": e.name, "label": e.label, "role": e.role,
         "mentions": [{"start": m.start, "end": m.end, "text": m.text} for m in e.mentions]}
        for e in (an.entities if an else ())
    ]
    d["quotes"] = [ser.quote_to_dict(q) for q in (an.quotes if an else ())]
    d["roles"] = [ser.role_to_dict(r) for r in (an.roles if an else ())]
    d["claims"] = [ser.claim_to_dict(c) for c in (an.claims if an else ())]
    d["sourcing"] = sourcing_profile(an) if an else None
    signals = combine(an.signals if an else Signals(), evidence or ())
    d["signals"] = {"machine_translation": round(signals.machine_translation, 4),
                    "reasons": list(signals.reasons)}
    return d


def _utc_day(a: Article) -> str | None:
    t = a.published_at
    if t is None:
        return None
    return (t.astimezone(timezone.utc) if t.tzinfo else t).date().isoformat()


def story_timeline(members: list[Article]) -> dict[str, list[dict[str, Any]]]:
    """Articles per publication day (UTC; undated last) and per outlet (most first)."""
    days = Counter(_utc_day(a) for a in members)
    outlets = Counter(a.outlet for a in members)
    return {
        "timeline": [{"day": d, "articles": days[d]}
                     for d in sorted(days, key=lambda d: (d is None, d or ""))],
        "outlets": [{"outlet": o, "articles": n}
                    for o, n in sorted(outlets.items(), key=lambda x: (-x[1], x[0] or ""))],
    }


def build_report(store: Store, story_ids: Iterable[str] | None = None) -> dict[str, Any]:
    """The whole store as one report dict (JSON-serialisable), or only the given stories with
    their articles and the relations among them (`newsprism story ID --html`)."""
    if story_ids is not None:  # only these stories' rows are read
        pairs = store.comparisons_of(story_ids)
        members = list(dict.fromkeys(a for st, _ in pairs for a in st.articles))
        articles = store.articles(members)
        all_relations = store.relations_among(members)
        states = store.story_states_of(st.id for st, _ in pairs)
    else:
        pairs = store.comparisons()
        articles = store.articles()
        all_relations = store.relations()
        states = store.story_states()
    by_id = {a.id: a for a in articles}
    analyses = resolve_by_id(store.analyses(list(by_id)), by_id)
    story_of = {aid: st.id for st, _ in pairs for aid in st.articles}
    relations = []
    per_story: dict[str, int] = {}
    evidence = _swap_evidence(all_relations, by_id,
                              RelateConfig().swap_density)
    for r in all_relations:
        if r.kind in COPY_KINDS or r.kind == "shared_source":
            relations.append(ser.relation_to_dict(r))
        elif r.kind == "same_story" and story_of.get(r.a) and story_of.get(r.a) == story_of.get(r.b):
            sid = story_of[r.a]
            if per_story.get(sid, 0) < MAX_SAME_STORY_PAIRS:
                per_story[sid] = per_story.get(sid, 0) + 1
                relations.append(ser.relation_to_dict(r))
    merges = {d["id"]: d.get("merges", []) for d in states}
    stories = []
    for st, comp in pairs:
        c = ser.comparison_to_dict(comp)
        stories.append({
            "id": st.id, "label": st.label, "articles": list(st.articles),
            "lines": c["lines"], "originals": c["originals"],
            "first_seen": ser.dt_to_str(st.first_seen), "last_seen": ser.dt_to_str(st.last_seen),
            "entities": list(st.entities),
            "facts": c["facts"], "unique": c["unique"], "conflicts": c["conflicts"],
            "framing": c["framing"], "sources": c["sources"], "quotes": c["quotes"],
            **story_timeline([by_id[a] for a in st.articles if a in by_id]),
            "merges": merges.get(st.id, []),
        })
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": "newsprism",
        "articles": [_article_entry(a, analyses.get(a.id), evidence.get(a.id)) for a in articles],
        "relations": relations,
        "stories": stories,
    }


def write_reports(report: dict[str, Any], out_dir: str | Path,
                  formats: tuple[str, ...] = ("json", "md", "html")) -> dict[str, Path]:
    """Write report.{json,md,html} into `out_dir`; returns the written paths."""
    from .render import render_html, render_markdown

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    if "json" in formats:
        p = out / "report.json"
        p.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
        written["json"] = p
    if "md" in formats:
        p = out / "report.md"
        p.write_text(render_markdown(report), encoding="utf-8")
        written["md"] = p
    if "html" in formats:
        p = out / "report.html"
        p.write_text(render_html(report), encoding="utf-8")
        written["html"] = p
    return written
