"""The JSON API under /api: reads are open, writes need the bearer token.

Routes are thin: they validate parameters (FastAPI + pydantic), call `queries` / `ingest`,
and turn "not found" into 404. Errors are JSON ``{"error": ..., "detail": ...}`` (app.py).
"""

from __future__ import annotations

import hmac
import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import TypeAdapter, ValidationError
from starlette.datastructures import UploadFile

from ..models import RawDocument
from ..store import Store
from . import queries
from .ingest import Writer, documents_from_file, documents_from_json
from .schemas import (
    ArticleBatchIn, ArticleDetail, ArticleIn, ArticlePage, ErrorOut, Health, IngestOut,
    OutletList, PairComparison, StoryPage, StoryReport,
)
from .search import list_articles

router = APIRouter()


class RequestTooLarge(Exception):
    """The request body passed the configured limit (raised while it is being read)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"request body larger than {limit} bytes")
        self.limit = limit

MAX_LIMIT = 200
MAX_OFFSET = 1_000_000_000
#: Files per multipart upload.
MAX_FILES = 100

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut, "description": why} for code, why in (
        (404, "Not found"), (422, "Invalid parameters"), (413, "Request body too large"))
}


def get_store(request: Request) -> Store:
    return request.app.state.store


StoreDep = Annotated[Store, Depends(get_store)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Page size (at most {MAX_LIMIT})")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip")]
Text = Annotated[str | None, Query(max_length=500)]


def _clean(value: str) -> str:
    """A parameter as the database may see it (PostgreSQL rejects NUL characters)."""
    return value.replace("\x00", "")


_bearer = HTTPBearer(auto_error=False, description="The token the server was started with "
                                                    "(NEWSPRISM_TOKEN or --token-file)")


def require_writer(request: Request,
                   credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> None:
    """Writes need ``Authorization: Bearer <token>``; with no token configured, none are allowed."""
    token: str | None = request.app.state.token
    if not token:
        raise HTTPException(403, "writes are disabled: this server was started without a token "
                                 "(set NEWSPRISM_TOKEN or pass --token-file to allow them)")
    given = credentials.credentials.strip() if credentials else ""
    if not given:
        raise HTTPException(401, "this endpoint needs 'Authorization: Bearer <token>'",
                            headers={"WWW-Authenticate": "Bearer"})
    if not hmac.compare_digest(given.encode("utf-8", "surrogateescape"),
                               token.encode("utf-8", "surrogateescape")):
        raise HTTPException(403, "the bearer token is not valid for this server")


@router.get("/health", response_model=Health, tags=["meta"])
def health(request: Request, store: StoreDep) -> dict[str, Any]:
    """Liveness and store size."""
    return {"status": "ok", "articles": store.count_articles(), "stories": len(store.story_members()),
            "writes": bool(request.app.state.token)}


@router.get("/articles", response_model=ArticlePage, responses=_ERRORS, tags=["articles"])
def articles(store: StoreDep, limit: Limit = 50, offset: Offset = 0, outlet: Text = None) -> dict[str, Any]:
    """Articles in arrival order, optionally of outlets whose name contains `outlet`
    (case-insensitive)."""
    total, rows = list_articles(store.engine, limit=limit, offset=offset,
                                outlet=_clean(outlet) if outlet else None)
    return {"total": total, "limit": limit, "offset": offset,
            "items": [{"id": r.id, "title": r.title, "outlet": r.outlet, "url": r.url,
                       "published_at": r.published_at, "language": r.language, "origin": r.origin}
                      for r in rows]}


@router.get("/articles/{ref}", response_model=ArticleDetail, responses=_ERRORS, tags=["articles"])
def article(store: StoreDep, ref: str) -> dict[str, Any]:
    """One article by id, unique id prefix, origin or input id: clean text, entities, quotes,
    claims, signals, its story and the articles it is related to."""
    d = queries.article_detail(store, _clean(ref)[:500])
    if d is None:
        raise HTTPException(404, f"no article '{ref[:100]}' (give an id, a unique id prefix of 4+ "
                                 "characters, or the input's file name or id)")
    return d


@router.get("/stories", response_model=StoryPage, responses=_ERRORS, tags=["stories"])
def stories(store: StoreDep, limit: Limit = 50, offset: Offset = 0,
            since: Annotated[date | None, Query(description="Stories still running on or after this day (UTC)")] = None,
            until: Annotated[date | None, Query(description="Stories begun on or before this day (UTC)")] = None,
            outlet: Text = None,
            entity: Annotated[str | None, Query(max_length=500, description="Text in a story entity's name")] = None,
            q: Annotated[str | None, Query(max_length=500, description="Full-text search over article titles and texts")] = None,
            ) -> dict[str, Any]:
    """Stories, largest first, filtered by date range, outlet, entity and full-text query."""
    if since and until and since > until:
        raise HTTPException(422, f"'since' ({since}) is after 'until' ({until})")
    f = queries.StoryFilter(since=since, until=until, outlet=_clean(outlet) if outlet else None,
                            entity=_clean(entity) if entity else None, q=_clean(q) if q else None)
    total, items = queries.list_stories(store, f, limit=limit, offset=offset)
    return {"total": total, "limit": limit, "offset": offset, "items": items}


@router.get("/stories/{ref}", response_model=StoryReport, responses=_ERRORS, tags=["stories"])
def story(store: StoreDep, ref: str) -> dict[str, Any]:
    """The full comparison of one story (id or unique prefix): reporting lines and their
    originals, corroborated and unique facts, conflicts, who is quoted, framing per article."""
    sid = queries.resolve_story(store, _clean(ref)) if ref else None
    if sid is None:
        raise HTTPException(404, f"no story '{ref[:100]}' (or the prefix matches several)")
    return queries.story_report(store, sid)


@router.get("/compare", response_model=PairComparison, responses={**_ERRORS, 409: {
    "model": ErrorOut, "description": "The articles are not analysed yet"}}, tags=["articles"])
def compare(store: StoreDep,
            a: Annotated[str, Query(min_length=1, max_length=500, description="Article id, id prefix or file name")],
            b: Annotated[str, Query(min_length=1, max_length=500, description="Article id, id prefix or file name")],
            ) -> dict[str, Any]:
    """The relation between two articles (kind, score, direction) with its evidence: aligned
    passages with word differences, and the text each side has without a counterpart."""
    art_a, art_b = store.resolve_article(_clean(a)), store.resolve_article(_clean(b))
    for ref, art in ((a, art_a), (b, art_b)):
        if art is None:
            raise HTTPException(404, f"no article '{ref[:100]}'")
    assert art_a is not None and art_b is not None
    if art_a.id == art_b.id:
        raise HTTPException(422, f"'{a[:100]}' and '{b[:100]}' are the same article")
    try:
        return queries.pair_comparison(store, art_a, art_b)
    except queries.NotReady as exc:
        raise HTTPException(409, str(exc)) from None


@router.get("/outlets", response_model=OutletList, tags=["outlets"])
def outlets(store: StoreDep) -> dict[str, Any]:
    """Per outlet: articles, copies it made of other outlets, times other outlets copied it."""
    return {"items": queries.outlet_stats(store)}


_ARTICLE_SCHEMA = ArticleIn.model_json_schema()
_POST_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": {"anyOf": [
            _ARTICLE_SCHEMA,
            {"type": "array", "items": _ARTICLE_SCHEMA, "minItems": 1},
            {"type": "object", "properties": {"articles": {"type": "array", "items": _ARTICLE_SCHEMA, "minItems": 1}},
             "required": ["articles"], "additionalProperties": False},
        ]}},
        "multipart/form-data": {"schema": {
            "type": "object", "required": ["files"],
            "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"},
                                     "description": ".txt, .html/.htm or .jsonl files"}}}},
    },
}
_JSON_BODY: TypeAdapter[ArticleIn | list[ArticleIn] | ArticleBatchIn] = TypeAdapter(
    ArticleIn | list[ArticleIn] | ArticleBatchIn)


def _validation_message(exc: ValidationError) -> list[dict[str, Any]]:
    return [{"loc": list(e["loc"]), "msg": e["msg"]} for e in exc.errors()[:20]]


async def _json_items(request: Request) -> list[dict[str, Any]]:
    try:
        body = json.loads(await request.body())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise HTTPException(422, f"the body is not valid JSON: {exc}") from None
    try:
        parsed = _JSON_BODY.validate_python(body)
    except ValidationError as exc:
        raise HTTPException(422, {"message": "expected an article object {text, title?, url?, outlet?, "
                                             "published_at?, language?, author?, id?}, a list of them, "
                                             "or {articles: [...]}", "errors": _validation_message(exc)}) from None
    items = parsed.articles if isinstance(parsed, ArticleBatchIn) else parsed if isinstance(parsed, list) else [parsed]
    if not items:
        raise HTTPException(422, "no articles in the body")
    return [i.model_dump() for i in items]


@router.post("/articles", response_model=IngestOut, dependencies=[Depends(require_writer)],
             responses={**_ERRORS, 401: {"model": ErrorOut, "description": "No bearer token"},
                        403: {"model": ErrorOut, "description": "Writes disabled or wrong token"},
                        415: {"model": ErrorOut, "description": "Neither JSON nor multipart"}},
             openapi_extra={"requestBody": _POST_BODY}, tags=["articles"])
async def post_articles(request: Request) -> dict[str, Any]:
    """Ingest articles (a JSON article, a list, or `{articles: [...]}`; or multipart `files`),
    then run the pipeline on them. Returns each article's id and story, and per-item errors."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    writer: Writer = request.app.state.writer
    if ctype == "application/json" or ctype.endswith("+json"):
        items = documents_from_json(await _json_items(request))
    elif ctype == "multipart/form-data":
        items = []
        try:
            async with request.form(max_files=MAX_FILES, max_fields=MAX_FILES) as form:
                uploads = [v for _, v in form.multi_items() if isinstance(v, UploadFile)]
                if not uploads:
                    raise HTTPException(422, "no files in the upload (send them as multipart field 'files')")
                for i, up in enumerate(uploads, 1):
                    data = await up.read()
                    items.extend(documents_from_file(up.filename, data, i=i, max_bytes=writer.settings.max_bytes))
        except HTTPException:
            raise
        except RequestTooLarge:
            raise
        except Exception as exc:  # starlette raises MultiPartException / assertion errors on bad forms
            raise HTTPException(422, f"could not read the multipart body: {exc}") from None
    else:
        raise HTTPException(415, "send application/json or multipart/form-data")
    if not any(isinstance(i, RawDocument) for i in items):
        raise HTTPException(422, {"message": "nothing could be ingested",
                                  "errors": [{"item": e.origin, "message": e.problem} for e in items]})
    return await run_in_threadpool(writer.write, items)
