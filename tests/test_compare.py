"""compare_story on hand-made articles and vectors: facts count lines, not copies; conflicts cite both sides."""

import numpy as np

from newsprism.compare import compare_story
from newsprism.embed import ArticleVectors
from newsprism.models import Analysis, Article, Quote, Relation, Span


def _article(aid, sentences, dims, quotes=()):
    text = " ".join(sentences)
    spans, pos = [], 0
    for s in sentences:
        spans.append(Span(pos, pos + len(s), s))
        pos += len(s) + 1
    vecs = np.zeros((len(sentences), 8), dtype=np.float32)
    for row, d in enumerate(dims):
        vecs[row, d] = 1.0
    art = Article(id=aid, origin=aid, text=text, raw=text, title=aid)
    an = Analysis(aid, "en", tuple(spans), quotes=tuple(quotes))
    return art, an, ArticleVectors(aid, vecs.mean(0), vecs, vecs.mean(0), vecs)


def _run(items, relations=()):
    arts = {a.id: a for a, _, _ in items}
    return compare_story("s", list(arts), articles=arts, analyses={a.id: an for a, an, _ in items},
                         vectors={a.id: v for a, _, v in items}, relations=list(relations))


def test_copies_count_once_and_conflicts_are_cited():
    wire = _article("wire", ["About 1,200 dockworkers joined the strike on Monday morning.",
                             "It is the third strike at the port this year.",
                             "Ferries were running normally to the islands today."], [0, 1, 2])
    copy = _article("copy", ["About 1,200 dockworkers joined the strike on Monday morning.",
                             "It is the third strike at the port this year.",
                             "Ferries were running normally to the islands today."], [0, 1, 2])
    own = _article("own", ["Some 1,500 dockworkers walked out at dawn on Monday.",
                           "The union leader spoke to reporters outside the main gate.",
                           "It was the fourth walkout at the harbour in two years."], [0, 5, 1])
    comp = _run([wire, copy, own], [Relation("wire", "copy", "verbatim", 1.0, "a_first")])
    assert sorted(map(sorted, comp.lines)) == [["copy", "wire"], ["own"]]
    assert all(f.lines == 2 for f in comp.facts) and len(comp.facts) == 2
    slots = {c.slot: c for c in comp.conflicts}
    assert set(slots) == {"number", "ordinal"}
    texts = {a.id: a.text for a, _, _ in (wire, copy, own)}
    for c in comp.conflicts:
        for v in c.values:
            assert texts[v.article][v.start:v.end] in v.value
    unique_texts = {u.text for u in comp.unique}
    assert "Ferries were running normally to the islands today." in unique_texts


def test_a_value_stated_by_both_sides_is_not_a_conflict():
    a = _article("a", ["The fee falls from 2.40 euros to 1.90 euros per megawatt hour."], [0])
    b = _article("b", ["The fee will be 1.90 euros per megawatt hour from July."], [0])
    assert _run([a, b]).conflicts == ()


def test_quoted_sentences_are_not_unique_facts():
    s = '"We will not back down from this fight," the union leader said.'
    a = _article("a", [s, "Talks ended at 2 a.m. without agreement in the capital."], [3, 0],
                 quotes=[Quote("We will not back down from this fight,", 1, 39)])
    b = _article("b", ["Negotiations collapsed overnight in the capital without a deal."], [0])
    unique = {u.text for u in _run([a, b]).unique}
    assert s not in unique
