"""Web UI pages (placeholder router; filled in by the server work)."""

from fastapi import APIRouter

router = APIRouter()
