"""A polite HTTP fetcher: robots.txt, a named user agent, timeouts, retries, concurrency limits.

Sites publish feeds so that readers come back; a crawler that hammers them gets blocked, so every
request newsprism makes goes through `Fetcher`:

* it says who it is (`USER_AGENT`, with a URL to the project) and obeys robots.txt for that
  agent (fetched once per host and cached; 4xx means no rules, an unreachable robots.txt means
  "stay away" as RFC 9309 asks);
* it retries connection failures, timeouts, 429 and 5xx with exponential backoff, honouring a
  ``Retry-After`` header up to a cap;
* it never runs more than `FetchConfig.per_host` requests against one host, nor more than
  `FetchConfig.workers` in all;
* it spaces requests to a host by that host's robots.txt ``Crawl-delay`` (or ``Request-rate``),
  capped at `FetchConfig.max_crawl_delay`; in `Fetcher.fetch_many` this wait and the pause
  before a retry happen in the dispatcher, not in a fetch thread, so a slow or rate-limiting
  host never holds up the others;
* it refuses bodies over `FetchConfig.max_bytes` and schemes other than http/https.

Problems come back as `FetchError` values (an `IngestError` naming the URL), never as
exceptions, so one bad link does not stop a batch; `FetchError.transient` tells a caller that
keeps state across runs (the watcher) whether trying again later may help.
"""

from __future__ import annotations

import heapq
import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Collection, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from protego import Protego

from newsprism import __version__
from newsprism.errors import IngestError
from newsprism.ingest.read import megabytes

logger = logging.getLogger(__name__)

USER_AGENT = f"newsprism/{__version__} (+https://github.com/newsprism/newsprism)"
#: The product token robots.txt rules are matched against.
ROBOTS_AGENT = "newsprism"
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
_SCHEMES = ("http", "https")
#: robots.txt answers meaning "no rules" (RFC 9309); 429 is "come back later", not absence.
_ROBOTS_MISSING = frozenset(range(400, 500)) - {429}
_ROBOTS_UNREACHABLE = "robots.txt could not be fetched, so the site is treated as off limits"


@dataclass(frozen=True, slots=True)
class FetchConfig:
    """How politely to fetch. Tests shrink `backoff` and `timeout` so nothing sleeps for long."""

    timeout: float = 20.0  # seconds per request (connect, read, write, pool each)
    retries: int = 3  # further attempts after the first
    backoff: float = 1.0  # seconds before the first retry, doubled for each next one
    max_retry_after: float = 60.0  # cap on a server's Retry-After
    max_crawl_delay: float = 60.0  # cap on a robots.txt Crawl-delay / Request-rate interval
    per_host: int = 2  # concurrent requests to one host
    workers: int = 8  # concurrent requests in all
    max_bytes: int = 20_000_000  # largest body accepted
    user_agent: str = USER_AGENT
    obey_robots: bool = True


@dataclass(frozen=True, slots=True)
class Fetched:
    """A successful response (or a 304 when validators were sent)."""

    url: str  # as requested
    final_url: str  # after redirects
    status: int
    content: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    retry_after: float = 0.0  # seconds the server asked us to wait (429/503)

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class FetchError(IngestError):
    """A URL could not be fetched; `transient` when trying again later may help (timeouts,
    connection failures, 429/5xx), `status` the HTTP status when there was an answer."""

    def __init__(self, origin: str, problem: str, *, transient: bool = False,
                 status: int | None = None) -> None:
        super().__init__(origin, problem)
        self.transient = transient
        self.status = status


@dataclass
class _Pacer:
    """Minimum intervals between request starts, per host (robots.txt Crawl-delay).

    Each request reserves the next free start time under a lock and sleeps outside it, so
    threads fetching from one host queue up one interval apart without blocking other hosts.
    """

    clock: Callable[[], float]
    sleep: Callable[[float], None]
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _interval: dict[str, float] = field(default_factory=dict)
    _next: dict[str, float] = field(default_factory=dict)  # host -> earliest next start

    def set_interval(self, host: str, seconds: float) -> None:
        """Space `host`'s requests `seconds` apart, counting from now (the robots.txt request)."""
        with self._lock:
            self._interval[host] = seconds
            self._next[host] = max(self._next.get(host, 0.0), self.clock() + seconds)

    def wait(self, host: str) -> None:
        """Sleep until `host` may be asked again, and book the slot after this one."""
        with self._lock:
            now = self.clock()
            start = max(now, self._next.get(host, now))
            self._next[host] = start + self._interval.get(host, 0.0)
        if start > now:
            self.sleep(start - now)

    def try_book(self, host: str) -> float:
        """Book a start now if `host`'s time has come and return 0, else return the seconds left
        (booking nothing), so a dispatcher can wait for the host without a thread sleeping."""
        with self._lock:
            now = self.clock()
            start = self._next.get(host, now)
            if start > now:
                return start - now
            self._next[host] = now + self._interval.get(host, 0.0)
            return 0.0


@dataclass(frozen=True, slots=True)
class _Retry:
    """A failed attempt that gets another: the next attempt's number (from 0), the HTTP status
    of the last answer (None: no answer yet) and the seconds to pause before trying again."""

    attempt: int
    status: int | None
    pause: float


@dataclass
class _Queue:
    """One host's requests in a `Fetcher.fetch_many` batch that have not started."""

    new: deque[str] = field(default_factory=deque)  # URLs not tried yet, in the order asked for
    # retries as a heap of (not before, URL, its last attempt); URLs are unique, so never a tie
    later: list[tuple[float, str, _Retry]] = field(default_factory=list)
    robots: tuple[float, _Retry] | None = None  # (not before, last attempt) of robots.txt's retry

    def next(self, now: float) -> tuple[str, _Retry | None] | float:
        """The URL to try next (a retry that is due before a new URL), else the seconds until
        the soonest retry is due."""
        if self.later and self.later[0][0] <= now:
            return self.later[0][1], self.later[0][2]
        if self.new:
            return self.new[0], None
        return self.later[0][0] - now

    def pop(self, retry: _Retry | None) -> None:
        """Take away what `next` returned."""
        if retry is None:
            self.new.popleft()
        else:
            heapq.heappop(self.later)

    def __bool__(self) -> bool:  # robots.txt is asked for only while URLs wait for it
        return bool(self.new or self.later)


@dataclass
class _Batch:
    """`Fetcher.fetch_many`'s bookkeeping, kept by its dispatcher thread only."""

    waiting: dict[str, _Queue] = field(default_factory=dict)  # host -> requests not started
    # future -> (host, URL; None for the host's robots.txt)
    running: dict[Future[Any], tuple[str, str | None]] = field(default_factory=dict)
    busy: Counter[str] = field(default_factory=Counter)  # host -> requests in flight
    results: dict[str, Fetched | FetchError] = field(default_factory=dict)  # not yielded yet

    def start(self, future: Future[Any], host: str, url: str | None) -> None:
        self.running[future] = (host, url)
        self.busy[host] += 1

    def finish(self, done: Iterable[Future[Any]], now: float) -> None:
        """Take finished requests' results; a failed attempt that gets another goes back to its
        host's queue, not to be started before its pause (counted from `now`) is over."""
        for future in done:
            host, url = self.running.pop(future)
            self.busy[host] -= 1
            got = future.result()  # re-raises a bug in a fetch thread here
            if isinstance(got, _Retry):
                queue = self.waiting.setdefault(host, _Queue())
                if url is None:
                    queue.robots = (now + got.pause, got)
                else:
                    heapq.heappush(queue.later, (now + got.pause, url, got))
            elif url is not None:
                self.results[url] = got


@dataclass
class _Limits:
    """Per-host semaphores, made on first use."""

    per_host: int
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _hosts: dict[str, threading.Semaphore] = field(default_factory=dict)

    def host(self, netloc: str) -> threading.Semaphore:
        with self._lock:
            return self._hosts.setdefault(netloc, threading.Semaphore(self.per_host))


class Fetcher:
    """Thread-safe polite client; use as a context manager or call `close`.

    Args:
        config: Politeness settings.
        client: An httpx client to use instead of a new one (tests, proxies).
        sleep: Called with seconds to wait between retries and for a host's Crawl-delay (tests
            pass a recorder); `fetch_many` calls it only in the calling thread.
        clock: Monotonic seconds, for spacing requests and retries (tests pass a fake clock).

    Example:
        >>> with Fetcher(FetchConfig(timeout=5)) as f:  # doctest: +SKIP
        ...     got = f.fetch("https://example.org/feed.xml")
    """

    def __init__(self, config: FetchConfig = FetchConfig(), *, client: httpx.Client | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self._client = client or httpx.Client(
            timeout=config.timeout, follow_redirects=True, max_redirects=5,
            headers={"User-Agent": config.user_agent},
        )
        self._sleep, self._clock = sleep, clock
        self._limits = _Limits(config.per_host)
        self._robots: dict[str, Protego | None] = {}
        self._robots_locks = _Limits(1)
        self._pacer = _Pacer(clock, sleep)

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def fetch(self, url: str, *, etag: str | None = None,
              last_modified: str | None = None) -> Fetched | FetchError:
        """GET one URL politely; a conditional GET when `etag`/`last_modified` are given."""
        refused = _unsupported(url) or self._robots_refusal(url)
        if refused:
            return refused
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self._get(url, headers)

    def fetch_many(self, urls: Iterable[str]) -> Iterator[tuple[str, Fetched | FetchError]]:
        """Fetch URLs concurrently (within the limits); results in the order of `urls`.

        The calling thread dispatches: a host's next URL goes to the pool only when the host has
        a free slot and its Crawl-delay has passed, and a failed attempt that gets another comes
        back to the dispatcher to wait out its pause there, so pool threads never sleep for a
        slow or rate-limiting host while other hosts' URLs wait. Closing the generator early
        starts nothing more.
        """
        order = deque(dict.fromkeys(urls))
        if not order:
            return
        batch = _Batch()
        for url in order:
            if refused := _unsupported(url):
                batch.results[url] = refused
            else:
                batch.waiting.setdefault(_base(url), _Queue()).new.append(url)
        size = min(self.config.workers, len(order))
        pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="newsprism-fetch")
        try:
            while order:
                due = self._dispatch(pool, batch, size)
                if order[0] in batch.results:
                    while order and order[0] in batch.results:
                        url = order.popleft()
                        yield url, batch.results.pop(url)
                    continue  # the consumer may have taken a while: dispatch again first
                if batch.running:
                    done, _ = wait(batch.running, timeout=due, return_when=FIRST_COMPLETED)
                    batch.finish(done, self._clock())
                else:  # only Crawl-delays and pauses left to wait out (the injected sleep: fake clocks move)
                    assert due is not None, "fetch_many: nothing running and nothing due"
                    self._sleep(due)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets newsprism fetch `url`."""
        return not self._robots_problem(url)

    # -- internals ------------------------------------------------------------------------
    def _dispatch(self, pool: ThreadPoolExecutor, batch: _Batch, size: int) -> float | None:
        """Start every request that may start now, one per host a round so hosts share the pool;
        return the seconds until the soonest host now waiting only for its Crawl-delay or for
        a retry's pause."""
        soonest: float | None = None
        progress = True
        while progress and len(batch.running) < size:
            progress = False
            for host, queue in list(batch.waiting.items()):
                if len(batch.running) >= size:
                    break
                if batch.busy[host] >= self.config.per_host:
                    continue
                now = self._clock()
                if self.config.obey_robots and host not in self._robots:
                    if batch.busy[host]:  # its robots.txt is being asked for
                        continue
                    retry = None
                    if queue.robots is not None:  # it failed: tried again after its pause
                        not_before, retry = queue.robots
                        if not_before > now:
                            soonest = _sooner(soonest, not_before - now)
                            continue
                        queue.robots = None
                    # its robots.txt first: that sets the pace
                    batch.start(pool.submit(self._robots_attempt, host, retry), host, None)
                    progress = True
                    continue
                todo = queue.next(now)
                if not isinstance(todo, tuple):
                    soonest = _sooner(soonest, todo)
                    continue
                url, retry = todo
                if retry is None and (refused := self._robots_refusal(url)):  # rules cached: no request
                    batch.results[url] = refused
                elif (left := self._pacer.try_book(host)) > 0:
                    soonest = _sooner(soonest, left)
                    continue
                else:
                    batch.start(pool.submit(self._try, url, {}, retry), host, url)
                queue.pop(retry)
                progress = True
                if not queue:
                    del batch.waiting[host]
        return soonest

    def _robots_refusal(self, url: str) -> FetchError | None:
        if not self.config.obey_robots or not (problem := self._robots_problem(url)):
            return None
        # an unreachable robots.txt may come back; a Disallow rule is the site's answer
        return FetchError(url, problem, transient=problem == _ROBOTS_UNREACHABLE)

    def _rules(self, base: str) -> Protego | None:
        """`base`'s robots.txt rules (None: unreachable), loaded once; sets the host's pace."""
        with self._robots_locks.host(base):  # one robots.txt request per host, even in threads
            if base not in self._robots:
                self._learn_robots(base, self._get(f"{base}/robots.txt", {}, accept_status=_ROBOTS_MISSING))
        return self._robots[base]

    def _robots_attempt(self, base: str, retry: _Retry | None) -> _Retry | None:
        """One try at `base`'s robots.txt for `fetch_many`'s dispatcher: a `_Retry` when it
        failed and gets another, else None (the rules are known)."""
        with self._robots_locks.host(base):
            if base not in self._robots:  # else another thread has loaded them meanwhile
                got = self._try(f"{base}/robots.txt", {}, retry, accept_status=_ROBOTS_MISSING)
                if isinstance(got, _Retry):
                    return got
                self._learn_robots(base, got)
        return None

    def _robots_problem(self, url: str) -> str | None:
        base = _base(url)
        rules = self._rules(base)
        if rules is None:
            return _ROBOTS_UNREACHABLE
        if not rules.can_fetch(url, ROBOTS_AGENT):
            return f"disallowed by {base}/robots.txt"
        return None

    def _learn_robots(self, base: str, got: Fetched | FetchError) -> None:
        """Keep the rules of `base`'s robots.txt answer (None: unreachable) and the pace they
        set; the caller holds the host's robots lock."""
        rules = None
        if isinstance(got, FetchError):
            logger.info("%s", got)
        elif got.status >= 400:  # no robots.txt: everything is allowed
            rules = Protego.parse("")
        else:
            rules = Protego.parse(got.content.decode("utf-8", "replace"))
        if rules is not None and (delay := crawl_delay(rules, self.config.max_crawl_delay)):
            self._pacer.set_interval(base, delay)
        self._robots[base] = rules  # after the pace, which a dispatcher reads once it is here

    def _get(self, url: str, headers: dict[str, str], *,
             accept_status: Collection[int] = ()) -> Fetched | FetchError:
        """GET with retries in the calling thread (`fetch`, robots.txt outside `fetch_many`):
        each attempt waits for the host's Crawl-delay, each retry first for its pause."""
        base = _base(url)
        retry = None
        while True:
            self._pacer.wait(base)
            got = self._try(url, headers, retry, accept_status=accept_status)
            if not isinstance(got, _Retry):
                return got
            retry = got
            self._sleep(retry.pause)

    def _try(self, url: str, headers: dict[str, str], retry: _Retry | None = None, *,
             accept_status: Collection[int] = ()) -> Fetched | FetchError | _Retry:
        """One attempt (the first, or the one `retry` is for) holding one of the host's slots:
        the answer, the final error, or a `_Retry` when it failed and another attempt is due.

        The one place deciding on retries, for `_get` (which sleeps out the pause) and
        `fetch_many` (whose dispatcher waits it out): connection failures, timeouts, 429 and
        5xx get `FetchConfig.retries` more attempts, the n-th pausing ``backoff * 2**n``
        seconds first, or as long as the server's Retry-After asks up to `max_retry_after`.
        """
        attempt, status = (retry.attempt, retry.status) if retry else (0, None)
        with self._limits.host(urlsplit(url).netloc.lower()):
            try:
                got: Fetched | None = self._once(url, headers)
            except _TooLarge as exc:
                return FetchError(url, str(exc))
            except httpx.TimeoutException:
                problem, got = f"timed out after {self.config.timeout:g} s", None
            except httpx.HTTPError as exc:
                problem, got = f"cannot connect ({_one_line(exc)})", None
        pause = self.config.backoff * (2 ** attempt)
        if got is not None:
            if got.status < 400 or got.status in accept_status:
                return got
            problem, status = f"HTTP {got.status}", got.status
            if got.status not in _RETRY_STATUS:
                return FetchError(url, problem, status=got.status)
            pause = max(pause, min(got.retry_after, self.config.max_retry_after))
        if attempt >= self.config.retries:
            tries = attempt + 1
            return FetchError(url, f"{problem} ({tries} attempt{'s' if tries > 1 else ''})",
                              transient=True, status=status)
        logger.info("%s: %s; retrying in %.2f s", url, problem, pause)
        return _Retry(attempt + 1, status, pause)

    def _once(self, url: str, headers: dict[str, str]) -> Fetched:
        limit = self.config.max_bytes
        with self._client.stream("GET", url, headers=headers) as resp:
            size = resp.headers.get("Content-Length", "")
            if size.isdigit() and int(size) > limit:
                raise _TooLarge(f"response too large ({megabytes(int(size))} > {megabytes(limit)} limit)")
            body = bytearray()
            for chunk in resp.iter_bytes():
                body += chunk
                if len(body) > limit:
                    raise _TooLarge(f"response too large (more than {megabytes(limit)} limit)")
            return Fetched(url=url, final_url=str(resp.url), status=resp.status_code, content=bytes(body),
                           content_type=resp.headers.get("Content-Type", ""),
                           etag=resp.headers.get("ETag"), last_modified=resp.headers.get("Last-Modified"),
                           retry_after=_retry_after(resp.headers.get("Retry-After")))


def crawl_delay(rules: Protego, cap: float) -> float:
    """Seconds to leave between requests to a host whose robots.txt is `rules`, at most `cap`.

    ``Crawl-delay: 10`` means 10 s between requests and ``Request-rate: 1/5s`` one request per
    5 s; when both are given the slower wins. Both are non-standard (RFC 9309 leaves them out)
    but widely published and honoured. The cap keeps a site asking for hours between requests
    from stalling a watcher's poll: past it the host just gets our slowest pace.
    """
    delay = rules.crawl_delay(ROBOTS_AGENT) or 0.0
    rate = rules.request_rate(ROBOTS_AGENT)
    if rate is not None and rate.requests > 0:
        delay = max(delay, rate.seconds / rate.requests)
    return min(max(0.0, float(delay)), cap)


def _sooner(soonest: float | None, seconds: float) -> float:
    return seconds if soonest is None else min(soonest, seconds)


def _base(url: str) -> str:
    """scheme://netloc, lowercased: the key robots.txt rules and Crawl-delays are kept under."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def _unsupported(url: str) -> FetchError | None:
    parts = urlsplit(url)
    if parts.scheme.lower() in _SCHEMES and parts.hostname:
        return None
    return FetchError(url, f"unsupported URL (expected http:// or https://, got {parts.scheme or 'no'} scheme)")


def _retry_after(value: str | None) -> float:
    """Seconds asked for by a Retry-After header (delta-seconds or HTTP date); 0 when absent."""
    if not value:
        return 0.0
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, IndexError):
        return 0.0


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or exc.__class__.__name__


class _TooLarge(Exception):
    """Body over the limit (internal: turned into a FetchError)."""
