"""Web archives: HTML responses from ``.warc`` / ``.warc.gz`` files (Common Crawl CC-NEWS included).

A WARC is streamed record by record with warcio, so a multi-gigabyte crawl uses constant memory:
the size limit applies to each record's payload, never to the file. Only ``response`` records
with HTTP status 200 and an HTML body become documents; other records (warcinfo, request,
metadata, revisit) and other responses (images, JSON, redirects, 404s) are skipped and counted,
because a crawl is mostly such records and none of them is an article.

Each document's ``origin`` is ``path@OFFSET`` (the record's byte offset, as in CDX indexes), so
a problem can be found again with ``warcio extract path OFFSET``. A broken record becomes one
`IngestError` value and reading goes on: after a record warcio cannot parse, the file is
scanned forward for the next gzip member (``.warc.gz``) or ``WARC/1.`` header (plain) that does
parse, and only when none is left is the rest of the file reported as skipped.

Dates: the page's own publication date (trafilatura/htmldate, as for HTML files) comes first,
then a ``/YYYY/MM/DD/`` date in the URL, then the record's ``WARC-Date``. The last is when the
page was fetched, not published; it is still the best bound we have (the article existed by
then), so it fills `RawDocument.published_at` and the substitution is logged at debug level.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import BufferedReader, ChunkedDataReader

from newsprism.errors import IngestError
from newsprism.ingest.dates import parse_date
from newsprism.ingest.html import DEFAULT_HTML_OPTIONS, HtmlOptions, parse_html
from newsprism.ingest.outlet import outlet_from_url
from newsprism.ingest.read import megabytes, os_problem
from newsprism.models import RawDocument

logger = logging.getLogger(__name__)

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_MAGIC = b"WARC/1."
_SCAN_CHUNK = 1 << 20
_SNIFF_RE = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S)
_URL_DATE_RE = re.compile(r"/((?:19|20)\d\d)[/_-](\d{1,2})[/_-](\d{1,2})(?:[/_.-]|$)")


class _QuietIterator(ArchiveIterator):
    """warcio's iterator without its direct stderr warning on a bad Content-Length.

    The warning would interleave with our progress bar; the damage it announces surfaces as a
    parse failure of the next record, which we report as an `IngestError` like any other.
    """

    INC_RECORD = ""


class _StrictDecoding:
    """warcio decoding that raises when a compressed body breaks part-way.

    warcio writes the zlib error to stderr and returns the body cut short, which would turn a
    damaged page into a silently truncated article.
    """

    def _decompress(self, data: bytes) -> bytes:
        if getattr(self, "decompressor", None) and data and getattr(self, "num_block_read", 0):
            return self.decompressor.decompress(data)  # type: ignore[attr-defined]
        return super()._decompress(data)  # type: ignore[misc]


class _BodyReader(_StrictDecoding, BufferedReader):
    """Content-Encoding decoder."""


class _ChunkedBodyReader(_StrictDecoding, ChunkedDataReader):
    """Chunked Transfer-Encoding (and Content-Encoding) decoder."""


def iter_warc_file(path: Path, *, max_bytes: int,
                   html_options: HtmlOptions = DEFAULT_HTML_OPTIONS,
                   ) -> Iterator[RawDocument | IngestError]:
    """Stream documents and per-record errors from one WARC file.

    Args:
        path: A ``.warc`` or ``.warc.gz`` file (gzip per record, as Common Crawl writes them).
        max_bytes: Largest record payload read; bigger records are reported and skipped.
        html_options: trafilatura settings for the pages.

    Yields:
        One `RawDocument` per HTML page with text, one `IngestError` per broken record.
    """
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield IngestError(str(path), os_problem(exc))
        return
    counts: Counter[str] = Counter()
    with handle:
        try:
            yield from _iter_handle(handle, str(path), counts=counts, max_bytes=max_bytes,
                                    html_options=html_options)
        except OSError as exc:
            yield IngestError(str(path), os_problem(exc))
    logger.info("%s: %s", path, ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "no records")


def _iter_handle(handle: BinaryIO, name: str, *, counts: Counter[str], max_bytes: int,
                 html_options: HtmlOptions) -> Iterator[RawDocument | IngestError]:
    """Run warcio from offset 0, resynchronising after each unreadable stretch."""
    size = _file_size(handle)
    gzipped = handle.read(2) == _GZIP_MAGIC[:2] or name.lower().endswith(".gz")
    magic = _GZIP_MAGIC if gzipped else _WARC_MAGIC
    start: int | None = 0
    while start is not None:
        handle.seek(start)
        records = _QuietIterator(handle)
        failed_at, reason = start, ""
        while True:
            try:
                record = next(records)
            except StopIteration:
                failed_at, reason = records.offset, "truncated or unreadable data"
                break
            except Exception as exc:  # warcio raises many types on damaged input
                failed_at, reason = records.offset, _first_line(exc)
                if "non-chunked gzip" in str(exc):
                    reason = "one gzip stream for the whole file; fix with `warcio recompress`"
                break
            offset = records.offset  # start of this record, until warcio reads past it
            counts["records"] += 1
            item = _convert(record, f"{name}@{offset}", counts=counts, max_bytes=max_bytes,
                            html_options=html_options)
            if item is not None:
                yield item
        if failed_at >= size:
            return
        start = _resync(handle, failed_at + 1, magic)
        counts["broken"] += 1
        where = f"{name}@{failed_at}"
        if start is None:
            yield IngestError(where, f"broken WARC record ({reason}); rest of file skipped "
                                     f"({size - failed_at} bytes)")
        else:
            yield IngestError(where, f"broken WARC record ({reason}); skipped {start - failed_at} "
                                     f"bytes to the next readable record at offset {start}")


def _convert(record: Any, origin: str, *, counts: Counter[str], max_bytes: int,
             html_options: HtmlOptions) -> RawDocument | IngestError | None:
    """One record to a document, an error, or None for records that are not articles."""
    if record.rec_type != "response":
        counts[f"{record.rec_type} records"] += 1
        return None
    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
    http = record.http_headers
    status = http.get_statuscode() if http is not None else None
    if status != "200":
        counts["non-200 responses"] += 1
        logger.debug("%s: skipping %s (HTTP %s)", origin, uri, status)
        return None
    declared = (http.get_header("Content-Type") or "").split(";", 1)[0].strip().lower()
    if declared and declared not in HTML_TYPES:
        counts["non-HTML responses"] += 1
        logger.debug("%s: skipping %s (%s)", origin, uri, declared)
        return None
    payload = _read_payload(record, origin, uri, max_bytes=max_bytes)
    if isinstance(payload, IngestError):
        return payload
    if not declared and not _SNIFF_RE.match(payload[:4096]):
        counts["non-HTML responses"] += 1
        logger.debug("%s: skipping %s (no Content-Type, not HTML)", origin, uri)
        return None
    if not payload.strip():
        return IngestError(origin, f"empty HTML payload ({uri})")
    try:
        doc = parse_html(payload, origin=origin, options=html_options)
    except IngestError as exc:
        return type(exc)(origin, f"{exc.problem} ({uri})")
    counts["articles"] += 1
    return _with_record_metadata(doc, uri, record.rec_headers.get_header("WARC-Date"))


def _read_payload(record: Any, origin: str, uri: str, *, max_bytes: int) -> bytes | IngestError:
    """The decoded HTTP body, at most `max_bytes`; oversize, truncated or undecodable → error."""
    declared = record.length or 0
    if declared > max_bytes:
        return IngestError(origin, f"record too large ({megabytes(declared)} > "
                                   f"{megabytes(max_bytes)} limit; {uri})")
    try:
        payload = _content_stream(record).read(max_bytes + 1)
    except Exception as exc:  # bad chunked encoding, gzip/brotli body, ...
        return IngestError(origin, f"undecodable payload ({_first_line(exc)}; {uri})")
    if len(payload) > max_bytes:  # Content-Encoding expanded it past the limit
        return IngestError(origin, f"record too large (more than {megabytes(max_bytes)} once "
                                   f"decoded; {uri})")
    if getattr(record.raw_stream, "limit", 0) > 0 and not record.raw_stream.read(1):
        return IngestError(origin, f"truncated record (payload shorter than its Content-Length; {uri})")
    return payload


def _content_stream(record: Any) -> Any:
    """The HTTP body with transfer and content encodings removed (warcio's logic, strict)."""
    encoding = (record.http_headers.get_header("Content-Encoding") or "").strip().lower() or None
    if encoding not in BufferedReader.get_supported_decompressors():
        encoding = None
    if (record.http_headers.get_header("Transfer-Encoding") or "").lower() == "chunked":
        return _ChunkedBodyReader(record.raw_stream, decomp_type=encoding)
    if encoding:
        return _BodyReader(record.raw_stream, decomp_type=encoding)
    return record.raw_stream


def _with_record_metadata(doc: RawDocument, uri: str, warc_date: str | None) -> RawDocument:
    """URL and outlet from the crawl, not the page; dates fall back to the URL, then the fetch."""
    url = uri or doc.url
    published = doc.published_at or _url_date(url)
    if published is None:
        published = parse_date(warc_date)
        logger.debug("%s: no publication date, using fetch date %s", doc.origin, warc_date)
    return RawDocument(
        origin=doc.origin, text=doc.text, title=doc.title, url=url,
        outlet=outlet_from_url(url) or doc.outlet, byline=doc.byline, published_at=published,
        language=doc.language, body_line=0, format="warc",
    )


def _url_date(url: str | None) -> datetime | None:
    """A ``/2020/12/21/`` style date in the URL path, common on news sites."""
    match = _URL_DATE_RE.search(url or "")
    if not match:
        return None
    try:
        return datetime(*(int(g) for g in match.groups()), tzinfo=timezone.utc)
    except ValueError:
        return None


def _resync(handle: BinaryIO, pos: int, magic: bytes) -> int | None:
    """Offset of the next record warcio can parse at or after `pos`, or None at end of file."""
    while True:
        found = _find(handle, pos, magic)
        if found is None:
            return None
        handle.seek(found)
        try:
            next(_QuietIterator(handle))
            return found
        except Exception:  # not a record start after all (or another broken one): keep looking
            pos = found + 1


def _find(handle: BinaryIO, pos: int, magic: bytes) -> int | None:
    """Next offset of `magic` from `pos`, scanning in fixed-size chunks (constant memory)."""
    handle.seek(pos)
    tail = b""
    base = pos
    while chunk := handle.read(_SCAN_CHUNK):
        window = tail + chunk
        hit = window.find(magic)
        if hit >= 0:
            return base - len(tail) + hit
        tail = window[-(len(magic) - 1):]
        base += len(chunk)
    return None


def _file_size(handle: BinaryIO) -> int:
    handle.seek(0, 2)
    size = handle.tell()
    handle.seek(0)
    return size


def _first_line(exc: BaseException) -> str:
    text = next((line.strip() for line in str(exc).splitlines() if line.strip()), "")
    return f"{type(exc).__name__}: {text[:120]}" if text else type(exc).__name__
