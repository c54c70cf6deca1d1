"""newsprism: news provenance and cross-source comparison.

The stage functions and records are usable without the CLI or a store::

    import newsprism as np
    docs = [d for d in np.iter_documents(["articles/"]) if not isinstance(d, np.IngestError)]
    articles = np.clean_documents(docs)
"""

import logging

from .errors import WorkerError, ConfigError, ExtractionError, IngestError, NewsprismError, StoreError
from .models import (
    AlignedSpan, Analysis, Article, Claim, Comparison, Conflict, Entity, Fact, Quote,
    RawDocument, Relation, Story,
)

logging.getLogger(__name__).addHandler(logging.NullHandler())

_LAZY = {
    "iter_documents": ("ingest", "iter_documents"),
    "clean_documents": ("clean", "clean_documents"),
    "analyze_articles": ("analyze", "analyze_articles"),
    "load_nlp": ("analyze", "load_nlp"),
    "embed_articles": ("embed", "embed_articles"),
    "MiniLMEncoder": ("embed", "MiniLMEncoder"),
    "MultilingualEncoder": ("embed", "MultilingualEncoder"),
    "relate_pair": ("relate", "relate_pair"),
    "candidate_pairs": ("relate", "candidate_pairs"),
    "StoryClusterer": ("cluster", "StoryClusterer"),
    "compare_story": ("compare", "compare_story"),
    "build_report": ("report", "build_report"),
    "evaluate": ("evaluate", "evaluate"),
    "open_store": ("store", "open_store"),
    "Models": ("pipeline", "Models"),
    "ingest_inputs": ("pipeline", "ingest"),  # not "ingest": that name is the subpackage
    "process": ("pipeline", "process"),
    "Settings": ("settings", "Settings"),
}


def __getattr__(name: str):  # type: ignore[no-untyped-def]
    # Lazy so `import newsprism` stays fast and does not import torch/spaCy until needed.
    if name in _LAZY:
        import importlib

        mod, attr = _LAZY[name]
        return getattr(importlib.import_module(f".{mod}", __name__), attr)
    raise AttributeError(name)


__all__ = [
    "AlignedSpan", "Analysis", "WorkerError", "Article", "Claim", "Comparison", "Conflict", "ConfigError",
    "Entity", "ExtractionError", "Fact", "IngestError", "NewsprismError", "Quote", "RawDocument",
    "Relation", "Story", "StoreError", *_LAZY,
]
__version__ = "0.1.0"
