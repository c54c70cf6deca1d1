"""Web UI pages: server-rendered HTML over the same store as the JSON API.

Pages: the story list (`/`, with full-text search, date/outlet/entity filters and pages), a
story (`/stories/{id}`), an article (`/articles/{id}`), two articles side by side
(`/compare?a=&b=`) and the outlets (`/outlets`, `/outlets/{name}`).

The data comes from the same functions as the API and the offline report: `queries` (story
list with `search.search_article_ids` full text, article detail, outlet statistics) and
`report.build_report` shaped by `report.render._view` / `_pair_rows`, so a page shows what
report.html shows. Templates are autoescaped: article text, titles and names are untrusted and
never marked safe. The only script is /static/ui.js (auto-submit of the filter form).
"""

from __future__ import annotations

import logging
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from ..models import COPY_KINDS, Article, Relation
from ..report import build_report
from ..report.render import _pair_rows, _side, _view, dated, direction_words, marks_words
from ..store import Store
from . import queries
from .search import article_rows

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

#: Stories per page of the story list.
PAGE_SIZE = 20
_STATIC = Path(__file__).parent / "static"
_KIND_ORDER = {"spin": 0, "translation": 1, "near_verbatim": 2, "verbatim": 3, "shared_source": 4,
               "same_story": 5}


def _store(request: Request) -> Store:
    return request.app.state.store


StoreDep = Annotated[Store, Depends(_store)]
Param = Annotated[str | None, Query(max_length=500)]


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(loader=PackageLoader("newsprism", "server/templates"),
                      autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["short"] = lambda s, n=160: s if len(s) <= n else s[: n - 1].rsplit(" ", 1)[0] + "…"
    env.filters["pct"] = lambda x: f"{100 * float(x):.0f}%"
    env.filters["seg"] = lambda s: quote(str(s), safe="")  # one URL path segment
    env.filters["when"] = lambda s, n=16: (s or "")[:n].replace("T", " ")
    env.filters["dated"] = _dated
    env.globals["qs"] = lambda **kw: urlencode({k: v for k, v in kw.items() if v not in (None, "")})
    return env


def _dated(a: Any, width: int = 16, missing: str = "") -> str:
    """`report.render.dated` for the records pages hold: report dicts and `ArticleRow`s."""
    get = a.get if isinstance(a, dict) else (lambda k: getattr(a, k, None))
    return dated({"published_at": get("published_at"), "date_source": get("date_source")}, width, missing)


def _page(name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    return HTMLResponse(_env().get_template(name).render(**ctx), status_code=status)


def _not_found(what: str) -> HTMLResponse:
    return _page("error.html", 404, title="Not found", message=what)


def _clean(value: str | None) -> str | None:
    """A parameter as the database may see it (no NUL characters), None when blank."""
    value = (value or "").replace("\x00", "").strip()
    return value or None


def _parse_day(value: str | None, name: str, problems: list[str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"'{name}' is not a date (YYYY-MM-DD); ignored")
        return None


@router.get("/static/ui.js")
def static_js() -> Response:
    """The UI's one script (no framework, nothing fetched)."""
    return Response((_STATIC / "ui.js").read_text(encoding="utf-8"), media_type="text/javascript",
                    headers={"Cache-Control": "max-age=3600"})


@router.get("/", response_class=HTMLResponse)
def story_list(store: StoreDep, q: Param = None, since: Param = None, until: Param = None,
               outlet: Param = None, entity: Param = None,
               page: Annotated[int, Query(ge=1, le=1_000_000)] = 1) -> HTMLResponse:
    """Stories, largest first, with full-text search and filters."""
    problems: list[str] = []
    f = queries.StoryFilter(since=_parse_day(_clean(since), "since", problems),
                            until=_parse_day(_clean(until), "until", problems),
                            outlet=_clean(outlet), entity=_clean(entity), q=_clean(q))
    if f.since and f.until and f.since > f.until:
        problems.append(f"'since' ({f.since}) is after 'until' ({f.until}): no story can match")
    total, items = queries.list_stories(store, f, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))
    outlets = sorted({r.outlet for r in article_rows(store.engine).values() if r.outlet}, key=str.lower)
    entities = sorted({e for st, _ in store.comparisons() for e in st.entities}, key=str.lower)
    form = {"q": f.q or "", "since": _clean(since) or "", "until": _clean(until) or "",
            "outlet": f.outlet or "", "entity": f.entity or ""}
    return _page("stories.html", title="Stories", items=items, total=total, page=page, pages=pages,
                 form=form, filtered=any(form.values()), outlets=outlets, entities=entities,
                 problems=problems, articles=store.count_articles())


@router.get("/stories/{ref}", response_class=HTMLResponse)
def story_page(store: StoreDep, ref: str) -> HTMLResponse:
    """One story: reporting lines, corroboration, conflicts, quotes, framing, timeline, copies."""
    sid = queries.resolve_story(store, _clean(ref) or "")
    if sid is None:
        return _not_found(f"No story '{ref[:100]}' (or the prefix matches several stories).")
    view = _view(build_report(store, story_ids=[sid]))
    s = view["stories"][0]
    copies = sorted(view["relations"], key=lambda r: (_KIND_ORDER.get(r["kind"], 9), -r["score"]))
    return _page("story.html", title=s["label"], s=s, arts=view["arts"], copies=copies,
                 copy_kinds=COPY_KINDS)


@router.get("/articles/{ref}", response_class=HTMLResponse)
def article_page(store: StoreDep, ref: str) -> HTMLResponse:
    """One article: metadata, entities with roles, quotes, claims, relations, clean text."""
    d = queries.article_detail(store, (_clean(ref) or "")[:500])
    if d is None:
        return _not_found(f"No article '{ref[:100]}' (give an id, a unique id prefix of 4+ "
                          "characters, or the input's file name or id).")
    if d["story"]:  # entities resolved across the story, as on the story page and in the report
        rep = build_report(store, story_ids=[d["story"]])
        d.update(next((a for a in rep["articles"] if a["id"] == d["id"]), {}))
    others = {a.id: a for a in store.articles([r["id"] for r in d["related"]])}
    related = [{**r, "art": others[r["id"]]} for r in d["related"] if r["id"] in others]
    related.sort(key=lambda r: (r["kind"] == "same_story", _KIND_ORDER.get(r["kind"], 9), -r["score"]))
    label = next((st.label for st, _ in store.comparisons_of([d["story"]])), None) if d["story"] else None
    return _page("article.html", title=d["title"] or d["origin"], a=d, related=related,
                 story_label=label, copy_kinds=COPY_KINDS)


def _relation(store: Store, a: Article, b: Article) -> tuple[Relation, bool]:
    """The stored relation of two articles, else one computed now (not stored).

    Raises:
        queries.NotReady: no stored relation and the pipeline has not analysed both yet.
    """
    rel = store.relation(a.id, b.id)
    if rel is not None:
        return rel, True
    from ..relate import relate_pair
    from ..settings import Settings

    ans, vecs = store.analyses([a.id, b.id]), store.vectors([a.id, b.id])
    if len(ans) < 2 or len(vecs) < 2:
        raise queries.NotReady("the pipeline has not analysed both articles yet")
    return relate_pair(a, b, ans[a.id], ans[b.id], vecs[a.id], vecs[b.id], config=Settings().relate), False


@router.get("/compare", response_class=HTMLResponse)
def compare_page(store: StoreDep, a: Param = None, b: Param = None) -> HTMLResponse:
    """Two articles side by side: aligned passages with word differences, unmatched text muted."""
    ref_a, ref_b = _clean(a), _clean(b)
    if not ref_a or not ref_b:
        rows = sorted(article_rows(store.engine).values(), key=lambda r: ((r.outlet or "").lower(), r.title))
        return _page("compare_pick.html", title="Compare two articles", rows=rows, a=ref_a or "",
                     b=ref_b or "")
    art_a, art_b = store.resolve_article(ref_a), store.resolve_article(ref_b)
    for ref, art in ((ref_a, art_a), (ref_b, art_b)):
        if art is None:
            return _not_found(f"No article '{ref[:100]}'.")
    assert art_a is not None and art_b is not None
    if art_a.id == art_b.id:
        return _page("error.html", 422, title="Same article",
                     message="Both sides are the same article; pick two different ones.")
    try:
        rel, stored = _relation(store, art_a, art_b)
    except queries.NotReady as exc:
        return _page("error.html", 409, title="Not analysed yet", message=str(exc))
    if (rel.a, rel.b) == (art_b.id, art_a.id):
        art_a, art_b = art_b, art_a
    diff = marks_words(art_a, art_b, rel)
    rows = _pair_rows(art_a, art_b, rel, diff=diff)
    only = {"a": sum(len(r["a"]) for r in rows if r["gap"]), "b": sum(len(r["b"]) for r in rows if r["gap"])}
    return _page("compare.html", title=f"{rel.kind}: {_side(art_a, 0)['label']} ↔ {_side(art_b, 0)['label']}",
                 rel=rel, stored=stored, a=_side(art_a, rel.coverage_a), b=_side(art_b, rel.coverage_b),
                 direction=direction_words(rel, art_a, art_b), rows=rows, diff=diff, only=only,
                 quotes=sum(1 for r in rows if not r["gap"] and r["quote"]))


@router.get("/outlets", response_class=HTMLResponse)
def outlets_page(store: StoreDep) -> HTMLResponse:
    """Every outlet: articles, copies it made, times it was copied."""
    return _page("outlets.html", title="Outlets", items=queries.outlet_stats(store))


@router.get("/outlets/{name:path}", response_class=HTMLResponse)
def outlet_page(store: StoreDep, name: str) -> HTMLResponse:
    """One outlet: its articles and stories, and the copy relations with other outlets."""
    stats = next((o for o in queries.outlet_stats(store) if (o["outlet"] or "") == name), None)
    if stats is None:
        return _not_found(f"No outlet '{name[:100]}'.")
    rows = article_rows(store.engine)
    mine = sorted((r for r in rows.values() if (r.outlet or "") == name),
                  key=lambda r: r.published_at or "", reverse=True)
    ids = {r.id for r in mine}
    story_of = {a: sid for sid, members in store.story_members().items() for a in members}
    labels = {st.id: st.label for st, _ in store.comparisons()}
    copies = []
    for r in store.relations(list(ids), kinds=COPY_KINDS):
        this, other = (r.a, r.b) if r.a in ids else (r.b, r.a)
        if other in ids or other not in rows:
            continue
        first = {"a_first": r.a, "b_first": r.b}.get(r.direction)
        copies.append({"rel": r, "this": rows[this], "other": rows[other],
                       "role": "unknown" if first is None else "original" if first == this else "copy"})
    copies.sort(key=lambda c: (c["role"], -c["rel"].score))
    stories = sorted({story_of[i] for i in ids if i in story_of}, key=lambda s: labels.get(s, s))
    return _page("outlet.html", title=name or "(no outlet)", o=stats, articles=mine, copies=copies,
                 stories=[{"id": s, "label": labels.get(s, s)} for s in stories], story_of=story_of,
                 labels=labels)
