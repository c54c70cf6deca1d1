"""The write side of the API: articles posted as JSON or uploaded as files, then processed.

Posted items go through the same readers as files on disk (JSON objects through the JSONL
record parser, uploads by their file name's format), so the API and the CLI store identical
articles for identical input. Bad items come back as per-item errors; the rest is stored.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import PurePath
from typing import Any

from ..clean import clean_documents
from ..errors import IngestError
from ..ingest import parse_html, parse_record, parse_txt
from ..ingest.feeds import feed_documents, looks_like_feed
from ..ingest.jsonl import iter_jsonl_lines
from ..ingest.paths import format_of
from ..ingest.txt import decode_text
from ..models import RawDocument
from ..pipeline import Models, process
from ..settings import Settings
from ..store import Store

logger = logging.getLogger(__name__)

Item = RawDocument | IngestError
ModelsSource = Models | Callable[[], Models] | None


def documents_from_json(items: Sequence[dict[str, Any]]) -> list[Item]:
    """Validated article dicts (`schemas.ArticleIn`) to documents, via the JSONL record parser."""
    out: list[Item] = []
    for i, item in enumerate(items, 1):
        record = {k: v for k, v in item.items() if v is not None and k != "published_at"}
        if item.get("published_at") is not None:
            record["published"] = item["published_at"]
        origin = f"api:{item.get('id') or i}"
        out.append(parse_record(json.dumps(record, ensure_ascii=False), origin=origin))
    return out


def _safe_name(name: str | None, i: int) -> str:
    base = PurePath((name or "").replace("\\", "/")).name.strip()
    return (base or f"file{i}")[:200]


def documents_from_file(name: str | None, data: bytes, *, i: int = 1,
                        max_bytes: int = Settings().max_bytes) -> list[Item]:
    """One uploaded file to documents: .html/.htm as a page, .jsonl one per line, an RSS/Atom
    feed (.rss, .atom, or .xml that sniffs as one) one per entry, else text."""
    origin = f"upload:{_safe_name(name, i)}"
    base = origin[len("upload:"):].lower()
    if base.endswith(".gz"):
        return [IngestError(origin, "compressed uploads are not supported; send the file uncompressed")]
    # an upload is bytes, not a path on disk: an .xml name is sniffed here, not by format_of
    fmt = ("feed" if looks_like_feed(data) else "txt") if base.endswith(".xml") else \
        format_of(PurePath(base)) or "txt"
    if fmt == "warc":
        return [IngestError(origin, "WARC uploads are not supported; use `newsprism ingest FILE.warc.gz`")]
    if len(data) > max_bytes and fmt != "jsonl":
        return [IngestError(origin, f"file too large (limit {max_bytes} bytes)")]
    try:
        if fmt == "html":
            return [parse_html(data, origin=origin)]
        if fmt == "feed":
            return list(feed_documents(data, origin=origin))
        if fmt == "jsonl":
            lines = enumerate(data.splitlines(keepends=True), 1)
            return list(iter_jsonl_lines(lines, origin=origin, max_bytes=max_bytes))
        return [parse_txt(decode_text(data, origin=origin), origin=origin)]
    except IngestError as exc:
        return [exc]


class Writer:
    """Ingests and processes posted documents, one batch at a time (a lock serialises writers,
    so two requests never run the pipeline over the same new articles), with models loaded
    on first use and kept."""

    def __init__(self, store: Store, models: ModelsSource = None, *,
                 settings: Settings | None = None) -> None:
        self.store = store
        self.settings = settings or Settings()
        self._models = models
        self._lock = threading.Lock()

    def models(self) -> Models:
        if self._models is None:
            logger.info("loading models")
            # a server lives long: bfloat16 would grow its memory (`embed.pick_precision`)
            self._models = Models.from_settings(self.settings, long_lived=True)
        elif not isinstance(self._models, Models):
            self._models = self._models()
        return self._models

    def write(self, items: Sequence[Item]) -> dict[str, Any]:
        """Store the good documents, run the pipeline, and say what happened to each item."""
        docs = [d for d in items if isinstance(d, RawDocument)]
        errors = [{"item": e.origin, "message": e.problem} for e in items if isinstance(e, IngestError)]
        with self._lock:
            articles = clean_documents(docs, config=self.settings.clean) if docs else []
            new = set(self.store.add_articles(articles))
            processed: dict[str, int] = {}
            if new:
                models = self.models()
                s = process(self.store, models, settings=self.settings)
                processed = {"analyzed": s.analyzed, "related": s.related, "relations": s.relations,
                             "clustered": s.clustered, "compared": s.compared}
                if models.renew_if_grown():  # nothing in flight: the lock is held
                    logger.info("worker processes had outgrown their memory bound: restarted them")
            story_of = {aid: sid for sid, ids in self.store.story_members().items() for aid in ids} \
                if articles else {}
        seen: set[str] = set()
        listed = []
        for a in articles:
            listed.append({"id": a.id, "title": a.title, "outlet": a.outlet,
                           "new": a.id in new and a.id not in seen, "story": story_of.get(a.id)})
            seen.add(a.id)
        return {"read": len(docs), "new": len(new), "duplicates": len(articles) - len(new),
                "articles": listed, "errors": errors, "processed": processed}
