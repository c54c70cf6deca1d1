"""Rendering: untrusted article text is escaped; word differences are marked on both sides."""

from newsprism.report import render_html, render_markdown
from newsprism.report.render import word_diff


def _report():
    evil = {"id": "x1", "origin": "evil.html", "url": "javascript:alert(1)", "outlet": "<b>bad</b>",
            "title": "<script>alert('t')</script>", "published_at": None, "language": "en",
            "genre": "news", "text": "Hello <img src=x onerror=alert(1)> world.", "removed": [],
            "entities": [], "quotes": [], "signals": {"machine_translation": 0.0, "reasons": []},
            "byline": None, "source_id": None}
    good = dict(evil, id="x2", url="https://ok.example/a", title="Fine", outlet="ok.example",
                text="Hello brave new world.")
    rel = {"a": "x1", "b": "x2", "kind": "near_verbatim", "score": 0.9, "direction": "a_first",
           "reasons": ["<i>why</i>"], "coverage_a": 1.0, "coverage_b": 1.0,
           "alignment": [{"a_start": 0, "a_end": 5, "b_start": 0, "b_end": 22, "lexical": 0.5, "semantic": 0.9}]}
    story = {"id": "s1", "label": "<u>label</u>", "articles": ["x1", "x2"], "lines": [["x1", "x2"]],
             "originals": ["x1"], "first_seen": None, "last_seen": None, "entities": [],
             "facts": [], "unique": [], "conflicts": []}
    return {"schema_version": "1", "articles": [evil, good], "relations": [rel], "stories": [story]}


def test_html_escapes_untrusted_text_and_urls():
    html = render_html(_report())
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "<img src=x" not in html
    assert 'href="javascript:' not in html
    assert 'href="https://ok.example/a"' in html
    assert "<u>label</u>" not in html and "<i>why</i>" not in html


def test_markdown_lists_stories_and_copies():
    md = render_markdown(_report())
    assert "near_verbatim" in md and "label" in md


def test_word_diff_marks_both_sides():
    left, right = word_diff("the quick fox", "the slow fox")
    assert ("del", "quick") in left and ("ins", "slow") in right
    assert ("eq", "the") in left and ("eq", "the") in right


def test_story_timeline_counts_days_in_utc_and_outlets():
    from datetime import datetime, timedelta, timezone

    from newsprism.models import Article
    from newsprism.report.build import story_timeline

    cet = timezone(timedelta(hours=1))
    arts = [Article(id=f"a{i}", origin="x", text="t", raw="t", outlet=o, published_at=t)
            for i, (o, t) in enumerate([
                ("A", datetime(2026, 3, 2, 0, 30, tzinfo=cet)),  # 1 March in UTC
                ("B", datetime(2026, 3, 1, 12, tzinfo=timezone.utc)),
                ("A", datetime(2026, 3, 2, 9, tzinfo=timezone.utc)),
                (None, None)])]
    out = story_timeline(arts)
    assert out["timeline"] == [{"day": "2026-03-01", "articles": 2}, {"day": "2026-03-02", "articles": 1},
                               {"day": None, "articles": 1}]
    assert out["outlets"] == [{"outlet": "A", "articles": 2}, {"outlet": None, "articles": 1},
                              {"outlet": "B", "articles": 1}]
