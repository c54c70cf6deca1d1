"""Tests of the relate stage (reuse kinds, alignment, direction, reporting lines).

Analyses are built with a small regex sentence splitter and quote finder (the analyze stage is
not needed); vectors come from the real encoders.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from newsprism.embed import MiniLMEncoder, MultilingualEncoder, embed_articles
from newsprism.models import COPY_KINDS, Analysis, Article, Quote, Relation, Signals, Span
from newsprism.relate import (
    CandidateIndex,
    RelateConfig,
    align,
    candidate_pairs,
    infer_direction,
    likely_original,
    minhash_signatures,
    relate_articles,
    relate_pair,
    reporting_lines,
    shingles,
)

_spec = importlib.util.spec_from_file_location(
    "relate_fixtures", Path(__file__).parent / "data" / "relate" / "fixtures.py")
assert _spec is not None and _spec.loader is not None
fx = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fx)

SHARED = Path(__file__).resolve().parents[2] / "shared"

# ---------------------------------------------------------------------------------- helpers

_SENT = re.compile(r".+?(?:[.!?]+[”\"’»]?(?=\s|$)|$)", re.S)
_QUOTE = re.compile(r"“[^”]+”|\"[^\"]+\"|«[^»]+»")


def split_sentences(text: str) -> tuple[Span, ...]:
    """Sentences per line: end at . ! ? (plus a closing quote) followed by whitespace."""
    out: list[Span] = []
    for line in re.finditer(r"[^\n]+", text):
        for m in _SENT.finditer(line.group(0)):
            s, e = line.start() + m.start(), line.start() + m.end()
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if e > s:
                out.append(Span(s, e, text[s:e]))
    return tuple(out)


def find_quotes(text: str) -> tuple[Quote, ...]:
    return tuple(Quote(text=m.group(0)[1:-1], start=m.start(), end=m.end())
                 for m in _QUOTE.finditer(text))


def make(aid: str, text: str, title: str = "", *, language: str = "en",
         published_at: datetime | None = None, outlet: str | None = None,
         mt: float = 0.0) -> tuple[Article, Analysis]:
    art = Article(id=aid, origin=f"test:{aid}", text=text, raw=text, title=title,
                  language=language, published_at=published_at, outlet=outlet)
    an = Analysis(article_id=aid, language=language, sentences=split_sentences(text),
                  quotes=find_quotes(text), signals=Signals(machine_translation=mt))
    return art, an


# ---------------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="session")
def encoders() -> tuple[MiniLMEncoder, MultilingualEncoder]:
    return MiniLMEncoder(), MultilingualEncoder()


def _corpus_items() -> dict[str, tuple[Article, Analysis]]:
    return {
        "base": make("base", fx.BASE, fx.BASE_TITLE),
        "verbatim": make("verbatim", fx.VERBATIM, fx.BASE_TITLE),
        "added": make("added", fx.ADDED, fx.ADDED_TITLE),
        "cut": make("cut", fx.CUT, fx.BASE_TITLE),
        "spin": make("spin", fx.SPIN, fx.SPIN_TITLE),
        "es": make("es", fx.TRANSLATION, fx.TRANSLATION_TITLE, language="es"),
        "indep": make("indep", fx.INDEPENDENT, fx.INDEPENDENT_TITLE),
        "indep2": make("indep2", fx.INDEPENDENT2, fx.INDEPENDENT2_TITLE),
        "unrel": make("unrel", fx.UNRELATED, fx.UNRELATED_TITLE),
        "sha": make("sha", fx.SHARED_A, fx.SHARED_A_TITLE),
        "shb": make("shb", fx.SHARED_B, fx.SHARED_B_TITLE),
        "scoop": make("scoop", fx.SCOOP, fx.SCOOP_TITLE, outlet="theledger.example"),
        "copy": make("copy", fx.SCOOP_COPY, fx.SCOOP_TITLE, outlet="aggregator.example"),
        "ra": make("ra", fx.RULING_A, fx.RULING_A_TITLE),
        "rb": make("rb", fx.RULING_B, fx.RULING_B_TITLE),
    }


@pytest.fixture(scope="session")
def corpus(encoders):
    """id -> (Article, Analysis, ArticleVectors) for every fixture, embedded in one batch."""
    items = _corpus_items()
    mono, multi = encoders
    vecs = embed_articles([a for a, _ in items.values()], [an for _, an in items.values()],
                          encoder=mono, multilingual=multi)
    return {k: (a, an, v) for (k, (a, an)), v in zip(items.items(), vecs, strict=True)}


def rel(corpus, x: str, y: str, **overrides) -> Relation:
    (a, an_a, va), (b, an_b, vb) = corpus[x], corpus[y]
    if overrides.get("a"):
        a = overrides["a"]
    if overrides.get("b"):
        b = overrides["b"]
    return relate_pair(a, b, an_a, an_b, va, vb, config=overrides.get("config"))


# ---------------------------------------------------------------------------------- shingles

def test_shingles_are_lowercased_and_punctuation_free():
    assert shingles("The Cat, sat -- on the MAT!", size=5) == {
        b"the cat sat on the", b"cat sat on the mat"}
    assert shingles("Two words", size=5) == {b"two words"}
    assert shingles("  ", size=5) == set()


def test_minhash_signatures_estimate_overlap(corpus):
    arts = [corpus[k][0] for k in ("base", "verbatim", "unrel", "added")]
    sigs = minhash_signatures(arts, config=RelateConfig())
    assert set(sigs) == {"base", "verbatim", "unrel", "added"}
    assert sigs["base"].jaccard(sigs["verbatim"]) > 0.95
    assert sigs["base"].jaccard(sigs["added"]) > 0.5
    assert sigs["base"].jaccard(sigs["unrel"]) < 0.1


# ---------------------------------------------------------------------------------- candidates

def test_candidate_pairs_union_of_lsh_and_knn(corpus):
    arts = [a for a, _, _ in corpus.values()]
    vecs = [v for _, _, v in corpus.values()]
    langs = {k: an.language for k, (_, an, _) in corpus.items()}
    pairs = candidate_pairs(arts, vecs, config=RelateConfig(), languages=langs)
    assert all(x < y for x, y in pairs)
    for expected in [("base", "verbatim"), ("added", "base"), ("base", "cut"), ("base", "spin"),
                     ("base", "es"), ("sha", "shb"), ("copy", "scoop"), ("base", "indep")]:
        assert expected in pairs, expected
    assert not any("unrel" in p for p in pairs)
    # lexical-only pairs are found by LSH even when the kNN is switched off
    lsh_only = candidate_pairs(arts, vecs, config=RelateConfig(knn_k=0), languages=langs)
    assert ("sha", "shb") in lsh_only and ("base", "verbatim") in lsh_only
    assert ("base", "es") not in lsh_only


def test_candidate_pairs_for_queries_only(corpus):
    """An incremental run asks only for the new articles' pairs; every article is still indexed."""
    arts = [a for a, _, _ in corpus.values()]
    vecs = [v for _, _, v in corpus.values()]
    langs = {k: an.language for k, (_, an, _) in corpus.items()}
    everything = candidate_pairs(arts, vecs, languages=langs)
    some = candidate_pairs(arts, vecs, languages=langs, queries=["es", "shb"])
    assert some == {p for p in everything if "es" in p or "shb" in p}
    assert ("base", "es") in some and ("sha", "shb") in some


def test_hnsw_index_finds_what_the_exact_index_finds(corpus):
    """Above `ann_exact_max` vectors per language the index is an HNSW graph (approximate);
    on a small corpus it must still return the exact neighbours."""
    arts = [a for a, _, _ in corpus.values()]
    vecs = [v for _, _, v in corpus.values()]
    langs = {k: an.language for k, (_, an, _) in corpus.items()}
    exact = candidate_pairs(arts, vecs, languages=langs, config=RelateConfig(lsh_threshold=0.9))
    hnsw = candidate_pairs(arts, vecs, languages=langs,
                           config=RelateConfig(lsh_threshold=0.9, ann_exact_max=2))
    assert hnsw == exact


def test_cross_language_neighbours_are_not_crowded_out(encoders):
    """A translation is found even when many same-language articles are closer in the
    multilingual space: other languages are searched in their own index."""
    rng = np.random.default_rng(7)
    base = rng.normal(size=384).astype(np.float32)
    ml = rng.normal(size=512).astype(np.float32)
    arts, vecs = [], []
    from newsprism.embed import ArticleVectors

    def unit(v):
        return (v / np.linalg.norm(v)).astype(np.float32)

    for i in range(30):  # thirty English near-duplicates, all closer to each other than anything
        aid = f"en{i:02d}"
        arts.append(Article(id=aid, origin=aid, text=f"text {i}", raw="", language="en"))
        vecs.append(ArticleVectors(aid, unit(base + 0.05 * rng.normal(size=384)), np.zeros((0, 384)),
                                   unit(ml + 0.05 * rng.normal(size=512)), np.zeros((0, 512))))
    arts.append(Article(id="fr", origin="fr", text="texte", raw="", language="fr"))
    vecs.append(ArticleVectors("fr", unit(rng.normal(size=384)), np.zeros((0, 384)),
                               unit(ml + 0.4 * rng.normal(size=512)), np.zeros((0, 512))))
    pairs = candidate_pairs(arts, vecs, config=RelateConfig(knn_k=3, lsh_threshold=0.9))
    assert any("fr" in p for p in pairs)
    assert len({p for p in pairs if "en00" in p}) <= 3 + 1 + 3  # k per language group, both ways


def test_candidate_index_incremental(corpus):
    cfg = RelateConfig()
    names = ["base", "es", "unrel", "sha"]
    sigs = minhash_signatures([corpus[k][0] for k in [*names, "verbatim"]], config=cfg)
    index = CandidateIndex(cfg)
    for k in names:
        _, an, v = corpus[k]
        index.add(k, sigs[k], v.doc, v.ml_doc, language=an.language)
    _, an, v = corpus["verbatim"]
    hits = index.query("verbatim", sigs["verbatim"], v.doc, v.ml_doc, language=an.language)
    assert {"base", "es"} <= hits
    assert "unrel" not in hits and "verbatim" not in hits


# ---------------------------------------------------------------------------------- kinds

KIND_CASES = [
    ("base", "verbatim", "verbatim"),
    ("base", "added", "near_verbatim"),
    ("base", "cut", "near_verbatim"),
    ("scoop", "copy", "near_verbatim"),
    ("base", "spin", "spin"),
    ("base", "es", "translation"),
    ("spin", "es", "translation"),
    ("sha", "shb", "shared_source"),
    ("base", "indep", "same_story"),
    ("base", "indep2", "same_story"),
    ("spin", "indep", "same_story"),
    ("ra", "rb", "same_story"),
    ("base", "unrel", "unrelated"),
    ("es", "unrel", "unrelated"),
]


@pytest.mark.parametrize(("x", "y", "kind"), KIND_CASES)
def test_kind(corpus, x, y, kind):
    r = rel(corpus, x, y)
    assert r.kind == kind, r.reasons
    assert 0.5 <= r.score <= 1.0
    assert r.reasons
    # the kind does not depend on which side is A
    assert rel(corpus, y, x).kind == kind


def test_verbatim_alignment_covers_both_sides(corpus):
    r = rel(corpus, "base", "verbatim")
    assert r.coverage_a == pytest.approx(1.0) and r.coverage_b == pytest.approx(1.0)
    assert len(r.alignment) == len(corpus["base"][1].sentences)
    assert all(s.lexical > 0.99 for s in r.alignment)


def test_near_verbatim_coverage_is_asymmetric(corpus):
    added = rel(corpus, "base", "added")
    assert added.coverage_a > 0.95 and 0.6 < added.coverage_b < 0.85
    assert "headline changed" in added.reasons
    cut = rel(corpus, "base", "cut")
    assert cut.coverage_b > 0.95 and cut.coverage_a < 0.7


def test_spin_reasons_report_low_lexical_high_semantic(corpus):
    r = rel(corpus, "base", "spin")
    assert r.coverage_a > 0.9 and r.coverage_b > 0.9
    lex = np.mean([s.lexical for s in r.alignment if s.lexical < 0.9])
    sem = np.mean([s.semantic for s in r.alignment])
    assert lex < 0.75 and sem > 0.75
    assert "same order" in r.reasons


def test_translation_reason_names_languages(corpus):
    r = rel(corpus, "es", "base")
    assert "languages es→en" in r.reasons
    assert r.coverage_a > 0.9 and r.coverage_b > 0.9


def test_alignment_offsets_and_merges(corpus):
    (a, an_a, va), (b, an_b, vb) = corpus["base"], corpus["spin"]
    spans = align(a, b, an_a, an_b, va, vb, config=RelateConfig())
    starts_a = {s.start for s in an_a.sentences}
    ends_b = {s.end for s in an_b.sentences}
    for s in spans:
        assert s.a_start in starts_a and s.b_end in ends_b
        assert a.text[s.a_start:s.a_end].strip() and b.text[s.b_start:s.b_end].strip()
    assert [s.a_start for s in spans] == sorted(s.a_start for s in spans)
    assert [s.b_start for s in spans] == sorted(s.b_start for s in spans)
    # base sentences 3+4 were merged into one spin sentence; base sentence 6 was split in two
    merged = [s for s in spans if a.text[s.a_start:s.a_end].startswith("Emergency crews")]
    assert merged and "Mayor Helen Traske said" in a.text[merged[0].a_start:merged[0].a_end]
    split = [s for s in spans if b.text[s.b_start:s.b_end].startswith("Nobody has died.")]
    assert split and "two individuals" in b.text[split[0].b_start:split[0].b_end]


def test_shared_quotation_is_not_reuse(corpus):
    r = rel(corpus, "base", "indep")
    quoted = [s for s in r.alignment if "sleep in the cold" in corpus["base"][0].text[s.a_start:s.a_end]]
    assert quoted, "the shared quotation is still shown as an aligned passage"
    assert all(s.quote_only for s in quoted)
    assert r.coverage_a == 0.0 and r.coverage_b == 0.0
    assert any("shared quotation" in why for why in r.reasons)
    # without quote spans the same sentence would count as reused text
    (a, an_a, va), (b, an_b, vb) = corpus["base"], corpus["indep"]
    blind = relate_pair(a, b, replace(an_a, quotes=()), replace(an_b, quotes=()), va, vb)
    assert blind.coverage_a > 0.05 and blind.coverage_b > 0.05


def test_partly_quoted_sentence_of_a_translation_is_not_set_aside(encoders):
    """Within one language, a partly quoted sentence whose framing differs is a shared quote;
    across languages the framing never matches letter for letter, so that rule must not apply."""
    en = ("Mayor Helen Traske said on Tuesday that the town had opened shelters, adding that "
          "“nobody will sleep in the cold tonight and every family will have a warm bed”.")
    es = ("La alcaldesa Helen Traske dijo el martes que el municipio había abierto refugios, y "
          "añadió que «nadie dormirá al raso esta noche y cada familia tendrá una cama caliente».")
    (a, an_a), (b, an_b) = make("q-en", en), make("q-es", es, language="es")
    assert an_a.quotes and an_b.quotes
    va, vb = embed_articles([a, b], [an_a, an_b], encoder=encoders[0], multilingual=encoders[1])
    r = relate_pair(a, b, an_a, an_b, va, vb)
    assert r.alignment and not any(s.quote_only for s in r.alignment)
    assert r.coverage_a > 0.9 and r.coverage_b > 0.9


def test_long_shared_quotation_does_not_make_a_shared_source(corpus):
    """Two reports quoting the judge's three-sentence statement: the quote is not reused text."""
    r = rel(corpus, "ra", "rb")
    assert r.kind == "same_story"
    assert len(r.alignment) >= 3  # the quotation is aligned (and shown) ...
    assert r.coverage_a < 0.1 and r.coverage_b < 0.1  # ... but not counted
    (a, an_a, va), (b, an_b, vb) = corpus["ra"], corpus["rb"]
    blind = relate_pair(a, b, replace(an_a, quotes=()), replace(an_b, quotes=()), va, vb)
    assert blind.kind == "shared_source"  # what happens without quote spans


def test_reordered_copy_is_not_verbatim(corpus, encoders):
    base_art, base_an, base_v = corpus["base"]
    sents = [s.text for s in base_an.sentences]
    text = " ".join(sents[5:] + sents[:5][::-1])
    art, an = make("shuffled", text, fx.BASE_TITLE)
    [v] = embed_articles([art], [an], encoder=encoders[0], multilingual=encoders[1])
    r = relate_pair(base_art, art, base_an, an, base_v, v)
    assert r.kind != "verbatim"
    assert any("order monotonicity" in why for why in r.reasons)


# ---------------------------------------------------------------------------------- direction

def test_direction_from_publication_times(corpus):
    t0 = datetime(2024, 3, 5, 8, 0, tzinfo=timezone.utc)
    a = replace(corpus["base"][0], published_at=t0)
    b = replace(corpus["verbatim"][0], published_at=t0 + timedelta(hours=3))
    r = rel(corpus, "base", "verbatim", a=a, b=b)
    assert r.direction == "a_first"
    assert any("A published first" in why for why in r.reasons)
    r = rel(corpus, "verbatim", "base", a=b, b=a)
    assert r.direction == "b_first"
    # naive and aware times compare (naive = UTC)
    naive = replace(b, published_at=datetime(2024, 3, 5, 6, 0))
    assert rel(corpus, "base", "verbatim", a=a, b=naive).direction == "b_first"


def test_direction_from_fetch_times_only_where_they_bound_publication(corpus):
    """A fetch time (date_source "fetch") says the page existed by then, not when it appeared."""
    t0 = datetime(2024, 3, 5, 8, 0, tzinfo=timezone.utc)
    a = replace(corpus["base"][0], published_at=t0, date_source="fetch")
    b = replace(corpus["verbatim"][0], published_at=t0 + timedelta(hours=3), date_source="fetch")
    r = rel(corpus, "base", "verbatim", a=a, b=b)
    assert r.direction == "unknown"
    assert not any("first" in why and "unknown" not in why for why in r.reasons), r.reasons
    r = rel(corpus, "base", "verbatim", a=a, b=replace(b, date_source="page"))
    assert r.direction == "a_first"
    assert any(why.startswith("A was fetched by 2024-03-05T08:00") and "B published" in why
               for why in r.reasons), r.reasons
    r = rel(corpus, "base", "verbatim", a=replace(a, date_source="page"), b=b)
    assert r.direction == "unknown"


def test_direction_from_rewritten_attribution(corpus):
    r = rel(corpus, "scoop", "copy")
    assert r.direction == "a_first"
    assert any("told The Ledger" in why and "told me" in why for why in r.reasons)
    assert rel(corpus, "copy", "scoop").direction == "b_first"


def test_direction_from_credit_line(corpus, encoders):
    base_art, base_an, base_v = corpus["base"]
    text = fx.BASE + "\n\nThis article first appeared in the Alder Gazette."
    art, an = make("credited", text, fx.BASE_TITLE)
    [v] = embed_articles([art], [an], encoder=encoders[0], multilingual=encoders[1])
    r = relate_pair(art, base_art, an, base_an, v, base_v)
    assert r.kind in COPY_KINDS
    assert r.direction == "b_first"
    assert any("credit line" in why for why in r.reasons)


@pytest.mark.parametrize("trailer", [
    "This article first appeared in the Alder Gazette.",
    "Source: Alder Gazette",
    "(This story has not been edited by Harbour Times staff and is auto-generated from a "
    "syndicated feed.)",
    "Read the full story at alder-gazette.example",
])
def test_direction_from_credit_or_syndication_note_cut_by_cleaning(corpus, encoders, trailer):
    """Cleaning moves credit lines and syndication notes to `removed`; they still mark the copy."""
    from newsprism.clean import clean_document
    from newsprism.models import RawDocument

    base_art, base_an, base_v = corpus["base"]
    art = clean_document(RawDocument(origin="copy.txt", text=fx.BASE + "\n\n" + trailer,
                                     title=fx.BASE_TITLE))
    if trailer.startswith(("This article", "Source")):
        assert trailer not in art.text and art.removed  # cleaning cut the trailer
    an = make(art.id, art.text)[1]
    [v] = embed_articles([art], [an], encoder=encoders[0], multilingual=encoders[1])
    r = relate_pair(art, base_art, an, base_an, v, base_v)
    assert r.kind in COPY_KINDS
    assert r.direction == "b_first", r.reasons
    assert any("syndication note" in why for why in r.reasons)


def test_containment_is_reported_but_does_not_decide(corpus):
    """A copy that cuts half and a copy that adds paragraphs look alike: one text inside the
    other. Without dates or marks the direction stays unknown, and the reason says why."""
    for x, y in (("base", "cut"), ("base", "added")):
        r = rel(corpus, x, y)
        assert r.kind == "near_verbatim" and r.direction == "unknown"
        assert any("contained in" in why and "cut or an addition" in why for why in r.reasons)


def test_direction_from_machine_translation_signal(corpus):
    (a, an_a, va), (b, an_b, vb) = corpus["base"], corpus["spin"]
    spun = replace(an_b, signals=Signals(machine_translation=0.8))
    r = relate_pair(a, b, an_a, spun, va, vb)
    assert r.kind == "spin" and r.direction == "a_first"


def test_direction_unknown_without_evidence(corpus):
    r = rel(corpus, "base", "verbatim")
    assert r.direction == "unknown"
    (a, an_a, _), (b, an_b, _) = corpus["base"], corpus["indep"]
    direction, why = infer_direction(a, b, an_a, an_b, "same_story", [])
    assert direction == "unknown" and why == ""


# ---------------------------------------------------------------------------------- lines

def test_reporting_lines_from_relations():
    rels = [
        Relation("b", "d", "verbatim", 1.0),
        Relation("d", "e", "translation", 0.9),
        Relation("a", "c", "same_story", 0.8),
        Relation("c", "f", "shared_source", 0.8),
        Relation("f", "zz", "verbatim", 1.0),  # not among the ids: ignored
    ]
    assert reporting_lines(["a", "b", "c", "d", "e", "f"], rels) == [
        ("a",), ("b", "d", "e"), ("c",), ("f",)]
    assert reporting_lines(["e", "a", "d", "b"], rels) == [("e", "d", "b"), ("a",)]
    assert reporting_lines([], rels) == []


def test_likely_original():
    t = datetime(2024, 1, 1, tzinfo=timezone.utc)

    def art(aid, hours=None):
        return Article(id=aid, origin=aid, text="", raw="",
                       published_at=None if hours is None else t + timedelta(hours=hours))

    arts = {"a": art("a", 5), "b": art("b", 1), "c": art("c")}
    rels = [Relation("a", "b", "verbatim", 1.0, direction="a_first"),
            Relation("c", "a", "spin", 0.9, direction="b_first")]
    assert likely_original(("a", "b", "c"), rels, arts) == "a"
    undirected = [replace(r, direction="unknown") for r in rels]
    assert likely_original(("a", "b", "c"), undirected, arts) == "b"  # earliest published
    assert likely_original(("c",), undirected, arts) is None


def test_relate_articles_end_to_end(corpus):
    arts = [a for a, _, _ in corpus.values()]
    ans = [an for _, an, _ in corpus.values()]
    vecs = [v for _, _, v in corpus.values()]
    rels = relate_articles(arts, ans, vecs)
    kinds = {(r.a, r.b): r.kind for r in rels}
    assert kinds[("base", "verbatim")] == "verbatim"
    assert kinds[("base", "es")] == "translation"
    assert kinds[("sha", "shb")] == "shared_source"
    assert all(r.kind != "unrelated" for r in rels)
    lines = reporting_lines(list(corpus), rels)
    assert lines == [
        ("base", "verbatim", "added", "cut", "spin", "es"),
        ("indep",), ("indep2",), ("unrel",), ("sha",), ("shb",), ("scoop", "copy"), ("ra",),
        ("rb",),
    ]


# ---------------------------------------------------------------------------------- real data

@pytest.mark.realdata
def test_seed_articles_are_independent_reports_of_one_story(encoders):
    seeds = SHARED / "seeds"
    files = sorted(seeds.glob("000_*.txt")) + sorted(seeds.glob("003_*.txt"))
    if len(files) != 2:
        pytest.skip("seed articles not available")
    items = []
    for path in files:
        title, _, body = path.read_text(encoding="utf-8").partition("\n")
        items.append(make(path.stem, body.strip("\n"), title.strip()))
    vecs = embed_articles([a for a, _ in items], [an for _, an in items],
                          encoder=encoders[0], multilingual=encoders[1])
    (a, an_a), (b, an_b) = items
    r = relate_pair(a, b, an_a, an_b, vecs[0], vecs[1])
    assert r.kind == "same_story", r.reasons
    assert r.kind not in COPY_KINDS
    assert max(r.coverage_a, r.coverage_b) < 0.3


def test_article_quoting_and_paraphrasing_a_press_release_is_shared_source():
    from newsprism.relate.classify import PairFeatures, classify

    base = dict(cross_language=False, coverage_a=0.15, coverage_b=0.13, lexical=0.7, semantic=0.76,
                order=0.7, shared_a=0.0, shared_b=0.0, shared_chars=0, doc_cosine=0.86,
                entity_overlap=0.5, shared_entities=7, title_lexical=0.5, identical=0.0,
                quote_groups=1, groups=2)
    assert classify(PairFeatures(**base, release_side=True))[0] == "shared_source"
    assert classify(PairFeatures(**base, release_side=False))[0] == "same_story"
    assert classify(PairFeatures(**{**base, "cross_language": True}, release_side=True))[0] != "shared_source"


def test_small_searches_run_on_one_thread_and_restore_the_setting():
    import faiss

    from newsprism.ann import VectorIndex, unit_rows

    seen = []
    idx = VectorIndex(4)
    idx.add(["a", "b"], unit_rows([np.array([1, 0, 0, 0.0]), np.array([0, 1, 0, 0.0])]))
    real = idx.index.search

    def spy(x, k):  # type: ignore[no-untyped-def]
        seen.append(faiss.omp_get_max_threads())
        return real(x, k)

    idx.index.search = spy
    before = faiss.omp_get_max_threads()
    assert idx.search(unit_rows([np.array([1, 0.1, 0, 0])]), k=1)[0][0][0] == "a"
    idx.search(unit_rows([np.array([1, 0.1, 0, 0])] * 20), k=1)
    assert seen == [1, before] and faiss.omp_get_max_threads() == before
