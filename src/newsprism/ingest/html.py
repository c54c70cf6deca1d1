"""HTML pages: main text and metadata via trafilatura, publication date backed up by htmldate.

trafilatura is the strongest open extractor on the public benchmarks we track (see
BENCHMARKS.md, section Extraction), so this module only adapts its output to `RawDocument`:
the headline is moved out of the body, the page language comes from ``<html lang>``, and a
page that yields no text becomes an `ExtractionError` value instead of a silent None.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import htmldate
import trafilatura
from trafilatura.utils import load_html

from newsprism.errors import ExtractionError, IngestError
from newsprism.ingest.dates import parse_date
from newsprism.ingest.outlet import outlet_from_url
from newsprism.ingest.read import read_bytes
from newsprism.models import RawDocument

logger = logging.getLogger(__name__)

_LANG_RE = re.compile(rb"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*", re.I)
_SPACE_RE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class HtmlOptions:
    """trafilatura settings; the defaults scored best on both extraction benchmarks.

    Attributes:
        favor_precision: Prefer dropping doubtful blocks (trafilatura's precision mode).
        favor_recall: Prefer keeping doubtful blocks (trafilatura's recall mode).
        include_tables: Keep text inside tables (news pages put real paragraphs in layout tables).
        extensive_date_search: Let htmldate guess from any date on the page; off by default
            because a copyright year or "last updated" date is worse than no date when we
            decide who published first.
    """

    favor_precision: bool = False
    favor_recall: bool = False
    include_tables: bool = True
    extensive_date_search: bool = False


DEFAULT_HTML_OPTIONS = HtmlOptions()


def parse_html(data: bytes | str, *, origin: str,
               options: HtmlOptions = DEFAULT_HTML_OPTIONS) -> RawDocument:
    """Extract the article from one HTML page.

    Args:
        data: The page, as bytes (encoding detected by trafilatura) or text.
        origin: Where it came from, for messages and `RawDocument.origin`.
        options: Extraction settings.

    Raises:
        ExtractionError: No article text could be found, even with the baseline extractor.
    """
    date_params = {"extensive_search": options.extensive_date_search, "original_date": True}
    try:
        doc = trafilatura.bare_extraction(
            data, with_metadata=True, include_comments=False,
            favor_precision=options.favor_precision, favor_recall=options.favor_recall,
            include_tables=options.include_tables, date_extraction_params=date_params,
        )
    except Exception as exc:  # a crash on one page must not stop the batch
        logger.warning("%s: trafilatura failed: %s", origin, exc)
        doc = None
    text = (getattr(doc, "text", None) or "").strip()
    if not text:
        text = _baseline_text(data)
    text = unicodedata.normalize("NFC", text)  # as trafilatura.extract does
    if not text:
        raise ExtractionError(origin, "no article text found in HTML")
    title = _clean_inline(getattr(doc, "title", None) or "")
    text = _drop_leading_title(text, title)
    url = getattr(doc, "url", None) or None
    published = parse_date(getattr(doc, "date", None)) or _htmldate(data, url, options)
    published = _with_time(published, _meta_timestamp(data))
    return RawDocument(
        origin=origin,
        text=text,
        title=title,
        url=url,
        outlet=_clean_inline(getattr(doc, "sitename", None) or "") or outlet_from_url(url),
        byline=_clean_inline(getattr(doc, "author", None) or "") or None,
        published_at=published,
        language=_page_language(data),
        body_line=0,
        format="html",
        date_source="page" if published is not None else None,
    )


def read_html(path: Path, *, max_bytes: int,
              options: HtmlOptions = DEFAULT_HTML_OPTIONS) -> RawDocument:
    """Read and extract one ``.html``/``.htm`` (optionally gzipped) file.

    Raises:
        IngestError: Unreadable or too large; `ExtractionError` when it holds no article text.
    """
    data = read_bytes(path, max_bytes=max_bytes)
    if not data.strip():
        raise IngestError(str(path), "empty file")
    return parse_html(data, origin=str(path), options=options)


_TIME_META = re.compile(
    r"""<meta[^>]+(?:property|name|itemprop)=["'](?:article:published_time|og:article:published_time|"""
    r"""datePublished|pubdate|publishdate|dc\.date(?:\.issued)?|sailthru\.date)["'][^>]*>""",
    re.IGNORECASE,
)
_CONTENT = re.compile(r"""content=["']([^"']+)["']""", re.IGNORECASE)
_JSONLD_TIME = re.compile(r'"datePublished"\s*:\s*"([^"]+)"')


def _meta_timestamp(data: bytes | str) -> datetime | None:
    """Full publication timestamp from meta tags or JSON-LD.

    trafilatura and htmldate keep only the day; the time of day is what orders two copies
    published the same day, so it is read here from the standard tags when a page has it.
    """
    head = data[:200_000].decode("utf-8", "replace") if isinstance(data, bytes) else data[:200_000]
    candidates = [m.group(1) for tag in _TIME_META.finditer(head) if (m := _CONTENT.search(tag.group(0)))]
    candidates += _JSONLD_TIME.findall(head)
    for value in candidates:
        if "T" in value or ":" in value:
            when = parse_date(value)
            if when is not None:
                return when
    return None


def _with_time(day: datetime | None, stamp: datetime | None) -> datetime | None:
    """Prefer the full timestamp when it falls on the extracted day (or no day was found)."""
    if stamp is None:
        return day
    if day is None or stamp.date() == day.date() or stamp.astimezone(timezone.utc).date() == day.date():
        return stamp
    return day


def _baseline_text(data: bytes | str) -> str:
    """Last resort for truncated or odd pages: trafilatura's simple paragraph baseline."""
    try:
        _, text, _ = trafilatura.baseline(data)
    except Exception as exc:  # same reason as above
        logger.debug("baseline extraction failed: %s", exc)
        return ""
    return (text or "").strip()


def _clean_inline(value: str) -> str:
    return unicodedata.normalize("NFC", _SPACE_RE.sub(" ", value).strip())


def _drop_leading_title(text: str, title: str) -> str:
    """Remove the headline when it opens the body: `RawDocument.text` excludes the title."""
    if not title:
        return text
    first, sep, rest = text.partition("\n")
    if sep and _clean_inline(first).casefold() == title.casefold() and rest.strip():
        return rest.lstrip("\n")
    return text


def _htmldate(data: bytes | str, url: str | None, options: HtmlOptions):
    """Publication date from htmldate (page markup and URL patterns) when trafilatura has none."""
    try:
        tree = load_html(data)
        if tree is None:
            return None
        found = htmldate.find_date(tree, url=url, original_date=True,
                                   extensive_search=options.extensive_date_search)
    except Exception as exc:  # htmldate is best effort
        logger.debug("htmldate failed: %s", exc)
        return None
    return parse_date(found)


def _page_language(data: bytes | str) -> str | None:
    """Primary subtag of ``<html lang=...>``, lower-cased ("en-GB" -> "en"), if declared."""
    head = data[:20_000]
    if isinstance(head, str):
        head = head.encode("utf-8", "ignore")
    match = _LANG_RE.search(head)
    return match.group(1).decode("ascii").lower() if match else None
