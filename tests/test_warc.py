"""WARC / CC-NEWS ingest: HTML responses become documents, everything else is skipped, damage is reported."""

from __future__ import annotations

import gzip
import io
import json
import random
from datetime import datetime, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsprism.cli import app
from newsprism.errors import ExtractionError, IngestError
from newsprism.ingest import iter_documents
from newsprism.ingest.paths import expand_inputs, format_of
from newsprism.ingest.warc import iter_warc_file
from newsprism.models import RawDocument
from newsprism.store import open_store

FETCHED = "2026-03-02T08:30:00Z"
BODY = ("<p>The harbour authority confirmed on Monday that the strike at the container terminal had "
        "ended after a late-night agreement between the union and the operators.</p>"
        "<p>Ships that had waited offshore for four days began to berth in the early morning, "
        "and officials said the backlog would clear by the end of the week.</p>")


def page(title: str, *, date: str | None = None) -> bytes:
    meta = f'<meta property="article:published_time" content="{date}">' if date else ""
    return (f"<html lang='en'><head><title>{title}</title>{meta}</head><body><nav>Home</nav>"
            f"<article><h1>{title}</h1>{BODY}</article></body></html>").encode()


def add(writer: WARCWriter, uri: str, payload: bytes, *, status: str = "200 OK",
        ctype: str | None = "text/html; charset=utf-8", rec_type: str = "response",
        extra: list[tuple[str, str]] | None = None) -> None:
    headers = [("Content-Type", ctype)] if ctype else []
    http = StatusAndHeaders(status, headers + (extra or []), protocol="HTTP/1.1")
    rec = writer.create_warc_record(uri, rec_type, payload=io.BytesIO(payload),
                                    http_headers=http if rec_type == "response" else None,
                                    warc_headers_dict={"WARC-Date": FETCHED})
    writer.write_record(rec)


def build(path: Path, records: list[dict], *, gz: bool = True) -> Path:
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=gz)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        for r in records:
            add(writer, **r)
    return path


def mixed() -> list[dict]:
    return [
        {"uri": "https://www.harbour.example/news/strike-ends", "payload": page("Strike ends", date="2026-03-01T10:15:00Z")},
        {"uri": "https://img.harbour.example/photo.jpg", "payload": b"\xff\xd8\xff\xe0" * 50, "ctype": "image/jpeg"},
        {"uri": "https://api.harbour.example/feed.json", "payload": b'{"a": 1}', "ctype": "application/json"},
        {"uri": "https://www.harbour.example/missing", "payload": page("Not found"), "status": "404 Not Found"},
        {"uri": "https://www.harbour.example/news/strike-ends", "payload": b"GET / HTTP/1.1\r\n\r\n",
         "rec_type": "request", "ctype": None},
        {"uri": "https://coast.example.org/story", "payload": page("Ships berth again")},  # no date in page
        {"uri": "https://coast.example.org/sniffed", "payload": page("Sniffed page"), "ctype": None},
    ]


def corrupt_gzip_page() -> bytes:
    """A gzip body that decodes for its first blocks and then fails (warcio reads 16 KB blocks)."""
    rng = random.Random(3)
    words = " ".join("".join(rng.choice("abcdefghij") for _ in range(6)) for _ in range(12_000))
    data = bytearray(gzip.compress(page("Long", date=None) + words.encode()))
    data[len(data) // 2:len(data) // 2 + 200] = b"\xff" * 200
    return bytes(data)


def items(path: Path, max_bytes: int = 1_000_000) -> list[RawDocument | IngestError]:
    return list(iter_warc_file(path, max_bytes=max_bytes))


@pytest.mark.parametrize("gz", [True, False])
def test_html_responses_become_documents_and_the_rest_is_skipped(tmp_path, gz):
    path = build(tmp_path / ("crawl.warc.gz" if gz else "crawl.warc"), mixed(), gz=gz)
    out = items(path)
    assert all(isinstance(d, RawDocument) for d in out), out
    assert [d.url for d in out] == ["https://www.harbour.example/news/strike-ends",
                                    "https://coast.example.org/story", "https://coast.example.org/sniffed"]
    first, second, _ = out
    assert first.outlet == "harbour.example" and second.outlet == "example.org"
    assert first.title == "Strike ends" and "container terminal" in first.text
    assert first.published_at == datetime(2026, 3, 1, 10, 15, tzinfo=timezone.utc)  # the page's date
    assert second.published_at == datetime(2026, 3, 2, 8, 30, tzinfo=timezone.utc)  # fetch date fallback
    assert first.format == "warc" and first.language == "en"
    assert all(d.origin.startswith(f"{path}@") for d in out)
    assert len({d.origin for d in out}) == 3


def test_url_date_is_preferred_to_fetch_date(tmp_path):
    path = build(tmp_path / "c.warc.gz", [{"uri": "https://n.example/2026/02/27/strike", "payload": page("Strike")}])
    (doc,) = items(path)
    assert doc.published_at == datetime(2026, 2, 27, tzinfo=timezone.utc)


def test_broken_payloads_give_one_error_each_and_reading_goes_on(tmp_path):
    records = [
        {"uri": "https://a.example/empty", "payload": b"<html><body></body></html>"},
        {"uri": "https://a.example/bad-gzip", "payload": corrupt_gzip_page(),
         "extra": [("Content-Encoding", "gzip")]},
        {"uri": "https://a.example/big", "payload": page("Big") + b" " * 300_000},
        {"uri": "https://a.example/good", "payload": page("Good")},
    ]
    path = build(tmp_path / "c.warc.gz", records)
    out = items(path, max_bytes=200_000)
    errors = [e for e in out if isinstance(e, IngestError)]
    assert [d.url for d in out if isinstance(d, RawDocument)] == ["https://a.example/good"]
    assert len(errors) == 3
    assert isinstance(errors[0], ExtractionError) and "a.example/empty" in str(errors[0])
    assert "undecodable payload" in str(errors[1]) and "bad-gzip" in str(errors[1])
    assert "too large" in str(errors[2]) and "a.example/big" in str(errors[2])
    for e in errors:
        assert str(e).startswith(f"{path}@") and e.origin.split("@")[1].isdigit()


def test_truncated_gzip_keeps_earlier_records(tmp_path):
    recs = [{"uri": f"https://a.example/{i}", "payload": page(f"Story {i}")} for i in range(4)]
    full = build(tmp_path / "full.warc.gz", recs).read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(full[: len(full) - 150])
    out = items(cut)
    docs = [d for d in out if isinstance(d, RawDocument)]
    errors = [e for e in out if isinstance(e, IngestError)]
    assert [d.url for d in docs] == [f"https://a.example/{i}" for i in range(3)]
    assert len(errors) == 1 and str(errors[0]).startswith(f"{cut}@")


@pytest.mark.parametrize("gz", [True, False])
def test_corrupt_record_mid_file_is_skipped_and_reading_resumes(tmp_path, gz):
    recs = [{"uri": f"https://a.example/{i}", "payload": page(f"Story {i}")} for i in range(4)]
    path = build(tmp_path / ("c.warc.gz" if gz else "c.warc"), recs, gz=gz)
    data = bytearray(path.read_bytes())
    offsets = [int(d.origin.rsplit("@", 1)[1]) for d in items(path)]
    bad = offsets[1]
    data[bad:bad + 20] = b"\x00" * 20  # destroy the header (or gzip member header) of record 1
    path.write_bytes(bytes(data))
    out = items(path)
    assert [d.url for d in out if isinstance(d, RawDocument)] == [f"https://a.example/{i}" for i in (0, 2, 3)]
    (err,) = [e for e in out if isinstance(e, IngestError)]
    assert err.origin == f"{path}@{bad}" and "broken WARC record" in err.problem
    assert f"offset {offsets[2]}" in err.problem


def test_garbage_after_records_reports_rest_of_file(tmp_path):
    path = build(tmp_path / "c.warc.gz", [{"uri": "https://a.example/1", "payload": page("One")}])
    size = path.stat().st_size
    path.write_bytes(path.read_bytes() + gzip.compress(b"this is not a WARC record\r\n" * 10))
    out = items(path)
    assert [d.url for d in out if isinstance(d, RawDocument)] == ["https://a.example/1"]
    (err,) = [e for e in out if isinstance(e, IngestError)]
    assert err.origin == f"{path}@{size}" and "rest of file skipped" in err.problem


def test_cc_news_layout_is_accepted_and_found_in_directories(tmp_path):
    crawl = tmp_path / "crawl-data" / "CC-NEWS" / "2026" / "03"
    crawl.mkdir(parents=True)
    path = build(crawl / "CC-NEWS-20260302083000-00042.warc.gz", mixed())
    assert format_of(path) == "warc" and format_of(Path("x.warc")) == "warc"
    assert expand_inputs([str(tmp_path)]) == [path]
    docs = [d for d in iter_documents([str(tmp_path)]) if isinstance(d, RawDocument)]
    assert len(docs) == 3


def test_a_warc_is_not_held_to_the_per_file_size_limit(tmp_path):
    recs = [{"uri": f"https://a.example/{i}", "payload": page(f"Story {i}")} for i in range(6)]
    path = build(tmp_path / "c.warc.gz", recs)
    assert path.stat().st_size > 3000
    out = list(iter_documents([str(path)], max_bytes=3000))
    assert len(out) == 6 and all(isinstance(d, RawDocument) for d in out)


def test_records_are_streamed_lazily(tmp_path, monkeypatch):
    """The first document arrives after reading only the start of the file (no timing involved)."""
    recs = [{"uri": f"https://a.example/{i}", "payload": page(f"Story {i}")} for i in range(300)]
    path = build(tmp_path / "big.warc.gz", recs)
    size = path.stat().st_size
    handles: list = []
    real_open = Path.open

    def tracking_open(self, *args, **kwargs):
        fh = real_open(self, *args, **kwargs)
        if self == path:
            handles.append(fh)
        return fh

    monkeypatch.setattr(Path, "open", tracking_open)
    stream = iter_warc_file(path, max_bytes=1_000_000)
    first = next(stream)
    assert isinstance(first, RawDocument) and first.url == "https://a.example/0"
    assert handles and handles[0].tell() < size / 10  # only the first blocks were read
    rest = list(stream)
    assert len(rest) == 299 and handles[0].closed


def test_cli_ingest_stores_warc_articles(tmp_path):
    path = build(tmp_path / "CC-NEWS-20260302083000-00001.warc.gz", mixed() + [
        {"uri": "https://a.example/empty", "payload": b"<html><body></body></html>"}])
    db = str(tmp_path / "s.db")
    res = CliRunner().invoke(app, ["ingest", str(path), "--db", db, "--json"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["new"] == 3 and summary["errors"] == 1
    (err,) = [line for line in res.stderr.splitlines() if line.startswith("error")]
    assert f"{path.name}@" in err and "a.example/empty" in err
    store = open_store(db)
    arts = {a.url: a for a in store.articles()}
    strike = arts["https://www.harbour.example/news/strike-ends"]
    assert strike.outlet == "harbour.example"
    assert strike.published_at == datetime(2026, 3, 1, 10, 15, tzinfo=timezone.utc)
    assert strike.origin.startswith(f"{path}@")
    assert arts["https://coast.example.org/story"].published_at == datetime(2026, 3, 2, 8, 30, tzinfo=timezone.utc)
