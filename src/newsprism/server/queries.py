"""Read-side views over the store for the API (and the pages): plain dicts, no HTTP.

Each function takes the store and returns JSON-ready data, or None when what was asked for
does not exist; the routes turn None into a 404.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from .. import serialize as ser
from ..models import COPY_KINDS, Article, Comparison, Relation, Story
from ..report import build_report
from ..report.build import _article_entry
from ..report.render import direction_words, label, marks_words, unaligned_gaps, word_diff
from ..store import Store
from .search import article_rows, search_article_ids


class NotReady(Exception):
    """The articles exist but the pipeline has not analysed them yet."""


def _day(value: datetime | None) -> date | None:
    if value is None:
        return None
    return (value.astimezone(timezone.utc) if value.tzinfo else value).date()


@dataclass(frozen=True, slots=True)
class StoryFilter:
    since: date | None = None
    until: date | None = None
    outlet: str | None = None
    entity: str | None = None
    q: str | None = None


def list_stories(store: Store, f: StoryFilter, *, limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
    """Stories (largest first, as `Store.comparisons`) matching every filter, one page of them.

    A story matches `since`/`until` when its first..last publication days overlap the range,
    `outlet` when one of its outlets' names contains the text (case-insensitive), `entity` when a
    story entity contains the text (case-insensitive), and `q` when one of its articles matches
    the full-text query.

    Ranking and filtering read story sizes (`Store.story_sizes`), ids, the entity rows
    (`Store.stories_with_entity`), and the first/last publication times (`Store.story_spans`)
    only of the stories whose size ties with the page's (all of them when filtering by date);
    only the page's comparisons are read, so a request does not grow with the comparisons stored.
    """
    sizes = store.story_sizes()
    keep: set[str] | None = None
    if f.q and f.q.strip():
        keep = set(store.stories_of(search_article_ids(store.engine, f.q, ranked=False)).values())
    if f.entity and f.entity.strip():
        named = store.stories_with_entity(f.entity.strip())
        keep = named if keep is None else keep & named
    if f.outlet and f.outlet.strip():
        text = f.outlet.strip().lower()
        names = [o for o in store.outlets() if text in o.lower()]
        with_outlet = store.stories_with_outlet(names) if names else set()
        keep = with_outlet if keep is None else keep & with_outlet
    if keep is not None:
        sizes = [r for r in sizes if r[0] in keep]
    if f.since is not None or f.until is not None:
        spans = store.story_spans(sid for sid, _ in sizes)
        sizes = [r for r in sizes if _days_overlap(*spans.get(r[0], (None, None)), f.since, f.until)]
    total = len(sizes)
    sizes.sort(key=lambda r: -r[1])
    if offset >= total:
        return total, []
    # stories larger than the page's largest come before it; order only the tied sizes by time
    hi, lo = sizes[offset][1], sizes[min(offset + limit, total) - 1][1]
    before = sum(1 for _, n in sizes if n > hi)
    tied = [r for r in sizes if lo <= r[1] <= hi]
    spans = store.story_spans(sid for sid, _ in tied)
    tied.sort(key=lambda r: (-r[1], spans.get(r[0], (None, None))[0] or "", r[0]))
    page = [sid for sid, _ in tied[offset - before:offset - before + limit]]
    comps = {st.id: (st, comp) for st, comp in store.comparisons_of(page)}
    outlet_of = store.article_outlets(a for sid in page if sid in comps for a in comps[sid][0].articles)
    items = []
    for sid in page:
        if sid in comps:
            st, comp = comps[sid]
            outlets = sorted({o for a in st.articles if (o := outlet_of.get(a))})
            items.append(_summary(st, comp, outlets))
    return total, items


def _days_overlap(first: str | None, last: str | None, since: date | None, until: date | None) -> bool:
    """Whether a story's first..last publication days (stored ISO times) meet the range."""
    a, b = _day(ser.str_to_dt(first)), _day(ser.str_to_dt(last))
    if a is None or b is None:
        return False
    return (since is None or b >= since) and (until is None or a <= until)


def _summary(st: Story, comp: Comparison, outlets: list[str]) -> dict[str, Any]:
    return {"id": st.id, "label": st.label, "articles": len(st.articles), "lines": len(comp.lines),
            "first_seen": ser.dt_to_str(st.first_seen), "last_seen": ser.dt_to_str(st.last_seen),
            "conflicts": len(comp.conflicts), "entities": list(st.entities), "outlets": outlets}


def resolve_story(store: Store, ref: str) -> str | None:
    """A story id from its id or a unique prefix (as `newsprism story`)."""
    return store.find_story(ref)


def story_report(store: Store, story_id: str) -> dict[str, Any]:
    rep = build_report(store, story_ids=[story_id])
    return {"schema_version": rep["schema_version"], "story": rep["stories"][0],
            "articles": rep["articles"], "relations": rep["relations"]}


def article_detail(store: Store, ref: str) -> dict[str, Any] | None:
    """An article as in its story's report.json, plus its story and the articles it is related to."""
    art = store.resolve_article(ref)
    if art is None:
        return None
    story = store.stories_of([art.id]).get(art.id)
    # as in the story's report: entities resolved across the story, swap evidence from copies
    d = next((x for x in build_report(store, story_ids=[story])["articles"] if x["id"] == art.id),
             None) if story else None
    if d is None:
        d = _article_entry(art, store.analyses([art.id]).get(art.id))
    d["story"] = story
    related = []
    for r in store.relations([art.id]):
        other = r.b if r.a == art.id else r.a
        first = {"a_first": r.a, "b_first": r.b}.get(r.direction)
        related.append({"id": other, "kind": r.kind, "score": round(r.score, 4),
                        "direction": "unknown" if first is None else
                        "this_first" if first == art.id else "other_first"})
    related.sort(key=lambda x: -x["score"])
    d["related"] = related
    return d


def _side(a: Article, coverage: float) -> dict[str, Any]:
    return {"id": a.id, "title": a.title, "label": label(a), "outlet": a.outlet,
            "published_at": ser.dt_to_str(a.published_at), "language": a.language, "url": a.url,
            "coverage": round(coverage, 4)}


def _segments(parts: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"op": op, "text": text} for op, text in parts]


def pair_comparison(store: Store, a: Article, b: Article) -> dict[str, Any]:
    """The relation between two stored articles with its evidence (as `newsprism compare`):
    aligned passages with word differences and what each side has without a counterpart.

    Raises:
        NotReady: no stored relation and the pipeline has not analysed both articles yet.
    """
    from ..relate import relate_pair
    from ..settings import Settings

    rel: Relation | None = store.relation(a.id, b.id)
    stored = rel is not None
    if rel is None:
        ans, vecs = store.analyses([a.id, b.id]), store.vectors([a.id, b.id])
        if len(ans) < 2 or len(vecs) < 2:
            raise NotReady("the pipeline has not analysed both articles yet")
        rel = relate_pair(a, b, ans[a.id], ans[b.id], vecs[a.id], vecs[b.id], config=Settings().relate)
    if rel.a != a.id:
        a, b = b, a
    diff = marks_words(a, b, rel)
    passages = []
    for n, s in enumerate(rel.alignment, 1):
        ta, tb = a.text[s.a_start:s.a_end], b.text[s.b_start:s.b_end]
        left, right = word_diff(ta, tb) if diff else ([("eq", ta)], [("eq", tb)])
        passages.append({"n": n, "a": ta, "b": tb, "a_diff": _segments(left), "b_diff": _segments(right),
                         "lexical": round(s.lexical, 4), "semantic": round(s.semantic, 4),
                         "quote_only": s.quote_only})

    def only(art: Article, spans: list[tuple[int, int]]) -> list[str]:
        return [art.text[g0:g1].strip() for g0, g1 in unaligned_gaps(art.text, spans) if g1 > g0]

    return {
        "kind": rel.kind, "score": round(rel.score, 4), "direction": rel.direction,
        "direction_words": direction_words(rel, a, b), "reasons": list(rel.reasons), "stored": stored,
        "word_diff": diff, "swap_density": round(rel.swap_density, 4),
        "a": _side(a, rel.coverage_a), "b": _side(b, rel.coverage_b), "passages": passages,
        "only_a": only(a, [(s.a_start, s.a_end) for s in rel.alignment]),
        "only_b": only(b, [(s.b_start, s.b_end) for s in rel.alignment]),
    }


def outlet_stats(store: Store) -> list[dict[str, Any]]:
    """Per outlet: articles, copies it made of other outlets' articles, times other outlets
    copied it, and copy relations with another outlet whose direction is unknown.

    Copy relations are the derivation kinds (verbatim, near_verbatim, spin, translation);
    copies within one outlet are not counted. Most articles first.
    """
    rows = article_rows(store.engine)
    articles = Counter(r.outlet for r in rows.values())
    made: Counter[str | None] = Counter()
    copied: Counter[str | None] = Counter()
    unknown: Counter[str | None] = Counter()
    sources: dict[str | None, Counter[str | None]] = {}
    for r in store.relations(kinds=COPY_KINDS):
        if r.a not in rows or r.b not in rows:
            continue
        oa, ob = rows[r.a].outlet, rows[r.b].outlet
        if (oa or "").lower() == (ob or "").lower():
            continue
        if r.direction == "unknown":
            unknown[oa] += 1
            unknown[ob] += 1
            continue
        original, copy = (oa, ob) if r.direction == "a_first" else (ob, oa)
        made[copy] += 1
        copied[original] += 1
        sources.setdefault(copy, Counter())[original] += 1
    out = [{"outlet": o, "articles": n, "copies_made": made[o], "copied_by_others": copied[o],
            "unknown_direction": unknown[o],
            "copied_from": [{"outlet": s, "count": c} for s, c in
                            sorted(sources.get(o, Counter()).items(), key=lambda x: (-x[1], x[0] or ""))]}
           for o, n in articles.items()]
    out.sort(key=lambda d: (-d["articles"], d["outlet"] or ""))
    return out
