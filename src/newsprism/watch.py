"""Poll RSS/Atom feeds and ingest only what is new (`newsprism watch`).

Each poll makes a conditional GET per feed (ETag / Last-Modified remembered from the previous
poll), skips entries seen in an earlier poll or whose link an article in the store already has,
fetches the remaining pages politely and stores them. The validators, the seen entries, the time
and the problem of each feed's last poll are kept in the store (table ``feed_state``), so a
restarted watcher sends conditional GETs and fetches nothing it handled before.

A page that fails gets a failure record in the store (``page_failures``) and is retried on
later polls with growing backoff (`RetryPolicy`: the next poll, then 1 h, 6 h and 24 h later)
until it is stored or given up on; the give-up is reported once. A feed's validators are kept
only when every new entry of that poll was stored or given up on, so a page waiting for a retry
is not hidden behind a 304.

A failure record lasts as long as the feed whose poll wrote it lists the page: a read of that
feed that no longer lists it drops the record (a 304 or a failed read says nothing), so the
table stays the size of what the feeds list. Nothing a user needs goes: the watcher only
fetches pages its feeds list, so a record of a page no feed lists would never be read again.
While the page is listed, the record keeps it given up for any feed listing it, and each feed's
``seen`` entries keep it from that feed even after the record goes; an entry that comes back
after leaving its feed is tried afresh. The rule is per feed rather than "no watched feed lists
it" because a watcher does not know what a feed answering 304 lists (it keeps entry keys, not
links) and other watchers may share the store; records from before the store kept their feed
(migration 0007) stay.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError, IngestError
from .heap import trim_heap
from .ingest.feeds import FeedEntry, parse_feed
from .ingest.fetch import Fetcher, FetchError
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


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When a page that failed is tried again on a later poll, and when the watcher gives up.

    After its n-th failure a page waits ``delays[n-1]`` seconds (the last delay repeats): 0 is
    "the next poll", which catches the common page that is not online yet when its feed entry
    is. A transient failure (timeout, connection error, 429, 5xx, unreachable robots.txt) is
    given up after `max_failures` tries, about 31 hours with the default delays; any other
    (404, 410 and other 4xx, no article text, not HTML, too large, disallowed by robots.txt)
    after `max_permanent`, because such a page rarely gets better.
    """

    delays: tuple[float, ...] = (0.0, 3600.0, 6 * 3600.0, 24 * 3600.0)
    max_failures: int = 5
    max_permanent: int = 3

    def limit(self, error: IngestError) -> int:
        """Failures after which the page of `error` is given up."""
        return self.max_failures if is_transient(error) else self.max_permanent

    def delay(self, failures: int) -> float:
        """Seconds to wait after the `failures`-th failure (1-based)."""
        return self.delays[min(failures, len(self.delays)) - 1] if self.delays else 0.0


def is_transient(error: IngestError) -> bool:
    """Whether trying again later may help (see `RetryPolicy`)."""
    return isinstance(error, FetchError) and error.transient


@dataclass
class PollSummary:
    """What one poll did."""

    feeds: int = 0
    not_modified: int = 0  # feeds answering 304
    entries: int = 0  # entries in the feeds that were read
    skipped: int = 0  # seen before, already stored or given up on: not fetched
    waiting: int = 0  # failed before and not due for a retry yet: not fetched
    new: int = 0
    duplicates: int = 0
    gave_up: int = 0  # pages given up on in this poll (each also in `errors`)
    errors: list[IngestError] = field(default_factory=list)


@dataclass
class _FeedState:
    """A feed's row of the store's ``feed_state`` table."""

    etag: str | None = None
    last_modified: str | None = None
    seen: set[str] = field(default_factory=set)  # entry keys handled in earlier polls
    polled_at: float | None = None
    error: str | None = None


class Watcher:
    """Polls a fixed list of feeds into one store, remembering what it has seen.

    Args:
        store: Where articles go.
        feeds: Feed URLs.
        fetcher: Polite client shared by every poll (robots.txt cache, host limits).
        settings: Cleaning settings and chunk sizes for the store.
        on_error: Called with each problem as it happens (the CLI prints one line).
        retry: When failed pages are tried again and given up on.
        clock: Unix time now; kept in the store, so wall-clock time (tests pass a fake one).
    """

    def __init__(self, store: Store, feeds: Sequence[str], *, fetcher: Fetcher,
                 settings: Settings = Settings(), html_options: HtmlOptions = DEFAULT_HTML_OPTIONS,
                 on_error: Callable[[IngestError], None] | None = None,
                 retry: RetryPolicy = RetryPolicy(), clock: Callable[[], float] = time.time) -> None:
        self.store, self.feeds, self.fetcher = store, list(feeds), fetcher
        self.settings, self.html_options, self.on_error = settings, html_options, on_error
        self.retry, self.clock = retry, clock
        saved = store.feed_states(self.feeds)
        self._state: dict[str, _FeedState] = {}
        for url in self.feeds:
            row = saved.get(url)
            self._state[url] = _FeedState() if row is None else _FeedState(
                etag=row["etag"], last_modified=row["last_modified"], seen=set(row["seen"]),
                polled_at=row["polled_at"], error=row["error"])

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

    def _save(self, url: str, state: _FeedState, now: float, error: IngestError | None = None) -> None:
        state.polled_at, state.error = now, None if error is None else str(error)
        self.store.save_feed_state(url, etag=state.etag, last_modified=state.last_modified,
                                   seen=state.seen, polled_at=now, error=state.error)

    def _poll_feed(self, url: str, summary: PollSummary, progress: Progress) -> None:
        state = self._state[url]
        got = self.fetcher.fetch(url, etag=state.etag, last_modified=state.last_modified)
        now = self.clock()
        if isinstance(got, IngestError):
            self._save(url, state, now, got)
            self._report(summary, got)
            return
        if got.not_modified:
            summary.not_modified += 1
            self._save(url, state, now)
            return
        try:
            feed = parse_feed(got.content, origin=url)
        except IngestError as exc:
            self._save(url, state, now, exc)
            self._report(summary, exc)
            return
        summary.entries += len(feed.entries)
        current = {e.key for e in feed.entries if e.key}
        fresh = [e for e in feed.entries if not e.key or e.key not in state.seen]
        stored = self.store.stored_urls(e.link for e in fresh if e.link)
        unstored = [e for e in fresh if not (e.link and e.link in stored)]
        done = {e.key for e in fresh if e.key and e.link in stored}
        records = self.store.page_failures(t for e in unstored if (t := _target(e)))
        todo: list[FeedEntry] = []
        waiting = 0
        for entry in unstored:
            record = records.get(_target(entry) or "")
            if record is None or (record["retry_at"] is not None and record["retry_at"] <= now):
                todo.append(entry)
            elif record["retry_at"] is None:  # given up in an earlier poll (or by another feed)
                if entry.key:
                    done.add(entry.key)
            else:
                waiting += 1
        summary.waiting += waiting
        summary.skipped += len(feed.entries) - len(todo) - waiting
        failed: list[IngestError] = []
        changed: dict[str, dict] = {}  # page url -> its new failure record
        recovered: list[str] = []  # pages with a failure record that are now stored

        def failure(entry: FeedEntry, error: IngestError) -> IngestError:
            """Record a failed page; the error to report says when it is tried again."""
            target = _target(entry)
            if target is None:  # nothing identifies it across polls: tried again every poll
                failed.append(error)
                return error
            record = records.get(target)
            count = (record["failures"] if record else 0) + 1
            limit = self.retry.limit(error)
            if count >= limit:
                changed[target] = {"failures": count, "error": error.problem, "retry_at": None}
                summary.gave_up += 1
                if entry.key:
                    done.add(entry.key)
                return IngestError(error.origin, f"{error.problem}; giving up after {count} failures")
            wait = self.retry.delay(count)
            changed[target] = {"failures": count, "error": error.problem, "retry_at": now + wait}
            failed.append(error)
            return IngestError(error.origin, f"{error.problem} (failure {count} of {limit}; "
                                             f"trying again {_after(wait)})")

        def items() -> Iterator[RawDocument | IngestError]:
            docs = feed_documents(feed, self.fetcher, origin=url, entries=todo, options=self.html_options)
            for entry, item in zip(todo, docs):
                if isinstance(item, IngestError):
                    item = failure(entry, item)
                else:
                    if entry.key:
                        done.add(entry.key)
                    if (target := _target(entry)) is not None and target in records:
                        recovered.append(target)
                yield item

        result = ingest_documents(self.store, items(), settings=self.settings, progress=progress,
                                  on_error=lambda e: self._report(summary, e))
        summary.new += result.new
        summary.duplicates += result.duplicates
        self.store.save_page_failures(changed, feed=url)
        self.store.forget_page_failures(recovered)
        self.store.forget_unlisted_page_failures(url, (t for e in feed.entries if (t := _target(e))))
        # forget entries that left the feed, so the state stays the size of the feeds
        state.seen = (state.seen | done) & current
        if not failed and not waiting:
            state.etag, state.last_modified = got.etag, got.last_modified
        self._save(url, state, now)


def _target(entry: FeedEntry) -> str | None:
    """What a failure record is kept under: the page url, else the entry's guid."""
    return entry.link or entry.key


def _after(seconds: float) -> str:
    """A retry delay in words: "next poll", "in 1 h", "in 30 min"."""
    if seconds <= 0:
        return "next poll"
    if seconds >= 3600:
        return f"in {seconds / 3600:g} h"
    return f"in {max(1, round(seconds / 60))} min"
