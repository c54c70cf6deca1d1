"""Server mode: REST API and web UI over one store (FastAPI, served by uvicorn)."""

from .app import create_app

__all__ = ["create_app"]
