"""Storage at the edge of the pipeline: stages never touch it, the runner does."""

from .sql import Store, open_store

__all__ = ["Store", "open_store"]
