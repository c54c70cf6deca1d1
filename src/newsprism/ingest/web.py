"""URLs given to `newsprism ingest`: a feed URL yields its entries' pages, any other URL one page.

For a feed, every entry's linked page is fetched (politely, see `newsprism.ingest.fetch`) and
extracted by the HTML reader; the feed fills what the page lacks (title, date). When the page
cannot be had (HTTP error, timeout, robots.txt) the entry's own full content is used instead and
the fetch problem is only logged at INFO, because the article still arrives whole. An entry
with only a summary and no page is reported as an `IngestError`: a teaser is not the article.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace

from newsprism.errors import IngestError
from newsprism.ingest.feeds import Feed, FeedEntry, entry_document, looks_like_feed, merge_page, parse_feed
from newsprism.ingest.fetch import Fetched, Fetcher
from newsprism.ingest.html import DEFAULT_HTML_OPTIONS, HtmlOptions, parse_html
from newsprism.ingest.outlet import outlet_from_url
from newsprism.models import RawDocument

logger = logging.getLogger(__name__)


def is_url(value: str) -> bool:
    """Whether an input names an http(s) URL rather than a path."""
    head = value[:8].lower()
    return head.startswith("http://") or head.startswith("https://")


def read_url(url: str, fetcher: Fetcher, *,
             options: HtmlOptions = DEFAULT_HTML_OPTIONS) -> Iterator[RawDocument | IngestError]:
    """Documents behind one URL: a feed's entries (pages fetched) or a single HTML page."""
    got = fetcher.fetch(url)
    if isinstance(got, IngestError):
        yield got
        return
    if not _is_feed(got):
        yield _page_document(url, got, options=options)
        return
    try:
        feed = parse_feed(got.content, origin=url)
    except IngestError as exc:
        yield exc
        return
    yield from feed_documents(feed, fetcher, origin=url, options=options)


def feed_documents(feed: Feed, fetcher: Fetcher, *, origin: str,
                   entries: Iterable[FeedEntry] | None = None,
                   options: HtmlOptions = DEFAULT_HTML_OPTIONS,
                   on_fetch: Callable[[str], None] | None = None,
                   ) -> Iterator[RawDocument | IngestError]:
    """One document (or error) per entry, fetching the linked pages concurrently.

    Args:
        feed: The parsed feed.
        fetcher: Polite client shared across feeds (robots.txt cache, host limits).
        origin: The feed's URL; entries without a link get ``origin#entry-N``.
        entries: Subset of `feed.entries` to read (the watcher passes only new ones).
        options: HTML extraction settings.
        on_fetch: Called with each page URL about to be fetched (logging, tests).
    """
    todo = list(feed.entries if entries is None else entries)
    links = [e.link for e in todo if e.link]
    if on_fetch is not None:
        for link in dict.fromkeys(links):
            on_fetch(link)
    pages = dict(fetcher.fetch_many(links))
    for entry in todo:
        where = entry.link or f"{origin}#entry-{entry.index}"
        page = pages.get(entry.link) if entry.link else None
        yield _entry_from_page(entry, feed, page, origin=where, options=options)


def _entry_from_page(entry: FeedEntry, feed: Feed, page: Fetched | IngestError | None, *,
                     origin: str, options: HtmlOptions) -> RawDocument | IngestError:
    problem = page if isinstance(page, IngestError) else None
    if isinstance(page, Fetched):
        doc = _page_document(origin, page, options=options)
        if isinstance(doc, RawDocument):
            return merge_page(doc, entry, feed, origin=origin)
        problem = doc
    try:
        fallback = entry_document(entry, feed, origin=origin, use_summary=False, options=options)
    except IngestError as exc:
        return problem or exc
    if problem is not None:
        logger.info("%s; using the feed entry's full content instead", problem)
    return fallback


def _page_document(url: str, got: Fetched, *, options: HtmlOptions) -> RawDocument | IngestError:
    """Extract an HTML page; its url is the one asked for when the page does not say."""
    kind = got.content_type.split(";")[0].strip().lower()
    if kind and not (kind.startswith("text/") or "html" in kind or "xml" in kind):
        return IngestError(url, f"not an HTML page (Content-Type {kind})")
    try:
        doc = parse_html(got.content, origin=url, options=options)
    except IngestError as exc:
        return exc
    if doc.url is None:
        doc = replace(doc, url=got.final_url, outlet=doc.outlet or outlet_from_url(got.final_url))
    return doc


def _is_feed(got: Fetched) -> bool:
    kind = got.content_type.split(";")[0].strip().lower()
    if kind in ("application/rss+xml", "application/atom+xml", "application/rdf+xml"):
        return True
    if kind == "text/html":
        return False
    return looks_like_feed(got.content)
