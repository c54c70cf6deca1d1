"""The REST API over a copy of the demo store: reads, filters, search, comparisons, errors,
limits, write security, and an authenticated POST processed by the real models."""

from __future__ import annotations

import re
import json
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from newsprism.server import create_app
from newsprism.store import open_store

TOKEN = "test-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _copy_store(src: Path, dst: Path) -> str:
    """A consistent copy of an SQLite store (its WAL included), so tests never touch the shared one."""
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    return str(dst)


def _no_models():  # reads must never load models
    raise AssertionError("a read loaded the models")


@pytest.fixture(scope="module")
def demo(demo_run, tmp_path_factory):
    """(report dict, path of a private copy of the demo store)."""
    out, report = demo_run
    return report, _copy_store(out / "newsprism.db", tmp_path_factory.mktemp("api") / "store.db")


@pytest.fixture(scope="module")
def client(demo):
    store = open_store(demo[1])
    with TestClient(create_app(store, token=TOKEN, models=_no_models)) as c:
        yield c
    store.close()


@pytest.fixture(scope="module")
def report(demo):
    return demo[0]


def _get(client, url, status=200):
    r = client.get(url)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    return r.json()


# -- reads -------------------------------------------------------------------------------

def test_health(client, report):
    d = _get(client, "/api/health")
    assert d == {"status": "ok", "articles": len(report["articles"]), "stories": len(report["stories"]),
                 "writes": True}


def test_articles_paginate_and_filter_by_outlet(client, report):
    first = _get(client, "/api/articles?limit=5")
    second = _get(client, "/api/articles?limit=5&offset=5")
    assert first["total"] == len(report["articles"]) and len(first["items"]) == 5
    assert not {a["id"] for a in first["items"]} & {a["id"] for a in second["items"]}
    outlet = report["articles"][0]["outlet"]
    want = sum(1 for a in report["articles"] if a["outlet"] == outlet)
    got = _get(client, f"/api/articles?limit=200&outlet={outlet.upper()}")
    assert got["total"] >= want and all(outlet.lower() in a["outlet"].lower() for a in got["items"])


def test_article_by_prefix_has_analysis_story_and_relations(client, report):
    copy = next(r for r in report["relations"] if r["kind"] == "verbatim")
    d = _get(client, f"/api/articles/{copy['a'][:8]}")
    assert d["id"] == copy["a"] and d["text"] and d["entities"]
    assert d["story"] in {s["id"] for s in report["stories"]}
    assert any(x["id"] == copy["b"] and x["kind"] == "verbatim" for x in d["related"])


def test_stories_list_and_paginate(client, report):
    d = _get(client, "/api/stories?limit=200")
    assert d["total"] == len(report["stories"])
    assert [s["id"] for s in d["items"]] == [s["id"] for s in report["stories"]]
    big = report["stories"][0]
    top = d["items"][0]
    assert top["articles"] == len(big["articles"]) and top["lines"] == len(big["lines"])
    assert top["conflicts"] == len(big["conflicts"])
    page1, page2 = _get(client, "/api/stories?limit=3"), _get(client, "/api/stories?limit=3&offset=3")
    assert [s["id"] for s in page1["items"] + page2["items"]] == [s["id"] for s in d["items"][:6]]
    assert _get(client, "/api/stories?offset=1000")["items"] == []


def test_stories_filter_by_outlet_entity_and_date(client, report):
    arts = {a["id"]: a for a in report["articles"]}
    outlet = arts[report["stories"][0]["articles"][0]]["outlet"]
    want = {s["id"] for s in report["stories"] if any(arts[a]["outlet"] == outlet for a in s["articles"])}
    got = {s["id"] for s in _get(client, f"/api/stories?limit=200&outlet={outlet}")["items"]}
    assert want <= got and got < {s["id"] for s in report["stories"]}
    entity = report["stories"][0]["entities"][0]
    got = _get(client, f"/api/stories?entity={entity.lower()}")["items"]
    assert report["stories"][0]["id"] in {s["id"] for s in got}
    first = report["stories"][0]
    day = first["first_seen"][:10]
    assert first["id"] in {s["id"] for s in _get(client, f"/api/stories?since={day}&until={day}&limit=200")["items"]}
    assert first["id"] not in {s["id"] for s in _get(client, "/api/stories?until=2000-01-01")["items"]}
    err = _get(client, "/api/stories?since=2026-03-05&until=2026-03-01", 422)
    assert "after" in err["detail"]


def test_full_text_search_finds_the_story_of_a_matching_article(client, report):
    story = report["stories"][0]
    arts = {a["id"]: a for a in report["articles"]}
    word = max(arts[story["articles"][0]]["title"].split(), key=len).strip("'\",.:")
    got = _get(client, f"/api/stories?q={word}")["items"]
    assert story["id"] in {s["id"] for s in got}
    assert _get(client, "/api/stories?q=zzyzxqqnotaword")["total"] == 0
    # query syntax is not interpreted: quotes, operators and brackets are text
    for q in ['"', "AND OR NOT", "a* NEAR(b c)", "'; DROP TABLE articles; --", "title:foo", "(("]:
        assert client.get("/api/stories", params={"q": q}).status_code == 200
    assert _get(client, "/api/health")["articles"] == len(report["articles"])


def test_story_page_json_has_facts_conflicts_and_framing(client, report):
    big = report["stories"][0]
    d = _get(client, f"/api/stories/{big['id'][:6]}")
    s = d["story"]
    assert s["id"] == big["id"] and s["facts"] and s["conflicts"] and s["framing"]
    assert {a["id"] for a in d["articles"]} == set(big["articles"])
    assert all(r["a"] in s["articles"] and r["b"] in s["articles"] for r in d["relations"])


def test_compare_a_known_copy_pair(client, report):
    rel = next(r for r in report["relations"] if r["kind"] == "near_verbatim")
    d = _get(client, f"/api/compare?a={rel['b']}&b={rel['a']}")  # either order
    assert (d["a"]["id"], d["b"]["id"]) == (rel["a"], rel["b"])
    assert d["kind"] == "near_verbatim" and d["stored"] and d["direction"] == rel["direction"]
    assert len(d["passages"]) == len(rel["alignment"])
    arts = {a["id"]: a for a in report["articles"]}
    s0, p0 = rel["alignment"][0], d["passages"][0]
    assert p0["a"] == arts[rel["a"]]["text"][s0["a_start"]:s0["a_end"]]
    ops = {seg["op"] for p in d["passages"] for seg in p["a_diff"] + p["b_diff"]}
    assert "eq" in ops and ops & {"del", "ins"}  # word differences are marked
    assert d["only_a"] or d["only_b"]


def test_compare_errors(client, report):
    a = report["articles"][0]["id"]
    assert "no article" in _get(client, f"/api/compare?a={a}&b=nosuchthing", 404)["detail"]
    assert "same article" in _get(client, f"/api/compare?a={a}&b={a[:6]}", 422)["detail"]
    assert _get(client, f"/api/compare?a={a}", 422)["error"]


def test_outlets_count_copies_in_both_directions(client, report):
    arts = {a["id"]: a for a in report["articles"]}
    made, copied = Counter(), Counter()
    for r in report["relations"]:
        if r["kind"] not in ("verbatim", "near_verbatim", "spin", "translation") or r["direction"] == "unknown":
            continue
        orig, copy = (r["a"], r["b"]) if r["direction"] == "a_first" else (r["b"], r["a"])
        if (arts[orig]["outlet"] or "").lower() != (arts[copy]["outlet"] or "").lower():
            made[arts[copy]["outlet"]] += 1
            copied[arts[orig]["outlet"]] += 1
    items = {o["outlet"]: o for o in _get(client, "/api/outlets")["items"]}
    assert sum(o["articles"] for o in items.values()) == len(report["articles"])
    assert sum(made.values()) > 0
    for name, o in items.items():
        assert (o["copies_made"], o["copied_by_others"]) == (made[name], copied[name]), name
        assert sum(c["count"] for c in o["copied_from"]) == o["copies_made"]


# -- errors and limits --------------------------------------------------------------------

def test_errors_are_json_with_clear_messages(client):
    d = _get(client, "/api/stories/nosuchstory", 404)
    assert d["error"] == "not found" and "nosuchstory" in d["detail"]
    d = _get(client, "/api/no/such/endpoint", 404)
    assert "no such endpoint" in d["detail"]
    d = _get(client, "/api/stories?limit=0", 422)
    assert "limit" in d["detail"]["message"]
    assert _get(client, "/api/articles?offset=-1", 422)["error"]
    assert _get(client, "/api/articles?limit=201", 422)["error"]


def test_oversize_body_is_413(demo):
    store = open_store(demo[1])
    with TestClient(create_app(store, token=TOKEN, models=_no_models, max_body=2000)) as c:
        big = json.dumps({"text": "x" * 5000})
        r = c.post("/api/articles", content=big, headers={**AUTH, "content-type": "application/json"})
        assert r.status_code == 413 and "limit" in r.json()["detail"]
        # no Content-Length (chunked): counted as it arrives
        r = c.post("/api/articles", content=iter([big[:1500].encode(), big[1500:].encode()]),
                   headers={**AUTH, "content-type": "application/json"})
        assert r.status_code == 413 and r.json()["error"]


# -- write security -----------------------------------------------------------------------

def test_writes_need_the_token(client):
    body = {"text": "Some text.", "title": "t"}
    r = client.post("/api/articles", json=body)
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert "Bearer" in r.json()["detail"]
    for bad in ("Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer \xf1".encode("latin-1")):
        r = client.post("/api/articles", json=body, headers={"Authorization": bad})
        assert r.status_code in (401, 403), (bad, r.text)
    r = client.post("/api/articles", json=body, headers={"Authorization": "Bearer wrong-token"})
    assert r.status_code == 403 and "not valid" in r.json()["detail"]


def test_without_a_token_the_server_is_read_only(demo):
    store = open_store(demo[1])
    with TestClient(create_app(store, models=_no_models)) as c:
        r = c.post("/api/articles", json={"text": "x"}, headers=AUTH)
        assert r.status_code == 403 and "writes are disabled" in r.json()["detail"]
        assert c.get("/api/health").json()["writes"] is False


def test_bad_write_bodies(client):
    def post(**kw):
        return client.post("/api/articles", headers={**AUTH, **kw.pop("headers", {})}, **kw)

    r = post(content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422 and "not valid JSON" in r.json()["detail"]
    r = post(json={"title": "no text"})
    assert r.status_code == 422 and r.json()["detail"]["errors"]
    r = post(json=[])
    assert r.status_code == 422
    r = post(json={"text": "   "})  # read, then rejected by the reader
    assert r.status_code == 422 and "nothing could be ingested" in r.json()["detail"]["message"]
    r = post(content=b"text", headers={"content-type": "text/plain"})
    assert r.status_code == 415
    r = post(files={"files": ("a.gz", b"\x1f\x8b", "application/gzip")})
    assert r.status_code == 422 and "compressed" in json.dumps(r.json())


# -- an authenticated write through the real pipeline ---------------------------------------

@pytest.fixture(scope="module")
def writer(demo_run, tmp_path_factory, models):
    store = open_store(_copy_store(demo_run[0] / "newsprism.db", tmp_path_factory.mktemp("w") / "store.db"))
    with TestClient(create_app(store, token=TOKEN, models=models)) as c:
        yield c, demo_run[1]
    store.close()


HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> \u2028 "quotes" & </title>'


def test_post_articles_are_processed_into_stories(writer):
    c, report = writer
    src = next(a for a in report["articles"] if a["id"] == report["stories"][0]["articles"][0])
    story = report["stories"][0]["id"]
    rewrite = src["text"].replace("said", "stated", 3)
    body = [
        {"title": "Port strike: " + src["title"], "text": rewrite, "url": "https://copycat.example/strike",
         "outlet": "Copycat Wire", "published_at": "2026-03-04T10:00:00Z", "language": "en", "id": "cc-1"},
        {"title": HOSTILE, "text": "Officials said the bridge would reopen on Monday after repairs.\n\n"
                                   "The works took three weeks, the city council said.", "outlet": HOSTILE},
    ]
    r = c.post("/api/articles", json=body, headers=AUTH)
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["new"] == 2 and not d["errors"] and d["processed"]["analyzed"] == 2
    copy, hostile = d["articles"]
    assert copy["story"] == story  # joined the story it copies
    assert hostile["title"] == HOSTILE and hostile["story"]
    # the hostile title round-trips as data through every JSON view
    art = c.get(f"/api/articles/{hostile['id']}")
    assert art.status_code == 200 and art.json()["title"] == HOSTILE
    page = c.get("/api/stories", params={"q": "bridge reopen"}).json()
    assert hostile["story"] in {s["id"] for s in page["items"]}
    assert any(o["outlet"] == HOSTILE for o in c.get("/api/outlets").json()["items"])
    assert "Copycat Wire" in {o["outlet"] for o in c.get("/api/outlets").json()["items"]}
    # the same article again is a duplicate, not a new one
    again = c.post("/api/articles", json=body[0], headers=AUTH).json()
    assert again["new"] == 0 and again["duplicates"] == 1 and again["articles"][0]["story"] == story


def test_upload_files(writer):
    c, _ = writer
    txt = b"outlet: Upload Times\npublished: 2026-03-09\n\nFerry service resumes\n\nThe ferry to Skarra resumed service on Monday, operators said."
    jsonl = b'{"text": "Second ferry line opens next week, the operator announced.", "title": "Ferry"}\n{"bad": 1}\n'
    r = c.post("/api/articles", headers=AUTH,
               files=[("files", ("ferry.txt", txt, "text/plain")), ("files", ("more.jsonl", jsonl, "application/jsonl"))])
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["read"] == 2 and d["new"] == 2 and all(a["story"] for a in d["articles"])
    assert [e["item"] for e in d["errors"]] == ["upload:more.jsonl:2"]
    assert c.get("/api/articles/ferry.txt").status_code == 404  # origin is "upload:ferry.txt"
    assert c.get("/api/articles/upload:ferry.txt").json()["outlet"] == "Upload Times"


# -- the serve command ----------------------------------------------------------------------

def test_serve_write_policy_and_token(tmp_path):
    from newsprism.cli.serve import is_loopback, read_token, write_policy

    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1") and is_loopback("[::1]")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5") and not is_loopback("example.org")
    assert write_policy("127.0.0.1", TOKEN) == (True, None)
    writes, warning = write_policy("0.0.0.0", None)
    assert not writes and "DISABLED" in warning
    assert write_policy("0.0.0.0", TOKEN)[0]
    assert read_token(None, {}) is None
    assert read_token(None, {"NEWSPRISM_TOKEN": TOKEN}) == TOKEN
    f = tmp_path / "token"
    f.write_text(TOKEN + "\n", encoding="utf-8")
    assert read_token(f, {"NEWSPRISM_TOKEN": "other-token-aaaaaaaaaaaa"}) == TOKEN
    f.write_text("short", encoding="utf-8")
    with pytest.raises(Exception, match="shorter"):
        read_token(f, {})


def test_serve_starts_uvicorn_read_only_beyond_localhost_without_token(tmp_path, monkeypatch):
    import uvicorn

    from newsprism.cli import app

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda application, **kw: seen.update(app=application, **kw))
    monkeypatch.delenv("NEWSPRISM_TOKEN", raising=False)
    res = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--port", "8123", "--db", str(tmp_path / "s.db")])
    assert res.exit_code == 0, res.output
    assert seen["host"] == "0.0.0.0" and seen["port"] == 8123
    assert seen["app"].state.token is None and "writes are DISABLED" in res.output
    monkeypatch.setenv("NEWSPRISM_TOKEN", TOKEN)
    res = CliRunner().invoke(app, ["serve", "--db", str(tmp_path / "s.db")])
    assert res.exit_code == 0 and seen["app"].state.token == TOKEN and seen["host"] == "127.0.0.1"


# -- full-text search on both backends --------------------------------------------------------

def test_full_text_search_per_backend(store_url):
    from newsprism.models import Article
    from newsprism.server.search import ensure_search_index, search_article_ids

    def art(i, title, text):
        return Article(id=f"art{i:04d}", origin=f"t{i}.txt", text=text, raw=text, title=title)

    store = open_store(store_url)
    try:
        store.add_articles([art(1, "Dockworkers strike", "The port of Elsin closed on Monday."),
                            art(2, "Dam talks", "Ministers met over the Oster river dam.")])
        ensure_search_index(store.engine)  # fills the index from the rows already stored
        ensure_search_index(store.engine)  # and is idempotent
        e = store.engine
        assert search_article_ids(e, "dockworkers") == ["art0001"]
        assert search_article_ids(e, "OSTER dam") == ["art0002"]  # every word, any case
        assert search_article_ids(e, "oster strike") == []
        for hostile in ['"', "AND OR", "a* NEAR(b)", "'; DROP TABLE articles; --", "\\", "title:dam", "((", ""]:
            search_article_ids(e, hostile)  # never a syntax error
        assert search_article_ids(e, "dam) OR (port") == []  # operators are words, all required
        store.add_articles([art(3, "Ferry resumes", "The ferry to Skarra resumed service.")])
        assert search_article_ids(e, "skarra") == ["art0003"]  # kept in sync with new rows
        assert store.count_articles() == 3
    finally:
        store.close()


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_api_docs_are_served_from_local_files_only(client, path):
    page = client.get(path)
    assert page.status_code == 200
    assert not re.findall(r"""(?:src|href|url)\s*[=:]\s*["']?(?:https?:)?//""", page.text)  # nothing off-site
    assets = re.findall(r"""['"](/docs-static/[^'"]+)['"]""", page.text)
    assert any(a.endswith(".js") for a in assets), assets
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert client.get("/openapi.json").json()["info"]["title"] == "newsprism"


def test_uploaded_feed_xml_and_warc_files_are_read_by_content_not_by_path():
    """Uploads are bytes: an .xml name is sniffed from the data (never opened as a path)."""
    from newsprism.server.ingest import documents_from_file

    rss = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
           b"<item><title>Ferry returns</title><link>https://news.example/ferry</link>"
           b"<description>The ferry returned to service on Monday after repairs.</description></item>"
           b"</channel></rss>")
    for name in ("feed.xml", "feed.rss"):
        (doc,) = documents_from_file(name, rss)
        assert doc.origin == f"upload:{name}#entry-1" and doc.title == "Ferry returns"
        assert doc.url == "https://news.example/ferry"
    (plain,) = documents_from_file("notes.xml", b"<urlset><url>x</url></urlset>")
    assert plain.origin == "upload:notes.xml"  # not a feed: read as text, as any unknown upload
    (err,) = documents_from_file("crawl.warc", b"WARC/1.0\r\n")
    assert "WARC uploads are not supported" in str(err)
