"""Ingest: read files, directories, globs and stdin into `RawDocument` records.

Bad inputs do not raise: `iter_documents` yields an `IngestError` value for each, so the caller
prints one line per problem and the rest of the batch goes on.

Example:
    >>> for item in iter_documents(["articles/", "extra.jsonl"]):
    ...     if isinstance(item, IngestError):
    ...         print(f"skipped {item}")
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

from newsprism.errors import ExtractionError, IngestError
from newsprism.ingest.feeds import read_feed_file
from newsprism.ingest.fetch import FetchConfig, Fetcher
from newsprism.ingest.html import DEFAULT_HTML_OPTIONS, HtmlOptions, parse_html, read_html
from newsprism.ingest.jsonl import TooLarge, iter_jsonl_file, iter_jsonl_lines, parse_record
from newsprism.ingest.outlet import outlet_from_url
from newsprism.ingest.paths import STDIN, count_inputs, expand_inputs, format_of
from newsprism.ingest.read import megabytes
from newsprism.ingest.txt import decode_text, parse_txt, read_txt
from newsprism.ingest.web import is_url, read_url
from newsprism.ingest.warc import iter_warc_file
from newsprism.models import RawDocument

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 20_000_000
_SNIFF_CHARS = 65_536

__all__ = [
    "DEFAULT_MAX_BYTES",
    "HtmlOptions",
    "count_inputs",
    "expand_inputs",
    "iter_documents",
    "outlet_from_url",
    "parse_html",
    "parse_record",
    "parse_txt",
    "read_document",
]


def iter_documents(inputs: Sequence[str], *, stdin: TextIO | None = None,
                   max_bytes: int = DEFAULT_MAX_BYTES,
                   html_options: HtmlOptions = DEFAULT_HTML_OPTIONS,
                   fetcher: Fetcher | None = None,
                   ) -> Iterator[RawDocument | IngestError]:
    """Read every input, yielding documents and, for bad inputs, `IngestError` values.

    Args:
        inputs: Files (``.txt``, ``.text``, ``.html``, ``.htm``, ``.html.gz``, ``.jsonl``,
            ``.warc``, ``.warc.gz``, feeds as ``.rss``, ``.atom`` or ``.xml`` and each ``.gz``),
            http(s) URLs (a feed's linked pages, or one page), directories (walked
            recursively), glob patterns, or ``"-"`` for stdin.
        stdin: Stream read for ``"-"``; defaults to `sys.stdin`. Read as text unless it starts
            with ``{`` (JSON Lines) or ``<`` (HTML).
        max_bytes: Largest file accepted; for JSON Lines the limit applies to each line,
            for WARC files to each record's payload.
        html_options: trafilatura settings for HTML pages.
        fetcher: Polite HTTP client for http(s) inputs (feed or page URLs, `newsprism.ingest.web`);
            by default one with `FetchConfig` defaults is made for each URL.

    Yields:
        One `RawDocument` per article, or one `IngestError` (never raised) per problem; a JSONL
        file yields one item per non-blank line.
    """
    for item in expand_inputs(inputs):
        if isinstance(item, IngestError):
            yield item
        elif item == STDIN:
            yield from _read_stdin(stdin if stdin is not None else sys.stdin, max_bytes=max_bytes,
                                   html_options=html_options)
        elif is_url(str(item)):
            yield from _read_url(str(item), fetcher, max_bytes=max_bytes, html_options=html_options)
        elif format_of(Path(item)) == "feed":
            yield from read_feed_file(Path(item), max_bytes=max_bytes, options=html_options)
        elif format_of(Path(item)) == "jsonl":
            yield from iter_jsonl_file(Path(item), max_bytes=max_bytes)
        elif format_of(Path(item)) == "warc":
            yield from iter_warc_file(Path(item), max_bytes=max_bytes, html_options=html_options)
        else:
            yield read_document(Path(item), max_bytes=max_bytes, html_options=html_options)


def read_document(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES,
                  html_options: HtmlOptions = DEFAULT_HTML_OPTIONS) -> RawDocument | IngestError:
    """Read one ``.txt`` or HTML file; problems come back as an `IngestError` value."""
    try:
        if format_of(path) == "html":
            return read_html(path, max_bytes=max_bytes, options=html_options)
        return read_txt(path, max_bytes=max_bytes)
    except IngestError as exc:
        return exc


def _read_url(url: str, fetcher: Fetcher | None, *, max_bytes: int,
              html_options: HtmlOptions) -> Iterator[RawDocument | IngestError]:
    """A feed or page URL, through the given fetcher or a default one closed afterwards."""
    if fetcher is not None:
        yield from read_url(url, fetcher, options=html_options)
        return
    with Fetcher(FetchConfig(max_bytes=max_bytes)) as own:
        yield from read_url(url, own, options=html_options)


def _read_stdin(stream: TextIO, *, max_bytes: int,
                html_options: HtmlOptions) -> Iterator[RawDocument | IngestError]:
    """Sniff the format from the first characters; stream JSONL, read text/HTML whole."""
    try:
        head = stream.read(_SNIFF_CHARS)
        start = head.lstrip()[:1]
        if start == "{":
            yield from iter_jsonl_lines(_stdin_lines(head, stream, max_bytes), origin=STDIN,
                                        max_bytes=max_bytes)
            return
        text = head + stream.read(max_bytes + 1 - len(head))
    except (OSError, UnicodeDecodeError) as exc:
        yield IngestError(STDIN, f"cannot read standard input ({exc})")
        return
    if len(text) > max_bytes:
        yield IngestError(STDIN, f"input too large (more than {megabytes(max_bytes)} limit)")
        return
    try:
        if start == "<":
            yield parse_html(text, origin=STDIN, options=html_options)
        else:
            clean = decode_text(text.encode("utf-8", "surrogatepass"), origin=STDIN)
            yield parse_txt(clean, origin=STDIN)
    except IngestError as exc:
        yield exc


def _stdin_lines(head: str, stream: TextIO, max_bytes: int) -> Iterator[tuple[int, str | TooLarge]]:
    """Numbered lines of `head` followed by the rest of `stream`, each capped at `max_bytes`."""
    pending = head
    number = 0
    while True:
        if "\n" in pending:
            line, pending = pending.split("\n", 1)
            number += 1
            yield number, line
            continue
        more = stream.readline(max_bytes + 1)
        if not more:
            if pending:
                yield number + 1, pending
            return
        pending += more
        if len(pending) > max_bytes and "\n" not in pending:
            size = len(pending)
            while more and not more.endswith("\n"):
                more = stream.readline(1 << 20)
                size += len(more)
            number += 1
            yield number, TooLarge(size)
            pending = ""


# ExtractionError is re-exported for callers that want to tell "no text" from "unreadable".
__all__ += ["ExtractionError", "IngestError"]
