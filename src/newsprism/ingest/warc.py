"""Web archives: HTML responses from ``.warc`` / ``.warc.gz`` files (Common Crawl CC-NEWS included).

A WARC is streamed record by record with warcio, so a multi-gigabyte crawl uses constant memory:
the size limit applies to each record's payload, never to the file. Only ``response`` records
with HTTP status 200 and an HTML body become documents; other records (warcinfo, request,
metadata, revisit) and other responses (images, JSON, redirects, 404s) are skipped and counted,
because a crawl is mostly such records and none of them is an article.

Origins. ``path@OFFSET`` is the record's byte offset in the file, as in CDX indexes, so a
problem can be found again with ``warcio extract path OFFSET``. That needs one gzip member per
record, as Common Crawl writes them. A ``.warc.gz`` compressed as one stream (``gzip file.warc``),
or with gzip members holding several records, has no such offsets and warcio stops at it; we read
on, still streaming, and name those records ``path@MEMBER+OFFSET``: OFFSET bytes into the
decompressed data that starts with the gzip member at byte MEMBER of the file (``0+OFFSET`` for a
file gzipped whole), i.e. ``tail -c +$((MEMBER+1)) path | gzip -dc | tail -c +$((OFFSET+1))``.
`warcio recompress` turns such a file into a seekable one.

Damage. A broken record becomes one `IngestError` value and reading goes on: after a record
warcio cannot parse, or one shorter than its Content-Length (a cut file, or a Content-Length that
runs over later records), the data is scanned forward for the next gzip member (``.warc.gz``) or
``WARC/1.`` header (plain, or inside a gzip stream) that parses, and only when none is left is the
rest of the file reported as skipped. Corrupt or cut gzip data ends a gzip stream; reading resumes
at the next gzip member of the file, if any. With one gzip member per record, a record counts
only once its member ended with it and passed its CRC: a member cut short otherwise inflates the
next member's bytes as garbage, often without error, filling the record's Content-Length. In a
file gzipped whole the CRC comes at the end of the file, so records decoded from corrupt data
before that point are not caught. A record whose bytes do not hash to its ``WARC-Block-Digest``
(when it has one, as crawlers write them) is reported and skipped: in a plain WARC that is the
only check on the bytes of a page. Every resync starts after the damage, so reading always ends.

Dates: the page's own publication date (trafilatura/htmldate, as for HTML files) comes first,
then a ``/YYYY/MM/DD/`` date in the URL, then the record's ``WARC-Date``. `RawDocument.date_source`
says which ("page", "url", "fetch"). The last is when the page was fetched, not published: the
article existed by then but may be much older. It still fills `published_at` (an upper bound
orders stories and bounds the relate horizon), the substitution is logged at debug level, and
because of "fetch" direction inference never reads two crawl times as publication order and the
report shows the date as "fetched".
"""

from __future__ import annotations

import functools
import io
import logging
import re
import zlib
from collections import Counter
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from newsprism.errors import IngestError
from newsprism.ingest.dates import parse_date
from newsprism.ingest.html import DEFAULT_HTML_OPTIONS, HtmlOptions, parse_html
from newsprism.ingest.outlet import outlet_from_url
from newsprism.ingest.read import megabytes, os_problem
from newsprism.models import DateSource, RawDocument

logger = logging.getLogger(__name__)

Item = RawDocument | IngestError

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_MAGIC = b"WARC/1."
_SCAN_CHUNK = 1 << 20
_SNIFF_RE = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S)
_URL_DATE_RE = re.compile(r"/((?:19|20)\d\d)[/_-](\d{1,2})[/_-](\d{1,2})(?:[/_.-]|$)")


def iter_warc_file(path: Path, *, max_bytes: int,
                   html_options: HtmlOptions = DEFAULT_HTML_OPTIONS,
                   ) -> Iterator[Item]:
    """Stream documents and per-record errors from one WARC file.

    Args:
        path: A ``.warc`` or ``.warc.gz`` file (gzip per record as Common Crawl writes them, or
            gzipped as a whole).
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
    reader = _Reader(handle, str(path), max_bytes=max_bytes, html_options=html_options)
    with handle:
        try:
            yield from reader.items()
        except OSError as exc:
            yield IngestError(str(path), os_problem(exc))
    counts = reader.counts
    logger.info("%s: %s", path, ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "no records")


@dataclass(frozen=True)
class _Stop:
    """Why a run of warcio over one stream ended."""

    at: int                         # offset of the failed record, or of the end of the data
    reason: str | None = None       # None: the data ended; else what is wrong at `at`
    truncated: bool = False         # the record at `at` is shorter than its Content-Length
    gzip_stream: int | None = None  # a gzip member at this offset holds several records
    member: bool = False            # the damage is the gzip member's, not the record's


class _Reader:
    """One WARC file: warcio runs, the switch to single-stream gzip, and resynchronisation."""

    def __init__(self, handle: BinaryIO, name: str, *, max_bytes: int, html_options: HtmlOptions):
        self.handle, self.name = handle, name
        self.max_bytes, self.html_options = max_bytes, html_options
        self.counts: Counter[str] = Counter()

    def items(self) -> Iterator[Item]:
        """Run warcio from offset 0, resynchronising after each unreadable stretch."""
        head = self.handle.read(2)
        if not head:
            yield IngestError(self.name, "empty file")
            return
        magic = _GZIP_MAGIC if head == _GZIP_MAGIC[:2] or self.name.lower().endswith(".gz") else _WARC_MAGIC
        start: int | None = 0
        while start is not None:
            self.handle.seek(start)
            stop = yield from self._run(self.handle, lambda offset: f"{self.name}@{offset}")
            if stop.gzip_stream is not None:
                start = yield from self._read_gzip_stream(stop.gzip_stream)
            elif stop.reason is None and _at_end(self.handle, stop.at):
                return
            else:
                start = yield from self._recover(self.handle, stop, magic, str)

    def _run(self, stream: Any, origin_of: Callable[[int], str], *,
             skip: int = 0) -> Generator[Item, None, _Stop]:
        """Yield items from warcio over `stream` until it ends or fails; `skip` records already seen."""
        records = _QuietIterator(stream, check_digests=True)  # problems are kept on the record
        _make_strict(_container_reader(records))
        begin = next_start = stream.tell()  # where the next record starts, as far as public API tells
        last: int | None = None
        while True:
            try:
                record = next(records)
                body, got, skip_reason = self._take(record)
                offset = records.get_record_offset()  # after draining the record, so it is free
                next_start = offset + records.get_record_length()
            except StopIteration:
                return _Stop(max(begin, _iterator_offset(records, next_start)))
            except Exception as exc:  # warcio and zlib raise many types on damaged input
                if last is not None and _is_multi_record_member(exc):
                    return _Stop(last, gzip_stream=last)
                # never behind where this run began: the caller resyncs after `at`, so reading
                # always moves forward (warcio's offset is wrong once inflated garbage was read)
                return _Stop(max(begin, _iterator_offset(records, next_start)), _first_line(exc))
            last = offset
            if skip:
                skip -= 1
                continue
            self.counts["records"] += 1
            uri = record.rec_headers.get_header("WARC-Target-URI") or ""
            expected = _body_length(record)
            if expected is not None and got < expected:
                # The data ended inside this record: a cut file, or a Content-Length that ran
                # over later records (plain WARC), which the resync then finds again.
                return _Stop(offset, f"truncated: {got} of {expected} declared bytes"
                                     + (f"; {uri}" if uri else ""), truncated=True)
            if _member_unfinished(records):
                return _Stop(offset, "cut short or corrupt: it does not end with its record"
                                     + (f"; {uri}" if uri else ""), member=True)
            if _block_digest_failed(record):
                self.counts["broken"] += 1
                yield IngestError(origin_of(offset), "damaged record: its bytes do not match its "
                                                     "WARC-Block-Digest" + (f" ({uri})" if uri else ""))
                continue
            item = self._convert(record, body, skip_reason, origin_of(offset), uri)
            if item is not None:
                yield item

    def _take(self, record: Any) -> tuple[bytes | None, int, tuple[str, str] | None]:
        """Read the record's body: kept (up to max_bytes + 1) only for article candidates."""
        skip_reason = _skip_reason(record)
        body = None
        got = 0
        if skip_reason is None and (record.length or 0) <= self.max_bytes:
            body = _read_upto(record.raw_stream, self.max_bytes + 1)
            got = len(body)
        return body, got + _drain(record.raw_stream), skip_reason

    def _convert(self, record: Any, body: bytes | None, skip_reason: tuple[str, str] | None,
                 origin: str, uri: str) -> Item | None:
        """One read record to a document, an error, or None for records that are not articles."""
        if skip_reason is not None:
            key, detail = skip_reason
            self.counts[key] += 1
            if detail:
                logger.debug("%s: skipping %s (%s)", origin, uri, detail)
            return None
        if body is None or len(body) > self.max_bytes:
            declared = max(record.length or 0, len(body or b""))
            return IngestError(origin, f"record too large ({megabytes(declared)} > "
                                       f"{megabytes(self.max_bytes)} limit; {uri})")
        payload = _decode(record, body, max_bytes=self.max_bytes)
        if isinstance(payload, str):
            return IngestError(origin, f"{payload} ({uri})")
        if not _content_type(record.http_headers) and not _SNIFF_RE.match(payload[:4096]):
            self.counts["non-HTML responses"] += 1
            logger.debug("%s: skipping %s (no Content-Type, not HTML)", origin, uri)
            return None
        if not payload.strip():
            return IngestError(origin, f"empty HTML payload ({uri})")
        try:
            doc = parse_html(payload, origin=origin, options=self.html_options)
        except IngestError as exc:
            return type(exc)(origin, f"{exc.problem} ({uri})")
        self.counts["articles"] += 1
        return _with_record_metadata(doc, uri, record.rec_headers.get_header("WARC-Date"))

    def _recover(self, stream: Any, stop: _Stop, magic: bytes,
                 label: Callable[[int], str]) -> Generator[Item, None, int | None]:
        """Report the damage at `stop` in one line; return the next readable record's offset."""
        what = "gzip member" if stop.member else "WARC record"
        reason = stop.reason or "unreadable data"
        if magic == _GZIP_MAGIC and not stop.truncated and (problem := _gzip_problem(stream, stop.at)):
            what, reason = "gzip member", problem  # clearer than warcio's binary "first line"
        found = _resync(stream, stop.at + 1, magic)
        if found is None and isinstance(stream, _GzipStream) and stream.error is not None:
            # the scan ran into corrupt gzip data too: one line for both, go on at a later member
            return (yield from self._after_gzip_damage(stream, label(stop.at),
                                                       f"broken {what} ({reason}), then "))
        self.counts["broken"] += 1
        if found is None and stop.at == 0 and not self.counts["records"]:
            yield IngestError(self.name, f"not a WARC file ({reason})" if stop.reason
                              else "no WARC records (empty or unreadable data)")
        elif found is None:
            yield IngestError(f"{self.name}@{label(stop.at)}", f"broken {what} ({reason}); "
                              f"rest of file skipped ({stream.tell() - stop.at} bytes)")
        else:
            yield IngestError(f"{self.name}@{label(stop.at)}", f"broken {what} ({reason}); "
                              f"skipped {found - stop.at} bytes to the next readable record at "
                              f"offset {label(found)}")
        return found

    def _read_gzip_stream(self, member: int) -> Generator[Item, None, int | None]:
        """Read on from gzip member `member` as one decompressed stream (warcio stops there).

        Its first record was already read by warcio and is skipped. Returns the compressed
        offset of a later gzip member to go on from after corrupt data, or None when done.
        """
        self.counts["single-stream gzip members"] += 1
        logger.info("%s@%s: gzip member holds several records; reading it as one stream "
                    "(origins are %s@%s+OFFSET into its decompressed data)",
                    self.name, member, self.name, member)
        stream = _GzipStream(self.handle, member)

        def label(offset: int) -> str:
            return f"{member}+{offset}"

        start: int | None = 0
        skip = 1
        while start is not None:
            stream.seek(start)
            stop = yield from self._run(stream, lambda offset: f"{self.name}@{label(offset)}", skip=skip)
            skip = 0
            if stream.error is not None:
                return (yield from self._after_gzip_damage(stream, label(stop.at)))
            if stop.reason is None and _at_end(stream, stop.at):
                return None
            start = yield from self._recover(stream, stop, _WARC_MAGIC, label)
            if stream.error is not None:  # _recover went on at a later gzip member
                return start
        return None

    def _after_gzip_damage(self, stream: _GzipStream, where: str,
                           prefix: str = "") -> Generator[Item, None, int | None]:
        """Corrupt or cut gzip data ends a stream: report it, then look for a later gzip member.

        The search starts inside the member that broke: the next one may follow right behind.
        """
        self.counts["broken"] += 1
        found = _resync(self.handle, stream.member + 1, _GZIP_MAGIC)
        then = "rest of file skipped" if found is None else f"skipped to the next gzip member at offset {found}"
        yield IngestError(f"{self.name}@{where}",
                          f"{prefix}broken gzip data ({_first_line(stream.error)}); {then}")
        return found


class _GzipStream:
    """The decompressed data of a ``.warc.gz`` from gzip member `start` on, as a readable stream.

    Written on zlib, not `gzip.GzipFile`: GzipFile reads ahead and hides where members start,
    and after damage we must know which member broke to look for the next one (after a CRC
    error it starts right behind). zlib checks each member's CRC and length as GzipFile does.
    Gzip errors end the stream and are kept in `error`, so warcio sees the data end and the
    damage is reported once, not as a payload problem. `seek` works forward by reading and
    backward by decompressing again from `start`, so memory stays constant; backward seeks
    happen only to resync after damage.
    """

    def __init__(self, raw: BinaryIO, start: int):
        self.raw, self.start = raw, start
        self._open()

    def _open(self) -> None:
        self.raw.seek(self.start)
        self.member = self.start      # file offset of the gzip member being read
        self.decompressor: Any = None  # None between members
        self.pending = b""            # raw bytes read but not yet decompressed
        self.raw_pos = self.start     # file offset of pending[0]
        self.pos = 0                  # offset in the decompressed data
        self.error: Exception | None = None

    def read(self, size: int | None = -1) -> bytes:
        size = size if size is not None and size >= 0 else _SCAN_CHUNK
        while self.error is None and size:
            if not self.pending:
                self.pending = self.raw.read(1 << 16)
                if not self.pending:
                    if self.decompressor is not None:
                        self.error = EOFError("gzip data ends inside a member (file cut short?)")
                    return b""
            if self.decompressor is None:  # a member starts here (zero padding is allowed)
                padded = len(self.pending)
                self.pending = self.pending.lstrip(b"\0")
                self.raw_pos += padded - len(self.pending)
                if not self.pending:
                    continue
                self.decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
                self.member = self.raw_pos
            data = self.pending
            try:
                out = self.decompressor.decompress(data, size)
            except zlib.error as exc:  # corrupt data, CRC or length mismatch
                self.error = exc
                return b""
            if self.decompressor.eof:
                self.pending, self.decompressor = self.decompressor.unused_data, None
            else:
                self.pending = self.decompressor.unconsumed_tail
            self.raw_pos += len(data) - len(self.pending)
            if out:
                self.pos += len(out)
                return out
        return b""

    def tell(self) -> int:
        return self.pos

    def seek(self, pos: int) -> int:
        if pos < self.pos:
            self._open()
        while self.pos < pos and self.read(min(_SCAN_CHUNK, pos - self.pos)):
            pass
        return self.pos


# --- warcio internals. Each is used in one place, checked against warcio 1.8.1, and has a
# --- fallback that keeps ingest working (degraded) if a later warcio changes it.

class _QuietIterator(ArchiveIterator):
    """warcio's iterator without its direct stderr warning on a bad Content-Length.

    The warning would interleave with our progress bar; the damage it announces surfaces as a
    parse failure of the next record, which we report as an `IngestError` like any other.
    Fallback: if warcio stops using this class attribute, the warning is simply printed again.
    """

    INC_RECORD = ""


def _iterator_offset(records: ArchiveIterator, fallback: int) -> int:
    """Where warcio stopped: the failed record's start, or the end of the data.

    The public `get_record_offset()` would first read past the failed record. ``offset`` is a
    plain attribute; without it we use the end of the last good record, which in a plain WARC
    is the blank lines just before the failed record.
    """
    offset = getattr(records, "offset", None)
    return offset if isinstance(offset, int) else fallback


def _container_reader(records: ArchiveIterator) -> Any:
    """warcio's reader of the file itself (``reader``), which decompresses gzip members."""
    return getattr(records, "reader", None)


def _make_strict(reader: Any) -> None:
    """Make a warcio decoder raise when compressed data breaks part-way.

    warcio's ``BufferedReader._decompress`` writes the zlib/brotli error to stderr and returns
    nothing once some data has decoded, so a damaged page would read as a silently shortened
    article (and a damaged gzip member as one stderr line per block to the end of the file).
    We wrap that method on this one reader; the first block still goes to warcio, which treats
    a failure there as "not compressed after all". Fallback: warcio's own lenient behaviour;
    a record then cut short is still caught by the Content-Length check.
    """
    if reader is None or isinstance(reader, io.IOBase):
        return  # no decoder involved (plain body, or an uncompressed WARC)
    lenient = getattr(reader, "_decompress", None)
    if not callable(lenient) or not hasattr(reader, "decompressor") or not hasattr(reader, "num_block_read"):
        _warn_lenient_decoding()
        return

    def strict(data: bytes) -> bytes:
        if reader.decompressor is not None and data and reader.num_block_read:
            return reader.decompressor.decompress(data)
        return lenient(data)

    reader._decompress = strict


@functools.cache
def _warn_lenient_decoding() -> None:
    logger.warning("this warcio version hides decoding errors from newsprism; damaged compressed "
                   "pages may be read short (warcio prints the error)")


def _member_unfinished(records: ArchiveIterator) -> bool:
    """The record just read came from a gzip member that did not end (and pass its CRC) with it.

    That is a member cut short: zlib then inflates the bytes of the next member as if they
    continued it, which often gives no error but a record with a garbled tail, and offsets
    that make no sense. A member holding several records also runs on, but into the next
    record's ``WARC/`` header, and is read as one stream instead. Fallback: without warcio's
    reader or its last line, a cut member is caught only when the garbage fails to inflate.
    """
    decompressor = getattr(_container_reader(records), "decompressor", None)
    if decompressor is None or getattr(decompressor, "eof", True):
        return False
    if not hasattr(records, "next_line"):
        return False
    following = records.next_line  # None: the data ended inside the member
    return not (isinstance(following, bytes) and following.startswith(b"WARC/"))


def _block_digest_failed(record: Any) -> bool:
    """The record's block, read to its end, does not hash to its ``WARC-Block-Digest``.

    Only the block digest: crawlers disagree on what the payload digest covers when a response
    was chunked, so a payload mismatch is no sign of damage. Without a block digest (or without
    warcio's checker) nothing is checked, and damage inside a plain WARC record goes unseen.
    """
    problems = getattr(getattr(record, "digest_checker", None), "problems", None) or ()
    return any(isinstance(p, str) and p.startswith("block digest failed") for p in problems)


def _is_multi_record_member(exc: BaseException) -> bool:
    """warcio's error for a gzip member that holds more than one record.

    Matched on its message, since warcio raises the generic `ArchiveLoadFailed`. Fallback: the
    failure is reported as a broken record and reading resumes at the next gzip member.
    """
    return isinstance(exc, ArchiveLoadFailed) and "non-chunked gzip" in str(exc)


# --- record helpers (public warcio API only)

def _skip_reason(record: Any) -> tuple[str, str] | None:
    """(counter, log detail) for a record that cannot be an article; None for a candidate."""
    if record.rec_type != "response":
        return f"{record.rec_type} records", ""
    http = record.http_headers
    status = http.get_statuscode() if http is not None else None
    if status != "200":
        return "non-200 responses", f"HTTP {status}"
    declared = _content_type(http)
    if declared and declared not in HTML_TYPES:
        return "non-HTML responses", declared
    return None


def _content_type(http: Any) -> str:
    return (http.get_header("Content-Type") or "").split(";", 1)[0].strip().lower()


def _body_length(record: Any) -> int | None:
    """Bytes the record declares after its HTTP headers (all of its block if it has none)."""
    if record.length is None:
        return None
    if record.http_headers is None:
        return record.length
    payload = getattr(record, "payload_length", -1)
    return payload if payload >= 0 else None


def _decode(record: Any, body: bytes, *, max_bytes: int) -> bytes | str:
    """The HTTP body without transfer and content encodings, or the problem as text.

    warcio's own `content_stream()` does the decoding, over a copy of the record whose body is
    the bytes already read (so the Content-Length check above saw the real stream).
    """
    copy = ArcWarcRecord(record.format, record.rec_type, record.rec_headers, io.BytesIO(body),
                         record.http_headers, record.content_type, len(body))
    stream = copy.content_stream()
    _make_strict(stream)
    try:
        payload = _read_upto(stream, max_bytes + 1)
    except Exception as exc:  # bad chunked encoding, gzip/brotli body, ...
        return f"undecodable payload ({_first_line(exc)})"
    if len(payload) > max_bytes:  # Content-Encoding expanded it past the limit
        return f"record too large (more than {megabytes(max_bytes)} once decoded)"
    return payload


def _read_upto(stream: Any, size: int) -> bytes:
    parts: list[bytes] = []
    while size > 0 and (chunk := stream.read(size)):
        parts.append(chunk)
        size -= len(chunk)
    return b"".join(parts)


def _drain(stream: Any) -> int:
    """Read a record's remaining body, counting it (so a cut record is noticed)."""
    total = 0
    while chunk := stream.read(1 << 16):
        total += len(chunk)
    return total


def _with_record_metadata(doc: RawDocument, uri: str, warc_date: str | None) -> RawDocument:
    """URL and outlet from the crawl, not the page; dates fall back to the URL, then the fetch
    time, and `date_source` records which one was used."""
    url = uri or doc.url
    published = doc.published_at
    source: DateSource | None = "page" if published is not None else None
    if published is None and (published := _url_date(url)) is not None:
        source = "url"
    if published is None and (published := parse_date(warc_date)) is not None:
        source = "fetch"
        logger.debug("%s: no publication date, using fetch date %s", doc.origin, warc_date)
    return RawDocument(
        origin=doc.origin, text=doc.text, title=doc.title, url=url,
        outlet=outlet_from_url(url) or doc.outlet, byline=doc.byline, published_at=published,
        language=doc.language, body_line=0, format="warc", date_source=source,
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


# --- resynchronisation

def _resync(stream: Any, pos: int, magic: bytes) -> int | None:
    """Offset of the next record warcio can parse at or after `pos`, or None at end of data."""
    while True:
        found = _find(stream, pos, magic)
        if found is None:
            return None
        stream.seek(found)
        try:
            next(_QuietIterator(stream))
            return found
        except Exception:  # not a record start after all (or another broken one): keep looking
            pos = found + 1


def _find(stream: Any, pos: int, magic: bytes) -> int | None:
    """Next offset of `magic` from `pos`, scanning in fixed-size chunks (constant memory)."""
    stream.seek(pos)
    tail = b""
    base = pos
    while chunk := stream.read(_SCAN_CHUNK):
        window = tail + chunk
        hit = window.find(magic)
        if hit >= 0:
            return base - len(tail) + hit
        tail = window[-(len(magic) - 1):]
        base += len(chunk)
    return None


def _gzip_problem(stream: Any, pos: int) -> str | None:
    """The zlib error in the gzip member at `pos` within its first 64 KB, if there is one.

    warcio takes a member whose first block does not decompress for uncompressed data, and
    then reports its compressed bytes as an unreadable "first line".
    """
    stream.seek(pos)
    data = stream.read(1 << 16)
    if not data.startswith(_GZIP_MAGIC):
        return None
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        while data and not decompressor.eof:
            decompressor.decompress(data, 1 << 16)  # output bounded; only the error matters
            data = decompressor.unconsumed_tail
    except zlib.error as exc:
        return f"corrupt gzip data: {exc}"
    return None


def _at_end(stream: Any, pos: int) -> bool:
    stream.seek(pos)
    return not stream.read(1)


def _first_line(exc: BaseException | None) -> str:
    text = next((line.strip() for line in str(exc).splitlines() if line.strip()), "")
    text = re.sub(r"[^\x20-\x7e]+", "?", text[:120])  # a broken header line may be binary
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
