"""Tests of newsprism.ingest: every input kind, and every bad input as one IngestError value."""

from __future__ import annotations

import codecs
import gzip
import io
import json
import os
import socket
from datetime import datetime, timezone
from pathlib import Path

import pytest

from newsprism.errors import ExtractionError, IngestError
from newsprism.ingest import count_inputs, expand_inputs, iter_documents, outlet_from_url
from newsprism.ingest import outlet as outlet_module
from newsprism.models import RawDocument

DATA = Path(__file__).parent / "data" / "ingest"

BODY = (
    "The council voted on Tuesday to approve the new bridge, ending a debate that had lasted "
    "more than a decade.\n\nOpponents said the cost, estimated at 40 million pounds, was too high "
    "for a town of its size.\n"
)


def _one(inputs, **kwargs) -> RawDocument | IngestError:
    items = list(iter_documents([str(i) for i in inputs], **kwargs))
    assert len(items) == 1, items
    return items[0]


def _doc(inputs, **kwargs) -> RawDocument:
    item = _one(inputs, **kwargs)
    assert isinstance(item, RawDocument), item
    return item


def _error(inputs, **kwargs) -> IngestError:
    item = _one(inputs, **kwargs)
    assert isinstance(item, IngestError), item
    return item


# ------------------------------------------------------------------ text files


def test_txt_header_title_and_body_line(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(
        "URL: https://www.bbc.co.uk/news/world-1\nPublished: 2020-12-21T10:30:00+02:00\n"
        "author: Jane Doe\nlanguage: EN\n\nBridge approved\n\n\n" + BODY,
        encoding="utf-8",
    )
    doc = _doc([path])
    assert doc.title == "Bridge approved"
    assert doc.url == "https://www.bbc.co.uk/news/world-1"
    assert doc.outlet == "bbc.co.uk"  # from the URL's registered domain
    assert doc.byline == "Jane Doe"
    assert doc.language == "en"
    assert doc.published_at == datetime(2020, 12, 21, 8, 30, tzinfo=timezone.utc)
    assert doc.text == BODY  # exactly as in the file
    assert doc.body_line == 9
    assert doc.origin == str(path)
    lines = path.read_text(encoding="utf-8").split("\n")
    offset = doc.text.index("Opponents")
    assert lines[doc.body_line + doc.text[:offset].count("\n") - 1].startswith("Opponents")


def test_txt_header_outlet_and_human_date(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("outlet: The Example Times\ndate: December 21, 2020\n\nTitle\n" + BODY)
    doc = _doc([path])
    assert doc.outlet == "The Example Times"
    assert doc.published_at == datetime(2020, 12, 21, tzinfo=timezone.utc)
    assert doc.body_line == 5


def test_txt_without_header_keeps_a_title_with_a_colon(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Analysis: why the bridge matters\nurl: not a header here\n\n" + BODY)
    doc = _doc([path])
    assert doc.title == "Analysis: why the bridge matters"
    assert doc.text.startswith("url: not a header here\n")
    assert doc.body_line == 2
    assert doc.url is None and doc.outlet is None


def test_txt_crlf_is_normalised_and_lines_still_map(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"Title\r\n\r\nFirst line.\r\nSecond line.\r\n")
    doc = _doc([path])
    assert doc.text == "First line.\nSecond line.\n"
    assert doc.body_line == 3


def test_txt_latin1_and_cp1252(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("Le café\n\nUn café crème à Noël, déjà vu.\n".encode("latin-1"))
    assert "café crème à Noël, déjà" in _doc([path]).text
    assert _doc([path]).title == "Le café"
    path.write_bytes("Title\n\nIt’s “quoted” – and costs €5.\n".encode("cp1252"))
    assert _doc([path]).text == "It’s “quoted” – and costs €5.\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig"])
def test_txt_unicode_with_bom(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "bom.txt"
    data = "Zürich news\n\nΑθήνα and 東京 were mentioned.\n".encode(encoding)
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    path.write_bytes(data)
    doc = _doc([path])
    assert doc.title == "Zürich news"
    assert doc.text == "Αθήνα and 東京 were mentioned.\n"


@pytest.mark.parametrize("content", [b"", b"   \n\n \t\n"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    error = _error([path])
    assert error.problem == "empty file"
    assert str(path) in str(error)


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 20)
    assert _error([path]).problem == "binary file, not text"


def test_title_only_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("Just a title\n\n")
    assert "no body" in _error([path]).problem


def test_file_too_large(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    with path.open("wb") as handle:
        block = b"All work and no play makes Jack a dull boy.\n" * 25_000  # ~1.1 MB
        while handle.tell() < 52_400_000:
            handle.write(block)
        handle.truncate(52_400_000)
    error = _error([path])
    assert error.problem == "file too large (52.4 MB > 20.0 MB limit)"
    assert str(error).startswith(str(path))


def test_unreadable_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _error([tmp_path / "missing.txt"]).problem == "no such file"
    path = tmp_path / "secret.txt"
    path.write_text("Title\n\nBody.\n")
    if os.geteuid() == 0:  # root reads mode-000 files, so simulate the refusal
        real_open = Path.open

        def refuse(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
            if self == path:
                raise PermissionError(13, "Permission denied", str(self))
            return real_open(self, *args, **kwargs)

        monkeypatch.setattr(Path, "open", refuse)
        assert _error([path]).problem == "permission denied"
        return
    path.chmod(0)
    try:
        assert _error([path]).problem == "permission denied"
    finally:
        path.chmod(0o644)


def test_unknown_extension_is_an_error_only_when_named(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("# not an article")
    error = _error([tmp_path / "notes.md"])
    assert "unsupported file type '.md'" in error.problem
    assert list(iter_documents([str(tmp_path)])) == []


# ------------------------------------------------------------------ directories, globs, stdin


def _tree(root: Path) -> None:
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "a.txt").write_text("A title\n\n" + BODY)
    (root / "sub" / "b.text").write_text("B title\n\n" + BODY)
    (root / "sub" / "deeper" / "c.txt").write_text("C title\n\n" + BODY)
    (root / "sub" / "readme.md").write_text("skip me")
    (root / ".hidden.txt").write_text("Hidden\n\n" + BODY)
    (root / ".git" / "x.txt").write_text("Hidden too\n\n" + BODY)


def test_directory_is_walked_recursively_skipping_hidden(tmp_path: Path) -> None:
    _tree(tmp_path)
    titles = sorted(d.title for d in iter_documents([str(tmp_path)]))
    assert titles == ["A title", "B title", "C title"]
    assert count_inputs([str(tmp_path)]) == 3


def test_globs(tmp_path: Path) -> None:
    _tree(tmp_path)
    assert [d.title for d in iter_documents([str(tmp_path / "*.txt")])] == ["A title"]
    recursive = sorted(d.title for d in iter_documents([str(tmp_path / "**" / "*.txt")]))
    assert recursive == ["A title", "C title"]
    error = _error([tmp_path / "*.html"])
    assert error.problem == "no supported files match this pattern"


def test_same_file_twice_is_read_once(tmp_path: Path) -> None:
    _tree(tmp_path)
    items = expand_inputs([str(tmp_path / "a.txt"), str(tmp_path), str(tmp_path / "*.txt")])
    assert len(items) == 3


def test_stdin_text_jsonl_and_html() -> None:
    doc = _doc(["-"], stdin=io.StringIO("Piped title\n\n" + BODY))
    assert (doc.origin, doc.title, doc.body_line) == ("-", "Piped title", 3)
    lines = '{"id": "1", "text": "One."}\n{"id": "2", "text": "Two."}\n'
    docs = list(iter_documents(["-"], stdin=io.StringIO(lines)))
    assert [d.origin for d in docs] == ["-:1", "-:2"]
    html = _doc(["-"], stdin=io.StringIO((DATA / "article.html").read_text(encoding="utf-8")))
    assert html.format == "html" and "new bridge" in html.text


# ------------------------------------------------------------------ HTML


def test_html_article_without_nav_and_footer() -> None:
    doc = _doc([DATA / "article.html"])
    assert doc.format == "html" and doc.body_line == 0
    assert doc.title == "Council approves new bridge"
    assert doc.text.startswith("The council voted on Tuesday")  # headline moved out of the body
    assert "Supporters argued" in doc.text
    for junk in ("Home", "Weather", "All rights reserved", "Cookie"):
        assert junk not in doc.text
    assert doc.url == "https://www.example-times.co.uk/news/bridge"
    assert doc.outlet == "Example Times"  # the page's site name
    assert doc.byline == "Jane Doe"
    assert doc.language == "en"
    assert doc.published_at == datetime(2021, 3, 4, tzinfo=timezone.utc)


def test_html_gz_and_truncated_page(tmp_path: Path) -> None:
    html = (DATA / "article.html").read_bytes()
    gz = tmp_path / "page.html.gz"
    gz.write_bytes(gzip.compress(html))
    assert "new bridge" in _doc([gz]).text
    cut = tmp_path / "cut.htm"
    cut.write_bytes(html[: html.index(b"Supporters")])
    text = _doc([cut]).text
    assert "The council voted" in text and "Supporters" not in text


def test_html_without_text(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_text("<html><head><title>x</title></head><body><nav></nav></body></html>")
    error = _error([path])
    assert isinstance(error, ExtractionError)
    assert error.problem == "no article text found in HTML"


def test_bad_gzip(tmp_path: Path) -> None:
    path = tmp_path / "bad.html.gz"
    path.write_bytes(b"not gzip at all")
    assert "invalid gzip" in _error([path]).problem


# ------------------------------------------------------------------ JSONL


def test_jsonl_good_bad_duplicate_and_missing_text(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    rows = [
        json.dumps({"id": "a", "url": "https://news.example.com/1", "title": "One",
                    "text": "First story.", "published": "2021-01-02", "language": "EN"}),
        "{not json",
        json.dumps({"id": "b", "outlet": "Wire", "text": "Second story."}),
        "",
        json.dumps({"id": "a", "text": "Same id again."}),
        json.dumps({"id": "c", "title": "no text"}),
        json.dumps({"id": "d", "text": "   "}),
        json.dumps(["a", "list"]),
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    items = list(iter_documents([str(path)]))
    docs = [i for i in items if isinstance(i, RawDocument)]
    errors = {e.origin: e.problem for e in items if isinstance(e, IngestError)}
    assert [(d.origin, d.source_id, d.text) for d in docs] == [
        (f"{path}:1", "a", "First story."), (f"{path}:3", "b", "Second story.")]
    assert docs[0].outlet == "example.com" and docs[0].language == "en"
    assert docs[0].published_at == datetime(2021, 1, 2, tzinfo=timezone.utc)
    assert docs[1].outlet == "Wire"
    assert errors[f"{path}:2"].startswith("invalid JSON: ")
    assert errors[f"{path}:5"] == "duplicate id 'a' (first at line 1)"
    assert errors[f"{path}:6"] == "missing 'text'"
    assert errors[f"{path}:7"] == "'text' must be a non-empty string"
    assert errors[f"{path}:8"] == "expected a JSON object, got list"
    assert len(items) == 7  # the blank line is skipped silently


def test_jsonl_limit_applies_per_line(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    small = json.dumps({"text": "short"})
    big = json.dumps({"text": "x" * 5_000})
    path.write_text(f"{small}\n{big}\n{small}\n")
    items = list(iter_documents([str(path)], max_bytes=1_000))
    assert [type(i).__name__ for i in items] == ["RawDocument", "IngestError", "RawDocument"]
    assert items[1].origin == f"{path}:2" and items[1].problem.startswith("line too large")
    assert items[2].origin == f"{path}:3"


# ------------------------------------------------------------------ outlet


@pytest.mark.parametrize(("url", "outlet"), [
    ("https://www.bbc.co.uk/news/world-1", "bbc.co.uk"),
    ("http://edition.cnn.com/2020/12/21/x.html", "cnn.com"),
    ("jpost.com/israel-news", "jpost.com"),
    ("https://192.168.0.1/page", None),
    ("http://localhost:8000/", None),
    ("", None),
    (None, None),
])
def test_outlet_from_url(url: str | None, outlet: str | None) -> None:
    assert outlet_from_url(url) == outlet


def test_outlet_lookup_makes_no_network_call(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    outlet_module._extractor.cache_clear()
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    try:
        assert outlet_from_url("https://news.example.co.jp/a") == "example.co.jp"
    finally:
        outlet_module._extractor.cache_clear()
