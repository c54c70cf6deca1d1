"""WARC / CC-NEWS ingest: HTML responses become documents, everything else is skipped, damage is reported."""

from __future__ import annotations

import gzip
import io
import json
import random
import re
import signal
import uuid
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
        extra: list[tuple[str, str]] | None = None, salt: str = "") -> None:
    headers = [("Content-Type", ctype)] if ctype else []
    http = StatusAndHeaders(status, headers + (extra or []), protocol="HTTP/1.1")
    # a fixed record id (warcio draws a random one): the cut-member tests cut compressed bytes,
    # and whether what follows a cut inflates without error depends on every byte
    rid = f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{rec_type} {uri} {len(payload)}{salt}')}>"
    rec = writer.create_warc_record(uri, rec_type, payload=io.BytesIO(payload),
                                    http_headers=http if rec_type == "response" else None,
                                    warc_headers_dict={"WARC-Date": FETCHED, "WARC-Record-ID": rid})
    writer.write_record(rec)


def build(path: Path, records: list[dict], *, gz: bool = True, salt: str = "") -> Path:
    """`salt` changes the record ids, hence the compressed bytes, as a crawler's random ids do."""
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=gz)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        for r in records:
            add(writer, **r, salt=salt)
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
    assert (first.date_source, second.date_source) == ("page", "fetch")
    assert first.format == "warc" and first.language == "en"
    assert all(d.origin.startswith(f"{path}@") for d in out)
    assert len({d.origin for d in out}) == 3


def test_url_date_is_preferred_to_fetch_date(tmp_path):
    path = build(tmp_path / "c.warc.gz", [{"uri": "https://n.example/2026/02/27/strike", "payload": page("Strike")}])
    (doc,) = items(path)
    assert doc.published_at == datetime(2026, 2, 27, tzinfo=timezone.utc)
    assert doc.date_source == "url"


def test_page_date_is_preferred_to_url_date(tmp_path):
    path = build(tmp_path / "c.warc.gz", [{"uri": "https://n.example/2026/02/27/strike",
                                           "payload": page("Strike", date="2026-02-28T06:00:00Z")}])
    (doc,) = items(path)
    assert doc.published_at == datetime(2026, 2, 28, 6, tzinfo=timezone.utc)
    assert doc.date_source == "page"


def test_no_date_at_all_leaves_the_source_unset(tmp_path):
    """No page date, no URL date and no (parsable) WARC-Date: nothing to say where a date came from."""
    path = tmp_path / "c.warc"
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=False)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        rec = writer.create_warc_record("https://n.example/strike", "response",
                                        payload=io.BytesIO(page("Strike")), http_headers=http,
                                        warc_headers_dict={"WARC-Date": "not a date"})
        writer.write_record(rec)
    (doc,) = items(path)
    assert doc.published_at is None and doc.date_source is None


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


def _track_opens(monkeypatch, path: Path) -> list:
    """The file handles opened on `path` from now on, so a test can ask how far they have read."""
    handles: list = []
    real_open = Path.open

    def tracking_open(self, *args, **kwargs):
        fh = real_open(self, *args, **kwargs)
        if self == path:
            handles.append(fh)
        return fh

    monkeypatch.setattr(Path, "open", tracking_open)
    return handles


def test_records_are_streamed_lazily(tmp_path, monkeypatch):
    """The first document arrives after reading only the start of the file (no timing involved)."""
    recs = [{"uri": f"https://a.example/{i}", "payload": page(f"Story {i}")} for i in range(300)]
    path = build(tmp_path / "big.warc.gz", recs)
    size = path.stat().st_size
    handles = _track_opens(monkeypatch, path)
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
    # where each date came from is stored with it (cleaning and the store keep it)
    assert strike.date_source == "page" and arts["https://coast.example.org/story"].date_source == "fetch"


# --- single-stream gzip, damage at every level, warcio fallbacks

def noisy_page(i: int, words: int = 400) -> bytes:
    """A page that compresses poorly, so a file of them is large once gzipped."""
    rng = random.Random(i)
    filler = " ".join("".join(rng.choice("abcdefghijklmnop") for _ in range(7)) for _ in range(words))
    return page(f"Story {i}").replace(b"</article>", f"<p>{filler}</p></article>".encode())


def stories(n: int, *, host: str = "a.example", noisy: bool = False) -> list[dict]:
    return [{"uri": f"https://{host}/{i}", "payload": noisy_page(i) if noisy else page(f"Story {i}")}
            for i in range(n)]


def plain_warc(tmp_path: Path, records: list[dict]) -> bytes:
    return build(tmp_path / "plain.warc", records, gz=False).read_bytes()


def urls(out: list) -> list[str]:
    return [d.url for d in out if isinstance(d, RawDocument)]


def errors_of(out: list) -> list[IngestError]:
    return [e for e in out if isinstance(e, IngestError)]


def test_single_stream_gzip_reads_every_record_with_decompressed_offsets(tmp_path):
    plain = plain_warc(tmp_path, stories(5))
    path = tmp_path / "whole.warc.gz"
    path.write_bytes(gzip.compress(plain))  # what `gzip whole.warc` makes
    out = items(path)
    assert urls(out) == [f"https://a.example/{i}" for i in range(5)] and not errors_of(out)
    for doc in out:  # path@0+OFFSET: OFFSET into the decompressed file, where the record starts
        member, offset = doc.origin.rsplit("@", 1)[1].split("+")
        assert member == "0" and plain[int(offset):].startswith(b"WARC/1.")
        assert doc.url.encode() in plain[int(offset):int(offset) + 400]


def test_single_stream_gzip_is_streamed_lazily(tmp_path, monkeypatch):
    """The first document arrives after reading only the start of the file (no timing involved)."""
    rng = random.Random(5)
    records = []
    for i in range(20):  # few pages (trafilatura is slow), many incompressible images between
        records.append({"uri": f"https://a.example/{i}", "payload": page(f"Story {i}")})
        records += [{"uri": f"https://img.a.example/{i}-{k}.jpg", "ctype": "image/jpeg",
                     "payload": rng.randbytes(4000)} for k in range(40)]
    plain = build(tmp_path / "big.warc", records, gz=False)
    path = tmp_path / "big.warc.gz"
    with plain.open("rb") as src, gzip.open(path, "wb") as dst:
        while chunk := src.read(1 << 16):
            dst.write(chunk)
    size = path.stat().st_size
    assert size > 3_000_000
    handles = _track_opens(monkeypatch, path)
    stream = iter_warc_file(path, max_bytes=1_000_000)
    first = next(stream)
    assert isinstance(first, RawDocument) and first.origin.startswith(f"{path}@0+")
    assert handles and handles[0].tell() < size / 10
    rest = list(stream)
    assert len(rest) == 19 and all(isinstance(d, RawDocument) for d in rest) and handles[0].closed


def test_a_gzip_member_holding_several_records_mid_file(tmp_path):
    """Members before it keep seekable offsets; from it on, records are MEMBER+OFFSET."""
    head = build(tmp_path / "head.warc.gz", stories(1)).read_bytes()
    joint = gzip.compress(plain_warc(tmp_path, stories(3, host="b.example")))
    path = tmp_path / "mixed.warc.gz"
    path.write_bytes(head + joint)
    out = items(path)
    assert urls(out) == ["https://a.example/0"] + [f"https://b.example/{i}" for i in range(3)]
    assert not errors_of(out)
    assert out[0].origin.rsplit("@", 1)[1].isdigit()
    assert all(d.origin.rsplit("@", 1)[1].startswith(f"{len(head)}+") for d in out[1:])


def test_single_stream_gzip_cut_short_keeps_earlier_records(tmp_path):
    whole = gzip.compress(plain_warc(tmp_path, stories(6, noisy=True)))
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(whole[: len(whole) // 2])
    out = items(path)
    assert 1 <= len(urls(out)) < 6 and urls(out) == [f"https://a.example/{i}" for i in range(len(urls(out)))]
    (err,) = errors_of(out)
    assert err.origin.startswith(f"{path}@0+") and "broken gzip data" in err.problem
    assert "rest of file skipped" in err.problem


def test_corrupt_single_stream_resumes_at_the_next_gzip_member(tmp_path, capsys):
    data = bytearray(gzip.compress(plain_warc(tmp_path, stories(20, noisy=True))))
    assert len(data) > 40_000  # bigger than warcio's first read, as real files are
    data[-6] ^= 0xFF  # the CRC check at the end of the stream fails
    tail = build(tmp_path / "tail.warc.gz", stories(2, host="b.example")).read_bytes()
    path = tmp_path / "c.warc.gz"
    path.write_bytes(bytes(data) + tail)
    out = items(path)
    assert urls(out)[-2:] == ["https://b.example/0", "https://b.example/1"]
    (err,) = errors_of(out)
    assert "broken gzip data" in err.problem and f"next gzip member at offset {len(data)}" in err.problem
    assert capsys.readouterr().err == ""


def test_broken_record_inside_a_single_gzip_stream_is_skipped(tmp_path):
    plain = plain_warc(tmp_path, stories(4))
    bad = plain.rfind(b"WARC/1.", 0, plain.find(b"https://a.example/1"))
    path = tmp_path / "c.warc.gz"
    path.write_bytes(gzip.compress(plain[:bad] + b"XXXX" + plain[bad + 4:]))
    out = items(path)
    assert urls(out) == [f"https://a.example/{i}" for i in (0, 2, 3)]
    (err,) = errors_of(out)
    assert err.origin == f"{path}@0+{bad}" and "broken WARC record" in err.problem
    assert f"next readable record at offset 0+{plain.find(b'WARC/1.', bad + 1)}" in err.problem


def overstate_length(warc: bytes, uri: bytes) -> bytes:
    """The Content-Length of the record for `uri` set far beyond the end of the file."""
    start = warc.find(b"Content-Length: ", warc.rfind(b"WARC/1.", 0, warc.find(uri)))
    end = warc.find(b"\r\n", start)
    return warc[:start] + b"Content-Length: 99999999" + warc[end:]


@pytest.mark.parametrize("layout", ["plain", "members", "single-stream"])
@pytest.mark.parametrize("which", [1, 3])
def test_content_length_beyond_end_of_file(tmp_path, layout, which):
    """One line for the record; records its Content-Length ran over are read again."""
    uri = f"https://a.example/{which}".encode()
    if layout == "members":  # rebuild only that record's gzip member
        full = build(tmp_path / "m.warc.gz", stories(4))
        offsets = [int(d.origin.rsplit("@", 1)[1]) for d in items(full)] + [full.stat().st_size]
        raw = full.read_bytes()
        member = gzip.decompress(raw[offsets[which]:offsets[which + 1]])
        data = raw[:offsets[which]] + gzip.compress(overstate_length(member, uri)) + raw[offsets[which + 1]:]
    else:
        data = overstate_length(plain_warc(tmp_path, stories(4)), uri)
        data = gzip.compress(data) if layout == "single-stream" else data
    path = tmp_path / ("c.warc" if layout == "plain" else "c.warc.gz")
    path.write_bytes(data)
    out = items(path)
    assert urls(out) == [f"https://a.example/{i}" for i in range(4) if i != which]
    (err,) = errors_of(out)
    assert "truncated" in err.problem and "99999" in err.problem and uri.decode() in err.problem


def test_gzip_member_cut_mid_record_mid_file(tmp_path, capsys):
    full = build(tmp_path / "m.warc.gz", stories(4))
    offsets = [int(d.origin.rsplit("@", 1)[1]) for d in items(full)]
    raw = full.read_bytes()
    path = tmp_path / "c.warc.gz"
    path.write_bytes(raw[:offsets[2] - 200] + raw[offsets[2]:])  # member 1 loses its end
    out = items(path)
    assert urls(out) == [f"https://a.example/{i}" for i in (0, 2, 3)]
    (err,) = errors_of(out)
    assert err.origin == f"{path}@{offsets[1]}" and "broken gzip member (corrupt gzip data" in err.problem
    assert f"next readable record at offset {offsets[2] - 200}" in err.problem
    assert capsys.readouterr().err == ""  # warcio's own complaints are not printed


def test_a_cut_member_never_yields_a_garbled_record_whatever_its_bytes(tmp_path):
    """Depending on its bytes, a cut member fails to inflate, or inflates the next member as
    garbage that fills the record's Content-Length (and once made the reader loop for ever)."""
    seen = set()
    for salt in range(60):
        full = build(tmp_path / "m.warc.gz", stories(4), salt=str(salt))
        offsets = [int(d.origin.rsplit("@", 1)[1]) for d in items(full)]
        raw = full.read_bytes()
        path = tmp_path / "c.warc.gz"
        path.write_bytes(raw[:offsets[2] - 200] + raw[offsets[2]:])
        out = items(path)
        assert urls(out) == [f"https://a.example/{i}" for i in (0, 2, 3)], salt
        (err,) = errors_of(out)
        assert err.origin == f"{path}@{offsets[1]}" and err.problem.startswith("broken gzip member ("), salt
        assert f"next readable record at offset {offsets[2] - 200}" in err.problem, salt
        seen.add("inflated garbage" if "does not end with its record" in err.problem else "zlib error")
    assert seen == {"inflated garbage", "zlib error"}  # both kinds of damage were met


def test_a_member_cut_in_its_trailer_is_reported_not_trusted(tmp_path):
    full = build(tmp_path / "m.warc.gz", stories(3))
    path = tmp_path / "c.warc.gz"
    path.write_bytes(full.read_bytes()[:-4])  # the last member loses part of its CRC/length trailer
    out = items(path)
    assert urls(out) == ["https://a.example/0", "https://a.example/1"]
    (err,) = errors_of(out)
    assert "cut short or corrupt" in err.problem and "https://a.example/2" in err.problem


def test_a_damaged_plain_record_is_caught_by_its_block_digest(tmp_path):
    raw = plain_warc(tmp_path, stories(3))
    at = raw.index(b"Story 1</h1><p>The harbour") + len(b"Story 1</h1><p>The ")
    path = tmp_path / "flipped.warc"
    path.write_bytes(raw[:at] + b"H" + raw[at + 1:])  # same length: Content-Length cannot tell
    out = items(path)
    assert urls(out) == ["https://a.example/0", "https://a.example/2"]
    (err,) = errors_of(out)
    assert "do not match its WARC-Block-Digest" in err.problem and "https://a.example/1" in err.problem


def test_a_wrong_payload_digest_alone_is_not_damage(tmp_path):
    """Crawlers disagree on what a chunked response's payload digest covers; the block digest
    (not in the block itself, so a header edit keeps it valid) still matches."""
    raw = plain_warc(tmp_path, stories(2))
    path = tmp_path / "p.warc"
    path.write_bytes(re.sub(rb"WARC-Payload-Digest: sha1:[A-Z2-7]{32}",
                            b"WARC-Payload-Digest: sha1:" + b"A" * 32, raw))
    assert path.read_bytes().count(b"sha1:" + b"A" * 32) == 2
    out = items(path)
    assert urls(out) == ["https://a.example/0", "https://a.example/1"] and not errors_of(out)


@pytest.mark.parametrize("gz", [True, False])
def test_mutated_archives_end_without_exceptions_or_garbled_pages(tmp_path, gz):
    """Seeded mutations (cut, flipped bytes, spliced-in or dropped runs): reading always ends,
    and every page it yields is one of the intact file's pages, byte for byte."""
    def give_up(*_):
        raise TimeoutError("the reader did not end")

    suffix = ".warc.gz" if gz else ".warc"
    intact = {d.text for d in items(build(tmp_path / f"m{suffix}", stories(5), gz=gz))}
    previous = signal.signal(signal.SIGALRM, give_up)
    try:
        for seed in range(150):
            rng = random.Random(seed)
            raw = bytearray(build(tmp_path / f"m{suffix}", stories(5), gz=gz, salt=str(seed)).read_bytes())
            at = rng.randrange(len(raw))
            kind = ("cut", "flip", "splice", "drop")[seed % 4]
            if kind == "cut":
                del raw[at:]
            elif kind == "flip":
                for spot in [at] + [rng.randrange(len(raw)) for _ in range(rng.randint(0, 4))]:
                    raw[spot] ^= rng.randrange(1, 256)
            elif kind == "splice":
                raw[at:at] = rng.randbytes(rng.randint(1, 300))
            else:
                del raw[at:at + rng.randint(1, 400)]
            path = tmp_path / f"c{suffix}"
            path.write_bytes(bytes(raw))
            signal.alarm(30)
            out = items(path)
            signal.alarm(0)
            assert {d.text for d in out if isinstance(d, RawDocument)} <= intact, (seed, kind)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("name,data,problem", [
    ("page.warc", b"<html><body><p>Not an archive</p></body></html>", "not a WARC file"),
    ("page.warc.gz", gzip.compress(b"<html><body><p>Not an archive</p></body></html>"), "not a WARC file"),
    ("notes.warc", b"just some text\nover two lines\n", "not a WARC file"),
    ("empty.warc.gz", b"", "empty file"),
    ("empty.warc", b"", "empty file"),
    ("nothing.warc.gz", gzip.compress(b""), "no WARC records"),
])
def test_files_without_records_give_one_line_naming_the_file(tmp_path, name, data, problem):
    path = tmp_path / name
    path.write_bytes(data)
    (err,) = items(path)
    assert isinstance(err, IngestError) and err.origin == str(path) and problem in err.problem
    assert "\n" not in str(err)


def test_decoder_fallback_when_warcio_internals_are_missing(tmp_path, monkeypatch, caplog):
    """Without warcio's private decoder hooks, ingest still works; only strictness is lost."""
    from warcio.recordloader import ArcWarcRecord

    from newsprism.ingest import warc

    class Opaque:  # what a later warcio might return: a reader with none of 1.8's internals
        def __init__(self, inner):
            self.read = inner.read

    real = ArcWarcRecord.content_stream
    monkeypatch.setattr(ArcWarcRecord, "content_stream", lambda self: Opaque(real(self)))
    monkeypatch.setattr(warc, "_container_reader", lambda records: Opaque(io.BytesIO()))
    monkeypatch.setattr(warc, "_iterator_offset", lambda records, fallback: fallback)
    warc._warn_lenient_decoding.cache_clear()
    records = [{"uri": "https://a.example/bad-gzip", "payload": corrupt_gzip_page(),
                "extra": [("Content-Encoding", "gzip")]},
               {"uri": "https://a.example/zipped", "payload": gzip.compress(page("Zipped")),
                "extra": [("Content-Encoding", "gzip")]}] + stories(3)
    path = build(tmp_path / "c.warc.gz", records)
    clean = [int(d.origin.rsplit("@", 1)[1]) for d in items(path) if d.url.endswith(("/0", "/1", "/2"))]
    data = bytearray(path.read_bytes())
    data[clean[1]:clean[1] + 20] = b"\x00" * 20  # and a broken record, to exercise the resync
    path.write_bytes(bytes(data))
    with caplog.at_level("WARNING", logger="newsprism.ingest.warc"):
        out = items(path)
    assert "hides decoding errors" in caplog.text
    assert urls(out)[-3:] == ["https://a.example/zipped", "https://a.example/0", "https://a.example/2"]
    (err,) = [e for e in errors_of(out) if "broken WARC record" in e.problem]
    assert err.origin == f"{path}@{clean[1]}" and f"offset {clean[2]}" in err.problem
    assert len(out) <= 5  # the damaged page gives at most one item (a short page or an error)
