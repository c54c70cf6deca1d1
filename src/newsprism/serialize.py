"""Plain-dict round trips for the domain records, used by the store and the JSON report.

Hand-written rather than `dataclasses.asdict` + a generic loader because datetimes, tuples
and nested records need exact, versioned shapes that later schema versions may extend.
"""

from __future__ import annotations

from datetime import datetime
from dataclasses import asdict
from typing import Any

from .models import (
    AlignedSpan, Analysis, Article, Citation, Claim, Comparison, Conflict, ConflictValue, Entity,
    Fact, Framing, Quote, QuoteGroup, QuoteVariant, Relation, RemovedSpan, Role, Signals, Slot,
    Source, Span, Story, UniqueFact,
)


def dt_to_str(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def str_to_dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def removed_to_dict(r: RemovedSpan) -> dict[str, Any]:
    return {"start": r.start, "end": r.end, "kind": r.kind, "text": r.text, "line": r.line}


def removed_from_dict(d: dict[str, Any]) -> RemovedSpan:
    return RemovedSpan(d["start"], d["end"], d["kind"], d["text"], d.get("line"))


def article_to_dict(a: Article) -> dict[str, Any]:
    return {
        "id": a.id, "origin": a.origin, "url": a.url, "outlet": a.outlet, "title": a.title,
        "byline": a.byline, "published_at": dt_to_str(a.published_at), "language": a.language,
        "text": a.text, "raw": a.raw, "removed": [removed_to_dict(r) for r in a.removed],
        "source_id": a.source_id, "date_source": a.date_source,
    }


def article_from_dict(d: dict[str, Any]) -> Article:
    return Article(
        id=d["id"], origin=d["origin"], text=d["text"], raw=d["raw"], title=d.get("title") or "",
        url=d.get("url"), outlet=d.get("outlet"), byline=d.get("byline"),
        published_at=str_to_dt(d.get("published_at")), language=d.get("language"),
        removed=tuple(removed_from_dict(r) for r in d.get("removed") or ()),
        source_id=d.get("source_id"), date_source=d.get("date_source"),
    )


def _span(d: dict[str, Any]) -> Span:
    return Span(d["start"], d["end"], d["text"])


def _span_dict(s: Span) -> dict[str, Any]:
    return {"start": s.start, "end": s.end, "text": s.text}


def quote_to_dict(q: Quote) -> dict[str, Any]:
    return {
        "text": q.text, "speaker": q.speaker, "anonymous": q.anonymous, "descriptor": q.descriptor,
        "start": q.start, "end": q.end, "cue": q.cue, "direct": q.direct,
        "kind": "direct" if q.direct else "indirect", "affiliation": q.affiliation,
        "seniority": q.seniority, "plural": q.plural, "count": q.count,
    }


def quote_from_dict(q: dict[str, Any]) -> Quote:
    return Quote(q["text"], q["start"], q["end"], q.get("speaker"), q.get("anonymous", False),
                 q.get("descriptor"), q.get("cue"), q.get("direct", True), q.get("affiliation"),
                 q.get("seniority"), q.get("plural", False), q.get("count"))


def slot_to_dict(s: Slot) -> dict[str, Any]:
    return {"kind": s.kind, "key": s.key, "value": s.value, "text": s.text, "start": s.start,
            "end": s.end}


def claim_to_dict(c: Claim) -> dict[str, Any]:
    return {"text": c.text, "start": c.start, "end": c.end,
            "slots": [slot_to_dict(s) for s in c.slots]}


def role_to_dict(r: Role) -> dict[str, Any]:
    return {"person": r.person, "role": r.role, "start": r.start, "end": r.end}


def analysis_to_dict(an: Analysis) -> dict[str, Any]:
    return {
        "article_id": an.article_id, "language": an.language, "genre": an.genre,
        "sentences": [_span_dict(s) for s in an.sentences],
        "entities": [
            {"name": e.name, "label": e.label, "role": e.role,
             "mentions": [_span_dict(m) for m in e.mentions]}
            for e in an.entities
        ],
        "quotes": [quote_to_dict(q) for q in an.quotes],
        "claims": [claim_to_dict(c) for c in an.claims],
        "roles": [role_to_dict(r) for r in an.roles],
        "signals": {"machine_translation": an.signals.machine_translation,
                    "reasons": list(an.signals.reasons)},
    }


def analysis_from_dict(d: dict[str, Any]) -> Analysis:
    return Analysis(
        article_id=d["article_id"], language=d["language"], genre=d.get("genre", "news"),
        sentences=tuple(_span(s) for s in d["sentences"]),
        entities=tuple(
            Entity(e["name"], e["label"], tuple(_span(m) for m in e["mentions"]), e.get("role"))
            for e in d.get("entities", ())
        ),
        quotes=tuple(quote_from_dict(q) for q in d.get("quotes", ())),
        claims=tuple(
            Claim(c["text"], c["start"], c["end"],
                  tuple(Slot(**s) for s in c.get("slots", ())))
            for c in d.get("claims", ())
        ),
        roles=tuple(Role(**r) for r in d.get("roles", ())),
        signals=Signals(d.get("signals", {}).get("machine_translation", 0.0),
                        tuple(d.get("signals", {}).get("reasons", ()))),
    )


def relation_to_dict(r: Relation) -> dict[str, Any]:
    return {
        "a": r.a, "b": r.b, "kind": r.kind, "score": round(r.score, 4), "direction": r.direction,
        "reasons": list(r.reasons),
        "alignment": [
            {"a_start": s.a_start, "a_end": s.a_end, "b_start": s.b_start, "b_end": s.b_end,
             "lexical": round(s.lexical, 4), "semantic": round(s.semantic, 4),
             "quote_only": s.quote_only}
            for s in r.alignment
        ],
        "coverage_a": round(r.coverage_a, 4), "coverage_b": round(r.coverage_b, 4),
        "swap_density": round(r.swap_density, 4),
    }


def relation_from_dict(d: dict[str, Any]) -> Relation:
    return Relation(
        a=d["a"], b=d["b"], kind=d["kind"], score=d["score"], direction=d.get("direction", "unknown"),
        reasons=tuple(d.get("reasons", ())),
        alignment=tuple(
            AlignedSpan(s["a_start"], s["a_end"], s["b_start"], s["b_end"], s["lexical"], s["semantic"],
                        s.get("quote_only", False))
            for s in d.get("alignment", ())
        ),
        coverage_a=d.get("coverage_a", 0.0), coverage_b=d.get("coverage_b", 0.0),
        swap_density=d.get("swap_density", 0.0),
    )


def story_to_dict(s: Story) -> dict[str, Any]:
    return {
        "id": s.id, "label": s.label, "articles": list(s.articles),
        "lines": [list(line) for line in s.lines], "first_seen": dt_to_str(s.first_seen),
        "last_seen": dt_to_str(s.last_seen), "entities": list(s.entities),
    }


def story_from_dict(d: dict[str, Any]) -> Story:
    return Story(
        id=d["id"], label=d["label"], articles=tuple(d["articles"]),
        lines=tuple(tuple(line) for line in d.get("lines", ())),
        first_seen=str_to_dt(d.get("first_seen")), last_seen=str_to_dt(d.get("last_seen")),
        entities=tuple(d.get("entities", ())),
    )


def comparison_to_dict(c: Comparison) -> dict[str, Any]:
    return {
        "story_id": c.story_id,
        "lines": [list(line) for line in c.lines],
        "originals": list(c.originals),
        "facts": [
            {"text": f.text, "lines": f.lines,
             "support": [{"article": s.article, "start": s.start, "end": s.end} for s in f.support]}
            for f in c.facts
        ],
        "unique": [{"article": u.article, "text": u.text, "start": u.start, "end": u.end}
                   for u in c.unique],
        "conflicts": [
            {"slot": k.slot, "kind": k.kind, "reason": k.reason,
             "values": [{"value": v.value, "article": v.article, "start": v.start, "end": v.end}
                        for v in k.values]}
            for k in c.conflicts
        ],
        "framing": [{**asdict(f), "lead_angle": list(f.lead_angle)} for f in c.framing],
        "sources": [asdict(x) for x in c.sources],
        "quotes": [asdict(g) for g in c.quotes],
    }


def comparison_from_dict(d: dict[str, Any]) -> Comparison:
    return Comparison(
        story_id=d["story_id"],
        lines=tuple(tuple(line) for line in d["lines"]),
        originals=tuple(d["originals"]),
        facts=tuple(
            Fact(f["text"], f["lines"], tuple(Citation(**s) for s in f["support"])) for f in d["facts"]
        ),
        unique=tuple(UniqueFact(**u) for u in d["unique"]),
        conflicts=tuple(
            Conflict(k["slot"], tuple(ConflictValue(**v) for v in k["values"]), k.get("kind", "contradiction"),
                     k.get("reason", ""))
            for k in d["conflicts"]
        ),
        framing=tuple(Framing(**{**f, "lead_angle": tuple(f["lead_angle"])}) for f in d.get("framing", ())),
        sources=tuple(Source(**{**x, "lines": tuple(x["lines"]), "articles": tuple(x["articles"])})
                      for x in d.get("sources", ())),
        quotes=tuple(QuoteGroup(**{**g, "lines": tuple(g["lines"]),
                                   "variants": tuple(QuoteVariant(**v) for v in g["variants"])})
                     for g in d.get("quotes", ())),
    )
