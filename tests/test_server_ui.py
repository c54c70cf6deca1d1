"""Web UI pages: a real browser (Playwright driving Debian chromium) over the demo store, served
by uvicorn on a free localhost port; plus TestClient checks that untrusted text is escaped.

Screenshots go to the test's tmp dir (printed with -s) so a person can look at the layout.
"""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from newsprism.cli import app as cli_app
from newsprism.cli import demo_corpus
from newsprism.models import Article
from newsprism.report import build_report
from newsprism.server import create_app
from newsprism.store import Store, open_store

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HOSTILE = "<script>alert(1)</script>"
LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


# -- fixtures: the demo store, a live server, a browser ------------------------------------------

@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    """`newsprism run` on the bundled demo corpus, once per module; returns the SQLite file."""
    out = tmp_path_factory.mktemp("ui-demo")
    db = out / "demo.db"
    res = CliRunner().invoke(cli_app, ["run", str(demo_corpus()), "--out", str(out / "reports"),
                                       "--db", str(db), "-q"])
    assert res.exit_code == 0, res.output
    return db


@pytest.fixture(scope="module")
def store(demo_db) -> Iterator[Store]:
    s = open_store(str(demo_db))
    yield s
    s.close()


@pytest.fixture(scope="module")
def report(store) -> dict:
    return build_report(store)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def base_url(store) -> Iterator[str]:
    """The app under uvicorn in a background thread, until the module's tests are done."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(store), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator:
    """A chromium context with a fresh profile (never `playwright install`: Debian's chromium)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):  # `make test` installs it
            pytest.fail(f"no chromium at {CHROMIUM}; CI must run the browser tests", pytrace=False)
        pytest.skip(f"no chromium at {CHROMIUM} (make test installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM, headless=True,
            args=CHROMIUM_ARGS, viewport=LAPTOP)
        yield ctx
        ctx.close()


@pytest.fixture
def page(browser, base_url):
    p = browser.new_page()
    p.set_viewport_size(LAPTOP)
    errors: list[str] = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    yield p
    p.close()
    assert not errors, errors


def _shot(page, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print("screenshot:", path)
    return path


def _no_horizontal_overflow(page) -> None:
    """The page itself never scrolls sideways (wide tables scroll inside their container)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1, f"page is {width}px wide"


def _story(report: dict, word: str) -> dict:
    return next(s for s in report["stories"] if word.lower() in s["label"].lower())


# -- browser tests -------------------------------------------------------------------------------

def test_story_list_search_and_filter(page, base_url, report, tmp_path):
    page.goto(base_url + "/")
    items = page.locator(".story-item")
    assert items.count() == len(report["stories"])
    for s in report["stories"]:
        assert page.get_by_role("link", name=s["label"]).count() == 1
    _shot(page, tmp_path, "list")

    target = _story(report, "Brackenford")
    page.locator("#filters input[name=q]").fill("Brackenford")
    page.locator("#filters input[name=q]").press("Enter")
    page.wait_for_url(re.compile(r"q=Brackenford"))
    labels = page.locator(".story-item h3").all_inner_texts()
    assert target["label"] in labels
    assert 1 <= len(labels) < len(report["stories"])
    assert all("brackenford" in x.lower() for x in labels)
    _shot(page, tmp_path, "list-search")

    # the outlet select submits itself (static/ui.js); the list keeps only that outlet's stories
    outlet = target["outlets"][0]["outlet"]
    page.goto(base_url + "/")
    with page.expect_navigation():
        page.locator("#filters select[name=outlet]").select_option(outlet)
    assert "outlet=" in page.url
    n = page.locator(".story-item").count()
    want = sum(1 for s in report["stories"] if any(o["outlet"] == outlet for o in s["outlets"]))
    assert n == want

    page.goto(base_url + "/?q=zzzznotaword")
    assert page.locator(".story-item").count() == 0
    assert "No story matches" in page.locator("main").inner_text()


def test_story_page_shows_the_comparison(page, base_url, report, tmp_path):
    s = max(report["stories"], key=lambda x: len(x["conflicts"]))
    assert s["conflicts"] and s["facts"] and s["framing"]
    page.goto(base_url + "/")
    page.get_by_role("link", name=s["label"]).click()
    page.wait_for_url(re.compile(r"/stories/" + s["id"]))
    assert page.locator("h1").inner_text() == s["label"]

    lines = page.locator("#lines li")
    assert lines.count() == len(s["lines"])
    arts = {a["id"]: a for a in report["articles"]}
    first_original = arts[s["originals"][0]]
    assert first_original["title"] in page.locator("#lines").inner_text()

    matrix = page.locator("#corroboration table.matrix")
    assert matrix.locator("tbody tr").count() == len(s["facts"])
    assert s["facts"][0]["text"] in matrix.inner_text()
    assert matrix.locator("thead th").count() == 2 + len(s["lines"])

    conflicts = page.locator("#conflicts .conflict")
    assert conflicts.count() == len(s["conflicts"])
    text = page.locator("#conflicts").inner_text()
    for k in s["conflicts"]:
        assert k["slot"] in text and k["kind"].replace("_", " ") in text

    framing = page.locator("#framing table tbody tr")
    assert framing.count() == len(s["framing"])
    assert page.locator("#timeline .timeline .bar").count() == len(s["timeline"])
    if s["sources"]:
        assert s["sources"][0]["name"] in page.locator("#quotes").inner_text()
    assert page.locator("#copies a.compare").count() >= 1
    _shot(page, tmp_path, "story-laptop")

    page.set_viewport_size(PHONE)
    page.reload()
    _no_horizontal_overflow(page)
    # the matrix is wider than a phone: it scrolls inside its own container
    box = page.locator("#corroboration .scroll").bounding_box()
    assert box and box["width"] <= PHONE["width"]
    _shot(page, tmp_path, "story-phone")


def test_side_by_side_comparison_of_a_copy(page, base_url, report, store, tmp_path):
    rel = next(r for r in report["relations"] if r["kind"] == "near_verbatim")
    story = next(s for s in report["stories"] if rel["a"] in s["articles"])
    arts = {a["id"]: a for a in report["articles"]}
    page.goto(f"{base_url}/stories/{story['id']}")
    link = page.locator(f'#copies a.compare[href="/compare?a={rel["a"]}&b={rel["b"]}"]')
    assert link.count() == 1
    link.click()
    page.wait_for_url(re.compile(r"/compare\?"))

    assert "near verbatim" in page.locator("h1").inner_text()
    sides = page.locator(".sides").inner_text()
    assert arts[rel["a"]]["title"] in sides and arts[rel["b"]]["title"] in sides
    first = rel["alignment"][0]
    col_a = page.locator(".pair .col-a").all_inner_texts()
    col_b = page.locator(".pair .col-b").all_inner_texts()
    words_a = arts[rel["a"]]["text"][first["a_start"]:first["a_end"]].split()
    words_b = arts[rel["b"]]["text"][first["b_start"]:first["b_end"]].split()
    assert " ".join(words_a[:4]) in " ".join(" ".join(col_a).split())
    assert " ".join(words_b[:4]) in " ".join(" ".join(col_b).split())
    assert page.locator(".pair .col-a del").count() > 0
    assert page.locator(".pair .col-b ins").count() > 0
    assert page.locator(".pair .p").count() == 2 * len(rel["alignment"])
    _shot(page, tmp_path, "compare-laptop")
    page.set_viewport_size(PHONE)
    page.reload()
    _no_horizontal_overflow(page)
    _shot(page, tmp_path, "compare-phone")


def test_article_page(page, base_url, report, store, tmp_path):
    s = report["stories"][0]
    # entities are resolved across the story (as on the story page)
    a = next(x for x in build_report(store, story_ids=[s["id"]])["articles"]
             if x["quotes"] and any(e["role"] for e in x["entities"]) and x["outlet"])
    page.goto(f"{base_url}/articles/{a['id']}")
    assert page.locator("h1").inner_text() == a["title"]
    ents = page.locator("#entities").inner_text()
    for e in a["entities"]:
        assert e["name"] in ents
    role = next(e for e in a["entities"] if e["role"])
    assert role["role"] in ents
    quotes = page.locator("#quotes tbody tr")
    assert quotes.count() == len(a["quotes"])
    q = a["quotes"][0]
    assert (q["speaker"] or q["descriptor"] or "") in page.locator("#quotes").inner_text()
    assert page.locator("#related tbody tr").count() >= 1
    _shot(page, tmp_path, "article")
    page.set_viewport_size(PHONE)
    page.reload()
    _no_horizontal_overflow(page)


def test_outlet_pages(page, base_url, store, report, tmp_path):
    from newsprism.server.queries import outlet_stats

    stats = outlet_stats(store)
    page.goto(base_url + "/outlets")
    assert page.locator("#outlets tbody tr").count() == len(stats)
    top = max(stats, key=lambda o: o["copied_by_others"])
    page.get_by_role("link", name=top["outlet"], exact=True).first.click()
    page.wait_for_url(re.compile(r"/outlets/."))
    assert page.locator("h1").inner_text() == top["outlet"]
    assert page.locator("#articles tbody tr").count() == top["articles"]
    assert "copied by" in page.locator("#copies").inner_text()
    _shot(page, tmp_path, "outlet")
    page.set_viewport_size(PHONE)
    page.reload()
    _no_horizontal_overflow(page)
    _shot(page, tmp_path, "outlet-phone")


def test_list_fits_a_phone(page, base_url, tmp_path):
    page.set_viewport_size(PHONE)
    page.goto(base_url + "/")
    _no_horizontal_overflow(page)
    _shot(page, tmp_path, "list-phone")


# -- filters and pages (no browser) -------------------------------------------------------------

def test_filters_and_pages(store, report, monkeypatch):
    from newsprism.server import ui

    client = TestClient(create_app(store))
    monkeypatch.setattr(ui, "PAGE_SIZE", 3)
    n = len(report["stories"])
    seen = []
    for page in range(1, -(-n // 3) + 1):
        html = client.get(f"/?page={page}").text
        seen += re.findall(r'<article class="card story-item">\s*<h3><a href="/stories/(\w+)"', html)
        assert f"page {page} of {-(-n // 3)}" in html
    assert seen == [s["id"] for s in report["stories"]]

    s = report["stories"][-1]
    day = s["first_seen"][:10]
    html = client.get(f"/?since={day}&until={day}").text
    assert f"/stories/{s['id']}" in html
    entity = s["entities"][0]
    html = client.get("/", params={"entity": entity.upper()}).text
    assert f"/stories/{s['id']}" in html
    bad = client.get("/?since=2026-13-40&until=2020-01-01").text
    assert "is not a date" in bad


# -- escaping (no browser) ----------------------------------------------------------------------

def _assert_escaped(html: str) -> None:
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_hostile_article_is_escaped(tmp_path):
    store = open_store(str(tmp_path / "evil.db"))
    text = f"Body {HOSTILE} and <img src=x onerror=alert(2)> text."
    store.add_articles([Article(id="evil0001", origin="evil.html", text=text, raw=text, title=HOSTILE,
                                outlet=HOSTILE, url="javascript:alert(3)")])
    client = TestClient(create_app(store))
    html = client.get("/articles/evil0001", headers={"accept": "text/html"}).text
    _assert_escaped(html)
    assert "<img src=x" not in html and 'href="javascript:' not in html
    _assert_escaped(client.get("/compare").text)  # the article picker lists titles and outlets
    _assert_escaped(client.get("/outlets").text)
    missing = client.get("/stories/" + HOSTILE)
    assert missing.status_code == 404 and "<script>alert" not in missing.text


def test_hostile_story_pages_are_escaped(demo_db, tmp_path, report):
    """Every page of a real story, with an article title, its outlet and the story label
    replaced by markup."""
    import sqlite3

    db = tmp_path / "evil.db"
    # the backup API, not a file copy: the demo store is open in this module, and transactions
    # still in its write-ahead log are not in the main file yet
    with closing(sqlite3.connect(demo_db)) as src, closing(sqlite3.connect(db)) as dst:
        src.backup(dst)
    rel = next(r for r in report["relations"] if r["kind"] == "verbatim")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE articles SET title = ?, outlet = ? WHERE id = ?", (HOSTILE, HOSTILE, rel["a"]))
        for key, data in conn.execute("SELECT story_id, data FROM comparisons").fetchall():
            d = json.loads(data)
            if rel["a"] in d["story"]["articles"]:
                d["story"]["label"] = HOSTILE
                conn.execute("UPDATE comparisons SET data = ? WHERE story_id = ?", (json.dumps(d), key))
    store = open_store(str(db))
    try:
        client = TestClient(create_app(store))
        sid = next(s["id"] for s in report["stories"] if rel["a"] in s["articles"])
        for url in ("/", f"/stories/{sid}", f"/articles/{rel['a']}",
                    f"/compare?a={rel['a']}&b={rel['b']}", "/outlets", "/outlets/%3Cscript%3Ealert(1)%3C%2Fscript%3E"):
            r = client.get(url, headers={"accept": "text/html"})
            assert r.status_code == 200, url
            _assert_escaped(r.text)
    finally:
        store.close()
