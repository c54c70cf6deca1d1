"""Poll RSS/Atom feeds and ingest only what is new (`newsprism watch`).

Each poll makes a conditional GET per feed (ETag / Last-Modified remembered from the previous
poll), skips entries seen in an earlier poll or whose link an article in the store already has,
fetches the remaining pages politely and stores them. The seen-entry memory and the validators
live in memory: after a restart the first poll re-reads every feed, and the store's URL lookup
and its duplicate detection keep that from fetching or storing anything twice.

A feed's validators are kept only when every new entry of that poll made it into the store, so
a page that failed (timeout, 503) is tried again on the next poll instead of hiding behind a 304.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError, IngestError
from .ingest.feeds import parse_feed
from .ingest.fetch import Fetcher
from .ingest.html import DEFAULT_HTML_OPTIONS, HtmlOptions
from .ingest.web import feed_documents, is_url
from .models import RawDocument
from .pipeline import ingest_documents
from .progress import NullProgress, Progress
from .settings import Settings
from .store import Store

logger = logging.getLogger(__name__)

_INTERVAL = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?", re.IGNORECASE)
_UNIT = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_interval(text: str) -> float:
    """Seconds in ``"15m"``, ``"30s"``, ``"1h"``, ``"1h30m"`` or a bare number of seconds.

    Raises:
        ConfigError: Not an interval.
    """
    value = text.strip().lower()
    pos, total = 0, 0.0
    for match in _INTERVAL.finditer(value):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _UNIT[match.group(2) or "s"]
        pos = match.end()
    if not value or pos != len(value):
        raise ConfigError(f"invalid interval {text!r} (use e.g. 30s, 15m, 1h, 1h30m)")
    return total


def trim_heap() -> bool:
    """Hand freed heap memory back to the OS between polls (glibc's `malloc_trim`).

    A long-lived process that parses, embeds and indexes new text every poll leaves its heap
    fragmented: freed blocks stay mapped, so RSS creeps up poll after poll although the live data
    does not grow (bench/stream_memory.py). No library does this; it is one libc call, a no-op
    (False) where the C library has no `malloc_trim`.
    """
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.malloc_trim(0))
    except (OSError, AttributeError):
        return False


def read_feed_list(path: Path) -> list[str]:
    """Feed URLs from a text file: one per line, ``#`` starts a comment, blank lines ignored.

    Raises:
        ConfigError: The file cannot be read or a line is not an http(s) URL.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read feed list {path}: {exc}") from exc
    urls: list[str] = []
    for number, line in enumerate(lines, 1):
        url = line.split(" #", 1)[0].strip() if not line.lstrip().startswith("#") else ""
        if not url:
            continue
        if not is_url(url):
            raise ConfigError(f"{path}:{number}: not an http:// or https:// URL: {url!r}")
        urls.append(url)
    return list(dict.fromkeys(urls))


@dataclass
class PollSummary:
    """What one poll did."""

    feeds: int = 0
    not_modified: int = 0  # feeds answering 304
    entries: int = 0  # entries in the feeds that were read
    skipped: int = 0  # seen before or already stored: not fetched
    new: int = 0
    duplicates: int = 0
    errors: list[IngestError] = field(default_factory=list)


@dataclass
class _FeedState:
    etag: str | None = None
    last_modified: str | None = None
    seen: set[str] = field(default_factory=set)  # entry keys handled in earlier polls


class Watcher:
    """Polls a fixed list of feeds into one store, remembering what it has seen.

    Args:
        store: Where articles go.
        feeds: Feed URLs.
        fetcher: Polite client shared by every poll (robots.txt cache, host limits).
        settings: Cleaning settings and chunk sizes for the store.
        on_error: Called with each problem as it happens (the CLI prints one line).
    """

    def __init__(self, store: Store, feeds: Sequence[str], *, fetcher: Fetcher,
                 settings: Settings = Settings(), html_options: HtmlOptions = DEFAULT_HTML_OPTIONS,
                 on_error: Callable[[IngestError], None] | None = None) -> None:
        self.store, self.feeds, self.fetcher = store, list(feeds), fetcher
        self.settings, self.html_options, self.on_error = settings, html_options, on_error
        self._state: dict[str, _FeedState] = {url: _FeedState() for url in self.feeds}

    def poll(self, *, progress: Progress = NullProgress()) -> PollSummary:
        """Read every feed once and store its new entries."""
        summary = PollSummary(feeds=len(self.feeds))
        for url in self.feeds:
            self._poll_feed(url, summary, progress)
        return summary

    def run(self, *, every: float, max_polls: int | None = None,
            after_poll: Callable[[int, PollSummary], None] | None = None,
            sleep: Callable[[float], None] = time.sleep) -> int:
        """Poll every `every` seconds (start to start) until `max_polls`; returns polls made."""
        done = 0
        while max_polls is None or done < max_polls:
            started = time.monotonic()
            summary = self.poll()
            done += 1
            if after_poll is not None:
                after_poll(done, summary)
            trim_heap()
            if max_polls is not None and done >= max_polls:
                break
            sleep(max(0.0, every - (time.monotonic() - started)))
        return done

    def _report(self, summary: PollSummary, error: IngestError) -> None:
        summary.errors.append(error)
        if self.on_error is not None:
            self.on_error(error)

    def _poll_feed(self, url: str, summary: PollSummary, progress: Progress) -> None:
        state = self._state[url]
        got = self.fetcher.fetch(url, etag=state.etag, last_modified=state.last_modified)
        if isinstance(got, IngestError):
            self._report(summary, got)
            return
        if got.not_modified:
            summary.not_modified += 1
            return
        try:
            feed = parse_feed(got.content, origin=url)
        except IngestError as exc:
            self._report(summary, exc)
            return
        summary.entries += len(feed.entries)
        current = {e.key for e in feed.entries if e.key}
        fresh = [e for e in feed.entries if not e.key or e.key not in state.seen]
        stored = self.store.stored_urls(e.link for e in fresh if e.link)
        todo = [e for e in fresh if not (e.link and e.link in stored)]
        done = {e.key for e in fresh if e.key and e.link in stored}
        summary.skipped += len(feed.entries) - len(todo)
        failed: list[IngestError] = []

        def items() -> Iterator[RawDocument | IngestError]:
            docs = feed_documents(feed, self.fetcher, origin=url, entries=todo, options=self.html_options)
            for entry, item in zip(todo, docs):
                if isinstance(item, IngestError):
                    failed.append(item)
                elif entry.key:
                    done.add(entry.key)
                yield item

        result = ingest_documents(self.store, items(), settings=self.settings, progress=progress,
                                  on_error=lambda e: self._report(summary, e))
        summary.new += result.new
        summary.duplicates += result.duplicates
        # forget entries that left the feed, so memory stays the size of the feeds
        state.seen = (state.seen | done) & current
        if not failed:
            state.etag, state.last_modified = got.etag, got.last_modified

