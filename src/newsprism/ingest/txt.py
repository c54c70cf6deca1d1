"""Plain-text articles: robust decoding, an optional ``key: value`` header, title, body.

Layout of a text file::

    url: https://example.com/story      <- optional header, ended by a blank line
    published: 2020-12-21

    Title line                          <- first non-empty line
                                        
    Body...                             <- `RawDocument.text`, starting at `body_line`

The body is kept exactly as in the file (after decoding and newline normalisation) so that an
offset in it maps back to a file line: ``line = body_line + text[:offset].count("\\n")``.
"""

from __future__ import annotations

import codecs
import logging
import re
import unicodedata
from pathlib import Path

import charset_normalizer

from newsprism.errors import IngestError
from newsprism.ingest.dates import parse_date
from newsprism.ingest.outlet import outlet_from_url
from newsprism.ingest.read import read_bytes
from newsprism.models import RawDocument

logger = logging.getLogger(__name__)

_HEADER_RE = re.compile(r"^(url|outlet|published|author|language|source|date):\s*(.*)$", re.I)

#: Share of control characters above which decoded "text" is really binary data.
_MAX_CONTROL_SHARE = 0.01
#: Share of non-ASCII letters above which a cp1252 reading is implausible (Cyrillic, Greek...).
_MAX_NON_ASCII_SHARE = 0.3
#: Non-ASCII characters a Western European text in cp1252 plausibly contains.
_CP1252_PLAUSIBLE = frozenset(
    "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝßàáâãäåæçèéêëìíîïñòóôõöøùúûüýÿŒœŠšŽžŸ"
    "‘’‚“”„–—…•€«»°·§©®™¡¿ªº×\u00a0"
)


def decode_text(data: bytes, *, origin: str) -> str:
    """Decode the bytes of a text file, whatever its encoding, with newlines normalised to ``\\n``.

    Order: byte-order marks (UTF-8/16/32), strict UTF-8, then Windows-1252 when that reading is
    plausible Western text, then charset-normalizer's best guess. cp1252 comes before the
    detector because detectors are unreliable on short texts ("café" comes out as cp1006) while
    Latin-1/cp1252 is by far the most common legacy encoding of news text.

    Raises:
        IngestError: "binary file, not text" or "empty file".
    """
    text = _decode(data, origin=origin)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _looks_binary(text):
        raise IngestError(origin, "binary file, not text")
    if not text.strip():
        raise IngestError(origin, "empty file")
    return text


def _decode(data: bytes, *, origin: str) -> str:
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"),
                          (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise IngestError(origin, f"invalid {encoding.upper()} text ({exc.reason})") from exc
    if not data.strip():
        raise IngestError(origin, "empty file")
    if b"\x00" in data:
        raise IngestError(origin, "binary file, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        western = data.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    if western is not None and _plausible_western(western):
        return western
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise IngestError(origin, "binary file, not text")
    logger.debug("%s: decoded as %s", origin, best.encoding)
    return str(best)


def _plausible_western(text: str) -> bool:
    non_ascii = [c for c in text if ord(c) > 127]
    if any(c not in _CP1252_PLAUSIBLE for c in non_ascii):
        return False
    letters = sum(1 for c in text if c.isalpha())
    return letters > 0 and len(non_ascii) / letters <= _MAX_NON_ASCII_SHARE


def _looks_binary(text: str) -> bool:
    if not text:
        return False
    control = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\n\t\f\v")
    return "\x00" in text or control / len(text) > _MAX_CONTROL_SHARE


def parse_header(lines: list[str]) -> tuple[dict[str, str], int]:
    """Split an optional ``key: value`` header from the top of `lines`.

    The header is recognised only when every line before the first blank line is a known
    ``key: value`` pair, so a title that happens to contain a colon ("Analysis: ...") is never
    eaten.

    Returns:
        The header (lower-cased keys) and the index of the first line after it (0 if none).
    """
    try:
        blank = next(i for i, line in enumerate(lines) if not line.strip())
    except StopIteration:
        return {}, 0
    if blank == 0:
        return {}, 0
    header: dict[str, str] = {}
    for line in lines[:blank]:
        match = _HEADER_RE.match(line.strip())
        if match is None:
            return {}, 0
        header.setdefault(match.group(1).lower(), match.group(2).strip())
    return header, blank + 1


def parse_txt(text: str, *, origin: str) -> RawDocument:
    """Build a `RawDocument` from decoded text (see the module docstring for the layout).

    Raises:
        IngestError: The file holds only a header, or only a title line.
    """
    lines = text.split("\n")
    header, index = parse_header(lines)
    while index < len(lines) and not lines[index].strip():
        index += 1
    if index >= len(lines):
        raise IngestError(origin, "no title or body after the header")
    title = lines[index].strip()
    body_index = index + 1
    while body_index < len(lines) and not lines[body_index].strip():
        body_index += 1
    if body_index >= len(lines):
        raise IngestError(origin, "no body text after the title line")
    body = "\n".join(lines[body_index:])
    return _with_header(header, origin=origin, title=title, text=body, body_line=body_index + 1)


def _with_header(header: dict[str, str], *, origin: str, title: str, text: str,
                 body_line: int) -> RawDocument:
    url = header.get("url") or None
    source = header.get("source") or None
    if source and not url and source.lower().startswith(("http://", "https://")):
        url, source = source, None
    outlet = header.get("outlet") or source or outlet_from_url(url)
    published = parse_date(header.get("published") or header.get("date"))
    return RawDocument(
        origin=origin,
        text=text,
        title=title,
        url=url,
        outlet=outlet,
        byline=header.get("author") or None,
        published_at=published,
        language=(header.get("language") or "").lower() or None,
        body_line=body_line,
        format="txt",
        date_source="page" if published is not None else None,
    )


def read_txt(path: Path, *, max_bytes: int) -> RawDocument:
    """Read one text file into a `RawDocument`.

    Raises:
        IngestError: Unreadable, too large, binary, empty, or without body text.
    """
    data = read_bytes(path, max_bytes=max_bytes)
    return parse_txt(decode_text(data, origin=str(path)), origin=str(path))
