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


def _brute_pairs(lines, langs, vectors, keys, floor, floor_cross, number_floor):
    """The per-pair loop `_SentencePairs` replaces: one similarity matrix per pair of lines."""
    out, best = [], {}
    for x, (a, rows_a) in enumerate(lines):
        for i in rows_a:
            best[(a, i)] = 0.0
    for x in range(len(lines)):
        for y in range(x + 1, len(lines)):
            (a, rows), (b, cols) = lines[x], lines[y]
            va, vb = vectors[a], vectors[b]
            if langs[x] == langs[y] and va.sentences.shape[0] and vb.sentences.shape[0]:
                sim = va.sentences @ vb.sentences.T
            elif va.ml_sentences.shape[0] and vb.ml_sentences.shape[0]:
                sim = va.ml_sentences @ vb.ml_sentences.T
            else:
                sim = np.zeros((va.sentences.shape[0], vb.sentences.shape[0]), dtype=np.float32)
            if not rows or not cols:
                continue
            sub = sim[np.ix_(rows, cols)]
            row_best, col_best = sub.max(axis=1), sub.max(axis=0)
            for r, i in enumerate(rows):
                best[(a, i)] = max(best[(a, i)], float(row_best[r]))
            for c, j in enumerate(cols):
                best[(b, j)] = max(best[(b, j)], float(col_best[c]))
            fl = floor if langs[x] == langs[y] else min(floor, floor_cross)
            for r, c in np.argwhere(sub >= -2).tolist():
                s = float(sub[r, c])
                shared = keys[x][r] & keys[y][c]
                if s >= fl - 1e-6 or (shared and s >= number_floor - 1e-6):
                    out.append((x, y, rows[r], cols[c], s, float(row_best[r]), float(col_best[c])))
    return out, best


def test_sentence_pairs_match_the_per_pair_loop(monkeypatch):
    """Mixed languages, lines without sentences or without multilingual vectors, many blocks."""
    from newsprism import compare

    rng = np.random.default_rng(7)
    monkeypatch.setattr(compare._SentencePairs, "_BLOCK_CELLS", 300)  # a few lines per block
    lines, langs, vectors, keys = [], [], {}, []
    for x in range(14):
        n = {2: 1, 3: 0, 4: 1}.get(x, int(rng.integers(0, 6)))  # line 3, mid-block, has none
        mono = rng.normal(size=(n + 2, 6)).astype(np.float32)
        mono /= np.linalg.norm(mono, axis=1, keepdims=True)
        multi = mono[:, :4].copy() if x % 5 else np.zeros((0, 4), dtype=np.float32)
        aid = f"a{x}"
        vectors[aid] = ArticleVectors(aid, mono[0], mono, mono[0, :4], multi)
        rows = sorted(rng.choice(n + 2, size=n, replace=False).tolist())
        lines.append((aid, rows))
        langs.append("en" if x % 3 else "es")
        keys.append([{"people"} if rng.random() < 0.4 else set() for _ in rows])
    args = dict(floor=0.6, floor_cross=0.4, number_floor=0.1)
    pairs = compare._SentencePairs(lines, langs, vectors, keys, **args)
    got = list(pairs.candidates())
    want, best = _brute_pairs(lines, langs, vectors, keys, **args)
    assert len(got) == len(want) > 20
    for g, w in zip(got, want):
        assert g[:4] == w[:4] and np.allclose(g[4:], w[4:], atol=1e-6)
    assert pairs.best_other().keys() == best.keys()
    assert all(abs(pairs.best_other()[k] - v) < 1e-6 for k, v in best.items())
