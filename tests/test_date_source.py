"""Where an article's date came from (`date_source`): set by the readers, kept by cleaning, the
store and its 0006 migration, and read by direction inference and the reports, so that a crawl's
fetch time is never presented or used as a publication time."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import jsonschema
import pytest

from newsprism.clean import clean_document
from newsprism.ingest import iter_documents
from newsprism.models import Analysis, Article, Comparison, RawDocument, Relation, Story
from newsprism.relate import infer_direction, likely_original
from newsprism.report import build_report, render_html, render_markdown
from newsprism.report.render import render_pair_html
from newsprism.store import open_store

REPO = Path(__file__).resolve().parents[1]
T0 = datetime(2026, 3, 2, 8, 30, tzinfo=timezone.utc)


def _art(aid: str, when: datetime | None, source: str | None, outlet: str = "a.example") -> Article:
    return Article(id=aid, origin=f"{aid}.warc@0", text=f"Body of {aid}.", raw=f"Body of {aid}.",
                   title=f"Title {aid}", outlet=outlet, published_at=when, date_source=source)


def _direction(a: Article, b: Article, kind: str = "verbatim") -> tuple[str, str]:
    an_a, an_b = Analysis(a.id, "en", ()), Analysis(b.id, "en", ())
    return infer_direction(a, b, an_a, an_b, kind, [])


# -- readers and cleaning --------------------------------------------------------------------

def test_readers_mark_a_document_date_as_page_and_cleaning_keeps_it(tmp_path):
    (tmp_path / "a.txt").write_text("published: 2026-03-01\n\nStrike ends\n\nThe strike ended.\n")
    (tmp_path / "b.txt").write_text("Strike ends\n\nThe strike ended.\n")
    (tmp_path / "c.jsonl").write_text(json.dumps({"text": "The strike ended.", "published": "2026-03-01T10:00:00Z"})
                                      + "\n" + json.dumps({"text": "The strike ended again."}) + "\n")
    (tmp_path / "d.html").write_text(
        "<html><head><title>Strike ends</title><meta property='article:published_time' "
        "content='2026-03-01T10:15:00Z'></head><body><article><h1>Strike ends</h1><p>The harbour "
        "authority confirmed on Monday that the strike at the container terminal had ended after a "
        "late-night agreement between the union and the operators.</p></article></body></html>")
    by_file: dict[str, list[RawDocument]] = {}
    for d in iter_documents([str(tmp_path)], max_bytes=1_000_000):
        assert isinstance(d, RawDocument), d
        by_file.setdefault(Path(d.origin).name.split(":")[0], []).append(d)
    assert [d.date_source for d in by_file["a.txt"]] == ["page"]
    assert [d.date_source for d in by_file["b.txt"]] == [None]  # no date, nothing to say
    assert sorted(d.date_source or "-" for d in by_file["c.jsonl"]) == ["-", "page"]
    assert [d.date_source for d in by_file["d.html"]] == ["page"]
    (html_doc,) = by_file["d.html"]
    assert clean_document(html_doc).date_source == "page"
    fetched = RawDocument(origin="x.warc@0", text="The strike ended.", published_at=T0, date_source="fetch")
    assert clean_document(fetched).date_source == "fetch"


# -- store --------------------------------------------------------------------------------------

def test_date_source_survives_the_store(store_url):
    arts = [_art("f1", T0, "fetch"), _art("p1", T0, "page"), _art("u1", T0, "url"), _art("n1", None, None)]
    store = open_store(store_url)
    assert store.add_articles(arts) == [a.id for a in arts]
    store.close()
    back = open_store(store_url).articles()
    assert [(a.id, a.date_source) for a in back] == [("f1", "fetch"), ("p1", "page"), ("u1", "url"), ("n1", None)]
    assert back == arts


def test_upgrade_from_0005_keeps_articles_and_reads_their_source_as_unknown(store_url):
    """A store at 0005 has no date_source column; 0006 adds it, existing rows read as None
    (as given), and the SQLite full-text triggers on `articles` still work afterwards."""
    from alembic import command
    from sqlalchemy import create_engine, inspect, text

    from newsprism.server.search import ensure_search_index, search_article_ids
    from newsprism.store import migrate
    from newsprism.store.sql import _url

    engine = create_engine(_url(store_url))
    with engine.begin() as conn:
        command.upgrade(migrate._config(conn), "0005")
        assert "date_source" not in {c["name"] for c in inspect(conn).get_columns("articles")}
        conn.execute(text("INSERT INTO articles (id, origin, title, text, raw, removed, published_at) "
                          "VALUES ('old1', 'o.txt', 'Harbour', 'harbour strike', 'harbour strike', '[]', "
                          "'2026-03-01T10:00:00+00:00')"))
    ensure_search_index(engine)
    engine.dispose()
    store = open_store(store_url)
    with store.engine.connect() as conn:
        assert migrate.current(conn) == migrate.head()
    old = store.article("old1")
    assert old is not None and old.published_at == datetime(2026, 3, 1, 10, tzinfo=timezone.utc)
    assert old.date_source is None and old.text == "harbour strike"
    assert store.add_articles([replace(_art("new1", T0, "fetch"), text="harbour reopened")]) == ["new1"]
    assert store.article("new1").date_source == "fetch"
    assert sorted(search_article_ids(store.engine, "harbour")) == ["new1", "old1"]


# -- direction ------------------------------------------------------------------------------------

def test_two_fetch_times_decide_nothing():
    a, b = _art("a", T0, "fetch"), _art("b", T0 + timedelta(days=3), "fetch")
    for x, y in ((a, b), (b, a)):
        direction, why = _direction(x, y)
        assert direction == "unknown"
        assert "published first" not in why and "came first" not in why
        assert "fetched by" in why and "only bounds publication" in why


def test_a_fetch_time_before_a_publication_time_orders_the_pair():
    """The page existed when fetched; fetched before the other was published means it was first."""
    fetched, published = _art("f", T0, "fetch"), _art("p", T0 + timedelta(hours=5), "page")
    assert _direction(fetched, published) == (
        "a_first", f"A was fetched by {T0.isoformat()} and B published "
                   f"{(T0 + timedelta(hours=5)).isoformat()}, so A came first")
    direction, why = _direction(published, fetched)
    assert direction == "b_first" and why.startswith(f"B was fetched by {T0.isoformat()}")
    url_dated = _art("u", datetime(2026, 3, 5, tzinfo=timezone.utc), "url")  # a day from the URL
    assert _direction(fetched, url_dated)[0] == "a_first"


def test_a_publication_time_before_a_fetch_time_orders_nothing():
    """Fetched after the other was published: it may still have been published long before."""
    published, fetched = _art("p", T0, "page"), _art("f", T0 + timedelta(days=2), "fetch")
    for x, y in ((published, fetched), (fetched, published)):
        direction, why = _direction(x, y)
        assert direction == "unknown" and "published first" not in why
        assert f"published {T0.isoformat()}" in why
    # a date without a time of day on the fetch day orders nothing either
    day = _art("d", datetime(2026, 3, 2, tzinfo=timezone.utc), "url")
    assert _direction(_art("f", T0, "fetch"), day)[0] == "unknown"
    # textual evidence still decides when the dates cannot
    credited = replace(fetched, text="Body.\nThis article first appeared in the Alder Gazette.")
    assert _direction(credited, _art("g", T0 + timedelta(days=3), "fetch"))[0] == "b_first"


@pytest.mark.parametrize("source", [None, "page", "url"])
def test_publication_dates_decide_as_before(source):
    early, late = _art("a", T0, source), _art("b", T0 + timedelta(hours=3), source)
    want = f"A published first ({T0.isoformat()} vs {(T0 + timedelta(hours=3)).isoformat()})"
    assert _direction(early, late) == ("a_first", want)
    assert _direction(late, early)[0] == "b_first"
    # mixed publication sources are all publication dates
    other = replace(late, date_source="page" if source != "page" else "url")
    assert _direction(early, other) == ("a_first", want)
    assert _direction(_art("a", None, source), late) == (
        "unknown", "direction unknown: no dates and no clear textual evidence")


def test_likely_original_is_not_named_from_a_later_fetch_time():
    """A line without directed relations: the earliest date names the original only when no
    later member's date is a fetch time (that member may have been published earlier)."""
    page_first = {"p": _art("p", T0, "page"), "f": _art("f", T0 + timedelta(days=1), "fetch")}
    assert likely_original(["p", "f"], [], page_first) is None
    fetch_first = {"f": _art("f", T0, "fetch"), "p": _art("p", T0 + timedelta(days=1), "page")}
    assert likely_original(["f", "p"], [], fetch_first) == "f"
    published = {"p": _art("p", T0, "page"), "q": _art("q", T0 + timedelta(days=1), None)}
    assert likely_original(["q", "p"], [], published) == "p"


# -- reports ----------------------------------------------------------------------------------

def test_reports_show_a_fetch_time_as_fetched(tmp_path):
    fetched = _art("f1", T0, "fetch", outlet="crawl.example")
    published = _art("p1", T0 + timedelta(days=1), "page", outlet="paper.example")
    store = open_store(str(tmp_path / "s.db"))
    store.add_articles([fetched, published])
    store.save_stories([{"id": "s1", "label": "strike"}], [("f1", "s1"), ("p1", "s1")])
    story = Story(id="s1", label="strike", articles=("f1", "p1"))
    store.save_comparisons([Comparison(story_id="s1", lines=(("f1", "p1"),), originals=("f1",))], [story])
    report = build_report(store)
    schema = json.loads((REPO / "docs" / "report.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(report, schema)
    assert {a["id"]: a["date_source"] for a in report["articles"]} == {"f1": "fetch", "p1": "page"}
    md = render_markdown(report)
    assert "| crawl.example | fetched 2026-03-02 |" in md and "| paper.example | 2026-03-03 |" in md
    html = render_html(report)
    assert "crawl.example, fetched 2026-03-02)" in html  # the line's original
    assert "<td>fetched 2026-03-02 08:30</td>" in html and "<td>2026-03-03 08:30</td>" in html
    assert "crawl.example · fetched 2026-03-02 08:30 ·" in html
    pair = render_pair_html(fetched, published, Relation("f1", "p1", "verbatim", 1.0))
    assert "fetched 2026-03-02 08:30" in pair and "fetched 2026-03-03" not in pair


def test_a_fetch_time_is_no_anchor_for_relative_dates():
    """"Yesterday" resolves against a publication date, not against when a crawler came by."""
    from newsprism.analyze import analyze_articles, load_nlp

    text = ("The harbour authority closed the northern terminal yesterday after a crane collapsed, "
            "officials said.\n\nWork resumed at the southern terminal.")
    when = datetime(2026, 3, 10, 9, 0, tzinfo=timezone.utc)
    arts = [Article(id=f"x{n}", origin=f"x{n}", text=text, raw=text, title="Terminal closed",
                    published_at=when, date_source=src) for n, src in enumerate(("page", "fetch"))]
    page, fetched = analyze_articles(arts, nlp=load_nlp())
    dates = [{s.value for c in an.claims for s in c.slots if s.kind == "date"} for an in (page, fetched)]
    assert dates[0] == {"2026-03-09"}
    assert dates[1] == {"yesterday"}


def test_server_pages_and_compare_mark_a_fetch_time(tmp_path):
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from newsprism.cli import app
    from newsprism.server import create_app

    fetched = _art("f1", T0, "fetch", outlet="crawl.example")
    published = _art("p1", T0 + timedelta(days=1), "page", outlet="paper.example")
    db = str(tmp_path / "s.db")
    store = open_store(db)
    store.add_articles([fetched, published])
    store.save_stories([{"id": "s1", "label": "strike"}], [("f1", "s1"), ("p1", "s1")])
    story = Story(id="s1", label="strike", articles=("f1", "p1"))
    store.save_comparisons([Comparison(story_id="s1", lines=(("f1", "p1"),), originals=("f1",))], [story])
    store.save_relations([Relation("f1", "p1", "verbatim", 1.0)], ["f1", "p1"])

    def no_models():
        raise AssertionError("a read loaded the models")

    with TestClient(create_app(store, models=no_models)) as client:
        page = client.get("/articles/f1").text
        assert "<dt>fetched</dt>" in page and "<dt>published</dt>" not in page
        assert "<dt>published</dt>" in client.get("/articles/p1").text
        outlet = client.get("/outlets/crawl.example").text
        assert "fetched 2026-03-02 08:30" in outlet
        story_page = client.get("/stories/s1").text
        assert "crawl.example, fetched 2026-03-02)" in story_page  # the line's original
        assert "fetched 2026-03-02 08:30" in story_page and "fetched 2026-03-03" not in story_page
    store.close()
    res = CliRunner().invoke(app, ["compare", "f1", "p1", "--db", db])
    assert res.exit_code == 0, res.output
    assert "fetched 2026-03-02T08:30" in res.output and "fetched 2026-03-03" not in res.output
