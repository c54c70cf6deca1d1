"""RSS/Atom feeds, the polite fetcher and `newsprism watch`, against a loopback HTTP server.

Every feed and page is written by the tests and served on 127.0.0.1 by a server started here;
nothing touches the internet. The server logs each request so tests can prove what was (not)
fetched.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from typer.testing import CliRunner

from newsprism.cli import app
from newsprism.errors import ConfigError, IngestError
from newsprism.ingest import expand_inputs, iter_documents
from newsprism.ingest.fetch import USER_AGENT, FetchConfig, Fetched, Fetcher, FetchError
from newsprism.models import RawDocument
from newsprism.store import open_store
from newsprism.watch import RetryPolicy, Watcher, parse_interval, read_feed_list

runner = CliRunner()
FAST = FetchConfig(timeout=0.5, retries=2, backoff=0.001, max_retry_after=0.01)

PARAS = {
    "strike": ["Dockworkers at the northern harbour ended a nine-day strike on Friday after union "
               "leaders accepted a pay offer of 6 percent over two years.",
               "The harbour authority said 41 ships had been waiting to unload and that normal "
               "operations would resume by Monday morning.",
               "Union secretary Ana Lopes told reporters that members would vote on the deal next week."],
    "bridge": ["The city council approved a new pedestrian bridge across the river on Thursday, "
               "with 23 votes in favour and 8 against.",
               "Construction of the 140-metre bridge is expected to start in the spring and to "
               "cost about 12 million euros.",
               "Opponents said the money should go to repairing existing roads in the eastern districts."],
    "storm": ["A storm brought down power lines across the coastal region overnight, leaving "
              "about 18,000 homes without electricity on Tuesday.",
              "Repair crews worked through the morning and the grid operator expected most homes "
              "to be reconnected by the evening.",
              "Schools in three towns stayed closed as a precaution."],
}


def page(title: str, key: str, *, published: str = "2024-03-08T09:30:00+01:00") -> bytes:
    body = "".join(f"<p>{p}</p>" for p in PARAS[key])
    return (f"<html lang='en'><head><title>{title}</title>"
            f"<meta property='article:published_time' content='{published}'></head>"
            f"<body><nav>Home | World | Sport</nav><article><h1>{title}</h1>{body}</article>"
            f"<footer>Copyright Harbour Times</footer></body></html>").encode()


def rss(items: list[dict], *, site: str = "https://www.harbour-times.com/") -> bytes:
    out = []
    for it in items:
        parts = [f"<title>{it['title']}</title>"]
        for tag in ("link", "guid", "pubDate"):
            if tag in it:
                parts.append(f"<{tag}>{it[tag]}</{tag}>")
        if "description" in it:
            parts.append(f"<description><![CDATA[{it['description']}]]></description>")
        if "content" in it:
            parts.append(f"<content:encoded><![CDATA[{it['content']}]]></content:encoded>")
        out.append("<item>" + "".join(parts) + "</item>")
    return ("<?xml version='1.0' encoding='utf-8'?>"
            "<rss version='2.0' xmlns:content='http://purl.org/rss/1.0/modules/content/'><channel>"
            f"<title>Harbour Times</title><link>{site}</link><language>en-gb</language>"
            + "".join(out) + "</channel></rss>").encode()


def atom() -> bytes:
    content = "".join(f"&lt;p&gt;{p}&lt;/p&gt;" for p in PARAS["bridge"])
    return ("<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
            "<title>City Desk</title><link href='https://citydesk.example.org/'/>"
            "<id>urn:city</id><updated>2024-03-07T18:00:00Z</updated>"
            "<entry><title>Council approves river bridge</title>"
            "<link href='https://citydesk.example.org/news/bridge'/><id>urn:city:bridge</id>"
            "<updated>2024-03-07T18:00:00Z</updated><published>2024-03-07T17:45:00Z</published>"
            "<author><name>Mira Holm</name></author>"
            f"<content type='html'>{content}</content></entry></feed>").encode()


# -- loopback server ----------------------------------------------------------------------------
@dataclass
class Site:
    """Routes served by the test server and the log of requests it received."""

    routes: dict[str, tuple[int, str, bytes]] = field(default_factory=dict)
    log: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)  # (method, path, headers)
    arrivals: list[tuple[str, float]] = field(default_factory=list)  # (path, time.monotonic())
    flaky: dict[str, int] = field(default_factory=dict)  # path -> 503s still to send
    limited: dict[str, int] = field(default_factory=dict)  # path -> 429s (Retry-After: 60) still to send
    slow: set[str] = field(default_factory=set)
    etags: dict[str, str] = field(default_factory=dict)
    base: str = ""

    def url(self, path: str) -> str:
        return self.base + path

    def paths(self) -> list[str]:
        return [p for _, p, _ in self.log]


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            site.arrivals.append((self.path, time.monotonic()))
            site.log.append(("GET", self.path, dict(self.headers)))
            if self.path in site.slow:
                time.sleep(1.5)
            if site.flaky.get(self.path, 0) > 0:
                site.flaky[self.path] -= 1
                return self._send(503, "text/plain", b"busy", {"Retry-After": "0"})
            if site.limited.get(self.path, 0) > 0:
                site.limited[self.path] -= 1
                return self._send(429, "text/plain", b"slow down", {"Retry-After": "60"})
            if self.path not in site.routes:
                return self._send(404, "text/plain", b"not found")
            status, kind, body = site.routes[self.path]
            tag = site.etags.get(self.path)
            if tag and self.headers.get("If-None-Match") == tag:
                return self._send(304, kind, b"", {"ETag": tag})
            self._send(status, kind, body, {"ETag": tag} if tag else {})

        def _send(self, status: int, kind: str, body: bytes, headers: dict[str, str] | None = None) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@contextmanager
def _serve() -> Iterator[Site]:
    s = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(s))
    server.daemon_threads = True
    s.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    s.routes["/robots.txt"] = (200, "text/plain", b"User-agent: *\nDisallow: /private/\n")
    try:
        yield s
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def site() -> Iterator[Site]:
    with _serve() as s:
        yield s


@pytest.fixture
def other_site() -> Iterator[Site]:
    """A second host (another port: another scheme://netloc to robots.txt and the limits)."""
    with _serve() as s:
        yield s


def _serve_news(site: Site) -> None:
    """A feed linking to a good page, a robots-disallowed page (with full content in the feed) and
    a missing page (summary only)."""
    html = "text/html; charset=utf-8"
    site.routes["/news/strike"] = (200, html, page("Harbour strike ends after pay deal", "strike"))
    site.routes["/private/storm"] = (200, html, page("Storm cuts power", "storm"))
    site.routes["/feed.xml"] = (200, "application/rss+xml", rss([
        {"title": "Harbour strike ends", "link": site.url("/news/strike"), "guid": "ht-1",
         "pubDate": "Fri, 08 Mar 2024 08:30:00 +0000", "description": "The strike is over."},
        {"title": "Storm cuts power to 18,000 homes", "link": site.url("/private/storm"), "guid": "ht-2",
         "pubDate": "Tue, 05 Mar 2024 06:00:00 +0000",
         "content": "".join(f"<p>{p}</p>" for p in PARAS["storm"])},
        {"title": "Gone page", "link": site.url("/news/gone"), "guid": "ht-3",
         "description": "Teaser only."},
    ]))
    site.etags["/feed.xml"] = '"v1"'


# -- feed files ---------------------------------------------------------------------------------
def _docs(items: list[RawDocument | IngestError]) -> tuple[list[RawDocument], list[IngestError]]:
    return ([i for i in items if isinstance(i, RawDocument)], [i for i in items if isinstance(i, IngestError)])


def test_rss_file_uses_full_content_else_summary(tmp_path):
    path = tmp_path / "harbour.rss"
    path.write_bytes(rss([
        {"title": "Harbour strike ends", "link": "https://www.harbour-times.com/news/strike", "guid": "ht-1",
         "pubDate": "Fri, 08 Mar 2024 09:30:00 +0100", "description": "The strike is over.",
         "content": "".join(f"<p>{p}</p>" for p in PARAS["strike"])},
        {"title": "Storm cuts power", "link": "https://news.coastline.co.uk/storm", "guid": "c-9",
         "pubDate": "Tue, 05 Mar 2024 06:00:00 GMT", "description": "<p>About 18,000 homes lost power.</p>"},
    ]))
    docs, errors = _docs(list(iter_documents([str(path)])))
    assert not errors
    strike, storm = docs
    assert strike.title == "Harbour strike ends"
    assert strike.url == "https://www.harbour-times.com/news/strike"
    assert strike.outlet == "harbour-times.com"
    assert strike.published_at == datetime(2024, 3, 8, 9, 30, tzinfo=timezone(timedelta(hours=1)))
    assert "nine-day strike" in strike.text and "vote on the deal" in strike.text
    assert strike.origin == f"{path}#entry-1" and strike.format == "feed" and strike.source_id == "ht-1"
    assert strike.language == "en"
    assert storm.text == "About 18,000 homes lost power."  # summary when there is no full content
    assert storm.outlet == "coastline.co.uk"
    assert storm.published_at == datetime(2024, 3, 5, 6, 0, tzinfo=timezone.utc)
    assert strike.date_source == storm.date_source == "page"  # the entry's own date, no fetch time


def test_atom_file(tmp_path):
    path = tmp_path / "city.atom"
    path.write_bytes(atom())
    docs, errors = _docs(list(iter_documents([str(path)])))
    assert not errors and len(docs) == 1
    d = docs[0]
    assert (d.title, d.url, d.outlet, d.byline) == ("Council approves river bridge",
                                                   "https://citydesk.example.org/news/bridge",
                                                   "example.org", "Mira Holm")
    assert d.published_at == datetime(2024, 3, 7, 17, 45, tzinfo=timezone.utc)
    assert "pedestrian bridge" in d.text and "eastern districts" in d.text


def test_xml_is_read_only_when_it_is_a_feed(tmp_path):
    (tmp_path / "feed.xml").write_bytes(atom())
    (tmp_path / "sitemap.xml").write_bytes(b"<?xml version='1.0'?><urlset><url><loc>x</loc></url></urlset>")
    items = expand_inputs([str(tmp_path)])
    assert [p.name for p in items] == ["feed.xml"]
    named = expand_inputs([str(tmp_path / "sitemap.xml")])
    assert isinstance(named[0], IngestError) and "sitemap.xml" in str(named[0])


def test_malformed_feed_is_one_error_line(tmp_path):
    (tmp_path / "broken.rss").write_bytes(b"<html><body>this is not a feed at all</body></html>")
    res = runner.invoke(app, ["ingest", str(tmp_path / "broken.rss"), "--db", str(tmp_path / "s.db")])
    assert res.exit_code == 1
    errors = [line for line in res.stderr.splitlines() if line.startswith("error")]
    assert len(errors) == 1 and "broken.rss" in errors[0] and "not a readable RSS/Atom feed" in errors[0]


def test_entry_without_text_is_reported_and_the_rest_ingested(tmp_path):
    path = tmp_path / "mixed.rss"
    path.write_bytes(rss([
        {"title": "Empty one", "link": "https://www.harbour-times.com/empty", "guid": "e"},
        {"title": "Harbour strike ends", "link": "https://www.harbour-times.com/news/strike",
         "content": "".join(f"<p>{p}</p>" for p in PARAS["strike"])},
    ]))
    db = str(tmp_path / "s.db")
    res = runner.invoke(app, ["ingest", str(path), "--db", db, "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["new"] == 1
    errors = [line for line in res.stderr.splitlines() if line.startswith("error")]
    assert len(errors) == 1 and "mixed.rss#entry-1" in errors[0] and "'Empty one'" in errors[0]
    [art] = open_store(db).articles()
    assert art.title == "Harbour strike ends" and art.outlet == "harbour-times.com"


def test_gzipped_feed_files(tmp_path):
    items = [{"title": "Harbour strike ends", "link": "https://www.harbour-times.com/news/strike",
              "content": "".join(f"<p>{p}</p>" for p in PARAS["strike"])}]
    (tmp_path / "harbour.rss.gz").write_bytes(gzip.compress(rss(items)))
    (tmp_path / "city.atom.gz").write_bytes(gzip.compress(atom()))
    (tmp_path / "feed.xml.gz").write_bytes(gzip.compress(atom()))
    (tmp_path / "sitemap.xml.gz").write_bytes(gzip.compress(b"<?xml version='1.0'?><urlset></urlset>"))
    assert [p.name for p in expand_inputs([str(tmp_path)])] == ["city.atom.gz", "feed.xml.gz", "harbour.rss.gz"]
    docs, errors = _docs(list(iter_documents([str(tmp_path / "harbour.rss.gz"), str(tmp_path / "city.atom.gz")])))
    assert not errors
    assert [d.title for d in docs] == ["Harbour strike ends", "Council approves river bridge"]
    assert "nine-day strike" in docs[0].text and docs[0].origin == f"{tmp_path / 'harbour.rss.gz'}#entry-1"
    # the size limit applies to the decompressed feed, not only to the small file on disk
    big = tmp_path / "big.rss.gz"
    big.write_bytes(gzip.compress(rss(items * 50)))
    assert big.stat().st_size < 2000
    [error] = list(iter_documents([str(big)], max_bytes=2000))
    assert isinstance(error, IngestError) and "once decompressed" in error.problem


def test_corrupt_gzipped_feed_is_one_error_line(tmp_path):
    (tmp_path / "bad.rss.gz").write_bytes(b"this is not gzip data")
    whole = gzip.compress(rss([{"title": "T", "link": "https://a.example.org/x", "description": "d" * 3000}]))
    (tmp_path / "cut.atom.gz").write_bytes(whole[: len(whole) // 2])
    (tmp_path / "bad.xml.gz").write_bytes(b"\x1f\x8b not really")
    res = runner.invoke(app, ["ingest", str(tmp_path), "--db", str(tmp_path / "s.db")])
    assert res.exit_code == 1
    errors = [line for line in res.stderr.splitlines() if line.startswith("error")]
    assert len(errors) == 3, res.stderr
    assert all("invalid gzip data" in line for line in errors)
    assert {n for n in ("bad.rss.gz", "cut.atom.gz", "bad.xml.gz") for line in errors if n in line} == {
        "bad.rss.gz", "cut.atom.gz", "bad.xml.gz"}
    assert any("truncated" in line for line in errors if "cut.atom.gz" in line)


# -- the fetcher --------------------------------------------------------------------------------
def test_fetcher_retries_503_with_backoff_and_names_itself(site):
    site.routes["/flaky"] = (200, "text/plain", b"ok")
    site.flaky["/flaky"] = 1
    waits: list[float] = []
    with Fetcher(FAST, sleep=waits.append) as f:
        got = f.fetch(site.url("/flaky"))
    assert isinstance(got, Fetched) and got.content == b"ok"
    assert site.paths() == ["/robots.txt", "/flaky", "/flaky"]
    assert waits == [pytest.approx(0.001)]
    assert all(h.get("User-Agent") == USER_AGENT for _, _, h in site.log)
    assert USER_AGENT.startswith("newsprism/") and "+https://" in USER_AGENT


def test_fetcher_gives_up_with_one_line_errors(site):
    site.flaky["/down"] = 10
    site.routes["/slow"] = (200, "text/plain", b"late")
    site.slow.add("/slow")
    site.routes["/big"] = (200, "text/plain", b"x" * 5000)
    waits: list[float] = []
    config = FetchConfig(timeout=0.3, retries=2, backoff=0.001, max_retry_after=0.01, max_bytes=1000)
    with Fetcher(config, sleep=waits.append) as f:
        results = dict(f.fetch_many([site.url(p) for p in ("/down", "/missing", "/slow", "/big")]))
        ftp = f.fetch("ftp://127.0.0.1/file")
    down, missing, slow, big = (results[site.url(p)] for p in ("/down", "/missing", "/slow", "/big"))
    assert str(down) == f"{site.url('/down')}: HTTP 503 (3 attempts)"
    assert str(missing) == f"{site.url('/missing')}: HTTP 404"  # not retried
    assert "timed out" in str(slow) and "\n" not in str(slow)
    assert "response too large" in str(big)
    assert isinstance(ftp, IngestError) and "http://" in ftp.problem
    assert site.paths().count("/missing") == 1 and site.paths().count("/down") == 3
    assert site.paths().count("/robots.txt") == 1  # cached per host
    assert waits and max(waits) <= 0.01
    # what a watcher needs to decide whether a later poll should try again
    assert down.transient and slow.transient and down.status == 503
    assert not missing.transient and missing.status == 404 and not big.transient


def test_fetcher_obeys_robots(site):
    site.routes["/private/x"] = (200, "text/plain", b"secret")
    with Fetcher(FAST) as f:
        got = f.fetch(site.url("/private/x"))
    assert isinstance(got, IngestError) and "robots.txt" in got.problem
    assert "/private/x" not in site.paths()


@dataclass
class FakeClock:
    """Monotonic time that moves only when something sleeps; records each sleep."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.mark.parametrize("many", [False, True], ids=["fetch", "fetch_many"])
@pytest.mark.parametrize(("robots", "waits"), [
    ("Crawl-delay: 2", [2, 2, 2]),  # the first page waits after the robots.txt request too
    ("Request-rate: 1/5s", [5, 5, 5]),
    ("Crawl-delay: 1\nRequest-rate: 1/4s", [4, 4, 4]),  # the slower of the two
    ("Crawl-delay: 86400", [60, 60, 60]),  # capped (FetchConfig.max_crawl_delay)
    ("Disallow: /private/", []),
])
def test_fetcher_honours_crawl_delay(site, robots, waits, many):
    site.routes["/robots.txt"] = (200, "text/plain", f"User-agent: *\n{robots}\n".encode())
    for name in ("a", "b", "c"):
        site.routes[f"/{name}"] = (200, "text/plain", name.encode())
    clock = FakeClock()
    urls = [site.url(f"/{name}") for name in ("a", "b", "c")]
    with Fetcher(FAST, sleep=clock.sleep, clock=clock.time) as f:
        got = [g for _, g in f.fetch_many(urls)] if many else [f.fetch(u) for u in urls]
    assert all(isinstance(g, Fetched) for g in got)
    assert clock.sleeps == pytest.approx(waits)
    paths = site.paths()
    if many and not waits:  # nothing spaces them: two may be in flight at once
        paths = paths[:1] + sorted(paths[1:])
    assert paths == ["/robots.txt", "/a", "/b", "/c"]


@pytest.mark.parametrize("many", [False, True], ids=["fetch", "fetch_many"])
def test_crawl_delay_spaces_retries_too(site, many):
    site.routes["/robots.txt"] = (200, "text/plain", b"User-agent: newsprism\nCrawl-delay: 3\n")
    site.routes["/flaky"] = (200, "text/plain", b"ok")
    site.flaky["/flaky"] = 1
    clock = FakeClock()
    with Fetcher(FAST, sleep=clock.sleep, clock=clock.time) as f:
        url = site.url("/flaky")
        assert isinstance(dict(f.fetch_many([url]))[url] if many else f.fetch(url), Fetched)
    # 3 s after robots.txt; then the 0.001 s backoff, topped up to the 3 s interval
    assert clock.sleeps == pytest.approx([3, 0.001, 2.999])


def _gaps(site: Site, paths: set[str]) -> list[float]:
    starts = [t for p, t in site.arrivals if p in paths]
    return [b - a for a, b in zip(starts, starts[1:])]


def test_slow_host_does_not_hold_up_fast_host(site, other_site):
    """A 1 s Crawl-delay host listed first: its waits happen in the dispatcher (the calling
    thread), not in the two pool threads, so the fast host is done long before it."""
    site.routes["/robots.txt"] = (200, "text/plain", b"User-agent: *\nCrawl-delay: 1\n")
    slow = [f"/slow/{i}" for i in range(3)]
    fast = [f"/fast/{i}" for i in range(4)]
    for path in slow:
        site.routes[path] = (200, "text/plain", path.encode())
    for path in fast:
        other_site.routes[path] = (200, "text/plain", path.encode())
    urls = [site.url(p) for p in slow] + [other_site.url(p) for p in fast]
    sleepers: list[str] = []

    def sleep(seconds: float) -> None:
        sleepers.append(threading.current_thread().name)
        time.sleep(seconds)

    with Fetcher(FetchConfig(timeout=5, retries=0, workers=2, per_host=2), sleep=sleep) as f:
        got = list(f.fetch_many(urls + urls[:2]))  # duplicates dropped
    assert [u for u, _ in got] == urls  # the order asked for, though the fast host finished first
    assert [g.content.decode() for _, g in got] == slow + fast  # type: ignore[union-attr]
    assert sleepers and set(sleepers) == {threading.current_thread().name}
    # a pool thread sleeping out the delay would leave the fast pages until after the second slow one
    second_slow = sorted(t for p, t in site.arrivals if p in slow)[1]
    assert all(t < second_slow for p, t in other_site.arrivals if p in fast)
    assert sorted(other_site.paths()) == sorted(["/robots.txt", *fast])
    # the slow host's starts (robots.txt included) are still a Crawl-delay apart
    assert site.paths() == ["/robots.txt", *slow]
    assert min(_gaps(site, {"/robots.txt", *slow})) >= 1 - 0.05


def test_fetch_many_closed_early_starts_nothing_more(site, other_site):
    site.routes["/robots.txt"] = (200, "text/plain", b"User-agent: *\nCrawl-delay: 30\n")
    site.routes["/slow"] = (200, "text/plain", b"slow")
    other_site.routes["/fast"] = (200, "text/plain", b"fast")
    with Fetcher(FetchConfig(timeout=5, retries=0)) as f:
        pages = f.fetch_many([other_site.url("/fast"), site.url("/slow")])
        url, first = next(pages)
        pages.close()  # returns without waiting out the 30 s Crawl-delay
    assert url == other_site.url("/fast") and isinstance(first, Fetched) and first.content == b"fast"
    assert site.paths() == ["/robots.txt"]
    assert not [t for t in threading.enumerate() if t.name.startswith("newsprism-fetch")]


def _thread_sleep(sleepers: list[str]):  # type: ignore[no-untyped-def]
    """A real sleep that records which thread called it."""
    def sleep(seconds: float) -> None:
        sleepers.append(threading.current_thread().name)
        time.sleep(seconds)
    return sleep


def test_rate_limited_host_waits_in_the_dispatcher(site, other_site):
    """Pages answering 429 with Retry-After: the pause before each retry is waited out by the
    dispatcher (the calling thread), not by the two pool threads, so the other host's pages are
    fetched meanwhile."""
    busy = ["/busy/0", "/busy/1"]
    pages = [f"/page/{i}" for i in range(4)]
    for path in busy:
        site.routes[path] = (200, "text/plain", path.encode())
        site.limited[path] = 1
    for path in pages:
        other_site.routes[path] = (200, "text/plain", path.encode())
    urls = [site.url(p) for p in busy] + [other_site.url(p) for p in pages]
    sleepers: list[str] = []
    config = FetchConfig(timeout=5, retries=2, backoff=0.01, max_retry_after=0.5, workers=2, per_host=2)
    with Fetcher(config, sleep=_thread_sleep(sleepers)) as f:
        got = list(f.fetch_many(urls))
    assert [u for u, _ in got] == urls
    assert [g.content.decode() for _, g in got] == busy + pages  # type: ignore[union-attr]
    assert sleepers and set(sleepers) == {threading.current_thread().name}
    assert [site.paths().count(p) for p in busy] == [2, 2]
    first = {p: t for p, t in reversed(site.arrivals) if p in busy}
    retried = {p: t for p, t in site.arrivals if p in busy}  # the later arrival of each
    # pool threads sleeping out the 0.5 s would leave the other host's pages until after the retries
    assert all(t < min(retried.values()) for p, t in other_site.arrivals if p in pages)
    # the retries still wait for the Retry-After (capped at 0.5 s)
    assert all(retried[p] - first[p] >= 0.5 - 0.05 for p in busy)


@pytest.mark.parametrize("many", [False, True], ids=["fetch", "fetch_many"])
def test_retries_count_and_pause_as_before(site, many):
    """robots.txt 429 once, the page 429 for good: the same attempts, pauses (backoff doubling,
    raised to Retry-After capped at max_retry_after) and error either way, every pause slept in
    the calling thread."""
    site.routes["/limited"] = (200, "text/plain", b"ok")
    site.limited |= {"/robots.txt": 1, "/limited": 10}
    clock = FakeClock()
    sleepers: list[str] = []

    def sleep(seconds: float) -> None:
        sleepers.append(threading.current_thread().name)
        clock.sleep(seconds)

    config = FetchConfig(timeout=5, retries=3, backoff=2, max_retry_after=5)
    with Fetcher(config, sleep=sleep, clock=clock.time) as f:
        url = site.url("/limited")
        got = dict(f.fetch_many([url]))[url] if many else f.fetch(url)
    assert isinstance(got, FetchError)
    assert str(got) == f"{url}: HTTP 429 (4 attempts)"
    assert got.transient and got.status == 429
    assert site.paths() == ["/robots.txt"] * 2 + ["/limited"] * 4
    # robots.txt: max(2, 5); the page: max(2, 5), max(4, 5), max(8, 5)
    assert clock.sleeps == pytest.approx([5, 5, 5, 8])
    assert set(sleepers) == {threading.current_thread().name}


def test_fetch_many_closed_while_a_retry_waits(site, other_site):
    """Closed while a 429 page waits 30 s for its retry: nothing more is slept or retried."""
    site.routes["/limited"] = (200, "text/plain", b"ok")
    site.limited["/limited"] = 1
    other_site.routes["/slow"] = (200, "text/plain", b"slow")
    other_site.slow.add("/slow")  # answers after 1.5 s: the 429 has come back by then
    sleeps: list[float] = []
    with Fetcher(FetchConfig(timeout=5, retries=1, max_retry_after=30), sleep=sleeps.append) as f:
        pages = f.fetch_many([other_site.url("/slow"), site.url("/limited")])
        url, first = next(pages)
        pages.close()
    assert url == other_site.url("/slow") and isinstance(first, Fetched)
    assert site.paths() == ["/robots.txt", "/limited"]
    assert sleeps == []  # the pause was never waited out: closing returned without it
    assert not [t for t in threading.enumerate() if t.name.startswith("newsprism-fetch")]


# -- feed URLs ----------------------------------------------------------------------------------
def test_feed_url_ingest_fetches_pages_politely(site, tmp_path):
    _serve_news(site)
    db = str(tmp_path / "s.db")
    res = runner.invoke(app, ["ingest", site.url("/feed.xml"), "--db", db, "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) | {"articles_in_store": 2} == {
        "read": 2, "new": 2, "duplicates": 0, "errors": 1, "articles_in_store": 2}
    errors = [line for line in res.stderr.splitlines() if line.startswith("error")]
    assert len(errors) == 1 and site.url("/news/gone") in errors[0] and "HTTP 404" in errors[0]
    arts = {a.url: a for a in open_store(db).articles()}
    strike = arts[site.url("/news/strike")]
    assert strike.title == "Harbour strike ends after pay deal"  # from the page
    assert "nine-day strike" in strike.text and "Home | World" not in strike.raw
    assert strike.outlet == "harbour-times.com"  # the entry link is an IP: the feed's site names it
    assert strike.published_at == datetime(2024, 3, 8, 9, 30, tzinfo=timezone(timedelta(hours=1)))
    assert strike.date_source == "page"
    storm = arts[site.url("/private/storm")]  # robots.txt: feed content used, page never asked for
    assert "18,000 homes" in storm.text and storm.title == "Storm cuts power to 18,000 homes"
    assert "/private/storm" not in site.paths()
    assert site.paths().count("/robots.txt") == 1


def test_page_url_is_one_article(site, tmp_path):
    site.routes["/news/bridge"] = (200, "text/html", page("Council approves bridge", "bridge"))
    docs, errors = _docs(list(iter_documents([site.url("/news/bridge")])))
    assert not errors and docs[0].title == "Council approves bridge" and docs[0].url == site.url("/news/bridge")


# -- watch --------------------------------------------------------------------------------------
def test_parse_interval_and_feed_list(tmp_path):
    assert [parse_interval(v) for v in ("15m", "30s", "1h", "1h30m", "90", "0s")] == [900, 30, 3600, 5400, 90, 0]
    for bad in ("", "soon", "15x", "m15"):
        with pytest.raises(ConfigError):
            parse_interval(bad)
    lst = tmp_path / "feeds.txt"
    lst.write_text("# my feeds\n\nhttps://a.example.org/rss  # news\nhttps://a.example.org/rss\n http://b.example.org/atom\n")
    assert read_feed_list(lst) == ["https://a.example.org/rss", "http://b.example.org/atom"]
    lst.write_text("https://a.example.org/rss\nnot-a-url\n")
    with pytest.raises(ConfigError, match="feeds.txt:2"):
        read_feed_list(lst)


def test_watch_once_twice_fetches_only_new_pages(site, tmp_path):
    _serve_news(site)
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(f"# test feeds\n{site.url('/feed.xml')}\n")
    db = str(tmp_path / "s.db")
    args = ["watch", str(feeds), "--once", "--no-process", "--db", db]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "poll 1: 1 feeds (0 unchanged), 2 new" in res.stderr
    assert open_store(db).count_articles() == 2
    assert site.paths().count("/news/strike") == 1

    site.log.clear()
    res = runner.invoke(app, args)  # a new process: no memory, the store knows the urls
    assert res.exit_code == 0, res.output
    assert "0 new, 2 seen before" in res.stderr
    assert "/news/strike" not in site.paths() and "/private/storm" not in site.paths()
    assert site.paths().count("/news/gone") == 1  # the failed entry is tried again
    assert open_store(db).count_articles() == 2


def test_watcher_conditional_get_and_new_entries(site, tmp_path):
    _serve_news(site)
    del site.routes["/feed.xml"]
    items = [{"title": "Harbour strike ends", "link": site.url("/news/strike"), "guid": "ht-1"}]
    site.routes["/feed.xml"] = (200, "application/rss+xml", rss(items))
    store = open_store(str(tmp_path / "s.db"))
    with Fetcher(FAST, sleep=lambda s: None) as f:
        w = Watcher(store, [site.url("/feed.xml")], fetcher=f)
        first = w.poll()
        second = w.poll()
        assert (first.new, second.new, second.not_modified) == (1, 0, 1)
        feed_requests = [h for _, p, h in site.log if p == "/feed.xml"]
        assert feed_requests[-1].get("If-None-Match") == '"v1"'

        site.routes["/news/bridge"] = (200, "text/html", page("Council approves bridge", "bridge"))
        items.append({"title": "Bridge", "link": site.url("/news/bridge"), "guid": "ht-4"})
        site.routes["/feed.xml"] = (200, "application/rss+xml", rss(items))
        site.etags["/feed.xml"] = '"v2"'
        site.log.clear()
        third = w.poll()
    assert (third.new, third.skipped) == (1, 1)
    assert site.paths() == ["/feed.xml", "/news/bridge"]
    assert store.count_articles() == 2


def test_watcher_retries_a_failed_page_next_poll(site, tmp_path):
    _serve_news(site)
    site.routes["/feed.xml"] = (200, "application/rss+xml", rss(
        [{"title": "Harbour strike ends", "link": site.url("/news/strike"), "guid": "ht-1"}]))
    site.flaky["/news/strike"] = 1
    store = open_store(str(tmp_path / "s.db"))
    errors: list[IngestError] = []
    with Fetcher(FetchConfig(timeout=0.5, retries=0), sleep=lambda s: None) as f:
        w = Watcher(store, [site.url("/feed.xml")], fetcher=f, on_error=errors.append)
        first, second = w.poll(), w.poll()
    assert (first.new, len(first.errors), second.new, second.not_modified) == (0, 1, 1, 0)
    assert "HTTP 503" in str(errors[0])


def test_restarted_watcher_sends_conditional_get(site, tmp_path):
    _serve_news(site)
    site.routes["/feed.xml"] = (200, "application/rss+xml", rss(
        [{"title": "Harbour strike ends", "link": site.url("/news/strike"), "guid": "ht-1"}]))
    site.routes["/down.xml"] = (503, "text/plain", b"busy")
    db = str(tmp_path / "s.db")
    feeds = [site.url("/feed.xml"), site.url("/down.xml")]
    config = FetchConfig(timeout=0.5, retries=0)
    with Fetcher(config) as f:
        first = Watcher(open_store(db), feeds, fetcher=f, clock=lambda: 1000.0).poll()
    assert (first.new, len(first.errors)) == (1, 1)

    site.log.clear()
    store = open_store(db)  # a new process: the state comes from the store
    with Fetcher(config) as f:
        again = Watcher(store, feeds, fetcher=f, clock=lambda: 2000.0).poll()
    assert (again.new, again.not_modified) == (0, 1)
    [feed_request] = [h for _, p, h in site.log if p == "/feed.xml"]
    assert feed_request.get("If-None-Match") == '"v1"'
    assert "/news/strike" not in site.paths()
    states = store.feed_states(feeds)
    assert states[feeds[0]] == {"etag": '"v1"', "last_modified": None, "seen": ["ht-1"],
                                "polled_at": 2000.0, "error": None}
    assert "HTTP 503" in states[feeds[1]]["error"] and states[feeds[1]]["etag"] is None


def test_failing_page_backs_off_across_polls_and_is_given_up_once(site, tmp_path):
    """A 404 page: tried on the next poll, then after 1 h, then given up (3 failures)."""
    _serve_news(site)
    site.routes["/feed.xml"] = (200, "application/rss+xml", rss([
        {"title": "Harbour strike ends", "link": site.url("/news/strike"), "guid": "ht-1"},
        {"title": "Gone page", "link": site.url("/news/gone"), "guid": "ht-3", "description": "Teaser."},
    ]))
    db = str(tmp_path / "s.db")
    errors: list[IngestError] = []
    now = [1_000_000.0]

    def watcher(f: Fetcher) -> Watcher:
        return Watcher(open_store(db), [site.url("/feed.xml")], fetcher=f, on_error=errors.append,
                       clock=lambda: now[0])

    def poll(w: Watcher, at: float):  # type: ignore[no-untyped-def]
        now[0], start = 1_000_000.0 + at, len(site.log)
        summary = w.poll()
        return summary, [p for _, p, _ in site.log[start:]]

    with Fetcher(FAST, sleep=lambda s: None) as f:
        w = watcher(f)
        s1, log1 = poll(w, 0)
        s2, log2 = poll(w, 900)  # next poll: tried again
        s3, log3 = poll(w, 1800)  # within the hour's backoff: not asked for
        s4, log4 = poll(w, 900 + 3601)  # due again: third failure, given up
        s5, log5 = poll(w, 9000)
    assert (s1.new, log1.count("/news/gone"), log1.count("/news/strike")) == (1, 1, 1)
    assert log2.count("/news/gone") == 1 and "/news/strike" not in log2
    assert "/news/gone" not in log3 and (s3.waiting, s3.errors) == (1, [])
    assert log4.count("/news/gone") == 1 and s4.gave_up == 1
    assert [str(e) for e in errors] == [
        f"{site.url('/news/gone')}: HTTP 404 (failure 1 of 3; trying again next poll)",
        f"{site.url('/news/gone')}: HTTP 404 (failure 2 of 3; trying again in 1 h)",
        f"{site.url('/news/gone')}: HTTP 404; giving up after 3 failures",
    ]
    # all entries handled: the validators move on and the feed answers 304
    assert s5.not_modified == 1 and log5 == ["/feed.xml"]

    site.etags["/feed.xml"] = '"v2"'  # the feed changes; a restarted watcher still leaves the page alone
    with Fetcher(FAST, sleep=lambda s: None) as f:
        s6, log6 = poll(watcher(f), 200_000)
    assert "/news/gone" not in log6 and s6.skipped == 2 and not s6.errors
    assert len(errors) == 3
    assert open_store(db).page_failures([site.url("/news/gone")])[site.url("/news/gone")] == {
        "failures": 3, "error": "HTTP 404", "retry_at": None}


def test_transient_failures_get_more_tries_and_a_recovered_page_is_forgotten(site, tmp_path):
    _serve_news(site)
    site.routes["/feed.xml"] = (200, "application/rss+xml", rss(
        [{"title": "Harbour strike ends", "link": site.url("/news/strike"), "guid": "ht-1"}]))
    site.flaky["/news/strike"] = 3
    store = open_store(str(tmp_path / "s.db"))
    errors: list[IngestError] = []
    now = [0.0]
    policy = RetryPolicy(delays=(0, 100), max_failures=5, max_permanent=1)
    with Fetcher(FetchConfig(timeout=0.5, retries=0), sleep=lambda s: None) as f:
        w = Watcher(store, [site.url("/feed.xml")], fetcher=f, on_error=errors.append,
                    retry=policy, clock=lambda: now[0])
        for at in (0, 10, 20, 120, 230):
            now[0] = at
            summary = w.poll()
    assert site.paths().count("/news/strike") == 4  # at 0, 10, 120 (after the 100 s wait), 230
    assert [e.problem.split(" (")[0] for e in errors] == ["HTTP 503"] * 3
    assert "failure 3 of 5; trying again in 2 min" in str(errors[-1])
    assert summary.new == 1 and store.count_articles() == 1  # stored on the fourth try
    assert store.page_failures([site.url("/news/strike")]) == {}
    assert RetryPolicy().limit(FetchError("u", "HTTP 503 (4 attempts)", transient=True)) == 5
    assert RetryPolicy().limit(FetchError("u", "HTTP 410", status=410)) == 3
    assert [RetryPolicy().delay(n) for n in (1, 2, 3, 4, 9)] == [0, 3600, 21600, 86400, 86400]


def test_watch_state_in_the_store(store_url):
    """Feed state and page failures on both backends, URLs too long for a PostgreSQL b-tree key included."""
    store = open_store(store_url)
    feed, long_page = "https://a.example.org/feed.xml", "https://a.example.org/p?" + "q" * 5000
    assert store.feed_states([feed]) == {} and store.page_failures([long_page]) == {}
    store.save_feed_state(feed, etag='"a"', last_modified=None, seen={"g2", "g1"}, polled_at=1.5)
    store.save_feed_state(feed, etag='"b"', last_modified="Fri, 08 Mar 2024 08:30:00 GMT", seen=["g3"],
                          polled_at=2.5, error="HTTP 503")
    assert store.feed_states([feed, "https://other.example.org/"]) == {feed: {
        "etag": '"b"', "last_modified": "Fri, 08 Mar 2024 08:30:00 GMT", "seen": ["g3"],
        "polled_at": 2.5, "error": "HTTP 503"}}
    store.save_page_failures({long_page: {"failures": 1, "error": "HTTP 404", "retry_at": 10.0},
                              "https://a.example.org/x": {"failures": 2, "error": "timed out", "retry_at": None}})
    store.save_page_failures({long_page: {"failures": 2, "error": "HTTP 404", "retry_at": 3610.0}})
    assert store.page_failures([long_page, "https://a.example.org/x"]) == {
        long_page: {"failures": 2, "error": "HTTP 404", "retry_at": 3610.0},
        "https://a.example.org/x": {"failures": 2, "error": "timed out", "retry_at": None}}
    store.forget_page_failures([long_page])
    assert list(store.page_failures([long_page, "https://a.example.org/x"])) == ["https://a.example.org/x"]
    # a feed forgets the records it wrote for pages it no longer lists, and only those
    written = {"failures": 3, "error": "HTTP 404", "retry_at": None}
    store.save_page_failures({long_page: written, "https://a.example.org/y": written}, feed=feed)
    store.save_page_failures({"https://a.example.org/z": written}, feed="https://other.example.org/")
    assert store.forget_unlisted_page_failures(feed, [long_page, "https://a.example.org/x"]) == 1
    assert sorted(store.page_failures([long_page, *(f"https://a.example.org/{c}" for c in "xyz")])) == sorted(
        [long_page, "https://a.example.org/x", "https://a.example.org/z"])
    store.close()


def test_given_up_record_lasts_while_its_feed_lists_the_page(site, store_url):
    """A given-up page its feed still lists keeps its record and is fetched again by no feed;
    once the feed stops listing it, the record is gone."""
    _serve_news(site)
    site.routes["/news/bridge"] = (200, "text/html", page("Council approves bridge", "bridge"))
    strike = {"title": "Harbour strike ends", "link": site.url("/news/strike"), "guid": "ht-1"}
    gone = {"title": "Gone page", "link": site.url("/news/gone"), "guid": "ht-3", "description": "Teaser."}
    bridge = {"title": "Bridge", "link": site.url("/news/bridge"), "guid": "ht-4"}
    gone_url = site.url("/news/gone")
    store = open_store(store_url)

    def serve(path: str, items: list[dict], etag: str) -> None:
        site.routes[path] = (200, "application/rss+xml", rss(items))
        site.etags[path] = etag

    def poll(*feeds: str):  # type: ignore[no-untyped-def]
        start = len(site.log)
        with Fetcher(FAST, sleep=lambda s: None) as f:
            summary = Watcher(store, [site.url(p) for p in feeds], fetcher=f,
                              retry=RetryPolicy(delays=(0,), max_permanent=2)).poll()
        return summary, site.paths()[start:]

    serve("/feed.xml", [strike, gone], '"v1"')
    poll("/feed.xml")
    given_up, _ = poll("/feed.xml")
    assert given_up.gave_up == 1
    assert store.page_failures([gone_url])[gone_url]["retry_at"] is None

    serve("/feed.xml", [strike, gone, bridge], '"v2"')  # a new entry; the given-up one still listed
    serve("/other.xml", [gone], '"o1"')  # and another feed lists it too
    listed, log = poll("/feed.xml", "/other.xml")
    assert listed.new == 1 and "/other.xml" in log and "/news/gone" not in log
    assert store.page_failures([gone_url])[gone_url] == {"failures": 2, "error": "HTTP 404", "retry_at": None}

    serve("/feed.xml", [strike, bridge], '"v3"')  # its feed drops it
    serve("/other.xml", [gone, bridge], '"o2"')
    dropped, log = poll("/feed.xml", "/other.xml")
    assert store.page_failures([gone_url]) == {}
    assert log.count("/feed.xml") == log.count("/other.xml") == 1 and "/news/gone" not in log
    assert (dropped.new, dropped.errors) == (0, [])
    store.close()


def test_watch_runs_the_pipeline_on_new_articles(site, tmp_path):
    """End to end with the real models (slow: loads spaCy and the encoders once)."""
    _serve_news(site)
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(site.url("/feed.xml") + "\n")
    db = str(tmp_path / "s.db")
    res = runner.invoke(app, ["watch", str(feeds), "--once", "--db", db])
    assert res.exit_code == 0, res.output
    assert "analyzed 2" in res.stderr
    store = open_store(db)
    assert len(store.analyses([a.id for a in store.articles()])) == 2 and store.story_sizes()
