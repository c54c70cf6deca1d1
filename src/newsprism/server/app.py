"""The FastAPI application: JSON API under /api, server-rendered pages at /."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi_offline import FastAPIOffline
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..settings import Settings
from ..store import Store
from .api import RequestTooLarge
from .api import router as api_router
from .ingest import ModelsSource, Writer
from .search import ensure_search_index
from .ui import router as ui_router

logger = logging.getLogger(__name__)

#: Largest request body accepted, in bytes (uploads of many articles go in several requests).
DEFAULT_MAX_BODY = 10 * 1024 * 1024


def _error(status: int, detail: Any, headers: dict[str, str] | None = None) -> JSONResponse:
    try:
        phrase = HTTPStatus(status).phrase.lower()
    except ValueError:
        phrase = "error"
    return JSONResponse({"error": phrase, "detail": detail}, status_code=status, headers=headers)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api") or "text/html" not in request.headers.get("accept", "")


async def _http_error(request: Request, exc: Exception) -> Any:
    assert isinstance(exc, StarletteHTTPException)
    if not _wants_json(request):  # pages keep FastAPI's default (or the UI's own) handling
        return await http_exception_handler(request, exc)
    detail = exc.detail
    if exc.status_code in (404, 405) and detail == HTTPStatus(exc.status_code).phrase:  # routing
        detail = ("no such endpoint, or not with this method (the API is described at "
                  "/openapi.json and /docs)")  # the path is not echoed: it is attacker-chosen
    return _error(exc.status_code, detail, getattr(exc, "headers", None))


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = [{"loc": [str(x) for x in e.get("loc", ())], "msg": str(e.get("msg", ""))}
              for e in exc.errors()[:20]]
    message = "; ".join(f"{'.'.join(f['loc'][1:]) or f['loc'][0]}: {f['msg']}" for f in fields[:5])
    return _error(422, {"message": message, "errors": fields})


async def _too_large(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestTooLarge)
    return _error(413, f"request body larger than the {exc.limit}-byte limit; send fewer or smaller articles")


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return _error(500, "unexpected server error; the server log has the details")


class BodyLimit:
    """ASGI middleware: refuse bodies over `limit` bytes with 413, before or while reading them.

    A declared Content-Length over the limit is refused at once; a body sent without one (or
    with a wrong one) is counted as it arrives and refused when it passes the limit.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.limit
            except ValueError:
                await self._reply(send, _error(400, "invalid Content-Length header"))
                return
            if too_big:
                await self._reply(send, _error(413, f"request body larger than the {self.limit}-byte limit"))
                return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise RequestTooLarge(self.limit)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers") or [])
                if not any(k.lower() == b"x-content-type-options" for k, _ in headers):
                    headers.append((b"x-content-type-options", b"nosniff"))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except RequestTooLarge:
            if started:
                raise
            await self._reply(send, _error(413, f"request body larger than the {self.limit}-byte limit"))

    @staticmethod
    async def _reply(send: Send, response: JSONResponse) -> None:
        body = response.body
        await send({"type": "http.response.start", "status": response.status_code,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()),
                                (b"x-content-type-options", b"nosniff")]})
        await send({"type": "http.response.body", "body": body})


def create_app(store: Store, *, token: str | None = None, models: ModelsSource = None,
               settings: Settings | None = None, max_body: int = DEFAULT_MAX_BODY) -> FastAPI:
    """One app over one store.

    Args:
        store: The store read and written by every request (`request.app.state.store`).
        token: Bearer token required for writes; without one the app is read-only (every
            write answers 403).
        models: The pipeline's models for posted articles, or a function loading them; loaded
            on the first write when omitted (`Models.load`).
        settings: Pipeline settings for posted articles.
        max_body: Largest request body in bytes (413 beyond).
    """
    # /docs and /redoc from the Swagger UI and ReDoc files shipped in the fastapi-offline wheel,
    # not FastAPI's default CDN: the server works offline and its pages load nothing off-site.
    app = FastAPIOffline(title="newsprism", summary="News provenance and cross-source comparison",
                         version="1", responses={413: {"description": "Request body too large"}},
                         static_url="/docs-static", favicon_url="/docs-static/favicon.png")
    app.state.store = store
    app.state.token = token or None
    app.state.writer = Writer(store, models, settings=settings)
    app.state.max_body = max_body
    try:
        ensure_search_index(store.engine)
    except Exception as exc:  # a read-only store still serves; search falls back to LIKE
        logger.warning("could not create the full-text index: %s", exc)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(RequestTooLarge, _too_large)
    app.add_exception_handler(Exception, _unexpected)
    app.add_middleware(BodyLimit, limit=max_body)
    app.include_router(api_router, prefix="/api")
    app.include_router(ui_router)
    return app


__all__ = ["DEFAULT_MAX_BODY", "create_app"]
