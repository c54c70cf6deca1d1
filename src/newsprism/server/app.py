"""The FastAPI application: JSON API under /api, server-rendered pages at /."""

from __future__ import annotations

from fastapi import FastAPI

from ..store import Store
from .api import router as api_router
from .ui import router as ui_router


def create_app(store: Store, *, token: str | None = None) -> FastAPI:
    """One app over one store. Writes need `token` (a bearer token); without one the app is
    read-only. The store is reached by handlers as `request.app.state.store`."""
    app = FastAPI(title="newsprism", summary="News provenance and cross-source comparison")
    app.state.store = store
    app.state.token = token
    app.include_router(api_router, prefix="/api")
    app.include_router(ui_router)
    return app
