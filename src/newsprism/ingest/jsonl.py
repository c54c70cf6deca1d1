"""JSON Lines: one article object per line, streamed so files of any size use constant memory.

Each line is ``{"text": ..., "id"?, "url"?, "outlet"?, "title"?, "published"?, "language"?,
"author"?}``; only a non-empty ``text`` is required. A bad line becomes one `IngestError` value
naming ``path:LINE`` and the other lines are still read.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from newsprism.errors import IngestError
from newsprism.ingest.dates import parse_date
from newsprism.ingest.outlet import outlet_from_url
from newsprism.ingest.read import megabytes, os_problem
from newsprism.models import RawDocument

logger = logging.getLogger(__name__)

_STRING_FIELDS = ("id", "url", "outlet", "title", "published", "language", "author")


class TooLarge:
    """Marker for a line over the size limit (its content was skipped, never held in memory)."""

    def __init__(self, size: int) -> None:
        self.size = size


def iter_jsonl_file(path: Path, *, max_bytes: int) -> Iterator[RawDocument | IngestError]:
    """Stream documents and per-line errors from a ``.jsonl`` file.

    `max_bytes` limits each line, not the file: JSONL collections are legitimately large.
    """
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield IngestError(str(path), os_problem(exc))
        return
    with handle:
        try:
            yield from iter_jsonl_lines(_binary_lines(handle, max_bytes), origin=str(path),
                                        max_bytes=max_bytes)
        except OSError as exc:
            yield IngestError(str(path), os_problem(exc))


def iter_jsonl_lines(lines: Iterable[tuple[int, str | bytes | TooLarge]], *, origin: str,
                     max_bytes: int) -> Iterator[RawDocument | IngestError]:
    """Parse numbered lines; the engine shared by files and stdin."""
    first_seen: dict[str, int] = {}
    for number, line in lines:
        where = f"{origin}:{number}"
        if isinstance(line, TooLarge):
            yield IngestError(where, f"line too large ({megabytes(line.size)} > "
                                     f"{megabytes(max_bytes)} limit)")
            continue
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                yield IngestError(where, f"not UTF-8 text ({exc.reason} at byte {exc.start})")
                continue
        if not line.strip():
            continue
        result = parse_record(line, origin=where)
        if isinstance(result, RawDocument) and result.source_id is not None:
            first = first_seen.setdefault(result.source_id, number)
            if first != number:
                result = IngestError(where, f"duplicate id {result.source_id!r} (first at line {first})")
        yield result


def parse_record(line: str, *, origin: str) -> RawDocument | IngestError:
    """Turn one JSON line into a `RawDocument`, or the `IngestError` saying what is wrong."""
    try:
        record: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        return IngestError(origin, f"invalid JSON: {exc.msg} (column {exc.colno})")
    if not isinstance(record, dict):
        return IngestError(origin, f"expected a JSON object, got {type(record).__name__}")
    text = record.get("text")
    if text is None:
        return IngestError(origin, "missing 'text'")
    if not isinstance(text, str) or not text.strip():
        return IngestError(origin, "'text' must be a non-empty string")
    fields: dict[str, str | None] = {}
    for key in _STRING_FIELDS:
        value = record.get(key)
        if value is not None and not isinstance(value, str | int | float):
            return IngestError(origin, f"{key!r} must be a string")
        fields[key] = str(value).strip() or None if value is not None else None
    url = fields["url"]
    published = parse_date(fields["published"])
    return RawDocument(
        origin=origin,
        text=text.replace("\r\n", "\n").replace("\r", "\n"),
        title=(fields["title"] or "").strip(),
        url=url,
        outlet=fields["outlet"] or outlet_from_url(url),
        byline=fields["author"],
        published_at=published,
        language=fields["language"].lower() if fields["language"] else None,
        source_id=fields["id"],
        body_line=0,
        format="jsonl",
        date_source="page" if published is not None else None,
    )


def _binary_lines(handle: BinaryIO, max_bytes: int) -> Iterator[tuple[int, bytes | TooLarge]]:
    """Numbered lines of `handle`, never holding more than `max_bytes` + 1 of one line."""
    number = 0
    while True:
        chunk = handle.readline(max_bytes + 1)
        if not chunk:
            return
        number += 1
        if len(chunk) > max_bytes and not chunk.endswith(b"\n"):
            size = len(chunk)
            while chunk and not chunk.endswith(b"\n"):  # skip the rest of the oversized line
                chunk = handle.readline(1 << 20)
                size += len(chunk)
            yield number, TooLarge(size)
            continue
        yield number, chunk
