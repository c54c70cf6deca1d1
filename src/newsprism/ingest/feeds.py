"""RSS and Atom feeds: entries parsed by feedparser, turned into `RawDocument` records.

A feed is a list of pointers to articles, sometimes carrying the full text. What an entry becomes
depends on where the feed came from:

* a feed *file* is read offline: an entry becomes a document from its full content
  (``content:encoded`` or Atom ``<content>``) or, failing that, its summary. newsprism never goes
  to the network for a file; pass the feed URL to have linked pages fetched.
* a feed *URL* (see `newsprism.ingest.web`) fetches each linked page and falls back to the
  entry's full content; a summary alone is not taken as the article there, because two
  sentences of teaser would be compared as if they were the story.

Malformed feeds that still yield entries are read (feedparser is lenient by design); a document
that yields none is one `IngestError`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import feedparser

from newsprism.errors import ExtractionError, IngestError
from newsprism.ingest.dates import parse_date
from newsprism.ingest.html import DEFAULT_HTML_OPTIONS, HtmlOptions, parse_html
from newsprism.ingest.outlet import outlet_from_url
from newsprism.ingest.read import read_bytes
from newsprism.models import RawDocument

logger = logging.getLogger(__name__)

#: Root elements of RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom, for sniffing ``.xml`` files.
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)\b", re.IGNORECASE)
_TAG = re.compile(r"<[a-zA-Z/!]")


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One feed item, as far as newsprism needs it."""

    index: int  # 1-based position in the feed, for messages and origins
    title: str = ""
    link: str | None = None
    guid: str | None = None
    published_at: datetime | None = None
    author: str | None = None
    content: str | None = None  # full text (HTML) when the feed carries it
    summary: str | None = None  # teaser (HTML or text)

    @property
    def key(self) -> str | None:
        """What identifies the entry across polls: its guid, else its link."""
        return self.guid or self.link


@dataclass(frozen=True, slots=True)
class Feed:
    """A parsed feed: its own title and link (the site) and its entries in document order."""

    title: str
    link: str | None
    language: str | None
    entries: tuple[FeedEntry, ...]


def looks_like_feed(data: bytes) -> bool:
    """Whether the start of a document is an RSS/Atom root element (for ``.xml`` and URLs)."""
    return bool(_FEED_ROOT.search(data[:4096]))


def parse_feed(data: bytes, *, origin: str) -> Feed:
    """Parse an RSS or Atom document.

    Raises:
        IngestError: The document is not a feed feedparser can read any entry from.
    """
    parsed = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=True)
    if not parsed.entries and (parsed.bozo or not parsed.version):
        why = parsed.get("bozo_exception") or "no RSS or Atom root element"
        raise IngestError(origin, f"not a readable RSS/Atom feed ({_one_line(str(why))})")
    if parsed.bozo:
        logger.info("%s: feed is malformed but readable (%s)", origin, parsed.get("bozo_exception"))
    head = parsed.feed
    entries = tuple(_entry(i, e) for i, e in enumerate(parsed.entries, 1))
    lang = (head.get("language") or "").split("-")[0].lower() or None
    return Feed(title=_one_line(head.get("title") or ""), link=head.get("link") or None,
                language=lang, entries=entries)


def read_feed_file(path: Path, *, max_bytes: int,
                   options: HtmlOptions = DEFAULT_HTML_OPTIONS) -> Iterator[RawDocument | IngestError]:
    """Documents of a feed file, offline: full content, else summary (see the module note)."""
    origin = str(path)
    try:
        data = read_bytes(path, max_bytes=max_bytes)
    except IngestError as exc:
        yield exc
        return
    yield from feed_documents(data, origin=origin, options=options)


def feed_documents(data: bytes, *, origin: str,
                   options: HtmlOptions = DEFAULT_HTML_OPTIONS) -> Iterator[RawDocument | IngestError]:
    """Documents of a feed held in memory (a file's bytes, an upload), one per entry."""
    try:
        feed = parse_feed(data, origin=origin)
    except IngestError as exc:
        yield exc
        return
    for entry in feed.entries:
        try:
            yield entry_document(entry, feed, origin=f"{origin}#entry-{entry.index}",
                                 use_summary=True, options=options)
        except IngestError as exc:
            yield exc


def entry_document(entry: FeedEntry, feed: Feed, *, origin: str, use_summary: bool,
                   options: HtmlOptions = DEFAULT_HTML_OPTIONS) -> RawDocument:
    """A document from the entry's own text (content, else summary when `use_summary`).

    Raises:
        ExtractionError: The entry carries no usable text.
    """
    html = entry.content or (entry.summary if use_summary else None)
    if not html or not html.strip():
        what = "no content or summary" if use_summary else "no full content"
        raise ExtractionError(origin, f"entry {_label(entry)} has {what}")
    text = _fragment_text(html, origin=origin, options=options)
    if not text:
        raise ExtractionError(origin, f"entry {_label(entry)} has no text")
    return RawDocument(
        origin=origin, text=text, title=entry.title, url=entry.link,
        outlet=outlet_from_url(entry.link) or outlet_from_url(feed.link),
        byline=entry.author, published_at=entry.published_at, language=feed.language,
        source_id=entry.guid, body_line=0, format="feed",
        date_source="page" if entry.published_at is not None else None,
    )


def merge_page(page: RawDocument, entry: FeedEntry, feed: Feed, *, origin: str) -> RawDocument:
    """A fetched page's document completed by what the feed says (link, title, date, outlet).

    The entry link is kept as the url (not the page's canonical link) so later polls recognise
    the entry; the page's own metadata wins where it has any, the feed fills the gaps.
    """
    return RawDocument(
        origin=origin, text=page.text, title=page.title or entry.title, url=entry.link or page.url,
        outlet=outlet_from_url(entry.link) or page.outlet or outlet_from_url(feed.link),
        byline=page.byline or entry.author, published_at=page.published_at or entry.published_at,
        language=page.language or feed.language, source_id=entry.guid, body_line=0, format="feed",
        date_source="page" if page.published_at or entry.published_at else None,
    )


def _entry(index: int, e: feedparser.FeedParserDict) -> FeedEntry:
    contents = [c.get("value") for c in e.get("content") or () if c.get("value")]
    published = e.get("published") or e.get("updated") or e.get("created")
    return FeedEntry(
        index=index, title=_one_line(e.get("title") or ""), link=e.get("link") or None,
        guid=e.get("id") or None, published_at=parse_date(published) if published else None,
        author=_one_line(e.get("author") or "") or None,
        content=max(contents, key=len) if contents else None, summary=e.get("summary") or None,
    )


def _fragment_text(html: str, *, origin: str, options: HtmlOptions) -> str:
    """Text of an HTML fragment through the page extractor; plain text is kept as is."""
    if not _TAG.search(html):
        return html.strip()
    try:
        return parse_html(f"<html><body><article>{html}</article></body></html>",
                          origin=origin, options=options).text
    except ExtractionError:
        return ""


def _label(entry: FeedEntry) -> str:
    return repr(entry.title) if entry.title else f"#{entry.index}"


def _one_line(value: str) -> str:
    return " ".join(value.split())
