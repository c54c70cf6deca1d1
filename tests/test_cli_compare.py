"""`newsprism compare A B`: the evidence view in the terminal and as a standalone HTML page."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from markupsafe import escape
from rich.console import Console
from typer.testing import CliRunner

from newsprism.cli import _marked, app
from newsprism.models import AlignedSpan, Article, Relation
from newsprism.report.render import render_pair_html, unaligned_gaps

runner = CliRunner()


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def demo(demo_run):
    """(db path, articles by id, relations by kind) of the demo run."""
    out, report = demo_run
    arts = {a["id"]: a for a in report["articles"]}
    by_kind: dict[str, dict] = {}
    for r in report["relations"]:
        by_kind.setdefault(r["kind"], r)
    return str(out / "newsprism.db"), arts, by_kind


@pytest.fixture(scope="module")
def near(demo):
    """The demo's near_verbatim pair: some words differ, some text has no counterpart."""
    _, arts, by_kind = demo
    rel = by_kind["near_verbatim"]
    assert any(s["lexical"] < 1 for s in rel["alignment"]) and rel["coverage_a"] < 1
    return rel, arts[rel["a"]], arts[rel["b"]]


def _unaligned(text: str, spans: list[tuple[int, int]]) -> list[str]:
    """Stretches of text outside every span that hold a word (independent of the code under test)."""
    chars = list(text)
    for s, e in spans:
        chars[s:e] = ["\0"] * (e - s)
    return [_flat(p) for p in "".join(chars).split("\0") if re.search(r"\w", p)]


def test_terminal_shows_kind_passages_quotes_and_unaligned_text(demo, near):
    db, _, _ = demo
    rel, a, b = near
    res = runner.invoke(app, ["compare", rel["a"], rel["b"], "--db", db])
    assert res.exit_code == 0, res.output
    text = _flat(res.stdout)
    assert text.startswith(f"{rel['kind']} score")
    assert "│" not in res.stdout  # 80 columns: stacked, not a table
    for s in rel["alignment"]:
        assert _flat(a["text"][s["a_start"]:s["a_end"]]) in text
        assert _flat(b["text"][s["b_start"]:s["b_end"]]) in text
    # shared quotations are labelled as many times as the classifier counted them
    n_quotes = next(int(m.group(1)) for why in rel["reasons"]
                    if (m := re.match(r"(\d+) aligned passage\(s\) are shared quotations", why)))
    assert n_quotes > 0 and res.stdout.count("· shared quotation") == n_quotes
    # what A has without a counterpart in B is listed after the passages
    only_a = _unaligned(a["text"], [(s["a_start"], s["a_end"]) for s in rel["alignment"]])
    assert only_a and "only in A" in text
    assert only_a[0][:60] in text.split("only in A", 1)[1]


def test_side_by_side_is_a_two_column_table(demo, near):
    db, _, _ = demo
    rel, a, b = near
    res = runner.invoke(app, ["compare", rel["a"], rel["b"], "--db", db, "--side-by-side"])
    assert res.exit_code == 0, res.output
    assert "│" in res.stdout
    assert f"A · {a['outlet']}" in res.stdout and f"B · {b['outlet']}" in res.stdout


def test_json_keeps_its_shape(demo, near, tmp_path):
    db, _, _ = demo
    rel, _, _ = near
    res = runner.invoke(app, ["compare", rel["b"], rel["a"], "--db", db, "--json",
                              "--html", str(tmp_path / "p.html")])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)  # the "wrote" line goes to stderr, stdout stays JSON
    assert set(d) == {"a", "b", "kind", "score", "direction", "reasons", "alignment", "coverage_a",
                      "coverage_b", "swap_density"}
    assert (d["a"], d["b"], d["kind"]) == (rel["a"], rel["b"], rel["kind"])
    assert d["alignment"] == rel["alignment"]
    assert (tmp_path / "p.html").is_file()


def test_html_page_links_counterparts_and_marks_differences(demo, near, tmp_path):
    db, _, _ = demo
    rel, a, b = near
    page = tmp_path / "pair.html"
    res = runner.invoke(app, ["compare", rel["a"], rel["b"], "--db", db, "--html", str(page)])
    assert res.exit_code == 0, res.output
    assert f"wrote {page}" in res.stderr
    html = page.read_text(encoding="utf-8")
    assert str(escape(a["title"])) in html and str(escape(b["title"])) in html
    n = len(rel["alignment"])
    for i in range(1, n + 1):
        assert re.search(rf'id="a-p{i}"[^>]*>\s*<div class="head"><a class="badge" href="#b-p{i}"', html)
        assert re.search(rf'id="b-p{i}"[^>]*>\s*<div class="head"><a class="badge" href="#a-p{i}"', html)
    assert f'id="a-p{n + 1}"' not in html
    assert "<del>" in html and "<ins>" in html
    # both full texts are on the page: every unaligned stretch too, in the muted style
    only_a = _unaligned(a["text"], [(s["a_start"], s["a_end"]) for s in rel["alignment"]])
    gaps = [_flat(g) for g in re.findall(r'<div class="gap col-a"[^>]*>.*?<div class="t">(.*?)</div>', html, re.DOTALL)]
    assert [str(escape(x)) for x in only_a] == gaps
    assert "<script" not in html.lower() and "<link" not in html and " src=" not in html  # self-contained


def test_translation_page_does_not_mark_words(demo, tmp_path):
    db, _, by_kind = demo
    rel = by_kind["translation"]
    page = tmp_path / "tr.html"
    res = runner.invoke(app, ["compare", rel["a"], rel["b"], "--db", db, "--html", str(page)])
    assert res.exit_code == 0, res.output
    html = page.read_text(encoding="utf-8")
    assert "<del>" not in html and "<ins>" not in html and "not marked across languages" in html


def test_unknown_article_is_a_one_line_error(demo, near):
    db, _, _ = demo
    rel, _, _ = near
    res = runner.invoke(app, ["compare", "no-such-article", rel["b"], "--db", db])
    assert res.exit_code == 1
    assert res.stderr.strip() == f"error: no article 'no-such-article' in {db}"
    assert res.stdout == ""


def _pair(text_a: str, text_b: str, **kw) -> tuple[Article, Article, Relation]:
    a = Article(id="a1", origin="a.txt", text=text_a, raw=text_a, title=kw.get("title", "Title A"),
                outlet=kw.get("outlet"), url=kw.get("url"),
                published_at=datetime(2024, 5, 1, 9, 30, tzinfo=UTC))
    b = Article(id="b1", origin="dir/b.txt", text=text_b, raw=text_b, title="Title B", outlet="B News")
    cut = text_a.index(".") + 1
    rel = Relation(a="a1", b="b1", kind="near_verbatim", score=0.9, direction="b_first",
                   reasons=("<i>why</i>",), coverage_a=0.5, coverage_b=1.0,
                   alignment=(AlignedSpan(0, cut, 0, len(text_b), 0.8, 0.9),))
    return a, b, rel


def test_render_pair_html_escapes_hostile_text():
    evil = "Hello <script>alert(1)</script> world. Tail <img src=x onerror=alert(2)> text."
    a, b, rel = _pair(evil, "Hello brave world.", title="<b>bold</b>", outlet="<u>out</u>",
                      url="javascript:alert(3)")
    html = render_pair_html(a, b, rel)
    assert "<script" not in html.lower() and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<u>out</u>" not in html and "<i>why</i>" not in html
    assert "javascript:" not in html
    assert "B News first" in html and "2024-05-01 09:30" in html


def test_render_pair_html_takes_either_order_and_checks_the_pair():
    a, b, rel = _pair("One two three. Four five.", "One two four.")
    html = render_pair_html(a, b, rel)
    assert render_pair_html(b, a, rel) == html
    assert '<del>three.</del>' in html and '<ins>four.</ins>' in html
    assert re.search(r'<div class="gap col-a"[^>]*>.*Four five\.', html, re.DOTALL)
    assert 'class="gap col-b"' not in html
    other = Article(id="c1", origin="c.txt", text="x", raw="x")
    with pytest.raises(ValueError):
        render_pair_html(a, other, rel)


def test_unaligned_gaps_cover_what_no_span_does():
    text = "Aa bb. Cc dd. Ee ff. Gg."
    assert unaligned_gaps(text, [(0, 6), (14, 20)]) == [(0, 0), (6, 14), (20, 24)]
    assert unaligned_gaps(text, []) == [(0, len(text))]
    assert unaligned_gaps("Aa. !", [(0, 3)]) == [(0, 0), (5, 5)]  # punctuation only: nothing


def test_terminal_markup_escapes_article_text():
    c = Console(record=True, width=200, color_system=None)
    c.print(_marked([("eq", "[bold]keep[/bold]"), ("del", "[/]"), ("ins", "[red]x")]))
    assert "[bold]keep[/bold] [/] [red]x" in c.export_text()
