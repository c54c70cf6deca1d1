"""Tests of newsprism.clean: each boilerplate kind, repetition per outlet, and what must be kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsprism.clean import CleanConfig, article_id, clean_document, clean_documents, line_kind
from newsprism.ingest import iter_documents
from newsprism.models import RawDocument

SHARED = Path(__file__).resolve().parents[2] / "shared"

P1 = ("The council voted on Tuesday to approve the new bridge, ending a debate that had lasted "
      "more than a decade.")
P2 = "Opponents said the cost was too high for a town of its size."
P3 = "Construction is expected to begin next spring, the council said."


def _raw(text: str, *, outlet: str | None = None, body_line: int = 3, url: str | None = None,
         origin: str = "a.txt") -> RawDocument:
    return RawDocument(origin=origin, text=text, title="Title", outlet=outlet, url=url,
                       body_line=body_line)


def _removed(text: str, **kwargs: object) -> list[tuple[str, str]]:
    article = clean_document(_raw(text), **kwargs)  # type: ignore[arg-type]
    return [(span.kind, span.text) for span in article.removed]


@pytest.mark.parametrize(("line", "kind"), [
    ("Please enter your comment!", "comment_form"),
    ("Please enter your name here", "comment_form"),
    ("Leave a Reply", "comment_form"),
    ("You must be logged in to post a comment.", "comment_form"),
    ("Share this article", "share"),
    ("Share on Facebook", "share"),
    ("Share on X", "share"),
    ("Facebook Twitter WhatsApp Email", "share"),
    ("Subscribe to our newsletter", "subscribe"),
    ("Sign up for our daily briefing and get the news in your inbox", "subscribe"),
    ("(photo credit: ING IMAGE/ASAP)", "photo_credit"),
    ("Photo: Reuters", "photo_credit"),
    ("Image: Getty Images", "photo_credit"),
    ("Credit: Jane Roe / Getty Images", "photo_credit"),
    ("Photo by Jane Roe", "photo_credit"),
    ("© 2021 Getty Images", "photo_credit"),
    ("(AP Photo/Evan Vucci)", "photo_credit"),
    ("Smoke rises over the port on Tuesday. REUTERS/John Doe", "photo_credit"),
    ("Read more: Bridge plans revealed", "read_more"),
    ("READ ALSO:", "read_more"),
    ("Related: Council elections in May", "read_more"),
])
def test_line_kinds(line: str, kind: str) -> None:
    assert line_kind(line) == kind
    text = f"{P1}\n\n{line}\n\n{P2}\n"
    assert _removed(text) == [(kind, line)]


@pytest.mark.parametrize("line", [
    "The company will share details of the plan on Facebook later this week.",
    "Shares in the company fell 4% after the announcement.",
    "He urged residents to sign up for the new flood warning scheme by May.",
    "Subscribers to the service rose to 2 million, the company said.",
    "The photo showed the minister leaving the building.",
    "Related talks were held in Geneva on Monday.",
    "Readers can leave a comment on the council website until Friday.",
    "Comments from residents were mostly positive, the mayor said.",
    "The source said the talks would resume in January.",
    "Credit card debt rose sharply in the third quarter.",
    "Photographs by the agency showed the damage to the port.",
    "Copyright holders say images were used without permission.",
    "Get ready for more updates, the minister told reporters.",
    "A Reuters/Ipsos poll showed support rising.",
    "x x x",
    "print x",
    '"link": link',
    "(Graphic: Global assets in 2019 - here)",
    "  • Milley met with the Prime Minister and the Defense Minister.",
    "Why does it matter: the vote ends a decade of debate.",
])
def test_body_lines_are_kept(line: str) -> None:
    text = f"{P1}\n\n{line}\n\n{P2}\n"
    article = clean_document(_raw(text))
    assert article.removed == ()
    assert line.strip() in article.text


def test_body_line_ending_the_article_is_not_a_trailer() -> None:
    text = f"{P1}\n\nSources said the deal would be signed next week.\n"
    assert clean_document(_raw(text)).removed == ()


def test_caption_before_photo_credit() -> None:
    text = f"{P1}\n\nIsrael and Iran flags\n(photo credit: ING IMAGE/ASAP)\n{P2}\n"
    article = clean_document(_raw(text, body_line=3))
    assert [(s.kind, s.text, s.line) for s in article.removed] == [
        ("caption", "Israel and Iran flags", 5), ("photo_credit", "(photo credit: ING IMAGE/ASAP)", 6)]
    assert article.text == f"{P1}\n\n{P2}"


def test_sentence_before_credit_is_not_a_caption() -> None:
    text = f"{P1}\n\n{P2}\nPhoto: Reuters\n{P3}\n"
    assert _removed(text) == [("photo_credit", "Photo: Reuters")]


@pytest.mark.parametrize("trailer", [".Source", "Source: example.com", "Source: Reuters",
                                     "This article originally appeared on The Example"])
def test_source_trailer_only_at_the_end(trailer: str) -> None:
    assert _removed(f"{P1}\n\n{P2}\n\n{trailer}\n") == [("source_trailer", trailer)]
    assert _removed(f"{P1}\n\n{trailer}\n\n{P2}\n") == []


def test_trailer_found_before_other_boilerplate_at_the_end() -> None:
    text = f"{P1}\n\nSource: example.com\n\nShare this article\n"
    assert _removed(text) == [("source_trailer", "Source: example.com"), ("share", "Share this article")]


def test_removed_spans_point_into_raw_and_file_lines() -> None:
    text = f"{P1}\n  Share this article  \n{P2}\n\n\nPlease enter your comment!\n"
    article = clean_document(_raw(text, body_line=10))
    assert [(s.kind, s.line) for s in article.removed] == [("share", 11), ("comment_form", 15)]
    for span in article.removed:
        assert article.raw[span.start:span.end] == span.text
    assert article.raw == text
    assert article.text == f"{P1}\n\n{P2}"


def test_no_file_lines_for_non_line_based_inputs() -> None:
    article = clean_document(_raw(f"{P1}\nShare this article\n", body_line=0))
    assert [s.line for s in article.removed] == [None]


def test_clean_text_is_nfc() -> None:
    article = clean_document(_raw("Zu\u0308rich und Mu\u0308nchen.\n"))
    assert article.text == "Zürich und München."
    assert article.raw == "Zu\u0308rich und Mu\u0308nchen.\n"


def test_whitespace_is_normalised_and_bullets_kept() -> None:
    text = f"\n\n{P1}\n\n\n\n  •  First   point.\n\t• Second point.\n\n\n{P2}  \n\n"
    article = clean_document(_raw(text))
    assert article.text == f"{P1}\n\n• First point.\n• Second point.\n\n{P2}"


def test_repeated_lines_per_outlet() -> None:
    footer = "The Example Times is owned by Example Media Group"
    bodies = [P1, P2, P3, "A fourth story about the harbour."]
    docs = [_raw(f"{body}\n\n{footer}\n", outlet="example.com", origin=f"{i}.txt")
            for i, body in enumerate(bodies)]
    docs.append(_raw(f"{P1}\n\n{footer}\n", outlet="other.org", origin="other.txt"))
    docs.append(_raw(f"{P1}\n\n{footer}\n", outlet=None, origin="none.txt"))
    articles = clean_documents(docs)
    for article in articles[:4]:
        assert [(s.kind, s.text) for s in article.removed] == [("repeated", footer)]
        assert footer not in article.text
    assert articles[4].removed == () and articles[5].removed == ()  # other outlet / no outlet


def test_repeated_lines_need_enough_articles_and_share() -> None:
    shared = "Background: the bridge was first proposed in 2009"
    docs = [_raw(f"{P1}\n\n{shared}\n", outlet="x.com", origin="a"),
            _raw(f"{P2}\n\n{shared}\n", outlet="x.com", origin="b")]
    assert all(a.removed == () for a in clean_documents(docs))  # 2 < 3 articles
    docs += [_raw(f"{P3} {i}\n", outlet="x.com", origin=f"c{i}") for i in range(5)]
    docs.append(_raw(f"{P3}\n\n{shared}\n", outlet="x.com", origin="d"))
    assert all(a.removed == () for a in clean_documents(docs))  # 3 of 8 < 50 %
    config = CleanConfig(repeated_line_min_share=0.3)
    assert sum(len(a.removed) for a in clean_documents(docs, config=config)) == 3


def test_long_lines_are_never_removed_as_repeated() -> None:
    long_line = "word " * 60
    docs = [_raw(f"{long_line}\n\n{P1} {i}\n", outlet="x.com", origin=str(i)) for i in range(4)]
    assert all(a.removed == () for a in clean_documents(docs))


def test_article_id_is_stable(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(f"url: https://example.com/a\n\nTitle\n\n{P1}\n\nShare this article\n")
    first = clean_documents(list(iter_documents([str(path)])))[0]
    second = clean_documents(list(iter_documents([str(path)])))[0]
    assert first.id == second.id and len(first.id) == 16
    assert first.id == article_id(f"  {P1.upper()} \n", "https://example.com/a")
    assert first.id != article_id(P1, "https://example.com/b")
    assert first.id != article_id(P1 + " More.", "https://example.com/a")
    assert first.url == "https://example.com/a" and first.language is None


def test_metadata_is_carried_over() -> None:
    doc = RawDocument(origin="x.jsonl:3", text=P1, title="T", url="https://e.com/1", outlet="e.com",
                      byline="Jane", language="fr", source_id="42", body_line=0, format="jsonl")
    article = clean_document(doc)
    assert (article.origin, article.title, article.url, article.outlet, article.byline,
            article.language) == ("x.jsonl:3", "T", "https://e.com/1", "e.com", "Jane", "fr")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([
    P1, P2, "", "  ", "Share this article", "Photo: AP", "Short caption", "Read more: x",
    "Please enter your comment!", ".Source", "  • bullet point here", "x\ty"]), max_size=20))
def test_spans_are_consistent(lines: list[str]) -> None:
    text = "\n".join(lines)
    article = clean_document(_raw(text, body_line=1))
    for span in article.removed:
        assert text[span.start:span.end] == span.text and span.text
        assert span.line == 1 + text[:span.start].count("\n")
    assert "\n\n\n" not in article.text and article.text == article.text.strip()
    kept = [line.strip() for line in lines if line.strip()]
    assert len(kept) - len(article.removed) == len([x for x in article.text.split("\n") if x])


@pytest.mark.realdata
@pytest.mark.parametrize("name", ["000_9b870f08fdbf5d28.txt", "003_6013dc0799a10875.txt"])
def test_seed_boilerplate_lines(name: str) -> None:
    path = SHARED / "seeds" / name
    gold_path = SHARED / "gold" / "seeds.json"
    if not path.exists() or not gold_path.exists():
        pytest.skip("../shared seeds not available")
    gold = json.loads(gold_path.read_text(encoding="utf-8"))["articles"][name]
    articles = clean_documents([d for d in iter_documents([str(path)])])
    assert len(articles) == 1
    article = articles[0]
    assert sorted(span.line for span in article.removed) == sorted(gold["boilerplate_lines"])
    file_lines = path.read_text(encoding="utf-8").split("\n")
    title_line = next(i for i, line in enumerate(file_lines, 1) if line.strip())
    body = [i for i, line in enumerate(file_lines, 1)
            if line.strip() and i != title_line and i not in gold["boilerplate_lines"]]
    for number in body:  # every other line of the body survives, whole
        assert " ".join(file_lines[number - 1].split()) in article.text
